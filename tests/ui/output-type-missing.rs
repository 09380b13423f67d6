// A `:` after the output with no type after it. The error points at the `=`
// where the type should be.
use grad::grad;

fn main() {
    let x = 3.0;
    let _g = grad!(y: = x * x);
}
