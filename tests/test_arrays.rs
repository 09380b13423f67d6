//! The function form over ndarray arrays.
//!
//! Every array operation's gradient is checked against central differences
//! of the plain function (`grad::check_gradient`), an independent reference:
//! it only evaluates the function as written, never the layers. The same
//! formulas run in `f64` and in `f32`. The book's two-layer network is
//! checked against the same network built by hand from the book's layers
//! (`grad::nn`), to 1e-12. Then the shapes of the gradients, the parameters
//! that get none, panics on shapes that do not fit, the pictures, and the
//! parameter types that work.

use grad::ndarray::{
    ArcArray2, Array, Array0, Array1, Array2, Array3, ArrayD, ArrayView1, ArrayView2, Axis,
    CowArray, Dimension, Ix1, array,
};
use grad::nn::{Affine, Relu, Sigmoid, SoftmaxWithLoss};
use grad::{Float, check_gradient_with_step, grad, relu, sigmoid, softmax, softmax_cross_entropy};
use std::fmt::Debug;

// ---------------------------------------------------------------------------
// The reference: central differences, and how close is close.
// ---------------------------------------------------------------------------

/// A float type with the step and tolerance its central differences allow.
///
/// The error measure is `grad::relative_error`, `|a - b| / max(1, |a|, |b|)`:
/// relative for gradients above 1, absolute below (a gradient near 0 would
/// otherwise turn rounding noise into a huge ratio).
trait Precision: Float + Into<f64> + Debug + 'static {
    /// The step of central differences.
    const STEP: Self;
    /// The largest error allowed between the gradient and central differences.
    const TOLERANCE: f64;
    /// The largest error allowed between two computations of one gradient
    /// that round differently (the network against the book's layers).
    const SAME: f64;
}

impl Precision for f64 {
    /// The book's step. Truncation (`h² f''' / 6`) and rounding (`ε |f| / h`)
    /// keep the errors of the formulas below under 2e-7 (the largest is the
    /// scalar divisor of `div`, whose `x / s` term has a large third
    /// derivative), well within 1e-6.
    const STEP: f64 = 1e-4;
    const TOLERANCE: f64 = 1e-6;
    const SAME: f64 = 1e-12;
}

impl Precision for f32 {
    /// With 24 bits (ε ≈ 6e-8) central differences need a larger step: with
    /// `h = 1e-2`, rounding costs about `ε |f| / h ≈ 1e-5` for the sums of a
    /// dozen elements below, and truncation `h² f''' / 6` up to about 1e-3
    /// near a pole (`tan`, `atanh`, the scalar divisor of `div`): the errors
    /// measured stay under 1.5e-3. So 1e-2 passes every correct f32
    /// gradient, while a wrong derivative, a missing broadcast sum or a
    /// transposed gradient is off by far more than that.
    const STEP: f32 = 1e-2;
    const TOLERANCE: f64 = 1e-2;
    /// f32's rounding over a few operations.
    const SAME: f64 = 1e-5;
}

/// Checks `analytic` against central differences of `f` at `at`: the shapes
/// are the same, and every element is within the type's tolerance.
#[track_caller]
fn check<A: Precision, D: Dimension>(
    what: &str,
    f: impl Fn(&Array<A, D>) -> A,
    analytic: &Array<A, D>,
    at: &Array<A, D>,
) {
    assert_eq!(
        analytic.shape(),
        at.shape(),
        "{what}: the gradient has the parameter's shape"
    );
    let check = check_gradient_with_step(f, analytic, at, A::STEP);
    assert!(
        check.passes(A::TOLERANCE),
        "{what} ({}): error {:e} at element {}, analytic {} vs numerical {}",
        std::any::type_name::<A>(),
        check.max_relative_error,
        check.worst_input,
        check.analytic[check.worst_input],
        check.numerical[check.worst_input],
    );
}

/// [`check`] for a scalar parameter.
#[track_caller]
fn check_scalar<A: Precision>(what: &str, f: impl Fn(A) -> A, analytic: A, at: A) {
    check(
        what,
        |v: &Array1<A>| f(v[0]),
        &array![analytic],
        &array![at],
    );
}

/// An array of the given shape with distinct values spread over `[low,
/// high]`, in no particular order (the golden ratio's multiples modulo 1).
fn spread<A: Precision, Sh: grad::ndarray::ShapeBuilder<Dim = D>, D: Dimension>(
    shape: Sh,
    low: f64,
    high: f64,
    seed: usize,
) -> Array<A, D> {
    let mut k = seed;
    let mut array = Array::zeros(shape);
    for element in &mut array {
        k += 1;
        let unit = (k as f64 * 0.618_033_988_749_895) % 1.0;
        *element = A::from(low + (high - low) * unit).unwrap();
    }
    array
}

/// [`spread`] over `[low, high]` with every other element negated: away
/// from 0, where `relu` and `abs` have their kink.
fn mirrored<A: Precision, Sh: grad::ndarray::ShapeBuilder<Dim = D>, D: Dimension>(
    shape: Sh,
    low: f64,
    high: f64,
    seed: usize,
) -> Array<A, D> {
    let mut array: Array<A, D> = spread(shape, low, high, seed);
    for (i, element) in array.iter_mut().enumerate() {
        if i % 2 == 1 {
            *element = -*element;
        }
    }
    array
}

/// The largest difference between two arrays, relative to the largest
/// element of `want`.
fn relative_difference<A: Precision, D: Dimension>(got: &Array<A, D>, want: &Array<A, D>) -> f64 {
    assert_eq!(got.shape(), want.shape());
    let scale = want
        .iter()
        .map(|&w| w.into().abs())
        .fold(f64::MIN_POSITIVE, f64::max);
    got.iter()
        .zip(want)
        .map(|(&g, &w)| (g.into() - w.into()).abs() / scale)
        .fold(0.0, f64::max)
}

#[track_caller]
fn assert_same<A: Precision, D: Dimension>(what: &str, got: &Array<A, D>, want: &Array<A, D>) {
    let difference = relative_difference(got, want);
    assert!(
        difference <= A::SAME,
        "{what}: relative difference {difference:e}\n got {got:?}\nwant {want:?}"
    );
}

// ---------------------------------------------------------------------------
// One formula per operation, written once and expanded in f64 and in f32:
// `F` is the element type of each module.
// ---------------------------------------------------------------------------

macro_rules! in_f64_and_f32 {
    ($($formulas:tt)*) => {
        mod f64s {
            #![allow(dead_code)]
            use super::*;
            type F = f64;
            grad! { $($formulas)* }
        }

        mod f32s {
            #![allow(dead_code)]
            use super::*;
            type F = f32;
            grad! { $($formulas)* }
        }
    };
}

