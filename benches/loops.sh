#!/usr/bin/env bash
# Rosenbrock written as a loop in grad!'s function form, at N = 100 and
# N = 10,000: the gradient grad! writes against the same reversed-loop
# adjoint written by hand and against the forward loop alone
# (grad_benches::loops).
#
#   benches/loops.sh
#
# Instructions per call come from callgrind, as in callgrind.sh: each method
# runs under `valgrind --tool=callgrind --toggle-collect=<its function>`, N
# and 2N times, and instructions per call = (Ir(2N) - Ir(N)) / N. Callgrind
# counts every iteration of a `rep stosb` / `rep movsb` as one instruction,
# so the libc memset of a 10,000-element gradient (zeroing it) weighs as
# much as 80,000 instructions
# although the processor does them a cache line at a time: the table shows
# them apart, and the instructions of the measured code without them.
# Times are criterion's medians (`cargo bench -p grad-benches --bench loops`).
# The table goes to $TARGET/grad-benches/loops.md (and the counts to
# loops.tsv), which report.sh puts in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/record.sh
command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install -y valgrind" >&2; exit 1; }
command -v callgrind_annotate >/dev/null || { echo "callgrind_annotate (valgrind) is needed" >&2; exit 1; }

cargo build --release --quiet -p grad-benches --bin count --bin report
target="${CARGO_TARGET_DIR:-target}"
count="$target/release/count"
load_before=$(load)
start=$SECONDS
"$count" loops check || { echo "a method computes a wrong gradient" >&2; exit 1; }

tmp=$(mktemp -d -t grad-loops.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

iterations() {
    case "$1" in
        loop_rosen100) echo 200 ;;
        *) echo 5 ;;
    esac
}

# "total libc" instructions of one run: everything collected, and the part
# in libc's memset and memcpy.
collected() { # problem method iterations
    local out="$tmp/callgrind.out"
    valgrind --tool=callgrind --callgrind-out-file="$out" \
        --toggle-collect="grad_benches::loops::$1::measured::$2" \
        "$count" "$1" "$2" "$3" >/dev/null 2>&1
    callgrind_annotate --threshold=100 --inclusive=no --auto=no "$out" | awk '
        { gsub(",", "", $1) }
        /PROGRAM TOTALS/ { total = $1 }
        /:__mem(set|cpy|move)/ { libc += $1 }
        END { printf "%d %d\n", total, libc }'
}

tsv="$results/loops.tsv"
: >"$tsv"
while read -r problem inputs operations methods; do
    n=$(iterations "$problem")
    for method in $methods; do
        read -r total_once libc_once < <(collected "$problem" "$method" "$n")
        read -r total_twice libc_twice < <(collected "$problem" "$method" $((2 * n)))
        awk -v p="$problem" -v m="$method" -v i="$inputs" -v o="$operations" -v n="$n" \
            -v a="$total_once" -v b="$total_twice" -v c="$libc_once" -v d="$libc_twice" \
            'BEGIN { printf "%s\t%s\t%s\t%s\t%.1f\t%.1f\n", p, m, i, o, (b - a) / n, (d - c) / n }' >>"$tsv"
    done
done < <("$count" loops list)

cargo bench --quiet -p grad-benches --bench loops --no-run >&2
cargo bench -p grad-benches --bench loops -- --noplot >&2

"$target/release/report" loops "$tsv" "$target/criterion" | tee "$results/loops.md.new"
mv "$results/loops.md.new" "$results/loops.md"
record_run loops $((SECONDS - start)) "$load_before"
