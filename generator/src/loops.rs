//! Random functions with loops, accumulators, element reads and branches,
//! for the fuzzer and for the tests that compile them and compare their
//! gradients with central differences of the plain function.
//!
//! A [`LoopFunction`] is written as the source of one function-form
//! `grad!` function. Its parameters are scalars, fixed-length arrays
//! (`&[f64; 4]`), slices (`&[f64]`) and matrices (`&[[f64; 3]; 2]`); its
//! body declares one or two accumulators, runs one to three loops (some
//! nested) that read elements at in-range indices and update the
//! accumulators with `+=`, `-=` and `*=`, and returns an expression of the
//! accumulators. Every operation it uses is smooth on the values the tests
//! pass, so central differences are a fair reference; with `branches`, it
//! also writes `if` expressions, which are not.
//!
//! ```
//! use grad_generator::SplitMix64;
//! use grad_generator::loops::{Options, loop_function};
//! let f = loop_function(&mut SplitMix64(3), "f", &Options { branches: true, scalar: "f64" });
//! assert!(f.source.starts_with("fn f("));
//! assert!(f.source.contains("for "));
//! ```

use crate::choices::Choices;
use std::fmt::Write as _;

/// What a generated function may contain.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Whether to write `if` expressions (not smooth at their switch).
    pub branches: bool,
    /// The scalar type: `"f64"` or `"f32"`.
    pub scalar: &'static str,
}

/// A parameter of a generated function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Param {
    /// `name: f64`.
    Scalar(String),
    /// `name: &[f64; len]`.
    Array(String, usize),
    /// `name: &[f64]`, called with `len` elements.
    Slice(String, usize),
    /// `name: &[[f64; columns]; rows]`.
    Matrix(String, usize, usize),
}

impl Param {
    /// The parameter's name.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Scalar(name)
            | Self::Array(name, _)
            | Self::Slice(name, _)
            | Self::Matrix(name, _, _) => name,
        }
    }

    /// How many scalars it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Scalar(_) => 1,
            Self::Array(_, len) | Self::Slice(_, len) => *len,
            Self::Matrix(_, rows, columns) => rows * columns,
        }
    }

    /// Whether it holds no scalar (a slice called with none).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A generated function: its parameters and its source.
#[derive(Clone, Debug)]
pub struct LoopFunction {
    /// The function's name.
    pub name: String,
    /// Its parameters, in order.
    pub params: Vec<Param>,
    /// The `fn` item, as written inside `grad! { .. }`.
    pub source: String,
}

impl LoopFunction {
    /// The arguments of a call from the flat slice `values` (one number per
    /// scalar of the parameters, in order), as Rust source reading from a
    /// slice named `v`: `v[0], &[v[1], v[2]], ..`.
    #[must_use]
    pub fn arguments(&self) -> String {
        let mut at = 0;
        let mut arguments = Vec::new();
        for param in &self.params {
            let mut take = |count: usize| {
                let items: Vec<String> = (at..at + count).map(|k| format!("v[{k}]")).collect();
                at += count;
                items.join(", ")
            };
            arguments.push(match param {
                Param::Scalar(_) => take(1),
                Param::Array(_, len) | Param::Slice(_, len) => format!("&[{}]", take(*len)),
                Param::Matrix(_, rows, columns) => {
                    let rows: Vec<String> = (0..*rows)
                        .map(|_| format!("[{}]", take(*columns)))
                        .collect();
                    format!("&[{}]", rows.join(", "))
                }
            });
        }
        arguments.join(", ")
    }

    /// How many scalars a call takes in all.
    #[must_use]
    pub fn scalar_count(&self) -> usize {
        self.params.iter().map(Param::len).sum()
    }

