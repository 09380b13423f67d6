//! A hand-written adjoint: the reference the benchmarks hold `grad!` to. It
//! is written the way a person writes one, from the formula alone, with
//! textbook derivatives and no use of `grad`'s layers, so it is an
//! independent check of their numbers as well as of their speed.

use crate::formula::{Expr, Formula};
use grad_core::ops::Syntax;
use std::fmt::Write as _;

/// One value of the straight-line program: an input, or an operation on
/// earlier values and literals.
enum Node {
    Input(usize),
    Binary(&'static str, Operand, Operand),
    /// `sin`, `tanh` or `exp`.
    Method(&'static str, Operand),
    Powi(Operand, i32),
}

/// An operand: a node's value (`x[i]` or `vK`), or a literal or constant
/// written as it is.
#[derive(Clone)]
enum Operand {
    Node(usize),
    Text(String),
}

/// The formula as nodes in evaluation order, inputs first: `vK` in the
/// adjoint is node `K`.
struct Program {
    nodes: Vec<Node>,
    output: Operand,
}

impl Program {
    /// `None` if the formula uses an operation without a hand derivative.
    fn new(formula: &Formula) -> Option<Self> {
        let mut program = Self {
            nodes: (0..formula.inputs.len()).map(Node::Input).collect(),
            output: Operand::Node(0),
        };
        let mut lets = Vec::new();
        for binding in &formula.lets {
            let value = program.lower(&binding.value, &lets)?;
            lets.push(value);
        }
        program.output = program.lower(&formula.output, &lets)?;
        Some(program)
    }

    fn lower(&mut self, e: &Expr, lets: &[Operand]) -> Option<Operand> {
        let node = match e {
            Expr::Input(i) => return Some(Operand::Node(*i)),
            Expr::Let(k) => return Some(lets[*k].clone()),
            Expr::Literal(text) => return Some(Operand::Text(text.clone())),
            Expr::Constant(constant) => return Some(Operand::Text(format!("({})", constant.text))),
            Expr::Paren(inner) => return self.lower(inner, lets),
            Expr::Operation(op, operands) => match (op.syntax, operands.as_slice()) {
                (Syntax::Infix(operator @ ("+" | "-" | "*")), [a, b]) => {
                    let a = self.lower(a, lets)?;
                    let b = self.lower(b, lets)?;
                    Node::Binary(operator, a, b)
                }
                (Syntax::Method(method @ ("sin" | "tanh" | "exp")), [a]) => {
                    Node::Method(method, self.lower(a, lets)?)
                }
                _ => return None,
            },
            Expr::Powi(base, exponent) => {
                let base = self.lower(base, lets)?;
                Node::Powi(base, exponent.value?)
            }
            Expr::Call(..) | Expr::Group(_) | Expr::Raw(_) => return None,
        };
        self.nodes.push(node);
        Some(Operand::Node(self.nodes.len() - 1))
    }

    fn value(&self, operand: &Operand) -> String {
        match operand {
            Operand::Node(k) => match self.nodes[*k] {
                Node::Input(i) => format!("x[{i}]"),
                _ => format!("v{k}"),
            },
            Operand::Text(text) => text.clone(),
        }
    }

    /// `ak` times `factor`, written `c * ak` for a literal `c` as in
    /// `d(c x)/dx = c`.
    fn scaled(&self, ak: &str, factor: &Operand) -> String {
        match factor {
            Operand::Node(_) => format!("{ak} * {}", self.value(factor)),
            Operand::Text(text) => format!("{text} * {ak}"),
        }
    }

    /// The operands of node `k` that are nodes, with the adjoint each
    /// receives from `k`'s adjoint `ak`.
    fn contributions(&self, k: usize) -> Vec<(usize, String)> {
        let ak = format!("a{k}");
        let terms: Vec<(&Operand, String)> = match &self.nodes[k] {
            Node::Input(_) => Vec::new(),
            Node::Binary(operator, a, b) => match *operator {
                "+" => vec![(a, ak.clone()), (b, ak)],
                "-" => vec![(a, ak.clone()), (b, format!("-{ak}"))],
                _ => vec![(a, self.scaled(&ak, b)), (b, self.scaled(&ak, a))],
            },
            Node::Method(method, a) => {
                let d = match *method {
                    "sin" => format!("{ak} * {}.cos()", self.value(a)),
                    "tanh" => format!("{ak} * (1.0 - v{k} * v{k})"),
                    _ => format!("{ak} * v{k}"),
                };
                vec![(a, d)]
            }
            Node::Powi(a, 2) => vec![(a, format!("{ak} * (2.0 * {})", self.value(a)))],
            Node::Powi(a, n) => vec![(
                a,
                format!("{ak} * ({n}.0 * {}.powi({}))", self.value(a), n - 1),
            )],
        };
        terms
            .into_iter()
            .filter_map(|(operand, term)| match operand {
                Operand::Node(target) => Some((*target, term)),
                Operand::Text(_) => None,
            })
            .collect()
    }
}

impl Formula {
    /// A hand-written adjoint, `pub fn name_hand(x: &[f64; N], g: &mut [f64; N]) -> f64`,
    /// which returns the value and writes the gradient into `g`; `None` if
    /// the formula uses anything but `+ - *`, `sin`, `tanh`, `exp`, `powi`
    /// with a known exponent, literals and constants.
    ///
    /// The forward sweep is one `let vK` per operation. The reverse sweep
    /// visits the operations backwards; the first contribution to a node's
    /// adjoint is `let aK = ..;` (`let mut` when more follow) and each further
    /// one is `aK += ..;`, with the textbook local derivatives.
    #[must_use]
    pub fn hand_adjoint(&self) -> Option<String> {
        self.write_hand_adjoint(false)
    }

    /// [`Formula::hand_adjoint`] with every `vK` and `aK` declared up front,
    /// in tuples of [`LOCALS_PER_DECLARATION`](crate::LOCALS_PER_DECLARATION),
    /// and then assigned: the straight-line adjoint as it has to be written
    /// for rustc to build thousands of operations with debuginfo (one `let`
    /// each overflows its stack, rust-lang/rust#103767).
    #[must_use]
    pub fn hand_adjoint_declared_up_front(&self) -> Option<String> {
        self.write_hand_adjoint(true)
    }

    fn write_hand_adjoint(&self, up_front: bool) -> Option<String> {
        let program = Program::new(self)?;
        let n = self.inputs.len();
        let count = program.nodes.len();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "/// A hand-written adjoint: forward sweep, then reverse sweep.\n#[inline]\npub fn {}_hand(x: &[f64; {n}], g: &mut [f64; {n}]) -> f64 {{",
            self.name
        );
        for (k, node) in program.nodes.iter().enumerate() {
            let e = match node {
                Node::Input(_) => continue,
                Node::Binary(operator, a, b) => {
                    format!("{} {operator} {}", program.value(a), program.value(b))
                }
                Node::Method(method, a) => format!("{}.{method}()", program.value(a)),
                Node::Powi(a, 2) => format!("{0} * {0}", program.value(a)),
                Node::Powi(a, n) => format!("{}.powi({n})", program.value(a)),
            };
            let _ = writeln!(out, "    {}v{k} = {e};", if up_front { "" } else { "let " });
        }
        // Which nodes reach the output, and how many contributions each
        // adjoint gets (`let mut` for more than one).
        let mut reachable = vec![false; count];
        let mut contributions = vec![0_usize; count];
        let mut seed = None;
        if let Operand::Node(output) = program.output {
            reachable[output] = true;
            seed = Some(output);
        }
        for k in (0..count).rev() {
            if reachable[k] {
                for (target, _) in program.contributions(k) {
                    reachable[target] = true;
                    contributions[target] += 1;
                }
            }
        }
        let mut received = vec![false; count];
        // The body so far, the forward sweep, goes after the declarations.
        let header_end = out.find('{').map_or(0, |brace| brace + 2);
        let forward = out.split_off(header_end);
        let mut locals: Vec<String> = program
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| !matches!(node, Node::Input(_)))
            .map(|(k, _)| format!("v{k}"))
            .collect();
        locals.extend((0..count).filter(|&k| reachable[k]).map(|k| {
            let mutability = if contributions[k] > 1 { "mut " } else { "" };
            format!("{mutability}a{k}")
        }));
        if up_front {
            let names: Vec<&str> = locals.iter().map(String::as_str).collect();
            out.push_str(&crate::render::declarations(&names, "f64", "    "));
        }
        out.push_str(&forward);
        if let Some(output) = seed {
            received[output] = true;
            let _ = writeln!(
                out,
                "    {}a{output} = 1.0;",
                if up_front { "" } else { "let " }
            );
        }
        for k in (0..count).rev().filter(|&k| reachable[k]) {
            for (target, term) in program.contributions(k) {
                if std::mem::replace(&mut received[target], true) {
                    let _ = writeln!(out, "    a{target} += {term};");
                } else if up_front {
                    let _ = writeln!(out, "    a{target} = {term};");
                } else {
                    let mutability = if contributions[target] > 1 {
                        "mut "
                    } else {
                        ""
                    };
                    let _ = writeln!(out, "    let {mutability}a{target} = {term};");
                }
            }
        }
        for (i, received) in received.iter().enumerate().take(n) {
            let gradient = if *received {
                format!("a{i}")
            } else {
                "0.0".to_owned()
            };
            let _ = writeln!(out, "    g[{i}] = {gradient};");
        }
        let _ = writeln!(out, "    {}\n}}", program.value(&program.output));
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_adjoint_of_a_small_formula() {
        // y = (x0 * x1).sin() + 3.0 * x0
        let f = Formula::new(
            "y",
            &["x0", "x1"],
            Expr::infix(
                "+",
                Expr::method(Expr::infix("*", Expr::Input(0), Expr::Input(1)), "sin"),
                Expr::infix("*", Expr::number(3.0), Expr::Input(0)),
            ),
        );
        assert_eq!(
            f.hand_adjoint().unwrap(),
            "/// A hand-written adjoint: forward sweep, then reverse sweep.
#[inline]
pub fn y_hand(x: &[f64; 2], g: &mut [f64; 2]) -> f64 {
    let v2 = x[0] * x[1];
    let v3 = v2.sin();
    let v4 = 3.0 * x[0];
    let v5 = v3 + v4;
    let a5 = 1.0;
    let a3 = a5;
    let a4 = a5;
    let mut a0 = 3.0 * a4;
    let a2 = a3 * v2.cos();
    a0 += a2 * x[1];
    let a1 = a2 * x[0];
    g[0] = a0;
    g[1] = a1;
    v5
}
"
        );
    }

    #[test]
    fn declared_up_front_it_is_the_same_adjoint() {
        let f = Formula::new(
            "y",
            &["x0", "x1"],
            Expr::infix(
                "+",
                Expr::method(Expr::infix("*", Expr::Input(0), Expr::Input(1)), "sin"),
                Expr::infix("*", Expr::number(3.0), Expr::Input(0)),
            ),
        );
        assert_eq!(
            f.hand_adjoint_declared_up_front().unwrap(),
            "/// A hand-written adjoint: forward sweep, then reverse sweep.
#[inline]
pub fn y_hand(x: &[f64; 2], g: &mut [f64; 2]) -> f64 {
    let (v2, v3, v4, v5, mut a0, a1, a2, a3, a4, a5,): (f64, f64, f64, f64, f64, f64, f64, f64, f64, f64,);
    v2 = x[0] * x[1];
    v3 = v2.sin();
    v4 = 3.0 * x[0];
    v5 = v3 + v4;
    a5 = 1.0;
    a3 = a5;
    a4 = a5;
    a0 = 3.0 * a4;
    a2 = a3 * v2.cos();
    a0 += a2 * x[1];
    a1 = a2 * x[0];
    g[0] = a0;
    g[1] = a1;
    v5
}
"
        );
    }

    #[test]
    fn no_adjoint_without_a_hand_derivative() {
        let f = Formula::new("y", &["x"], Expr::method(Expr::Input(0), "cos"));
        assert!(f.hand_adjoint().is_none());
    }
}
