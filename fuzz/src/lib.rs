//! The `grad!` macro's expansion as a library, for the fuzzer.
//!
//! A proc-macro crate can export nothing but its macros, so this crate
//! compiles the macro's own pipeline files (the way serde shares
//! `serde_derive`'s internals), and [`expand`] is the very function the
//! macro runs, on `proc_macro2` tokens, outside the compiler. The files
//! refer to each other as `crate::parse` and so on, so they sit at this
//! crate's root too.
//!
//! The tests in `tests/` are the fuzzer (`expansion`, see
//! `docs/fuzzing.md`) and the tests of the real macro on generated formulas
//! (`large`, `engine`), which `build.rs` writes with `grad-generator`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The pipeline lexes the code it writes as text with the compiler's lexer
// where there is one (`proc_macro::is_available`); here there is none, and
// it falls back to `proc_macro2`'s.
extern crate proc_macro;

#[path = "../../grad-macros/src/errors.rs"]
mod errors;
#[path = "../../grad-macros/src/expand.rs"]
mod expand;
#[path = "../../grad-macros/src/generate.rs"]
mod generate;
#[path = "../../grad-macros/src/generate_arrays.rs"]
mod generate_arrays;
#[path = "../../grad-macros/src/generate_loops.rs"]
mod generate_loops;
#[path = "../../grad-macros/src/generate_text.rs"]
mod generate_text;
#[path = "../../grad-macros/src/graph.rs"]
mod graph;
#[path = "../../grad-macros/src/parse.rs"]
mod parse;
#[path = "../../grad-macros/src/validate.rs"]
mod validate;

pub use expand::{EXPANSION_STACK, expand};
pub use parse::{Form, form};