    /// The gradient fields flattened in parameter order, as Rust source
    /// reading a gradients value named `d`: `d.x, d.y[0], d.w[1][2], ..`.
    #[must_use]
    pub fn gradient_fields(&self) -> Vec<String> {
        let mut fields = Vec::new();
        for param in &self.params {
            let name = param.name();
            match param {
                Param::Scalar(_) => fields.push(format!("d.{name}")),
                Param::Array(_, len) | Param::Slice(_, len) => {
                    fields.extend((0..*len).map(|k| format!("d.{name}[{k}]")));
                }
                Param::Matrix(_, rows, columns) => {
                    for row in 0..*rows {
                        fields.extend((0..*columns).map(|k| format!("d.{name}[{row}][{k}]")));
                    }
                }
            }
        }
        fields
    }
}

/// What an expression inside a loop may read.
struct Scope {
    /// Scalar values: parameters, `let`s, accumulators.
    scalars: Vec<String>,
    /// Element reads valid at this point: `x[i]`, `x[i + 1]`, `w[i][j]`.
    elements: Vec<String>,
}

/// A random function named `name`.
pub fn loop_function(c: &mut impl Choices, name: &str, options: &Options) -> LoopFunction {
    let s = options.scalar;
    let mut params = vec![Param::Array("x".to_owned(), 2 + c.below(4))];
    if c.rare(2) {
        params.push(Param::Scalar("p".to_owned()));
    }
    if c.rare(2) {
        params.push(Param::Slice("y".to_owned(), c.below(5)));
    }
    if c.rare(3) {
        params.push(Param::Matrix(
            "w".to_owned(),
            1 + c.below(3),
            1 + c.below(3),
        ));
    }
    let signature: Vec<String> = params
        .iter()
        .map(|param| match param {
            Param::Scalar(name) => format!("{name}: {s}"),
            Param::Array(name, len) => format!("{name}: &[{s}; {len}]"),
            Param::Slice(name, _) => format!("{name}: &[{s}]"),
            Param::Matrix(name, rows, columns) => format!("{name}: &[[{s}; {columns}]; {rows}]"),
        })
        .collect();
    let mut body = String::new();
    let accumulators: Vec<String> = (0..1 + c.below(2)).map(|k| format!("acc{k}")).collect();
    for accumulator in &accumulators {
        let start = ["0.0", "1.0", "0.5"][c.below(3)];
        let _ = write!(body, "let mut {accumulator}: {s} = {start}; ");
    }
    let base: Vec<String> = params
        .iter()
        .filter(|param| matches!(param, Param::Scalar(_)))
        .map(|param| param.name().to_owned())
        .collect();
    let mut lets = 0;
    for _ in 0..1 + c.below(3) {
        // A loop over the elements of one array parameter.
        let arrays: Vec<&Param> = params
            .iter()
            .filter(|param| !matches!(param, Param::Scalar(_)))
            .collect();
        let array = *c.pick(&arrays);
        let (range, elements) = loop_range(c, array, "i");
        let _ = write!(body, "for i in {range} {{ ");
        let mut scope = Scope {
            scalars: base
                .iter()
                .cloned()
                .chain(accumulators.iter().cloned())
                .collect(),
            elements,
        };
        let mut inner = String::new();
        if let Param::Matrix(name, _, columns) = array
            && c.rare(2)
        {
            // A nested loop over a row, reading `w[i][j]`.
            let accumulator = format!("row{lets}");
            lets += 1;
            let _ = write!(
                inner,
                "let mut {accumulator} = 0.0; for j in 0..{columns} {{ "
            );
            let mut row_scope = Scope {
                scalars: scope.scalars.clone(),
                elements: vec![format!("{name}[i][j]")],
            };
            let term = expression(c, &row_scope, 2, options);
            let _ = write!(inner, "{accumulator} += {term}; }} ");
            row_scope.scalars.push(accumulator.clone());
            scope.scalars.push(accumulator);
        }
        for _ in 0..c.below(3) {
            let local = format!("t{lets}");
            lets += 1;
            let value = expression(c, &scope, 3, options);
            let _ = write!(inner, "let {local} = {value}; ");
            scope.scalars.push(local);
        }
        for _ in 0..1 + c.below(2) {
            let accumulator = c.pick(&accumulators).clone();
            let value = expression(c, &scope, 3, options);
            match c.below(4) {
                0 | 1 => {
                    let _ = write!(inner, "{accumulator} += {value}; ");
                }
                2 => {
                    let _ = write!(inner, "{accumulator} -= {value}; ");
                }
                // A factor near 1, so products stay tame.
                _ => {
                    let _ = write!(inner, "{accumulator} *= 1.0 + 0.25 * ({value}).tanh(); ");
                }
            }
        }
        body.push_str(&inner);
        body.push_str("} ");
    }
    let result = accumulators
        .iter()
        .map(|accumulator| {
            if c.rare(3) {
                format!("{accumulator}.sin()")
            } else {
                accumulator.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" + ");
    let result = if base.is_empty() || c.rare(2) {
        result
    } else {
        format!("({result}) * {}", base[0])
    };
    let source = format!(
        "fn {name}({}) -> {s} {{ {body}{result} }}",
        signature.join(", ")
    );
    LoopFunction {
        name: name.to_owned(),
        params,
        source,
    }
}

/// A range over `array` with the loop variable `i`, and the element reads
/// it makes valid.
fn loop_range(c: &mut impl Choices, array: &Param, i: &str) -> (String, Vec<String>) {
    let name = array.name();
    let (length, matrix) = match array {
        Param::Array(_, len) => (len.to_string(), false),
        Param::Slice(..) => (format!("{name}.len()"), false),
        Param::Matrix(_, rows, _) => (rows.to_string(), true),
        Param::Scalar(_) => unreachable!("loops run over arrays"),
    };
    // A matrix's loop reads the first element of its rows.
    let reads_at = |name: &str, index: &str| {
        if matrix {
            format!("{name}[{index}][0]")
        } else {
            format!("{name}[{index}]")
        }
    };
    // A slice may be empty: `0..len - 1` and `0..=len - 1` would underflow.
    let choice = if matches!(array, Param::Slice(..)) {
        [0, 2][c.below(2)]
    } else {
        c.below(4)
    };
    match choice {
        0 => (format!("0..{length}"), vec![reads_at(name, i)]),
        1 => (format!("0..={length} - 1"), vec![reads_at(name, i)]),
        2 => (
            format!("1..{length}"),
            vec![reads_at(name, i), reads_at(name, &format!("{i} - 1"))],
        ),
        _ => (
            format!("0..{length} - 1"),
            vec![
                reads_at(name, i),
                reads_at(name, &format!("{i} + 1")),
                reads_at(name, "0"),
            ],
        ),
    }
}

/// A random smooth expression of `depth` levels over the scope.
fn expression(c: &mut impl Choices, scope: &Scope, depth: usize, options: &Options) -> String {
    let leaf = |c: &mut dyn FnMut(usize) -> usize| -> String {
        let pool = scope.scalars.len() + scope.elements.len();
        let k = c(pool + 2);
        if k < scope.scalars.len() {
            scope.scalars[k].clone()
        } else if k < pool {
            scope.elements[k - scope.scalars.len()].clone()
        } else {
            // Typed, so that plain Rust knows the type of `(0.5_f64).sin()`.
            format!("{}_{}", ["0.5", "2.0"][k - pool], options.scalar)
        }
    };
    if depth == 0 || c.rare(4) {
        return leaf(&mut |n| c.below(n));
    }
    let a = expression(c, scope, depth - 1, options);
    match c.below(if options.branches { 9 } else { 8 }) {
        0 | 1 => format!("{a} + {}", expression(c, scope, depth - 1, options)),
        2 => format!("{a} - {}", expression(c, scope, depth - 1, options)),
        3 | 4 => format!("({a}) * ({})", expression(c, scope, depth - 1, options)),
        5 => format!("({a}).sin()"),
        6 => format!("({a}).tanh()"),
        7 => format!("sigmoid({a})"),
        _ => {
            let (b, e) = (
                expression(c, scope, depth - 1, options),
                expression(c, scope, depth - 1, options),
            );
            // In parentheses: in a block or a condition, an `if` followed
            // by an operator would end the expression.
            format!("(if {a} > 0.25 {{ {b} }} else {{ {e} }})")
        }
    }
}
