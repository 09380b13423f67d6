//! Random formulas: one grammar, any source of decisions.

use crate::choices::Choices;
use crate::formula::{Constant, Exponent, Expr, Formula, Let};
use grad_core::ops::{Operation, Shape, Syntax, scalar_operations};

/// A function that is not in the table, called as a custom operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Custom {
    /// How it is called: `f`, `helpers::f`, `f::<f64>`.
    pub path: String,
    /// How many arguments a call passes.
    pub arity: usize,
}

impl Custom {
    /// `path` with `arity` arguments.
    #[must_use]
    pub fn new(path: impl Into<String>, arity: usize) -> Self {
        Self {
            path: path.into(),
            arity,
        }
    }
}

/// What random expressions are made of. Every list may be empty, but a
/// grammar needs at least one kind of leaf: names in scope, literals or
/// constants.
#[derive(Clone, Debug, Default)]
pub struct Grammar {
    /// The operations drawn, uniformly (any of the table's, `powi`
    /// included).
    pub operations: Vec<&'static Operation>,
    /// Literals, as written.
    pub literals: Vec<String>,
    /// Constant expressions.
    pub constants: Vec<Constant>,
    /// `powi` exponents (`2` when empty).
    pub exponents: Vec<Exponent>,
    /// Custom operations.
    pub calls: Vec<Custom>,
    /// Parentheses that the precedence does not need.
    pub parentheses: bool,
    /// Groups without delimiters.
    pub groups: bool,
    /// `(e) + (e)` and `(e) * (e)`: one subexpression written twice.
    pub fan_out: bool,
    /// Values kept bounded: a `tanh` or `sin` wraps every subexpression
    /// this many operations tall, and ends every `let`. With inputs in
    /// `[-3, 3]`, every `let` is then in `[-1, 1]`, and nothing between
    /// overflows.
    pub bounded: Option<usize>,
    /// Operations that the next operations drawn must be, in order, so that
    /// a set of formulas covers a list (each still needs room: one
    /// operation of the budget).
    pub first: Vec<&'static Operation>,
}

/// The operations of the table with these [names](Operation::name), in
/// the order given.
///
/// # Panics
///
/// If the table has no operation of one of the names.
#[must_use]
pub fn operations(names: &[&str]) -> Vec<&'static Operation> {
    names
        .iter()
        .map(|name| Operation::named(name).unwrap_or_else(|| panic!("no operation named {name}")))
        .collect()
}

/// The names and sizes of a random formula.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The output's or the function's name.
    pub name: String,
    /// The inputs' names.
    pub inputs: Vec<String>,
    /// The `let` names, in order.
    pub lets: Vec<String>,
    /// How many operations each `let` and the output get: at least the
    /// first, at most the second, drawn for each.
    pub operations: (usize, usize),
}

impl Grammar {
    /// Every operation of the table on scalars, and nothing else.
    #[must_use]
    pub fn every_operation() -> Self {
        Self {
            operations: scalar_operations().collect(),
            ..Self::default()
        }
    }

    /// A random formula laid out as `layout` says.
    pub fn formula(&self, c: &mut impl Choices, layout: &Layout) -> Formula {
        let mut writer = Writer {
            c,
            grammar: self,
            first: self.first.iter().copied().collect(),
            inputs: layout.inputs.len(),
            lets: 0,
        };
        let mut lets = Vec::new();
        for name in &layout.lets {
            let budget = writer.budget(layout.operations);
            let mut value = writer.expression(budget).0;
            if self.bounded.is_some() && !writer.squashed(&value) {
                value = writer.squash(value);
            }
            lets.push(Let::new(name.clone(), value));
            writer.lets += 1;
        }
        let budget = writer.budget(layout.operations);
        let output = writer.expression(budget).0;
        Formula {
            name: layout.name.clone(),
            inputs: layout.inputs.clone(),
            lets,
            output,
        }
    }
}

struct Writer<'a, C> {
    c: &'a mut C,
    grammar: &'a Grammar,
    first: std::collections::VecDeque<&'static Operation>,
    inputs: usize,
    lets: usize,
}