in_f64_and_f32! {
    /// Sums, with broadcasting: arrays of one shape, a matrix and a row
    /// vector (either side), a scalar parameter (either side), literals.
    /// `c` weighs the elements, so that each gets a gradient of its own.
    pub fn add(x: &Array2<F>, y: &Array2<F>, b: &Array1<F>, s: F, #[constant] c: &Array2<F>) -> F {
        ((x + y) * c).sum() + ((x + b) * c).sum() + ((b + y) * c).sum()
            + ((x + s) * c).sum() + ((s + y) * c).sum() + ((x + 2.0) * c).sum()
            + ((0.5 + y) * c).sum()
    }

    pub fn sub(x: &Array2<F>, y: &Array2<F>, b: &Array1<F>, s: F, #[constant] c: &Array2<F>) -> F {
        ((x - y) * c).sum() + ((x - b) * c).sum() + ((b - y) * c).sum()
            + ((x - s) * c).sum() + ((s - y) * c).sum() + ((x - 2.0) * c).sum()
            + ((0.5 - y) * c).sum()
    }

    pub fn mul(x: &Array2<F>, y: &Array2<F>, b: &Array1<F>, s: F, #[constant] c: &Array2<F>) -> F {
        (x * y * c).sum() + (x * b * c).sum() + (b * y * c).sum()
            + (x * s * c).sum() + (s * y * c).sum() + (x * 2.0 * c).sum()
            + (0.5 * y * c).sum()
    }

    /// `y`, `b` and `s` are kept away from 0.
    pub fn div(x: &Array2<F>, y: &Array2<F>, b: &Array1<F>, s: F, #[constant] c: &Array2<F>) -> F {
        (x / y * c).sum() + (x / b * c).sum() + (b / y * c).sum()
            + (x / s * c).sum() + (s / y * c).sum() + (x / 2.0 * c).sum()
            + (0.5 / y * c).sum()
    }

    pub fn neg(x: &Array2<F>, s: F, #[constant] c: &Array2<F>) -> F {
        (-x * c).sum() + -(x * c).sum() + -s * (x * c).sum()
    }

    pub fn powi(x: &Array2<F>, #[constant] c: &Array2<F>) -> F {
        (x.powi(3) * c).sum() + (x.powi(-2) * c).sum() + x.powi(1).sum() + x.powi(0).sum()
    }

    /// ndarray's `powf`, `log` and `hypot` take a scalar argument.
    pub fn powf(x: &Array2<F>, p: F) -> F {
        x.powf(p).sum() + x.powf(1.5).sum()
    }

    pub fn log(x: &Array2<F>, base: F) -> F {
        x.log(base).sum() + x.log(3.0).sum()
    }

    pub fn hypot(x: &Array2<F>, s: F) -> F {
        x.hypot(s).sum() + x.hypot(-0.5).sum()
    }

    /// The four shapes of `dot`: matrix · matrix, matrix · vector,
    /// vector · matrix, and vector · vector, a scalar.
    pub fn dot_matrix_matrix(a: &Array2<F>, b: &Array2<F>, #[constant] c: &Array2<F>) -> F {
        (a.dot(b) * c).sum()
    }

    pub fn dot_matrix_vector(a: &Array2<F>, v: &Array1<F>, #[constant] u: &Array1<F>) -> F {
        (a.dot(v) * u).sum()
    }

    pub fn dot_vector_matrix(v: &Array1<F>, b: &Array2<F>, #[constant] u: &Array1<F>) -> F {
        (v.dot(b) * u).sum()
    }

    pub fn dot_vector_vector(u: &Array1<F>, v: &Array1<F>) -> F {
        u.dot(v) * u.dot(v) + u.dot(v)
    }

    /// Transposed parameters and a transposed intermediate, in products
    /// and elementwise.
    pub fn transpose(a: &Array2<F>, b: &Array2<F>, #[constant] c: &Array2<F>) -> F {
        (a.t().dot(b) * c).sum()
            + (&a.t() * &b.t()).sum()
            + (&a.dot(&b.t()).t() * &a.dot(&b.t())).sum()
    }

    /// A sum feeding more arithmetic: `(Σ x)² + Σ v`.
    pub fn sum(x: &Array2<F>, v: &Array1<F>) -> F {
        x.sum() * x.sum() + v.sum()
    }

    pub fn relu_of(x: &Array2<F>, #[constant] c: &Array2<F>) -> F {
        (relu(x) * c).sum()
    }

    pub fn sigmoid_of(x: &Array2<F>, #[constant] c: &Array2<F>) -> F {
        (sigmoid(x) * c).sum()
    }

    /// Row by row over a matrix, and over a vector.
    pub fn softmax_of(
        x: &Array2<F>,
        v: &Array1<F>,
        #[constant] c: &Array2<F>,
        #[constant] u: &Array1<F>,
    ) -> F {
        (softmax(x) * c).sum() + (softmax(v) * u).sum()
    }

    pub fn cross_entropy(x: &Array2<F>, v: &Array1<F>, t: &[usize], label: &[usize]) -> F {
        softmax_cross_entropy(x, t) + softmax_cross_entropy(v, label)
    }

    /// One value used several times: each use adds its gradient.
    pub fn fan_out(x: Array1<F>, a: &Array2<F>, w: &Array2<F>) -> F {
        let h = a.dot(w);
        (&x * &x).sum() + x.dot(&x) + (h.tanh() * &h).sum() + (&h * &h * &h).sum()
    }
}

/// `c`, the constant weights, of shape (3, 4).
fn weights<A: Precision>() -> Array2<A> {
    spread((3, 4), -1.5, 2.0, 100)
}

/// Checks one of `add`, `sub`, `mul`, `div` of the module `$m` against
/// central differences for each of its parameters. `y`, `b` and `s` are
/// drawn from `[$low, $high]`.
macro_rules! check_arithmetic {
    ($m:ident :: $op:ident, $op_grad:ident, $low:literal, $high:literal) => {{
        let (x, c) = (spread((3, 4), -2.0, 2.0, 1), weights());
        let (y, b) = (spread((3, 4), $low, $high, 2), spread(4, $low, $high, 3));
        let s = spread(1, $low, $high, 4)[0];
        let what = stringify!($op);
        let (value, d) = $m::$op_grad(&x, &y, &b, s, &c);
        assert_eq!(value, $m::$op(&x, &y, &b, s, &c), "{what}: the value");
        check(
            &format!("{what} x"),
            |x| $m::$op(x, &y, &b, s, &c),
            &d.x,
            &x,
        );
        check(
            &format!("{what} y"),
            |y| $m::$op(&x, y, &b, s, &c),
            &d.y,
            &y,
        );
        check(
            &format!("{what} b"),
            |b| $m::$op(&x, &y, b, s, &c),
            &d.b,
            &b,
        );
        check_scalar(&format!("{what} s"), |s| $m::$op(&x, &y, &b, s, &c), d.s, s);
    }};
}

