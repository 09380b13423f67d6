//! The graph and its pictures, for graphs recorded the way the generated
//! code reports them (see `common`): the seed's apple/orange bill (the
//! book's figure), a value used three times (`x * x + x`), and a formula with
//! `powi`, a literal and a custom function.
//!
//! Values and gradients are checked bit for bit against the layers run by
//! hand: the seed's `715.0000000000001` and `110.00000000000001` must show.
//! DOT and Mermaid are checked for structure and labels, and exactly for a
//! small graph; the seed's three pictures must be byte for byte the ones the
//! repository commits. The SVG is parsed with a real XML parser, and its
//! geometry is checked: every label present, no two nodes overlapping, no
//! label on a node.

mod common;

use common::{Values, record};
use grad_core::ops::OpKind;
use grad_core::{AddLayer, MulLayer};
use grad_graph::{Graph, NodeKind, format_compact};

/// price = (apple * apple_num + orange * orange_num) * tax, with the seed's
/// intermediate names, in the order the seed computes it: what `grad!`
/// describes for the seed's formula.
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

/// y = x * x + x: `x` feeds three edges, two of them into the same node.
const FAN_OUT: &str = "\
n0 x = input
n1 = mul(n0, n0)
n2 y = add(n1, n0)
y = n2";

/// z = sigmoid(softplus(x.powi(n), w) - 2.0), with `softplus` a user function.
const MIXED: &str = "\
n0 x = input
n1 w = input
n2 cube = powi(n0)
n3 = literal 2.0
n4 s = call softplus(n2, n1)
n5 = sub(n4, n3)
n6 z = sigmoid(n5)
z = n6";

fn seed() -> Graph {
    record(SEED, &Values::leaves(&SEED_INPUTS), Some(1.0))
}

fn fan_out() -> Graph {
    record(FAN_OUT, &Values::leaves(&[3.0]), Some(1.0))
}

const MIXED_PARTIALS: [f64; 2] = [0.75, -0.5];

fn mixed() -> Graph {
    let values = Values {
        leaves: &[1.5, 0.25, 2.0],
        exponents: &[3],
        custom: &[(3.5, &MIXED_PARTIALS)],
    };
    record(MIXED, &values, Some(1.0))
}

/// The gradient on the edge `from -> to` (the first such edge).
fn edge_grad(graph: &Graph, from: usize, to: usize) -> f64 {
    let edge = graph
        .edges
        .iter()
        .find(|edge| edge.from == from && edge.to == to)
        .unwrap_or_else(|| panic!("no edge n{from} -> n{to}"));
    edge.grad.expect("backward ran")
}

fn value(graph: &Graph, name: &str) -> f64 {
    graph
        .find(name)
        .unwrap_or_else(|| panic!("no node {name}"))
        .value
}

fn grad(graph: &Graph, name: &str) -> f64 {
    graph
        .find(name)
        .unwrap_or_else(|| panic!("no node {name}"))
        .grad
        .expect("backward ran")
}

#[test]
fn seed_forward_values_are_the_books() {
    let graph = seed();
    assert_eq!(value(&graph, "apple_price"), 200.0);
    assert_eq!(value(&graph, "orange_price"), 450.0);
    assert_eq!(value(&graph, "all_price"), 650.0);
    assert_eq!(graph.nodes[8].value, 715.000_000_000_000_1);
    assert_eq!(graph.output.value, 715.000_000_000_000_1);
    assert_eq!((graph.output.node, graph.output.name), (8, "price"));
    // Each edge carries its operand's value.
    for edge in &graph.edges {
        assert_eq!(edge.value.to_bits(), graph.nodes[edge.from].value.to_bits());
    }
}

#[test]
fn seed_gradients_are_the_books() {
    let graph = seed();
    assert_eq!(graph.output.dout, Some(1.0));
    // d price / d all_price = tax, d price / d tax = all_price
    assert_eq!(edge_grad(&graph, 6, 8), 1.1);
    assert_eq!(edge_grad(&graph, 7, 8), 650.0);
    // addition passes the gradient through unchanged
    assert_eq!(edge_grad(&graph, 2, 6), 1.1);
    assert_eq!(edge_grad(&graph, 5, 6), 1.1);
    // multiplication swaps its operands: d/d apple = 1.1 * apple_num, ...
    assert_eq!(edge_grad(&graph, 0, 2), 2.2);
    assert_eq!(edge_grad(&graph, 1, 2), 110.000_000_000_000_01);
    assert_eq!(edge_grad(&graph, 3, 5), 3.300_000_000_000_000_3);
    assert_eq!(edge_grad(&graph, 4, 5), 165.0);
    // a node used once has its edge's gradient
    assert_eq!(grad(&graph, "apple"), 2.2);
    assert_eq!(grad(&graph, "apple_num"), 110.000_000_000_000_01);
    assert_eq!(grad(&graph, "orange"), 3.300_000_000_000_000_3);
    assert_eq!(grad(&graph, "orange_num"), 165.0);
    assert_eq!(grad(&graph, "tax"), 650.0);
    assert_eq!(grad(&graph, "all_price"), 1.1);
    assert_eq!(graph.nodes[8].grad, Some(1.0));
}

