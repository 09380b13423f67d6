// An `if` as a statement that updates an accumulator in its branches. The
// error points at `if` and shows the `if` as a value.
use grad::grad;

grad! {
    fn sum_of_positives(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            if x[i] > 0.0 {
                s += x[i];
            } else {
                s += 0.0;
            }
        }
        s
    }
}

fn main() {}
