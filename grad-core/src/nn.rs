//! The book's layers over arrays, usable by hand (feature `ndarray`):
//! [`Affine`], [`Relu`], [`Sigmoid`] and [`SoftmaxWithLoss`] with `forward`
//! and `backward` as *Deep Learning from Scratch* writes them (ch. 5.6–5.7),
//! and the plain functions [`softmax`] and [`softmax_cross_entropy`].
//!
//! Everything is generic over the element type (`f32` and `f64`); rows are
//! samples and the last axis holds the features or classes, as in the book.
//! Chained by hand, the layers are the book's two-layer network:
//!
//! ```
//! use grad_core::ndarray::{Array1, array};
//! use grad_core::nn::{Affine, Relu, SoftmaxWithLoss};
//!
//! let x = array![[1.0, 2.0], [0.5, -1.0_f64]]; // two samples, two features
//! let t = [1, 0]; // their labels
//! let mut affine1 = Affine::new(array![[0.1, -0.2, 0.3], [0.2, 0.1, -0.1]], Array1::zeros(3));
//! let mut relu = Relu::new();
//! let mut affine2 = Affine::new(array![[0.3, -0.1], [0.2, 0.4], [-0.5, 0.1]], Array1::zeros(2));
//! let mut last = SoftmaxWithLoss::new();
//!
//! let z1 = relu.forward(&affine1.forward(&x));
//! let loss = last.forward(&affine2.forward(&z1), &t);
//!
//! let da2 = last.backward(1.0);
//! let dz1 = affine2.backward(&da2);
//! affine1.backward_params(&relu.backward(&dz1)); // dx of the data is not needed
//! for layer in [&mut affine1, &mut affine2] {
//!     layer.w.scaled_add(-0.1, &layer.dw); // one step of SGD
//!     layer.b.scaled_add(-0.1, &layer.db);
//! }
//! # assert!(loss > 0.0 && affine1.dw.iter().all(|g| g.is_finite()));
//! ```

use ndarray::linalg::general_mat_mul;
use ndarray::{
    Array, Array1, Array2, ArrayBase, ArrayRef, ArrayView, ArrayViewMut1, Axis, Data, Dimension,
    Ix2, LinalgScalar, Zip,
};
use num_traits::Float;

/// An array argument of the functions of this module, taken by value or by
/// reference: an owned array (whose buffer [`softmax`] reuses for its
/// result), a view, or a reference to either. So `softmax(a)`,
/// `softmax(&a)` and `softmax(a.view())` all work, as plain ndarray code
/// and the bodies of `grad!` write them.
pub trait ArrayArg<A, D: Dimension> {
    /// A view of the array.
    fn view(&self) -> ArrayView<'_, A, D>;
    /// The array as an owned array: moved if it is one, copied otherwise.
    fn into_owned_array(self) -> Array<A, D>;
}

impl<A: Clone, S: Data<Elem = A>, D: Dimension> ArrayArg<A, D> for ArrayBase<S, D> {
    fn view(&self) -> ArrayView<'_, A, D> {
        ArrayRef::view(self)
    }
    fn into_owned_array(self) -> Array<A, D> {
        self.into_owned()
    }
}

impl<A: Clone, S: Data<Elem = A>, D: Dimension> ArrayArg<A, D> for &ArrayBase<S, D> {
    fn view(&self) -> ArrayView<'_, A, D> {
        ArrayRef::view(*self)
    }
    fn into_owned_array(self) -> Array<A, D> {
        self.to_owned()
    }
}

impl<A: Clone, D: Dimension> ArrayArg<A, D> for &ArrayRef<A, D> {
    fn view(&self) -> ArrayView<'_, A, D> {
        ArrayRef::view(self)
    }
    fn into_owned_array(self) -> Array<A, D> {
        self.to_owned()
    }
}

/// The last axis (classes or features), with a clear panic for a 0-D array.
#[track_caller]
fn last_axis<D: Dimension>(dim: &D, what: &str) -> Axis {
    match dim.ndim() {
        0 => panic!("{what}: a 0-D array has no last axis to take the softmax over"),
        n => Axis(n - 1),
    }
}

/// The largest element of a row; NaNs are skipped here and propagate
/// through the exponentials instead.
#[inline]
fn row_max<'a, A: Float + 'a>(row: impl IntoIterator<Item = &'a A>) -> A {
    row.into_iter()
        .fold(A::neg_infinity(), |m, &v| if v > m { v } else { m })
}

