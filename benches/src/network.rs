//! One training step of the book's two-layer network (*Deep Learning from
//! Scratch*, ch. 5.7: Affine -> ReLU -> Affine -> Softmax-with-Loss,
//! 64-50-10, f64) written four ways, on the same weights and the same batch:
//!
//! | id | how the gradient is computed |
//! |---|---|
//! | `grad_macro` | `loss_grad` from `grad!`'s function form: the body of `examples/two_layer_net.rs` |
//! | `hand` | the book's layers from `grad::nn` (`Affine`, `Relu`, `SoftmaxWithLoss`) wired by hand, as the book's `TwoLayerNet.gradient` |
//! | `burn` | burn's autodiff over its ndarray backend (feature `peers`) |
//! | `candle` | candle-core on the CPU, its `backward` (feature `peers`) |
//!
//! A step is the forward pass to the loss, backward to the four parameters'
//! gradients, and one step of SGD (`param -= 0.1 * grad`), in place: each
//! implementation owns its weights in its own format, so repeated steps
//! train it, as a training loop does. It returns the loss before the update.
//!
//! The batch is the first [`BATCH`] images of the digits file bundled with
//! the examples (`examples/data/digits.csv.gz`, copied unzipped to
//! `benches/data/digits-100.csv`; pixels scaled to [0, 1], labels 0..9); the weights are the book's initialisation with a fixed
//! seed: Gaussian times 0.01, biases zero.
//!
//! [`check`] runs one step of each from the same start and compares the
//! loss and the updated weights with the hand-written layers'.

use grad::ndarray::{Array1, Array2, ArrayRef, Dimension};
use grad::nn::{Affine, Relu, SoftmaxWithLoss};
use grad::{grad, relu, softmax_cross_entropy};

/// Pixels per image.
pub const INPUTS: usize = 64;
/// Hidden units.
pub const HIDDEN: usize = 50;
/// Classes (the digits 0 to 9).
pub const CLASSES: usize = 10;
/// Rows of the batch.
pub const BATCH: usize = 100;
/// The learning rate of SGD.
pub const LEARNING_RATE: f64 = 0.1;

/// The first [`BATCH`] lines of the digits file of the examples
/// (`examples/data/digits.csv.gz`), unzipped: one image a line, 64 pixels
/// (0..16) then the label.
const DIGITS: &str = include_str!("../data/digits-100.csv");

/// A batch: images as rows, and their labels.
#[derive(Clone, Debug)]
pub struct Batch {
    /// `BATCH x INPUTS`, pixels in [0, 1].
    pub x: Array2<f64>,
    /// One label per row, below [`CLASSES`].
    pub t: Vec<usize>,
}

/// The first [`BATCH`] digits of the bundled file.
///
/// # Panics
///
/// If the bundled file is not what the examples ship.
#[must_use]
pub fn batch() -> Batch {
    let (mut pixels, mut t) = (Vec::new(), Vec::new());
    for line in DIGITS.lines().take(BATCH) {
        let fields: Vec<u8> = line
            .split(',')
            .map(|f| f.parse().expect("a pixel or a label"))
            .collect();
        let (label, image) = fields.split_last().expect("a non-empty line");
        pixels.extend(image.iter().map(|&p| f64::from(p) / 16.0));
        t.push(usize::from(*label));
    }
    let x = Array2::from_shape_vec((BATCH, INPUTS), pixels).expect("64 pixels a line");
    Batch { x, t }
}

/// The network's parameters, with the book's names.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    /// `INPUTS x HIDDEN`.
    pub w1: Array2<f64>,
    /// `HIDDEN`.
    pub b1: Array1<f64>,
    /// `HIDDEN x CLASSES`.
    pub w2: Array2<f64>,
    /// `CLASSES`.
    pub b2: Array1<f64>,
}

