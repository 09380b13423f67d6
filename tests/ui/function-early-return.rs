// An early `return` before the tail expression. The error points at `return`.
use grad::grad;

grad! {
    fn square(x: f64) -> f64 {
        return x;
        x * x
    }
}

fn main() {}
