//! Every entry of the operation table, run through its layer by
//! `OpKind::evaluate`, against central finite differences at points of its
//! smooth domain in the table: a new operation is covered by its table line.

use grad_core::ops::{Shape, scalar_operations};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]
    #[test]
    fn every_layer_matches_central_differences(unit in [0.0..1.0f64, 0.0..1.0f64], signs in [any::<bool>(), any::<bool>()]) {
        for op in scalar_operations() {
            let x = op.smooth.point(unit, signs);
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