/// One test for f64 and one for f32, running `$body` with `$m` naming the
/// module of formulas in that type.
macro_rules! in_both {
    ($test64:ident, $test32:ident, |$m:ident| $body:block) => {
        #[test]
        fn $test64() {
            use f64s as $m;
            $body
        }

        #[test]
        fn $test32() {
            use f32s as $m;
            $body
        }
    };
}

in_both!(
    arithmetic_with_broadcasting_f64,
    arithmetic_with_broadcasting_f32,
    |m| {
        check_arithmetic!(m::add, add_grad, -2.0, 2.0);
        check_arithmetic!(m::sub, sub_grad, -2.0, 2.0);
        check_arithmetic!(m::mul, mul_grad, -2.0, 2.0);
        // The divisors away from 0.
        check_arithmetic!(m::div, div_grad, 0.5, 2.0);
    }
);

in_both!(negation_f64, negation_f32, |m| {
    let (x, s, c) = (
        spread((3, 4), -2.0, 2.0, 1),
        spread(1, 0.5, 2.0, 2)[0],
        weights(),
    );
    let (value, d) = m::neg_grad(&x, s, &c);
    assert_eq!(value, m::neg(&x, s, &c));
    check("neg x", |x| m::neg(x, s, &c), &d.x, &x);
    check_scalar("neg s", |s| m::neg(&x, s, &c), d.s, s);
});

in_both!(powi_f64, powi_f32, |m| {
    // Positive, so that x⁻² is far from its pole.
    let (x, c) = (spread((3, 4), 0.5, 2.0, 1), weights());
    let (value, d) = m::powi_grad(&x, &c);
    assert_eq!(value, m::powi(&x, &c));
    check("powi", |x| m::powi(x, &c), &d.x, &x);
});

in_both!(scalar_arguments_f64, scalar_arguments_f32, |m| {
    let x = spread((3, 4), 0.5, 2.5, 1);
    let p = spread(1, 0.5, 2.0, 2)[0];
    let (value, d) = m::powf_grad(&x, p);
    assert_eq!(value, m::powf(&x, p));
    check("powf x", |x| m::powf(x, p), &d.x, &x);
    check_scalar("powf p", |p| m::powf(&x, p), d.p, p);

    let base = spread(1, 1.5, 4.0, 3)[0];
    let (value, d) = m::log_grad(&x, base);
    assert_eq!(value, m::log(&x, base));
    check("log x", |x| m::log(x, base), &d.x, &x);
    check_scalar("log base", |base| m::log(&x, base), d.base, base);

    let x = mirrored((3, 4), 0.3, 2.0, 4);
    let s = spread(1, 0.5, 2.0, 5)[0];
    let (value, d) = m::hypot_grad(&x, s);
    assert_eq!(value, m::hypot(&x, s));
    check("hypot x", |x| m::hypot(x, s), &d.x, &x);
    check_scalar("hypot s", |s| m::hypot(&x, s), d.s, s);
});

in_both!(
    dot_in_its_four_shapes_f64,
    dot_in_its_four_shapes_f32,
    |m| {
        let (a, b) = (spread((3, 4), -2.0, 2.0, 1), spread((4, 2), -2.0, 2.0, 2));
        let c = spread((3, 2), -1.5, 2.0, 3);
        let (value, d) = m::dot_matrix_matrix_grad(&a, &b, &c);
        assert_eq!(value, m::dot_matrix_matrix(&a, &b, &c));
        check(
            "matrix · matrix a",
            |a| m::dot_matrix_matrix(a, &b, &c),
            &d.a,
            &a,
        );
        check(
            "matrix · matrix b",
            |b| m::dot_matrix_matrix(&a, b, &c),
            &d.b,
            &b,
        );

        let (v, u) = (spread(4, -2.0, 2.0, 4), spread(3, -1.5, 2.0, 5));
        let (value, d) = m::dot_matrix_vector_grad(&a, &v, &u);
        assert_eq!(value, m::dot_matrix_vector(&a, &v, &u));
        check(
            "matrix · vector a",
            |a| m::dot_matrix_vector(a, &v, &u),
            &d.a,
            &a,
        );
        check(
            "matrix · vector v",
            |v| m::dot_matrix_vector(&a, v, &u),
            &d.v,
            &v,
        );

        let (v, u) = (spread(3, -2.0, 2.0, 6), spread(4, -1.5, 2.0, 7));
        let (value, d) = m::dot_vector_matrix_grad(&v, &a, &u);
        assert_eq!(value, m::dot_vector_matrix(&v, &a, &u));
        check(
            "vector · matrix v",
            |v| m::dot_vector_matrix(v, &a, &u),
            &d.v,
            &v,
        );
        check(
            "vector · matrix b",
            |a| m::dot_vector_matrix(&v, a, &u),
            &d.b,
            &a,
        );

        let (u, v) = (spread(5, -2.0, 2.0, 8), spread(5, -2.0, 2.0, 9));
        let (value, d) = m::dot_vector_vector_grad(&u, &v);
        assert_eq!(value, m::dot_vector_vector(&u, &v));
        check(
            "vector · vector u",
            |u| m::dot_vector_vector(u, &v),
            &d.u,
            &u,
        );
        check(
            "vector · vector v",
            |v| m::dot_vector_vector(&u, v),
            &d.v,
            &v,
        );
    }
);

in_both!(transpose_f64, transpose_f32, |m| {
    let (a, b) = (spread((4, 3), -2.0, 2.0, 1), spread((4, 3), -2.0, 2.0, 2));
    let c = spread((3, 3), -1.5, 2.0, 3);
    let (value, d) = m::transpose_grad(&a, &b, &c);
    assert_eq!(value, m::transpose(&a, &b, &c));
    check("transpose a", |a| m::transpose(a, &b, &c), &d.a, &a);
    check("transpose b", |b| m::transpose(&a, b, &c), &d.b, &b);
});

in_both!(sum_f64, sum_f32, |m| {
    let (x, v) = (spread((3, 4), -1.0, 1.0, 1), spread(5, -1.0, 1.0, 2));
    let (value, d) = m::sum_grad(&x, &v);
    assert_eq!(value, m::sum(&x, &v));
    check("sum x", |x| m::sum(x, &v), &d.x, &x);
    check("sum v", |v| m::sum(&x, v), &d.v, &v);
});

