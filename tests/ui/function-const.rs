// A `const fn` cannot call the layers. The error points at `const`.
use grad::grad;

grad! {
    const fn square(x: f64) -> f64 {
        x * x
    }
}

fn main() {}
