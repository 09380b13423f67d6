//! Stage 2: a parsed formula to the computational graph.
//!
//! Every operation of the formula becomes one [`Node`]; inputs are one node
//! per name however often they are used, so `x * x` is a multiplication whose
//! two operands are the same node (the book's branch node). Nodes are pushed
//! in post-order, so **an operation's operands always come before it**: the
//! node list is a topological order, forward runs it front to back and
//! backward back to front. Expressions are walked with an explicit stack, so
//! deep nesting cannot overflow the macro's own stack.

use crate::errors::Errors;
use crate::parse::{Formula, Loop, Statement, Update, UpdateOp};
use grad_core::ops::{Operation, Shape, Syntax, spellings};
use proc_macro2::Span;
use std::collections::HashMap;
use std::fmt;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Lit, UnOp};

/// The index of a node in [`Graph::nodes`].
pub type NodeId = usize;

/// The computational graph of one formula.
pub struct Graph {
    /// In topological order: operands before the operations that use them.
    pub nodes: Vec<Node>,
    /// The input nodes: parameters in order, or free names in order of first use.
    pub inputs: Vec<NodeId>,
    /// `let` intermediates in order.
    pub bindings: Vec<Named>,
    /// The node whose value is the result.
    pub output: NodeId,
    /// The result's name.
    pub output_name: Ident,
    /// Every use of a name that no earlier `let` bound, for validation.
    pub free_uses: Vec<Named>,
    /// The names of values inside loops and branches, and of accumulators:
    /// they get no gradient field, but pictures show them.
    pub locals: Vec<Named>,
    /// The regions nodes run in: `regions[0]` is the body; loops and the
    /// branches of `if`s nest in it. A straight-line formula has one.
    pub regions: Vec<Region>,
}

/// The index of a region in [`Graph::regions`].
pub type RegionId = usize;

/// A part of the body that runs as a unit: the body itself, a loop's body
/// (once per iteration), or a branch of an `if` (when its condition says).
///
/// A node reads nodes of its own region and of the regions around it; it
/// reads what an inner region computes only through the nodes that carry
/// the results out: a loop's [`NodeKind::Exit`]s, an `if`'s
/// [`NodeKind::Select`].
pub struct Region {
    pub kind: RegionKind,
    /// The region this one is nested in (itself for the body).
    pub parent: RegionId,
}

/// What a [`Region`] is.
pub enum RegionKind {
    /// The function's body.
    Body,
    /// A `for` loop's body.
    Loop(Box<LoopRegion>),
    /// A branch of an `if` (its [`NodeKind::Select`] names both); `label`
    /// is `if {condition}` or `else`.
    Branch { label: String },
}

/// `for variable in start..end` (`..=` if `inclusive`).
pub struct LoopRegion {
    pub variable: Ident,
    pub start: Expr,
    pub end: Expr,
    pub inclusive: bool,
    /// The accumulators the loop reads or updates, in order of first use.
    pub carried: Vec<Carried>,
    /// The `for` keyword.
    pub span: Span,
}

/// An accumulator carried through a loop: its value before the loop
/// (`init`, a node of an outer region), its value at the start of an
/// iteration (`entry`) and at the end of one (`last`, which the next
/// iteration starts from), and after the loop (`exit`).
pub struct Carried {
    pub name: Ident,
    pub init: NodeId,
    pub entry: NodeId,
    pub last: NodeId,
    pub exit: NodeId,
}

/// A condition of an `if`: comparisons of values, which get no gradient.
pub enum Condition {
    Compare {
        op: syn::BinOp,
        left: NodeId,
        right: NodeId,
    },
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
}

impl Condition {
    /// The nodes it compares.
    pub fn operands(&self, out: &mut Vec<NodeId>) {
        match self {
            Self::Compare { left, right, .. } => out.extend([*left, *right]),
            Self::And(a, b) | Self::Or(a, b) => {
                a.operands(out);
                b.operands(out);
            }
            Self::Not(a) => a.operands(out),
        }
    }
}

impl Graph {
    /// Whether the body has loops, branches or element reads: code for it
    /// is the structured kind, with loops and branches, not straight-line.
    pub fn is_structured(&self) -> bool {
        self.regions.len() > 1
            || self
                .nodes
                .iter()
                .any(|node| matches!(node.kind, NodeKind::Element { .. }))
    }

    /// Whether `region` is `ancestor` or nested in it.
    pub fn is_within(&self, mut region: RegionId, ancestor: RegionId) -> bool {
        loop {
            if region == ancestor {
                return true;
            }
            if region == 0 {
                return false;
            }
            region = self.regions[region].parent;
        }
    }
}

/// A name and the node it stands for, with the statement it appears in.
pub struct Named {
    pub name: Ident,
    pub node: NodeId,
    /// 0 for the first `let`; the output expression comes after all of them.
    pub statement: usize,
}

/// One node of the graph.
pub struct Node {
    pub kind: NodeKind,
    /// The token that made the node: the operator, method name or literal.
    pub span: Span,
    /// The region it runs in.
    pub region: RegionId,
}

/// What a node computes.
pub enum NodeKind {
    /// A value read from the caller's scope, which gets a gradient.
    Input(Ident),
    /// A number written in the formula.
    Literal(f64),
    /// A constant from the caller's scope, such as `std::f64::consts::PI`.
    Constant(Expr),
    /// An operation of the table.
    Operation {
        op: &'static Operation,
        operands: Vec<NodeId>,
        /// The operand that gets no gradient, evaluated in the caller's scope:
        /// `powi`'s `i32` exponent, `softmax_cross_entropy`'s labels.
        argument: Option<Expr>,
    },
    /// A call to the user's function `f(..)`, differentiated by `f_grad(..)`.
    Custom {
        function: syn::Path,
        operands: Vec<NodeId>,
    },
    /// An element of an array parameter, `x[i + 1]` or `w[i][j]`, whose
    /// gradient goes to that element of the parameter's gradient.
    Element {
        array: Ident,
        /// The parameter's input node: an operand for pictures, which gets
        /// no gradient of its own (the element's goes to the array's).
        source: [NodeId; 1],
        /// One index per level, as written: a literal or a loop variable ± a literal.
        indices: Vec<Expr>,
    },
    /// The value of the accumulator `carried[slot]` of the loop `region`
    /// at the start of an iteration.
    Entry { region: RegionId, slot: usize },
    /// Its value after the loop.
    Exit { region: RegionId, slot: usize },
    /// `if condition { .. } else { .. }`: the value of the branch taken,
    /// `values[0]` (computed in `regions[0]`) or `values[1]`.
    Select {
        condition: Condition,
        values: [NodeId; 2],
        regions: [RegionId; 2],
    },
}

impl NodeKind {
    /// The nodes this node reads.
    pub fn operands(&self) -> &[NodeId] {
        match self {
            Self::Operation { operands, .. } | Self::Custom { operands, .. } => operands,
            Self::Select { values, .. } => values,
            Self::Element { source, .. } => source,
            Self::Input(_)
            | Self::Literal(_)
            | Self::Constant(_)
            | Self::Entry { .. }
            | Self::Exit { .. } => &[],
        }
    }
}

/// How free names are treated.
pub enum Inputs<'a> {
    /// Inline form: every free single name is an input.
    Free,
    /// Function form: these parameters are the inputs; other free names,
    /// and the parameters that get no gradient, are constants.
    Parameters(&'a [Ident]),
}

