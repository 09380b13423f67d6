// A closure in a formula. The error points at the closure and lists what a
// formula is made of.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad!(y = (|v: f64| v * v)(x));
}
