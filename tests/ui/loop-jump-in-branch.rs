// `break` as the value of a branch, and `return` in one. Each error points
// at its keyword.
use grad::grad;

grad! {
    fn clipped_sum(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += if x[i] < 0.0 { break } else { x[i] };
            s += if x[i] > 9.0 { return s } else { 0.0 };
        }
        s
    }
}

fn main() {}
