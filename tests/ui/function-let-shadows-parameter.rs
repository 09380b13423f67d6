// A `let` that shadows the parameter `x`: `d.x` would have two meanings. The
// error points at the `x` of the `let`.
use grad::grad;

grad! {
    fn square(x: f64) -> f64 {
        let x = x * x;
        x
    }
}

fn main() {}
