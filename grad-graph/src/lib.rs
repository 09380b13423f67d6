//! A formula's computational graph with the numbers one run computed, and
//! pictures of it: Graphviz DOT, Mermaid and a self-contained SVG.
//!
//! A [`Graph`] is the formula's nodes in topological order (its inputs, the
//! literals and constants it uses, the operations of the table in
//! [`ops`](grad_core::ops), and calls to the user's own functions), the
//! edges from each operand to the node that uses it, and the output. Every
//! node carries its forward value and, if backward ran, its gradient (the
//! derivative of the output with respect to it); every edge carries the
//! value it feeds forward and the gradient that flows back along it.
//!
//! This crate computes none of these numbers. The code that `grad!`
//! generates is the one engine: while its forward and backward run, in the
//! user's scalar type, it reports what they compute through [`Trace`], and a
//! [`Recorder`] puts the reports into the graph that the formula's
//! description lays out. The numbers are converted to `f64` for display
//! only, so a picture shows exactly what the generated code computed.
//!
//! The pictures follow the figures of the book *Deep Learning from Scratch*:
//! left to right, each operation a circle labelled with its operator, inputs
//! as plain labels at the left, the forward value written above each edge
//! and, after backward, the gradient below it in red. The output leaves the
//! last node to the right, labelled with its name. Values are printed
//! compactly in the pictures, rounded to six significant digits (see
//! [`format_compact`]), so the book's `715.0000000000001` reads `715`;
//! [`Display`](core::fmt::Display) and the SVG tooltips print full precision.
//!
//! # The description
//!
//! `grad!` describes each formula's structure as one string, read at run
//! time by [`Graph::from_description`] (and [`Recorder::new`]). It is also
//! the graph's printed form: [`Display`](core::fmt::Display) prints each line
//! followed by its numbers. One line per node, in topological order, with
//! ids `n0`, `n1`, … counting up one per line:
//!
//! ```text
//! n{id} = {expression}
//! n{id} {name} = {expression}
//! ```
//!
//! where `{name}` is an identifier (letters of any script, digits and `_`,
//! not starting with a digit; a raw identifier is written without `r#`),
//! required for an input and optional otherwise, and `{expression}` is one
//! of
//!
//! | expression | node |
//! |---|---|
//! | `input` | an input of the formula |
//! | `literal {value}` | a number written in the formula, as `{:?}` prints an `f64`: `2.0`, `-0.5`, `1e-7` |
//! | `constant {text}` | a constant from the caller's scope; `{text}` is its Rust source, the rest of the line (`std::f64::consts::PI`, `<f64>::EPSILON`, `grad::constant(2.5)`) |
//! | `{operation}(n{a})`, `{operation}(n{a}, n{b})` | an operation of the table, by its [`name`](grad_core::ops::Operation::name), with exactly its [differentiable operands](grad_core::ops::Shape::differentiable_operands) (`powi` has one: its `i32` exponent is not a node) |
//! | `call {path}(n{a}, n{b}, …)` | a call to a user function (a custom operation) with one or more operands; `{path}` has no spaces (`softplus`, `helpers::f`, `Self::h`) |
//!
//! Every operand is an earlier node, written `n{id}` and separated by `, `.
//! The last line names the output: `{output_name} = n{id}`.
//!
//! ## Loops and branches
//!
//! A function with loops or `if`s describes its loop bodies and branches as
//! *groups*, one line each before the nodes, with ids `r1`, `r2`, … counting
//! up one per line:
//!
//! ```text
//! r{id} = for {variable} in {range}
//! r{id} = if {condition}
//! r{id} = else
//! ```
//!
//! each followed by ` @r{parent}` if nested in an earlier group. A node
//! that runs in a group ends with ` @r{id}`, its innermost group. Four more
//! expressions carry values into and out of groups:
//!
//! | expression | node |
//! |---|---|
//! | `element(n{a})[{index}]…` | an element of the array input `n{a}`, indices as written (`[i + 1]`, `[i][j]`) |
//! | `enter(n{a})` | an accumulator at the start of a loop's iteration; `n{a}` is its value before the loop |
//! | `leave(n{a})` | an accumulator after a loop; `n{a}` is its value at the end of an iteration |
//! | `select(n{a}, n{b})` | the value of an `if`/`else`: `n{a}` from the `if` branch, `n{b}` from the `else` |
//!
//! ```text
//! r1 = for i in 0..N - 1
//! n0 x = input
//! n1 s = literal 0.0
//! n2 = element(n0)[i + 1] @r1
//! n3 = element(n0)[i] @r1
//! n4 = element(n0)[i] @r1
//! n5 = mul(n3, n4) @r1
//! n6 a = sub(n2, n5) @r1
//! n7 s = enter(n1) @r1
//! n8 = literal 100.0 @r1
//! n9 = mul(n8, n6) @r1
//! n10 = mul(n9, n6) @r1
//! n11 = add(n7, n10) @r1
//! n12 s = leave(n11)
//! rosenbrock = n12
//! ```
//!
//! A group's nodes need not be consecutive lines, but no node outside a
//! group may both read from it and feed it: pictures draw each group as one
//! block.
//!
//! Pictures draw a loop once, never unrolled: its body is a box (a DOT
//! `cluster_r{id}`, a Mermaid `subgraph r{id}`, an SVG `<g class="group"
//! id="r{id}">`) captioned with its header and how many times it ran, such
//! as `for i in 0..N - 1  (×99, last shown)`. The nodes of a group that ran
//! more than once show the numbers of its **last** run: its values, and the
//! gradients backward computed for that run. A branch is captioned `taken`
//! or `not taken`; what did not run is drawn dashed and grey, without
//! values. The gradients of the inputs are complete, summed over every
//! iteration; an array input shows its shape.
//!
//! Edges are numbered by the node they enter, then by operand position: the
//! k-th edge of the description below is the k-th operand written, reading
//! the lines from the top (edge 0 is `n0 → n2`, edge 5 is `n5 → n6`).
//!
//! ```text
//! n0 apple = input
//! n1 apple_num = input
//! n2 apple_price = mul(n0, n1)
//! n3 orange = input
//! n4 orange_num = input
//! n5 orange_price = mul(n3, n4)
//! n6 all_price = add(n2, n5)
//! n7 tax = input
//! n8 = mul(n6, n7)
//! price = n8
//! ```
//!
//! # The trace protocol
//!
//! The generated code reports, through a [`Trace`], in a few calls:
//!
//! - after forward: every node's [value](Trace::values), in node order, and
//!   the [exponent](Trace::exponents) of each `powi` node;
//! - after backward, if it runs: the [gradient](Trace::gradients) each
//!   layer handed back along each of its operand edges, in edge order, and
//!   the final gradient (the adjoint) of each node whose gradient it keeps,
//!   in code without loops or branches those of the inputs and `let`s as
//!   the gradients struct's [fields](Trace::field_gradients), which the
//!   recorder finds by name, and there an edge that is its operand's only
//!   use is [not listed](Trace::shared_gradients): its gradient is its
//!   operand's;
//! - in a function with loops or branches, how many times each group
//!   [ran](Trace::runs), after the numbers of each group's last run (as
//!   [summaries](Trace::summaries), so that array inputs show their shape).
//!
//! [`NoTrace`] reports nothing and costs nothing; a [`Recorder`] builds the
//! [`Graph`], and [`Recorder::finish`] completes what the generated code does
//! not report: the gradients of literals and constants, as the sums of their
//! edges. A recorder can also be fed one number at a time
//! ([`Recorder::value`], [`Recorder::edge`], [`Recorder::adjoint`]), as the
//! example below does by hand.
//!
//! # Example
//!
//! The book's apple and orange bill, fed to a [`Recorder`] the way the
//! generated code does it, with the book's layers:
//!
//! ```
//! use grad_core::{AddLayer, MulLayer};
//! use grad_graph::Recorder;
//!
//! const BILL: &str = "\
//! n0 apple = input
//! n1 apple_num = input
//! n2 apple_price = mul(n0, n1)
//! n3 orange = input
//! n4 orange_num = input
//! n5 orange_price = mul(n3, n4)
//! n6 all_price = add(n2, n5)
//! n7 tax = input
//! n8 = mul(n6, n7)
//! price = n8";
//!
//! let (apple, apple_num, orange, orange_num, tax) = (100.0, 2.0, 150.0, 3.0, 1.1);
//! let mut trace = Recorder::new(BILL);
//! let (mut mul_apple, mut mul_orange, mut add, mut mul_tax) =
//!     (MulLayer::new(), MulLayer::new(), AddLayer::new(), MulLayer::new());
//!
//! // Forward, in node order.
//! trace.value(0, &apple);
//! trace.value(1, &apple_num);
//! let apple_price = mul_apple.forward(apple, apple_num);
//! trace.value(2, &apple_price);
//! trace.value(3, &orange);
//! trace.value(4, &orange_num);
//! let orange_price = mul_orange.forward(orange, orange_num);
//! trace.value(5, &orange_price);
//! let all_price = add.forward(apple_price, orange_price);
//! trace.value(6, &all_price);
//! trace.value(7, &tax);
//! let price = mul_tax.forward(all_price, tax);
//! trace.value(8, &price);
//!
//! // Backward, in reverse: each layer's operand gradients go on its edges
//! // (edges 6 and 7 enter n8), then each node's gradient is final.
//! let dprice = 1.0;
//! trace.adjoint(8, &dprice);
//! let (dall_price, dtax) = mul_tax.backward(dprice);
//! trace.edge(6, &dall_price);
//! trace.edge(7, &dtax);
//! trace.adjoint(7, &dtax);
//! trace.adjoint(6, &dall_price);
//! let (dapple_price, dorange_price) = add.backward(dall_price);
//! trace.edge(4, &dapple_price);
//! trace.edge(5, &dorange_price);
//! trace.adjoint(5, &dorange_price);
//! let (dorange, dorange_num) = mul_orange.backward(dorange_price);
//! trace.edge(2, &dorange);
//! trace.edge(3, &dorange_num);
//! trace.adjoint(4, &dorange_num);
//! trace.adjoint(3, &dorange);
//! trace.adjoint(2, &dapple_price);
//! let (dapple, dapple_num) = mul_apple.backward(dapple_price);
//! trace.edge(0, &dapple);
//! trace.edge(1, &dapple_num);
//! trace.adjoint(1, &dapple_num);
//! trace.adjoint(0, &dapple);
//!
//! let graph = trace.finish();
//! assert_eq!(graph.output.value, 715.0000000000001);
//! assert_eq!(graph.find("apple").unwrap().grad, Some(2.2));
//! assert_eq!(graph.find("tax").unwrap().grad, Some(650.0));
//! assert_eq!(graph.edges[6].grad, Some(1.1)); // d price / d all_price
//! assert_eq!(graph.describe(6), "n6 all_price = add(n2, n5) = 650 | grad 1.1");
//! assert!(graph.to_svg().starts_with("<svg"));
//! assert!(graph.to_dot().starts_with("digraph"));
//! assert!(graph.to_mermaid().starts_with("flowchart LR"));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod description;
mod dot;
mod layout;
mod mermaid;
mod svg;
mod trace;

