//! Running many inputs: the mix of generators, statistics, threads with a
//! known stack.

use crate::case::Case;
use crate::check::{Failure, Outcome, known_issue, shorten};
use crate::deep::deep;
use crate::grammar::{valid_functions, valid_inline, valid_loops};
use crate::mistakes::{
    function_mistake, inline_expression_mistake, inline_statement_mistake, loop_mistake,
};
use crate::tokens::{mutated, soup};
use grad_generator::Choices;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic;
use std::time::Duration;

/// One generated input. Deep and long inputs cost a thousand times more than
/// the others, so they come once in `deep_one_in`.
pub fn generate(c: &mut impl Choices, deep_one_in: usize) -> Case {
    if c.rare(deep_one_in) {
        return deep(c);
    }
    match c.below(18) {
        0..=2 => valid_inline(c),
        3 | 4 => valid_functions(c),
        5..=7 => inline_expression_mistake(c),
        8 | 9 => inline_statement_mistake(c),
        10 | 11 => function_mistake(c),
        12..=14 => mutated(c),
        15 => valid_loops(c),
        16 => loop_mistake(c),
        _ => soup(c),
    }
}

/// What a run saw.
#[derive(Default)]
pub struct Stats {
    pub cases: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub by_kind: BTreeMap<&'static str, u64>,
    pub known: BTreeMap<&'static str, u64>,
    /// New failures by signature: the first input, its failure, and a count.
    pub failures: BTreeMap<String, (String, Failure, u64)>,
    pub input_bytes: u64,
    /// Thread time spent generating inputs, in `expand`, and parsing its output.
    pub times: [Duration; 3],
}

impl Stats {
    pub fn record(&mut self, case: &Case, result: Result<Outcome, Failure>) {
        self.cases += 1;
        self.input_bytes += case.tokens.to_string().len() as u64;
        *self.by_kind.entry(case.kind).or_default() += 1;
        match result {
            Ok(Outcome::Accepted) => self.accepted += 1,
            Ok(Outcome::Rejected) => self.rejected += 1,
            Err(failure) => match known_issue(&case.tokens, &failure) {
                Some(seed) => *self.known.entry(seed).or_default() += 1,
                None => {
                    let entry = self
                        .failures
                        .entry(failure.signature())
                        .or_insert_with(|| (case.tokens.to_string(), failure.clone(), 0));
                    entry.2 += 1;
                }
            },
        }
    }

    pub fn merge(&mut self, other: Stats) {
        self.cases += other.cases;
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.input_bytes += other.input_bytes;
        for (total, time) in self.times.iter_mut().zip(other.times) {
            *total += time;
        }
        for (kind, n) in other.by_kind {
            *self.by_kind.entry(kind).or_default() += n;
        }
        for (seed, n) in other.known {
            *self.known.entry(seed).or_default() += n;
        }
        for (signature, (input, failure, n)) in other.failures {
            self.failures
                .entry(signature)
                .or_insert((input, failure, 0))
                .2 += n;
        }
    }

    pub fn report(&self, elapsed: Duration) -> String {
        let mut out = String::new();
        let seconds = elapsed.as_secs_f64();
        let _ = writeln!(
            out,
            "{} inputs in {seconds:.1} s ({:.0} inputs/s, {:.1} MB of input): {} accepted, {} rejected",
            self.cases,
            self.cases as f64 / seconds.max(1e-9),
            self.input_bytes as f64 / 1e6,
            self.accepted,
            self.rejected,
        );
        let [generate, expand, check] = self.times.map(|t| t.as_secs_f64());
        if expand > 0.0 {
            let _ = writeln!(
                out,
                "thread time: {generate:.2} s generating inputs, {expand:.2} s in expand, {check:.2} s checking expansions",
            );
        }
        for (kind, n) in &self.by_kind {
            let _ = writeln!(out, "  {n:>10}  {kind}");
        }
        for (seed, n) in &self.known {
            let _ = writeln!(out, "  known issue ({seed}): {n} inputs");
        }
        let _ = writeln!(out, "new failures: {}", self.failures.len());
        for (input, failure, n) in self.failures.values() {
            let _ = writeln!(out, "- {n} inputs: {failure}");
            let _ = writeln!(out, "  first input: {}", shorten(input, 2_000));
        }
        out
    }
}

/// Runs `f` on a thread with a stack of `stack` bytes.
pub fn on_stack<R: Send>(stack: usize, f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("grad-fuzz".to_owned())
            .stack_size(stack)
            .spawn_scoped(scope, f)
            .expect("spawn a fuzz thread")
            .join()
            .unwrap_or_else(|panic| panic::resume_unwind(panic))
    })
}

/// The number in the environment variable `name` (underscores allowed),
/// if it is set.
pub fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let value = value.trim().replace('_', "");
    Some(
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {value:?}")),
    )
}
