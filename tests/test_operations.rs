//! Every operation of the table, differentiated by `grad!`, against central
//! finite differences at many random points, in f64 and in f32, alone and
//! with fan-out (the operand used again, so gradients must be summed).
//!
//! Tolerances: the f64 gradient is compared with a central difference in f64
//! with step `h = 1e-6 · max(1, |x|)`, whose truncation and rounding errors
//! are about 1e-8 relative; the test allows `1e-6 · max(1, |g|)`. The f32
//! gradient is compared with the f64 analytic gradient at the same (f32)
//! point, allowing `1e-4 · max(1, |g|)`, a few f32 ulps of the operations.

use grad::ops::{OPERATIONS, OpKind};
use grad::{grad, relu, sigmoid};
use proptest::prelude::*;

fn central(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6 * x.abs().max(1.0);
    (f(x + h) - f(x - h)) / (2.0 * h)
}

fn assert_close(got: f64, want: f64, tolerance: f64, what: &str) {
    let scale = want.abs().max(1.0);
    assert!(
        (got - want).abs() <= tolerance * scale,
        "{what}: got {got}, want {want} (difference {:e}, allowed {:e})",
        (got - want).abs(),
        tolerance * scale
    );
}

/// One proptest per unary operation: `y = op(x)` and, with fan-out,
/// `y = op(x) * x`, in f64 and in f32.
macro_rules! unary_operations {
    ($($kind:ident $test:ident: |$x:ident| $body:expr, in $domain:expr;)+) => {
        /// The operations this file covers, checked against the table.
        const UNARY_COVERED: &[OpKind] = &[$(OpKind::$kind),+];

        $(
            proptest! {
                #![proptest_config(ProptestConfig::with_cases(200))]
                #[test]
                fn $test(point in $domain) {
                    let $x: f64 = point;
                    let d = grad!(y = $body).backward(1.0);
                    let f = |$x: f64| $body;
                    assert_close(d.x, central(f, $x), 1e-6, stringify!($kind));

                    let fan_out = grad!(y = $body * x).backward(1.0);
                    let g = |$x: f64| $body * $x;
                    assert_close(fan_out.x, central(g, $x), 1e-6, concat!(stringify!($kind), " with fan-out"));

                    let $x: f32 = point as f32;
                    let d32 = grad!(y = $body).backward(1.0);
                    let $x = f64::from($x);
                    let exact = grad!(y = $body).backward(1.0);
                    assert_close(f64::from(d32.x), exact.x, 1e-4, concat!(stringify!($kind), " in f32"));
                }
            }
        )+
    };
}

/// One proptest per binary operation: `z = op(x, y)` and, with fan-out,
/// `z = op(x, y) * x + y`.
macro_rules! binary_operations {
    ($($kind:ident $test:ident: |$x:ident, $y:ident| $body:expr, in $domain:expr;)+) => {
        const BINARY_COVERED: &[OpKind] = &[$(OpKind::$kind),+];

        $(
            proptest! {
                #![proptest_config(ProptestConfig::with_cases(200))]
                #[test]
                fn $test((px, py) in $domain) {
                    let ($x, $y): (f64, f64) = (px, py);
                    let d = grad!(z = $body).backward(1.0);
                    assert_close(d.x, central(|$x| $body, $x), 1e-6, concat!(stringify!($kind), " d/dx"));
                    assert_close(d.y, central(|$y| $body, $y), 1e-6, concat!(stringify!($kind), " d/dy"));

                    let fan_out = grad!(z = $body * x + y).backward(1.0);
                    assert_close(fan_out.x, central(|$x| $body * $x + $y, $x), 1e-6, concat!(stringify!($kind), " fan-out d/dx"));
                    assert_close(fan_out.y, central(|$y| $body * $x + $y, $y), 1e-6, concat!(stringify!($kind), " fan-out d/dy"));

                    let ($x, $y): (f32, f32) = (px as f32, py as f32);
                    let d32 = grad!(z = $body).backward(1.0);
                    let ($x, $y) = (f64::from($x), f64::from($y));
                    let exact = grad!(z = $body).backward(1.0);
                    assert_close(f64::from(d32.x), exact.x, 1e-4, concat!(stringify!($kind), " in f32 d/dx"));
                    assert_close(f64::from(d32.y), exact.y, 1e-4, concat!(stringify!($kind), " in f32 d/dy"));
                }
            }
        )+
    };
}