/// What the values of a formula are.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// Scalars: the operations of the table on scalars.
    Scalars,
    /// Scalars and arrays: every operation of the table.
    Arrays,
}

/// Lowers a formula to its graph, adding to `errors` every expression it
/// cannot differentiate; the graph is only meant for code generation when
/// no error was added. `elements` are the array parameters read by index,
/// with how many indices each takes.
pub fn lower(
    formula: &Formula,
    inputs: &Inputs,
    elements: &[(Ident, usize)],
    values: Values,
    errors: &mut Errors,
) -> Graph {
    let mut lowering = Lowering {
        graph: Graph {
            nodes: Vec::new(),
            inputs: Vec::new(),
            bindings: Vec::new(),
            output: 0,
            output_name: formula.output_name.clone(),
            free_uses: Vec::new(),
            locals: Vec::new(),
            regions: vec![Region {
                kind: RegionKind::Body,
                parent: 0,
            }],
        },
        frames: vec![Frame {
            region: 0,
            names: HashMap::new(),
        }],
        input_nodes: HashMap::new(),
        parameters: match inputs {
            Inputs::Free => std::collections::HashSet::new(),
            Inputs::Parameters(params) => params.iter().map(ToString::to_string).collect(),
        },
        elements: elements
            .iter()
            .map(|(name, depth)| (name.to_string(), *depth))
            .collect(),
        values,
        region: 0,
        statement: 0,
        errors,
    };
    if let Inputs::Parameters(params) = inputs {
        for param in *params {
            lowering.input(param);
        }
    }
    for (array, _) in elements {
        lowering.input(array);
    }
    lowering.statements(&formula.statements, formula, inputs);
    let output = lowering.expression(&formula.output, formula.bindings.len(), inputs);
    let mut graph = lowering.graph;
    graph.output = output.unwrap_or_default();
    graph
}

struct Lowering<'a> {
    graph: Graph,
    /// The names bound so far, one frame per region entered (the body's
    /// first); inner frames shadow outer ones.
    frames: Vec<Frame>,
    input_nodes: HashMap<String, NodeId>,
    /// The function form's parameters, by name: one lookup per name read,
    /// not a scan of thousands of parameters.
    parameters: std::collections::HashSet<String>,
    /// The array parameters read by index, with their number of indices.
    elements: HashMap<String, usize>,
    values: Values,
    /// The region new nodes run in.
    region: RegionId,
    /// How many top-level `let`s came before: uses are numbered with it.
    statement: usize,
    errors: &'a mut Errors,
}

/// The names bound in one region.
struct Frame {
    region: RegionId,
    names: HashMap<String, Name>,
}

/// What a bound name is.
#[derive(Clone, Copy)]
enum Name {
    /// A value: `None` for a `let` whose expression was rejected, which
    /// later uses still read (so they are not taken for constants, and
    /// their own mistakes are reported).
    Value {
        node: Option<NodeId>,
        accumulator: bool,
    },
    /// A loop variable: an index, not a value.
    LoopVariable,
}

/// The comparison operators a condition uses.
fn is_comparison(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(op, Lt(_) | Le(_) | Gt(_) | Ge(_) | Eq(_) | Ne(_))
}

