// After a mistake in the formula, the code that uses the result
// (`g.price`, `g.backward(1.0)`, `d.x`) must not add errors of its own: only
// the `%` is reported.
use grad::grad;

fn main() {
    let x = 7.0;
    let g = grad!(price = x % 2.0);
    let d = g.backward(1.0);
    println!("{} {}", g.price, d.x);
}
