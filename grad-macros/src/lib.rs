//! The `grad!` macro. Use it through the `grad` crate, which documents it and
//! holds the runtime its expansion calls.
//!
//! The expansion is a pipeline, one module per stage:
//! [`parse`] (tokens to a formula) → [`graph`] (formula to a computational
//! graph) → [`validate`] (the rules about names) → [`generate`] (graph to
//! straight-line Rust). Every stage reports all the errors it finds, each at
//! its own span; nothing panics on user input.

mod errors;
mod generate;
mod graph;
mod parse;
mod validate;

use errors::Errors;
use graph::Inputs;
use parse::GradInput;
use proc_macro2::TokenStream;

/// Differentiates a formula at compile time. See the `grad` crate for the
/// syntax and examples.
#[proc_macro]
pub fn grad(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The whole expansion as a plain function on token streams, so it can be
/// tested (and fuzzed) outside the compiler.
pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    match syn::parse2::<GradInput>(input)? {
        GradInput::Inline(formula) => {
            let mut errors = Errors::default();
            let graph = graph::lower(&formula, &Inputs::Free, &mut errors);
            validate::validate(&formula, &graph, None, &mut errors);
            errors.finish()?;
            Ok(generate::inline(&graph))
        }
        GradInput::Functions(functions) => {
            let mut errors = Errors::default();
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
                if errors.len() == before {
                    expansion.extend(generate::function(function, &graph));
                }
            }
            errors.finish()?;
            Ok(expansion)
        }
    }
}

#[cfg(test)]
mod scratch {
    #[test]
    fn show() {
        let src = std::env::var("GRAD_SHOW").unwrap_or_default();
        if src.is_empty() {
            return;
        }
        let out = super::expand(src.parse().unwrap()).unwrap();
        eprintln!("{out}");
    }
}
#[cfg(test)]
mod timing {
    #[test]
    fn time_large() {
        let Ok(path) = std::env::var("GRAD_TIME") else { return };
        let src = std::fs::read_to_string(path).unwrap();
        let body = &src[src.find('{').unwrap() + 1..src.rfind('}').unwrap()];
        let t = std::time::Instant::now();
        let out = super::expand(body.parse().unwrap()).unwrap();
        eprintln!("expand {:?}, {} bytes", t.elapsed(), out.to_string().len());
        std::fs::write("/tmp/scratch/large_expanded.rs", format!("fn main() {{ let [x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15, x16, x17, x18, x19] = [0.1f64; 20]; let g = {out}; println!(\"{{}}\", g.backward(1.0).x0); }}")).unwrap();
    }
}
