// `%` is not differentiable here. The error points at `%` and lists the
// operators a formula may use.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad!(y = x % 2.0);
}
