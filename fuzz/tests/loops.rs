//! Random functions with loops through `grad!`, written by `build.rs` with
//! `grad_generator::loops`: arrays, slices and matrices read by index in
//! loops, nested loops, `let`s per iteration, accumulators updated with
//! `+=`, `-=` and `*=`, and (in a third of them) `if` expressions.
//!
//! Each test checks against independent references:
//!
//! - the value equals the plain function's (the `fn` item `grad!` emits
//!   unchanged) bit for bit: the layers compute the same operations in the
//!   same order;
//! - the gradient equals central differences of the plain function (step
//!   `1e-6 · max(1, |x|)`, truncation and rounding errors about 1e-8
//!   relative for these smooth functions), within `1e-6 · max(1, |g|)`.

include!(concat!(env!("OUT_DIR"), "/loops.rs"));

/// A point with `count` coordinates in about `[-1, 1.5]`, irregular so
/// that no two coordinates are equal.
fn point(count: usize) -> Vec<f64> {
    (0..count)
        .map(|k| 0.3 + 0.37 * ((k * 7 % 11) as f64 / 11.0 * 6.0 - 2.5) * 0.6)
        .collect()
}

/// Compares `analytic` with central differences of `f` at `point`.
fn check(f: impl Fn(&[f64]) -> f64, analytic: &[f64], point: &[f64], source: &str) {
    let mut x = point.to_vec();
    for (k, &gradient) in analytic.iter().enumerate() {
        let h = 1e-6 * point[k].abs().max(1.0);
        x[k] = point[k] + h;
        let up = f(&x);
        x[k] = point[k] - h;
        let down = f(&x);
        x[k] = point[k];
        let numerical = (up - down) / (2.0 * h);
        assert!(
            (gradient - numerical).abs() <= 1e-6 * gradient.abs().max(1.0),
            "coordinate {k}: backpropagation {gradient}, central difference {numerical}\n{source}"
        );
    }
}
