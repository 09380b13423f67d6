// `let mut`: every value of a formula is bound once. The error points at
// `mut`.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad! {
        let mut t = x * x;
        y = t * 2.0
    };
}
