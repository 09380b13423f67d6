//! The engine against the generator, on random formulas: two dozen
//! formulas from `grad-generator` (fixed seed; both forms; `f64`, a few
//! `f32` and generic ones; every operation of the table between them,
//! `let`s, fan-out, literals, constants and two custom operations), each
//! checked at random points drawn from its operations' smooth domains,
//! with a random `dout` for the inline form, for two properties:
//!
//! 1. the value `grad!` computes (and the plain function of the function
//!    form) equals the generator's evaluation bit for bit, in the formula's
//!    scalar type (both NaN counts as equal);
//! 2. the picture holds the expansion's own numbers: the graph's output
//!    value is the value, and the gradient of every input and `let` in the
//!    graph is the field of the gradients struct, bit for bit (an `f32`
//!    number widened to `f64`, as the picture shows it).
//!
//! `build.rs` writes every formula into this test (`run_K` runs formula K).

mod formulas;

use formulas::{Form, cases};
use grad::{Float, relu, sigmoid};
use grad_generator::{Expr, Scalar, Signature};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

include!(concat!(env!("OUT_DIR"), "/engine.rs"));

/// What one formula computed at one point.
struct Run {
    /// The value `grad!` computed, widened to `f64`.
    value: f64,
    /// The plain function's value (function form).
    plain: Option<f64>,
    /// Every field of the gradients struct: inputs, then `let`s.
    gradients: Vec<(&'static str, f64)>,
    /// The picture, with gradients.
    graph: grad::Graph,
}

fn wide(value: impl Into<f64>) -> f64 {
    value.into()
}

/// `softplus(x) = ln(1 + eˣ)`, a custom operation of one argument.
fn softplus<T: Float>(x: T) -> T {
    x.exp().ln_1p()
}

fn softplus_grad<T: Float>(x: T) -> (T, [T; 1]) {
    (softplus(x), [sigmoid(x)])
}

/// `blend(a, b) = a cos b`, a custom operation of two arguments.
fn blend<T: Float>(a: T, b: T) -> T {
    a * b.cos()
}

fn blend_grad<T: Float>(a: T, b: T) -> (T, [T; 2]) {
    (blend(a, b), [b.cos(), -(a * b.sin())])
}

/// The custom operations, for the generator's evaluation.
fn call<T: Float>(path: &str, arguments: &[T]) -> T {
    match path {
        "softplus" => softplus(arguments[0]),
        "blend" => blend(arguments[0], arguments[1]),
        _ => unreachable!("no custom operation {path}"),
    }
}

/// The same number, or both NaN.
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Formula `index`, run by `run`, holds both properties at random points.
fn check(index: usize, run: fn(&[f64], f64) -> Run) {
    let case = &cases()[index];
    let formula = &case.formula;
    let domains = formula.input_domains();
    let strategy = (
        proptest::collection::vec((0.0..1.0_f64, any::<bool>()), formula.inputs.len()),
        -4.0..4.0_f64,
    );
    let config = Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |(units, dout)| {
        let x: Vec<f64> = units
            .iter()
            .zip(&domains)
            .map(|(&(unit, negate), domain)| match domain {
                Some(range) => range.point(unit, negate),
                None => 6.0 * unit - 3.0,
            })
            .collect();
        let got = run(&x, dout);
        let expected = match case.scalar {
            Scalar::F32 => {
                let x: Vec<f32> = x.iter().map(|&v| v as f32).collect();
                wide(formula.evaluate_with(&x, &call::<f32>))
            }
            _ => formula.evaluate_with(&x, &call::<f64>),
        };
        let context = || format!("formula {index} ({:?}) at {x:?}, dout {dout}", case.form);
        prop_assert!(
            same(got.value, expected),
            "{}: grad! computes {}, plain Rust {expected}",
            context(),
            got.value
        );
        if let Some(plain) = got.plain {
            prop_assert!(
                same(plain, expected),
                "{}: the plain function computes {plain}",
                context()
            );
        }
        prop_assert!(
            same(got.graph.output.value, got.value),
            "{}: the graph's output is {}, the value {}",
            context(),
            got.graph.output.value,
            got.value
        );
        for &(name, gradient) in &got.gradients {
            let node = got
                .graph
                .find(name)
                .ok_or_else(|| TestCaseError::fail(format!("{}: no node {name}", context())))?;
            prop_assert!(
                node.grad.is_some_and(|g| same(g, gradient)),
                "{}: the graph's gradient of {name} is {:?}, the gradients struct's {gradient}",
                context(),
                node.grad
            );
        }
        Ok(())
    });
    if let Err(error) = result {
        let source = match case.form {
            Form::Inline => formula.inline_source(&case.output()),
            Form::Function => formula.function(&Signature::public(case.scalar.clone())),
        };
        panic!("{error}\n{source}");
    }
}

/// Between them, the formulas hold every operation of the table on scalars, both
/// forms, each scalar type, `let`s, literals, constants and both custom
/// operations.
#[test]
fn the_formulas_cover_the_table() {
    let cases = cases();
    for op in grad_core::ops::scalar_operations() {
        assert!(
            cases
                .iter()
                .any(|c| c.formula.census().contains_key(op.name)),
            "no formula holds {}",
            op.name
        );
    }
    for (path, _) in formulas::CUSTOM {
        assert!(cases.iter().any(|c| {
            c.formula
                .any(|e| matches!(e, Expr::Call(p, _) if p == path))
        }));
    }
    assert!(cases.iter().any(|c| !c.formula.lets.is_empty()));
    assert!(
        cases
            .iter()
            .any(|c| c.formula.any(|e| matches!(e, Expr::Literal(_))))
    );
    assert!(
        cases
            .iter()
            .any(|c| c.formula.any(|e| matches!(e, Expr::Constant(_))))
    );
    for scalar in [Scalar::F64, Scalar::F32] {
        for form in [Form::Inline, Form::Function] {
            assert!(cases.iter().any(|c| c.scalar == scalar && c.form == form));
        }
        for names_scalar in [false, true] {
            assert!(cases.iter().any(|c| c.scalar == scalar
                && c.form == Form::Inline
                && c.names_scalar == names_scalar));
        }
    }
}
