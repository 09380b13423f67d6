//! The seed's layers used by hand, exactly as the notebook does: what `grad!`
//! writes for you.
//!
//! Run with `cargo run --example layers_by_hand`.

use grad::{AddLayer, MulLayer};

fn main() {
    let apple = 100.0;
    let apple_num = 2.0;
    let orange = 150.0;
    let orange_num = 3.0;
    let tax = 1.1;

    // One layer per node: each keeps what its own backward needs.
    let mut mul_apple_layer = MulLayer::new();
    let mut mul_orange_layer = MulLayer::new();
    let mut add_fruits_layer = AddLayer::new();
    let mut mul_tax_layer = MulLayer::new();

    // Forward, from the inputs to the price.
    let apple_price = mul_apple_layer.forward(apple, apple_num);
    let orange_price = mul_orange_layer.forward(orange, orange_num);
    let fruits_price = add_fruits_layer.forward(apple_price, orange_price);
    let price = mul_tax_layer.forward(fruits_price, tax);
    println!("{price}");

    // Backward, in reverse order, from dprice = 1.
    let dprice = 1.0;
    let (dfruits_price, dtax) = mul_tax_layer.backward(dprice);
    let (dapple_price, dorange_price) = add_fruits_layer.backward(dfruits_price);
    let (dapple, dapple_num) = mul_apple_layer.backward(dapple_price);
    let (dorange, dorange_num) = mul_orange_layer.backward(dorange_price);
    println!("{dapple} {dapple_num} {dorange} {dorange_num} {dtax}");
}
