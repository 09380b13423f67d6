#!/usr/bin/env bash
# Compile time of grad! against the same adjoint written by hand, on code
# written as generators write it: one `let` per operation, many inputs.
#
#   benches/compile_time.sh                 sizes 100, 1000 and 10000 operations
#   benches/compile_time.sh 500 2000        other sizes
#
# Two shapes: the pseudo-random DAG (exp/sin/tanh with + - *) over
# operations / 8 inputs, and Rosenbrock over about operations / 4 inputs.
# For each shape and size it writes throwaway crates in a temporary directory:
#   grad    `grad! { pub fn f(x0: f64, ..) -> f64 { let t0 = ..; .. } }`, the
#           function form (gives f and f_grad), with a path dependency on a
#           copy of this workspace's `grad`
#   inline  the plain function, and the formula inline in `grad!` in the
#           function that computes the gradient
#   named   the same, the formula's output naming its scalar (`y: f64 = ..`),
#           so that the expansion is over f64, not over a generic scalar
#   hand    the plain function plus a hand-written straight-line adjoint
#           `f_hand`, both with their variables declared up front in tuples
#           (`let (v0, .., v63): (f64, ..);`), as DESIGN.md's limits section
#           shows such code has to be written for rustc to build it
# Each has a `pub fn gradient(x: &[f64; N], g: &mut [f64; N]) -> f64` that
# computes the gradient (f_grad, the inline form or f_hand are `#[inline]`,
# and an `#[inline]` function is compiled to machine code only in a crate that
# calls it), and measures, with the dependencies already built (so only the
# crate itself compiles), the wall time (and CPU time) of:
#   expansion   rustc's `macro_expand_crate` pass (-Z time-passes; the script sets
#               RUSTC_BOOTSTRAP=1 for that one measuring command only)
#   check       `cargo check`
#   debug       `cargo build` (the default dev profile, with debuginfo)
#   release     `cargo build --release`
# and the ratio of grad's CPU time to the hand-written crate's, same shape,
# size and command. Each build runs REPS times (3 unless set), the four
# forms taking turns, so that a slow minute of a shared machine falls on all
# of them; a cell is the run with the median CPU time. Every run compiles
# the crate afresh (its incremental cache deleted: cargo checks and builds
# debug incrementally, and a repeated build of the same source would reuse
# the cache). A build that fails is reported as such.
# Then, at 1,000 operations (INSTRUCTION_SIZES to change), rustc's
# instructions for each crate and command under callgrind, one run each,
# with the same ratios: counts the machine's load does not move.
# The tables are also written to $TARGET/grad-benches/compile_time.md, which
# report.sh puts in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
workspace=$(pwd)
source benches/record.sh
load_before=$(load)
script_start=$SECONDS
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(100 1000 10000)
forms=(hand grad inline named)
shapes=(dag rosen)

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
    [[ $form != hand ]] && dependency="grad = { path = \"$tmp/workspace\" }"
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
    "$generate" crate "$form" dag 10 "$tmp/$form/src/lib.rs" >/dev/null
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

# The CPU seconds of a "wall s (cpu s)" cell, or nothing.
cpu_of() {
    sed -n 's/^[0-9.]* s (\([0-9.]*\) s)$/\1/p' <<<"$1"
}

# "grad's cell (ratio to hand)": the CPU time's ratio.
with_ratio() {
    local cell=$1 hand=$2 mine theirs
    mine=$(cpu_of "$cell")
    theirs=$(cpu_of "$hand")
    if [[ -n $mine && -n $theirs ]]; then
        awk -v c="$cell" -v m="$mine" -v t="$theirs" 'BEGIN { printf "%s, %.2fx", c, m / (t > 0 ? t : 0.01) }'
    else
        echo "$cell"
    fi
}

# The cell of the run with the median CPU time among its arguments (cells
# of the same build), or the first failure.
median_cell() {
    local cell
    for cell in "$@"; do
        [[ -n $(cpu_of "$cell") ]] || { echo "$cell"; return; }
    done
    for cell in "$@"; do
        printf '%s\t%s\n' "$(cpu_of "$cell")" "$cell"
    done | sort -n | sed -n "$((($# + 1) / 2))p" | cut -f2
}

reps=${REPS:-3}
commands=(check debug release)

# cargo's arguments for one of the commands.
cargo_arguments() {
    case $1 in
        check) echo check ;;
        debug) echo build ;;
        release) echo build --release ;;
    esac
}

