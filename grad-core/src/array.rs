//! `grad!` over ndarray arrays: the layers the expansion of an array formula
//! calls (feature `ndarray`).
//!
//! In a formula over arrays every operand is passed by reference: a scalar
//! (`&f64`) or an array (`&Array2<f64>`, `&ArrayView1<f32>`, …), through
//! [`Operand`]. A scalar is a zero-dimensional array to the layers, so one
//! layer serves every mix of scalars and arrays, and ndarray's broadcasting
//! decides the result's shape, as in the plain function.
//!
//! The elementwise layers are the scalar layers lifted: [`Map`] applies a
//! one-operand layer's [`UnaryRule`] to every element and [`Zip`] a
//! two-operand layer's [`BinaryRule`] to every pair of (broadcast)
//! elements, so an operation of the table works on arrays with no more code.
//! Backward undoes broadcasting: the gradient of an operand that was
//! broadcast is summed over the axes it was repeated along, so every
//! gradient has exactly its operand's shape (the bias gradient of
//! `x.dot(w) + b` is the sum over the batch axis, as in the book's Affine
//! layer). The operations that only exist on arrays have layers of their
//! own: [`Dot`], [`Transpose`], [`Sum`], [`Softmax`],
//! [`SoftmaxCrossEntropy`].
//!
//! Each layer keeps what its backward needs: views of its operands, which
//! live in the generated function for as long as the layers do, or a copy
//! of its output where the derivative reads it.
//!
//! ```
//! use grad_core::array::{Dot, Zip};
//! use grad_core::ndarray::{arr1, arr2};
//! use grad_core::AddLayer;
//!
//! // y = x·w + b over a batch of two rows
//! let (x, w, b) = (arr2(&[[1.0, 2.0], [3.0, 4.0]]), arr2(&[[1.0], [1.0]]), arr1(&[0.5]));
//! let mut dot = Dot::new();
//! let xw = dot.forward(&x, &w);
//! let mut add = Zip::<AddLayer<f64>, _, _>::new();
//! let y = add.forward(&xw, &b);
//! assert_eq!(y, arr2(&[[3.5], [7.5]]));
//!
//! let (dxw, db) = add.backward(arr2(&[[1.0], [1.0]]));
//! assert_eq!(db, arr1(&[2.0])); // summed over the batch
//! let (dx, dw) = dot.backward(dxw);
//! assert_eq!((dx, dw), (arr2(&[[1.0, 1.0], [1.0, 1.0]]), arr2(&[[4.0], [6.0]])));
//! ```

use crate::Summary;
use crate::layers::{Arithmetic, BinaryRule, PowiLayer, UnaryRule};
use core::marker::PhantomData;
use ndarray::{
    Array, Array0, ArrayBase, ArrayView, Axis, CowArray, Data, DimMax, Dimension, Ix0, Ix1, Ix2,
    LinalgScalar, ScalarOperand, Zip as Lockstep,
};
use num_traits::Float;

/// The element types of array formulas: `f32` and `f64`.
pub trait Element: Float + ScalarOperand + LinalgScalar + core::fmt::Debug + Into<f64> {}

impl Element for f32 {}
impl Element for f64 {}

/// An operand of an array formula, as the expansion passes it: a reference
/// to a scalar or to an array.
///
/// ```
/// use grad_core::array::Operand;
/// use grad_core::ndarray::arr1;
/// let x = 2.5_f64;
/// assert_eq!((&x).view().into_scalar(), &2.5);
/// let a = arr1(&[1.0_f32, 2.0]);
/// assert_eq!((&a).view().len(), 2);
/// ```
pub trait Operand<'a>: Copy {
    /// Its element type.
    type Elem: Element;
    /// Its dimension: `Ix0` for a scalar.
    type Dim: Dimension;
    /// Its gradient: the scalar, or an owned array of its shape.
    type Grad;
    /// The operand as an array view (zero-dimensional for a scalar).
    fn view(self) -> ArrayView<'a, Self::Elem, Self::Dim>;
    /// A gradient computed as an array of the operand's shape, as the
    /// operand's gradient type.
    fn gradient(array: Array<Self::Elem, Self::Dim>) -> Self::Grad;
    /// The gradient 0, of the operand's shape: that of an input the output
    /// does not read.
    fn zero_gradient(self) -> Self::Grad {
        Self::gradient(Array::zeros(self.view().raw_dim()))
    }
}

macro_rules! scalars {
    ($($scalar:ty),*) => {$(
        impl<'a> Operand<'a> for &'a $scalar {
            type Elem = $scalar;
            type Dim = Ix0;
            type Grad = $scalar;

            #[inline]
            fn view(self) -> ArrayView<'a, $scalar, Ix0> {
                ArrayView::from_shape((), core::slice::from_ref(self))
                    .unwrap_or_else(|_| unreachable!("one element has the shape ()"))
            }

            #[inline]
            fn gradient(array: Array0<$scalar>) -> $scalar {
                array.into_scalar()
            }
        }

        impl Value for $scalar {
            type Elem = $scalar;
            type Grad = $scalar;

            #[inline]
            fn seed(&self, dout: $scalar) -> $scalar {
                dout
            }

            #[inline]
            fn scalar(&self) -> $scalar {
                *self
            }

            fn summary(&self) -> Summary {
                Summary::Scalar((*self).into())
            }
        }
    )*};
}

