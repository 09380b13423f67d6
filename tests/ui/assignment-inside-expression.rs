// A plain assignment nested in the formula: only the output is assigned, once,
// at the end. The error points at the inner `=`.
use grad::grad;

fn main() {
    let x = 3.0;
    let z = 1.0;
    let _g = grad!(y = x * (z = 2.0));
}
