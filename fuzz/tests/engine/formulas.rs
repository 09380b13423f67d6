//! The formulas of the engine test, from the one generator with a fixed
//! seed. `build.rs` writes them into the test through `grad!`; the test
//! makes them again to evaluate them.

use grad_core::ops::scalar_operations;
use grad_generator::{Constant, Custom, Exponent, Formula, Grammar, Layout, Scalar, SplitMix64};

/// How many formulas: enough that every operation of the table is the
/// first of one of them, with a few of each form and scalar.
pub const COUNT: usize = 24;

/// The seed of every formula.
const SEED: u64 = 0x6E61_6E65;

/// How a formula is handed to `grad!`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `grad! { let ..; y = .. }` with the inputs as locals.
    Inline,
    /// `grad! { fn name(..) -> T { .. } }`.
    Function,
}

/// One formula of the test.
pub struct Case {
    pub formula: Formula,
    pub form: Form,
    pub scalar: Scalar,
    /// Whether the inline form's output names the scalar, `y: f64 = ..`.
    pub names_scalar: bool,
}

impl Case {
    /// The inline form's output: `y`, or `y: f64` (`y: f32`) where the
    /// output names the scalar.
    #[must_use]
    pub fn output(&self) -> String {
        if self.names_scalar {
            format!("y: {}", self.scalar.ty())
        } else {
            "y".to_owned()
        }
    }
}

/// The custom operations the test defines, with their `_grad`.
pub const CUSTOM: [(&str, usize); 2] = [("softplus", 1), ("blend", 2)];

fn grammar(scalar: &Scalar) -> Grammar {
    let constants = match scalar {
        Scalar::F64 => vec![
            Constant::new("std::f64::consts::PI", std::f64::consts::PI),
            Constant::new("std::f64::consts::LN_2", std::f64::consts::LN_2),
        ],
        Scalar::F32 => vec![Constant::new(
            "std::f32::consts::PI",
            f64::from(std::f32::consts::PI),
        )],
        Scalar::Generic(_) => vec![Constant::new("grad::constant::<T>(0.75)", 0.75)],
    };
    // A generic function cannot hold a float literal; these read the same
    // in f32 and f64.
    let literals = match scalar {
        Scalar::Generic(_) => Vec::new(),
        _ => ["0.5", "2.0", "1.5", "0.25", "3.0"]
            .map(String::from)
            .to_vec(),
    };
    Grammar {
        operations: scalar_operations().collect(),
        literals,
        constants,
        exponents: [2, 3, -1, 0].map(Exponent::new).to_vec(),
        calls: CUSTOM
            .iter()
            .map(|&(path, arity)| Custom::new(path, arity))
            .collect(),
        parentheses: true,
        fan_out: true,
        bounded: Some(3),
        ..Grammar::default()
    }
}

/// Every formula of the test: between them they hold every operation of
/// the table, both forms, `f64` and a few `f32` and generic ones, inline
/// outputs with and without their scalar named, `let`s,
/// fan-out, literals, constants and the custom operations.
pub fn cases() -> Vec<Case> {
    let mut rng = SplitMix64(SEED);
    (0..COUNT)
        .map(|k| {
            let form = if k % 2 == 0 {
                Form::Inline
            } else {
                Form::Function
            };
            let scalar = match k % 8 {
                2 | 5 => Scalar::F32,
                7 => Scalar::Generic("T: grad::Float".to_owned()),
                _ => Scalar::F64,
            };
            let grammar = Grammar {
                // Operation k, k + COUNT, ... of the table come first.
                first: scalar_operations().skip(k).step_by(COUNT).collect(),
                ..grammar(&scalar)
            };
            let layout = Layout {
                name: match form {
                    Form::Inline => "y".to_owned(),
                    Form::Function => format!("f{k}"),
                },
                inputs: Formula::numbered_inputs(1 + k % 3),
                lets: (0..k / 2 % 3).map(|i| format!("t{i}")).collect(),
                operations: (2, 5),
            };
            // An input nobody reads is an unused variable of the test.
            let formula = (0..1000)
                .map(|_| grammar.formula(&mut rng, &layout))
                .find(|formula| formula.used_inputs().iter().all(|&used| used))
                .expect("a formula that reads every input");
            Case {
                formula,
                form,
                // Three `f64` formulas and one `f32` formula name it.
                names_scalar: form == Form::Inline && (k % 8 == 4 || k % 16 == 10),
                scalar,
            }
        })
        .collect()
}
