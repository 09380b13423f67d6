//! Fuzzing the expansion outside the compiler.
//!
//! `grad_fuzz::expand` is the macro's expansion as a plain function on
//! token streams, so it runs without rustc on generated input. Valid
//! formulas of both forms come from `grad-generator`; this fuzzer puts
//! mistakes in them, mutates their tokens, writes random token soup and very
//! deep or very long formulas. Every input is checked for three properties:
//!
//! 1. `expand` never panics (a panic is caught and reported with its input);
//! 2. its output always parses: as an expression for the inline form, as
//!    items for the function form, whether or not it holds `compile_error!`s;
//! 3. where the grammar knows the answer, the input is accepted (valid
//!    formulas) or rejected (formulas with a mistake put in).
//!
//! Entry points (see `docs/fuzzing.md`):
//!
//! - [`random_inputs`]: 1,000 proptest cases, part of `cargo test`;
//! - [`seeds`]: every file of `seeds/`, and [`generated_seeds`], the huge
//!   inputs that are generated rather than stored;
//! - [`long_run`] (ignored): as many inputs as `GRAD_FUZZ_SECONDS` or
//!   `GRAD_FUZZ_CASES` allow, from a seeded generator;
//! - [`depth_limits`] (ignored): the nesting depth and chain length at which
//!   the expansion overflows a stack of `GRAD_FUZZ_STACK` bytes;
//! - [`scaling`] (ignored): expansion time against the size of a formula.
//!
//! A stack overflow aborts the process, which no `catch_unwind` survives, so
//! every input runs on a thread with a known stack size: by default the
//! 1 GiB that `grad!` grows for its expansion. [`depth_limits`] measures
//! what each level of nesting costs, and so where a given stack ends.

mod case;
mod check;
mod deep;
mod grammar;
mod mistakes;
mod run;
mod tokens;

use crate::case::Expect;
use crate::check::{Outcome, TIMES, check, compile_errors, known_issue, shorten};
use crate::deep::{SHAPES, seed_size};
use crate::run::{Stats, env_number, generate, on_stack};
use grad_generator::{SplitMix64, Tape};
use proc_macro2::TokenStream;
use std::cell::RefCell;
use std::panic;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The stack of rustc's compiler thread, on which proc macros run (8 MiB
/// unless `RUST_MIN_STACK` says otherwise).
const RUSTC_STACK: usize = 8 * 1024 * 1024;

/// The stack `grad!` runs the expansion on: a segment it grows for itself
/// (see `grad-macros/src/lib.rs`), since syn parses expressions
/// recursively. The fuzzer gives its threads the same.
const MACRO_STACK: usize = grad_fuzz::EXPANSION_STACK;

/// a small one. Decisions are a list of numbers, each shrunk towards 0.
#[test]
fn random_inputs() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestCaseError, TestRng, TestRunner};

    let cases = env_number("GRAD_FUZZ_PROPTEST_CASES").unwrap_or(1_000) as u32;
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    // One deep or long case in 400 keeps the test fast in debug.
    let deep_one_in = env_number("GRAD_FUZZ_DEEP_ONE_IN").unwrap_or(400) as usize;
    let started = Instant::now();
    let (stats, result) = on_stack(MACRO_STACK, move || {
        let stats = RefCell::new(Stats::default());
        let rng = TestRng::deterministic_rng(config.rng_algorithm);
        let mut runner = TestRunner::new_with_rng(config, rng);
        let strategy = proptest::collection::vec(any::<u32>(), 0..600);
        let result = runner.run(&strategy, |choices| {
            let mut tape = Tape::new(&choices);
            let generating = Instant::now();
            let case = generate(&mut tape, deep_one_in);
            TIMES.with(|t| t.generate.set(t.generate.get() + generating.elapsed()));
            let result = check(&case.tokens, case.expect);
            let failure = result.as_ref().err().cloned();
            stats.borrow_mut().record(&case, result);
            match failure {
                Some(failure) if known_issue(&case.tokens, &failure).is_none() => {
                    Err(TestCaseError::fail(format!(
                        "{failure}\ninput: {}",
                        shorten(&case.tokens.to_string(), 4_000)
                    )))
                }
                _ => Ok(()),
            }
        });
        let mut stats = stats.into_inner();
        stats.times = TIMES.with(|t| [t.generate.get(), t.expand.get(), t.check.get()]);
        (stats, result.map_err(|error| error.to_string()))
    });
    println!("{}", stats.report(started.elapsed()));
    if let Err(error) = result {
        panic!("{error}");
    }
    assert!(stats.accepted > 0 && stats.rejected > 0);
}

