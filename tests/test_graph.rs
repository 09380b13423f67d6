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

#[test]
fn an_inline_value_keeps_more_than_sixty_four_values_exponents_and_partials() {
    // 70 `powi` nodes and 65 custom operations: more than one chunk of each
    // of the value's stored fields, the last chunk padded. The exponents are
    // variables: a literal one is written in place, not stored.
    let x = 0.25_f64;
    let (two, three) = (2, 3);
    let g = grad! {
        let p1 = (x + 1.0).powi(two);
        let p2 = (x + 2.0).powi(three);
        let p3 = (x + 3.0).powi(two);
        let p4 = (x + 4.0).powi(three);
        let p5 = (x + 5.0).powi(two);
        let p6 = (x + 6.0).powi(three);
        let p7 = (x + 7.0).powi(two);
        let p8 = (x + 8.0).powi(three);
        let p9 = (x + 9.0).powi(two);
        let p10 = (x + 10.0).powi(three);
        let p11 = (x + 11.0).powi(two);
        let p12 = (x + 12.0).powi(three);
        let p13 = (x + 13.0).powi(two);
        let p14 = (x + 14.0).powi(three);
        let p15 = (x + 15.0).powi(two);
        let p16 = (x + 16.0).powi(three);
        let p17 = (x + 17.0).powi(two);
        let p18 = (x + 18.0).powi(three);
        let p19 = (x + 19.0).powi(two);
        let p20 = (x + 20.0).powi(three);
        let p21 = (x + 21.0).powi(two);
        let p22 = (x + 22.0).powi(three);
        let p23 = (x + 23.0).powi(two);
        let p24 = (x + 24.0).powi(three);
        let p25 = (x + 25.0).powi(two);
        let p26 = (x + 26.0).powi(three);
        let p27 = (x + 27.0).powi(two);
        let p28 = (x + 28.0).powi(three);
        let p29 = (x + 29.0).powi(two);
        let p30 = (x + 30.0).powi(three);
        let p31 = (x + 31.0).powi(two);
        let p32 = (x + 32.0).powi(three);
        let p33 = (x + 33.0).powi(two);
        let p34 = (x + 34.0).powi(three);
        let p35 = (x + 35.0).powi(two);
        let p36 = (x + 36.0).powi(three);
        let p37 = (x + 37.0).powi(two);
        let p38 = (x + 38.0).powi(three);
        let p39 = (x + 39.0).powi(two);
        let p40 = (x + 40.0).powi(three);
        let p41 = (x + 41.0).powi(two);
        let p42 = (x + 42.0).powi(three);
        let p43 = (x + 43.0).powi(two);
        let p44 = (x + 44.0).powi(three);
        let p45 = (x + 45.0).powi(two);
        let p46 = (x + 46.0).powi(three);
        let p47 = (x + 47.0).powi(two);
        let p48 = (x + 48.0).powi(three);
        let p49 = (x + 49.0).powi(two);
        let p50 = (x + 50.0).powi(three);
        let p51 = (x + 51.0).powi(two);
        let p52 = (x + 52.0).powi(three);
        let p53 = (x + 53.0).powi(two);
        let p54 = (x + 54.0).powi(three);
        let p55 = (x + 55.0).powi(two);
        let p56 = (x + 56.0).powi(three);
        let p57 = (x + 57.0).powi(two);
        let p58 = (x + 58.0).powi(three);
        let p59 = (x + 59.0).powi(two);
        let p60 = (x + 60.0).powi(three);
        let p61 = (x + 61.0).powi(two);
        let p62 = (x + 62.0).powi(three);
        let p63 = (x + 63.0).powi(two);
        let p64 = (x + 64.0).powi(three);
        let p65 = (x + 65.0).powi(two);
        let p66 = (x + 66.0).powi(three);
        let p67 = (x + 67.0).powi(two);
        let p68 = (x + 68.0).powi(three);
        let p69 = (x + 69.0).powi(two);
        let p70 = (x + 70.0).powi(three);
        y = p1 + p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9 + p10 + p11 + p12 + p13 + p14 + p15 +
            p16 + p17 + p18 + p19 + p20 + p21 + p22 + p23 + p24 + p25 + p26 + p27 + p28 +
            p29 + p30 + p31 + p32 + p33 + p34 + p35 + p36 + p37 + p38 + p39 + p40 + p41 +
            p42 + p43 + p44 + p45 + p46 + p47 + p48 + p49 + p50 + p51 + p52 + p53 + p54 +
            p55 + p56 + p57 + p58 + p59 + p60 + p61 + p62 + p63 + p64 + p65 + p66 + p67 +
            p68 + p69 + p70 + softplus(x * 1.0) + softplus(x * 2.0) + softplus(x * 3.0) +
            softplus(x * 4.0) + softplus(x * 5.0) + softplus(x * 6.0) + softplus(x * 7.0) +
            softplus(x * 8.0) + softplus(x * 9.0) + softplus(x * 10.0) + softplus(x * 11.0) +
            softplus(x * 12.0) + softplus(x * 13.0) + softplus(x * 14.0) +
            softplus(x * 15.0) + softplus(x * 16.0) + softplus(x * 17.0) +
            softplus(x * 18.0) + softplus(x * 19.0) + softplus(x * 20.0) +
            softplus(x * 21.0) + softplus(x * 22.0) + softplus(x * 23.0) +
            softplus(x * 24.0) + softplus(x * 25.0) + softplus(x * 26.0) +
            softplus(x * 27.0) + softplus(x * 28.0) + softplus(x * 29.0) +
            softplus(x * 30.0) + softplus(x * 31.0) + softplus(x * 32.0) +
            softplus(x * 33.0) + softplus(x * 34.0) + softplus(x * 35.0) +
            softplus(x * 36.0) + softplus(x * 37.0) + softplus(x * 38.0) +
            softplus(x * 39.0) + softplus(x * 40.0) + softplus(x * 41.0) +
            softplus(x * 42.0) + softplus(x * 43.0) + softplus(x * 44.0) +
            softplus(x * 45.0) + softplus(x * 46.0) + softplus(x * 47.0) +
            softplus(x * 48.0) + softplus(x * 49.0) + softplus(x * 50.0) +
            softplus(x * 51.0) + softplus(x * 52.0) + softplus(x * 53.0) +
            softplus(x * 54.0) + softplus(x * 55.0) + softplus(x * 56.0) +
            softplus(x * 57.0) + softplus(x * 58.0) + softplus(x * 59.0) +
            softplus(x * 60.0) + softplus(x * 61.0) + softplus(x * 62.0) +
            softplus(x * 63.0) + softplus(x * 64.0) + softplus(x * 65.0)
    };
    // The value against the same sum in plain Rust, in the same order.
    let plain = (x + 1.0).powi(2)
        + (x + 2.0).powi(3)
        + (x + 3.0).powi(2)
        + (x + 4.0).powi(3)
        + (x + 5.0).powi(2)
        + (x + 6.0).powi(3)
        + (x + 7.0).powi(2)
        + (x + 8.0).powi(3)
        + (x + 9.0).powi(2)
        + (x + 10.0).powi(3)
        + (x + 11.0).powi(2)
        + (x + 12.0).powi(3)
        + (x + 13.0).powi(2)
        + (x + 14.0).powi(3)
        + (x + 15.0).powi(2)
        + (x + 16.0).powi(3)
        + (x + 17.0).powi(2)
        + (x + 18.0).powi(3)
        + (x + 19.0).powi(2)
        + (x + 20.0).powi(3)
        + (x + 21.0).powi(2)
        + (x + 22.0).powi(3)
        + (x + 23.0).powi(2)
        + (x + 24.0).powi(3)
        + (x + 25.0).powi(2)
        + (x + 26.0).powi(3)
        + (x + 27.0).powi(2)
        + (x + 28.0).powi(3)
        + (x + 29.0).powi(2)
        + (x + 30.0).powi(3)
        + (x + 31.0).powi(2)
        + (x + 32.0).powi(3)
        + (x + 33.0).powi(2)
        + (x + 34.0).powi(3)
        + (x + 35.0).powi(2)
        + (x + 36.0).powi(3)
        + (x + 37.0).powi(2)
        + (x + 38.0).powi(3)
        + (x + 39.0).powi(2)
        + (x + 40.0).powi(3)
        + (x + 41.0).powi(2)
        + (x + 42.0).powi(3)
        + (x + 43.0).powi(2)
        + (x + 44.0).powi(3)
        + (x + 45.0).powi(2)
        + (x + 46.0).powi(3)
        + (x + 47.0).powi(2)
        + (x + 48.0).powi(3)
        + (x + 49.0).powi(2)
        + (x + 50.0).powi(3)
        + (x + 51.0).powi(2)
        + (x + 52.0).powi(3)
        + (x + 53.0).powi(2)
        + (x + 54.0).powi(3)
        + (x + 55.0).powi(2)
        + (x + 56.0).powi(3)
        + (x + 57.0).powi(2)
        + (x + 58.0).powi(3)
        + (x + 59.0).powi(2)
        + (x + 60.0).powi(3)
        + (x + 61.0).powi(2)
        + (x + 62.0).powi(3)
        + (x + 63.0).powi(2)
        + (x + 64.0).powi(3)
        + (x + 65.0).powi(2)
        + (x + 66.0).powi(3)
        + (x + 67.0).powi(2)
        + (x + 68.0).powi(3)
        + (x + 69.0).powi(2)
        + (x + 70.0).powi(3)
        + softplus(x * 1.0)
        + softplus(x * 2.0)
        + softplus(x * 3.0)
        + softplus(x * 4.0)
        + softplus(x * 5.0)
        + softplus(x * 6.0)
        + softplus(x * 7.0)
        + softplus(x * 8.0)
        + softplus(x * 9.0)
        + softplus(x * 10.0)
        + softplus(x * 11.0)
        + softplus(x * 12.0)
        + softplus(x * 13.0)
        + softplus(x * 14.0)
        + softplus(x * 15.0)
        + softplus(x * 16.0)
        + softplus(x * 17.0)
        + softplus(x * 18.0)
        + softplus(x * 19.0)
        + softplus(x * 20.0)
        + softplus(x * 21.0)
        + softplus(x * 22.0)
        + softplus(x * 23.0)
        + softplus(x * 24.0)
        + softplus(x * 25.0)
        + softplus(x * 26.0)
        + softplus(x * 27.0)
        + softplus(x * 28.0)
        + softplus(x * 29.0)
        + softplus(x * 30.0)
        + softplus(x * 31.0)
        + softplus(x * 32.0)
        + softplus(x * 33.0)
        + softplus(x * 34.0)
        + softplus(x * 35.0)
        + softplus(x * 36.0)
        + softplus(x * 37.0)
        + softplus(x * 38.0)
        + softplus(x * 39.0)
        + softplus(x * 40.0)
        + softplus(x * 41.0)
        + softplus(x * 42.0)
        + softplus(x * 43.0)
        + softplus(x * 44.0)
        + softplus(x * 45.0)
        + softplus(x * 46.0)
        + softplus(x * 47.0)
        + softplus(x * 48.0)
        + softplus(x * 49.0)
        + softplus(x * 50.0)
        + softplus(x * 51.0)
        + softplus(x * 52.0)
        + softplus(x * 53.0)
        + softplus(x * 54.0)
        + softplus(x * 55.0)
        + softplus(x * 56.0)
        + softplus(x * 57.0)
        + softplus(x * 58.0)
        + softplus(x * 59.0)
        + softplus(x * 60.0)
        + softplus(x * 61.0)
        + softplus(x * 62.0)
        + softplus(x * 63.0)
        + softplus(x * 64.0)
        + softplus(x * 65.0);
    assert_eq!(g.y, plain);
    // dy/dx against the closed form: Σ k (x + i)^(k - 1) + Σ i σ(i x).
    let closed: f64 = (1..=70)
        .map(|i| {
            let k = if i % 2 == 1 { 2 } else { 3 };
            f64::from(k) * (x + f64::from(i)).powi(k - 1)
        })
        .sum::<f64>()
        + (1..=65)
            .map(|i| f64::from(i) * grad::sigmoid(f64::from(i) * x))
            .sum::<f64>();
    let d = g.backward(1.0);
    assert!(
        (d.x - closed).abs() <= 1e-12 * closed.abs(),
        "{} against {closed}",
        d.x
    );
    assert_eq!((d.p1, d.p70), (1.0, 1.0));
    // The picture reads every node's value and exponent from the chunks.
    let graph = g.graph_with_gradients(1.0);
    assert_eq!(graph.output.value, g.y);
    assert!(
        graph.nodes.iter().all(|node| !node.value.is_nan()),
        "{graph}"
    );
    for i in [1, 64, 65, 69, 70] {
        let k = if i % 2 == 1 { 2 } else { 3 };
        let node = named(&graph, &format!("p{i}"));
        assert_eq!(node.value, (x + f64::from(i)).powi(k), "p{i}");
        assert_eq!(node.label(), format!("powi({k})"), "p{i}");
        assert_eq!(node.grad, Some(1.0), "p{i}");
    }
    assert_eq!(named(&graph, "x").grad, Some(d.x));
}

