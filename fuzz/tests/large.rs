//! A formula of about 10,000 operations compiles in the default (debug)
//! profile and gives the same value as plain Rust and the gradient of
//! central finite differences. rustc with debuginfo overflows its stack on
//! one function with a few thousand sequential `let`s; the expansion declares
//! its locals 64 to a `let`, which this file would crash without.
//!
//! A formula nested a thousand parentheses deep builds too: syn parses
//! expressions recursively, and `grad!` expands on a stack of its own.
//!
//! Generated code builds too: 10,000 operations over 1,250 inputs, one
//! `let` per operation, in the function form and inline (its output naming
//! the scalar, `y: f64 = ..`). Its gradients struct has a
//! field per input and per `let`, more than 11,000, which derived traits
//! would compare in one chain of `&&` that overflows rustc's stack.
//!
//! A gradients struct of more than 1,024 fields holds the rest in a struct
//! it dereferences to; a chain of 1,100 `let`s reads, lists, prints and
//! compares its fields on both sides of that split, in both forms.
//!
//! The formulas come from `grad-generator`; `build.rs` writes them into
//! this test.

use grad_generator::shapes;

include!(concat!(env!("OUT_DIR"), "/large.rs"));
include!(concat!(env!("OUT_DIR"), "/nested.rs"));
include!(concat!(env!("OUT_DIR"), "/chained.rs"));

mod generated {
    include!(concat!(env!("OUT_DIR"), "/generated.rs"));

    #[test]
    fn generated_code_of_ten_thousand_lets_and_a_thousand_inputs() {
        // Unoptimised, `generated_grad` keeps every value, edge and layer of
        // its 10,000 operations in its frame, a few megabytes, and the
        // generator's output is a sum of a thousand terms, which it walks
        // recursively: more than a test thread's stack (2 MiB).
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(check_generated)
            .expect("a thread")
            .join()
            .expect("the check passes");
    }

    fn check_generated() {
        let formula = grad_generator::shapes::generated();
        let n = formula.inputs.len();
        assert!(n > 1_000, "{n} inputs");
        assert!(formula.lets.len() >= 10_000, "{} lets", formula.lets.len());
        let x: [f64; 1_250] = std::array::from_fn(|i| 0.9 * (0.7 * i as f64 + 0.3).sin());
        let expected = formula.evaluate(&x);
        // A form's value against plain Rust, bit for bit, and its gradient
        // against central differences.
        let check = |form: &str, value: f64, analytic: &[f64]| {
            assert_eq!(
                value.to_bits(),
                expected.to_bits(),
                "{form}: the value of plain Rust"
            );
            let check =
                grad::check_gradient_with_step(|x: &[f64]| formula.evaluate(x), analytic, &x, 1e-6);
            assert!(check.passes(1e-6), "{form}: {check:?}");
            assert!(
                analytic.iter().all(|g| *g != 0.0),
                "{form}: every input reaches the output"
            );
        };
        let (value, plain, analytic) = gradient(&x);
        check("function form", value, &analytic);
        assert_eq!(
            plain.to_bits(),
            expected.to_bits(),
            "the function as written"
        );
        // The inline form, its output naming the scalar (`y: f64 = ..`).
        let (value, analytic) = gradient_inline(&x);
        check("inline form", value, &analytic);
    }
}

fn inputs() -> [f64; 20] {
    std::array::from_fn(|i| 0.05 * i as f64 - 0.4)
}

#[test]
fn ten_thousand_operations_match_plain_rust_and_finite_differences() {
    let formula = shapes::large();
    assert!(
        formula.operations() >= 10_000,
        "{} operations",
        formula.operations()
    );
    let (value, analytic) = large(inputs());
    assert_eq!(
        value.to_bits(),
        formula.evaluate(&inputs()).to_bits(),
        "grad! computes what plain Rust computes, in the same order"
    );
    let check =
        grad::check_gradient_with_step(|x: &[f64]| formula.evaluate(x), &analytic, &inputs(), 1e-6);
    assert!(check.passes(1e-6), "{check:?}");
    assert!(
        analytic.iter().all(|g| *g != 0.0),
        "every input reaches the output"
    );
}

