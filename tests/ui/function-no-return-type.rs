// A grad! function must return its scalar type. The error points at the
// function's name and shows `-> f64`.
use grad::grad;

grad! {
    fn square(x: f64) {
        x * x
    }
}

fn main() {}
