//! Numerical differentiation and gradient checks: what a user runs to trust
//! an analytic gradient, such as the derivative of a custom operation.
//!
//! The point may be a slice, a fixed-size array or a `Vec` of floats, or
//! (feature `ndarray`) an ndarray array of any dimension: the book's
//! gradient check, element by element. The [`Point`] trait says how.

use core::borrow::Borrow;
use num_traits::{Float, ToPrimitive};

/// The book's step for central differences, `h = 1e-4`.
pub const DEFAULT_STEP: f64 = 1e-4;

/// A point at which [`numerical_gradient`] and [`check_gradient`] take
/// derivatives, one coordinate at a time.
///
/// | point | the function gets | the gradient is |
/// |---|---|---|
/// | `[T]`, `[T; N]`, `Vec<T>` | `&[T]` | `Vec<T>` |
/// | ndarray's `ArrayBase<S, D>` (owned array or view, feature `ndarray`) | `&Array<A, D>` | `Array<A, D>`, the point's shape |
///
/// Coordinates are numbered in logical (row-major) order, whatever the
/// memory layout: that is the order of [`GradientCheck`]'s vectors and of
/// its [`worst_input`](GradientCheck::worst_input).
pub trait Point {
    /// The type of one coordinate.
    type Scalar: Float;
    /// What the function under test takes a reference to.
    type Arg: ?Sized;
    /// An owned copy of the point, which the function gets borrowed as
    /// [`Arg`](Self::Arg); also the type of a numerical gradient.
    type Owned: Borrow<Self::Arg>;
    /// The shape: `[len]` for slices, the array's shape otherwise.
    fn shape(&self) -> Vec<usize>;
    /// A copy of the point whose [`coordinates_mut`](Self::coordinates_mut)
    /// are in logical order.
    fn to_owned_point(&self) -> Self::Owned;
    /// The coordinates of a copy, in logical order.
    fn coordinates_mut(point: &mut Self::Owned) -> &mut [Self::Scalar];
}

impl<T: Float> Point for [T] {
    type Scalar = T;
    type Arg = [T];
    type Owned = Vec<T>;
    fn shape(&self) -> Vec<usize> {
        vec![self.len()]
    }
    fn to_owned_point(&self) -> Vec<T> {
        self.to_vec()
    }
    fn coordinates_mut(point: &mut Vec<T>) -> &mut [T] {
        point
    }
}

impl<T: Float, const N: usize> Point for [T; N] {
    type Scalar = T;
    type Arg = [T];
    type Owned = Vec<T>;
    fn shape(&self) -> Vec<usize> {
        vec![N]
    }
    fn to_owned_point(&self) -> Vec<T> {
        self.to_vec()
    }
    fn coordinates_mut(point: &mut Vec<T>) -> &mut [T] {
        point
    }
}

impl<T: Float> Point for Vec<T> {
    type Scalar = T;
    type Arg = [T];
    type Owned = Vec<T>;
    fn shape(&self) -> Vec<usize> {
        vec![self.len()]
    }
    fn to_owned_point(&self) -> Vec<T> {
        self.clone()
    }
    fn coordinates_mut(point: &mut Vec<T>) -> &mut [T] {
        point
    }
}

#[cfg(feature = "ndarray")]
impl<A, S, D> Point for ndarray::ArrayBase<S, D>
where
    A: Float,
    S: ndarray::Data<Elem = A>,
    D: ndarray::Dimension,
{
    type Scalar = A;
    type Arg = ndarray::Array<A, D>;
    type Owned = ndarray::Array<A, D>;
    fn shape(&self) -> Vec<usize> {
        ndarray::LayoutRef::shape(self.as_ref()).to_vec()
    }
    fn to_owned_point(&self) -> ndarray::Array<A, D> {
        // Standard (row-major) layout: memory order is logical order.
        self.as_standard_layout().into_owned()
    }
    fn coordinates_mut(point: &mut ndarray::Array<A, D>) -> &mut [A] {
        if !point.is_standard_layout() {
            *point = point.as_standard_layout().into_owned();
        }
        point
            .as_slice_mut()
            .expect("an owned array in standard layout is one slice")
    }
}

/// The gradient of `f` at `x` by central differences with the book's step
/// `h = 1e-4`: `(f(x + h eᵢ) - f(x - h eᵢ)) / 2h` for every coordinate `i`.
///
/// It costs `2n` evaluations of `f` for `n` coordinates, which is why
/// `grad!` exists; use it to check gradients, not to compute them.
///
/// ```
/// // f(x, y) = x² y at (3, 2): gradient (2xy, x²) = (12, 9)
/// let g = grad_core::numerical_gradient(|v: &[f64]| v[0] * v[0] * v[1], &[3.0, 2.0]);
/// assert!((g[0] - 12.0).abs() < 1e-6 && (g[1] - 9.0).abs() < 1e-6);
/// ```
///
/// Over an array (feature `ndarray`) it is the book's `numerical_gradient`,
/// element by element, and the gradient has the array's shape:
///
/// ```
/// # #[cfg(feature = "ndarray")] {
/// use grad_core::ndarray::{Array2, array};
///
/// // f(W) = Σ (x · W)² for a fixed x: ∂f/∂W = 2 xᵀ (x · W)
/// let x = array![[1.0, 2.0]];
/// let w = array![[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]];
/// let g = grad_core::numerical_gradient(|w: &Array2<f64>| x.dot(w).mapv(|v| v * v).sum(), &w);
/// let exact = 2.0 * x.t().dot(&x.dot(&w));
/// assert_eq!(g.dim(), (2, 3));
/// assert!(g.iter().zip(&exact).all(|(a, b)| (a - b).abs() < 1e-6));
/// # }
/// ```
pub fn numerical_gradient<P: Point + ?Sized>(f: impl Fn(&P::Arg) -> P::Scalar, x: &P) -> P::Owned {
    numerical_gradient_with_step(f, x, step())
}