#[test]
fn literal_and_variable_exponents_are_drawn_alike() {
    // A literal exponent is written in place and a variable one stored in
    // the inline value; the picture shows both.
    let (x, n) = (1.5_f64, 3);
    let g = grad! {
        let square = x.powi(2);
        let cube = x.powi(n);
        y = square + cube
    };
    let d = g.backward(1.0);
    // dy/dx = 2x + 3x² (closed form)
    assert_eq!(d.x, 2.0 * x + 3.0 * x * x);
    let graph = g.graph_with_gradients(1.0);
    assert_eq!(named(&graph, "square").label(), "powi(2)");
    assert_eq!(named(&graph, "cube").label(), "powi(3)");
    assert_eq!(named(&graph, "cube").value, x * x * x);
    assert_eq!(named(&graph, "x").grad, Some(d.x));
}

grad! {
    fn small_terms(x: f32, s: f32) -> f32 {
        x + s * x + s * x
    }
}

#[test]
fn an_f32_picture_shows_the_gradients_backward_computed() {
    // x's three gradients, 1, 1e-8 and 1e-8, sum to 1 in f32 (each 1e-8 is
    // under half of 1's spacing); summed again in f64 they would not: the
    // picture must show backward's own number, not a sum of its edges.
    let (x, s) = (1.0_f32, 1e-8_f32);
    let edges_in_f64 = 1.0 + 2.0 * f64::from(s);
    assert_ne!(edges_in_f64, 1.0);
    let g = grad!(y = x + s * x + s * x);
    let d = g.backward(1.0);
    assert_eq!(d.x, 1.0);
    let graph = g.graph_with_gradients(1.0);
    assert_eq!(named(&graph, "x").grad, Some(1.0));
    assert_eq!(named(&graph, "s").grad, Some(2.0));
    let plain = x + s * x + s * x;
    assert_eq!(g.y, plain);
    let (value, d) = small_terms_grad(x, s);
    assert_eq!((value, small_terms(x, s)), (plain, plain));
    assert_eq!(d.x, 1.0);
    let graph = small_terms_graph(x, s);
    assert_eq!(named(&graph, "x").grad, Some(1.0));
}

