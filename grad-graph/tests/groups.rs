//! Functions with loops and branches: group lines and region suffixes in
//! the description, the groups in the graph, how many times each ran, and
//! pictures that draw a loop's body once, in a box captioned with its
//! header and trip count, never unrolled.
//!
//! The numbers are fed by hand, the way the generated code reports them:
//! the values of the last iteration, then the trip counts.

use grad_core::Summary;
use grad_graph::{DescriptionErrorKind, Graph, GroupKind, NodeKind, Recorder, Trace};

/// Rosenbrock's sum over `i in 0..N - 1`, as `grad!` describes it.
const ROSENBROCK: &str = "\
r1 = for i in 0..N - 1
n0 x = input
n1 s = literal 0.0
n2 = element(n0)[i + 1] @r1
n3 = element(n0)[i] @r1
n4 = element(n0)[i] @r1
n5 = mul(n3, n4) @r1
n6 a = sub(n2, n5) @r1
n7 s = enter(n1) @r1
n8 = literal 100.0 @r1
n9 = mul(n8, n6) @r1
n10 = mul(n9, n6) @r1
n11 = add(n7, n10) @r1
n12 s = leave(n11)
rosenbrock = n12";

/// `if x > 1.0 { let t = x * x; t } else { 2.0 * x }`.
const PIECEWISE: &str = "\
r1 = if x > 1.0
r2 = else
n0 x = input
n1 = literal 1.0
n2 t = mul(n0, n0) @r1
n3 = literal 2.0 @r2
n4 = mul(n3, n0) @r2
n5 = select(n2, n4)
f = n5";

/// A branch inside a loop inside a loop.
const NESTED: &str = "\
r1 = for i in 0..N
r2 = for j in 0..M @r1
r3 = if w[i][j] > 0.0 @r2
r4 = else @r2
n0 w = input
n1 s = literal 0.0
n2 s = enter(n1) @r1
n3 s = enter(n2) @r2
n4 = element(n0)[i][j] @r2
n5 = literal 0.0 @r2
n6 = add(n3, n4) @r3
n7 = sub(n3, n4) @r4
n8 = select(n6, n7) @r2
n9 s = leave(n8) @r1
n10 s = leave(n9)
total = n10";

/// The Rosenbrock graph after one run over `x` (the last iteration's
/// values, as the generated code leaves them), with `runs` iterations.
fn rosenbrock(x: &[f64], runs: usize) -> Graph {
    let mut trace = Recorder::new(ROSENBROCK);
    let n = x.len();
    // The last iteration, i = n - 2, computed here by hand.
    let (xi, xj) = (x[n - 2], x[n - 1]);
    let mut s = 0.0;
    let mut before_last = 0.0;
    for i in 0..n - 1 {
        before_last = s;
        let a = x[i + 1] - x[i] * x[i];
        s += 100.0 * a * a;
    }
    let a = xj - xi * xi;
    let values = [
        Summary::Array(vec![n]),
        Summary::Scalar(0.0),
        Summary::Scalar(xj),
        Summary::Scalar(xi),
        Summary::Scalar(xi),
        Summary::Scalar(xi * xi),
        Summary::Scalar(a),
        Summary::Scalar(before_last),
        Summary::Scalar(100.0),
        Summary::Scalar(100.0 * a),
        Summary::Scalar(100.0 * a * a),
        Summary::Scalar(s),
        Summary::Scalar(s),
    ];
    Trace::<f64>::summaries(&mut trace, &values);
    Trace::<f64>::runs(&mut trace, &[runs]);
    trace.finish()
}

