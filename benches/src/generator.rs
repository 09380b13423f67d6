//! The benchmark formulas and the code written for them.
//!
//! Every formula is a small graph of operations ([`Formula`]). From one graph
//! the generator writes the same function several ways:
//!
//! - [`Formula::grad_source`]: the formula as a user writes it inside
//!   `grad! { pub fn name(x0: f64, ..) -> f64 { .. } }`;
//! - [`Formula::hand_source`]: a hand-written adjoint, plain `f64` `let`s: the
//!   forward sweep (one `let` per operation) then the reverse sweep (one `let`
//!   per adjoint, `+=` for every further contribution);
//! - [`Formula::generic_source`]: the formula over any [`Scalar`] (dual numbers
//!   and runtime tapes);
//! - [`Formula::symdiff_source`]: the formula for `#[symdiff::gradient]`, when
//!   it uses only operations symdiff knows (no `tanh`).
//!
//! The build script writes these for the benchmarked formulas, and
//! `compile_time.sh` writes them (through the `generate` binary) for
//! throwaway crates. Nothing here is random at run time: the pseudo-random
//! graph comes from a fixed seed.
//!
//! [`Scalar`]: crate::Scalar

use std::fmt::Write as _;

/// One operation of a formula.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a.sin()`
    Sin,
    /// `a.tanh()`
    Tanh,
    /// `a.exp()`
    Exp,
    /// `a.powi(2)`
    Square,
    /// `c * a`
    Scale(f64),
    /// `c - a`
    ConstSub(f64),
}

/// A node of the graph: an input, or an operation on earlier nodes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Node {
    /// The function's parameter with this index.
    Input(usize),
    /// A one-operand operation.
    Unary(Op, usize),
    /// A two-operand operation.
    Binary(Op, usize, usize),
}

impl Node {
    fn operands(self) -> Vec<usize> {
        match self {
            Self::Input(_) => Vec::new(),
            Self::Unary(_, a) => vec![a],
            Self::Binary(_, a, b) => vec![a, b],
        }
    }
}

/// A formula: the graph, which nodes the source binds with `let`, and a point
/// to evaluate it at.
#[derive(Clone, Debug)]
pub struct Formula {
    /// The function's name.
    pub name: String,
    /// The parameters' names, in order.
    pub inputs: Vec<String>,
    /// Inputs first (node `i` is input `i`), then operations in evaluation order.
    pub nodes: Vec<Node>,
    /// The `let` name of each node that the source binds (fan-out needs one).
    pub names: Vec<Option<String>>,
    /// The node whose value the function returns.
    pub output: usize,
    /// Where the benchmarks evaluate the gradient.
    pub point: Vec<f64>,
}

/// Operator precedence in the emitted source: `+ -` < `*` < method call.
const SUM: u8 = 1;
const PRODUCT: u8 = 2;
const ATOM: u8 = 3;

/// How the source of one flavour spells inputs and operations.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavour {
    /// `grad!` body: `x0`, `a.powi(2)`, `100.0 * a`.
    Plain,
    /// symdiff: `x[0]`, otherwise as plain.
    Indexed,
    /// Over a `Scalar`: `x[0]`, `a.square()`, `a.scale(100.0)`, `a.const_sub(1.0)`.
    Generic,
}

fn float(c: f64) -> String {
    let s = format!("{c:?}");
    if s.contains('.') || s.contains('e') {
        s
    } else {
        format!("{s}.0")
    }
}

impl Formula {
    fn new(name: &str, inputs: usize) -> Self {
        Self {
            name: name.to_owned(),
            inputs: (0..inputs).map(|i| format!("x{i}")).collect(),
            nodes: (0..inputs).map(Node::Input).collect(),
            names: vec![None; inputs],
            output: 0,
            point: vec![0.0; inputs],
        }
    }

    fn push(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.names.push(None);
        self.nodes.len() - 1
    }

    /// The number of operations (nodes that are not inputs).
    #[must_use]
    pub fn operations(&self) -> usize {
        self.nodes.len() - self.inputs.len()
    }

