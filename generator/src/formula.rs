//! The formula model: inputs, `let` bindings in order, an output, and
//! expressions as trees.

use grad_core::ops::{OPERATIONS, Operation, Shape, Syntax};
use std::collections::BTreeMap;

/// A formula as a user writes it inside `grad!`.
#[derive(Clone, Debug, PartialEq)]
pub struct Formula {
    /// The output's name in the inline form, the function's in the function
    /// form.
    pub name: String,
    /// The inputs' names (the parameters, in the function form).
    pub inputs: Vec<String>,
    /// The `let` bindings, in order; each may read the inputs and the lets
    /// before it.
    pub lets: Vec<Let>,
    /// The output expression.
    pub output: Expr,
}

/// One `let name = value;`.
#[derive(Clone, Debug, PartialEq)]
pub struct Let {
    /// The bound name.
    pub name: String,
    /// What it is bound to.
    pub value: Expr,
    /// Whether the function form writes its type, `let t: f64 = ..`.
    pub annotated: bool,
}

impl Let {
    /// A `let` without a type annotation.
    #[must_use]
    pub fn new(name: impl Into<String>, value: Expr) -> Self {
        Self {
            name: name.into(),
            value,
            annotated: false,
        }
    }
}

/// An expression that reads no input, given as Rust source text, such as
/// `std::f64::consts::PI`: `grad!` evaluates it in the caller's scope.
#[derive(Clone, Debug, PartialEq)]
pub struct Constant {
    /// The source text; it must bind like one operand (a path or a call).
    pub text: String,
    /// Its value, if the evaluator should know it (`None` for text that
    /// only the fuzzer writes, such as `T::one()`).
    pub value: Option<f64>,
}

impl Constant {
    /// A constant with a known value.
    #[must_use]
    pub fn new(text: impl Into<String>, value: f64) -> Self {
        Self {
            text: text.into(),
            value: Some(value),
        }
    }

    /// A constant the evaluator cannot compute.
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            value: None,
        }
    }
}

/// The exponent of `powi`: an `i32` expression that gets no gradient.
#[derive(Clone, Debug, PartialEq)]
pub struct Exponent {
    /// The source text between the parentheses of `powi(..)`.
    pub text: String,
    /// Its value, if the evaluator should know it.
    pub value: Option<i32>,
}

impl Exponent {
    /// A literal exponent, such as `2` or `-1`.
    #[must_use]
    pub fn new(value: i32) -> Self {
        Self {
            text: value.to_string(),
            value: Some(value),
        }
    }

    /// An exponent the evaluator cannot compute, such as `n as i32`.
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            value: None,
        }
    }
}

/// A node of an expression tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// The formula's input with this index.
    Input(usize),
    /// The formula's `let` with this index.
    Let(usize),
    /// A number literal, as written: `0.5`, `2`, `0x1F`.
    Literal(String),
    /// A constant expression.
    Constant(Constant),
    /// An operation of [`OPERATIONS`] on its differentiable operands (for a
    /// method, the receiver first), spelled as the table says. Not `powi`,
    /// which is [`Expr::Powi`].
    Operation(&'static Operation, Vec<Expr>),
    /// `base.powi(exponent)`.
    Powi(Box<Expr>, Exponent),
    /// A call of a function that is not in the table, `path(args)`: a custom
    /// operation, which `grad!` differentiates with `path_grad`.
    Call(String, Vec<Expr>),
    /// Parentheses the precedence does not need.
    Paren(Box<Expr>),
    /// A group without delimiters, what a `macro_rules!` fragment `$e:expr`
    /// becomes. Source text cannot hold one: it is written as
    /// `__none_group(..)` ([`NONE_GROUP`]), which a lexer that knows the
    /// marker turns into the group.
    Group(Box<Expr>),
    /// Source text put in as it is, such as a mistake; it must bind like one
    /// operand (wrap it in parentheses otherwise).
    Raw(String),
}

/// How [`Expr::Group`] is written in source text.
pub const NONE_GROUP: &str = "__none_group";

impl Expr {
    /// A float literal of `value`, written the shortest way that reads back
    /// the same and is a float: `0.5`, `2.0`, `1e-7`.
    ///
    /// # Panics
    ///
    /// If `value` is negative or not finite: write `-x` as an operation.
    #[must_use]
    pub fn number(value: f64) -> Self {
        assert!(
            value.is_finite() && value.is_sign_positive(),
            "a literal is a finite number >= 0, not {value}"
        );
        Self::Literal(float_literal(value))
    }

    /// The operation of the table written with `syntax` on `operands`.
    ///
    /// # Panics
    ///
    /// If the table has no such operation, if it is `powi`, or if the number
    /// of operands is not the operation's.
    #[must_use]
    pub fn op(syntax: Syntax, operands: Vec<Self>) -> Self {
        let op = Operation::find(syntax).unwrap_or_else(|| panic!("no operation {syntax:?}"));
        Self::apply(op, operands)
    }

