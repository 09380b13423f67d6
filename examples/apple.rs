//! The seed's first example: two apples and the tax.
//!
//! Run with `cargo run --example apple`.

use grad::grad;

fn main() {
    let apple = 100.0;
    let apple_num = 2.0;
    let tax = 1.1;

    let g = grad!(price = apple * apple_num * tax);
    println!("{}", g.price);

    let d = g.backward(1.0);
    println!("{} {} {}", d.apple, d.apple_num, d.tax);
}