/// One row's `ln Σ exp(x - max) - (x[label] - max)` from its max `m` and
/// `s = Σ exp(x - m)`: the same expression in [`softmax_cross_entropy`]
/// and [`SoftmaxWithLoss::forward`], so both give the same bits.
#[inline]
fn row_loss<A: Float>(s: A, m: A, score: A) -> A {
    s.ln() - (score - m)
}

/// One row of the book's Softmax-with-Loss, in place: the row becomes its
/// softmax and its loss term is returned. The exponentials are summed in
/// the row's order, as [`softmax_cross_entropy`] sums them, and divided as
/// [`softmax`] divides them: both results have the same bits as those
/// functions'.
#[inline]
fn softmax_row_loss<A: Float>(mut row: ArrayViewMut1<'_, A>, label: usize) -> A {
    let m = row_max(row.iter());
    let score = row[label];
    let mut s = A::zero();
    for v in &mut row {
        *v = (*v - m).exp();
        s = s + *v;
    }
    row.mapv_inplace(|e| e / s);
    row_loss(s, m, score)
}

#[cold]
#[inline(never)]
#[track_caller]
fn backward_before_forward(layer: &str) -> ! {
    panic!(
        "{layer}::backward called before {layer}::forward: run forward first, it saves what backward needs"
    )
}

#[track_caller]
fn check_labels(what: &str, rows: usize, classes: usize, labels: &[usize]) {
    assert_eq!(
        labels.len(),
        rows,
        "{what}: {} labels for {rows} rows of scores",
        labels.len()
    );
    if let Some(&bad) = labels.iter().find(|&&label| label >= classes) {
        panic!("{what}: label {bad} out of range for {classes} classes");
    }
}

/// The softmax over the last axis: `y[.., k] = exp(x[.., k]) / Σⱼ exp(x[.., j])`,
/// each row's maximum subtracted first so no exponential overflows (the
/// book's `softmax`). Every row of the result is a probability
/// distribution; a 1-D array is one row.
///
/// An owned argument's buffer is reused for the result; a view or a
/// reference is copied.
///
/// ```
/// use grad_core::ndarray::array;
/// use grad_core::nn::softmax;
///
/// let y = softmax(array![[1000.0, 1000.0], [0.0, 2.0_f64.ln()]]);
/// assert_eq!(y, array![[0.5, 0.5], [1.0 / 3.0, 2.0 / 3.0]]);
/// let p = softmax(&array![0.3_f32, 2.9, 4.0]);
/// assert!((p.sum() - 1.0).abs() < 1e-6);
/// ```
///
/// # Panics
///
/// On a 0-D array, which has no last axis.
#[track_caller]
pub fn softmax<A: Float, D: Dimension>(scores: impl ArrayArg<A, D>) -> Array<A, D> {
    let mut y = scores.into_owned_array();
    let axis = last_axis(&y.raw_dim(), "softmax");
    for mut row in y.lanes_mut(axis) {
        let m = row_max(row.iter());
        let mut s = A::zero();
        for v in &mut row {
            *v = (*v - m).exp();
            s = s + *v;
        }
        row.mapv_inplace(|e| e / s);
    }
    y
}

/// The book's cross-entropy error of the softmax of `scores` with integer
/// labels: the mean over the rows of `-ln softmax(scores)[row, labels[row]]`.
/// A 1-D array is one row (one label); for more axes, every axis but the
/// last is a batch axis and the rows are taken in row-major order.
///
/// It is computed as `ln Σⱼ exp(x[j] - m) - (x[label] - m)` with `m` the
/// row's maximum: the exact value, finite for any finite scores (the book
/// adds `1e-7` inside its logarithm instead, which this does not need).
///
/// ```
/// use grad_core::ndarray::array;
/// use grad_core::nn::{softmax, softmax_cross_entropy};
///
/// let scores = array![[2.0, 1.0, 0.1], [0.5, 2.5, 0.3_f64]];
/// let loss = softmax_cross_entropy(&scores, &[0, 1]);
/// let y = softmax(&scores);
/// let direct = -(y[[0, 0]].ln() + y[[1, 1]].ln()) / 2.0;
/// assert!((loss - direct).abs() < 1e-15);
/// // A huge score is no problem: the loss of a confident right answer is ~0.
/// assert_eq!(softmax_cross_entropy(array![1000.0, 0.0], &[0]), 0.0);
/// ```
///
/// # Panics
///
/// If the number of labels is not the number of rows, a label is not below
/// the number of classes (the last axis' length), or the array is 0-D.
#[track_caller]
pub fn softmax_cross_entropy<A: Float, D: Dimension>(
    scores: impl ArrayArg<A, D>,
    labels: &[usize],
) -> A {
    let scores = scores.view();
    let axis = last_axis(&scores.raw_dim(), "softmax_cross_entropy");
    let classes = scores.len_of(axis);
    let rows = scores.shape()[..axis.index()].iter().product();
    check_labels("softmax_cross_entropy", rows, classes, labels);
    let mut total = A::zero();
    for (row, &label) in scores.lanes(axis).into_iter().zip(labels) {
        let m = row_max(row.iter());
        let s = row.fold(A::zero(), |s, &v| s + (v - m).exp());
        total = total + row_loss(s, m, row[label]);
    }
    total / cast(labels.len())
}

