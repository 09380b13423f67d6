//! Loops, indices and branches in the function form: scalar code over Rust
//! arrays and slices.
//!
//! Every function below is checked against references independent of
//! `grad!`:
//!
//! - its value against the same function written by hand without `grad!`
//!   (the `plain` modules), bit for bit: the layers compute the same
//!   operations in the same order;
//! - its gradient against a closed form, computed in `f64` from the same
//!   inputs, and/or against central differences of the hand-written
//!   function (`grad::check_gradient_with_step`), which evaluates nothing
//!   but the function as written.
//!
//! The first group of formulas, their hand-written copies and their tests
//! are written once and expanded in `f64` and in `f32` (`F` is the scalar
//! type of each module); the groups after it are in `f64`, the last one
//! compiling each function's tokens both through `grad!` and as plain Rust.
//! Piecewise functions are checked on both sides of each switch and at the
//! switch itself, where the gradient is the one of the branch the condition
//! chose.

// grad! reads arrays by index in `for` loops, which clippy would have as
// iterators (and so do the hand-written copies, to be the same code).
#![allow(clippy::needless_range_loop)]

use grad::{Float, check_gradient_with_step, grad};
use std::fmt::Debug;
use std::ops::AddAssign;

// ---------------------------------------------------------------------------
// The references: closed forms, central differences, how close is close.
// ---------------------------------------------------------------------------

/// A float type with the tolerances its checks allow.
///
/// Errors are relative for partials above 1 and absolute below:
/// `grad::relative_error`, `|a - b| / max(1, |a|, |b|)`, for central
/// differences, and [`assert_closed_within`]'s measure for closed forms.
trait Precision: Float + Into<f64> + Debug + 'static {
    /// The step of central differences.
    const STEP: Self;
    /// The largest error allowed between a gradient and central differences.
    const TOLERANCE: f64;
    /// The largest error allowed between a gradient and its closed form
    /// computed in `f64` from the same inputs: the rounding of the gradient's
    /// own arithmetic.
    const CLOSED: f64;
}

impl Precision for f64 {
    /// Truncation `h² f‴ / 6` and rounding `ε |f| / h` balance near
    /// `h = 1e-5` for Rosenbrock over 100 variables, the hardest case here:
    /// `f‴ = 2400 x` gives about 6e-8, and its value, about 1.1e4, about
    /// 1.2e-7 (measured: 1.3e-7; every other function below 2e-9).
    const STEP: f64 = 1e-5;
    const TOLERANCE: f64 = 1e-6;
    /// A partial here is a sum of at most a few dozen rounded products:
    /// its error stays below `n ε` (`ε ≈ 1.1e-16`) of its terms'
    /// magnitudes (measured: at most 4e-16).
    const CLOSED: f64 = 1e-14;
}

impl Precision for f32 {
    /// With 24 bits (`ε ≈ 6e-8`) central differences need a larger step:
    /// rounding costs `ε |f| / h`, about 1e-4 for values of a few hundred,
    /// and truncation `h² f‴ / 6` about 1e-3 for Rosenbrock's
    /// `f‴ = 2400 x` (measured: 1.5e-3 for Rosenbrock, at most 3.5e-4
    /// for the others).
    const STEP: f32 = 1e-2;
    const TOLERANCE: f64 = 1e-2;
    /// The same sums as in f64, with `ε ≈ 6e-8` (measured: at most 2.1e-7).
    const CLOSED: f64 = 2e-6;
}

/// Checks `analytic` against central differences of `f` at `at`.
#[track_caller]
fn check_central<F: Precision>(what: &str, f: impl Fn(&[F]) -> F, analytic: &[F], at: &[F]) {
    assert_eq!(analytic.len(), at.len(), "{what}: one partial per input");
    let check = check_gradient_with_step(f, analytic, at, F::STEP);
    assert!(
        check.passes(F::TOLERANCE),
        "{what} ({}): error {:e} at coordinate {}, analytic {} vs central differences {}",
        std::any::type_name::<F>(),
        check.max_relative_error,
        check.worst_input,
        check.analytic[check.worst_input],
        check.numerical[check.worst_input],
    );
}

/// Checks a gradient against its closed form, element by element.
#[track_caller]
fn assert_closed<F: Precision>(what: &str, got: &[F], want: &[f64]) {
    assert_closed_within(what, got, want, want);
}

/// [`assert_closed`] where the partials are sums whose terms cancel:
/// `scale[k]`, the sum of the terms' magnitudes, bounds the rounding of
/// partial `k` (its error is `|got - want| / max(1, |want|, scale[k])`).
#[track_caller]
fn assert_closed_within<F: Precision>(what: &str, got: &[F], want: &[f64], scale: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: one partial per input");
    for (k, (&got, &want)) in got.iter().zip(want).enumerate() {
        let got: f64 = got.into();
        let error = (got - want).abs() / want.abs().max(scale[k].abs()).max(1.0);
        assert!(
            error <= F::CLOSED,
            "{what} ({}), coordinate {k}: {got:?} vs closed form {want} (error {error:e})",
            std::any::type_name::<F>(),
        );
    }
}

/// [`assert_closed`] for one scalar.
#[track_caller]
fn assert_closed_scalar<F: Precision>(what: &str, got: F, want: f64) {
    assert_closed(what, &[got], &[want]);
}

/// `count` distinct values spread over `[low, high]` in no particular order
/// (multiples of the golden ratio modulo 1), exactly representable in `F`.
fn spread<F: Precision>(count: usize, low: f64, high: f64, seed: usize) -> Vec<F> {
    (0..count)
        .map(|k| {
            let unit = ((k + seed + 1) as f64 * 0.618_033_988_749_895) % 1.0;
            F::from(low + (high - low) * unit).unwrap()
        })
        .collect()
}

/// [`spread`] with every other value negated: away from 0, where products
/// stay moderate and no element is zero.
fn mirrored<F: Precision>(count: usize, low: f64, high: f64, seed: usize) -> Vec<F> {
    let mut values = spread::<F>(count, low, high, seed);
    for value in values.iter_mut().skip(1).step_by(2) {
        *value = -*value;
    }
    values
}

/// The values as `f64`, for the closed forms.
fn wide<F: Precision>(values: &[F]) -> Vec<f64> {
    values.iter().map(|&value| value.into()).collect()
}

/// `F` of an `f64` written in a test (exact for the values used).
fn narrow<F: Precision>(value: f64) -> F {
    F::from(value).unwrap()
}

/// A fixed-size array of the values.
fn array<F: Precision, const N: usize>(values: &[F]) -> [F; N] {
    values.try_into().expect("N values")
}

/// The gradient of the N-variable Rosenbrock function
/// `Σ_{i<N-1} 100 (x_{i+1} - x_i²)² + (1 - x_i)²`, and for each partial
/// the sum of the magnitudes of its terms (terms of a few hundred cancel
/// to partials near 1).
fn rosenbrock_gradient(x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = x.len();
    (0..n)
        .map(|j| {
            let (mut g, mut scale) = (0.0, 0.0);
            if j + 1 < n {
                g += -400.0 * x[j] * (x[j + 1] - x[j] * x[j]) - 2.0 * (1.0 - x[j]);
                scale +=
                    400.0 * x[j].abs() * (x[j + 1].abs() + x[j] * x[j]) + 2.0 * (1.0 + x[j].abs());
            }
            if j >= 1 {
                g += 200.0 * (x[j] - x[j - 1] * x[j - 1]);
                scale += 200.0 * (x[j].abs() + x[j - 1] * x[j - 1]);
            }
            (g, scale)
        })
        .unzip()
}

/// `Π_{j≠k} x_j` for each `k`, by multiplying the others.
fn products_of_the_others(x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|k| {
            (0..x.len())
                .filter(|&j| j != k)
                .map(|j| x[j])
                .product::<f64>()
        })
        .collect()
}

/// `M x` for a matrix given by rows.
fn times(m: &[Vec<f64>], x: &[f64]) -> Vec<f64> {
    m.iter()
        .map(|row| row.iter().zip(x).map(|(a, b)| a * b).sum())
        .collect()
}

/// The transpose of a matrix given by rows.
fn transpose(m: &[Vec<f64>]) -> Vec<Vec<f64>> {
    (0..m[0].len())
        .map(|j| m.iter().map(|row| row[j]).collect())
        .collect()
}

/// The rows of a nested array as `f64` vectors.
fn rows<F: Precision, const M: usize>(m: &[[F; M]]) -> Vec<Vec<f64>> {
    m.iter().map(|row| wide(row)).collect()
}

/// A nested array from `N * M` values in row-major order.
fn matrix<F: Precision, const N: usize, const M: usize>(flat: &[F]) -> [[F; M]; N] {
    assert_eq!(flat.len(), N * M);
    std::array::from_fn(|i| std::array::from_fn(|j| flat[i * M + j]))
}

// ---------------------------------------------------------------------------
// The formulas, the same functions by hand, and their tests, in f64 and f32.
// ---------------------------------------------------------------------------

macro_rules! in_f64_and_f32 {
    ($($items:tt)*) => {
        /// The formulas and their tests in `f64`.
        mod f64s {
            use super::*;
            type F = f64;
            $($items)*
        }

        /// The formulas and their tests in `f32`.
        mod f32s {
            use super::*;
            type F = f32;
            $($items)*
        }
    };
}

