//! Writes `BENCHMARKS.md` from the scripts' results and the template, so
//! that no number in it is copied by hand.
//!
//! ```text
//! report write RESULTS CRITERION TEMPLATE   the file on stdout: RESULTS is the
//!                                          scripts' directory (target/grad-benches),
//!                                          CRITERION criterion's (target/criterion)
//! report table TSV                         the instructions table of one callgrind.sh run
//! report network RESULTS CRITERION         the table of benches/network.sh: the training
//!                                          step of the book's network
//! report loops TSV CRITERION               the table of one loops.sh run
//! ```
//!
//! The template's lines `{{name}}` are replaced by generated blocks; the
//! rest is copied as it is.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// One line of `callgrind.tsv`.
struct Measured {
    problem: String,
    method: String,
    inputs: usize,
    operations: usize,
    instructions: f64,
    /// The other measured functions with the same machine code.
    twins: String,
}

/// Every measurement of a run: instructions and, where criterion ran,
/// median times in nanoseconds.
struct Results {
    rows: Vec<Measured>,
    times: BTreeMap<(String, String), f64>,
}

impl Results {
    fn problems(&self) -> Vec<&Measured> {
        let mut seen: Vec<&Measured> = Vec::new();
        for row in &self.rows {
            if !seen.iter().any(|r| r.problem == row.problem) {
                seen.push(row);
            }
        }
        seen
    }

    fn methods(&self, problem: &str) -> impl Iterator<Item = &Measured> {
        self.rows.iter().filter(move |r| r.problem == problem)
    }

    fn instructions(&self, problem: &str, method: &str) -> Option<f64> {
        self.methods(problem)
            .find(|r| r.method == method)
            .map(|r| r.instructions)
    }

    fn time(&self, problem: &str, method: &str) -> Option<f64> {
        self.times
            .get(&(problem.to_owned(), method.to_owned()))
            .copied()
    }
}

/// A `key<TAB>value` file written by `record.sh`.
type Record = BTreeMap<String, String>;

fn read_record(path: &Path) -> Option<Record> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        text.lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect(),
    )
}

fn read_rows(path: &Path) -> Result<Vec<Measured>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let number = |i: usize| -> Result<f64, String> {
                fields
                    .get(i)
                    .and_then(|f| f.parse().ok())
                    .ok_or_else(|| format!("{}: bad line {line:?}", path.display()))
            };
            Ok(Measured {
                problem: fields[0].to_owned(),
                method: fields.get(1).copied().unwrap_or_default().to_owned(),
                inputs: number(2)? as usize,
                operations: number(3)? as usize,
                instructions: number(4)?,
                twins: fields.get(5).copied().unwrap_or_default().to_owned(),
            })
        })
        .collect()
}

/// Criterion's median estimate, in nanoseconds, from its `estimates.json`.
fn criterion_median(dir: &Path, problem: &str, method: &str) -> Option<f64> {
    let path = dir.join(problem).join(method).join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let median = &text[text.find("\"median\"")?..];
    let estimate = &median[median.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = estimate.find([',', '}'])?;
    estimate[..end].trim().parse().ok()
}

/// `1234567` as `1,234,567`.
fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if value < 0.0 { format!("-{out}") } else { out }
}

