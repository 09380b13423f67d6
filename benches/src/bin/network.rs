//! The training step of the book's network, for callgrind and the check.
//!
//! ```text
//! network list               the methods built (burn and candle with feature `peers`)
//! network check              one step of every method against the hand-written layers
//! network METHOD ITERATIONS  ITERATIONS steps of one method (what callgrind measures)
//! network interleaved ROUNDS STEPS
//!                            wall time per step of every method, interleaved: each
//!                            round times STEPS steps of each method in turn (the
//!                            order rotating from round to round), after one round
//!                            of warm-up; prints `method<TAB>median<TAB>first
//!                            quartile<TAB>third quartile`, nanoseconds per step
//! ```
//!
//! Criterion times one method for seconds, then the next: on a shared
//! machine whose speed drifts over minutes, the ratio of two methods then
//! moves by tens of percent between runs. Interleaving many short rounds
//! puts every method through the same drift.

use grad_benches::network::{METHODS, batch, check, initial_weights, network, tolerance};
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["list"] => {
            println!("{}", METHODS.join(" "));
            ExitCode::SUCCESS
        }
        ["check"] => {
            let (ok, lines) = match check() {
                Ok(lines) => (true, lines),
                Err(lines) => (false, lines),
            };
            for line in &lines {
                println!(
                    "{} loss {:.17} loss error {:.1e} weights error {:.1e} tolerance {:.0e} {}",
                    line.method,
                    line.loss,
                    line.loss_error,
                    line.weights_error,
                    tolerance(line.method),
                    if line.ok { "ok" } else { "WRONG" }
                );
            }
            if ok {
                ExitCode::SUCCESS
            } else {
                eprintln!("a training step disagrees with the book's layers by hand");
                ExitCode::FAILURE
            }
        }
        ["interleaved", rounds, steps] => {
            let (Ok(rounds), Ok(steps)) = (rounds.parse::<usize>(), steps.parse::<u32>()) else {
                eprintln!("ROUNDS and STEPS must be whole numbers");
                return ExitCode::FAILURE;
            };
            interleaved(rounds, steps);
            ExitCode::SUCCESS
        }
        [method, iterations] => {
            let Ok(iterations) = iterations.parse::<u64>() else {
                eprintln!("ITERATIONS must be a whole number");
                return ExitCode::FAILURE;
            };
            let Some(mut net) = network(method, &batch(), &initial_weights()) else {
                eprintln!("no method {method}: {}", METHODS.join(", "));
                return ExitCode::FAILURE;
            };
            let mut sum = 0.0;
            for _ in 0..iterations {
                sum += black_box(net.step());
            }
            println!("{method} x{iterations}: loss sum {sum:e}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!(
                "usage: network list | network check | network METHOD ITERATIONS | network interleaved ROUNDS STEPS"
            );
            ExitCode::FAILURE
        }
    }
}

/// Times every method in short interleaved rounds; prints each method's
/// median and quartiles, in nanoseconds per step.
fn interleaved(rounds: usize, steps: u32) {
    let (batch, weights) = (batch(), initial_weights());
    let mut nets: Vec<_> = METHODS
        .iter()
        .filter_map(|&method| Some((method, network(method, &batch, &weights)?)))
        .collect();
    let mut samples = vec![Vec::with_capacity(rounds); nets.len()];
    for round in 0..=rounds {
        for turn in 0..nets.len() {
            let index = (turn + round) % nets.len();
            let net = &mut nets[index].1;
            let start = Instant::now();
            for _ in 0..steps {
                black_box(net.step());
            }
            let per_step = start.elapsed().as_secs_f64() * 1e9 / f64::from(steps);
            if round > 0 {
                samples[index].push(per_step);
            }
        }
    }
    for ((method, _), mut times) in nets.into_iter().zip(samples) {
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!("{method}\t{:.1}\t{:.1}\t{:.1}", at(0.5), at(0.25), at(0.75));
    }
}
