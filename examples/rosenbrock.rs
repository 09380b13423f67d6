//! The N-dimensional Rosenbrock function, written as a loop in `grad!`,
//! minimised by L-BFGS from the standard start (-1.2, 1, -1.2, 1, ...).
//!
//! ```text
//! f(x) = sum over i < N - 1 of 100 (x[i+1] - x[i]²)² + (1 - x[i])²
//! ```
//!
//! Its minimum is 0 at (1, ..., 1), at the end of a long, curved, flat
//! valley: plain gradient descent crawls along it, L-BFGS (which builds a
//! picture of the curvature from its last few steps) follows it. From the
//! standard start every other coordinate has to travel from -1.2 to 1,
//! and they do so a few at a time, so the iterations grow with N.
//!
//! The optimiser is written out below (about 60 lines: the two-loop
//! recursion and a backtracking line search), so the example needs no
//! optimisation crate and shows everything the gradient is used for; the
//! gradient is `rosenbrock_grad`, whose code is one forward loop and one
//! reversed loop whatever N.
//!
//! ```text
//! cargo run --release --example rosenbrock
//! ```

use grad::grad;

grad! {
    /// Rosenbrock's function in N dimensions, one loop over neighbouring pairs.
    pub fn rosenbrock<const N: usize>(x: &[f64; N]) -> f64 {
        let mut s = 0.0;
        for i in 0..N - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = 1.0 - x[i];
            s += 100.0 * a * a + b * b;
        }
        s
    }
}

/// How many past steps L-BFGS remembers: the usual choice, enough for a
/// good picture of the curvature, little enough to cost nothing.
const MEMORY: usize = 10;

/// Sufficient decrease (Armijo) constant of the line search.
const ARMIJO: f64 = 1e-4;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// What a minimisation ended with.
struct Minimum<const N: usize> {
    x: [f64; N],
    value: f64,
    gradient_norm: f64,
    iterations: usize,
    evaluations: usize,
}

/// Minimises `rosenbrock` from `start` by L-BFGS, printing the value every
/// `every` iterations, until the gradient's norm is below `tolerance`.
fn minimise<const N: usize>(start: [f64; N], tolerance: f64, every: usize) -> Minimum<N> {
    let mut x = start;
    let (mut value, d) = rosenbrock_grad(&x);
    let mut gradient = d.x;
    let mut evaluations = 1;
    // The last steps s = x_new - x and gradient changes y = g_new - g.
    let mut history: Vec<([f64; N], [f64; N], f64)> = Vec::with_capacity(MEMORY);
    let mut iteration = 0;
    while norm(&gradient) > tolerance && iteration < 10_000 {
        if iteration % every == 0 {
            println!(
                "  iteration {iteration:>5}  f = {value:<12.6e}  |grad| = {:.3e}",
                norm(&gradient)
            );
        }
        // Two-loop recursion: direction = -H g, H the L-BFGS inverse Hessian.
        let mut q = gradient;
        let mut alphas = [0.0; MEMORY];
        for (k, (s, y, rho)) in history.iter().enumerate().rev() {
            alphas[k] = rho * dot(s, &q);
            for (q, y) in q.iter_mut().zip(y) {
                *q -= alphas[k] * y;
            }
        }
        // The initial inverse Hessian: a scaling from the newest pair.
        let scale = history
            .last()
            .map_or(1.0 / norm(&gradient).max(1.0), |(s, y, _)| {
                dot(s, y) / dot(y, y)
            });
        let mut direction = q.map(|q| q * scale);
        for (k, (s, y, rho)) in history.iter().enumerate() {
            let beta = rho * dot(y, &direction);
            for (d, s) in direction.iter_mut().zip(s) {
                *d += (alphas[k] - beta) * s;
            }
        }
        direction = direction.map(|d| -d);
        let mut slope = dot(&gradient, &direction);
        if slope >= 0.0 {
            // Not a descent direction (rounding): start again from the gradient.
            history.clear();
            direction = gradient.map(|g| -g);
            slope = -dot(&gradient, &gradient);
        }
        // Backtracking line search from the full step, halving until the
        // value falls enough.
        let mut step = 1.0;
        let (next, next_value, next_gradient) = loop {
            let mut candidate = x;
            for (c, d) in candidate.iter_mut().zip(&direction) {
                *c += step * d;
            }
            let (candidate_value, d) = rosenbrock_grad(&candidate);
            evaluations += 1;
            if candidate_value <= value + ARMIJO * step * slope || step < 1e-20 {
                break (candidate, candidate_value, d.x);
            }
            step *= 0.5;
        };
        let mut s = [0.0; N];
        let mut y = [0.0; N];
        for k in 0..N {
            s[k] = next[k] - x[k];
            y[k] = next_gradient[k] - gradient[k];
        }
        let curvature = dot(&s, &y);
        // Keep the pair only if it says the function curves up along the
        // step: otherwise H would stop being positive definite.
        if curvature > 1e-12 * norm(&s) * norm(&y) {
            if history.len() == MEMORY {
                history.remove(0);
            }
            history.push((s, y, 1.0 / curvature));
        }
        (x, value, gradient) = (next, next_value, next_gradient);
        iteration += 1;
    }
    Minimum {
        x,
        value,
        gradient_norm: norm(&gradient),
        iterations: iteration,
        evaluations,
    }
}

/// The standard start, (-1.2, 1, -1.2, 1, ...).
fn standard_start<const N: usize>() -> [f64; N] {
    std::array::from_fn(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
}

fn run<const N: usize>(every: usize) {
    println!("N = {N}, from (-1.2, 1, -1.2, 1, ...): f = {:.6e}", {
        rosenbrock(&standard_start::<N>())
    });
    let minimum = minimise(standard_start::<N>(), 1e-10, every);
    let distance = minimum
        .x
        .iter()
        .map(|x| (x - 1.0) * (x - 1.0))
        .sum::<f64>()
        .sqrt();
    println!(
        "  done after {} iterations ({} gradients): f = {:.3e}, |grad| = {:.3e}, distance to (1, ..., 1) = {:.3e}\n",
        minimum.iterations, minimum.evaluations, minimum.value, minimum.gradient_norm, distance
    );
    assert!(
        minimum.value < 1e-12 && distance < 1e-5,
        "L-BFGS did not converge for N = {N}"
    );
}

fn main() {
    run::<2>(10);
    run::<10>(10);
    run::<100>(50);
    run::<1000>(1000);
}
