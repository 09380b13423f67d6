// `exp` takes no argument besides its receiver. The error points at `exp` and
// says how many arguments it takes.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad!(y = x.exp(2.0));
}