/// The book's initialisation, `weight_init_std = 0.01`, biases zero, from a
/// fixed seed (SplitMix64 and Box-Muller).
#[must_use]
pub fn initial_weights() -> Weights {
    let mut state: u64 = 2016;
    let mut uniform = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut gaussian = move |rows, cols| {
        Array2::from_shape_simple_fn((rows, cols), || {
            let u = 1.0 - uniform(); // in (0, 1]: ln is finite
            0.01 * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * uniform()).cos()
        })
    };
    Weights {
        w1: gaussian(INPUTS, HIDDEN),
        b1: Array1::zeros(HIDDEN),
        w2: gaussian(HIDDEN, CLASSES),
        b2: Array1::zeros(CLASSES),
    }
}

/// A network that trains on one batch: what every implementation offers.
pub trait Network {
    /// One training step: the loss, its gradient, SGD. Returns the loss
    /// before the update.
    fn step(&mut self) -> f64;
    /// The current parameters, as ndarray arrays.
    fn weights(&self) -> Weights;
}

// ---------------------------------------------------------------------------
// grad!
// ---------------------------------------------------------------------------

grad! {
    /// The book's TwoLayerNet: Affine -> ReLU -> Affine -> Softmax-with-Loss
    /// (the function of `examples/two_layer_net.rs`).
    pub fn loss(#[constant] x: &Array2<f64>, t: &[usize], w1: &Array2<f64>, b1: &Array1<f64>,
                w2: &Array2<f64>, b2: &Array1<f64>) -> f64 {
        let a1 = x.dot(w1) + b1;
        let z1 = relu(a1);
        let a2 = z1.dot(w2) + b2;
        softmax_cross_entropy(a2, t)
    }
}

/// The network trained with `loss_grad`, as the example trains it.
pub struct GradMacro {
    batch: Batch,
    weights: Weights,
}

impl GradMacro {
    /// The network at `weights`, training on `batch`.
    #[must_use]
    pub fn new(batch: &Batch, weights: &Weights) -> Self {
        Self {
            batch: batch.clone(),
            weights: weights.clone(),
        }
    }
}

/// One step of [`GradMacro`]: what criterion and callgrind measure.
#[inline(never)]
pub fn grad_macro_step(net: &mut GradMacro) -> f64 {
    let (x, t, p) = (&net.batch.x, &net.batch.t, &mut net.weights);
    let (value, d) = loss_grad(x, t, &p.w1, &p.b1, &p.w2, &p.b2);
    p.w1.scaled_add(-LEARNING_RATE, &d.w1);
    p.b1.scaled_add(-LEARNING_RATE, &d.b1);
    p.w2.scaled_add(-LEARNING_RATE, &d.w2);
    p.b2.scaled_add(-LEARNING_RATE, &d.b2);
    value
}

impl Network for GradMacro {
    fn step(&mut self) -> f64 {
        grad_macro_step(self)
    }
    fn weights(&self) -> Weights {
        self.weights.clone()
    }
}

// ---------------------------------------------------------------------------
// The book's layers by hand
// ---------------------------------------------------------------------------

/// The book's `TwoLayerNet`: its layers own the parameters and their
/// gradients, and keep what backward needs between forward and backward.
pub struct Hand {
    batch: Batch,
    affine1: Affine,
    relu: Relu,
    affine2: Affine,
    last: SoftmaxWithLoss,
}

impl Hand {
    /// The network at `weights`, training on `batch`.
    #[must_use]
    pub fn new(batch: &Batch, weights: &Weights) -> Self {
        Self {
            batch: batch.clone(),
            affine1: Affine::new(weights.w1.clone(), weights.b1.clone()),
            relu: Relu::new(),
            affine2: Affine::new(weights.w2.clone(), weights.b2.clone()),
            last: SoftmaxWithLoss::new(),
        }
    }
}

