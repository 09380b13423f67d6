// Three mistakes of different stages in one body, all reported together: a
// `let mut` (shape), a name bound twice (names), and a statement after the
// output (shape).
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad! {
        let mut a = x * x;
        let a = a * 2.0;
        y = a + 1.0;
        let z = y;
    };
}