pub use description::{DescriptionError, DescriptionErrorKind};
pub use trace::{NoTrace, Recorder, Trace};

use core::fmt;
use grad_core::ops::OpKind;

/// What a [`Node`] of a [`Graph`] is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NodeKind {
    /// An input of the formula.
    Input,
    /// A number written in the formula.
    Literal,
    /// A constant from the caller's scope.
    Constant {
        /// Its Rust source, such as `"std::f64::consts::PI"`.
        text: &'static str,
    },
    /// An operation of the table.
    Operation {
        /// Which operation.
        op: OpKind,
        /// The integer exponent of `powi`, once its layer has run; `None`
        /// for every other operation.
        exponent: Option<i32>,
    },
    /// A call to a user function.
    Custom {
        /// The function's path as written, such as `"softplus"` or
        /// `"helpers::f"`.
        function: &'static str,
    },
    /// An element of an array input read by index, `x[i + 1]`: its one
    /// operand is the array.
    Element {
        /// The array's name, the name of the input it reads.
        array: &'static str,
        /// The indices as written, such as `"[i + 1]"` or `"[i][j]"`.
        indices: &'static str,
    },
    /// An accumulator at the start of a loop's iteration: its one operand is
    /// its value before the loop (the first iteration starts from it; each
    /// next one from the value the iteration before left).
    Enter,
    /// An accumulator after a loop: its one operand is its value at the end
    /// of the loop's last iteration.
    Leave,
    /// The value of an `if`/`else`: its operands are the value of the `if`
    /// branch, then of the `else` branch; it takes the one whose branch ran.
    Select,
}

