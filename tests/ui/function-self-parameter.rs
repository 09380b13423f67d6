// A `self` parameter: a grad! function is a free function. The error points
// at `&self`.
use grad::grad;

grad! {
    fn square(&self, x: f64) -> f64 {
        x * x
    }
}

fn main() {}
