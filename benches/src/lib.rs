//! Benchmarks of `grad!` against the other ways to get a gradient.
//!
//! Each benchmarked formula is a module ([`seed`], [`rosen2`], [`rosen10`],
//! [`rosen100`], [`dag1000`]) generated at build time by [`emit`] from
//! `grad-generator`. Each
//! module has the same measured functions, all `fn(&[f64; N], &mut [f64; N]) -> f64`
//! (the point in, the gradient out, the value returned) and all
//! `#[inline(never)]`, so criterion and callgrind measure exactly one call:
//!
//! | function | what it does |
//! |---|---|
//! | `forward` | the plain function `grad!` leaves in place (no gradient) |
//! | `grad_macro` | `name_grad` from `grad!`'s function form |
//! | `grad_inline` | the formula inline in `grad!`, its `backward(1.0)` |
//! | `grad_named` | the same, its output naming the scalar (`y: f64 = ..`) |
//! | `hand` | the hand-written adjoint |
//! | `finite_differences` | central differences: `2 n` calls of the plain function |
//! | `num_dual` | forward mode: `n` passes with `num_dual::Dual64` |
//! | `easy_ml` | a runtime tape: `easy_ml::differentiation::Record` |
//! | `symdiff` / `symdiff_gradient` | `#[symdiff::gradient]`: value and gradient / gradient only |
//! | `reverse`, `ad_trait` | the other runtime tapes (feature `all-tapes`) |

use std::ops::{Add, Mul, Sub};

pub mod emit;
pub mod loops;
pub mod network;

/// What the generic form of a formula needs from its scalar type. Implemented
/// for `f64`, the dual numbers and the runtime tapes' variables.
pub trait Scalar: Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> {
    /// `self.sin()`
    #[must_use]
    fn sin(self) -> Self;
    /// `self.tanh()`
    #[must_use]
    fn tanh(self) -> Self;
    /// `self.exp()`
    #[must_use]
    fn exp(self) -> Self;
    /// `self * self`
    #[must_use]
    fn square(self) -> Self {
        self * self
    }
    /// `c * self`
    #[must_use]
    fn scale(self, c: f64) -> Self;
    /// `c - self`
    #[must_use]
    fn const_sub(self, c: f64) -> Self;
}

impl Scalar for f64 {
    fn sin(self) -> Self {
        f64::sin(self)
    }
    fn tanh(self) -> Self {
        f64::tanh(self)
    }
    fn exp(self) -> Self {
        f64::exp(self)
    }
    fn scale(self, c: f64) -> Self {
        c * self
    }
    fn const_sub(self, c: f64) -> Self {
        c - self
    }
}

impl Scalar for num_dual::Dual64 {
    #[inline]
    fn sin(self) -> Self {
        num_dual::DualNum::sin(&self)
    }
    #[inline]
    fn tanh(self) -> Self {
        num_dual::DualNum::tanh(&self)
    }
    #[inline]
    fn exp(self) -> Self {
        num_dual::DualNum::exp(&self)
    }
    #[inline]
    fn scale(self, c: f64) -> Self {
        self * c
    }
    #[inline]
    fn const_sub(self, c: f64) -> Self {
        -self + c
    }
}

/// easy-ml's scalar tape variable.
pub type EasyMlRecord<'a> = easy_ml::differentiation::Record<'a, f64>;

impl Scalar for EasyMlRecord<'_> {
    #[inline]
    fn sin(self) -> Self {
        easy_ml::numeric::extra::Sin::sin(self)
    }
    /// easy-ml has no `tanh`; its documented way is `unary` with the derivative.
    #[inline]
    fn tanh(self) -> Self {
        let y = self.unary(f64::tanh, |x| {
            let t = x.tanh();
            1.0 - t * t
        });
        // `unary` ties the result to the borrow of `self`; give it back the list's lifetime.
        Self::from_existing((y.number, y.index), self.history())
    }
    #[inline]
    fn exp(self) -> Self {
        easy_ml::numeric::extra::Exp::exp(self)
    }
    #[inline]
    fn scale(self, c: f64) -> Self {
        self * c
    }
    #[inline]
    fn const_sub(self, c: f64) -> Self {
        easy_ml::differentiation::record_operations::SwappedOperations::sub_swapped(self, c)
    }
}

