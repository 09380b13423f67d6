// A tuple pattern in a `let`: only plain names are allowed. The error points
// at the pattern.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad! {
        let (a, b) = (x, x * 2.0);
        y = a * b
    };
}
