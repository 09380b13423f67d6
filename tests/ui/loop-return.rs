// `return` inside a loop. The error points at `return`.
use grad::grad;

grad! {
    fn first_element(x: &[f64]) -> f64 {
        for i in 0..x.len() {
            return x[i];
        }
        0.0
    }
}

fn main() {}
