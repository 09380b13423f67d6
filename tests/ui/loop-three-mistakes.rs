// Three mistakes in one function, each reported at its own token, together:
// an accumulator assigned with `=`, an index that is not a loop variable
// plus a constant, and `continue`.
use grad::grad;

grad! {
    fn sum(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() / 2 {
            s = s + x[i];
            s += x[2 * i];
            continue;
        }
        s
    }
}

fn main() {}