impl NodeKind {
    /// The name of the layer type that computes this node, such as
    /// `"MulLayer"` (`"CustomLayer"` for a user function); `None` for
    /// inputs, literals and constants.
    ///
    /// ```
    /// use grad_graph::NodeKind;
    /// use grad_core::ops::OpKind;
    /// let mul = NodeKind::Operation { op: OpKind::Mul, exponent: None };
    /// assert_eq!(mul.layer(), Some("MulLayer"));
    /// assert_eq!(NodeKind::Literal.layer(), None);
    /// ```
    #[must_use]
    pub fn layer(&self) -> Option<&'static str> {
        match *self {
            Self::Input
            | Self::Literal
            | Self::Constant { .. }
            | Self::Element { .. }
            | Self::Enter
            | Self::Leave
            | Self::Select => None,
            Self::Operation { op, .. } => Some(op.operation().layer),
            Self::Custom { .. } => Some("CustomLayer"),
        }
    }

    /// The symbol the book draws in the node's circle, the table's
    /// [`symbol`](grad_core::ops::Operation::symbol): `"×"`, `"+"`, `"−"`,
    /// `"÷"` for the arithmetic operators, the name otherwise (`"exp"`,
    /// `"sigmoid"`); the path of a user function; `None` for inputs,
    /// literals, constants, elements, accumulators and selects.
    ///
    /// ```
    /// use grad_graph::NodeKind;
    /// use grad_core::ops::OpKind;
    /// assert_eq!(NodeKind::Operation { op: OpKind::Mul, exponent: None }.symbol(), Some("×"));
    /// assert_eq!(NodeKind::Operation { op: OpKind::Exp, exponent: None }.symbol(), Some("exp"));
    /// assert_eq!(NodeKind::Custom { function: "softplus" }.symbol(), Some("softplus"));
    /// ```
    #[must_use]
    pub fn symbol(&self) -> Option<&'static str> {
        match *self {
            Self::Input
            | Self::Literal
            | Self::Constant { .. }
            | Self::Element { .. }
            | Self::Enter
            | Self::Leave
            | Self::Select => None,
            Self::Operation { op, .. } => Some(op.operation().symbol),
            Self::Custom { function } => Some(function),
        }
    }

    /// The operation as Rust spells it: `"*"`, `"exp"`, the function's path;
    /// `None` for inputs, literals, constants, elements, accumulators and
    /// selects.
    ///
    /// ```
    /// use grad_graph::NodeKind;
    /// use grad_core::ops::OpKind;
    /// assert_eq!(NodeKind::Operation { op: OpKind::Mul, exponent: None }.spelling(), Some("*"));
    /// ```
    #[must_use]
    pub fn spelling(&self) -> Option<&'static str> {
        match *self {
            Self::Input
            | Self::Literal
            | Self::Constant { .. }
            | Self::Element { .. }
            | Self::Enter
            | Self::Leave
            | Self::Select => None,
            Self::Operation { op, .. } => Some(op.operation().syntax.spelling()),
            Self::Custom { function } => Some(function),
        }
    }
}