    /// How many operations of each kind: `(+, -, *, sin, tanh, exp, other)`.
    #[must_use]
    pub fn census(&self) -> [usize; 7] {
        let mut count = [0; 7];
        for node in &self.nodes {
            let op = match node {
                Node::Input(_) => continue,
                Node::Unary(op, _) | Node::Binary(op, _, _) => op,
            };
            let slot = match op {
                Op::Add => 0,
                Op::Sub => 1,
                Op::Mul => 2,
                Op::Sin => 3,
                Op::Tanh => 4,
                Op::Exp => 5,
                Op::Square | Op::Scale(_) | Op::ConstSub(_) => 6,
            };
            count[slot] += 1;
        }
        count
    }

    /// The seed's shopping bill: `(apple * apple_num + orange * orange_num) * tax`.
    #[must_use]
    pub fn seed() -> Self {
        let mut f = Self::new("price", 5);
        f.inputs = ["apple", "apple_num", "orange", "orange_num", "tax"]
            .map(String::from)
            .to_vec();
        let apples = f.push(Node::Binary(Op::Mul, 0, 1));
        let oranges = f.push(Node::Binary(Op::Mul, 2, 3));
        let fruits = f.push(Node::Binary(Op::Add, apples, oranges));
        f.output = f.push(Node::Binary(Op::Mul, fruits, 4));
        f.point = vec![100.0, 2.0, 150.0, 3.0, 1.1];
        f
    }

    /// The extended (uncoupled) Rosenbrock function of `n` inputs, `n` even:
    /// the sum over `i < n/2` of
    /// `100 (x[2i+1] - x[2i]^2)^2 + (1 - x[2i])^2`, as one expression,
    /// evaluated at the classic start `(-1.2, 1, -1.2, 1, ..)`.
    ///
    /// # Panics
    ///
    /// If `n` is odd or zero.
    #[must_use]
    pub fn rosenbrock(n: usize) -> Self {
        assert!(
            n >= 2 && n.is_multiple_of(2),
            "the extended Rosenbrock function needs an even n"
        );
        let mut f = Self::new(&format!("rosen{n}"), n);
        let mut sum = None;
        for i in 0..n / 2 {
            let (odd, even) = (2 * i, 2 * i + 1);
            let square = f.push(Node::Binary(Op::Mul, odd, odd));
            let diff = f.push(Node::Binary(Op::Sub, even, square));
            let diff2 = f.push(Node::Unary(Op::Square, diff));
            let scaled = f.push(Node::Unary(Op::Scale(100.0), diff2));
            let one_minus = f.push(Node::Unary(Op::ConstSub(1.0), odd));
            let one_minus2 = f.push(Node::Unary(Op::Square, one_minus));
            let term = f.push(Node::Binary(Op::Add, scaled, one_minus2));
            sum = Some(match sum {
                None => term,
                Some(sum) => f.push(Node::Binary(Op::Add, sum, term)),
            });
        }
        f.output = sum.expect("n >= 2");
        f.point = (0..n)
            .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
            .collect();
        f
    }

