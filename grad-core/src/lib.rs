//! The runtime of [`grad`](https://docs.rs/grad): the layers, whose formulas
//! (their [`UnaryRule`] and [`BinaryRule`]) `grad!` expansions call, the table of operations, the activation functions, the
//! custom-operation protocol and the gradient checks. Depend on `grad`, which re-exports all of this.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod activation;
#[cfg(feature = "ndarray")]
pub mod array;
mod check;
mod custom;
pub mod layers;
#[cfg(feature = "ndarray")]
pub mod nn;
pub mod ops;
mod steps;

/// The version of ndarray the array support is built on (feature `ndarray`).
#[cfg(feature = "ndarray")]
pub use ndarray;

pub use activation::{Activation, OnArrays, OnScalars, relu, sigmoid};
pub use check::{
    DEFAULT_STEP, GradientCheck, Point, check_gradient, check_gradient_with_step,
    numerical_gradient, numerical_gradient_with_step, relative_error,
};
pub use custom::{CustomLayer, Partials};
pub use layers::*;
#[cfg(feature = "ndarray")]
pub use nn::{softmax, softmax_cross_entropy};
pub use num_traits::Float;

/// What a value looks like at a glance: a scalar's number, an array's shape.
/// Pictures of formulas over arrays show it.
#[derive(Clone, Debug, PartialEq)]
pub enum Summary {
    /// A scalar, as `f64`.
    Scalar(f64),
    /// An array of this shape.
    Array(Vec<usize>),
}

#[doc(hidden)]
#[macro_export]
#[cfg(feature = "ndarray")]
/// The code `grad!` generates for a function over arrays, as it is.
macro_rules! __over_arrays {
    ($parameters:literal, $function:literal; $($code:tt)*) => { $($code)* };
}

#[doc(hidden)]
#[macro_export]
#[cfg(not(feature = "ndarray"))]
/// Without the `ndarray` feature, one clear error for a function over arrays.
macro_rules! __over_arrays {
    ($parameters:literal, $function:literal; $($code:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "`",
            $function,
            "` has array parameters (",
            $parameters,
            "): enable the `ndarray` feature of grad, \
             `grad = { version = \"0.1\", features = [\"ndarray\"] }`"
        ));
    };
}

/// What `grad!` expansions call from this crate, with the `array` layers
/// when the `ndarray` feature is on: `grad` re-exports all of it in its own
/// `__private`, whichever features this crate was built with. Not a public
/// API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::__over_arrays as over_arrays;
    #[cfg(feature = "ndarray")]
    pub use crate::array;
    pub use crate::layers::*;
    pub use crate::steps::*;
    pub use crate::{CustomLayer, Partials, Summary};
    pub use num_traits::{Float, One, Zero};
}