/// The seed's own computation, layer by layer as the seed writes it, must
/// agree bit for bit with what the picture shows.
#[test]
fn the_picture_shows_the_layers_numbers_bit_for_bit() {
    let [apple, apple_num, orange, orange_num, tax] = SEED_INPUTS;
    let mut mul_apple = MulLayer::new();
    let mut mul_orange = MulLayer::new();
    let mut add_fruits = AddLayer::new();
    let mut mul_tax = MulLayer::new();
    let apple_price = mul_apple.forward(apple, apple_num);
    let orange_price = mul_orange.forward(orange, orange_num);
    let all_price = add_fruits.forward(apple_price, orange_price);
    let price = mul_tax.forward(all_price, tax);
    let dprice = 1.3;
    let (dall_price, dtax) = mul_tax.backward(dprice);
    let (dapple_price, dorange_price) = add_fruits.backward(dall_price);
    let (dapple, dapple_num) = mul_apple.backward(dapple_price);
    let (dorange, dorange_num) = mul_orange.backward(dorange_price);

    let graph = record(SEED, &Values::leaves(&SEED_INPUTS), Some(dprice));
    let bits = |x: f64| x.to_bits();
    assert_eq!(bits(graph.output.value), bits(price));
    assert_eq!(graph.output.dout.map(bits), Some(bits(dprice)));
    let expected = [
        dapple,
        dapple_num,
        dapple_price,
        dorange,
        dorange_num,
        dorange_price,
        dall_price,
        dtax,
        dprice,
    ];
    for (node, expected) in graph.nodes.iter().zip(expected) {
        assert_eq!(node.grad.map(bits), Some(bits(expected)), "n{}", node.id);
    }
}

#[test]
fn forward_only_has_no_gradients() {
    let graph = record(SEED, &Values::leaves(&SEED_INPUTS), None);
    assert!(!graph.has_gradients());
    assert_eq!(graph.output.dout, None);
    assert!(graph.nodes.iter().all(|node| node.grad.is_none()));
    assert!(graph.edges.iter().all(|edge| edge.grad.is_none()));
    assert_eq!(graph.output.value, 715.000_000_000_000_1);
    assert!(!graph.to_dot().contains("red"));
    assert!(!graph.to_mermaid().contains("red"));
    let svg = graph.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    assert_eq!(texts_of_class(&doc, "grad").len(), 0);
    assert_eq!(texts_of_class(&doc, "value").len(), graph.edges.len() + 1);
}

#[test]
fn node_kinds_layers_and_symbols() {
    let graph = seed();
    assert_eq!(graph.nodes.len(), 9);
    assert_eq!(graph.edges.len(), 8);
    assert_eq!(graph.nodes[0].kind, NodeKind::Input);
    assert_eq!(graph.nodes[7].kind, NodeKind::Input);
    let mul = &graph.nodes[2];
    assert_eq!(mul.kind.layer(), Some("MulLayer"));
    assert_eq!(mul.kind.symbol(), Some("×"));
    assert_eq!(mul.kind.spelling(), Some("*"));
    assert_eq!(mul.label(), "×");
    assert_eq!(graph.nodes[6].kind.layer(), Some("AddLayer"));
    assert_eq!(graph.nodes[6].label(), "+");
    let incoming: Vec<(usize, usize)> = graph
        .incoming(8)
        .map(|edge| (edge.from, edge.position))
        .collect();
    assert_eq!(incoming, [(6, 0), (7, 1)]);
    assert_eq!(graph.incoming(0).count(), 0);
    assert_eq!(graph.outgoing(6).count(), 1);
    assert_eq!(graph.outgoing(8).count(), 0);
}

