#!/usr/bin/env bash
# Compile time of grad! against the same hand-written code, for the
# pseudo-random DAG (20 inputs, exp/sin/tanh with + - *) at several sizes.
#
#   benches/compile_time.sh                 sizes 100, 1000 and 10000 operations
#   benches/compile_time.sh 500 2000        other sizes
#
# For each size it writes throwaway crates in a temporary directory:
#   grad   `grad! { pub fn dag(x0: f64, ..) -> f64 { .. } }` (gives dag and dag_grad),
#          with a path dependency on a copy of this workspace's `grad`
#   hand   the same plain `pub fn dag` plus a hand-written adjoint `dag_hand`
#   plain  the plain `pub fn dag` alone (what either crate costs without a gradient)
# grad and hand also have a `pub fn gradient(x: &[f64; 20], g: &mut [f64; 20]) -> f64`
# that calls dag_grad / dag_hand: both are `#[inline]`, and an `#[inline]`
# function is compiled to machine code only in a crate that calls it.
# and measures, with the dependencies already built (so only the crate itself
# compiles), the wall time (and CPU time) of:
#   expansion   rustc's `macro_expand_crate` pass (-Z time-passes; the script sets
#               RUSTC_BOOTSTRAP=1 for that one measuring command only)
#   check       `cargo check`
#   debug       `cargo build` (the default dev profile, with debuginfo)
#   release     `cargo build --release`
# A build that fails is reported as such (rustc overflows its stack writing
# debuginfo for one function with a few thousand sequential `let`s).
# The table is also written to $TARGET/grad-benches/compile_time.md, which
# report.sh puts in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
workspace=$(pwd)
source benches/record.sh
load_before=$(load)
script_start=$SECONDS
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(100 1000 10000)
forms=(grad hand plain)

[[ -x /usr/bin/time ]] || { echo "GNU time is needed: apt-get install -y time" >&2; exit 1; }
cargo build --release --quiet -p grad-benches --bin generate
generate="${CARGO_TARGET_DIR:-target}/release/generate"
[[ "$generate" = /* ]] || generate="$workspace/$generate"

tmp=$(mktemp -d /tmp/grad-compile-time.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export CARGO_TARGET_DIR="$tmp/target"
log="$tmp/log"

# A copy of the workspace, so that edits made while this runs change nothing.
mkdir "$tmp/workspace"
tar --exclude=./target --exclude=./.git -cf - . | tar -xf - -C "$tmp/workspace"

for form in "${forms[@]}"; do
    mkdir -p "$tmp/$form/src"
    dependency=""
    [[ $form == grad ]] && dependency="grad = { path = \"$tmp/workspace\" }"
    cat >"$tmp/$form/Cargo.toml" <<TOML
[package]
name = "compile_time_$form"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
$dependency

[workspace]
TOML
    # Build the dependencies once per profile, with a small formula.
    "$generate" crate "$form" 10 "$tmp/$form/src/lib.rs" >/dev/null
    (cd "$tmp/$form" && cargo build --quiet && cargo build --quiet --release && cargo check --quiet) 2>/dev/null
done

# The expansion is measured with RUSTC_BOOTSTRAP=1, which changes cargo's
# fingerprints: it gets its own target directory so the timed builds stay warm.
expand() {
    CARGO_TARGET_DIR="$tmp/target-time-passes" RUSTC_BOOTSTRAP=1 \
        cargo rustc --quiet --profile check --lib -- -Z time-passes >"$log" 2>&1 || true
}
(cd "$tmp/grad" && expand)

# "wall s (cpu s)" of one command, or why it failed. The CPU time (user +
# system, rustc's codegen threads included) is less sensitive than the wall
# time to other work on a small shared machine.
timed() {
    local status wall cpu
    echo "0 0 0" >"$tmp/time"
    set +e
    timeout 1200 /usr/bin/time -f "%e %U %S" -o "$tmp/time" "$@" >"$log" 2>&1
    status=$?
    set -e
    read -r wall user system < <(tail -n 1 "$tmp/time")
    cpu=$(awk -v u="$user" -v s="$system" 'BEGIN { printf "%.2f", u + s }')
    if [[ $status -eq 0 ]]; then
        printf '%.2f s (%s s)' "$wall" "$cpu"
    elif grep -q "stack overflow\|SIGSEGV" "$log"; then
        printf 'crash: rustc stack overflow (after %.1f s)' "$wall"
    elif [[ $status -eq 124 ]]; then
        echo "timeout (1200 s)"
    else
        echo "fails: $(grep -m1 '^error' "$log" || echo "exit $status")"
    fi
}

measure() {
    echo "Load average before the first build: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)."
    echo
    echo "| operations | form | \`let\`s in the formula | lines of code | expansion | cargo check | cargo build (debug) | cargo build --release |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|"
    for size in "${sizes[@]}"; do
        for form in "${forms[@]}"; do
            src="$tmp/$form/src/lib.rs"
            info=$("$generate" crate "$form" "$size" "$src")
            operations=${info%% operations*}
            lets=$(sed 's/.*, \([0-9]*\) lets.*/\1/' <<<"$info")
            lines=$(wc -l <"$src")
            cd "$tmp/$form"
            expansion="-"
            if [[ $form == grad ]]; then
                touch "$src"
                expand
                expansion=$(awk '/macro_expand_crate/ { sub(/^time: */, ""); sub(/;.*/, ""); printf "%.2f s", $0 }' "$log")
            fi
            touch "$src"
            check=$(timed cargo check)
            touch "$src"
            debug=$(timed cargo build)
            touch "$src"
            release=$(timed cargo build --release)
            cd "$workspace"
            echo "| $operations | $form | $lets | $lines | $expansion | $check | $debug | $release |"
        done
    done
}

measure | tee "$results/compile_time.md.new"
mv "$results/compile_time.md.new" "$results/compile_time.md"
record_run compile_time $((SECONDS - script_start)) "$load_before"