impl Lowering<'_> {
    /// The statements of a body or of a loop's body, in order.
    fn statements(&mut self, statements: &[Statement], formula: &Formula, inputs: &Inputs) {
        for statement in statements {
            match statement {
                Statement::Let(index) => {
                    let binding = &formula.bindings[*index];
                    self.statement = *index;
                    let node = self.expression(&binding.expr, *index, inputs);
                    self.bind(&binding.name, node, false);
                    if let Some(node) = node {
                        self.graph.bindings.push(Named {
                            name: binding.name.clone(),
                            node,
                            statement: *index,
                        });
                    }
                    self.statement = index + 1;
                }
                Statement::Local(binding) => {
                    let node = self.expression(&binding.expr, self.statement, inputs);
                    self.name(&binding.name, node, false);
                }
                Statement::Accumulator(binding) => {
                    let node = self.expression(&binding.expr, self.statement, inputs);
                    self.name(&binding.name, node, true);
                }
                Statement::Update(update) => self.update(update, inputs),
                Statement::For(body) => self.for_loop(body, formula, inputs),
            }
        }
    }

    /// Binds `name` in the innermost region, and names its node in pictures
    /// if nothing did.
    fn name(&mut self, name: &Ident, node: Option<NodeId>, accumulator: bool) {
        if let Some(node) = node {
            self.graph.locals.push(Named {
                name: name.clone(),
                node,
                statement: self.statement,
            });
        }
        self.bind(name, node, accumulator);
    }

    /// Binds `name` in the innermost region.
    fn bind(&mut self, name: &Ident, node: Option<NodeId>, accumulator: bool) {
        if let Some(frame) = self.frames.last_mut() {
            frame
                .names
                .insert(name.to_string(), Name::Value { node, accumulator });
        }
    }

    /// What `name` is bound to, if the formula binds it, without carrying it.
    fn lookup(&self, name: &str) -> Option<Name> {
        self.frames
            .iter()
            .rev()
            .find_map(|frame| frame.names.get(name).copied())
    }

    /// Reads `name`: an accumulator of an outer region read inside loops is
    /// carried through each of them, from the outermost in, and reads as
    /// its value at the start of the innermost one's iteration.
    fn read(&mut self, name: &Ident) -> Option<Name> {
        let key = name.to_string();
        let found = self
            .frames
            .iter()
            .rposition(|frame| frame.names.contains_key(&key))?;
        let bound = self.frames[found].names[&key];
        let Name::Value {
            node: Some(mut value),
            accumulator: true,
        } = bound
        else {
            return Some(bound);
        };
        for frame in found + 1..self.frames.len() {
            let region = self.frames[frame].region;
            let RegionKind::Loop(body) = &self.graph.regions[region].kind else {
                continue;
            };
            let slot = body.carried.len();
            let entry = self.push_in(region, NodeKind::Entry { region, slot }, name.span());
            if let RegionKind::Loop(body) = &mut self.graph.regions[region].kind {
                body.carried.push(Carried {
                    name: name.clone(),
                    init: value,
                    entry,
                    last: entry,
                    exit: entry,
                });
            }
            self.frames[frame].names.insert(
                key.clone(),
                Name::Value {
                    node: Some(entry),
                    accumulator: true,
                },
            );
            value = entry;
        }
        Some(Name::Value {
            node: Some(value),
            accumulator: true,
        })
    }

    /// `name op= expr;`: a new value of the accumulator, bound in the
    /// innermost region. A name that is not an accumulator is one mistake,
    /// reported once, however it is updated.
    fn update(&mut self, update: &Update, inputs: &Inputs) {
        let name = &update.name;
        // `=` is a second mistake only for an accumulator: for other names
        // the one error says how to update what they should declare.
        let (with, and_update) = if update.op == UpdateOp::Assign {
            (
                " with `+=`, `-=`, `*=` or `/=`",
                ", and update it with `+=`, `-=`, `*=` or `/=`",
            )
        } else {
            ("", "")
        };
        let mut accumulator = false;
        let current = match self.lookup(&name.to_string()) {
            Some(Name::Value {
                accumulator: true, ..
            }) => {
                accumulator = true;
                match self.read(name) {
                    Some(Name::Value { node, .. }) => node,
                    _ => None,
                }
            }
            Some(Name::Value { .. }) => {
                self.errors.push(syn::Error::new(
                    name.span(),
                    format!("`{name}` is not an accumulator: declare it `let mut {name} = ..;` to update it{with}"),
                ));
                None
            }
            Some(Name::LoopVariable) => {
                self.errors.push(syn::Error::new(
                    name.span(),
                    format!("the loop variable `{name}` cannot be updated: it runs over its range"),
                ));
                None
            }
            None if self.is_parameter(name, inputs) => {
                self.errors.push(syn::Error::new(
                    name.span(),
                    format!("the parameter `{name}` cannot be updated: start an accumulator from it, `let mut s = {name};`{and_update}"),
                ));
                None
            }
            None => {
                self.errors.push(syn::Error::new(
                    name.span(),
                    format!("`{name}` is not declared: declare the accumulator before it is updated, `let mut {name} = 0.0;`{and_update}"),
                ));
                None
            }
        };
        let value = self.expression(&update.expr, self.statement, inputs);
        let spelling = match update.op {
            UpdateOp::Add => "+",
            UpdateOp::Sub => "-",
            UpdateOp::Mul => "*",
            UpdateOp::Div => "/",
            UpdateOp::Assign => {
                if accumulator {
                    self.errors.push(syn::Error::new(
                        update.op_span,
                        format!("an accumulator changes with `+=`, `-=`, `*=` or `/=`: write `{name} = {name} + x` as `{name} += x`"),
                    ));
                }
                return;
            }
        };
        let node = match (Operation::lookup(Syntax::Infix, spelling), current, value) {
            (Some(op), Some(current), Some(value)) => Some(self.push(
                NodeKind::Operation {
                    op,
                    operands: vec![current, value],
                    argument: None,
                },
                update.op_span,
            )),
            _ => None,
        };
        self.bind(name, node, true);
    }

    fn is_parameter(&self, name: &Ident, inputs: &Inputs) -> bool {
        self.elements.contains_key(&name.to_string())
            || matches!(inputs, Inputs::Parameters(_) if self.parameters.contains(&name.to_string()))
    }

    /// `for variable in start..end { body }`: a loop region, then the exits
    /// of the accumulators it carried, bound where the loop is.
    fn for_loop(&mut self, body: &Loop, formula: &Formula, inputs: &Inputs) {
        self.check_bound(&body.start, inputs);
        self.check_bound(&body.end, inputs);
        let outer = self.region;
        let region = self.graph.regions.len();
        self.graph.regions.push(Region {
            kind: RegionKind::Loop(Box::new(LoopRegion {
                variable: body.variable.clone(),
                start: body.start.clone(),
                end: body.end.clone(),
                inclusive: body.inclusive,
                carried: Vec::new(),
                span: body.span,
            })),
            parent: outer,
        });
        let mut names = HashMap::new();
        names.insert(body.variable.to_string(), Name::LoopVariable);
        self.frames.push(Frame { region, names });
        self.region = region;
        self.statements(&body.body, formula, inputs);
        let frame = self.frames.pop();
        self.region = outer;
        let count = match &self.graph.regions[region].kind {
            RegionKind::Loop(body) => body.carried.len(),
            _ => 0,
        };
        for slot in 0..count {
            let RegionKind::Loop(body) = &self.graph.regions[region].kind else {
                break;
            };
            let name = body.carried[slot].name.clone();
            let span = body.span;
            let last = frame
                .as_ref()
                .and_then(|frame| match frame.names.get(&name.to_string()) {
                    Some(Name::Value { node, .. }) => *node,
                    _ => None,
                });
            let exit = last.map(|last| {
                let exit = self.push(NodeKind::Exit { region, slot }, span);
                if let RegionKind::Loop(body) = &mut self.graph.regions[region].kind {
                    body.carried[slot].last = last;
                    body.carried[slot].exit = exit;
                }
                exit
            });
            self.bind(&name, exit, true);
        }
    }

    /// A loop bound: known before the loop starts, an integer expression
    /// of literals, const generics, lengths and enclosing loop variables.
    fn check_bound(&mut self, bound: &Expr, inputs: &Inputs) {
        let allowed = match without_parentheses(bound) {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Int(_), ..
            }) => true,
            Expr::Path(path) => path.path.get_ident().is_none_or(|name| {
                !self.is_parameter(name, inputs)
                    && !matches!(self.lookup(&name.to_string()), Some(Name::Value { .. }))
            }),
            // The length of an array parameter, differentiated or
            // `#[constant]` (the data a loop walks), or of a name from the
            // caller's scope: never of a value the formula computes.
            Expr::MethodCall(call) => {
                call.method == "len"
                    && call.args.is_empty()
                    && matches!(without_parentheses(&call.receiver), Expr::Path(path)
                    if path.path.get_ident().is_some_and(|name| {
                        self.elements.contains_key(&name.to_string())
                            || (!self.is_parameter(name, inputs)
                                && self.lookup(&name.to_string()).is_none())
                    }))
            }
            Expr::Binary(binary)
                if matches!(
                    binary.op,
                    syn::BinOp::Add(_)
                        | syn::BinOp::Sub(_)
                        | syn::BinOp::Mul(_)
                        | syn::BinOp::Div(_)
                ) =>
            {
                self.check_bound(&binary.left, inputs);
                self.check_bound(&binary.right, inputs);
                true
            }
            _ => false,
        };
        if !allowed {
            self.errors.push(syn::Error::new_spanned(
                bound,
                "a loop bound is known before the loop: a literal, a const generic such as `N`, `x.len()` of an array parameter, an enclosing loop's variable, or `+`, `-`, `*` and `/` of those (`N - 1`, `x.len() / 2`)",
            ));
        }
    }

    /// `x[i]`, `w[i][j]`: an element of an array parameter; or, when it
    /// reads nothing of the formula, a constant.
    fn element(&mut self, expr: &Expr, inputs: &Inputs) -> Option<NodeId> {
        let mut indices = Vec::new();
        let mut base = without_parentheses(expr);
        while let Expr::Index(index) = base {
            indices.push((*index.index).clone());
            base = without_parentheses(&index.expr);
        }
        indices.reverse();
        let array = match base {
            Expr::Path(path) if path.qself.is_none() => path.path.get_ident(),
            _ => None,
        };
        let Some(depth) = array.and_then(|array| self.elements.get(&array.to_string()).copied())
        else {
            if !self.depends_on_inputs(expr, inputs) {
                return Some(self.constant(expr));
            }
            let message = match inputs {
                Inputs::Free => {
                    "indexing is not supported in an inline formula: bind the element to a name before grad!, as `let x = xs[0];` (the function form reads elements of array parameters)"
                }
                Inputs::Parameters(_) if self.values == Values::Arrays => {
                    "indexing an ndarray array is not differentiated: write the formula with whole-array operations (`dot`, `sum`, `t`, the operators and elementwise methods); loops and indexing are for functions over Rust arrays and slices of the scalar (`x: &[f64]`)"
                }
                Inputs::Parameters(_) => {
                    "indexing reads the elements of an array parameter (`x: &[f64; N]`, `x: &[f64]`): bind other values to a name before grad!"
                }
            };
            self.errors.push(syn::Error::new_spanned(expr, message));
            return None;
        };
        let array = array.cloned()?;
        if indices.len() != depth {
            self.errors.push(syn::Error::new_spanned(
                expr,
                format!(
                    "`{array}` takes {depth} ind{}, as in `{array}{}`",
                    if depth == 1 { "ex" } else { "ices" },
                    ["[i]", "[j]", "[k]", "[l]"]
                        .iter()
                        .cycle()
                        .take(depth)
                        .copied()
                        .collect::<String>()
                ),
            ));
            return None;
        }
        let mut valid = true;
        for index in &indices {
            valid &= self.check_index(index);
        }
        let source = self.input(&array);
        valid.then(|| {
            self.push(
                NodeKind::Element {
                    array,
                    source: [source],
                    indices,
                },
                expr.span(),
            )
        })
    }

    /// An index: a literal, a loop variable, or a loop variable ± a literal.
    fn check_index(&mut self, index: &Expr) -> bool {
        let is_loop_variable = |lowering: &Self, expr: &Expr| match without_parentheses(expr) {
            Expr::Path(path) => path.path.get_ident().is_some_and(|name| {
                matches!(lowering.lookup(&name.to_string()), Some(Name::LoopVariable))
            }),
            _ => false,
        };
        let is_literal = |expr: &Expr| {
            matches!(
                without_parentheses(expr),
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Int(_),
                    ..
                })
            )
        };
        let allowed = match without_parentheses(index) {
            Expr::Binary(binary)
                if matches!(binary.op, syn::BinOp::Add(_) | syn::BinOp::Sub(_)) =>
            {
                is_loop_variable(self, &binary.left) && is_literal(&binary.right)
            }
            other => is_literal(other) || is_loop_variable(self, other),
        };
        if !allowed {
            self.errors.push(syn::Error::new_spanned(
                index,
                "an index is a loop variable, a loop variable plus or minus a constant, or a literal: `x[i]`, `x[i + 1]`, `x[0]`",
            ));
        }
        allowed
    }

    /// `if condition { a } else { b }`: each branch in a region of its own,
    /// then the node that selects the value of the one taken.
    fn if_expression(
        &mut self,
        expr: &syn::ExprIf,
        statement: usize,
        inputs: &Inputs,
    ) -> Option<NodeId> {
        if matches!(inputs, Inputs::Free) {
            self.errors.push(syn::Error::new(
                expr.if_token.span,
                "`if` is for the function form: write the formula as `grad! { fn f(x: f64) -> f64 { .. } }`",
            ));
            return None;
        }
        if self.values == Values::Arrays {
            self.errors.push(syn::Error::new(
                expr.if_token.span,
                "`if` is not supported over ndarray arrays: use `relu`, `max` or other operations of the table",
            ));
            return None;
        }
        let condition = self.condition(&expr.cond, statement, inputs);
        let then = self.branch(statement, inputs, |lowering, statement, inputs| {
            lowering.block(&expr.then_branch, statement, inputs)
        });
        let otherwise = match &expr.else_branch {
            Some((_, otherwise)) => Some(self.branch(
                statement,
                inputs,
                |lowering, statement, inputs| match without_parentheses(otherwise) {
                    Expr::Block(block) => lowering.block(&block.block, statement, inputs),
                    Expr::If(nested) => lowering.if_expression(nested, statement, inputs),
                    other => {
                        lowering.errors.push(syn::Error::new_spanned(
                            other,
                            "expected a block: `else { .. }`",
                        ));
                        None
                    }
                },
            )),
            None => {
                self.errors.push(syn::Error::new(
                    expr.if_token.span,
                    "an `if` in a formula needs an `else`: the value comes from one branch or the other",
                ));
                None
            }
        };
        let condition = condition?;
        let (then_region, then) = then;
        let (else_region, otherwise) = otherwise?;
        let select = self.push(
            NodeKind::Select {
                condition,
                values: [then?, otherwise?],
                regions: [then_region, else_region],
            },
            expr.if_token.span,
        );
        let test = format!("if {}", spaced(&expr.cond));
        for (region, label) in [(then_region, test), (else_region, "else".to_owned())] {
            self.graph.regions[region].kind = RegionKind::Branch { label };
        }
        Some(select)
    }

    /// Runs `lower` in a new branch region; returns the region and the value.
    fn branch(
        &mut self,
        statement: usize,
        inputs: &Inputs,
        lower: impl FnOnce(&mut Self, usize, &Inputs) -> Option<NodeId>,
    ) -> (RegionId, Option<NodeId>) {
        let outer = self.region;
        let region = self.graph.regions.len();
        self.graph.regions.push(Region {
            kind: RegionKind::Branch {
                label: String::new(),
            },
            parent: outer,
        });
        self.frames.push(Frame {
            region,
            names: HashMap::new(),
        });
        self.region = region;
        let value = lower(self, statement, inputs);
        self.frames.pop();
        self.region = outer;
        (region, value)
    }

    /// A branch's block: `let`s, then its value.
    fn block(&mut self, block: &syn::Block, statement: usize, inputs: &Inputs) -> Option<NodeId> {
        let mut value = None;
        let count = block.stmts.len();
        for (i, stmt) in block.stmts.iter().enumerate() {
            match stmt {
                syn::Stmt::Local(local) => {
                    let name = match &local.pat {
                        syn::Pat::Ident(ident)
                            if ident.mutability.is_none()
                                && ident.by_ref.is_none()
                                && ident.subpat.is_none() =>
                        {
                            Some(ident.ident.clone())
                        }
                        other => {
                            self.errors.push(syn::Error::new_spanned(
                                other,
                                "expected `let name = expression;`: a branch computes its value, it updates nothing",
                            ));
                            None
                        }
                    };
                    let node = match &local.init {
                        Some(init) => self.expression(&init.expr, statement, inputs),
                        None => None,
                    };
                    if let Some(name) = name {
                        self.name(&name, node, false);
                    }
                }
                syn::Stmt::Expr(expr, None) if i + 1 == count => {
                    value = self.expression(expr, statement, inputs);
                }
                other => {
                    self.errors.push(syn::Error::new_spanned(
                        other,
                        "a branch holds `let`s and ends with its value: `if c { let t = x * x; t } else { x }`",
                    ));
                }
            }
        }
        if count == 0 {
            self.errors.push(syn::Error::new_spanned(
                block,
                "an empty branch: it must end with its value",
            ));
        }
        value
    }

    /// A condition: comparisons of values, joined by `&&`, `||` and `!`.
    fn condition(&mut self, expr: &Expr, statement: usize, inputs: &Inputs) -> Option<Condition> {
        match without_parentheses(expr) {
            Expr::Binary(binary) if is_comparison(&binary.op) => {
                let left = self.expression(&binary.left, statement, inputs);
                let right = self.expression(&binary.right, statement, inputs);
                Some(Condition::Compare {
                    op: binary.op,
                    left: left?,
                    right: right?,
                })
            }
            Expr::Binary(binary) if matches!(binary.op, syn::BinOp::And(_) | syn::BinOp::Or(_)) => {
                let left = self.condition(&binary.left, statement, inputs);
                let right = self.condition(&binary.right, statement, inputs);
                let (left, right) = (Box::new(left?), Box::new(right?));
                Some(match binary.op {
                    syn::BinOp::And(_) => Condition::And(left, right),
                    _ => Condition::Or(left, right),
                })
            }
            Expr::Unary(unary) if matches!(unary.op, UnOp::Not(_)) => Some(Condition::Not(
                Box::new(self.condition(&unary.expr, statement, inputs)?),
            )),
            other => {
                self.errors.push(syn::Error::new_spanned(
                    other,
                    "a condition compares values, as `x > 0.0` or `a <= b`, joined with `&&`, `||` and `!`",
                ));
                None
            }
        }
    }
}

