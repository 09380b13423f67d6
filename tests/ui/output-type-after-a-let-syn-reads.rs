// The output names a type after a `let` whose expression is not one the
// macro reads by itself, and a statement follows the output: both mistakes
// are reported, the integer type at the type, the statement at its `let`.
use grad::grad;

fn main() {
    let x: i32 = 3;
    let _g = grad! {
        let t = (x * 2).powi(2);
        y: i32 = t * x;
        let u = t;
    };
}