    /// A pseudo-random formula DAG of about `operations` operations over
    /// `inputs` inputs, dominated by `exp`, `sin` and `tanh`.
    ///
    /// Each `let tK` is `(a op b).sin()`, `(a op b).tanh()` or
    /// `(a op b).tanh().exp()` with `op` one of `+ - *`, so every bound value
    /// lies in `[-1, e]` and nothing overflows. The first `inputs / 2` lets pair
    /// up the inputs (so each is used); later operands are two different values,
    /// each an input (one time in four) or one of the 24 most recent lets,
    /// which gives fan-out. The
    /// output is the sum of the lets nothing else uses.
    ///
    /// # Panics
    ///
    /// If `inputs` is below 2.
    #[must_use]
    pub fn dag(name: &str, operations: usize, inputs: usize, seed: u64) -> Self {
        assert!(inputs >= 2, "the DAG needs two inputs at least");
        let mut f = Self::new(name, inputs);
        let mut rng = SplitMix64(seed);
        let mut lets: Vec<usize> = Vec::new();
        let mut used: Vec<bool> = vec![false; inputs];
        let sinks = |used: &[bool], lets: &[usize]| lets.iter().filter(|&&l| !used[l]).count();
        let mut pairs = (0..inputs).step_by(2);
        while f.operations() + sinks(&used, &lets).saturating_sub(1) + 2 <= operations {
            let (a, b) = match pairs.next() {
                Some(first) => (first, (first + 1) % inputs),
                None => {
                    let mut pick = || {
                        if lets.is_empty() || rng.below(4) == 0 {
                            rng.below(inputs)
                        } else {
                            let window = lets.len().min(24);
                            lets[lets.len() - 1 - rng.below(window)]
                        }
                    };
                    {
                        // Two different operands: `t - t` would be a constant.
                        let a = pick();
                        let mut b = pick();
                        while b == a {
                            b = pick();
                        }
                        (a, b)
                    }
                }
            };
            let op = [Op::Add, Op::Sub, Op::Mul][rng.below(3)];
            let inner = f.push(Node::Binary(op, a, b));
            let squashed = match rng.below(3) {
                0 => f.push(Node::Unary(Op::Sin, inner)),
                1 => f.push(Node::Unary(Op::Tanh, inner)),
                _ => {
                    let t = f.push(Node::Unary(Op::Tanh, inner));
                    f.push(Node::Unary(Op::Exp, t))
                }
            };
            used.resize(f.nodes.len(), false);
            used[a] = true;
            used[b] = true;
            f.names[squashed] = Some(format!("t{}", lets.len()));
            lets.push(squashed);
        }
        let mut sum = None;
        for &l in lets.iter().filter(|&&l| !used[l]) {
            sum = Some(match sum {
                None => l,
                Some(sum) => f.push(Node::Binary(Op::Add, sum, l)),
            });
        }
        let output = sum.expect("at least one let");
        // The output is returned, not bound.
        f.names[output] = None;
        f.output = output;
        f.point = (0..inputs)
            .map(|i| 0.9 * (0.7 * i as f64 + 0.3).sin())
            .collect();
        f
    }

    /// Evaluates the formula in `f64` (the generator's own check).
    #[must_use]
    pub fn eval(&self, x: &[f64]) -> f64 {
        let mut v = vec![0.0; self.nodes.len()];
        for (k, node) in self.nodes.iter().enumerate() {
            v[k] = match *node {
                Node::Input(i) => x[i],
                Node::Unary(op, a) => match op {
                    Op::Sin => v[a].sin(),
                    Op::Tanh => v[a].tanh(),
                    Op::Exp => v[a].exp(),
                    Op::Square => v[a] * v[a],
                    Op::Scale(c) => c * v[a],
                    Op::ConstSub(c) => c - v[a],
                    Op::Add | Op::Sub | Op::Mul => unreachable!("binary"),
                },
                Node::Binary(op, a, b) => match op {
                    Op::Add => v[a] + v[b],
                    Op::Sub => v[a] - v[b],
                    Op::Mul => v[a] * v[b],
                    _ => unreachable!("unary"),
                },
            };
        }
        v[self.output]
    }

    /// Whether every operation is one symdiff 2.1 differentiates (it has no `tanh`).
    #[must_use]
    pub fn symdiff_can_express(&self) -> bool {
        !self
            .nodes
            .iter()
            .any(|n| matches!(n, Node::Unary(Op::Tanh, _)))
    }

    fn input(&self, i: usize, flavour: Flavour) -> String {
        match flavour {
            Flavour::Plain => self.inputs[i].clone(),
            Flavour::Indexed | Flavour::Generic => format!("x[{i}]"),
        }
    }

