#!/usr/bin/env bash
# How much of grad!'s compile time at a large size is the `name_graph`
# function (the runtime description of the graph) that the function form
# also generates: expands the compile_time.sh formula (default 10,000
# operations), then `cargo check`s the expansion as it is and without
# `f_graph`, printing wall times and rustc's type-check and borrow-check
# passes. Diagnosis only: it compiles rustc's `-Z unpretty=expanded` output,
# which needs RUSTC_BOOTSTRAP=1 (set here, for these commands only).
#
#   benches/graph_cost.sh [OPS]
#
# The table is also written to $TARGET/grad-benches/graph_cost.md, which
# report.sh puts in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
workspace=$(pwd)
source benches/record.sh
load_before=$(load)
script_start=$SECONDS
ops="${1:-10000}"
cargo build --release --quiet -p grad-benches --bin generate
generate="${CARGO_TARGET_DIR:-target}/release/generate"
[[ "$generate" = /* ]] || generate="$workspace/$generate"

tmp=$(mktemp -d /tmp/grad-graph-cost.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/workspace" "$tmp/crate"
tar --exclude=./target --exclude=./.git -cf - . | tar -xf - -C "$tmp/workspace"
# Without incremental compilation: with it, the second variant would reuse
# the first one's type check of every item the two share.
export CARGO_TARGET_DIR="$tmp/target" RUSTC_BOOTSTRAP=1 CARGO_INCREMENTAL=0
cd "$tmp/crate"
mkdir src
cat >Cargo.toml <<TOML
[package]
name = "graph_cost"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
grad = { path = "$tmp/workspace" }

[workspace]
TOML
"$generate" crate grad dag 10 src/lib.rs >/dev/null
cargo check --quiet 2>/dev/null
"$generate" crate grad dag "$ops" src/lib.rs
cargo rustc --quiet --profile check --lib -- -Z unpretty=expanded >"$tmp/expanded.rs" 2>/dev/null

# The expansion, compilable: rustc's prelude lines out, the unstable
# internals that derives expand to allowed.
{
    echo '#![feature(structural_match, fmt_helpers_for_derive, core_intrinsics)]'
    echo '#![allow(internal_features)]'
    grep -v -x -e '#!\[feature(prelude_import)\]' -e 'extern crate std;' -e '#\[prelude_import\]' \
        -e 'use std::prelude::rust_2024::\*;' "$tmp/expanded.rs"
} >"$tmp/with_graph.rs"
# The same without `pub fn f_graph` (up to its closing brace; its
# attributes stay and fall on the next item, `gradient`, harmlessly).
awk '
    /^pub fn f_graph\(/ { skipping = 1; next }
    skipping && /^}$/ { skipping = 0; next }
    !skipping' "$tmp/with_graph.rs" >"$tmp/without_graph.rs"

measure() {
    echo "| expansion of $ops operations | lines | cargo check | type_check_crate | MIR_borrow_checking |"
    echo "|---|---:|---:|---:|---:|"
    for variant in with_graph without_graph; do
        cp "$tmp/$variant.rs" src/lib.rs
        start=$(date +%s.%N)
        cargo rustc --quiet --profile check --lib -- -Z time-passes >"$tmp/log" 2>&1 || { tail "$tmp/log"; exit 1; }
        end=$(date +%s.%N)
        pass() { awk -v p="$1" '$NF == p { sub(/^time: */, ""); sub(/;.*/, ""); printf "%.2f s", $0 }' "$tmp/log"; }
        printf '| %s | %s | %s | %s | %s |\n' "${variant/_/ }" "$(wc -l <src/lib.rs)" \
            "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f s", b - a }')" \
            "$(pass type_check_crate)" "$(pass MIR_borrow_checking)"
    done
}

measure | tee "$results/graph_cost.md.new"
mv "$results/graph_cost.md.new" "$results/graph_cost.md"
cd "$workspace"
record_run graph_cost $((SECONDS - script_start)) "$load_before"