in_f64_and_f32! {

grad! {
    /// The Rosenbrock function of `N` variables, as DESIGN.md writes it.
    pub fn rosenbrock<const N: usize>(x: &[F; N]) -> F {
        let mut s = 0.0;
        for i in 0..N - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = 1.0 - x[i];
            s += 100.0 * a * a + b * b;
        }
        s
    }

    /// The same over a slice: the bound is `x.len() - 1`.
    pub fn rosenbrock_slice(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = 1.0 - x[i];
            s += 100.0 * a * a + b * b;
        }
        s
    }

    /// The same over an array taken by value.
    pub fn rosenbrock_owned<const N: usize>(x: [F; N]) -> F {
        let mut s = 0.0;
        for i in 0..N - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = 1.0 - x[i];
            s += 100.0 * a * a + b * b;
        }
        s
    }

    /// `x · y` over arrays.
    pub fn dot<const N: usize>(x: &[F; N], y: &[F; N]) -> F {
        let mut s = 0.0;
        for i in 0..N {
            s += x[i] * y[i];
        }
        s
    }

    /// `x · y` over slices.
    pub fn dot_slices(x: &[F], y: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i] * y[i];
        }
        s
    }

    /// `xᵀ A x`, with nested loops.
    pub fn quadratic_form<const N: usize>(a: &[[F; N]; N], x: &[F; N]) -> F {
        let mut s = 0.0;
        for i in 0..N {
            for j in 0..N {
                s += x[i] * a[i][j] * x[j];
            }
        }
        s
    }

    /// `yᵀ W x` for an `N × M` matrix, a row's sum in an accumulator
    /// declared in the outer loop.
    pub fn bilinear<const N: usize, const M: usize>(y: &[F; N], w: &[[F; M]; N], x: &[F; M]) -> F {
        let mut s = 0.0;
        for i in 0..N {
            let mut row = 0.0;
            for j in 0..M {
                row += w[i][j] * x[j];
            }
            s += y[i] * row;
        }
        s
    }

    /// An inclusive range shifted by one, reading both neighbours.
    pub fn neighbours<const N: usize>(x: &[F; N]) -> F {
        let mut s = 0.0;
        for i in 1..=N - 2 {
            s += x[i - 1] * x[i + 1] - x[i];
        }
        s
    }

    /// Literal bounds and indices; `first` is a top-level `let`, which gets
    /// a field.
    pub fn literal_bounds(x: &[F; 5]) -> F {
        let first = x[0];
        let mut s = 0.0;
        for i in 1..4 {
            s += first * x[i];
        }
        s + x[4] * x[4]
    }

    /// `*=`: the product of the elements.
    pub fn product(x: &[F]) -> F {
        let mut p = 1.0;
        for i in 0..x.len() {
            p *= x[i];
        }
        p
    }

    /// `-=`: `10 - Σ x²`.
    pub fn decrease(x: &[F]) -> F {
        let mut s = 10.0;
        for i in 0..x.len() {
            s -= x[i] * x[i];
        }
        s
    }

    /// `/=`: `1 / Π x`.
    pub fn quotient(x: &[F]) -> F {
        let mut q = 1.0;
        for i in 0..x.len() {
            q /= x[i];
        }
        q
    }

    /// Two accumulators, one read after its update: the sum of the prefix
    /// products `Σ_k Π_{i≤k} x_i`.
    pub fn prefix_products(x: &[F]) -> F {
        let mut p = 1.0;
        let mut s = 0.0;
        for i in 0..x.len() {
            p *= x[i];
            s += p;
        }
        s
    }

    /// An accumulator read in its own update: `Π (1 + x_i)`.
    pub fn compound(x: &[F]) -> F {
        let mut s = 1.0;
        for i in 0..x.len() {
            s += s * x[i];
        }
        s
    }

    /// The loop variable as a number: `Σ i x_i²`.
    pub fn weighted(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += (i as F) * x[i] * x[i];
        }
        s
    }

    /// An inner bound from the outer loop's variable: `Σ_{j<i} x_i x_j`.
    pub fn triangle<const N: usize>(x: &[F; N]) -> F {
        let mut s = 0.0;
        for i in 0..N {
            for j in 0..i {
                s += x[i] * x[j];
            }
        }
        s
    }

    /// One accumulator through two loops in a row: `(Σ x) Π x`.
    pub fn two_loops(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i];
        }
        for i in 0..x.len() {
            s *= x[i];
        }
        s
    }

    /// Scalar parameters with an array: `λ Σ (w_i - t)²`.
    pub fn ridge(w: &[F], lambda: F, target: F) -> F {
        let mut s = 0.0;
        for i in 0..w.len() {
            let r = w[i] - target;
            s += r * r;
        }
        lambda * s
    }

    /// An accumulator that starts from a parameter: `scale Π x`.
    pub fn scaled_product(scale: F, x: &[F]) -> F {
        let mut p = scale;
        for i in 0..x.len() {
            p *= x[i];
        }
        p
    }

    /// `|x|` by an `if`: at 0 the `>=` branch, slope +1.
    pub fn abs_if(x: F) -> F {
        if x >= 0.0 { x } else { -x }
    }

    /// `relu` by an `if`: at 0 the `else` branch, slope 0.
    pub fn relu_if(x: F) -> F {
        if x > 0.0 { x } else { 0.0 }
    }

    /// Continuous with a kink at 1: `3x` below, `x² + 2` from 1 on (slope 2
    /// at 1, the second branch's).
    pub fn kink(x: F) -> F {
        if x < 1.0 { 3.0 * x } else { x * x + 2.0 }
    }

    /// Three pieces by an `else if`, continuous, with kinks at -1 and 1:
    /// slopes -3, then `2x` (`x²` through a `let` in the branch), then 5.
    /// At -1 and at 1 the middle branch.
    pub fn three_pieces(x: F) -> F {
        if x < -1.0 {
            -3.0 * x - 2.0
        } else if x <= 1.0 {
            let half = 0.5 * x;
            4.0 * half * half
        } else {
            5.0 * x - 4.0
        }
    }

    /// The Huber loss of residuals, an `else if` chain in a loop.
    pub fn huber(r: &[F], delta: F) -> F {
        let mut s = 0.0;
        for i in 0..r.len() {
            s += if r[i] > delta {
                delta * (r[i] - 0.5 * delta)
            } else if r[i] < -delta {
                -delta * (r[i] + 0.5 * delta)
            } else {
                0.5 * r[i] * r[i]
            };
        }
        s
    }

    /// `Σ |x_i|` by an `if` in a loop: at 0 the `>=` branch, slope +1.
    pub fn l1(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += if x[i] >= 0.0 { x[i] } else { -x[i] };
        }
        s
    }

    /// `√x` where it is real, 0 elsewhere: the untaken branch would be NaN.
    pub fn sqrt_or_zero(x: F) -> F {
        if x > 0.0 { x.sqrt() } else { 0.0 }
    }

    /// `ln x` of the positive elements (as `2 ln √x`, a `let` in the
    /// branch), `x` of the others: the untaken `√` and `ln` of a negative
    /// element would be NaN.
    pub fn log_or_linear(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += if x[i] > 0.0 {
                let root = x[i].sqrt();
                2.0 * root.ln()
            } else {
                x[i]
            };
        }
        s
    }

    /// Conditions joined by `&&`, `||` and `!`.
    pub fn quadrant(x: F, y: F) -> F {
        if x > 0.0 && y > 0.0 {
            x * y
        } else if !(x > 0.0 && y < 0.0) || y == 0.0 {
            x + y
        } else {
            x - y
        }
    }

    /// A condition on the accumulator itself: elements count half once
    /// the sum passes 1.
    pub fn damped_sum(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += if s > 1.0 { 0.5 * x[i] } else { x[i] };
        }
        s
    }

    /// A per-iteration accumulator: `Σ_i (2 x_i + 1)²`, its term built up
    /// in `t`, an accumulator declared in the loop.
    pub fn per_iteration(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            let mut t = x[i];
            t *= 2.0;
            t += 1.0;
            s += t * t;
        }
        s
    }

    /// A function of a scalar with an `if` is a custom operation of others.
    pub fn twice_relu(x: F) -> F {
        2.0 * relu_if(x)
    }
}

/// The same functions without `grad!`, written by hand.
pub mod plain {
    use super::F;