/// The long run: `GRAD_FUZZ_SECONDS` (default 60) or `GRAD_FUZZ_CASES`,
/// on `GRAD_FUZZ_THREADS` threads (default: every core), from
/// `GRAD_FUZZ_SEED` (default: the clock). Each thread has a stack of
/// `GRAD_FUZZ_STACK` bytes (default: the 1 GiB `grad!` gives itself). One
/// input in `GRAD_FUZZ_DEEP_ONE_IN` (default 10,000) is deep or long: such
/// an input takes seconds, so more of them would crowd out the others.
///
/// `cargo test -p grad-fuzz --release --test expansion long_run -- --ignored --nocapture`
#[test]
#[ignore = "long: run with --ignored, see docs/fuzzing.md"]
fn long_run() {
    let cases = env_number("GRAD_FUZZ_CASES");
    let seconds =
        env_number("GRAD_FUZZ_SECONDS").unwrap_or(if cases.is_some() { u64::MAX / 4 } else { 60 });
    let threads = env_number("GRAD_FUZZ_THREADS")
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get() as u64));
    let stack = env_number("GRAD_FUZZ_STACK").unwrap_or(MACRO_STACK as u64) as usize;
    let seed = env_number("GRAD_FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let deep_one_in = env_number("GRAD_FUZZ_DEEP_ONE_IN").unwrap_or(10_000) as usize;
    println!(
        "fuzzing: seed {seed}, {threads} threads, stack {stack} bytes, {} s{}",
        seconds,
        cases.map_or(String::new(), |n| format!(", {n} cases"))
    );
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let taken = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let stats = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|thread| {
                let (taken, stop) = (&taken, &stop);
                std::thread::Builder::new()
                    .name(format!("grad-fuzz-{thread}"))
                    .stack_size(stack)
                    .spawn_scoped(scope, move || {
                        let mut rng = SplitMix64(seed ^ thread.wrapping_mul(0xA076_1D64_78BD_642F));
                        let mut stats = Stats::default();
                        let mut last_report = Instant::now();
                        while !stop.load(Ordering::Relaxed) {
                            let n = taken.fetch_add(1, Ordering::Relaxed);
                            if cases.is_some_and(|cases| n >= cases)
                                || (n % 64 == 0 && Instant::now() >= deadline)
                            {
                                stop.store(true, Ordering::Relaxed);
                                break;
                            }
                            let generating = Instant::now();
                            let case = generate(&mut rng, deep_one_in);
                            TIMES.with(|t| t.generate.set(t.generate.get() + generating.elapsed()));
                            let result = check(&case.tokens, case.expect);
                            if let Err(failure) = &result
                                && known_issue(&case.tokens, failure).is_none()
                                && !stats.failures.contains_key(&failure.signature())
                            {
                                println!(
                                    "NEW FAILURE (thread {thread}, case {n}): {failure}\n  input: {}",
                                    shorten(&case.tokens.to_string(), 2_000)
                                );
                            }
                            stats.record(&case, result);
                            if thread == 0 && last_report.elapsed() > Duration::from_secs(60) {
                                last_report = Instant::now();
                                println!(
                                    "... {} inputs after {:.0} s",
                                    taken.load(Ordering::Relaxed),
                                    started.elapsed().as_secs_f64()
                                );
                            }
                        }
                        stats.times = TIMES.with(|t| [t.generate.get(), t.expand.get(), t.check.get()]);
                        stats
                    })
                    .expect("spawn a fuzz thread")
            })
            .collect();
        let mut total = Stats::default();
        for worker in workers {
            total.merge(worker.join().unwrap_or_else(|p| panic::resume_unwind(p)));
        }
        total
    });
    let report = stats.report(started.elapsed());
    println!("{report}");
    assert!(stats.failures.is_empty(), "new failures found:\n{report}");
}

// ---------------------------------------------------------------------------
// Seeds
// ---------------------------------------------------------------------------

fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// What a seed file's name says about it: `accept-`, `reject-`, `any-`, or
/// `known-` (a known failure, run by its own ignored test).
fn seed_expectation(name: &str) -> Option<Expect> {
    let (prefix, _) = name.split_once('-')?;
    match prefix {
        "accept" => Some(Expect::Accept),
        "reject" => Some(Expect::Reject),
        "any" => Some(Expect::Any),
        _ => None,
    }
}

fn check_seed_file(name: &str, expect: Expect) -> Result<Outcome, String> {
    let path = seed_dir().join(name);
    let source = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    on_stack(MACRO_STACK, move || {
        let tokens =
            TokenStream::from_str(&source).map_err(|e| format!("{name} does not lex: {e}"))?;
        check(&tokens, expect).map_err(|failure| format!("{name}: {failure}"))
    })
}

