// A type annotation on a `let` of the inline form: every value already has the
// inputs' scalar type. The error points at the type.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad! {
        let t: f64 = x * x;
        y = t * 2.0
    };
}
