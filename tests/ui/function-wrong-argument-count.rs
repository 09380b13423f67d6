// The built-in `sigmoid` takes one argument. The error points at `sigmoid`
// and says how many it takes.
use grad::grad;

fn main() {
    let x = 7.0;
    let z = 1.0;
    let _g = grad!(y = sigmoid(x, z));
}
