// A parameter updated in a loop. The error points at the parameter and
// says to start an accumulator from it.
use grad::grad;

grad! {
    fn shifted_sum(start: f64, x: &[f64]) -> f64 {
        for i in 0..x.len() {
            start += x[i];
        }
        start
    }
}

fn main() {}