fn duration(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

fn wall_clock(seconds: &str) -> String {
    match seconds.parse::<u64>() {
        Ok(s) if s >= 60 => format!("{} min {} s", s / 60, s % 60),
        Ok(s) => format!("{s} s"),
        Err(_) => seconds.to_owned(),
    }
}

/// The instructions table: one row per method, one column per formula,
/// "instructions (x hand)".
fn instructions_table(results: &Results) -> String {
    let problems = results.problems();
    let mut out = String::from("| instructions per gradient (x hand-written) |");
    for p in &problems {
        let _ = write!(
            out,
            " {} (n={}, {} ops) |",
            p.problem, p.inputs, p.operations
        );
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(problems.len()));
    out.push('\n');
    let mut methods: Vec<&str> = Vec::new();
    for row in &results.rows {
        if !methods.contains(&row.method.as_str()) {
            methods.push(&row.method);
        }
    }
    for method in methods {
        let _ = write!(out, "| {method} |");
        for p in &problems {
            let cell = match (
                results.methods(&p.problem).find(|r| r.method == method),
                results.instructions(&p.problem, "hand"),
            ) {
                (Some(row), Some(hand)) => {
                    let twins = if row.twins.is_empty() {
                        String::new()
                    } else {
                        format!(" ={}", row.twins)
                    };
                    format!(
                        "{} ({:.2}){twins}",
                        grouped(row.instructions),
                        row.instructions / hand
                    )
                }
                _ => "n/a".to_owned(),
            };
            let _ = write!(out, " {cell} |");
        }
        out.push('\n');
    }
    out
}

/// One line of `loops.tsv`: instructions per call, and the part of them in
/// libc's memset and memcpy.
struct LoopMeasured {
    problem: String,
    method: String,
    inputs: usize,
    instructions: f64,
    libc: f64,
}

fn read_loop_rows(path: &Path) -> Result<Vec<LoopMeasured>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let number = |i: usize| -> Result<f64, String> {
                fields
                    .get(i)
                    .and_then(|f| f.parse().ok())
                    .ok_or_else(|| format!("{}: bad line {line:?}", path.display()))
            };
            Ok(LoopMeasured {
                problem: fields[0].to_owned(),
                method: fields.get(1).copied().unwrap_or_default().to_owned(),
                inputs: number(2)? as usize,
                instructions: number(4)?,
                libc: number(5)?,
            })
        })
        .collect()
}

/// The loops table of `loops.sh`: per N and method, instructions (all, in
/// memset/memcpy, and without those), time, and their ratios to the
/// hand-written reversed loop and to the forward loop; then the targets.
fn loops_table(rows: &[LoopMeasured], criterion_dir: &Path) -> String {
    let find = |problem: &str, method: &str| {
        rows.iter()
            .find(|r| r.problem == problem && r.method == method)
    };
    let time = |problem: &str, method: &str| criterion_median(criterion_dir, problem, method);
    let ratio = |a: Option<f64>, b: Option<f64>| {
        a.zip(b)
            .map_or("-".to_owned(), |(a, b)| format!("{:.2}", a / b))
    };
    let mut out = String::from(
        "| N | method | instructions | of which memset + memcpy | the rest | instructions / hand | / forward | the rest / hand | the rest / forward | time (median) | time / hand | time / forward |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut problems: Vec<&str> = Vec::new();
    for row in rows {
        if !problems.contains(&row.problem.as_str()) {
            problems.push(&row.problem);
        }
    }
    for problem in &problems {
        let hand = find(problem, "hand");
        let forward = find(problem, "forward");
        for row in rows.iter().filter(|r| r.problem == *problem) {
            let own = |r: &LoopMeasured| r.instructions - r.libc;
            let t = time(problem, &row.method);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                grouped(row.inputs as f64),
                row.method,
                grouped(row.instructions),
                grouped(row.libc),
                grouped(own(row)),
                ratio(Some(row.instructions), hand.map(|h| h.instructions)),
                ratio(Some(row.instructions), forward.map(|f| f.instructions)),
                ratio(Some(own(row)), hand.map(own)),
                ratio(Some(own(row)), forward.map(own)),
                t.map_or("-".to_owned(), duration),
                ratio(t, time(problem, "hand")),
                ratio(t, time(problem, "forward")),
            );
        }
    }
    out.push_str("\nTargets for `grad_macro` (the design's: at most 1.2x the hand-written reversed loop, at most 3x the forward loop):\n\n");
    out.push_str(
        "| N | ratio | instructions | the rest (without memset + memcpy) | time |\n|---:|---|---|---|---|\n",
    );
    for problem in &problems {
        let Some(grad) = find(problem, "grad_macro") else {
            continue;
        };
        for (against, bound) in [("hand", 1.2), ("forward", 3.0)] {
            let Some(other) = find(problem, against) else {
                continue;
            };
            let verdict = |value: Option<f64>| match value {
                Some(v) if v <= bound => format!("met ({v:.2})"),
                Some(v) => format!("**missed** ({v:.2})"),
                None => "-".to_owned(),
            };
            let _ = writeln!(
                out,
                "| {} | grad_macro / {against} <= {bound} | {} | {} | {} |",
                grouped(grad.inputs as f64),
                verdict(Some(grad.instructions / other.instructions)),
                verdict(Some(
                    (grad.instructions - grad.libc) / (other.instructions - other.libc)
                )),
                verdict(
                    time(problem, "grad_macro")
                        .zip(time(problem, against))
                        .map(|(a, b)| a / b)
                ),
            );
        }
    }
    out
}

