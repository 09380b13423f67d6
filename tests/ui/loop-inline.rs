// A loop in the inline form. The error points at `for` and says loops are
// for the function form.
use grad::grad;

fn main() {
    let x = [1.0, 2.0];
    let y = 3.0;
    let _ = grad! {
        let mut s = y;
        for i in 0..2 {
            s += x[i];
        }
        out = s * y
    };
}
