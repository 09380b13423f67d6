// `price += x` updates a variable; a formula names its output once. The error
// points at `price += x` and says to write `output = expression`.
use grad::grad;

fn main() {
    let x = 3.0;
    let _g = grad!(price += x);
}