    pub fn rosenbrock(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = 1.0 - x[i];
            s += 100.0 * a * a + b * b;
        }
        s
    }

    pub fn dot(x: &[F], y: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i] * y[i];
        }
        s
    }

    pub fn quadratic_form<const N: usize>(a: &[[F; N]; N], x: &[F; N]) -> F {
        let mut s = 0.0;
        for i in 0..N {
            for j in 0..N {
                s += x[i] * a[i][j] * x[j];
            }
        }
        s
    }

    pub fn bilinear<const N: usize, const M: usize>(y: &[F; N], w: &[[F; M]; N], x: &[F; M]) -> F {
        let mut s = 0.0;
        for i in 0..N {
            let mut row = 0.0;
            for j in 0..M {
                row += w[i][j] * x[j];
            }
            s += y[i] * row;
        }
        s
    }

    pub fn neighbours(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 1..=x.len() - 2 {
            s += x[i - 1] * x[i + 1] - x[i];
        }
        s
    }

    pub fn literal_bounds(x: &[F]) -> F {
        let first = x[0];
        let mut s = 0.0;
        for i in 1..4 {
            s += first * x[i];
        }
        s + x[4] * x[4]
    }

    pub fn product(x: &[F]) -> F {
        let mut p = 1.0;
        for i in 0..x.len() {
            p *= x[i];
        }
        p
    }

    pub fn decrease(x: &[F]) -> F {
        let mut s = 10.0;
        for i in 0..x.len() {
            s -= x[i] * x[i];
        }
        s
    }

    pub fn quotient(x: &[F]) -> F {
        let mut q = 1.0;
        for i in 0..x.len() {
            q /= x[i];
        }
        q
    }

    pub fn prefix_products(x: &[F]) -> F {
        let mut p = 1.0;
        let mut s = 0.0;
        for i in 0..x.len() {
            p *= x[i];
            s += p;
        }
        s
    }

    pub fn compound(x: &[F]) -> F {
        let mut s = 1.0;
        for i in 0..x.len() {
            s += s * x[i];
        }
        s
    }

    pub fn weighted(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += (i as F) * x[i] * x[i];
        }
        s
    }

    pub fn triangle(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            for j in 0..i {
                s += x[i] * x[j];
            }
        }
        s
    }

    pub fn two_loops(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i];
        }
        for i in 0..x.len() {
            s *= x[i];
        }
        s
    }

    pub fn ridge(w: &[F], lambda: F, target: F) -> F {
        let mut s = 0.0;
        for i in 0..w.len() {
            let r = w[i] - target;
            s += r * r;
        }
        lambda * s
    }

    pub fn scaled_product(scale: F, x: &[F]) -> F {
        let mut p = scale;
        for i in 0..x.len() {
            p *= x[i];
        }
        p
    }

    pub fn abs_if(x: F) -> F {
        if x >= 0.0 { x } else { -x }
    }

    pub fn relu_if(x: F) -> F {
        if x > 0.0 { x } else { 0.0 }
    }

    pub fn kink(x: F) -> F {
        if x < 1.0 { 3.0 * x } else { x * x + 2.0 }
    }

    pub fn three_pieces(x: F) -> F {
        if x < -1.0 {
            -3.0 * x - 2.0
        } else if x <= 1.0 {
            let half = 0.5 * x;
            4.0 * half * half
        } else {
            5.0 * x - 4.0
        }
    }

    pub fn huber(r: &[F], delta: F) -> F {
        let mut s = 0.0;
        for i in 0..r.len() {
            s += if r[i] > delta {
                delta * (r[i] - 0.5 * delta)
            } else if r[i] < -delta {
                -delta * (r[i] + 0.5 * delta)
            } else {
                0.5 * r[i] * r[i]
            };
        }
        s
    }

    pub fn l1(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += if x[i] >= 0.0 { x[i] } else { -x[i] };
        }
        s
    }

    pub fn sqrt_or_zero(x: F) -> F {
        if x > 0.0 { x.sqrt() } else { 0.0 }
    }

    pub fn log_or_linear(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += if x[i] > 0.0 {
                let root = x[i].sqrt();
                2.0 * root.ln()
            } else {
                x[i]
            };
        }
        s
    }

    pub fn quadrant(x: F, y: F) -> F {
        if x > 0.0 && y > 0.0 {
            x * y
        } else if !(x > 0.0 && y < 0.0) || y == 0.0 {
            x + y
        } else {
            x - y
        }
    }

    pub fn damped_sum(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += if s > 1.0 { 0.5 * x[i] } else { x[i] };
        }
        s
    }

    pub fn per_iteration(x: &[F]) -> F {
        let mut s = 0.0;
        for i in 0..x.len() {
            let t = 2.0 * x[i] + 1.0;
            s += t * t;
        }
        s
    }
}

#[test]
fn grad_emits_each_function_as_written() {
    // The functions `grad!` emits compute what the same code by hand does.
    let x: Vec<F> = mirrored(6, 0.5, 1.5, 16);
    let y: Vec<F> = spread(6, -1.0, 1.0, 17);
    let (xa, ya): ([F; 6], [F; 6]) = (array(&x), array(&y));
    let square: [[F; 6]; 6] = matrix(&spread(36, -1.0, 1.0, 18));
    let wide_matrix: [[F; 6]; 5] = matrix(&spread(30, -1.0, 1.0, 19));
    let ya5: [F; 5] = array(&y[..5]);
    let (s, t): (F, F) = (narrow(0.75), narrow(-0.25));
    assert_eq!(rosenbrock(&xa), plain::rosenbrock(&x));
    assert_eq!(rosenbrock_slice(&x), plain::rosenbrock(&x));
    assert_eq!(rosenbrock_owned(xa), plain::rosenbrock(&x));
    assert_eq!(dot(&xa, &ya), plain::dot(&x, &y));
    assert_eq!(dot_slices(&x, &y), plain::dot(&x, &y));
    assert_eq!(quadratic_form(&square, &xa), plain::quadratic_form(&square, &xa));
    assert_eq!(bilinear(&ya5, &wide_matrix, &xa), plain::bilinear(&ya5, &wide_matrix, &xa));
    assert_eq!(neighbours(&xa), plain::neighbours(&x));
    assert_eq!(literal_bounds(&array(&x[..5])), plain::literal_bounds(&x[..5]));
    assert_eq!(product(&x), plain::product(&x));
    assert_eq!(decrease(&x), plain::decrease(&x));
    assert_eq!(quotient(&x), plain::quotient(&x));
    assert_eq!(prefix_products(&x), plain::prefix_products(&x));
    assert_eq!(compound(&x), plain::compound(&x));
    assert_eq!(weighted(&x), plain::weighted(&x));
    assert_eq!(triangle(&xa), plain::triangle(&x));
    assert_eq!(two_loops(&x), plain::two_loops(&x));
    assert_eq!(ridge(&x, s, t), plain::ridge(&x, s, t));
    assert_eq!(scaled_product(s, &x), plain::scaled_product(s, &x));
    assert_eq!(huber(&y, s), plain::huber(&y, s));
    assert_eq!(l1(&y), plain::l1(&y));
    assert_eq!(log_or_linear(&y), plain::log_or_linear(&y));
    assert_eq!(damped_sum(&x), plain::damped_sum(&x));
    assert_eq!(per_iteration(&y), plain::per_iteration(&y));
    for &value in &y {
        assert_eq!(abs_if(value), plain::abs_if(value));
        assert_eq!(relu_if(value), plain::relu_if(value));
        assert_eq!(kink(value), plain::kink(value));
        assert_eq!(three_pieces(value * 3.0), plain::three_pieces(value * 3.0));
        assert_eq!(sqrt_or_zero(value), plain::sqrt_or_zero(value));
        assert_eq!(quadrant(value, s), plain::quadrant(value, s));
        assert_eq!(twice_relu(value), 2.0 * plain::relu_if(value));
    }
}

/// Rosenbrock over `&[F; N]`, `&[F]` and `[F; N]` at one point: the
/// value is the hand-written function's; the gradient is the closed form,
/// of the parameter's shape.
fn rosenbrock_case<const N: usize>(x: &[F]) {
    let what = format!("rosenbrock, N = {N}");
    let point: [F; N] = array(x);
    let (want, scale) = rosenbrock_gradient(&wide(x));

    let (value, d) = rosenbrock_grad(&point);
    let gradient: [F; N] = d.x;
    assert_eq!(value, plain::rosenbrock(x), "{what}: value");
    assert_closed_within(&what, &gradient, &want, &scale);

    let (value, d) = rosenbrock_slice_grad(x);
    let gradient: Vec<F> = d.x;
    assert_eq!(value, plain::rosenbrock(x), "{what}, slice: value");
    assert_closed_within(&format!("{what}, slice"), &gradient, &want, &scale);

    let (value, d) = rosenbrock_owned_grad(point);
    let gradient: [F; N] = d.x;
    assert_eq!(value, plain::rosenbrock(x), "{what}, by value: value");
    assert_closed_within(&format!("{what}, by value"), &gradient, &want, &scale);
}

#[test]
fn rosenbrock_matches_its_closed_form_for_2_10_100_and_1000_variables() {
    rosenbrock_case::<2>(&spread(2, -1.2, 1.6, 0));
    rosenbrock_case::<10>(&spread(10, -1.2, 1.6, 1));
    rosenbrock_case::<100>(&spread(100, -1.2, 1.6, 2));
    rosenbrock_case::<1000>(&spread(1000, -1.2, 1.6, 3));
    // The classic start and the minimum, where every partial is exactly 0.
    rosenbrock_case::<2>(&[narrow(-1.2), narrow(1.0)]);
    let (value, d) = rosenbrock_grad(&[1.0 as F; 100]);
    assert_eq!(value, 0.0);
    assert!(d.x.iter().all(|&partial| partial == 0.0), "{:?}", d.x);
}

