//! Runs one method on one formula a given number of times, for callgrind.
//!
//! ```text
//! count list                       the problems and their methods
//! count check                      every method against the hand-written adjoint
//! count PROBLEM METHOD ITERATIONS  run one method (what callgrind.sh measures)
//! count loops list                 the same for the loops of `loops.sh`
//! count loops check
//! ```

use grad_benches::{Problem, for_each_loop_problem, for_each_problem};
use std::hint::black_box;
use std::process::ExitCode;

fn run<const N: usize>(problem: &Problem<N>, method: &str, iterations: u64) -> Result<(), String> {
    let f = problem
        .method(method)
        .ok_or_else(|| format!("{} has no method {method}", problem.name))?;
    let x = problem.point;
    let mut g = [0.0; N];
    let mut sum = 0.0;
    for _ in 0..iterations {
        let v = f(black_box(&x), black_box(&mut g));
        sum += black_box(v);
        black_box(&g);
    }
    println!(
        "{} {method} x{iterations}: value sum {sum:e}, g[0] = {:e}",
        problem.name, g[0]
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["list"] => {
            for_each_problem!(|p| {
                list(&p);
            });
            ExitCode::SUCCESS
        }
        ["loops", "list"] => {
            for_each_loop_problem!(|p| {
                list(&p);
            });
            ExitCode::SUCCESS
        }
        ["check"] => {
            let mut checked = Checked::default();
            for_each_problem!(|p| {
                checked.print(p.check());
            });
            checked.exit_code()
        }
        ["loops", "check"] => {
            let mut checked = Checked::default();
            for_each_loop_problem!(|p| {
                checked.print(p.check());
            });
            checked.exit_code()
        }
        [problem, method, iterations] => {
            let Ok(iterations) = iterations.parse::<u64>() else {
                eprintln!("ITERATIONS must be a whole number");
                return ExitCode::FAILURE;
            };
            let mut result = Err(format!("no problem named {problem}"));
            for_each_problem!(|p| {
                if p.name == *problem {
                    result = run(&p, method, iterations);
                }
            });
            for_each_loop_problem!(|p| {
                if p.name == *problem {
                    result = run(&p, method, iterations);
                }
            });
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!(
                "usage: count list | count check | count loops list | count loops check | count PROBLEM METHOD ITERATIONS"
            );
            ExitCode::FAILURE
        }
    }
}

/// The number of inputs of a problem.
fn inputs<const N: usize>(_: &Problem<N>) -> usize {
    N
}

/// Prints a problem's name, inputs, operations and methods, one line.
fn list<const N: usize>(p: &Problem<N>) {
    let ids: Vec<&str> = p.methods.iter().map(|(id, _)| *id).collect();
    println!(
        "{} {} {} {}",
        p.name,
        inputs(p),
        p.operations,
        ids.join(" ")
    );
}

/// Whether every problem checked so far computes right gradients.
#[derive(Default)]
struct Checked {
    wrong: bool,
}

impl Checked {
    /// Prints one problem's check lines.
    fn print(&mut self, result: Result<Vec<String>, Vec<String>>) {
        let lines = result.unwrap_or_else(|lines| {
            self.wrong = true;
            lines
        });
        for line in lines {
            println!("{line}");
        }
    }

    fn exit_code(&self) -> ExitCode {
        if self.wrong {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }
}
