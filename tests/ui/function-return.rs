// `return` in a grad! function: the body is a formula that ends with the value
// it returns. The error points at `return` and asks for the tail expression.
use grad::grad;

grad! {
    fn square(x: f64) -> f64 {
        return x * x;
    }
}

fn main() {}
