// A loop bound computed by the formula: the error points at the bound and
// says what a bound can be.
use grad::grad;

grad! {
    fn sum(x: &[f64]) -> f64 {
        let count = x[0];
        let mut s = 0.0;
        for i in 0..count {
            s += x[i];
        }
        s
    }
}

fn main() {}
