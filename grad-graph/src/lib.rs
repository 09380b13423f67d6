//! A runtime description of a formula's computational graph, and pictures of
//! it: Graphviz DOT, Mermaid and a self-contained SVG.
//!
//! `grad!` describes its formula as a static [`GraphSpec`]: the nodes in
//! topological order (inputs, constants, operations from the table in
//! [`ops`](grad_core::ops), and calls to the user's own functions). At run time,
//! [`Graph::evaluate`] fills in what only the run knows — the inputs' values,
//! the `powi` exponents, the custom functions' values and partials — runs
//! each node's layer forward and, given an output gradient `dout`, backward.
//! The result is a [`Graph`]: every node with its forward value and gradient,
//! every edge with the value it carries and the gradient that flows back
//! along it.
//!
//! The pictures follow the book's figures: left to right, each operation a
//! circle labelled with its operator, inputs as plain labels at the left, the
//! forward value written above each edge and, after backward, the gradient
//! below it in red. The output leaves the last node to the right, labelled
//! with its name.
//!
//! Values are printed compactly in the pictures, rounded to six significant
//! digits (see [`format_compact`]), so the book's `715.0000000000001` reads
//! `715`; [`Display`](core::fmt::Display) and the tooltips print full precision.
//!
//! ```
//! use grad_graph::{Graph, GraphSpec, GraphValues, NodeSpec, NodeSpecKind};
//! use grad_core::ops::OpKind;
//!
//! // price = apple * tax
//! const SPEC: GraphSpec = GraphSpec {
//!     nodes: &[
//!         NodeSpec { kind: NodeSpecKind::Input, name: Some("apple") },
//!         NodeSpec { kind: NodeSpecKind::Input, name: Some("tax") },
//!         NodeSpec {
//!             kind: NodeSpecKind::Operation { op: OpKind::Mul, operands: &[0, 1] },
//!             name: Some("price"),
//!         },
//!     ],
//!     output: 2,
//!     output_name: "price",
//! };
//! let graph = Graph::evaluate(&SPEC, GraphValues::new(&[100.0, 1.1]), Some(1.0));
//! assert_eq!(graph.output.value, 110.00000000000001);
//! assert_eq!(graph.edges[0].grad, Some(1.1)); // d price / d apple
//! assert_eq!(graph.edges[1].grad, Some(100.0)); // d price / d tax
//! assert!(graph.to_dot().starts_with("digraph"));
//! assert!(graph.to_mermaid().starts_with("flowchart LR"));
//! assert!(graph.to_svg().starts_with("<svg"));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod dot;
mod layout;
mod mermaid;
mod svg;

use core::fmt;
use grad_core::ops::{OpKind, Shape, Syntax};

/// Static description of a formula's graph, emitted by `grad!` as a `const`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GraphSpec {
    /// The nodes in topological order: operands come before their users.
    pub nodes: &'static [NodeSpec],
    /// The index of the output node in `nodes`.
    pub output: usize,
    /// The name of the output, such as `"price"`.
    pub output_name: &'static str,
}

/// One node of a [`GraphSpec`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeSpec {
    /// What the node computes.
    pub kind: NodeSpecKind,
    /// The input's name, or the user's `let` name (or the output's name) of
    /// an operation node; `None` for an unnamed intermediate.
    pub name: Option<&'static str>,
}

/// What a [`NodeSpec`] computes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NodeSpecKind {
    /// An input: the k-th `Input` node (in node order) takes
    /// [`GraphValues::inputs`]`[k]`.
    Input,
    /// A literal of the formula.
    Constant(f64),
    /// An operation of the table. `operands` are node indices in operand
    /// order; `powi` has one, and its exponent is the k-th entry of
    /// [`GraphValues::exponents`], k counting `powi` nodes in node order.
    Operation {
        /// Which operation.
        op: OpKind,
        /// The operand nodes, in operand order.
        operands: &'static [usize],
    },
    /// A call to a user function. Its value and partial derivatives are the
    /// k-th entry of [`GraphValues::custom`], k counting `Custom` nodes in
    /// node order.
    Custom {
        /// The function's name, as written in the formula.
        function: &'static str,
        /// The argument nodes, in argument order.
        operands: &'static [usize],
    },
}

