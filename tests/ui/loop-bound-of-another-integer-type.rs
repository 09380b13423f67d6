// A bound of an integer type other than `usize`: rustc's own error, in the
// plain function, at the index; nothing from the expansion.
use grad::grad;

grad! {
    fn partial_sum(x: &[f64], n: i32) -> f64 {
        let mut s = 0.0;
        for i in 0..n {
            s += x[i];
        }
        s
    }
}

fn main() {}
