//! Reading descriptions: every kind of node, names in any script, constants
//! whose source has spaces and commas, paths of user functions, every
//! operation of the table by name, and every way a description can be wrong.

use grad_core::ops::{OPERATIONS, OpKind, Shape};
use grad_graph::{DescriptionError, DescriptionErrorKind, Graph, NodeKind, Recorder};

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

fn parse(description: &'static str) -> Graph {
    Graph::from_description(description)
        .unwrap_or_else(|error| panic!("{error}\nin\n{description}"))
}

fn error(description: &'static str) -> DescriptionError {
    match Graph::from_description(description) {
        Ok(graph) => panic!("no error for\n{description}\nread as\n{graph}"),
        Err(error) => error,
    }
}

/// The line and kind of the error `description` gives.
fn fault(description: &'static str) -> (usize, DescriptionErrorKind) {
    let error = error(description);
    (error.line(), error.kind().clone())
}

#[test]
fn the_seed_reads_as_its_graph() {
    let graph = parse(SEED);
    let nodes: Vec<(usize, NodeKind, Option<&str>)> = graph
        .nodes
        .iter()
        .map(|node| (node.id, node.kind, node.name))
        .collect();
    let mul = NodeKind::Operation {
        op: OpKind::Mul,
        exponent: None,
    };
    let add = NodeKind::Operation {
        op: OpKind::Add,
        exponent: None,
    };
    assert_eq!(
        nodes,
        [
            (0, NodeKind::Input, Some("apple")),
            (1, NodeKind::Input, Some("apple_num")),
            (2, mul, Some("apple_price")),
            (3, NodeKind::Input, Some("orange")),
            (4, NodeKind::Input, Some("orange_num")),
            (5, mul, Some("orange_price")),
            (6, add, Some("all_price")),
            (7, NodeKind::Input, Some("tax")),
            (8, mul, None),
        ]
    );
    // Edges by the node they enter, then by operand position.
    let edges: Vec<(usize, usize, usize)> = graph
        .edges
        .iter()
        .map(|edge| (edge.from, edge.to, edge.position))
        .collect();
    assert_eq!(
        edges,
        [
            (0, 2, 0),
            (1, 2, 1),
            (3, 5, 0),
            (4, 5, 1),
            (2, 6, 0),
            (5, 6, 1),
            (6, 8, 0),
            (7, 8, 1)
        ]
    );
    assert_eq!((graph.output.node, graph.output.name), (8, "price"));
}

#[test]
fn a_skeleton_has_no_numbers() {
    let graph = parse(SEED);
    assert!(graph.nodes.iter().all(|node| node.value.is_nan()));
    assert!(graph.nodes.iter().all(|node| node.grad.is_none()));
    assert!(graph.edges.iter().all(|edge| edge.value.is_nan()));
    assert!(graph.edges.iter().all(|edge| edge.grad.is_none()));
    assert!(graph.output.value.is_nan());
    assert_eq!(graph.output.dout, None);
    assert!(!graph.has_gradients());
    // A recorder that was told nothing gives the same skeleton.
    assert_eq!(
        Recorder::new(SEED).finish().to_string(),
        graph.to_string(),
        "NaN != NaN, so compare the printed forms"
    );
}

#[test]
fn names_and_texts_are_borrowed_from_the_description() {
    // A static, not a const: one address to compare with.
    static DESCRIPTION: &str = "\
n0 x = input
n1 = constant std::f64::consts::PI
n2 = call helpers::f(n0, n1)
y = n2";
    let graph = parse(DESCRIPTION);
    let inside = |text: &str| {
        DESCRIPTION
            .as_bytes()
            .as_ptr_range()
            .contains(&text.as_ptr())
    };
    assert!(inside(graph.nodes[0].name.unwrap()));
    let NodeKind::Constant { text } = graph.nodes[1].kind else {
        panic!("a constant")
    };
    assert!(inside(text));
    let NodeKind::Custom { function } = graph.nodes[2].kind else {
        panic!("a call")
    };
    assert!(inside(function));
    assert!(inside(graph.output.name));
}