scalars!(f32, f64);

impl<'a, A: Element, S: Data<Elem = A>, D: Dimension> Operand<'a> for &'a ArrayBase<S, D> {
    type Elem = A;
    type Dim = D;
    type Grad = Array<A, D>;

    #[inline]
    fn view(self) -> ArrayView<'a, A, D> {
        ndarray::ArrayRef::view(self)
    }

    #[inline]
    fn gradient(array: Array<A, D>) -> Array<A, D> {
        array
    }
}

/// A reference to a reference: what the expansion passes for a parameter
/// that is itself a reference (`x: &Array2<f64>` is passed as `&x`).
impl<'a, 'b: 'a, T: ?Sized> Operand<'a> for &'a &'b T
where
    &'b T: Operand<'b>,
{
    type Elem = <&'b T as Operand<'b>>::Elem;
    type Dim = <&'b T as Operand<'b>>::Dim;
    type Grad = <&'b T as Operand<'b>>::Grad;

    #[inline]
    fn view(self) -> ArrayView<'a, Self::Elem, Self::Dim> {
        (*self).view()
    }

    #[inline]
    fn gradient(array: Array<Self::Elem, Self::Dim>) -> Self::Grad {
        <&'b T as Operand<'b>>::gradient(array)
    }
}

/// A view of an operand.
type View<'a, X> = ArrayView<'a, <X as Operand<'a>>::Elem, <X as Operand<'a>>::Dim>;

/// An owned array of an operand's shape.
type Owned<'a, X> = Array<<X as Operand<'a>>::Elem, <X as Operand<'a>>::Dim>;

/// A view of the operand `Y` with the elements of `X`.
type ViewOf<'a, X, Y> = ArrayView<'a, <X as Operand<'a>>::Elem, <Y as Operand<'a>>::Dim>;

/// What a value of an array formula can be, a scalar or an array: the
/// generated code seeds backward at the output with it, returns the output
/// as a scalar, and shows values in pictures.
pub trait Value {
    /// The element type.
    type Elem: Element;
    /// Its gradient's type.
    type Grad;
    /// The gradient `dout` of this value, at the output of a formula.
    ///
    /// # Panics
    ///
    /// If the value is an array of more than one element: the output of a
    /// formula is one number.
    fn seed(&self, dout: Self::Elem) -> Self::Grad;
    /// The value as a scalar: the formula's result.
    ///
    /// # Panics
    ///
    /// As [`seed`](Self::seed).
    fn scalar(&self) -> Self::Elem;
    /// What a picture shows of it.
    fn summary(&self) -> Summary;
}

impl<A: Element, S: Data<Elem = A>, D: Dimension> Value for ArrayBase<S, D> {
    type Elem = A;
    type Grad = Array<A, D>;

    #[track_caller]
    fn seed(&self, dout: A) -> Array<A, D> {
        one_number(self);
        Array::from_elem(self.raw_dim(), dout)
    }

    #[track_caller]
    fn scalar(&self) -> A {
        one_number(self);
        self.iter().copied().next().unwrap_or_else(A::nan)
    }

    fn summary(&self) -> Summary {
        match self.shape() {
            // `2.0 * x` of two scalars is a zero-dimensional array: a number.
            [] => Summary::Scalar(self.iter().next().map_or(f64::NAN, |&x| x.into())),
            shape => Summary::Array(shape.to_vec()),
        }
    }
}

/// A reference to a value: what the expansion reads a reference
/// parameter's value through.
impl<V: Value + ?Sized> Value for &V {
    type Elem = V::Elem;
    type Grad = V::Grad;

    #[track_caller]
    fn seed(&self, dout: V::Elem) -> V::Grad {
        (**self).seed(dout)
    }

    #[track_caller]
    fn scalar(&self) -> V::Elem {
        (**self).scalar()
    }

    fn summary(&self) -> Summary {
        (**self).summary()
    }
}

#[track_caller]
fn one_number<S: Data, D: Dimension>(array: &ArrayBase<S, D>) {
    assert!(
        array.len() == 1,
        "the output of a formula is one number, not an array of shape {:?}",
        array.shape()
    );
}

/// The shape two shapes broadcast to, as ndarray broadcasts them: aligned at
/// their last axes, each pair equal or one of them 1.
///
/// # Panics
///
/// If they do not broadcast, naming both shapes, as ndarray's arithmetic does.
#[track_caller]
fn broadcast<D1, D2>(d1: &D1, d2: &D2) -> <D1 as DimMax<D2>>::Output
where
    D1: Dimension + DimMax<D2>,
    D2: Dimension,
{
    let (s1, s2) = (d1.slice(), d2.slice());
    let n = s1.len().max(s2.len());
    let mut out = <<D1 as DimMax<D2>>::Output as Dimension>::zeros(n);
    for (i, axis) in out.slice_mut().iter_mut().enumerate() {
        let a = (i + s1.len()).checked_sub(n).map_or(1, |j| s1[j]);
        let b = (i + s2.len()).checked_sub(n).map_or(1, |j| s2[j]);
        *axis = if a == b || b == 1 {
            a
        } else if a == 1 {
            b
        } else {
            panic!("ndarray: could not broadcast array from shape: {s1:?} to: {s2:?}")
        };
    }
    out
}

