// A condition that is not a comparison of values. The error points at the
// condition and says what a condition is.
use grad::grad;

grad! {
    fn signed(x: f64, positive: bool) -> f64 {
        if positive { x } else { -x }
    }
}

fn main() {}