#[cfg(feature = "all-tapes")]
impl Scalar for reverse::Var<'_> {
    #[inline]
    fn sin(self) -> Self {
        reverse::Var::sin(&self)
    }
    #[inline]
    fn tanh(self) -> Self {
        reverse::Var::tanh(&self)
    }
    #[inline]
    fn exp(self) -> Self {
        reverse::Var::exp(&self)
    }
    #[inline]
    fn scale(self, c: f64) -> Self {
        self * c
    }
    #[inline]
    fn const_sub(self, c: f64) -> Self {
        c - self
    }
}

/// `sin`, `tanh`, `exp` of ad_trait's types come from simba's `ComplexField`,
/// a supertrait of `AD`, reachable through the bound.
#[cfg(feature = "all-tapes")]
mod ad_trait_ops {
    #[inline]
    pub fn sin<T: ad_trait::AD>(x: T) -> T {
        x.sin()
    }
    #[inline]
    pub fn tanh<T: ad_trait::AD>(x: T) -> T {
        x.tanh()
    }
    #[inline]
    pub fn exp<T: ad_trait::AD>(x: T) -> T {
        x.exp()
    }
}

#[cfg(feature = "all-tapes")]
impl Scalar for ad_trait::reverse_ad::adr::adr {
    #[inline]
    fn sin(self) -> Self {
        ad_trait_ops::sin(self)
    }
    #[inline]
    fn tanh(self) -> Self {
        ad_trait_ops::tanh(self)
    }
    #[inline]
    fn exp(self) -> Self {
        ad_trait_ops::exp(self)
    }
    #[inline]
    fn scale(self, c: f64) -> Self {
        ad_trait::AD::mul_scalar(c, self)
    }
    #[inline]
    fn const_sub(self, c: f64) -> Self {
        ad_trait::AD::sub_l_scalar(c, self)
    }
}

/// A measured function: the point in, the gradient out, the value returned
/// (NaN for a method that does not compute the value).
pub type Method<const N: usize> = fn(&[f64; N], &mut [f64; N]) -> f64;

/// One benchmarked formula and its methods.
pub struct Problem<const N: usize> {
    /// Its name in tables and on the command line.
    pub name: &'static str,
    /// The number of operations in its graph.
    pub operations: usize,
    /// The point where the gradient is taken.
    pub point: [f64; N],
    /// `(id, function)` for each method, `hand` first.
    pub methods: Vec<(&'static str, Method<N>)>,
}

impl<const N: usize> Problem<N> {
    /// The method with this id.
    #[must_use]
    pub fn method(&self, id: &str) -> Option<Method<N>> {
        self.methods
            .iter()
            .find(|(name, _)| *name == id)
            .map(|&(_, f)| f)
    }