#[test]
fn group_lines_become_groups_and_suffixes_their_nodes() {
    let graph = Graph::from_description(ROSENBROCK).unwrap();
    assert_eq!(graph.groups.len(), 1);
    let body = graph.group(1);
    assert_eq!(
        (body.kind, body.header, body.parent, body.runs),
        (GroupKind::Loop, "for i in 0..N - 1", None, None)
    );
    assert_eq!(graph.nodes.len(), 13, "group lines are not nodes");
    let in_loop: Vec<usize> = (0..13)
        .filter(|&id| graph.nodes[id].group == Some(1))
        .collect();
    assert_eq!(in_loop, (2..=11).collect::<Vec<_>>());
    assert_eq!(
        graph.nodes[2].kind,
        NodeKind::Element {
            array: "x",
            indices: "[i + 1]"
        }
    );
    assert_eq!(graph.nodes[2].label(), "x[i + 1]");
    assert_eq!(graph.nodes[7].kind, NodeKind::Enter);
    assert_eq!(graph.nodes[12].kind, NodeKind::Leave);
    assert_eq!(graph.nodes[7].label(), "s");
    // An element reads its array, an accumulator enters from its value
    // before the loop and leaves from its value at the end of an iteration.
    let from = |to: usize| graph.incoming(to).map(|e| e.from).collect::<Vec<_>>();
    assert_eq!(from(2), [0]);
    assert_eq!(from(7), [1]);
    assert_eq!(from(12), [11]);
    assert_eq!(graph.output.node, 12);
}

#[test]
fn branches_and_nested_groups_keep_their_parents() {
    let graph = Graph::from_description(PIECEWISE).unwrap();
    let kinds: Vec<_> = graph.groups.iter().map(|g| (g.kind, g.header)).collect();
    assert_eq!(
        kinds,
        [(GroupKind::If, "if x > 1.0"), (GroupKind::Else, "else")]
    );
    assert_eq!(graph.nodes[5].kind, NodeKind::Select);
    assert_eq!(
        graph.incoming(5).map(|e| e.from).collect::<Vec<_>>(),
        [2, 4]
    );

    let graph = Graph::from_description(NESTED).unwrap();
    let parents: Vec<_> = graph.groups.iter().map(|g| g.parent).collect();
    assert_eq!(parents, [None, Some(1), Some(2), Some(2)]);
    let chain: Vec<usize> = graph.groups_of(6).map(|g| g.id).collect();
    assert_eq!(chain, [3, 2, 1], "innermost first");
    assert_eq!(
        graph.nodes[4].kind,
        NodeKind::Element {
            array: "w",
            indices: "[i][j]"
        }
    );
}

#[test]
fn the_description_prints_back_with_its_groups() {
    for description in [ROSENBROCK, PIECEWISE, NESTED] {
        let graph = Graph::from_description(description).unwrap();
        let printed: Vec<String> = graph
            .to_string()
            .lines()
            .map(|line| {
                // Without the numbers: ` = NaN` and what follows.
                match line.rsplit_once(" = ") {
                    Some((head, _)) if line.starts_with('n') || line.contains(" = n") => {
                        head.to_owned()
                    }
                    _ => line.to_owned(),
                }
            })
            .collect();
        // A literal prints its reported value, NaN before any report.
        let literal = |line: &str| match line.split_once("literal ") {
            Some((head, rest)) => {
                let group = rest
                    .split_once(" @")
                    .map_or(String::new(), |(_, g)| format!(" @{g}"));
                format!("{head}literal{group}")
            }
            None => line.to_owned(),
        };
        let printed: Vec<String> = printed.iter().map(|line| literal(line)).collect();
        let expected: Vec<String> = description.lines().map(literal).collect();
        assert_eq!(printed, expected);
    }
}

