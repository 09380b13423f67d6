//! Criterion: one training step of the book's network, every method side
//! by side in one group (`network/hand`, `network/grad_macro`, and with
//! feature `peers` `network/burn`, `network/candle`).
//!
//! `cargo bench -p grad-benches --features peers --bench network`;
//! `benches/network.sh` runs it single-threaded with the callgrind counts.

use criterion::{Criterion, criterion_group, criterion_main};
use grad_benches::network::{METHODS, batch, initial_weights, network};
use std::time::Duration;

fn network_step(c: &mut Criterion) {
    let (batch, start) = (batch(), initial_weights());
    let mut group = c.benchmark_group("network");
    for &method in METHODS {
        // Every method starts from the same weights and trains on as it
        // is measured, as a training loop does.
        let mut net = network(method, &batch, &start).expect("a method of METHODS");
        group.bench_function(method, |b| b.iter(|| net.step()));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(5));
    targets = network_step
}
criterion_main!(benches);
