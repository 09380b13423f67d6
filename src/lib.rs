//! Compile-time backpropagation.
#![forbid(unsafe_code)]

pub use grad_core::*;
pub use grad_macros::grad;

/// Converts an `f64` constant to any scalar type: how a generic formula
/// writes a number (`constant(100.0) * x` where `x: T`). Inside `grad!` it is
/// a constant like any expression that reads no input: it gets no gradient.
///
/// A type that cannot represent the value gets NaN, never a panic.
///
/// ```
/// fn double<T: grad::Float>(x: T) -> T {
///     grad::constant::<T>(2.0) * x
/// }
/// assert_eq!(double(1.5_f32), 3.0);
/// ```
#[inline]
#[must_use]
pub fn constant<T: Float>(value: f64) -> T {
    T::from(value).unwrap_or_else(T::nan)
}

/// What `grad!` expansions call. Not a public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use grad_core::Float;
    pub use grad_core::layers::*;
    pub use grad_core::{CustomLayer, Partials};
    pub use num_traits::{One, Zero};

    pub use crate::constant as literal;
    pub use grad_core::graph::{Graph, GraphSpec, GraphValues, NodeSpec, NodeSpecKind};
    pub use grad_core::ops::OpKind;

    /// A scalar as `f64` for the graph's pictures; NaN if it has no `f64` value.
    #[inline]
    #[must_use]
    pub fn to_f64<T: Float>(value: T) -> f64 {
        value.to_f64().unwrap_or(f64::NAN)
    }

    /// A custom layer's value and partials as `f64`, for the graph.
    #[must_use]
    pub fn custom_record<T: Float, const N: usize>(layer: &CustomLayer<T, N>) -> (f64, [f64; N]) {
        match layer.saved() {
            Some((value, partials)) => (to_f64(value), partials.map(to_f64)),
            None => (f64::NAN, [f64::NAN; N]),
        }
    }
}