#[test]
fn broken_group_text_is_an_error_never_a_panic() {
    let cases: [(&str, usize, DescriptionErrorKind); 8] = [
        (
            "r2 = for i in 0..3\nn0 x = input\ny = n0",
            1,
            DescriptionErrorKind::GroupOutOfOrder {
                expected: 1,
                found: 2,
            },
        ),
        (
            "n0 x = input\nr1 = else\ny = n0",
            2,
            DescriptionErrorKind::GroupAfterNodes,
        ),
        (
            "r1 = else\nn0 x = input @r2\ny = n0",
            2,
            DescriptionErrorKind::UnknownGroup { group: 2 },
        ),
        (
            "r1 = else @r1\nn0 x = input\ny = n0",
            1,
            DescriptionErrorKind::UnknownGroup { group: 1 },
        ),
        (
            "r1 = for i in 0..3\nn0 x = input\nn1 = neg(n0) @r1\nn2 = neg(n1)\nn3 = neg(n2) @r1\ny = n3",
            5,
            DescriptionErrorKind::GroupCycle { group: 1 },
        ),
        (
            "n0 = literal 1.0\nn1 = element(n0)[0]\ny = n1",
            2,
            DescriptionErrorKind::ElementOfNonInput { operand: 0 },
        ),
        (
            "n0 x = input\nn1 = select(n0)\ny = n1",
            2,
            DescriptionErrorKind::OperandCount {
                operation: "select",
                expected: 2,
                found: 1,
            },
        ),
        (
            "n0 x = input\nn1 = enter(n1)\ny = n1",
            2,
            DescriptionErrorKind::OperandNotEarlier { operand: 1 },
        ),
    ];
    for (text, line, kind) in cases {
        let error = Graph::from_description(text).unwrap_err();
        assert_eq!((error.line(), error.kind()), (line, &kind), "{text}");
    }
    // Malformed group lines and suffixes.
    for text in [
        "r1 = while x\nn0 x = input\ny = n0",
        "r1 = for in 0..3\nn0 x = input\ny = n0",
        "r1 = for i in 3\nn0 x = input\ny = n0",
        "r1 = if \nn0 x = input\ny = n0",
        "r01 = else\nn0 x = input\ny = n0",
        "r1 else\nn0 x = input\ny = n0",
        "r1 = else\nn0 x = input @r01\ny = n0",
        "r1 = else\nn0 x = input @rx\ny = n0",
        "n0 x = input\nn1 = element(n0)\ny = n1",
        "n0 x = input\nn1 = element(n0)i\ny = n1",
        "n0 x = input\nn1 = element(n0\ny = n1",
    ] {
        let error = Graph::from_description(text).unwrap_err();
        assert!(
            matches!(error.kind(), DescriptionErrorKind::Malformed { .. }),
            "{text}: {error}"
        );
    }
}

#[test]
fn trip_counts_go_on_the_groups_and_into_the_captions() {
    let graph = rosenbrock(&[1.0, 2.0, 0.5, -1.0, 3.0], 4);
    assert_eq!(graph.group(1).runs, Some(4));
    assert_eq!(
        graph.group(1).caption(),
        "for i in 0..N - 1  (×4, last shown)"
    );
    assert_eq!(graph.output.value, graph.nodes[11].value);
    assert_eq!(graph.nodes[0].shape, Some(vec![5]));
    assert!(
        graph
            .to_string()
            .starts_with("r1 = for i in 0..N - 1 | runs 4\n")
    );
}

#[test]
fn dot_draws_a_loop_as_one_cluster_with_its_trip_count() {
    let dot = rosenbrock(&[1.0, 2.0, 0.5, -1.0, 3.0], 4).to_dot();
    assert_eq!(dot.matches("subgraph cluster_r1 {").count(), 1, "{dot}");
    assert!(
        dot.contains("label = \"for i in 0..N - 1  (×4, last shown)\";"),
        "{dot}"
    );
    // The body's nodes are inside the cluster, the others outside.
    let start = dot.find("subgraph cluster_r1").unwrap();
    let end = start + dot[start..].find("\n    }\n").unwrap();
    for id in 0..13 {
        let at = dot.find(&format!("    n{id} [")).unwrap();
        assert_eq!(
            (start..end).contains(&at),
            (2..=11).contains(&id),
            "n{id} in {dot}"
        );
    }
}

#[test]
fn mermaid_draws_a_loop_as_one_subgraph_with_its_trip_count() {
    let mermaid = rosenbrock(&[1.0, 2.0, 0.5, -1.0, 3.0], 4).to_mermaid();
    assert!(
        mermaid.contains("    subgraph r1 [\"for i in 0..N - 1  (×4, last shown)\"]\n"),
        "{mermaid}"
    );
    assert_eq!(mermaid.matches("subgraph").count(), 1);
    assert_eq!(mermaid.matches("\n    end\n").count(), 1);
}

/// The rectangle of the SVG element `<g id="{id}">`'s first `<rect>`,
/// `<circle>` or `<ellipse>`: (x0, y0, x1, y1).
fn outline(svg: &roxmltree::Document, id: &str) -> (f64, f64, f64, f64) {
    let group = svg
        .descendants()
        .find(|n| n.attribute("id") == Some(id))
        .unwrap_or_else(|| panic!("no {id}"));
    let shape = group
        .children()
        .find(|n| matches!(n.tag_name().name(), "rect" | "circle" | "ellipse"))
        .unwrap();
    let number = |name: &str| shape.attribute(name).unwrap().parse::<f64>().unwrap();
    match shape.tag_name().name() {
        "rect" => {
            let (x, y) = (number("x"), number("y"));
            (x, y, x + number("width"), y + number("height"))
        }
        "circle" => {
            let (x, y, r) = (number("cx"), number("cy"), number("r"));
            (x - r, y - r, x + r, y + r)
        }
        _ => {
            let (x, y) = (number("cx"), number("cy"));
            let (rx, ry) = (number("rx"), number("ry"));
            (x - rx, y - ry, x + rx, y + ry)
        }
    }
}

