//! The seed notebook's numbers, bit for bit. They match only because the
//! generated code keeps the layers' floating-point operation order: the
//! forward pass multiplies and adds in the formula's order, and `MulLayer`'s
//! backward computes `dout * y` then `dout * x`, as the book's does.

use grad::grad;

#[test]
fn apple_matches_the_seed_bit_for_bit() {
    let (apple, apple_num, tax) = (100.0, 2.0, 1.1);
    let g = grad!(price = apple * apple_num * tax);
    assert_eq!(g.price, 220.00000000000003);
    let d = g.backward(1.0);
    assert_eq!(
        (d.apple, d.apple_num, d.tax),
        (2.2, 110.00000000000001, 200.0)
    );
}

/// The output names the scalar, `price: f64`: the expansion then runs over
/// `f64` itself, not over a generic scalar, and computes the same numbers.
#[test]
fn apple_orange_with_its_scalar_named_matches_the_seed_bit_for_bit() {
    let (apple, apple_num, orange, orange_num, tax) = (100.0, 2.0, 150.0, 3.0, 1.1);
    let g = grad!(price: f64 = (apple * apple_num + orange * orange_num) * tax);
    assert_eq!(g.price, 715.0000000000001);
    let d = g.backward(1.0);
    assert_eq!(
        [d.apple, d.apple_num, d.orange, d.orange_num, d.tax],
        [2.2, 110.00000000000001, 3.3000000000000003, 165.0, 650.0]
    );
}

#[test]
fn apple_orange_matches_the_seed_bit_for_bit() {
    let (apple, apple_num, orange, orange_num, tax) = (100.0, 2.0, 150.0, 3.0, 1.1);
    let g = grad!(price = (apple * apple_num + orange * orange_num) * tax);
    assert_eq!(g.price, 715.0000000000001);
    let d = g.backward(1.0);
    assert_eq!(
        [d.apple, d.apple_num, d.orange, d.orange_num, d.tax],
        [2.2, 110.00000000000001, 3.3000000000000003, 165.0, 650.0]
    );
}

#[test]
fn named_intermediates_get_their_own_gradients() {
    let (apple, apple_num, orange, orange_num, tax) = (100.0, 2.0, 150.0, 3.0, 1.1);
    let g = grad! {
        let apple_price = apple * apple_num;
        let orange_price = orange * orange_num;
        let fruits_price = apple_price + orange_price;
        price = fruits_price * tax
    };
    assert_eq!(g.price, 715.0000000000001);
    let d = g.backward(1.0);
    // d price / d fruits_price = tax; the add node passes it to both prices.
    assert_eq!(
        (d.fruits_price, d.apple_price, d.orange_price),
        (1.1, 1.1, 1.1)
    );
    assert_eq!(d.tax, 650.0);
    assert_eq!(d.apple, 2.2);
}

#[test]
fn backward_scales_with_dout_and_can_run_again() {
    let (apple, apple_num, tax) = (100.0, 2.0, 1.1);
    let g = grad!(price = apple * apple_num * tax);
    let once = g.backward(1.0);
    let twice = g.backward(2.0);
    assert_eq!(g.backward(1.0), once);
    assert_eq!(twice.apple, 2.0 * 1.1 * 2.0);
    assert_eq!(twice.tax, 400.0);
}

#[test]
fn gradients_list_their_names_in_order() {
    let (apple, apple_num, tax) = (100.0, 2.0, 1.1);
    let g = grad! {
        let apple_price = apple * apple_num;
        price = apple_price * tax
    };
    let d = g.backward(1.0);
    assert_eq!(
        d.pairs(),
        [
            ("apple", 2.2),
            ("apple_num", 110.00000000000001),
            ("tax", 200.0),
            ("apple_price", 1.1)
        ]
    );
    assert_eq!(
        d.pairs().map(|(name, _)| name),
        ["apple", "apple_num", "tax", "apple_price"]
    );
    let copy = d;
    assert_eq!(copy, d);
    // Equality compares every field: a difference in the first or the last
    // one is seen, and NaN equals nothing, as with a derived PartialEq.
    let (mut first, mut last, mut nan) = (d, d, d);
    first.apple += 1.0;
    last.apple_price = -last.apple_price;
    nan.tax = f64::NAN;
    assert_ne!(first, d);
    assert_ne!(last, d);
    assert_ne!(nan, nan);
    assert_eq!(
        format!("{d:?}"),
        "PriceGrad { apple: 2.2, apple_num: 110.00000000000001, tax: 200.0, apple_price: 1.1 }"
    );
    assert_eq!(format!("{g:?}"), "Price { price: 220.00000000000003, .. }");
}

#[test]
fn layers_by_hand_match_the_seed() {
    use grad::{AddLayer, MulLayer};
    let (apple, apple_num, orange, orange_num, tax) = (100.0, 2.0, 150.0, 3.0, 1.1);
    let mut mul_apple_layer = MulLayer::new();
    let mut mul_orange_layer = MulLayer::new();
    let mut add_apple_orange_layer = AddLayer::new();
    let mut mul_tax_layer = MulLayer::new();

    let apple_price = mul_apple_layer.forward(apple, apple_num);
    let orange_price = mul_orange_layer.forward(orange, orange_num);
    let all_price = add_apple_orange_layer.forward(apple_price, orange_price);
    let price = mul_tax_layer.forward(all_price, tax);
    assert_eq!(price, 715.0000000000001);

    let dprice = 1.0;
    let (dall_price, dtax) = mul_tax_layer.backward(dprice);
    let (dapple_price, dorange_price) = add_apple_orange_layer.backward(dall_price);
    let (dorange, dorange_num) = mul_orange_layer.backward(dorange_price);
    let (dapple, dapple_num) = mul_apple_layer.backward(dapple_price);
    assert_eq!(
        [dapple, dapple_num, dorange, dorange_num, dtax],
        [2.2, 110.00000000000001, 3.3000000000000003, 165.0, 650.0]
    );
}