/// A step of the explicit-stack walk.
enum Step<'e> {
    Visit(&'e Expr),
    /// All operands of this expression are on the value stack: build its node.
    Build(&'e Expr, Build),
}

enum Build {
    Operation(&'static Operation, Option<Expr>),
    Custom(syn::Path, usize),
    /// The operand itself (`&h` is `h`).
    Identity,
    /// Nothing: the expression was rejected, and its `usize` operands are
    /// lowered only for the mistakes they hold, reported with its own.
    Rejected(usize),
}

impl Lowering<'_> {
    fn push(&mut self, kind: NodeKind, span: Span) -> NodeId {
        self.push_in(self.region, kind, span)
    }

    fn push_in(&mut self, region: RegionId, kind: NodeKind, span: Span) -> NodeId {
        self.graph.nodes.push(Node { kind, span, region });
        self.graph.nodes.len() - 1
    }

    fn input(&mut self, name: &Ident) -> NodeId {
        if let Some(&node) = self.input_nodes.get(&name.to_string()) {
            return node;
        }
        let node = self.push(NodeKind::Input(name.clone()), name.span());
        self.input_nodes.insert(name.to_string(), node);
        self.graph.inputs.push(node);
        node
    }

    /// Lowers one expression; `None` if it (or part of it) was rejected.
    fn expression(&mut self, root: &Expr, statement: usize, inputs: &Inputs) -> Option<NodeId> {
        let mut steps = vec![Step::Visit(root)];
        let mut values: Vec<Option<NodeId>> = Vec::new();
        while let Some(step) = steps.pop() {
            match step {
                Step::Visit(expr) => match self.visit(expr, statement, inputs) {
                    Visit::Done(node) => values.push(node),
                    Visit::Descend(build, operands) => {
                        steps.push(Step::Build(expr, build));
                        steps.extend(operands.into_iter().rev().map(Step::Visit));
                    }
                },
                Step::Build(_, Build::Identity) => {}
                Step::Build(_, Build::Rejected(count)) => {
                    values.truncate(values.len() - count);
                    values.push(None);
                }
                Step::Build(expr, build) => {
                    let count = match &build {
                        Build::Operation(op, _) => op.shape.differentiable_operands(),
                        Build::Custom(_, count) => *count,
                        Build::Identity | Build::Rejected(_) => unreachable!("handled above"),
                    };
                    let operands: Option<Vec<NodeId>> =
                        values.split_off(values.len() - count).into_iter().collect();
                    let node = operands.map(|operands| {
                        let kind = match build {
                            Build::Operation(op, argument) => NodeKind::Operation {
                                op,
                                operands,
                                argument,
                            },
                            Build::Custom(function, _) => NodeKind::Custom { function, operands },
                            Build::Identity | Build::Rejected(_) => {
                                unreachable!("handled above")
                            }
                        };
                        self.push(kind, operator_span(expr))
                    });
                    values.push(node);
                }
            }
        }
        values.pop().flatten()
    }

    /// Classifies one expression: a leaf is resolved at once, an operation
    /// asks for its operands to be lowered first.
    fn visit<'e>(&mut self, expr: &'e Expr, statement: usize, inputs: &Inputs) -> Visit<'e> {
        let expr = without_parentheses(expr);
        match expr {
            Expr::Lit(lit) => Visit::Done(self.literal(&lit.lit, false)),
            Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => {
                if let Expr::Lit(lit) = &*unary.expr {
                    return Visit::Done(self.literal(&lit.lit, true));
                }
                match Operation::lookup(Syntax::Prefix, "-") {
                    Some(op) => Visit::Descend(Build::Operation(op, None), vec![&unary.expr]),
                    None => self.reject(unary.op.span(), "unary `-` is missing from the operation table"),
                }
            }
            // `&h` borrows a value used again, as plain ndarray code must
            // (`h.tanh() * &h`): to the gradient it is the value itself.
            Expr::Reference(reference) if reference.mutability.is_none() => {
                Visit::Descend(Build::Identity, vec![&reference.expr])
            }
            Expr::Unary(unary) if matches!(unary.op, UnOp::Deref(_)) => self.reject(
                unary.op.span(),
                "dereferencing is not supported: read the value before grad!, as `let x = *r;`",
            ),
            Expr::Unary(unary) => self.reject_around(
                unary.op.span(),
                format!(
                    "unsupported operator `{}`: formulas use {}",
                    quote::ToTokens::to_token_stream(&unary.op),
                    operators()
                ),
                vec![&unary.expr],
            ),
            Expr::Binary(binary) => {
                let spelling = quote::ToTokens::to_token_stream(&binary.op).to_string();
                if crate::parse::is_compound_assignment(&binary.op) {
                    return self.reject(
                        binary.op.span(),
                        format!("unsupported operator `{spelling}`: a formula assigns nothing; bind values with `let` and name the output once"),
                    );
                }
                match Operation::lookup(Syntax::Infix, &spelling) {
                    Some(op) => Visit::Descend(
                        Build::Operation(op, None),
                        vec![&binary.left, &binary.right],
                    ),
                    None => self.reject_around(
                        binary.op.span(),
                        format!("unsupported operator `{spelling}`: formulas use {}", operators()),
                        vec![&binary.left, &binary.right],
                    ),
                }
            }
            Expr::Path(path) => Visit::Done(self.path(path, statement, inputs)),
            Expr::MethodCall(call) => {
                if let Some(turbofish) = &call.turbofish {
                    self.errors.push(syn::Error::new_spanned(
                        turbofish,
                        "type arguments are not supported on a formula's methods",
                    ));
                    return Visit::Done(None);
                }
                let method = call.method.to_string();
                let Some(op) = Operation::lookup(Syntax::Method, &method) else {
                    if !self.depends_on_inputs(expr, inputs) {
                        return Visit::Done(Some(self.constant(expr)));
                    }
                    // Over arrays there are no custom operations to suggest.
                    let message = match self.values {
                        Values::Scalars => format!(
                            "unknown method `{method}`: grad! differentiates the methods {}; for your own function call it as `{method}(x)` and write `{method}_grad`",
                            self.methods()
                        ),
                        Values::Arrays => format!(
                            "unknown method `{method}`: over arrays grad! differentiates the methods {}",
                            self.methods()
                        ),
                    };
                    let operands = std::iter::once(&*call.receiver).chain(&call.args).collect();
                    return self.reject_around(call.method.span(), message, operands);
                };
                if let Some(rejected) = self.check_values(op, call.method.span()) {
                    return rejected;
                }
                let written = op.shape.written_operands() - 1;
                if call.args.len() != written {
                    return self.reject_around(
                        call.method.span(),
                        format!(
                            "`{method}` takes {written} argument{}, found {}",
                            if written == 1 { "" } else { "s" },
                            call.args.len()
                        ),
                        vec![&*call.receiver],
                    );
                }
                let mut operands = vec![&*call.receiver];
                let mut argument = None;
                match op.shape {
                    Shape::UnaryInt | Shape::UnaryLabels => argument = call.args.first().cloned(),
                    Shape::Unary | Shape::Binary => operands.extend(call.args.iter()),
                }
                Visit::Descend(Build::Operation(op, argument), operands)
            }
            Expr::Call(call) => {
                let Expr::Path(function) = &*call.func else {
                    return self.reject(call.func.span(), "unsupported call: call a function by its name, as `f(x, y)`");
                };
                if function.qself.is_some() {
                    return self.reject(function.span(), "unsupported call: call a function by its name, as `f(x, y)`");
                }
                if !self.depends_on_inputs(expr, inputs) {
                    return Visit::Done(Some(self.constant(expr)));
                }
                let operands: Vec<&Expr> = call.args.iter().collect();
                if let Some(name) = builtin_function_name(&function.path)
                    && let Some(op) = Operation::lookup(Syntax::Function, &name.to_string())
                {
                    if let Some(rejected) = self.check_values(op, name.span()) {
                        return rejected;
                    }
                    let written = op.shape.written_operands();
                    if operands.len() != written {
                        return self.reject(
                            name.span(),
                            format!("`{name}` takes {written} argument{}, found {}", if written == 1 { "" } else { "s" }, operands.len()),
                        );
                    }
                    let mut operands = operands;
                    let argument = match op.shape {
                        Shape::UnaryLabels | Shape::UnaryInt => operands.pop().cloned(),
                        Shape::Unary | Shape::Binary => None,
                    };
                    return Visit::Descend(Build::Operation(op, argument), operands);
                }
                if self.values == Values::Arrays {
                    // Whatever its arguments: scalars computed from arrays too.
                    return self.reject(
                        function.span(),
                        format!(
                            "`{}` is not an operation of grad!, and a function over arrays cannot call custom operations: its formula uses the operators, `dot`, `t`, `sum`, the elementwise methods, `relu`, `sigmoid`, `softmax` and `softmax_cross_entropy`",
                            tidy(&function.path)
                        ),
                    );
                }
                let count = operands.len();
                Visit::Descend(Build::Custom(function.path.clone(), count), operands)
            }
            Expr::Assign(assign) => self.reject(
                assign.eq_token.span,
                "assignment inside a formula: only the output is assigned, once, at the end",
            ),
            Expr::Field(field) => {
                self.errors.push(syn::Error::new_spanned(
                    field,
                    "field access is not supported: bind the field to a name before grad!, as `let x = point.x;`",
                ));
                Visit::Done(None)
            }
            Expr::Index(_) => Visit::Done(self.element(expr, inputs)),
            Expr::Break(_) | Expr::Continue(_) | Expr::Return(_) => {
                self.errors.extend(crate::parse::jump_error(expr));
                Visit::Done(None)
            }
            Expr::If(condition) => Visit::Done(self.if_expression(condition, statement, inputs)),
            // `i as f64` of a loop variable, or any cast reading nothing of
            // the formula, is a constant.
            Expr::Cast(_) if !self.depends_on_inputs(expr, inputs) => {
                Visit::Done(Some(self.constant(expr)))
            }
            Expr::Cast(cast) => self.reject(
                cast.as_token.span,
                "casts are not supported: every value of a formula has one scalar type",
            ),
            other => self.reject(
                other.span(),
                format!(
                    "unsupported expression: a formula is made of names, numbers, the operators {}, parentheses, methods such as `x.exp()` and calls such as `sigmoid(x)`",
                    operators()
                ),
            ),
        }
    }

    fn constant(&mut self, expr: &Expr) -> NodeId {
        self.push(NodeKind::Constant(expr.clone()), expr.span())
    }

    /// Whether `expr` reads an input or a `let` of the formula. One that does
    /// not is a constant: it is evaluated as written, in the caller's scope
    /// (`T::one()`, `grad::constant(2.5)`), and gets no gradient.
    fn depends_on_inputs(&self, expr: &Expr, inputs: &Inputs) -> bool {
        struct Finder<'a, 'b> {
            lowering: &'a Lowering<'b>,
            inputs: &'a Inputs<'a>,
            found: bool,
        }
        impl<'ast> syn::visit::Visit<'ast> for Finder<'_, '_> {
            fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
                if let Some(name) = path.path.get_ident().filter(|_| path.qself.is_none()) {
                    let key = name.to_string();
                    self.found |= matches!(self.lowering.lookup(&key), Some(Name::Value { .. }))
                        || self.lowering.elements.contains_key(&key)
                        || match self.inputs {
                            Inputs::Free => true,
                            Inputs::Parameters(_) => self.lowering.parameters.contains(&key),
                        };
                }
            }
            fn visit_expr(&mut self, expr: &'ast Expr) {
                if !self.found {
                    syn::visit::visit_expr(self, expr);
                }
            }
        }
        let mut finder = Finder {
            lowering: self,
            inputs,
            found: false,
        };
        syn::visit::Visit::visit_expr(&mut finder, expr);
        finder.found
    }

    /// The methods a formula over these values can call, for messages.
    fn methods(&self) -> String {
        grad_core::ops::OPERATIONS
            .iter()
            .filter(|op| matches!(op.syntax, Syntax::Method(_)))
            .filter(|op| self.values == Values::Arrays || !op.arrays_only)
            .map(|op| format!("`{}`", op.syntax.spelling()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// An operation that exists only on arrays, in a formula over scalars:
    /// rejected, saying where it works.
    fn check_values<'e>(&mut self, op: &Operation, span: Span) -> Option<Visit<'e>> {
        (op.arrays_only && self.values == Values::Scalars).then(|| {
            self.reject(
                span,
                format!(
                    "`{}` works on arrays: use it in a function whose parameters include arrays, such as `x: &Array2<f64>` (feature `ndarray`)",
                    op.syntax.spelling()
                ),
            )
        })
    }

    fn reject<'e>(&mut self, span: Span, message: impl fmt::Display) -> Visit<'e> {
        self.errors.push(syn::Error::new(span, message));
        Visit::Done(None)
    }

    /// Rejects an operation whose operands may hold mistakes of their own:
    /// they are lowered too, so that theirs are reported with this one.
    fn reject_around<'e>(
        &mut self,
        span: Span,
        message: impl fmt::Display,
        operands: Vec<&'e Expr>,
    ) -> Visit<'e> {
        self.errors.push(syn::Error::new(span, message));
        Visit::Descend(Build::Rejected(operands.len()), operands)
    }

    fn literal(&mut self, lit: &Lit, negative: bool) -> Option<NodeId> {
        let parsed = match lit {
            Lit::Float(float) => float.base10_digits().parse::<f64>().ok(),
            Lit::Int(int) => int.base10_digits().parse::<f64>().ok(),
            other => {
                self.errors.push(syn::Error::new(
                    other.span(),
                    "non-numeric literal: a formula computes with numbers, such as `2` or `0.5`",
                ));
                return None;
            }
        };
        let Some(value) = parsed.filter(|value| value.is_finite()) else {
            self.errors.push(syn::Error::new(
                lit.span(),
                "this number is out of the range of f64",
            ));
            return None;
        };
        Some(self.push(
            NodeKind::Literal(if negative { -value } else { value }),
            lit.span(),
        ))
    }

    fn path(&mut self, path: &syn::ExprPath, statement: usize, inputs: &Inputs) -> Option<NodeId> {
        let Some(name) = path.path.get_ident().filter(|_| path.qself.is_none()) else {
            return Some(self.push(NodeKind::Constant(Expr::Path(path.clone())), path.span()));
        };
        match self.read(name) {
            Some(Name::Value { node, .. }) => return node,
            Some(Name::LoopVariable) => {
                self.errors.push(syn::Error::new(
                    name.span(),
                    format!("the loop variable `{name}` is an index: read elements with it, as `x[{name}]`, or make a number of it with `{name} as f64`"),
                ));
                return None;
            }
            None => {}
        }
        if self.elements.contains_key(&name.to_string()) {
            self.errors.push(syn::Error::new(
                name.span(),
                format!("`{name}` is an array: read its elements, as `{name}[i]`"),
            ));
            return None;
        }
        let node = match inputs {
            Inputs::Free => self.input(name),
            Inputs::Parameters(_) if self.parameters.contains(&name.to_string()) => {
                self.input(name)
            }
            Inputs::Parameters(_) => {
                self.push(NodeKind::Constant(Expr::Path(path.clone())), name.span())
            }
        };
        self.graph.free_uses.push(Named {
            name: name.clone(),
            node,
            statement,
        });
        Some(node)
    }
}