/// One table per formula: time and instructions of every method, and
/// their ratios to the hand-written adjoint.
fn results_tables(results: &Results) -> String {
    let mut out = String::new();
    for p in results.problems() {
        let _ = writeln!(
            out,
            "### {} (n = {} inputs, {} operations)\n",
            p.problem, p.inputs, p.operations
        );
        out.push_str(
            "| method | time (median) | time / hand | instructions | instructions / hand |\n",
        );
        out.push_str("|---|---:|---:|---:|---:|\n");
        let hand_time = results.time(&p.problem, "hand");
        let hand = results.instructions(&p.problem, "hand").unwrap_or(f64::NAN);
        for row in results.methods(&p.problem) {
            let time = results.time(&p.problem, &row.method);
            let note = if row.twins.is_empty() {
                String::new()
            } else {
                format!(" (same machine code as {})", row.twins)
            };
            let _ = writeln!(
                out,
                "| {}{note} | {} | {} | {} | {:.2} |",
                row.method,
                time.map_or("-".to_owned(), duration),
                time.zip(hand_time)
                    .map_or("-".to_owned(), |(t, h)| format!("{:.2}", t / h)),
                grouped(row.instructions),
                row.instructions / hand,
            );
        }
        out.push('\n');
    }
    out
}

/// How a ratio is measured.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Measure {
    Instructions,
    Time,
}

/// One performance target on one formula.
struct Target {
    problem: String,
    /// What is compared, without the measure: "function form / hand".
    what: String,
    measure: Measure,
    value: Option<f64>,
    at_most: bool,
    bound: f64,
}

impl Target {
    fn met(&self) -> Option<bool> {
        self.value.map(|v| {
            if self.at_most {
                v <= self.bound
            } else {
                v >= self.bound
            }
        })
    }

    /// What is compared and how, the same for every formula.
    fn row(&self) -> String {
        let measure = match self.measure {
            Measure::Instructions => "instructions",
            Measure::Time => "time",
        };
        format!("{}, {measure}", self.what)
    }

    /// `<= 1.05`.
    fn bound(&self) -> String {
        let op = if self.at_most { "<=" } else { ">=" };
        format!("{op} {}", self.bound)
    }

    fn verdict(&self) -> &'static str {
        match self.met() {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "-",
        }
    }
}

/// The forms of `grad!` measured, with how the tables name them.
const FORMS: [(&str, &str); 3] = [
    ("grad_macro", "function form"),
    ("grad_inline", "inline form"),
    ("grad_named", "inline form, scalar named"),
];

fn targets(results: &Results) -> Vec<Target> {
    let mut targets = Vec::new();
    for p in results.problems() {
        let problem = &p.problem;
        let ratio = |measure: Measure, a: &str, b: &str| match measure {
            Measure::Instructions => results
                .instructions(problem, a)
                .zip(results.instructions(problem, b))
                .map(|(a, b)| a / b),
            Measure::Time => results
                .time(problem, a)
                .zip(results.time(problem, b))
                .map(|(a, b)| a / b),
        };
        // One bound for instructions and one for time.
        let mut push = |what: String, a: &str, b: &str, at_most: bool, bounds: [f64; 2]| {
            for (measure, bound) in [Measure::Instructions, Measure::Time]
                .into_iter()
                .zip(bounds)
            {
                targets.push(Target {
                    problem: problem.clone(),
                    what: what.clone(),
                    measure,
                    value: ratio(measure, a, b),
                    at_most,
                    bound,
                });
            }
        };
        for (method, form) in FORMS {
            push(format!("{form} / hand"), method, "hand", true, [1.05, 1.10]);
        }
        for (method, form) in FORMS {
            push(
                format!("{form} / forward"),
                method,
                "forward",
                true,
                [3.0, 3.0],
            );
        }
        let half = p.inputs as f64 / 2.0;
        push(
            "finite differences / function form".to_owned(),
            "finite_differences",
            "grad_macro",
            false,
            [half, half],
        );
        let tape = if problem.starts_with("dag") {
            3.0
        } else {
            20.0
        };
        push(
            "easy-ml tape / function form".to_owned(),
            "easy_ml",
            "grad_macro",
            false,
            [tape, tape],
        );
    }
    targets
}

