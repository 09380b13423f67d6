//! Rosenbrock's function written as a loop, at N = 100 and N = 10,000: the
//! gradient `grad!` writes for it (a forward loop, then a reversed loop
//! that runs each body again and backward through it) against the same
//! reversed-loop adjoint written by hand, and against the forward loop
//! alone. Measured by `benches/loops.sh` (callgrind and criterion) and the
//! `loops` criterion benchmark.
//!
//! Unlike the `rosen*` formulas of the other benchmarks (the uncoupled
//! Rosenbrock written out term by term), this is the coupled one, each term
//! reading `x[i]` and `x[i + 1]`, and its code is one loop whatever N.

use grad::grad;

grad! {
    /// Rosenbrock's function in N dimensions, as in the design's example.
    pub fn rosenbrock<const N: usize>(x: &[f64; N]) -> f64 {
        let mut s = 0.0;
        for i in 0..N - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = 1.0 - x[i];
            s += 100.0 * a * a + b * b;
        }
        s
    }
}

/// The adjoint of [`rosenbrock`] as a person writes it: the forward loop,
/// then a loop from the end that recomputes each term's `a` and `b` and
/// adds the term's partial derivatives into the gradient.
#[inline]
pub fn rosenbrock_hand<const N: usize>(x: &[f64; N], g: &mut [f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    *g = [0.0; N];
    for i in (0..N - 1).rev() {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        // d/da (100 a²) = 200 a, d/db b² = 2 b; a = x[i+1] - x[i]², b = 1 - x[i]
        let da = 200.0 * a;
        let db = 2.0 * b;
        g[i + 1] += da;
        g[i] += -2.0 * x[i] * da - db;
    }
    s
}

/// The standard start, (-1.2, 1, -1.2, 1, ...).
#[must_use]
pub fn standard_start<const N: usize>() -> [f64; N] {
    std::array::from_fn(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
}

/// One module per N. Its submodule `measured` holds what is measured, each
/// function `#[inline(never)]`, so that criterion and callgrind measure
/// exactly one call: `forward`, `hand` and `grad_macro`, the last being
/// `rosenbrock_grad` itself, which returns the gradient in its own struct.
/// The methods around them share one signature for the harness; for
/// `grad!` that means copying the gradient out of its struct, a copy a
/// user does not make, so it happens outside the measured call.
macro_rules! loop_problem {
    ($(#[$doc:meta])* $module:ident, $n:literal) => {
        $(#[$doc])*
        pub mod $module {
            /// The number of inputs.
            pub const N: usize = $n;

            /// The measured calls (`benches/loops.sh` counts the
            /// instructions of `measured::<method>`).
            pub mod measured {
                use super::N;

                /// The forward loop alone: [`rosenbrock`](crate::loops::rosenbrock),
                /// the plain function `grad!` leaves in place.
                #[inline(never)]
                #[must_use]
                pub fn forward(x: &[f64; N]) -> f64 {
                    crate::loops::rosenbrock(x)
                }

                /// The hand-written reversed-loop adjoint.
                #[inline(never)]
                pub fn hand(x: &[f64; N], g: &mut [f64; N]) -> f64 {
                    crate::loops::rosenbrock_hand(x, g)
                }

                /// `rosenbrock_grad`: the value and the gradients struct.
                #[inline(never)]
                #[must_use]
                pub fn grad_macro(x: &[f64; N]) -> (f64, crate::loops::RosenbrockGrad<N>) {
                    crate::loops::rosenbrock_grad(x)
                }
            }

            /// The forward loop; the gradient is left as it was.
            pub fn forward(x: &[f64; N], _: &mut [f64; N]) -> f64 {
                measured::forward(x)
            }

            /// The hand-written reversed-loop adjoint.
            pub fn hand(x: &[f64; N], g: &mut [f64; N]) -> f64 {
                measured::hand(x, g)
            }

            /// `rosenbrock_grad`, then the gradient copied out of its struct.
            pub fn grad_macro(x: &[f64; N], g: &mut [f64; N]) -> f64 {
                let (value, d) = measured::grad_macro(x);
                *g = d.x;
                value
            }

            /// This size with its three methods, at the standard start.
            #[must_use]
            pub fn problem() -> $crate::Problem<N> {
                $crate::Problem {
                    name: stringify!($module),
                    // Per term: 4 multiplications, 2 subtractions, an addition
                    // and the accumulation.
                    operations: 8 * (N - 1),
                    point: super::standard_start(),
                    methods: vec![("hand", hand), ("grad_macro", grad_macro), ("forward", forward)],
                }
            }
        }
    };
}

loop_problem! {
    /// Rosenbrock as a loop, N = 100.
    loop_rosen100, 100
}
loop_problem! {
    /// Rosenbrock as a loop, N = 10,000.
    loop_rosen10000, 10000
}

/// Runs `$body` once per loop problem with `$p` bound to it (each has its own `N`).
#[macro_export]
macro_rules! for_each_loop_problem {
    (|$p:ident| $body:block) => {{
        {
            let $p = $crate::loops::loop_rosen100::problem();
            $body
        }
        {
            let $p = $crate::loops::loop_rosen10000::problem();
            $body
        }
    }};
}
