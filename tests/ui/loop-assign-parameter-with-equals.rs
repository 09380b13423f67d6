// A parameter assigned with `=` in a loop: one error, at the parameter,
// saying to start an accumulator from it.
use grad::grad;

grad! {
    fn shifted_sum(start: f64, x: &[f64]) -> f64 {
        for i in 0..x.len() {
            start = start + x[i];
        }
        start
    }
}

fn main() {}
