//! The whole expansion: parse → graph → validate → generate, as a plain
//! function on token streams, so it can be tested and fuzzed outside the
//! compiler. Errors become `compile_error!`s.

use crate::errors::Errors;
use crate::graph::{Inputs, Values};
use crate::parse::{Form, GradInput};
use crate::{generate, graph, parse, validate};
use proc_macro2::TokenStream;
use syn::parse::Parser;

/// The stack the expansion runs on: enough for formulas tens of thousands of
/// parentheses deep in an unoptimised build of this crate.
pub const EXPANSION_STACK: usize = 1 << 30;

/// Expands one `grad!` invocation.
pub fn expand(input: TokenStream) -> TokenStream {
    crate::generate_text::namespace(&input.to_string());
    let form = parse::form(&input);
    match pipeline(input, form) {
        Ok(expansion) => expansion,
        Err(error) => match form {
            Form::Functions => compile_error_items(error),
            // Several `compile_error!`s in a row are not one expression:
            // in expression position they need a block around them.
            Form::Inline => {
                let errors = error.into_compile_error();
                quote::quote!({ #errors })
            }
        },
    }
}

/// parse → graph → validate → generate, collecting every error.
fn pipeline(input: TokenStream, form: Form) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let parsed =
        (|input: syn::parse::ParseStream| parse::parse(input, form, &mut errors)).parse2(input);
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            errors.push(error);
            return errors.finish().map(|()| TokenStream::new());
        }
    };
    match parsed {
        GradInput::Inline(formula) => {
            let graph = graph::lower(&formula, &Inputs::Free, &[], Values::Scalars, &mut errors);
            validate::validate(&formula, &graph, None, &mut errors);
            errors.finish()?;
            Ok(generate::inline(&graph, formula.scalar.as_ref()))
        }
        GradInput::Functions(functions) => {
            let mut expansion = TokenStream::new();
            for function in &functions {
                let before = errors.len();
                let names = function.inputs();
                let values = if function.arrays {
                    Values::Arrays
                } else {
                    Values::Scalars
                };
                let elements = function.elements();
                let graph = graph::lower(
                    &function.formula,
                    &Inputs::Parameters(&names),
                    &elements,
                    values,
                    &mut errors,
                );
                let params: Vec<syn::Ident> = function
                    .params
                    .iter()
                    .map(|param| param.name.clone())
                    .collect();
                validate::validate(&function.formula, &graph, Some(&params), &mut errors);
                // Code is generated from valid graphs only; the other
                // functions of the block are still generated, so that their
                // callers report nothing more than the real mistake.
                if !function.has_shape_errors && errors.len() == before {
                    expansion.extend(generate::function(function, &graph));
                }
            }
            match errors.finish() {
                Ok(()) => Ok(expansion),
                Err(error) => {
                    let mut output = compile_error_items(error);
                    output.extend(expansion);
                    Ok(output)
                }
            }
        }
    }
}

/// Each error as a `::core::compile_error!("..");` item, spans kept.
///
/// syn writes `::core::compile_error! { ".." }`, which is an item too; but
/// a function form written by mistake where an expression belongs (`let g =
/// grad! { fn f() {} };`) makes rustc read the first call as an expression
/// and the next one's `::core::..` as a path continuing it, with errors about
/// the expansion. With parentheses and a `;`, rustc reports the first error
/// and says the macro is likely used in expression context.
fn compile_error_items(error: syn::Error) -> TokenStream {
    use proc_macro2::{Delimiter, Group, Punct, Spacing, TokenTree};
    let mut items = TokenStream::new();
    for tree in error.into_compile_error() {
        match tree {
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                let mut arguments = Group::new(Delimiter::Parenthesis, group.stream());
                arguments.set_span(group.span());
                let mut semicolon = Punct::new(';', Spacing::Alone);
                semicolon.set_span(group.span_close());
                items.extend([TokenTree::Group(arguments), TokenTree::Punct(semicolon)]);
            }
            other => items.extend([other]),
        }
    }
    items
}
