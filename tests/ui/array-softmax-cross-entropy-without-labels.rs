// `softmax_cross_entropy` takes the scores and the labels: the error points
// at the call and says how many arguments it takes.
use grad::grad;
use grad::ndarray::Array2;
use grad::softmax_cross_entropy;

grad! {
    fn loss(x: &Array2<f64>) -> f64 {
        softmax_cross_entropy(x)
    }
}

fn main() {}