#[test]
fn rosenbrock_matches_central_differences() {
    let x: Vec<F> = spread(2, -1.2, 1.6, 0);
    let d = rosenbrock_grad(&array::<F, 2>(&x)).1;
    check_central("rosenbrock, N = 2", plain::rosenbrock, &d.x, &x);
    let x: Vec<F> = spread(10, -1.2, 1.6, 1);
    let d = rosenbrock_grad(&array::<F, 10>(&x)).1;
    check_central("rosenbrock, N = 10", plain::rosenbrock, &d.x, &x);
    let d = rosenbrock_slice_grad(&x).1;
    check_central("rosenbrock over a slice, 10 variables", plain::rosenbrock, &d.x, &x);
}

#[test]
fn a_slice_of_one_element_runs_no_iteration() {
    // `0..x.len() - 1` is empty: the sum is its start, and nothing
    // reaches the element.
    let (value, d) = rosenbrock_slice_grad(&[narrow(0.5)]);
    assert_eq!(value, plain::rosenbrock(&[narrow(0.5)]));
    assert_eq!(value, 0.0);
    assert_eq!(d.x, vec![0.0]);
}

#[test]
fn the_dot_product_has_gradients_y_and_x() {
    let x: Vec<F> = mirrored(7, 0.3, 2.0, 0);
    let y: Vec<F> = mirrored(7, 0.3, 2.0, 4);
    // Each partial is `1 * y_i` (or `1 * x_i`): exact.
    let (value, d) = dot_grad(&array::<F, 7>(&x), &array::<F, 7>(&y));
    assert_eq!(value, plain::dot(&x, &y));
    assert_eq!(d.x.to_vec(), y);
    assert_eq!(d.y.to_vec(), x);
    let (value, d) = dot_slices_grad(&x, &y);
    assert_eq!(value, plain::dot(&x, &y));
    assert_eq!((&d.x, &d.y), (&y, &x));
}

/// `xᵀ A x` for a matrix that is not symmetric.
fn quadratic_form_case<const N: usize>(seed: usize) {
    let flat: Vec<F> = mirrored(N * N, 0.1, 1.5, seed);
    let a: [[F; N]; N] = matrix(&flat);
    let x: Vec<F> = spread(N, -1.0, 1.0, seed + 1);
    let point: [F; N] = array(&x);
    let (value, d) = quadratic_form_grad(&a, &point);
    assert_eq!(value, plain::quadratic_form(&a, &point));

    // ∂/∂x = (A + Aᵀ) x, ∂/∂A = x xᵀ.
    let (a64, x64) = (rows(&a), wide(&x));
    let want_x: Vec<f64> = times(&a64, &x64)
        .iter()
        .zip(times(&transpose(&a64), &x64))
        .map(|(p, q)| p + q)
        .collect();
    assert_closed("quadratic form, x", &d.x, &want_x);
    for i in 0..N {
        let want_row: Vec<f64> = (0..N).map(|j| x64[i] * x64[j]).collect();
        assert_closed(&format!("quadratic form, row {i} of A"), &d.a[i], &want_row);
    }

    // Central differences over A's elements and x's, flattened.
    let analytic: Vec<F> = d.a.iter().flatten().chain(&d.x).copied().collect();
    let at: Vec<F> = flat.iter().chain(&x).copied().collect();
    let f = |v: &[F]| plain::quadratic_form::<N>(&matrix(&v[..N * N]), &array(&v[N * N..]));
    check_central("quadratic form", f, &analytic, &at);
}

#[test]
fn the_quadratic_form_has_gradients_a_plus_a_transposed_times_x_and_x_x_transposed() {
    quadratic_form_case::<1>(0);
    quadratic_form_case::<3>(1);
    quadratic_form_case::<10>(2);
}

#[test]
fn a_bilinear_form_over_a_matrix_that_is_not_square() {
    // yᵀ W x with W 3 × 4: ∂/∂y = W x, ∂/∂x = Wᵀ y, ∂/∂W = y xᵀ (a
    // transposed or swapped index gives the wrong shape or numbers).
    let flat: Vec<F> = mirrored(12, 0.2, 1.4, 5);
    let w: [[F; 4]; 3] = matrix(&flat);
    let y: Vec<F> = spread(3, -1.0, 1.0, 6);
    let x: Vec<F> = spread(4, -1.0, 1.0, 7);
    let (yp, xp): ([F; 3], [F; 4]) = (array(&y), array(&x));
    let (value, d) = bilinear_grad(&yp, &w, &xp);
    assert_eq!(value, plain::bilinear(&yp, &w, &xp));
    let (w64, y64, x64) = (rows(&w), wide(&y), wide(&x));
    assert_closed("bilinear, y", &d.y, &times(&w64, &x64));
    assert_closed("bilinear, x", &d.x, &times(&transpose(&w64), &y64));
    for i in 0..3 {
        let want_row: Vec<f64> = x64.iter().map(|xj| y64[i] * xj).collect();
        assert_closed(&format!("bilinear, row {i} of W"), &d.w[i], &want_row);
    }
    let analytic: Vec<F> = d.y.iter().chain(d.w.iter().flatten()).chain(&d.x).copied().collect();
    let at: Vec<F> = y.iter().chain(&flat).chain(&x).copied().collect();
    let f = |v: &[F]| {
        plain::bilinear::<3, 4>(&array(&v[..3]), &matrix(&v[3..15]), &array(&v[15..]))
    };
    check_central("bilinear", f, &analytic, &at);
}

#[test]
fn an_inclusive_range_reads_both_neighbours() {
    // Σ_{i=1}^{N-2} x_{i-1} x_{i+1} - x_i: ∂/∂x_k = x_{k+2} (if k + 1 ≤ N - 2)
    // + x_{k-2} (if k - 1 ≥ 1) - 1 (if 1 ≤ k ≤ N - 2).
    const N: usize = 7;
    let x: Vec<F> = spread(N, -1.0, 1.5, 8);
    let (value, d) = neighbours_grad(&array::<F, N>(&x));
    assert_eq!(value, plain::neighbours(&x));
    let x64 = wide(&x);
    let want: Vec<f64> = (0..N)
        .map(|k| {
            let mut g = 0.0;
            if k < N - 2 {
                g += x64[k + 2];
            }
            if k >= 2 {
                g += x64[k - 2];
            }
            if (1..=N - 2).contains(&k) {
                g -= 1.0;
            }
            g
        })
        .collect();
    assert_closed("neighbours", &d.x, &want);
    check_central("neighbours", plain::neighbours, &d.x, &x);
}

#[test]
fn literal_bounds_and_literal_indices() {
    // first Σ_{i=1}^{3} x_i + x_4²; `first` is x_0, a top-level `let` with
    // a field of its own: ∂/∂first = x_1 + x_2 + x_3.
    let x: Vec<F> = spread(5, -1.0, 1.5, 9);
    let (value, d) = literal_bounds_grad(&array::<F, 5>(&x));
    assert_eq!(value, plain::literal_bounds(&x));
    let x64 = wide(&x);
    let rest = x64[1] + x64[2] + x64[3];
    let want = [rest, x64[0], x64[0], x64[0], 2.0 * x64[4]];
    assert_closed("literal bounds", &d.x, &want);
    assert_closed_scalar("literal bounds, first", d.first, rest);
    check_central("literal bounds", plain::literal_bounds, &d.x, &x);
}

#[test]
fn products_differences_and_quotients_in_accumulators() {
    let x: Vec<F> = mirrored(6, 0.5, 1.5, 10);
    let x64 = wide(&x);
    let others = products_of_the_others(&x64);

    // Π x: ∂/∂x_k = Π_{j≠k} x_j.
    let (value, d) = product_grad(&x);
    assert_eq!(value, plain::product(&x));
    assert_closed("product", &d.x, &others);
    check_central("product", plain::product, &d.x, &x);

    // 10 - Σ x²: ∂/∂x_k = -2 x_k.
    let (value, d) = decrease_grad(&x);
    assert_eq!(value, plain::decrease(&x));
    let want: Vec<f64> = x64.iter().map(|x| -2.0 * x).collect();
    assert_closed("decrease", &d.x, &want);

    // 1 / Π x: ∂/∂x_k = -1 / (x_k Π x).
    let (value, d) = quotient_grad(&x);
    assert_eq!(value, plain::quotient(&x));
    let all: f64 = x64.iter().product();
    let want: Vec<f64> = x64.iter().map(|x| -1.0 / (x * all)).collect();
    assert_closed("quotient", &d.x, &want);
    check_central("quotient", plain::quotient, &d.x, &x);

    // An empty slice: the product is its start, 1, with no partials.
    let (value, d) = product_grad(&[]);
    assert_eq!((value, d.x), (1.0, vec![]));
}

