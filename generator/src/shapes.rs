//! The fixed formulas: the benchmarks' (the seed, Rosenbrock, the DAG) and
//! the large tests' (ten thousand operations, a thousand parentheses deep).

use crate::choices::{Choices, SplitMix64};
use crate::formula::{Expr, Formula, Let};
use crate::random::{Grammar, Layout, operations};

/// The seed of the benchmarked DAG (and of `compile_time.sh`'s formulas).
pub const DAG_SEED: u64 = 0x5E_ED0F_6AAD;

/// The seed of [`large`].
pub const LARGE_SEED: u64 = 2026;

/// `x0 + x1 + .. `, left to right.
fn sum(terms: impl IntoIterator<Item = Expr>) -> Option<Expr> {
    terms
        .into_iter()
        .reduce(|sum, term| Expr::infix("+", sum, term))
}

/// The book's shopping bill, `price = (apple * apple_num + orange * orange_num) * tax`.
#[must_use]
pub fn seed() -> Formula {
    let input = Expr::Input;
    let apples = Expr::infix("*", input(0), input(1));
    let oranges = Expr::infix("*", input(2), input(3));
    Formula::new(
        "price",
        &["apple", "apple_num", "orange", "orange_num", "tax"],
        Expr::infix("*", Expr::infix("+", apples, oranges), input(4)),
    )
}

/// The extended (uncoupled) Rosenbrock function of `n` inputs, `rosen{n}`:
/// the sum over `i < n/2` of `100 (x[2i+1] - x[2i]²)² + (1 - x[2i])²`, as
/// one expression, `100.0 * (x1 - x0 * x0).powi(2) + (1.0 - x0).powi(2) + ..`.
///
/// # Panics
///
/// If `n` is odd or zero.
#[must_use]
pub fn rosenbrock(n: usize) -> Formula {
    assert!(
        n >= 2 && n.is_multiple_of(2),
        "the extended Rosenbrock function needs an even n"
    );
    let terms = (0..n / 2).map(|i| {
        let (odd, even) = (Expr::Input(2 * i), Expr::Input(2 * i + 1));
        let square = Expr::infix("*", odd.clone(), odd.clone());
        let diff = Expr::infix("-", even, square);
        let scaled = Expr::infix("*", Expr::number(100.0), Expr::powi(diff, 2));
        let one_minus = Expr::infix("-", Expr::number(1.0), odd);
        Expr::infix("+", scaled, Expr::powi(one_minus, 2))
    });
    Formula {
        name: format!("rosen{n}"),
        inputs: Formula::numbered_inputs(n),
        lets: Vec::new(),
        output: sum(terms).expect("n >= 2"),
    }
}

/// A pseudo-random formula DAG of about `operations` operations over
/// `inputs` inputs, dominated by `exp`, `sin` and `tanh`.
///
/// Each `let tK` is `(a op b).sin()`, `(a op b).tanh()` or
/// `(a op b).tanh().exp()` with `op` one of `+ - *`, so every bound value
/// lies in `[-1, e]` and nothing overflows. The first `inputs / 2` lets pair
/// up the inputs (so each is used); later operands are two different values,
/// each an input (one time in four) or one of the 24 most recent lets, which
/// gives fan-out. The output is the sum of the lets nothing else uses.
///
/// # Panics
///
/// If `inputs` is below 2.
#[must_use]
pub fn dag(name: &str, operations: usize, inputs: usize, seed: u64) -> Formula {
    assert!(inputs >= 2, "the DAG needs two inputs at least");
    let mut rng = SplitMix64(seed);
    let mut lets: Vec<Let> = Vec::new();
    let mut input_used = vec![false; inputs];
    let mut let_used: Vec<bool> = Vec::new();
    let mut count = 0;
    let mut pairs = (0..inputs).step_by(2);
    let sinks = |used: &[bool]| used.iter().filter(|used| !**used).count();
    while count + sinks(&let_used).saturating_sub(1) + 2 <= operations {
        let (a, b) = match pairs.next() {
            Some(first) => (Expr::Input(first), Expr::Input((first + 1) % inputs)),
            None => {
                let mut pick = || {
                    if lets.is_empty() || rng.below(4) == 0 {
                        Expr::Input(rng.below(inputs))
                    } else {
                        let window = lets.len().min(24);
                        Expr::Let(lets.len() - 1 - rng.below(window))
                    }
                };
                // Two different operands: `t - t` would be a constant.
                let a = pick();
                let mut b = pick();
                while b == a {
                    b = pick();
                }
                (a, b)
            }
        };
        for operand in [&a, &b] {
            match *operand {
                Expr::Input(i) => input_used[i] = true,
                Expr::Let(k) => let_used[k] = true,
                _ => unreachable!("operands are names"),
            }
        }
        let operator = ["+", "-", "*"][rng.below(3)];
        let inner = Expr::infix(operator, a, b);
        let value = match rng.below(3) {
            0 => Expr::method(inner, "sin"),
            1 => Expr::method(inner, "tanh"),
            _ => Expr::method(Expr::method(inner, "tanh"), "exp"),
        };
        count += if matches!(&value, Expr::Operation(op, _) if op.name == "exp") {
            3
        } else {
            2
        };
        lets.push(Let::new(format!("t{}", lets.len()), value));
        let_used.push(false);
    }
    let unused = (0..lets.len()).filter(|&k| !let_used[k]).map(Expr::Let);
    Formula {
        name: name.to_owned(),
        inputs: Formula::numbered_inputs(inputs),
        output: sum(unused).expect("at least one let"),
        lets,
    }
}

