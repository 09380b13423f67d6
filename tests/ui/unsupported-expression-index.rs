// Indexing an array in a formula. The error points at `xs[0]` and lists what
// a formula is made of.
use grad::grad;

fn main() {
    let xs = [7.0, 8.0];
    let _g = grad!(y = xs[0] * 2.0);
}
