#!/usr/bin/env bash
# Compile time of a loop in grad!'s function form against its trip count:
# Rosenbrock written as a loop, checked at N = 10 and at N = 100,000.
#
#   benches/loop_check_time.sh        7 repetitions of each
#   benches/loop_check_time.sh 11     11 repetitions
#
# It writes one throwaway crate in a temporary directory, with a path
# dependency on a copy of this workspace's `grad`, whose src/lib.rs holds,
# for one N:
#   - `rosenbrock<const N: usize>(x: &[f64; N])` in grad!, and a function
#     that calls `rosenbrock_grad` with `[f64; N]` (the const generic at N);
#   - `rosenbrock_fixed(x: &[f64; N])` in grad!, with N written as a literal
#     in its type and its loop bound.
# With the dependencies checked first (so only the crate itself is), it
# times `cargo check` after touching src/lib.rs, alternating the two N so
# that load on the machine falls on both alike, and reports the median of
# the repetitions: wall time, and CPU time (user + system), which other
# work on a small shared machine disturbs less. grad!'s expansion is one forward and one reversed loop
# whatever N, so the two should differ by less than 10% (the design's
# target). The table is also written to $TARGET/grad-benches/loop_check_time.md,
# which report.sh puts in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/record.sh
load_before=$(load)
script_start=$SECONDS
repetitions="${1:-7}"
sizes=(10 100000)
[[ -x /usr/bin/time ]] || { echo "GNU time is needed: apt-get install -y time" >&2; exit 1; }

tmp=$(mktemp -d -t grad-loop-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export CARGO_TARGET_DIR="$tmp/target"

# A copy of the workspace, so that edits made while this runs change nothing.
mkdir "$tmp/workspace"
tar --exclude=./target --exclude=./.git -cf - . | tar -xf - -C "$tmp/workspace"

crate="$tmp/loop_check"
mkdir -p "$crate/src"
cat >"$crate/Cargo.toml" <<TOML
[package]
name = "loop_check"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
grad = { path = "$tmp/workspace" }

[workspace]
TOML

source_for() { # N
    cat <<RUST
use grad::grad;

grad! {
    /// Rosenbrock's function in N dimensions.
    pub fn rosenbrock<const N: usize>(x: &[f64; N]) -> f64 {
        let mut s = 0.0;
        for i in 0..N - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = 1.0 - x[i];
            s += 100.0 * a * a + b * b;
        }
        s
    }

    /// The same, its size written in its type.
    pub fn rosenbrock_fixed(x: &[f64; $1]) -> f64 {
        let mut s = 0.0;
        for i in 0..$1 - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = 1.0 - x[i];
            s += 100.0 * a * a + b * b;
        }
        s
    }
}

/// The const-generic gradient at N = $1.
pub fn gradient(x: &[f64; $1]) -> (f64, Box<[f64; $1]>) {
    let (value, d) = rosenbrock_grad(x);
    (value, Box::new(d.x))
}

/// The literal-N gradient.
pub fn gradient_fixed(x: &[f64; $1]) -> (f64, Box<[f64; $1]>) {
    let (value, d) = rosenbrock_fixed_grad(x);
    (value, Box::new(d.x))
}
RUST
}

# The dependencies, once; each N checked once so that both compile.
for n in "${sizes[@]}"; do
    source_for "$n" >"$crate/src/lib.rs"
    (cd "$crate" && cargo check --quiet) || { echo "the crate at N = $n does not check" >&2; exit 1; }
done

# "wall cpu" seconds of one `cargo check` of the crate alone at N.
timed_check() { # N
    source_for "$1" >"$crate/src/lib.rs"
    (cd "$crate" && /usr/bin/time -f "%e %U %S" -o "$tmp/time" cargo check 2>"$tmp/log")
    # A check that found the crate fresh would time nothing.
    grep -q "Checking loop_check" "$tmp/log" || { cat "$tmp/log" >&2; echo "cargo did not check the crate" >&2; exit 1; }
    tail -n 1 "$tmp/time" | awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }'
}

declare -A walls cpus
for ((r = 0; r < repetitions; r++)); do
    for n in "${sizes[@]}"; do
        timed_check "$n" >"$tmp/one"
        read -r wall cpu <"$tmp/one"
        walls[$n]+="$wall "
        cpus[$n]+="$cpu "
    done
done

median() {
    tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

measure() {
    local wall_base cpu_base
    wall_base=$(median <<<"${walls[${sizes[0]}]}")
    cpu_base=$(median <<<"${cpus[${sizes[0]}]}")
    echo "Load average before the first check: $load_before ($(nproc) cores); $repetitions repetitions of each N, alternating."
    echo
    echo "| N | \`cargo check\`, median wall | / N = ${sizes[0]} | median CPU (user + system) | / N = ${sizes[0]} | every run, wall (s) | every run, CPU (s) |"
    echo "|---:|---:|---:|---:|---:|---|---|"
    for n in "${sizes[@]}"; do
        local wall cpu
        wall=$(median <<<"${walls[$n]}")
        cpu=$(median <<<"${cpus[$n]}")
        echo "| $n | $wall s | $(awk -v a="$wall" -v b="$wall_base" 'BEGIN { printf "%.2f", a / b }') | $cpu s | $(awk -v a="$cpu" -v b="$cpu_base" 'BEGIN { printf "%.2f", a / b }') | ${walls[$n]% } | ${cpus[$n]% } |"
    done
}

measure | tee "$results/loop_check_time.md.new"
mv "$results/loop_check_time.md.new" "$results/loop_check_time.md"
record_run loop_check_time $((SECONDS - script_start)) "$load_before"
