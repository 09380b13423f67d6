//! Valid formulas with one mistake put in: in an expression, in the
//! statements, in a function of the function form.

use crate::case::{Case, Expect};
use crate::grammar::{Function, functions, inline_formula, readable};
use grad_core::ops::{OPERATIONS, Syntax};
use grad_generator::{Choices, Expr};

/// Literals `grad!` must reject.
const BAD_LITERALS: &[&str] = &[
    "1e400",
    "1e999f64",
    "\"two\"",
    "'c'",
    "b'c'",
    "b\"bytes\"",
    "c\"cstr\"",
    "r\"raw\"",
    "true",
    "false",
    "1e309",
];
/// Mistakes inside an expression, each holding `{x}` and `{y}` (names that
/// depend on an input), so that the macro must look at them.
const EXPRESSION_MISTAKES: &[&str] = &[
    "{x} % {y}",
    "{x} && {y}",
    "{x} || {y}",
    "{x} == {y}",
    "{x} != {y}",
    "{x} < {y}",
    "{x} >= {y}",
    "{x} << 2",
    "{x} >> {y}",
    "{x} & {y}",
    "{x} | {y}",
    "{x} ^ {y}",
    "!{x}",
    "*{x}",
    "&mut {x}",
    "{x} += {y}",
    "{x} -= 1",
    "{x} = {y}",
    "{x} as f32",
    "{x}[0]",
    "{x}.0",
    "{x}.re",
    "{x}.unknown_method()",
    "{x}.sin({y})",
    "{x}.max()",
    "{x}.powi()",
    "{x}.powi(1, 2)",
    "{x}.exp::<f64>()",
    "{x}.atan2({y}, {x})",
    "sigmoid({x}, {y})",
    "relu({x}, {x})",
    // An `if` needs an `else` (and, inline, is not allowed at all).
    "if {x} > 0.0 {{ {y} }}",
    "match {x} {{ _ => {y} }}",
    "|t| t * {x}",
    "move || {x}",
    // Tokens inside a macro are opaque: a call reading an input only there
    // reads no input and is a constant, so each macro comes with a name.
    "m!({x}) + {y}",
    "println!(\"{{}}\", {x}) * {y}",
    "({x}, {y})",
    "[{x}, {y}]",
    "{{ {x} }}",
    "{x}?",
    "{x}..{y}",
    "..{x}",
    "loop {{ break {x} }}",
    "async {{ {x} }}",
    "unsafe {{ {x} }}",
    "return {x}",
    "{x} * LIT",
    "(|| {x})()",
    "<f64 as Float>::sin({x})",
    "{x}.sin",
    "{x}.await",
    "(f)({x})",
    "{x} ** 2",
    "{x}.max({y}, {x})",
    "{x}.hypot()",
    "{x}.ln(2.0)",
    "const {{ {x} }}",
    "Point {{ x: {x} }}",
    "{x}.sin().unknown({y})",
    "{x}.powi(2).frobnicate()",
];

/// An expression mistake with `{x}` and `{y}` filled in.
pub fn expression_mistake(c: &mut impl Choices, names: &[String]) -> String {
    if c.rare(4) {
        return wrong_argument_count(c, names);
    }
    let template = *c.pick(EXPRESSION_MISTAKES);
    let x = c.pick(names).clone();
    let y = c.pick(names).clone();
    let bad_literal = *c.pick(BAD_LITERALS);
    template
        .replace("{x}", &x)
        .replace("{y}", &y)
        .replace("{{", "{")
        .replace("}}", "}")
        .replace("LIT", bad_literal)
}

