// A bare expression computes a value but gives it no name, so the value and
// its gradient struct would have no field to live in. The error points at the
// expression and asks for `output = expression`.
use grad::grad;

fn main() {
    let x = 3.0;
    let _g = grad!(x * x + 1.0);
}
