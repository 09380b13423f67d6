// `product` is an ndarray method but not an operation of grad's table: the
// error points at the method name and lists the methods a formula over arrays
// can use (custom operations take scalars, so none is suggested).
use grad::grad;
use grad::ndarray::Array2;

grad! {
    fn volume(x: &Array2<f64>) -> f64 {
        x.product()
    }
}

fn main() {}
