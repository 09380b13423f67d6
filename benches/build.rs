//! Writes the benchmarked formulas (Rosenbrock n = 2, 10, 100, the 1,000-op
//! DAG and the seed) into `OUT_DIR`, one module each: the `grad!` form, the
//! hand-written adjoint, the generic form and the symdiff form. They are
//! generated at build time, not committed; `cargo run -p grad-benches --bin
//! generate -- dump DIR` writes the same files where you can read them.

#[path = "src/generator.rs"]
#[allow(dead_code)]
mod generator;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/generator.rs");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for formula in generator::benchmarked() {
        let path = out.join(format!("{}.rs", formula.name));
        std::fs::write(&path, formula.module_source("crate::Scalar"))
            .expect("write a generated module");
    }
}