    /// The expression of `node` and its precedence; named nodes other than
    /// `root` are referred to by name.
    fn expr(&self, node: usize, root: usize, flavour: Flavour) -> (String, u8) {
        if node != root
            && let Some(name) = &self.names[node]
        {
            return (name.clone(), ATOM);
        }
        let wrap = |(s, p): (String, u8), min: u8| if p < min { format!("({s})") } else { s };
        match self.nodes[node] {
            Node::Input(i) => (self.input(i, flavour), ATOM),
            Node::Unary(op, a) => {
                let inner = self.expr(a, root, flavour);
                match (op, flavour) {
                    (Op::Sin, _) => (format!("{}.sin()", wrap(inner, ATOM)), ATOM),
                    (Op::Tanh, _) => (format!("{}.tanh()", wrap(inner, ATOM)), ATOM),
                    (Op::Exp, _) => (format!("{}.exp()", wrap(inner, ATOM)), ATOM),
                    (Op::Square, Flavour::Generic) => {
                        (format!("{}.square()", wrap(inner, ATOM)), ATOM)
                    }
                    (Op::Square, _) => (format!("{}.powi(2)", wrap(inner, ATOM)), ATOM),
                    (Op::Scale(c), Flavour::Generic) => {
                        (format!("{}.scale({})", wrap(inner, ATOM), float(c)), ATOM)
                    }
                    (Op::Scale(c), _) => (format!("{} * {}", float(c), wrap(inner, ATOM)), PRODUCT),
                    (Op::ConstSub(c), Flavour::Generic) => (
                        format!("{}.const_sub({})", wrap(inner, ATOM), float(c)),
                        ATOM,
                    ),
                    (Op::ConstSub(c), _) => {
                        (format!("{} - {}", float(c), wrap(inner, PRODUCT)), SUM)
                    }
                    (Op::Add | Op::Sub | Op::Mul, _) => unreachable!("binary"),
                }
            }
            Node::Binary(op, a, b) => {
                let (symbol, p) = match op {
                    Op::Add => ("+", SUM),
                    Op::Sub => ("-", SUM),
                    Op::Mul => ("*", PRODUCT),
                    _ => unreachable!("unary"),
                };
                let left = wrap(self.expr(a, root, flavour), p);
                let right = wrap(self.expr(b, root, flavour), p + 1);
                (format!("{left} {symbol} {right}"), p)
            }
        }
    }

    /// The body: `let` statements for the named nodes, then the output.
    fn body(&self, flavour: Flavour, indent: &str) -> String {
        let mut out = String::new();
        for (node, name) in self.names.iter().enumerate() {
            if let Some(name) = name {
                let (e, _) = self.expr(node, node, flavour);
                let _ = writeln!(out, "{indent}let {name} = {e};");
            }
        }
        let (e, _) = self.expr(self.output, self.output, flavour);
        let _ = writeln!(out, "{indent}{e}");
        out
    }

