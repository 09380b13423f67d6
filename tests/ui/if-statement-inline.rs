// An `if` statement in the inline form. The error points at `if` and says
// it is for the function form.
use grad::grad;

fn main() {
    let x = 2.0;
    let _ = grad! {
        if x > 0.0 { x } else { -x };
        y = x * x
    };
}