enum Visit<'e> {
    Done(Option<NodeId>),
    Descend(Build, Vec<&'e Expr>),
}

/// The operators of the table, for messages: `` `+`, `-`, `*`, `/` and unary `-` ``.
fn operators() -> String {
    format!(
        "{} and unary {}",
        spellings(Syntax::Infix),
        spellings(Syntax::Prefix)
    )
}

/// `sigmoid` in `sigmoid(x)`, `grad::sigmoid(x)` or `::grad::sigmoid(x)`:
/// the names under which a built-in function is recognised.
fn builtin_function_name(path: &syn::Path) -> Option<&Ident> {
    let segments: Vec<&syn::PathSegment> = path.segments.iter().collect();
    match segments.as_slice() {
        [name] if path.leading_colon.is_none() && name.arguments.is_none() => Some(&name.ident),
        [krate, name]
            if krate.ident == "grad" && krate.arguments.is_none() && name.arguments.is_none() =>
        {
            Some(&name.ident)
        }
        _ => None,
    }
}

/// The expression inside any parentheses and invisible groups (what a
/// `macro_rules!` fragment becomes), which change nothing in the graph.
fn without_parentheses(mut expr: &Expr) -> &Expr {
    loop {
        match expr {
            Expr::Paren(paren) => expr = &paren.expr,
            Expr::Group(group) => expr = &group.expr,
            _ => return expr,
        }
    }
}