#[test]
fn display_prints_one_line_per_node_at_full_precision() {
    let text = seed().to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10);
    assert_eq!(lines[0], "n0 apple = input = 100 | grad 2.2");
    assert_eq!(
        lines[1],
        "n1 apple_num = input = 2 | grad 110.00000000000001"
    );
    assert_eq!(lines[2], "n2 apple_price = mul(n0, n1) = 200 | grad 1.1");
    assert_eq!(lines[8], "n8 = mul(n6, n7) = 715.0000000000001 | grad 1");
    assert_eq!(lines[9], "price = n8 = 715.0000000000001 | dout 1");
    let mixed = mixed().to_string();
    assert!(
        mixed.contains("\nn2 cube = powi(n0, 3) = 3.375 | grad "),
        "{mixed}"
    );
    assert!(mixed.contains("\nn3 = literal 2.0 = 2 | grad "), "{mixed}");
    assert!(
        mixed.contains("\nn4 s = call softplus(n2, n1) = 3.5 | grad "),
        "{mixed}"
    );
    let forward = record(SEED, &Values::leaves(&SEED_INPUTS), None).to_string();
    assert!(forward.starts_with("n0 apple = input = 100\n"), "{forward}");
    assert!(
        forward.ends_with("\nprice = n8 = 715.0000000000001"),
        "{forward}"
    );
}

#[test]
fn fan_out_sums_the_gradients_of_every_use() {
    let graph = fan_out();
    // y = x² + x = 12 at x = 3
    assert_eq!(graph.output.value, 12.0);
    assert_eq!(graph.edges.len(), 4);
    // the two operands of x * x each get x = 3; both operands of + get 1
    let grads: Vec<(usize, usize, Option<f64>)> = graph
        .edges
        .iter()
        .map(|edge| (edge.from, edge.to, edge.grad))
        .collect();
    assert_eq!(
        grads,
        [
            (0, 1, Some(3.0)),
            (0, 1, Some(3.0)),
            (1, 2, Some(1.0)),
            (0, 2, Some(1.0))
        ]
    );
    let into_mul: Vec<Option<f64>> = graph.incoming(1).map(|edge| edge.grad).collect();
    assert_eq!(into_mul, [Some(3.0), Some(3.0)]);
    // dy/dx = 2x + 1 = 7
    assert_eq!(grad(&graph, "x"), 7.0);
    assert_eq!(graph.outgoing(0).count(), 3);

    let dot = graph.to_dot();
    assert_eq!(dot.matches("n0 -> n1 ").count(), 2);
    let svg = graph.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    assert_eq!(texts_of_class(&doc, "value"), ["3", "3", "9", "3", "12"]);
    assert_eq!(texts_of_class(&doc, "grad"), ["3", "3", "1", "1", "1"]);
    assert_clear(&doc);
}

#[test]
fn powi_literal_and_custom_nodes() {
    let graph = mixed();
    let cube = &graph.nodes[2];
    assert_eq!(
        cube.kind,
        NodeKind::Operation {
            op: OpKind::Powi,
            exponent: Some(3)
        }
    );
    assert_eq!(cube.value, 3.375);
    assert_eq!(cube.label(), "powi(3)");
    assert_eq!(cube.kind.layer(), Some("PowiLayer"));
    assert_eq!(graph.nodes[3].kind, NodeKind::Literal);
    assert_eq!(graph.nodes[3].label(), "2");
    let softplus = &graph.nodes[4];
    assert_eq!(
        softplus.kind,
        NodeKind::Custom {
            function: "softplus"
        }
    );
    assert_eq!(softplus.kind.layer(), Some("CustomLayer"));
    assert_eq!(softplus.value, 3.5);

    // Backward by hand, with the same layers in the same order.
    let mut sigmoid = grad_core::SigmoidLayer::new();
    let mut sub = grad_core::SubLayer::new();
    let mut powi = grad_core::PowiLayer::new();
    let _ = powi.forward(1.5, 3);
    let z = sigmoid.forward(sub.forward(3.5, 2.0));
    let dsub = sigmoid.backward(1.0);
    let (ds, dliteral) = sub.backward(dsub);
    let (dcube, dw) = (ds * MIXED_PARTIALS[0], ds * MIXED_PARTIALS[1]);
    let dx = powi.backward(dcube);
    assert_eq!(graph.output.value, z);
    assert_eq!(edge_grad(&graph, 5, 6), dsub);
    assert_eq!(edge_grad(&graph, 4, 5), ds);
    assert_eq!(edge_grad(&graph, 3, 5), dliteral);
    assert_eq!(edge_grad(&graph, 2, 4), dcube);
    assert_eq!(edge_grad(&graph, 1, 4), dw);
    assert_eq!(edge_grad(&graph, 0, 2), dx);
    assert_eq!(grad(&graph, "x"), dx);
    // The literal's gradient is not kept by the generated code: the graph
    // sums its one edge.
    assert_eq!(graph.nodes[3].grad, Some(dliteral));

    let svg = graph.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    let all = all_texts(&doc);
    for expected in [
        "powi(3)", "softplus", "2", "cube", "s", "z", "x", "w", "−", "sigmoid",
    ] {
        assert!(
            all.iter().any(|text| text == expected),
            "missing {expected:?} in {all:?}"
        );
    }
    assert!(graph.to_dot().contains("label=\"powi(3)\""));
    assert!(graph.to_mermaid().contains("softplus"));
    assert_clear(&doc);
}

