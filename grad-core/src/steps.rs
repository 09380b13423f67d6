//! The steps of a scalar formula's expansion: each operation's rule
//! ([`UnaryRule`], [`BinaryRule`]) called as a plain function.
//!
//! A layer keeps what its backward needs in an `Option`, and its `backward`
//! panics when forward has not run: right for a layer a user drives by hand,
//! but in a generated function of ten thousand layers, every such check is a
//! branch the compiler must prove dead. rustc's MIR jump threading spent most
//! of a release build of a 10,000-operation formula on them (246 s of 406 s,
//! against 19 s for the same adjoint written by hand), and the `&mut self` of
//! ten thousand `forward` calls was most of its borrow check. The expansion
//! therefore calls the same formulas as these functions, which take and
//! return plain values: a value's saved state is recomputed from the values
//! around it (`save` only selects some of them).
//!
//! The layers' own `forward` and `backward` are made of these too, so the
//! two cannot drift apart.
//!
//! Not a public API: the expansion's own vocabulary, which may change in any
//! release.

use crate::custom::Partials;
use crate::layers::{BinaryRule, PowiLayer, UnaryRule};
use num_traits::Float;

/// `L`'s value at `x`.
#[inline(always)]
pub fn unary<L: UnaryRule>(x: L::Elem) -> L::Elem {
    L::value(x)
}

/// `L`'s value at `x` and what its backward needs.
#[inline(always)]
pub fn unary_forward<L: UnaryRule>(x: L::Elem) -> (L::Elem, L::Saved) {
    let y = L::value(x);
    (y, L::save(x, y))
}

/// `dout` times `L`'s local derivative, from what it saved.
#[inline(always)]
pub fn unary_derivative<L: UnaryRule>(saved: L::Saved, dout: L::Elem) -> L::Elem {
    L::derivative(saved, dout)
}

/// `dout` times `L`'s local derivative at input `x` and output `y`.
#[inline(always)]
pub fn unary_backward<L: UnaryRule>(x: L::Elem, y: L::Elem, dout: L::Elem) -> L::Elem {
    L::derivative(L::save(x, y), dout)
}

/// `L`'s value at `(x, y)`.
#[inline(always)]
pub fn binary<L: BinaryRule>(x: L::Elem, y: L::Elem) -> L::Elem {
    L::value(x, y)
}

/// `L`'s value at `(x, y)` and what its backward needs.
#[inline(always)]
pub fn binary_forward<L: BinaryRule>(x: L::Elem, y: L::Elem) -> (L::Elem, L::Saved) {
    let z = L::value(x, y);
    (z, L::save(x, y, z))
}

/// `dout` times each of `L`'s local derivatives, from what it saved.
#[inline(always)]
pub fn binary_derivative<L: BinaryRule>(saved: L::Saved, dout: L::Elem) -> (L::Elem, L::Elem) {
    L::derivative(saved, dout)
}

/// `dout` times each of `L`'s local derivatives at operands `(x, y)` and
/// output `z`.
#[inline(always)]
pub fn binary_backward<L: BinaryRule>(
    x: L::Elem,
    y: L::Elem,
    z: L::Elem,
    dout: L::Elem,
) -> (L::Elem, L::Elem) {
    L::derivative(L::save(x, y, z), dout)
}

/// `x.powi(n)`.
#[inline(always)]
pub fn powi<T: Float>(x: T, n: i32) -> T {
    x.powi(n)
}

/// `dout · n xⁿ⁻¹`, from the saved `(x, n)`.
#[inline(always)]
pub fn powi_derivative<T: Float>((x, n): (T, i32), dout: T) -> T {
    PowiLayer::derivative(x, n, dout)
}

/// The value and the `N` partials of what a custom operation's `_grad`
/// function returned.
#[inline(always)]
pub fn custom<T, const N: usize, P: Partials<T, N>>((value, partials): (T, P)) -> (T, [T; N]) {
    (value, partials.into_partials())
}

