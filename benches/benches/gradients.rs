//! Criterion: every method on every formula, in one run.
//!
//! `cargo bench -p grad-benches --bench gradients` (criterion's filters work:
//! `-- dag1000/` runs one formula). `benches/report.sh` runs this and the
//! callgrind counts and prints both side by side.

use criterion::{Criterion, criterion_group, criterion_main};
use grad_benches::{Problem, for_each_problem};
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

fn gradients(c: &mut Criterion) {
    for_each_problem!(|p| {
        bench_problem(c, &p);
    });
}

criterion_group! {
    name = benches;
    // 38 benchmarks: 1 s of warm-up and 3 s of samples each keep a run near 3 minutes.
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = gradients
}
criterion_main!(benches);