/// One step of [`Hand`]: the book's `gradient` (forward, then backward from
/// the last layer; the first layer's `dx`, the data's, is not computed) and
/// its SGD update.
#[inline(never)]
pub fn hand_step(net: &mut Hand) -> f64 {
    let z1 = net.relu.forward(&net.affine1.forward(&net.batch.x));
    let loss = net.last.forward(&net.affine2.forward(&z1), &net.batch.t);
    let da2 = net.last.backward(1.0);
    let dz1 = net.affine2.backward(&da2);
    net.affine1.backward_params(&net.relu.backward(&dz1));
    for layer in [&mut net.affine1, &mut net.affine2] {
        layer.w.scaled_add(-LEARNING_RATE, &layer.dw);
        layer.b.scaled_add(-LEARNING_RATE, &layer.db);
    }
    loss
}

impl Network for Hand {
    fn step(&mut self) -> f64 {
        hand_step(self)
    }
    fn weights(&self) -> Weights {
        Weights {
            w1: self.affine1.w.clone(),
            b1: self.affine1.b.clone(),
            w2: self.affine2.w.clone(),
            b2: self.affine2.b.clone(),
        }
    }
}

// ---------------------------------------------------------------------------
// burn: autodiff over the ndarray backend
// ---------------------------------------------------------------------------

#[cfg(feature = "peers")]
pub use peers::{Burn, Candle, burn_step, candle_step};

#[cfg(feature = "peers")]
mod peers {
    use super::{Batch, CLASSES, LEARNING_RATE, Network, Weights};
    use burn::tensor::activation::{log_softmax, relu};
    use burn::tensor::{DType, Device, Int, Tensor, TensorCreationOptions, TensorData};
    use grad::ndarray::{Array1, Array2};

    /// The network as tensors of burn's autodiff backend over ndarray, f64.
    pub struct Burn {
        device: Device,
        x: Tensor<2>,
        labels: Tensor<2, Int>,
        w1: Tensor<2>,
        b1: Tensor<1>,
        w2: Tensor<2>,
        b2: Tensor<1>,
    }

    fn f64_options(device: &Device) -> TensorCreationOptions {
        TensorCreationOptions::new(device.clone()).with_dtype(DType::F64)
    }

    fn burn_matrix(a: &Array2<f64>, device: &Device) -> Tensor<2> {
        let data = TensorData::new(
            a.iter().copied().collect::<Vec<f64>>(),
            [a.nrows(), a.ncols()],
        );
        Tensor::from_data(data, f64_options(device))
    }

    fn burn_vector(a: &Array1<f64>, device: &Device) -> Tensor<1> {
        let data = TensorData::new(a.to_vec(), [a.len()]);
        Tensor::from_data(data, f64_options(device))
    }

    fn from_burn_matrix(t: &Tensor<2>) -> Array2<f64> {
        let [rows, cols] = t.dims();
        let values = t.to_data().try_to_vec::<f64>().expect("an f64 tensor");
        Array2::from_shape_vec((rows, cols), values).expect("the tensor's shape")
    }

    fn from_burn_vector(t: &Tensor<1>) -> Array1<f64> {
        Array1::from(t.to_data().try_to_vec::<f64>().expect("an f64 tensor"))
    }

    impl Burn {
        /// The network at `weights`, training on `batch`, on burn's ndarray
        /// device with autodiff.
        #[must_use]
        #[allow(deprecated)] // burn 0.22 deprecates its ndarray backend, the one benchmarked here
        pub fn new(batch: &Batch, weights: &Weights) -> Self {
            let device = Device::ndarray().autodiff();
            let labels: Vec<i64> = batch.t.iter().map(|&t| t as i64).collect();
            let labels =
                Tensor::<2, Int>::from_data(TensorData::new(labels, [batch.t.len(), 1]), &device);
            Self {
                x: burn_matrix(&batch.x, &device),
                labels,
                w1: burn_matrix(&weights.w1, &device).require_grad(),
                b1: burn_vector(&weights.b1, &device).require_grad(),
                w2: burn_matrix(&weights.w2, &device).require_grad(),
                b2: burn_vector(&weights.b2, &device).require_grad(),
                device,
            }
        }
    }