impl NodeSpecKind {
    /// The operand node indices (empty for inputs and constants).
    #[must_use]
    pub const fn operands(&self) -> &'static [usize] {
        match *self {
            Self::Input | Self::Constant(_) => &[],
            Self::Operation { operands, .. } | Self::Custom { operands, .. } => operands,
        }
    }
}

/// Runtime values that a [`GraphSpec`] does not know statically.
#[derive(Clone, Copy, Debug)]
pub struct GraphValues<'a> {
    /// One value per `Input` node, in node order.
    pub inputs: &'a [f64],
    /// One exponent per `powi` node, in node order.
    pub exponents: &'a [i32],
    /// One `(value, partial derivatives in operand order)` per `Custom` node,
    /// in node order. The partials are read only when backward runs.
    pub custom: &'a [(f64, &'a [f64])],
}

impl<'a> GraphValues<'a> {
    /// Values for a formula with only inputs: no `powi`, no custom function.
    #[must_use]
    pub const fn new(inputs: &'a [f64]) -> Self {
        Self {
            inputs,
            exponents: &[],
            custom: &[],
        }
    }
}

/// Why a [`GraphSpec`] and its [`GraphValues`] do not fit together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphError {
    /// The output index is not a node (this includes an empty spec).
    Output {
        /// The spec's output index.
        output: usize,
        /// How many nodes the spec has.
        nodes: usize,
    },
    /// A node uses an operand that does not come before it.
    Operand {
        /// The node.
        node: usize,
        /// The operand index it names.
        operand: usize,
    },
    /// An operation has the wrong number of operands.
    Arity {
        /// The node.
        node: usize,
        /// Its operation.
        op: OpKind,
        /// How many operands the operation takes.
        expected: usize,
        /// How many the spec gives.
        found: usize,
    },
    /// `inputs` does not have one value per `Input` node.
    Inputs {
        /// How many `Input` nodes the spec has.
        expected: usize,
        /// How many values were given.
        found: usize,
    },
    /// `exponents` does not have one exponent per `powi` node.
    Exponents {
        /// How many `powi` nodes the spec has.
        expected: usize,
        /// How many exponents were given.
        found: usize,
    },
    /// `custom` does not have one entry per `Custom` node.
    Custom {
        /// How many `Custom` nodes the spec has.
        expected: usize,
        /// How many entries were given.
        found: usize,
    },
    /// A custom node's partials do not match its operands (checked only when
    /// backward runs).
    Partials {
        /// The node.
        node: usize,
        /// How many operands it has.
        expected: usize,
        /// How many partials were given.
        found: usize,
    },
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Output { output, nodes } => {
                write!(
                    f,
                    "the output is node {output} but the spec has {nodes} nodes"
                )
            }
            Self::Operand { node, operand } => write!(
                f,
                "node {node} uses node {operand}, which does not come before it: nodes must be in topological order"
            ),
            Self::Arity {
                node,
                op,
                expected,
                found,
            } => write!(
                f,
                "node {node} ({}) takes {expected} operands but has {found}",
                op.operation().layer
            ),
            Self::Inputs { expected, found } => {
                write!(
                    f,
                    "the spec has {expected} inputs but {found} input values were given"
                )
            }
            Self::Exponents { expected, found } => write!(
                f,
                "the spec has {expected} powi nodes but {found} exponents were given"
            ),
            Self::Custom { expected, found } => write!(
                f,
                "the spec has {expected} custom nodes but {found} custom values were given"
            ),
            Self::Partials {
                node,
                expected,
                found,
            } => write!(
                f,
                "custom node {node} has {expected} operands but {found} partial derivatives were given"
            ),
        }
    }
}

impl std::error::Error for GraphError {}

/// What a [`Node`] of a [`Graph`] is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NodeKind {
    /// An input of the formula, taking `GraphValues::inputs[index]`.
    Input {
        /// Its position among the inputs.
        index: usize,
    },
    /// A literal of the formula.
    Constant,
    /// An operation of the table.
    Operation {
        /// Which operation.
        op: OpKind,
        /// The integer exponent of `powi`; `None` for every other operation.
        exponent: Option<i32>,
    },
    /// A call to a user function.
    Custom {
        /// The function's name.
        function: &'static str,
    },
}

