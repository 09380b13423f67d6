//! A formula written the way generated code writes it: one `let` per
//! operation, every operand a name or a literal.

use crate::formula::{Expr, Formula, Let};

/// Rewrites expressions into one `let` per operation.
struct Splitter {
    lets: Vec<Let>,
    /// What each `let` of the original formula became: an operand.
    original: Vec<Expr>,
}

impl Splitter {
    /// `e` as an operand (an input, a `let`, a literal or a constant), its
    /// operations pushed as `let`s first, operands before their users.
    fn operand(&mut self, e: &Expr) -> Expr {
        let node = match e {
            Expr::Input(_) | Expr::Literal(_) | Expr::Constant(_) | Expr::Raw(_) => {
                return e.clone();
            }
            Expr::Let(k) => return self.original[*k].clone(),
            Expr::Paren(inner) | Expr::Group(inner) => return self.operand(inner),
            Expr::Operation(op, operands) => {
                let operands = operands.iter().map(|o| self.operand(o)).collect();
                Expr::Operation(op, operands)
            }
            Expr::Powi(base, exponent) => {
                Expr::Powi(Box::new(self.operand(base)), exponent.clone())
            }
            Expr::Call(path, arguments) => {
                let arguments = arguments.iter().map(|a| self.operand(a)).collect();
                Expr::Call(path.clone(), arguments)
            }
        };
        let name = format!("t{}", self.lets.len());
        self.lets.push(Let::new(name, node));
        Expr::Let(self.lets.len() - 1)
    }
}

impl Formula {
    /// The same formula with one `let tK` per operation (`powi` and calls
    /// included), numbered in evaluation order, and the last operation's
    /// `let` as the output: how a model compiler or a symbolic tool writes
    /// code. Parentheses and groups are dropped; the value is the same, bit
    /// for bit, since every operation keeps its operands and their order.
    ///
    /// # Panics
    ///
    /// If an input is named `tK`, which would collide with the new names.
    #[must_use]
    pub fn one_let_per_operation(&self) -> Self {
        assert!(
            !self
                .inputs
                .iter()
                .any(|input| input.starts_with('t') && input[1..].parse::<usize>().is_ok()),
            "inputs named tK collide with the lets"
        );
        let mut splitter = Splitter {
            lets: Vec::with_capacity(self.operations()),
            original: Vec::with_capacity(self.lets.len()),
        };
        for binding in &self.lets {
            let operand = splitter.operand(&binding.value);
            splitter.original.push(operand);
        }
        let output = splitter.operand(&self.output);
        Self {
            name: self.name.clone(),
            inputs: self.inputs.clone(),
            lets: splitter.lets,
            output,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapes;

    #[test]
    fn every_operation_gets_its_let() {
        let f = shapes::rosenbrock(2).one_let_per_operation();
        assert_eq!(
            f.lets_source("f64"),
            "let t0 = x0 * x0;\nlet t1 = x1 - t0;\nlet t2 = t1.powi(2);\nlet t3 = 100.0 * t2;\n\
             let t4 = 1.0 - x0;\nlet t5 = t4.powi(2);\nlet t6 = t3 + t5;\n"
        );
        assert_eq!(f.output, Expr::Let(6));
        assert_eq!(f.operations(), 7);
    }

    #[test]
    fn the_value_is_unchanged() {
        let dag = shapes::dag("dag", 300, 40, shapes::DAG_SEED);
        let split = dag.one_let_per_operation();
        assert_eq!(split.operations(), dag.operations());
        assert_eq!(split.lets.len(), dag.operations());
        let x: Vec<f64> = (0..40).map(|i| 0.03 * f64::from(i) - 0.5).collect();
        assert_eq!(
            split.evaluate(&x).to_bits(),
            dag.evaluate(&x).to_bits(),
            "the same operations in the same order"
        );
    }
}
