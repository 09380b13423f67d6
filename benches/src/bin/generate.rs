//! Writes the generated formulas where they can be read or compiled.
//!
//! ```text
//! generate dump DIR                    the benchmarked modules (what build.rs writes)
//! generate stats                       operation counts of the benchmarked formulas
//! generate crate FORM SHAPE OPS FILE  a lib.rs for compile_time.sh: a formula of about
//!                                      OPS operations written as generated code writes it,
//!                                      one `let` per operation, with many inputs. SHAPE:
//!                                      dag    the pseudo-random DAG over OPS / 8 inputs
//!                                      rosen  Rosenbrock over about OPS / 4 inputs
//!                                      FORM:
//!                                      grad   `grad! { pub fn f(..) }` (the function form)
//!                                      inline the plain function, and the formula inline in
//!                                             `grad!` in the gradient function
//!                                      named  the same, its output naming the scalar (`y: f64 = ..`)
//!                                      hand   the plain function plus a hand-written adjoint
//!                                      (all four with a `pub fn gradient` that computes the
//!                                      gradient, so the `#[inline]` code is compiled in that crate)
//!                                      plain  the plain function alone
//! ```
//!
//! Beside grad!, the plain function and the hand-written adjoint declare
//! their variables up front (`let (t0, .., t63): (f64, ..);`), as such code
//! has to be written for rustc to build it with debuginfo.

use grad_benches::emit::{benchmarked, gradient_entry_source, module_source, signature};
use grad_generator::Formula;
use grad_generator::shapes::{DAG_SEED, dag, rosenbrock};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["dump", dir] => {
            for benchmark in benchmarked() {
                let path = std::path::Path::new(dir).join(format!("{}.rs", benchmark.formula.name));
                if let Err(e) = std::fs::write(&path, module_source(&benchmark, "crate::Scalar")) {
                    eprintln!("{}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
                println!("{}", path.display());
            }
            ExitCode::SUCCESS
        }
        ["stats"] => {
            let columns = ["add", "sub", "mul", "sin", "tanh", "exp", "powi"];
            println!(
                "| formula | inputs | operations | + | - | * | sin | tanh | exp | powi | other | lets |"
            );
            println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for benchmark in benchmarked() {
                let f = &benchmark.formula;
                let census = f.census();
                let counts: Vec<usize> = columns
                    .iter()
                    .map(|name| census.get(name).copied().unwrap_or(0))
                    .collect();
                let other = f.operations() - counts.iter().sum::<usize>();
                let cells: Vec<String> = counts.iter().map(ToString::to_string).collect();
                println!(
                    "| {} | {} | {} | {} | {other} | {} |",
                    benchmark.id,
                    f.inputs.len(),
                    f.operations(),
                    cells.join(" | "),
                    f.lets.len(),
                );
                let value: f64 = f.evaluate(&benchmark.point);
                assert!(value.is_finite(), "{} is not finite at its point", f.name);
            }
            ExitCode::SUCCESS
        }
        [
            "crate",
            form @ ("grad" | "inline" | "named" | "hand" | "plain"),
            shape @ ("dag" | "rosen"),
            ops,
            file,
        ] => {
            let Ok(ops) = ops.parse::<usize>() else {
                eprintln!("OPS must be a whole number");
                return ExitCode::FAILURE;
            };
            let f = generated_shape(shape, ops);
            let source = crate_source(&f, form);
            if let Err(e) = std::fs::write(file, source) {
                eprintln!("{file}: {e}");
                return ExitCode::FAILURE;
            }
            println!(
                "{} operations, {} lets, {} inputs",
                f.operations(),
                f.lets.len(),
                f.inputs.len()
            );
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!(
                "usage: generate dump DIR | generate stats | generate crate grad|inline|named|hand|plain dag|rosen OPS FILE"
            );
            ExitCode::FAILURE
        }
    }
}

/// The formula of `compile_time.sh` of shape `dag` or `rosen` and about
/// `ops` operations, one `let` per operation.
fn generated_shape(shape: &str, ops: usize) -> Formula {
    let formula = if shape == "dag" {
        dag("f", ops, (ops / 8).max(2), DAG_SEED)
    } else {
        // 4 n - 1 operations for n inputs, n even.
        let n = ((ops + 1) / 4).next_multiple_of(2).max(2);
        let mut formula = rosenbrock(n);
        formula.name = "f".to_owned();
        formula
    };
    formula.one_let_per_operation()
}

/// The crate's lib.rs for `form`.
fn crate_source(f: &Formula, form: &str) -> String {
    let ops = f.operations();
    match form {
        "grad" => format!(
            "//! {ops} operations, grad!'s function form.\n\n{}\n{}",
            f.grad_function(&signature()),
            gradient_entry_source(f, true)
        ),
        "inline" => format!(
            "//! {ops} operations, grad!'s inline form.\n\n{}\n{}",
            f.function_declared_up_front(&signature()),
            inline_entry_source(f, "y")
        ),
        "named" => format!(
            "//! {ops} operations, grad!'s inline form, its output naming the scalar.\n\n{}\n{}",
            f.function_declared_up_front(&signature()),
            inline_entry_source(f, "y: f64")
        ),
        "plain" => format!(
            "//! {ops} operations, the plain function alone.\n\n{}",
            f.function_declared_up_front(&signature())
        ),
        _ => format!(
            "//! {ops} operations, plain function and hand-written adjoint.\n\n{}\n{}\n{}",
            f.function_declared_up_front(&signature()),
            f.hand_adjoint_declared_up_front()
                .expect("the shapes have a hand-written adjoint"),
            gradient_entry_source(f, false)
        ),
    }
}

/// `pub fn gradient(x, g) -> f64` with the formula inline in `grad!`,
/// its output written `output` (`y`, or `y: f64`).
///
/// The inputs are named from `x` in tuples ([`Formula::inputs_from`]), as
/// the hand-written adjoint declares its locals.
fn inline_entry_source(f: &Formula, output: &str) -> String {
    let n = f.inputs.len();
    let copies: String = f
        .inputs
        .iter()
        .enumerate()
        .map(|(i, input)| format!("    g[{i}] = d.{input};\n"))
        .collect();
    let inputs = f.inputs_from("x", "    ");
    format!(
        "/// The gradient at `x` into `g`; returns the value.\npub fn gradient(x: &[f64; {n}], g: &mut [f64; {n}]) -> f64 {{\n{inputs}    let v = {};\n    let d = v.backward(1.0);\n{copies}    v.y\n}}\n",
        f.inline_source(output).replace('\n', "\n    "),
    )
}
