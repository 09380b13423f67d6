// The left side of the output assignment must be a plain name, not a field or
// an index. The error points at `out.value`.
use grad::grad;

fn main() {
    let x = 3.0;
    let _g = grad!(out.value = x * x);
}
