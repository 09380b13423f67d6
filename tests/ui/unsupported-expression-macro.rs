// A macro call in a formula: grad! cannot see what it expands to. The error
// points at the macro call and lists what a formula is made of.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad!(y = dbg!(x) * 2.0);
}