/// A gradient of a broadcast shape summed back to an operand's shape
/// `target`: over the leading axes broadcasting added, and over the axes
/// where the operand has length 1. A gradient already of the operand's shape
/// is returned as it is, with no copy.
///
/// ```
/// use grad_core::array::unbroadcast;
/// use grad_core::ndarray::{arr1, arr2, Ix1};
/// let bias_gradient = unbroadcast(arr2(&[[1.0, 2.0], [3.0, 4.0]]), &Ix1(2));
/// assert_eq!(bias_gradient, arr1(&[4.0, 6.0]));
/// ```
pub fn unbroadcast<A: Element, E: Dimension, D: Dimension>(
    grad: Array<A, E>,
    target: &D,
) -> Array<A, D> {
    if grad.shape() == target.slice() {
        return grad
            .into_dimensionality::<D>()
            .unwrap_or_else(|_| unreachable!("same shape, same number of axes"));
    }
    unbroadcast_copy(&grad, target)
}

/// [`unbroadcast`] of a gradient that stays in use: a copy when no sum is
/// needed.
fn unbroadcast_copy<A: Element, E: Dimension, D: Dimension>(
    grad: &Array<A, E>,
    target: &D,
) -> Array<A, D> {
    if grad.shape() == target.slice() {
        return grad
            .to_owned()
            .into_dimensionality::<D>()
            .unwrap_or_else(|_| unreachable!("same shape, same number of axes"));
    }
    // A bias broadcast over a batch (`x.dot(w) + b`): one leading axis
    // added, the rest the operand's. The rows are summed in order into one
    // buffer, as `sum_axis(Axis(0))` sums them, without its dynamic shapes.
    if grad.ndim() == target.ndim() + 1
        && grad.shape()[1..] == *target.slice()
        && let Some(elements) = grad.as_slice()
    {
        let mut sum = vec![A::zero(); target.size()];
        if !sum.is_empty() {
            for row in elements.chunks_exact(sum.len()) {
                for (s, &g) in sum.iter_mut().zip(row) {
                    *s = *s + g;
                }
            }
        }
        return Array::from_shape_vec(target.clone(), sum)
            .unwrap_or_else(|_| unreachable!("one element per element of the target"));
    }
    // Sums of views: the gradient itself is never copied.
    let mut sum = CowArray::from(grad.view().into_dyn());
    while sum.ndim() > target.ndim() {
        sum = CowArray::from(sum.sum_axis(Axis(0)));
    }
    for (axis, &length) in target.slice().iter().enumerate() {
        if length == 1 && sum.len_of(Axis(axis)) != 1 {
            sum = CowArray::from(sum.sum_axis(Axis(axis)).insert_axis(Axis(axis)));
        }
    }
    sum.into_owned()
        .into_dimensionality::<D>()
        .unwrap_or_else(|_| unreachable!("summed to the target's number of axes"))
}

#[cold]
#[inline(never)]
#[track_caller]
fn backward_before_forward(layer: &str) -> ! {
    panic!(
        "{layer}::backward called before {layer}::forward: run forward first, it saves what backward needs"
    )
}

/// A one-operand layer `L` applied to every element of an array (or to a
/// scalar): `x.exp()`, `x.tanh()`, `relu(x)`, … It keeps a view of the
/// input, and a copy of the output where `L`'s derivative reads it.
///
/// ```
/// use grad_core::array::Map;
/// use grad_core::ndarray::arr1;
/// use grad_core::ExpLayer;
/// let x = arr1(&[0.0, 1.0]);
/// let mut exp = Map::<ExpLayer<f64>, _>::new();
/// let y = exp.forward(&x);
/// assert_eq!(y[1], 1f64.exp());
/// assert_eq!(exp.backward(arr1(&[1.0, 2.0])), arr1(&[1.0, 2.0 * 1f64.exp()]));
/// ```
pub struct Map<'a, L, X: Operand<'a>> {
    saved: Option<(View<'a, X>, Option<Owned<'a, X>>)>,
    rule: PhantomData<L>,
}

impl<'a, L, X: Operand<'a>> Default for Map<'a, L, X> {
    fn default() -> Self {
        Self {
            saved: None,
            rule: PhantomData,
        }
    }
}

impl<'a, L: UnaryRule<Elem = X::Elem>, X: Operand<'a>> Map<'a, L, X> {
    /// A layer that has not run forward yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// `L` of every element of `x`.
    pub fn forward(&mut self, x: X) -> Array<X::Elem, X::Dim> {
        let x = x.view();
        let y = x.mapv(L::value);
        let output = L::SAVES_OUTPUT.then(|| y.clone());
        self.saved = Some((x, output));
        y
    }

    /// `dout` times `L`'s local derivative, element by element.
    ///
    /// # Panics
    ///
    /// If `forward` has not run, or if `dout` does not have the output's shape.
    #[track_caller]
    pub fn backward(&self, dout: Array<X::Elem, X::Dim>) -> X::Grad {
        let Some((x, y)) = &self.saved else {
            backward_before_forward("Map")
        };
        let mut grad = dout;
        match y {
            Some(y) => Lockstep::from(&mut grad)
                .and(x)
                .and(y)
                .for_each(|g, &x, &y| *g = L::derivative(L::save(x, y), *g)),
            // `L` saves its input: its output is not read.
            None => Lockstep::from(&mut grad)
                .and(x)
                .for_each(|g, &x| *g = L::derivative(L::save(x, x), *g)),
        }
        X::gradient(grad)
    }
}

