//! The graph of a `grad!` value, in both forms: nodes, values, edge
//! gradients, and the committed picture in `docs/` kept up to date.

use grad::grad;

fn seed_graph() -> grad::Graph {
    let (apple, apple_num, orange, orange_num, tax) = (100.0, 2.0, 150.0, 3.0, 1.1);
    let g = grad! {
        let apple_price = apple * apple_num;
        let orange_price = orange * orange_num;
        let all_price = apple_price + orange_price;
        price = all_price * tax
    };
    g.graph_with_gradients(1.0)
}

#[test]
fn the_seed_graph_has_every_value_and_gradient() {
    let graph = seed_graph();
    assert_eq!(graph.nodes.len(), 9);
    assert_eq!(graph.edges.len(), 8);
    assert_eq!(graph.output.value, 715.0000000000001);
    let node = |name: &str| graph.find(name).unwrap_or_else(|| panic!("no node {name}"));
    assert_eq!(
        (node("apple").value, node("apple").grad),
        (100.0, Some(2.2))
    );
    assert_eq!(node("apple_num").grad, Some(110.00000000000001));
    assert_eq!(node("orange").grad, Some(3.3000000000000003));
    assert_eq!(node("orange_num").grad, Some(165.0));
    assert_eq!(node("tax").grad, Some(650.0));
    assert_eq!(
        (node("all_price").value, node("all_price").grad),
        (650.0, Some(1.1))
    );
    // The edge from all_price into the last multiplication carries 650 forward and 1.1 back.
    let edge = graph.outgoing(node("all_price").id).next().unwrap();
    assert_eq!((edge.value, edge.grad), (650.0, Some(1.1)));
}

#[test]
fn without_backward_the_graph_has_values_only() {
    let x = 2.0_f64;
    let g = grad!(y = x * x + 1.0);
    let graph = g.graph();
    assert!(!graph.has_gradients());
    assert_eq!(graph.output.value, 5.0);
    assert_eq!(graph.nodes.len(), 4, "x, x*x, 1, +");
    let with = g.graph_with_gradients(1.0);
    assert_eq!(
        with.find("x").unwrap().grad,
        Some(4.0),
        "fan-out sums both edges"
    );
}

grad! {
    fn cube_plus(x: f64, y: f64) -> f64 {
        let c = x.powi(3);
        c + softplus(y)
    }
}

fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

fn softplus_grad(x: f64) -> (f64, f64) {
    (softplus(x), grad::sigmoid(x))
}

#[test]
fn the_function_form_draws_powi_and_custom_operations() {
    let graph = cube_plus_graph(2.0, 0.0);
    assert_eq!(graph.output.value, cube_plus(2.0, 0.0));
    assert_eq!(graph.find("c").unwrap().value, 8.0);
    assert_eq!(graph.find("x").unwrap().grad, Some(12.0));
    assert_eq!(graph.find("y").unwrap().grad, Some(0.5));
    assert_eq!(graph.find("c").unwrap().label(), "powi(3)");
    let x = 2.0_f64;
    let inline = grad! {
        let c = x.powi(3);
        y = c * 2.0
    };
    assert_eq!(inline.graph().find("c").unwrap().label(), "powi(3)");
    let svg = graph.to_svg();
    assert!(svg.contains("softplus"));
    assert_eq!(cube_plus_grad(2.0, 0.0).1.x, 12.0);
}

#[test]
fn the_committed_picture_is_up_to_date() {
    let graph = seed_graph();
    for (file, committed, fresh) in [
        (
            "apple_orange.svg",
            include_str!("../docs/apple_orange.svg"),
            graph.to_svg(),
        ),
        (
            "apple_orange.dot",
            include_str!("../docs/apple_orange.dot"),
            graph.to_dot(),
        ),
        (
            "apple_orange.mmd",
            include_str!("../docs/apple_orange.mmd"),
            graph.to_mermaid(),
        ),
        (
            "rosenbrock_loop.svg",
            include_str!("../docs/rosenbrock_loop.svg"),
            rosenbrock_sum_graph(&X5).to_svg(),
        ),
    ] {
        assert!(
            committed == fresh,
            "docs/{file} is out of date: run `cargo run --example graph`"
        );
    }
}

