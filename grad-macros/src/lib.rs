//! The `grad!` macro. Use it through the `grad` crate, which documents it and
//! holds the runtime its expansion calls.
//!
//! The expansion is a pipeline, one module per stage: `parse` (tokens to a
//! formula) → `graph` (formula to a computational graph) → `validate` (the
//! rules about names) → `generate` (graph to straight-line Rust); `expand`
//! runs them. Every stage reports all the errors it finds, each at its own
//! span; nothing panics on user input.
//!
//! The stages are plain functions on `proc_macro2` tokens: the fuzzer in the
//! workspace's `fuzz/` crate compiles these same files as a library and runs
//! `expand` outside the compiler.

#![forbid(unsafe_code)]

mod errors;
mod expand;
mod generate;
mod generate_arrays;
mod generate_loops;
mod generate_text;
mod graph;
mod parse;
mod validate;

/// Differentiates a formula at compile time. See the `grad` crate for the
/// syntax and examples.
#[proc_macro]
pub fn grad(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    // syn parses expressions recursively: a formula nested a thousand
    // parentheses deep overflows the compiler thread's 8 MiB stack in a debug
    // build of this crate. The expansion runs on a fresh stack segment of the
    // same thread instead (as rustc does for deep code), so the compiler's
    // token handles stay valid; the memory is reserved, not touched.
    stacker::grow(expand::EXPANSION_STACK, || {
        expand::expand(input.into()).into()
    })
}