#[test]
fn accumulators_read_inside_the_loop() {
    let x: Vec<F> = mirrored(6, 0.5, 1.5, 11);
    let x64 = wide(&x);
    let n = x64.len();

    // Σ_k Π_{i≤k} x_i: ∂/∂x_j = Σ_{k≥j} Π_{i≤k, i≠j} x_i.
    let (value, d) = prefix_products_grad(&x);
    assert_eq!(value, plain::prefix_products(&x));
    let want: Vec<f64> = (0..n)
        .map(|j| {
            (j..n)
                .map(|k| (0..=k).filter(|&i| i != j).map(|i| x64[i]).product::<f64>())
                .sum()
        })
        .collect();
    assert_closed("prefix products", &d.x, &want);
    check_central("prefix products", plain::prefix_products, &d.x, &x);

    // Π (1 + x_i): ∂/∂x_k = Π_{j≠k} (1 + x_j).
    let (value, d) = compound_grad(&x);
    assert_eq!(value, plain::compound(&x));
    let shifted: Vec<f64> = x64.iter().map(|x| 1.0 + x).collect();
    assert_closed("compound", &d.x, &products_of_the_others(&shifted));
    check_central("compound", plain::compound, &d.x, &x);

    // (Σ x) Π x through two loops: ∂/∂x_k = Π x + (Σ x) Π_{j≠k} x_j.
    let (value, d) = two_loops_grad(&x);
    assert_eq!(value, plain::two_loops(&x));
    let (sum, all): (f64, f64) = (x64.iter().sum(), x64.iter().product());
    let want: Vec<f64> = products_of_the_others(&x64)
        .iter()
        .map(|others| all + sum * others)
        .collect();
    assert_closed("two loops", &d.x, &want);
    check_central("two loops", plain::two_loops, &d.x, &x);
}

#[test]
fn loop_variables_as_numbers_and_as_bounds() {
    let x: Vec<F> = spread(6, -1.0, 1.5, 12);
    let x64 = wide(&x);

    // Σ i x_i²: ∂/∂x_k = 2 k x_k.
    let (value, d) = weighted_grad(&x);
    assert_eq!(value, plain::weighted(&x));
    let want: Vec<f64> = x64.iter().enumerate().map(|(k, x)| 2.0 * k as f64 * x).collect();
    assert_closed("weighted", &d.x, &want);

    // Σ_{j<i} x_i x_j: ∂/∂x_k = Σ_{j≠k} x_j.
    let (value, d) = triangle_grad(&array::<F, 6>(&x));
    assert_eq!(value, plain::triangle(&x));
    let sum: f64 = x64.iter().sum();
    let want: Vec<f64> = x64.iter().map(|x| sum - x).collect();
    assert_closed("triangle", &d.x, &want);
    check_central("triangle", plain::triangle, &d.x, &x);
}

#[test]
fn scalar_parameters_mix_with_arrays() {
    let w: Vec<F> = spread(5, -1.0, 1.5, 13);
    let (lambda, target): (F, F) = (narrow(0.75), narrow(0.25));
    let (value, d) = ridge_grad(&w, lambda, target);
    assert_eq!(value, plain::ridge(&w, lambda, target));
    // λ Σ r², r = w - t: ∂/∂w = 2 λ r, ∂/∂λ = Σ r², ∂/∂t = -2 λ Σ r.
    let r: Vec<f64> = wide(&w).iter().map(|w| w - 0.25).collect();
    let want: Vec<f64> = r.iter().map(|r| 2.0 * 0.75 * r).collect();
    assert_closed("ridge, w", &d.w, &want);
    assert_closed_scalar("ridge, lambda", d.lambda, r.iter().map(|r| r * r).sum());
    assert_closed_scalar("ridge, target", d.target, -2.0 * 0.75 * r.iter().sum::<f64>());
    let f = |v: &[F]| plain::ridge(&v[..5], v[5], v[6]);
    let analytic: Vec<F> = d.w.iter().copied().chain([d.lambda, d.target]).collect();
    let at: Vec<F> = w.iter().copied().chain([lambda, target]).collect();
    check_central("ridge", f, &analytic, &at);

    // scale Π x: ∂/∂scale = Π x, ∂/∂x_k = scale Π_{j≠k} x_j.
    let x: Vec<F> = mirrored(4, 0.5, 1.5, 14);
    let scale: F = narrow(-1.5);
    let (value, d) = scaled_product_grad(scale, &x);
    assert_eq!(value, plain::scaled_product(scale, &x));
    let x64 = wide(&x);
    assert_closed_scalar("scaled product, scale", d.scale, x64.iter().product());
    let want: Vec<f64> = products_of_the_others(&x64).iter().map(|p| -1.5 * p).collect();
    assert_closed("scaled product, x", &d.x, &want);
}

#[test]
fn an_accumulator_declared_in_the_loop_holds_one_iteration() {
    // Σ (2 x_i + 1)²: ∂/∂x_k = 4 (2 x_k + 1).
    let x: Vec<F> = spread(5, -1.0, 1.5, 15);
    let (value, d) = per_iteration_grad(&x);
    assert_eq!(value, plain::per_iteration(&x));
    let want: Vec<f64> = wide(&x).iter().map(|x| 4.0 * (2.0 * x + 1.0)).collect();
    assert_closed("per iteration", &d.x, &want);
}

/// The value of `f_grad` is `plain`'s and its slope is `slope` at each
/// of `points`.
#[track_caller]
fn piecewise(what: &str, grad: fn(F) -> (F, F), plain: fn(F) -> F, points: &[(f64, f64)]) {
    for &(x, slope) in points {
        let (value, d) = grad(narrow(x));
        assert_eq!(value, plain(narrow(x)), "{what} at {x}: value");
        assert_closed_scalar(&format!("{what} at {x}"), d, slope);
    }
}

#[test]
fn piecewise_functions_on_both_sides_of_each_switch_and_at_it() {
    // At a switch the slope is the one of the branch the condition takes.
    piecewise(
        "abs by if",
        |x| {
            let (value, d) = abs_if_grad(x);
            (value, d.x)
        },
        plain::abs_if,
        &[(-2.0, -1.0), (-1e-3, -1.0), (0.0, 1.0), (1e-3, 1.0), (3.0, 1.0)],
    );
    piecewise(
        "relu by if",
        |x| {
            let (value, d) = relu_if_grad(x);
            (value, d.x)
        },
        plain::relu_if,
        &[(-2.0, 0.0), (0.0, 0.0), (0.5, 1.0)],
    );
    // 3x below 1, x² + 2 from 1 on (slope 2x).
    piecewise(
        "kink",
        |x| {
            let (value, d) = kink_grad(x);
            (value, d.x)
        },
        plain::kink,
        &[(0.5, 3.0), (1.0, 2.0), (1.5, 3.0)],
    );
    // -3x - 2 below -1, x² up to 1 (both switches included), 5x - 4 above.
    piecewise(
        "three pieces",
        |x| {
            let (value, d) = three_pieces_grad(x);
            (value, d.x)
        },
        plain::three_pieces,
        &[(-2.0, -3.0), (-1.0, -2.0), (-0.5, -1.0), (1.0, 2.0), (1.5, 5.0)],
    );
}

#[test]
fn a_let_in_a_branch_gets_no_field() {
    // `half` lives in a branch: the fields are the parameters' and the
    // top-level `let`s' only.
    assert_eq!(ThreePiecesGrad::NAMES, ["x"]);
}

#[test]
fn huber_loss_on_both_sides_and_at_the_switches() {
    // ∂/∂r = δ above δ, -δ below -δ, r between (at ±δ the middle branch,
    // where both sides agree: the Huber loss has a continuous slope);
    // ∂/∂δ = r - δ above, -r - δ below, 0 between.
    let delta: F = narrow(0.5);
    let r: Vec<F> = [-1.25, -0.5, -0.25, 0.0, 0.375, 0.5, 2.0].map(narrow).to_vec();
    let (value, d) = huber_grad(&r, delta);
    assert_eq!(value, plain::huber(&r, delta));
    let want_r: Vec<f64> = wide(&r)
        .iter()
        .map(|&r| r.clamp(-0.5, 0.5))
        .collect();
    let want_delta: f64 = wide(&r)
        .iter()
        .map(|&r| if r > 0.5 { r - 0.5 } else if r < -0.5 { -r - 0.5 } else { 0.0 })
        .sum();
    assert_closed("huber, r", &d.r, &want_r);
    assert_closed_scalar("huber, delta", d.delta, want_delta);
    // Away from the switches, central differences agree.
    let r: Vec<F> = [-1.25, -0.25, 0.0, 0.375, 2.0].map(narrow).to_vec();
    let (_, d) = huber_grad(&r, delta);
    let analytic: Vec<F> = d.r.iter().copied().chain([d.delta]).collect();
    let at: Vec<F> = r.iter().copied().chain([delta]).collect();
    check_central("huber", |v: &[F]| plain::huber(&v[..5], v[5]), &analytic, &at);
}

#[test]
fn abs_by_if_in_a_loop_takes_the_first_branch_at_zero() {
    let x: Vec<F> = [-1.5, -0.25, 0.0, 0.5, 2.0].map(narrow).to_vec();
    let (value, d) = l1_grad(&x);
    assert_eq!(value, plain::l1(&x));
    // x >= 0 takes the first branch, slope +1, at 0 too.
    assert_closed("l1", &d.x, &[-1.0, -1.0, 1.0, 1.0, 1.0]);
}