    /// `param - LEARNING_RATE * grad` as a new leaf that requires a gradient.
    fn sgd<const RANK: usize>(param: &Tensor<RANK>, grad: Tensor<RANK>) -> Tensor<RANK> {
        (param.clone().inner() - grad.mul_scalar(LEARNING_RATE))
            .autodiff()
            .require_grad()
    }

    /// One step of [`Burn`]: the loss is the mean over the rows of
    /// `-log_softmax(scores)[label]` (burn's cross-entropy with logits).
    ///
    /// # Panics
    ///
    /// If burn computes no gradient for a parameter.
    #[inline(never)]
    pub fn burn_step(net: &mut Burn) -> f64 {
        let rows = net.x.dims()[0];
        let a1 = net.x.clone().matmul(net.w1.clone()) + net.b1.clone().unsqueeze::<2>();
        let z1 = relu(a1);
        let a2 = z1.matmul(net.w2.clone()) + net.b2.clone().unsqueeze::<2>();
        let picked = log_softmax(a2, 1).gather(1, net.labels.clone());
        let loss = picked.sum().mul_scalar(-1.0 / rows as f64);
        let mut grads = loss.backward();
        let missing = "every parameter takes part in the loss";
        let (g1, gb1) = (
            net.w1.grad_remove(&mut grads).expect(missing),
            net.b1.grad_remove(&mut grads).expect(missing),
        );
        let (g2, gb2) = (
            net.w2.grad_remove(&mut grads).expect(missing),
            net.b2.grad_remove(&mut grads).expect(missing),
        );
        net.w1 = sgd(&net.w1, g1);
        net.b1 = sgd(&net.b1, gb1);
        net.w2 = sgd(&net.w2, g2);
        net.b2 = sgd(&net.b2, gb2);
        let _ = &net.device;
        loss.into_scalar::<f64>()
    }

    impl Network for Burn {
        fn step(&mut self) -> f64 {
            burn_step(self)
        }
        fn weights(&self) -> Weights {
            Weights {
                w1: from_burn_matrix(&self.w1),
                b1: from_burn_vector(&self.b1),
                w2: from_burn_matrix(&self.w2),
                b2: from_burn_vector(&self.b2),
            }
        }
    }

    // -----------------------------------------------------------------------
    // candle on the CPU
    // -----------------------------------------------------------------------

    use candle_core::{D, Device as CandleDevice, Tensor as CandleTensor, Var};

    /// The network as candle `Var`s on the CPU, f64.
    pub struct Candle {
        x: CandleTensor,
        labels: CandleTensor,
        w1: Var,
        b1: Var,
        w2: Var,
        b2: Var,
    }

    const CANDLE: &str = "candle on the CPU handles f64 tensors of these shapes";

    fn candle_matrix(a: &Array2<f64>) -> CandleTensor {
        CandleTensor::from_vec(
            a.iter().copied().collect::<Vec<f64>>(),
            (a.nrows(), a.ncols()),
            &CandleDevice::Cpu,
        )
        .expect(CANDLE)
    }

    fn candle_vector(a: &Array1<f64>) -> CandleTensor {
        CandleTensor::from_vec(a.to_vec(), a.len(), &CandleDevice::Cpu).expect(CANDLE)
    }

    fn from_candle_matrix(t: &CandleTensor) -> Array2<f64> {
        let (rows, cols) = t.dims2().expect(CANDLE);
        let values = t.flatten_all().and_then(|t| t.to_vec1()).expect(CANDLE);
        Array2::from_shape_vec((rows, cols), values).expect("the tensor's shape")
    }

    fn from_candle_vector(t: &CandleTensor) -> Array1<f64> {
        Array1::from(t.to_vec1::<f64>().expect(CANDLE))
    }