impl NodeKind {
    /// The name of the layer type that computes this node, such as
    /// `"MulLayer"` (`"CustomLayer"` for a user function); `None` for inputs
    /// and constants.
    ///
    /// ```
    /// use grad_graph::NodeKind;
    /// use grad_core::ops::OpKind;
    /// let mul = NodeKind::Operation { op: OpKind::Mul, exponent: None };
    /// assert_eq!(mul.layer(), Some("MulLayer"));
    /// assert_eq!(NodeKind::Constant.layer(), None);
    /// ```
    #[must_use]
    pub fn layer(&self) -> Option<&'static str> {
        match *self {
            Self::Input { .. } | Self::Constant => None,
            Self::Operation { op, .. } => Some(op.operation().layer),
            Self::Custom { .. } => Some("CustomLayer"),
        }
    }

    /// The symbol the book draws in the node's circle: `"×"`, `"+"`, `"−"`,
    /// `"÷"` for the arithmetic operators, the method or function name
    /// otherwise (`"exp"`, `"sigmoid"`, the user function's name); `None` for
    /// inputs and constants.
    ///
    /// ```
    /// use grad_graph::NodeKind;
    /// use grad_core::ops::OpKind;
    /// assert_eq!(NodeKind::Operation { op: OpKind::Mul, exponent: None }.symbol(), Some("×"));
    /// assert_eq!(NodeKind::Operation { op: OpKind::Exp, exponent: None }.symbol(), Some("exp"));
    /// ```
    #[must_use]
    pub fn symbol(&self) -> Option<&'static str> {
        match *self {
            Self::Input { .. } | Self::Constant => None,
            Self::Operation { op, .. } => Some(symbol(op)),
            Self::Custom { function } => Some(function),
        }
    }

    /// The operation as Rust spells it: `"*"`, `"exp"`, the function's name;
    /// `None` for inputs and constants.
    #[must_use]
    pub fn spelling(&self) -> Option<&'static str> {
        match *self {
            Self::Input { .. } | Self::Constant => None,
            Self::Operation { op, .. } => Some(op.operation().syntax.spelling()),
            Self::Custom { function } => Some(function),
        }
    }
}

/// The book's symbol for an operation: the Rust spelling, except `×`, `÷`
/// and `−` for `*`, `/` and `-`.
fn symbol(op: OpKind) -> &'static str {
    match op.operation().syntax {
        Syntax::Infix("*") => "×",
        Syntax::Infix("/") => "÷",
        Syntax::Infix("-") | Syntax::Prefix("-") => "−",
        syntax => syntax.spelling(),
    }
}

/// A short name for an operation in text: `mul`, `neg`, `exp`, `sigmoid`.
fn op_name(op: OpKind) -> String {
    match op.operation().syntax {
        Syntax::Infix(_) | Syntax::Prefix(_) => format!("{op:?}").to_lowercase(),
        Syntax::Method(name) | Syntax::Function(name) => name.to_owned(),
    }
}

/// One node of a [`Graph`].
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Its index in [`Graph::nodes`], the same as in the [`GraphSpec`];
    /// pictures call it `n{id}`.
    pub id: usize,
    /// What it computes.
    pub kind: NodeKind,
    /// The input's name, or the `let` name (or output name) of an operation.
    pub name: Option<&'static str>,
    /// Its forward value.
    pub value: f64,
    /// Its gradient (the derivative of the output with respect to this
    /// node), if backward ran: the sum of the gradients on its outgoing
    /// edges, `dout` for the output node.
    pub grad: Option<f64>,
}

