//! Your own operations: the protocol `grad!` uses for a call it does not know.
//!
//! Inside `grad!`, a call `f(a, b)` to a function that is not built in becomes
//! a [`CustomLayer`] fed by `f_grad(a, b)`, which the user writes next to `f`
//! and which returns the value and one partial derivative per argument. The
//! crate docs of `grad` show it end to end.
//!
//! The partials can be any [`Partials`]: an array `[T; N]`, a tuple of `T`,
//! a bare `f64` or `f32` for one argument, or the gradient struct of a
//! function made with `grad!`'s function form, which is how such functions
//! compose inside other formulas.

use num_traits::Float;

/// One partial derivative per argument of a custom operation.
///
/// Implemented for `[T; N]`, tuples `(T, …)` of up to twelve elements, bare
/// `f32`/`f64` (one argument) and the gradient structs that `grad!` generates
/// for functions.
///
/// ```
/// use grad_core::Partials;
/// assert_eq!((1.0, 2.0).into_partials(), [1.0, 2.0]);
/// assert_eq!(Partials::<f64, 1>::into_partials(3.0), [3.0]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of {N} partial derivatives of type `{T}`",
    label = "expected {N} partial derivatives, one per argument of the call",
    note = "a custom operation `f(x1, .., xN)` inside `grad!` calls `f_grad(x1, .., xN)`, which must return `(value, partials)`: the value and one partial derivative per argument, as `[T; N]`, a tuple, or a gradient struct made by `grad!`"
)]
pub trait Partials<T, const N: usize> {
    /// The partial derivatives in argument order.
    fn into_partials(self) -> [T; N];
}

impl<T, const N: usize> Partials<T, N> for [T; N] {
    #[inline]
    fn into_partials(self) -> [T; N] {
        self
    }
}

impl Partials<f64, 1> for f64 {
    #[inline]
    fn into_partials(self) -> [f64; 1] {
        [self]
    }
}

impl Partials<f32, 1> for f32 {
    #[inline]
    fn into_partials(self) -> [f32; 1] {
        [self]
    }
}

macro_rules! tuple_partials {
    ($($n:literal => ($($name:ident),+);)+) => {$(
        impl<T> Partials<T, $n> for ($(tuple_partials!(@type $name T),)+) {
            #[inline]
            fn into_partials(self) -> [T; $n] {
                let ($($name,)+) = self;
                [$($name),+]
            }
        }
    )+};
    (@type $name:ident $t:ident) => { $t };
}

tuple_partials! {
    1 => (a);
    2 => (a, b);
    3 => (a, b, c);
    4 => (a, b, c, d);
    5 => (a, b, c, d, e);
    6 => (a, b, c, d, e, f);
    7 => (a, b, c, d, e, f, g);
    8 => (a, b, c, d, e, f, g, h);
    9 => (a, b, c, d, e, f, g, h, i);
    10 => (a, b, c, d, e, f, g, h, i, j);
    11 => (a, b, c, d, e, f, g, h, i, j, k);
    12 => (a, b, c, d, e, f, g, h, i, j, k, l);
}

/// The layer of a custom operation with `N` arguments: forward takes what
/// `f_grad` returned and keeps the partials; backward scales them by `dout`.
///
/// ```
/// use grad_core::CustomLayer;
/// // f(a, b) = a * b at (3, 4): value 12, partials (4, 3)
/// let mut layer = CustomLayer::new();
/// assert_eq!(layer.forward((12.0, [4.0, 3.0])), 12.0);
/// assert_eq!(layer.backward(2.0), [8.0, 6.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CustomLayer<T, const N: usize> {
    saved: Option<(T, [T; N])>,
}

impl<T: Float, const N: usize> Default for CustomLayer<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float, const N: usize> CustomLayer<T, N> {
    /// Creates a layer that has not run forward yet.
    #[inline]
    #[must_use]
    pub const fn new() -> Self {
        Self { saved: None }
    }

    /// Takes `(value, partials)` as returned by the operation's `_grad`
    /// function, keeps the partials and returns the value.
    #[inline]
    pub fn forward<P: Partials<T, N>>(&mut self, result: (T, P)) -> T {
        let (value, partials) = crate::steps::custom(result);
        self.saved = Some((value, partials));
        value
    }

    /// The value and partials of the last `forward`, if it ran.
    ///
    /// ```
    /// let mut layer = grad_core::CustomLayer::new();
    /// assert_eq!(layer.saved(), None);
    /// layer.forward((12.0, [4.0, 3.0]));
    /// assert_eq!(layer.saved(), Some((12.0, [4.0, 3.0])));
    /// ```
    #[inline]
    pub fn saved(&self) -> Option<(T, [T; N])> {
        self.saved
    }

    /// Returns `dout` times each partial derivative.
    ///
    /// # Panics
    ///
    /// If `forward` has not been called.
    #[inline]
    #[track_caller]
    pub fn backward(&self, dout: T) -> [T; N] {
        let Some((_, partials)) = self.saved else {
            panic!(
                "CustomLayer::backward called before CustomLayer::forward: run forward first, it saves what backward needs"
            )
        };
        crate::steps::custom_derivative(partials, dout)
    }
}
