// A compound assignment nested in the formula. The error points at `*=` and
// says a formula assigns nothing.
use grad::grad;

fn main() {
    let x = 3.0;
    let _g = grad!(y = 2.0 * (x *= 3.0));
}