impl Node {
    /// The text a picture draws for the node: the input's name, the
    /// constant's value, the operation's symbol (`"powi(3)"` with its
    /// exponent) or the user function's name.
    ///
    /// ```
    /// use grad_graph::{Node, NodeKind};
    /// use grad_core::ops::OpKind;
    /// let node = Node {
    ///     id: 1,
    ///     kind: NodeKind::Operation { op: OpKind::Powi, exponent: Some(3) },
    ///     name: None,
    ///     value: 8.0,
    ///     grad: None,
    /// };
    /// assert_eq!(node.label(), "powi(3)");
    /// ```
    #[must_use]
    pub fn label(&self) -> String {
        match self.kind {
            NodeKind::Input { index } => match self.name {
                Some(name) => name.to_owned(),
                None => format!("input {index}"),
            },
            NodeKind::Constant => format_compact(self.value),
            NodeKind::Operation {
                op,
                exponent: Some(n),
            } => format!("{}({n})", symbol(op)),
            NodeKind::Operation { op, exponent: None } => symbol(op).to_owned(),
            NodeKind::Custom { function } => function.to_owned(),
        }
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
    /// The gradient fed into backward, if it ran.
    pub dout: Option<f64>,
}

/// A formula's computational graph with forward values and, after backward,
/// gradients. Made by [`Graph::evaluate`]; rendered by [`Graph::to_dot`],
/// [`Graph::to_mermaid`] and [`Graph::to_svg`]; printed one node per line by
/// [`Display`](core::fmt::Display).
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// The nodes, in the spec's order (operands before their users).
    pub nodes: Vec<Node>,
    /// The edges, ordered by the node they enter, then by operand position.
    pub edges: Vec<Edge>,
    /// The output.
    pub output: Output,
}

impl Graph {
    /// Computes every node's forward value; with `Some(dout)`, also runs
    /// backward from the output and fills in every edge's and node's
    /// gradient. Values flow in `f64`.
    ///
    /// Each operation runs its own layer through [`OpKind::evaluate`], so
    /// the numbers are the ones `grad!` computes, bit for bit. A node used
    /// several times gets the sum of its edges' gradients, added in the order
    /// backward visits its users (the last user first).
    ///
    /// # Panics
    ///
    /// If the spec and the values do not fit together (see
    /// [`Graph::try_evaluate`], which returns the reason instead).
    #[must_use]
    #[track_caller]
    pub fn evaluate(spec: &GraphSpec, values: GraphValues<'_>, dout: Option<f64>) -> Self {
        match Self::try_evaluate(spec, values, dout) {
            Ok(graph) => graph,
            Err(error) => panic!("Graph::evaluate: {error}"),
        }
    }

    /// Like [`Graph::evaluate`], but returns why the spec and the values do
    /// not fit together instead of panicking.
    ///
    /// ```
    /// use grad_graph::{Graph, GraphError, GraphSpec, GraphValues, NodeSpec, NodeSpecKind};
    /// const SPEC: GraphSpec = GraphSpec {
    ///     nodes: &[NodeSpec { kind: NodeSpecKind::Input, name: Some("x") }],
    ///     output: 0,
    ///     output_name: "y",
    /// };
    /// let error = Graph::try_evaluate(&SPEC, GraphValues::new(&[]), None).unwrap_err();
    /// assert_eq!(error, GraphError::Inputs { expected: 1, found: 0 });
    /// ```
    ///
    /// # Errors
    ///
    /// A [`GraphError`] if the output is not a node, an operand does not come
    /// before its user, an operation has the wrong number of operands, or
    /// `values` does not have exactly one entry per input, `powi` node and
    /// custom node (and, when backward runs, one partial per custom operand).
    pub fn try_evaluate(
        spec: &GraphSpec,
        values: GraphValues<'_>,
        dout: Option<f64>,
    ) -> Result<Self, GraphError> {
        check(spec, values, dout.is_some())?;
        let mut nodes: Vec<Node> = Vec::with_capacity(spec.nodes.len());
        let mut edges = Vec::new();
        // The partials of each custom node, read by backward.
        let mut partials: Vec<&[f64]> = vec![&[]; spec.nodes.len()];
        let (mut next_input, mut next_exponent, mut next_custom) = (0, 0, 0);
        for (id, node) in spec.nodes.iter().enumerate() {
            let operands = node.kind.operands();
            let (kind, value) = match node.kind {
                NodeSpecKind::Input => {
                    next_input += 1;
                    let index = next_input - 1;
                    (NodeKind::Input { index }, values.inputs[index])
                }
                NodeSpecKind::Constant(value) => (NodeKind::Constant, value),
                NodeSpecKind::Operation { op, .. } => {
                    let exponent = (op.operation().shape == Shape::UnaryInt).then(|| {
                        next_exponent += 1;
                        values.exponents[next_exponent - 1]
                    });
                    let args = operand_values(&nodes, operands);
                    let (value, _) =
                        op.evaluate(&args[..operands.len()], exponent.unwrap_or(0), 0.0);
                    (NodeKind::Operation { op, exponent }, value)
                }
                NodeSpecKind::Custom { function, .. } => {
                    let (value, node_partials) = values.custom[next_custom];
                    next_custom += 1;
                    partials[id] = node_partials;
                    (NodeKind::Custom { function }, value)
                }
            };
            edges.extend(operands.iter().enumerate().map(|(position, &from)| Edge {
                from,
                to: id,
                position,
                value: nodes[from].value,
                grad: None,
            }));
            nodes.push(Node {
                id,
                kind,
                name: node.name,
                value,
                grad: None,
            });
        }
        if let Some(dout) = dout {
            backward(&mut nodes, &mut edges, &partials, spec.output, dout);
        }
        let output = Output {
            node: spec.output,
            name: spec.output_name,
            value: nodes[spec.output].value,
            dout,
        };
        Ok(Self {
            nodes,
            edges,
            output,
        })
    }

