// Three mistakes in the formula of a grad! function, all reported together:
// `%`, an unknown method and a string literal.
use grad::grad;

grad! {
    fn f(x: f64) -> f64 {
        let a = x % 2.0;
        let b = x.frobnicate();
        a + b * "c"
    }
}

fn main() {}
