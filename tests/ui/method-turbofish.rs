// Type arguments on a method. The error points at the turbofish.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad!(y = x.exp::<f64>());
}