    /// Whether backward ran, so nodes and edges carry gradients.
    #[must_use]
    pub const fn has_gradients(&self) -> bool {
        self.output.dout.is_some()
    }

    /// The first node with this name (an input, a `let` intermediate or the
    /// output node).
    #[must_use]
    pub fn find(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|node| node.name == Some(name))
    }

    /// The edges entering node `id`, in operand order.
    pub fn incoming(&self, id: usize) -> impl Iterator<Item = &Edge> + '_ {
        self.edges.iter().filter(move |edge| edge.to == id)
    }

    /// The edges leaving node `id`, in edge order.
    pub fn outgoing(&self, id: usize) -> impl Iterator<Item = &Edge> + '_ {
        self.edges.iter().filter(move |edge| edge.from == id)
    }

    /// Graphviz DOT source: `digraph`, `rankdir=LR`, nodes in id order, each
    /// edge labelled with its value and, below it in red, its gradient.
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
    /// right (an operation one layer after its deepest operand, an input or a
    /// constant just before its first user), forward values above the edges
    /// and gradients below them in red.
    ///
    /// Every node is a `<g class="node …" id="n{id}">` holding its shape
    /// (`<circle>`, `<ellipse>` or `<rect>`) and `<text>`; every edge a
    /// `<g class="edge" id="e{index}">` holding a `<path>` and `<text
    /// class="value">` / `<text class="grad">` (the output edge is `e-out`);
    /// the output label is `<g class="output" id="out">`. Hovering shows
    /// each node's and edge's numbers at full precision (`<title>`).
    #[must_use]
    pub fn to_svg(&self) -> String {
        svg::render(self)
    }

    /// One line describing node `id`, as [`Display`](core::fmt::Display)
    /// prints it: `n2 apple_price = mul(n0, n1) = 200 | grad 1.1`.
    #[must_use]
    pub fn describe(&self, id: usize) -> String {
        let node = &self.nodes[id];
        let mut line = format!("n{id}");
        if let Some(name) = node.name {
            line.push(' ');
            line.push_str(name);
        }
        let operands = || {
            self.incoming(id)
                .map(|edge| format!("n{}", edge.from))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let expression = match node.kind {
            NodeKind::Input { index } => format!("input {index}"),
            NodeKind::Constant => "const".to_owned(),
            NodeKind::Operation {
                op,
                exponent: Some(n),
            } => {
                format!("{}({}, {n})", op_name(op), operands())
            }
            NodeKind::Operation { op, exponent: None } => {
                format!("{}({})", op_name(op), operands())
            }
            NodeKind::Custom { function } => format!("{function}({})", operands()),
        };
        line.push_str(&format!(" = {expression} = {}", format_full(node.value)));
        if let Some(grad) = node.grad {
            line.push_str(&format!(" | grad {}", format_full(grad)));
        }
        line
    }
}

/// One line per node (see [`Graph::describe`]), then the output:
///
/// ```text
/// n0 apple = input 0 = 100 | grad 2.2
/// …
/// n8 price = mul(n6, n7) = 715.0000000000001 | grad 1
/// price = n8 = 715.0000000000001 | dout 1
/// ```
impl fmt::Display for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for id in 0..self.nodes.len() {
            writeln!(f, "{}", self.describe(id))?;
        }
        let output = &self.output;
        write!(
            f,
            "{} = n{} = {}",
            output.name,
            output.node,
            format_full(output.value)
        )?;
        if let Some(dout) = output.dout {
            write!(f, " | dout {}", format_full(dout))?;
        }
        Ok(())
    }
}