/// A constant from the caller's scope is drawn with its name if it has one,
/// its Rust source otherwise, in a dashed box like a literal.
#[test]
fn constants_show_their_name_or_their_text() {
    const SCALED: &str = "\
n0 r = input
n1 = constant std::f64::consts::PI
n2 two_pi = constant 2.0 * std::f64::consts::PI
n3 = mul(n1, n0)
n4 = mul(n3, n2)
y = n4";
    let pi = std::f64::consts::PI;
    let graph = record(SCALED, &Values::leaves(&[0.5, pi, 2.0 * pi]), Some(1.0));
    assert_eq!(graph.nodes[1].label(), "std::f64::consts::PI");
    assert_eq!(graph.nodes[2].label(), "two_pi");
    assert_eq!(graph.nodes[1].kind.layer(), None);
    // Neither constant's gradient is kept by the generated code: each is
    // the gradient on its one edge.
    assert_eq!(graph.nodes[1].grad, Some(0.5 * 2.0 * pi));
    assert_eq!(graph.nodes[2].grad, Some(pi * 0.5));
    assert!(
        graph
            .to_dot()
            .contains("n1 [label=\"std::f64::consts::PI\", shape=box, style=dashed];")
    );
    let mermaid = graph.to_mermaid();
    assert!(mermaid.contains("    n2[\"two_pi\"]\n"), "{mermaid}");
    assert!(mermaid.contains("    class n1,n2 constant\n"), "{mermaid}");
    let svg = graph.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    let constants = doc
        .descendants()
        .filter(|node| has_class(*node, "constant"))
        .count();
    assert_eq!(constants, 2);
    assert_clear(&doc);
}

#[test]
fn numbers_are_compact_in_pictures() {
    assert_eq!(format_compact(715.000_000_000_000_1), "715");
    assert_eq!(format_compact(110.000_000_000_000_01), "110");
    assert_eq!(format_compact(3.300_000_000_000_000_3), "3.3");
    assert_eq!(format_compact(650.0), "650");
    assert_eq!(format_compact(0.1 + 0.2), "0.3");
    assert_eq!(format_compact(-2.5e-7), "-2.5e-7");
    assert_eq!(format_compact(6.02e23), "6.02e23");
    assert_eq!(format_compact(999_999.7), "1e6");
    assert_eq!(format_compact(0.0), "0");
    assert_eq!(format_compact(f64::INFINITY), "inf");
}

// ---------------------------------------------------------------- DOT

#[test]
fn dot_lists_every_node_and_edge_with_values_and_gradients() {
    let dot = seed().to_dot();
    assert!(dot.starts_with("digraph \"price\" {\n"), "{dot}");
    assert!(dot.contains("rankdir=LR"));
    assert!(dot.trim_end().ends_with('}'));
    let node_lines: Vec<&str> = dot
        .lines()
        .filter(|line| line.contains("[label=") && !line.contains("->"))
        .collect();
    assert_eq!(node_lines.len(), 9 + 1, "nine nodes and the output label");
    // nodes in id order, the output label last
    let ids: Vec<&str> = node_lines
        .iter()
        .map(|line| line.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "out"]
    );
    assert_eq!(
        dot.matches(" -> ").count(),
        8 + 1,
        "eight edges and the output edge"
    );
    assert!(dot.contains("n8 -> out [label=<715<BR/><FONT COLOR=\"red\">1</FONT>>];"));
    assert!(dot.contains("n6 -> n8 [label=<650<BR/><FONT COLOR=\"red\">1.1</FONT>>];"));
    assert!(dot.contains("n7 -> n8 [label=<1.1<BR/><FONT COLOR=\"red\">650</FONT>>];"));
    for label in ["2.2", "110", "3.3", "165"] {
        assert!(
            dot.contains(&format!("<FONT COLOR=\"red\">{label}</FONT>")),
            "{label}"
        );
    }
    for name in [
        "apple",
        "apple_num",
        "orange",
        "orange_num",
        "tax",
        "apple_price",
        "orange_price",
        "all_price",
    ] {
        assert!(
            dot.contains(&format!(">{name}<")) || dot.contains(&format!("\"{name}\"")),
            "{name}"
        );
    }
    assert_eq!(dot.matches("shape=circle").count(), 4);
    assert!(dot.contains("label=\"×\""));
}

