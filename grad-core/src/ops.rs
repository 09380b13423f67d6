//! The table of operations: the one place that says which operations exist,
//! how a formula spells them, and which layer computes them.
//!
//! The `grad!` macro reads [`OPERATIONS`] at expansion time to recognise an
//! operator, method or function and to name its layer; the runtime reads it
//! through [`OpKind::evaluate`] (used by the gradient checks and the tests,
//! which loop over every entry). Adding an operation means one line in the
//! table below and one layer in [`layers`](crate::layers).

use crate::layers::*;
use num_traits::Float;

/// How an operation is written in a formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// A binary operator between its operands: `x + y`.
    Infix(&'static str),
    /// A unary operator before its operand: `-x`.
    Prefix(&'static str),
    /// A method on the first operand, as on `f64`: `x.exp()`, `x.max(y)`.
    Method(&'static str),
    /// A free function: `sigmoid(x)`.
    Function(&'static str),
}

impl Syntax {
    /// The operator or name as written: `"+"`, `"exp"`, `"sigmoid"`.
    #[must_use]
    pub const fn spelling(self) -> &'static str {
        match self {
            Self::Infix(s) | Self::Prefix(s) | Self::Method(s) | Self::Function(s) => s,
        }
    }
}

/// The operands an operation takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// One differentiable operand.
    Unary,
    /// Two differentiable operands (for a method: the receiver, then the argument).
    Binary,
    /// One differentiable operand and an `i32` that gets no gradient (`powi`).
    UnaryInt,
    /// Scores, differentiable, and labels (`&[usize]`) that get no gradient
    /// (`softmax_cross_entropy`).
    UnaryLabels,
}

impl Shape {
    /// How many operands get a gradient.
    #[must_use]
    pub const fn differentiable_operands(self) -> usize {
        match self {
            Self::Unary | Self::UnaryInt | Self::UnaryLabels => 1,
            Self::Binary => 2,
        }
    }

    /// How many operands are written, including the receiver of a method.
    #[must_use]
    pub const fn written_operands(self) -> usize {
        match self {
            Self::Unary => 1,
            Self::Binary | Self::UnaryInt | Self::UnaryLabels => 2,
        }
    }
}

/// Where an operation is smooth: the ranges that tests and generated formulas
/// draw its operands from, away from poles, kinks and the edges of its domain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Domain {
    /// The range of each differentiable operand (the second is unused by
    /// one-operand operations).
    pub operands: [(f64, f64); 2],
    /// Whether each operand may also take the negated range (`|x|` in it).
    pub mirrored: bool,
}

impl Domain {
    /// A point of the domain: `unit` in `[0, 1)²` picks a place in each
    /// range, `negate` the sign of each operand where the domain is mirrored.
    ///
    /// ```
    /// use grad_core::ops::{Operation, Syntax};
    /// let div = Operation::find(Syntax::Infix("/")).unwrap();
    /// assert_eq!(div.smooth.point([0.0, 1.0], [true, false]), [-0.1, 3.0]);
    /// ```
    #[must_use]
    pub fn point(&self, unit: [f64; 2], negate: [bool; 2]) -> [f64; 2] {
        let mut point = [0.0; 2];
        for (i, value) in point.iter_mut().enumerate() {
            let (low, high) = self.operands[i];
            let x = low + (high - low) * unit[i];
            *value = if self.mirrored && negate[i] { -x } else { x };
        }
        point
    }
}

/// One entry of the table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Operation {
    /// Which operation.
    pub kind: OpKind,
    /// How a formula writes it.
    pub syntax: Syntax,
    /// Its operands.
    pub shape: Shape,
    /// The name of its layer type in this crate, such as `"MulLayer"`.
    pub layer: &'static str,
    /// Its name in text: the method or function name (`"exp_m1"`,
    /// `"sigmoid"`), a word for an operator (`"mul"`, `"neg"`). Graph
    /// descriptions and listings print it.
    pub name: &'static str,
    /// What the book draws in the node's circle: `"×"`, `"÷"`, `"−"`, `"+"`
    /// for the operators, the name otherwise.
    pub symbol: &'static str,
    /// Where it is smooth, for tests and formula generators.
    pub smooth: Domain,
    /// Whether it exists only on arrays (`dot`, `sum`, `softmax`, …): its
    /// layer is in `grad_core::array` (feature `ndarray`), and a formula
    /// over scalars cannot use it.
    pub arrays_only: bool,
    /// Its local derivatives, for documentation and error messages.
    pub derivative: &'static str,
    /// Its backward as an expression on the scalar, which `grad!` writes
    /// instead of a call to the layer's rule where the scalar type is named
    /// (see [`Adjoint`]): every operator's, and the one-operand methods'
    /// whose backward is arithmetic and the scalar's own methods.
    pub adjoint: Option<Adjoint>,
}

