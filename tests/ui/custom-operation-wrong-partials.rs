// `scale(x, k)` has two arguments but `scale_grad` returns one partial
// derivative. The `Partials` trait's message says it expects 2 partials.
use grad::grad;

fn scale(x: f64, k: f64) -> f64 {
    x * k
}

fn scale_grad(x: f64, k: f64) -> (f64, [f64; 1]) {
    (x * k, [k])
}

fn main() {
    let x = 2.0;
    let k = 3.0;
    let _g = grad!(y = scale(x, k));
}