#[test]
fn a_branch_not_taken_does_not_poison_the_gradient() {
    // √-1 would be NaN and its derivative too; the `else` is taken.
    let (value, d) = sqrt_or_zero_grad(narrow(-1.0));
    assert_eq!((value, d.x), (0.0, 0.0));
    let (value, d) = sqrt_or_zero_grad(narrow(4.0));
    assert_eq!(value, plain::sqrt_or_zero(narrow(4.0)));
    assert_closed_scalar("sqrt or zero at 4", d.x, 0.25);
    // And at 0 itself, where √'s slope is infinite: the `else`, slope 0.
    assert_eq!(sqrt_or_zero_grad(narrow(0.0)).1.x, 0.0);

    // ln of the positive elements, x of the others.
    let x: Vec<F> = [-2.0, -0.5, 0.0, 0.5, 4.0].map(narrow).to_vec();
    let (value, d) = log_or_linear_grad(&x);
    assert_eq!(value, plain::log_or_linear(&x));
    assert_closed("log or linear", &d.x, &[1.0, 1.0, 1.0, 2.0, 0.25]);
}

#[test]
fn conditions_with_and_or_not() {
    // x y where both are positive, x - y where x > 0 > y, x + y elsewhere.
    for (x, y, dx, dy) in [
        (2.0, 3.0, 3.0, 2.0),
        (-1.0, 3.0, 1.0, 1.0),
        (0.0, 3.0, 1.0, 1.0),
        (2.0, 0.0, 1.0, 1.0),
        (2.0, -3.0, 1.0, -1.0),
    ] {
        let (x, y): (F, F) = (narrow(x), narrow(y));
        let (value, d) = quadrant_grad(x, y);
        assert_eq!(value, plain::quadrant(x, y));
        assert_closed(&format!("quadrant at ({x}, {y})"), &[d.x, d.y], &[dx, dy]);
    }
}

#[test]
fn a_condition_on_the_accumulator() {
    // Once the sum passes 1, elements count half: with x = (0.75, 0.5,
    // 0.25, 1.0) the sums before each element are 0, 0.75, 1.25, 1.375,
    // so the slopes are 1, 1, 0.5, 0.5 (the condition gets no gradient).
    let x: Vec<F> = [0.75, 0.5, 0.25, 1.0].map(narrow).to_vec();
    let (value, d) = damped_sum_grad(&x);
    assert_eq!(value, plain::damped_sum(&x));
    assert_closed("damped sum", &d.x, &[1.0, 1.0, 0.5, 0.5]);
    check_central("damped sum", plain::damped_sum, &d.x, &x);
}

#[test]
fn a_function_with_an_if_is_a_custom_operation_of_others() {
    // 2 relu(x): slope 2 above 0, 0 below.
    assert_eq!(twice_relu_grad(narrow(1.5)), (narrow(3.0), TwiceReluGrad { x: narrow(2.0) }));
    assert_eq!(twice_relu_grad(narrow(-1.5)), (narrow(0.0), TwiceReluGrad { x: narrow(0.0) }));
}

}

// ---------------------------------------------------------------------------
// f64 only: large sizes.
// ---------------------------------------------------------------------------

#[test]
fn rosenbrock_matches_central_differences_for_100_variables() {
    // Over 1000 variables the value (about 1.2e5) makes central differences'
    // rounding, `ε |f| / h`, as large as the tolerance: the closed form
    // checks that size.
    use f64s::{plain, rosenbrock_grad, rosenbrock_slice_grad};
    let x: Vec<f64> = spread(100, -1.2, 1.6, 2);
    let d = rosenbrock_grad(&array::<f64, 100>(&x)).1;
    check_central("rosenbrock, N = 100", plain::rosenbrock, &d.x, &x);
    let d = rosenbrock_slice_grad(&x).1;
    check_central(
        "rosenbrock over a slice, 100 variables",
        plain::rosenbrock,
        &d.x,
        &x,
    );
}

#[test]
fn a_million_iterations_with_a_tape() {
    // The prefix products keep `p` per iteration (a heap tape, not the
    // stack). With P_k = Π_{i≤k} x_i, ∂/∂x_j = Σ_{k≥j} P_k / x_j.
    use f64s::{plain, prefix_products_grad};
    let count = 1_000_000;
    let x: Vec<f64> = (0..count)
        .map(|k| 1.0 + if k % 2 == 0 { 1e-6 } else { -1e-6 } * ((k % 7) as f64))
        .collect();
    let (value, d) = prefix_products_grad(&x);
    assert_eq!(value, plain::prefix_products(&x));
    let mut prefix = Vec::with_capacity(count);
    let mut p = 1.0;
    for &x in &x {
        p *= x;
        prefix.push(p);
    }
    let mut suffix = 0.0;
    let mut want = vec![0.0; count];
    for j in (0..count).rev() {
        suffix += prefix[j];
        want[j] = suffix / x[j];
    }
    // Sums of up to 10⁶ terms near 1: each rounded to 1.1e-16 relative.
    for (j, (&got, &want)) in d.x.iter().zip(&want).enumerate() {
        assert!(
            (got - want).abs() <= 1e-9 * want.abs(),
            "coordinate {j}: {got} vs closed form {want}"
        );
    }
}

#[test]
#[should_panic(expected = "index out of bounds")]
fn an_index_past_the_end_panics_as_the_plain_function_does() {
    // `y[i]` for `i` in `0..x.len()` with `y` shorter than `x`.
    let _ = f64s::dot_slices_grad(&[1.0, 2.0, 3.0], &[1.0, 2.0]);
}

// ---------------------------------------------------------------------------
// More shapes, in f64: a generic scalar, nested arrays by value and in
// slices, bounds from products, quotients and integer parameters, `#[constant]`
// data, methods and custom operations in loops, branches after loops and
// inside `let`s.
// ---------------------------------------------------------------------------

/// `ln(1 + eˣ)`, a custom operation.
fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

/// Its value and derivative, the logistic function.
fn softplus_grad(x: f64) -> (f64, f64) {
    (softplus(x), grad::sigmoid(x))
}

grad! {
    /// A generic scalar: the plain function's `+=` asks for `AddAssign`.
    pub fn sum_of_squares<T: Float + AddAssign, const N: usize>(x: &[T; N]) -> T {
        let mut s = T::zero();
        for i in 0..N {
            s += x[i] * x[i];
        }
        s
    }

    /// A nested array by value.
    pub fn row_products<const N: usize>(w: [[f64; 2]; N]) -> f64 {
        let mut s = 0.0;
        for i in 0..N {
            s += w[i][0] * w[i][1];
        }
        s
    }

    /// A slice of arrays: its gradient is a `Vec` of arrays.
    pub fn row_products_slice(w: &[[f64; 2]]) -> f64 {
        let mut s = 0.0;
        for i in 0..w.len() {
            s += w[i][0] * w[i][1];
        }
        s
    }

    /// A bound that is a product: the first `2 N` elements.
    pub fn first_pairs<const N: usize>(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..2 * N {
            s += x[i];
        }
        s
    }

    /// A bound that is a quotient: the first half.
    pub fn first_half(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() / 2 {
            s += x[i];
        }
        s
    }

    /// A bound from an integer parameter, which gets no gradient.
    pub fn partial_sum(x: &[f64], n: usize) -> f64 {
        let mut s = 0.0;
        for i in 0..n {
            s += x[i];
        }
        s
    }

    /// Least squares over `#[constant]` data, walked to its length.
    pub fn least_squares(#[constant] data: &[f64], #[constant] target: &[f64], w: f64, b: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..data.len() {
            let r = w * data[i] + b - target[i];
            s += r * r;
        }
        s
    }

    /// The diagonal, and `Σ a_ij a_ji`: one accumulator updated in the
    /// outer and the inner loop.
    pub fn diagonal_and_cross<const N: usize>(a: &[[f64; N]; N]) -> f64 {
        let mut s = 0.0;
        for i in 0..N {
            s += a[i][i];
            for j in 0..N {
                s += a[i][j] * a[j][i];
            }
        }
        s
    }

    /// After the loop: a top-level `let` of an element, and an `if` on the
    /// accumulator.
    pub fn sum_then_branch(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i];
        }
        let third = x[2];
        if s > 0.0 { s * third } else { -s }
    }

    /// An `if` inside a branch.
    pub fn nested_if(x: f64, y: f64) -> f64 {
        if x > 0.0 {
            if y > 0.0 { x * y } else { x }
        } else {
            y
        }
    }

    /// An `if` as a per-iteration `let`: `Σ relu(x_i)²`.
    pub fn positive_squares(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            let t = if x[i] > 0.0 { x[i] } else { 0.0 };
            s += t * t;
        }
        s
    }

    /// A custom operation in a loop.
    pub fn softplus_sum(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += softplus(x[i]);
        }
        s
    }

    /// `ln Σ eˣ`, whose gradient is the softmax.
    pub fn log_sum_exp(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i].exp();
        }
        s.ln()
    }

    /// Methods with an integer argument and with a second operand.
    pub fn methods(x: &[f64], floor: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i].powi(2).max(floor) + x[i].sin();
        }
        s
    }

    /// A loop over no array: the loop variable is `powi`'s `i32` exponent,
    /// its type inferred from that use as in the plain function.
    pub fn power_sum(w: f64) -> f64 {
        let mut s = 0.0;
        for i in 1..4 {
            s += w.powi(i);
        }
        s
    }

    /// A literal length, by value, read at literal indices only.
    pub fn triple(x: [f64; 3]) -> f64 {
        x[0] * x[1] * x[2]
    }
}

