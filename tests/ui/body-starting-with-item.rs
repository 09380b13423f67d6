// An inline body whose first statement is an item (`fn helper() {}`): the
// error should point at the `fn` and say that a formula holds `let`
// statements and the output assignment.
use grad::grad;

fn main() {
    let x = 7.0;
    let _g = grad! {
        fn helper() {}
        y = x * 2.0
    };
}
