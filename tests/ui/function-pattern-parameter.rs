// A tuple pattern as a parameter: each parameter is one named scalar. The
// error points at the pattern.
use grad::grad;

grad! {
    fn product((x, y): (f64, f64)) -> f64 {
        x * y
    }
}

fn main() {}
