//! The trace protocol: what a `Recorder` keeps of the reports, what
//! `finish` completes (the gradients of literals and constants, edges on no
//! path to the output), and the printed form, which without its numbers is
//! the description again.

mod common;

use common::{Values, record, run};
use grad_core::ops::OpKind;
use grad_graph::{Graph, NoTrace, NodeKind, Recorder, Trace};

const SEED: &str = "\
n0 apple = input
n1 apple_num = input
n2 apple_price = mul(n0, n1)
n3 orange = input
n4 orange_num = input
n5 orange_price = mul(n3, n4)
n6 all_price = add(n2, n5)
n7 tax = input
n8 = mul(n6, n7)
price = n8";

const SEED_INPUTS: [f64; 5] = [100.0, 2.0, 150.0, 3.0, 1.1];

/// y = (x * 2.0 - k) * x + 2.0 * k, with `k` a constant: literals and
/// constants used more than once, and `x` three times.
const LEAVES: &str = "\
n0 x = input
n1 = literal 2.0
n2 = mul(n0, n1)
n3 k = constant Config::K
n4 = sub(n2, n3)
n5 = mul(n4, n0)
n6 = mul(n1, n3)
n7 y = add(n5, n6)
y = n7";

const LEAVES_VALUES: [f64; 3] = [1.25, 2.0, 0.75];

/// z = sigmoid(softplus(x.powi(3), w) - 2.0).
const MIXED: &str = "\
n0 x = input
n1 w = input
n2 cube = powi(n0)
n3 = literal 2.0
n4 s = call softplus(n2, n1)
n5 = sub(n4, n3)
n6 z = sigmoid(n5)
z = n6";

fn mixed_values() -> Values<'static, f64> {
    Values {
        leaves: &[1.5, 0.25, 2.0],
        exponents: &[3],
        custom: &[(3.5, &[0.75, -0.5])],
    }
}

fn bits(x: Option<f64>) -> Option<u64> {
    x.map(f64::to_bits)
}

/// Every gradient the generated backward keeps is the graph's, bit for bit.
#[test]
fn node_gradients_are_the_ones_backward_returned() {
    for dout in [1.0, 1.3, -0.0, 1e-300] {
        for (description, values) in [
            (SEED, Values::leaves(&SEED_INPUTS)),
            (LEAVES, Values::leaves(&LEAVES_VALUES)),
            (MIXED, mixed_values()),
        ] {
            let mut trace = Recorder::new(description);
            let kept = run(description, &values, Some(dout), &mut trace);
            let graph = trace.finish();
            assert_eq!(bits(graph.output.dout), bits(Some(dout)));
            for (node, kept) in graph.nodes.iter().zip(kept) {
                if kept.is_some() {
                    assert_eq!(bits(node.grad), bits(kept), "n{} of\n{graph}", node.id);
                }
            }
        }
    }
}

/// A literal's or constant's gradient is the sum of its edges', added in the
/// order backward visits them: the last user first, each user's operands in
/// order; the order shows when rounding depends on it.
#[test]
fn leaves_without_adjoints_sum_their_edges_in_backward_order() {
    // n0 is used by edges 0, 1 and 2.
    const SHARED: &str = "\
n0 = literal 1.0
n1 = add(n0, n0)
n2 y = neg(n0)
n3 = add(n1, n2)
y = n3";
    let mut trace = Recorder::new(SHARED);
    for node in 0..4 {
        trace.value(node, &1.0);
    }
    trace.adjoint(3, &1.0);
    let grads = [1.0, 1e16, -1e16];
    for (edge, grad) in grads.iter().enumerate() {
        trace.edge(edge, grad);
    }
    let graph = trace.finish();
    // Backward runs n2 (edge 2) before n1 (edges 0 and 1).
    let backward = (grads[2] + grads[0]) + grads[1];
    let descending = (grads[2] + grads[1]) + grads[0];
    assert_ne!(backward, descending, "the order matters here");
    assert_eq!(bits(graph.nodes[0].grad), bits(Some(backward)));

    // The same numbers from a run, for literals and constants used twice.
    let mut trace = Recorder::new(LEAVES);
    let kept = run(
        LEAVES,
        &Values::leaves(&LEAVES_VALUES),
        Some(1.0),
        &mut trace,
    );
    let graph = trace.finish();
    assert_eq!((kept[1], kept[3]), (None, None), "not kept by backward");
    for leaf in [1, 3] {
        let edges: Vec<f64> = graph
            .outgoing(leaf)
            .map(|edge| edge.grad.expect("backward ran"))
            .collect();
        assert_eq!(edges.len(), 2);
        assert_eq!(
            bits(graph.nodes[leaf].grad),
            bits(Some(edges[1] + edges[0]))
        );
    }
    // d y / d k = -x + 2 and d y / d 2.0 = x * x + k at x = 1.25, k = 0.75
    assert_eq!(graph.nodes[3].grad, Some(0.75));
    assert_eq!(graph.nodes[1].grad, Some(2.3125));
}

