//! Criterion: Rosenbrock written as a loop, at N = 100 and 10,000, its
//! gradient by `grad!` against the hand-written reversed loop and the
//! forward loop alone.
//!
//! `cargo bench -p grad-benches --bench loops`; `benches/loops.sh` runs it
//! with the callgrind counts and writes the table.

use criterion::{Criterion, criterion_group, criterion_main};
use grad_benches::{Problem, for_each_loop_problem};
use std::hint::black_box;
use std::time::Duration;

fn bench_problem<const N: usize>(c: &mut Criterion, problem: &Problem<N>) {
    let mut group = c.benchmark_group(problem.name);
    for &(id, f) in &problem.methods {
        let x = problem.point;
        let mut g = [0.0; N];
        group.bench_function(id, |b| {
            b.iter(|| {
                let v = f(black_box(&x), black_box(&mut g));
                black_box(&g);
                v
            });
        });
    }
    group.finish();
}

fn loops(c: &mut Criterion) {
    for_each_loop_problem!(|p| {
        bench_problem(c, &p);
    });
}

criterion_group! {
    name = benches;
    // 6 benchmarks: 1 s of warm-up and 3 s of samples each.
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = loops
}
criterion_main!(benches);