    /// `op` on `operands`.
    ///
    /// # Panics
    ///
    /// As [`Expr::op`].
    #[must_use]
    pub fn apply(op: &'static Operation, operands: Vec<Self>) -> Self {
        assert!(
            op.shape != Shape::UnaryInt,
            "write {} with Expr::Powi",
            op.name
        );
        assert_eq!(
            operands.len(),
            op.shape.differentiable_operands(),
            "operands of {}",
            op.name
        );
        Self::Operation(op, operands)
    }

    /// `a + b`, `a - b`, `a * b`, `a / b`.
    #[must_use]
    pub fn infix(operator: &'static str, a: Self, b: Self) -> Self {
        Self::op(Syntax::Infix(operator), vec![a, b])
    }

    /// `a.method()` for a one-operand method of the table.
    #[must_use]
    pub fn method(a: Self, method: &'static str) -> Self {
        Self::op(Syntax::Method(method), vec![a])
    }

    /// `base.powi(n)`.
    #[must_use]
    pub fn powi(base: Self, n: i32) -> Self {
        Self::Powi(Box::new(base), Exponent::new(n))
    }

    /// The children, left to right as written.
    #[must_use]
    pub fn children(&self) -> Vec<&Self> {
        match self {
            Self::Input(_) | Self::Let(_) | Self::Literal(_) | Self::Constant(_) | Self::Raw(_) => {
                Vec::new()
            }
            Self::Powi(e, _) | Self::Paren(e) | Self::Group(e) => vec![e],
            Self::Operation(_, operands) | Self::Call(_, operands) => operands.iter().collect(),
        }
    }

    fn children_mut(&mut self) -> Vec<&mut Self> {
        match self {
            Self::Input(_) | Self::Let(_) | Self::Literal(_) | Self::Constant(_) | Self::Raw(_) => {
                Vec::new()
            }
            Self::Powi(e, _) | Self::Paren(e) | Self::Group(e) => vec![&mut **e],
            Self::Operation(_, operands) | Self::Call(_, operands) => operands.iter_mut().collect(),
        }
    }

    /// The number of nodes, this one included.
    #[must_use]
    pub fn size(&self) -> usize {
        1 + self.children().into_iter().map(Self::size).sum::<usize>()
    }

    /// Replaces the node with this index in pre-order (0 is this node) by
    /// `with`. Nothing changes if `index >= self.size()`.
    pub fn replace(&mut self, index: usize, with: Self) {
        fn walk(e: &mut Expr, index: &mut usize, with: &mut Option<Expr>) {
            if *index == 0 {
                if let Some(with) = with.take() {
                    *e = with;
                }
                return;
            }
            *index -= 1;
            for child in e.children_mut() {
                if with.is_none() {
                    return;
                }
                walk(child, index, with);
            }
        }
        walk(self, &mut { index }, &mut Some(with));
    }

    /// Every node in pre-order.
    fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Self)) {
        // An explicit stack: the large tests nest a thousand levels deep.
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            f(e);
            stack.extend(e.children().into_iter().rev());
        }
    }

    /// Without the parentheses and groups around it.
    #[must_use]
    pub fn unwrapped(&self) -> &Self {
        match self {
            Self::Paren(e) | Self::Group(e) => e.unwrapped(),
            other => other,
        }
    }
}

/// The shortest literal that reads back as `value` and is a float literal.
pub(crate) fn float_literal(value: f64) -> String {
    let text = format!("{value:?}");
    if text.contains('.') || text.contains('e') || !value.is_finite() {
        text
    } else {
        format!("{text}.0")
    }
}

impl Formula {
    /// A formula without `let`s.
    #[must_use]
    pub fn new(name: impl Into<String>, inputs: &[&str], output: Expr) -> Self {
        Self {
            name: name.into(),
            inputs: inputs.iter().map(|&name| name.to_owned()).collect(),
            lets: Vec::new(),
            output,
        }
    }