/// One node of a [`Graph`].
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Its index in [`Graph::nodes`], its line in the description; pictures
    /// call it `n{id}`.
    pub id: usize,
    /// What it computes.
    pub kind: NodeKind,
    /// The input's name, or the `let` name of an intermediate; always
    /// present for an input.
    pub name: Option<&'static str>,
    /// Its forward value (NaN until reported, and for an array).
    pub value: f64,
    /// The shape of its value if it is an array (a formula over arrays),
    /// which pictures show in place of the value.
    pub shape: Option<Vec<usize>>,
    /// Its gradient (the derivative of the output with respect to this
    /// node), if backward ran; `None` for an array, whose gradient has its
    /// shape.
    pub grad: Option<f64>,
    /// The id of the innermost [`Group`] the node runs in (`K` of `@rK`),
    /// `None` for a node of the function's body itself. A node in a group
    /// that ran several times carries the numbers of its last run.
    pub group: Option<usize>,
}

impl Node {
    /// The text a picture draws for the node: the input's name, the
    /// literal's value, the constant's name (or its text if it has none),
    /// the operation's symbol (`"powi(3)"` with its exponent) or the user
    /// function's path; for an element, the array's name and the indices
    /// (`x[i + 1]`); for an accumulator (entering or leaving a loop),
    /// its name; `select` for the value of an `if`.
    ///
    /// ```
    /// use grad_graph::{Node, NodeKind};
    /// use grad_core::ops::OpKind;
    /// let node = Node {
    ///     id: 1,
    ///     kind: NodeKind::Operation { op: OpKind::Powi, exponent: Some(3) },
    ///     name: None,
    ///     value: 8.0,
    ///     shape: None,
    ///     grad: None,
    ///     group: None,
    /// };
    /// assert_eq!(node.label(), "powi(3)");
    /// ```
    #[must_use]
    pub fn label(&self) -> String {
        match self.kind {
            // Inputs always have a name when read from a description.
            NodeKind::Input => self
                .name
                .map_or_else(|| format!("n{}", self.id), str::to_owned),
            NodeKind::Literal => format_compact(self.value),
            NodeKind::Constant { text } => self.name.unwrap_or(text).to_owned(),
            NodeKind::Operation {
                op,
                exponent: Some(n),
            } => format!("{}({n})", op.operation().symbol),
            NodeKind::Operation { op, exponent: None } => op.operation().symbol.to_owned(),
            NodeKind::Custom { function } => function.to_owned(),
            NodeKind::Element { array, indices } => format!("{array}{indices}"),
            NodeKind::Enter | NodeKind::Leave => self
                .name
                .map_or_else(|| format!("n{}", self.id), str::to_owned),
            NodeKind::Select => "select".to_owned(),
        }
    }
}

