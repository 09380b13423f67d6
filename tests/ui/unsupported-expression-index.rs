// Indexing an array in an inline formula. The error points at `xs[0]` and
// says to bind the element to a name (the function form reads elements of
// its array parameters).
use grad::grad;

fn main() {
    let xs = [7.0, 8.0];
    let _g = grad!(y = xs[0] * 2.0);
}