in_both!(activations_f64, activations_f32, |m| {
    // Away from relu's kink at 0, farther than the f32 step.
    let (x, c) = (mirrored((3, 4), 0.1, 2.0, 1), weights());
    let (value, d) = m::relu_of_grad(&x, &c);
    assert_eq!(value, m::relu_of(&x, &c));
    check("relu", |x| m::relu_of(x, &c), &d.x, &x);

    let x = spread((3, 4), -3.0, 3.0, 2);
    let (value, d) = m::sigmoid_of_grad(&x, &c);
    assert_eq!(value, m::sigmoid_of(&x, &c));
    check("sigmoid", |x| m::sigmoid_of(x, &c), &d.x, &x);
});

in_both!(softmax_f64, softmax_f32, |m| {
    let (x, v) = (spread((3, 4), -3.0, 3.0, 1), spread(5, -3.0, 3.0, 2));
    let (c, u) = (weights(), spread(5, -1.5, 2.0, 3));
    let (value, d) = m::softmax_of_grad(&x, &v, &c, &u);
    assert_eq!(value, m::softmax_of(&x, &v, &c, &u));
    check("softmax x", |x| m::softmax_of(x, &v, &c, &u), &d.x, &x);
    check("softmax v", |v| m::softmax_of(&x, v, &c, &u), &d.v, &v);

    let (t, label) = ([2, 0, 3], [4]);
    let (value, d) = m::cross_entropy_grad(&x, &v, &t, &label);
    assert_eq!(value, m::cross_entropy(&x, &v, &t, &label));
    check(
        "softmax_cross_entropy x",
        |x| m::cross_entropy(x, &v, &t, &label),
        &d.x,
        &x,
    );
    check(
        "softmax_cross_entropy v",
        |v| m::cross_entropy(&x, v, &t, &label),
        &d.v,
        &v,
    );
    assert_eq!(m::CrossEntropyGrad::NAMES, ["x", "v"]);
});

in_both!(fan_out_f64, fan_out_f32, |m| {
    let x = spread(4, -1.5, 1.5, 1);
    let (a, w) = (spread((3, 4), -1.0, 1.0, 2), spread((4, 2), -1.0, 1.0, 3));
    let (value, d) = m::fan_out_grad(x.clone(), &a, &w);
    assert_eq!(value, m::fan_out(x.clone(), &a, &w));
    check("fan-out x", |x| m::fan_out(x.clone(), &a, &w), &d.x, &x);
    check("fan-out a", |a| m::fan_out(x.clone(), a, &w), &d.a, &a);
    check("fan-out w", |w| m::fan_out(x.clone(), &a, w), &d.w, &w);
});

// ---------------------------------------------------------------------------
// Every elementwise method of the table that ndarray also has on arrays.
// ndarray has no elementwise `atan2`, `max` or `min` (`max` and `min` on an
// array are not even methods: arrays are not `Ord`), so the plain function
// would not compile with them; `powf`, `log` and `hypot` exist with a
// scalar argument only, and are tested above with one.
// ---------------------------------------------------------------------------

macro_rules! elementwise {
    ($($method:ident at $input:expr;)*) => {
        mod methods_f64 {
            #![allow(dead_code)]
            use super::*;
            type F = f64;
            $(pub mod $method {
                use super::*;
                grad! { pub fn f(x: &Array2<F>) -> F { x.$method().sum() } }
            })*
        }

        mod methods_f32 {
            #![allow(dead_code)]
            use super::*;
            type F = f32;
            $(pub mod $method {
                use super::*;
                grad! { pub fn f(x: &Array2<F>) -> F { x.$method().sum() } }
            })*
        }

        #[test]
        fn elementwise_methods_f64() {
            $({
                let x = $input;
                let (value, d) = methods_f64::$method::f_grad(&x);
                assert_eq!(value, methods_f64::$method::f(&x));
                check(stringify!($method), methods_f64::$method::f, &d.x, &x);
            })*
        }

        #[test]
        fn elementwise_methods_f32() {
            $({
                let x = $input;
                let (value, d) = methods_f32::$method::f_grad(&x);
                assert_eq!(value, methods_f32::$method::f(&x));
                check(stringify!($method), methods_f32::$method::f, &d.x, &x);
            })*
        }
    };
}

elementwise! {
    exp at spread((3, 4), -2.0, 2.0, 1);
    exp2 at spread((3, 4), -2.0, 2.0, 2);
    exp_m1 at spread((3, 4), -2.0, 2.0, 3);
    ln at spread((3, 4), 0.3, 3.0, 4);
    ln_1p at spread((3, 4), -0.5, 3.0, 5);
    log2 at spread((3, 4), 0.3, 3.0, 6);
    log10 at spread((3, 4), 0.3, 3.0, 7);
    sqrt at spread((3, 4), 0.3, 3.0, 8);
    cbrt at mirrored((3, 4), 0.3, 3.0, 9);
    recip at mirrored((3, 4), 0.5, 2.0, 10);
    sin at spread((3, 4), -3.0, 3.0, 11);
    cos at spread((3, 4), -3.0, 3.0, 12);
    tan at spread((3, 4), -1.2, 1.2, 13);
    asin at spread((3, 4), -0.8, 0.8, 14);
    acos at spread((3, 4), -0.8, 0.8, 15);
    atan at spread((3, 4), -3.0, 3.0, 16);
    sinh at spread((3, 4), -2.0, 2.0, 17);
    cosh at spread((3, 4), -2.0, 2.0, 18);
    tanh at spread((3, 4), -2.0, 2.0, 19);
    asinh at spread((3, 4), -3.0, 3.0, 20);
    acosh at spread((3, 4), 1.2, 3.0, 21);
    atanh at spread((3, 4), -0.8, 0.8, 22);
    abs at mirrored((3, 4), 0.2, 2.0, 23);
}

/// Every operation of the table is tested above, or has no array form in
/// ndarray: a new operation fails here until it has an array test.
#[test]
fn every_operation_of_the_table_is_accounted_for() {
    let tested = [
        "add",
        "sub",
        "mul",
        "div", // arithmetic_with_broadcasting
        "neg",
        "powi",
        "powf",
        "log",
        "hypot",
        "dot",
        "t",
        "sum",
        "relu",
        "sigmoid",
        "softmax",
        "softmax_cross_entropy", // their own tests
        "exp",
        "exp2",
        "exp_m1",
        "ln",
        "ln_1p",
        "log2",
        "log10",
        "sqrt",
        "cbrt",
        "recip",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "sinh",
        "cosh",
        "tanh",
        "asinh",
        "acosh",
        "atanh",
        "abs", // elementwise_methods
    ];
    let not_in_ndarray = ["atan2", "max", "min"];
    for op in grad::ops::OPERATIONS {
        assert!(
            tested.contains(&op.name) || not_in_ndarray.contains(&op.name),
            "`{}` has no array test",
            op.name
        );
    }
}

