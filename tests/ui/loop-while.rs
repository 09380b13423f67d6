// A `while` loop: its bounds are not known when it starts. The error points
// at `while` and says to loop over a range.
use grad::grad;

grad! {
    fn sum(x: &[f64]) -> f64 {
        let mut s = 0.0;
        let mut i = 0.0;
        while i < 3.0 {
            s += x[0] * i;
            i += 1.0;
        }
        s
    }
}

fn main() {}
