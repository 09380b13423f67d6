// An index read from a parameter, not a loop variable. The error points at
// the index and says which indices are allowed.
use grad::grad;

grad! {
    fn pick(x: &[f64], j: usize) -> f64 {
        x[j] * x[j]
    }
}

fn main() {}