fn operator_span(expr: &Expr) -> Span {
    match without_parentheses(expr) {
        Expr::Binary(binary) => binary.op.span(),
        Expr::Unary(unary) => unary.op.span(),
        Expr::MethodCall(call) => call.method.span(),
        Expr::Call(call) => call.func.span(),
        other => other.span(),
    }
}

/// The graph's description: one line per node, `n2 apple_price = mul(n0,
/// n1)`, then `price = n8`. This is the format `grad-graph` reads to draw
/// the formula (its crate docs define it), and the unit tests' printed form.
impl fmt::Display for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<Option<&Ident>> = vec![None; self.nodes.len()];
        for local in self.locals.iter().rev() {
            names[local.node] = Some(&local.name);
        }
        for region in &self.regions {
            if let RegionKind::Loop(body) = &region.kind {
                for carried in &body.carried {
                    names[carried.entry] = Some(&carried.name);
                    names[carried.exit] = Some(&carried.name);
                }
            }
        }
        for &input in &self.inputs {
            if let NodeKind::Input(name) = &self.nodes[input].kind {
                names[input] = Some(name);
            }
        }
        // The first `let` of a node names it (`let a = x; let b = a;` binds one node twice).
        for binding in self.bindings.iter().rev() {
            names[binding.node] = Some(&binding.name);
        }
        let operands = |operands: &[NodeId]| {
            operands
                .iter()
                .map(|operand| format!("n{operand}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let group = |region: RegionId| {
            if region == 0 {
                String::new()
            } else {
                format!(" @r{region}")
            }
        };
        for (id, region) in self.regions.iter().enumerate().skip(1) {
            match &region.kind {
                RegionKind::Body => {}
                RegionKind::Loop(body) => {
                    let range = if body.inclusive { "..=" } else { ".." };
                    writeln!(
                        f,
                        "r{id} = for {} in {}{range}{}{}",
                        unraw(&body.variable),
                        spaced(&body.start),
                        spaced(&body.end),
                        group(region.parent)
                    )?;
                }
                RegionKind::Branch { label, .. } => {
                    writeln!(f, "r{id} = {label}{}", group(region.parent))?;
                }
            }
        }
        for (id, node) in self.nodes.iter().enumerate() {
            write!(f, "n{id}")?;
            if let Some(name) = names[id] {
                write!(f, " {}", unraw(name))?;
            }
            write!(f, " = ")?;
            match &node.kind {
                NodeKind::Input(_) => write!(f, "input")?,
                NodeKind::Literal(value) => write!(f, "literal {value:?}")?,
                NodeKind::Constant(expr) => write!(f, "constant {}", tidy(expr))?,
                NodeKind::Operation {
                    op, operands: args, ..
                } => {
                    write!(f, "{}({})", op.name, operands(args))?;
                }
                NodeKind::Custom {
                    function,
                    operands: args,
                } => {
                    write!(f, "call {}({})", tidy(function), operands(args))?;
                }
                NodeKind::Element {
                    source, indices, ..
                } => {
                    write!(f, "element(n{})", source[0])?;
                    for index in indices {
                        write!(f, "[{}]", spaced(index))?;
                    }
                }
                NodeKind::Entry { region, slot } | NodeKind::Exit { region, slot } => {
                    if let RegionKind::Loop(body) = &self.regions[*region].kind {
                        let carried = &body.carried[*slot];
                        match node.kind {
                            NodeKind::Entry { .. } => write!(f, "enter(n{})", carried.init)?,
                            _ => write!(f, "leave(n{})", carried.last)?,
                        }
                    }
                }
                NodeKind::Select { values, .. } => {
                    write!(f, "select(n{}, n{})", values[0], values[1])?;
                }
            }
            write!(f, "{}", group(node.region))?;
            writeln!(f)?;
        }
        write!(f, "{} = n{}", unraw(&self.output_name), self.output)
    }
}

