// A custom operation with no argument has nothing to differentiate with
// respect to. The error points at the call.
use grad::grad;

fn seed() -> f64 {
    1.0
}

fn main() {
    let x = 7.0;
    let _g = grad!(y = x * seed());
}
