// A string literal in a formula. The error points at `"a"` and says a formula
// computes with numbers.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad!(y = x * "a");
}