/// Targets as rows, formulas as columns.
fn summary(results: &Results, targets: &[Target]) -> String {
    let problems = results.problems();
    let mut out = String::from("| target |");
    for p in &problems {
        let _ = write!(out, " {} |", p.problem);
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(problems.len()));
    out.push('\n');
    let mut rows: Vec<String> = Vec::new();
    for target in targets {
        if !rows.contains(&target.row()) {
            rows.push(target.row());
        }
    }
    for row in rows {
        let cells: Vec<Option<String>> = problems
            .iter()
            .map(|p| {
                let t = targets
                    .iter()
                    .find(|t| t.problem == p.problem && t.row() == row)?;
                let value = t.value?;
                Some(format!("{} ({value:.2}, {})", t.verdict(), t.bound()))
            })
            .collect();
        // A row with nothing measured (times, when criterion has not run).
        if cells.iter().all(Option::is_none) {
            continue;
        }
        let _ = write!(out, "| {row} |");
        for cell in cells {
            let _ = write!(out, " {} |", cell.as_deref().unwrap_or("-"));
        }
        out.push('\n');
    }
    out
}

fn targets_table(targets: &[Target]) -> String {
    let mut out = String::from("| formula | ratio | value | target | |\n|---|---|---:|---|---|\n");
    for t in targets {
        if let Some(value) = t.value {
            let _ = writeln!(
                out,
                "| {} | {} | {value:.2} | {} | {} |",
                t.problem,
                t.row(),
                t.bound(),
                t.verdict()
            );
        }
    }
    out
}

/// What the numbers themselves say about each missed target.
fn notes(results: &Results, targets: &[Target]) -> String {
    let missed: Vec<&Target> = targets.iter().filter(|t| t.met() == Some(false)).collect();
    if missed.is_empty() {
        return "Every target is met.".to_owned();
    }
    let mut out = String::from("The misses, with what the same run says about them:\n\n");
    for t in missed {
        let p = &t.problem;
        let _ = write!(
            out,
            "- **{p}, {}**: {:.2} (target {}).",
            t.row(),
            t.value.unwrap_or(f64::NAN),
            t.bound()
        );
        let twin = targets.iter().find(|o| {
            o.problem == t.problem && o.what == t.what && o.measure == Measure::Instructions
        });
        if t.measure == Measure::Time
            && let Some(twin) = twin
            && twin.met() == Some(true)
        {
            let _ = write!(
                out,
                " In instructions it is met ({:.2}): a time ratio that crosses its bound while the instruction ratio does not is the noise of the machine (see [Noise](#noise)).",
                twin.value.unwrap_or(f64::NAN)
            );
        }
        if t.what.starts_with("inline form") {
            let function = targets.iter().find(|o| {
                o.problem == t.problem
                    && o.measure == t.measure
                    && o.what == t.what.replace("inline form", "function form")
            });
            if let Some(value) = function.and_then(|f| f.value) {
                let _ = write!(
                    out,
                    " The function form of the same formula, with the same layers: {value:.2}."
                );
            }
        }
        if t.what.starts_with("easy-ml")
            && let (Some(tape), Some(forward), Some(hand)) = (
                results.instructions(p, "easy_ml"),
                results.instructions(p, "forward"),
                results.instructions(p, "hand"),
            )
        {
            let _ = write!(
                out,
                " The tape costs {:.2} times the forward evaluation alone, which every method pays (its libm calls are the same), so no method that evaluates the formula can be more than that much faster than the tape; the hand-written adjoint gets {:.2}.",
                tape / forward,
                tape / hand
            );
        }
        if t.what.contains("function form")
            && results
                .methods(p)
                .any(|r| r.method == "grad_macro" && r.twins.split(',').any(|m| m == "hand"))
        {
            out.push_str(
                " `grad!`'s gradient and the hand-written adjoint are the same machine code here (the linker merged them).",
            );
        }
        out.push('\n');
    }
    out
}

