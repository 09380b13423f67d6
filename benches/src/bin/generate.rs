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

use grad_benches::generator::{DAG_SEED, Formula, benchmarked};
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
            for f in benchmarked() {
                let path = std::path::Path::new(dir).join(format!("{}.rs", f.name));
                if let Err(e) = std::fs::write(&path, f.module_source("crate::Scalar")) {
                    eprintln!("{}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
                println!("{}", path.display());
            }
            ExitCode::SUCCESS
        }
        ["stats"] => {
            println!(
                "| formula | inputs | operations | + | - | * | sin | tanh | exp | other | lets |"
            );
            println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for f in benchmarked() {
                let c = f.census();
                let lets = f.names.iter().flatten().count();
                println!(
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {lets} |",
                    f.name,
                    f.inputs.len(),
                    f.operations(),
                    c[0],
                    c[1],
                    c[2],
                    c[3],
                    c[4],
                    c[5],
                    c[6]
                );
                let value = f.eval(&f.point);
                assert!(value.is_finite(), "{} is not finite at its point", f.name);
            }
            ExitCode::SUCCESS
        }
        ["crate", form @ ("grad" | "hand" | "plain"), ops, file] => {
            let Ok(ops) = ops.parse::<usize>() else {
                eprintln!("OPS must be a whole number");
                return ExitCode::FAILURE;
            };
            let f = Formula::dag("dag", ops, 20, DAG_SEED);
            let source = match *form {
                "grad" => format!(
                    "//! {} operations, grad! form.\n\n{}\n{}",
                    f.operations(),
                    f.grad_source(),
                    f.gradient_entry_source(true)
                ),
                "plain" => format!(
                    "//! {} operations, the plain function alone.\n\n{}",
                    f.operations(),
                    f.plain_source()
                ),
                _ => format!(
                    "//! {} operations, plain function and hand-written adjoint.\n\n{}\n{}\n{}",
                    f.operations(),
                    f.plain_source(),
                    f.hand_source(),
                    f.gradient_entry_source(false)
                ),
            };
            if let Err(e) = std::fs::write(file, source) {
                eprintln!("{file}: {e}");
                return ExitCode::FAILURE;
            }
            println!(
                "{} operations, {} lets in the formula",
                f.operations(),
                f.names.iter().flatten().count()
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
