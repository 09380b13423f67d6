//! `numerical_gradient` and `check_gradient` over ndarray arrays: the book's
//! element-by-element check, with the gradient in the point's shape and the
//! coordinates in logical order whatever the memory layout.
#![cfg(feature = "ndarray")]

use grad_core::ndarray::{Array1, Array2, Array3, ShapeBuilder, array};
use grad_core::{
    check_gradient, check_gradient_with_step, numerical_gradient, numerical_gradient_with_step,
};

/// `f(W) = Σ sin(W) · c`, with the gradient `cos(W) · c` known exactly.
fn weighted_sines(w: &Array2<f64>) -> f64 {
    w.indexed_iter()
        .map(|((i, j), v)| v.sin() * (1.0 + i as f64 + 10.0 * j as f64))
        .sum()
}

fn weighted_sines_gradient(w: &Array2<f64>) -> Array2<f64> {
    Array2::from_shape_fn(w.dim(), |(i, j)| {
        w[[i, j]].cos() * (1.0 + i as f64 + 10.0 * j as f64)
    })
}

#[test]
fn the_gradient_has_the_shape_of_the_point() {
    let w = array![[0.1, 0.2, 0.3], [-0.4, 0.5, 2.0]];
    let g = numerical_gradient(weighted_sines, &w);
    assert_eq!(g.dim(), (2, 3));
    let exact = weighted_sines_gradient(&w);
    for (a, b) in g.iter().zip(&exact) {
        assert!((a - b).abs() < 1e-7, "{a} vs {b}");
    }
}

#[test]
fn column_major_arrays_and_views_are_taken_element_by_element_in_logical_order() {
    let w = array![[0.1, 0.2, 0.3], [-0.4, 0.5, 2.0]];
    let mut fortran = Array2::zeros((2, 3).f());
    fortran.assign(&w);
    assert!(!fortran.is_standard_layout());
    let expected = numerical_gradient(weighted_sines, &w);
    assert_eq!(numerical_gradient(weighted_sines, &fortran), expected);
    assert_eq!(numerical_gradient(weighted_sines, &w.view()), expected);

    // A transposed view is its own (3, 2) point.
    let g = numerical_gradient(|m: &Array2<f64>| m[[2, 1]] * 3.0, &w.t());
    assert_eq!(g.dim(), (3, 2));
    for ((i, j), v) in g.indexed_iter() {
        let expected = if (i, j) == (2, 1) { 3.0 } else { 0.0 };
        assert!((v - expected).abs() < 1e-9, "{v} at ({i}, {j})");
    }
    let check = check_gradient(weighted_sines, &weighted_sines_gradient(&w), &fortran);
    assert!(check.passes(1e-8), "{check:?}");
}

#[test]
fn a_check_reports_the_worst_coordinate_in_logical_order() {
    let w = array![[0.1, 0.2, 0.3], [-0.4, 0.5, 2.0]];
    let mut analytic = weighted_sines_gradient(&w);
    analytic[[1, 0]] += 0.5; // coordinate 3 in row-major order
    let check = check_gradient(weighted_sines, &analytic, &w);
    assert_eq!(check.worst_input, 3);
    assert!((check.max_absolute_error - 0.5).abs() < 1e-7);
    assert!(!check.passes(1e-3));
    assert_eq!(check.analytic.len(), 6);
    assert_eq!(check.numerical.len(), 6);
    assert_eq!(check.analytic[3], analytic[[1, 0]]);
}

#[test]
fn one_and_three_axes_and_f32() {
    let v = Array1::linspace(-1.0, 1.0, 5);
    let g = numerical_gradient(|v: &Array1<f64>| v.mapv(|x| x * x).sum(), &v);
    assert!(g.iter().zip(&v).all(|(g, x)| (g - 2.0 * x).abs() < 1e-9));

    let cube = Array3::from_shape_fn((2, 3, 2), |(i, j, k)| (i + j + k) as f64 * 0.1);
    let check = check_gradient(
        |c: &Array3<f64>| c.mapv(f64::exp).sum(),
        &cube.mapv(f64::exp),
        &cube,
    );
    assert!(check.passes(1e-8), "{check:?}");

    let w32 = array![[0.5f32, -0.25], [1.0, 2.0]];
    let g32 = numerical_gradient_with_step(|w: &Array2<f32>| (w * w).sum(), &w32, 1e-2);
    assert!(
        g32.iter()
            .zip(&w32)
            .all(|(g, w)| (g - 2.0 * w).abs() < 1e-3)
    );
    let check =
        check_gradient_with_step(|w: &Array2<f32>| (w * w).sum(), &(&w32 * 2.0), &w32, 1e-2);
    assert!(check.passes(1e-3), "{check:?}");
}

#[test]
fn the_analytic_gradient_may_be_a_view() {
    let w = array![[0.1, 0.2], [0.3, 0.4]];
    let analytic = weighted_sines_gradient(&w);
    let check = check_gradient(weighted_sines, &analytic.view(), &w);
    assert!(check.passes(1e-8), "{check:?}");
}

#[test]
#[should_panic(
    expected = "check_gradient: analytic gradient of shape [3, 2] for a point of shape [2, 3]"
)]
fn a_transposed_analytic_gradient_is_refused() {
    let w = array![[0.1, 0.2, 0.3], [-0.4, 0.5, 2.0]];
    let analytic = weighted_sines_gradient(&w).reversed_axes();
    let _ = check_gradient(weighted_sines, &analytic, &w);
}

#[test]
#[should_panic(expected = "check_gradient: 1 analytic partials for 2 inputs")]
fn slices_still_say_partials_and_inputs() {
    let _ = check_gradient(|v: &[f64]| v[0] + v[1], &[1.0], &[0.0, 0.0]);
}

#[test]
fn slices_vectors_and_arrays_of_floats_still_work() {
    // The scalar call sites: slices, fixed-size arrays and vectors, with and
    // without annotations on the closure.
    let point = vec![3.0, 2.0];
    let g: Vec<f64> = numerical_gradient(|v: &[f64]| v[0] * v[0] * v[1], &point);
    assert!((g[0] - 12.0).abs() < 1e-6 && (g[1] - 9.0).abs() < 1e-6);
    let g = numerical_gradient(|v| v[0] * v[1], &[3.0_f64, 2.0]);
    assert!((g[0] - 2.0).abs() < 1e-9);
    let g = numerical_gradient(|v| v[0] * v[1], &point[..]);
    assert!((g[1] - 3.0).abs() < 1e-9);
    let analytic = vec![12.0, 9.0];
    let check = check_gradient(|v: &[f64]| v[0] * v[0] * v[1], &analytic, &[3.0, 2.0]);
    assert!(
        check.passes(1e-8) && check.max_absolute_error < 1e-6,
        "{check:?}"
    );
}
