// A `let` without `mut` updated with `+=`. The error points at the name and
// says to declare it `let mut`.
use grad::grad;

grad! {
    fn sum(x: &[f64]) -> f64 {
        let s = 0.0;
        for i in 0..x.len() {
            s += x[i];
        }
        s
    }
}

fn main() {}
