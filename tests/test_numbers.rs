//! Special values: NaN and infinities propagate as in plain Rust, and where
//! the formula is not differentiable the documented convention holds.
//! Each expected gradient is the analytic derivative evaluated in plain Rust.

use grad::grad;

#[test]
fn division_by_zero_gives_what_plain_rust_gives() {
    let (x, y) = (1.0_f64, 0.0_f64);
    let g = grad!(z = x / y);
    assert_eq!(g.z, x / y);
    let d = g.backward(1.0);
    // d/dx = 1/y = inf, d/dy = -x/y² = -inf
    assert_eq!((d.x, d.y), (1.0 / y, -x / (y * y)));
    let zero = grad!(z = y / y);
    assert!(zero.z.is_nan() && zero.backward(1.0).y.is_nan());
}

#[test]
fn logarithm_of_zero_and_root_of_a_negative() {
    let x = 0.0_f64;
    let g = grad!(y = x.ln());
    assert_eq!(g.y, f64::NEG_INFINITY);
    assert_eq!(g.backward(1.0).x, f64::INFINITY); // 1/x
    let negative = -1.0_f64;
    let g = grad!(y = negative.sqrt());
    assert!(g.y.is_nan());
    assert!(g.backward(1.0).negative.is_nan());
}

#[test]
fn nan_and_infinity_propagate() {
    let (x, y) = (f64::NAN, 2.0);
    let d = grad!(z = x * y + y).backward(1.0);
    assert!(d.x.is_finite() && d.x == 2.0, "d/dx = y does not read x");
    assert!(d.y.is_nan(), "d/dy = x + 1 is NaN");
    let big = f64::INFINITY;
    let g = grad!(z = big.exp() * 0.0);
    assert!(
        g.z.is_nan(),
        "inf * 0 is NaN in plain Rust: {}",
        f64::INFINITY.exp() * 0.0
    );
    let g = grad!(z = (-big).exp());
    assert_eq!((g.z, g.backward(1.0).big), (0.0, -0.0));
}

#[test]
fn non_differentiable_points_follow_the_convention() {
    let zero = 0.0_f64;
    assert_eq!(
        grad!(y = grad::relu(zero)).backward(1.0).zero,
        0.0,
        "relu'(0) = 0"
    );
    assert_eq!(grad!(y = zero.abs()).backward(1.0).zero, 0.0, "abs'(0) = 0");
    let (a, b) = (1.5_f64, 1.5_f64);
    let d = grad!(y = a.max(b)).backward(1.0);
    assert_eq!((d.a, d.b), (0.5, 0.5), "a tie splits the gradient");
    let d = grad!(y = zero.hypot(zero)).backward(1.0);
    assert_eq!(d.zero, 0.0, "hypot at the origin");
    let p = 2.0_f64;
    let d = grad!(y = zero.powf(p)).backward(1.0);
    assert_eq!((d.zero, d.p), (0.0, 0.0), "0^p: d/dp = 0, not 0 * ln 0");
    let d = grad!(y = zero.powi(0)).backward(1.0);
    assert_eq!(d.zero, 0.0, "x^0 is constant");
}

/// `x.powf(0.0)` is the constant 1: its derivative is 0 everywhere, `x = 0`
/// included, where `0 · 0⁻¹` would be NaN (num-dual, PyTorch and JAX give 0).
#[test]
fn a_zero_power_is_a_constant() {
    for x in [0.0_f64, -0.0, 2.0, -3.0] {
        let g = grad!(y = x.powf(0.0));
        assert_eq!(g.y, 1.0);
        assert_eq!(g.backward(1.0).x, 0.0, "d/dx x^0 at {x}");
    }
    let (x, p) = (0.0_f64, 0.0_f64);
    let d = grad!(y = x.powf(p)).backward(1.0);
    // 0^p: d/dx = 0 for p = 0, d/dp = 0 at x = 0
    assert_eq!((d.x, d.p), (0.0, 0.0));
    // Away from 0 nothing changes: d/dx x^1.5 = 1.5 x^0.5
    let x = 4.0_f64;
    assert_eq!(grad!(y = x.powf(1.5)).backward(1.0).x, 1.5 * 2.0);
}

