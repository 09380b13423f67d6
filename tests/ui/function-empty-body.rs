// A function with an empty body. The error points at the braces and asks for
// the expression the function returns.
use grad::grad;

grad! {
    fn square(x: f64) -> f64 {}
}

fn main() {}
