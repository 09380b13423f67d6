// Three mistakes in one function, all reported together: a parameter of the
// wrong type, a `let` shadowing a parameter, and a trailing `;`.
use grad::grad;

grad! {
    fn f(x: f64, n: i32) -> f64 {
        let x = x * 2.0;
        x.sin();
    }
}

fn main() {}