// ---------------------------------------------------------------------------
// The book's two-layer network against the same network by hand.
// ---------------------------------------------------------------------------

grad! {
    /// The book's TwoLayerNet: Affine -> ReLU -> Affine -> Softmax-with-Loss.
    pub fn two_layer_net(
        #[constant] x: &Array2<f64>,
        t: &[usize],
        w1: &Array2<f64>,
        b1: &Array1<f64>,
        w2: &Array2<f64>,
        b2: &Array1<f64>,
    ) -> f64 {
        let a1 = x.dot(w1) + b1;
        let z1 = relu(a1);
        let a2 = z1.dot(w2) + b2;
        softmax_cross_entropy(a2, t)
    }

    /// The same with the book's other activation, Sigmoid.
    pub fn two_layer_net_sigmoid(
        #[constant] x: &Array2<f64>,
        t: &[usize],
        w1: &Array2<f64>,
        b1: &Array1<f64>,
        w2: &Array2<f64>,
        b2: &Array1<f64>,
    ) -> f64 {
        let a1 = x.dot(w1) + b1;
        let z1 = sigmoid(a1);
        let a2 = z1.dot(w2) + b2;
        softmax_cross_entropy(a2, t)
    }
}

/// A batch of 5 inputs of 4 features, 3 classes, 6 hidden units.
struct Network {
    x: Array2<f64>,
    t: Vec<usize>,
    w1: Array2<f64>,
    b1: Array1<f64>,
    w2: Array2<f64>,
    b2: Array1<f64>,
}

fn network() -> Network {
    Network {
        x: spread((5, 4), -1.0, 1.0, 1),
        t: vec![0, 2, 1, 1, 0],
        w1: spread((4, 6), -1.0, 1.0, 2),
        b1: spread(6, -0.5, 0.5, 3),
        w2: spread((6, 3), -1.0, 1.0, 4),
        b2: spread(3, -0.5, 0.5, 5),
    }
}

/// The loss and the gradients of w1, b1, w2, b2 from the book's layers,
/// wired by hand as in the book's `TwoLayerNet.gradient`: the reference.
fn by_hand(
    n: &Network,
    sigmoid: bool,
) -> (f64, Array2<f64>, Array1<f64>, Array2<f64>, Array1<f64>) {
    let mut affine1 = Affine::new(n.w1.clone(), n.b1.clone());
    let mut affine2 = Affine::new(n.w2.clone(), n.b2.clone());
    let (mut relu, mut logistic) = (Relu::new(), Sigmoid::new());
    let mut last = SoftmaxWithLoss::new();
    let a1 = affine1.forward(&n.x);
    let z1 = if sigmoid {
        logistic.forward(&a1)
    } else {
        relu.forward(&a1)
    };
    let a2 = affine2.forward(&z1);
    let loss = last.forward(&a2, &n.t);
    let da2 = last.backward(1.0);
    let dz1 = affine2.backward(&da2);
    let da1 = if sigmoid {
        logistic.backward(&dz1)
    } else {
        relu.backward(&dz1)
    };
    affine1.backward_params(&da1);
    (loss, affine1.dw, affine1.db, affine2.dw, affine2.db)
}

#[test]
fn the_two_layer_net_matches_the_books_layers() {
    let n = network();
    let (value, d) = two_layer_net_grad(&n.x, &n.t, &n.w1, &n.b1, &n.w2, &n.b2);
    assert_eq!(value, two_layer_net(&n.x, &n.t, &n.w1, &n.b1, &n.w2, &n.b2));
    let (loss, dw1, db1, dw2, db2) = by_hand(&n, false);
    assert!(
        (value - loss).abs() <= 1e-12 * loss.abs(),
        "{value} vs {loss}"
    );
    assert_same("relu net w1", &d.w1, &dw1);
    assert_same("relu net b1", &d.b1, &db1);
    assert_same("relu net w2", &d.w2, &dw2);
    assert_same("relu net b2", &d.b2, &db2);
    // Some hidden units are off, or relu would not be tested.
    let a1 = n.x.dot(&n.w1) + &n.b1;
    assert!(a1.iter().any(|&a| a < 0.0) && a1.iter().any(|&a| a > 0.0));
}

#[test]
fn the_sigmoid_net_matches_the_books_layers() {
    let n = network();
    let (value, d) = two_layer_net_sigmoid_grad(&n.x, &n.t, &n.w1, &n.b1, &n.w2, &n.b2);
    assert_eq!(
        value,
        two_layer_net_sigmoid(&n.x, &n.t, &n.w1, &n.b1, &n.w2, &n.b2)
    );
    let (loss, dw1, db1, dw2, db2) = by_hand(&n, true);
    assert!(
        (value - loss).abs() <= 1e-12 * loss.abs(),
        "{value} vs {loss}"
    );
    assert_same("sigmoid net w1", &d.w1, &dw1);
    assert_same("sigmoid net b1", &d.b1, &db1);
    assert_same("sigmoid net w2", &d.w2, &dw2);
    assert_same("sigmoid net b2", &d.b2, &db2);
}

// ---------------------------------------------------------------------------
// Shapes, and the parameters that get no gradient.
// ---------------------------------------------------------------------------

grad! {
    /// Operands broadcast in every way ndarray allows: a vector and a
    /// `(1, n)` row against `(m, n)`, an `(m, 1)` column, a scalar.
    #[allow(clippy::too_many_arguments)]
    pub fn broadcasts(
        x: &Array2<f64>,
        b: &Array1<f64>,
        row: &Array2<f64>,
        column: &Array2<f64>,
        s: f64,
        w: &Array2<f64>,
        v: &Array1<f64>,
        #[constant] c: &Array2<f64>,
    ) -> f64 {
        ((x + b + row + column + s) * c).sum() + (row * x).sum() + x.dot(w).dot(v).sum()
    }

    /// The book's weight decay, with the decay a parameter.
    pub fn weight_decay(w: &Array2<f64>, lambda: f64) -> f64 {
        0.5 * lambda * (w * w).sum()
    }
}

