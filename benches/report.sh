#!/usr/bin/env bash
# One run of everything: criterion times and callgrind instruction counts,
# side by side per formula, with the ratios to the hand-written adjoint, and
# the performance targets checked on both.
#
#   benches/report.sh              run criterion, then callgrind.sh, then print
#   benches/report.sh --no-run     print from the last run's results
#
# Times are criterion's median per call; instructions come from callgrind.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"

if [[ "${1:-}" != "--no-run" ]]; then
    cargo bench -p grad-benches --bench gradients -- --noplot >&2
    benches/callgrind.sh >&2
fi

tsv="$target/grad-benches/callgrind.tsv"
times="$target/grad-benches/criterion.tsv"
: >"$times"
while IFS=$'\t' read -r problem method _rest; do
    file="$target/criterion/$problem/$method/new/estimates.json"
    [[ -f "$file" ]] || continue
    median=$(grep -o '"median":{"confidence_interval":{[^}]*},"point_estimate":[0-9.e+-]*' "$file" | sed 's/.*://')
    printf '%s\t%s\t%s\n' "$problem" "$method" "$median" >>"$times"
done <"$tsv"

awk -F'\t' '
    function group(v,   s) { s = sprintf("%.0f", v); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }
    function duration(ns) { return ns >= 1e6 ? sprintf("%.2f ms", ns / 1e6) : ns >= 1e3 ? sprintf("%.2f µs", ns / 1e3) : sprintf("%.1f ns", ns) }
    function check(label, value, op, bound,   ok) {
        ok = (op == "<=") ? value <= bound : value >= bound
        return sprintf("| %s | %s | %.2f | %s %s | %s |", problem_label, label, value, op, bound, ok ? "met" : "**missed**")
    }
    FILENAME == ARGV[1] { t[$1, $2] = $3; next }
    {
        ir[$1, $2] = $5; twin[$1, $2] = $6; n[$1] = $3; ops[$1] = $4
        if (!($1 in seen)) { seen[$1] = 1; order[++p] = $1 }
        methods[$1] = methods[$1] " " $2
    }
    END {
        for (j = 1; j <= p; j++) {
            k = order[j]
            printf "\n### %s (n = %d inputs, %d operations)\n\n", k, n[k], ops[k]
            print "| method | time (median) | time / hand | instructions | instructions / hand |"
            print "|---|---:|---:|---:|---:|"
            m = split(substr(methods[k], 2), ms, " ")
            for (i = 1; i <= m; i++) {
                id = ms[i]
                time = ((k, id) in t) ? duration(t[k, id]) : "-"
                tr = ((k, id) in t && (k, "hand") in t) ? sprintf("%.2f", t[k, id] / t[k, "hand"]) : "-"
                note = twin[k, id] != "" ? " (same machine code as " twin[k, id] ")" : ""
                printf "| %s%s | %s | %s | %s | %.2f |\n", id, note, time, tr, group(ir[k, id]), ir[k, id] / ir[k, "hand"]
            }
        }
        print "\n### Targets\n"
        print "| formula | ratio | value | target | |"
        print "|---|---|---:|---|---|"
        for (j = 1; j <= p; j++) {
            k = order[j]; problem_label = k
            print check("grad! / hand, instructions", ir[k, "grad_macro"] / ir[k, "hand"], "<=", 1.05)
            if ((k, "hand") in t) print check("grad! / hand, time", t[k, "grad_macro"] / t[k, "hand"], "<=", 1.10)
            print check("grad! / forward, instructions", ir[k, "grad_macro"] / ir[k, "forward"], "<=", 3)
            if ((k, "hand") in t) print check("grad! / forward, time", t[k, "grad_macro"] / t[k, "forward"], "<=", 3)
            print check("finite differences / grad!, instructions", ir[k, "finite_differences"] / ir[k, "grad_macro"], ">=", n[k] / 2)
            if ((k, "hand") in t) print check("finite differences / grad!, time", t[k, "finite_differences"] / t[k, "grad_macro"], ">=", n[k] / 2)
            bound = (k ~ /^dag/) ? 3 : 20
            print check("easy-ml tape / grad!, instructions", ir[k, "easy_ml"] / ir[k, "grad_macro"], ">=", bound)
            if ((k, "hand") in t) print check("easy-ml tape / grad!, time", t[k, "easy_ml"] / t[k, "grad_macro"], ">=", bound)
        }
    }' "$times" "$tsv"