grad! {
    /// The book's Rosenbrock over an array: a loop with an accumulator.
    fn rosenbrock_sum<const N: usize>(x: &[f64; N]) -> f64 {
        let mut s = 0.0;
        for i in 0..N - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = 1.0 - x[i];
            s += 100.0 * a * a + b * b;
        }
        s
    }

    /// A piecewise function: one branch or the other.
    fn piecewise(x: f64, y: f64) -> f64 {
        if x > 1.0 {
            let t = x * y;
            t * t
        } else {
            2.0 * x + y
        }
    }

    /// Branches inside nested loops over a matrix.
    // The function reads `w[i][j]` as DESIGN.md writes matrix loops.
    #[allow(clippy::needless_range_loop)]
    fn signed_squares<const N: usize, const M: usize>(w: &[[f64; M]; N]) -> f64 {
        let mut s = 0.0;
        for i in 0..N {
            for j in 0..M {
                s += if w[i][j] > 0.0 { w[i][j] * w[i][j] } else { -w[i][j] };
            }
        }
        s
    }
}

/// The node named `name` (the first, for an accumulator: its value at the
/// start of an iteration), panicking with the graph if there is none.
fn named<'g>(graph: &'g grad::Graph, name: &str) -> &'g grad::graph::Node {
    graph
        .find(name)
        .unwrap_or_else(|| panic!("no node {name} in\n{graph}"))
}

const X5: [f64; 5] = [0.5, -1.25, 2.0, 0.75, -0.3];

#[test]
fn a_loop_is_drawn_once_with_its_trip_count_and_the_numbers_of_grad() {
    let graph = rosenbrock_sum_graph(&X5);
    let (value, d) = rosenbrock_sum_grad(&X5);
    // The picture's output is the value `_grad` returns, bit for bit, and
    // the plain function's.
    assert_eq!(graph.output.value.to_bits(), value.to_bits());
    assert_eq!(value, rosenbrock_sum(&X5));
    assert_eq!(graph.output.dout, Some(1.0));
    // One group, run N - 1 = 4 times, whatever N.
    assert_eq!(graph.groups.len(), 1);
    assert_eq!(graph.group(1).runs, Some(4));
    assert!(
        graph
            .to_dot()
            .contains("for i in 0..N - 1  (×4, last shown)")
    );
    assert!(
        graph
            .to_mermaid()
            .contains("subgraph r1 [\"for i in 0..N - 1  (×4, last shown)\"]")
    );
    assert!(
        graph
            .to_svg()
            .contains(">for i in 0..N - 1  (×4, last shown)</text>")
    );
    assert_eq!(named(&graph, "x").shape, Some(vec![5]));

    // In-loop nodes show the last iteration, i = 3, written out by hand.
    let (xi, xj) = (X5[3], X5[4]);
    let a = xj - xi * xi;
    let b = 1.0 - xi;
    assert_eq!(named(&graph, "a").value, a);
    assert_eq!(named(&graph, "b").value, b);
    let mut before_last = 0.0;
    for i in 0..3 {
        let a = X5[i + 1] - X5[i] * X5[i];
        let b = 1.0 - X5[i];
        before_last += 100.0 * a * a + b * b;
    }
    let entering = graph
        .nodes
        .iter()
        .find(|node| node.kind == grad::graph::NodeKind::Enter)
        .unwrap();
    assert_eq!(
        entering.value, before_last,
        "s at the start of the last iteration"
    );
    assert_eq!(before_last + (100.0 * a * a + b * b), value);

    // Gradients of the last iteration: s's is 1 throughout; a's is
    // d(100 a² + b²)/da = 200 a, b's is 2 b; x[i + 1] reads x[4], which
    // only the last iteration reads, so its gradient is all of d.x[4].
    assert_eq!(entering.grad, Some(1.0));
    assert_eq!(named(&graph, "a").grad, Some(200.0 * a));
    assert_eq!(named(&graph, "b").grad, Some(2.0 * b));
    let last_read = graph
        .nodes
        .iter()
        .find(|node| node.label() == "x[i + 1]")
        .unwrap();
    assert_eq!(last_read.grad.map(f64::to_bits), Some(d.x[4].to_bits()));
    // The accumulator before the loop (the literal 0) gets the gradient
    // that flows out of the first iteration: 1.
    let start = graph.incoming(entering.id).next().unwrap();
    assert_eq!((start.value, start.grad), (0.0, Some(1.0)));
}