#[test]
fn a_formula_nested_a_thousand_parentheses_deep() {
    let x = 0.75_f64;
    let (value, [derivative]) = nested([x]);
    // e(k+1) = e(k) / 2 + x, and its derivative d(k+1) = d(k) / 2 + 1
    let (mut expected, mut expected_derivative) = (x, 1.0);
    for _ in 0..1000 {
        expected = expected * 0.5 + x;
        expected_derivative = expected_derivative * 0.5 + 1.0;
    }
    assert_eq!(value.to_bits(), expected.to_bits());
    assert!((derivative - expected_derivative).abs() < 1e-12);
}

/// `chain`: `t0 = 2x`, `t(k) = t(k-1) + x` for k < 1,100, value
/// `t1099 + x = 1,102 x`, so every `let`'s gradient is 1 and `x`'s is 1,102
/// (closed forms).
const CHAIN_X_GRADIENT: f64 = 1_102.0;

/// `chain`'s value in plain Rust, added in the same order.
fn chain_plain<T: grad::Float>(x: T) -> T {
    let mut t = x + x;
    for _ in 1..1_100 {
        t = t + x;
    }
    t + x
}

#[test]
fn a_function_of_more_gradients_than_one_struct_holds() {
    let x = 0.37;
    let (value, d) = chain_grad(x);
    assert_eq!(value.to_bits(), chain_plain(x).to_bits());
    assert_eq!(
        value.to_bits(),
        chain(x).to_bits(),
        "the function as written"
    );
    assert_eq!(d.x, CHAIN_X_GRADIENT);
    // t0 is in the first struct; t1099, the 1,101st field, past it.
    assert_eq!((d.t0, d.t1099, d.t1023, d.t1024), (1.0, 1.0, 1.0, 1.0));
    let pairs = d.pairs();
    assert_eq!(pairs.len(), 1_101);
    assert_eq!(ChainGrad::NAMES.len(), 1_101);
    assert_eq!(pairs[0], ("x", CHAIN_X_GRADIENT));
    for (k, (name, gradient)) in pairs[1..].iter().enumerate() {
        assert_eq!((*name, *gradient), (format!("t{k}").as_str(), 1.0));
        assert_eq!(ChainGrad::NAMES[k + 1], *name);
    }
    let printed = format!("{d:?}");
    assert!(
        printed.starts_with("ChainGrad { x: 1102.0, t0: 1.0, t1: 1.0,"),
        "{printed}"
    );
    assert!(printed.ends_with("t1098: 1.0, t1099: 1.0 }"), "{printed}");
    let mut changed = d;
    changed.t1099 = 0.5;
    assert_ne!(changed, d, "a field past the first struct differs");
    changed.t1099 = 1.0;
    assert_eq!(changed, d);
    // Through `Partials`, the function is a custom operation of another formula.
    let twice = grad::grad!(y = chain(x) * 2.0);
    assert_eq!(twice.backward(1.0).x, 2.0 * CHAIN_X_GRADIENT);
}

#[test]
fn an_inline_formula_of_more_gradients_than_one_struct_holds() {
    let (value, [dx, dt0, dlast], pairs, printed) = chain_inline(0.37_f64);
    assert_eq!(value.to_bits(), chain_plain(0.37_f64).to_bits());
    assert_eq!([dx, dt0, dlast], [CHAIN_X_GRADIENT, 1.0, 1.0]);
    assert_eq!(pairs.len(), 1_101);
    assert!(
        pairs[1..]
            .iter()
            .enumerate()
            .all(|(k, (name, gradient))| *name == format!("t{k}") && *gradient == 1.0)
    );
    assert!(printed.ends_with("t1099: 1.0 }"), "{printed}");
    let (value, gradients, pairs, _) = chain_inline(0.37_f32);
    assert_eq!(value.to_bits(), chain_plain(0.37_f32).to_bits());
    assert_eq!(gradients, [1_102.0, 1.0, 1.0]);
    assert_eq!(pairs.last(), Some(&("t1099", 1.0)));
}
