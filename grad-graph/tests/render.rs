//! The runtime graph and its pictures, against hand-built specs: the seed's
//! apple/orange bill (the book's figure), a value used three times
//! (`x * x + x`), and a formula with `powi`, a constant and a custom function.
//!
//! Values and gradients are checked bit for bit: `Graph::evaluate` runs the
//! same layers as the seed, in the same order, so it must print the seed's
//! `715.0000000000001` and `110.00000000000001`. DOT and Mermaid are checked
//! for structure and labels; the SVG is parsed with a real XML parser, and its
//! geometry is checked: every label present, no two nodes overlapping, no
//! label on a node.

use grad_core::ops::OpKind;
use grad_core::{AddLayer, MulLayer};
use grad_graph::{
    Graph, GraphError, GraphSpec, GraphValues, NodeKind, NodeSpec, NodeSpecKind, format_compact,
};

const fn input(name: &'static str) -> NodeSpec {
    NodeSpec {
        kind: NodeSpecKind::Input,
        name: Some(name),
    }
}

const fn op(op: OpKind, operands: &'static [usize], name: Option<&'static str>) -> NodeSpec {
    NodeSpec {
        kind: NodeSpecKind::Operation { op, operands },
        name,
    }
}

/// price = (apple * apple_num + orange * orange_num) * tax, with the seed's
/// intermediate names, in the order the seed computes it.
const SEED: GraphSpec = GraphSpec {
    nodes: &[
        input("apple"),
        input("apple_num"),
        op(OpKind::Mul, &[0, 1], Some("apple_price")),
        input("orange"),
        input("orange_num"),
        op(OpKind::Mul, &[3, 4], Some("orange_price")),
        op(OpKind::Add, &[2, 5], Some("all_price")),
        input("tax"),
        op(OpKind::Mul, &[6, 7], Some("price")),
    ],
    output: 8,
    output_name: "price",
};

const SEED_INPUTS: [f64; 5] = [100.0, 2.0, 150.0, 3.0, 1.1];

/// y = x * x + x: `x` feeds three edges, two of them into the same node.
const FAN_OUT: GraphSpec = GraphSpec {
    nodes: &[
        input("x"),
        op(OpKind::Mul, &[0, 0], None),
        op(OpKind::Add, &[1, 0], Some("y")),
    ],
    output: 2,
    output_name: "y",
};

/// z = sigmoid(softplus(x.powi(n), w) - 2), with `softplus` a user function.
const MIXED: GraphSpec = GraphSpec {
    nodes: &[
        input("x"),
        input("w"),
        op(OpKind::Powi, &[0], Some("cube")),
        NodeSpec {
            kind: NodeSpecKind::Constant(2.0),
            name: None,
        },
        NodeSpec {
            kind: NodeSpecKind::Custom {
                function: "softplus",
                operands: &[2, 1],
            },
            name: Some("s"),
        },
        op(OpKind::Sub, &[4, 3], None),
        op(OpKind::Sigmoid, &[5], Some("z")),
    ],
    output: 6,
    output_name: "z",
};

fn seed() -> Graph {
    Graph::evaluate(&SEED, GraphValues::new(&SEED_INPUTS), Some(1.0))
}

fn fan_out() -> Graph {
    Graph::evaluate(&FAN_OUT, GraphValues::new(&[3.0]), Some(1.0))
}

const MIXED_PARTIALS: [f64; 2] = [0.75, -0.5];

fn mixed() -> Graph {
    let custom = [(3.5, &MIXED_PARTIALS[..])];
    let values = GraphValues {
        inputs: &[1.5, 0.25],
        exponents: &[3],
        custom: &custom,
    };
    Graph::evaluate(&MIXED, values, Some(1.0))
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
    assert_eq!(value(&graph, "price"), 715.000_000_000_000_1);
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
    assert_eq!(grad(&graph, "price"), 1.0);
}

/// The seed's own computation, layer by layer, must agree bit for bit.
#[test]
fn evaluation_matches_the_layers_run_by_hand() {
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

    let graph = Graph::evaluate(&SEED, GraphValues::new(&SEED_INPUTS), Some(dprice));
    let bits = |x: f64| x.to_bits();
    assert_eq!(bits(graph.output.value), bits(price));
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
    let graph = Graph::evaluate(&SEED, GraphValues::new(&SEED_INPUTS), None);
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
    assert_eq!(graph.nodes[0].kind, NodeKind::Input { index: 0 });
    assert_eq!(graph.nodes[7].kind, NodeKind::Input { index: 4 });
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
    assert_eq!(graph.outgoing(6).count(), 1);
}