    /// Inputs `x0`, `x1`, … `x{n-1}`.
    #[must_use]
    pub fn numbered_inputs(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("x{i}")).collect()
    }

    /// Every expression of the formula: the lets' values in order, then the
    /// output.
    pub fn expressions(&self) -> impl Iterator<Item = &Expr> {
        self.lets
            .iter()
            .map(|binding| &binding.value)
            .chain([&self.output])
    }

    fn visit<'a>(&'a self, mut f: impl FnMut(&'a Expr)) {
        for e in self.expressions() {
            e.visit(&mut f);
        }
    }

    /// How many layers `grad!` makes: operations of the table, `powi` and
    /// calls.
    #[must_use]
    pub fn operations(&self) -> usize {
        self.census().values().sum()
    }

    /// How many times each operation appears, by the table's
    /// [`name`](Operation::name) (`"add"`, `"sin"`, `"powi"`), calls under
    /// `"call"`. An operation on a literal counts as that operation:
    /// `100.0 * x` is a `"mul"`.
    #[must_use]
    pub fn census(&self) -> BTreeMap<&'static str, usize> {
        let mut census = BTreeMap::new();
        self.visit(|e| {
            let name = match e {
                Expr::Operation(op, _) => op.name,
                Expr::Powi(..) => "powi",
                Expr::Call(..) => "call",
                _ => return,
            };
            *census.entry(name).or_default() += 1;
        });
        census
    }

    /// Whether some expression holds a node for which `f` is true.
    #[must_use]
    pub fn any(&self, mut f: impl FnMut(&Expr) -> bool) -> bool {
        let mut found = false;
        self.visit(|e| found = found || f(e));
        found
    }

    /// Which inputs the formula reads, by index.
    #[must_use]
    pub fn used_inputs(&self) -> Vec<bool> {
        let mut used = vec![false; self.inputs.len()];
        self.visit(|e| {
            if let Expr::Input(i) = e {
                used[*i] = true;
            }
        });
        used
    }

    /// For each input, the smooth domain of the first operation that reads
    /// it directly (through parentheses at most): where a test should draw
    /// it from. `None` for an input that no operation reads directly.
    #[must_use]
    pub fn input_domains(&self) -> Vec<Option<Range>> {
        let mut domains = vec![None; self.inputs.len()];
        self.visit(|e| {
            let (op, operands) = match e {
                Expr::Operation(op, operands) => (*op, operands.iter().collect::<Vec<_>>()),
                Expr::Powi(base, _) => (powi(), vec![&**base]),
                _ => return,
            };
            for (position, operand) in operands.into_iter().enumerate() {
                if let Expr::Input(i) = operand.unwrapped()
                    && domains[*i].is_none()
                {
                    let (low, high) = op.smooth.operands[position];
                    domains[*i] = Some(Range {
                        low,
                        high,
                        mirrored: op.smooth.mirrored,
                    });
                }
            }
        });
        domains
    }
}

/// `powi`'s entry in the table.
pub(crate) fn powi() -> &'static Operation {
    OPERATIONS
        .iter()
        .find(|op| op.shape == Shape::UnaryInt)
        .expect("the table has powi")
}

/// Where an input may be drawn from: `[low, high)`, and `(-high, -low]` too
/// when `mirrored`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// The lower end.
    pub low: f64,
    /// The upper end.
    pub high: f64,
    /// Whether the negated range is in the domain too.
    pub mirrored: bool,
}

impl Range {
    /// The point at `unit` in `[0, 1)` of the range, negated when `negate`
    /// and the range is mirrored.
    #[must_use]
    pub fn point(&self, unit: f64, negate: bool) -> f64 {
        let x = self.low + (self.high - self.low) * unit;
        if self.mirrored && negate { -x } else { x }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x() -> Expr {
        Expr::Input(0)
    }

    #[test]
    fn number_literals_are_floats() {
        assert_eq!(Expr::number(2.0), Expr::Literal("2.0".into()));
        assert_eq!(Expr::number(0.5), Expr::Literal("0.5".into()));
        assert_eq!(Expr::number(1e-7), Expr::Literal("1e-7".into()));
    }

    #[test]
    fn replace_counts_in_pre_order() {
        let mut e = Expr::infix("+", Expr::method(x(), "sin"), Expr::number(1.0));
        assert_eq!(e.size(), 4);
        e.replace(2, Expr::Raw("(q)".into()));
        assert_eq!(
            e,
            Expr::infix(
                "+",
                Expr::method(Expr::Raw("(q)".into()), "sin"),
                Expr::number(1.0)
            )
        );
        let before = e.clone();
        e.replace(9, Expr::Input(1));
        assert_eq!(e, before);
    }

    #[test]
    fn census_counts_each_operation_and_calls() {
        let f = Formula {
            name: "y".into(),
            inputs: vec!["x".into()],
            lets: vec![Let::new("t", Expr::powi(x(), 2))],
            output: Expr::infix(
                "*",
                Expr::Call("f".into(), vec![Expr::Let(0)]),
                Expr::infix("*", x(), x()),
            ),
        };
        let census: Vec<(&str, usize)> = f.census().into_iter().collect();
        assert_eq!(census, [("call", 1), ("mul", 2), ("powi", 1)]);
        assert_eq!(f.operations(), 4);
    }

    #[test]
    fn inputs_get_the_domain_of_their_first_operation() {
        let f = Formula {
            name: "y".into(),
            inputs: vec!["a".into(), "b".into(), "c".into()],
            lets: vec![],
            output: Expr::infix(
                "+",
                Expr::method(Expr::Paren(Box::new(Expr::Input(1))), "ln"),
                Expr::method(Expr::Input(1), "acosh"),
            ),
        };
        let domains = f.input_domains();
        assert_eq!(domains[0], None);
        assert_eq!(
            domains[1],
            Some(Range {
                low: 0.1,
                high: 10.0,
                mirrored: false
            })
        );
        assert_eq!(f.used_inputs(), [false, true, false]);
    }
}
