// `let x = x * 2.0;` in the inline form rebinds the input `x`, so `d.x` would
// have two meanings. The error points at the `x` of the `let` and says it
// shadows an input.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad! {
        let x = x * 2.0;
        y = x + 1.0
    };
}
