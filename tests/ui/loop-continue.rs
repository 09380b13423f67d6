// `continue` in a loop: a loop runs its whole range. The error points at
// `continue` and says to choose values instead.
use grad::grad;

grad! {
    fn sum_of_positives(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            if x[i] < 0.0 {
                continue;
            }
            s += x[i];
        }
        s
    }
}

fn main() {}
