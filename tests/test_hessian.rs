//! Second derivatives: `grad!` functions are generic over `num_traits::Float`,
//! so running the backward pass on dual numbers (forward mode over reverse
//! mode) gives Hessian-vector products, and `n` of them the Hessian.
//! The dual numbers are `autodiff::F1`.

use autodiff::F1;
use grad::{Float, constant, grad};

grad! {
    fn rosenbrock<T: Float>(x: T, y: T) -> T {
        let a = T::one() - x;
        let b = y - x * x;
        a * a + constant::<T>(100.0) * b * b
    }
}

/// The Hessian of Rosenbrock: [[2 - 400y + 1200x², -400x], [-400x, 200]].
fn analytic_hessian(x: f64, y: f64) -> [[f64; 2]; 2] {
    [
        [2.0 - 400.0 * y + 1200.0 * x * x, -400.0 * x],
        [-400.0 * x, 200.0],
    ]
}

/// H v: the derivative of the gradient along `v`.
fn hessian_vector_product(x: f64, y: f64, v: [f64; 2]) -> [f64; 2] {
    let (_, d) = rosenbrock_grad(F1::new(x, v[0]), F1::new(y, v[1]));
    [d.x.deriv(), d.y.deriv()]
}

#[test]
fn the_hessian_of_rosenbrock_matches_the_analytic_one() {
    for (x, y) in [(1.0, 1.0), (-1.2, 1.0), (0.0, 0.0), (0.5, -2.0), (2.0, 3.5)] {
        let columns = [
            hessian_vector_product(x, y, [1.0, 0.0]),
            hessian_vector_product(x, y, [0.0, 1.0]),
        ];
        let want = analytic_hessian(x, y);
        for i in 0..2 {
            for j in 0..2 {
                let got = columns[j][i];
                assert!(
                    (got - want[i][j]).abs() <= 1e-12 * want[i][j].abs().max(1.0),
                    "H[{i}][{j}] at ({x}, {y}): {got} vs {}",
                    want[i][j]
                );
            }
        }
    }
}

#[test]
fn the_value_and_gradient_parts_are_the_plain_ones() {
    let (value, d) = rosenbrock_grad(F1::new(-1.2, 1.0), F1::new(1.0, 0.0));
    let (plain_value, plain) = rosenbrock_grad(-1.2, 1.0);
    assert_eq!(value.value(), plain_value);
    assert_eq!(plain_value, rosenbrock(-1.2, 1.0));
    assert_eq!((d.x.value(), d.y.value()), (plain.x, plain.y));
}
