//! How operations combine in a formula: `powi` exponents, fan-out, literals
//! and constants. Each operation alone, against central differences in f64
//! and f32 and with fan-out, is tested by `fuzz/tests/operations.rs`, which
//! its build script writes from the operation table.

use grad::grad;

fn assert_close(got: f64, want: f64, tolerance: f64, what: &str) {
    let scale = want.abs().max(1.0);
    assert!(
        (got - want).abs() <= tolerance * scale,
        "{what}: got {got}, want {want} (difference {:e}, allowed {:e})",
        (got - want).abs(),
        tolerance * scale
    );
}

#[test]
fn powi_keeps_an_integer_exponent_from_any_expression() {
    let n = 4;
    let x = 1.5_f64;
    let d = grad!(y = x.powi(n - 1) + x.powi(-2)).backward(1.0);
    // d/dx = 3x² - 2x⁻³
    assert_close(d.x, 3.0 * x * x - 2.0 / (x * x * x), 1e-15, "powi");
}

#[test]
fn a_square_backward_is_two_x_in_every_form_and_type() {
    // The inline form's scalar is generic: a square's backward there is
    // `dout * (2 * x)` with `2` converted once, not the rule's call.
    for x in [1.5_f64, -0.3, 1e-3, 7.25] {
        let d = grad!(y = x.powi(2) * 3.0).backward(1.0);
        // Against the closed form 6x (exact in binary for these x).
        assert_eq!(d.x, 6.0 * x);
        // Against the layer's rule, bit for bit (the same table: consistency).
        assert_eq!(d.x, grad::PowiLayer::derivative(x, 2, 3.0));
        #[allow(clippy::cast_possible_truncation)]
        let x32 = x as f32;
        let d32 = grad!(y = x32.powi(2) * 3.0).backward(1.0);
        assert_eq!(d32.x32, grad::PowiLayer::derivative(x32, 2, 3.0_f32));
        // `powi(1)`, also written out there: its derivative is dout.
        assert_eq!(grad!(y = x.powi(1) * 3.0).backward(1.0).x, 3.0);
    }
}

#[test]
fn a_value_used_many_times_sums_its_gradients() {
    let x = 0.7_f64;
    // y = x·x·x + sin(x)·x; dy/dx = 3x² + cos(x)·x + sin(x)
    let d = grad!(y = x * x * x + x.sin() * x).backward(1.0);
    assert_close(d.x, 3.0 * x * x + x.cos() * x + x.sin(), 1e-15, "fan-out");
}

#[test]
fn literals_integer_or_float_are_constants() {
    let x = 2.0_f32;
    let g = grad!(y = 3 * x + 0.5 - x / 4);
    assert_eq!(g.y, 6.0);
    assert_eq!(g.backward(1.0).x, 2.75);
}

#[test]
fn constants_from_paths_and_calls_get_no_gradient() {
    let x = 1.0_f64;
    let g = grad!(y = x * std::f64::consts::PI + f64::from(2u8) * x);
    assert_eq!(g.y, std::f64::consts::PI + 2.0);
    assert_eq!(g.backward(1.0).x, std::f64::consts::PI + 2.0);
}
