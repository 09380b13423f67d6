#!/usr/bin/env bash
# One run of everything, written down: criterion times and callgrind
# instruction counts of every method on every formula, and of the loops
# (benches/loops.sh), then BENCHMARKS.md,
# written whole from benches/BENCHMARKS.template.md and the results: the
# tables per formula, the targets checked on both forms of grad!, the
# machine, the commit measured (marked when the working tree had
# uncommitted changes) and, where their scripts have run, the all-tapes,
# compile-time (compile_time.sh, loop_check_time.sh) and graph-cost sections.
# It also runs benches/network.sh (the training step
# of the book's network against burn and candle, which builds them the
# first time).
#
#   benches/report.sh              run criterion, then callgrind.sh, loops.sh and network.sh, then write BENCHMARKS.md
#   benches/report.sh --no-run     write BENCHMARKS.md from the last results
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/record.sh
target="${CARGO_TARGET_DIR:-target}"

if [[ "${1:-}" != "--no-run" ]]; then
    cargo bench --quiet -p grad-benches --bench gradients --no-run >&2
    load_before=$(load)
    start=$SECONDS
    cargo bench -p grad-benches --bench gradients -- --noplot >&2
    record_run criterion $((SECONDS - start)) "$load_before"
    benches/callgrind.sh >&2
    benches/loops.sh >&2
    benches/network.sh >&2
fi

cargo build --release --quiet -p grad-benches --bin report
"$target/release/report" write "$results" "$target/criterion" benches/BENCHMARKS.template.md >"$results/BENCHMARKS.md"
mv "$results/BENCHMARKS.md" BENCHMARKS.md
echo "wrote BENCHMARKS.md" >&2