/// "Measured at commit .." for one recorded run.
fn provenance(record: &Record) -> String {
    let get = |key: &str| record.get(key).map_or("unknown", String::as_str);
    let mut out = format!(
        "commit `{}`, {}, load average {} before and {} after",
        get("commit"),
        get("date"),
        get("load"),
        get("load_after"),
    );
    if get("dirty") == "yes" {
        out.push_str(", **with uncommitted changes in the working tree**");
    }
    out
}

/// A section written by another script: its own provenance, then its output.
fn included(results_dir: &Path, name: &str, command: &str) -> String {
    let output = std::fs::read_to_string(results_dir.join(format!("{name}.md")));
    match (
        output,
        read_record(&results_dir.join(format!("{name}.run"))),
    ) {
        (Ok(output), Some(record)) => format!(
            "`{command}` at {} (took {}):\n\n{}",
            provenance(&record),
            wall_clock(record.get("seconds").map_or("?", String::as_str)),
            output.trim_end()
        ),
        _ => format!("Not measured in these results: run `{command}`."),
    }
}

fn machine(results_dir: &Path) -> String {
    let Some(record) = read_record(&results_dir.join("machine.tsv")) else {
        return "Not recorded in these results: run `benches/callgrind.sh`.".to_owned();
    };
    let mut out = String::from("| | |\n|---|---|\n");
    let order = [
        "nproc",
        "CPU (/proc/cpuinfo)",
        "memory (/proc/meminfo)",
        "rustc --version",
        "valgrind --version",
        "libc (ldd --version)",
    ];
    for key in order {
        if let Some(value) = record.get(key) {
            let _ = writeln!(out, "| {key} | {value} |");
        }
    }
    out
}

/// The largest relative errors `count check` printed, by method.
fn check(results_dir: &Path) -> String {
    let Ok(text) = std::fs::read_to_string(results_dir.join("check.txt")) else {
        return "Not recorded in these results: run `benches/callgrind.sh`.".to_owned();
    };
    let mut worst: Vec<(String, f64, f64, bool)> = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [
            _problem,
            method,
            "value",
            "error",
            value,
            "gradient",
            "error",
            gradient,
            verdict,
        ] = words[..]
        else {
            continue;
        };
        let (Ok(value), Ok(gradient)) = (value.parse::<f64>(), gradient.parse::<f64>()) else {
            continue;
        };
        let ok = verdict == "ok";
        match worst.iter_mut().find(|(m, ..)| m == method) {
            Some(entry) => {
                entry.1 = entry.1.max(value);
                entry.2 = entry.2.max(gradient);
                entry.3 &= ok;
            }
            None => worst.push((method.to_owned(), value, gradient, ok)),
        }
    }
    let mut out = String::from(
        "| method | largest value error | largest gradient error | |\n|---|---:|---:|---|\n",
    );
    for (method, value, gradient, ok) in worst {
        let verdict = if ok { "ok" } else { "**wrong**" };
        let _ = writeln!(
            out,
            "| {method} | {value:.1e} | {gradient:.1e} | {verdict} |"
        );
    }
    out
}

