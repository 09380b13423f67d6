// `let ... else` has no place in a formula. The error points at `else`.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad! {
        let t = x * x else { return };
        y = t * 2.0
    };
}
