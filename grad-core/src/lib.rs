//! The runtime of [`grad`](https://docs.rs/grad): the layers that `grad!`
//! expansions call, the table of operations, the activation functions, the
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

/// The version of ndarray the array support is built on (feature `ndarray`).
#[cfg(feature = "ndarray")]
pub use ndarray;

pub use activation::{relu, sigmoid};
pub use check::{
    DEFAULT_STEP, GradientCheck, Point, check_gradient, check_gradient_with_step,
    numerical_gradient, numerical_gradient_with_step, relative_error,
};
pub use custom::{CustomLayer, Partials};
pub use layers::*;
#[cfg(feature = "ndarray")]
pub use nn::{softmax, softmax_cross_entropy};
pub use num_traits::Float;