#[test]
fn dot_is_exact_for_a_small_graph() {
    const SMALL: &str = "n0 apple = input\nn1 tax = input\nn2 price = mul(n0, n1)\nprice = n2";
    let graph = record(SMALL, &Values::leaves(&[100.0, 1.1]), Some(1.0));
    let expected = r#"digraph "price" {
    graph [rankdir=LR, forcelabels=true, nodesep=0.5, ranksep=0.9];
    node [fontname="Helvetica", fontsize=14];
    edge [fontname="Helvetica", fontsize=11, arrowsize=0.7];
    n0 [label="apple", shape=plaintext];
    n1 [label="tax", shape=plaintext];
    n2 [label="×", shape=circle, tooltip="MulLayer"];
    out [label="price", shape=plaintext];
    n0 -> n2 [label=<100<BR/><FONT COLOR="red">1.1</FONT>>];
    n1 -> n2 [label=<1.1<BR/><FONT COLOR="red">100</FONT>>];
    n2 -> out [label=<110<BR/><FONT COLOR="red">1</FONT>>];
}
"#;
    assert_eq!(graph.to_dot(), expected);
}

// ---------------------------------------------------------------- Mermaid

#[test]
fn mermaid_lists_every_node_and_edge_with_values_and_gradients() {
    let mermaid = seed().to_mermaid();
    let lines: Vec<&str> = mermaid.lines().collect();
    assert_eq!(lines[0], "flowchart LR");
    let edges: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|line| line.contains("-->"))
        .collect();
    assert_eq!(edges.len(), 8 + 1);
    assert_eq!(
        edges[0],
        "    n0 -->|\"100<br/><span style='color:red'>2.2</span>\"| n2"
    );
    assert_eq!(
        edges[8],
        "    n8 -->|\"715<br/><span style='color:red'>1</span>\"| out"
    );
    let nodes: Vec<&str> = lines[1..]
        .iter()
        .copied()
        .take_while(|line| !line.contains("-->"))
        .collect();
    assert_eq!(nodes.len(), 9 + 1);
    assert_eq!(nodes[2], "    n2((\"×<br/><i>apple_price</i>\"))");
    assert_eq!(nodes[9], "    out[\"price\"]");
    for label in ["715", "650", "1.1", "2.2", "110", "3.3", "165"] {
        assert!(
            mermaid.contains(&format!(">{label}<")) || mermaid.contains(&format!("\"{label}<")),
            "{label}"
        );
    }
    for name in [
        "apple",
        "apple_num",
        "orange",
        "orange_num",
        "tax",
        "orange_price",
        "all_price",
    ] {
        assert!(mermaid.contains(name), "{name}");
    }
    assert_eq!(mermaid, seed().to_mermaid(), "deterministic");
}

// ---------------------------------------------------------------- SVG

fn has_class(node: roxmltree::Node<'_, '_>, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|classes| classes.split_whitespace().any(|c| c == class))
}

fn texts_of_class(doc: &roxmltree::Document<'_>, class: &str) -> Vec<String> {
    doc.descendants()
        .filter(|node| node.has_tag_name("text") && has_class(*node, class))
        .map(|node| node.text().unwrap_or_default().to_owned())
        .collect()
}

fn all_texts(doc: &roxmltree::Document<'_>) -> Vec<String> {
    doc.descendants()
        .filter(|node| node.has_tag_name("text"))
        .map(|node| node.text().unwrap_or_default().to_owned())
        .collect()
}

#[derive(Clone, Copy, Debug)]
struct Box2 {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Box2 {
    fn overlaps(&self, other: &Self) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }
}

fn number(node: roxmltree::Node<'_, '_>, attribute: &str) -> f64 {
    node.attribute(attribute)
        .unwrap_or_else(|| panic!("<{}> without {attribute}", node.tag_name().name()))
        .parse()
        .expect("a number")
}

/// The bounding box of the shape (circle, ellipse or rect) of each node and
/// of the output label, by id.
fn shapes(doc: &roxmltree::Document<'_>) -> Vec<(String, Box2)> {
    doc.descendants()
        .filter(|node| {
            node.has_tag_name("g") && (has_class(*node, "node") || has_class(*node, "output"))
        })
        .map(|group| {
            let shape = group
                .children()
                .find(|child| ["circle", "ellipse", "rect"].contains(&child.tag_name().name()))
                .expect("a node has a shape");
            let bounds = match shape.tag_name().name() {
                "circle" => {
                    let (cx, cy, r) =
                        (number(shape, "cx"), number(shape, "cy"), number(shape, "r"));
                    Box2 {
                        x0: cx - r,
                        y0: cy - r,
                        x1: cx + r,
                        y1: cy + r,
                    }
                }
                "ellipse" => {
                    let (cx, cy) = (number(shape, "cx"), number(shape, "cy"));
                    let (rx, ry) = (number(shape, "rx"), number(shape, "ry"));
                    Box2 {
                        x0: cx - rx,
                        y0: cy - ry,
                        x1: cx + rx,
                        y1: cy + ry,
                    }
                }
                _ => {
                    let (x, y) = (number(shape, "x"), number(shape, "y"));
                    Box2 {
                        x0: x,
                        y0: y,
                        x1: x + number(shape, "width"),
                        y1: y + number(shape, "height"),
                    }
                }
            };
            (group.attribute("id").expect("an id").to_owned(), bounds)
        })
        .collect()
}

