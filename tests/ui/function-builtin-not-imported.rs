// The function form keeps the user's function as written, so a built-in it
// calls must be in scope as in plain Rust: `use grad::sigmoid;` (or
// `use grad::prelude::*;`). Without it rustc reports the one missing name,
// and nothing about the expansion.
use grad::grad;

grad! {
    fn activation(x: f64) -> f64 {
        sigmoid(x) * 2.0
    }
}

fn main() {
    let _ = activation_grad(1.0);
}
