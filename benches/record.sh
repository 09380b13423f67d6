# Sourced by the benchmark scripts: where results go, and what each result
# records about the run that made it, so that BENCHMARKS.md can say which
# commit and which machine its numbers come from.

# The results directory, absolute, under the workspace's target directory
# as it is when this file is sourced (from the workspace root), so that a
# script may point CARGO_TARGET_DIR elsewhere afterwards.
results="${CARGO_TARGET_DIR:-target}/grad-benches"
[[ "$results" = /* ]] || results="$(pwd)/$results"
mkdir -p "$results"

# record_run NAME SECONDS LOAD: writes NAME.run in $results,
# one `key<TAB>value` a line: the commit measured, whether the working tree
# had uncommitted changes to tracked files (an untracked file, such as a log
# written beside the scripts, is not part of what is measured), the date,
# how long the run took and the load average before (LOAD) and after it.
record_run() {
    local dirty=no
    [[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]] || dirty=yes
    {
        printf 'commit\t%s\n' "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
        printf 'dirty\t%s\n' "$dirty"
        printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
        printf 'seconds\t%s\n' "$2"
        printf 'load\t%s\n' "$3"
        printf 'load_after\t%s\n' "$(load)"
    } >"$results/$1.run"
}

# The load average over 1, 5 and 15 minutes.
load() {
    cut -d' ' -f1-3 /proc/loadavg
}

# record_machine: writes machine.tsv in $results.
record_machine() {
    {
        printf 'nproc\t%s\n' "$(nproc)"
        printf 'CPU (/proc/cpuinfo)\t%s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
        printf 'memory (/proc/meminfo)\t%s\n' "$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
        printf 'rustc --version\t%s\n' "$(rustc --version)"
        printf 'valgrind --version\t%s\n' "$(valgrind --version 2>/dev/null || echo none)"
        printf 'libc (ldd --version)\t%s\n' "$(ldd --version 2>/dev/null | head -n 1)"
    } >"$results/machine.tsv"
}
