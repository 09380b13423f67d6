//! The book's activation functions, usable in plain Rust and inside `grad!`,
//! on scalars and (feature `ndarray`) on arrays.
//!
//! [`relu`] and [`sigmoid`] take any [`Activation`]: every [`Float`] scalar
//! (`f32`, `f64`, dual numbers, …) and, with the `ndarray` feature, arrays
//! by value or by reference. The trait's parameter only tells rustc which
//! of its two implementations applies (scalars or arrays): it is always
//! inferred, so generic code bounds its scalar by `Float` as before.

use num_traits::Float;

/// The activation functions of a value: applied to a scalar, or to every
/// element of an array. Call them as [`relu`] and [`sigmoid`]; the
/// methods have other names so that they are not mistaken for those
/// functions.
///
/// `Kind` is [`OnScalars`] or [`OnArrays`], and is never written: it lets
/// every `Float` type and every ndarray array implement the trait, which two
/// plain implementations could not (ndarray could make its arrays `Float`,
/// as far as rustc knows).
pub trait Activation<Kind> {
    /// The result: the scalar, or an owned array of the same shape.
    type Output;
    /// The rectifier of the value, or of every element.
    fn rectified(self) -> Self::Output;
    /// The logistic function of the value, or of every element.
    fn logistic(self) -> Self::Output;
}

/// The [`Activation`]s of scalars.
#[derive(Clone, Copy, Debug)]
pub enum OnScalars {}

/// The [`Activation`]s of arrays.
#[derive(Clone, Copy, Debug)]
pub enum OnArrays {}

impl<T: Float> Activation<OnScalars> for T {
    type Output = T;

    #[inline]
    fn rectified(self) -> T {
        if self <= T::zero() { T::zero() } else { self }
    }

    #[inline]
    fn logistic(self) -> T {
        T::one() / (T::one() + (-self).exp())
    }
}

#[cfg(feature = "ndarray")]
mod arrays {
    use super::{Activation, OnArrays};
    use ndarray::{Array, ArrayBase, Data, Dimension};
    use num_traits::Float;

    impl<A: Float, S: Data<Elem = A>, D: Dimension> Activation<OnArrays> for ArrayBase<S, D> {
        type Output = Array<A, D>;

        fn rectified(self) -> Array<A, D> {
            self.mapv(Activation::rectified)
        }

        fn logistic(self) -> Array<A, D> {
            self.mapv(Activation::logistic)
        }
    }

    impl<A: Float, S: Data<Elem = A>, D: Dimension> Activation<OnArrays> for &ArrayBase<S, D> {
        type Output = Array<A, D>;

        fn rectified(self) -> Array<A, D> {
            self.mapv(Activation::rectified)
        }

        fn logistic(self) -> Array<A, D> {
            self.mapv(Activation::logistic)
        }
    }
}

/// The logistic function `1 / (1 + e^-x)`, the book's `sigmoid`, of a
/// scalar or of every element of an array.
///
/// Inside `grad!` a call `sigmoid(x)` becomes a [`SigmoidLayer`](crate::SigmoidLayer).
///
/// ```
/// assert_eq!(grad_core::sigmoid(0.0), 0.5);
/// assert!(grad_core::sigmoid(40.0_f32) == 1.0);
/// ```
#[inline]
pub fn sigmoid<Kind, X: Activation<Kind>>(x: X) -> X::Output {
    x.logistic()
}

/// The rectifier `max(x, 0)`, the book's `relu`, of a scalar or of every
/// element of an array; NaN stays NaN.
///
/// Inside `grad!` a call `relu(x)` becomes a [`ReluLayer`](crate::ReluLayer),
/// whose derivative at 0 is 0.
///
/// ```
/// assert_eq!(grad_core::relu(-2.0), 0.0);
/// assert_eq!(grad_core::relu(3.5), 3.5);
/// assert!(grad_core::relu(f64::NAN).is_nan());
/// # #[cfg(feature = "ndarray")] {
/// use grad_core::ndarray::array;
/// assert_eq!(grad_core::relu(array![-1.0, 2.0]), array![0.0, 2.0]);
/// assert_eq!(grad_core::relu(&array![[-1.0_f32], [2.0]]), array![[0.0], [2.0]]);
/// # }
/// ```
#[inline]
pub fn relu<Kind, X: Activation<Kind>>(x: X) -> X::Output {
    x.rectified()
}
