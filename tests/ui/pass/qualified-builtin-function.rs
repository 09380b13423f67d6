// `grad::sigmoid(x)` is the built-in sigmoid named by its path: it is
// differentiated like `sigmoid(x)`, not taken for a custom operation.
use grad::grad;

fn main() {
    let x: f64 = 0.5;
    let g = grad!(y = grad::sigmoid(x) + ::grad::relu(x));
    let s = grad::sigmoid(x);
    // dy/dx = σ(x)(1 - σ(x)) + 1 for x > 0
    assert_eq!(g.backward(1.0).x, (1.0 - s) * s + 1.0);
}