/// [`softmax`] of `scores` and their [`softmax_cross_entropy`] with
/// `labels`, to the bit, in one pass: each exponential is computed once.
///
/// # Panics
///
/// As [`softmax_cross_entropy`].
#[track_caller]
pub(crate) fn softmax_and_cross_entropy<A: Float, D: Dimension>(
    scores: ArrayView<'_, A, D>,
    labels: &[usize],
) -> (Array<A, D>, A) {
    let axis = last_axis(&scores.raw_dim(), "softmax_cross_entropy");
    let classes = scores.len_of(axis);
    let rows = scores.shape()[..axis.index()].iter().product();
    check_labels("softmax_cross_entropy", rows, classes, labels);
    let mut y = scores.to_owned();
    let mut total = A::zero();
    for (row, &label) in y.lanes_mut(axis).into_iter().zip(labels) {
        total = total + softmax_row_loss(row, label);
    }
    (y, total / cast(labels.len()))
}

fn cast<A: Float>(n: usize) -> A {
    A::from(n).unwrap_or_else(A::nan)
}

/// The book's Affine layer, `out = x · W + b`, with `b` added to every row.
///
/// Backward, for `dout = ∂L/∂out`: `dx = dout · Wᵀ`, `dW = xᵀ · dout` and
/// `db = Σ_rows dout` (the sum undoes the broadcast of `b`). The parameters
/// and their gradients are public fields, so an optimiser updates them in
/// place; `dw` and `db` are zero until the first backward.
///
/// ```
/// use grad_core::ndarray::array;
/// use grad_core::nn::Affine;
///
/// let mut affine = Affine::new(array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], array![0.5, -0.5]);
/// let out = affine.forward(&array![[1.0, 0.0, 1.0]]);
/// assert_eq!(out, array![[6.5, 7.5]]);
/// let dx = affine.backward(&array![[1.0, 1.0]]);
/// assert_eq!(dx, array![[3.0, 7.0, 11.0]]);
/// assert_eq!(affine.dw, array![[1.0, 1.0], [0.0, 0.0], [1.0, 1.0]]);
/// assert_eq!(affine.db, array![1.0, 1.0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Affine<A = f64> {
    /// The weights, `inputs x outputs`.
    pub w: Array2<A>,
    /// The bias, one per output.
    pub b: Array1<A>,
    /// `∂L/∂W` after [`backward`](Self::backward), zero before.
    pub dw: Array2<A>,
    /// `∂L/∂b` after [`backward`](Self::backward), zero before.
    pub db: Array1<A>,
    /// The input of the last forward, which backward needs for `dW`.
    x: Option<Array2<A>>,
}

impl<A: Float + LinalgScalar> Affine<A> {
    /// A layer with these parameters, which has not run forward yet.
    ///
    /// # Panics
    ///
    /// If `b` does not have one element per column of `w`.
    #[track_caller]
    #[must_use]
    pub fn new(w: Array2<A>, b: Array1<A>) -> Self {
        assert_eq!(
            w.ncols(),
            b.len(),
            "Affine::new: {} bias elements for {} outputs",
            b.len(),
            w.ncols()
        );
        Self {
            dw: Array2::zeros(w.raw_dim()),
            db: Array1::zeros(b.raw_dim()),
            w,
            b,
            x: None,
        }
    }

    /// `x · W + b`, remembering `x` for backward.
    ///
    /// # Panics
    ///
    /// If `x` does not have one column per row of `W` (ndarray's message).
    #[track_caller]
    pub fn forward(&mut self, x: &ArrayRef<A, Ix2>) -> Array2<A> {
        let mut out = x.dot(&self.w);
        out.zip_mut_with(&self.b, |o, &b| *o = *o + b); // b broadcast over the rows
        // Keep the saved input's buffer from one step to the next.
        match &mut self.x {
            Some(saved) if saved.dim() == x.dim() => saved.assign(x),
            saved => *saved = Some(x.to_owned()),
        }
        out
    }

