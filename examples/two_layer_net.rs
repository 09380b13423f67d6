//! The book's two-layer network (*Deep Learning from Scratch*, ch. 5.7):
//! `TwoLayerNet`, Affine -> ReLU -> Affine -> Softmax-with-Loss, 64-50-10,
//! trained by stochastic gradient descent (batches of 100) on the
//! handwritten digits: 1,797 images of 8x8 pixels (the UCI optical
//! recognition of handwritten digits test set, as bundled with
//! scikit-learn), 80% to train on and 20% to test on.
//!
//! As in the book, it first checks the backpropagated gradient against the
//! numerical one on a small batch, then trains, printing the loss and the
//! accuracies after every epoch, and draws the curves as an SVG plot.
//!
//! ```text
//! cargo run --release --example two_layer_net            # plot in docs/two_layer_net.svg
//! cargo run --release --example two_layer_net -- FOLDER  # plot in FOLDER/two_layer_net.svg
//! ```

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use flate2::read::GzDecoder;
use grad::ndarray::{Array1, Array2, Axis};
use grad::numerical_gradient;
use plotters::prelude::*;

// --------------------------------------------------------------------------
// The loss and its gradient by backpropagation.
//
// `grad!` writes both from the formula: `loss` (the plain function, kept as
// written) and `loss_grad` (the value and a struct with one gradient per
// parameter; `x` is `#[constant]`, the data, so its gradient is never
// computed, and the labels `t` have none).
// --------------------------------------------------------------------------

use grad::{grad, relu, softmax_cross_entropy};

grad! {
    /// The book's TwoLayerNet: Affine -> ReLU -> Affine -> Softmax-with-Loss.
    pub fn loss(#[constant] x: &Array2<f64>, t: &[usize], w1: &Array2<f64>, b1: &Array1<f64>,
                w2: &Array2<f64>, b2: &Array1<f64>) -> f64 {
        let a1 = x.dot(w1) + b1;
        let z1 = relu(a1);
        let a2 = z1.dot(w2) + b2;
        softmax_cross_entropy(a2, t)
    }
}

// --------------------------------------------------------------------------
// The network, with the book's names.
// --------------------------------------------------------------------------

/// The network's parameters, and (with the same shapes) their gradients:
/// the book's `params` and `grads` dictionaries.
#[derive(Clone, Debug)]
struct Params {
    w1: Array2<f64>,
    b1: Array1<f64>,
    w2: Array2<f64>,
    b2: Array1<f64>,
}

impl Params {
    /// One step of SGD: `param -= learning_rate * grad` for every parameter.
    fn sgd(&mut self, grads: &Params, learning_rate: f64) {
        self.w1.scaled_add(-learning_rate, &grads.w1);
        self.b1.scaled_add(-learning_rate, &grads.b1);
        self.w2.scaled_add(-learning_rate, &grads.w2);
        self.b2.scaled_add(-learning_rate, &grads.b2);
    }
}

struct TwoLayerNet {
    params: Params,
}

impl TwoLayerNet {
    /// Weights drawn from a Gaussian scaled by `weight_init_std`, biases zero,
    /// as the book initialises them.
    fn new(
        input_size: usize,
        hidden_size: usize,
        output_size: usize,
        weight_init_std: f64,
        rng: &mut Rng,
    ) -> Self {
        let mut gaussian = |rows, cols| {
            Array2::from_shape_simple_fn((rows, cols), || weight_init_std * rng.gaussian())
        };
        let params = Params {
            w1: gaussian(input_size, hidden_size),
            b1: Array1::zeros(hidden_size),
            w2: gaussian(hidden_size, output_size),
            b2: Array1::zeros(output_size),
        };
        Self { params }
    }

    /// The scores of each class for each row of `x` (before the softmax,
    /// which does not change which class scores highest).
    fn predict(&self, x: &Array2<f64>) -> Array2<f64> {
        let p = &self.params;
        let z1 = (x.dot(&p.w1) + &p.b1).mapv(grad::relu);
        z1.dot(&p.w2) + &p.b2
    }

    /// The cross-entropy loss of the batch `x` with labels `t`.
    fn loss(&self, x: &Array2<f64>, t: &[usize]) -> f64 {
        let p = &self.params;
        loss(x, t, &p.w1, &p.b1, &p.w2, &p.b2)
    }

    /// The fraction of rows whose highest score is their label.
    fn accuracy(&self, x: &Array2<f64>, t: &[usize]) -> f64 {
        let y = self.predict(x);
        let correct = y
            .outer_iter()
            .zip(t)
            .filter(|(scores, label)| argmax(scores.iter()) == **label)
            .count();
        correct as f64 / t.len() as f64
    }