    fn params(&self) -> String {
        self.inputs
            .iter()
            .map(|p| format!("{p}: f64"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `pub fn name(..) -> f64 { .. }`: the formula as plain Rust.
    #[must_use]
    pub fn plain_source(&self) -> String {
        format!(
            "/// The formula, as a user writes it.\n#[allow(clippy::too_many_arguments)]\npub fn {}({}) -> f64 {{\n{}}}\n",
            self.name,
            self.params(),
            self.body(Flavour::Plain, "    ")
        )
    }

    /// `grad! { pub fn name(..) -> f64 { .. } }`: the plain function inside `grad!`.
    #[must_use]
    pub fn grad_source(&self) -> String {
        let indented: String = self
            .plain_source()
            .lines()
            .map(|l| format!("    {l}\n"))
            .collect();
        format!("grad::grad! {{\n{indented}}}\n")
    }

    /// `pub fn name_generic<T: Scalar>(x: &[T; N]) -> T`.
    #[must_use]
    pub fn generic_source(&self, scalar_trait: &str) -> String {
        format!(
            "/// The formula over any scalar type.\n#[inline]\npub fn {}_generic<T: {scalar_trait}>(x: &[T; {}]) -> T {{\n{}}}\n",
            self.name,
            self.inputs.len(),
            self.body(Flavour::Generic, "    ")
        )
    }

    /// `#[symdiff::gradient(var = x, dim = N)] pub fn name_sym(x: &[f64]) -> f64`,
    /// or `None` when the formula uses `tanh`.
    #[must_use]
    pub fn symdiff_source(&self) -> Option<String> {
        self.symdiff_can_express().then(|| {
            format!(
                "/// The formula for symdiff, which writes `{0}_sym_gradient`.\n#[symdiff::gradient(var = x, dim = {1})]\npub fn {0}_sym(x: &[f64]) -> f64 {{\n{2}}}\n",
                self.name,
                self.inputs.len(),
                self.body(Flavour::Indexed, "    ")
            )
        })
    }

    /// A hand-written adjoint: `pub fn name_hand(x: &[f64; N], g: &mut [f64; N]) -> f64`
    /// that returns the value and writes the gradient into `g`.
    ///
    /// The forward sweep is one `let vK` per operation. The reverse sweep
    /// visits the operations backwards; the first contribution to a node's
    /// adjoint is `let aK = ..;` (`let mut` when more follow) and each further
    /// one is `aK += ..;`, with the textbook local derivatives.
    #[must_use]
    pub fn hand_source(&self) -> String {
        let n = self.inputs.len();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "/// A hand-written adjoint: forward sweep, then reverse sweep."
        );
        let _ = writeln!(out, "#[inline]");
        let _ = writeln!(
            out,
            "pub fn {}_hand(x: &[f64; {n}], g: &mut [f64; {n}]) -> f64 {{",
            self.name
        );
        let value = |k: usize| match self.nodes[k] {
            Node::Input(i) => format!("x[{i}]"),
            _ => format!("v{k}"),
        };
        for (k, node) in self.nodes.iter().enumerate() {
            let e = match *node {
                Node::Input(_) => continue,
                Node::Unary(op, a) => {
                    let a = value(a);
                    match op {
                        Op::Sin => format!("{a}.sin()"),
                        Op::Tanh => format!("{a}.tanh()"),
                        Op::Exp => format!("{a}.exp()"),
                        Op::Square => format!("{a} * {a}"),
                        Op::Scale(c) => format!("{} * {a}", float(c)),
                        Op::ConstSub(c) => format!("{} - {a}", float(c)),
                        Op::Add | Op::Sub | Op::Mul => unreachable!("binary"),
                    }
                }
                Node::Binary(op, a, b) => {
                    let symbol = match op {
                        Op::Add => "+",
                        Op::Sub => "-",
                        Op::Mul => "*",
                        _ => unreachable!("unary"),
                    };
                    format!("{} {symbol} {}", value(a), value(b))
                }
            };
            let _ = writeln!(out, "    let v{k} = {e};");
        }
        // Which nodes reach the output, and how many contributions each adjoint gets.
        let mut reachable = vec![false; self.nodes.len()];
        reachable[self.output] = true;
        let mut contributions = vec![0_usize; self.nodes.len()];
        for k in (0..self.nodes.len()).rev() {
            if reachable[k] {
                for a in self.nodes[k].operands() {
                    reachable[a] = true;
                    contributions[a] += 1;
                }
            }
        }
        let _ = writeln!(out, "    let a{} = 1.0;", self.output);
        let mut received = vec![false; self.nodes.len()];
        received[self.output] = true;
        for k in (0..self.nodes.len()).rev() {
            if !reachable[k] {
                continue;
            }
            let ak = format!("a{k}");
            let terms: Vec<(usize, String)> = match self.nodes[k] {
                Node::Input(_) => continue,
                Node::Unary(op, a) => {
                    let va = value(a);
                    let d = match op {
                        Op::Sin => format!("{ak} * {va}.cos()"),
                        Op::Tanh => format!("{ak} * (1.0 - v{k} * v{k})"),
                        Op::Exp => format!("{ak} * v{k}"),
                        Op::Square => format!("{ak} * (2.0 * {va})"),
                        Op::Scale(c) => format!("{} * {ak}", float(c)),
                        Op::ConstSub(_) => format!("-{ak}"),
                        Op::Add | Op::Sub | Op::Mul => unreachable!("binary"),
                    };
                    vec![(a, d)]
                }
                Node::Binary(op, a, b) => match op {
                    Op::Add => vec![(a, ak.clone()), (b, ak)],
                    Op::Sub => vec![(a, ak.clone()), (b, format!("-{ak}"))],
                    Op::Mul => vec![
                        (a, format!("{ak} * {}", value(b))),
                        (b, format!("{ak} * {}", value(a))),
                    ],
                    _ => unreachable!("unary"),
                },
            };
            for (target, term) in terms {
                if received[target] {
                    let _ = writeln!(out, "    a{target} += {term};");
                } else {
                    received[target] = true;
                    let mutability = if contributions[target] > 1 {
                        "mut "
                    } else {
                        ""
                    };
                    let _ = writeln!(out, "    let {mutability}a{target} = {term};");
                }
            }
        }
        for (i, &received) in received.iter().enumerate().take(n) {
            if received {
                let _ = writeln!(out, "    g[{i}] = a{i};");
            } else {
                let _ = writeln!(out, "    g[{i}] = 0.0;");
            }
        }
        let _ = writeln!(out, "    {}", value(self.output));
        let _ = writeln!(out, "}}");
        out
    }

    /// `pub fn gradient(x: &[f64; N], g: &mut [f64; N]) -> f64`, a caller of
    /// `name_grad` (`grad` is true) or of `name_hand`: `#[inline]` functions
    /// are compiled where they are called, so a crate that measures their
    /// compile time has to call them.
    #[must_use]
    pub fn gradient_entry_source(&self, grad: bool) -> String {
        let n = self.inputs.len();
        let name = &self.name;
        let body = if grad {
            let args: Vec<String> = (0..n).map(|i| format!("x[{i}]")).collect();
            let copies: String = self
                .inputs
                .iter()
                .enumerate()
                .map(|(i, p)| format!("    g[{i}] = d.{p};\n"))
                .collect();
            format!(
                "    let (value, d) = {name}_grad({});\n{copies}    value\n",
                args.join(", ")
            )
        } else {
            format!("    {name}_hand(x, g)\n")
        };
        format!(
            "/// The gradient at `x` into `g`; returns the value.\npub fn gradient(x: &[f64; {n}], g: &mut [f64; {n}]) -> f64 {{\n{body}}}\n"
        )
    }

    /// `pub const POINT: [f64; N]` and the two adapters from an array to
    /// `grad!`'s scalar parameters: `call` (the plain function) and
    /// `grad_into` (`name_grad`, the input gradients copied out of its struct).
    #[must_use]
    pub fn adapters_source(&self) -> String {
        let n = self.inputs.len();
        let name = &self.name;
        let args: Vec<String> = (0..n).map(|i| format!("x[{i}]")).collect();
        let args = args.join(", ");
        let copies: String = self
            .inputs
            .iter()
            .enumerate()
            .map(|(i, p)| format!("    g[{i}] = d.{p};\n"))
            .collect();
        let point: Vec<String> = self.point.iter().map(|&p| float(p)).collect();
        format!(
            "/// The number of inputs.\npub const N: usize = {n};\n\
             /// The number of operations.\npub const OPERATIONS: usize = {ops};\n\
             /// Where the benchmarks take the gradient.\npub const POINT: [f64; {n}] = [{point}];\n\n\
             /// The plain function `{name}` on an array.\n#[inline]\npub fn call(x: &[f64; {n}]) -> f64 {{\n    {name}({args})\n}}\n\n\
             /// `{name}_grad` on an array: returns the value, writes the inputs' gradients.\n#[inline]\n\
             pub fn grad_into(x: &[f64; {n}], g: &mut [f64; {n}]) -> f64 {{\n    let (value, d) = {name}_grad({args});\n{copies}    value\n}}\n",
            ops = self.operations(),
            point = point.join(", "),
        )
    }

    /// The whole module for the benchmarks: adapters, `grad!` form,
    /// hand-written adjoint, generic form and (when possible) symdiff form.
    #[must_use]
    pub fn module_source(&self, scalar_trait: &str) -> String {
        let mut out = format!(
            "// Generated by the grad-benches build script from `{}`: do not edit.\n\n",
            self.name
        );
        out.push_str(&self.adapters_source());
        out.push('\n');
        out.push_str(&self.grad_source());
        out.push('\n');
        out.push_str(&self.hand_source());
        out.push('\n');
        out.push_str(&self.generic_source(scalar_trait));
        if let Some(sym) = self.symdiff_source() {
            out.push('\n');
            out.push_str(&sym);
        }
        let name = &self.name;
        let _ = write!(
            out,
            "\npub use self::{name}_generic as generic;\npub use self::{name}_hand as hand_adjoint;\n"
        );
        if self.symdiff_can_express() {
            let _ = write!(
                out,
                "pub use self::{name}_sym as sym;\npub use self::{name}_sym_gradient as sym_gradient;\n"
            );
        }
        out
    }
}

/// A tiny deterministic generator (SplitMix64), so the DAG is the same on
/// every machine and in every build.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The seed of the benchmarked DAG (and of `compile_time.sh`'s formulas).
pub const DAG_SEED: u64 = 0x5E_ED0F_6AAD;

/// The formulas the benchmarks measure: the seed, Rosenbrock for n = 2, 10,
/// 100, and the 1,000-operation DAG over 20 inputs.
#[must_use]
pub fn benchmarked() -> Vec<Formula> {
    vec![
        Formula::seed(),
        Formula::rosenbrock(2),
        Formula::rosenbrock(10),
        Formula::rosenbrock(100),
        Formula::dag("dag1000", 1000, 20, DAG_SEED),
    ]
}