measure() {
    echo "Load average before the first build: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)."
    echo
    echo "Each cell: wall seconds (CPU seconds) of the run with the median CPU time of $reps, the four forms' runs taking turns, and for grad's forms the ratio of that CPU time to the hand-written adjoint's."
    echo
    echo "| shape | operations | inputs | form | lines of code | expansion | cargo check | cargo build (debug) | cargo build --release |"
    echo "|---|---:|---:|---|---:|---:|---:|---:|---:|"
    for shape in "${shapes[@]}"; do
        for size in "${sizes[@]}"; do
            declare -A operations=() inputs=() lines=() expansion=() runs=()
            for form in "${forms[@]}"; do
                src="$tmp/$form/src/lib.rs"
                info=$("$generate" crate "$form" "$shape" "$size" "$src")
                operations[$form]=${info%% operations*}
                inputs[$form]=$(sed 's/.*, \([0-9]*\) inputs.*/\1/' <<<"$info")
                lines[$form]=$(wc -l <"$src")
                expansion[$form]="-"
                if [[ $form != hand ]]; then
                    cd "$tmp/$form"
                    touch "$src"
                    expand
                    expansion[$form]=$(awk '/macro_expand_crate/ { sub(/^time: */, ""); sub(/;.*/, ""); printf "%.2f s", $0 }' "$log")
                    cd "$workspace"
                fi
            done
            for ((rep = 0; rep < reps; rep++)); do
                for form in "${forms[@]}"; do
                    cd "$tmp/$form"
                    for command in "${commands[@]}"; do
                        # Each run compiles the crate afresh: without this, a
                        # repeated check or debug build of the same source
                        # reuses the last run's incremental cache.
                        rm -rf "$CARGO_TARGET_DIR"/*/incremental/compile_time_"$form"-*
                        touch src/lib.rs
                        # shellcheck disable=SC2046 # the arguments are words
                        runs[$form.$command.$rep]=$(timed cargo $(cargo_arguments "$command"))
                    done
                    cd "$workspace"
                done
            done
            declare -A hand=()
            # hand first: grad's forms are given as ratios to it.
            for form in "${forms[@]}"; do
                declare -A cells=()
                for command in "${commands[@]}"; do
                    local all=()
                    for ((rep = 0; rep < reps; rep++)); do
                        all+=("${runs[$form.$command.$rep]}")
                    done
                    cells[$command]=$(median_cell "${all[@]}")
                    if [[ $form == hand ]]; then
                        hand[$command]=${cells[$command]}
                    else
                        cells[$command]=$(with_ratio "${cells[$command]}" "${hand[$command]}")
                    fi
                done
                echo "| $shape | ${operations[$form]} | ${inputs[$form]} | $form | ${lines[$form]} | ${expansion[$form]} | ${cells[check]} | ${cells[debug]} | ${cells[release]} |"
            done
            unset operations inputs lines expansion runs hand cells
        done
    done
}

# rustc's instructions for the same crates, at $INSTRUCTION_SIZES (1000
# unless set), one run each under callgrind: a count that a busy machine
# does not move, where the times above move by a fifth from run to run.
# Only the measured crate's rustc runs under callgrind (a RUSTC_WRAPPER that
# passes every other crate through), in its own target directory, since the
# wrapper changes cargo's fingerprints.
read -r -a instruction_sizes <<<"${INSTRUCTION_SIZES:-1000}"
instructions() {
    echo
    if ! command -v valgrind >/dev/null; then
        echo "rustc's instructions: not measured (valgrind is not installed)."
        return
    fi
    local wrapper="$tmp/callgrind-rustc" out="$tmp/callgrind.out"
    cat >"$wrapper" <<'SH'
#!/usr/bin/env bash
# The measured crate's rustc under callgrind, every other rustc as it is.
if [[ " $* " == *" --crate-name compile_time_"* ]]; then
    exec valgrind --tool=callgrind --callgrind-out-file="$GRAD_CALLGRIND_OUT" "$@" 2>/dev/null
fi
exec "$@"
SH
    chmod +x "$wrapper"
    echo "rustc's instructions, in millions: \`valgrind --tool=callgrind\` on the crate's own rustc (its dependencies built first), one run each, and for grad's forms the ratio to the hand-written adjoint's. Unlike the times above, the count does not move with the machine's load."
    echo
    echo "| shape | operations | form | cargo check | cargo build (debug) | cargo build --release |"
    echo "|---|---:|---|---:|---:|---:|"
    local shape size form command info operations row mine theirs
    for shape in "${shapes[@]}"; do
        for size in "${instruction_sizes[@]}"; do
            declare -A counts=()
            for form in "${forms[@]}"; do
                info=$("$generate" crate "$form" "$shape" "$size" "$tmp/$form/src/lib.rs")
                operations=${info%% operations*}
                cd "$tmp/$form"
                for command in "${commands[@]}"; do
                    rm -rf "$tmp/target-callgrind"/*/incremental/compile_time_"$form"-*
                    touch src/lib.rs
                    rm -f "$out"
                    counts[$form.$command]=""
                    # shellcheck disable=SC2046 # the arguments are words
                    if CARGO_TARGET_DIR="$tmp/target-callgrind" RUSTC_WRAPPER="$wrapper" GRAD_CALLGRIND_OUT="$out" \
                        cargo $(cargo_arguments "$command") --quiet >"$log" 2>&1 && [[ -f $out ]]; then
                        counts[$form.$command]=$(awk '/^(summary|totals):/ { print $2; exit }' "$out")
                    fi
                done
                cd "$workspace"
            done
            for form in "${forms[@]}"; do
                row="| $shape | $operations | $form"
                for command in "${commands[@]}"; do
                    mine=${counts[$form.$command]}
                    theirs=${counts[hand.$command]}
                    if [[ -z $mine ]]; then
                        row+=" | fails"
                    elif [[ $form == hand || -z $theirs ]]; then
                        row+=$(awk -v m="$mine" 'BEGIN { printf " | %d", m / 1e6 }')
                    else
                        row+=$(awk -v m="$mine" -v t="$theirs" 'BEGIN { printf " | %d, %.2fx", m / 1e6, m / t }')
                    fi
                done
                echo "$row |"
            done
            unset counts
        done
    done
}

{
    measure
    instructions
} | tee "$results/compile_time.md.new"
mv "$results/compile_time.md.new" "$results/compile_time.md"
record_run compile_time $((SECONDS - script_start)) "$load_before"
