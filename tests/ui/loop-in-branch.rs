// A loop inside a branch of an `if`. The error points at `for` and says
// what a branch holds.
use grad::grad;

grad! {
    fn sum_if_positive(x: &[f64], scale: f64) -> f64 {
        if scale > 0.0 {
            let mut s = 0.0;
            for i in 0..x.len() {
                s += x[i];
            }
            s * scale
        } else {
            0.0
        }
    }
}

fn main() {}