/// What a [`Group`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupKind {
    /// A loop's body, which runs once per iteration.
    Loop,
    /// The `if` branch of an `if`/`else`.
    If,
    /// The `else` branch.
    Else,
}

/// A part of a function that runs as a unit: a loop's body, or a branch of
/// an `if`. Pictures draw it once, as a box around its nodes captioned with
/// its header and how many times it ran, never unrolled.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Its id, `K` of `rK` in the description: groups count up from 1.
    pub id: usize,
    /// What it is.
    pub kind: GroupKind,
    /// Its header as written: `for i in 0..N - 1`, `if x > 1.0`, `else`.
    pub header: &'static str,
    /// The id of the group it is nested in, `None` at the top.
    pub parent: Option<usize>,
    /// How many times it ran in the call drawn, once reported: a loop's
    /// body once per iteration, in total over every run of the groups
    /// around it; a branch once each time it was taken (0: not taken).
    pub runs: Option<usize>,
}

impl Group {
    /// The caption pictures write on its box: the header, then how many
    /// times it ran and, if more than once, that the numbers shown are those
    /// of the last run.
    ///
    /// ```
    /// use grad_graph::{Group, GroupKind};
    /// let mut body = Group { id: 1, kind: GroupKind::Loop, header: "for i in 0..N - 1", parent: None, runs: Some(99) };
    /// assert_eq!(body.caption(), "for i in 0..N - 1  (×99, last shown)");
    /// body.runs = None;
    /// assert_eq!(body.caption(), "for i in 0..N - 1");
    /// let branch = Group { id: 2, kind: GroupKind::Else, header: "else", parent: None, runs: Some(0) };
    /// assert_eq!(branch.caption(), "else  (not taken)");
    /// ```
    #[must_use]
    pub fn caption(&self) -> String {
        let runs = match (self.kind, self.runs) {
            (_, None) => return self.header.to_owned(),
            (GroupKind::Loop, Some(1)) => "×1".to_owned(),
            (GroupKind::Loop, Some(runs)) if runs != 1 && runs != 0 => {
                format!("×{runs}, last shown")
            }
            (GroupKind::Loop, Some(_)) => "×0, never ran".to_owned(),
            (_, Some(0)) => "not taken".to_owned(),
            (_, Some(1)) => "taken".to_owned(),
            (_, Some(runs)) => format!("taken ×{runs}, last shown"),
        };
        format!("{}  ({runs})", self.header)
    }

    /// Whether it ran at all in the call drawn (true until reported).
    #[must_use]
    pub fn ran(&self) -> bool {
        self.runs != Some(0)
    }
}

/// One edge of a [`Graph`]: an operand flowing into an operation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    /// The operand node.
    pub from: usize,
    /// The node that uses it.
    pub to: usize,
    /// Which operand of `to` this is (0 for the first).
    pub position: usize,
    /// The forward value it carries (the value of `from`).
    pub value: f64,
    /// The gradient flowing back along it to `from`, if backward ran.
    pub grad: Option<f64>,
}