/// `dout` times each partial of a custom operation.
#[inline(always)]
pub fn custom_derivative<T: Float, const N: usize>(partials: [T; N], dout: T) -> [T; N] {
    partials.map(|partial| dout * partial)
}

/// Each name with its value: a gradients struct's `pairs()`, from its
/// `NAMES` and its fields in order.
#[inline]
pub fn named<T: Copy, const N: usize>(
    names: [&'static str; N],
    values: [T; N],
) -> [(&'static str, T); N] {
    core::array::from_fn(|index| (names[index], values[index]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{DivLayer, ExpLayer};

    #[test]
    fn named_pairs_each_name_with_the_value_at_its_place() {
        assert_eq!(named(["x", "y"], [1.5, -2.0]), [("x", 1.5), ("y", -2.0)]);
    }

    // A consistency check: the layers are made of these steps, so this
    // compares two paths through the same rules. The reference is
    // `steps_compute_the_closed_forms` below.
    #[test]
    fn steps_agree_with_the_layers_they_are_made_of() {
        let (x, y) = (3.0_f64, 4.0);
        let mut div = DivLayer::new();
        let z = binary::<DivLayer<f64>>(x, y);
        assert_eq!(z, div.forward(x, y));
        let saved = <DivLayer<f64> as BinaryRule>::save(x, y, z);
        assert_eq!(binary_forward::<DivLayer<f64>>(x, y), (z, saved));
        assert_eq!(
            binary_derivative::<DivLayer<f64>>(saved, 2.0),
            div.backward(2.0)
        );

        let mut exp = ExpLayer::new();
        let e = unary::<ExpLayer<f64>>(x);
        assert_eq!(e, exp.forward(x));
        let saved = <ExpLayer<f64> as UnaryRule>::save(x, e);
        assert_eq!(unary_forward::<ExpLayer<f64>>(x), (e, saved));
        assert_eq!(
            unary_derivative::<ExpLayer<f64>>(saved, 2.0),
            exp.backward(2.0)
        );

        let mut pow = PowiLayer::new();
        assert_eq!(powi(x, 3), pow.forward(x, 3));
        assert_eq!(powi_derivative((x, 3), 2.0), pow.backward(2.0));

        let (value, partials) = custom::<f64, 2, _>((12.0, (4.0, 3.0)));
        assert_eq!((value, partials), (12.0, [4.0, 3.0]));
        assert_eq!(custom_derivative(partials, 2.0), [8.0, 6.0]);
    }

    #[test]
    fn steps_compute_the_closed_forms() {
        // d(x/y) = (1/y, -x/y²); d eˣ = eˣ; d x³ = 3x²: closed forms, not the layers.
        let (x, y) = (3.0_f64, 4.0);
        let saved = <DivLayer<f64> as BinaryRule>::save(x, y, x / y);
        assert_eq!(
            binary_derivative::<DivLayer<f64>>(saved, 1.0),
            (0.25, -3.0 / 16.0)
        );
        let e = unary::<ExpLayer<f64>>(1.0);
        assert_eq!(e, 1.0_f64.exp());
        assert_eq!(
            unary_derivative::<ExpLayer<f64>>(<ExpLayer<f64> as UnaryRule>::save(1.0, e), 1.0),
            e
        );
        assert_eq!(powi_derivative((2.0, 3), 1.0), 12.0);
        // The one-call forms the function form uses, and a custom
        // operation's partials scaled by dout.
        assert_eq!(
            binary_backward::<DivLayer<f64>>(x, y, x / y, 1.0),
            (0.25, -3.0 / 16.0)
        );
        assert_eq!(unary_backward::<ExpLayer<f64>>(1.0, e, 2.0), 2.0 * e);
        assert_eq!(custom_derivative([4.0, 3.0], 2.0), [8.0, 6.0]);
    }
}
