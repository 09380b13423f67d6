// All inputs share one scalar type; here `a` is f32 and `b` is f64. The error
// is rustc's type mismatch: it points at the input of the other type and
// names both inputs.
use grad::grad;

fn main() {
    let a: f32 = 2.0;
    let b: f64 = 3.0;
    let _g = grad!(y = a * b);
}
