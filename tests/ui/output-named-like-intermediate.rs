// The output has the name of a `let` intermediate. The error points at the
// output's name.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad! {
        let y = x * x;
        y = y + 1.0
    };
}