#[test]
fn every_gradient_has_its_parameters_shape() {
    let (x, b, row, column) = (
        spread((3, 4), -1.0, 1.0, 1),
        spread(4, -1.0, 1.0, 2),
        spread((1, 4), -1.0, 1.0, 3),
        spread((3, 1), -1.0, 1.0, 4),
    );
    let (s, w, v, c) = (
        0.25,
        spread((4, 2), -1.0, 1.0, 5),
        spread(2, -1.0, 1.0, 6),
        weights::<f64>(),
    );
    let (value, d) = broadcasts_grad(&x, &b, &row, &column, s, &w, &v, &c);
    assert_eq!(value, broadcasts(&x, &b, &row, &column, s, &w, &v, &c));
    assert_eq!(d.x.dim(), (3, 4));
    assert_eq!(d.b.dim(), 4);
    assert_eq!(d.row.dim(), (1, 4));
    assert_eq!(d.column.dim(), (3, 1));
    assert_eq!(d.w.dim(), (4, 2));
    assert_eq!(d.v.dim(), 2);
    let _: f64 = d.s;
    assert_eq!(
        BroadcastsGrad::NAMES,
        ["x", "b", "row", "column", "s", "w", "v"]
    );

    // A broadcast operand's gradient is the sum over the axes it was
    // repeated along: over the batch for b and row, over the columns for column.
    assert_same("b", &d.b, &c.sum_axis(Axis(0)));
    assert_same(
        "row",
        &d.row,
        &(c.sum_axis(Axis(0)) + x.sum_axis(Axis(0))).insert_axis(Axis(0)),
    );
    assert_same(
        "column",
        &d.column,
        &c.sum_axis(Axis(1)).insert_axis(Axis(1)),
    );
    assert!((d.s - c.sum()).abs() <= 1e-12 * c.sum().abs());

    let f = |x: &Array2<f64>,
             row: &Array2<f64>,
             column: &Array2<f64>,
             w: &Array2<f64>,
             v: &Array1<f64>| { broadcasts(x, &b, row, column, s, w, v, &c) };
    check("x", |x| f(x, &row, &column, &w, &v), &d.x, &x);
    check("row", |row| f(&x, row, &column, &w, &v), &d.row, &row);
    check(
        "column",
        |column| f(&x, &row, column, &w, &v),
        &d.column,
        &column,
    );
    check("w", |w| f(&x, &row, &column, w, &v), &d.w, &w);
    check("v", |v| f(&x, &row, &column, &w, v), &d.v, &v);
}

#[test]
fn constants_and_labels_get_no_field() {
    let n = network();
    assert_eq!(TwoLayerNetGrad::NAMES, ["w1", "b1", "w2", "b2"]);
    // Exactly these fields, of the parameters' owned types: no `x`, no `t`.
    let (_, d) = two_layer_net_grad(&n.x, &n.t, &n.w1, &n.b1, &n.w2, &n.b2);
    let TwoLayerNetGrad { w1, b1, w2, b2 } = d;
    let _: (Array2<f64>, Array1<f64>, Array2<f64>, Array1<f64>) = (w1, b1, w2, b2);
}

#[test]
fn a_scalar_parameter_gets_a_scalar_gradient() {
    let (w, lambda) = (spread((3, 4), -2.0, 2.0, 1), 0.1);
    let (value, d) = weight_decay_grad(&w, lambda);
    assert_eq!(value, weight_decay(&w, lambda));
    let dlambda: f64 = d.lambda;
    // ∂/∂λ = ½ Σ w², ∂/∂w = λ w.
    let expected = 0.5 * (&w * &w).sum();
    assert!(
        (dlambda - expected).abs() <= 1e-15 * expected,
        "{dlambda} vs {expected}"
    );
    assert_same("w", &d.w, &(&w * lambda));
    assert_eq!(WeightDecayGrad::NAMES, ["w", "lambda"]);
}

grad! {
    /// A line fitted to data: the arrays are all `#[constant]`, the
    /// function is one over arrays all the same, and only the scalars get
    /// gradients.
    pub fn squared_error(
        #[constant] x: &Array1<f64>,
        #[constant] y: &Array1<f64>,
        a: f64,
        b: f64,
    ) -> f64 {
        (x * a + b - y).powi(2).sum()
    }
}

#[test]
fn only_scalars_get_gradients_when_every_array_is_constant() {
    let (x, y) = (spread(6, -2.0, 2.0, 1), spread(6, -1.0, 1.0, 2));
    let (a, b) = (0.7, -0.2);
    let (value, d) = squared_error_grad(&x, &y, a, b);
    assert_eq!(value, squared_error(&x, &y, a, b));
    assert_eq!(SquaredErrorGrad::NAMES, ["a", "b"]);
    let SquaredErrorGrad { a: da, b: db } = d;
    // ∂/∂a = Σ 2 (a x + b - y) x, ∂/∂b = Σ 2 (a x + b - y).
    let residual = &x * a + b - &y;
    let (want_a, want_b) = ((2.0 * &residual * &x).sum(), (2.0 * &residual).sum());
    assert!(
        (da - want_a).abs() <= 1e-12 * want_a.abs(),
        "{da} vs {want_a}"
    );
    assert!(
        (db - want_b).abs() <= 1e-12 * want_b.abs(),
        "{db} vs {want_b}"
    );
    check_scalar("a", |a| squared_error(&x, &y, a, b), da, a);
    check_scalar("b", |b| squared_error(&x, &y, a, b), db, b);
}

// ---------------------------------------------------------------------------
// Formulas mixing the above: scalars inside a function over arrays,
// constants, unused values, operands that are both broadcast.
// ---------------------------------------------------------------------------

/// A constant of the caller's scope.
const SCALE: f64 = 0.75;

grad! {
    /// Scalar intermediates through elementwise layers, a constant item and
    /// a path, an `i32` exponent, owned labels, a `let` with its type.
    pub fn mixed(x: &Array2<f64>, n: i32, labels: Vec<usize>) -> f64 {
        let total: f64 = x.sum();
        let h = x.t().powi(n) * SCALE;
        relu(total) + sigmoid(total).exp() + h.sum() * std::f64::consts::PI
            + softmax_cross_entropy(&h.t(), &labels)
    }

    /// An unused parameter and an unused intermediate.
    pub fn unused(x: &Array2<f64>, _ignored: &Array1<f64>) -> f64 {
        let _wasted = x.exp();
        x.sum()
    }

    /// A column and a row, neither of the result's shape (3, 4).
    pub fn outer(column: &Array2<f64>, row: &Array1<f64>, #[constant] c: &Array2<f64>) -> f64 {
        (column * row * c).sum() + (column / row * c).sum() + ((row - column) * c).sum()
    }
}

#[test]
fn scalars_constants_and_labels_inside_a_function_over_arrays() {
    let x = spread((3, 4), 0.1, 1.0, 1);
    let labels = vec![0, 3, 1];
    let (value, d) = mixed_grad(&x, 3, labels.clone());
    assert_eq!(value, mixed(&x, 3, labels.clone()));
    assert_eq!(MixedGrad::NAMES, ["x"]);
    check("mixed", |x| mixed(x, 3, labels.clone()), &d.x, &x);
}