/// An operation's backward as an expression on the scalar: one expression
/// per operand, over the names [`names`](Self::names) gives `dout`, the
/// operands, the output and the scalar's 1. The table writes each once, as
/// Rust: it is the text `grad!` writes, and the code [`OpKind::adjoint`]
/// runs, which a test checks against the layer's own backward, bit for bit,
/// in `f64` and `f32`.
///
/// rustc checks `dout * y` as one instruction, where a call to the rule is
/// a generic function to instantiate and, in a debug build, to compile and
/// call. An expression that calls a method of the scalar (`x.cos()`) is
/// written only in `f32` and `f64`, whose own method it then is: on a
/// generic scalar, another trait in scope may have a method of that name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Adjoint {
    /// The names of `dout`, the first operand, the second (unused by
    /// one-operand operations), the output and the scalar's 1, as the
    /// expressions use them.
    pub names: [&'static str; 5],
    /// The gradient of each differentiable operand, in operand order.
    pub gradients: &'static [&'static str],
}

impl Operation {
    /// Finds the operation written with this syntax.
    ///
    /// ```
    /// use grad_core::ops::{Operation, OpKind, Syntax};
    /// let mul = Operation::find(Syntax::Infix("*")).unwrap();
    /// assert_eq!(mul.kind, OpKind::Mul);
    /// assert_eq!((mul.layer, mul.name, mul.symbol), ("MulLayer", "mul", "×"));
    /// assert!(Operation::find(Syntax::Method("frobnicate")).is_none());
    /// ```
    #[must_use]
    pub fn find(syntax: Syntax) -> Option<&'static Self> {
        OPERATIONS.iter().find(|op| op.syntax == syntax)
    }

    /// Finds the operation of one kind of syntax spelled `spelling`, for a
    /// spelling that is not `'static` (such as a token's text).
    ///
    /// ```
    /// use grad_core::ops::{Operation, OpKind, Syntax};
    /// let method = String::from("tanh");
    /// assert_eq!(Operation::lookup(Syntax::Method, &method).unwrap().kind, OpKind::Tanh);
    /// assert!(Operation::lookup(Syntax::Function, &method).is_none());
    /// ```
    #[must_use]
    pub fn lookup(kind: fn(&'static str) -> Syntax, spelling: &str) -> Option<&'static Self> {
        OPERATIONS
            .iter()
            .find(|op| op.syntax.spelling() == spelling && op.syntax == kind(op.syntax.spelling()))
    }

    /// Finds the operation by its [`name`](Self::name).
    ///
    /// ```
    /// use grad_core::ops::{Operation, OpKind};
    /// assert_eq!(Operation::named("exp_m1").unwrap().kind, OpKind::ExpM1);
    /// assert_eq!(Operation::named("mul").unwrap().kind, OpKind::Mul);
    /// assert!(Operation::named("*").is_none());
    /// ```
    #[must_use]
    pub fn named(name: &str) -> Option<&'static Self> {
        OPERATIONS.iter().find(|op| op.name == name)
    }
}

/// The operations a formula over scalars can use: every entry of the table
/// but those that exist only on arrays.
///
/// ```
/// use grad_core::ops::{OPERATIONS, scalar_operations};
/// assert!(scalar_operations().all(|op| !op.arrays_only));
/// assert!(scalar_operations().count() < OPERATIONS.len());
/// ```
pub fn scalar_operations() -> impl Iterator<Item = &'static Operation> {
    OPERATIONS.iter().filter(|op| !op.arrays_only)
}

