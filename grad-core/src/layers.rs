//! Layers: one small struct per operation, each with `forward` and `backward`,
//! exactly as the seed's `MulLayer` and `AddLayer`.
//!
//! A layer remembers what its `backward` needs from `forward` and nothing else:
//! [`MulLayer`] keeps both operands, [`ExpLayer`] keeps its output, and
//! [`AddLayer`] keeps nothing. Calling `backward` on a layer that needs saved
//! values before `forward` panics with a message naming the layer; it never
//! returns a made-up number. Stateless layers ([`AddLayer`], [`SubLayer`],
//! [`NegLayer`]) give the right answer in any order, because their local
//! derivatives are constants.
//!
//! Every layer is generic over [`Float`], so `f32`, `f64` and dual numbers all
//! work; the type parameter defaults to `f64`.

use core::marker::PhantomData;
use num_traits::Float;

/// Converts an `f64` constant (such as `ln 2`) to the scalar type.
///
/// `NumCast` from `f64` cannot fail for the float types this crate targets;
/// if a user type refuses, the result is NaN rather than a panic.
#[inline]
pub(crate) fn cast<T: Float>(value: f64) -> T {
    T::from(value).unwrap_or_else(T::nan)
}

/// The derivative of `|x|` and the sign used by [`AbsLayer`]:
/// `1` above zero, `-1` below, `0` at zero (like PyTorch's `sign`), NaN for NaN.
#[inline]
fn sign_or_zero<T: Float>(x: T) -> T {
    if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else if x == T::zero() {
        T::zero()
    } else {
        x
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn backward_before_forward(layer: &str) -> ! {
    panic!(
        "{layer}::backward called before {layer}::forward: run forward first, it saves what backward needs"
    )
}

/// A one-operand layer's formulas as pure functions: its value, what it
/// saves for backward, and its backward from what it saved. The layer's own
/// `forward` and `backward` are these; the array layers of the `ndarray`
/// feature apply the same ones to every element, so a new operation works on
/// arrays with no more code.
///
/// ```
/// use grad_core::{ExpLayer, UnaryRule};
/// let x = 1.0_f64;
/// let y = ExpLayer::value(x);
/// let saved = ExpLayer::save(x, y); // e^x saves its output
/// assert_eq!(ExpLayer::derivative(saved, 2.0), 2.0 * y);
/// ```
pub trait UnaryRule {
    /// The scalar type.
    type Elem: Float;
    /// What backward needs from forward.
    type Saved: Copy;
    /// Whether [`save`](Self::save) reads the output (else only the input).
    const SAVES_OUTPUT: bool;
    /// The value at `x`.
    fn value(x: Self::Elem) -> Self::Elem;
    /// What backward needs, from the input `x` and the output `y`.
    fn save(x: Self::Elem, y: Self::Elem) -> Self::Saved;
    /// `dout` times the local derivative.
    fn derivative(saved: Self::Saved, dout: Self::Elem) -> Self::Elem;
}

/// Which of ndarray's arithmetic operators a [`BinaryRule`] is, if any: the
/// array layers compute those with ndarray's own operators, and their
/// gradients without an elementwise pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arithmetic {
    /// `x + y`
    Add,
    /// `x - y`
    Sub,
    /// `x * y`
    Mul,
    /// `x / y`
    Div,
}

/// A two-operand layer's formulas as pure functions (see [`UnaryRule`]).
///
/// ```
/// use grad_core::{BinaryRule, MulLayer};
/// let saved = MulLayer::save(3.0, 4.0, 12.0);
/// assert_eq!(MulLayer::derivative(saved, 1.0), (4.0, 3.0));
/// ```
pub trait BinaryRule {
    /// The scalar type.
    type Elem: Float;
    /// What backward needs from forward.
    type Saved: Copy;
    /// Which arithmetic operator it is, if it is one.
    const ARITHMETIC: Option<Arithmetic> = None;
    /// The value at `(x, y)`.
    fn value(x: Self::Elem, y: Self::Elem) -> Self::Elem;
    /// What backward needs, from the operands and the output `z`.
    fn save(x: Self::Elem, y: Self::Elem, z: Self::Elem) -> Self::Saved;
    /// `dout` times each local derivative, in operand order.
    fn derivative(saved: Self::Saved, dout: Self::Elem) -> (Self::Elem, Self::Elem);
}

/// Declares a layer whose local derivatives are constants, so it saves nothing.
macro_rules! stateless_layer {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name<T = f64>(PhantomData<T>);

        impl<T: Float> $name<T> {
            /// Creates the layer. It holds no state.
            #[inline]
            #[must_use]
            pub const fn new() -> Self {
                Self(PhantomData)
            }
        }
    };
}

