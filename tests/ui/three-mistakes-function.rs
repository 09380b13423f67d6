// Three mistakes in one function, all reported together: a parameter of the
// float type other than the one it returns, a `let` shadowing a parameter,
// and a trailing `;`.
use grad::grad;

grad! {
    fn f(x: f64, n: f32) -> f64 {
        let x = x * 2.0;
        x.sin();
    }
}

fn main() {}
