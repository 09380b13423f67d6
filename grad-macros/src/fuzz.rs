//! Fuzzing the expansion outside the compiler.
//!
//! [`expand`] is a plain function on token streams, so it runs without rustc
//! on generated input. A grammar writes valid formulas of both forms, the
//! same formulas with one mistake put in, token-level mutations of them,
//! random token soup, and very deep or very long formulas. Every input is
//! checked for three properties:
//!
//! 1. `expand` never panics (a panic is caught and reported with its input);
//! 2. its output always parses: as an expression for the inline form, as
//!    items for the function form, whether or not it holds `compile_error!`s;
//! 3. where the grammar knows the answer, the input is accepted (valid
//!    formulas) or rejected (formulas with a mistake put in).
//!
//! Entry points (see `docs/fuzzing.md`):
//!
//! - [`random_inputs`]: 1,000 proptest cases, part of `cargo test`;
//! - [`seeds`]: every file of `fuzz-seeds/`, and [`generated_seeds`], the
//!   huge inputs that are generated rather than stored;
//! - [`long_run`] (ignored): as many inputs as `GRAD_FUZZ_SECONDS` or
//!   `GRAD_FUZZ_CASES` allow, with a hand-rolled generator;
//! - [`depth_limits`] (ignored): the nesting depth and chain length at which
//!   the expansion overflows a stack of `GRAD_FUZZ_STACK` bytes;
//! - [`scaling`] (ignored): expansion time against the size of a formula.
//!
//! A stack overflow aborts the process, which no `catch_unwind` survives, so
//! every input runs on a thread with a known stack size: by default the
//! 1 GiB that `grad!` grows for its expansion. [`depth_limits`] measures
//! what each level of nesting costs, and so where a given stack ends.

use crate::expand::expand;
use grad_core::ops::{OPERATIONS, Shape, Syntax};
use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The stack of rustc's compiler thread, on which proc macros run (8 MiB
/// unless `RUST_MIN_STACK` says otherwise).
const RUSTC_STACK: usize = 8 * 1024 * 1024;

/// The stack `grad!` runs the expansion on: a segment it grows for itself
/// (see `lib.rs`), since syn parses expressions recursively. The fuzzer
/// gives its threads the same.
const MACRO_STACK: usize = crate::expand::EXPANSION_STACK;

/// The deepest parenthesised nest and the longest operator chain the
/// generator writes.
const MAX_PARENS: usize = 2_000;
const MAX_CHAIN: usize = 20_000;

// ---------------------------------------------------------------------------
// Where the generator's decisions come from
// ---------------------------------------------------------------------------

/// A source of decisions. 0 is always the simplest choice, so that proptest,
/// which shrinks numbers towards 0, shrinks inputs towards simple ones.
trait Choices {
    /// A number in `0..n`, for `n > 0`.
    fn below(&mut self, n: usize) -> usize;

    /// True once in `one_in` (never when the choices run out).
    fn rare(&mut self, one_in: usize) -> bool {
        self.below(one_in) == one_in - 1
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn word(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
}

/// SplitMix64: a fast seeded generator for the long run.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Choices for Rng {
    fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
}

/// Decisions read from a list that proptest generates and shrinks; once the
/// list runs out every decision is 0.
struct Tape<'a> {
    data: &'a [u32],
    at: usize,
}

impl Choices for Tape<'_> {
    fn below(&mut self, n: usize) -> usize {
        let value = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        value as usize % n
    }
}

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------

/// What the grammar knows about an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// A valid formula: the expansion must hold no `compile_error!`.
    Accept,
    /// A formula with a mistake: the expansion must hold a `compile_error!`.
    Reject,
    /// No opinion; only the first two properties are checked.
    Any,
}

struct Case {
    /// Which generator made it, for the statistics.
    kind: &'static str,
    tokens: TokenStream,
    expect: Expect,
}

impl Case {
    fn new(kind: &'static str, expect: Expect, tokens: TokenStream) -> Self {
        Self {
            kind,
            tokens,
            expect,
        }
    }

    fn text(kind: &'static str, expect: Expect, source: &str) -> Self {
        Self::new(kind, expect, lex(source))
    }
}

/// Source text to tokens. `__none_group(..)` becomes a group with no
/// delimiters, as a `macro_rules!` fragment such as `$e:expr` arrives.
fn lex(source: &str) -> TokenStream {
    let tokens = TokenStream::from_str(source).unwrap_or_else(|error| {
        panic!("the fuzzer wrote tokens that do not lex: {error}\n{source}")
    });
    if source.contains(NONE_GROUP) {
        none_groups(tokens)
    } else {
        tokens
    }
}

const NONE_GROUP: &str = "__none_group";

