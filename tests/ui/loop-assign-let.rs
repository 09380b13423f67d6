// A `let` assigned with `=` in a loop: one error, at the name, saying to
// declare an accumulator.
use grad::grad;

grad! {
    fn sum(x: &[f64]) -> f64 {
        let s = 0.0;
        for i in 0..x.len() {
            s = s + x[i];
        }
        s
    }
}

fn main() {}