    /// Stores `dW = xᵀ · dout` and `db = Σ_rows dout` in [`dw`](Self::dw)
    /// and [`db`](Self::db), and returns `dx = dout · Wᵀ`.
    ///
    /// # Panics
    ///
    /// If `forward` has not been called, or `dout` does not have the
    /// output's shape.
    #[track_caller]
    pub fn backward(&mut self, dout: &ArrayRef<A, Ix2>) -> Array2<A> {
        self.backward_params(dout);
        dout.dot(&self.w.t())
    }

    /// [`backward`](Self::backward) without `dx`: only the parameters'
    /// gradients. For the first layer of a network, whose input is the data,
    /// `dx` is work nobody reads (the book computes it anyway).
    ///
    /// # Panics
    ///
    /// As [`backward`](Self::backward).
    #[track_caller]
    pub fn backward_params(&mut self, dout: &ArrayRef<A, Ix2>) {
        let Some(x) = &self.x else {
            backward_before_forward("Affine")
        };
        assert_eq!(
            (x.nrows(), self.w.ncols()),
            dout.dim(),
            "Affine::backward: dout of shape {:?} for an output of shape {:?}",
            dout.dim(),
            (x.nrows(), self.w.ncols())
        );
        // The parameters are public: follow a change of their shapes.
        if self.dw.dim() != self.w.dim() {
            self.dw = Array2::zeros(self.w.raw_dim());
        }
        if self.db.dim() != self.b.dim() {
            self.db = Array1::zeros(self.b.raw_dim());
        }
        general_mat_mul(A::one(), &x.t(), dout, A::zero(), &mut self.dw);
        self.db.fill(A::zero());
        for row in dout.rows() {
            self.db.zip_mut_with(&row, |sum, &d| *sum = *sum + d);
        }
    }
}

/// The book's ReLU layer, `out = max(x, 0)` elementwise, over arrays of
/// any dimension.
///
/// Backward: `dx = dout` where `x > 0` and `0` elsewhere (the derivative at
/// 0 is taken as 0, as [`ReluLayer`](crate::ReluLayer) does); forward keeps
/// the book's `mask` of the elements with `x <= 0`.
///
/// ```
/// use grad_core::ndarray::array;
/// use grad_core::nn::Relu;
///
/// let mut relu = Relu::new();
/// assert_eq!(relu.forward(&array![[1.0, -0.5], [0.0, 3.0]]), array![[1.0, 0.0], [0.0, 3.0]]);
/// assert_eq!(relu.backward(&array![[5.0, 6.0], [7.0, 8.0]]), array![[5.0, 0.0], [0.0, 8.0]]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relu<D: Dimension = Ix2> {
    /// `true` where forward's input was `<= 0`: the gradient stops there.
    mask: Option<Array<bool, D>>,
}

impl<D: Dimension> Default for Relu<D> {
    fn default() -> Self {
        Self::new()
    }
}

impl<D: Dimension> Relu<D> {
    /// A layer that has not run forward yet.
    #[must_use]
    pub const fn new() -> Self {
        Self { mask: None }
    }

    /// `max(x, 0)` elementwise (NaN stays NaN), remembering where `x <= 0`.
    pub fn forward<A: Float>(&mut self, x: &ArrayRef<A, D>) -> Array<A, D> {
        self.mask = Some(x.mapv(|v| v <= A::zero()));
        x.mapv(crate::relu)
    }

    /// `dout` with the masked elements set to 0.
    ///
    /// # Panics
    ///
    /// If `forward` has not been called, or `dout` does not have its shape.
    #[track_caller]
    pub fn backward<A: Float>(&self, dout: &ArrayRef<A, D>) -> Array<A, D> {
        let Some(mask) = &self.mask else {
            backward_before_forward("Relu")
        };
        assert_shape("Relu", dout.shape(), mask.shape());
        Zip::from(dout)
            .and(mask)
            .map_collect(|&d, &masked| if masked { A::zero() } else { d })
    }
}

#[track_caller]
fn assert_shape(layer: &str, dout: &[usize], out: &[usize]) {
    assert_eq!(
        dout, out,
        "{layer}::backward: dout of shape {dout:?} for an output of shape {out:?}"
    );
}

/// The book's Sigmoid layer, `out = 1 / (1 + exp(-x))` elementwise, over
/// arrays of any dimension.
///
/// Backward: `dx = dout * (1 - out) * out`, from the output forward keeps.
///
/// ```
/// use grad_core::ndarray::array;
/// use grad_core::nn::Sigmoid;
///
/// let mut sigmoid = Sigmoid::new();
/// assert_eq!(sigmoid.forward(&array![0.0, 40.0]), array![0.5, 1.0]);
/// assert_eq!(sigmoid.backward(&array![1.0, 1.0]), array![0.25, 0.0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Sigmoid<A = f64, D: Dimension = Ix2> {
    out: Option<Array<A, D>>,
}

