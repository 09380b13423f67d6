//! Logistic regression on the Wisconsin diagnostic breast cancer data (569
//! tumours, 30 measurements of their cell nuclei, malignant or benign; see
//! `data/breast_cancer.rst`), with a loss written as loops in `grad!`: one
//! over the rows, one over the features inside it, and a branch.
//!
//! It first checks the gradient against central differences at the
//! starting point, then trains by full-batch gradient descent on every row,
//! printing the loss every 20 epochs and the training accuracy at the end.
//!
//! ```text
//! cargo run --release --example logistic_regression
//! ```

use grad::grad;

/// The number of measurements per tumour.
const FEATURES: usize = 30;

grad! {
    /// Mean binary cross-entropy of the model `sigmoid(w · x + b)` over
    /// the rows `x` with labels `y` (1 benign, 0 malignant), plus an L2
    /// penalty `lambda / 2 |w|²`. The data are `#[constant]`: read, never
    /// differentiated. The cross-entropy is written on the logit `z`,
    /// `ln(1 + e^z) - y z`, with `ln(1 + e^z)` taken on the side where `e`
    /// cannot overflow.
    pub fn loss(
        w: &[f64; FEATURES],
        b: f64,
        #[constant] x: &[[f64; FEATURES]],
        #[constant] y: &[f64],
        #[constant] lambda: f64,
    ) -> f64 {
        let mut total = 0.0;
        for r in 0..x.len() {
            let mut z = b;
            for j in 0..FEATURES {
                z += w[j] * x[r][j];
            }
            let softplus = if z > 0.0 {
                z + (-z).exp().ln_1p()
            } else {
                z.exp().ln_1p()
            };
            total += softplus - y[r] * z;
        }
        let mut penalty = 0.0;
        for j in 0..FEATURES {
            penalty += w[j] * w[j];
        }
        total / x.len() as f64 + 0.5 * lambda * penalty
    }
}

/// The data set as shipped with this example: a header line
/// (`569,30,malignant,benign`), then one row per tumour, its 30
/// measurements then its class (0 malignant, 1 benign).
const DATA: &str = include_str!("data/breast_cancer.csv");

/// The rows' features and labels.
fn read() -> (Vec<[f64; FEATURES]>, Vec<f64>) {
    DATA.lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<f64> = line
                .split(',')
                .map(|field| field.parse().expect("a number"))
                .collect();
            assert_eq!(fields.len(), FEATURES + 1, "a row of breast_cancer.csv");
            (std::array::from_fn(|j| fields[j]), fields[FEATURES])
        })
        .unzip()
}

/// Rescales every feature to mean 0 and standard deviation 1, so that one
/// learning rate suits every weight (the areas are in the thousands, the
/// fractal dimensions near 0.05).
fn standardise(rows: &mut [[f64; FEATURES]]) {
    let n = rows.len() as f64;
    for j in 0..FEATURES {
        let mean = rows.iter().map(|row| row[j]).sum::<f64>() / n;
        let variance = rows.iter().map(|row| (row[j] - mean).powi(2)).sum::<f64>() / n;
        let deviation = variance.sqrt();
        for row in rows.iter_mut() {
            row[j] = (row[j] - mean) / deviation;
        }
    }
}

/// The largest difference between `loss_grad`'s gradient and central
/// differences of `loss`, over every weight and the bias.
fn largest_difference(
    w: &[f64; FEATURES],
    b: f64,
    x: &[[f64; FEATURES]],
    y: &[f64],
    lambda: f64,
) -> f64 {
    let (_, d) = loss_grad(w, b, x, y, lambda);
    let step = |v: f64| f64::EPSILON.cbrt() * v.abs().max(1.0);
    let mut largest: f64 = 0.0;
    for j in 0..FEATURES {
        let h = step(w[j]);
        let (mut above, mut below) = (*w, *w);
        above[j] += h;
        below[j] -= h;
        let numerical = (loss(&above, b, x, y, lambda) - loss(&below, b, x, y, lambda)) / (2.0 * h);
        largest = largest.max((numerical - d.w[j]).abs());
    }
    let h = step(b);
    let numerical = (loss(w, b + h, x, y, lambda) - loss(w, b - h, x, y, lambda)) / (2.0 * h);
    largest.max((numerical - d.b).abs())
}

fn accuracy(w: &[f64; FEATURES], b: f64, x: &[[f64; FEATURES]], y: &[f64]) -> f64 {
    let correct = x
        .iter()
        .zip(y)
        .filter(|&(row, &label)| {
            let z: f64 = b + row.iter().zip(w).map(|(x, w)| x * w).sum::<f64>();
            (z > 0.0) == (label == 1.0)
        })
        .count();
    correct as f64 / x.len() as f64
}

fn main() {
    let (mut x, y) = read();
    standardise(&mut x);
    let benign = y.iter().filter(|&&label| label == 1.0).count();
    println!(
        "{} tumours, {} benign, {} malignant, {FEATURES} features (standardised)",
        x.len(),
        benign,
        x.len() - benign
    );

    let lambda = 1e-3;
    // A start away from 0, where every logit is 0 and the check would be
    // one of a very special point.
    let mut w: [f64; FEATURES] = std::array::from_fn(|j| 0.01 * (j as f64 - 14.5));
    let mut b = 0.1;
    let difference = largest_difference(&w, b, &x, &y, lambda);
    println!("largest difference to central differences at the start: {difference:.2e}");
    assert!(
        difference < 1e-8,
        "the gradient disagrees with central differences"
    );

    let rate = 0.5;
    println!("epoch  loss");
    for epoch in 0..=300 {
        let (value, d) = loss_grad(&w, b, &x, &y, lambda);
        if epoch % 20 == 0 {
            println!("{epoch:>5}  {value:.6}");
        }
        for (w, dw) in w.iter_mut().zip(&d.w) {
            *w -= rate * dw;
        }
        b -= rate * d.b;
    }
    let accuracy = accuracy(&w, b, &x, &y);
    println!(
        "training accuracy: {accuracy:.4} ({} of {} rows)",
        (accuracy * x.len() as f64).round(),
        x.len()
    );
    assert!(accuracy > 0.97, "training did not fit the data");
}