fn commands(results: &Results, results_dir: &Path) -> String {
    let record = |name: &str| read_record(&results_dir.join(format!("{name}.run")));
    let took = |name: &str| {
        record(name)
            .and_then(|r| r.get("seconds").map(|s| wall_clock(s)))
            .unwrap_or_else(|| "not run".to_owned())
    };
    let seconds =
        |name: &str| record(name).map(|r| r.get("seconds").and_then(|s| s.parse::<u64>().ok()));
    // The loops run with the rest since report.sh ran them; older results lack them.
    let report = match (seconds("criterion"), seconds("callgrind")) {
        (Some(a), Some(b)) => a
            .zip(b)
            .zip(seconds("loops").unwrap_or(Some(0)))
            .map_or("?".to_owned(), |((a, b), c)| {
                wall_clock(&(a + b + c).to_string())
            }),
        _ => "not run".to_owned(),
    };
    let benchmarks = results.rows.len();
    let rows = [
        (
            "benches/report.sh".to_owned(),
            "criterion, then `benches/callgrind.sh` and `benches/loops.sh`, then this file"
                .to_owned(),
            report,
        ),
        (
            "benches/report.sh --no-run".to_owned(),
            "this file again, from the last results".to_owned(),
            "instant".to_owned(),
        ),
        (
            "cargo bench -p grad-benches --bench gradients".to_owned(),
            format!("criterion: {benchmarks} benchmarks, 1 s warm-up and 3 s of samples each"),
            took("criterion"),
        ),
        (
            "benches/callgrind.sh".to_owned(),
            "instructions per gradient, every method, every formula".to_owned(),
            took("callgrind"),
        ),
        (
            "benches/callgrind.sh --all-tapes".to_owned(),
            "the same plus reverse and ad_trait (building ad_trait the first time takes minutes more)".to_owned(),
            took("callgrind-all-tapes"),
        ),
        (
            "benches/network.sh".to_owned(),
            "the training step of the book's network: grad!, the book's layers by hand, burn, candle (criterion and callgrind, one thread)".to_owned(),
            took("network"),
        ),
        (
            "benches/compile_time.sh".to_owned(),
            "compile time at 100, 1,000, 10,000 operations".to_owned(),
            took("compile_time"),
        ),
        (
            "benches/graph_cost.sh".to_owned(),
            "how much of the 10,000-operation check is `name_graph`".to_owned(),
            took("graph_cost"),
        ),
        (
            "benches/loops.sh".to_owned(),
            "Rosenbrock as a loop at N = 100 and 10,000: instructions and times of grad!, the hand-written reversed loop, the forward loop".to_owned(),
            took("loops"),
        ),
        (
            "benches/loop_check_time.sh".to_owned(),
            "`cargo check` of the loop at N = 10 and N = 100,000".to_owned(),
            took("loop_check_time"),
        ),
        (
            "cargo run --release -p grad-benches --bin count -- PROBLEM METHOD N".to_owned(),
            "runs one method N times (what callgrind measures); `count list`, `count check`"
                .to_owned(),
            "instant".to_owned(),
        ),
    ];
    let mut out = String::from("| command | what | took |\n|---|---|---:|\n");
    for (command, what, took) in rows {
        let _ = writeln!(out, "| `{command}` | {what} | {took} |");
    }
    out
}

fn headline(results_dir: &Path) -> String {
    let record = |name: &str| read_record(&results_dir.join(format!("{name}.run")));
    let mut out = String::new();
    match record("callgrind") {
        Some(r) => {
            let _ = writeln!(
                out,
                "- Instructions (`benches/callgrind.sh`): {}.",
                provenance(&r)
            );
        }
        None => out.push_str("- Instructions: not measured in these results.\n"),
    }
    match record("criterion") {
        Some(r) => {
            let _ = writeln!(out, "- Times (criterion): {}.", provenance(&r));
        }
        None => out.push_str(
            "- Times: criterion has not run for these results (`benches/report.sh` runs it); the time columns are empty.\n",
        ),
    }
    let commits: Vec<String> = ["callgrind", "criterion"]
        .iter()
        .filter_map(|name| record(name)?.get("commit").cloned())
        .collect();
    if commits.windows(2).any(|w| w[0] != w[1]) {
        out.push_str("\n**The instructions and the times come from different commits.**\n");
    }
    if ["callgrind", "criterion"]
        .iter()
        .any(|name| record(name).is_some_and(|r| r.get("dirty").is_some_and(|d| d == "yes")))
    {
        out.push_str(
            "\n**Measured with uncommitted changes in the working tree**: the numbers are of the commit named plus those changes.\n",
        );
    }
    out
}

fn write(results_dir: &Path, criterion_dir: &Path, template: &Path) -> Result<String, String> {
    let rows = read_rows(&results_dir.join("callgrind.tsv"))?;
    // Criterion's files are this run's only if the run was recorded: they
    // may be older than the instructions otherwise.
    let times = if read_record(&results_dir.join("criterion.run")).is_some() {
        rows.iter()
            .filter_map(|r| {
                criterion_median(criterion_dir, &r.problem, &r.method)
                    .map(|t| ((r.problem.clone(), r.method.clone()), t))
            })
            .collect()
    } else {
        BTreeMap::new()
    };
    write_with(&Results { rows, times }, results_dir, template)
}