/// The same functions by hand.
mod plain_more {
    use std::ops::AddAssign;

    pub fn sum_of_squares<T: grad::Float + AddAssign>(x: &[T]) -> T {
        let mut s = T::zero();
        for i in 0..x.len() {
            s += x[i] * x[i];
        }
        s
    }

    pub fn least_squares(data: &[f64], target: &[f64], w: f64, b: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..data.len() {
            let r = w * data[i] + b - target[i];
            s += r * r;
        }
        s
    }

    pub fn diagonal_and_cross<const N: usize>(a: &[[f64; N]; N]) -> f64 {
        let mut s = 0.0;
        for i in 0..N {
            s += a[i][i];
            for j in 0..N {
                s += a[i][j] * a[j][i];
            }
        }
        s
    }

    pub fn sum_then_branch(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i];
        }
        let third = x[2];
        if s > 0.0 { s * third } else { -s }
    }

    pub fn log_sum_exp(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i].exp();
        }
        s.ln()
    }

    pub fn methods(x: &[f64], floor: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i].powi(2).max(floor) + x[i].sin();
        }
        s
    }
}

#[test]
fn a_generic_scalar_in_f32_and_f64() {
    // Σ x²: ∂/∂x = 2x, exact.
    let (value, d) = sum_of_squares_grad(&[1.5_f64, -2.0, 0.25]);
    assert_eq!(value, plain_more::sum_of_squares(&[1.5_f64, -2.0, 0.25]));
    assert_eq!(d.x, [3.0, -4.0, 0.5]);
    let (value, d) = sum_of_squares_grad(&[1.5_f32, -2.0]);
    assert_eq!(value, plain_more::sum_of_squares(&[1.5_f32, -2.0]));
    assert_eq!(d.x, [3.0, -4.0]);
}

#[test]
fn nested_arrays_by_value_and_in_slices() {
    // Σ w_i0 w_i1: ∂/∂w_i = (w_i1, w_i0), exact.
    let w = [[1.5, -2.0], [0.5, 3.0], [-1.0, 0.25]];
    let (value, d) = row_products_grad(w);
    assert_eq!(value, -3.0 + 1.5 - 0.25);
    assert_eq!(d.w, [[-2.0, 1.5], [3.0, 0.5], [0.25, -1.0]]);
    let (value, d) = row_products_slice_grad(&w);
    assert_eq!(value, -3.0 + 1.5 - 0.25);
    assert_eq!(d.w, vec![[-2.0, 1.5], [3.0, 0.5], [0.25, -1.0]]);
}

#[test]
fn bounds_from_products_quotients_and_integer_parameters() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    // The first 2 N = 4 elements count.
    let (value, d) = first_pairs_grad::<2>(&x);
    assert_eq!((value, d.x), (10.0, vec![1.0, 1.0, 1.0, 1.0, 0.0, 0.0]));
    // The first half, 6 / 2 = 3 elements.
    let (value, d) = first_half_grad(&x);
    assert_eq!((value, d.x), (6.0, vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0]));
    // The first n = 3; `n` gets no field.
    let (value, d) = partial_sum_grad(&x, 3);
    assert_eq!((value, d.x), (6.0, vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0]));
    assert_eq!(PartialSumGrad::NAMES, ["x"]);
}

#[test]
fn a_loop_variable_of_another_integer_type() {
    // w + w² + w³: ∂/∂w = 1 + 2w + 3w².
    let w = 1.5;
    let (value, d) = power_sum_grad(w);
    assert_eq!(value, w.powi(1) + w.powi(2) + w.powi(3));
    assert_closed_scalar::<f64>("power sum", d.w, 1.0 + 2.0 * w + 3.0 * w * w);
}

#[test]
fn constant_data_walked_to_its_length() {
    // Σ r², r = w dᵢ + b - tᵢ: ∂/∂w = 2 Σ r dᵢ, ∂/∂b = 2 Σ r; the data get
    // no field.
    let (data, target) = ([1.0, 2.0, -0.5, 3.0], [1.0, 3.0, 0.0, 4.5]);
    let (w, b) = (0.75, 0.125);
    let (value, d) = least_squares_grad(&data, &target, w, b);
    assert_eq!(value, plain_more::least_squares(&data, &target, w, b));
    let r: Vec<f64> = data
        .iter()
        .zip(&target)
        .map(|(d, t)| w * d + b - t)
        .collect();
    let dw: f64 = r.iter().zip(&data).map(|(r, d)| 2.0 * r * d).sum();
    let db: f64 = r.iter().map(|r| 2.0 * r).sum();
    assert_closed_scalar::<f64>("least squares, w", d.w, dw);
    assert_closed_scalar::<f64>("least squares, b", d.b, db);
    assert_eq!(LeastSquaresGrad::NAMES, ["w", "b"]);
}

#[test]
fn one_accumulator_updated_in_the_outer_and_the_inner_loop() {
    // Σ a_ii + Σ a_ij a_ji: ∂/∂a_ij = [i = j] + 2 a_ji.
    let flat: Vec<f64> = mirrored(9, 0.25, 1.5, 20);
    let a: [[f64; 3]; 3] = matrix(&flat);
    let (value, d) = diagonal_and_cross_grad(&a);
    assert_eq!(value, plain_more::diagonal_and_cross(&a));
    for i in 0..3 {
        let want: Vec<f64> = (0..3)
            .map(|j| f64::from(u8::from(i == j)) + 2.0 * a[j][i])
            .collect();
        assert_closed(&format!("diagonal and cross, row {i}"), &d.a[i], &want);
    }
    let f = |v: &[f64]| plain_more::diagonal_and_cross::<3>(&matrix(v));
    let analytic: Vec<f64> = d.a.iter().flatten().copied().collect();
    check_central("diagonal and cross", f, &analytic, &flat);
}

#[test]
fn a_branch_on_the_accumulator_after_the_loop() {
    // s = Σ x, third = x_2; s third if s > 0: ∂/∂x_k = third + [k = 2] s,
    // ∂/∂third = s; -s otherwise: ∂/∂x_k = -1, ∂/∂third = 0.
    let x = [1.0, 2.0, 3.0, -0.5];
    let (value, d) = sum_then_branch_grad(&x);
    assert_eq!(value, plain_more::sum_then_branch(&x));
    assert_eq!((d.x, d.third), (vec![3.0, 3.0, 8.5, 3.0], 5.5));
    let x = [1.0, -2.0, 3.0, -4.5];
    let (value, d) = sum_then_branch_grad(&x);
    assert_eq!(value, plain_more::sum_then_branch(&x));
    assert_eq!((d.x, d.third), (vec![-1.0; 4], 0.0));
}

#[test]
fn nested_branches_and_branches_in_lets() {
    // x y, x, or y: each quadrant its own partials.
    for (x, y, dx, dy) in [
        (2.0, 3.0, 3.0, 2.0),
        (2.0, -3.0, 1.0, 0.0),
        (-2.0, 3.0, 0.0, 1.0),
        (0.0, 3.0, 0.0, 1.0),
    ] {
        assert_eq!(nested_if_grad(x, y).1, NestedIfGrad { x: dx, y: dy });
    }
    // Σ relu(x)²: ∂/∂x = 2 relu(x), 0 at 0.
    let (value, d) = positive_squares_grad(&[1.5, -2.0, 0.0, 0.5]);
    assert_eq!((value, d.x), (2.5, vec![3.0, 0.0, 0.0, 1.0]));
}

#[test]
fn methods_and_custom_operations_in_loops() {
    let x: Vec<f64> = spread(5, -2.0, 2.0, 21);

    // Σ softplus: ∂/∂x = σ(x).
    let (value, d) = softplus_sum_grad(&x);
    assert_eq!(value, x.iter().map(|&x| softplus(x)).sum::<f64>());
    let want: Vec<f64> = x.iter().map(|&x| grad::sigmoid(x)).collect();
    assert_closed("softplus sum", &d.x, &want);

    // ln Σ eˣ: ∂/∂x = softmax(x).
    let (value, d) = log_sum_exp_grad(&x);
    assert_eq!(value, plain_more::log_sum_exp(&x));
    let total: f64 = x.iter().map(|x| x.exp()).sum();
    let want: Vec<f64> = x.iter().map(|x| x.exp() / total).collect();
    assert_closed("log-sum-exp", &d.x, &want);

    // Σ max(x², floor) + sin x: ∂/∂x = 2x where x² > floor, plus cos x;
    // ∂/∂floor = how many x² are below it.
    let floor = 1.0;
    let (value, d) = methods_grad(&x, floor);
    assert_eq!(value, plain_more::methods(&x, floor));
    let want: Vec<f64> = x
        .iter()
        .map(|&x| if x * x > floor { 2.0 * x } else { 0.0 } + x.cos())
        .collect();
    assert_closed("methods, x", &d.x, &want);
    let below = x.iter().filter(|&&x| x * x < floor).count();
    assert!(below > 0 && below < x.len(), "both sides of the floor");
    assert_closed_scalar::<f64>("methods, floor", d.floor, below as f64);

    // x_0 x_1 x_2 by literal indices.
    assert_eq!(
        triple_grad([2.0, 3.0, 5.0]),
        (
            30.0,
            TripleGrad {
                x: [15.0, 10.0, 6.0]
            }
        )
    );
}