impl<A, D: Dimension> Default for Sigmoid<A, D> {
    fn default() -> Self {
        Self::new()
    }
}

impl<A, D: Dimension> Sigmoid<A, D> {
    /// A layer that has not run forward yet.
    #[must_use]
    pub const fn new() -> Self {
        Self { out: None }
    }
}

impl<A: Float, D: Dimension> Sigmoid<A, D> {
    /// `1 / (1 + exp(-x))` elementwise, remembering the output.
    pub fn forward(&mut self, x: &ArrayRef<A, D>) -> Array<A, D> {
        let out = x.mapv(crate::sigmoid);
        self.out = Some(out.clone());
        out
    }

    /// `dout * (1 - out) * out`.
    ///
    /// # Panics
    ///
    /// If `forward` has not been called, or `dout` does not have its shape.
    #[track_caller]
    pub fn backward(&self, dout: &ArrayRef<A, D>) -> Array<A, D> {
        let Some(out) = &self.out else {
            backward_before_forward("Sigmoid")
        };
        assert_shape("Sigmoid", dout.shape(), out.shape());
        Zip::from(dout)
            .and(out)
            .map_collect(|&d, &y| d * (A::one() - y) * y)
    }
}

/// The book's Softmax-with-Loss layer: the [`softmax`] of a batch of scores
/// (rows are samples) and its [`softmax_cross_entropy`] with integer labels,
/// as one layer because its backward is so simple:
/// `dx = (y - onehot(t)) * dout / batch`, `y` the softmax.
///
/// ```
/// use grad_core::ndarray::array;
/// use grad_core::nn::SoftmaxWithLoss;
///
/// let mut layer = SoftmaxWithLoss::new();
/// let loss = layer.forward(&array![[0.0, 0.0], [0.0, 0.0]], &[0, 1]);
/// assert_eq!(loss, 2.0_f64.ln());
/// assert_eq!(layer.backward(1.0), array![[-0.25, 0.25], [0.25, -0.25]]);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SoftmaxWithLoss<A = f64> {
    /// The softmax of forward's scores and forward's labels.
    saved: Option<(Array2<A>, Vec<usize>)>,
}

impl<A: Float> SoftmaxWithLoss<A> {
    /// A layer that has not run forward yet.
    #[must_use]
    pub const fn new() -> Self {
        Self { saved: None }
    }

    /// The cross-entropy loss of the softmax of `x` with labels `t` (the
    /// mean over the rows, as [`softmax_cross_entropy`] computes it, to the
    /// bit), remembering the softmax and the labels.
    ///
    /// # Panics
    ///
    /// As [`softmax_cross_entropy`]: one label per row, each below the
    /// number of columns.
    #[track_caller]
    pub fn forward(&mut self, x: &ArrayRef<A, Ix2>, t: &[usize]) -> A {
        check_labels("SoftmaxWithLoss::forward", x.nrows(), x.ncols(), t);
        // Keep the buffers from one step to the next.
        let (mut y, mut labels) = match self.saved.take() {
            Some((mut y, labels)) if y.dim() == x.dim() => {
                y.assign(x);
                (y, labels)
            }
            _ => (x.to_owned(), Vec::new()),
        };
        labels.clear();
        labels.extend_from_slice(t);
        let mut total = A::zero();
        for (row, &label) in y.rows_mut().into_iter().zip(t) {
            total = total + softmax_row_loss(row, label);
        }
        self.saved = Some((y, labels));
        total / cast(t.len())
    }

    /// `(y - onehot(t)) * dout / batch`, from the softmax `y` and labels `t`
    /// of the last forward.
    ///
    /// # Panics
    ///
    /// If `forward` has not been called.
    #[track_caller]
    pub fn backward(&self, dout: A) -> Array2<A> {
        let Some((y, t)) = &self.saved else {
            backward_before_forward("SoftmaxWithLoss")
        };
        let scale = dout / cast(t.len());
        let mut dx = y.clone();
        for (mut row, &label) in dx.rows_mut().into_iter().zip(t) {
            row[label] = row[label] - A::one();
            row.mapv_inplace(|v| v * scale);
        }
        dx
    }

    /// The softmax of the last forward's scores (the book's `self.y`), or
    /// `None` before forward.
    #[must_use]
    pub fn probabilities(&self) -> Option<&Array2<A>> {
        self.saved.as_ref().map(|(y, _)| y)
    }
}