/// The spellings of every operation written one way, in table order, for
/// messages: `` `+`, `-`, `*`, `/` `` for [`Syntax::Infix`].
///
/// ```
/// use grad_core::ops::{Syntax, spellings};
/// assert_eq!(spellings(Syntax::Infix), "`+`, `-`, `*`, `/`");
/// assert_eq!(spellings(Syntax::Function), "`sigmoid`, `relu`, `softmax`, `softmax_cross_entropy`");
/// ```
#[must_use]
pub fn spellings(kind: fn(&'static str) -> Syntax) -> String {
    OPERATIONS
        .iter()
        .filter(|op| op.syntax == kind(op.syntax.spelling()))
        .map(|op| format!("`{}`", op.syntax.spelling()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cold]
#[track_caller]
fn arrays_only(name: &str) -> ! {
    panic!("`{name}` works on arrays only: it has no scalar form")
}

macro_rules! operations {
    ($(
        $kind:ident => $layer:ident, $syntax:ident $spelling:tt $(($name:ident, $symbol:literal))?,
        $shape:ident $([$tier:ident])?, smooth [$(($low:expr, $high:expr)),+] $($mirrored:ident)?, $derivative:literal
        $(, adjoint |$dout:ident, $x:ident, $y:ident, $z:ident, $one:ident| [$($gradient:expr),+])?;
    )+) => {
        /// Every operation `grad!` knows, one variant per layer.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum OpKind {
            $(
                #[doc = concat!("`", stringify!($spelling), "`, computed by ", operations!(@layer_link $layer $($tier)?), ": ", $derivative)]
                $kind,
            )+
        }

        /// The table: every operation with its syntax, operands and layer.
        pub const OPERATIONS: &[Operation] = &[
            $(Operation {
                kind: OpKind::$kind,
                syntax: Syntax::$syntax(stringify!($spelling)),
                shape: Shape::$shape,
                layer: stringify!($layer),
                name: operations!(@or $(stringify!($name))?, stringify!($spelling)),
                symbol: operations!(@or $($symbol)?, stringify!($spelling)),
                smooth: operations!(@domain [$(($low, $high)),+] $($mirrored)?),
                arrays_only: operations!(@arrays $($tier)?),
                derivative: $derivative,
                adjoint: operations!(@adjoint $(|$dout, $x, $y, $z, $one| [$($gradient),+])?),
            },)+
        ];

        impl OpKind {
            /// This operation's entry in [`OPERATIONS`].
            #[must_use]
            pub fn operation(self) -> &'static Operation {
                // The table lists the variants in declaration order.
                &OPERATIONS[self as usize]
            }

            /// Runs this operation's layer forward at `operands`, then backward
            /// with `dout`: returns the value and the gradient of each
            /// differentiable operand (unused slots are 0). `exponent` is the
            /// integer operand of `powi` and is ignored by the others.
            ///
            /// ```
            /// use grad_core::ops::OpKind;
            /// let (value, grads) = OpKind::Mul.evaluate(&[3.0, 4.0], 0, 1.0);
            /// assert_eq!((value, grads), (12.0, [4.0, 3.0]));
            /// let (value, grads) = OpKind::Powi.evaluate(&[3.0], 2, 1.0);
            /// assert_eq!((value, grads), (9.0, [6.0, 0.0]));
            /// ```
            ///
            /// # Panics
            ///
            /// If `operands` is shorter than the operation's
            /// [`Shape::differentiable_operands`], or if the operation exists
            /// only on arrays ([`Operation::arrays_only`]).
            #[must_use]
            pub fn evaluate<T: Float>(self, operands: &[T], exponent: i32, dout: T) -> (T, [T; 2]) {
                match self {
                    $(Self::$kind => operations!(@evaluate [$($tier)?] $shape $layer, operands, exponent, dout),)+
                }
            }

            /// The gradients of an operation's operands by its [`Adjoint`]
            /// (the second 0 for one operand), at the operands `operands`,
            /// the output `value` and `dout`; `None` for an operation
            /// without one.
            ///
            /// ```
            /// use grad_core::ops::OpKind;
            /// assert_eq!(OpKind::Mul.adjoint(&[3.0, 4.0], 12.0, 2.0), Some([8.0, 6.0]));
            /// assert_eq!(OpKind::Tanh.adjoint(&[0.5], 0.5, 2.0), Some([1.5, 0.0]));
            /// assert_eq!(OpKind::Max.adjoint(&[1.0, 2.0], 2.0, 1.0), None);
            /// ```
            ///
            /// # Panics
            ///
            /// If `operands` is empty.
            #[must_use]
            pub fn adjoint<T: Float>(self, operands: &[T], value: T, dout: T) -> Option<[T; 2]> {
                match self {
                    $(Self::$kind => operations!(@run_adjoint operands, value, dout $(, |$dout, $x, $y, $z, $one| [$($gradient),+])?),)+
                }
            }

            /// This operation as plain Rust computes it, with no layer: the
            /// operator, the `Float` method or grad's function its syntax
            /// names, at `operands` (and the `powi` exponent). What removing
            /// `grad!` computes, for tests and formula generators.
            ///
            /// ```
            /// use grad_core::ops::OpKind;
            /// assert_eq!(OpKind::Sub.plain(&[5.0, 3.0], 0), 2.0);
            /// assert_eq!(OpKind::ExpM1.plain(&[0.0_f32], 0), 0.0);
            /// assert_eq!(OpKind::Powi.plain(&[2.0], 3), 8.0);
            /// assert_eq!(OpKind::Sigmoid.plain(&[0.0], 0), 0.5);
            /// ```
            ///
            /// # Panics
            ///
            /// If `operands` is shorter than the operation's
            /// [`Shape::differentiable_operands`], or if the operation exists
            /// only on arrays ([`Operation::arrays_only`]).
            #[must_use]
            pub fn plain<T: Float>(self, operands: &[T], exponent: i32) -> T {
                match self {
                    $(Self::$kind => operations!(@plain [$($tier)?] $syntax $spelling $shape, operands, exponent),)+
                }
            }
        }
    };
    // The array layers are linked where they exist, with the feature.
    (@layer_link $layer:ident) => { concat!("[`", stringify!($layer), "`]") };
    (@layer_link $layer:ident arrays) => {
        concat!("`array::", stringify!($layer), "` (feature `ndarray`, over arrays only)")
    };
    (@arrays) => { false };
    (@arrays arrays) => { true };
    (@plain [arrays] $syntax:ident $spelling:tt $shape:ident, $x:ident, $n:ident) => {
        arrays_only(stringify!($spelling))
    };
    (@plain [] Infix $op:tt Binary, $x:ident, $n:ident) => { $x[0] $op $x[1] };
    (@plain [] Prefix $op:tt Unary, $x:ident, $n:ident) => { $op $x[0] };
    (@plain [] Method $method:ident Unary, $x:ident, $n:ident) => { $x[0].$method() };
    (@plain [] Method $method:ident UnaryInt, $x:ident, $n:ident) => { $x[0].$method($n) };
    (@plain [] Method $method:ident Binary, $x:ident, $n:ident) => { $x[0].$method($x[1]) };
    (@plain [] Function $function:ident Unary, $x:ident, $n:ident) => { crate::activation::$function($x[0]) };
    (@evaluate [arrays] $shape:ident $layer:ident, $operands:ident, $exponent:ident, $dout:ident) => {
        arrays_only(stringify!($layer))
    };
    (@adjoint) => { None };
    (@adjoint |$dout:ident, $x:ident, $y:ident, $z:ident, $one:ident| [$($gradient:expr),+]) => {
        Some(Adjoint {
            names: [stringify!($dout), stringify!($x), stringify!($y), stringify!($z), stringify!($one)],
            gradients: &[$(stringify!($gradient)),+],
        })
    };
    (@run_adjoint $operands:ident, $value:ident, $dout_value:ident) => { None };
    (@run_adjoint $operands:ident, $value:ident, $dout_value:ident, |$dout:ident, $x:ident, $y:ident, $z:ident, $one:ident| [$($gradient:expr),+]) => {{
        let ($dout, $x, $y, $z, $one) = (
            $dout_value,
            $operands[0],
            $operands.get(1).copied().unwrap_or_else(T::zero),
            $value,
            T::one(),
        );
        let mut gradients = [T::zero(); 2];
        for (gradient, value) in gradients.iter_mut().zip([$($gradient),+]) {
            *gradient = value;
        }
        Some(gradients)
    }};
    (@or $given:expr, $default:expr) => { $given };
    (@or , $default:expr) => { $default };
    (@domain [($low:expr, $high:expr)] $($mirrored:ident)?) => {
        operations!(@domain [($low, $high), (0.0, 0.0)] $($mirrored)?)
    };
    (@domain [($low0:expr, $high0:expr), ($low1:expr, $high1:expr)]) => {
        Domain { operands: [($low0, $high0), ($low1, $high1)], mirrored: false }
    };
    (@domain [($low0:expr, $high0:expr), ($low1:expr, $high1:expr)] mirrored) => {
        Domain { operands: [($low0, $high0), ($low1, $high1)], mirrored: true }
    };
    (@evaluate [] Unary $layer:ident, $operands:ident, $exponent:ident, $dout:ident) => {{
        let mut layer = $layer::new();
        let value = layer.forward($operands[0]);
        (value, [layer.backward($dout), T::zero()])
    }};
    (@evaluate [] UnaryInt $layer:ident, $operands:ident, $exponent:ident, $dout:ident) => {{
        let mut layer = $layer::new();
        let value = layer.forward($operands[0], $exponent);
        (value, [layer.backward($dout), T::zero()])
    }};
    (@evaluate [] Binary $layer:ident, $operands:ident, $exponent:ident, $dout:ident) => {{
        let mut layer = $layer::new();
        let value = layer.forward($operands[0], $operands[1]);
        let (dx, dy) = layer.backward($dout);
        (value, [dx, dy])
    }};
}

// One line per operation: kind => layer, how a formula writes it (with a name
// and the book's symbol for operators), its operands, where it is smooth, and
// its derivatives; for an operator, its backward as arithmetic (`Adjoint`).
// The spelling is a token, not a string, so that the same line also says
// what plain Rust computes (`OpKind::plain`).
operations! {
    Add => AddLayer, Infix + (add, "+"), Binary, smooth [(-3.0, 3.0), (-3.0, 3.0)], "d/dx = 1, d/dy = 1",
        adjoint |dout, _x, _y, _z, _one| [dout, dout];
    Sub => SubLayer, Infix - (sub, "−"), Binary, smooth [(-3.0, 3.0), (-3.0, 3.0)], "d/dx = 1, d/dy = -1",
        adjoint |dout, _x, _y, _z, _one| [dout, -dout];
    Mul => MulLayer, Infix * (mul, "×"), Binary, smooth [(-3.0, 3.0), (-3.0, 3.0)], "d/dx = y, d/dy = x",
        adjoint |dout, x, y, _z, _one| [dout * y, dout * x];
    Div => DivLayer, Infix / (div, "÷"), Binary, smooth [(0.1, 3.0), (0.1, 3.0)] mirrored, "d/dx = 1/y, d/dy = -x/y²",
        adjoint |dout, _x, y, z, _one| [dout / y, -(dout / y * z)];
    Neg => NegLayer, Prefix - (neg, "−"), Unary, smooth [(-3.0, 3.0)], "d/dx = -1",
        adjoint |dout, _x, _y, _z, _one| [-dout];
    Exp => ExpLayer, Method exp, Unary, smooth [(-3.0, 3.0)], "d/dx = eˣ",
        adjoint |dout, _x, _y, z, _one| [dout * z];
    Exp2 => Exp2Layer, Method exp2, Unary, smooth [(-3.0, 3.0)], "d/dx = 2ˣ ln 2";
    ExpM1 => ExpM1Layer, Method exp_m1, Unary, smooth [(-3.0, 3.0)], "d/dx = eˣ",
        adjoint |dout, _x, _y, z, one| [dout * (z + one)];
    Ln => LnLayer, Method ln, Unary, smooth [(0.1, 10.0)], "d/dx = 1/x",
        adjoint |dout, x, _y, _z, _one| [dout / x];
    Ln1p => Ln1pLayer, Method ln_1p, Unary, smooth [(-0.9, 10.0)], "d/dx = 1/(1 + x)",
        adjoint |dout, x, _y, _z, one| [dout / (one + x)];
    Log2 => Log2Layer, Method log2, Unary, smooth [(0.1, 10.0)], "d/dx = 1/(x ln 2)";
    Log10 => Log10Layer, Method log10, Unary, smooth [(0.1, 10.0)], "d/dx = 1/(x ln 10)";
    Log => LogLayer, Method log, Binary, smooth [(0.1, 10.0), (1.5, 10.0)], "d/dx = 1/(x ln b), d/db = -ln x/(b ln² b)";
    Sqrt => SqrtLayer, Method sqrt, Unary, smooth [(0.1, 10.0)], "d/dx = 1/(2√x)",
        adjoint |dout, _x, _y, z, _one| [dout / (z + z)];
    Cbrt => CbrtLayer, Method cbrt, Unary, smooth [(0.1, 3.0)] mirrored, "d/dx = 1/(3∛x²)";
    Powi => PowiLayer, Method powi, UnaryInt, smooth [(0.1, 3.0)], "d/dx = n xⁿ⁻¹ (the i32 exponent n gets no gradient)";
    Powf => PowfLayer, Method powf, Binary, smooth [(0.1, 3.0), (-2.0, 2.0)], "d/dx = y xʸ⁻¹ (0 for y = 0), d/dy = xʸ ln x (0 at x = 0)";
    Recip => RecipLayer, Method recip, Unary, smooth [(0.1, 3.0)] mirrored, "d/dx = -1/x²",
        adjoint |dout, _x, _y, z, _one| [-(dout * z * z)];
    Sin => SinLayer, Method sin, Unary, smooth [(-3.0, 3.0)], "d/dx = cos x",
        adjoint |dout, x, _y, _z, _one| [dout * x.cos()];
    Cos => CosLayer, Method cos, Unary, smooth [(-3.0, 3.0)], "d/dx = -sin x",
        adjoint |dout, x, _y, _z, _one| [-(dout * x.sin())];
    Tan => TanLayer, Method tan, Unary, smooth [(-1.3, 1.3)], "d/dx = 1 + tan² x",
        adjoint |dout, _x, _y, z, one| [dout * (one + z * z)];
    Asin => AsinLayer, Method asin, Unary, smooth [(-0.9, 0.9)], "d/dx = 1/√(1 - x²)",
        adjoint |dout, x, _y, _z, one| [dout / (one - x * x).sqrt()];
    Acos => AcosLayer, Method acos, Unary, smooth [(-0.9, 0.9)], "d/dx = -1/√(1 - x²)",
        adjoint |dout, x, _y, _z, one| [-(dout / (one - x * x).sqrt())];
    Atan => AtanLayer, Method atan, Unary, smooth [(-3.0, 3.0)], "d/dx = 1/(1 + x²)",
        adjoint |dout, x, _y, _z, one| [dout / (one + x * x)];
    Atan2 => Atan2Layer, Method atan2, Binary, smooth [(0.1, 3.0), (0.1, 3.0)] mirrored, "d/dy = x/(x² + y²), d/dx = -y/(x² + y²) for y.atan2(x)";
    Sinh => SinhLayer, Method sinh, Unary, smooth [(-3.0, 3.0)], "d/dx = cosh x",
        adjoint |dout, x, _y, _z, _one| [dout * x.cosh()];
    Cosh => CoshLayer, Method cosh, Unary, smooth [(-3.0, 3.0)], "d/dx = sinh x",
        adjoint |dout, x, _y, _z, _one| [dout * x.sinh()];
    Tanh => TanhLayer, Method tanh, Unary, smooth [(-3.0, 3.0)], "d/dx = 1 - tanh² x",
        adjoint |dout, _x, _y, z, one| [dout * (one - z * z)];
    Asinh => AsinhLayer, Method asinh, Unary, smooth [(-3.0, 3.0)], "d/dx = 1/√(x² + 1)",
        adjoint |dout, x, _y, _z, one| [dout / (x * x + one).sqrt()];
    Acosh => AcoshLayer, Method acosh, Unary, smooth [(1.1, 5.0)], "d/dx = 1/√(x² - 1)",
        adjoint |dout, x, _y, _z, one| [dout / (x * x - one).sqrt()];
    Atanh => AtanhLayer, Method atanh, Unary, smooth [(-0.9, 0.9)], "d/dx = 1/(1 - x²)",
        adjoint |dout, x, _y, _z, one| [dout / (one - x * x)];
    Abs => AbsLayer, Method abs, Unary, smooth [(0.1, 3.0)] mirrored, "d/dx = sign x (0 at x = 0)";
    Max => MaxLayer, Method max, Binary, smooth [(-3.0, -0.1), (0.1, 3.0)], "the gradient goes to the larger operand (half each on a tie)";
    Min => MinLayer, Method min, Binary, smooth [(-3.0, -0.1), (0.1, 3.0)], "the gradient goes to the smaller operand (half each on a tie)";
    Hypot => HypotLayer, Method hypot, Binary, smooth [(0.1, 3.0), (0.1, 3.0)] mirrored, "d/dx = x/r, d/dy = y/r (0 at the origin)";
    Sigmoid => SigmoidLayer, Function sigmoid, Unary, smooth [(-3.0, 3.0)], "d/dx = (1 - σ(x)) σ(x)",
        adjoint |dout, _x, _y, z, one| [dout * (one - z) * z];
    Relu => ReluLayer, Function relu, Unary, smooth [(0.1, 3.0)] mirrored, "d/dx = 1 for x > 0, else 0 (relu'(0) = 0)";
    Dot => Dot, Method dot, Binary [arrays], smooth [(-3.0, 3.0), (-3.0, 3.0)], "d/da = dout · bᵀ, d/db = aᵀ · dout (matrices; outer products for vectors)";
    Transpose => Transpose, Method t, Unary [arrays], smooth [(-3.0, 3.0)], "d/da = doutᵀ";
    Sum => Sum, Method sum, Unary [arrays], smooth [(-3.0, 3.0)], "d/da = dout for every element";
    Softmax => Softmax, Function softmax, Unary [arrays], smooth [(-3.0, 3.0)], "d/dx = y ⊙ (dout - Σ dout ⊙ y), row by row";
    SoftmaxCrossEntropy => SoftmaxCrossEntropy, Function softmax_cross_entropy, UnaryLabels [arrays], smooth [(-3.0, 3.0)], "d/dx = dout (softmax(x) - onehot(labels)) / rows (labels get none)";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_syntax_is_spelled_once() {
        for (i, a) in OPERATIONS.iter().enumerate() {
            for b in &OPERATIONS[i + 1..] {
                assert_ne!(a.syntax, b.syntax, "{:?} and {:?}", a.kind, b.kind);
            }
        }
    }

    #[test]
    fn every_name_is_unique_and_found() {
        for op in OPERATIONS {
            assert_eq!(Operation::named(op.name), Some(op), "{}", op.name);
        }
    }

    #[test]
    fn every_domain_has_room() {
        for op in OPERATIONS {
            for i in 0..op.shape.differentiable_operands() {
                let (low, high) = op.smooth.operands[i];
                assert!(low < high, "{:?} operand {i}", op.kind);
            }
        }
    }

    /// A consistency check between two columns of the table: an
    /// operator's arithmetic backward and its layer's backward agree bit
    /// for bit, at points of its domain and of both signs.
    #[test]
    fn every_adjoint_is_the_layers_backward() {
        let mut checked = 0;
        for op in OPERATIONS.iter().filter(|op| op.adjoint.is_some()) {
            for unit in [[0.0, 0.5], [0.3, 0.9], [0.71, 0.13]] {
                for negate in [[false, false], [true, false], [false, true], [true, true]] {
                    let operands = op.smooth.point(unit, negate);
                    let dout = -1.7;
                    let (value, by_layer) = op.kind.evaluate(&operands, 0, dout);
                    let by_adjoint = op.kind.adjoint(&operands, value, dout);
                    assert_eq!(
                        by_adjoint.map(|gradients| gradients.map(f64::to_bits)),
                        Some(by_layer.map(f64::to_bits)),
                        "{:?} at {operands:?}",
                        op.kind
                    );
                    #[allow(clippy::cast_possible_truncation)]
                    let operands = operands.map(|operand| operand as f32);
                    let (value, by_layer) = op.kind.evaluate(&operands, 0, -1.7_f32);
                    let by_adjoint = op.kind.adjoint(&operands, value, -1.7_f32);
                    assert_eq!(
                        by_adjoint.map(|gradients| gradients.map(f32::to_bits)),
                        Some(by_layer.map(f32::to_bits)),
                        "{:?} at {operands:?} in f32",
                        op.kind
                    );
                    checked += 1;
                }
            }
        }
        // The five operators and nineteen one-operand methods, at twelve
        // points each.
        assert_eq!(checked, 24 * 12);
    }

    #[test]
    fn operation_returns_the_table_entry() {
        for op in OPERATIONS {
            assert_eq!(op.kind.operation(), op);
        }
    }
}
