// An `if` in an inline formula: branches are for the function form, where
// backward follows the branch forward took. The error points at the `if`.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad!(y = if x > 0.0 { x } else { -x });
}
