//! Logistic regression on Fisher's iris flowers (versicolor against
//! virginica, the two species no straight line separates perfectly), fitted
//! by gradient descent with gradients from `grad!`.
//!
//! Run with `cargo run --example gradient_descent`.

use grad::{grad, sigmoid};

grad! {
    /// Cross-entropy of one flower: `label` is 1 for virginica, 0 for versicolor.
    #[allow(clippy::too_many_arguments)]
    fn loss(w0: f64, w1: f64, w2: f64, w3: f64, b: f64,
            x0: f64, x1: f64, x2: f64, x3: f64, label: f64) -> f64 {
        let z = w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3 + b;
        let p = sigmoid(z);
        -(label * p.ln() + (1.0 - label) * (1.0 - p).ln())
    }
}

/// The iris data set as shipped with this example: 150 rows of four
/// measurements (cm) and a species index, after a header line.
const IRIS: &str = include_str!("data/iris.csv");

fn main() {
    // Versicolor (1) and virginica (2), with features standardised so one
    // learning rate suits every weight.
    let mut rows: Vec<([f64; 4], f64)> = IRIS
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<f64> = line.split(',').map(|f| f.parse().unwrap()).collect();
            let species = fields[4] as u8;
            (species >= 1).then(|| {
                (
                    [fields[0], fields[1], fields[2], fields[3]],
                    f64::from(species - 1),
                )
            })
        })
        .collect();
    for feature in 0..4 {
        let n = rows.len() as f64;
        let mean = rows.iter().map(|(x, _)| x[feature]).sum::<f64>() / n;
        let var = rows
            .iter()
            .map(|(x, _)| (x[feature] - mean).powi(2))
            .sum::<f64>()
            / n;
        for (x, _) in &mut rows {
            x[feature] = (x[feature] - mean) / var.sqrt();
        }
    }

    let (mut w, mut b) = ([0.0; 4], 0.0);
    let rate = 0.5;
    let n = rows.len() as f64;
    println!("epoch  loss     accuracy");
    for epoch in 0..=200 {
        let (mut total, mut dw, mut db) = (0.0, [0.0; 4], 0.0);
        let mut correct = 0;
        for (x, label) in &rows {
            let (value, d) = loss_grad(w[0], w[1], w[2], w[3], b, x[0], x[1], x[2], x[3], *label);
            total += value;
            for (sum, partial) in dw.iter_mut().zip([d.w0, d.w1, d.w2, d.w3]) {
                *sum += partial;
            }
            db += d.b;
            // p > 0.5 exactly when z > 0; d.z = p - label recovers p.
            let predicted = d.z + label > 0.5;
            correct += usize::from(predicted == (*label == 1.0));
        }
        if epoch % 20 == 0 {
            println!("{epoch:5}  {:.5}  {:.3}", total / n, correct as f64 / n);
        }
        for (weight, sum) in w.iter_mut().zip(dw) {
            *weight -= rate * sum / n;
        }
        b -= rate * db / n;
    }
    let final_loss = rows
        .iter()
        .map(|(x, label)| loss(w[0], w[1], w[2], w[3], b, x[0], x[1], x[2], x[3], *label))
        .sum::<f64>()
        / n;
    println!("weights {w:.3?}, bias {b:.3}, loss {final_loss:.5}");
}
