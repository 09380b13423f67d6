#!/usr/bin/env bash
# Instructions per gradient, counted by callgrind, for every method on every
# formula of the benchmarks, and their ratio to the hand-written adjoint.
#
#   benches/callgrind.sh               grad! (function and inline forms),
#                                      hand-written, forward, finite
#                                      differences, num-dual, easy-ml, symdiff
#   benches/callgrind.sh --all-tapes   also the runtime tapes reverse and ad_trait
#
# Each method runs under `valgrind --tool=callgrind --toggle-collect=<its
# function>`, so only the measured call (and what it calls: libm, malloc) is
# counted. It runs twice, N and 2N times; instructions per gradient =
# (Ir(2N) - Ir(N)) / N, which cancels one-time costs (first allocation of a
# tape, thread-local set-up). Prints a markdown table and writes the counts to
# $TARGET/grad-benches/callgrind.tsv (callgrind-all-tapes.tsv with
# --all-tapes): problem, method, inputs, operations, instructions, measured
# functions with the same machine code. A cell "=hand" means the linker
# merged that method's function with `hand`: the two compiled to identical
# machine code. Next to it: what record.sh records about the run and the
# machine, `count check`'s output and the formulas' census, which
# report.sh puts in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/record.sh

features=()
run_name=callgrind
if [[ "${1:-}" == "--all-tapes" ]]; then
    features=(--features all-tapes)
    run_name=callgrind-all-tapes
fi
command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install -y valgrind" >&2; exit 1; }

cargo build --release --quiet -p grad-benches --bin count --bin generate --bin report "${features[@]}"
target="${CARGO_TARGET_DIR:-target}"
count="$target/release/count"
out_dir="$results"
tsv="$out_dir/$run_name.tsv"
load_before=$(load)
start=$SECONDS

"$count" check >"$out_dir/check.txt" || { cat "$out_dir/check.txt"; echo "a method computes a wrong gradient" >&2; exit 1; }
"$target/release/generate" stats >"$out_dir/stats.md"
record_machine

# Iterations per problem: enough that a run takes well under a few seconds.
iterations() {
    case "$1" in
        seed | rosen2) echo 10000 ;;
        rosen10) echo 2000 ;;
        rosen100) echo 200 ;;
        *) echo 50 ;;
    esac
}

# The linker may give two measured functions one body (LLVM merges identical
# functions): callgrind then knows that code by one of the names only, so
# collect under every name at the function's address.
symbols=$(nm -C --defined-only "$count")
same_code() { # problem method -> every measured function at its address
    awk -v s="grad_benches::$1::$2" -v p="grad_benches::$1::" '
        { name[NR] = $3; addr[NR] = $1; if ($3 == s) a = $1 }
        END { for (i = 1; i <= NR; i++) if (addr[i] == a && index(name[i], p) == 1) print name[i] }' <<<"$symbols"
}

collected() { # problem method iterations
    local toggles=()
    for name in $(same_code "$1" "$2"); do toggles+=(--toggle-collect="$name"); done
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "${toggles[@]}" \
        "$count" "$1" "$2" "$3" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

: >"$tsv"
problems=()
while read -r problem inputs operations methods; do
    problems+=("$problem")
    n=$(iterations "$problem")
    for method in $methods; do
        once=$(collected "$problem" "$method" "$n")
        twice=$(collected "$problem" "$method" $((2 * n)))
        twins=$(same_code "$problem" "$method" | sed "s/^grad_benches::$problem:://" | grep -vx "$method" | paste -sd, || true)
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$problem" "$method" "$inputs" "$operations" \
            "$(awk -v a="$once" -v b="$twice" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }')" "$twins" >>"$tsv"
    done
done < <("$count" list)

record_run "$run_name" $((SECONDS - start)) "$load_before"
"$target/release/report" table "$tsv"
