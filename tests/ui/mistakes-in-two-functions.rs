// Two functions in one block, each with its own mistake: both are reported.
use grad::grad;

grad! {
    fn f(x: f64) -> f64 {
        x % 2.0
    }

    fn g(x: f64) -> f64 {
        x.frobnicate()
    }
}

fn main() {}
