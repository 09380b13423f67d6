//! Deep and long inputs: nests up to thousands of levels, chains of tens of
//! thousands of operators, written as text.

use crate::case::{Case, Expect, lex};
use grad_generator::Choices;
use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use std::fmt::Write as _;

/// The deepest parenthesised nest and the longest operator chain the
/// fuzzer writes.
const MAX_PARENS: usize = 2_000;
const MAX_CHAIN: usize = 20_000;

/// The shapes of deep and long input, each a function of its size.
pub struct Deep {
    pub name: &'static str,
    /// What a formula of size `n` looks like.
    pub example: &'static str,
    pub expect: Expect,
    pub make: fn(usize) -> TokenStream,
}

pub const SHAPES: &[Deep] = &[
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

/// The size of a shape in the regression test `generated_seeds`. A
/// formula of 20,000 operations expands to about 9 MB of tokens, which
/// takes seconds to expand and parse back: the long shapes are tested at
/// 500 in debug builds, at 2,000 in release builds, where the operator
/// chain has the full 20,000. Nests are cheap, and tested at 2,000.
pub fn seed_size(shape: &Deep) -> usize {
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

pub fn deep(c: &mut impl Choices) -> Case {
    let shape = c.pick(SHAPES);
    let size = 1 + c.below(max_size(shape));
    Case::new("deep or long", shape.expect, (shape.make)(size))
}
