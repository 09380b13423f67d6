// A bool literal in a formula. The error points at `true` and says a formula
// computes with numbers.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad!(y = x + true);
}
