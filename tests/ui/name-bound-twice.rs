// `t` is bound by two `let`s, so `d.t` would be ambiguous. The error points at
// the second `t`.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad! {
        let t = x * x;
        let t = t * x;
        y = t + 1.0
    };
}
