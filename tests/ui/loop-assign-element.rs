// An element assigned to: a grad! function reads its arrays. The error
// points at the element.
use grad::grad;

grad! {
    fn doubled_sum<const N: usize>(x: [f64; N]) -> f64 {
        let mut s = 0.0;
        for i in 0..N {
            x[i] = 2.0 * x[i];
            s += x[i];
        }
        s
    }
}

fn main() {}
