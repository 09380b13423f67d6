// A `;` after the returned expression makes the body return `()`. The error
// points at the `;` and asks to remove it.
use grad::grad;

grad! {
    fn square(x: f64) -> f64 {
        x * x;
    }
}

fn main() {}
