// An unknown method whose receiver holds a mistake of its own (an index
// that is not the loop variable plus a constant): both are reported, the
// receiver's at `2 * i` and the method's at `frobnicate`.
use grad::grad;

grad! {
    fn f(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[2 * i].frobnicate();
        }
        s
    }
}

fn main() {}
