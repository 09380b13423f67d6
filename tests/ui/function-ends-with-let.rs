// The body ends with a `let`, so nothing is returned. The error asks to end
// the function with the expression it returns.
use grad::grad;

grad! {
    fn square(x: f64) -> f64 {
        let t = x * x;
    }
}

fn main() {}