/// `x.powi(n)` of every element: [`PowiLayer`]'s formulas, with the `i32`
/// exponent, which gets no gradient.
///
/// ```
/// use grad_core::array::Powi;
/// use grad_core::ndarray::arr1;
/// let x = arr1(&[2.0, 3.0]);
/// let mut cube = Powi::new();
/// assert_eq!(cube.forward(&x, 3), arr1(&[8.0, 27.0]));
/// assert_eq!(cube.backward(arr1(&[1.0, 1.0])), arr1(&[12.0, 27.0])); // 3 x²
/// ```
pub struct Powi<'a, X: Operand<'a>> {
    saved: Option<(View<'a, X>, i32)>,
}

impl<'a, X: Operand<'a>> Default for Powi<'a, X> {
    fn default() -> Self {
        Self { saved: None }
    }
}

impl<'a, X: Operand<'a>> Powi<'a, X> {
    /// A layer that has not run forward yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// `x.powi(n)` of every element.
    pub fn forward(&mut self, x: X, n: i32) -> Array<X::Elem, X::Dim> {
        let x = x.view();
        let y = x.mapv(|x| x.powi(n));
        self.saved = Some((x, n));
        y
    }

    /// The exponent of the last `forward`, if it ran.
    #[must_use]
    pub fn exponent(&self) -> Option<i32> {
        self.saved.as_ref().map(|&(_, n)| n)
    }

    /// `dout · n xⁿ⁻¹`, element by element.
    ///
    /// # Panics
    ///
    /// If `forward` has not run, or if `dout` does not have the output's shape.
    #[track_caller]
    pub fn backward(&self, dout: Array<X::Elem, X::Dim>) -> X::Grad {
        let Some((x, n)) = &self.saved else {
            backward_before_forward("Powi")
        };
        let mut grad = dout;
        Lockstep::from(&mut grad)
            .and(x)
            .for_each(|g, &x| *g = PowiLayer::derivative(x, *n, *g));
        X::gradient(grad)
    }
}

/// The output of two operands broadcast together.
type Broadcast<'a, X, Y> = Array<
    <X as Operand<'a>>::Elem,
    <<X as Operand<'a>>::Dim as DimMax<<Y as Operand<'a>>::Dim>>::Output,
>;

/// What [`Zip`] keeps: views of both operands, and the output if the
/// derivative reads it.
type ZipSaved<'a, X, Y> = (View<'a, X>, ViewOf<'a, X, Y>, Option<Broadcast<'a, X, Y>>);

/// A two-operand layer `L` applied to every pair of elements of two
/// operands broadcast together, as ndarray's arithmetic broadcasts them:
/// `a + b`, `a * b`, `a.powf(b)`, … The gradients are summed back to each
/// operand's shape. It keeps views of the operands, and a copy of the output
/// where `L`'s derivative reads it.
///
/// ```
/// use grad_core::array::Zip;
/// use grad_core::ndarray::{arr1, arr2};
/// use grad_core::MulLayer;
/// let (x, y) = (arr2(&[[1.0, 2.0], [3.0, 4.0]]), 10.0);
/// let mut mul = Zip::<MulLayer<f64>, _, _>::new();
/// assert_eq!(mul.forward(&x, &y), arr2(&[[10.0, 20.0], [30.0, 40.0]]));
/// let (dx, dy) = mul.backward(arr2(&[[1.0, 1.0], [1.0, 1.0]]));
/// assert_eq!((dx, dy), (arr2(&[[10.0, 10.0], [10.0, 10.0]]), 10.0));
/// ```
pub struct Zip<'a, L, X: Operand<'a>, Y: Operand<'a, Elem = X::Elem>>
where
    X::Dim: DimMax<Y::Dim>,
{
    saved: Option<ZipSaved<'a, X, Y>>,
    rule: PhantomData<L>,
}

impl<'a, L, X, Y> Default for Zip<'a, L, X, Y>
where
    X: Operand<'a>,
    Y: Operand<'a, Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
{
    fn default() -> Self {
        Self {
            saved: None,
            rule: PhantomData,
        }
    }
}