    /// The gradient by central differences, one parameter element at a time
    /// (2 * 3,760 evaluations of the loss): slow, but obviously right.
    fn numerical_gradient(&self, x: &Array2<f64>, t: &[usize]) -> Params {
        let p = &self.params;
        Params {
            w1: numerical_gradient(
                |w1: &Array2<f64>| loss(x, t, w1, &p.b1, &p.w2, &p.b2),
                &p.w1,
            ),
            b1: numerical_gradient(
                |b1: &Array1<f64>| loss(x, t, &p.w1, b1, &p.w2, &p.b2),
                &p.b1,
            ),
            w2: numerical_gradient(
                |w2: &Array2<f64>| loss(x, t, &p.w1, &p.b1, w2, &p.b2),
                &p.w2,
            ),
            b2: numerical_gradient(
                |b2: &Array1<f64>| loss(x, t, &p.w1, &p.b1, &p.w2, b2),
                &p.b2,
            ),
        }
    }

    /// The loss and its gradient by backpropagation.
    fn gradient(&self, x: &Array2<f64>, t: &[usize]) -> (f64, Params) {
        let p = &self.params;
        let (value, d) = loss_grad(x, t, &p.w1, &p.b1, &p.w2, &p.b2);
        let grads = Params {
            w1: d.w1,
            b1: d.b1,
            w2: d.w2,
            b2: d.b2,
        };
        (value, grads)
    }
}

fn argmax<'a>(values: impl Iterator<Item = &'a f64>) -> usize {
    values
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (i, &v)| {
            if v > best.1 { (i, v) } else { best }
        })
        .0
}

// --------------------------------------------------------------------------
// The data.
// --------------------------------------------------------------------------

/// The digits as shipped with this example: one image a line, 64 pixels
/// (0..16, row by row) then the label, gzipped.
const DIGITS: &[u8] = include_bytes!("data/digits.csv.gz");

/// The images scaled to [0, 1] (one a row) and their labels.
fn load_digits() -> (Array2<f64>, Vec<usize>) {
    let mut text = String::new();
    GzDecoder::new(DIGITS)
        .read_to_string(&mut text)
        .expect("the digits file is gzipped text");
    let (mut pixels, mut labels) = (Vec::new(), Vec::new());
    for line in text.lines() {
        let fields: Vec<u8> = line.split(',').map(|f| f.parse().unwrap()).collect();
        let (label, image) = fields.split_last().unwrap();
        pixels.extend(image.iter().map(|&p| f64::from(p) / 16.0));
        labels.push(usize::from(*label));
    }
    let images = Array2::from_shape_vec((labels.len(), 64), pixels).unwrap();
    (images, labels)
}

/// A small seeded generator (SplitMix64), so every run splits, initialises
/// and samples batches the same way, with no dependency for it.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n.
    fn below(&mut self, n: usize) -> usize {
        (self.uniform() * n as f64) as usize
    }

    /// Standard normal, by Box-Muller (numpy's `randn`).
    fn gaussian(&mut self) -> f64 {
        let u = 1.0 - self.uniform(); // in (0, 1]: ln is finite
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }
}

/// The rows `indices` of `x` and their labels.
fn batch(x: &Array2<f64>, t: &[usize], indices: &[usize]) -> (Array2<f64>, Vec<usize>) {
    (
        x.select(Axis(0), indices),
        indices.iter().map(|&i| t[i]).collect(),
    )
}

