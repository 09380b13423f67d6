// Two functions in one grad! block, only `cube` has a mistake (`%`). The
// error points at the `%`; `square`, which is correct, should still exist,
// so its use in `main` adds no "cannot find function" error.
use grad::grad;

grad! {
    fn square(x: f64) -> f64 {
        x * x
    }

    fn cube(x: f64) -> f64 {
        x * x % x
    }
}

fn main() {
    let _ = square(2.0);
    let (_v, d) = square_grad(2.0);
    let _ = d.x;
}