fn inside(inner: (f64, f64, f64, f64), outer: (f64, f64, f64, f64)) -> bool {
    inner.0 >= outer.0 && inner.1 >= outer.1 && inner.2 <= outer.2 && inner.3 <= outer.3
}

fn disjoint(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1
}

#[test]
fn svg_draws_a_loop_as_a_captioned_box_around_its_body() {
    let svg = rosenbrock(&[1.0, 2.0, 0.5, -1.0, 3.0], 4).to_svg();
    let document = roxmltree::Document::parse(&svg).unwrap();
    let caption = document
        .descendants()
        .find(|n| n.attribute("class") == Some("caption"))
        .unwrap();
    assert_eq!(caption.text(), Some("for i in 0..N - 1  (×4, last shown)"));
    let body = outline(&document, "r1");
    for id in 0..13 {
        let node = outline(&document, &format!("n{id}"));
        if (2..=11).contains(&id) {
            assert!(inside(node, body), "n{id} {node:?} outside {body:?}");
        } else {
            assert!(disjoint(node, body), "n{id} {node:?} on {body:?}");
        }
    }
    // Every edge, and the output's, is one path.
    assert_eq!(
        document
            .descendants()
            .filter(|n| n.attribute("class") == Some("edge"))
            .count(),
        15 + 1
    );
}

#[test]
fn a_thousand_iterations_draw_the_body_once() {
    let few = rosenbrock(&[1.0, 2.0, 0.5, -1.0, 3.0], 4);
    let x: Vec<f64> = (0..1000).map(|i| f64::from(i) / 500.0 - 1.0).collect();
    let many = rosenbrock(&x, 999);
    assert!(many.to_dot().contains("(×999, last shown)"));
    // Only the numbers differ (and where they push the layout): the same
    // nodes and edges, not a thousand bodies. One more body would add half
    // of the picture.
    for (small, large) in [
        (few.to_dot(), many.to_dot()),
        (few.to_mermaid(), many.to_mermaid()),
        (few.to_svg(), many.to_svg()),
    ] {
        assert_eq!(small.lines().count(), large.lines().count());
        assert!(
            large.len() < small.len() + small.len() / 10,
            "{} grew to {}",
            small.len(),
            large.len()
        );
    }
}

#[test]
fn a_branch_not_taken_is_drawn_dashed_and_grey_without_values() {
    let mut trace = Recorder::new(PIECEWISE);
    let x = 3.0_f64;
    // Only the `if` branch ran: the `else` nodes keep no value.
    trace.value(0, &x);
    trace.value(1, &1.0);
    trace.value(2, &(x * x));
    trace.value(5, &(x * x));
    Trace::<f64>::runs(&mut trace, &[1, 0]);
    let graph = trace.finish();
    assert!(graph.ran(2) && !graph.ran(3) && !graph.ran(4) && graph.ran(5));
    assert_eq!(graph.group(1).caption(), "if x > 1.0  (taken)");
    assert_eq!(graph.group(2).caption(), "else  (not taken)");

    let dot = graph.to_dot();
    let else_cluster = &dot[dot.find("subgraph cluster_r2").unwrap()..];
    assert!(else_cluster.contains("style = \"rounded,dashed\""), "{dot}");
    assert!(
        dot.contains("n4 -> n5 [label=\"\", style=dashed, color=gray60]"),
        "{dot}"
    );
    assert!(dot.contains("n2 -> n5 [label=\"9\"]"), "{dot}");
    // x flows into the `else` branch's product only if it runs.
    assert!(
        dot.contains("n0 -> n4 [label=\"\", style=dashed, color=gray60]"),
        "{dot}"
    );
    assert!(graph.describe(4).ends_with("@r2 (not run)"), "{graph}");

    let mermaid = graph.to_mermaid();
    assert!(mermaid.contains("style r2 stroke-dasharray"), "{mermaid}");
    assert!(!mermaid.contains("style r1 "), "{mermaid}");
    assert!(mermaid.contains("n4 -.->|\"\"| n5"), "{mermaid}");
    assert!(mermaid.contains("n2 -->|\"9\"| n5"), "{mermaid}");

    let svg = graph.to_svg();
    let document = roxmltree::Document::parse(&svg).unwrap();
    let box_of = |id: &str| {
        document
            .descendants()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap()
            .children()
            .find(|n| n.tag_name().name() == "rect")
            .unwrap()
    };
    assert!(box_of("r2").attribute("stroke-dasharray").is_some());
    assert!(box_of("r1").attribute("stroke-dasharray").is_none());
    assert!(disjoint(outline(&document, "r1"), outline(&document, "r2")));
}

