// An accumulator assigned with `=`. The error points at `=` and says to
// write `+=`.
use grad::grad;

grad! {
    fn sum(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s = s + x[i];
        }
        s
    }
}

fn main() {}
