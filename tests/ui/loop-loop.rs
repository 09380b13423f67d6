// An endless `loop`. The error points at `loop` and says to loop over a range.
use grad::grad;

grad! {
    fn sum(x: &[f64]) -> f64 {
        let mut s = 0.0;
        loop {
            s += x[0];
        }
        s
    }
}

fn main() {}