/// A deterministic pseudo-random formula of about 10,000 operations over
/// 20 inputs, output `y`: 100 `let`s of `+ - * sin tanh` and the literal
/// `0.5`, each reading the inputs and the `let`s before it (fan-out), values
/// kept bounded by a `tanh` or `sin` at least every four operations and at
/// the end of each `let`. The output is the sum of the `let`s nothing else
/// reads.
#[must_use]
pub fn large() -> Formula {
    let grammar = Grammar {
        operations: operations(&["add", "sub", "mul", "sin", "tanh"]),
        literals: vec!["0.5".to_owned()],
        bounded: Some(4),
        ..Grammar::default()
    };
    let layout = Layout {
        name: "y".to_owned(),
        inputs: Formula::numbered_inputs(20),
        lets: (0..100).map(|k| format!("t{k}")).collect(),
        operations: (84, 84),
    };
    let mut formula = grammar.formula(&mut SplitMix64(LARGE_SEED), &layout);
    let mut read = vec![false; formula.lets.len()];
    for binding in &formula.lets {
        mark_lets(&binding.value, &mut read);
    }
    let unread = (0..formula.lets.len()).filter(|&k| !read[k]).map(Expr::Let);
    formula.output = sum(unread).expect("the last let is read by nothing");
    formula
}

fn mark_lets(e: &Expr, read: &mut [bool]) {
    if let Expr::Let(k) = e {
        read[*k] = true;
    }
    for child in e.children() {
        mark_lets(child, read);
    }
}

/// The large tests' generated code: the DAG of 10,000 operations over 1,250
/// inputs, `generated`, written one `let` per operation, as a model compiler
/// or a symbolic tool writes it.
#[must_use]
pub fn generated() -> Formula {
    dag("generated", 10_000, 1_250, DAG_SEED).one_let_per_operation()
}

/// `y = ((x * 0.5 + x) * 0.5 + x) ..`, nested `depth` parentheses deep.
#[must_use]
pub fn nested(depth: usize) -> Formula {
    let x = || Expr::Input(0);
    let mut e = x();
    for _ in 0..depth {
        let scaled = Expr::infix("*", e, Expr::number(0.5));
        e = Expr::Paren(Box::new(Expr::infix("+", scaled, x())));
    }
    Formula::new("y", &["x"], e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn census(f: &Formula) -> Vec<(&'static str, usize)> {
        f.census()
            .into_iter()
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .collect()
    }

    #[test]
    fn the_seed() {
        let f = seed();
        assert_eq!(
            f.expression(&f.output),
            "(apple * apple_num + orange * orange_num) * tax"
        );
        assert_eq!(
            f.evaluate(&[100.0, 2.0, 150.0, 3.0, 1.1]),
            715.000_000_000_000_1
        );
        assert_eq!(census(&f), [("add", 1), ("mul", 3)]);
    }

    #[test]
    fn rosenbrock_is_one_expression() {
        let f = rosenbrock(4);
        assert_eq!(
            f.expression(&f.output),
            "100.0 * (x1 - x0 * x0).powi(2) + (1.0 - x0).powi(2) + (100.0 * (x3 - x2 * x2).powi(2) + (1.0 - x2).powi(2))"
        );
        assert_eq!(f.evaluate(&[1.0, 1.0, 1.0, 1.0]), 0.0);
        assert_eq!(f.evaluate(&[0.0, 1.0, 0.0, 0.0]), 100.0 + 1.0 + 1.0);
        for (n, operations) in [(2, 7), (10, 39), (100, 399)] {
            assert_eq!(rosenbrock(n).operations(), operations);
        }
        assert_eq!(
            census(&rosenbrock(100)),
            [("add", 99), ("mul", 100), ("powi", 100), ("sub", 100)]
        );
    }

    /// The benchmarked DAG, as its census was when the benchmarks were
    /// first measured (the operations on literals aside, there are none).
    #[test]
    fn the_benchmarked_dag_keeps_its_census() {
        let f = dag("dag1000", 1000, 20, DAG_SEED);
        assert_eq!(f.operations(), 1001);
        assert_eq!(f.lets.len(), 389);
        assert_eq!(
            census(&f),
            [
                ("add", 215),
                ("exp", 139),
                ("mul", 122),
                ("sin", 122),
                ("sub", 136),
                ("tanh", 267)
            ]
        );
        let point: Vec<f64> = (0..20)
            .map(|i| 0.9 * (0.7 * f64::from(i) + 0.3).sin())
            .collect();
        assert!(f.evaluate(&point).is_finite());
        assert_eq!(f.lets[0].name, "t0");
        assert_eq!(f.expression(&f.lets[0].value), "(x0 + x1).sin()");
    }

    #[test]
    fn the_large_formula() {
        let f = large();
        assert_eq!((f.inputs.len(), f.lets.len()), (20, 100));
        let operations = f.operations();
        assert!((10_000..10_100).contains(&operations), "{operations}");
        assert!(f.used_inputs().iter().all(|&used| used));
        let x: Vec<f64> = (0..20).map(|i| 0.05 * f64::from(i) - 0.4).collect();
        assert!(f.evaluate(&x).is_finite());
    }

    #[test]
    fn nested_parentheses() {
        let f = nested(3);
        assert_eq!(
            f.expression(&f.output),
            "(((x * 0.5 + x) * 0.5 + x) * 0.5 + x)"
        );
        assert_eq!(f.evaluate(&[1.0]), 1.875);
    }
}