// ---------------------------------------------------------------------------
// Accumulators through nested loops and branches, in f64: each function is
// written once and compiled twice, by `grad!` and as plain Rust (the
// `plain_nested` module), whose central differences are the reference.
// ---------------------------------------------------------------------------

/// The functions through `grad!`, and the same tokens as plain Rust.
macro_rules! with_plain_copy {
    ($($function:item)*) => {
        grad! { $($function)* }

        /// The same functions as plain Rust.
        mod plain_nested {
            #![allow(clippy::needless_range_loop)]
            $($function)*
        }
    };
}

with_plain_copy! {
    /// Horner's rule: `p = (..(c_0 t + c_1) t + ..) t + c_{n-1}`.
    pub fn horner(c: &[f64], t: f64) -> f64 {
        let mut p = 0.0;
        for i in 0..c.len() {
            p *= t;
            p += c[i];
        }
        p
    }

    /// The product of a matrix's elements, through nested loops.
    pub fn matrix_product(a: &[[f64; 3]; 2]) -> f64 {
        let mut p = 1.0;
        for i in 0..2 {
            for j in 0..3 {
                p *= a[i][j];
            }
        }
        p
    }

    /// The squares of the rows' products: a product kept per inner
    /// iteration, in an accumulator declared in the outer loop.
    pub fn row_products_squared(a: &[[f64; 3]; 2]) -> f64 {
        let mut s = 0.0;
        for i in 0..2 {
            let mut r = 1.0;
            for j in 0..3 {
                r *= a[i][j];
            }
            s += r * r;
        }
        s
    }

    /// One accumulator read before the other's update: `Σ x_i Π_{j<i} x_j`.
    pub fn lagged_products(x: &[f64]) -> f64 {
        let mut s = 0.0;
        let mut p = 1.0;
        for i in 0..x.len() {
            s += p * x[i];
            p *= x[i];
        }
        s
    }

    /// Two updates of one accumulator in an iteration.
    pub fn add_then_multiply(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i];
            s *= x[i];
        }
        s
    }

    /// An accumulator read in its own branch.
    pub fn growth(x: &[f64]) -> f64 {
        let mut s = 0.5;
        for i in 0..x.len() {
            s += if s > 1.0 { s * x[i] } else { x[i] };
        }
        s
    }

    /// An inner loop that reads the outer accumulator `s` and updates `t`.
    pub fn read_in_the_inner_loop(x: &[f64], a: &[[f64; 2]; 3]) -> f64 {
        let mut s = 1.0;
        let mut t = 0.0;
        for i in 0..3 {
            for j in 0..2 {
                t += s * a[i][j];
            }
            s += x[i] * t;
        }
        s + t
    }

    /// An inner range that depends on the outer variable, with a product.
    pub fn prefix_products_nested(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            let mut q = x[i];
            for j in 0..i {
                q *= x[j];
            }
            s += q;
        }
        s
    }

    /// Three loops deep, the accumulator read in its own update.
    pub fn three_deep(a: &[[f64; 2]; 2], x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..2 {
            for j in 0..2 {
                for k in 0..x.len() {
                    s += a[i][j] * x[k] * s * 0.01 + a[j][i];
                }
            }
        }
        s
    }

    /// `/=` by an expression of the accumulator itself.
    pub fn continued_fraction(x: &[f64]) -> f64 {
        let mut q = 10.0;
        for i in 0..x.len() {
            q /= x[i] + q;
        }
        q
    }

    /// `-=` of a term that reads the accumulator.
    pub fn decay(x: &[f64]) -> f64 {
        let mut s = 2.0;
        for i in 0..x.len() {
            s -= s * x[i] * 0.5;
        }
        s
    }

    /// A running maximum `m` updated through a branch, read by `s`.
    pub fn running_maximum(x: &[f64]) -> f64 {
        let mut s = 0.0;
        let mut m = 0.0;
        for i in 0..x.len() {
            m += if x[i] > m { x[i] - m } else { 0.0 };
            s += m * x[i];
        }
        s + m
    }
}

/// A matrix of `R` rows of `C` from its elements in row-major order.
fn rows_of<const R: usize, const C: usize>(flat: &[f64]) -> [[f64; C]; R] {
    matrix::<f64, R, C>(flat)
}

#[test]
fn horners_rule_against_its_closed_form() {
    // p(t) = Σ c_i t^(n-1-i): ∂/∂c_i = t^(n-1-i), ∂/∂t = p'(t).
    let c = [0.9, -1.1, 1.3, 0.7, 1.2];
    let t = 0.7;
    let (value, d) = horner_grad(&c, t);
    assert_eq!(value, plain_nested::horner(&c, t));
    let n = c.len();
    let want_c: Vec<f64> = (0..n).map(|i| t.powi((n - 1 - i) as i32)).collect();
    let want_t: f64 = (0..n - 1)
        .map(|i| c[i] * (n - 1 - i) as f64 * t.powi((n - 2 - i) as i32))
        .sum();
    assert_closed("horner, c", &d.c, &want_c);
    assert_closed_scalar::<f64>("horner, t", d.t, want_t);
}

#[test]
fn accumulators_through_nested_loops_and_branches() {
    let a: Vec<f64> = mirrored(6, 0.6, 1.4, 22);
    let x: Vec<f64> = mirrored(5, 0.6, 1.4, 23);
    let small: Vec<f64> = spread(5, -0.3, 0.7, 24);

    // Π a: ∂/∂a_ij = Π a / a_ij.
    let (value, d) = matrix_product_grad(&rows_of(&a));
    assert_eq!(value, plain_nested::matrix_product(&rows_of(&a)));
    let all: f64 = a.iter().product();
    let want: Vec<f64> = a.iter().map(|a| all / a).collect();
    assert_closed("matrix product", d.a.as_flattened(), &want);

    let (value, d) = row_products_squared_grad(&rows_of(&a));
    assert_eq!(value, plain_nested::row_products_squared(&rows_of(&a)));
    let f = |v: &[f64]| plain_nested::row_products_squared(&rows_of(v));
    check_central("row products squared", f, d.a.as_flattened(), &a);

    let (value, d) = lagged_products_grad(&x);
    assert_eq!(value, plain_nested::lagged_products(&x));
    check_central("lagged products", plain_nested::lagged_products, &d.x, &x);

    let (value, d) = add_then_multiply_grad(&x);
    assert_eq!(value, plain_nested::add_then_multiply(&x));
    check_central(
        "add then multiply",
        plain_nested::add_then_multiply,
        &d.x,
        &x,
    );

    // The sums before each element are 0.5, 0.75, 1.25, 1.09375 and
    // 1.50390625: both branches, none near its switch.
    let rates = [0.25, 0.5, -0.125, 0.375, 0.25];
    let (value, d) = growth_grad(&rates);
    assert_eq!(value, plain_nested::growth(&rates));
    check_central("growth", plain_nested::growth, &d.x, &rates);

    let (value, d) = read_in_the_inner_loop_grad(&x[..3], &rows_of(&a));
    assert_eq!(
        value,
        plain_nested::read_in_the_inner_loop(&x[..3], &rows_of(&a))
    );
    let f = |v: &[f64]| plain_nested::read_in_the_inner_loop(&v[..3], &rows_of(&v[3..]));
    let analytic: Vec<f64> = d.x.iter().chain(d.a.as_flattened()).copied().collect();
    let at: Vec<f64> = x[..3].iter().chain(&a).copied().collect();
    check_central("read in the inner loop", f, &analytic, &at);

    let (value, d) = prefix_products_nested_grad(&x);
    assert_eq!(value, plain_nested::prefix_products_nested(&x));
    check_central(
        "prefix products, nested",
        plain_nested::prefix_products_nested,
        &d.x,
        &x,
    );

    let (value, d) = three_deep_grad(&rows_of(&a[..4]), &x);
    assert_eq!(value, plain_nested::three_deep(&rows_of(&a[..4]), &x));
    let f = |v: &[f64]| plain_nested::three_deep(&rows_of(&v[..4]), &v[4..]);
    let analytic: Vec<f64> = d.a.as_flattened().iter().chain(&d.x).copied().collect();
    let at: Vec<f64> = a[..4].iter().chain(&x).copied().collect();
    check_central("three deep", f, &analytic, &at);

    let (value, d) = continued_fraction_grad(&small);
    assert_eq!(value, plain_nested::continued_fraction(&small));
    check_central(
        "continued fraction",
        plain_nested::continued_fraction,
        &d.x,
        &small,
    );

    let (value, d) = decay_grad(&x);
    assert_eq!(value, plain_nested::decay(&x));
    check_central("decay", plain_nested::decay, &d.x, &x);

    let (value, d) = running_maximum_grad(&x);
    assert_eq!(value, plain_nested::running_maximum(&x));
    check_central("running maximum", plain_nested::running_maximum, &d.x, &x);
}
