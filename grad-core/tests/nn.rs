//! The book's array layers (`grad_core::nn`): every backward against central
//! differences, element by element, on small random arrays; softmax and the
//! cross-entropy against their direct formulas; f32; the panics.
#![cfg(feature = "ndarray")]

use grad_core::ndarray::{Array, Array1, Array2, Array3, Dimension, Ix2, array};
use grad_core::nn::{Affine, Relu, Sigmoid, SoftmaxWithLoss, softmax, softmax_cross_entropy};
use proptest::prelude::*;

/// Central differences of `f` at `x`, one element at a time, with a step
/// independent of the library's (`h = 1e-6`).
fn central<D: Dimension>(f: impl Fn(&Array<f64, D>) -> f64, x: &Array<f64, D>) -> Array<f64, D> {
    let h = 1e-6;
    let mut point = x.as_standard_layout().into_owned();
    let mut gradient = Array::zeros(x.raw_dim());
    for (i, g) in gradient.iter_mut().enumerate() {
        let original = point.as_slice().unwrap()[i];
        point.as_slice_mut().unwrap()[i] = original + h;
        let above = f(&point);
        point.as_slice_mut().unwrap()[i] = original - h;
        let below = f(&point);
        point.as_slice_mut().unwrap()[i] = original;
        *g = (above - below) / (2.0 * h);
    }
    gradient
}