fn none_groups(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match tree {
            TokenTree::Ident(ident) if ident == NONE_GROUP => {
                if let Some(TokenTree::Group(group)) = trees.next() {
                    let inner = none_groups(group.stream());
                    out.push(TokenTree::Group(Group::new(Delimiter::None, inner)));
                }
            }
            TokenTree::Group(group) => {
                let mut new = Group::new(group.delimiter(), none_groups(group.stream()));
                new.set_span(group.span());
                out.push(TokenTree::Group(new));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

// ---------------------------------------------------------------------------
// The grammar of formulas
// ---------------------------------------------------------------------------

/// Names read as inputs by the inline form. Disjoint from the other pools,
/// so a valid formula never binds a name twice or shadows an input.
const INPUT_NAMES: &[&str] = &[
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
const LET_NAMES: &[&str] = &[
    "t", "u", "v", "hidden", "fruits", "r#loop", "t_2", "ü", "__t", "Tmp", "r#struct",
];
/// Names of the output (or, in the function form, of functions).
const OUTPUT_NAMES: &[&str] = &[
    "out", "price", "loss", "result", "r#ref", "ŷ", "f_xy", "__", "__layers", "value", "layers",
    "dout", "Out", "a1", "r#fn",
];
/// Names that are valid identifiers but need care: Rust keywords usable as
/// a path (`self`), names whose upper camel case is not an identifier
/// (`_1`), and raw or non-ASCII identifiers.
const EDGE_NAMES: &[&str] = &[
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
const PARAM_NAMES: &[&str] = &["x", "y", "z", "a", "b", "r#in", "θ", "p_0", "_w"];
/// Function names of the function form, distinct in upper camel case too.
const FUNCTION_NAMES: &[&str] = &["f", "price", "loss_fn", "r#type", "h2", "ƒ", "norm", "g"];

/// Literals that are numbers in the range of f64.
const GOOD_LITERALS: &[&str] = &[
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
/// Constants of the inline form: paths and calls that read no input.
const INLINE_CONSTANTS: &[&str] = &[
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
const FUNCTION_CONSTANTS: &[&str] = &["SCALE", "std::f64::consts::PI", "T::one()", "K"];
/// Exponents of `powi`, evaluated in the caller's scope as `i32`.
const POWI_EXPONENTS: &[&str] = &[
    "2", "-3", "0", "(1 + 2)", "n", "N", "i32::MAX", "2 * k", "-(4)", "2i32", "n as i32",
];
/// Custom operations `f(..)`, differentiated by `f_grad(..)`.
const CUSTOM_FUNCTIONS: &[&str] = &[
    "f",
    "my_op",
    "helpers::f",
    "crate::util::g",
    "r#loop",
    "f::<f64>",
    "Self::h",
    "super::k",
];
const BUILTIN_FUNCTIONS: &[&str] = &["sigmoid", "relu", "grad::sigmoid", "::grad::relu"];

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
    "&{x}",
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
    "if {x} > 0.0 {{ {x} }} else {{ {y} }}",
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

/// A formula expression, rendered to text.
enum E {
    Name(String),
    Lit(&'static str),
    Const(&'static str),
    Neg(Box<E>),
    Bin(&'static str, Box<E>, Box<E>),
    Paren(Box<E>),
    /// A group with no delimiters, as from `$e:expr` in `macro_rules!`.
    NoneGroup(Box<E>),
    Method(Box<E>, &'static str, Vec<E>),
    Powi(Box<E>, &'static str),
    Call(&'static str, Vec<E>),
    /// Text put in as it is: a mistake.
    Raw(String),
}

impl E {
    fn render(&self, out: &mut String) {
        match self {
            E::Name(name) | E::Raw(name) => out.push_str(name),
            E::Lit(text) | E::Const(text) => out.push_str(text),
            E::Neg(e) => {
                out.push_str("- ");
                e.render(out);
            }
            E::Bin(op, a, b) => {
                a.render(out);
                let _ = write!(out, " {op} ");
                b.render(out);
            }
            E::Paren(e) => {
                out.push('(');
                e.render(out);
                out.push(')');
            }
            E::NoneGroup(e) => {
                out.push_str(NONE_GROUP);
                out.push('(');
                e.render(out);
                out.push(')');
            }
            E::Method(receiver, method, args) => {
                receiver.render_receiver(out);
                let _ = write!(out, ".{method}(");
                render_list(args, out);
                out.push(')');
            }
            E::Powi(receiver, exponent) => {
                receiver.render_receiver(out);
                let _ = write!(out, ".powi({exponent})");
            }
            E::Call(function, args) => {
                out.push_str(function);
                out.push('(');
                render_list(args, out);
                out.push(')');
            }
        }
    }

    /// A method's receiver, in parentheses unless it binds tighter than `.`.
    fn render_receiver(&self, out: &mut String) {
        match self {
            E::Name(_) | E::Const(_) | E::Paren(_) | E::Method(..) | E::Powi(..) | E::Call(..) => {
                self.render(out);
            }
            _ => {
                out.push('(');
                self.render(out);
                out.push(')');
            }
        }
    }

    fn children_mut(&mut self) -> Vec<&mut E> {
        match self {
            E::Name(_) | E::Lit(_) | E::Const(_) | E::Raw(_) => Vec::new(),
            E::Neg(e) | E::Paren(e) | E::NoneGroup(e) | E::Powi(e, _) => vec![&mut **e],
            E::Bin(_, a, b) => vec![&mut **a, &mut **b],
            E::Method(receiver, _, args) => {
                let mut children = vec![&mut **receiver];
                children.extend(args.iter_mut());
                children
            }
            E::Call(_, args) => args.iter_mut().collect(),
        }
    }

    fn count(&mut self) -> usize {
        1 + self.children_mut().into_iter().map(E::count).sum::<usize>()
    }

    /// Replaces the `n`-th node in pre-order.
    fn replace_nth(&mut self, n: &mut usize, with: &mut Option<E>) {
        if *n == 0 {
            if let Some(with) = with.take() {
                *self = with;
            }
            return;
        }
        *n -= 1;
        for child in self.children_mut() {
            if with.is_none() {
                return;
            }
            child.replace_nth(n, with);
        }
    }
}

fn render_list(items: &[E], out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item.render(out);
    }
}

fn rendered(e: &E) -> String {
    let mut out = String::new();
    e.render(&mut out);
    out
}

/// What an expression may read.
struct Scope<'a> {
    /// Inputs and earlier intermediates.
    names: &'a [String],
    constants: &'a [&'static str],
}

/// A valid expression of at most `depth` levels.
fn expression(c: &mut impl Choices, scope: &Scope, depth: usize) -> E {
    if depth == 0 || c.below(3) == 0 {
        return leaf(c, scope);
    }
    let sub = |c: &mut _| Box::new(expression(c, scope, depth - 1));
    match c.below(12) {
        0 | 1 => {
            let op = *c.pick(&["+", "-", "*", "/"]);
            E::Bin(op, sub(c), sub(c))
        }
        2 => E::Paren(sub(c)),
        3 => E::Neg(sub(c)),
        4 | 5 => {
            let methods: Vec<_> = OPERATIONS
                .iter()
                .filter(|op| matches!(op.syntax, Syntax::Method(_)))
                .collect();
            let op = *c.pick(&methods);
            match op.shape {
                Shape::UnaryInt => E::Powi(sub(c), c.word(POWI_EXPONENTS)),
                Shape::Unary => E::Method(sub(c), op.syntax.spelling(), Vec::new()),
                Shape::Binary => {
                    let arg = expression(c, scope, depth - 1);
                    E::Method(sub(c), op.syntax.spelling(), vec![arg])
                }
            }
        }
        6 => E::Powi(sub(c), c.word(POWI_EXPONENTS)),
        7 => E::Call(
            c.word(BUILTIN_FUNCTIONS),
            vec![expression(c, scope, depth - 1)],
        ),
        8 => {
            let count = c.below(4);
            let args = (0..count)
                .map(|_| expression(c, scope, depth - 1))
                .collect();
            E::Call(c.word(CUSTOM_FUNCTIONS), args)
        }
        9 => E::NoneGroup(sub(c)),
        10 => {
            // Fan-out: one value read twice.
            let shared = rendered(&expression(c, scope, depth - 1));
            let op = *c.pick(&["+", "*"]);
            E::Bin(
                op,
                Box::new(E::Paren(Box::new(E::Raw(shared.clone())))),
                Box::new(E::Paren(Box::new(E::Raw(shared)))),
            )
        }
        _ => {
            let op = *c.pick(&["+", "-", "*", "/"]);
            E::Paren(Box::new(E::Bin(op, sub(c), sub(c))))
        }
    }
}

fn leaf(c: &mut impl Choices, scope: &Scope) -> E {
    match c.below(6) {
        0..=2 if !scope.names.is_empty() => E::Name(c.pick(scope.names).clone()),
        3 | 4 => E::Lit(c.word(GOOD_LITERALS)),
        _ => E::Const(c.word(scope.constants)),
    }
}

/// An expression mistake with `{x}` and `{y}` filled in.
fn expression_mistake(c: &mut impl Choices, names: &[String]) -> String {
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
fn inject(c: &mut impl Choices, e: &mut E, mistake: String) {
    let count = e.count();
    let mut n = c.below(count);
    let wrapped = format!("({mistake})");
    e.replace_nth(&mut n, &mut Some(E::Raw(wrapped)));
}

/// Picks `count` distinct names from `pool`.
fn distinct(c: &mut impl Choices, pool: &[&str], count: usize) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for _ in 0..count.min(pool.len()) {
        let mut name = c.pick(pool).to_string();
        // Walk to the next unused name: always terminates.
        let mut i = pool.iter().position(|p| *p == name).unwrap_or(0);
        while names.contains(&name) {
            i = (i + 1) % pool.len();
            name = pool[i].to_string();
        }
        names.push(name);
    }
    names
}

/// A valid inline formula: lets, then the output.
struct Inline {
    lets: Vec<(String, E)>,
    output: String,
    expr: E,
    /// Inputs the body may read.
    inputs: Vec<String>,
}

fn inline_formula(c: &mut impl Choices, depth: usize) -> Inline {
    let input_count = c.below(5);
    let inputs = distinct(c, INPUT_NAMES, input_count);
    let let_count = c.below(5);
    let let_names = distinct(c, LET_NAMES, let_count);
    let output = if c.rare(40) {
        c.pick(EDGE_NAMES).to_string()
    } else {
        c.pick(OUTPUT_NAMES).to_string()
    };
    let mut names = inputs.clone();
    let mut lets = Vec::new();
    for name in let_names {
        let scope = Scope {
            names: &names,
            constants: INLINE_CONSTANTS,
        };
        lets.push((name.clone(), expression(c, &scope, depth)));
        names.push(name);
    }
    let scope = Scope {
        names: &names,
        constants: INLINE_CONSTANTS,
    };
    let expr = expression(c, &scope, depth);
    Inline {
        lets,
        output,
        expr,
        inputs,
    }
}

impl Inline {
    fn render_lets(&self, out: &mut String) {
        for (name, e) in &self.lets {
            let _ = write!(out, "let {name} = ");
            e.render(out);
            out.push_str(";\n");
        }
    }

    fn render(&self) -> String {
        let mut out = String::new();
        self.render_lets(&mut out);
        let _ = write!(out, "{} = ", self.output);
        self.expr.render(&mut out);
        out
    }

    /// Every name the body reads or binds, for mistakes that need one.
    fn readable(&self) -> Vec<String> {
        let mut names = self.inputs.clone();
        names.extend(self.lets.iter().map(|(name, _)| name.clone()));
        if names.is_empty() {
            names.push("x".to_owned());
        }
        names
    }
}

fn valid_inline(c: &mut impl Choices) -> Case {
    let depth = 1 + c.below(5);
    let formula = inline_formula(c, depth);
    let mut text = formula.render();
    if c.rare(4) {
        text.push(';');
    }
    let expect = if EDGE_NAMES.contains(&formula.output.as_str()) {
        Expect::Any
    } else {
        Expect::Accept
    };
    Case::text("valid inline", expect, &text)
}

/// An inline formula with one mistake inside an expression.
fn inline_expression_mistake(c: &mut impl Choices) -> Case {
    let depth = 1 + c.below(4);
    let mut formula = inline_formula(c, depth);
    let names = formula.readable();
    let mistake = expression_mistake(c, &names);
    let target = c.below(formula.lets.len() + 1);
    match formula.lets.get_mut(target) {
        Some((_, e)) => inject(c, e, mistake),
        None => inject(c, &mut formula.expr, mistake),
    }
    Case::text(
        "inline, mistake in an expression",
        Expect::Reject,
        &formula.render(),
    )
}

/// An inline formula with a mistake in its statements.
fn inline_statement_mistake(c: &mut impl Choices) -> Case {
    let depth = 1 + c.below(3);
    let formula = inline_formula(c, depth);
    let names = formula.readable();
    let x = c.pick(&names).clone();
    let out = formula.output.clone();
    let body = rendered(&formula.expr);
    let mut lets = String::new();
    formula.render_lets(&mut lets);
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
        26 => (format!("{lets}{out}: f64 = {body}"), Expect::Reject),
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

/// One function of the function form.
struct Function {
    attrs: String,
    vis: &'static str,
    name: String,
    generics: &'static str,
    params: Vec<String>,
    scalar: &'static str,
    lets: Vec<(String, Option<&'static str>, E)>,
    tail: E,
}

fn function(c: &mut impl Choices, name: String, depth: usize) -> Function {
    let attrs = match c.below(7) {
        0 => "",
        1 => "#[inline] ",
        2 => "/// Documented.\n",
        3 => "#[cfg(all())] ",
        4 => "#[allow(unused)] #[must_use] ",
        5 => "/** Block doc. */ #[inline(always)] ",
        _ => "#[doc = \"doc\"] ",
    }
    .to_owned();
    let vis = *c.pick(&["", "pub ", "pub(crate) ", "pub(super) ", "pub(in crate) "]);
    let (generics, scalar) = *c.pick(&[
        ("", "f64"),
        ("", "f32"),
        ("<T: Float>", "T"),
        ("<T: num_traits::Float + Copy>", "T"),
        ("<T>", "T"),
    ]);
    let param_count = 1 + c.below(4);
    let params = distinct(c, PARAM_NAMES, param_count);
    let let_count = c.below(4);
    let mut let_names = distinct(c, LET_NAMES, let_count);
    if c.rare(5) && !let_names.is_empty() {
        // A function may name a `let` after itself.
        let_names[0] = name.clone();
    }
    let mut names = params.clone();
    let mut lets = Vec::new();
    for let_name in let_names {
        if names.contains(&let_name) {
            continue;
        }
        let scope = Scope {
            names: &names,
            constants: FUNCTION_CONSTANTS,
        };
        let annotation = c.rare(3).then_some(scalar);
        lets.push((let_name.clone(), annotation, expression(c, &scope, depth)));
        names.push(let_name);
    }
    let scope = Scope {
        names: &names,
        constants: FUNCTION_CONSTANTS,
    };
    let tail = expression(c, &scope, depth);
    Function {
        attrs,
        vis,
        name,
        generics,
        params,
        scalar,
        lets,
        tail,
    }
}

impl Function {
    fn signature(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| format!("{p}: {}", self.scalar))
            .collect();
        format!(
            "{}{}fn {}{}({}) -> {}",
            self.attrs,
            self.vis,
            self.name,
            self.generics,
            params.join(", "),
            self.scalar
        )
    }

    fn render_lets(&self) -> String {
        let mut out = String::new();
        for (name, annotation, e) in &self.lets {
            match annotation {
                Some(ty) => {
                    let _ = write!(out, "let {name}: {ty} = ");
                }
                None => {
                    let _ = write!(out, "let {name} = ");
                }
            }
            e.render(&mut out);
            out.push_str(";\n");
        }
        out
    }

    fn render(&self) -> String {
        format!(
            "{} {{\n{}{}\n}}\n",
            self.signature(),
            self.render_lets(),
            rendered(&self.tail)
        )
    }

    fn readable(&self) -> Vec<String> {
        let mut names = self.params.clone();
        names.extend(self.lets.iter().map(|(name, ..)| name.clone()));
        names
    }
}

fn functions(c: &mut impl Choices) -> Vec<Function> {
    let count = 1 + usize::from(c.rare(4)) + usize::from(c.rare(8));
    let depth = 1 + c.below(4);
    let mut names = distinct(c, FUNCTION_NAMES, count);
    if c.rare(40) {
        names[0] = c.pick(EDGE_NAMES).to_string();
    }
    names
        .into_iter()
        .map(|name| function(c, name, depth))
        .collect()
}

fn valid_functions(c: &mut impl Choices) -> Case {
    let functions = functions(c);
    let text: String = functions.iter().map(Function::render).collect();
    let edge = functions
        .iter()
        .any(|f| EDGE_NAMES.contains(&f.name.as_str()));
    let expect = if edge { Expect::Any } else { Expect::Accept };
    Case::text("valid function form", expect, &text)
}

/// A function form with a mistake in one of its functions.
fn function_mistake(c: &mut impl Choices) -> Case {
    let mut functions = functions(c);
    let index = c.below(functions.len());
    let f = &mut functions[index];
    let names = f.readable();
    let x = c.pick(&names).clone();
    let p = f.params[0].clone();
    let s = f.scalar;
    let name = f.name.clone();
    let lets = f.render_lets();
    let tail = rendered(&f.tail);
    let head = format!("{}{}fn {}{}", f.attrs, f.vis, f.name, f.generics);
    let text = match c.below(24) {
        0 => {
            let mistake = expression_mistake(c, &names);
            inject(c, &mut f.tail, mistake);
            f.render()
        }
        1 => format!("{head}({p}: {s}) {{ {tail} }}"),
        2 => format!("{head}({p}: {s}, q_: i32) -> {s} {{ {tail} }}"),
        3 => format!("{head}(&self, {p}: {s}) -> {s} {{ {tail} }}"),
        4 => format!("{head}((a_, b_): ({s}, {s}), {p}: {s}) -> {s} {{ {tail} }}"),
        5..=8 => {
            let qualifier = ["const", "async", "unsafe", "extern \"C\""][c.below(4)];
            let plain = f.render();
            let at = plain.find("fn ").unwrap_or(0);
            format!("{}{qualifier} {}", &plain[..at], &plain[at..])
        }
        9 => format!("{} {{}}", f.signature()),
        10 => format!("{} {{ {lets} let last_ = {tail}; }}", f.signature()),
        11 => format!("{} {{ {lets} {tail}; }}", f.signature()),
        12 => format!("{} {{ {lets} return {tail}; }}", f.signature()),
        13 => format!("{} {{ {lets} return {tail} }}", f.signature()),
        14 => format!("{} {{ let {p} = {p} * 2.0; {tail} }}", f.signature()),
        15 => format!("{} {{ let t_: i32 = {x}; {tail} }}", f.signature()),
        16 => format!("{} {{ let mut t_ = {x}; {tail} }}", f.signature()),
        17 => format!("{} struct S;", f.render()),
        18 => format!("{} {name} = {x}", f.render()),
        19 => format!("{} {{ {x}; {tail} }}", f.signature()),
        20 => format!(
            "{} {{ if {x} > 0.0 {{ {x} }} else {{ -{x} }} }}",
            f.signature()
        ),
        21 => format!(
            "{} {{ {lets} {tail} }}",
            f.signature().replace(" -> ", " -> &")
        ),
        22 => format!("{} {{ let t_ = {x}; let t_ = {x}; {tail} }}", f.signature()),
        _ => format!("{} {{ {lets} let {x} = 1.0; {tail} }}", f.signature()),
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

// ---------------------------------------------------------------------------
// Token-level mutation and soup
// ---------------------------------------------------------------------------

/// A token tree that can be edited in place.
enum Tree {
    Leaf(TokenTree),
    Group(Delimiter, Vec<Tree>),
}

fn trees(tokens: TokenStream) -> Vec<Tree> {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => Tree::Group(group.delimiter(), trees(group.stream())),
            leaf => Tree::Leaf(leaf),
        })
        .collect()
}

fn tokens(trees: &[Tree]) -> TokenStream {
    trees
        .iter()
        .map(|tree| match tree {
            Tree::Leaf(leaf) => leaf.clone(),
            Tree::Group(delimiter, inner) => {
                TokenTree::Group(Group::new(*delimiter, tokens(inner)))
            }
        })
        .collect()
}

const SOUP_IDENTS: &[&str] = &[
    "x",
    "y",
    "out",
    "let",
    "fn",
    "pub",
    "mut",
    "self",
    "Self",
    "super",
    "crate",
    "_1",
    "_",
    "type",
    "match",
    "if",
    "else",
    "return",
    "loop",
    "as",
    "dyn",
    "impl",
    "where",
    "sin",
    "powi",
    "max",
    "sigmoid",
    "relu",
    "grad",
    "std",
    "T",
    "f64",
    "f32",
    "i32",
    "compile_error",
    "ñ",
    "_·",
    "async",
    "const",
    "unsafe",
    "extern",
    "struct",
    "r#type",
    "__none_group",
];
const PUNCT_CHARS: &[char] = &[
    '=', '<', '>', '!', '~', '+', '-', '*', '/', '%', '^', '&', '|', '@', '.', ',', ';', ':', '#',
    '$', '?', '\'',
];
const SOUP_LITERALS: &[&str] = &[
    "1",
    "2.0",
    "1e400",
    "-1",
    "0x1F",
    "1u8",
    "\"s\"",
    "'c'",
    "b'c'",
    "b\"s\"",
    "1e-400",
    "2.5f32",
    "1_000",
    "c\"s\"",
    "r#\"raw\"#",
    "1.0e10",
    "0b1",
];

fn random_tree(c: &mut impl Choices, depth: usize) -> Tree {
    match c.below(9) {
        0..=2 => {
            let name = *c.pick(SOUP_IDENTS);
            let ident = match name.strip_prefix("r#") {
                Some(raw) => Ident::new_raw(raw, Span::call_site()),
                None => Ident::new(name, Span::call_site()),
            };
            Tree::Leaf(TokenTree::Ident(ident))
        }
        3..=5 => {
            let spacing = if c.rare(3) {
                Spacing::Joint
            } else {
                Spacing::Alone
            };
            Tree::Leaf(TokenTree::Punct(Punct::new(*c.pick(PUNCT_CHARS), spacing)))
        }
        6 => {
            let literal = Literal::from_str(c.word(SOUP_LITERALS))
                .unwrap_or_else(|_| Literal::u8_unsuffixed(1));
            Tree::Leaf(TokenTree::Literal(literal))
        }
        _ if depth == 0 => Tree::Leaf(TokenTree::Ident(Ident::new("x", Span::call_site()))),
        _ => {
            let delimiter = *c.pick(&[
                Delimiter::Parenthesis,
                Delimiter::Brace,
                Delimiter::Bracket,
                Delimiter::None,
            ]);
            let len = c.below(6);
            Tree::Group(
                delimiter,
                (0..len).map(|_| random_tree(c, depth - 1)).collect(),
            )
        }
    }
}

fn soup(c: &mut impl Choices) -> Case {
    let len = c.below(24);
    let soup: Vec<Tree> = (0..len).map(|_| random_tree(c, 3)).collect();
    Case::new("token soup", Expect::Any, tokens(&soup))
}

/// One random edit of a token list, at any nesting level.
fn mutate(c: &mut impl Choices, list: &mut Vec<Tree>) {
    let groups: Vec<usize> = (0..list.len())
        .filter(|&i| matches!(list[i], Tree::Group(..)))
        .collect();
    if !groups.is_empty() && c.below(3) == 0 {
        let i = *c.pick(&groups);
        if let Tree::Group(_, inner) = &mut list[i] {
            mutate(c, inner);
            return;
        }
    }
    let len = list.len();
    match c.below(9) {
        0 if len > 0 => {
            list.remove(c.below(len));
        }
        1 if len > 0 => {
            let i = c.below(len);
            let copy = tokens(&list[i..=i]);
            list.splice(i..i, trees(copy));
        }
        2 if len > 1 => {
            let i = c.below(len - 1);
            list.swap(i, i + 1);
        }
        3 if len > 0 => {
            // Unwrap a group, or replace a token.
            let i = c.below(len);
            match list.remove(i) {
                Tree::Group(_, inner) => {
                    list.splice(i..i, inner);
                }
                Tree::Leaf(_) => list.insert(i, random_tree(c, 1)),
            }
        }
        4 if len > 0 => {
            // Wrap a range in a group.
            let start = c.below(len);
            let end = start + 1 + c.below(len - start);
            let delimiter = *c.pick(&[Delimiter::Parenthesis, Delimiter::None, Delimiter::Brace]);
            let inner: Vec<Tree> = list.drain(start..end).collect();
            list.insert(start, Tree::Group(delimiter, inner));
        }
        5 if len > 0 => {
            // Joint punctuation merges with what follows: `-` `=` is `-=`.
            let i = c.below(len);
            if let Tree::Leaf(TokenTree::Punct(punct)) = &list[i] {
                let spacing = match punct.spacing() {
                    Spacing::Alone => Spacing::Joint,
                    Spacing::Joint => Spacing::Alone,
                };
                let flipped = Tree::Leaf(TokenTree::Punct(Punct::new(punct.as_char(), spacing)));
                list[i] = flipped;
            } else if let Tree::Group(delimiter, _) = &mut list[i] {
                *delimiter = *c.pick(&[
                    Delimiter::Parenthesis,
                    Delimiter::Brace,
                    Delimiter::Bracket,
                    Delimiter::None,
                ]);
            }
        }
        _ => {
            let at = c.below(len + 1);
            let tree = random_tree(c, 2);
            list.insert(at, tree);
        }
    }
}

fn mutated(c: &mut impl Choices) -> Case {
    let base = match c.below(4) {
        0 | 1 => valid_inline(c),
        2 => valid_functions(c),
        _ => inline_statement_mistake(c),
    };
    let mut list = trees(base.tokens);
    for _ in 0..=c.below(4) {
        mutate(c, &mut list);
    }
    Case::new("mutation", Expect::Any, tokens(&list))
}

// ---------------------------------------------------------------------------
// Deep and long inputs
// ---------------------------------------------------------------------------

/// The shapes of deep and long input, each a function of its size.
struct Deep {
    name: &'static str,
    /// What a formula of size `n` looks like.
    example: &'static str,
    expect: Expect,
    make: fn(usize) -> TokenStream,
}

const SHAPES: &[Deep] = &[
    Deep {
        name: "parentheses",
        example: "y = ((..(x)..))",
        expect: Expect::Accept,
        make: |n| lex(&format!("y = {}x{}", "(".repeat(n), ")".repeat(n))),
    },
    Deep {
        name: "operator chain",
        example: "y = x + x + .. + x",
        expect: Expect::Accept,
        make: |n| lex(&format!("y = x{}", " + x".repeat(n))),
    },
    Deep {
        name: "mixed chain",
        example: "y = x + x * x - x / x ..",
        expect: Expect::Accept,
        make: |n| {
            let mut s = String::from("y = x");
            for i in 0..n {
                s.push_str([" + x", " * x", " - x", " / x"][i % 4]);
            }
            lex(&s)
        },
    },
    Deep {
        name: "unary minus",
        example: "y = - - .. - x",
        expect: Expect::Accept,
        make: |n| lex(&format!("y = {}x", "- ".repeat(n))),
    },
    Deep {
        name: "method chain",
        example: "y = x.sin().sin()..",
        expect: Expect::Accept,
        make: |n| lex(&format!("y = x{}", ".sin()".repeat(n))),
    },
    Deep {
        name: "nested calls",
        example: "y = f(f(..f(x)..))",
        expect: Expect::Accept,
        make: |n| lex(&format!("y = {}x{}", "f(".repeat(n), ")".repeat(n))),
    },
    Deep {
        name: "right-nested sums",
        example: "y = x + (x + (.. + x))",
        expect: Expect::Accept,
        make: |n| lex(&format!("y = {}x{}", "x + (".repeat(n), ")".repeat(n))),
    },
    Deep {
        name: "none-delimited groups",
        example: "y = «..«x»..» (macro_rules! fragments)",
        expect: Expect::Accept,
        make: |n| {
            let mut inner: TokenStream = lex("x");
            for _ in 0..n {
                inner = TokenTree::Group(Group::new(Delimiter::None, inner)).into();
            }
            let mut out = lex("y =");
            out.extend(inner);
            out
        },
    },
    Deep {
        name: "lets",
        example: "let t1 = t0 * x; .. y = tn",
        expect: Expect::Accept,
        make: |n| {
            let mut s = String::from("let t0 = x;\n");
            for i in 1..=n {
                let _ = writeln!(s, "let t{i} = t{} * x;", i - 1);
            }
            let _ = write!(s, "y = t{n}");
            lex(&s)
        },
    },
    Deep {
        name: "function, operator chain",
        example: "fn f(x: f64) -> f64 { x + .. + x }",
        expect: Expect::Accept,
        make: |n| lex(&format!("fn f(x: f64) -> f64 {{ x{} }}", " + x".repeat(n))),
    },
    Deep {
        name: "function, parentheses",
        example: "fn f(x: f64) -> f64 { ((..(x)..)) }",
        expect: Expect::Accept,
        make: |n| {
            lex(&format!(
                "fn f(x: f64) -> f64 {{ {}x{} }}",
                "(".repeat(n),
                ")".repeat(n)
            ))
        },
    },
    Deep {
        name: "parentheses, mistake inside",
        example: "y = ((..(x % x)..))",
        expect: Expect::Reject,
        make: |n| lex(&format!("y = {}x % x{}", "(".repeat(n), ")".repeat(n))),
    },
    Deep {
        name: "parentheses, no output",
        example: "((..(x)..))",
        expect: Expect::Reject,
        make: |n| lex(&format!("{}x{}", "(".repeat(n), ")".repeat(n))),
    },
    Deep {
        name: "chain, no output",
        example: "x + x + .. + x",
        expect: Expect::Reject,
        make: |n| lex(&format!("x{}", " + x".repeat(n))),
    },
    Deep {
        name: "parentheses around a constant",
        example: "y = x * ((..(PI)..))",
        expect: Expect::Accept,
        make: |n| {
            lex(&format!(
                "y = x * {}std::f64::consts::PI{}",
                "(".repeat(n),
                ")".repeat(n)
            ))
        },
    },
];

/// Shapes whose size is a nesting depth (the others are lengths).
fn is_nesting(shape: &Deep) -> bool {
    !matches!(
        shape.name,
        "operator chain"
            | "mixed chain"
            | "method chain"
            | "lets"
            | "function, operator chain"
            | "chain, no output"
    )
}

/// The largest size the generator writes for a shape.
fn max_size(shape: &Deep) -> usize {
    match shape.name {
        // Validation is quadratic in the number of `let`s (see
        // docs/fuzzing.md): 20,000 of them take seconds even in release.
        "lets" => MAX_CHAIN / 4,
        _ if is_nesting(shape) => MAX_PARENS,
        _ => MAX_CHAIN,
    }
}

/// The size of a shape in the regression test [`generated_seeds`]. A
/// formula of 20,000 operations expands to about 9 MB of tokens, which
/// takes seconds to expand and parse back: the long shapes are tested at
/// 500 in debug builds, at 2,000 in release builds, where the operator
/// chain has the full 20,000. Nests are cheap, and tested at 2,000.
fn seed_size(shape: &Deep) -> usize {
    let cheap = matches!(
        shape.name,
        "parentheses"
            | "none-delimited groups"
            | "function, parentheses"
            | "parentheses, mistake inside"
            | "parentheses, no output"
            | "parentheses around a constant"
            | "chain, no output"
    );
    if cheap {
        max_size(shape)
    } else if cfg!(debug_assertions) {
        500
    } else if shape.name == "operator chain" {
        MAX_CHAIN
    } else {
        2_000
    }
}

fn deep(c: &mut impl Choices) -> Case {
    let shape = c.pick(SHAPES);
    let size = 1 + c.below(max_size(shape));
    Case::new("deep or long", shape.expect, (shape.make)(size))
}

// ---------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------

/// One generated input. Deep and long inputs cost a thousand times more than
/// the others, so they come once in `deep_one_in`.
fn generate(c: &mut impl Choices, deep_one_in: usize) -> Case {
    if c.rare(deep_one_in) {
        return deep(c);
    }
    match c.below(16) {
        0..=2 => valid_inline(c),
        3 | 4 => valid_functions(c),
        5..=7 => inline_expression_mistake(c),
        8 | 9 => inline_statement_mistake(c),
        10 | 11 => function_mistake(c),
        12..=14 => mutated(c),
        _ => soup(c),
    }
}

// ---------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------

/// A panic caught in `expand`.
#[derive(Clone, Debug)]
struct PanicReport {
    message: String,
    location: String,
    /// The frames of this crate, innermost first.
    frames: Vec<String>,
}

thread_local! {
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    static CAUGHT: RefCell<Option<(String, String, Backtrace)>> = const { RefCell::new(None) };
}

/// A panic hook that records panics of the fuzzed code instead of printing
/// them, and leaves every other panic (other tests') to the previous hook.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) {
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "<non-string panic payload>".to_owned());
                let location = info.location().map(ToString::to_string).unwrap_or_default();
                let backtrace = Backtrace::force_capture();
                CAUGHT.with(|caught| *caught.borrow_mut() = Some((message, location, backtrace)));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into a report.
fn catch<R>(f: impl FnOnce() -> R) -> Result<R, PanicReport> {
    install_panic_hook();
    CATCHING.with(|catching| catching.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|catching| catching.set(false));
    result.map_err(|_| match CAUGHT.with(|caught| caught.borrow_mut().take()) {
        Some((message, location, backtrace)) => PanicReport {
            message,
            location,
            frames: our_frames(&backtrace),
        },
        None => PanicReport {
            message: "<panic not seen by the hook>".to_owned(),
            location: String::new(),
            frames: Vec::new(),
        },
    })
}

/// The backtrace frames inside this crate (and the lines under them).
fn our_frames(backtrace: &Backtrace) -> Vec<String> {
    let text = backtrace.to_string();
    let lines: Vec<&str> = text.lines().collect();
    let mut frames = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.contains("grad_macros::") && !line.contains("grad_macros::fuzz::") {
            let mut frame = line.trim().to_owned();
            if let Some(at) = lines
                .get(i + 1)
                .filter(|l| l.trim_start().starts_with("at "))
            {
                let _ = write!(frame, " ({})", at.trim().trim_start_matches("at "));
            }
            frames.push(frame);
        }
    }
    frames
}

/// A property that does not hold.
#[derive(Clone, Debug)]
enum Failure {
    Panic(PanicReport),
    /// The expansion does not parse as what its form expands to.
    Unparsable {
        function_form: bool,
        rejected: bool,
        error: String,
        output: String,
    },
    /// A valid formula was rejected.
    Rejected {
        messages: Vec<String>,
    },
    /// A formula with a mistake was accepted.
    Accepted,
}

impl Failure {
    /// What identifies one bug: the same signature is the same failure.
    fn signature(&self) -> String {
        match self {
            Failure::Panic(report) => {
                let message: String = report
                    .message
                    .chars()
                    .map(|ch| if ch.is_ascii_digit() { '0' } else { ch })
                    .collect();
                format!("panic at {}: {message}", report.location)
            }
            Failure::Unparsable {
                function_form,
                rejected,
                error,
                ..
            } => format!(
                "{} {} expansion does not parse: {error}",
                if *rejected { "rejected" } else { "accepted" },
                if *function_form {
                    "function-form"
                } else {
                    "inline"
                },
            ),
            Failure::Rejected { messages } => format!(
                "valid formula rejected: {}",
                messages.first().map_or("", String::as_str)
            ),
            Failure::Accepted => "formula with a mistake accepted".to_owned(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Panic(report) => {
                write!(f, "panic at {}: {}", report.location, report.message)?
            }
            other => write!(f, "{}", other.signature())?,
        }
        match self {
            Failure::Panic(report) => {
                for frame in &report.frames {
                    write!(f, "\n    in {frame}")?;
                }
            }
            Failure::Unparsable { output, .. } => {
                write!(f, "\n    expansion: {}", shorten(output, 600))?;
            }
            Failure::Rejected { messages } => {
                for message in messages {
                    write!(f, "\n    error: {message}")?;
                }
            }
            Failure::Accepted => {}
        }
        Ok(())
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

/// Whether `grad!` sees these tokens as the function form (and so expands
/// them to items): the macro's own rule.
fn is_function_form(tokens: &TokenStream) -> bool {
    crate::parse::form(tokens) == crate::parse::Form::Functions
}

/// The messages of the `compile_error!`s in an expansion (empty if none).
fn compile_errors(tokens: &TokenStream) -> Vec<String> {
    let mut messages = Vec::new();
    let mut stack = vec![tokens.clone()];
    while let Some(stream) = stack.pop() {
        let mut previous_was_compile_error = false;
        for tree in stream {
            match tree {
                TokenTree::Ident(ident) => {
                    previous_was_compile_error = ident == "compile_error";
                    continue;
                }
                TokenTree::Group(group) => {
                    stack.push(group.stream());
                }
                TokenTree::Punct(ref punct)
                    if previous_was_compile_error && punct.as_char() == '!' =>
                {
                    messages.push(String::new());
                }
                TokenTree::Literal(ref literal) => {
                    if let Some(last) = messages.last_mut().filter(|m| m.is_empty()) {
                        last.push_str(&literal.to_string());
                    }
                }
                TokenTree::Punct(_) => {}
            }
            previous_was_compile_error = false;
        }
    }
    messages
}

/// Where a thread's time went.
#[derive(Default)]
struct Times {
    generate: Cell<Duration>,
    expand: Cell<Duration>,
    check: Cell<Duration>,
}

thread_local! {
    static TIMES: Times = Times::default();
}

/// Whether the expansion was accepted or rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Rejected,
}

/// Expands the input and checks every property.
fn check(tokens: &TokenStream, expect: Expect) -> Result<Outcome, Failure> {
    let function_form = is_function_form(tokens);
    let input = tokens.clone();
    let started = Instant::now();
    let output = catch(move || expand(input));
    TIMES.with(|t| t.expand.set(t.expand.get() + started.elapsed()));
    let output = output.map_err(Failure::Panic)?;
    let started = Instant::now();
    let messages = compile_errors(&output);
    let rejected = !messages.is_empty();
    let parsed = if function_form {
        syn::parse2::<syn::File>(output.clone()).map(drop)
    } else {
        syn::parse2::<syn::Expr>(output.clone()).map(drop)
    };
    TIMES.with(|t| t.check.set(t.check.get() + started.elapsed()));
    if let Err(error) = parsed {
        return Err(Failure::Unparsable {
            function_form,
            rejected,
            error: error.to_string(),
            output: output.to_string(),
        });
    }
    match (expect, rejected) {
        (Expect::Accept, true) => Err(Failure::Rejected { messages }),
        (Expect::Reject, false) => Err(Failure::Accepted),
        (_, true) => Ok(Outcome::Rejected),
        (_, false) => Ok(Outcome::Accepted),
    }
}

/// Failures known and left unfixed for now, each with the name of the
/// `known-` seed file that reproduces it (and has its own `#[ignore]`d
/// test): such a failure is counted, not reported as new. None at present:
/// the two bugs the fuzzer found are fixed, and their seeds are ordinary
/// regression tests (see docs/fuzzing.md). To add one, match the failure
/// here, for example `Failure::Panic(r) if r.message.contains("..")`.
fn known_issue(input: &TokenStream, failure: &Failure) -> Option<&'static str> {
    let _ = (input, failure);
    None
}

// ---------------------------------------------------------------------------
// Running many cases
// ---------------------------------------------------------------------------

/// What a run saw.
#[derive(Default)]
struct Stats {
    cases: u64,
    accepted: u64,
    rejected: u64,
    by_kind: BTreeMap<&'static str, u64>,
    known: BTreeMap<&'static str, u64>,
    /// New failures by signature: the first input, its failure, and a count.
    failures: BTreeMap<String, (String, Failure, u64)>,
    input_bytes: u64,
    /// Thread time spent generating inputs, in `expand`, and parsing its output.
    times: [Duration; 3],
}

impl Stats {
    fn record(&mut self, case: &Case, result: Result<Outcome, Failure>) {
        self.cases += 1;
        self.input_bytes += case.tokens.to_string().len() as u64;
        *self.by_kind.entry(case.kind).or_default() += 1;
        match result {
            Ok(Outcome::Accepted) => self.accepted += 1,
            Ok(Outcome::Rejected) => self.rejected += 1,
            Err(failure) => match known_issue(&case.tokens, &failure) {
                Some(seed) => *self.known.entry(seed).or_default() += 1,
                None => {
                    let entry = self
                        .failures
                        .entry(failure.signature())
                        .or_insert_with(|| (case.tokens.to_string(), failure.clone(), 0));
                    entry.2 += 1;
                }
            },
        }
    }

    fn merge(&mut self, other: Stats) {
        self.cases += other.cases;
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.input_bytes += other.input_bytes;
        for (total, time) in self.times.iter_mut().zip(other.times) {
            *total += time;
        }
        for (kind, n) in other.by_kind {
            *self.by_kind.entry(kind).or_default() += n;
        }
        for (seed, n) in other.known {
            *self.known.entry(seed).or_default() += n;
        }
        for (signature, (input, failure, n)) in other.failures {
            self.failures
                .entry(signature)
                .or_insert((input, failure, 0))
                .2 += n;
        }
    }

    fn report(&self, elapsed: Duration) -> String {
        let mut out = String::new();
        let seconds = elapsed.as_secs_f64();
        let _ = writeln!(
            out,
            "{} inputs in {seconds:.1} s ({:.0} inputs/s, {:.1} MB of input): {} accepted, {} rejected",
            self.cases,
            self.cases as f64 / seconds.max(1e-9),
            self.input_bytes as f64 / 1e6,
            self.accepted,
            self.rejected,
        );
        let [generate, expand, check] = self.times.map(|t| t.as_secs_f64());
        if expand > 0.0 {
            let _ = writeln!(
                out,
                "thread time: {generate:.2} s generating inputs, {expand:.2} s in expand, {check:.2} s checking expansions",
            );
        }
        for (kind, n) in &self.by_kind {
            let _ = writeln!(out, "  {n:>10}  {kind}");
        }
        for (seed, n) in &self.known {
            let _ = writeln!(out, "  known issue ({seed}): {n} inputs");
        }
        let _ = writeln!(out, "new failures: {}", self.failures.len());
        for (input, failure, n) in self.failures.values() {
            let _ = writeln!(out, "- {n} inputs: {failure}");
            let _ = writeln!(out, "  first input: {}", shorten(input, 2_000));
        }
        out
    }
}

/// Runs `f` on a thread with a stack of `stack` bytes.
fn on_stack<R: Send>(stack: usize, f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("grad-fuzz".to_owned())
            .stack_size(stack)
            .spawn_scoped(scope, f)
            .expect("spawn a fuzz thread")
            .join()
            .unwrap_or_else(|panic| panic::resume_unwind(panic))
    })
}

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let value = value.trim().replace('_', "");
    Some(
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {value:?}")),
    )
}

/// A few thousand cases through proptest, which shrinks a failing input to
/// a small one. Decisions are a list of numbers, each shrunk towards 0.
#[test]
fn random_inputs() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestCaseError, TestRng, TestRunner};

    let cases = env_number("GRAD_FUZZ_PROPTEST_CASES").unwrap_or(1_000) as u32;
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    // One deep or long case in 400 keeps the test fast in debug.
    let deep_one_in = env_number("GRAD_FUZZ_DEEP_ONE_IN").unwrap_or(400) as usize;
    let started = Instant::now();
    let (stats, result) = on_stack(MACRO_STACK, move || {
        let stats = RefCell::new(Stats::default());
        let rng = TestRng::deterministic_rng(config.rng_algorithm);
        let mut runner = TestRunner::new_with_rng(config, rng);
        let strategy = proptest::collection::vec(any::<u32>(), 0..600);
        let result = runner.run(&strategy, |choices| {
            let mut tape = Tape {
                data: &choices,
                at: 0,
            };
            let generating = Instant::now();
            let case = generate(&mut tape, deep_one_in);
            TIMES.with(|t| t.generate.set(t.generate.get() + generating.elapsed()));
            let result = check(&case.tokens, case.expect);
            let failure = result.as_ref().err().cloned();
            stats.borrow_mut().record(&case, result);
            match failure {
                Some(failure) if known_issue(&case.tokens, &failure).is_none() => {
                    Err(TestCaseError::fail(format!(
                        "{failure}\ninput: {}",
                        shorten(&case.tokens.to_string(), 4_000)
                    )))
                }
                _ => Ok(()),
            }
        });
        let mut stats = stats.into_inner();
        stats.times = TIMES.with(|t| [t.generate.get(), t.expand.get(), t.check.get()]);
        (stats, result.map_err(|error| error.to_string()))
    });
    println!("{}", stats.report(started.elapsed()));
    if let Err(error) = result {
        panic!("{error}");
    }
    assert!(stats.accepted > 0 && stats.rejected > 0);
}

/// The long run: `GRAD_FUZZ_SECONDS` (default 60) or `GRAD_FUZZ_CASES`,
/// on `GRAD_FUZZ_THREADS` threads (default: every core), from
/// `GRAD_FUZZ_SEED` (default: the clock). Each thread has a stack of
/// `GRAD_FUZZ_STACK` bytes (default: the 1 GiB `grad!` gives itself). One
/// input in `GRAD_FUZZ_DEEP_ONE_IN` (default 10,000) is deep or long: such
/// an input takes seconds, so more of them would crowd out the others.
///
/// `cargo test -p grad-macros --release fuzz::long_run -- --ignored --nocapture`
#[test]
#[ignore = "long: run with --ignored, see docs/fuzzing.md"]
fn long_run() {
    let cases = env_number("GRAD_FUZZ_CASES");
    let seconds =
        env_number("GRAD_FUZZ_SECONDS").unwrap_or(if cases.is_some() { u64::MAX / 4 } else { 60 });
    let threads = env_number("GRAD_FUZZ_THREADS")
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get() as u64));
    let stack = env_number("GRAD_FUZZ_STACK").unwrap_or(MACRO_STACK as u64) as usize;
    let seed = env_number("GRAD_FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let deep_one_in = env_number("GRAD_FUZZ_DEEP_ONE_IN").unwrap_or(10_000) as usize;
    println!(
        "fuzzing: seed {seed}, {threads} threads, stack {stack} bytes, {} s{}",
        seconds,
        cases.map_or(String::new(), |n| format!(", {n} cases"))
    );
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let taken = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let stats = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|thread| {
                let (taken, stop) = (&taken, &stop);
                std::thread::Builder::new()
                    .name(format!("grad-fuzz-{thread}"))
                    .stack_size(stack)
                    .spawn_scoped(scope, move || {
                        let mut rng = Rng(seed ^ thread.wrapping_mul(0xA076_1D64_78BD_642F));
                        let mut stats = Stats::default();
                        let mut last_report = Instant::now();
                        while !stop.load(Ordering::Relaxed) {
                            let n = taken.fetch_add(1, Ordering::Relaxed);
                            if cases.is_some_and(|cases| n >= cases)
                                || (n % 64 == 0 && Instant::now() >= deadline)
                            {
                                stop.store(true, Ordering::Relaxed);
                                break;
                            }
                            let generating = Instant::now();
                            let case = generate(&mut rng, deep_one_in);
                            TIMES.with(|t| t.generate.set(t.generate.get() + generating.elapsed()));
                            let result = check(&case.tokens, case.expect);
                            if let Err(failure) = &result
                                && known_issue(&case.tokens, failure).is_none()
                                && !stats.failures.contains_key(&failure.signature())
                            {
                                println!(
                                    "NEW FAILURE (thread {thread}, case {n}): {failure}\n  input: {}",
                                    shorten(&case.tokens.to_string(), 2_000)
                                );
                            }
                            stats.record(&case, result);
                            if thread == 0 && last_report.elapsed() > Duration::from_secs(60) {
                                last_report = Instant::now();
                                println!(
                                    "... {} inputs after {:.0} s",
                                    taken.load(Ordering::Relaxed),
                                    started.elapsed().as_secs_f64()
                                );
                            }
                        }
                        stats.times = TIMES.with(|t| [t.generate.get(), t.expand.get(), t.check.get()]);
                        stats
                    })
                    .expect("spawn a fuzz thread")
            })
            .collect();
        let mut total = Stats::default();
        for worker in workers {
            total.merge(worker.join().unwrap_or_else(|p| panic::resume_unwind(p)));
        }
        total
    });
    let report = stats.report(started.elapsed());
    println!("{report}");
    assert!(stats.failures.is_empty(), "new failures found:\n{report}");
}

// ---------------------------------------------------------------------------
// Seeds
// ---------------------------------------------------------------------------

fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz-seeds")
}

