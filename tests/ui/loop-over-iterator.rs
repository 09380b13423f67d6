// A loop over the elements instead of a range of indices. The error points
// at what the loop runs over and says to loop over a range.
use grad::grad;

grad! {
    fn sum(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for value in x {
            s += value;
        }
        s
    }
}

fn main() {}
