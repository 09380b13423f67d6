// The output assignment must come last. The error points at the statement
// that follows it.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad! {
        y = x * x;
        let z = y + 1.0;
    };
}
