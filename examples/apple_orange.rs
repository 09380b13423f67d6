//! The seed's second example: two apples, three oranges and the tax, with the
//! derivative of the price with respect to each of them.
//!
//! Run with `cargo run --example apple_orange`.

use grad::grad;

fn main() {
    let apple = 100.0;
    let apple_num = 2.0;
    let orange = 150.0;
    let orange_num = 3.0;
    let tax = 1.1;

    let g = grad!(price = (apple * apple_num + orange * orange_num) * tax);
    println!("{}", g.price);

    let d = g.backward(1.0);
    println!(
        "{} {} {} {} {}",
        d.apple, d.apple_num, d.orange, d.orange_num, d.tax
    );
}
