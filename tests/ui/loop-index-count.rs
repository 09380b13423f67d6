// A nested array read with one index, and a flat one with two. Each error
// points at the element read and says how many indices it takes.
use grad::grad;

grad! {
    fn mixed<const N: usize>(w: &[[f64; 3]; N], x: &[f64; N]) -> f64 {
        let mut s = 0.0;
        for i in 0..N {
            s += w[i] * x[i][0];
        }
        s
    }
}

fn main() {}
