//! Every operation of the table through `grad!`, one test each, written by
//! `build.rs` from the table itself: a new operation is tested as soon as it
//! has its table line and its layer.
//!
//! Each test runs `y = op(x, z)` (`x.powi(3)` for `powi`), the same with
//! fan-out (`op(x, z) * x + z`, so gradients are sums), and `op` in `f32`,
//! inline, and `op` in the function form in `f64` and `f32` (where `grad!`
//! computes with the scalar's own operators and methods), at random points
//! of the operation's smooth domain from the table, and checks them against
//! independent references:
//!
//! - the value equals plain Rust's (`OpKind::plain`: the operator or method
//!   itself, no layer) bit for bit;
//! - each gradient equals a central difference of plain Rust's function in
//!   `f64`, with step `h = 1e-6 · max(1, |x|)`, whose truncation and
//!   rounding errors are about 1e-8 relative: the test allows
//!   `1e-6 · max(1, |g|)`;
//! - the `f32` gradient equals the `f64` gradient at the same (`f32`)
//!   point within `1e-4 · max(1, |g|)`, a few `f32` ulps of the operations.

use grad::ops::OpKind;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// A formula through `grad!`: the point `[x, z]` to the value and `[d.x, d.z]`.
type Run<T> = fn([T; 2]) -> (T, [T; 2]);

/// The exponent `build.rs` gives `powi`.
const POWI_EXPONENT: i32 = 3;

fn central(f: impl Fn([f64; 2]) -> f64, at: [f64; 2], operand: usize) -> f64 {
    let h = 1e-6 * at[operand].abs().max(1.0);
    let (mut above, mut below) = (at, at);
    above[operand] += h;
    below[operand] -= h;
    (f(above) - f(below)) / (2.0 * h)
}

fn close(got: f64, want: f64, tolerance: f64) -> bool {
    (got - want).abs() <= tolerance * want.abs().max(1.0)
}

/// A formula in the function form, in `f64` and in `f32`.
type Functions = (Run<f64>, Run<f32>);

fn check(
    kind: OpKind,
    alone: Run<f64>,
    fan_out: Run<f64>,
    single: Run<f32>,
    (function, function32): Functions,
) {
    let op = kind.operation();
    let operands = op.shape.differentiable_operands();
    let plain = |x: [f64; 2]| kind.plain(&x, POWI_EXPONENT);
    // The fan-out formula: op(x, z) * x (+ z).
    let plain_fan_out = |x: [f64; 2]| {
        let product = plain(x) * x[0];
        if operands == 2 {
            product + x[1]
        } else {
            product
        }
    };
    let config = Config {
        cases: 200,
        failure_persistence: None,
        ..Config::default()
    };
    let strategy = ([0.0..1.0_f64, 0.0..1.0], [any::<bool>(), any::<bool>()]);
    let result = TestRunner::new(config).run(&strategy, |(unit, negate)| {
        let at = op.smooth.point(unit, negate);
        let (value, gradients) = alone(at);
        let expected = plain(at);
        prop_assert!(
            value.to_bits() == expected.to_bits() || (value.is_nan() && expected.is_nan()),
            "{}: grad! computes {value}, plain Rust {expected} at {at:?}",
            op.name
        );
        // The function form: the same independent references.
        let (function_value, function_gradients) = function(at);
        prop_assert!(
            function_value.to_bits() == expected.to_bits()
                || (function_value.is_nan() && expected.is_nan()),
            "{}: the function form computes {function_value}, plain Rust {expected} at {at:?}",
            op.name
        );
        for (i, &gradient) in function_gradients.iter().enumerate().take(operands) {
            let want = central(plain, at, i);
            prop_assert!(
                close(gradient, want, 1e-6),
                "{} in the function form d/d{i} at {at:?}: grad! {gradient}, central differences {want}",
                op.name,
            );
        }
        let (_, sums) = fan_out(at);
        for i in 0..operands {
            let want = central(plain, at, i);
            prop_assert!(
                close(gradients[i], want, 1e-6),
                "{} d/d{i} at {at:?}: grad! {}, central differences {want}",
                op.name,
                gradients[i]
            );
            let want = central(plain_fan_out, at, i);
            prop_assert!(
                close(sums[i], want, 1e-6),
                "{} with fan-out d/d{i} at {at:?}: grad! {}, central differences {want}",
                op.name,
                sums[i]
            );
        }
        // At the f32 point, the f32 gradient against the f64 one.
        #[allow(clippy::cast_possible_truncation)]
        let narrow = at.map(|x| x as f32);
        let (_, gradients32) = single(narrow);
        let (_, exact) = alone(narrow.map(f64::from));
        let (function_value32, function_gradients32) = function32(narrow);
        let expected32 = kind.plain(&narrow, POWI_EXPONENT);
        prop_assert!(
            function_value32.to_bits() == expected32.to_bits()
                || (function_value32.is_nan() && expected32.is_nan()),
            "{}: the function form in f32 computes {function_value32}, plain Rust {expected32} at {narrow:?}",
            op.name
        );
        for i in 0..operands {
            prop_assert!(
                close(f64::from(function_gradients32[i]), exact[i], 1e-4),
                "{} in the function form in f32 d/d{i} at {narrow:?}: {}, in f64 {}",
                op.name,
                function_gradients32[i],
                exact[i]
            );
            prop_assert!(
                close(f64::from(gradients32[i]), exact[i], 1e-4),
                "{} in f32 d/d{i} at {narrow:?}: {}, in f64 {}",
                op.name,
                gradients32[i],
                exact[i]
            );
        }
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}