#[test]
fn an_operation_on_a_literal_alone_is_drawn_with_its_gradients() {
    // `2.0_f64.sqrt()` reads no input: its backward step writes only the
    // edge into the literal, which only the picture reads.
    let x = 3.0_f64;
    let g = grad! {
        let root = 2.0_f64.sqrt();
        y = x * root
    };
    let d = g.backward(1.0);
    // dy/dx = √2, dy/droot = x (closed forms)
    assert_eq!((d.x, d.root), (2.0_f64.sqrt(), x));
    let graph = g.graph_with_gradients(1.0);
    let root = named(&graph, "root");
    assert_eq!(root.grad, Some(x));
    // The edge from the literal 2 into the square root: x / (2√2).
    let edge = graph.edges.iter().find(|edge| edge.to == root.id).unwrap();
    assert_eq!(edge.value, 2.0);
    assert_eq!(edge.grad, Some(x * (0.5 / 2.0_f64.sqrt())));
}

grad! {
    fn sine_and_product(a: f64, b: f64, c: f64) -> f64 {
        let m = a * b;
        let s = m.sin();
        s + a * c
    }
}

/// Every edge's gradient against the chain rule worked by hand: `b`, `c`,
/// `m`, `s` and the unnamed `a * c` are used once, so backward hands each
/// its one edge's gradient as it is, and the picture takes that edge's
/// gradient from the node's; `a` is used twice, and each of its edges
/// keeps its own.
fn assert_every_edge_is_the_chain_rule(graph: &grad::Graph, (a, b, c): (f64, f64, f64)) {
    let id = |name: &str| {
        graph
            .find(name)
            .unwrap_or_else(|| panic!("no node {name}"))
            .id
    };
    let edge = |from: usize, to: usize| {
        let edge = graph
            .edges
            .iter()
            .find(|edge| edge.from == from && edge.to == to);
        edge.unwrap_or_else(|| panic!("no edge n{from} -> n{to}"))
            .grad
    };
    let product = graph.outgoing(id("c")).next().unwrap().to;
    let output = graph.output.node;
    let cosine = (a * b).cos();
    assert_eq!(graph.edges.len(), 7);
    assert_eq!(edge(id("a"), id("m")), Some(cosine * b));
    assert_eq!(edge(id("b"), id("m")), Some(cosine * a));
    assert_eq!(edge(id("m"), id("s")), Some(cosine));
    assert_eq!(edge(id("a"), product), Some(c));
    assert_eq!(edge(id("c"), product), Some(a));
    assert_eq!(edge(id("s"), output), Some(1.0));
    assert_eq!(edge(product, output), Some(1.0));
    let grad = |name: &str| graph.find(name).unwrap().grad;
    assert_eq!(grad("a"), Some(cosine * b + c));
    assert_eq!((grad("b"), grad("c")), (Some(cosine * a), Some(a)));
    assert_eq!((grad("m"), grad("s")), (Some(cosine), Some(1.0)));
}