#[test]
fn an_unused_parameter_gets_zeros_of_its_shape() {
    let (x, ignored) = (spread((3, 4), -1.0, 1.0, 1), spread(5, -1.0, 1.0, 2));
    let (value, d) = unused_grad(&x, &ignored);
    assert_eq!(value, unused(&x, &ignored));
    assert_eq!(d.x, Array2::ones((3, 4)));
    assert_eq!(d._ignored, Array1::zeros(5));
}

#[test]
fn both_operands_broadcast() {
    let (column, row, c) = (
        spread((3, 1), -2.0, 2.0, 1),
        spread(4, 0.5, 2.0, 2),
        weights(),
    );
    let (value, d) = outer_grad(&column, &row, &c);
    assert_eq!(value, outer(&column, &row, &c));
    check(
        "outer column",
        |column| outer(column, &row, &c),
        &d.column,
        &column,
    );
    check("outer row", |row| outer(&column, row, &c), &d.row, &row);
}

#[test]
fn memory_layout_changes_nothing() {
    // The fan-out formula at column-major copies and at transposed views of
    // its arrays: the same gradients as at row-major arrays.
    use grad::ndarray::ShapeBuilder;
    let x: Array1<f64> = spread(4, -1.5, 1.5, 1);
    let (a, w): (Array2<f64>, Array2<f64>) =
        (spread((3, 4), -1.0, 1.0, 2), spread((4, 2), -1.0, 1.0, 3));
    let (value, d) = f64s::fan_out_grad(x.clone(), &a, &w);
    let mut fortran = Array2::zeros((3, 4).f());
    fortran.assign(&a);
    let transposed = w.t().as_standard_layout().into_owned().reversed_axes();
    assert!(!fortran.is_standard_layout() && !transposed.is_standard_layout());
    let (other, e) = f64s::fan_out_grad(x.clone(), &fortran, &transposed);
    assert!((value - other).abs() <= 1e-12 * value.abs());
    assert_same("x", &e.x, &d.x);
    assert_same("a", &e.a, &d.a);
    assert_same("w", &e.w, &d.w);
}

// ---------------------------------------------------------------------------
// Shapes that do not fit panic as in the plain function.
// ---------------------------------------------------------------------------

grad! {
    pub fn added(x: &Array2<f64>, y: &Array2<f64>) -> f64 {
        (x + y).sum()
    }

    pub fn multiplied(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
        a.dot(b).sum()
    }

    pub fn applied(a: &Array2<f64>, v: &Array1<f64>) -> f64 {
        a.dot(v).sum()
    }

    pub fn inner(u: &Array1<f64>, v: &Array1<f64>) -> f64 {
        u.dot(v)
    }

    pub fn labelled(x: &Array2<f64>, t: &[usize]) -> f64 {
        softmax_cross_entropy(x, t)
    }
}

#[test]
#[should_panic(expected = "incompatible shapes")]
fn a_sum_of_shapes_that_do_not_broadcast_panics_in_the_plain_function() {
    // ndarray's operators do not say which shapes.
    let _ = added(&Array2::zeros((2, 3)), &Array2::zeros((3, 2)));
}

#[test]
#[should_panic(expected = "ndarray: could not broadcast array from shape: [2, 3] to: [3, 2]")]
fn a_sum_of_shapes_that_do_not_broadcast_panics_naming_them() {
    let _ = added_grad(&Array2::zeros((2, 3)), &Array2::zeros((3, 2)));
}

const MATRIX_MISMATCH: &str =
    "ndarray: inputs 2 × 3 and 2 × 3 are not compatible for matrix multiplication";

#[test]
#[should_panic(
    expected = "ndarray: inputs 2 × 3 and 2 × 3 are not compatible for matrix multiplication"
)]
fn a_product_of_shapes_that_do_not_fit_panics_in_the_plain_function() {
    let _ = multiplied(&Array2::zeros((2, 3)), &Array2::zeros((2, 3)));
}

#[test]
#[should_panic(
    expected = "ndarray: inputs 2 × 3 and 2 × 3 are not compatible for matrix multiplication"
)]
fn a_product_of_shapes_that_do_not_fit_panics_with_ndarrays_message() {
    let _ = multiplied_grad(&Array2::zeros((2, 3)), &Array2::zeros((2, 3)));
}

/// The other shapes of `dot`, and the labels, panic as the plain function
/// does, with the same message.
#[test]
fn every_mismatch_panics_as_the_plain_function_does() {
    fn message(run: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let payload = std::panic::catch_unwind(run).expect_err("a panic");
        match payload.downcast::<String>() {
            Ok(message) => *message,
            Err(payload) => payload.downcast_ref::<&str>().unwrap().to_string(),
        }
    }
    let (a, v, u) = (Array2::zeros((2, 3)), Array1::zeros(4), Array1::zeros(3));
    let plain = message(|| {
        let _ = multiplied(&a, &a);
    });
    assert_eq!(plain, MATRIX_MISMATCH);

    let plain = message(|| {
        let _ = applied(&a, &v);
    });
    assert_eq!(
        plain,
        "ndarray: inputs 2 × 3 and 4 × 1 are not compatible for matrix multiplication"
    );
    assert_eq!(
        message(|| {
            let _ = applied_grad(&a, &v);
        }),
        plain
    );

    let plain = message(|| {
        let _ = inner(&u, &v);
    });
    assert!(plain.contains("left: 3\n right: 4"), "{plain}");
    assert_eq!(
        message(|| {
            let _ = inner_grad(&u, &v);
        }),
        plain
    );

    let plain = message(|| {
        let _ = labelled(&a, &[0]);
    });
    assert!(
        plain.contains("softmax_cross_entropy: 1 labels for 2 rows of scores"),
        "{plain}"
    );
    assert_eq!(
        message(|| {
            let _ = labelled_grad(&a, &[0]);
        }),
        plain
    );
    let plain = message(|| {
        let _ = labelled(&a, &[0, 3]);
    });
    assert!(
        plain.contains("softmax_cross_entropy: label 3 out of range for 3 classes"),
        "{plain}"
    );
    assert_eq!(
        message(|| {
            let _ = labelled_grad(&a, &[0, 3]);
        }),
        plain
    );
}

// ---------------------------------------------------------------------------
// The picture.
// ---------------------------------------------------------------------------

