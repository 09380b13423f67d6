// Three mistakes in one body, all reported together: `%` in the first `let`,
// an unknown method in the second, and a string literal in the output.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad! {
        let a = x % 2.0;
        let b = x.frobnicate();
        y = a + b * "c"
    };
}
