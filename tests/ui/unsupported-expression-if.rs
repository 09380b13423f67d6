// An `if` has no derivative at its branch point. The error points at the `if`
// expression and lists what a formula is made of.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad!(y = if x > 0.0 { x } else { -x });
}