#[cfg(feature = "graph")]
#[test]
fn the_picture_shows_shapes_and_the_loss() {
    let n = network();
    let graph = two_layer_net_graph(&n.x, &n.t, &n.w1, &n.b1, &n.w2, &n.b2);
    let value = two_layer_net(&n.x, &n.t, &n.w1, &n.b1, &n.w2, &n.b2);
    let text = graph.to_string();
    for line in [
        "n0 w1 = input = 4×6",
        "n2 w2 = input = 6×3",
        "n4 = constant x = 5×4",
        "n5 = dot(n4, n0) = 5×6",
        "n6 a1 = add(n5, n1) = 5×6",
        "n7 z1 = relu(n6) = 5×6",
        "n9 a2 = add(n8, n3) = 5×3",
        &format!("n10 = softmax_cross_entropy(n9) = {value} | grad 1"),
        &format!("two_layer_net = n10 = {value} | dout 1"),
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line `{line}` in\n{text}"
        );
    }
    assert_eq!(graph.output.value, value);
    assert_eq!(graph.find("w1").unwrap().shape, Some(vec![4, 6]));
    assert_eq!(graph.find("b1").unwrap().shape, Some(vec![6]));
    let svg = graph.to_svg();
    assert!(svg.contains("5×6") && svg.contains("4×6"), "{svg}");
}

#[cfg(feature = "graph")]
#[test]
fn the_picture_shows_scalars_with_their_gradients() {
    let w = spread((3, 4), -2.0, 2.0, 1);
    let (value, d) = weight_decay_grad(&w, 0.1);
    let graph = weight_decay_graph(&w, 0.1);
    let lambda = graph.find("lambda").unwrap();
    assert_eq!(
        (lambda.value, lambda.shape.as_ref(), lambda.grad),
        (0.1, None, Some(d.lambda))
    );
    assert_eq!(graph.find("w").unwrap().shape, Some(vec![3, 4]));
    assert_eq!(graph.output.value, value);
    let text = graph.to_string();
    assert!(text.contains("= 3×4"), "{text}");
}

// ---------------------------------------------------------------------------
// Parameter types.
//
// Not supported: `&mut` arrays (no `Operand` for them), and an element type
// generic over `grad::array::Element` (the layers' `Value` and `Operand`
// are implemented for f32 and f64 only, so `fn f<T: Element>(x: &Array2<T>)
// -> T` does not compile).
// ---------------------------------------------------------------------------

grad! {
    /// Owned arrays, moved in.
    pub fn owned(v: Array1<f64>, m: Array2<f64>) -> f64 {
        (&m * &v).sum()
    }

    /// Views: their gradients are owned arrays of the same shape.
    pub fn viewed(m: ArrayView2<'_, f64>, v: ArrayView1<'_, f64>) -> f64 {
        m.dot(&v).sum()
    }

    /// f32 arrays and an f32 scalar.
    pub fn single(m: &Array2<f32>, s: f32) -> f32 {
        (m * s).exp().sum()
    }

    /// Three axes and a dynamic number of axes: every axis but the last is
    /// a batch axis for the softmax and the labels.
    pub fn three_axes(x: &Array3<f64>, b: &Array1<f64>, y: &ArrayD<f64>, t: &[usize]) -> f64 {
        ((x + b) * x).sum() + y.tanh().sum() + softmax_cross_entropy(x, t)
            + (softmax(y) * y).sum()
    }

    /// Copy-on-write and shared arrays, and a zero-dimensional one.
    pub fn shared(c: CowArray<'_, f64, Ix1>, a: ArcArray2<f64>, z: &Array0<f64>) -> f64 {
        (&a * &c).sum() * z.sum()
    }
}

#[test]
fn owned_shared_and_viewed_arrays_f32_and_any_number_of_axes() {
    let (v, m) = (spread(4, -1.0, 1.0, 1), spread((3, 4), -1.0, 1.0, 2));
    let (value, d) = owned_grad(v.clone(), m.clone());
    let d: OwnedGrad = d;
    let (dv, dm): (Array1<f64>, Array2<f64>) = (d.v, d.m);
    assert_eq!(value, owned(v.clone(), m.clone()));
    check("owned v", |v| owned(v.clone(), m.clone()), &dv, &v);
    check("owned m", |m| owned(v.clone(), m.clone()), &dm, &m);

    let (value, d) = viewed_grad(m.view(), v.view());
    let (dm, dv): (Array2<f64>, Array1<f64>) = (d.m, d.v);
    assert_eq!(value, viewed(m.view(), v.view()));
    check("view m", |m| viewed(m.view(), v.view()), &dm, &m);
    check("view v", |v| viewed(m.view(), v.view()), &dv, &v);
    // A transposed view is a view like any other.
    let mt: Array2<f64> = spread((4, 3), -1.0, 1.0, 3);
    let (_, d) = viewed_grad(mt.t(), v.view());
    assert_eq!(d.m.dim(), (3, 4));
    check(
        "transposed view m",
        |m| viewed(m.view(), v.view()),
        &d.m,
        &mt.t().to_owned(),
    );

    let (m32, s32) = (spread((3, 4), -1.0, 1.0, 4), 0.5_f32);
    let (value, d) = single_grad(&m32, s32);
    let (dm, ds): (Array2<f32>, f32) = (d.m, d.s);
    assert_eq!(value, single(&m32, s32));
    check("f32 m", |m| single(m, s32), &dm, &m32);
    check_scalar("f32 s", |s| single(&m32, s), ds, s32);

    let (x, b) = (spread((2, 3, 4), -1.0, 1.0, 5), spread(4, -1.0, 1.0, 6));
    let y = spread(grad::ndarray::IxDyn(&[2, 2, 3]), -1.0, 1.0, 7);
    let t = [3, 0, 1, 2, 2, 0];
    let (value, d) = three_axes_grad(&x, &b, &y, &t);
    let (dx, db, dy): (Array3<f64>, Array1<f64>, ArrayD<f64>) = (d.x, d.b, d.y);
    assert_eq!(value, three_axes(&x, &b, &y, &t));
    check("three axes x", |x| three_axes(x, &b, &y, &t), &dx, &x);
    check("three axes b", |b| three_axes(&x, b, &y, &t), &db, &b);
    check("dynamic y", |y| three_axes(&x, &b, y, &t), &dy, &y);

    let (c, a, z): (Array1<f64>, Array2<f64>, _) = (
        spread(4, -1.0, 1.0, 8),
        spread((3, 4), -1.0, 1.0, 9),
        grad::ndarray::arr0(1.5),
    );
    let plain = |c: &Array1<f64>, a: &Array2<f64>, z: &Array0<f64>| {
        shared(CowArray::from(c), a.to_shared(), z)
    };
    let (value, d) = shared_grad(CowArray::from(&c), a.to_shared(), &z);
    let (dc, da, dz): (Array1<f64>, Array2<f64>, Array0<f64>) = (d.c, d.a, d.z);
    assert_eq!(value, plain(&c, &a, &z));
    check("cow c", |c| plain(c, &a, &z), &dc, &c);
    check("shared a", |a| plain(&c, a, &z), &da, &a);
    check("zero-dimensional z", |z| plain(&c, &a, z), &dz, &z);
}
