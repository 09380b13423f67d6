// `x as f64`: a formula has one scalar type, so casts are not allowed. The
// error points at `as`.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad!(y = x as f64 * 2.0);
}
