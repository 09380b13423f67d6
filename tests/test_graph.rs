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
    ] {
        assert!(
            committed == fresh,
            "docs/{file} is out of date: run `cargo run --example graph`"
        );
    }
}
