// Only `let` statements and no final `output = expression`: every statement is
// fine, the output is missing. The error says so and shows the expected form.
use grad::grad;

fn main() {
    let x = 3.0;
    let _g = grad! {
        let square = x * x;
        let cube = square * x;
    };
}
