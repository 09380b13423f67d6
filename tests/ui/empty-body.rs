// An empty `grad!()` has no formula at all. There is no token to point at, so
// the error covers the macro call and says to write `output = expression`.
use grad::grad;

fn main() {
    let _g = grad!();
}
