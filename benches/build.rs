//! Writes the benchmarked formulas (the seed, Rosenbrock n = 2, 10, 100 and
//! the 1,000-operation DAG) into `OUT_DIR`, one module each: the adapters,
//! the `grad!` function form, the hand-written adjoint, the generic form and
//! the symdiff form. They are generated at build time, not committed;
//! `cargo run -p grad-benches --bin generate -- dump DIR` writes the same
//! files where you can read them.

#[path = "src/emit.rs"]
#[allow(dead_code)]
mod emit;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/emit.rs");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for benchmark in emit::benchmarked() {
        let path = out.join(format!("{}.rs", benchmark.formula.name));
        std::fs::write(&path, emit::module_source(&benchmark, "crate::Scalar"))
            .expect("write a generated module");
    }
}