/// The output of a [`Graph`]: the edge that leaves the last node to the right.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Output {
    /// The output node.
    pub node: usize,
    /// The output's name, such as `"price"`.
    pub name: &'static str,
    /// Its value.
    pub value: f64,
    /// The gradient backward started from, if it ran.
    pub dout: Option<f64>,
}

/// A formula's computational graph with forward values and, after backward,
/// gradients. Read from a description by [`Graph::from_description`] and
/// filled in by a [`Recorder`]; rendered by [`Graph::to_dot`],
/// [`Graph::to_mermaid`] and [`Graph::to_svg`]; printed one node per line by
/// [`Display`](core::fmt::Display).
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// The nodes, in the description's order (operands before their users).
    pub nodes: Vec<Node>,
    /// The edges, ordered by the node they enter, then by operand position.
    pub edges: Vec<Edge>,
    /// The output.
    pub output: Output,
    /// The loop bodies and branches, `groups[K - 1]` for `rK`; empty for a
    /// straight-line formula.
    pub groups: Vec<Group>,
}

impl Graph {
    /// Reads a description (see the [crate docs](crate#the-description)):
    /// every node and edge, with every value NaN and no gradient, no
    /// `powi` exponent, and names and texts borrowed from `description`.
    ///
    /// ```
    /// use grad_graph::{Graph, NodeKind};
    /// let graph = Graph::from_description(
    ///     "n0 x = input\nn1 = constant std::f64::consts::PI\nn2 y = mul(n0, n1)\ny = n2",
    /// )
    /// .unwrap();
    /// assert_eq!(graph.nodes[1].kind, NodeKind::Constant { text: "std::f64::consts::PI" });
    /// assert_eq!(graph.edges.len(), 2);
    /// assert!(graph.nodes.iter().all(|node| node.value.is_nan() && node.grad.is_none()));
    /// assert_eq!(graph.output.name, "y");
    /// ```
    ///
    /// # Errors
    ///
    /// A [`DescriptionError`] naming the first wrong line and what is wrong
    /// with it (see [`DescriptionErrorKind`]).
    pub fn from_description(description: &'static str) -> Result<Self, DescriptionError> {
        description::parse(description)
    }

    /// Whether backward ran, so nodes and edges carry gradients.
    #[must_use]
    pub const fn has_gradients(&self) -> bool {
        self.output.dout.is_some()
    }

