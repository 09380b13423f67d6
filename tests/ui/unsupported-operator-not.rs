// Unary `!` is logical or bitwise negation; only unary `-` is allowed. The
// error points at `!`.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad!(y = !x);
}
