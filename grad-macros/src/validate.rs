//! Stage 3: the rules about names that a formula must follow before code is
//! generated. Each rule is one `check_*` function, all run by [`validate`],
//! and each reports every violation it finds.

use crate::errors::Errors;
use crate::graph::{Graph, NodeKind};
use crate::parse::Formula;
use std::collections::HashMap;

/// Runs every rule; `params` are the function form's parameters.
pub fn validate(
    formula: &Formula,
    graph: &Graph,
    params: Option<&[syn::Ident]>,
    errors: &mut Errors,
) {
    let inline = params.is_none();
    check_bound_twice(formula, inline, errors);
    check_used_before_bound(formula, graph, errors);
    check_parameters_not_rebound(formula, params, errors);
    if inline {
        check_output_is_not_an_input(formula, graph, errors);
    }
}

/// A name is bound once: each `let` (and, inline, the output) names a
/// different value, so each gets its own field and `d.name` is unambiguous.
/// A function may return a `let` of its own name, as plain Rust often does.
fn check_bound_twice(formula: &Formula, inline: bool, errors: &mut Errors) {
    let mut seen = HashMap::new();
    let names = formula
        .bindings
        .iter()
        .map(|binding| &binding.name)
        .chain(inline.then_some(&formula.output_name));
    for name in names {
        if seen.insert(name.to_string(), ()).is_some() {
            errors.push(syn::Error::new(
                name.span(),
                format!("`{name}` is bound twice: give each value of the formula its own name"),
            ));
        }
    }
}

/// A name bound by `let` must not be read before that `let`. In plain Rust
/// the earlier use would read some outer variable of the same name, and the
/// gradients would then need two fields called the same.
fn check_used_before_bound(formula: &Formula, graph: &Graph, errors: &mut Errors) {
    for use_ in &graph.free_uses {
        let bound_later = formula
            .bindings
            .iter()
            .enumerate()
            .find(|(statement, binding)| *statement >= use_.statement && binding.name == use_.name);
        if let Some((_, binding)) = bound_later {
            let name = &use_.name;
            let mut error = syn::Error::new(
                name.span(),
                format!(
                    "`{name}` is used before it is bound: move `let {name} = ...` above this use, or rename one of them"
                ),
            );
            error.combine(syn::Error::new(
                binding.name.span(),
                format!("`{name}` is bound here"),
            ));
            errors.push(error);
        }
    }
}

/// In the function form the parameters are the inputs; a `let` with the
/// same name would shadow one, and its gradient would have two meanings.
fn check_parameters_not_rebound(
    formula: &Formula,
    params: Option<&[syn::Ident]>,
    errors: &mut Errors,
) {
    let Some(params) = params else { return };
    for binding in &formula.bindings {
        if params.contains(&binding.name) {
            errors.push(syn::Error::new(
                binding.name.span(),
                format!(
                    "`{}` shadows an input of this function: choose another name for the intermediate",
                    binding.name
                ),
            ));
        }
    }
}

/// The output's name labels the value; an input of that name would make
/// `g.name` and `d.name` speak of different things.
fn check_output_is_not_an_input(formula: &Formula, graph: &Graph, errors: &mut Errors) {
    let name = &formula.output_name;
    let clashes = graph
        .inputs
        .iter()
        .any(|&node| matches!(&graph.nodes[node].kind, NodeKind::Input(input) if input == name));
    if clashes {
        errors.push(syn::Error::new(
            name.span(),
            format!("the output `{name}` has the name of an input: name the result differently"),
        ));
    }
}