#[test]
fn a_thousand_iterations_draw_the_same_picture_as_five() {
    let x: Vec<f64> = (0..1000).map(|i| f64::from(i).sin()).collect();
    let x: [f64; 1000] = x.try_into().unwrap();
    let many = rosenbrock_sum_graph(&x);
    let few = rosenbrock_sum_graph(&X5);
    assert_eq!(many.group(1).runs, Some(999));
    assert_eq!(
        many.output.value.to_bits(),
        rosenbrock_sum_grad(&x).0.to_bits()
    );
    assert_eq!(
        (many.nodes.len(), many.edges.len()),
        (few.nodes.len(), few.edges.len())
    );
    for (small, large) in [
        (few.to_dot(), many.to_dot()),
        (few.to_mermaid(), many.to_mermaid()),
        (few.to_svg(), many.to_svg()),
    ] {
        assert_eq!(small.lines().count(), large.lines().count());
        assert!(large.len() < small.len() + small.len() / 10);
    }
}

#[test]
fn a_branch_shows_the_side_taken_and_the_gradients_of_grad() {
    for (x, y, taken) in [(3.0, -0.5, 0), (0.25, 1.5, 1)] {
        let graph = piecewise_graph(x, y);
        let (value, d) = piecewise_grad(x, y);
        assert_eq!(graph.output.value.to_bits(), value.to_bits());
        assert_eq!(value, piecewise(x, y));
        assert_eq!(
            named(&graph, "x").grad.map(f64::to_bits),
            Some(d.x.to_bits())
        );
        assert_eq!(
            named(&graph, "y").grad.map(f64::to_bits),
            Some(d.y.to_bits())
        );
        // And against the derivatives by hand: (x y)² or 2 x + y.
        let (dx, dy) = if taken == 0 {
            (2.0 * x * y * y, 2.0 * x * x * y)
        } else {
            (2.0, 1.0)
        };
        assert_eq!((d.x, d.y), (dx, dy));
        let runs: Vec<_> = graph.groups.iter().map(|group| group.runs).collect();
        let expected = if taken == 0 {
            [Some(1), Some(0)]
        } else {
            [Some(0), Some(1)]
        };
        assert_eq!(runs, expected);
        // The side not taken has no values (a literal keeps its number),
        // and is drawn dashed.
        let idle = 2 - taken;
        for node in graph.nodes.iter().filter(|node| node.group == Some(idle)) {
            assert!(!graph.ran(node.id), "{}", graph.describe(node.id));
            match node.kind {
                grad::graph::NodeKind::Literal => assert_eq!(node.value, 2.0),
                _ => assert!(node.value.is_nan(), "{}", graph.describe(node.id)),
            }
        }
        let dot = graph.to_dot();
        let cluster = &dot[dot.find(&format!("subgraph cluster_r{idle}")).unwrap()..];
        assert!(
            cluster.contains("(not taken)") && cluster.contains("dashed"),
            "{dot}"
        );
    }
}

#[test]
fn nested_loops_count_every_run_of_the_inner_body() {
    let w = [[1.5, -2.0, 0.5], [-0.25, 3.0, -1.0]];
    let graph = signed_squares_graph(&w);
    let (value, d) = signed_squares_grad(&w);
    assert_eq!(graph.output.value.to_bits(), value.to_bits());
    assert_eq!(value, signed_squares(&w));
    assert_eq!(value, 1.5 * 1.5 + 2.0 + 0.5 * 0.5 + 0.25 + 3.0 * 3.0 + 1.0);
    assert_eq!(d.w, [[3.0, -1.0, 1.0], [-1.0, 6.0, -1.0]]);
    let runs: Vec<_> = graph
        .groups
        .iter()
        .map(|g| (g.header, g.parent, g.runs))
        .collect();
    // The inner body ran 2 × 3 times, the `if` for the three positives.
    assert_eq!(
        runs,
        [
            ("for i in 0..N", None, Some(2)),
            ("for j in 0..M", Some(1), Some(6)),
            ("if w[i][j] > 0.0", Some(2), Some(3)),
            ("else", Some(2), Some(3)),
        ]
    );
    assert_eq!(named(&graph, "w").shape, Some(vec![2, 3]));
    let svg = graph.to_svg();
    assert_eq!(svg.matches("<g class=\"group\"").count(), 4);
}
