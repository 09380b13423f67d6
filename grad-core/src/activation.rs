//! The book's activation functions, usable in plain Rust and inside `grad!`.

use num_traits::Float;

/// The logistic function `1 / (1 + e^-x)`, the book's `sigmoid`.
///
/// Inside `grad!` a call `sigmoid(x)` becomes a [`SigmoidLayer`](crate::SigmoidLayer).
///
/// ```
/// assert_eq!(grad_core::sigmoid(0.0), 0.5);
/// assert!(grad_core::sigmoid(40.0_f32) == 1.0);
/// ```
#[inline]
pub fn sigmoid<T: Float>(x: T) -> T {
    T::one() / (T::one() + (-x).exp())
}

/// The rectifier `max(x, 0)`, the book's `relu`; NaN stays NaN.
///
/// Inside `grad!` a call `relu(x)` becomes a [`ReluLayer`](crate::ReluLayer),
/// whose derivative at 0 is 0.
///
/// ```
/// assert_eq!(grad_core::relu(-2.0), 0.0);
/// assert_eq!(grad_core::relu(3.5), 3.5);
/// assert!(grad_core::relu(f64::NAN).is_nan());
/// ```
#[inline]
pub fn relu<T: Float>(x: T) -> T {
    if x <= T::zero() { T::zero() } else { x }
}
