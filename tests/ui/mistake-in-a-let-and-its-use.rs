// A `let` whose expression is rejected still reads as a value of the
// formula where it is used, so a second mistake that uses it is reported
// too, rather than hidden as if the expression read no input.
use grad::grad;

grad! {
    fn unit(w: f64, x: f64) -> f64 {
        let z = w % x;
        z.frobnicate()
    }
}

fn main() {}