#[test]
fn display_prints_one_line_per_node_at_full_precision() {
    let text = seed().to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10);
    assert_eq!(lines[0], "n0 apple = input 0 = 100 | grad 2.2");
    assert_eq!(
        lines[1],
        "n1 apple_num = input 1 = 2 | grad 110.00000000000001"
    );
    assert_eq!(lines[2], "n2 apple_price = mul(n0, n1) = 200 | grad 1.1");
    assert_eq!(
        lines[8],
        "n8 price = mul(n6, n7) = 715.0000000000001 | grad 1"
    );
    assert_eq!(lines[9], "price = n8 = 715.0000000000001 | dout 1");
    let mixed = mixed().to_string();
    assert!(mixed.contains("n2 cube = powi(n0, 3) = 3.375"), "{mixed}");
    assert!(mixed.contains("n3 = const = 2"), "{mixed}");
    assert!(mixed.contains("n4 s = softplus(n2, n1) = 3.5"), "{mixed}");
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
fn powi_constant_and_custom_nodes() {
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
    assert_eq!(graph.nodes[3].kind, NodeKind::Constant);
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
    let (z, [dsub, _]) = OpKind::Sigmoid.evaluate(&[1.5], 0, 1.0);
    let (_, [ds, dconst]) = OpKind::Sub.evaluate(&[3.5, 2.0], 0, dsub);
    let (dcube, dw) = (ds * MIXED_PARTIALS[0], ds * MIXED_PARTIALS[1]);
    let (_, [dx, _]) = OpKind::Powi.evaluate(&[1.5], 3, dcube);
    assert_eq!(graph.output.value, z);
    assert_eq!(edge_grad(&graph, 5, 6), dsub);
    assert_eq!(edge_grad(&graph, 4, 5), ds);
    assert_eq!(edge_grad(&graph, 3, 5), dconst);
    assert_eq!(edge_grad(&graph, 2, 4), dcube);
    assert_eq!(edge_grad(&graph, 1, 4), dw);
    assert_eq!(edge_grad(&graph, 0, 2), dx);
    assert_eq!(grad(&graph, "x"), dx);

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

#[test]
fn mismatched_values_are_reported() {
    let values = GraphValues::new(&[1.0, 2.0]);
    assert_eq!(
        Graph::try_evaluate(&SEED, values, None),
        Err(GraphError::Inputs {
            expected: 5,
            found: 2
        })
    );
    let no_exponent = GraphValues {
        inputs: &[1.0, 2.0],
        exponents: &[],
        custom: &[(1.0, &[1.0, 1.0])],
    };
    assert_eq!(
        Graph::try_evaluate(&MIXED, no_exponent, None),
        Err(GraphError::Exponents {
            expected: 1,
            found: 0
        })
    );
    let short_partials = GraphValues {
        inputs: &[1.0, 2.0],
        exponents: &[2],
        custom: &[(1.0, &[1.0])],
    };
    // The partials are read only by backward.
    assert!(Graph::try_evaluate(&MIXED, short_partials, None).is_ok());
    assert_eq!(
        Graph::try_evaluate(&MIXED, short_partials, Some(1.0)),
        Err(GraphError::Partials {
            node: 4,
            expected: 2,
            found: 1
        })
    );
    const BAD_ORDER: GraphSpec = GraphSpec {
        nodes: &[op(OpKind::Neg, &[1], None), input("x")],
        output: 0,
        output_name: "y",
    };
    assert_eq!(
        Graph::try_evaluate(&BAD_ORDER, GraphValues::new(&[1.0]), None),
        Err(GraphError::Operand {
            node: 0,
            operand: 1
        })
    );
    const BAD_ARITY: GraphSpec = GraphSpec {
        nodes: &[input("x"), op(OpKind::Mul, &[0], None)],
        output: 1,
        output_name: "y",
    };
    let error = Graph::try_evaluate(&BAD_ARITY, GraphValues::new(&[1.0]), None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "node 1 (MulLayer) takes 2 operands but has 1"
    );
    const EMPTY: GraphSpec = GraphSpec {
        nodes: &[],
        output: 0,
        output_name: "y",
    };
    assert_eq!(
        Graph::try_evaluate(&EMPTY, GraphValues::new(&[]), None),
        Err(GraphError::Output {
            output: 0,
            nodes: 0
        })
    );
}

#[test]
#[should_panic(expected = "Graph::evaluate: the spec has 5 inputs but 4 input values were given")]
fn evaluate_panics_with_the_reason() {
    let _ = Graph::evaluate(&SEED, GraphValues::new(&[1.0; 4]), None);
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
    const SPEC: GraphSpec = GraphSpec {
        nodes: &[
            input("apple"),
            input("tax"),
            op(OpKind::Mul, &[0, 1], Some("price")),
        ],
        output: 2,
        output_name: "price",
    };
    let graph = Graph::evaluate(&SPEC, GraphValues::new(&[100.0, 1.1]), Some(1.0));
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

#[test]
fn svg_escapes_names() {
    const SPEC: GraphSpec = GraphSpec {
        nodes: &[
            input("a<b"),
            input("\"q\" & 'r'"),
            NodeSpec {
                kind: NodeSpecKind::Custom {
                    function: "f<T>",
                    operands: &[0, 1],
                },
                name: Some("x&y"),
            },
        ],
        output: 2,
        output_name: "<out>",
    };
    let custom = [(1.0, &[2.0, 3.0][..])];
    let values = GraphValues {
        inputs: &[1.0, 2.0],
        exponents: &[],
        custom: &custom,
    };
    let graph = Graph::evaluate(&SPEC, values, Some(1.0));
    let svg = graph.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    let all = all_texts(&doc);
    for name in ["a<b", "\"q\" & 'r'", "f<T>", "x&y", "<out>"] {
        assert!(all.iter().any(|text| text == name), "missing {name}");
    }
    let dot = graph.to_dot();
    assert!(dot.contains(r#"label="\"q\" & 'r'""#), "{dot}");
    assert!(dot.contains("<I>x&amp;y</I>"), "{dot}");
    let mermaid = graph.to_mermaid();
    assert!(mermaid.contains("n0[\"a#lt;b\"]"), "{mermaid}");
    assert!(mermaid.contains("#quot;q#quot; #amp; 'r'"), "{mermaid}");
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
    let mut nodes = vec![input("scale")];
    let names: Vec<&'static str> = (0..24)
        .map(|k| &*Box::leak(format!("t{k}").into_boxed_str()))
        .collect();
    let mut sum = None;
    for (k, name) in names.iter().enumerate() {
        nodes.push(input(["a", "b", "c", "d"][k % 4]));
        let product = nodes.len();
        nodes.push(op(
            OpKind::Mul,
            Box::leak(vec![product - 1, 0].into_boxed_slice()),
            Some(name),
        ));
        let activated = nodes.len();
        nodes.push(op(
            OpKind::Tanh,
            Box::leak(vec![product].into_boxed_slice()),
            None,
        ));
        sum = Some(match sum {
            None => activated,
            Some(previous) => {
                nodes.push(op(
                    OpKind::Add,
                    Box::leak(vec![previous, activated].into_boxed_slice()),
                    None,
                ));
                nodes.len() - 1
            }
        });
    }
    let spec = GraphSpec {
        nodes: Box::leak(nodes.into_boxed_slice()),
        output: sum.expect("a sum"),
        output_name: "total",
    };
    let inputs: Vec<f64> = (0..25).map(|k| 0.1 * f64::from(k) - 1.0).collect();
    let graph = Graph::evaluate(&spec, GraphValues::new(&inputs), Some(1.0));
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
    let mut nodes = vec![input("x")];
    for k in 1..=400 {
        nodes.push(op(
            OpKind::Mul,
            Box::leak(vec![k - 1, 0].into_boxed_slice()),
            None,
        ));
    }
    let spec = GraphSpec {
        nodes: Box::leak(nodes.into_boxed_slice()),
        output: 400,
        output_name: "power",
    };
    let graph = Graph::evaluate(&spec, GraphValues::new(&[1.001]), Some(1.0));
    let svg = graph.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    assert_eq!(shapes(&doc).len(), 402);
}