#[test]
fn an_edge_its_operand_alone_uses_carries_the_operands_gradient() {
    let (a, b, c) = (0.75, -1.5, 2.0);
    let graph = sine_and_product_graph(a, b, c);
    assert_eq!(graph.output.value, (a * b).sin() + a * c);
    assert_eq!(graph.output.value, sine_and_product(a, b, c));
    assert_every_edge_is_the_chain_rule(&graph, (a, b, c));
    let g = grad! {
        let m = a * b;
        let s = m.sin();
        y = s + a * c
    };
    assert_every_edge_is_the_chain_rule(&g.graph_with_gradients(1.0), (a, b, c));
    // The same formula with its scalar named: the same edges.
    let named = grad! {
        let m = a * b;
        let s = m.sin();
        y: f64 = s + a * c
    };
    assert_every_edge_is_the_chain_rule(&named.graph_with_gradients(1.0), (a, b, c));
}

/// Edges into `unused` are on no path to the output (marked `-`, not
/// listed), and come before `a`'s other edges, which are listed: each must
/// still get its own gradient.
#[test]
fn an_edge_on_no_path_to_the_output_has_gradient_zero() {
    let (a, b, c) = (0.75_f64, -1.5, 2.0);
    let g = grad! {
        let unused = a * b;
        y = a * c + a
    };
    let graph = g.graph_with_gradients(1.0);
    let id = |name: &str| graph.find(name).unwrap().id;
    let grads = |from: usize| -> Vec<(usize, Option<f64>)> {
        (graph.outgoing(from))
            .map(|edge| (edge.to, edge.grad))
            .collect()
    };
    let product = graph.outgoing(id("c")).next().unwrap().to;
    let output = graph.output.node;
    assert_eq!(
        grads(id("a")),
        [
            (id("unused"), Some(0.0)),
            (product, Some(c)),
            (output, Some(1.0))
        ]
    );
    assert_eq!(grads(id("b")), [(id("unused"), Some(0.0))]);
    assert_eq!(grads(id("c")), [(product, Some(a))]);
    assert_eq!(graph.find("unused").unwrap().grad, Some(0.0));
    assert_eq!(graph.find("a").unwrap().grad, Some(c + 1.0));
    assert_eq!(graph.find("b").unwrap().grad, Some(0.0));
    assert_eq!(g.backward(1.0).a, c + 1.0);
}
