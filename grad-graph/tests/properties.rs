//! Properties over generated descriptions: any well-formed description
//! reads, and once its numbers are reported its printed form without the
//! numbers is the description again; `finish` gives every node without an
//! adjoint the sum of its edges; and no text, however broken, makes the
//! reader panic.

use grad_core::ops::{OPERATIONS, Shape};
use grad_graph::{Graph, NodeKind, Recorder};
use proptest::prelude::*;

const NAMES: &[&str] = &["x", "y_1", "_t", "ñ", "変数", "Δx", "n0", "input", "call"];
const CONSTANTS: &[&str] = &[
    "std::f64::consts::PI",
    "T::one()",
    "<f64>::EPSILON",
    "grad::constant(2.5)",
    "f(1, 2) | g = h",
];
const PATHS: &[&str] = &["softplus", "helpers::f", "Self::h", "f::<f64>"];

/// One node line's choices, resolved against the nodes before it.
#[derive(Clone, Debug)]
enum Choice {
    Input,
    Literal(f64),
    Constant(usize),
    Operation(usize, [usize; 2]),
    Call(usize, Vec<usize>),
}

fn choice() -> impl Strategy<Value = (Choice, Option<usize>)> {
    let kind = prop_oneof![
        Just(Choice::Input),
        prop_oneof![
            any::<f64>(),
            Just(-0.0),
            Just(1e-7),
            Just(f64::INFINITY),
            Just(f64::NAN)
        ]
        .prop_map(Choice::Literal),
        (0..CONSTANTS.len()).prop_map(Choice::Constant),
        (0..OPERATIONS.len(), any::<[usize; 2]>()).prop_map(|(op, at)| Choice::Operation(op, at)),
        (0..PATHS.len(), prop::collection::vec(any::<usize>(), 1..4))
            .prop_map(|(path, at)| Choice::Call(path, at)),
    ];
    (kind, prop::option::of(0..NAMES.len()))
}

/// A well-formed description: the first node an input (so every operation
/// has an earlier node to use), then any nodes.
fn description() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(choice(), 0..12),
        any::<usize>(),
        0..NAMES.len(),
    )
        .prop_map(|(choices, output, output_name)| {
            let mut lines = vec!["n0 x = input".to_owned()];
            for (id, (choice, name)) in (1..).zip(choices) {
                let earlier = |at: usize| format!("n{}", at % id);
                let name = match (&choice, name) {
                    (Choice::Input, None) => Some("x"),
                    (_, name) => name.map(|name| NAMES[name]),
                };
                let expression = match choice {
                    Choice::Input => "input".to_owned(),
                    Choice::Literal(value) => format!("literal {value:?}"),
                    Choice::Constant(text) => format!("constant {}", CONSTANTS[text]),
                    Choice::Operation(op, at) => {
                        let operation = &OPERATIONS[op];
                        let operands: Vec<String> = at[..operation.shape.differentiable_operands()]
                            .iter()
                            .map(|&at| earlier(at))
                            .collect();
                        format!("{}({})", operation.name, operands.join(", "))
                    }
                    Choice::Call(path, at) => {
                        let operands: Vec<String> = at.iter().map(|&at| earlier(at)).collect();
                        format!("call {}({})", PATHS[path], operands.join(", "))
                    }
                };
                lines.push(match name {
                    Some(name) => format!("n{id} {name} = {expression}"),
                    None => format!("n{id} = {expression}"),
                });
            }
            let count = lines.len();
            lines.push(format!("{} = n{}", NAMES[output_name], output % count));
            lines.join("\n")
        })
}

