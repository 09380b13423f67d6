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
use crate::parse::Formula;
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
}

impl NodeKind {
    /// The nodes this node reads.
    pub fn operands(&self) -> &[NodeId] {
        match self {
            Self::Operation { operands, .. } | Self::Custom { operands, .. } => operands,
            Self::Input(_) | Self::Literal(_) | Self::Constant(_) => &[],
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
/// no error was added.
pub fn lower(formula: &Formula, inputs: &Inputs, values: Values, errors: &mut Errors) -> Graph {
    let mut lowering = Lowering {
        graph: Graph {
            nodes: Vec::new(),
            inputs: Vec::new(),
            bindings: Vec::new(),
            output: 0,
            output_name: formula.output_name.clone(),
            free_uses: Vec::new(),
        },
        scope: HashMap::new(),
        input_nodes: HashMap::new(),
        values,
        errors,
    };
    if let Inputs::Parameters(params) = inputs {
        for param in *params {
            lowering.input(param);
        }
    }
    for (statement, binding) in formula.bindings.iter().enumerate() {
        let node = lowering.expression(&binding.expr, statement, inputs);
        lowering.scope.insert(binding.name.to_string(), node);
        if let Some(node) = node {
            lowering.graph.bindings.push(Named {
                name: binding.name.clone(),
                node,
                statement,
            });
        }
    }
    let output = lowering.expression(&formula.output, formula.bindings.len(), inputs);
    let mut graph = lowering.graph;
    graph.output = output.unwrap_or_default();
    graph
}

struct Lowering<'a> {
    graph: Graph,
    /// Names bound by `let` so far; `None` for a `let` whose expression was
    /// rejected, which later uses still read (so they are not taken for
    /// constants, and their own mistakes are reported).
    scope: HashMap<String, Option<NodeId>>,
    input_nodes: HashMap<String, NodeId>,
    values: Values,
    errors: &'a mut Errors,
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
}

impl Lowering<'_> {
    fn push(&mut self, kind: NodeKind, span: Span) -> NodeId {
        self.graph.nodes.push(Node { kind, span });
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
                Step::Build(expr, build) => {
                    let count = match &build {
                        Build::Operation(op, _) => op.shape.differentiable_operands(),
                        Build::Custom(_, count) => *count,
                        Build::Identity => unreachable!("handled above"),
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
                            Build::Identity => unreachable!("handled above"),
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
            Expr::Unary(unary) => self.reject(
                unary.op.span(),
                format!(
                    "unsupported operator `{}`: formulas use {}",
                    quote::ToTokens::to_token_stream(&unary.op),
                    operators()
                ),
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
                    None => self.reject(
                        binary.op.span(),
                        format!("unsupported operator `{spelling}`: formulas use {}", operators()),
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
                    return self.reject(
                        call.method.span(),
                        format!(
                            "unknown method `{method}`: grad! differentiates the methods {}; for your own function call it as `{method}(x)` and write `{method}_grad`",
                            self.methods()
                        ),
                    );
                };
                if let Some(rejected) = self.check_values(op, call.method.span()) {
                    return rejected;
                }
                let written = op.shape.written_operands() - 1;
                if call.args.len() != written {
                    return self.reject(
                        call.method.span(),
                        format!(
                            "`{method}` takes {written} argument{}, found {}",
                            if written == 1 { "" } else { "s" },
                            call.args.len()
                        ),
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
                    return self.reject(
                        function.span(),
                        "a custom operation takes scalars: a formula over arrays uses the operations of the table (`dot`, `t`, `sum`, elementwise methods, `relu`, `sigmoid`, `softmax`, `softmax_cross_entropy`)",
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
            Expr::Index(index) => {
                self.errors.push(syn::Error::new_spanned(
                    index,
                    "indexing is not supported: bind the element to a name before grad!, as `let x = xs[0];`",
                ));
                Visit::Done(None)
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
                    self.found |= self.lowering.scope.contains_key(&name.to_string())
                        || match self.inputs {
                            Inputs::Free => true,
                            Inputs::Parameters(params) => params.contains(name),
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
        if let Some(&node) = self.scope.get(&name.to_string()) {
            return node;
        }
        let node = match inputs {
            Inputs::Free => self.input(name),
            Inputs::Parameters(params) if params.contains(name) => self.input(name),
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
            }
            writeln!(f)?;
        }
        write!(f, "{} = n{}", unraw(&self.output_name), self.output)
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
        let graph = lower(&formula, &Inputs::Free, Values::Scalars, &mut errors);
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
            lower(&formula, &Inputs::Free, Values::Scalars, &mut errors);
            errors.finish().unwrap_err().into_iter().count()
        };
        assert_eq!(errors, 3);
    }
}
