// `let t;` declares a name without a value. The error points at `t` and shows
// `let t = expression;`.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad! {
        let t;
        y = x * 2.0
    };
}
