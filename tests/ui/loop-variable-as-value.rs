// The loop variable used as a number, and an array used as a value. Each
// error says how to read it.
use grad::grad;

grad! {
    fn weighted(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += i * x[i] + x;
        }
        s
    }
}

fn main() {}