// --------------------------------------------------------------------------
// The run.
// --------------------------------------------------------------------------

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut rng = Rng(2016); // the year of the book
    let (images, labels) = load_digits();

    // A fixed 80/20 split of a shuffled order (Fisher-Yates).
    let mut order: Vec<usize> = (0..labels.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let train_size = labels.len() * 4 / 5;
    let (x_train, t_train) = batch(&images, &labels, &order[..train_size]);
    let (x_test, t_test) = batch(&images, &labels, &order[train_size..]);
    println!(
        "{} digits: {} to train on, {} to test on",
        labels.len(),
        t_train.len(),
        t_test.len()
    );

    let mut network = TwoLayerNet::new(64, 50, 10, 0.01, &mut rng);

    // The book's gradient check (ch. 5.7.3): on 3 rows, backpropagation and
    // central differences must agree, parameter by parameter.
    let (x_check, t_check) = batch(&x_train, &t_train, &[0, 1, 2]);
    let numerical = network.numerical_gradient(&x_check, &t_check);
    let (_, backprop) = network.gradient(&x_check, &t_check);
    println!("gradient check (3 rows), largest |backprop - numerical|:");
    let largest = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    };
    let differences = [
        (
            "w1",
            largest(
                backprop.w1.as_slice().unwrap(),
                numerical.w1.as_slice().unwrap(),
            ),
        ),
        (
            "b1",
            largest(
                backprop.b1.as_slice().unwrap(),
                numerical.b1.as_slice().unwrap(),
            ),
        ),
        (
            "w2",
            largest(
                backprop.w2.as_slice().unwrap(),
                numerical.w2.as_slice().unwrap(),
            ),
        ),
        (
            "b2",
            largest(
                backprop.b2.as_slice().unwrap(),
                numerical.b2.as_slice().unwrap(),
            ),
        ),
    ];
    for (name, difference) in differences {
        println!("  {name}: {difference:.1e}");
        assert!(difference <= 1e-7, "the gradient of {name} is wrong");
    }

    // Training with the book's batch size. The digits are far fewer than
    // MNIST's 60,000 images, so an epoch is only 14 batches; a learning rate
    // of 0.5 instead of the book's 0.1 gets there in a few times fewer epochs.
    let (epochs, batch_size, learning_rate) = (30, 100, 0.5);
    let iterations_per_epoch = (train_size / batch_size).max(1);
    let mut losses = Vec::new(); // one per iteration, as the book plots them
    let mut train_accuracies = Vec::new();
    let mut test_accuracies = Vec::new();
    println!("epoch   loss    train  test");
    for epoch in 1..=epochs {
        let mut epoch_loss = 0.0;
        for _ in 0..iterations_per_epoch {
            // The book's np.random.choice: a batch drawn at random each time.
            let indices: Vec<usize> = (0..batch_size).map(|_| rng.below(train_size)).collect();
            let (x_batch, t_batch) = batch(&x_train, &t_train, &indices);
            let (loss, grads) = network.gradient(&x_batch, &t_batch);
            network.params.sgd(&grads, learning_rate);
            losses.push(loss);
            epoch_loss += loss;
        }
        let train_accuracy = network.accuracy(&x_train, &t_train);
        let test_accuracy = network.accuracy(&x_test, &t_test);
        train_accuracies.push(train_accuracy);
        test_accuracies.push(test_accuracy);
        println!(
            "{epoch:5}  {:.4}  {train_accuracy:.3}  {test_accuracy:.3}",
            epoch_loss / iterations_per_epoch as f64
        );
    }
    let test_accuracy = network.accuracy(&x_test, &t_test);
    println!(
        "loss on the whole training set: {:.4}",
        network.loss(&x_train, &t_train)
    );

    let folder = std::env::args_os().nth(1).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("docs"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&folder)?;
    let path = folder.join("two_layer_net.svg");
    plot(
        &path,
        &losses,
        iterations_per_epoch,
        &train_accuracies,
        &test_accuracies,
    )?;
    println!("curves written to {}", path.display());
    println!("took {:.2} s", started.elapsed().as_secs_f64());
    println!("test accuracy: {test_accuracy:.3}");
    Ok(())
}

/// The book's two figures side by side: the loss of every batch, falling,
/// and the accuracy on the training and test sets after every epoch.
fn plot(
    path: &Path,
    losses: &[f64],
    iterations_per_epoch: usize,
    train: &[f64],
    test: &[f64],
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (960, 400)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(480);
    let epochs = train.len() as f64;
    let per_epoch = iterations_per_epoch as f64;

    let top = losses.iter().copied().fold(0.0, f64::max) * 1.05;
    let mut chart = ChartBuilder::on(&left)
        .caption("loss of each batch", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..epochs, 0.0..top)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc("cross-entropy")
        .draw()?;
    chart.draw_series(LineSeries::new(
        losses
            .iter()
            .enumerate()
            .map(|(i, &loss)| ((i + 1) as f64 / per_epoch, loss)),
        &BLUE,
    ))?;

    let mut chart = ChartBuilder::on(&right)
        .caption("accuracy", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..epochs, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc("fraction correct")
        .draw()?;
    let epoch_points = |values: &[f64]| -> Vec<(f64, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| ((i + 1) as f64, v))
            .collect()
    };
    chart
        .draw_series(LineSeries::new(epoch_points(train), &BLUE))?
        .label("train")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE));
    chart
        .draw_series(LineSeries::new(epoch_points(test), &RED))?
        .label("test")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], RED));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()?;
    root.present()?;
    Ok(())
}