/// A single term goes in as it is: a -0.0 gradient stays -0.0.
#[test]
fn a_single_edge_is_its_sum() {
    let mut trace = Recorder::new("n0 x = input\nn1 = literal 3.0\nn2 = mul(n0, n1)\ny = n2");
    trace.adjoint(2, &1.0);
    trace.edge(0, &3.0);
    trace.edge(1, &-0.0);
    trace.adjoint(0, &3.0);
    let graph = trace.finish();
    assert_eq!(bits(graph.nodes[1].grad), bits(Some(-0.0)));
}

/// An edge whose gradient was not reported lies on no path to the output:
/// 0, also in sums. A leaf with no edge at all has gradient 0.
#[test]
fn edges_off_the_path_have_zero_gradient() {
    // n3 uses the literal but nothing uses n3; n4 uses nothing.
    const DEAD: &str = "\
n0 x = input
n1 = literal 2.0
n2 = mul(n0, n1)
n3 unused = add(n1, n0)
n4 = constant LONELY
y = n2";
    let values = Values::leaves(&[4.0, 2.0, 9.0]);
    let graph = record(DEAD, &values, Some(1.0));
    let edge = |from: usize, to: usize| {
        graph
            .edges
            .iter()
            .find(|edge| (edge.from, edge.to) == (from, to))
            .expect("an edge")
    };
    assert_eq!(edge(1, 3).grad, Some(0.0));
    assert_eq!(edge(0, 3).grad, Some(0.0));
    assert_eq!(edge(1, 2).grad, Some(4.0));
    // The literal: 4 from n2, 0 from n3.
    assert_eq!(graph.nodes[1].grad, Some(4.0));
    assert_eq!(graph.nodes[3].grad, Some(0.0), "reported as 0 by backward");
    assert_eq!(bits(graph.nodes[4].grad), bits(Some(0.0)));
    assert!(graph.edges.iter().all(|edge| edge.grad.is_some()));
}

/// Reported adjoints are kept exactly, whatever the edges say: NaN with
/// its payload, -0.0, subnormals, and a number that is not the sum of the
/// node's edges.
#[test]
fn adjoints_are_kept_bit_for_bit() {
    let payload = f64::from_bits(0x7ff8_0000_dead_beef);
    let subnormal = f64::from_bits(1);
    let mut trace = Recorder::new(
        "n0 a = input\nn1 b = input\nn2 c = input\nn3 d = input\n\
         n4 = add(n0, n1)\nn5 = add(n2, n3)\nn6 = add(n4, n5)\nn7 = add(n6, n0)\ny = n7",
    );
    trace.adjoint(7, &2.5);
    for edge in 0..8 {
        trace.edge(edge, &1.0);
    }
    for (node, adjoint) in [(0, payload), (1, -0.0), (2, subnormal), (3, 5.0)] {
        trace.adjoint(node, &adjoint);
    }
    let graph = trace.finish();
    assert_eq!(bits(graph.nodes[0].grad), Some(payload.to_bits()));
    assert_eq!(bits(graph.nodes[1].grad), Some((-0.0_f64).to_bits()));
    assert_eq!(bits(graph.nodes[2].grad), Some(1));
    assert_eq!(graph.nodes[3].grad, Some(5.0), "not its edge's 1.0");
    assert_eq!(graph.output.dout, Some(2.5));
    // Nodes 4 to 6 got no adjoint: each sums its one edge.
    assert_eq!(graph.nodes[4].grad, Some(1.0));
}

