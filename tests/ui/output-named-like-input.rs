// `x = x * 2.0`: the output has the name of an input, so `g.x` and `d.x`
// would speak of different values. The error points at the output's name.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad!(x = x * 2.0);
}
