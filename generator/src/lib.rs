//! Formulas for `grad!`'s fuzzer, benchmarks and large tests, from one
//! generator.
//!
//! - One model ([`Formula`]): inputs, `let` bindings in order and an output,
//!   with expressions as trees ([`Expr`]) over every operation of
//!   [`grad_core::ops::OPERATIONS`], literals, constants, custom calls,
//!   parentheses, groups without delimiters and raw text.
//! - One source of decisions ([`Choices`]): a seeded generator
//!   ([`SplitMix64`]) or a list of numbers that proptest draws and shrinks
//!   ([`Tape`]).
//! - Random formulas from a [`Grammar`] (which operations, literals,
//!   constants, calls, fan-out, bounded values) and a [`Layout`] (names and
//!   sizes); the fixed formulas of the benchmarks and the large tests in
//!   [`shapes`].
//! - Every way of writing a formula: `grad!`'s inline form
//!   ([`Formula::inline_source`]) and function form
//!   ([`Formula::grad_function`]), the plain function ([`Formula::function`]),
//!   the benchmarks' generic and symdiff forms, and a hand-written adjoint
//!   ([`Formula::hand_adjoint`]).
//! - The value as plain Rust computes it ([`Formula::evaluate`]), to compare
//!   with `grad!`'s bit for bit.
//!
//! ```
//! use grad_generator::{Grammar, Layout, SplitMix64, operations};
//!
//! let grammar = Grammar {
//!     operations: operations(&["add", "mul", "sin"]),
//!     literals: vec!["0.5".into()],
//!     ..Grammar::default()
//! };
//! let layout = Layout {
//!     name: "y".into(),
//!     inputs: vec!["a".into(), "b".into()],
//!     lets: vec!["t".into()],
//!     operations: (1, 4),
//! };
//! let formula = grammar.formula(&mut SplitMix64(7), &layout);
//! let source = formula.inline_source("y"); // grad::grad! { let t = ..; y = .. }
//! assert!(source.starts_with("grad::grad! {\n    let t = "));
//! let value: f64 = formula.evaluate(&[0.25, -1.5]);
//! assert!(value.is_finite());
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod adjoint;
mod choices;
mod evaluate;
mod formula;
pub mod loops;
mod random;
mod render;
pub mod shapes;
mod split;

pub use choices::{Choices, SplitMix64, Tape};
pub use formula::{Constant, Exponent, Expr, Formula, Let, NONE_GROUP, Range};
pub use random::{Custom, Grammar, Layout, operations};
pub use render::{LOCALS_PER_DECLARATION, Scalar, Signature};