/// Points away from the origin's kink and the poles: `|x|` in `[0.1, 3]`.
fn away_from_zero() -> impl Strategy<Value = f64> {
    (0.1..3.0f64, any::<bool>()).prop_map(|(x, negative)| if negative { -x } else { x })
}

/// Pairs whose operands differ by at least 0.1, away from `max`/`min` ties.
fn distinct_pair(range: std::ops::Range<f64>) -> impl Strategy<Value = (f64, f64)> {
    (range.clone(), range).prop_filter("operands too close", |(x, y)| (x - y).abs() > 0.1)
}

unary_operations! {
    Neg neg: |x| -x, in -5.0..5.0;
    Exp exp: |x| x.exp(), in -5.0..5.0;
    Exp2 exp2: |x| x.exp2(), in -5.0..5.0;
    ExpM1 exp_m1: |x| x.exp_m1(), in -5.0..5.0;
    Ln ln: |x| x.ln(), in 0.1..10.0;
    Ln1p ln_1p: |x| x.ln_1p(), in -0.9..10.0;
    Log2 log2: |x| x.log2(), in 0.1..10.0;
    Log10 log10: |x| x.log10(), in 0.1..10.0;
    Sqrt sqrt: |x| x.sqrt(), in 0.1..10.0;
    Cbrt cbrt: |x| x.cbrt(), in away_from_zero();
    Powi powi: |x| x.powi(3), in -3.0..3.0;
    Recip recip: |x| x.recip(), in away_from_zero();
    Sin sin: |x| x.sin(), in -6.0..6.0;
    Cos cos: |x| x.cos(), in -6.0..6.0;
    Tan tan: |x| x.tan(), in -1.3..1.3;
    Asin asin: |x| x.asin(), in -0.9..0.9;
    Acos acos: |x| x.acos(), in -0.9..0.9;
    Atan atan: |x| x.atan(), in -5.0..5.0;
    Sinh sinh: |x| x.sinh(), in -3.0..3.0;
    Cosh cosh: |x| x.cosh(), in -3.0..3.0;
    Tanh tanh: |x| x.tanh(), in -3.0..3.0;
    Asinh asinh: |x| x.asinh(), in -5.0..5.0;
    Acosh acosh: |x| x.acosh(), in 1.1..5.0;
    Atanh atanh: |x| x.atanh(), in -0.9..0.9;
    Abs abs: |x| x.abs(), in away_from_zero();
    Sigmoid sigmoid_fn: |x| sigmoid(x), in -6.0..6.0;
    Relu relu_fn: |x| relu(x), in away_from_zero();
}

binary_operations! {
    Add add: |x, y| x + y, in (-5.0..5.0, -5.0..5.0);
    Sub sub: |x, y| x - y, in (-5.0..5.0, -5.0..5.0);
    Mul mul: |x, y| x * y, in (-5.0..5.0, -5.0..5.0);
    Div div: |x, y| x / y, in (-5.0..5.0, away_from_zero());
    Powf powf: |x, y| x.powf(y), in (0.1..3.0, -2.0..2.0);
    Log log: |x, y| x.log(y), in (0.1..10.0, 1.5..10.0);
    Atan2 atan2: |x, y| x.atan2(y), in (away_from_zero(), away_from_zero());
    Hypot hypot: |x, y| x.hypot(y), in (away_from_zero(), away_from_zero());
    Max max: |x, y| x.max(y), in distinct_pair(-5.0..5.0);
    Min min: |x, y| x.min(y), in distinct_pair(-5.0..5.0);
}

#[test]
fn every_operation_of_the_table_is_covered() {
    for op in OPERATIONS {
        assert!(
            UNARY_COVERED.contains(&op.kind) || BINARY_COVERED.contains(&op.kind),
            "{:?} has no finite-difference test here",
            op.kind
        );
    }
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
