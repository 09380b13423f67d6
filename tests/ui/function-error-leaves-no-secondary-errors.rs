// After a mistake in a grad! function, calls of `square` and `square_grad`
// must not add "cannot find function" errors: only the `%` is reported.
use grad::grad;

grad! {
    fn square(x: f64) -> f64 {
        x % 2.0
    }
}

fn main() {
    let _v = square(3.0);
    let (_v, d) = square_grad(3.0);
    println!("{}", d.x);
}
