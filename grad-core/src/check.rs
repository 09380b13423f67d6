//! Numerical differentiation and gradient checks: what a user runs to trust
//! an analytic gradient, such as the derivative of a custom operation.

use num_traits::Float;

/// The book's step for central differences, `h = 1e-4`.
pub const DEFAULT_STEP: f64 = 1e-4;

/// The gradient of `f` at `x` by central differences with the book's step
/// `h = 1e-4`: `(f(x + h eᵢ) - f(x - h eᵢ)) / 2h` for every input `i`.
///
/// It costs `2n` evaluations of `f` for `n` inputs, which is why `grad!`
/// exists; use it to check gradients, not to compute them.
///
/// ```
/// // f(x, y) = x² y at (3, 2): gradient (2xy, x²) = (12, 9)
/// let g = grad_core::numerical_gradient(|v: &[f64]| v[0] * v[0] * v[1], &[3.0, 2.0]);
/// assert!((g[0] - 12.0).abs() < 1e-6 && (g[1] - 9.0).abs() < 1e-6);
/// ```
pub fn numerical_gradient<T: Float>(f: impl Fn(&[T]) -> T, x: &[T]) -> Vec<T> {
    numerical_gradient_with_step(f, x, T::from(DEFAULT_STEP).unwrap_or_else(T::epsilon))
}

/// [`numerical_gradient`] with a step `h` of your choice.
///
/// ```
/// let g = grad_core::numerical_gradient_with_step(|v: &[f64]| v[0].exp(), &[0.0], 1e-6);
/// assert!((g[0] - 1.0).abs() < 1e-9);
/// ```
pub fn numerical_gradient_with_step<T: Float>(f: impl Fn(&[T]) -> T, x: &[T], h: T) -> Vec<T> {
    let mut point = x.to_vec();
    let two_h = h + h;
    (0..x.len())
        .map(|i| {
            let original = point[i];
            point[i] = original + h;
            let above = f(&point);
            point[i] = original - h;
            let below = f(&point);
            point[i] = original;
            (above - below) / two_h
        })
        .collect()
}

/// How far an analytic gradient is from the numerical one.
#[derive(Clone, Debug, PartialEq)]
pub struct GradientCheck {
    /// The largest [`relative_error`] over all inputs.
    pub max_relative_error: f64,
    /// The input where that error occurs.
    pub worst_input: usize,
    /// The analytic gradient that was checked.
    pub analytic: Vec<f64>,
    /// The central-difference gradient it was checked against.
    pub numerical: Vec<f64>,
}

impl GradientCheck {
    /// Whether every input's relative error is at most `tolerance`.
    #[must_use]
    pub fn passes(&self, tolerance: f64) -> bool {
        self.max_relative_error <= tolerance
    }
}

/// The error between two numbers, relative to the larger magnitude once that
/// exceeds 1 and absolute below it: `|a - b| / max(1, |a|, |b|)`. This keeps
/// gradients near zero from turning rounding noise into huge ratios. NaN if
/// either is NaN, and 0 when both are the same infinity.
///
/// ```
/// assert_eq!(grad_core::relative_error(200.0, 202.0), 2.0 / 202.0);
/// assert_eq!(grad_core::relative_error(1e-9, 0.0), 1e-9);
/// ```
#[must_use]
pub fn relative_error(a: f64, b: f64) -> f64 {
    if a == b {
        return 0.0;
    }
    (a - b).abs() / a.abs().max(b.abs()).max(1.0)
}

/// Checks an analytic gradient of `f` at `x` against central differences
/// with the book's step, returning the largest relative error.
///
/// ```
/// // f(x, y) = sin(x y): gradient (y cos(xy), x cos(xy))
/// let f = |v: &[f64]| (v[0] * v[1]).sin();
/// let (x, y): (f64, f64) = (0.3, 0.7);
/// let analytic = [y * (x * y).cos(), x * (x * y).cos()];
/// let check = grad_core::check_gradient(f, &analytic, &[x, y]);
/// assert!(check.passes(1e-8), "{check:?}");
/// ```
///
/// # Panics
///
/// If `analytic` and `x` have different lengths.
pub fn check_gradient<T: Float>(f: impl Fn(&[T]) -> T, analytic: &[T], x: &[T]) -> GradientCheck {
    check_gradient_with_step(
        f,
        analytic,
        x,
        T::from(DEFAULT_STEP).unwrap_or_else(T::epsilon),
    )
}

/// [`check_gradient`] with a step `h` of your choice.
///
/// # Panics
///
/// If `analytic` and `x` have different lengths.
pub fn check_gradient_with_step<T: Float>(
    f: impl Fn(&[T]) -> T,
    analytic: &[T],
    x: &[T],
    h: T,
) -> GradientCheck {
    assert_eq!(
        analytic.len(),
        x.len(),
        "check_gradient: {} analytic partials for {} inputs",
        analytic.len(),
        x.len()
    );
    let to_f64 = |v: &T| v.to_f64().unwrap_or(f64::NAN);
    let numerical: Vec<f64> = numerical_gradient_with_step(f, x, h)
        .iter()
        .map(to_f64)
        .collect();
    let analytic: Vec<f64> = analytic.iter().map(to_f64).collect();
    let (worst_input, max_relative_error) = analytic
        .iter()
        .zip(&numerical)
        .map(|(&a, &n)| relative_error(a, n))
        .enumerate()
        .fold((0, 0.0), |(worst, max), (i, e)| {
            // NaN compares false: keep it as the worst so a broken gradient never passes.
            if e > max || (e.is_nan() && !max.is_nan()) {
                (i, e)
            } else {
                (worst, max)
            }
        });
    GradientCheck {
        max_relative_error,
        worst_input,
        analytic,
        numerical,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn central_differences_match_the_book_on_the_seed() {
        // price = (apple * apple_num + orange * orange_num) * tax
        let price = |v: &[f64]| (v[0] * v[1] + v[2] * v[3]) * v[4];
        let g = numerical_gradient(price, &[100.0, 2.0, 150.0, 3.0, 1.1]);
        let expected = [2.2, 110.0, 3.3, 165.0, 650.0];
        for (got, want) in g.iter().zip(expected) {
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
    }

    #[test]
    fn a_wrong_gradient_fails_the_check() {
        let f = |v: &[f64]| v[0] * v[0];
        let check = check_gradient(f, &[3.0], &[2.0]);
        assert_eq!(check.worst_input, 0);
        assert!((check.max_relative_error - 0.25).abs() < 1e-9);
        assert!(!check.passes(1e-3));
    }

    #[test]
    fn a_nan_gradient_never_passes() {
        let f = |v: &[f64]| v[0] + v[1];
        let check = check_gradient(f, &[1.0, f64::NAN], &[0.0, 0.0]);
        assert_eq!(check.worst_input, 1);
        assert!(!check.passes(1.0));
    }
}
