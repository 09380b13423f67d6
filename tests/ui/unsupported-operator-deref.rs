// Unary `*` (a dereference): inputs are read by value. The error points at
// the `*`.
use grad::grad;

fn main() {
    let x = &7.0;
    let _g = grad!(y = *x * 2.0);
}
