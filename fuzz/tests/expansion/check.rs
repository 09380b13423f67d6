//! The properties every input is checked for: `expand` does not panic,
//! its output parses, and valid formulas are accepted and broken ones
//! rejected.

use crate::case::Expect;
use proc_macro2::{TokenStream, TokenTree};
use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};
use std::fmt::{self, Write as _};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;
use std::time::{Duration, Instant};

/// A panic caught in `expand`.
#[derive(Clone, Debug)]
pub struct PanicReport {
    message: String,
    location: String,
    /// The frames of this crate, innermost first.
    frames: Vec<String>,
}

thread_local! {
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    static CAUGHT: RefCell<Option<(String, String, Backtrace)>> = const { RefCell::new(None) };
}

/// A panic hook that records panics of the fuzzed code instead of printing
/// them, and leaves every other panic (other tests') to the previous hook.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) {
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "<non-string panic payload>".to_owned());
                let location = info.location().map(ToString::to_string).unwrap_or_default();
                let backtrace = Backtrace::force_capture();
                CAUGHT.with(|caught| *caught.borrow_mut() = Some((message, location, backtrace)));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into a report.
fn catch<R>(f: impl FnOnce() -> R) -> Result<R, PanicReport> {
    install_panic_hook();
    CATCHING.with(|catching| catching.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|catching| catching.set(false));
    result.map_err(|_| match CAUGHT.with(|caught| caught.borrow_mut().take()) {
        Some((message, location, backtrace)) => PanicReport {
            message,
            location,
            frames: our_frames(&backtrace),
        },
        None => PanicReport {
            message: "<panic not seen by the hook>".to_owned(),
            location: String::new(),
            frames: Vec::new(),
        },
    })
}

/// The backtrace frames inside the expansion (the `grad_fuzz` library,
/// which is the macro's code) and the lines under them.
fn our_frames(backtrace: &Backtrace) -> Vec<String> {
    let text = backtrace.to_string();
    let lines: Vec<&str> = text.lines().collect();
    let mut frames = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.contains("grad_fuzz::") {
            let mut frame = line.trim().to_owned();
            if let Some(at) = lines
                .get(i + 1)
                .filter(|l| l.trim_start().starts_with("at "))
            {
                let _ = write!(frame, " ({})", at.trim().trim_start_matches("at "));
            }
            frames.push(frame);
        }
    }
    frames
}

/// A property that does not hold.
#[derive(Clone, Debug)]
pub enum Failure {
    Panic(PanicReport),
    /// The expansion does not parse as what its form expands to.
    Unparsable {
        function_form: bool,
        rejected: bool,
        error: String,
        output: String,
    },
    /// A valid formula was rejected.
    Rejected {
        messages: Vec<String>,
    },
    /// A formula with a mistake was accepted.
    Accepted,
}

impl Failure {
    /// What identifies one bug: the same signature is the same failure.
    pub fn signature(&self) -> String {
        match self {
            Failure::Panic(report) => {
                let message: String = report
                    .message
                    .chars()
                    .map(|ch| if ch.is_ascii_digit() { '0' } else { ch })
                    .collect();
                format!("panic at {}: {message}", report.location)
            }
            Failure::Unparsable {
                function_form,
                rejected,
                error,
                ..
            } => format!(
                "{} {} expansion does not parse: {error}",
                if *rejected { "rejected" } else { "accepted" },
                if *function_form {
                    "function-form"
                } else {
                    "inline"
                },
            ),
            Failure::Rejected { messages } => format!(
                "valid formula rejected: {}",
                messages.first().map_or("", String::as_str)
            ),
            Failure::Accepted => "formula with a mistake accepted".to_owned(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Panic(report) => {
                write!(f, "panic at {}: {}", report.location, report.message)?
            }
            other => write!(f, "{}", other.signature())?,
        }
        match self {
            Failure::Panic(report) => {
                for frame in &report.frames {
                    write!(f, "\n    in {frame}")?;
                }
            }
            Failure::Unparsable { output, .. } => {
                write!(f, "\n    expansion: {}", shorten(output, 600))?;
            }
            Failure::Rejected { messages } => {
                for message in messages {
                    write!(f, "\n    error: {message}")?;
                }
            }
            Failure::Accepted => {}
        }
        Ok(())
    }
}

pub fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

/// Whether `grad!` sees these tokens as the function form (and so expands
/// them to items): the macro's own rule.
fn is_function_form(tokens: &TokenStream) -> bool {
    grad_fuzz::form(tokens) == grad_fuzz::Form::Functions
}

/// The messages of the `compile_error!`s in an expansion (empty if none).
pub fn compile_errors(tokens: &TokenStream) -> Vec<String> {
    let mut messages = Vec::new();
    let mut stack = vec![tokens.clone()];
    while let Some(stream) = stack.pop() {
        let mut previous_was_compile_error = false;
        for tree in stream {
            match tree {
                TokenTree::Ident(ident) => {
                    previous_was_compile_error = ident == "compile_error";
                    continue;
                }
                TokenTree::Group(group) => {
                    stack.push(group.stream());
                }
                TokenTree::Punct(ref punct)
                    if previous_was_compile_error && punct.as_char() == '!' =>
                {
                    messages.push(String::new());
                }
                TokenTree::Literal(ref literal) => {
                    if let Some(last) = messages.last_mut().filter(|m| m.is_empty()) {
                        last.push_str(&literal.to_string());
                    }
                }
                TokenTree::Punct(_) => {}
            }
            previous_was_compile_error = false;
        }
    }
    messages
}

/// Where a thread's time went.
#[derive(Default)]
pub struct Times {
    pub generate: Cell<Duration>,
    pub expand: Cell<Duration>,
    pub check: Cell<Duration>,
}

thread_local! {
    pub static TIMES: Times = Times::default();
}

/// Whether the expansion was accepted or rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    Rejected,
}

/// Expands the input and checks every property.
pub fn check(tokens: &TokenStream, expect: Expect) -> Result<Outcome, Failure> {
    let function_form = is_function_form(tokens);
    let input = tokens.clone();
    let started = Instant::now();
    let output = catch(move || grad_fuzz::expand(input));
    TIMES.with(|t| t.expand.set(t.expand.get() + started.elapsed()));
    let output = output.map_err(Failure::Panic)?;
    let started = Instant::now();
    let messages = compile_errors(&output);
    let rejected = !messages.is_empty();
    let parsed = if function_form {
        syn::parse2::<syn::File>(output.clone()).map(drop)
    } else {
        syn::parse2::<syn::Expr>(output.clone()).map(drop)
    };
    TIMES.with(|t| t.check.set(t.check.get() + started.elapsed()));
    if let Err(error) = parsed {
        return Err(Failure::Unparsable {
            function_form,
            rejected,
            error: error.to_string(),
            output: output.to_string(),
        });
    }
    match (expect, rejected) {
        (Expect::Accept, true) => Err(Failure::Rejected { messages }),
        (Expect::Reject, false) => Err(Failure::Accepted),
        (_, true) => Ok(Outcome::Rejected),
        (_, false) => Ok(Outcome::Accepted),
    }
}

/// Failures known and left unfixed for now, each with the name of the
/// `known-` seed file that reproduces it (and has its own `#[ignore]`d
/// test): such a failure is counted, not reported as new. None at present:
/// the two bugs the fuzzer found are fixed, and their seeds are ordinary
/// regression tests (see docs/fuzzing.md). To add one, match the failure
/// here, for example `Failure::Panic(r) if r.message.contains("..")`.
pub fn known_issue(input: &TokenStream, failure: &Failure) -> Option<&'static str> {
    let _ = (input, failure);
    None
}