/// An expression as a label: as [`tidy`] writes it, but with spaces around
/// binary operators, as people write bounds and conditions (`N - 1`, `x > 0.0`).
pub fn spaced(expr: &Expr) -> String {
    match expr {
        Expr::Binary(binary) => format!(
            "{} {} {}",
            spaced(&binary.left),
            tidy(&binary.op),
            spaced(&binary.right)
        ),
        Expr::Paren(paren) => format!("({})", spaced(&paren.expr)),
        Expr::Unary(unary) => format!("{}{}", tidy(&unary.op), spaced(&unary.expr)),
        Expr::Index(index) => format!("{}[{}]", spaced(&index.expr), spaced(&index.index)),
        other => tidy(other),
    }
}

/// A name as written without its `r#`.
pub fn unraw(name: &Ident) -> String {
    let name = name.to_string();
    name.strip_prefix("r#").map(str::to_owned).unwrap_or(name)
}

/// Rust source on one line as a person writes it: a space only between two
/// words (`n as i32`) and after a comma, none around `::` or brackets.
pub fn tidy(tokens: &impl quote::ToTokens) -> String {
    use proc_macro2::{Delimiter, TokenTree};
    fn walk(stream: proc_macro2::TokenStream, out: &mut String) {
        let mut word_before = false;
        for tree in stream {
            match tree {
                TokenTree::Ident(ident) => {
                    if word_before {
                        out.push(' ');
                    }
                    out.push_str(&ident.to_string());
                    word_before = true;
                }
                TokenTree::Literal(literal) => {
                    if word_before {
                        out.push(' ');
                    }
                    out.push_str(&literal.to_string());
                    word_before = true;
                }
                TokenTree::Punct(punct) => {
                    out.push(punct.as_char());
                    if punct.as_char() == ',' {
                        out.push(' ');
                    }
                    word_before = false;
                }
                TokenTree::Group(group) => {
                    let (open, close) = match group.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::Brace => ("{ ", " }"),
                        Delimiter::None => ("", ""),
                    };
                    if word_before && group.delimiter() == Delimiter::Brace {
                        out.push(' ');
                    }
                    out.push_str(open);
                    walk(group.stream(), out);
                    while out.ends_with([',', ' ']) && !out.ends_with(open) {
                        out.pop();
                    }
                    out.push_str(close);
                    word_before = group.delimiter() == Delimiter::None;
                }
            }
        }
    }
    let mut out = String::new();
    walk(tokens.to_token_stream(), &mut out);
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;
    use syn::parse::Parser;

    fn lowered(tokens: proc_macro2::TokenStream) -> Result<String, String> {
        let mut errors = Errors::default();
        let parsed = (|input: syn::parse::ParseStream| {
            parse::parse(input, parse::Form::Inline, &mut errors)
        })
        .parse2(tokens)
        .map_err(|e| e.to_string())?;
        let parse::GradInput::Inline(formula) = parsed else {
            return Err("not inline".into());
        };
        let graph = lower(&formula, &Inputs::Free, &[], Values::Scalars, &mut errors);
        errors.finish().map_err(|e| e.to_string())?;
        Ok(graph.to_string())
    }

    #[test]
    fn the_seed_lowers_to_one_node_per_operation_in_topological_order() {
        let graph = lowered(quote::quote!(
            price = (apple * apple_num + orange * orange_num) * tax
        ));
        assert_eq!(
            graph.unwrap(),
            "n0 apple = input\nn1 apple_num = input\nn2 = mul(n0, n1)\nn3 orange = input\n\
             n4 orange_num = input\nn5 = mul(n3, n4)\nn6 = add(n2, n5)\nn7 tax = input\n\
             n8 = mul(n6, n7)\nprice = n8"
        );
    }

    #[test]
    fn a_name_used_twice_is_one_node() {
        let graph = lowered(quote::quote! { let s = x.sin(); y = x * s + s.powi(2) });
        assert_eq!(
            graph.unwrap(),
            "n0 x = input\nn1 s = sin(n0)\nn2 = mul(n0, n1)\nn3 = powi(n1)\nn4 = add(n2, n3)\ny = n4"
        );
    }

    #[test]
    fn literals_constants_and_custom_calls() {
        let graph = lowered(quote::quote!(
            y = -2 * f(x, std::f64::consts::PI) - T::one()
        ));
        assert_eq!(
            graph.unwrap(),
            "n0 = literal -2.0\nn1 x = input\nn2 = constant std::f64::consts::PI\nn3 = call f(n1, n2)\n\
             n4 = mul(n0, n3)\nn5 = constant T::one()\nn6 = sub(n4, n5)\ny = n6"
        );
    }

    #[test]
    fn constants_print_as_written() {
        let graph = lowered(quote::quote!(
            y = x * <f64 as Trait>::C + g::<f64>(x, K) * T::k(1, [3 as f64, 0.5])
        ));
        assert_eq!(
            graph.unwrap(),
            "n0 x = input\nn1 = constant <f64 as Trait>::C\nn2 = mul(n0, n1)\n\
             n3 K = input\nn4 = call g::<f64>(n0, n3)\nn5 = constant T::k(1, [3 as f64, 0.5])\n\
             n6 = mul(n4, n5)\nn7 = add(n2, n6)\ny = n7"
        );
    }

    #[test]
    fn every_unsupported_expression_is_reported() {
        let error = lowered(quote::quote!(y = x % 2.0 + x.frobnicate() + "a")).unwrap_err();
        assert!(error.contains("unsupported operator `%`"), "{error}");
        let errors = {
            let mut errors = Errors::default();
            let parsed = (|input: syn::parse::ParseStream| {
                parse::parse(input, parse::Form::Inline, &mut errors)
            })
            .parse2(quote::quote!(y = x % 2.0 + x.frobnicate() + "a"))
            .unwrap();
            let parse::GradInput::Inline(formula) = parsed else {
                unreachable!()
            };
            lower(&formula, &Inputs::Free, &[], Values::Scalars, &mut errors);
            errors.finish().unwrap_err().into_iter().count()
        };
        assert_eq!(errors, 3);
    }

    /// The description of the first function of a function-form block.
    fn lowered_function(tokens: proc_macro2::TokenStream) -> Result<String, String> {
        let mut errors = Errors::default();
        let parsed = (|input: syn::parse::ParseStream| {
            parse::parse(input, parse::Form::Functions, &mut errors)
        })
        .parse2(tokens)
        .map_err(|e| e.to_string())?;
        let parse::GradInput::Functions(functions) = parsed else {
            return Err("not functions".into());
        };
        let function = &functions[0];
        let graph = lower(
            &function.formula,
            &Inputs::Parameters(&function.inputs()),
            &function.elements(),
            Values::Scalars,
            &mut errors,
        );
        errors.finish().map_err(|e| e.to_string())?;
        Ok(graph.to_string())
    }

    #[test]
    fn a_loop_is_a_region_with_its_accumulator_carried_through() {
        let graph = lowered_function(quote::quote! {
            fn rosenbrock<const N: usize>(x: &[f64; N]) -> f64 {
                let mut s = 0.0;
                for i in 0..N - 1 {
                    let a = x[i + 1] - x[i] * x[i];
                    s += 100.0 * a * a;
                }
                s
            }
        });
        assert_eq!(
            graph.unwrap(),
            "r1 = for i in 0..N - 1\n\
             n0 x = input\nn1 s = literal 0.0\nn2 = element(n0)[i + 1] @r1\n\
             n3 = element(n0)[i] @r1\nn4 = element(n0)[i] @r1\nn5 = mul(n3, n4) @r1\n\
             n6 a = sub(n2, n5) @r1\nn7 s = enter(n1) @r1\nn8 = literal 100.0 @r1\n\
             n9 = mul(n8, n6) @r1\nn10 = mul(n9, n6) @r1\nn11 = add(n7, n10) @r1\n\
             n12 s = leave(n11)\nrosenbrock = n12"
        );
    }

    #[test]
    fn an_if_is_two_branch_regions_and_a_select() {
        let graph = lowered_function(quote::quote! {
            fn f(x: f64) -> f64 {
                if x > 1.0 { let t = x * x; t } else { 2.0 * x }
            }
        });
        assert_eq!(
            graph.unwrap(),
            "r1 = if x > 1.0\nr2 = else\n\
             n0 x = input\nn1 = literal 1.0\nn2 t = mul(n0, n0) @r1\nn3 = literal 2.0 @r2\n\
             n4 = mul(n3, n0) @r2\nn5 = select(n2, n4)\nf = n5"
        );
    }
}