#[test]
fn without_adjoints_there_are_no_gradients() {
    let graph = record(SEED, &Values::leaves(&SEED_INPUTS), None);
    assert!(!graph.has_gradients());
    assert!(graph.nodes.iter().all(|node| node.grad.is_none()));
    assert_eq!(graph.output.value, 715.000_000_000_000_1);
    // Edge gradients alone do not make a backward pass.
    let mut trace = Recorder::new(SEED);
    for edge in 0..8 {
        trace.edge(edge, &1.0);
    }
    let graph = trace.finish();
    assert!(!graph.has_gradients());
    assert!(graph.edges.iter().all(|edge| edge.grad.is_none()));
    assert_eq!(graph.output.dout, None);
}

#[test]
fn edges_carry_their_operands_values() {
    let graph = record(LEAVES, &Values::leaves(&LEAVES_VALUES), Some(1.0));
    for edge in &graph.edges {
        assert_eq!(edge.value.to_bits(), graph.nodes[edge.from].value.to_bits());
    }
    assert_eq!(graph.output.value, graph.nodes[7].value);
    // (1.25 * 2 - 0.75) * 1.25 + 2 * 0.75
    assert_eq!(graph.output.value, 3.6875);
}

#[test]
fn exponents_are_recorded_on_powi_nodes_only() {
    let mut trace = Recorder::new("n0 x = input\nn1 = powi(n0)\nn2 = neg(n1)\ny = n2");
    trace.exponent(1, Some(-2));
    trace.exponent(2, Some(7));
    let graph = trace.clone().finish();
    let exponent = |graph: &Graph, id: usize| match graph.nodes[id].kind {
        NodeKind::Operation { exponent, .. } => exponent,
        kind => panic!("{kind:?}"),
    };
    assert_eq!(exponent(&graph, 1), Some(-2));
    assert_eq!(exponent(&graph, 2), None);
    assert_eq!(graph.nodes[1].label(), "powi(-2)");
    assert!(graph.describe(1).starts_with("n1 = powi(n0, -2) = "));
    // A layer that did not run has no exponent.
    trace.exponent(1, None);
    let graph = trace.finish();
    assert_eq!(exponent(&graph, 1), None);
    assert_eq!(graph.nodes[1].label(), "powi");
}

#[test]
fn powers_go_to_the_powi_nodes_in_order() {
    let mut trace = Recorder::new(
        "n0 x = input\nn1 = powi(n0)\nn2 = neg(n1)\nn3 = powi(n2)\nn4 = add(n1, n3)\ny = n4",
    );
    Trace::<f64>::powers(&mut trace, &[3, -1]);
    let graph = trace.finish();
    let exponents: Vec<Option<i32>> = graph
        .nodes
        .iter()
        .map(|node| match node.kind {
            NodeKind::Operation { exponent, .. } => exponent,
            _ => None,
        })
        .collect();
    assert_eq!(exponents, [None, Some(3), None, Some(-1), None]);
}

/// Other scalar types are shown as f64: what an f32 computed, exactly.
#[test]
fn f32_runs_are_shown_as_f64() {
    let graph = record(
        "n0 x = input\nn1 = literal 0.1\nn2 = mul(n0, n1)\ny = n2",
        &Values::leaves(&[3.0_f32, 0.1]),
        Some(1.0),
    );
    assert_eq!(graph.nodes[1].value, f64::from(0.1_f32));
    assert_eq!(graph.output.value, f64::from(3.0_f32 * 0.1));
    assert_eq!(graph.nodes[0].grad, Some(f64::from(0.1_f32)));
    assert_eq!(graph.nodes[1].grad, Some(3.0));
}