    impl Candle {
        /// The network at `weights`, training on `batch`, on the CPU.
        ///
        /// # Panics
        ///
        /// If a label is not below [`CLASSES`].
        #[must_use]
        pub fn new(batch: &Batch, weights: &Weights) -> Self {
            assert!(batch.t.iter().all(|&t| t < CLASSES));
            let labels: Vec<u32> = batch.t.iter().map(|&t| t as u32).collect();
            let var = |t: CandleTensor| Var::from_tensor(&t).expect(CANDLE);
            Self {
                x: candle_matrix(&batch.x),
                labels: CandleTensor::from_vec(labels, (batch.t.len(), 1), &CandleDevice::Cpu)
                    .expect(CANDLE),
                w1: var(candle_matrix(&weights.w1)),
                b1: var(candle_vector(&weights.b1)),
                w2: var(candle_matrix(&weights.w2)),
                b2: var(candle_vector(&weights.b2)),
            }
        }
    }

    /// One step of [`Candle`], with `?` for candle's errors.
    fn candle_try_step(net: &Candle) -> candle_core::Result<f64> {
        let rows = net.x.dims()[0];
        let a1 = net.x.matmul(&net.w1)?.broadcast_add(&net.b1)?;
        let z1 = a1.relu()?;
        let a2 = z1.matmul(&net.w2)?.broadcast_add(&net.b2)?;
        // log_softmax over the classes as candle-nn writes it; the row's
        // maximum is detached, as its gradient is zero.
        let shifted = a2.broadcast_sub(&a2.max_keepdim(D::Minus1)?.detach())?;
        let log_sum = shifted.exp()?.sum_keepdim(D::Minus1)?.log()?;
        let log_probabilities = shifted.broadcast_sub(&log_sum)?;
        let picked = log_probabilities.gather(&net.labels, D::Minus1)?;
        let loss = picked.sum_all()?.affine(-1.0 / rows as f64, 0.0)?;
        let grads = loss.backward()?;
        for var in [&net.w1, &net.b1, &net.w2, &net.b2] {
            let grad = grads.get(var).ok_or_else(|| {
                candle_core::Error::Msg("every parameter takes part in the loss".to_owned())
            })?;
            var.set(&var.as_tensor().sub(&grad.affine(LEARNING_RATE, 0.0)?)?)?;
        }
        loss.to_scalar::<f64>()
    }

    /// One step of [`Candle`].
    ///
    /// # Panics
    ///
    /// If candle fails, which it does not on these shapes.
    #[inline(never)]
    pub fn candle_step(net: &mut Candle) -> f64 {
        candle_try_step(net).expect(CANDLE)
    }

