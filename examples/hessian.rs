//! Second derivatives of Rosenbrock's function: the backward pass that
//! `grad!` writes, run on dual numbers, gives Hessian-vector products; two of
//! them give the Hessian, compared here with the analytic one.
//!
//! Run with `cargo run --example hessian`.

use autodiff::F1;
use grad::{Float, constant, grad};

grad! {
    /// Rosenbrock's banana function, generic over the scalar type.
    fn rosenbrock<T: Float>(x: T, y: T) -> T {
        let a = T::one() - x;
        let b = y - x * x;
        a * a + constant::<T>(100.0) * b * b
    }
}

fn main() {
    let mut worst: f64 = 0.0;
    for (x, y) in [(1.0, 1.0), (-1.2, 1.0), (0.5, -2.0), (2.0, 3.5)] {
        // Seeding x and y with the direction v makes every gradient carry H v.
        let column = |v: [f64; 2]| {
            let (_, d) = rosenbrock_grad(F1::new(x, v[0]), F1::new(y, v[1]));
            [d.x.deriv(), d.y.deriv()]
        };
        let (hx, hy) = (column([1.0, 0.0]), column([0.0, 1.0]));
        let analytic = [
            [2.0 - 400.0 * y + 1200.0 * x * x, -400.0 * x],
            [-400.0 * x, 200.0],
        ];
        println!(
            "at ({x:5}, {y:5}): H = [[{:8.1}, {:6.1}], [{:6.1}, {:5.1}]]  analytic [[{:8.1}, {:6.1}], [{:6.1}, {:5.1}]]",
            hx[0],
            hy[0],
            hx[1],
            hy[1],
            analytic[0][0],
            analytic[0][1],
            analytic[1][0],
            analytic[1][1]
        );
        for (got, want) in [
            (hx[0], analytic[0][0]),
            (hy[0], analytic[0][1]),
            (hx[1], analytic[1][0]),
            (hy[1], analytic[1][1]),
        ] {
            worst = worst.max((got - want).abs());
        }
    }
    println!("largest difference from the analytic Hessian: {worst:e}");
    println!("rosenbrock(1, 1) = {}", rosenbrock(1.0, 1.0));
}
