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
    check_names_are_plain(formula, graph, errors);
    check_bound_twice(formula, inline, errors);
    check_used_before_bound(formula, graph, params, errors);
    check_parameters_not_rebound(formula, params, errors);
    if inline {
        check_output_is_not_an_input(formula, graph, errors);
    }
}

/// `self`, `Self`, `super` and `crate` are paths, not values: as an input,
/// an intermediate or the output they would become a field of the gradients,
/// which Rust does not allow.
fn check_names_are_plain(formula: &Formula, graph: &Graph, errors: &mut Errors) {
    let inputs = graph
        .inputs
        .iter()
        .filter_map(|&node| match &graph.nodes[node].kind {
            NodeKind::Input(name) => Some(name),
            _ => None,
        });
    let names = inputs
        .chain(formula.bindings.iter().map(|binding| &binding.name))
        .chain(std::iter::once(&formula.output_name));
    for name in names {
        if matches!(
            name.to_string().as_str(),
            "self" | "Self" | "super" | "crate"
        ) {
            errors.push(syn::Error::new(
                name.span(),
                format!("`{name}` cannot name a value of a formula: bind what you need to a plain name before grad!, as `let x = self.x;`"),
            ));
        }
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
            let message = if inline && name == &formula.output_name {
                format!(
                    "`{name}` names both an intermediate and the output: give the output its own name"
                )
            } else {
                format!("`{name}` is bound twice: give each value of the formula its own name")
            };
            errors.push(syn::Error::new(name.span(), message));
        }
    }
}

/// A name bound by `let` must not be read before that `let`. In plain Rust
/// the earlier use would read some outer variable of the same name, and the
/// gradients would then need two fields called the same. Read in its own
/// `let` (`let x = x * 2.0;`), the name is an input the `let` shadows.
/// Parameters are left to [`check_parameters_not_rebound`].
fn check_used_before_bound(
    formula: &Formula,
    graph: &Graph,
    params: Option<&[syn::Ident]>,
    errors: &mut Errors,
) {
    // The statements binding each name, in order: one lookup per use, so
    // tens of thousands of `let`s stay linear.
    let mut bound_at: HashMap<String, Vec<usize>> = HashMap::new();
    for (statement, binding) in formula.bindings.iter().enumerate() {
        bound_at
            .entry(binding.name.to_string())
            .or_default()
            .push(statement);
    }
    let params: Option<std::collections::HashSet<String>> =
        params.map(|params| params.iter().map(ToString::to_string).collect());
    let mut reported = std::collections::HashSet::new();
    for use_ in &graph.free_uses {
        let name = &use_.name;
        if params
            .as_ref()
            .is_some_and(|params| params.contains(&name.to_string()))
        {
            continue;
        }
        let Some(statements) = bound_at.get(&name.to_string()) else {
            continue;
        };
        let later = statements.partition_point(|&statement| statement < use_.statement);
        let Some(&statement) = statements.get(later) else {
            continue;
        };
        if !reported.insert(name.to_string()) {
            continue;
        }
        let message = if statement == use_.statement {
            format!("`{name}` shadows the input `{name}`: choose another name for the intermediate")
        } else {
            format!(
                "`{name}` is used before it is bound by a later `let`: move that `let` above this use, or rename one of them"
            )
        };
        errors.push(syn::Error::new(name.span(), message));
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
    let params: std::collections::HashSet<String> =
        params.iter().map(ToString::to_string).collect();
    for binding in &formula.bindings {
        if params.contains(&binding.name.to_string()) {
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
