//! The book's figure of the apple/orange bill, drawn for the formula written
//! with `grad!`: forward values above the edges, gradients below them.
//! Writes `apple_orange.svg`, `apple_orange.dot` and `apple_orange.mmd`
//! into the folder given as argument (default `docs/`), and
//! `rosenbrock_loop.svg`: Rosenbrock's sum over five values, whose loop is
//! drawn once, as a box captioned with its trip count.
//!
//! Run with `cargo run --example graph`.

use grad::grad;
use std::path::PathBuf;

/// The seed's graph after backward from `dprice = 1`.
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

grad! {
    /// Rosenbrock's function summed along an array, as DESIGN.md writes it.
    fn rosenbrock_sum<const N: usize>(x: &[f64; N]) -> f64 {
        let mut s = 0.0;
        for i in 0..N - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = 1.0 - x[i];
            s += 100.0 * a * a + b * b;
        }
        s
    }
}

/// The point the committed picture of the loop is drawn at.
const X5: [f64; 5] = [0.5, -1.25, 2.0, 0.75, -0.3];

fn main() -> std::io::Result<()> {
    let folder = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("docs"), PathBuf::from);
    std::fs::create_dir_all(&folder)?;
    let graph = seed_graph();
    println!("{graph}");
    let looped = rosenbrock_sum_graph(&X5);
    assert_eq!(looped.output.value, rosenbrock_sum(&X5));
    println!("{looped}");
    for (file, text) in [
        ("apple_orange.svg", graph.to_svg()),
        ("apple_orange.dot", graph.to_dot()),
        ("apple_orange.mmd", graph.to_mermaid()),
        ("rosenbrock_loop.svg", looped.to_svg()),
    ] {
        let path = folder.join(file);
        std::fs::write(&path, text)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
