// `frobnicate` is not a method grad! knows how to differentiate. The error
// points at the method name, lists the known methods, and explains how to
// make it a custom operation.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad!(y = x.frobnicate());
}