/// The book's step in the scalar type.
fn step<T: Float>() -> T {
    T::from(DEFAULT_STEP).unwrap_or_else(T::epsilon)
}

/// [`numerical_gradient`] with a step `h` of your choice.
///
/// ```
/// let g = grad_core::numerical_gradient_with_step(|v: &[f64]| v[0].exp(), &[0.0], 1e-6);
/// assert!((g[0] - 1.0).abs() < 1e-9);
/// ```
pub fn numerical_gradient_with_step<P: Point + ?Sized>(
    f: impl Fn(&P::Arg) -> P::Scalar,
    x: &P,
    h: P::Scalar,
) -> P::Owned {
    let mut point = x.to_owned_point();
    let mut gradient = x.to_owned_point();
    let two_h = h + h;
    let n = P::coordinates_mut(&mut point).len();
    for i in 0..n {
        let original = P::coordinates_mut(&mut point)[i];
        P::coordinates_mut(&mut point)[i] = original + h;
        let above = f(point.borrow());
        P::coordinates_mut(&mut point)[i] = original - h;
        let below = f(point.borrow());
        P::coordinates_mut(&mut point)[i] = original;
        P::coordinates_mut(&mut gradient)[i] = (above - below) / two_h;
    }
    gradient
}

/// How far an analytic gradient is from the numerical one.
#[derive(Clone, Debug, PartialEq)]
pub struct GradientCheck {
    /// The largest [`relative_error`] over all coordinates.
    pub max_relative_error: f64,
    /// The coordinate where that error occurs (in logical order for an
    /// array: see [`Point`]).
    pub worst_input: usize,
    /// The largest absolute difference `|analytic - numerical|` over all
    /// coordinates (NaN if any is NaN): the book's check prints this.
    pub max_absolute_error: f64,
    /// The analytic gradient that was checked, in logical order.
    pub analytic: Vec<f64>,
    /// The central-difference gradient it was checked against, in logical order.
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
/// with the book's step, returning the largest relative error (and the
/// largest absolute difference).
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
/// The point and the analytic gradient may be arrays of the same shape
/// (feature `ndarray`):
///
/// ```
/// # #[cfg(feature = "ndarray")] {
/// use grad_core::ndarray::{Array2, array};
///
/// // f(W) = Σ tanh(W): ∂f/∂W = 1 - tanh²(W)
/// let w = array![[0.1, -0.4], [0.7, 2.0], [-1.2, 0.0]];
/// let analytic = w.mapv(|v: f64| 1.0 - v.tanh().powi(2));
/// let check = grad_core::check_gradient(|w: &Array2<f64>| w.mapv(f64::tanh).sum(), &analytic, &w);
/// assert!(check.max_absolute_error < 1e-8, "{check:?}");
/// # }
/// ```
///
/// # Panics
///
/// If `analytic` and `x` have different shapes (lengths, for slices).
#[track_caller]
pub fn check_gradient<P, G>(f: impl Fn(&P::Arg) -> P::Scalar, analytic: &G, x: &P) -> GradientCheck
where
    P: Point + ?Sized,
    G: Point<Scalar = P::Scalar> + ?Sized,
{
    check_gradient_with_step(f, analytic, x, step())
}

/// [`check_gradient`] with a step `h` of your choice.
///
/// # Panics
///
/// If `analytic` and `x` have different shapes (lengths, for slices).
#[track_caller]
pub fn check_gradient_with_step<P, G>(
    f: impl Fn(&P::Arg) -> P::Scalar,
    analytic: &G,
    x: &P,
    h: P::Scalar,
) -> GradientCheck
where
    P: Point + ?Sized,
    G: Point<Scalar = P::Scalar> + ?Sized,
{
    let (analytic_shape, shape) = (analytic.shape(), x.shape());
    if let ([partials], [inputs]) = (&analytic_shape[..], &shape[..]) {
        assert_eq!(
            partials, inputs,
            "check_gradient: {partials} analytic partials for {inputs} inputs"
        );
    } else {
        assert_eq!(
            analytic_shape, shape,
            "check_gradient: analytic gradient of shape {analytic_shape:?} for a point of shape {shape:?}"
        );
    }
    let to_f64 = |v: &P::Scalar| v.to_f64().unwrap_or(f64::NAN);
    let mut numerical = numerical_gradient_with_step(f, x, h);
    let numerical: Vec<f64> = P::coordinates_mut(&mut numerical)
        .iter()
        .map(to_f64)
        .collect();
    let mut analytic = analytic.to_owned_point();
    let analytic: Vec<f64> = G::coordinates_mut(&mut analytic)
        .iter()
        .map(to_f64)
        .collect();
    // NaN compares false: keep it as the worst so a broken gradient never passes.
    let worse = |e: f64, max: f64| e > max || (e.is_nan() && !max.is_nan());
    let (mut worst_input, mut max_relative_error, mut max_absolute_error) = (0, 0.0, 0.0);
    for (i, (&a, &n)) in analytic.iter().zip(&numerical).enumerate() {
        let relative = relative_error(a, n);
        if worse(relative, max_relative_error) {
            (worst_input, max_relative_error) = (i, relative);
        }
        let absolute = if a == n { 0.0 } else { (a - n).abs() };
        if worse(absolute, max_absolute_error) {
            max_absolute_error = absolute;
        }
    }
    GradientCheck {
        max_relative_error,
        worst_input,
        max_absolute_error,
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
