//! Compile-time backpropagation.
#![forbid(unsafe_code)]

pub use grad_core::*;
pub use grad_macros::grad;

/// What `grad!` expansions call. Not a public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use grad_core::Float;
    pub use grad_core::layers::*;
    pub use grad_core::{CustomLayer, Partials};

    /// A literal of the formula, converted to the scalar type.
    #[inline]
    #[must_use]
    pub fn literal<T: Float>(value: f64) -> T {
        T::from(value).unwrap_or_else(T::nan)
    }
}
