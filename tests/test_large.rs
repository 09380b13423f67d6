//! A formula of about 10,000 operations compiles in the default (debug)
//! profile and gives the same value as plain Rust and the gradient of
//! central finite differences. rustc with debuginfo overflows its stack on
//! one function with a few thousand sequential `let`s; the expansion declares
//! its locals 64 to a `let`, which this file would crash without.

#[path = "large/generator.rs"]
mod generator;

use grad::grad;

fn inputs() -> [f64; generator::INPUTS] {
    std::array::from_fn(|i| 0.05 * i as f64 - 0.4)
}

#[test]
fn the_committed_formula_is_what_the_generator_writes() {
    assert_eq!(
        include_str!("large/formula_10k.rs"),
        generator::source(),
        "regenerate tests/large/formula_10k.rs from tests/large/generator.rs"
    );
    assert!(generator::program().operations >= 10_000);
}

#[test]
fn ten_thousand_operations_match_plain_rust_and_finite_differences() {
    let [
        x0,
        x1,
        x2,
        x3,
        x4,
        x5,
        x6,
        x7,
        x8,
        x9,
        x10,
        x11,
        x12,
        x13,
        x14,
        x15,
        x16,
        x17,
        x18,
        x19,
    ] = inputs();
    let g = include!("large/formula_10k.rs");
    let program = generator::program();
    assert_eq!(g.y, generator::evaluate(&program, &inputs()));

    let d = g.backward(1.0);
    let analytic = [
        d.x0, d.x1, d.x2, d.x3, d.x4, d.x5, d.x6, d.x7, d.x8, d.x9, d.x10, d.x11, d.x12, d.x13,
        d.x14, d.x15, d.x16, d.x17, d.x18, d.x19,
    ];
    let check = grad::check_gradient_with_step(
        |x: &[f64]| generator::evaluate(&program, x),
        &analytic,
        &inputs(),
        1e-6,
    );
    assert!(check.passes(1e-6), "{check:?}");
    assert!(
        analytic.iter().all(|g| *g != 0.0),
        "every input reaches the output"
    );
}

#[test]
fn a_formula_nested_a_thousand_parentheses_deep() {
    assert_eq!(
        include_str!("large/nested_1000.rs"),
        generator::nested_source(1000)
    );
    let x = 0.75_f64;
    let g = include!("large/nested_1000.rs");
    // e(k+1) = e(k) / 2 + x, and its derivative d(k+1) = d(k) / 2 + 1
    let (mut value, mut derivative) = (x, 1.0);
    for _ in 0..1000 {
        value = value * 0.5 + x;
        derivative = derivative * 0.5 + 1.0;
    }
    assert_eq!(g.y, value);
    assert!((g.backward(1.0).x - derivative).abs() < 1e-12);
}