/// A method or function of the table called with a wrong number of
/// arguments.
fn wrong_argument_count(c: &mut impl Choices, names: &[String]) -> String {
    let op = c.pick(OPERATIONS);
    let x = c.pick(names).clone();
    let arguments = |count: usize, c: &mut _| -> String {
        (0..count)
            .map(|_| c_pick_name(c, names))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match op.syntax {
        Syntax::Method(method) => {
            let right = op.shape.written_operands() - 1;
            // One of 0..4 but `right`.
            let wrong = (right + 1 + c.below(3)) % 4;
            format!("{x}.{method}({})", arguments(wrong, c))
        }
        Syntax::Function(function) => {
            // No argument at all would read no input: a constant.
            format!("{function}({x}, {})", arguments(1 + c.below(2), c))
        }
        Syntax::Infix(op) | Syntax::Prefix(op) => format!("{x} {op}"),
    }
}

fn c_pick_name(c: &mut impl Choices, names: &[String]) -> String {
    c.pick(names).clone()
}

/// Puts a mistake in place of a random node of `e`.
fn inject(c: &mut impl Choices, e: &mut Expr, mistake: &str) {
    let index = c.below(e.size());
    e.replace(index, Expr::Raw(format!("({mistake})")));
}

/// An inline formula with one mistake inside an expression.
pub fn inline_expression_mistake(c: &mut impl Choices) -> Case {
    let mut formula = inline_formula(c);
    let names = readable(&formula);
    let mistake = expression_mistake(c, &names);
    let target = c.below(formula.lets.len() + 1);
    match formula.lets.get_mut(target) {
        Some(binding) => inject(c, &mut binding.value, &mistake),
        None => inject(c, &mut formula.output, &mistake),
    }
    Case::text(
        "inline, mistake in an expression",
        Expect::Reject,
        &formula.inline_body(&formula.name),
    )
}

/// An inline formula with a mistake in its statements.
pub fn inline_statement_mistake(c: &mut impl Choices) -> Case {
    let formula = inline_formula(c);
    let names = readable(&formula);
    let x = c.pick(&names).clone();
    let out = &formula.name;
    let body = formula.expression(&formula.output);
    let lets = formula.lets_source("f64");
    let t = "t_new";
    let (text, expect) = match c.below(31) {
        0 => (format!("{lets}{body}"), Expect::Reject),
        1 => (lets.clone(), Expect::Reject),
        2 => (
            format!("{lets}{out} = {body}; let {t} = {x};"),
            Expect::Reject,
        ),
        3 => (format!("{lets}{out} = {body}; {x}"), Expect::Reject),
        4 => (
            format!("let {t} = {x}; let {t} = {x} * 2.0; {lets}{out} = {body} + {t}"),
            Expect::Reject,
        ),
        5 => (
            format!("let q = q * 2.0; {lets}{out} = {body} + q"),
            Expect::Reject,
        ),
        6 => (
            format!("let a = {t} * 2.0; let {t} = {x}; {out} = a"),
            Expect::Reject,
        ),
        7 => (format!("{lets}q = q * {body}"), Expect::Reject),
        8 => (format!("let {t} = {x}; {t} = {t} * 2.0"), Expect::Reject),
        9 => (format!("let mut {t} = {x}; {out} = {t}"), Expect::Reject),
        10 => (format!("let {t}: f64 = {x}; {out} = {t}"), Expect::Reject),
        11 => (format!("let {t}; {lets}{out} = {body}"), Expect::Reject),
        12 => (
            format!("let {t} = {x} else {{ return }}; {out} = {t}"),
            Expect::Reject,
        ),
        13 => (
            format!("let ({t}, s) = ({x}, {x}); {out} = {t}"),
            Expect::Reject,
        ),
        14 => (format!("{lets}{out} += {body}"), Expect::Reject),
        15 => (format!("{lets}return {body}"), Expect::Reject),
        16 => (format!("struct S; {lets}{out} = {body}"), Expect::Reject),
        17 => (format!("{lets}{out}.field = {body}"), Expect::Reject),
        18 => (format!("{lets}{out}[0] = {body}"), Expect::Reject),
        19 => (format!("{lets}({out}) = {body}"), Expect::Reject),
        20 => (String::new(), Expect::Reject),
        21 => (";".to_owned(), Expect::Reject),
        22 => (format!("{lets}{out} ="), Expect::Reject),
        23 => (format!("{lets}{out} = {body} {x}"), Expect::Reject),
        24 => (format!("{lets}{out} = {body},"), Expect::Reject),
        25 => (format!("{lets}{out} == {body}"), Expect::Reject),
        // The output may name a float scalar, not an integer, and not
        // nothing.
        26 => match c.below(3) {
            0 => (format!("{lets}{out}: f64 = {body}"), Expect::Accept),
            1 => (format!("{lets}{out}: i32 = {body}"), Expect::Reject),
            _ => (format!("{lets}{out}: = {body}"), Expect::Reject),
        },
        27 => (format!("{lets}type = {body}"), Expect::Reject),
        28 => (
            format!("println!(\"{{}}\", {x}); {lets}{out} = {body}"),
            Expect::Reject,
        ),
        29 => {
            let keyword = *c.pick(&["fn", "match", "let", "loop", "struct", "where", "mut", "in"]);
            (
                format!("let {keyword} = {x}; {lets}{out} = {body}"),
                Expect::Reject,
            )
        }
        _ => (format!("{lets}{out} = {body};;"), Expect::Any),
    };
    Case::text("inline, mistake in a statement", expect, &text)
}

/// A function form with a mistake in one of its functions.
pub fn function_mistake(c: &mut impl Choices) -> Case {
    let mut functions = functions(c);
    let index = c.below(functions.len());
    let Function { signature, formula } = &mut functions[index];
    let names = readable(formula);
    let x = c.pick(&names).clone();
    let p = formula.inputs[0].clone();
    let s = signature.scalar.ty().to_owned();
    let name = formula.name.clone();
    let lets = formula.lets_source(&s);
    let tail = formula.expression(&formula.output);
    let sig = formula.signature(signature);
    let head = format!(
        "{}{}fn {name}{}",
        signature.attributes,
        signature.visibility,
        signature.scalar.generics()
    );
    let text = match c.below(24) {
        0 => {
            let mistake = expression_mistake(c, &names);
            inject(c, &mut formula.output, &mistake);
            formula.function(signature)
        }
        1 => format!("{head}({p}: {s}) {{ {tail} }}"),
        // A float parameter of the other float type (an integer one is a
        // constant parameter, which is fine).
        2 => {
            let other = if s == "f32" { "f64" } else { "f32" };
            format!("{head}({p}: {s}, q_: {other}) -> {s} {{ {tail} }}")
        }
        3 => format!("{head}(&self, {p}: {s}) -> {s} {{ {tail} }}"),
        4 => format!("{head}((a_, b_): ({s}, {s}), {p}: {s}) -> {s} {{ {tail} }}"),
        5..=8 => {
            let qualifier = ["const", "async", "unsafe", "extern \"C\""][c.below(4)];
            let plain = formula.function(signature);
            let at = plain.find("fn ").unwrap_or(0);
            format!("{}{qualifier} {}", &plain[..at], &plain[at..])
        }
        9 => format!("{} {{}}", sig),
        10 => format!("{} {{ {lets} let last_ = {tail}; }}", sig),
        11 => format!("{} {{ {lets} {tail}; }}", sig),
        12 => format!("{} {{ {lets} return {tail}; }}", sig),
        13 => format!("{} {{ {lets} return {tail} }}", sig),
        14 => format!("{} {{ let {p} = {p} * 2.0; {tail} }}", sig),
        15 => format!("{} {{ let t_: i32 = {x}; {tail} }}", sig),
        // An accumulator changes with `+=` and the like, not `=`.
        16 => format!("{} {{ let mut t_ = {x}; t_ = {x}; {tail} }}", sig),
        17 => format!("{} struct S;", formula.function(signature)),
        18 => format!("{} {name} = {x}", formula.function(signature)),
        19 => format!("{} {{ {x}; {tail} }}", sig),
        // A loop whose bound reads a value of the formula.
        20 => format!(
            "{} {{ let mut t_ = {x}; for i_ in 0..{p} {{ t_ += {x}; }} t_ }}",
            sig
        ),
        21 => format!("{} {{ {lets} {tail} }}", sig.replace(" -> ", " -> &")),
        22 => format!("{} {{ let t_ = {x}; let t_ = {x}; {tail} }}", sig),
        _ => format!("{} {{ {lets} let {x} = 1.0; {tail} }}", sig),
    };
    let others: String = functions
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .map(|(_, f)| f.render())
        .collect();
    let (before, after) = others.split_at(if c.rare(2) { others.len() } else { 0 });
    // Cases 21 (`-> &f64`: a parameter of another type) and 23 (a `let`
    // named like a parameter, an error only when it is one) are rejected
    // for different reasons; all are rejections.
    Case::text(
        "function form with a mistake",
        Expect::Reject,
        &format!("{before}{text}{after}"),
    )
}

/// A valid function with loops given one of the mistakes loops allow
/// nowhere: each is a spanned error, reported with any others.
pub fn loop_mistake(c: &mut impl Choices) -> Case {
    let options = grad_generator::loops::Options {
        branches: true,
        scalar: "f64",
    };
    let function = grad_generator::loops::loop_function(c, "f", &options);
    let mistake = *c.pick(&[
        "while acc0 < 1.0 { acc0 += 1.0; }",
        "loop { acc0 += 1.0; }",
        "for i in 0..3 { break; }",
        "for i in 0..3 { continue; }",
        "for i in 0..3 { acc0 += x[2 * i]; }",
        "for i in 0..3 { acc0 += x[acc0]; }",
        "for i in 0..3 { acc0 += i; }",
        "for i in 0..3 { x[i] += 1.0; }",
        "for i in 0..3 { acc0 = acc0 + x[i]; }",
        "for i in 0..3 { acc0 += if x[i] > 0.0 { x[i] }; }",
        "for i in 0..3 { if x[i] > 0.0 { acc0 += 1.0; } }",
        "for i in 0..x[0] { acc0 += 1.0; }",
        "for i in (0..3).rev() { acc0 += x[i]; }",
        "for (i, v) in x.iter().enumerate() { acc0 += v; }",
        "let t_ = 1.0; t_ += 2.0;",
        "x += 1.0;",
        "for i in 0..3 { return acc0; }",
    ]);
    // After the accumulators' declarations, before the first loop.
    let source = function
        .source
        .replacen("for i in", &format!("{mistake} for i in"), 1);
    Case::text("loop mistake", Expect::Reject, &source)
}
