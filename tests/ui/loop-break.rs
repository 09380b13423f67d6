// `break` in a loop: a loop runs its whole range. The error points at
// `break` (not at the `if` around it) and says to choose values instead.
use grad::grad;

grad! {
    fn sum_until_negative(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            if x[i] < 0.0 {
                break;
            }
            s += x[i];
        }
        s
    }
}

fn main() {}
