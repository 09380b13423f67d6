//! Every entry of the operation table, run through its layer by
//! `OpKind::evaluate`, against central finite differences. A new operation is
//! covered as soon as it has a domain below (the match has no wildcard).

use grad_core::ops::{OPERATIONS, OpKind, Shape};
use proptest::prelude::*;

/// Where each operation is smooth: ranges for the operands, away from poles
/// and kinks (the sign of each operand is randomised where `signed`).
fn domain(kind: OpKind) -> ([(f64, f64); 2], bool) {
    use OpKind::*;
    match kind {
        Add | Sub | Mul | Neg | Exp | Exp2 | ExpM1 | Sin | Cos | Atan | Sinh | Cosh | Tanh
        | Asinh | Sigmoid => ([(-3.0, 3.0), (-3.0, 3.0)], false),
        Div | Recip | Cbrt | Abs | Relu | Atan2 | Hypot => ([(0.1, 3.0), (0.1, 3.0)], true),
        Ln | Log2 | Log10 | Sqrt => ([(0.1, 10.0), (0.1, 10.0)], false),
        Log => ([(0.1, 10.0), (1.5, 10.0)], false),
        Ln1p => ([(-0.9, 10.0), (0.0, 0.0)], false),
        Powi | Powf => ([(0.1, 3.0), (-2.0, 2.0)], false),
        Tan => ([(-1.3, 1.3), (0.0, 0.0)], false),
        Asin | Acos | Atanh => ([(-0.9, 0.9), (0.0, 0.0)], false),
        Acosh => ([(1.1, 5.0), (0.0, 0.0)], false),
        Max | Min => ([(-3.0, -0.1), (0.1, 3.0)], false),
    }
}

fn point(kind: OpKind, unit: [f64; 2], signs: [bool; 2]) -> [f64; 2] {
    let (ranges, signed) = domain(kind);
    let mut point = [0.0; 2];
    for i in 0..2 {
        let (lo, hi) = ranges[i];
        let x = lo + (hi - lo) * unit[i];
        point[i] = if signed && signs[i] { -x } else { x };
    }
    point
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]
    #[test]
    fn every_layer_matches_central_differences(unit in [0.0..1.0f64, 0.0..1.0f64], signs in [any::<bool>(), any::<bool>()]) {
        for op in OPERATIONS {
            let x = point(op.kind, unit, signs);
            let exponent = 3;
            let (value, grads) = op.kind.evaluate(&x, exponent, 1.0);
            let f = |operands: &[f64]| op.kind.evaluate(operands, exponent, 1.0).0;
            for i in 0..op.shape.differentiable_operands() {
                let h = 1e-6 * x[i].abs().max(1.0);
                let (mut above, mut below) = (x, x);
                above[i] += h;
                below[i] -= h;
                let numerical = (f(&above) - f(&below)) / (2.0 * h);
                let scale = numerical.abs().max(1.0);
                prop_assert!(
                    (grads[i] - numerical).abs() <= 1e-6 * scale,
                    "{:?} at {:?}: value {}, analytic {}, numerical {}", op.kind, x, value, grads[i], numerical
                );
            }
            if op.shape == Shape::Unary || op.shape == Shape::UnaryInt {
                prop_assert_eq!(grads[1], 0.0);
            }
        }
    }
}
