//! The `grad!` macro. Use it through the `grad` crate, which documents it and
//! holds the runtime its expansion calls.
//!
//! The expansion is a pipeline, one module per stage:
//! [`parse`] (tokens to a formula) → [`graph`] (formula to a computational
//! graph) → [`validate`] (the rules about names) → [`generate`] (graph to
//! straight-line Rust). Every stage reports all the errors it finds, each at
//! its own span; nothing panics on user input.

#![forbid(unsafe_code)]

mod errors;
mod generate;
mod graph;
mod parse;
mod validate;

use errors::Errors;
use graph::Inputs;
use parse::GradInput;
use proc_macro2::TokenStream;
use syn::parse::Parser;

/// Differentiates a formula at compile time. See the `grad` crate for the
/// syntax and examples.
#[proc_macro]
pub fn grad(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    // syn parses expressions recursively: a formula nested a thousand
    // parentheses deep overflows the compiler thread's 8 MiB stack in a debug
    // build of this crate. The expansion runs on a fresh stack segment of the
    // same thread instead (as rustc does for deep code), so the compiler's
    // token handles stay valid; the memory is reserved, not touched.
    stacker::grow(EXPANSION_STACK, || expand(input.into()).into())
}

/// The stack the expansion runs on: enough for formulas tens of thousands of
/// parentheses deep in an unoptimised build of this crate.
const EXPANSION_STACK: usize = 1 << 30;

/// The whole expansion as a plain function on token streams, so it can be
/// tested (and fuzzed) outside the compiler. Errors become `compile_error!`s.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let function_form = (|input: syn::parse::ParseStream| {
        let function_form = parse::is_function_form(input);
        input.parse::<TokenStream>()?;
        Ok(function_form)
    })
    .parse2(input.clone())
    .unwrap_or(false);
    match pipeline(input) {
        Ok(expansion) => expansion,
        // Several `compile_error!`s in a row are items, not one expression:
        // in expression position they need a block around them.
        Err(error) if function_form => error.into_compile_error(),
        Err(error) => {
            let errors = error.into_compile_error();
            quote::quote!({ #errors })
        }
    }
}

/// parse → graph → validate → generate, collecting every error.
fn pipeline(input: TokenStream) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let parsed = (|input: syn::parse::ParseStream| parse::parse(input, &mut errors)).parse2(input);
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            errors.push(error);
            return errors.finish().map(|()| TokenStream::new());
        }
    };
    match parsed {
        GradInput::Inline(formula) => {
            let graph = graph::lower(&formula, &Inputs::Free, &mut errors);
            validate::validate(&formula, &graph, None, &mut errors);
            errors.finish()?;
            Ok(generate::inline(&graph))
        }
        GradInput::Functions(functions) => {
            let mut expansion = TokenStream::new();
            for function in &functions {
                let before = errors.len();
                let inputs = Inputs::Parameters(&function.params);
                let graph = graph::lower(&function.formula, &inputs, &mut errors);
                validate::validate(
                    &function.formula,
                    &graph,
                    Some(&function.params),
                    &mut errors,
                );
                // Code is generated from valid graphs only; the other
                // functions of the block are still generated, so that their
                // callers report nothing more than the real mistake.
                if !function.has_shape_errors && errors.len() == before {
                    expansion.extend(generate::function(function, &graph));
                }
            }
            if errors.is_empty() {
                Ok(expansion)
            } else {
                let mut output = errors
                    .finish()
                    .err()
                    .map(syn::Error::into_compile_error)
                    .unwrap_or_default();
                output.extend(expansion);
                Ok(output)
            }
        }
    }
}

#[cfg(test)]
mod fuzz;