    /// The first node with this name (an input, a `let` intermediate or a
    /// named constant).
    #[must_use]
    pub fn find(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|node| node.name == Some(name))
    }

    /// The edges entering node `id`, in operand order.
    pub fn incoming(&self, id: usize) -> impl Iterator<Item = &Edge> + '_ {
        // Edges are sorted by the node they enter.
        let start = self.edges.partition_point(|edge| edge.to < id);
        let end = self.edges.partition_point(|edge| edge.to <= id);
        self.edges[start..end.max(start)].iter()
    }

    /// The edges leaving node `id`, in edge order.
    pub fn outgoing(&self, id: usize) -> impl Iterator<Item = &Edge> + '_ {
        self.edges.iter().filter(move |edge| edge.from == id)
    }

    /// Graphviz DOT source: `digraph`, `rankdir=LR`, nodes in id order, each
    /// edge labelled with its value and, below it in red, its gradient; each
    /// loop body or branch a `subgraph cluster_r{id}` captioned with its
    /// header and how many times it ran.
    /// Render it with `dot -Tsvg`.
    #[must_use]
    pub fn to_dot(&self) -> String {
        dot::render(self)
    }

    /// A Mermaid `flowchart LR` with the same information as
    /// [`Graph::to_dot`], for Markdown pages that render Mermaid.
    #[must_use]
    pub fn to_mermaid(&self) -> String {
        mermaid::render(self)
    }

    /// A self-contained SVG picture, laid out in-process: layers from left to
    /// right (an operation one layer after its deepest operand, an input, a
    /// literal or a constant just before its first user), forward values
    /// above the edges and gradients below them in red.
    ///
    /// Every node is a `<g class="node …" id="n{id}">` holding its shape
    /// (`<circle>`, `<ellipse>` or `<rect>`) and `<text>`; every edge a
    /// `<g class="edge" id="e{index}">` holding a `<path>` and `<text
    /// class="value">` / `<text class="grad">` (the output edge is `e-out`);
    /// the output label is `<g class="output" id="out">`; each loop body or
    /// branch is a `<g class="group" id="r{id}">` holding its box
    /// (`<rect>`) and caption (`<text class="caption">`), drawn behind the
    /// edges and laid out as one block holding its nodes. Hovering shows
    /// each node's and edge's numbers at full precision (`<title>`).
    #[must_use]
    pub fn to_svg(&self) -> String {
        svg::render(self)
    }

    /// One line describing node `id`, as [`Display`](core::fmt::Display)
    /// prints it: the node's description line, ` = {value}` and, after
    /// backward, ` | grad {grad}`, at full precision. A `powi` node whose
    /// exponent was recorded reads `powi(n1, 3)`.
    ///
    /// ```
    /// use grad_graph::{Recorder, Trace};
    /// let mut trace = Recorder::new("n0 x = input\nn1 = powi(n0)\ny = n1");
    /// trace.value(0, &2.0);
    /// trace.exponent(1, Some(3));
    /// trace.value(1, &8.0);
    /// let graph = trace.finish();
    /// assert_eq!(graph.describe(1), "n1 = powi(n0, 3) = 8");
    /// ```
    #[must_use]
    pub fn describe(&self, id: usize) -> String {
        self.line(id, &self.expression(id))
    }

    /// What node `id` computes, as its description line writes it (with the
    /// recorded exponent of a `powi` node).
    pub(crate) fn expression(&self, id: usize) -> String {
        let operands = || {
            self.incoming(id)
                .map(|edge| format!("n{}", edge.from))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self.nodes[id].kind {
            NodeKind::Input => "input".to_owned(),
            // The description writes a literal as `{:?}` of its f64, which is
            // the value the generated code reports for an f64 formula.
            NodeKind::Literal => format!("literal {:?}", self.nodes[id].value),
            NodeKind::Constant { text } => format!("constant {text}"),
            NodeKind::Operation {
                op,
                exponent: Some(n),
            } => format!("{}({}, {n})", op.operation().name, operands()),
            NodeKind::Operation { op, exponent: None } => {
                format!("{}({})", op.operation().name, operands())
            }
            NodeKind::Custom { function } => format!("call {function}({})", operands()),
            NodeKind::Element { indices, .. } => format!("element({}){indices}", operands()),
            NodeKind::Enter => format!("enter({})", operands()),
            NodeKind::Leave => format!("leave({})", operands()),
            NodeKind::Select => format!("select({})", operands()),
        }
    }

    /// The group with id `id` (`rK` is `group(K)`).
    ///
    /// # Panics
    ///
    /// If the graph has no such group.
    #[must_use]
    pub fn group(&self, id: usize) -> &Group {
        &self.groups[id - 1]
    }

    /// The groups node `id` runs in, innermost first.
    pub fn groups_of(&self, id: usize) -> impl Iterator<Item = &Group> + '_ {
        core::iter::successors(
            self.nodes[id].group.map(|group| self.group(group)),
            |group| group.parent.map(|parent| self.group(parent)),
        )
    }

    /// Whether node `id` ran in the call drawn: false for a node of a branch
    /// not taken, or of a loop that ran no iteration (with the groups around
    /// them), whose values pictures leave out.
    #[must_use]
    pub fn ran(&self, id: usize) -> bool {
        self.groups_of(id).all(Group::ran)
    }

    /// Whether group `group` and every group around it ran.
    pub(crate) fn group_ran(&self, group: usize) -> bool {
        core::iter::successors(Some(self.group(group)), |group| {
            group.parent.map(|parent| self.group(parent))
        })
        .all(Group::ran)
    }

    /// Node `id`'s line with `expression` for what it computes: `n{id}`, its
    /// name, the expression and its numbers.
    /// What a picture writes for node `id`'s value: the number as `format`
    /// writes it, or an array's shape, such as `100×50`.
    /// A node that did not run (in a branch not taken) has no value: empty.
    pub(crate) fn value_text(&self, id: usize, format: fn(f64) -> String) -> String {
        let node = &self.nodes[id];
        if node.group.is_some() && !self.ran(id) {
            return String::new();
        }
        match &node.shape {
            Some(shape) => format_shape(shape),
            None => format(node.value),
        }
    }

    /// What a picture writes for the value an edge carries: its source's
    /// value, nothing if its target did not run.
    pub(crate) fn edge_text(&self, edge: &Edge, format: fn(f64) -> String) -> String {
        if self.ran(edge.to) {
            self.value_text(edge.from, format)
        } else {
            String::new()
        }
    }

    /// Whether edge `edge` carried anything: both its ends ran.
    pub(crate) fn edge_ran(&self, edge: &Edge) -> bool {
        self.ran(edge.from) && self.ran(edge.to)
    }

    pub(crate) fn line(&self, id: usize, expression: &str) -> String {
        let node = &self.nodes[id];
        let mut line = format!("n{id}");
        if let Some(name) = node.name {
            line.push(' ');
            line.push_str(name);
        }
        line.push_str(" = ");
        line.push_str(expression);
        if let Some(group) = node.group {
            line.push_str(&format!(" @r{group}"));
        }
        if !self.ran(id) {
            line.push_str(" (not run)");
            return line;
        }
        line.push_str(" = ");
        line.push_str(&self.value_text(id, format_full));
        if let Some(grad) = node.grad {
            line.push_str(" | grad ");
            line.push_str(&format_full(grad));
        }
        line
    }
}

