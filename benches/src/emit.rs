//! The module written for each benchmarked formula, from `grad-generator`:
//! the build script writes them into `OUT_DIR`, and `generate dump` where
//! they can be read.

use grad_generator::{Formula, Scalar, Signature, shapes};
use std::fmt::Write as _;

/// A benchmarked formula and the point where its gradient is taken.
pub struct Benchmark {
    /// The formula's id in the tables and on the command line: `seed`,
    /// `rosen10`, ….
    pub id: &'static str,
    /// The formula; its name is the function's (`price`, `rosen10`, …).
    pub formula: Formula,
    /// The point.
    pub point: Vec<f64>,
}

/// The formulas the benchmarks measure: the seed at the book's prices,
/// Rosenbrock for n = 2, 10, 100 at the classic start `(-1.2, 1, -1.2, 1,
/// ..)`, and the 1,000-operation DAG over 20 inputs at
/// `0.9 sin(0.7 i + 0.3)`.
#[must_use]
pub fn benchmarked() -> Vec<Benchmark> {
    let rosenbrock = |id, n: usize| Benchmark {
        id,
        formula: shapes::rosenbrock(n),
        point: (0..n)
            .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
            .collect(),
    };
    vec![
        Benchmark {
            id: "seed",
            formula: shapes::seed(),
            point: vec![100.0, 2.0, 150.0, 3.0, 1.1],
        },
        rosenbrock("rosen2", 2),
        rosenbrock("rosen10", 10),
        rosenbrock("rosen100", 100),
        Benchmark {
            id: "dag1000",
            formula: shapes::dag("dag1000", 1000, 20, shapes::DAG_SEED),
            point: (0..20_u32)
                .map(|i| 0.9 * (0.7 * f64::from(i) + 0.3).sin())
                .collect(),
        },
    ]
}

/// How the benchmarks declare the plain function that `grad!` keeps.
#[must_use]
pub fn signature() -> Signature {
    Signature {
        attributes: "/// The formula, as a user writes it.\n#[allow(clippy::too_many_arguments)]\n"
            .to_owned(),
        ..Signature::public(Scalar::F64)
    }
}

/// `g[i] = d.input;` for every input, indented.
fn copies(formula: &Formula) -> String {
    formula
        .inputs
        .iter()
        .enumerate()
        .map(|(i, input)| format!("    g[{i}] = d.{input};\n"))
        .collect()
}

/// `x[0], x[1], ..`.
fn arguments(formula: &Formula) -> String {
    let arguments: Vec<String> = (0..formula.inputs.len())
        .map(|i| format!("x[{i}]"))
        .collect();
    arguments.join(", ")
}

/// `pub const N`, `OPERATIONS` and `POINT`, and the adapters from an array
/// to `grad!`'s forms: `call` (the plain function), `grad_into`
/// (`name_grad`), `inline_into` (the formula inline in `grad!`) and
/// `named_into` (the same, its output naming the scalar, `y: f64 = ..`),
/// the last three copying the inputs' gradients out of their structs.
#[must_use]
pub fn adapters_source(benchmark: &Benchmark) -> String {
    let formula = &benchmark.formula;
    let n = formula.inputs.len();
    let name = &formula.name;
    let args = arguments(formula);
    let copies = copies(formula);
    let point: Vec<String> = benchmark.point.iter().map(|p| format!("{p:?}")).collect();
    let inputs = formula.inputs.join(", ");
    // The formula inline in `grad!` with the output written `output`.
    let inline_adapter = |function: &str, doc: &str, output: &str| {
        let source = formula.inline_source(output).replace('\n', "\n    ");
        format!(
            "/// The formula inline in `grad!`{doc}, on an array: returns the value, writes the inputs' gradients.\n#[inline]\n\
             pub fn {function}(x: &[f64; {n}], g: &mut [f64; {n}]) -> f64 {{\n    let [{inputs}] = *x;\n    let v = {source};\n    let d = v.backward(1.0);\n{copies}    v.y\n}}\n"
        )
    };
    let inline = inline_adapter("inline_into", "", "y");
    let named = inline_adapter("named_into", ", its output naming the scalar", "y: f64");
    format!(
        "/// The number of inputs.\npub const N: usize = {n};\n\
         /// The number of operations.\npub const OPERATIONS: usize = {ops};\n\
         /// Where the benchmarks take the gradient.\npub const POINT: [f64; {n}] = [{point}];\n\n\
         /// The plain function `{name}` on an array.\n#[inline]\npub fn call(x: &[f64; {n}]) -> f64 {{\n    {name}({args})\n}}\n\n\
         /// `{name}_grad` on an array: returns the value, writes the inputs' gradients.\n#[inline]\n\
         pub fn grad_into(x: &[f64; {n}], g: &mut [f64; {n}]) -> f64 {{\n    let (value, d) = {name}_grad({args});\n{copies}    value\n}}\n\n\
         {inline}\n{named}",
        ops = formula.operations(),
        point = point.join(", "),
    )
}

/// `pub fn gradient(x: &[f64; N], g: &mut [f64; N]) -> f64`, a caller of
/// `name_grad` (`grad` is true) or of `name_hand`: `#[inline]` functions
/// are compiled where they are called, so a crate that measures their
/// compile time has to call them.
#[must_use]
pub fn gradient_entry_source(formula: &Formula, grad: bool) -> String {
    let n = formula.inputs.len();
    let name = &formula.name;
    let body = if grad {
        format!(
            "    let (value, d) = {name}_grad({});\n{}    value\n",
            arguments(formula),
            copies(formula)
        )
    } else {
        format!("    {name}_hand(x, g)\n")
    };
    format!(
        "/// The gradient at `x` into `g`; returns the value.\npub fn gradient(x: &[f64; {n}], g: &mut [f64; {n}]) -> f64 {{\n{body}}}\n"
    )
}

/// The whole module of one formula: the adapters, the `grad!` function
/// form, the hand-written adjoint, the generic form over `scalar_trait` and
/// (when symdiff can differentiate the formula) the symdiff form.
///
/// # Panics
///
/// If the formula has no hand-written adjoint or generic form: the
/// benchmarks use only `+ - *`, `sin`, `tanh`, `exp` and `powi(2)`.
#[must_use]
pub fn module_source(benchmark: &Benchmark, scalar_trait: &str) -> String {
    let formula = &benchmark.formula;
    let name = &formula.name;
    let mut out =
        format!("// Generated by the grad-benches build script from `{name}`: do not edit.\n\n");
    out.push_str(&adapters_source(benchmark));
    out.push('\n');
    out.push_str(&formula.grad_function(&signature()));
    out.push('\n');
    out.push_str(
        &formula
            .hand_adjoint()
            .expect("a benchmark has a hand-written adjoint"),
    );
    out.push('\n');
    out.push_str(
        &formula
            .generic_function(scalar_trait)
            .expect("a benchmark has a generic form"),
    );
    let _ = write!(
        out,
        "\npub use self::{name}_generic as generic;\npub use self::{name}_hand as hand_adjoint;\n"
    );
    if let Some(sym) = formula.symdiff_function() {
        let _ = write!(
            out,
            "\n{sym}\npub use self::{name}_sym as sym;\npub use self::{name}_sym_gradient as sym_gradient;\n"
        );
    }
    out
}
