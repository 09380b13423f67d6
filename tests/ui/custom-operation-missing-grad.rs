// `cube(x)` is a custom operation, so grad! calls `cube_grad(x)` for its value
// and derivative; `cube_grad` does not exist. The error points at `cube` in
// the formula.
use grad::grad;

fn cube(x: f64) -> f64 {
    x * x * x
}

fn main() {
    let x = 2.0;
    let _g = grad!(y = cube(x) + x);
}