#[test]
fn names_may_be_in_any_script() {
    let graph = parse("n0 ñ = input\nn1 変数 = exp(n0)\nn2 _x1 = neg(n1)\nрезультат = n2");
    assert_eq!(graph.nodes[0].name, Some("ñ"));
    assert_eq!(graph.find("変数").map(|node| node.id), Some(1));
    assert_eq!(graph.nodes[2].name, Some("_x1"));
    assert_eq!(graph.output.name, "результат");
}

#[test]
fn literals_are_read_as_f64_debug_prints_them() {
    let graph = parse(
        "n0 = literal 2.0\nn1 = literal -0.5\nn2 = literal 1e-7\nn3 = literal 1e300\n\
         n4 = literal inf\nn5 = literal NaN\nn6 = add(n0, n1)\ny = n6",
    );
    assert!(
        graph.nodes[..6]
            .iter()
            .all(|node| node.kind == NodeKind::Literal)
    );
    // The value is what the generated code reports, not the text.
    assert!(graph.nodes.iter().all(|node| node.value.is_nan()));
}

#[test]
fn constants_are_the_rest_of_the_line() {
    let graph = parse(
        "n0 = constant std::f64::consts::PI\n\
         n1 = constant T::one()\n\
         n2 = constant <f64>::EPSILON\n\
         n3 eps = constant <f64 as Float>::epsilon()\n\
         n4 = constant grad::constant(2.5)\n\
         n5 = constant f(1, 2) + g::<A, B>() * (3 - 1)\n\
         n6 = constant x = y\n\
         n7 = hypot(n0, n1)\n\
         y = n7",
    );
    let texts: Vec<&str> = graph.nodes[..7]
        .iter()
        .map(|node| match node.kind {
            NodeKind::Constant { text } => text,
            kind => panic!("{kind:?} is not a constant"),
        })
        .collect();
    assert_eq!(
        texts,
        [
            "std::f64::consts::PI",
            "T::one()",
            "<f64>::EPSILON",
            "<f64 as Float>::epsilon()",
            "grad::constant(2.5)",
            "f(1, 2) + g::<A, B>() * (3 - 1)",
            "x = y",
        ]
    );
    assert_eq!(graph.nodes[3].name, Some("eps"));
}

#[test]
fn calls_name_their_function_by_its_path() {
    let graph = parse(
        "n0 x = input\nn1 y = input\nn2 = call softplus(n0)\nn3 = call helpers::f(n0, n1)\n\
         n4 h = call Self::h(n2, n3, n0)\nn5 = call f::<f64>(n4)\nz = n5",
    );
    let calls: Vec<(&str, Vec<usize>)> = (2..6)
        .map(|id| match graph.nodes[id].kind {
            NodeKind::Custom { function } => {
                (function, graph.incoming(id).map(|edge| edge.from).collect())
            }
            kind => panic!("{kind:?} is not a call"),
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("softplus", vec![0]),
            ("helpers::f", vec![0, 1]),
            ("Self::h", vec![2, 3, 0]),
            ("f::<f64>", vec![4]),
        ]
    );
    assert_eq!(graph.nodes[4].name, Some("h"));
}

#[test]
fn every_operation_of_the_table_is_read_by_name() {
    for operation in OPERATIONS {
        let description: &'static str = Box::leak(
            match operation.shape.differentiable_operands() {
                1 => format!(
                    "n0 x = input\nn1 y = input\nn2 = {}(n1)\nz = n2",
                    operation.name
                ),
                _ => format!(
                    "n0 x = input\nn1 y = input\nn2 = {}(n0, n1)\nz = n2",
                    operation.name
                ),
            }
            .into_boxed_str(),
        );
        let graph = parse(description);
        assert_eq!(
            graph.nodes[2].kind,
            NodeKind::Operation {
                op: operation.kind,
                exponent: None
            },
            "{}",
            operation.name
        );
        assert_eq!(graph.nodes[2].kind.layer(), Some(operation.layer));
        assert_eq!(graph.nodes[2].kind.symbol(), Some(operation.symbol));
        assert_eq!(
            graph.incoming(2).count(),
            operation.shape.differentiable_operands()
        );
    }
    // powi's exponent is not a node: one operand.
    let powi = OPERATIONS
        .iter()
        .find(|operation| operation.shape == Shape::UnaryInt)
        .expect("powi");
    assert_eq!(powi.name, "powi");
    assert_eq!(parse("n0 x = input\nn1 = powi(n0)\ny = n1").edges.len(), 1);
}

