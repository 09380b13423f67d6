//! Classic optimisation test functions, whose gradients are known in closed
//! form (written above each assertion) and vanish at their minima.

use grad::grad;
use proptest::prelude::*;

grad! {
    /// Rosenbrock: minimum 0 at (1, 1).
    fn rosenbrock(x: f64, y: f64) -> f64 {
        (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
    }

    /// Beale: minimum 0 at (3, 0.5).
    fn beale(x: f64, y: f64) -> f64 {
        (1.5 - x + x * y).powi(2) + (2.25 - x + x * y * y).powi(2) + (2.625 - x + x * y * y * y).powi(2)
    }

    /// Booth: minimum 0 at (1, 3).
    fn booth(x: f64, y: f64) -> f64 {
        (x + 2.0 * y - 7.0).powi(2) + (2.0 * x + y - 5.0).powi(2)
    }

    /// Himmelblau: four minima, one at (3, 2).
    fn himmelblau(x: f64, y: f64) -> f64 {
        let a = x * x + y - 11.0;
        let b = x + y * y - 7.0;
        a * a + b * b
    }
}

fn assert_close(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "got {got}, want {want}"
    );
}

#[test]
fn gradients_vanish_at_the_minima() {
    assert_eq!(
        rosenbrock_grad(1.0, 1.0),
        (0.0, RosenbrockGrad { x: 0.0, y: 0.0 })
    );
    assert_eq!(booth_grad(1.0, 3.0), (0.0, BoothGrad { x: 0.0, y: 0.0 }));
    assert_eq!(
        (beale(3.0, 0.5), booth(1.0, 3.0), himmelblau(3.0, 2.0)),
        (0.0, 0.0, 0.0)
    );
    let (value, d) = beale_grad(3.0, 0.5);
    assert_eq!((value, d.x, d.y), (0.0, 0.0, 0.0));
    let (value, d) = himmelblau_grad(3.0, 2.0);
    assert_eq!((value, d.x, d.y, d.a, d.b), (0.0, 0.0, 0.0, 0.0, 0.0));
}

proptest! {
    #[test]
    fn rosenbrock_matches_its_analytic_gradient(x in -3.0..3.0f64, y in -3.0..3.0f64) {
        let (value, d) = rosenbrock_grad(x, y);
        assert_eq!(value, rosenbrock(x, y));
        // d/dx = -2(1 - x) - 400 x (y - x²), d/dy = 200 (y - x²)
        assert_close(d.x, -2.0 * (1.0 - x) - 400.0 * x * (y - x * x));
        assert_close(d.y, 200.0 * (y - x * x));
    }

    #[test]
    fn beale_matches_its_analytic_gradient(x in -4.5..4.5f64, y in -4.5..4.5f64) {
        let (_, d) = beale_grad(x, y);
        let (a, b, c) = (1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y * y * y);
        // d/dx = 2a(y - 1) + 2b(y² - 1) + 2c(y³ - 1), d/dy = 2a x + 4b x y + 6c x y²
        assert_close(d.x, 2.0 * a * (y - 1.0) + 2.0 * b * (y * y - 1.0) + 2.0 * c * (y * y * y - 1.0));
        assert_close(d.y, 2.0 * a * x + 4.0 * b * x * y + 6.0 * c * x * y * y);
    }

    #[test]
    fn booth_matches_its_analytic_gradient(x in -10.0..10.0f64, y in -10.0..10.0f64) {
        let (_, d) = booth_grad(x, y);
        let (a, b) = (x + 2.0 * y - 7.0, 2.0 * x + y - 5.0);
        // d/dx = 2a + 4b, d/dy = 4a + 2b
        assert_close(d.x, 2.0 * a + 4.0 * b);
        assert_close(d.y, 4.0 * a + 2.0 * b);
    }

    #[test]
    fn himmelblau_matches_its_analytic_gradient(x in -5.0..5.0f64, y in -5.0..5.0f64) {
        let (_, d) = himmelblau_grad(x, y);
        let (a, b) = (x * x + y - 11.0, x + y * y - 7.0);
        // d/dx = 4x a + 2b, d/dy = 2a + 4y b; d/da = 2a, d/db = 2b
        assert_close(d.x, 4.0 * x * a + 2.0 * b);
        assert_close(d.y, 2.0 * a + 4.0 * y * b);
        assert_close(d.a, 2.0 * a);
        assert_close(d.b, 2.0 * b);
    }
}

#[test]
fn gradient_descent_finds_booths_minimum() {
    let (mut x, mut y) = (0.0, 0.0);
    for _ in 0..500 {
        let (_, d) = booth_grad(x, y);
        x -= 0.05 * d.x;
        y -= 0.05 * d.y;
    }
    assert!(
        (x - 1.0).abs() < 1e-9 && (y - 3.0).abs() < 1e-9,
        "({x}, {y})"
    );
}