/// One line per group with, once reported, how many times it ran (`r1 = for
/// i in 0..N - 1 | runs 4`), one line per node (see [`Graph::describe`]),
/// then the output with its value and, after backward, the gradient backward
/// started from:
///
/// ```text
/// n0 apple = input = 100 | grad 2.2
/// …
/// n8 = mul(n6, n7) = 715.0000000000001 | grad 1
/// price = n8 = 715.0000000000001 | dout 1
/// ```
///
/// Without the numbers, this is the description the graph was read from,
/// with the recorded exponents of `powi` nodes. A literal prints as `{:?}`
/// of its reported value: its description's text for an `f64` formula, the
/// value the scalar type rounded it to otherwise (`0.1` in an `f32` formula
/// reads `literal 0.10000000149011612`).
impl fmt::Display for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for group in &self.groups {
            write!(f, "r{} = {}", group.id, group.header)?;
            if let Some(parent) = group.parent {
                write!(f, " @r{parent}")?;
            }
            if let Some(runs) = group.runs {
                write!(f, " | runs {runs}")?;
            }
            writeln!(f)?;
        }
        for id in 0..self.nodes.len() {
            writeln!(f, "{}", self.describe(id))?;
        }
        let output = &self.output;
        write!(
            f,
            "{} = n{} = {}",
            output.name,
            output.node,
            self.value_text(output.node, format_full)
        )?;
        if let Some(dout) = output.dout {
            write!(f, " | dout {}", format_full(dout))?;
        }
        Ok(())
    }
}

/// Formats a number for a picture: rounded to six significant digits, then
/// written in Rust's shortest form, in scientific notation below `1e-4` and
/// from `1e6` on.
///
/// ```
/// use grad_graph::format_compact;
/// assert_eq!(format_compact(715.0000000000001), "715");
/// assert_eq!(format_compact(3.3000000000000003), "3.3");
/// assert_eq!(format_compact(-0.125), "-0.125");
/// assert_eq!(format_compact(2.0f64.sqrt()), "1.41421");
/// assert_eq!(format_compact(1234567.0), "1.23457e6");
/// assert_eq!(format_compact(0.00001234), "1.234e-5");
/// assert_eq!(format_compact(f64::NAN), "NaN");
/// ```
#[must_use]
pub fn format_compact(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let rounded = format!("{x:.5e}").parse().unwrap_or(x);
    format_shortest(rounded, 1e6)
}

/// An array's shape as a picture writes it: `100×50`, `()` for a
/// zero-dimensional array.
fn format_shape(shape: &[usize]) -> String {
    if shape.is_empty() {
        return "()".to_owned();
    }
    shape
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join("×")
}

/// Formats a number at full precision (Rust's shortest round-trip form), in
/// scientific notation below `1e-4` and from `1e16` on.
pub(crate) fn format_full(x: f64) -> String {
    format_shortest(x, 1e16)
}

fn format_shortest(x: f64, large: f64) -> String {
    let magnitude = x.abs();
    if magnitude != 0.0 && (magnitude < 1e-4 || magnitude >= large) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}