fn write_with(results: &Results, results_dir: &Path, template: &Path) -> Result<String, String> {
    let template =
        std::fs::read_to_string(template).map_err(|e| format!("{}: {e}", template.display()))?;
    let targets = targets(results);
    let census = std::fs::read_to_string(results_dir.join("stats.md")).unwrap_or_else(|_| {
        "Not recorded in these results: run `benches/callgrind.sh`.".to_owned()
    });
    let all_tapes = match read_rows(&results_dir.join("callgrind-all-tapes.tsv")) {
        Ok(rows) => {
            let record = read_record(&results_dir.join("callgrind-all-tapes.run"));
            format!(
                "At {}:\n\n{}",
                record
                    .as_ref()
                    .map_or("an unrecorded run".to_owned(), provenance),
                instructions_table(&Results {
                    rows,
                    times: BTreeMap::new()
                })
            )
        }
        Err(_) => {
            "Not measured in these results: run `benches/callgrind.sh --all-tapes`.".to_owned()
        }
    };
    let mut out = String::new();
    for line in template.lines() {
        let block = match line.trim() {
            "{{provenance}}" => headline(results_dir),
            "{{summary}}" => summary(results, &targets),
            "{{notes}}" => notes(results, &targets),
            "{{machine}}" => machine(results_dir),
            "{{census}}" => census.clone(),
            "{{check}}" => check(results_dir),
            "{{commands}}" => commands(results, results_dir),
            "{{results}}" => format!(
                "{}\n\n### Instructions, every formula\n\n{}",
                results_tables(results).trim_end(),
                instructions_table(results)
            ),
            "{{targets}}" => targets_table(&targets),
            "{{all_tapes}}" => all_tapes.clone(),
            "{{compile_time}}" => included(results_dir, "compile_time", "benches/compile_time.sh"),
            "{{graph_cost}}" => included(results_dir, "graph_cost", "benches/graph_cost.sh"),
            "{{network}}" => included(results_dir, "network", "benches/network.sh"),
            "{{loops}}" => included(results_dir, "loops", "benches/loops.sh"),
            "{{loop_check_time}}" => {
                included(results_dir, "loop_check_time", "benches/loop_check_time.sh")
            }
            other if other.starts_with("{{") => return Err(format!("unknown block {other}")),
            _ => {
                out.push_str(line);
                out.push('\n');
                continue;
            }
        };
        out.push_str(block.trim_end());
        out.push('\n');
    }
    Ok(out)
}

/// The methods of `benches/network.sh`, with how its tables name them.
const NETWORK_METHODS: [(&str, &str); 4] = [
    ("hand", "the book's layers by hand (`grad::nn`)"),
    ("grad_macro", "`grad!` (function form)"),
    ("burn", "burn 0.22, autodiff over ndarray"),
    ("candle", "candle-core 0.11, CPU"),
];

