// Calls to the user's own functions inside a function over arrays: custom
// operations are not supported there, whether they take an array or a scalar
// computed from one. Each error points at the call and lists what a formula
// over arrays can use.
use grad::grad;
use grad::ndarray::Array2;

fn squash(x: &Array2<f64>) -> Array2<f64> {
    x.mapv(|v| v / (1.0 + v.abs()))
}

fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

fn softplus_grad(x: f64) -> (f64, f64) {
    (softplus(x), grad::sigmoid(x))
}

grad! {
    fn loss(x: &Array2<f64>) -> f64 {
        squash(x).sum() + softplus(x.sum())
    }
}

fn main() {}