/// The largest `|a - b|` over all elements; the shapes must agree.
fn max_difference<D: Dimension>(a: &Array<f64, D>, b: &Array<f64, D>) -> f64 {
    assert_eq!(a.shape(), b.shape());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// `Σ dout ⊙ y`: the scalar whose gradient with respect to a layer's input
/// is what the layer's backward returns for `dout`.
fn weighted<D: Dimension>(y: &Array<f64, D>, dout: &Array<f64, D>) -> f64 {
    (y * dout).sum()
}

fn matrix(rows: usize, cols: usize, range: f64) -> impl Strategy<Value = Array2<f64>> {
    prop::collection::vec(-range..range, rows * cols)
        .prop_map(move |v| Array2::from_shape_vec((rows, cols), v).unwrap())
}

fn vector(len: usize, range: f64) -> impl Strategy<Value = Array1<f64>> {
    prop::collection::vec(-range..range, len).prop_map(Array1::from)
}

/// `(x, w, b, dout)` for an Affine layer of random size.
fn affine_case() -> impl Strategy<Value = (Array2<f64>, Array2<f64>, Array1<f64>, Array2<f64>)> {
    (1..5usize, 1..6usize, 1..5usize).prop_flat_map(|(n, i, o)| {
        (
            matrix(n, i, 2.0),
            matrix(i, o, 2.0),
            vector(o, 2.0),
            matrix(n, o, 2.0),
        )
    })
}

/// A matrix with no element within `gap` of zero (ReLU's kink).
fn away_from_zero(rows: usize, cols: usize, gap: f64) -> impl Strategy<Value = Array2<f64>> {
    matrix(rows, cols, 3.0)
        .prop_map(move |m| m.mapv(|v| if v.abs() < gap { v + 2.0 * gap } else { v }))
}

/// `(scores, labels)` for a batch of random size.
fn scores_case() -> impl Strategy<Value = (Array2<f64>, Vec<usize>)> {
    (1..6usize, 1..7usize).prop_flat_map(|(n, classes)| {
        (
            matrix(n, classes, 6.0),
            prop::collection::vec(0..classes, n),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn affine_backward_matches_central_differences((x, w, b, dout) in affine_case()) {
        let mut layer = Affine::new(w.clone(), b.clone());
        layer.forward(&x);
        let dx = layer.backward(&dout);
        let out = |x: &Array2<f64>, w: &Array2<f64>, b: &Array1<f64>| {
            let mut fresh = Affine::new(w.clone(), b.clone());
            weighted(&fresh.forward(x), &dout)
        };
        prop_assert!(max_difference(&dx, &central(|x| out(x, &w, &b), &x)) < 1e-8);
        prop_assert!(max_difference(&layer.dw, &central(|w| out(&x, w, &b), &w)) < 1e-8);
        prop_assert!(max_difference(&layer.db, &central(|b| out(&x, &w, b), &b)) < 1e-8);

        // backward_params gives the same parameter gradients without dx.
        let mut other = Affine::new(w.clone(), b.clone());
        other.forward(&x);
        other.backward_params(&dout);
        prop_assert_eq!(&other.dw, &layer.dw);
        prop_assert_eq!(&other.db, &layer.db);
    }

    #[test]
    fn relu_backward_matches_central_differences(
        (x, dout) in (1..5usize, 1..6usize).prop_flat_map(|(n, m)| (away_from_zero(n, m, 1e-3), matrix(n, m, 2.0)))
    ) {
        let mut layer = Relu::new();
        let y = layer.forward(&x);
        prop_assert_eq!(&y, &x.mapv(|v| v.max(0.0)));
        let dx = layer.backward(&dout);
        let numerical = central(|x| weighted(&Relu::new().forward(x), &dout), &x);
        prop_assert!(max_difference(&dx, &numerical) < 1e-8);
    }

    #[test]
    fn sigmoid_backward_matches_central_differences(
        (x, dout) in (1..5usize, 1..6usize).prop_flat_map(|(n, m)| (matrix(n, m, 6.0), matrix(n, m, 2.0)))
    ) {
        let mut layer = Sigmoid::new();
        let y = layer.forward(&x);
        prop_assert!(max_difference(&y, &x.mapv(|v| 1.0 / (1.0 + (-v).exp()))) < 1e-15);
        let dx = layer.backward(&dout);
        let numerical = central(|x| weighted(&Sigmoid::new().forward(x), &dout), &x);
        prop_assert!(max_difference(&dx, &numerical) < 1e-8);
    }

    #[test]
    fn softmax_with_loss_backward_matches_central_differences(
        (x, t) in scores_case(), dout in 0.1..3.0f64
    ) {
        let mut layer = SoftmaxWithLoss::new();
        let loss = layer.forward(&x, &t);
        prop_assert_eq!(loss.to_bits(), softmax_cross_entropy(&x, &t).to_bits());
        prop_assert_eq!(layer.probabilities().unwrap(), &softmax(&x));
        let dx = layer.backward(dout);
        let numerical = central(|x| dout * SoftmaxWithLoss::new().forward(x, &t), &x);
        prop_assert!(max_difference(&dx, &numerical) < 1e-8);
    }

    #[test]
    fn softmax_rows_are_distributions_equal_to_the_direct_formula(
        (x, _) in scores_case(), shift in -500.0..500.0f64
    ) {
        let y = softmax(&x);
        for (row, scores) in y.rows().into_iter().zip(x.rows()) {
            prop_assert!((row.sum() - 1.0).abs() < 1e-14);
            let total: f64 = scores.iter().map(|v| v.exp()).sum();
            for (p, v) in row.iter().zip(scores) {
                prop_assert!((p - v.exp() / total).abs() < 1e-14);
            }
        }
        // Adding a constant to every score changes nothing, even a large one
        // where the direct formula overflows.
        let shifted = softmax(&x + shift);
        prop_assert!(max_difference(&shifted, &y) < 1e-12);
    }

    #[test]
    fn the_cross_entropy_is_the_direct_formula((x, t) in scores_case()) {
        let y = softmax(&x);
        let direct = -t
            .iter()
            .enumerate()
            .map(|(row, &label)| y[[row, label]].ln())
            .sum::<f64>()
            / t.len() as f64;
        let loss = softmax_cross_entropy(&x, &t);
        prop_assert!((loss - direct).abs() <= 1e-13 * direct.abs().max(1.0), "{} vs {}", loss, direct);
        // Every way of passing the scores gives the same number.
        prop_assert_eq!(loss, softmax_cross_entropy(x.view(), &t));
        prop_assert_eq!(loss, softmax_cross_entropy(x.clone(), &t));
    }
}

#[test]
fn softmax_of_one_row_and_of_three_axes() {
    let v = array![1.0, 2.0, 3.0_f64];
    let y = softmax(&v);
    let total: f64 = v.iter().map(|v| v.exp()).sum();
    assert!(max_difference(&y, &v.mapv(|v| v.exp() / total)) < 1e-15);
    assert!((softmax_cross_entropy(&v, &[2]) + y[2].ln()).abs() < 1e-15);

    // Every axis but the last is a batch axis; rows in row-major order.
    let cube = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 12 + j * 4 + k) as f64 * 0.3);
    let flat = cube.to_shape((6, 4)).unwrap().to_owned();
    let y3 = softmax(&cube);
    assert_eq!(y3.to_shape((6, 4)).unwrap(), softmax(&flat));
    let labels = [0, 1, 2, 3, 0, 1];
    assert_eq!(
        softmax_cross_entropy(&cube, &labels),
        softmax_cross_entropy(&flat, &labels)
    );
}

#[test]
fn softmax_of_a_transposed_view_is_over_its_own_last_axis() {
    let x = array![[1.0, 5.0], [2.0, -1.0], [0.5, 0.0_f64]];
    let transposed = softmax(x.t());
    assert_eq!(transposed, softmax(x.t().to_owned()));
    for row in transposed.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-15);
    }
}

