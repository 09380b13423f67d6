// `max` compares two values: `x.max()` lacks its argument. The error points
// at `max` and says how many arguments it takes.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad!(y = x.max());
}