impl<'a, L, X, Y> Zip<'a, L, X, Y>
where
    L: BinaryRule<Elem = X::Elem>,
    X: Operand<'a>,
    Y: Operand<'a, Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
{
    /// A layer that has not run forward yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// `L` of every pair of elements, broadcast together.
    ///
    /// # Panics
    ///
    /// If the shapes do not broadcast, naming both, in the words ndarray
    /// uses when an array does not broadcast to a shape.
    #[track_caller]
    pub fn forward(&mut self, x: X, y: Y) -> Broadcast<'a, X, Y> {
        let (x, y) = (x.view(), y.view());
        // Checked for the operators too: theirs panic with "incompatible
        // shapes", which does not say which.
        let shape = broadcast(&x.raw_dim(), &y.raw_dim());
        let z: Broadcast<'a, X, Y> = match L::ARITHMETIC {
            // ndarray's own operators: the same numbers as in the plain
            // function.
            Some(Arithmetic::Add) => &x + &y,
            Some(Arithmetic::Sub) => &x - &y,
            Some(Arithmetic::Mul) => &x * &y,
            Some(Arithmetic::Div) => &x / &y,
            None => {
                let (xs, ys) = (broadcast_to(&x, &shape), broadcast_to(&y, &shape));
                Lockstep::from(&xs)
                    .and(&ys)
                    .map_collect(|&x, &y| L::value(x, y))
            }
        };
        let output = match L::ARITHMETIC {
            Some(Arithmetic::Add | Arithmetic::Sub | Arithmetic::Mul) => None,
            Some(Arithmetic::Div) | None => Some(z.clone()),
        };
        self.saved = Some((x, y, output));
        z
    }

    /// The gradient of each operand: `dout` times `L`'s local derivatives,
    /// summed back to the operand's shape.
    ///
    /// # Panics
    ///
    /// If `forward` has not run, or if `dout` does not have the output's shape.
    #[track_caller]
    pub fn backward(&self, dout: Broadcast<'a, X, Y>) -> (X::Grad, Y::Grad) {
        match self.gradients(dout, true, true) {
            (Some(dx), Some(dy)) => (X::gradient(dx), Y::gradient(dy)),
            _ => unreachable!("both gradients were asked for"),
        }
    }

    /// The gradient of the left operand alone, for a right operand that
    /// gets none: its own gradient is never computed.
    ///
    /// # Panics
    ///
    /// As [`backward`](Self::backward).
    #[track_caller]
    pub fn backward_left(&self, dout: Broadcast<'a, X, Y>) -> X::Grad {
        match self.gradients(dout, true, false) {
            (Some(dx), _) => X::gradient(dx),
            _ => unreachable!("the left gradient was asked for"),
        }
    }

    /// The gradient of the right operand alone.
    ///
    /// # Panics
    ///
    /// As [`backward`](Self::backward).
    #[track_caller]
    pub fn backward_right(&self, dout: Broadcast<'a, X, Y>) -> Y::Grad {
        match self.gradients(dout, false, true) {
            (_, Some(dy)) => Y::gradient(dy),
            _ => unreachable!("the right gradient was asked for"),
        }
    }

    /// The gradients asked for, as arrays of the operands' shapes.
    #[track_caller]
    #[allow(clippy::type_complexity)] // two optional arrays, one per operand
    fn gradients(
        &self,
        dout: Broadcast<'a, X, Y>,
        left: bool,
        right: bool,
    ) -> (Option<Owned<'a, X>>, Option<Array<X::Elem, Y::Dim>>) {
        let Some((x, y, z)) = &self.saved else {
            backward_before_forward("Zip")
        };
        match (L::ARITHMETIC, z) {
            (Some(op @ (Arithmetic::Add | Arithmetic::Sub)), _) => {
                // The right gradient first: it only reads `dout`, which the
                // left one then takes, with no copy when no sum is needed.
                let dy = right.then(|| {
                    let dy = unbroadcast_copy(&dout, &y.raw_dim());
                    if op == Arithmetic::Sub { -dy } else { dy }
                });
                let dx = left.then(|| unbroadcast(dout, &x.raw_dim()));
                (dx, dy)
            }
            (Some(Arithmetic::Mul), _) => {
                let (for_x, for_y) = match (left, right) {
                    (true, true) => (Some(dout.clone()), Some(dout)),
                    (true, false) => (Some(dout), None),
                    (false, _) => (None, Some(dout)),
                };
                let dx = for_x.map(|g| unbroadcast(times(g, y), &x.raw_dim()));
                let dy = for_y.map(|g| unbroadcast(times(g, x), &y.raw_dim()));
                (dx, dy)
            }
            (_, Some(z)) => {
                let shape = z.raw_dim();
                let (xs, ys) = (broadcast_to(x, &shape), broadcast_to(y, &shape));
                let mut dx = dout;
                let mut dy = Array::zeros(shape.clone());
                Lockstep::from(&mut dx)
                    .and(&mut dy)
                    .and(&xs)
                    .and(&ys)
                    .and(z)
                    .for_each(|dx, dy, &x, &y, &z| {
                        (*dx, *dy) = L::derivative(L::save(x, y, z), *dx);
                    });
                (
                    left.then(|| unbroadcast(dx, &x.raw_dim())),
                    right.then(|| unbroadcast(dy, &y.raw_dim())),
                )
            }
            (_, None) => unreachable!("forward keeps the output of every rule but + - *"),
        }
    }
}

/// `grad` times `factor` (broadcast to its shape), element by element.
#[track_caller]
fn times<A: Element, D: Dimension, E: Dimension>(
    mut grad: Array<A, E>,
    factor: &ArrayView<'_, A, D>,
) -> Array<A, E> {
    let shape = grad.raw_dim();
    Lockstep::from(&mut grad)
        .and(&broadcast_to(factor, &shape))
        .for_each(|g, &f| *g = *g * f);
    grad
}

