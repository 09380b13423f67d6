// An unsupported operator whose operands hold mistakes of their own: all
// are reported together, the operator's at `%` and the operands' at
// `frobnicate` and at the dereference.
use grad::grad;

fn main() {
    let (x, z) = (1.0_f64, 2.0_f64);
    let r = &z;
    let g = grad!(y = x.frobnicate() % *r);
    let _ = g;
}