fn check(spec: &GraphSpec, values: GraphValues<'_>, backward: bool) -> Result<(), GraphError> {
    let nodes = spec.nodes.len();
    if spec.output >= nodes {
        return Err(GraphError::Output {
            output: spec.output,
            nodes,
        });
    }
    let (mut inputs, mut exponents, mut custom) = (0, 0, 0);
    for (node, spec_node) in spec.nodes.iter().enumerate() {
        let operands = spec_node.kind.operands();
        if let Some(&operand) = operands.iter().find(|&&operand| operand >= node) {
            return Err(GraphError::Operand { node, operand });
        }
        match spec_node.kind {
            NodeSpecKind::Input => inputs += 1,
            NodeSpecKind::Constant(_) => {}
            NodeSpecKind::Operation { op, operands } => {
                let shape = op.operation().shape;
                let expected = shape.differentiable_operands();
                if operands.len() != expected {
                    return Err(GraphError::Arity {
                        node,
                        op,
                        expected,
                        found: operands.len(),
                    });
                }
                if shape == Shape::UnaryInt {
                    exponents += 1;
                }
            }
            NodeSpecKind::Custom { operands, .. } => {
                if backward
                    && let Some(&(_, partials)) = values.custom.get(custom)
                    && partials.len() != operands.len()
                {
                    return Err(GraphError::Partials {
                        node,
                        expected: operands.len(),
                        found: partials.len(),
                    });
                }
                custom += 1;
            }
        }
    }
    let count = |expected: usize, found: usize, error: fn(usize, usize) -> GraphError| {
        if expected == found {
            Ok(())
        } else {
            Err(error(expected, found))
        }
    };
    count(inputs, values.inputs.len(), |expected, found| {
        GraphError::Inputs { expected, found }
    })?;
    count(exponents, values.exponents.len(), |expected, found| {
        GraphError::Exponents { expected, found }
    })?;
    count(custom, values.custom.len(), |expected, found| {
        GraphError::Custom { expected, found }
    })
}

/// The values of an operation's operands (at most two, as the table's shapes
/// allow; `check` has verified the count).
fn operand_values(nodes: &[Node], operands: &[usize]) -> [f64; 2] {
    let mut args = [0.0; 2];
    for (arg, &operand) in args.iter_mut().zip(operands) {
        *arg = nodes[operand].value;
    }
    args
}

/// Runs backward over the nodes in reverse order, as the generated code does:
/// each node hands its gradient to its layer, whose backward gives one
/// gradient per operand edge; a node's gradient is the sum over its edges.
fn backward(nodes: &mut [Node], edges: &mut [Edge], partials: &[&[f64]], output: usize, dout: f64) {
    let mut grads: Vec<Option<f64>> = vec![None; nodes.len()];
    grads[output] = Some(dout);
    // Edges are sorted by `to`, so each node's operand edges end where the
    // next node's begin: walk them from the back.
    let mut end = edges.len();
    for id in (0..nodes.len()).rev() {
        let start = edges[..end].partition_point(|edge| edge.to < id);
        let grad = grads[id].unwrap_or(0.0);
        nodes[id].grad = Some(grad);
        let operand_grads: Vec<f64> = match nodes[id].kind {
            NodeKind::Input { .. } | NodeKind::Constant => Vec::new(),
            NodeKind::Operation { op, exponent } => {
                let operands: Vec<usize> = edges[start..end].iter().map(|edge| edge.from).collect();
                let args = operand_values(nodes, &operands);
                let (_, local) = op.evaluate(&args[..operands.len()], exponent.unwrap_or(0), grad);
                local[..operands.len()].to_vec()
            }
            NodeKind::Custom { .. } => partials[id].iter().map(|&partial| grad * partial).collect(),
        };
        for (edge, edge_grad) in edges[start..end].iter_mut().zip(operand_grads) {
            edge.grad = Some(edge_grad);
            let sum = &mut grads[edge.from];
            *sum = Some(match *sum {
                Some(sum) => sum + edge_grad,
                None => edge_grad,
            });
        }
        end = start;
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

/// Formats a number at full precision (Rust's shortest round-trip form), in
/// scientific notation below `1e-4` and from `1e16` on.
fn format_full(x: f64) -> String {
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
