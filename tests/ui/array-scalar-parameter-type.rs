// A scalar parameter of a function over arrays has the type the function
// returns: the error points at the `f32`.
use grad::grad;
use grad::ndarray::Array2;

grad! {
    fn scaled(x: &Array2<f64>, s: f32) -> f64 {
        (x * s).sum()
    }
}

fn main() {}
