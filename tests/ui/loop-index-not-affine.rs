// An index that is not a loop variable plus or minus a constant. The error
// points at the index and says which indices are allowed.
use grad::grad;

grad! {
    fn even_sum<const N: usize>(x: &[f64; N]) -> f64 {
        let mut s = 0.0;
        for i in 0..N / 2 {
            s += x[2 * i];
        }
        s
    }
}

fn main() {}