/// A lower bound of the box of an edge label (half an em per character),
/// from its anchor (middle) and baseline.
fn label_box(text: roxmltree::Node<'_, '_>) -> Box2 {
    let size = number(text, "font-size");
    let width = 0.5 * size * text.text().unwrap_or_default().chars().count() as f64;
    let (x, y) = (number(text, "x"), number(text, "y"));
    Box2 {
        x0: x - width / 2.0,
        y0: y - 0.7 * size,
        x1: x + width / 2.0,
        y1: y,
    }
}

/// No two node shapes overlap, no edge label overlaps a node shape or
/// another label, and everything lies inside the picture.
fn assert_clear(doc: &roxmltree::Document<'_>) {
    let root = doc.root_element();
    let (width, height) = (number(root, "width"), number(root, "height"));
    let shapes = shapes(doc);
    for (k, (a, box_a)) in shapes.iter().enumerate() {
        assert!(
            box_a.x0 >= 0.0 && box_a.y0 >= 0.0 && box_a.x1 <= width && box_a.y1 <= height,
            "{a} outside"
        );
        for (b, box_b) in &shapes[k + 1..] {
            assert!(
                !box_a.overlaps(box_b),
                "{a} {box_a:?} overlaps {b} {box_b:?}"
            );
        }
    }
    let labels: Vec<(String, Box2)> = doc
        .descendants()
        .filter(|node| {
            node.has_tag_name("text") && (has_class(*node, "value") || has_class(*node, "grad"))
        })
        .map(|text| (text.text().unwrap_or_default().to_owned(), label_box(text)))
        .collect();
    for (k, (text, label)) in labels.iter().enumerate() {
        assert!(
            label.x0 >= 0.0 && label.y0 >= 0.0 && label.x1 <= width && label.y1 <= height,
            "{text} outside"
        );
        for (id, shape) in &shapes {
            assert!(
                !label.overlaps(shape),
                "label {text} {label:?} on node {id} {shape:?}"
            );
        }
        for (other, other_box) in &labels[k + 1..] {
            assert!(
                !label.overlaps(other_box),
                "label {text} {label:?} on label {other} {other_box:?}"
            );
        }
    }
}

#[test]
fn svg_shows_every_value_gradient_and_name() {
    let graph = seed();
    let svg = graph.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );

    // one value and one gradient per edge, plus the output edge's
    let values = texts_of_class(&doc, "value");
    let grads = texts_of_class(&doc, "grad");
    assert_eq!(
        values,
        ["100", "2", "150", "3", "200", "450", "650", "1.1", "715"]
    );
    assert_eq!(
        grads,
        ["2.2", "110", "3.3", "165", "1.1", "1.1", "1.1", "650", "1"]
    );
    // gradients are drawn in another colour than values
    let fill = |class: &str| {
        doc.descendants()
            .find(|node| node.has_tag_name("text") && has_class(*node, class))
            .and_then(|node| node.attribute("fill"))
            .map(str::to_owned)
    };
    assert_ne!(fill("value"), fill("grad"));

    let all = all_texts(&doc);
    for expected in ["715", "650", "1.1", "2.2", "110", "3.3", "165"] {
        assert!(
            all.iter().any(|text| text == expected),
            "missing {expected}"
        );
    }
    for name in [
        "apple",
        "apple_num",
        "orange",
        "orange_num",
        "tax",
        "apple_price",
        "orange_price",
        "all_price",
        "price",
    ] {
        assert!(all.iter().any(|text| text == name), "missing {name}");
    }
    assert_eq!(all.iter().filter(|text| *text == "×").count(), 3);
    assert_eq!(all.iter().filter(|text| *text == "+").count(), 1);

    // every node is a group with an id and a shape, and the output label too
    let shapes = shapes(&doc);
    let ids: Vec<&str> = shapes.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        ids,
        ["n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "out"]
    );
    let layer = doc
        .descendants()
        .find(|node| node.attribute("id") == Some("n2"))
        .and_then(|node| node.attribute("data-layer"));
    assert_eq!(layer, Some("MulLayer"));
    assert_clear(&doc);
}