#[test]
fn huge_scores_neither_overflow_nor_lose_the_answer() {
    let x = array![[1e308, -1e308, 0.0], [710.0, 709.0, 0.0_f64]];
    let y = softmax(&x);
    assert!(y.iter().all(|p| p.is_finite()));
    assert_eq!(y[[0, 0]], 1.0);
    assert_eq!(
        softmax_cross_entropy(&x, &[0, 0]),
        (1.0 + (-1.0f64).exp() + (-710.0f64).exp()).ln() / 2.0
    );
    assert!(softmax_cross_entropy(&x, &[2, 2]).is_finite());
}

#[test]
fn a_nan_score_makes_its_row_nan_and_only_its_row() {
    let x = array![[f64::NAN, 1.0], [0.0, 1.0]];
    let y = softmax(&x);
    assert!(y.row(0).iter().all(|p| p.is_nan()));
    assert!(y.row(1).iter().all(|p| p.is_finite()));
    assert!(softmax_cross_entropy(&x, &[1, 1]).is_nan());
}

#[test]
fn f32_works_and_agrees_with_f64() {
    let x64 = array![[0.3, -1.2, 2.0], [1.5, 0.1, -0.7]];
    let w64 = array![[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]];
    let b64 = array![0.05, -0.1];
    let t = [1, 0];
    let run = |x: &Array2<f64>, w: &Array2<f64>, b: &Array1<f64>| {
        let mut affine = Affine::new(w.clone(), b.clone());
        let (mut relu, mut sigmoid, mut last) =
            (Relu::new(), Sigmoid::new(), SoftmaxWithLoss::new());
        let loss = last.forward(&sigmoid.forward(&relu.forward(&affine.forward(x))), &t);
        let dx = affine.backward(&relu.backward(&sigmoid.backward(&last.backward(1.0))));
        (loss, dx, affine.dw)
    };
    let (loss64, dx64, dw64) = run(&x64, &w64, &b64);

    let f32s = |a: &Array2<f64>| a.mapv(|v| v as f32);
    let mut affine = Affine::new(f32s(&w64), b64.mapv(|v| v as f32));
    let (mut relu, mut sigmoid, mut last) =
        (Relu::new(), Sigmoid::new(), SoftmaxWithLoss::<f32>::new());
    let scores32 = sigmoid.forward(&relu.forward(&affine.forward(&f32s(&x64))));
    let loss32 = last.forward(&scores32, &t);
    let dx32 = affine.backward(&relu.backward(&sigmoid.backward(&last.backward(1.0))));
    assert!((f64::from(loss32) - loss64).abs() < 1e-6);
    assert!(max_difference(&dx32.mapv(f64::from), &dx64) < 1e-6);
    assert!(max_difference(&affine.dw.mapv(f64::from), &dw64) < 1e-6);
    assert!((softmax(&f32s(&x64)).sum() - 2.0).abs() < 1e-6);
    assert_eq!(softmax_cross_entropy(&scores32, &t), loss32);
}

