// A `let` annotated with a type other than the function's scalar type. The
// error points at the annotation.
use grad::grad;

grad! {
    fn square(x: f64) -> f64 {
        let t: f32 = x * x;
        t
    }
}

fn main() {}