/// `view` broadcast to `shape`.
///
/// # Panics
///
/// If it does not broadcast to it, naming both shapes.
#[track_caller]
fn broadcast_to<'v, A, D: Dimension, E: Dimension>(
    view: &'v ArrayView<'_, A, D>,
    shape: &E,
) -> ArrayView<'v, A, E> {
    view.broadcast(shape.clone()).unwrap_or_else(|| {
        panic!(
            "ndarray: could not broadcast array from shape: {:?} to: {:?}",
            view.shape(),
            shape.slice()
        )
    })
}

/// The shapes `a.dot(b)` takes, as ndarray's `dot`: matrix·matrix,
/// matrix·vector, vector·matrix and vector·vector; the result's type, and
/// the gradient of each operand from a gradient of the result.
pub trait DotProduct<A: Element, D2: Dimension>: Dimension {
    /// The result: an array, or a scalar for vector·vector.
    type Product;
    /// `a.dot(b)`.
    fn dot(a: &ArrayView<'_, A, Self>, b: &ArrayView<'_, A, D2>) -> Self::Product;
    /// The gradient of `a` from the result's gradient `dout`.
    fn left(b: &ArrayView<'_, A, D2>, dout: &Self::Product) -> Array<A, Self>;
    /// The gradient of `b` from the result's gradient `dout`.
    fn right(a: &ArrayView<'_, A, Self>, dout: &Self::Product) -> Array<A, D2>;
}

/// `a · b`, `(m, n) · (n, p)`: `da = dout · bᵀ`, `db = aᵀ · dout`.
impl<A: Element> DotProduct<A, Ix2> for Ix2 {
    type Product = Array<A, Ix2>;

    fn dot(a: &ArrayView<'_, A, Ix2>, b: &ArrayView<'_, A, Ix2>) -> Array<A, Ix2> {
        a.dot(b)
    }

    fn left(b: &ArrayView<'_, A, Ix2>, dout: &Array<A, Ix2>) -> Array<A, Ix2> {
        dout.dot(&b.t())
    }

    fn right(a: &ArrayView<'_, A, Ix2>, dout: &Array<A, Ix2>) -> Array<A, Ix2> {
        a.t().dot(dout)
    }
}

/// `a · b`, `(m, n) · (n)`: `da = dout ⊗ b`, `db = aᵀ · dout`.
impl<A: Element> DotProduct<A, Ix1> for Ix2 {
    type Product = Array<A, Ix1>;

    fn dot(a: &ArrayView<'_, A, Ix2>, b: &ArrayView<'_, A, Ix1>) -> Array<A, Ix1> {
        a.dot(b)
    }

    fn left(b: &ArrayView<'_, A, Ix1>, dout: &Array<A, Ix1>) -> Array<A, Ix2> {
        dout.view()
            .insert_axis(Axis(1))
            .dot(&b.view().insert_axis(Axis(0)))
    }

    fn right(a: &ArrayView<'_, A, Ix2>, dout: &Array<A, Ix1>) -> Array<A, Ix1> {
        a.t().dot(dout)
    }
}

/// `a · b`, `(n) · (n, p)`: `da = b · dout`, `db = a ⊗ dout`.
impl<A: Element> DotProduct<A, Ix2> for Ix1 {
    type Product = Array<A, Ix1>;

    fn dot(a: &ArrayView<'_, A, Ix1>, b: &ArrayView<'_, A, Ix2>) -> Array<A, Ix1> {
        a.dot(b)
    }

    fn left(b: &ArrayView<'_, A, Ix2>, dout: &Array<A, Ix1>) -> Array<A, Ix1> {
        b.dot(dout)
    }

    fn right(a: &ArrayView<'_, A, Ix1>, dout: &Array<A, Ix1>) -> Array<A, Ix2> {
        a.view()
            .insert_axis(Axis(1))
            .dot(&dout.view().insert_axis(Axis(0)))
    }
}

/// `a · b` of two vectors, a scalar: `da = dout b`, `db = dout a`.
impl<A: Element> DotProduct<A, Ix1> for Ix1 {
    type Product = A;

    fn dot(a: &ArrayView<'_, A, Ix1>, b: &ArrayView<'_, A, Ix1>) -> A {
        a.dot(b)
    }

    fn left(b: &ArrayView<'_, A, Ix1>, dout: &A) -> Array<A, Ix1> {
        b.mapv(|b| b * *dout)
    }

    fn right(a: &ArrayView<'_, A, Ix1>, dout: &A) -> Array<A, Ix1> {
        a.mapv(|a| a * *dout)
    }
}

/// `a.dot(b)`: a matrix or vector product, as ndarray computes it. It keeps
/// views of both operands.
///
/// ```
/// use grad_core::array::Dot;
/// use grad_core::ndarray::arr1;
/// let (a, b) = (arr1(&[1.0, 2.0]), arr1(&[3.0, 4.0]));
/// let mut dot = Dot::new();
/// assert_eq!(dot.forward(&a, &b), 11.0);
/// assert_eq!(dot.backward(2.0), (arr1(&[6.0, 8.0]), arr1(&[2.0, 4.0])));
/// ```
pub struct Dot<'a, X: Operand<'a>, Y: Operand<'a, Elem = X::Elem>> {
    saved: Option<(View<'a, X>, ViewOf<'a, X, Y>)>,
}

impl<'a, X: Operand<'a>, Y: Operand<'a, Elem = X::Elem>> Default for Dot<'a, X, Y> {
    fn default() -> Self {
        Self { saved: None }
    }
}

impl<'a, X, Y> Dot<'a, X, Y>
where
    X: Operand<'a>,
    Y: Operand<'a, Elem = X::Elem>,
    X::Dim: DotProduct<X::Elem, Y::Dim>,
{
    /// A layer that has not run forward yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// `a.dot(b)`.
    ///
    /// # Panics
    ///
    /// If the shapes do not fit, with ndarray's message.
    #[track_caller]
    pub fn forward(&mut self, a: X, b: Y) -> <X::Dim as DotProduct<X::Elem, Y::Dim>>::Product {
        let (a, b) = (a.view(), b.view());
        let product = <X::Dim as DotProduct<X::Elem, Y::Dim>>::dot(&a, &b);
        self.saved = Some((a, b));
        product
    }

    /// The gradients of `a` and `b`.
    ///
    /// # Panics
    ///
    /// If `forward` has not run, or if `dout` does not have the result's shape.
    #[track_caller]
    pub fn backward(
        &self,
        dout: <X::Dim as DotProduct<X::Elem, Y::Dim>>::Product,
    ) -> (X::Grad, Y::Grad) {
        let (a, b) = self.saved();
        let da = <X::Dim as DotProduct<X::Elem, Y::Dim>>::left(b, &dout);
        let db = <X::Dim as DotProduct<X::Elem, Y::Dim>>::right(a, &dout);
        (X::gradient(da), Y::gradient(db))
    }

    /// The gradient of `a` alone, for a `b` that gets none (a constant):
    /// `b`'s gradient, a product as costly as `a`'s, is never computed.
    ///
    /// # Panics
    ///
    /// As [`backward`](Self::backward).
    #[track_caller]
    pub fn backward_left(&self, dout: <X::Dim as DotProduct<X::Elem, Y::Dim>>::Product) -> X::Grad {
        let (_, b) = self.saved();
        X::gradient(<X::Dim as DotProduct<X::Elem, Y::Dim>>::left(b, &dout))
    }

    /// The gradient of `b` alone, for an `a` that gets none: the weights'
    /// gradient of `x.dot(w)` with `x` the data, as the book's Affine layer
    /// computes it when nothing asks for `dx`.
    ///
    /// # Panics
    ///
    /// As [`backward`](Self::backward).
    #[track_caller]
    pub fn backward_right(
        &self,
        dout: <X::Dim as DotProduct<X::Elem, Y::Dim>>::Product,
    ) -> Y::Grad {
        let (a, _) = self.saved();
        Y::gradient(<X::Dim as DotProduct<X::Elem, Y::Dim>>::right(a, &dout))
    }

    #[track_caller]
    fn saved(&self) -> (&View<'a, X>, &ViewOf<'a, X, Y>) {
        match &self.saved {
            Some((a, b)) => (a, b),
            None => backward_before_forward("Dot"),
        }
    }
}

/// `a.t()`: the transpose, a view as in ndarray; backward transposes the
/// gradient back.
///
/// ```
/// use grad_core::array::Transpose;
/// use grad_core::ndarray::arr2;
/// let a = arr2(&[[1.0, 2.0, 3.0]]);
/// let mut t = Transpose::new();
/// assert_eq!(t.forward(&a).shape(), &[3, 1]);
/// assert_eq!(t.backward(arr2(&[[1.0], [2.0], [3.0]])), arr2(&[[1.0, 2.0, 3.0]]));
/// ```
pub struct Transpose<'a, X: Operand<'a>> {
    ran: bool,
    operand: PhantomData<X>,
    lifetime: PhantomData<&'a ()>,
}

impl<'a, X: Operand<'a>> Default for Transpose<'a, X> {
    fn default() -> Self {
        Self {
            ran: false,
            operand: PhantomData,
            lifetime: PhantomData,
        }
    }
}

