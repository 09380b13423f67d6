//! Writes the generated formulas where they can be read or compiled.
//!
//! ```text
//! generate dump DIR                    the benchmarked modules (what build.rs writes)
//! generate stats                       operation counts of the benchmarked formulas
//! generate crate FORM OPS FILE        a lib.rs for compile_time.sh: the DAG of about
//!                                      OPS operations over 20 inputs, as FORM:
//!                                      grad   `grad! { pub fn dag(..) }`
//!                                      hand   the plain function plus a hand-written adjoint
//!                                      (both with a `pub fn gradient` that calls the gradient,
//!                                      so the `#[inline]` gradient is compiled in that crate)
//!                                      plain  the plain function alone
//! ```

use grad_benches::emit::{benchmarked, gradient_entry_source, module_source, signature};
use grad_generator::shapes::{DAG_SEED, dag};
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
        ["crate", form @ ("grad" | "hand" | "plain"), ops, file] => {
            let Ok(ops) = ops.parse::<usize>() else {
                eprintln!("OPS must be a whole number");
                return ExitCode::FAILURE;
            };
            let f = dag("dag", ops, 20, DAG_SEED);
            let hand = f
                .hand_adjoint()
                .expect("the DAG has a hand-written adjoint");
            let source = match *form {
                "grad" => format!(
                    "//! {} operations, grad! form.\n\n{}\n{}",
                    f.operations(),
                    f.grad_function(&signature()),
                    gradient_entry_source(&f, true)
                ),
                "plain" => format!(
                    "//! {} operations, the plain function alone.\n\n{}",
                    f.operations(),
                    f.function(&signature())
                ),
                _ => format!(
                    "//! {} operations, plain function and hand-written adjoint.\n\n{}\n{}\n{}",
                    f.operations(),
                    f.function(&signature()),
                    hand,
                    gradient_entry_source(&f, false)
                ),
            };
            if let Err(e) = std::fs::write(file, source) {
                eprintln!("{file}: {e}");
                return ExitCode::FAILURE;
            }
            println!(
                "{} operations, {} lets in the formula",
                f.operations(),
                f.lets.len()
            );
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!(
                "usage: generate dump DIR | generate stats | generate crate grad|hand|plain OPS FILE"
            );
            ExitCode::FAILURE
        }
    }
}