    impl Network for Candle {
        fn step(&mut self) -> f64 {
            candle_step(self)
        }
        fn weights(&self) -> Weights {
            Weights {
                w1: from_candle_matrix(&self.w1),
                b1: from_candle_vector(&self.b1),
                w2: from_candle_matrix(&self.w2),
                b2: from_candle_vector(&self.b2),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The implementations by name, and the check
// ---------------------------------------------------------------------------

/// The implementations built in this configuration, in the order of the
/// tables: `hand` first, the reference.
pub const METHODS: &[&str] = &[
    "hand",
    "grad_macro",
    #[cfg(feature = "peers")]
    "burn",
    #[cfg(feature = "peers")]
    "candle",
];

/// The implementation `method` at `weights`, training on `batch`, or
/// `None` for a method not in [`METHODS`].
#[must_use]
pub fn network(method: &str, batch: &Batch, weights: &Weights) -> Option<Box<dyn Network>> {
    Some(match method {
        "hand" => Box::new(Hand::new(batch, weights)),
        "grad_macro" => Box::new(GradMacro::new(batch, weights)),
        #[cfg(feature = "peers")]
        "burn" => Box::new(Burn::new(batch, weights)),
        #[cfg(feature = "peers")]
        "candle" => Box::new(Candle::new(batch, weights)),
        _ => return None,
    })
}

/// The largest tolerated error of a method against the hand-written
/// layers, relative (see [`relative_error`]).
///
/// - `grad_macro`: 1e-10. It runs the same ndarray operations as the
///   book's layers, in the same order but for the bias gradient's sum over
///   the batch, so it differs by a few roundings at most.
/// - `burn`, `candle`: 1e-12 on the loss and the weights. Their matrix
///   products (gemm, matrixmultiply with other blockings) and their
///   log-softmax (`x - max - ln Σ exp(x - max)` as tensor operations) sum
///   in other orders, which moves the last bits: sums of at most 100 terms
///   of f64 (ε = 1.1e-16) give errors of a few hundred ε at most, relative
///   to the largest element. A wrong gradient, a missing `1 / batch` or
///   another learning rate would be off by 1e-3 or more.
#[must_use]
pub fn tolerance(method: &str) -> f64 {
    match method {
        "grad_macro" => 1e-10,
        _ => 1e-12,
    }
}

/// `max |a - b| / max |b|` over the elements: the error relative to the
/// largest element of the reference `b`, so elements near 0 (a bias a few
/// rows push either way) are judged on the array's scale.
#[must_use]
pub fn relative_error<D: Dimension>(a: &ArrayRef<f64, D>, b: &ArrayRef<f64, D>) -> f64 {
    assert_eq!(a.shape(), b.shape(), "arrays of different shapes");
    let scale = b.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let error = largest_change(a, b);
    if scale == 0.0 { error } else { error / scale }
}

/// `max |a - b|` over the elements.
fn largest_change<D: Dimension>(a: &ArrayRef<f64, D>, b: &ArrayRef<f64, D>) -> f64 {
    a.iter()
        .zip(b)
        .fold(0.0_f64, |m, (x, y)| m.max((x - y).abs()))
}

/// One line of [`check`]: a method's errors against the hand-written
/// layers after one step from the same start.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The method.
    pub method: &'static str,
    /// Its loss.
    pub loss: f64,
    /// `|loss - hand's| / |hand's|`.
    pub loss_error: f64,
    /// The largest [`relative_error`] of its updated `w1`, `b1`, `w2`, `b2`.
    pub weights_error: f64,
    /// Both within [`tolerance`].
    pub ok: bool,
}

/// One step of every method of [`METHODS`] from [`initial_weights`] on
/// [`batch`], compared with the hand-written layers' step. Also checks
/// that the step moved every parameter by far more than the tolerance, so
/// agreeing is not agreeing on doing nothing, and that the hand-written
/// loss is the plain `loss` function's value.
///
/// # Errors
///
/// The lines, when a method is off or the reference itself is wrong.
pub fn check() -> Result<Vec<Checked>, Vec<Checked>> {
    let (batch, start) = (batch(), initial_weights());
    let mut reference = Hand::new(&batch, &start);
    let hand_loss = reference.step();
    let hand = reference.weights();
    let plain = loss(
        &batch.x, &batch.t, &start.w1, &start.b1, &start.w2, &start.b2,
    );
    // The largest change of each parameter in the step.
    let moved = [
        largest_change(&hand.w1, &start.w1),
        largest_change(&hand.b1, &start.b1),
        largest_change(&hand.w2, &start.w2),
        largest_change(&hand.b2, &start.b2),
    ];
    let reference_ok =
        (hand_loss - plain).abs() <= 1e-12 * plain.abs() && moved.iter().all(|&m| m > 1e-6);
    let mut lines = Vec::new();
    for &method in METHODS {
        let mut net = network(method, &batch, &start).expect("a method of METHODS");
        let loss = net.step();
        let w = net.weights();
        let loss_error = (loss - hand_loss).abs() / hand_loss.abs();
        let weights_error = [
            relative_error(&w.w1, &hand.w1),
            relative_error(&w.b1, &hand.b1),
            relative_error(&w.w2, &hand.w2),
            relative_error(&w.b2, &hand.b2),
        ]
        .into_iter()
        .fold(0.0_f64, f64::max);
        let ok =
            reference_ok && loss_error <= tolerance(method) && weights_error <= tolerance(method);
        lines.push(Checked {
            method,
            loss,
            loss_error,
            weights_error,
            ok,
        });
    }
    if lines.iter().all(|line| line.ok) {
        Ok(lines)
    } else {
        Err(lines)
    }
}