impl<'a, X: Operand<'a>> Transpose<'a, X> {
    /// A layer that has not run forward yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// `a.t()`, a view of `a` with its axes reversed.
    pub fn forward(&mut self, a: X) -> ArrayView<'a, X::Elem, X::Dim> {
        self.ran = true;
        a.view().reversed_axes()
    }

    /// `doutᵀ`.
    ///
    /// # Panics
    ///
    /// If `forward` has not run.
    #[track_caller]
    pub fn backward(&self, dout: Array<X::Elem, X::Dim>) -> X::Grad {
        if !self.ran {
            backward_before_forward("Transpose")
        }
        X::gradient(dout.reversed_axes())
    }
}

/// `a.sum()`: the sum of every element, a scalar; backward spreads the
/// gradient over every element.
///
/// ```
/// use grad_core::array::Sum;
/// use grad_core::ndarray::arr2;
/// let a = arr2(&[[1.0, 2.0], [3.0, 4.0]]);
/// let mut sum = Sum::new();
/// assert_eq!(sum.forward(&a), 10.0);
/// assert_eq!(sum.backward(0.5), arr2(&[[0.5, 0.5], [0.5, 0.5]]));
/// ```
pub struct Sum<'a, X: Operand<'a>> {
    shape: Option<X::Dim>,
}

impl<'a, X: Operand<'a>> Default for Sum<'a, X> {
    fn default() -> Self {
        Self { shape: None }
    }
}

