#!/usr/bin/env bash
# One training step of the book's network (64-50-10, batch 100, f64): grad!
# against the book's layers by hand, burn (autodiff over its ndarray
# backend) and candle (CPU), in one run: the check, criterion times, times
# of short interleaved rounds (`network interleaved`) and callgrind
# instructions per step. Everything runs on one thread.
#
#   benches/network.sh            check, criterion, callgrind, then the table
#   benches/network.sh --no-run   the table again from the last results
#
# The table is written to $TARGET/grad-benches/network.md, which report.sh
# puts in BENCHMARKS.md (report.sh runs this script); the instruction counts
# to network.tsv (method, instructions per step, measured functions).
#
# Instructions: each method runs under `valgrind --tool=callgrind
# --toggle-collect=grad_benches::network::*METHOD_step` (burn and candle are
# in a submodule), N and 2N steps;
# instructions per step = (Ir(2N) - Ir(N)) / N, which cancels the set-up
# (reading the digits, building the tensors, first allocations).
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/record.sh
target="${CARGO_TARGET_DIR:-target}"

# One thread everywhere: candle's matrix products and rayon pool read
# RAYON_NUM_THREADS; matrixmultiply (ndarray's and burn's products) reads
# MATMUL_NUM_THREADS when built with threading, which this build is not.
export RAYON_NUM_THREADS=1 MATMUL_NUM_THREADS=1

if [[ "${1:-}" != "--no-run" ]]; then
    command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install -y valgrind" >&2; exit 1; }
    cargo build --release --quiet -p grad-benches --features peers --bin network --bin report
    cargo bench --quiet -p grad-benches --features peers --bench network --no-run >&2
    runner="$target/release/network"
    load_before=$(load)
    start=$SECONDS

    "$runner" check | tee "$results/network-check.txt" ||
        { echo "a training step disagrees with the book's layers by hand: nothing measured" >&2; exit 1; }

    cargo bench -p grad-benches --features peers --bench network -- --noplot >&2

    # The same steps timed in 1,000 interleaved rounds of 10 steps of each
    # method: what a machine's drift does to one method it does to all.
    "$runner" interleaved 1000 10 >"$results/network-interleaved.tsv"

    iterations=200
    collected() { # method steps
        valgrind --tool=callgrind --callgrind-out-file=/dev/null \
            --toggle-collect="grad_benches::network::*$1_step" \
            "$runner" "$1" "$2" 2>&1 >/dev/null |
            sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
    }
    : >"$results/network.tsv.new"
    for method in $("$runner" list); do
        once=$(collected "$method" "$iterations")
        twice=$(collected "$method" $((2 * iterations)))
        printf '%s\t%s\n' "$method" \
            "$(awk -v a="$once" -v b="$twice" -v n="$iterations" 'BEGIN { printf "%.1f", (b - a) / n }')" \
            >>"$results/network.tsv.new"
    done
    mv "$results/network.tsv.new" "$results/network.tsv"
    record_run network $((SECONDS - start)) "$load_before"
fi

cargo build --release --quiet -p grad-benches --bin report
"$target/release/report" network "$results" "$target/criterion" | tee "$results/network.md.new"
mv "$results/network.md.new" "$results/network.md"