/// Declares a one-operand layer that saves one value, its input or its
/// output, and whose backward is `dout` times a local derivative of that
/// value; its [`UnaryRule`] holds the formulas.
macro_rules! unary_layer {
    (
        $(#[$doc:meta])*
        $name:ident,
        forward: |$x:ident| $forward:expr,
        saves: $saves:ident,
        backward: |$dout:ident, $saved:ident| $backward:expr $(,)?
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        pub struct $name<T = f64> {
            saved: Option<T>,
        }

        impl<T: Float> UnaryRule for $name<T> {
            type Elem = T;
            type Saved = T;
            const SAVES_OUTPUT: bool = unary_layer!(@output $saves);

            #[inline]
            fn value($x: T) -> T {
                $forward
            }

            #[inline]
            fn save(input: T, output: T) -> T {
                unary_layer!(@save $saves, input, output)
            }

            #[inline]
            fn derivative($saved: T, $dout: T) -> T {
                $backward
            }
        }

        impl<T: Float> $name<T> {
            /// Creates a layer that has not run forward yet.
            #[inline]
            #[must_use]
            pub const fn new() -> Self {
                Self { saved: None }
            }

            /// Computes the output and remembers what `backward` needs.
            #[inline]
            pub fn forward(&mut self, x: T) -> T {
                let (y, saved) = crate::steps::unary_forward::<Self>(x);
                self.saved = Some(saved);
                y
            }

            /// Returns `dout` times the local derivative at the saved point.
            ///
            /// # Panics
            ///
            /// If `forward` has not been called.
            #[inline]
            #[track_caller]
            pub fn backward(&self, dout: T) -> T {
                let Some(saved) = self.saved else {
                    backward_before_forward(stringify!($name))
                };
                crate::steps::unary_derivative::<Self>(saved, dout)
            }
        }
    };
    (@output input) => { false };
    (@output output) => { true };
    (@save input, $x:ident, $y:ident) => {{ let _ = $y; $x }};
    (@save output, $x:ident, $y:ident) => {{ let _ = $x; $y }};
}

/// Declares a two-operand layer that saves what its backward needs (its
/// operands, its output, or some of them) and returns one gradient per
/// operand; its [`BinaryRule`] holds the formulas.
macro_rules! binary_layer {
    (
        $(#[$doc:meta])*
        $name:ident,
        $(arithmetic: $arithmetic:ident,)?
        forward: |$x:ident, $y:ident| $forward:expr,
        saves $saved:ty: |$sx:pat_param, $sy:pat_param, $sz:pat_param| $save:expr,
        $(#[$backward_doc:meta])*
        backward: |$dout:ident, $pattern:pat_param| $backward:expr $(,)?
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        pub struct $name<T = f64> {
            saved: Option<$saved>,
        }

        impl<T: Float> BinaryRule for $name<T> {
            type Elem = T;
            type Saved = $saved;
            $(const ARITHMETIC: Option<Arithmetic> = Some(Arithmetic::$arithmetic);)?

            #[inline]
            fn value($x: T, $y: T) -> T {
                $forward
            }

            #[inline]
            fn save($sx: T, $sy: T, $sz: T) -> $saved {
                $save
            }

            #[inline]
            fn derivative($pattern: $saved, $dout: T) -> (T, T) {
                $backward
            }
        }

        impl<T: Float> $name<T> {
            /// Creates a layer that has not run forward yet.
            #[inline]
            #[must_use]
            pub const fn new() -> Self {
                Self { saved: None }
            }

            /// Computes the output and remembers what `backward` needs.
            #[inline]
            pub fn forward(&mut self, x: T, y: T) -> T {
                let (z, saved) = crate::steps::binary_forward::<Self>(x, y);
                self.saved = Some(saved);
                z
            }

            $(#[$backward_doc])*
            ///
            /// # Panics
            ///
            /// If `forward` has not been called.
            #[inline]
            #[track_caller]
            pub fn backward(&self, dout: T) -> (T, T) {
                let Some(saved) = self.saved else {
                    backward_before_forward(stringify!($name))
                };
                crate::steps::binary_derivative::<Self>(saved, dout)
            }
        }
    };
}

/// `dout` to the first operand, the second, or half to each when both (or
/// neither) were selected: the gradient of `max` and `min`.
#[inline]
fn routed<T: Float>(dout: T, first: bool, second: bool) -> (T, T) {
    match (first, second) {
        (true, false) => (dout, T::zero()),
        (false, true) => (T::zero(), dout),
        _ => {
            let half = dout / (T::one() + T::one());
            (half, half)
        }
    }
}

stateless_layer! {
    /// `x + y`: the book's addition node; passes `dout` to both operands.
    ///
    /// ```
    /// use grad_core::AddLayer;
    /// let mut add = AddLayer::new();
    /// assert_eq!(add.forward(220.0, 495.0), 715.0);
    /// assert_eq!(add.backward(1.1), (1.1, 1.1));
    /// ```
    AddLayer
}

impl<T: Float> BinaryRule for AddLayer<T> {
    type Elem = T;
    type Saved = ();
    const ARITHMETIC: Option<Arithmetic> = Some(Arithmetic::Add);

    #[inline]
    fn value(x: T, y: T) -> T {
        x + y
    }

    #[inline]
    fn save(_x: T, _y: T, _z: T) {}

    #[inline]
    fn derivative((): (), dout: T) -> (T, T) {
        (dout, dout)
    }
}

impl<T: Float> AddLayer<T> {
    /// Returns `x + y`.
    #[inline]
    pub fn forward(&mut self, x: T, y: T) -> T {
        x + y
    }

    /// Returns `(dout, dout)`: both local derivatives are 1.
    #[inline]
    pub fn backward(&self, dout: T) -> (T, T) {
        (dout, dout)
    }
}

stateless_layer! {
    /// `x - y`: passes `dout` to `x` and `-dout` to `y`.
    ///
    /// ```
    /// use grad_core::SubLayer;
    /// let mut sub = SubLayer::new();
    /// assert_eq!(sub.forward(5.0, 3.0), 2.0);
    /// assert_eq!(sub.backward(2.0), (2.0, -2.0));
    /// ```
    SubLayer
}

impl<T: Float> BinaryRule for SubLayer<T> {
    type Elem = T;
    type Saved = ();
    const ARITHMETIC: Option<Arithmetic> = Some(Arithmetic::Sub);

    #[inline]
    fn value(x: T, y: T) -> T {
        x - y
    }

    #[inline]
    fn save(_x: T, _y: T, _z: T) {}

    #[inline]
    fn derivative((): (), dout: T) -> (T, T) {
        (dout, -dout)
    }
}

impl<T: Float> SubLayer<T> {
    /// Returns `x - y`.
    #[inline]
    pub fn forward(&mut self, x: T, y: T) -> T {
        x - y
    }

    /// Returns `(dout, -dout)`.
    #[inline]
    pub fn backward(&self, dout: T) -> (T, T) {
        (dout, -dout)
    }
}

stateless_layer! {
    /// `-x`: passes `-dout` back.
    ///
    /// ```
    /// use grad_core::NegLayer;
    /// let mut neg = NegLayer::new();
    /// assert_eq!(neg.forward(3.0), -3.0);
    /// assert_eq!(neg.backward(1.0), -1.0);
    /// ```
    NegLayer
}

impl<T: Float> UnaryRule for NegLayer<T> {
    type Elem = T;
    type Saved = ();
    const SAVES_OUTPUT: bool = false;

    #[inline]
    fn value(x: T) -> T {
        -x
    }

    #[inline]
    fn save(_x: T, _y: T) {}

    #[inline]
    fn derivative((): (), dout: T) -> T {
        -dout
    }
}

impl<T: Float> NegLayer<T> {
    /// Returns `-x`.
    #[inline]
    pub fn forward(&mut self, x: T) -> T {
        -x
    }

    /// Returns `-dout`.
    #[inline]
    pub fn backward(&self, dout: T) -> T {
        -dout
    }
}

binary_layer! {
    /// `x * y`: the book's multiplication node; backward swaps the operands.
    ///
    /// ```
    /// use grad_core::MulLayer;
    /// let mut mul = MulLayer::new();
    /// let price = mul.forward(100.0, 2.0);
    /// assert_eq!(price, 200.0);
    /// assert_eq!(mul.backward(1.1), (1.1 * 2.0, 1.1 * 100.0));
    /// ```
    ///
    /// Backward before forward is a clear panic, never a wrong number:
    ///
    /// ```should_panic
    /// let mul = grad_core::MulLayer::<f64>::new();
    /// mul.backward(1.0); // panics: MulLayer::backward called before MulLayer::forward
    /// ```
    MulLayer,
    arithmetic: Mul,
    forward: |x, y| x * y,
    saves (T, T): |x, y, _z| (x, y),
    /// Returns `(dout * y, dout * x)`, in the seed's operand order.
    backward: |dout, (x, y)| (dout * y, dout * x),
}

binary_layer! {
    /// `x / y`. Saves the divisor and the quotient `z`, so that
    /// `d/dy = -dout / y * z` needs no second division.
    ///
    /// ```
    /// use grad_core::DivLayer;
    /// let mut div = DivLayer::new();
    /// assert_eq!(div.forward(6.0, 2.0), 3.0);
    /// assert_eq!(div.backward(1.0), (0.5, -1.5)); // 1/y, -x/y^2
    /// ```
    DivLayer,
    arithmetic: Div,
    forward: |x, y| x / y,
    saves (T, T): |_x, y, z| (y, z),
    /// Returns `(dout / y, -(dout / y) * z)`.
    backward: |dout, (y, z)| {
        let dx = dout / y;
        (dx, -(dx * z))
    },
}

binary_layer! {
    /// `x.powf(y)`: both the base and the exponent get a gradient.
    ///
    /// `x⁰` is the constant 1, so with `y = 0` the base's gradient is 0
    /// everywhere, `x = 0` included (not `0 · 0⁻¹`, which is NaN), as in
    /// PyTorch and JAX. At `x = 0` the exponent's gradient is 0 (the limit
    /// of `xʸ ln x` for `y > 0`; PyTorch and JAX give 0 for every `y`), not
    /// the NaN or infinity that `xʸ · ln 0` would give.
    ///
    /// ```
    /// use grad_core::PowfLayer;
    /// let mut pow = PowfLayer::new();
    /// assert_eq!(pow.forward(2.0, 3.0), 8.0);
    /// let (dx, dy) = pow.backward(1.0);
    /// assert_eq!(dx, 12.0); // y x^(y-1)
    /// assert!((dy - 8.0 * 2f64.ln()).abs() < 1e-15); // x^y ln x
    ///
    /// pow.forward(0.0, 0.0);
    /// assert_eq!(pow.backward(1.0), (0.0, 0.0)); // 0^0 = 1 is a constant
    /// ```
    PowfLayer,
    forward: |x, y| x.powf(y),
    saves (T, T, T): |x, y, z| (x, y, z),
    /// Returns `(dout * y * x^(y-1), dout * x^y * ln x)`, with the limits
    /// above where those are NaN.
    backward: |dout, (x, y, z)| {
        let dx = if y == T::zero() {
            T::zero()
        } else {
            dout * y * x.powf(y - T::one())
        };
        let dy = if x == T::zero() {
            T::zero()
        } else {
            dout * z * x.ln()
        };
        (dx, dy)
    },
}

/// `x.powi(n)` with an integer exponent, which gets no gradient.
///
/// ```
/// use grad_core::PowiLayer;
/// let mut pow = PowiLayer::new();
/// assert_eq!(pow.forward(3.0, 2), 9.0);
/// assert_eq!(pow.backward(1.0), 6.0); // 2 x
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PowiLayer<T = f64> {
    saved: Option<(T, i32)>,
}

impl<T: Float> PowiLayer<T> {
    /// Creates a layer that has not run forward yet.
    #[inline]
    #[must_use]
    pub const fn new() -> Self {
        Self { saved: None }
    }

    /// Returns `x.powi(n)`.
    #[inline]
    pub fn forward(&mut self, x: T, n: i32) -> T {
        self.saved = Some((x, n));
        x.powi(n)
    }

    /// The exponent of the last `forward`, if it ran.
    ///
    /// ```
    /// let mut pow = grad_core::PowiLayer::new();
    /// pow.forward(2.0, 3);
    /// assert_eq!(pow.exponent(), Some(3));
    /// ```
    #[inline]
    pub fn exponent(&self) -> Option<i32> {
        self.saved.map(|(_, n)| n)
    }

    /// Returns `dout * n * x^(n-1)`; `x^0` is constant, so its gradient is 0
    /// even at `x = 0`.
    ///
    /// # Panics
    ///
    /// If `forward` has not been called.
    #[inline]
    #[track_caller]
    pub fn backward(&self, dout: T) -> T {
        let Some((x, n)) = self.saved else {
            backward_before_forward("PowiLayer")
        };
        Self::derivative(x, n, dout)
    }

    /// `dout · n xⁿ⁻¹`, the backward at `x` with the exponent `n`, as a pure
    /// function (what the array layer applies to every element).
    ///
    /// ```
    /// assert_eq!(grad_core::PowiLayer::derivative(3.0, 2, 1.0), 6.0);
    /// ```
    #[inline]
    #[must_use]
    pub fn derivative(x: T, n: i32, dout: T) -> T {
        match n {
            0 => T::zero(),
            1 => dout,
            // `2x`, not `x + x`: the same number, and the form in which
            // LLVM's SLP vectoriser pairs neighbouring terms of a sum (the
            // inline form of Rosenbrock n = 100 took 1.5x the instructions
            // of the hand-written adjoint with `x + x`, 1.00x with `2x`).
            2 => dout * (cast::<T>(2.0) * x),
            _ => {
                let lower = match n.checked_sub(1) {
                    Some(m) => x.powi(m),
                    None => x.powi(n) / x,
                };
                dout * cast::<T>(f64::from(n)) * lower
            }
        }
    }
}

binary_layer! {
    /// `x.max(y)`: the gradient goes to the larger operand; on a tie it is
    /// split in half between both (as PyTorch and JAX do); a NaN operand is
    /// ignored, as `f64::max` ignores it.
    ///
    /// ```
    /// use grad_core::MaxLayer;
    /// let mut max = MaxLayer::new();
    /// assert_eq!(max.forward(1.0, 3.0), 3.0);
    /// assert_eq!(max.backward(1.0), (0.0, 1.0));
    /// max.forward(2.0, 2.0);
    /// assert_eq!(max.backward(1.0), (0.5, 0.5));
    /// ```
    MaxLayer,
    forward: |x, y| x.max(y),
    saves (T, T): |x, y, _z| (x, y),
    /// Routes `dout` to the larger operand (half each on a tie).
    backward: |dout, (x, y)| routed(dout, x > y || y.is_nan(), y > x || x.is_nan()),
}

binary_layer! {
    /// `x.min(y)`: the gradient goes to the smaller operand; on a tie it is
    /// split in half between both; a NaN operand is ignored, as `f64::min`
    /// ignores it.
    ///
    /// ```
    /// use grad_core::MinLayer;
    /// let mut min = MinLayer::new();
    /// assert_eq!(min.forward(1.0, 3.0), 1.0);
    /// assert_eq!(min.backward(1.0), (1.0, 0.0));
    /// ```
    MinLayer,
    forward: |x, y| x.min(y),
    saves (T, T): |x, y, _z| (x, y),
    /// Routes `dout` to the smaller operand (half each on a tie).
    backward: |dout, (x, y)| routed(dout, x < y || y.is_nan(), y < x || x.is_nan()),
}

binary_layer! {
    /// `y.atan2(x)`: the angle of the point `(x, y)`.
    ///
    /// ```
    /// use grad_core::Atan2Layer;
    /// let mut atan2 = Atan2Layer::new();
    /// atan2.forward(1.0, 1.0);
    /// assert_eq!(atan2.backward(2.0), (1.0, -1.0)); // x/(x²+y²), -y/(x²+y²)
    /// ```
    Atan2Layer,
    forward: |y, x| y.atan2(x),
    saves (T, T): |y, x, _z| (y, x),
    /// Returns `(dout * x / r², -dout * y / r²)` with `r² = x² + y²`, in
    /// operand order (`y` first).
    backward: |dout, (y, x)| {
        let scale = dout / (x * x + y * y);
        (scale * x, -(scale * y))
    },
}

binary_layer! {
    /// `x.hypot(y)`: `sqrt(x² + y²)` without overflow. At the origin, where
    /// the function has no derivative, both gradients are 0.
    ///
    /// ```
    /// use grad_core::HypotLayer;
    /// let mut hypot = HypotLayer::new();
    /// assert_eq!(hypot.forward(3.0, 4.0), 5.0);
    /// assert_eq!(hypot.backward(10.0), (6.0, 8.0)); // x/r, y/r
    /// ```
    HypotLayer,
    forward: |x, y| x.hypot(y),
    saves (T, T, T): |x, y, r| (x, y, r),
    /// Returns `(dout * x / r, dout * y / r)`, and 0s at the origin.
    backward: |dout, (x, y, r)| {
        if r == T::zero() {
            (T::zero(), T::zero())
        } else {
            let scale = dout / r;
            (scale * x, scale * y)
        }
    },
}

binary_layer! {
    /// `x.log(base)`: the logarithm of `x` in any base; both get a gradient.
    ///
    /// ```
    /// use grad_core::LogLayer;
    /// let mut log = LogLayer::new();
    /// assert_eq!(log.forward(8.0, 2.0), 3.0);
    /// let (dx, dbase) = log.backward(1.0);
    /// assert!((dx - 1.0 / (8.0 * 2f64.ln())).abs() < 1e-15);
    /// assert!((dbase + 3.0 / (2.0 * 2f64.ln())).abs() < 1e-15);
    /// ```
    LogLayer,
    forward: |x, base| x.log(base),
    saves (T, T, T): |x, base, z| (x, base, z),
    /// Returns `(dout / (x ln b), -dout z / (b ln b))`.
    backward: |dout, (x, base, z)| {
        let scale = dout / base.ln();
        (scale / x, -(scale * z / base))
    },
}

unary_layer! {
    /// `x.exp()`. Saves its output: `d/dx e^x = e^x`.
    ///
    /// ```
    /// use grad_core::ExpLayer;
    /// let mut exp = ExpLayer::new();
    /// let y = exp.forward(1.0);
    /// assert_eq!(exp.backward(2.0), 2.0 * y);
    /// ```
    ExpLayer,
    forward: |x| x.exp(),
    saves: output,
    backward: |dout, y| dout * y,
}

unary_layer! {
    /// `x.exp2()`: `2^x`, derivative `2^x ln 2`.
    ///
    /// ```
    /// use grad_core::Exp2Layer;
    /// let mut exp2 = Exp2Layer::new();
    /// assert_eq!(exp2.forward(3.0), 8.0);
    /// assert_eq!(exp2.backward(1.0), 8.0 * std::f64::consts::LN_2);
    /// ```
    Exp2Layer,
    forward: |x| x.exp2(),
    saves: output,
    backward: |dout, y| dout * (y * cast::<T>(core::f64::consts::LN_2)),
}

unary_layer! {
    /// `x.exp_m1()`: `e^x - 1`, accurate near 0; derivative `e^x`.
    ///
    /// ```
    /// use grad_core::ExpM1Layer;
    /// let mut layer = ExpM1Layer::new();
    /// assert_eq!(layer.forward(0.0), 0.0);
    /// assert_eq!(layer.backward(3.0), 3.0);
    /// ```
    ExpM1Layer,
    forward: |x| x.exp_m1(),
    saves: output,
    backward: |dout, y| dout * (y + T::one()),
}

unary_layer! {
    /// `x.ln()`: derivative `1 / x`; at 0 that is infinite, as in plain Rust.
    ///
    /// ```
    /// use grad_core::LnLayer;
    /// let mut ln = LnLayer::new();
    /// assert_eq!(ln.forward(1.0), 0.0);
    /// assert_eq!(ln.backward(1.0), 1.0);
    /// ```
    LnLayer,
    forward: |x| x.ln(),
    saves: input,
    backward: |dout, x| dout / x,
}

unary_layer! {
    /// `x.ln_1p()`: `ln(1 + x)`, accurate near 0; derivative `1 / (1 + x)`.
    ///
    /// ```
    /// use grad_core::Ln1pLayer;
    /// let mut layer = Ln1pLayer::new();
    /// assert_eq!(layer.forward(0.0), 0.0);
    /// assert_eq!(layer.backward(1.0), 1.0);
    /// ```
    Ln1pLayer,
    forward: |x| x.ln_1p(),
    saves: input,
    backward: |dout, x| dout / (T::one() + x),
}

unary_layer! {
    /// `x.log2()`: derivative `1 / (x ln 2)`.
    ///
    /// ```
    /// use grad_core::Log2Layer;
    /// let mut layer = Log2Layer::new();
    /// assert_eq!(layer.forward(8.0), 3.0);
    /// assert_eq!(layer.backward(1.0), 1.0 / (8.0 * std::f64::consts::LN_2));
    /// ```
    Log2Layer,
    forward: |x| x.log2(),
    saves: input,
    backward: |dout, x| dout / (x * cast::<T>(core::f64::consts::LN_2)),
}

unary_layer! {
    /// `x.log10()`: derivative `1 / (x ln 10)`.
    ///
    /// ```
    /// use grad_core::Log10Layer;
    /// let mut layer = Log10Layer::new();
    /// assert_eq!(layer.forward(100.0), 2.0);
    /// assert_eq!(layer.backward(1.0), 1.0 / (100.0 * std::f64::consts::LN_10));
    /// ```
    Log10Layer,
    forward: |x| x.log10(),
    saves: input,
    backward: |dout, x| dout / (x * cast::<T>(core::f64::consts::LN_10)),
}

unary_layer! {
    /// `x.sqrt()`. Saves its output: `d/dx √x = 1 / (2 √x)`.
    ///
    /// ```
    /// use grad_core::SqrtLayer;
    /// let mut sqrt = SqrtLayer::new();
    /// assert_eq!(sqrt.forward(4.0), 2.0);
    /// assert_eq!(sqrt.backward(1.0), 0.25);
    /// ```
    SqrtLayer,
    forward: |x| x.sqrt(),
    saves: output,
    backward: |dout, y| dout / (y + y),
}

unary_layer! {
    /// `x.cbrt()`. Saves its output: `d/dx ∛x = 1 / (3 ∛x²)`.
    ///
    /// ```
    /// use grad_core::CbrtLayer;
    /// let mut cbrt = CbrtLayer::new();
    /// assert_eq!(cbrt.forward(8.0), 2.0);
    /// assert_eq!(cbrt.backward(12.0), 1.0);
    /// ```
    CbrtLayer,
    forward: |x| x.cbrt(),
    saves: output,
    backward: |dout, y| dout / (cast::<T>(3.0) * y * y),
}

unary_layer! {
    /// `x.recip()`: `1 / x`. Saves its output: derivative `-1 / x² = -y²`.
    ///
    /// ```
    /// use grad_core::RecipLayer;
    /// let mut recip = RecipLayer::new();
    /// assert_eq!(recip.forward(2.0), 0.5);
    /// assert_eq!(recip.backward(1.0), -0.25);
    /// ```
    RecipLayer,
    forward: |x| x.recip(),
    saves: output,
    backward: |dout, y| -(dout * y * y),
}

unary_layer! {
    /// `x.sin()`: derivative `cos x`.
    ///
    /// ```
    /// use grad_core::SinLayer;
    /// let mut sin = SinLayer::new();
    /// assert_eq!(sin.forward(0.0), 0.0);
    /// assert_eq!(sin.backward(1.0), 1.0);
    /// ```
    SinLayer,
    forward: |x| x.sin(),
    saves: input,
    backward: |dout, x| dout * x.cos(),
}

unary_layer! {
    /// `x.cos()`: derivative `-sin x`.
    ///
    /// ```
    /// use grad_core::CosLayer;
    /// let mut cos = CosLayer::new();
    /// assert_eq!(cos.forward(0.0), 1.0);
    /// assert_eq!(cos.backward(1.0), -0.0);
    /// ```
    CosLayer,
    forward: |x| x.cos(),
    saves: input,
    backward: |dout, x| -(dout * x.sin()),
}

unary_layer! {
    /// `x.tan()`. Saves its output: derivative `1 + tan² x`.
    ///
    /// ```
    /// use grad_core::TanLayer;
    /// let mut tan = TanLayer::new();
    /// assert_eq!(tan.forward(0.0), 0.0);
    /// assert_eq!(tan.backward(1.0), 1.0);
    /// ```
    TanLayer,
    forward: |x| x.tan(),
    saves: output,
    backward: |dout, y| dout * (T::one() + y * y),
}

unary_layer! {
    /// `x.asin()`: derivative `1 / √(1 - x²)`.
    ///
    /// ```
    /// use grad_core::AsinLayer;
    /// let mut asin = AsinLayer::new();
    /// assert_eq!(asin.forward(0.0), 0.0);
    /// assert_eq!(asin.backward(1.0), 1.0);
    /// ```
    AsinLayer,
    forward: |x| x.asin(),
    saves: input,
    backward: |dout, x| dout / (T::one() - x * x).sqrt(),
}

unary_layer! {
    /// `x.acos()`: derivative `-1 / √(1 - x²)`.
    ///
    /// ```
    /// use grad_core::AcosLayer;
    /// let mut acos = AcosLayer::new();
    /// acos.forward(0.0);
    /// assert_eq!(acos.backward(1.0), -1.0);
    /// ```
    AcosLayer,
    forward: |x| x.acos(),
    saves: input,
    backward: |dout, x| -(dout / (T::one() - x * x).sqrt()),
}

unary_layer! {
    /// `x.atan()`: derivative `1 / (1 + x²)`.
    ///
    /// ```
    /// use grad_core::AtanLayer;
    /// let mut atan = AtanLayer::new();
    /// atan.forward(1.0);
    /// assert_eq!(atan.backward(1.0), 0.5);
    /// ```
    AtanLayer,
    forward: |x| x.atan(),
    saves: input,
    backward: |dout, x| dout / (T::one() + x * x),
}

unary_layer! {
    /// `x.sinh()`: derivative `cosh x`.
    ///
    /// ```
    /// use grad_core::SinhLayer;
    /// let mut sinh = SinhLayer::new();
    /// assert_eq!(sinh.forward(0.0), 0.0);
    /// assert_eq!(sinh.backward(1.0), 1.0);
    /// ```
    SinhLayer,
    forward: |x| x.sinh(),
    saves: input,
    backward: |dout, x| dout * x.cosh(),
}

unary_layer! {
    /// `x.cosh()`: derivative `sinh x`.
    ///
    /// ```
    /// use grad_core::CoshLayer;
    /// let mut cosh = CoshLayer::new();
    /// assert_eq!(cosh.forward(0.0), 1.0);
    /// assert_eq!(cosh.backward(1.0), 0.0);
    /// ```
    CoshLayer,
    forward: |x| x.cosh(),
    saves: input,
    backward: |dout, x| dout * x.sinh(),
}

unary_layer! {
    /// `x.tanh()`. Saves its output: derivative `1 - tanh² x`.
    ///
    /// ```
    /// use grad_core::TanhLayer;
    /// let mut tanh = TanhLayer::new();
    /// assert_eq!(tanh.forward(0.0), 0.0);
    /// assert_eq!(tanh.backward(1.0), 1.0);
    /// ```
    TanhLayer,
    forward: |x| x.tanh(),
    saves: output,
    backward: |dout, y| dout * (T::one() - y * y),
}

unary_layer! {
    /// `x.asinh()`: derivative `1 / √(x² + 1)`.
    ///
    /// ```
    /// use grad_core::AsinhLayer;
    /// let mut asinh = AsinhLayer::new();
    /// assert_eq!(asinh.forward(0.0), 0.0);
    /// assert_eq!(asinh.backward(1.0), 1.0);
    /// ```
    AsinhLayer,
    forward: |x| x.asinh(),
    saves: input,
    backward: |dout, x| dout / (x * x + T::one()).sqrt(),
}

unary_layer! {
    /// `x.acosh()`: derivative `1 / √(x² - 1)`.
    ///
    /// ```
    /// use grad_core::AcoshLayer;
    /// let mut acosh = AcoshLayer::new();
    /// acosh.forward(2.0);
    /// assert_eq!(acosh.backward(1.0), 1.0 / 3f64.sqrt());
    /// ```
    AcoshLayer,
    forward: |x| x.acosh(),
    saves: input,
    backward: |dout, x| dout / (x * x - T::one()).sqrt(),
}

unary_layer! {
    /// `x.atanh()`: derivative `1 / (1 - x²)`.
    ///
    /// ```
    /// use grad_core::AtanhLayer;
    /// let mut atanh = AtanhLayer::new();
    /// assert_eq!(atanh.forward(0.0), 0.0);
    /// assert_eq!(atanh.backward(1.0), 1.0);
    /// ```
    AtanhLayer,
    forward: |x| x.atanh(),
    saves: input,
    backward: |dout, x| dout / (T::one() - x * x),
}

unary_layer! {
    /// `x.abs()`: derivative `sign x`, and 0 at `x = 0` (PyTorch's convention).
    ///
    /// ```
    /// use grad_core::AbsLayer;
    /// let mut abs = AbsLayer::new();
    /// assert_eq!(abs.forward(-2.0), 2.0);
    /// assert_eq!(abs.backward(1.0), -1.0);
    /// abs.forward(0.0);
    /// assert_eq!(abs.backward(1.0), 0.0);
    /// ```
    AbsLayer,
    forward: |x| x.abs(),
    saves: input,
    backward: |dout, x| dout * sign_or_zero(x),
}

unary_layer! {
    /// [`sigmoid`](crate::sigmoid) `1 / (1 + e^-x)`, the book's activation.
    /// Saves its output: derivative `(1 - y) y`.
    ///
    /// ```
    /// use grad_core::SigmoidLayer;
    /// let mut sigmoid = SigmoidLayer::new();
    /// assert_eq!(sigmoid.forward(0.0), 0.5);
    /// assert_eq!(sigmoid.backward(1.0), 0.25);
    /// ```
    SigmoidLayer,
    forward: |x| crate::activation::sigmoid(x),
    saves: output,
    backward: |dout, y| dout * (T::one() - y) * y,
}

unary_layer! {
    /// [`relu`](crate::relu) `max(x, 0)`, the book's activation: derivative 1
    /// above zero and 0 at or below it (`relu'(0) = 0`, as in the major
    /// frameworks); NaN for a NaN input.
    ///
    /// ```
    /// use grad_core::ReluLayer;
    /// let mut relu = ReluLayer::new();
    /// assert_eq!(relu.forward(-1.0), 0.0);
    /// assert_eq!(relu.backward(5.0), 0.0);
    /// relu.forward(2.0);
    /// assert_eq!(relu.backward(5.0), 5.0);
    /// ```
    ReluLayer,
    forward: |x| crate::activation::relu(x),
    saves: input,
    backward: |dout, x| if x > T::zero() {
        dout
    } else if x.is_nan() {
        x
    } else {
        T::zero()
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "ExpLayer::backward called before ExpLayer::forward")]
    fn unary_backward_before_forward_panics_with_the_layer_name() {
        ExpLayer::<f64>::new().backward(1.0);
    }

    #[test]
    fn layers_are_reusable_and_keep_only_the_last_forward() {
        let mut mul = MulLayer::new();
        mul.forward(1.0, 2.0);
        mul.forward(3.0, 4.0);
        assert_eq!(mul.backward(1.0), (4.0, 3.0));
    }

    #[test]
    fn stateless_layers_are_zero_sized() {
        assert_eq!(core::mem::size_of::<AddLayer<f64>>(), 0);
        assert_eq!(core::mem::size_of::<SubLayer<f64>>(), 0);
        assert_eq!(core::mem::size_of::<NegLayer<f64>>(), 0);
    }

    #[test]
    fn powi_gradient_at_the_edges() {
        let mut pow = PowiLayer::new();
        pow.forward(0.0_f64, 0);
        assert_eq!(pow.backward(1.0), 0.0);
        pow.forward(2.0, -1);
        assert_eq!(pow.backward(1.0), -0.25);
        pow.forward(1.0, i32::MIN);
        assert_eq!(pow.backward(1.0), f64::from(i32::MIN));
    }

    #[test]
    fn max_and_min_ignore_nan_like_plain_rust() {
        let mut max = MaxLayer::new();
        assert_eq!(max.forward(f64::NAN, 2.0), 2.0);
        assert_eq!(max.backward(1.0), (0.0, 1.0));
        let mut min = MinLayer::new();
        assert_eq!(min.forward(2.0, f64::NAN), 2.0);
        assert_eq!(min.backward(1.0), (1.0, 0.0));
    }
}