#[test]
fn nested_groups_draw_boxes_inside_boxes() {
    let graph = Graph::from_description(NESTED).unwrap();
    let dot = graph.to_dot();
    for group in 1..=4 {
        assert_eq!(
            dot.matches(&format!("subgraph cluster_r{group} ")).count(),
            1
        );
    }
    let r1 = dot.find("subgraph cluster_r1").unwrap();
    let r2 = dot.find("        subgraph cluster_r2").unwrap();
    let r3 = dot.find("            subgraph cluster_r3").unwrap();
    assert!(r1 < r2 && r2 < r3, "{dot}");

    let svg = graph.to_svg();
    let document = roxmltree::Document::parse(&svg).unwrap();
    let boxes: Vec<_> = (1..=4)
        .map(|g| outline(&document, &format!("r{g}")))
        .collect();
    assert!(inside(boxes[1], boxes[0]) && boxes[1] != boxes[0]);
    assert!(inside(boxes[2], boxes[1]) && inside(boxes[3], boxes[1]));
    assert!(disjoint(boxes[2], boxes[3]));
    for id in 0..11 {
        let node = outline(&document, &format!("n{id}"));
        let group = graph.nodes[id].group;
        for g in 1..=4 {
            let member = graph.groups_of(id).any(|outer| outer.id == g);
            if member {
                assert!(inside(node, boxes[g - 1]), "n{id} outside r{g}");
            } else {
                assert!(disjoint(node, boxes[g - 1]), "n{id} ({group:?}) on r{g}");
            }
        }
    }
}

/// An accumulator of an outer loop first read inside a nested loop: its
/// entering node is described there, between the nested loop's nodes (as
/// `grad!` writes it; the fuzzer found it). The groups are not consecutive
/// lines, but each still draws as one block.
const INTERLEAVED: &str = "\
r1 = for i in 0..=3 - 1
r2 = for j in 0..3 @r1
n0 acc1 = literal 0.5
n1 row0 = literal 0.0 @r1
n2 row0 = enter(n1) @r2
n3 acc1 = enter(n0) @r1
n4 acc1 = enter(n3) @r2
n5 = mul(n4, n4) @r2
n6 = add(n2, n5) @r2
n7 row0 = leave(n6) @r1
n8 acc1 = leave(n4) @r1
n9 = mul(n7, n8) @r1
n10 acc1 = leave(n9)
f = n10";

#[test]
fn a_group_need_not_be_consecutive_lines() {
    let graph = Graph::from_description(INTERLEAVED).unwrap();
    assert_eq!(graph.nodes[3].group, Some(1), "between r2's nodes, in r1");
    let svg = graph.to_svg();
    let document = roxmltree::Document::parse(&svg).unwrap();
    let (r1, r2) = (outline(&document, "r1"), outline(&document, "r2"));
    assert!(inside(r2, r1));
    for id in 0..11 {
        let node = outline(&document, &format!("n{id}"));
        let groups: Vec<usize> = graph.groups_of(id).map(|group| group.id).collect();
        assert_eq!(inside(node, r1), groups.contains(&1), "n{id} and r1");
        assert_eq!(inside(node, r2), groups.contains(&2), "n{id} and r2");
        if !groups.contains(&1) {
            assert!(disjoint(node, r1), "n{id} on r1");
        }
        if !groups.contains(&2) {
            assert!(disjoint(node, r2), "n{id} on r2");
        }
    }
}