#[test]
fn layers_of_other_dimensions() {
    // ReLU and Sigmoid over 1-D and 3-D arrays.
    let v = array![-1.0, 0.5, 2.0];
    let mut relu = Relu::new();
    assert_eq!(relu.forward(&v), array![0.0, 0.5, 2.0]);
    assert_eq!(relu.backward(&array![1.0, 1.0, 1.0]), array![0.0, 1.0, 1.0]);
    let cube = Array3::from_shape_fn((2, 2, 3), |(i, j, k)| {
        i as f64 - j as f64 + 0.25 * k as f64 - 0.6
    });
    let dout = Array3::from_shape_fn((2, 2, 3), |(i, j, k)| 1.0 + (i + j + k) as f64);
    let mut sigmoid = Sigmoid::new();
    sigmoid.forward(&cube);
    let numerical = central(|x| weighted(&Sigmoid::new().forward(x), &dout), &cube);
    assert!(max_difference(&sigmoid.backward(&dout), &numerical) < 1e-8);
}

#[test]
fn the_layers_run_again_on_a_new_batch_size() {
    // Saved buffers are reused between steps; a new shape must not trip them.
    let mut affine = Affine::new(array![[1.0, 2.0], [3.0, 4.0]], array![0.0, 1.0]);
    let mut last = SoftmaxWithLoss::new();
    for rows in [3, 1, 4] {
        let x = Array2::from_shape_fn((rows, 2), |(i, j)| (i + 2 * j) as f64 * 0.1);
        let t: Vec<usize> = (0..rows).map(|i| i % 2).collect();
        let loss = last.forward(&affine.forward(&x), &t);
        assert_eq!(loss, softmax_cross_entropy(affine.forward(&x), &t));
        affine.backward(&last.backward(1.0));
        assert_eq!(last.backward(1.0).nrows(), rows);
    }
}

#[test]
#[should_panic(expected = "Affine::backward called before Affine::forward")]
fn affine_backward_before_forward_panics() {
    let mut affine = Affine::new(Array2::<f64>::zeros((2, 2)), Array1::zeros(2));
    affine.backward(&Array2::zeros((1, 2)));
}

#[test]
#[should_panic(expected = "Relu::backward called before Relu::forward")]
fn relu_backward_before_forward_panics() {
    Relu::<Ix2>::new().backward(&Array2::<f64>::zeros((1, 2)));
}

#[test]
#[should_panic(expected = "Sigmoid::backward called before Sigmoid::forward")]
fn sigmoid_backward_before_forward_panics() {
    Sigmoid::<f64, Ix2>::new().backward(&Array2::zeros((1, 2)));
}

#[test]
#[should_panic(expected = "SoftmaxWithLoss::backward called before SoftmaxWithLoss::forward")]
fn softmax_with_loss_backward_before_forward_panics() {
    SoftmaxWithLoss::<f64>::new().backward(1.0);
}

#[test]
#[should_panic(expected = "Relu::backward: dout of shape [2, 2] for an output of shape [1, 2]")]
fn a_wrong_shaped_dout_panics() {
    let mut relu = Relu::new();
    relu.forward(&array![[1.0, 2.0]]);
    relu.backward(&array![[1.0, 2.0], [3.0, 4.0]]);
}

#[test]
#[should_panic(expected = "softmax_cross_entropy: 1 labels for 2 rows of scores")]
fn one_label_per_row() {
    softmax_cross_entropy(array![[1.0, 2.0], [3.0, 4.0]], &[0]);
}

#[test]
#[should_panic(expected = "SoftmaxWithLoss::forward: label 3 out of range for 3 classes")]
fn labels_name_a_class() {
    SoftmaxWithLoss::new().forward(&array![[1.0, 2.0, 3.0]], &[3]);
}

#[test]
#[should_panic(expected = "Affine::new: 3 bias elements for 2 outputs")]
fn one_bias_per_output() {
    let _ = Affine::new(Array2::<f64>::zeros((4, 2)), Array1::zeros(3));
}