/// What a seed file's name says about it: `accept-`, `reject-`, `any-`, or
/// `known-` (a known failure, run by its own ignored test).
fn seed_expectation(name: &str) -> Option<Expect> {
    let (prefix, _) = name.split_once('-')?;
    match prefix {
        "accept" => Some(Expect::Accept),
        "reject" => Some(Expect::Reject),
        "any" => Some(Expect::Any),
        _ => None,
    }
}

fn check_seed_file(name: &str, expect: Expect) -> Result<Outcome, String> {
    let path = seed_dir().join(name);
    let source = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    on_stack(MACRO_STACK, move || {
        let tokens =
            TokenStream::from_str(&source).map_err(|e| format!("{name} does not lex: {e}"))?;
        check(&tokens, expect).map_err(|failure| format!("{name}: {failure}"))
    })
}

/// Every seed file (but the known failures) holds its properties.
#[test]
fn seeds() {
    let mut names: Vec<String> = std::fs::read_dir(seed_dir())
        .expect("fuzz-seeds/ exists")
        .map(|entry| {
            entry
                .expect("a seed file")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    for name in &names {
        if name.starts_with("known-") || name.starts_with('.') {
            continue;
        }
        let expect = seed_expectation(name)
            .unwrap_or_else(|| panic!("seed {name}: name it accept-, reject-, any- or known-"));
        checked += 1;
        if let Err(failure) = check_seed_file(name, expect) {
            failures.push(failure);
        }
    }
    assert!(checked >= 20, "only {checked} seeds in fuzz-seeds/");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The deep and long inputs, generated rather than stored, each shape at
/// [`seed_size`], on the stack `grad!` gives the expansion.
#[test]
fn generated_seeds() {
    let mut failures = Vec::new();
    for shape in SHAPES {
        let size = seed_size(shape);
        let started = Instant::now();
        let result = on_stack(MACRO_STACK, || {
            check(&(shape.make)(size), shape.expect).map_err(|f| f.to_string())
        });
        println!(
            "{:>8.1} s  {} (n = {size})",
            started.elapsed().as_secs_f64(),
            shape.name
        );
        if let Err(failure) = result {
            failures.push(format!(
                "{} ({}, n = {size}): {failure}",
                shape.name, shape.example
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// Depth limits
// ---------------------------------------------------------------------------

/// The child of [`depth_limits`]: expands one deep input, given as
/// `GRAD_FUZZ_PROBE=shape-index:size:stack-bytes`, and prints its timings.
/// Without the variable it does nothing.
#[test]
#[ignore = "run by depth_limits in a child process"]
fn depth_probe() {
    let Ok(spec) = std::env::var("GRAD_FUZZ_PROBE") else {
        return;
    };
    let parts: Vec<usize> = spec.split(':').map(|p| p.parse().unwrap()).collect();
    let [shape, size, stack] = parts[..] else {
        panic!("GRAD_FUZZ_PROBE={spec}: expected shape:size:stack");
    };
    let shape = &SHAPES[shape];
    on_stack(stack, || {
        let tokens = (shape.make)(size);
        println!("generated");
        let started = Instant::now();
        let output = expand(tokens);
        let expand_time = started.elapsed();
        let rejected = !compile_errors(&output).is_empty();
        let started = Instant::now();
        drop(output);
        println!(
            "PROBE ok expand_ms={:.1} drop_ms={:.1} rejected={rejected}",
            expand_time.as_secs_f64() * 1e3,
            started.elapsed().as_secs_f64() * 1e3
        );
    });
}

enum Probe {
    Ok { expand_ms: f64 },
    Crashed(String),
    TimedOut,
}

fn probe(shape: usize, size: usize, stack: usize, timeout: Duration) -> Probe {
    use std::process::{Command, Stdio};
    let mut child = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "fuzz::depth_probe",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("GRAD_FUZZ_PROBE", format!("{shape}:{size}:{stack}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the test binary");
    let started = Instant::now();
    loop {
        match child.try_wait().expect("wait for the probe") {
            Some(_) => break,
            None if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Probe::TimedOut;
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let output = child.wait_with_output().expect("the probe's output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    match stdout
        .lines()
        .find_map(|l| l.strip_prefix("PROBE ok expand_ms="))
    {
        Some(rest) if output.status.success() => Probe::Ok {
            expand_ms: rest
                .split_whitespace()
                .next()
                .and_then(|ms| ms.parse().ok())
                .unwrap_or(f64::NAN),
        },
        _ => {
            let reason = stderr
                .lines()
                .find(|l| l.contains("overflowed") || l.contains("panicked"))
                .unwrap_or("")
                .to_owned();
            Probe::Crashed(format!("{} {reason}", output.status))
        }
    }
}

/// For every deep shape, the largest size that expands on a stack of
/// `GRAD_FUZZ_STACK` bytes (default 8 MiB), found by running each size in a
/// child process: a stack overflow aborts the process. Sizes grow from
/// `GRAD_FUZZ_PROBE_START` (default 250) by doubling up to
/// `GRAD_FUZZ_PROBE_MAX` (default 131,072), then bisect to 2%; a size that takes over
/// `GRAD_FUZZ_PROBE_TIMEOUT` seconds (default 60) counts as a failure.
///
/// `cargo test -p grad-macros --release fuzz::depth_limits -- --ignored --nocapture`
#[test]
#[ignore = "slow: run with --ignored, see docs/fuzzing.md"]
fn depth_limits() {
    let stack = env_number("GRAD_FUZZ_STACK").unwrap_or(RUSTC_STACK as u64) as usize;
    let start = env_number("GRAD_FUZZ_PROBE_START").unwrap_or(250) as usize;
    let max = env_number("GRAD_FUZZ_PROBE_MAX").unwrap_or(1 << 17) as usize;
    let timeout = Duration::from_secs(env_number("GRAD_FUZZ_PROBE_TIMEOUT").unwrap_or(60));
    let only = std::env::var("GRAD_FUZZ_PROBE_SHAPE").ok();
    println!(
        "stack {stack} bytes ({} build)",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    println!(
        "| shape | largest size that expands | expand time there | first failing size | failure |"
    );
    println!("|---|---:|---:|---:|---|");
    for (index, shape) in SHAPES.iter().enumerate() {
        if only
            .as_ref()
            .is_some_and(|only| !shape.name.contains(only.as_str()))
        {
            continue;
        }
        let mut good: Option<(usize, f64)> = None;
        let mut bad: Option<(usize, String)> = None;
        let mut size = start;
        // Grow.
        loop {
            match probe(index, size, stack, timeout) {
                Probe::Ok { expand_ms } => good = Some((size, expand_ms)),
                Probe::Crashed(reason) => {
                    bad = Some((size, reason));
                    break;
                }
                Probe::TimedOut => {
                    bad = Some((size, format!("timeout after {} s", timeout.as_secs())));
                    break;
                }
            }
            if size >= max {
                break;
            }
            size = (size * 2).min(max);
        }
        // Bisect.
        if let Some((mut high, _)) = bad.clone() {
            let mut low = good.map_or(0, |(size, _)| size);
            while high - low > (low / 50).max(1) {
                let mid = low + (high - low) / 2;
                match probe(index, mid, stack, timeout) {
                    Probe::Ok { expand_ms } => {
                        good = Some((mid, expand_ms));
                        low = mid;
                    }
                    Probe::Crashed(reason) => {
                        bad = Some((mid, reason));
                        high = mid;
                    }
                    Probe::TimedOut => {
                        bad = Some((mid, format!("timeout after {} s", timeout.as_secs())));
                        high = mid;
                    }
                }
            }
        }
        let (good_size, good_ms) = good.map_or(("none".to_owned(), String::new()), |(s, ms)| {
            (s.to_string(), format!("{ms:.0} ms"))
        });
        let (bad_size, reason) = bad.map_or((format!("> {max}"), String::new()), |(s, r)| {
            (s.to_string(), r)
        });
        println!(
            "| {} `{}` | {good_size} | {good_ms} | {bad_size} | {} |",
            shape.name,
            shape.example,
            reason.trim()
        );
    }
}

/// How expansion time grows with the size of each deep shape: `expand` on
/// sizes 1,000 to 8,000 (`GRAD_FUZZ_SCALING_MAX`), on the stack `grad!`
/// gives itself; `GRAD_FUZZ_PROBE_SHAPE` picks shapes by name. Linear
/// growth doubles the time with the size.
///
/// `cargo test -p grad-macros --release fuzz::scaling -- --ignored --nocapture`
#[test]
#[ignore = "slow: run with --ignored, see docs/fuzzing.md"]
fn scaling() {
    let max = env_number("GRAD_FUZZ_SCALING_MAX").unwrap_or(8_000) as usize;
    let mut sizes = vec![1_000];
    while sizes.last().is_some_and(|&n| n * 2 <= max) {
        sizes.push(sizes.last().copied().unwrap_or(1_000) * 2);
    }
    let header: Vec<String> = sizes.iter().map(|n| format!("n = {n}")).collect();
    println!("| shape | {} | last / first |", header.join(" | "));
    println!("|---|{}---:|", "---:|".repeat(sizes.len()));
    let only = std::env::var("GRAD_FUZZ_PROBE_SHAPE").ok();
    for shape in SHAPES {
        if only
            .as_ref()
            .is_some_and(|only| !shape.name.contains(only.as_str()))
        {
            continue;
        }
        let times: Vec<f64> = on_stack(MACRO_STACK, || {
            sizes
                .iter()
                .map(|&n| {
                    let tokens = (shape.make)(n);
                    let started = Instant::now();
                    let output = expand(tokens);
                    let time = started.elapsed().as_secs_f64();
                    drop(output);
                    time
                })
                .collect()
        });
        let cells: Vec<String> = times.iter().map(|t| format!("{:.0} ms", t * 1e3)).collect();
        println!(
            "| {} | {} | {:.1} |",
            shape.name,
            cells.join(" | "),
            times.last().unwrap_or(&0.0) / times.first().unwrap_or(&1.0).max(1e-9)
        );
    }
}
