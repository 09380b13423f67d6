//! Valid formulas of both forms, from the generator: every operation of
//! the table, custom calls, constants, literals, `powi` exponents, fan-out,
//! parentheses and groups without delimiters, raw and Unicode names, names
//! the expansion uses internally.

use crate::case::{Case, Expect};
use grad_core::ops::scalar_operations;
use grad_generator::{
    Choices, Constant, Custom, Exponent, Formula, Grammar, Layout, Scalar, Signature,
};
use std::sync::LazyLock;

/// Names read as inputs by the inline form. Disjoint from the other pools,
/// so a valid formula never binds a name twice or shadows an input.
pub const INPUT_NAMES: &[&str] = &[
    "x",
    "y",
    "z",
    "w",
    "apple",
    "apple_num",
    "tax",
    "r#type",
    "r#match",
    "ñ",
    "δx",
    "x1",
    "_x",
    "X",
    "a_b_c",
    "変数",
    "r#async",
];
/// Names of `let` intermediates.
pub const LET_NAMES: &[&str] = &[
    "t", "u", "v", "hidden", "fruits", "r#loop", "t_2", "ü", "__t", "Tmp", "r#struct",
];
/// Names of the output (or, in the function form, of functions).
pub const OUTPUT_NAMES: &[&str] = &[
    "out", "price", "loss", "result", "r#ref", "ŷ", "f_xy", "__", "__layers", "value", "layers",
    "dout", "Out", "a1", "r#fn",
];
/// Names that are valid identifiers but need care: Rust keywords usable as
/// a path (`self`), names whose upper camel case is not an identifier
/// (`_1`), and raw or non-ASCII identifiers.
pub const EDGE_NAMES: &[&str] = &[
    "self",
    "Self",
    "super",
    "crate",
    "_1",
    "_0x",
    "_·",
    "_\u{301}a",
    "__2",
    "_٣",
    "r#union",
    "r#default",
    "Δ",
    "ǆ",
    "ß",
];
/// Parameter names of the function form.
pub const PARAM_NAMES: &[&str] = &["x", "y", "z", "a", "b", "r#in", "θ", "p_0", "_w"];
/// Function names of the function form, distinct in upper camel case too.
pub const FUNCTION_NAMES: &[&str] = &["f", "price", "loss_fn", "r#type", "h2", "ƒ", "norm", "g"];

/// Literals that are numbers in the range of f64.
pub const GOOD_LITERALS: &[&str] = &[
    "2",
    "0.5",
    "1.0",
    "1e-3",
    "2.5e10",
    "1_000",
    "0x1F",
    "0b101",
    "0o17",
    "7f64",
    "2.5f32",
    "1u8",
    "300u8",
    "1e308",
    "1e-400",
    "0",
    "0.0",
    "4294967296",
    "18446744073709551616",
    "1e-320",
    "99999999999999999999999999999999999999999",
    "1i32",
    "3.",
];
/// Constants of the inline form: paths and calls that read no input.
pub const INLINE_CONSTANTS: &[&str] = &[
    "std::f64::consts::PI",
    "core::f64::consts::E",
    "T::one()",
    "grad::constant(2.5)",
    "f64::EPSILON",
    "<f64>::EPSILON",
    "::std::f64::consts::LN_2",
    "f(2.0)",
    "K::VALUE",
];
/// Constants of the function form, where a free name is a constant too.
pub const FUNCTION_CONSTANTS: &[&str] = &["SCALE", "std::f64::consts::PI", "T::one()", "K"];
/// Exponents of `powi`, evaluated in the caller's scope as `i32`.
pub const POWI_EXPONENTS: &[&str] = &[
    "2", "-3", "0", "(1 + 2)", "n", "N", "i32::MAX", "2 * k", "-(4)", "2i32", "n as i32",
];
/// Custom operations `f(..)`, differentiated by `f_grad(..)`.
pub const CUSTOM_FUNCTIONS: &[&str] = &[
    "f",
    "my_op",
    "helpers::f",
    "crate::util::g",
    "r#loop",
    "f::<f64>",
    "Self::h",
    "super::k",
];
pub const BUILTIN_FUNCTIONS: &[&str] = &["sigmoid", "relu", "grad::sigmoid", "::grad::relu"];

/// What the inline form's expressions are made of.
static INLINE_GRAMMAR: LazyLock<Grammar> = LazyLock::new(|| grammar(INLINE_CONSTANTS));
/// The function form's: its constants differ.
static FUNCTION_GRAMMAR: LazyLock<Grammar> = LazyLock::new(|| grammar(FUNCTION_CONSTANTS));

fn grammar(constants: &[&str]) -> Grammar {
    let custom = CUSTOM_FUNCTIONS
        .iter()
        .flat_map(|path| (0..4).map(move |arity| Custom::new(*path, arity)));
    let builtin = BUILTIN_FUNCTIONS.iter().map(|path| Custom::new(*path, 1));
    Grammar {
        operations: scalar_operations().collect(),
        literals: GOOD_LITERALS.iter().map(|&text| text.to_owned()).collect(),
        constants: constants.iter().map(|&text| Constant::text(text)).collect(),
        exponents: POWI_EXPONENTS
            .iter()
            .map(|&text| Exponent::text(text))
            .collect(),
        calls: custom.chain(builtin).collect(),
        parentheses: true,
        groups: true,
        fan_out: true,
        ..Grammar::default()
    }
}

