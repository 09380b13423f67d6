//! Your own operations (`f` plus `f_grad`), functions of the function form
//! used inside other formulas, and the gradient check users run on them.

use grad::{check_gradient, grad, numerical_gradient};

/// softplus(x) = ln(1 + eˣ)
fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

/// Its value and derivative, the logistic sigmoid.
fn softplus_grad(x: f64) -> (f64, f64) {
    (softplus(x), grad::sigmoid(x))
}

/// f(a, b) = a² b, with partials (2ab, a²) as an array.
fn f(a: f64, b: f64) -> f64 {
    a * a * b
}

fn f_grad(a: f64, b: f64) -> (f64, [f64; 2]) {
    (f(a, b), [2.0 * a * b, a * a])
}

mod shapes {
    /// A custom operation reached through a path, with tuple partials.
    pub fn area(w: f64, h: f64) -> f64 {
        w * h
    }

    pub fn area_grad(w: f64, h: f64) -> (f64, (f64, f64)) {
        (area(w, h), (h, w))
    }
}

#[test]
fn a_custom_operation_uses_its_grad_function() {
    let x = 0.3_f64;
    let g = grad!(y = softplus(x * 2.0) * x);
    assert_eq!(g.y, softplus(x * 2.0) * x);
    // dy/dx = 2 σ(2x) x + softplus(2x)
    let d = g.backward(1.0);
    assert!((d.x - (2.0 * grad::sigmoid(2.0 * x) * x + softplus(2.0 * x))).abs() < 1e-15);
}

/// With the scalar named on the output, a custom operation's `_grad`
/// function over that type is called as it is in the formula above.
#[test]
fn a_custom_operation_in_a_formula_that_names_its_scalar() {
    let x = 0.3;
    let g = grad!(y: f64 = softplus(x * 2.0) * x);
    assert_eq!(g.y, softplus(x * 2.0) * x);
    // dy/dx = 2 σ(2x) x + softplus(2x)
    let d = g.backward(1.0);
    assert!((d.x - (2.0 * grad::sigmoid(2.0 * x) * x + softplus(2.0 * x))).abs() < 1e-15);
}

#[test]
fn custom_operations_take_several_arguments_and_paths() {
    let (a, b) = (1.5_f64, -2.0_f64);
    let d = grad!(y = f(a, b) + shapes::area(a, b)).backward(1.0);
    // dy/da = 2ab + b, dy/db = a² + a
    assert_eq!((d.a, d.b), (2.0 * a * b + b, a * a + a));
}

#[test]
fn a_custom_operation_passes_the_gradient_check() {
    let x = 0.7;
    let d = grad!(y = softplus(x) * softplus(x)).backward(1.0);
    let check = check_gradient(|v: &[f64]| softplus(v[0]) * softplus(v[0]), &[d.x], &[x]);
    assert!(check.passes(1e-8), "{check:?}");
    assert_eq!(
        numerical_gradient(|v: &[f64]| softplus(v[0]), &[0.0]).len(),
        1
    );
}

grad! {
    fn inner(x: f64, y: f64) -> f64 {
        (x * y).sin() + x.exp()
    }

    /// Calls `inner` twice: the chain rule runs across the two functions.
    fn outer(a: f64, b: f64) -> f64 {
        let u = inner(a, b * 2.0);
        inner(u, a) * b
    }
}

#[test]
fn functions_compose_like_the_same_formula_written_flat() {
    for (a, b) in [(0.3, 0.7), (-1.2, 0.4), (2.0, -0.5), (0.01, 3.0)] {
        let (value, composed) = outer_grad(a, b);
        let flat = grad! {
            let u = (a * (b * 2.0)).sin() + a.exp();
            z = ((u * a).sin() + u.exp()) * b
        };
        assert_eq!(value, flat.z, "values are computed in the same order");
        assert_eq!(value, outer(a, b));
        let d = flat.backward(1.0);
        for (got, want) in [(composed.a, d.a), (composed.b, d.b), (composed.u, d.u)] {
            let relative = (got - want).abs() / want.abs();
            assert!(
                relative <= 1e-15,
                "{got} vs {want}: relative error {relative:e}"
            );
        }
    }
}

#[test]
fn a_function_form_gradient_struct_is_a_list_of_partials() {
    use grad::Partials;
    let (_, d) = inner_grad(0.5, 0.25);
    assert_eq!(d.into_partials(), [d.x, d.y]);
}

/// Over a grid, composed and flat gradients still agree to rounding, but
/// where a gradient's terms nearly cancel its relative error grows: the two
/// sum the same terms in a different order. Measured worst: 3.0e-12.
#[test]
fn composition_over_a_grid_agrees_to_rounding() {
    let mut worst: f64 = 0.0;
    for i in 0..200 {
        for j in 0..50 {
            let (a, b) = (-1.5 + 0.015 * f64::from(i), -1.0 + 0.04 * f64::from(j));
            let (value, composed) = outer_grad(a, b);
            let flat = grad! {
                let u = (a * (b * 2.0)).sin() + a.exp();
                z = ((u * a).sin() + u.exp()) * b
            };
            assert_eq!(value, flat.z);
            let d = flat.backward(1.0);
            for (got, want) in [(composed.a, d.a), (composed.b, d.b), (composed.u, d.u)] {
                if want != 0.0 {
                    worst = worst.max((got - want).abs() / want.abs());
                }
            }
        }
    }
    eprintln!("largest relative difference, composed vs flat, 10,000 points: {worst:.1e}");
    assert!(worst < 1e-11, "{worst:e}");
}