#[test]
fn a_trailing_newline_is_allowed() {
    assert_eq!(parse("n0 x = input\ny = n0\n").nodes.len(), 1);
}

#[test]
fn the_output_may_be_any_node() {
    let graph = parse("n0 x = input\nn1 = neg(n0)\nx = n0");
    assert_eq!((graph.output.node, graph.output.name), (0, "x"));
    // The last line is always the output, even with a name like a node's.
    let graph = parse("n0 x = input\nn1 = neg(n0)\nn0 = n1");
    assert_eq!((graph.output.node, graph.output.name), (1, "n0"));
}

#[test]
fn the_output_line_must_come_last_and_name_a_node() {
    use DescriptionErrorKind::{Malformed, MissingOutput, UnknownOutput};
    assert_eq!(fault(""), (1, MissingOutput));
    assert_eq!(error("").text(), "");
    assert_eq!(fault("n0 x = input"), (1, MissingOutput));
    assert_eq!(fault("n0 x = input\nn1 = neg(n0)"), (2, MissingOutput));
    assert_eq!(fault("n0 x = input\ny = 0"), (2, MissingOutput));
    assert_eq!(fault("n0 x = input\ny = n00"), (2, MissingOutput));
    assert_eq!(fault("n0 x = input\ny n0"), (2, MissingOutput));
    assert_eq!(fault("n0 x = input\nr#y = n0"), (2, MissingOutput));
    assert_eq!(
        fault("n0 x = input\ny = n1"),
        (2, UnknownOutput { node: 1 })
    );
    assert_eq!(fault("y = n0"), (1, UnknownOutput { node: 0 }));
    // An output line before the last is not a node line.
    assert!(matches!(
        fault("n0 x = input\ny = n0\nn1 = neg(n0)\nz = n1"),
        (2, Malformed { .. })
    ));
}

#[test]
fn node_lines_count_up_from_n0() {
    use DescriptionErrorKind::{Malformed, OutOfOrder};
    assert_eq!(
        fault("n0 x = input\nn2 = neg(n0)\ny = n2"),
        (
            2,
            OutOfOrder {
                expected: 1,
                found: 2
            }
        )
    );
    assert_eq!(
        fault("n1 x = input\ny = n1"),
        (
            1,
            OutOfOrder {
                expected: 0,
                found: 1
            }
        )
    );
    for bad in [
        "x = input\ny = n0",
        "n x = input\ny = n0",
        "n00 x = input\ny = n0",
        "N0 x = input\ny = n0",
        "\ny = n0",
        "n0x = input\ny = n0",
        "n0 x input\ny = n0",
        "n0 x =input\ny = n0",
        "n0  x = input\ny = n0",
        "n0=input\ny = n0",
    ] {
        assert!(
            matches!(fault(bad), (1, Malformed { .. })),
            "{bad:?}: {}",
            error(bad)
        );
    }
}

#[test]
fn names_are_identifiers_and_inputs_have_one() {
    use DescriptionErrorKind::{InputWithoutName, InvalidName};
    assert_eq!(fault("n0 = input\ny = n0"), (1, InputWithoutName));
    for name in ["r#type", "1x", "a-b", "a::b", "x(y)"] {
        let description: &'static str =
            Box::leak(format!("n0 {name} = input\ny = n0").into_boxed_str());
        assert_eq!(fault(description), (1, InvalidName { name }), "{name}");
    }
}

