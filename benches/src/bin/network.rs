//! The training step of the book's network, for callgrind and the check.
//!
//! ```text
//! network list               the methods built (burn and candle with feature `peers`)
//! network check              one step of every method against the hand-written layers
//! network METHOD ITERATIONS  ITERATIONS steps of one method (what callgrind measures)
//! ```

use grad_benches::network::{METHODS, batch, check, initial_weights, network, tolerance};
use std::hint::black_box;
use std::process::ExitCode;

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
            eprintln!("usage: network list | network check | network METHOD ITERATIONS");
            ExitCode::FAILURE
        }
    }
}