/// Strips ` = {value}` and ` | grad {grad}` (or ` | dout {dout}`) from each
/// line of a printed graph.
fn strip_numbers(printed: &str) -> String {
    printed
        .lines()
        .map(|line| {
            let line = line
                .rsplit_once(" | grad ")
                .or_else(|| line.rsplit_once(" | dout "))
                .map_or(line, |(line, _)| line);
            line.rsplit_once(" = ").expect("a value").0
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reports the values a literal's description gives (and arbitrary values
/// elsewhere), edge gradients where `edges` says so, and adjoints for the
/// nodes `adjoints` picks (the output's always, if backward runs).
fn report(
    description: &'static str,
    values: &[f64],
    backward: bool,
    edges: &[Option<f64>],
    adjoints: &[Option<f64>],
) -> Graph {
    let skeleton = Graph::from_description(description).expect("well formed");
    let literals: Vec<Option<f64>> = description
        .lines()
        .map(|line| {
            line.split_once(" = literal ")
                .map(|(_, value)| value.parse().expect("a number"))
        })
        .collect();
    let mut trace = Recorder::new(description);
    for id in 0..skeleton.nodes.len() {
        let value = literals[id].unwrap_or(values[id % values.len()]);
        trace.value(id, &value);
        if let NodeKind::Operation { op, .. } = skeleton.nodes[id].kind
            && op.operation().shape == Shape::UnaryInt
        {
            trace.exponent(id, Some(3));
        }
    }
    if backward {
        trace.adjoint(skeleton.output.node, &1.0);
        for (edge, grad) in edges.iter().cycle().take(skeleton.edges.len()).enumerate() {
            if let Some(grad) = grad {
                trace.edge(edge, grad);
            }
        }
        for (id, adjoint) in adjoints
            .iter()
            .cycle()
            .take(skeleton.nodes.len())
            .enumerate()
        {
            if let Some(adjoint) = adjoint
                && id != skeleton.output.node
            {
                trace.adjoint(id, adjoint);
            }
        }
    }
    trace.finish()
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn printed_without_numbers_is_the_description(
        description in description(),
        values in prop::collection::vec(any::<f64>(), 1..8),
        backward in any::<bool>(),
    ) {
        let description = leak(description);
        let graph = report(description, &values, backward, &[Some(0.5)], &[Some(2.0)]);
        let expected = description
            .lines()
            .map(|line| match line.split_once(" = powi(") {
                Some((head, operand)) => {
                    format!("{head} = powi({}, 3)", operand.trim_end_matches(')'))
                }
                None => line.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        prop_assert_eq!(strip_numbers(&graph.to_string()), expected);
        prop_assert_eq!(graph.has_gradients(), backward);
    }

    #[test]
    fn nodes_without_adjoints_sum_their_edges(
        description in description(),
        edges in prop::collection::vec(prop::option::of(-4.0..4.0_f64), 1..6),
        adjoints in prop::collection::vec(prop::option::of(-4.0..4.0_f64), 1..6),
    ) {
        let description = leak(description);
        let graph = report(description, &[1.0], true, &edges, &adjoints);
        let skeleton = Graph::from_description(description).expect("well formed");
        for (id, node) in graph.nodes.iter().enumerate() {
            let reported = if id == skeleton.output.node {
                Some(1.0)
            } else {
                adjoints[id % adjoints.len()]
            };
            let expected = reported.unwrap_or_else(|| {
                // Backward's order: the last user first, its operands in order.
                let mut outgoing: Vec<(usize, &grad_graph::Edge)> = skeleton
                    .edges
                    .iter()
                    .enumerate()
                    .filter(|(_, edge)| edge.from == id)
                    .collect();
                outgoing.sort_by_key(|(_, edge)| (std::cmp::Reverse(edge.to), edge.position));
                let mut sum = None;
                for (index, _) in outgoing {
                    let term = edges[index % edges.len()].unwrap_or(0.0);
                    sum = Some(sum.map_or(term, |sum: f64| sum + term));
                }
                sum.unwrap_or(0.0)
            });
            prop_assert_eq!(node.grad.map(f64::to_bits), Some(expected.to_bits()), "n{}", id);
        }
        for (index, edge) in graph.edges.iter().enumerate() {
            let expected = edges[index % edges.len()].unwrap_or(0.0);
            prop_assert_eq!(edge.grad, Some(expected));
            prop_assert_eq!(edge.value.to_bits(), graph.nodes[edge.from].value.to_bits());
        }
        prop_assert_eq!(graph.output.dout, Some(1.0));
    }

    #[test]
    fn broken_text_is_an_error_not_a_panic(text in "\\PC{0,80}") {
        let text = leak(text);
        if let Err(error) = Graph::from_description(text) {
            prop_assert!(error.line() >= 1);
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn a_changed_description_reads_or_says_where(
        description in description(),
        at in any::<usize>(),
        replacement in "[ n0-9(),=a-z_]{0,3}",
    ) {
        let mut broken = description.clone();
        let mut at = at % (broken.len() + 1);
        while !broken.is_char_boundary(at) {
            at -= 1;
        }
        let end = (at..=broken.len())
            .find(|&end| end > at && broken.is_char_boundary(end))
            .unwrap_or(at);
        broken.replace_range(at..end, &replacement);
        let broken = leak(broken);
        if let Err(error) = Graph::from_description(broken) {
            prop_assert!(error.line() <= broken.lines().count().max(1));
            let line = broken.lines().nth(error.line() - 1).unwrap_or("");
            prop_assert_eq!(error.text(), line);
        }
    }
}