/// Picks `count` distinct names from `pool`.
pub fn distinct(c: &mut impl Choices, pool: &[&str], count: usize) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for _ in 0..count.min(pool.len()) {
        let mut name = (*c.pick(pool)).to_owned();
        // Walk to the next unused name: always terminates.
        let mut i = pool.iter().position(|p| *p == name).unwrap_or(0);
        while names.contains(&name) {
            i = (i + 1) % pool.len();
            name = pool[i].to_owned();
        }
        names.push(name);
    }
    names
}

/// How many operations each `let` and output of a formula may have.
fn size(c: &mut impl Choices) -> (usize, usize) {
    (0, 1 + c.below(6))
}

/// A valid inline formula: up to four inputs and four `let`s, and an
/// output named from the output pool (one time in 40 from the edge pool).
pub fn inline_formula(c: &mut impl Choices) -> Formula {
    let size = size(c);
    let input_count = c.below(5);
    let inputs = distinct(c, INPUT_NAMES, input_count);
    let let_count = c.below(5);
    let lets = distinct(c, LET_NAMES, let_count);
    let name = if c.rare(40) {
        *c.pick(EDGE_NAMES)
    } else {
        *c.pick(OUTPUT_NAMES)
    };
    let layout = Layout {
        name: name.to_owned(),
        inputs,
        lets,
        operations: size,
    };
    INLINE_GRAMMAR.formula(c, &layout)
}

/// Every name a formula reads or binds, for mistakes that need one.
pub fn readable(formula: &Formula) -> Vec<String> {
    let lets = formula.lets.iter().map(|binding| binding.name.clone());
    let mut names: Vec<String> = formula.inputs.iter().cloned().chain(lets).collect();
    if names.is_empty() {
        names.push("x".to_owned());
    }
    names
}

pub fn valid_inline(c: &mut impl Choices) -> Case {
    let formula = inline_formula(c);
    let mut text = formula.inline_body(&formula.name);
    if c.rare(4) {
        text.push(';');
    }
    let expect = if EDGE_NAMES.contains(&formula.name.as_str()) {
        Expect::Any
    } else {
        Expect::Accept
    };
    Case::text("valid inline", expect, &text)
}

/// One function of the function form.
pub struct Function {
    pub signature: Signature,
    pub formula: Formula,
}

impl Function {
    pub fn render(&self) -> String {
        self.formula.function(&self.signature)
    }
}

fn function(c: &mut impl Choices, name: String, size: (usize, usize)) -> Function {
    let attributes = match c.below(7) {
        0 => "",
        1 => "#[inline] ",
        2 => "/// Documented.\n",
        3 => "#[cfg(all())] ",
        4 => "#[allow(unused)] #[must_use] ",
        5 => "/** Block doc. */ #[inline(always)] ",
        _ => "#[doc = \"doc\"] ",
    };
    let visibility = *c.pick(&["", "pub ", "pub(crate) ", "pub(super) ", "pub(in crate) "]);
    let scalar = match c.below(5) {
        0 => Scalar::F64,
        1 => Scalar::F32,
        2 => Scalar::Generic("T: Float".to_owned()),
        3 => Scalar::Generic("T: num_traits::Float + Copy".to_owned()),
        _ => Scalar::Generic("T".to_owned()),
    };
    let param_count = 1 + c.below(4);
    let inputs = distinct(c, PARAM_NAMES, param_count);
    let let_count = c.below(4);
    let mut lets = distinct(c, LET_NAMES, let_count);
    if c.rare(5) && !lets.is_empty() {
        // A function may name a `let` after itself.
        lets[0].clone_from(&name);
    }
    let layout = Layout {
        name,
        inputs,
        lets,
        operations: size,
    };
    let mut formula = FUNCTION_GRAMMAR.formula(c, &layout);
    for binding in &mut formula.lets {
        binding.annotated = c.rare(3);
    }
    Function {
        signature: Signature {
            attributes: attributes.to_owned(),
            visibility: visibility.to_owned(),
            scalar,
        },
        formula,
    }
}

/// One to three functions, named from the function pool (the first one
/// time in 40 from the edge pool).
pub fn functions(c: &mut impl Choices) -> Vec<Function> {
    let count = 1 + usize::from(c.rare(4)) + usize::from(c.rare(8));
    let size = size(c);
    let mut names = distinct(c, FUNCTION_NAMES, count);
    if c.rare(40) {
        names[0] = (*c.pick(EDGE_NAMES)).to_owned();
    }
    names
        .into_iter()
        .map(|name| function(c, name, size))
        .collect()
}

pub fn valid_functions(c: &mut impl Choices) -> Case {
    let functions = functions(c);
    let text: String = functions.iter().map(Function::render).collect();
    let edge = functions
        .iter()
        .any(|f| EDGE_NAMES.contains(&f.formula.name.as_str()));
    let expect = if edge { Expect::Any } else { Expect::Accept };
    Case::text("valid function form", expect, &text)
}

/// A valid function with loops, accumulators, element reads and branches,
/// in `f64` or `f32`.
pub fn valid_loops(c: &mut impl Choices) -> Case {
    let scalar = if c.rare(2) { "f32" } else { "f64" };
    let options = grad_generator::loops::Options {
        branches: true,
        scalar,
    };
    let name = (*c.pick(FUNCTION_NAMES)).to_owned();
    let function = grad_generator::loops::loop_function(c, &name, &options);
    Case::text("valid loops", Expect::Accept, &function.source)
}
