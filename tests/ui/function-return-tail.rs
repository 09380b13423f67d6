// `return` as the tail expression, without `;`. The error points at `return`
// and asks to end the function with the expression it returns.
use grad::grad;

grad! {
    fn square(x: f64) -> f64 {
        return x * x
    }
}

fn main() {}