    /// Checks every method's value and gradient against the hand-written
    /// adjoint; returns one line per method.
    ///
    /// # Errors
    ///
    /// The report, when a method disagrees.
    pub fn check(&self) -> Result<Vec<String>, Vec<String>> {
        let mut reference = [0.0; N];
        let value = (self
            .method("hand")
            .expect("every problem has a hand-written adjoint"))(
            &self.point, &mut reference
        );
        let mut lines = Vec::new();
        let mut ok = true;
        for &(id, f) in &self.methods {
            let mut g = [f64::NAN; N];
            let v = f(&self.point, &mut g);
            let relative = |a: f64, b: f64| (a - b).abs() / a.abs().max(b.abs()).max(1.0);
            let value_error = if v.is_nan() { 0.0 } else { relative(v, value) };
            let gradient_error = if id == "forward" {
                0.0
            } else {
                g.iter()
                    .zip(&reference)
                    .map(|(&a, &b)| relative(a, b))
                    .fold(
                        0.0,
                        |m: f64, e| if e.is_nan() { f64::INFINITY } else { m.max(e) },
                    )
            };
            let tolerance = if id == "finite_differences" {
                1e-5
            } else {
                1e-9
            };
            let good = value_error <= 1e-12 && gradient_error <= tolerance;
            ok &= good;
            lines.push(format!(
                "{:<9} {:<20} value error {value_error:.1e}  gradient error {gradient_error:.1e}  {}",
                self.name,
                id,
                if good { "ok" } else { "WRONG" }
            ));
        }
        if ok { Ok(lines) } else { Err(lines) }
    }
}

/// Central differences, `(f(x + h e_i) - f(x - h e_i)) / 2h` with
/// `h = cbrt(eps) * max(1, |x_i|)`: `2 n` calls of `f`. Returns NaN (it does
/// not evaluate `f(x)` itself).
#[inline(always)]
pub fn central_differences<const N: usize>(
    f: impl Fn(&[f64; N]) -> f64,
    x: &[f64; N],
    g: &mut [f64; N],
) -> f64 {
    let mut xs = *x;
    for i in 0..N {
        let h = 6.055_454_452_393_343e-6 * x[i].abs().max(1.0);
        xs[i] = x[i] + h;
        let up = f(&xs);
        xs[i] = x[i] - h;
        let down = f(&xs);
        xs[i] = x[i];
        g[i] = (up - down) / (2.0 * h);
    }
    f64::NAN
}

/// Forward mode: `n` passes of `f` over `Dual64`, one seeded input each.
#[inline(always)]
pub fn dual_passes<const N: usize>(
    f: impl Fn(&[num_dual::Dual64; N]) -> num_dual::Dual64,
    x: &[f64; N],
    g: &mut [f64; N],
) -> f64 {
    let mut xs = x.map(num_dual::Dual64::from_re);
    let mut value = f64::NAN;
    for i in 0..N {
        xs[i].eps = 1.0;
        let y = f(&xs);
        xs[i].eps = 0.0;
        g[i] = y.eps;
        value = y.re;
    }
    value
}

thread_local! {
    /// easy-ml's tape, kept between gradients (cleared, not reallocated).
    pub static EASY_ML: easy_ml::differentiation::WengertList<f64> = easy_ml::differentiation::WengertList::new();
}

#[cfg(feature = "all-tapes")]
thread_local! {
    /// reverse's tape, kept between gradients (cleared, not reallocated).
    pub static REVERSE: reverse::Tape = reverse::Tape::new();
}

/// The gradient with easy-ml's tape: record the formula, then one backward
/// sweep over the tape.
macro_rules! easy_ml_gradient {
    ($generic:path, $x:expr, $g:expr) => {
        $crate::EASY_ML.with(|list| {
            list.clear();
            let xs: [$crate::EasyMlRecord<'_>; N] =
                ::core::array::from_fn(|i| list.variable($x[i]));
            let y = $generic(&xs);
            let d = y.derivatives();
            for (g, x) in $g.iter_mut().zip(&xs) {
                *g = d[x];
            }
            y.number
        })
    };
}

macro_rules! symdiff_methods {
    (yes) => {
        /// symdiff: the value (`name_sym`) and the gradient (`name_sym_gradient`).
        #[inline(never)]
        pub fn symdiff(x: &[f64; N], g: &mut [f64; N]) -> f64 {
            let value = sym(x);
            *g = sym_gradient(x);
            value
        }

        /// symdiff: the gradient only.
        #[inline(never)]
        pub fn symdiff_gradient(x: &[f64; N], g: &mut [f64; N]) -> f64 {
            *g = sym_gradient(x);
            f64::NAN
        }

        fn symdiff_list() -> Vec<(&'static str, $crate::Method<N>)> {
            vec![("symdiff", symdiff), ("symdiff_gradient", symdiff_gradient)]
        }
    };
    (no) => {
        fn symdiff_list() -> Vec<(&'static str, $crate::Method<N>)> {
            Vec::new()
        }
    };
}

macro_rules! problem {
    ($(#[$doc:meta])* $module:ident, $file:literal, symdiff: $sym:tt) => {
        $(#[$doc])*
        #[allow(
            missing_docs,
            clippy::too_many_arguments,
            clippy::many_single_char_names,
            clippy::unreadable_literal,
            clippy::excessive_precision,
            clippy::approx_constant
        )]
        pub mod $module {
            include!(concat!(env!("OUT_DIR"), "/", $file));

            /// `grad!` forward only: the plain function.
            #[inline(never)]
            pub fn forward(x: &[f64; N], _g: &mut [f64; N]) -> f64 {
                call(x)
            }

            /// `grad!` gradient: `name_grad`.
            #[inline(never)]
            pub fn grad_macro(x: &[f64; N], g: &mut [f64; N]) -> f64 {
                grad_into(x, g)
            }

            /// `grad!` gradient, inline form: `backward(1.0)` of the value.
            #[inline(never)]
            pub fn grad_inline(x: &[f64; N], g: &mut [f64; N]) -> f64 {
                inline_into(x, g)
            }

            /// `grad!` gradient, inline form naming its scalar (`y: f64 = ..`).
            #[inline(never)]
            pub fn grad_named(x: &[f64; N], g: &mut [f64; N]) -> f64 {
                named_into(x, g)
            }

            /// The hand-written adjoint.
            #[inline(never)]
            pub fn hand(x: &[f64; N], g: &mut [f64; N]) -> f64 {
                hand_adjoint(x, g)
            }

            /// Central finite differences on the plain function.
            #[inline(never)]
            pub fn finite_differences(x: &[f64; N], g: &mut [f64; N]) -> f64 {
                $crate::central_differences(call, x, g)
            }

            /// Forward-mode dual numbers: `n` passes of `Dual64`.
            #[inline(never)]
            pub fn num_dual(x: &[f64; N], g: &mut [f64; N]) -> f64 {
                $crate::dual_passes(generic::<::num_dual::Dual64>, x, g)
            }

            /// easy-ml's runtime tape.
            #[inline(never)]
            pub fn easy_ml(x: &[f64; N], g: &mut [f64; N]) -> f64 {
                easy_ml_gradient!(generic, x, g)
            }

            /// reverse's runtime tape.
            #[cfg(feature = "all-tapes")]
            #[inline(never)]
            pub fn reverse(x: &[f64; N], g: &mut [f64; N]) -> f64 {
                $crate::REVERSE.with(|tape| {
                    tape.clear();
                    let xs: [::reverse::Var<'_>; N] = ::core::array::from_fn(|i| tape.add_var(x[i]));
                    let y = generic(&xs);
                    let d = y.grad();
                    for (g, x) in g.iter_mut().zip(&xs) {
                        *g = ::reverse::Gradient::wrt(&d, x);
                    }
                    y.val()
                })
            }

            /// ad_trait's runtime tape (a global computation graph).
            #[cfg(feature = "all-tapes")]
            #[inline(never)]
            pub fn ad_trait(x: &[f64; N], g: &mut [f64; N]) -> f64 {
                use ::ad_trait::reverse_ad::adr::adr;
                let xs: [adr; N] = ::core::array::from_fn(|i| adr::new_variable(x[i], i == 0));
                let y = generic(&xs);
                let d = y.get_backwards_mode_grad();
                for (g, x) in g.iter_mut().zip(&xs) {
                    *g = d.wrt(x);
                }
                y.value()
            }

            symdiff_methods!($sym);

            /// This formula with all its methods.
            #[must_use]
            pub fn problem() -> $crate::Problem<N> {
                let mut methods: Vec<(&'static str, $crate::Method<N>)> = vec![
                    ("hand", hand),
                    ("grad_macro", grad_macro),
                    ("grad_inline", grad_inline),
                    ("grad_named", grad_named),
                    ("forward", forward),
                    ("finite_differences", finite_differences),
                    ("num_dual", num_dual),
                    ("easy_ml", easy_ml),
                ];
                methods.extend(symdiff_list());
                #[cfg(feature = "all-tapes")]
                methods.extend([("reverse", reverse as $crate::Method<N>), ("ad_trait", ad_trait)]);
                $crate::Problem {
                    name: stringify!($module),
                    operations: OPERATIONS,
                    point: POINT,
                    methods,
                }
            }
        }
    };
}

problem! {
    /// The seed: `price = (apple * apple_num + orange * orange_num) * tax`, 5 inputs.
    seed, "price.rs", symdiff: yes
}
problem! {
    /// Extended Rosenbrock, n = 2.
    rosen2, "rosen2.rs", symdiff: yes
}
problem! {
    /// Extended Rosenbrock, n = 10.
    rosen10, "rosen10.rs", symdiff: yes
}
problem! {
    /// Extended Rosenbrock, n = 100.
    rosen100, "rosen100.rs", symdiff: yes
}
problem! {
    /// The pseudo-random DAG: about 1,000 operations over 20 inputs.
    dag1000, "dag1000.rs", symdiff: no
}

/// Runs `$body` once per problem with `$p` bound to it (each has its own `N`).
#[macro_export]
macro_rules! for_each_problem {
    (|$p:ident| $body:block) => {{
        {
            let $p = $crate::seed::problem();
            $body
        }
        {
            let $p = $crate::rosen2::problem();
            $body
        }
        {
            let $p = $crate::rosen10::problem();
            $body
        }
        {
            let $p = $crate::rosen100::problem();
            $body
        }
        {
            let $p = $crate::dag1000::problem();
            $body
        }
    }};
}
