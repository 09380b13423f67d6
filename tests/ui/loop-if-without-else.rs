// An `if` without `else` in a loop. The error points at `if` and says the
// value must come from one branch or the other.
use grad::grad;

grad! {
    fn sum_of_positives(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += if x[i] > 0.0 { x[i] };
        }
        s
    }
}

fn main() {}
