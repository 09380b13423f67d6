// `&&` works on booleans, not on the numbers of a formula. The error points
// at `&&` and lists the operators a formula may use.
use grad::grad;

fn main() {
    let x = 7.0;
    let z = 2.0;
    let _g = grad!(y = x && z);
}
