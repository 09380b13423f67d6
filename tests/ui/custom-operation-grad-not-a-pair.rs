// `half_grad` returns only the value, not `(value, partials)`. The error
// points at the call of `half` in the formula.
use grad::grad;

fn half(x: f64) -> f64 {
    x / 2.0
}

fn half_grad(x: f64) -> f64 {
    x / 2.0
}

fn main() {
    let x = 2.0;
    let _g = grad!(y = half(x));
}