impl<'a, X: Operand<'a>> Sum<'a, X> {
    /// A layer that has not run forward yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The sum of every element.
    pub fn forward(&mut self, a: X) -> X::Elem {
        let a = a.view();
        self.shape = Some(a.raw_dim());
        a.sum()
    }

    /// `dout` for every element.
    ///
    /// # Panics
    ///
    /// If `forward` has not run.
    #[track_caller]
    pub fn backward(&self, dout: X::Elem) -> X::Grad {
        let Some(shape) = &self.shape else {
            backward_before_forward("Sum")
        };
        X::gradient(Array::from_elem(shape.clone(), dout))
    }
}

/// `softmax(scores)` over the last axis; backward is
/// `y ⊙ (dout - Σ dout ⊙ y)` row by row. It keeps its output.
///
/// ```
/// use grad_core::array::Softmax;
/// use grad_core::ndarray::arr1;
/// let x = arr1(&[1.0, 1.0]);
/// let mut softmax = Softmax::new();
/// assert_eq!(softmax.forward(&x), arr1(&[0.5, 0.5]));
/// assert_eq!(softmax.backward(arr1(&[1.0, 0.0])), arr1(&[0.25, -0.25]));
/// ```
pub struct Softmax<'a, X: Operand<'a>> {
    output: Option<Owned<'a, X>>,
}

impl<'a, X: Operand<'a>> Default for Softmax<'a, X> {
    fn default() -> Self {
        Self { output: None }
    }
}

impl<'a, X: Operand<'a>> Softmax<'a, X> {
    /// A layer that has not run forward yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The softmax of every row (the last axis).
    pub fn forward(&mut self, scores: X) -> Array<X::Elem, X::Dim> {
        let y = crate::nn::softmax(scores.view());
        self.output = Some(y.clone());
        y
    }

    /// The gradient of the scores.
    ///
    /// # Panics
    ///
    /// If `forward` has not run, or if `dout` does not have the output's shape.
    #[track_caller]
    pub fn backward(&self, dout: Array<X::Elem, X::Dim>) -> X::Grad {
        let Some(y) = &self.output else {
            backward_before_forward("Softmax")
        };
        let last = Axis(y.ndim().saturating_sub(1));
        let mut grad = dout;
        for (mut g, y) in grad.lanes_mut(last).into_iter().zip(y.lanes(last)) {
            let dot = g
                .iter()
                .zip(y)
                .fold(<X::Elem as num_traits::Zero>::zero(), |s, (&g, &y)| {
                    s + g * y
                });
            g.zip_mut_with(&y, |g, &y| *g = y * (*g - dot));
        }
        X::gradient(grad)
    }
}

/// The book's Softmax-with-Loss: the mean over the rows of `scores` of
/// `-ln softmax(row)[label]`, labels as indices; backward is
/// `dout (softmax - onehot) / rows`. It keeps the softmax and the labels.
///
/// ```
/// use grad_core::array::SoftmaxCrossEntropy;
/// use grad_core::ndarray::arr2;
/// let scores = arr2(&[[0.0, 0.0], [0.0, 0.0]]);
/// let mut loss = SoftmaxCrossEntropy::new();
/// assert!((loss.forward(&scores, &[0, 1]) - 2f64.ln()).abs() < 1e-15);
/// assert_eq!(loss.backward(1.0), arr2(&[[-0.25, 0.25], [0.25, -0.25]]));
/// ```
pub struct SoftmaxCrossEntropy<'a, X: Operand<'a>> {
    saved: Option<(Owned<'a, X>, &'a [usize])>,
}

impl<'a, X: Operand<'a>> Default for SoftmaxCrossEntropy<'a, X> {
    fn default() -> Self {
        Self { saved: None }
    }
}

impl<'a, X: Operand<'a>> SoftmaxCrossEntropy<'a, X> {
    /// A layer that has not run forward yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The mean cross-entropy of the softmax of each row of `scores` (a
    /// vector is one row) against `labels`, one index per row.
    ///
    /// # Panics
    ///
    /// If `labels` does not have one index per row, or an index is not a
    /// column of `scores`.
    #[track_caller]
    pub fn forward(&mut self, scores: X, labels: &'a [usize]) -> X::Elem {
        let (probabilities, loss) = crate::nn::softmax_and_cross_entropy(scores.view(), labels);
        self.saved = Some((probabilities, labels));
        loss
    }

    /// The gradient of the scores.
    ///
    /// # Panics
    ///
    /// If `forward` has not run.
    #[track_caller]
    pub fn backward(&self, dout: X::Elem) -> X::Grad {
        let Some((probabilities, labels)) = &self.saved else {
            backward_before_forward("SoftmaxCrossEntropy")
        };
        let last = Axis(probabilities.ndim().saturating_sub(1));
        let rows = <X::Elem as num_traits::NumCast>::from(labels.len())
            .unwrap_or_else(<X::Elem as Float>::nan);
        let scale = dout / rows;
        let mut grad = probabilities.clone();
        for (mut row, &label) in grad.lanes_mut(last).into_iter().zip(*labels) {
            row[label] = row[label] - <X::Elem as num_traits::One>::one();
            row.mapv_inplace(|p| p * scale);
        }
        X::gradient(grad)
    }
}
