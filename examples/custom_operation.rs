//! Your own operation inside `grad!`: `softplus` with its derivative in
//! `softplus_grad`, checked against central differences before it is trusted.
//!
//! Run with `cargo run --example custom_operation`.

use grad::{check_gradient, grad};

/// softplus(x) = ln(1 + eˣ), a smooth relu.
fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

/// The value and the derivative d softplus / dx = σ(x): what `grad!` calls
/// for `softplus(x)`.
fn softplus_grad(x: f64) -> (f64, f64) {
    (softplus(x), grad::sigmoid(x))
}

fn main() {
    let mut worst: f64 = 0.0;
    for (w, x) in [(0.5, -2.0), (1.5, 0.0), (-0.7, 3.0), (2.0, 10.0)] {
        let g = grad!(y = softplus(w * x) * w);
        let d = g.backward(1.0);
        // The same formula in plain Rust, differentiated numerically.
        let plain = |v: &[f64]| softplus(v[0] * v[1]) * v[0];
        let check = check_gradient(plain, &[d.w, d.x], &[w, x]);
        println!(
            "w = {w:4}, x = {x:5}: y = {:.6}, dy/dw = {:.6}, dy/dx = {:.6}, largest relative error {:.1e}",
            g.y, d.w, d.x, check.max_relative_error
        );
        worst = worst.max(check.max_relative_error);
    }
    println!("largest relative error against central differences (h = 1e-4): {worst:.1e}");
    assert!(worst < 1e-8, "the derivative of softplus is wrong");
}
