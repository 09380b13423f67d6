// The output names an integer type as the formula's scalar: gradients need a
// float type. The error points at the type.
use grad::grad;

fn main() {
    let x: i32 = 3;
    let _g = grad!(y: i32 = x * x + x);
}