/// Hovering shows full precision: each node's printed line (an input's also
/// says which input it is), each edge's value and gradient.
#[test]
fn svg_tooltips_print_full_precision() {
    let graph = seed();
    let svg = graph.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    let title = |id: &str| {
        doc.descendants()
            .find(|node| node.attribute("id") == Some(id))
            .and_then(|group| group.children().find(|child| child.has_tag_name("title")))
            .and_then(|title| title.text())
            .unwrap_or_else(|| panic!("no title for {id}"))
            .to_owned()
    };
    assert_eq!(title("n0"), "n0 apple = input 0 = 100 | grad 2.2");
    assert_eq!(title("n7"), "n7 tax = input 4 = 1.1 | grad 650");
    assert_eq!(title("n8"), graph.describe(8));
    assert_eq!(title("n8"), "n8 = mul(n6, n7) = 715.0000000000001 | grad 1");
    assert_eq!(
        title("e1"),
        "n1 → n2 (operand 1): 2 | grad 110.00000000000001"
    );
    assert_eq!(title("e-out"), "price = n8: 715.0000000000001 | dout 1");
    let mixed = mixed();
    let svg = mixed.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|node| has_class(*node, "node"))
        .filter_map(|group| group.children().find(|child| child.has_tag_name("title")))
        .filter_map(|title| title.text())
        .collect();
    assert_eq!(titles.len(), mixed.nodes.len());
    // Past the inputs, every title is the node's printed line.
    for (id, title) in titles.iter().enumerate().skip(2) {
        assert_eq!(*title, mixed.describe(id));
    }
}

