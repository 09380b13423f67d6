// Indexing an array is not differentiated: the error points at the index
// expression.
use grad::grad;
use grad::ndarray::Array1;

grad! {
    fn first(x: &Array1<f64>) -> f64 {
        x[0] * 2.0
    }
}

fn main() {}
