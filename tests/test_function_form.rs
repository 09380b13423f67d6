//! The function form: `name` is the user's function unchanged, `name_grad`
//! returns the value and a `NameGrad` struct.

use grad::{Float, constant, grad};

grad! {
    /// Total price with tax.
    pub fn price(apple: f64, apple_num: f64, orange: f64, orange_num: f64, tax: f64) -> f64 {
        let fruits = apple * apple_num + orange * orange_num;
        fruits * tax
    }

    /// A generic scalar works for f32, f64 and dual numbers alike.
    fn rosenbrock<T: Float>(x: T, y: T) -> T {
        let a = T::one() - x;
        let b = y - x * x;
        a * a + constant::<T>(100.0) * b * b
    }

    #[allow(clippy::let_and_return)]
    fn returns_its_own_name(x: f64) -> f64 {
        let returns_its_own_name = x.exp();
        returns_its_own_name
    }

    fn ignores_a_parameter(x: f64, _unused: f64) -> f64 {
        x * 2.0
    }
}

#[test]
fn the_plain_function_is_the_users_code() {
    assert_eq!(price(100.0, 2.0, 150.0, 3.0, 1.1), 715.0000000000001);
    assert_eq!(rosenbrock(1.0, 1.0), 0.0);
}

#[test]
fn name_grad_returns_the_value_and_the_seed_gradients() {
    let (value, d) = price_grad(100.0, 2.0, 150.0, 3.0, 1.1);
    assert_eq!(value, 715.0000000000001);
    assert_eq!(
        d,
        PriceGrad {
            apple: 2.2,
            apple_num: 110.00000000000001,
            orange: 3.3000000000000003,
            orange_num: 165.0,
            tax: 650.0,
            fruits: 1.1,
        }
    );
    assert_eq!(
        PriceGrad::NAMES,
        [
            "apple",
            "apple_num",
            "orange",
            "orange_num",
            "tax",
            "fruits"
        ]
    );
}

#[test]
fn the_gradients_type_is_named_as_written() {
    // A function over `f64` has `PriceGrad`, a generic one `RosenbrockGrad<T>`.
    let d: PriceGrad = price_grad(100.0, 2.0, 150.0, 3.0, 1.1).1;
    assert_eq!(d.tax, 650.0);
    let d: RosenbrockGrad<f32> = rosenbrock_grad(1.0_f32, 1.0).1;
    assert_eq!((d.x, d.y), (0.0, 0.0));
}

grad! {
    /// Generic parameters the scalar does not name stay on the function.
    fn scaled<T: Float, const K: usize>(x: T) -> T {
        x * x * constant::<T>(K as f64)
    }

    /// Lifetimes too; an allowed lint is allowed on the generated functions.
    #[allow(clippy::extra_unused_lifetimes)]
    fn with_lifetime<'a>(x: f64) -> f64 {
        x.sin()
    }
}

#[test]
fn generic_parameters_beyond_the_scalar() {
    // d/dx K x² = 2 K x
    let (value, d) = scaled_grad::<f64, 3>(2.0);
    assert_eq!((value, d.x), (12.0, 12.0));
    assert_eq!(scaled::<f64, 3>(2.0), 12.0);
    assert_eq!(with_lifetime_grad(0.0).1.x, 1.0);
    let _ = with_lifetime(0.0);
}

#[test]
fn generic_functions_differentiate_in_f32_and_f64() {
    // d/dx = -2(1 - x) - 400 x (y - x²), d/dy = 200 (y - x²)
    let (x, y) = (-1.2_f64, 1.0_f64);
    let (value, d) = rosenbrock_grad(x, y);
    assert_eq!(value, rosenbrock(x, y));
    assert!((d.x - (-2.0 * (1.0 - x) - 400.0 * x * (y - x * x))).abs() < 1e-12);
    assert!((d.y - 200.0 * (y - x * x)).abs() < 1e-12);

    let (value32, d32) = rosenbrock_grad(-1.2_f32, 1.0_f32);
    assert_eq!(value32, rosenbrock(-1.2_f32, 1.0_f32));
    assert!((f64::from(d32.x) - d.x).abs() < 1e-3 * d.x.abs());
    assert!((f64::from(d32.y) - d.y).abs() < 1e-3 * d.y.abs());
}

#[test]
fn a_let_may_carry_the_functions_name() {
    let (value, d) = returns_its_own_name_grad(1.0);
    assert_eq!(value, returns_its_own_name(1.0));
    assert_eq!(d.x, 1f64.exp());
    assert_eq!(d.returns_its_own_name, 1.0);
}

#[test]
fn an_unused_parameter_has_gradient_zero() {
    let (value, d) = ignores_a_parameter_grad(3.0, 5.0);
    assert_eq!((value, d.x, d._unused), (6.0, 2.0, 0.0));
    let _ = ignores_a_parameter(3.0, 5.0);
}

grad! {
    /// Every kind of literal exponent, in f64: the backward of each `powi`
    /// is written out as arithmetic.
    fn powers(x: f64) -> f64 {
        let p0 = x.powi(0);
        let p1 = x.powi(1);
        let p2 = x.powi(2);
        let p3 = x.powi(3);
        let p7 = x.powi(7);
        let m1 = x.powi(-1);
        let m2 = x.powi(-(2));
        p0 + p1 + p2 + p3 + p7 + m1 + m2
    }

    /// The same in f32.
    fn powers_f32(x: f32) -> f32 {
        let p0 = x.powi(0);
        let p1 = x.powi(1);
        let p2 = x.powi(2);
        let p3 = x.powi(3);
        let p7 = x.powi(7);
        let m1 = x.powi(-1);
        let m2 = x.powi(-(2));
        p0 + p1 + p2 + p3 + p7 + m1 + m2
    }
}

#[test]
fn a_literal_exponent_backward_is_the_power_rule() {
    let exponents = [0, 1, 2, 3, 7, -1, -2];
    for x in [0.75_f64, -1.3, 2.5] {
        let (value, d) = powers_grad(x);
        assert_eq!(value, powers(x));
        // Against the closed form Σ n xⁿ⁻¹ (independent).
        let closed: f64 = exponents
            .iter()
            .map(|&n| f64::from(n) * x.powi(n - 1))
            .sum();
        assert!(
            (d.x - closed).abs() <= 1e-13 * closed.abs(),
            "{} against {closed}",
            d.x
        );
        // Against the layer's rule, bit for bit (the same table: a
        // consistency check), summed in the order backward sums the edges.
        let rule: Vec<f64> = exponents
            .iter()
            .map(|&n| grad::PowiLayer::derivative(x, n, 1.0))
            .collect();
        assert_eq!(
            d.x,
            rule[6] + rule[5] + rule[4] + rule[3] + rule[2] + rule[1] + rule[0]
        );
        let (value32, d32) = powers_f32_grad(x as f32);
        assert_eq!(value32, powers_f32(x as f32));
        let rule32: Vec<f32> = exponents
            .iter()
            .map(|&n| grad::PowiLayer::derivative(x as f32, n, 1.0))
            .collect();
        assert_eq!(
            d32.x,
            rule32[6] + rule32[5] + rule32[4] + rule32[3] + rule32[2] + rule32[1] + rule32[0]
        );
    }
}
