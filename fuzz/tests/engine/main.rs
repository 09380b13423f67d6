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
//!    graph is the field of the gradients struct, bit for bit; today but
//!    for the differences that `known_difference` lists, which the ignored
//!    test `every_formula_exactly` does not let through.
//!
//! `build.rs` writes every formula into this test (`run_K` runs formula K).

mod formulas;

use formulas::{Case, Form, cases};
use grad::{Float, relu, sigmoid};
use grad_generator::{Expr, Scalar, Signature};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::RefCell;
use std::collections::BTreeMap;

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

/// Where the picture differs from the expansion today, and why: `check`
/// lets these through (and says how often), `every_formula_exactly` fails
/// on them. Neither should survive a picture made of the expansion's own
/// numbers; remove this function then.
fn known_difference(case: &Case, picture: f64, expansion: f64) -> Option<&'static str> {
    if case.scalar == Scalar::F32 {
        Some("the graph evaluates an f32 formula again, in f64")
    } else if picture == 0.0 && expansion == 0.0 {
        Some("the graph's zero gradients may be -0.0 where the expansion's are 0.0")
    } else {
        None
    }
}

/// Formula `index`, run by `run`, holds both properties at random points,
/// but for the [known differences](known_difference) of the picture.
fn check(index: usize, run: fn(&[f64], f64) -> Run) {
    let known = check_with(index, run, true);
    for (difference, count) in known {
        println!("formula {index}: {count} points where {difference}");
    }
}

/// Checks formula `index` at random points; returns how many times each
/// known difference was let through (none unless `allow_known`).
fn check_with(
    index: usize,
    run: fn(&[f64], f64) -> Run,
    allow_known: bool,
) -> BTreeMap<&'static str, usize> {
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
    let known = RefCell::new(BTreeMap::new());
    // The picture's number equals the expansion's, or differs in a known way.
    let agree = |picture: f64, expansion: f64| {
        if same(picture, expansion) {
            return true;
        }
        match known_difference(case, picture, expansion).filter(|_| allow_known) {
            Some(difference) => {
                *known.borrow_mut().entry(difference).or_default() += 1;
                true
            }
            None => false,
        }
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
            agree(got.graph.output.value, got.value),
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
                node.grad.is_some_and(|g| agree(g, gradient)),
                "{}: the graph's gradient of {name} is {:?}, the gradients struct's {gradient}",
                context(),
                node.grad
            );
        }
        Ok(())
    });
    if let Err(error) = result {
        let source = match case.form {
            Form::Inline => formula.inline_source("y"),
            Form::Function => formula.function(&Signature::public(case.scalar.clone())),
        };
        panic!("{error}\n{source}");
    }
    known.into_inner()
}

/// Every formula, with no known difference let through: what the picture
/// promises. Ignored while the differences are known.
#[test]
#[ignore = "fails on the known differences of the picture, see known_difference"]
fn every_formula_exactly() {
    let mut failures = Vec::new();
    for (index, run) in RUNS.iter().enumerate() {
        let outcome = std::panic::catch_unwind(|| check_with(index, *run, false));
        if outcome.is_err() {
            failures.push(index);
        }
    }
    assert!(failures.is_empty(), "formulas that differ: {failures:?}");
}

/// Between them, the formulas hold every operation of the table, both
/// forms, each scalar type, `let`s, literals, constants and both custom
/// operations.
#[test]
fn the_formulas_cover_the_table() {
    let cases = cases();
    for op in grad_core::ops::OPERATIONS {
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
    }
}
