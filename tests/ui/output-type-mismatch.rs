// The output names `f32` as the scalar, but an input is `f64`. The error is
// rustc's type mismatch, at the input of the other type.
use grad::grad;

fn main() {
    let a: f64 = 2.0;
    let b = 3.0;
    let _g = grad!(y: f32 = a * b);
}