#[test]
fn nan_in_max_is_ignored_like_plain_rust() {
    let (a, b) = (f64::NAN, 3.0_f64);
    let g = grad!(y = a.max(b));
    assert_eq!(g.y, f64::NAN.max(3.0));
    let d = g.backward(1.0);
    assert_eq!((d.a, d.b), (0.0, 1.0));
}

/// A number written several times, in a scalar other than `f64` (the
/// expansion converts it once): values and gradients against the closed
/// form, exact at this point.
#[test]
fn numbers_written_twice_in_f32() {
    // y = 100 (x - 1)² + 100 x, dy/dx = 200 (x - 1) + 100
    let x = 3.0_f32;
    let g = grad!(y = 100.0 * (x - 1.0) * (x - 1.0) + 100.0 * x);
    assert_eq!((g.y, g.backward(1.0).x), (700.0, 500.0));
}

#[test]
fn repeated_literals_keep_their_own_values() {
    // Equal literals share one converted value; different ones must not.
    // y = 2x + 3x + 2x² + 3 + 0.5 (closed forms: y and dy/dx = 5 + 4x).
    let x = 1.25_f64;
    let g = grad!(y = x * 2.0 + x * 3.0 + x * x * 2.0 + 3.0 + 0.5);
    assert_eq!(g.y, x * 2.0 + x * 3.0 + x * x * 2.0 + 3.0 + 0.5);
    assert_eq!(g.backward(1.0).x, 5.0 + 4.0 * x);
    let x = 1.25_f32;
    let g = grad!(y = x * 2.0 + x * 3.0 + x * x * 2.0 + 3.0 + 0.5);
    assert_eq!(g.y, x * 2.0 + x * 3.0 + x * x * 2.0 + 3.0 + 0.5);
    assert_eq!(g.backward(1.0).x, 5.0 + 4.0 * x);
    let (value, d) = repeated_literals_grad(x);
    assert_eq!(value, repeated_literals(x));
    assert_eq!(d.x, 5.0 + 4.0 * x);
}

grad! {
    fn repeated_literals(x: f32) -> f32 {
        x * 2.0 + x * 3.0 + x * x * 2.0 + 3.0 + 0.5
    }
}

/// Naming the scalar on the output types the literals the inputs were
/// written with: here `f32`, where they would otherwise be inferred, or fall
/// back to `f64`. The values are the closed forms, computed in `f32` in plain
/// Rust; the exponent is a variable, so `powi` keeps it as an argument.
#[test]
fn a_named_scalar_types_inputs_written_as_literals() {
    let (a, b) = (0.5, 2.0);
    let n = 3;
    // `m`'s expression is one syn reads, not the macro's simple `let`.
    let g = grad! {
        let m = (a * b).sin();
        y: f32 = m + a.powi(n) * b.tanh()
    };
    // A method of `f32` alone, on a value whose type nothing but the named
    // scalar has fixed yet: without `: f32` this does not compile.
    let value = f32::from_bits(g.y.to_bits());
    let d = g.backward(1.0);
    let (a, b) = (0.5_f32, 2.0_f32);
    let close = |got: f32, want: f32| (got - want).abs() <= 1e-6 * want.abs().max(1.0);
    assert!(
        close(value, (a * b).sin() + a.powi(3) * b.tanh()),
        "{value}"
    );
    // dy/dm = 1; dy/da = cos(ab) b + 3a² tanh b; dy/db = cos(ab) a + a³ (1 - tanh² b)
    let (cos, tanh) = ((a * b).cos(), b.tanh());
    assert_eq!(d.m, 1.0);
    assert!(close(d.a, cos * b + 3.0 * a * a * tanh), "{}", d.a);
    assert!(
        close(d.b, cos * a + a.powi(3) * (1.0 - tanh * tanh)),
        "{}",
        d.b
    );
}