impl<C: Choices> Writer<'_, C> {
    fn budget(&mut self, (low, high): (usize, usize)) -> usize {
        low + self.c.below(high.saturating_sub(low) + 1)
    }

    /// An expression of `budget` operations, and how many operations tall
    /// it is above its last `tanh` or `sin` from [`Grammar::bounded`].
    fn expression(&mut self, budget: usize) -> (Expr, usize) {
        let decorations = usize::from(self.grammar.parentheses) + usize::from(self.grammar.groups);
        if decorations > 0 && self.c.rare(8) {
            let (inner, height) = self.expression(budget);
            let wrapped =
                if self.grammar.parentheses && (!self.grammar.groups || self.c.below(2) == 0) {
                    Expr::Paren(Box::new(inner))
                } else {
                    Expr::Group(Box::new(inner))
                };
            return (wrapped, height);
        }
        if budget == 0 {
            return (self.leaf(), 0);
        }
        let grammar = self.grammar;
        let has_operations = !grammar.operations.is_empty() || !self.first.is_empty();
        let (e, height) = match self.c.below(8) {
            5 if !grammar.calls.is_empty() => self.call(budget),
            6 if grammar.fan_out && budget >= 3 => self.fan_out(budget),
            _ if has_operations => self.operation(budget),
            _ if !grammar.calls.is_empty() => self.call(budget),
            _ => return (self.leaf(), 0),
        };
        match self.grammar.bounded {
            Some(every) if height >= every => (self.squash(e), 0),
            _ => (e, height),
        }
    }

    fn operation(&mut self, budget: usize) -> (Expr, usize) {
        let op = match self.first.pop_front() {
            Some(op) => op,
            None => *self.c.pick(&self.grammar.operations),
        };
        match op.shape {
            Shape::UnaryInt => {
                let (base, height) = self.expression(budget - 1);
                let exponent = match self.grammar.exponents.as_slice() {
                    [] => Exponent::new(2),
                    exponents => self.c.pick(exponents).clone(),
                };
                (Expr::Powi(Box::new(base), exponent), height + 1)
            }
            Shape::Unary => {
                let (operand, height) = self.expression(budget - 1);
                (Expr::apply(op, vec![operand]), height + 1)
            }
            Shape::UnaryLabels => {
                unreachable!("{}: the grammar writes formulas over scalars", op.name)
            }
            Shape::Binary => {
                let left_budget = self.c.below(budget);
                let (left, left_height) = self.expression(left_budget);
                let (right, right_height) = self.expression(budget - 1 - left_budget);
                (
                    Expr::apply(op, vec![left, right]),
                    left_height.max(right_height) + 1,
                )
            }
        }
    }

    fn call(&mut self, budget: usize) -> (Expr, usize) {
        let function = self.c.pick(&self.grammar.calls);
        let mut left = budget - 1;
        let mut arguments = Vec::new();
        let mut height = 0;
        for i in 0..function.arity {
            let share = if i + 1 == function.arity {
                left
            } else {
                self.c.below(left + 1)
            };
            left -= share;
            let (argument, argument_height) = self.expression(share);
            height = height.max(argument_height);
            arguments.push(argument);
        }
        (Expr::Call(function.path.clone(), arguments), height + 1)
    }

    /// One value used twice, without a `let`.
    fn fan_out(&mut self, budget: usize) -> (Expr, usize) {
        let (shared, height) = self.expression((budget - 1) / 2);
        let operator = if self.c.below(2) == 0 { "+" } else { "*" };
        let op = Operation::find(Syntax::Infix(operator)).expect("the table has + and *");
        (Expr::apply(op, vec![shared.clone(), shared]), height + 1)
    }

    fn leaf(&mut self) -> Expr {
        let grammar = self.grammar;
        // Names one time in two, literals one in three, constants one in
        // six; a kind with nothing to offer passes to the next.
        let drawn = match self.c.below(6) {
            0..=2 => 0,
            3 | 4 => 1,
            _ => 2,
        };
        let sizes = [
            self.inputs + self.lets,
            grammar.literals.len(),
            grammar.constants.len(),
        ];
        let kind = (drawn..drawn + 3)
            .map(|kind| kind % 3)
            .find(|&kind| sizes[kind] > 0)
            .expect("a grammar needs names, literals or constants");
        let index = self.c.below(sizes[kind]);
        match kind {
            0 if index < self.inputs => Expr::Input(index),
            0 => Expr::Let(index - self.inputs),
            1 => Expr::Literal(grammar.literals[index].clone()),
            _ => Expr::Constant(grammar.constants[index].clone()),
        }
    }

    fn squash(&mut self, e: Expr) -> Expr {
        let method = if self.c.below(2) == 0 { "tanh" } else { "sin" };
        Expr::method(e, method)
    }

    fn squashed(&self, e: &Expr) -> bool {
        matches!(e.unwrapped(), Expr::Operation(op, _) if matches!(op.syntax, Syntax::Method("tanh" | "sin")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choices::{SplitMix64, Tape};

    fn layout() -> Layout {
        Layout {
            name: "y".into(),
            inputs: Formula::numbered_inputs(3),
            lets: vec!["t0".into(), "t1".into()],
            operations: (2, 6),
        }
    }

    #[test]
    fn a_seed_gives_the_same_formula() {
        let grammar = Grammar {
            literals: vec!["0.5".into()],
            fan_out: true,
            ..Grammar::every_operation()
        };
        let a = grammar.formula(&mut SplitMix64(11), &layout());
        let b = grammar.formula(&mut SplitMix64(11), &layout());
        let c = grammar.formula(&mut SplitMix64(12), &layout());
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn zero_decisions_give_the_simplest_formula() {
        let grammar = Grammar::every_operation();
        let f = grammar.formula(&mut Tape::new(&[]), &layout());
        assert_eq!(
            f.inline_body("y"),
            "let t0 = x0 + (x0 + x0);\nlet t1 = x0 + (x0 + x0);\ny = x0 + (x0 + x0)"
        );
    }

    #[test]
    fn the_first_operations_come_first() {
        let grammar = Grammar {
            first: operations(&["acosh", "hypot", "powi"]),
            literals: vec!["2.0".into()],
            ..Grammar::default()
        };
        let f = grammar.formula(&mut SplitMix64(3), &layout());
        let census = f.census();
        for name in ["acosh", "hypot", "powi"] {
            assert_eq!(census.get(name), Some(&1), "{census:?}");
        }
    }

    #[test]
    fn bounded_lets_end_with_a_squash() {
        let grammar = Grammar {
            bounded: Some(2),
            ..Grammar {
                operations: operations(&["add", "mul", "exp"]),
                ..Grammar::default()
            }
        };
        for seed in 0..20 {
            let f = grammar.formula(&mut SplitMix64(seed), &layout());
            for binding in &f.lets {
                let text = f.expression(&binding.value);
                assert!(
                    text.ends_with(".tanh()") || text.ends_with(".sin()"),
                    "{text}"
                );
            }
            let x = [2.5_f64, -3.0, 2.9];
            assert!(f.evaluate(&x).is_finite(), "{}", f.inline_body("y"));
        }
    }
}
