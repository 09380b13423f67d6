// An item (here a `fn`) among the statements of a formula. The error points at
// it and says which statements are allowed.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad! {
        let t = x * x;
        fn helper() {}
        y = t * 2.0
    };
}