/// The table of `benches/network.sh` from its results: time and
/// instructions per training step of every method, their ratios to the
/// hand-written layers, the targets, and the check's lines.
fn network_table(results_dir: &Path, criterion_dir: &Path) -> Result<String, String> {
    let path = results_dir.join("network.tsv");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut instructions = BTreeMap::new();
    for line in text.lines().filter(|line| !line.is_empty()) {
        let (method, count) = line
            .split_once('\t')
            .and_then(|(m, c)| Some((m.to_owned(), c.parse::<f64>().ok()?)))
            .ok_or_else(|| format!("{}: bad line {line:?}", path.display()))?;
        instructions.insert(method, count);
    }
    // `network interleaved`: method, median, first and third quartile (ns).
    let mut interleaved_times = BTreeMap::new();
    if let Ok(text) = std::fs::read_to_string(results_dir.join("network-interleaved.tsv")) {
        for line in text.lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            if let [method, median, low, high] = fields.as_slice() {
                let parsed: Option<Vec<f64>> =
                    [median, low, high].iter().map(|v| v.parse().ok()).collect();
                if let Some(&[median, low, high]) = parsed.as_deref() {
                    interleaved_times.insert((*method).to_owned(), (median, low, high));
                }
            }
        }
    }
    let time = |method: &str| criterion_median(criterion_dir, "network", method);
    let interleaved = |method: &str| interleaved_times.get(method).map(|&(median, _, _)| median);
    let count = |method: &str| instructions.get(method).copied();
    let ratio = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a / b);
    let cell = |value: Option<f64>| value.map_or("-".to_owned(), |v| format!("{v:.2}"));
    let mut out = String::from(
        "| one training step (64-50-10, batch 100, f64, SGD) | time (criterion median) | time / hand | time, interleaved (median [quartiles]) | time, interleaved / hand | instructions | instructions / hand |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for (method, name) in NETWORK_METHODS {
        if count(method).is_none() && time(method).is_none() {
            continue;
        }
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} |",
            time(method).map_or("-".to_owned(), duration),
            cell(ratio(time(method), time("hand"))),
            interleaved_times
                .get(method)
                .map_or("-".to_owned(), |&(median, low, high)| format!(
                    "{} [{} .. {}]",
                    duration(median),
                    duration(low),
                    duration(high)
                )),
            cell(ratio(interleaved(method), interleaved("hand"))),
            count(method).map_or("-".to_owned(), grouped),
            cell(ratio(count(method), count("hand"))),
        );
    }
    out.push_str("\n| target | value | bound | |\n|---|---:|---|---|\n");
    let targets = [
        (
            "`grad!` / hand, time (criterion)",
            ratio(time("grad_macro"), time("hand")),
            true,
            1.10,
        ),
        (
            "`grad!` / hand, time (interleaved)",
            ratio(interleaved("grad_macro"), interleaved("hand")),
            true,
            1.10,
        ),
        (
            "`grad!` / hand, instructions",
            ratio(count("grad_macro"), count("hand")),
            true,
            1.10,
        ),
        (
            "burn / `grad!`, time (criterion)",
            ratio(time("burn"), time("grad_macro")),
            false,
            2.0,
        ),
        (
            "burn / `grad!`, time (interleaved)",
            ratio(interleaved("burn"), interleaved("grad_macro")),
            false,
            2.0,
        ),
        (
            "candle / `grad!`, time (criterion)",
            ratio(time("candle"), time("grad_macro")),
            false,
            2.0,
        ),
        (
            "candle / `grad!`, time (interleaved)",
            ratio(interleaved("candle"), interleaved("grad_macro")),
            false,
            2.0,
        ),
        (
            "burn / `grad!`, instructions",
            ratio(count("burn"), count("grad_macro")),
            false,
            2.0,
        ),
        (
            "candle / `grad!`, instructions",
            ratio(count("candle"), count("grad_macro")),
            false,
            2.0,
        ),
    ];
    for (what, value, at_most, bound) in targets {
        let target = Target {
            problem: "network".to_owned(),
            what: what.to_owned(),
            measure: Measure::Time,
            value,
            at_most,
            bound,
        };
        let verdict = if value.is_some() {
            target.verdict()
        } else {
            "not measured"
        };
        let _ = writeln!(
            out,
            "| {what} | {} | {} | {verdict} |",
            cell(value),
            target.bound(),
        );
    }
    if let Ok(check) = std::fs::read_to_string(results_dir.join("network-check.txt")) {
        out.push_str(
            "\n`network check`, run before measuring: one step of each from the same start, against the book's layers by hand (loss error relative to the loss; weights error: the largest difference in an updated parameter over that parameter's largest element):\n\n```text\n",
        );
        out.push_str(check.trim_end());
        out.push_str("\n```\n");
    }
    Ok(out)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["write", results, criterion, template] => write(
            &PathBuf::from(results),
            &PathBuf::from(criterion),
            &PathBuf::from(template),
        ),
        ["network", results, criterion] => {
            network_table(&PathBuf::from(results), &PathBuf::from(criterion))
        }
        ["table", tsv] => read_rows(Path::new(tsv)).map(|rows| {
            instructions_table(&Results {
                rows,
                times: BTreeMap::new(),
            })
        }),
        ["loops", tsv, criterion] => read_loop_rows(Path::new(tsv))
            .map(|rows| loops_table(&rows, &PathBuf::from(criterion))),
        _ => Err(
            "usage: report write RESULTS CRITERION TEMPLATE | report table TSV | report network RESULTS CRITERION | report loops TSV CRITERION"
                .to_owned(),
        ),
    };
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