#[test]
fn expressions_are_one_of_five_forms() {
    use DescriptionErrorKind::{InvalidLiteral, Malformed, UnknownOperation};
    assert_eq!(
        fault("n0 x = input\nn1 = literal two\ny = n1"),
        (2, InvalidLiteral { text: "two" })
    );
    assert_eq!(
        fault("n0 x = input\nn1 = literal \ny = n1"),
        (2, InvalidLiteral { text: "" })
    );
    assert_eq!(
        fault("n0 x = input\nn1 = frobnicate(n0)\ny = n1"),
        (2, UnknownOperation { name: "frobnicate" })
    );
    // Table entries are found by name, not by how Rust spells them.
    assert_eq!(
        fault("n0 x = input\nn1 = sub(n0, n0)\nn2 = -(n1)\ny = n2").0,
        3
    );
    for bad in [
        "n1 = input 0",
        "n1 = const",
        "n1 = literal",
        "n1 = constant ",
        "n1 = constant    ",
        "n1 = neg",
        "n1 = neg n0",
        "n1 = neg(n0",
        "n1 = neg[n0]",
        "n1 = mul(n0,n0)",
        "n1 = mul(n0,  n0)",
        "n1 = neg(x)",
        "n1 = neg(0)",
        "n1 = neg(n0) ",
        "n1 = ne g(n0)",
        "n1 = call (n0)",
        "n1 = call a b(n0)",
        "n1 = call f()",
        "n1 = powi(n0, 3)",
    ] {
        let description: &'static str =
            Box::leak(format!("n0 x = input\n{bad}\ny = n1").into_boxed_str());
        assert!(
            matches!(fault(description), (2, Malformed { .. })),
            "{bad:?}: {}",
            error(description)
        );
    }
}

#[test]
fn operations_take_their_operands_and_only_earlier_ones() {
    use DescriptionErrorKind::{OperandCount, OperandNotEarlier};
    assert_eq!(
        fault("n0 x = input\nn1 = mul(n0)\ny = n1"),
        (
            2,
            OperandCount {
                operation: "mul",
                expected: 2,
                found: 1
            }
        )
    );
    assert_eq!(
        fault("n0 x = input\nn1 = exp(n0, n0)\ny = n1"),
        (
            2,
            OperandCount {
                operation: "exp",
                expected: 1,
                found: 2
            }
        )
    );
    assert_eq!(
        fault("n0 x = input\nn1 = neg()\ny = n1"),
        (
            2,
            OperandCount {
                operation: "neg",
                expected: 1,
                found: 0
            }
        )
    );
    assert_eq!(
        fault("n0 x = input\nn1 = neg(n1)\ny = n1"),
        (2, OperandNotEarlier { operand: 1 })
    );
    assert_eq!(
        fault("n0 x = input\nn1 = add(n0, n7)\ny = n1"),
        (2, OperandNotEarlier { operand: 7 })
    );
    assert_eq!(
        fault("n0 x = input\nn1 = call f(n0, n2)\nn2 = neg(n0)\ny = n2"),
        (2, OperandNotEarlier { operand: 2 })
    );
}

#[test]
fn errors_say_which_line_and_why() {
    let error = error("n0 x = input\nn1 = mul(n0)\ny = n1");
    assert_eq!(error.line(), 2);
    assert_eq!(error.text(), "n1 = mul(n0)");
    assert_eq!(
        error.to_string(),
        "graph description, line 2 `n1 = mul(n0)`: `mul` takes 2 operands but has 1"
    );
    let error: Box<dyn std::error::Error> = Box::new(error);
    assert!(error.source().is_none());
    let messages = [
        ("", "the last line must name the output: `{name} = n{id}`"),
        (
            "y = n0",
            "the output is n0, which is not a node of the graph",
        ),
        ("n0 = input\ny = n0", "an input must have a name"),
        ("n0 r#x = input\ny = n0", "`r#x` is not an identifier"),
        (
            "n0 x = input\nn1 = literal 1,5\ny = n1",
            "the literal `1,5` is not a number",
        ),
        (
            "n0 x = input\nn1 = neg(n1)\ny = n1",
            "operand n1 does not come before this node",
        ),
        ("n1 x = input\ny = n1", "node n1 where n0 was expected"),
        (
            "n0 x = input\nn1 = exp(n0, n0)\ny = n1",
            "`exp` takes 1 operand but has 2",
        ),
        (
            "n0 x = input\nn1 = neg n0\ny = n1",
            "malformed line, expected `input`",
        ),
    ];
    for (description, message) in messages {
        let text = Graph::from_description(description)
            .expect_err(description)
            .to_string();
        assert!(text.contains(message), "{text:?} lacks {message:?}");
    }
}

#[test]
#[should_panic(
    expected = "graph description, line 2 `n1 = frobnicate(n0)`: unknown operation `frobnicate`"
)]
fn a_recorder_panics_on_a_malformed_description() {
    let _ = Recorder::new("n0 x = input\nn1 = frobnicate(n0)\ny = n1");
}