/// `NoTrace` leaves the run as it is, and `&mut` of a trace is a trace.
#[test]
fn no_trace_and_borrowed_traces() {
    let values = Values::leaves(&SEED_INPUTS);
    let quiet = run(SEED, &values, Some(1.0), &mut NoTrace);
    let mut recorder = Recorder::new(SEED);
    let loud = run(SEED, &values, Some(1.0), &mut recorder);
    assert_eq!(quiet, loud);

    fn report(mut trace: impl Trace<f64>) {
        trace.values(&[2.0]);
        trace.gradients(&[], &[0], &[1.0]);
    }
    let mut recorder = Recorder::new("n0 x = input\ny = n0");
    report(&mut recorder);
    report(&mut &mut recorder);
    let graph = recorder.finish();
    assert_eq!((graph.output.value, graph.output.dout), (2.0, Some(1.0)));
}

#[test]
#[should_panic(expected = "index out of bounds")]
fn a_node_outside_the_description_panics() {
    let mut trace = Recorder::new("n0 x = input\ny = n0");
    trace.value(1, &1.0);
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

/// Without its numbers, the printed form is the description: one printed
/// form. Only a `powi` node adds its recorded exponent.
#[test]
fn display_without_numbers_is_the_description() {
    const NAMES: &str = "\
n0 ñ = input
n1 変数 = input
n2 = literal -0.5
n3 = literal 1e-7
n4 = constant <f64 as Scale<A, B>>::of(1, 2) | 3
n5 f = call helpers::f(n0, n1, n2)
n6 = call Self::h(n5)
n7 = atan2(n6, n3)
n8 = add(n7, n4)
n9 = exp_m1(n8)
résultat = n9";
    let names = Values {
        leaves: &[0.5, 1.5, -0.5, 1e-7, 3.0],
        exponents: &[],
        custom: &[(0.25, &[1.0, 2.0, 3.0]), (0.5, &[2.0])],
    };
    for (description, values, dout) in [
        (SEED, Values::leaves(&SEED_INPUTS), Some(1.0)),
        (SEED, Values::leaves(&SEED_INPUTS), None),
        (LEAVES, Values::leaves(&LEAVES_VALUES), Some(1.0)),
        (NAMES, names, Some(1.0)),
        (NAMES, names, None),
    ] {
        let graph = record(description, &values, dout);
        assert_eq!(strip_numbers(&graph.to_string()), description, "\n{graph}");
    }
    let graph = record(MIXED, &mixed_values(), Some(1.0));
    assert_eq!(
        strip_numbers(&graph.to_string()),
        MIXED.replace("powi(n0)", "powi(n0, 3)")
    );
}

#[test]
fn display_prints_numbers_at_full_precision() {
    let graph = record(MIXED, &mixed_values(), Some(1.0));
    let printed = graph.to_string();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines[0], "n0 x = input = 1.5 | grad 0.7550539136060601");
    assert_eq!(
        lines[2],
        "n2 cube = powi(n0, 3) = 3.375 | grad 0.11185983905274965"
    );
    assert_eq!(lines[3], "n3 = literal 2.0 = 2 | grad -0.14914645207033286");
    assert_eq!(
        lines[4],
        "n4 s = call softplus(n2, n1) = 3.5 | grad 0.14914645207033286"
    );
    assert_eq!(lines[7], "z = n6 = 0.8175744761936437 | dout 1");
    assert_eq!(graph.describe(6), lines[6]);
    let tiny = record(
        "n0 x = input\nn1 = neg(n0)\ny = n1",
        &Values::leaves(&[2.5e-7]),
        Some(1e20),
    );
    assert_eq!(tiny.describe(1), "n1 = neg(n0) = -2.5e-7 | grad 1e20");
    assert_eq!(
        tiny.nodes[1].kind,
        NodeKind::Operation {
            op: OpKind::Neg,
            exponent: None
        }
    );
}
