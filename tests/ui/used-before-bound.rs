// `b` is read in the first `let` but bound only by the second. The error
// points at the use, with a note at the binding.
use grad::grad;

fn main() {
    let x = 7.0;
    let b = 1.0;
    let _g = grad! {
        let a = b * 2.0;
        let b = x * x;
        y = a + b
    };
}
