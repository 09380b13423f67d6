// Every parameter has the scalar type the function returns. The error points
// at the `f32` of `y`.
use grad::grad;

grad! {
    fn product(x: f64, y: f32) -> f64 {
        x * y
    }
}

fn main() {}
