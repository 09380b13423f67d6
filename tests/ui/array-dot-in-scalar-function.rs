// `dot` exists only on arrays: in a function over scalars the error points at
// the method and says where it works.
use grad::grad;

grad! {
    fn area(x: f64, y: f64) -> f64 {
        x.dot(y)
    }
}

fn main() {}