/// The book's reading: inputs at the left, the output at the right, each
/// operation to the right of its operands, values above their edge and
/// gradients below.
#[test]
fn svg_reads_left_to_right_with_values_above_gradients() {
    let svg = seed().to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    let shapes = shapes(&doc);
    let center = |id: &str| {
        let (_, b) = shapes.iter().find(|(other, _)| other == id).expect(id);
        ((b.x0 + b.x1) / 2.0, (b.y0 + b.y1) / 2.0)
    };
    for edge in &seed().edges {
        assert!(center(&format!("n{}", edge.from)).0 < center(&format!("n{}", edge.to)).0);
    }
    assert!(center("n8").0 < center("out").0);
    for group in doc.descendants().filter(|node| has_class(*node, "edge")) {
        let path = group
            .children()
            .find(|child| child.has_tag_name("path"))
            .expect("a path");
        let points: Vec<(f64, f64)> = path
            .attribute("d")
            .expect("d")
            .split(['M', 'L'])
            .filter(|point| !point.trim().is_empty())
            .map(|point| {
                let (x, y) = point.trim().split_once(',').expect("x,y");
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        let text = |class: &str| {
            group
                .children()
                .find(|child| child.has_tag_name("text") && has_class(*child, class))
                .map(|text| (number(text, "x"), number(text, "y")))
        };
        let (vx, vy) = text("value").expect("a value");
        let (gx, gy) = text("grad").expect("a gradient");
        // the line's height under each label, on the segment below it
        let line_y = |x: f64| {
            points
                .windows(2)
                .find(|pair| pair[0].0 <= x && x <= pair[1].0)
                .map(|pair| {
                    pair[0].1 + (x - pair[0].0) * (pair[1].1 - pair[0].1) / (pair[1].0 - pair[0].0)
                })
                .expect("label over its edge")
        };
        assert!(vy < line_y(vx), "value below its edge");
        assert!(gy - 0.7 * 13.0 > line_y(gx), "gradient above its edge");
    }
}

/// Names from a description are identifiers, but a constant's text or a
/// function's path may hold markup, and a `Graph`'s fields are public, so
/// every renderer escapes whatever text it draws.
#[test]
fn pictures_escape_text() {
    const MARKUP: &str = "\
n0 a = input
n1 b = input
n2 = constant <f64 as Scale<\"q\" & 'r'>>::FACTOR
n3 xy = call f::<T>(n0, n1)
n4 = call g<T>(n3, n2)
out = n4";
    let values = Values {
        leaves: &[1.0, 2.0, 0.5],
        exponents: &[],
        custom: &[(1.0, &[2.0, 3.0]), (0.5, &[0.5, 1.0])],
    };
    let mut graph = record(MARKUP, &values, Some(1.0));
    graph.nodes[0].name = Some("a<b");
    graph.nodes[1].name = Some("\"q\" & 'r'");
    graph.nodes[3].name = Some("x&y");
    graph.output.name = "<out>";
    let svg = graph.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    let all = all_texts(&doc);
    for name in [
        "a<b",
        "\"q\" & 'r'",
        "f::<T>",
        "g<T>",
        "x&y",
        "<out>",
        "<f64 as Scale<\"q\" & 'r'>>::FACTOR",
    ] {
        assert!(all.iter().any(|text| text == name), "missing {name}");
    }
    let dot = graph.to_dot();
    assert!(dot.contains(r#"label="\"q\" & 'r'""#), "{dot}");
    assert!(dot.contains("<I>x&amp;y</I>"), "{dot}");
    assert!(
        dot.contains(r#"n2 [label="<f64 as Scale<\"q\" & 'r'>>::FACTOR", shape=box"#),
        "{dot}"
    );
    let mermaid = graph.to_mermaid();
    assert!(mermaid.contains("n0[\"a#lt;b\"]"), "{mermaid}");
    assert!(mermaid.contains("#quot;q#quot; #amp; 'r'"), "{mermaid}");
    assert!(mermaid.contains("n4([\"g#lt;T#gt;\"])"), "{mermaid}");
}

/// The seed's three pictures are byte for byte the ones the repository
/// commits in `docs/` (the `graph` example writes them), so recording the
/// numbers instead of recomputing them changed no picture.
#[test]
fn the_seed_pictures_are_the_committed_ones() {
    let graph = seed();
    for (file, committed, fresh) in [
        (
            "apple_orange.svg",
            include_str!("../../docs/apple_orange.svg"),
            graph.to_svg(),
        ),
        (
            "apple_orange.dot",
            include_str!("../../docs/apple_orange.dot"),
            graph.to_dot(),
        ),
        (
            "apple_orange.mmd",
            include_str!("../../docs/apple_orange.mmd"),
            graph.to_mermaid(),
        ),
    ] {
        assert!(committed == fresh, "docs/{file} differs:\n{fresh}");
    }
}

#[test]
fn rendering_is_deterministic() {
    for graph in [seed(), fan_out(), mixed()] {
        assert_eq!(graph.to_svg(), graph.clone().to_svg());
        assert_eq!(graph.to_dot(), graph.clone().to_dot());
        assert_eq!(graph.to_mermaid(), graph.clone().to_mermaid());
    }
}

/// A larger formula: a sum of products over many inputs, with a shared
/// scale, every intermediate named. The layout must stay clear at any size.
#[test]
fn larger_graphs_stay_clear() {
    let mut lines = vec!["n0 scale = input".to_owned()];
    let mut sum = None;
    for k in 0..24 {
        let input = lines.len();
        lines.push(format!("n{input} {} = input", ["a", "b", "c", "d"][k % 4]));
        let product = lines.len();
        lines.push(format!("n{product} t{k} = mul(n{input}, n0)"));
        let activated = lines.len();
        lines.push(format!("n{activated} = tanh(n{product})"));
        sum = Some(match sum {
            None => activated,
            Some(previous) => {
                let next = lines.len();
                lines.push(format!("n{next} = add(n{previous}, n{activated})"));
                next
            }
        });
    }
    lines.push(format!("total = n{}", sum.expect("a sum")));
    let description: &'static str = Box::leak(lines.join("\n").into_boxed_str());
    let inputs: Vec<f64> = (0..25).map(|k| 0.1 * f64::from(k) - 1.0).collect();
    let graph = record(description, &Values::leaves(&inputs), Some(1.0));
    assert_eq!(graph.nodes.len(), 1 + 24 * 3 + 23);
    assert!(graph.nodes.iter().all(|node| node.grad.is_some()));
    let svg = graph.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    assert_eq!(shapes(&doc).len(), graph.nodes.len() + 1);
    assert_eq!(texts_of_class(&doc, "value").len(), graph.edges.len() + 1);
    assert_eq!(texts_of_class(&doc, "grad").len(), graph.edges.len() + 1);
    assert_clear(&doc);
}

/// A value reused by every node of a long chain makes a quadratic number of
/// edge crossings; the picture degrades but must still be made, and quickly.
#[test]
fn pathological_graphs_still_render() {
    let mut lines = vec!["n0 x = input".to_owned()];
    lines.extend((1..=400).map(|k| format!("n{k} = mul(n{}, n0)", k - 1)));
    lines.push("power = n400".to_owned());
    let description: &'static str = Box::leak(lines.join("\n").into_boxed_str());
    let graph = record(description, &Values::leaves(&[1.001]), Some(1.0));
    let svg = graph.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    assert_eq!(shapes(&doc).len(), 402);
}