/// Every seed file (but the known failures) holds its properties.
#[test]
fn seeds() {
    let mut names: Vec<String> = std::fs::read_dir(seed_dir())
        .expect("seeds/ exists")
        .map(|entry| {
            entry
                .expect("a seed file")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    for name in &names {
        if name.starts_with("known-") || name.starts_with('.') {
            continue;
        }
        let expect = seed_expectation(name)
            .unwrap_or_else(|| panic!("seed {name}: name it accept-, reject-, any- or known-"));
        checked += 1;
        if let Err(failure) = check_seed_file(name, expect) {
            failures.push(failure);
        }
    }
    assert!(checked >= 20, "only {checked} seeds in seeds/");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The deep and long inputs, generated rather than stored, each shape at
/// `seed_size`, on the stack `grad!` gives the expansion.
#[test]
fn generated_seeds() {
    let mut failures = Vec::new();
    for shape in SHAPES {
        let size = seed_size(shape);
        let started = Instant::now();
        let result = on_stack(MACRO_STACK, || {
            check(&(shape.make)(size), shape.expect).map_err(|f| f.to_string())
        });
        println!(
            "{:>8.1} s  {} (n = {size})",
            started.elapsed().as_secs_f64(),
            shape.name
        );
        if let Err(failure) = result {
            failures.push(format!(
                "{} ({}, n = {size}): {failure}",
                shape.name, shape.example
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// Depth limits
// ---------------------------------------------------------------------------

/// The child of [`depth_limits`]: expands one deep input, given as
/// `GRAD_FUZZ_PROBE=shape-index:size:stack-bytes`, and prints its timings.
/// Without the variable it does nothing.
#[test]
#[ignore = "run by depth_limits in a child process"]
fn depth_probe() {
    let Ok(spec) = std::env::var("GRAD_FUZZ_PROBE") else {
        return;
    };
    let parts: Vec<usize> = spec.split(':').map(|p| p.parse().unwrap()).collect();
    let [shape, size, stack] = parts[..] else {
        panic!("GRAD_FUZZ_PROBE={spec}: expected shape:size:stack");
    };
    let shape = &SHAPES[shape];
    on_stack(stack, || {
        let tokens = (shape.make)(size);
        println!("generated");
        let started = Instant::now();
        let output = grad_fuzz::expand(tokens);
        let expand_time = started.elapsed();
        let rejected = !compile_errors(&output).is_empty();
        let started = Instant::now();
        drop(output);
        println!(
            "PROBE ok expand_ms={:.1} drop_ms={:.1} rejected={rejected}",
            expand_time.as_secs_f64() * 1e3,
            started.elapsed().as_secs_f64() * 1e3
        );
    });
}

enum Probe {
    Ok { expand_ms: f64 },
    Crashed(String),
    TimedOut,
}

fn probe(shape: usize, size: usize, stack: usize, timeout: Duration) -> Probe {
    use std::process::{Command, Stdio};
    let mut child = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "depth_probe",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("GRAD_FUZZ_PROBE", format!("{shape}:{size}:{stack}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the test binary");
    let started = Instant::now();
    loop {
        match child.try_wait().expect("wait for the probe") {
            Some(_) => break,
            None if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Probe::TimedOut;
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let output = child.wait_with_output().expect("the probe's output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    match stdout
        .lines()
        .find_map(|l| l.strip_prefix("PROBE ok expand_ms="))
    {
        Some(rest) if output.status.success() => Probe::Ok {
            expand_ms: rest
                .split_whitespace()
                .next()
                .and_then(|ms| ms.parse().ok())
                .unwrap_or(f64::NAN),
        },
        _ => {
            let reason = stderr
                .lines()
                .find(|l| l.contains("overflowed") || l.contains("panicked"))
                .unwrap_or("")
                .to_owned();
            Probe::Crashed(format!("{} {reason}", output.status))
        }
    }
}

/// For every deep shape, the largest size that expands on a stack of
/// `GRAD_FUZZ_STACK` bytes (default 8 MiB), found by running each size in a
/// child process: a stack overflow aborts the process. Sizes grow from
/// `GRAD_FUZZ_PROBE_START` (default 250) by doubling up to
/// `GRAD_FUZZ_PROBE_MAX` (default 131,072), then bisect to 2%; a size that takes over
/// `GRAD_FUZZ_PROBE_TIMEOUT` seconds (default 60) counts as a failure.
///
/// `cargo test -p grad-fuzz --release --test expansion depth_limits -- --ignored --nocapture`
#[test]
#[ignore = "slow: run with --ignored, see docs/fuzzing.md"]
fn depth_limits() {
    let stack = env_number("GRAD_FUZZ_STACK").unwrap_or(RUSTC_STACK as u64) as usize;
    let start = env_number("GRAD_FUZZ_PROBE_START").unwrap_or(250) as usize;
    let max = env_number("GRAD_FUZZ_PROBE_MAX").unwrap_or(1 << 17) as usize;
    let timeout = Duration::from_secs(env_number("GRAD_FUZZ_PROBE_TIMEOUT").unwrap_or(60));
    let only = std::env::var("GRAD_FUZZ_PROBE_SHAPE").ok();
    println!(
        "stack {stack} bytes ({} build)",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    println!(
        "| shape | largest size that expands | expand time there | first failing size | failure |"
    );
    println!("|---|---:|---:|---:|---|");
    for (index, shape) in SHAPES.iter().enumerate() {
        if only
            .as_ref()
            .is_some_and(|only| !shape.name.contains(only.as_str()))
        {
            continue;
        }
        let mut good: Option<(usize, f64)> = None;
        let mut bad: Option<(usize, String)> = None;
        let mut size = start;
        // Grow.
        loop {
            match probe(index, size, stack, timeout) {
                Probe::Ok { expand_ms } => good = Some((size, expand_ms)),
                Probe::Crashed(reason) => {
                    bad = Some((size, reason));
                    break;
                }
                Probe::TimedOut => {
                    bad = Some((size, format!("timeout after {} s", timeout.as_secs())));
                    break;
                }
            }
            if size >= max {
                break;
            }
            size = (size * 2).min(max);
        }
        // Bisect.
        if let Some((mut high, _)) = bad.clone() {
            let mut low = good.map_or(0, |(size, _)| size);
            while high - low > (low / 50).max(1) {
                let mid = low + (high - low) / 2;
                match probe(index, mid, stack, timeout) {
                    Probe::Ok { expand_ms } => {
                        good = Some((mid, expand_ms));
                        low = mid;
                    }
                    Probe::Crashed(reason) => {
                        bad = Some((mid, reason));
                        high = mid;
                    }
                    Probe::TimedOut => {
                        bad = Some((mid, format!("timeout after {} s", timeout.as_secs())));
                        high = mid;
                    }
                }
            }
        }
        let (good_size, good_ms) = good.map_or(("none".to_owned(), String::new()), |(s, ms)| {
            (s.to_string(), format!("{ms:.0} ms"))
        });
        let (bad_size, reason) = bad.map_or((format!("> {max}"), String::new()), |(s, r)| {
            (s.to_string(), r)
        });
        println!(
            "| {} `{}` | {good_size} | {good_ms} | {bad_size} | {} |",
            shape.name,
            shape.example,
            reason.trim()
        );
    }
}

/// How expansion time grows with the size of each deep shape: `expand` on
/// sizes 1,000 to 8,000 (`GRAD_FUZZ_SCALING_MAX`), on the stack `grad!`
/// gives itself; `GRAD_FUZZ_PROBE_SHAPE` picks shapes by name. Linear
/// growth doubles the time with the size.
///
/// `cargo test -p grad-fuzz --release --test expansion scaling -- --ignored --nocapture`
#[test]
#[ignore = "slow: run with --ignored, see docs/fuzzing.md"]
fn scaling() {
    let max = env_number("GRAD_FUZZ_SCALING_MAX").unwrap_or(8_000) as usize;
    let mut sizes = vec![1_000];
    while sizes.last().is_some_and(|&n| n * 2 <= max) {
        sizes.push(sizes.last().copied().unwrap_or(1_000) * 2);
    }
    let header: Vec<String> = sizes.iter().map(|n| format!("n = {n}")).collect();
    println!("| shape | {} | last / first |", header.join(" | "));
    println!("|---|{}---:|", "---:|".repeat(sizes.len()));
    let only = std::env::var("GRAD_FUZZ_PROBE_SHAPE").ok();
    for shape in SHAPES {
        if only
            .as_ref()
            .is_some_and(|only| !shape.name.contains(only.as_str()))
        {
            continue;
        }
        let times: Vec<f64> = on_stack(MACRO_STACK, || {
            sizes
                .iter()
                .map(|&n| {
                    let tokens = (shape.make)(n);
                    let started = Instant::now();
                    let output = grad_fuzz::expand(tokens);
                    let time = started.elapsed().as_secs_f64();
                    drop(output);
                    time
                })
                .collect()
        });
        let cells: Vec<String> = times.iter().map(|t| format!("{:.0} ms", t * 1e3)).collect();
        println!(
            "| {} | {} | {:.1} |",
            shape.name,
            cells.join(" | "),
            times.last().unwrap_or(&0.0) / times.first().unwrap_or(&1.0).max(1e-9)
        );
    }
}
