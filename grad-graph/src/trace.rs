//! The trace protocol: how the code `grad!` generates reports the numbers it
//! computes, and the [`Recorder`] that turns them into a [`Graph`].

use super::{Graph, NodeKind};
use grad_core::Summary;
use grad_core::ops::Shape;
use num_traits::Float;

/// What the code `grad!` generates reports while it runs, for pictures.
///
/// Nodes and edges are numbered as in the formula's description (see the
/// [crate docs](crate#the-description)): nodes by their line, edges by the
/// node they enter, then by operand position. Forward reports every node's
/// value and every `powi` exponent; backward, if it runs, reports the
/// gradient the layers handed back along each edge and the final gradient
/// (the adjoint) of each node whose gradient it keeps, those of the inputs
/// and `let`s as the gradients struct's fields. Each is one call with a
/// slice: a formula of ten thousand operations makes at most four calls, not
/// thirty thousand, which keeps its build time that of the formula.
pub trait Trace<T> {
    /// Whether this trace keeps anything. The generated code puts its
    /// reports under `if <R as Trace<T>>::ON { .. }`, so with [`NoTrace`]
    /// they are gone before LLVM sees the code: even empty, always inlined
    /// calls left in place change how LLVM optimises the arithmetic around
    /// them (measured: 1.5x the instructions on Rosenbrock n = 100).
    const ON: bool = true;

    /// Every node's forward value, in node order.
    fn values(&mut self, values: &[T]);

    /// The i32 exponent of each `powi` node whose layer ran, as `(node,
    /// exponent)`. It does not mention `T`, so on a type that traces
    /// several scalar types (such as [`Recorder`]) name the one meant:
    /// `Trace::<f64>::exponents(&mut trace, &[(1, Some(3))])`.
    fn exponents(&mut self, exponents: &[(usize, Option<i32>)]);

    /// In code without loops or branches, in place of
    /// [`exponents`](Self::exponents): the exponent of every `powi` node, in
    /// node order (each ran). A plain slice, not pairs of options: at 1,000
    /// operations, the pairs cost `cargo check` 2% more. Ignored unless the
    /// trace overrides it.
    fn powers(&mut self, exponents: &[i32]) {
        let _ = exponents;
    }

    /// After backward: the gradient along every edge, in edge order (0 for
    /// an edge on no path to the output), and the gradient `adjoints[i]` of
    /// each node `nodes[i]` whose gradient backward keeps.
    fn gradients(&mut self, edges: &[T], nodes: &[usize], adjoints: &[T]);

    /// After backward, in code without loops or branches, in place of
    /// [`gradients`](Self::gradients): `marks` has a character per edge, in
    /// edge order, and `edges` lists the gradient of each edge marked `0`.
    /// An edge marked `1` is its operand's only use, so backward hands the
    /// operand that edge's gradient as it is: the edge's gradient is its
    /// operand's, reported with the nodes' (here or as a field), and is not
    /// listed again. An edge marked `-` lies on no path to the output: its
    /// gradient is 0, as for an edge [`gradients`](Self::gradients) does
    /// not report. At 1,000 operations (the DAG of
    /// `benches/compile_time.sh`), 894 of the 1,492 edges are marked `1`,
    /// and listing them cost `cargo check` 2% of its instructions. A trace
    /// that does not override it gets the nodes' gradients through
    /// [`gradients`](Self::gradients), and no edge's.
    ///
    /// ```
    /// use grad_graph::{Recorder, Trace};
    ///
    /// // y = sin(x) * x at x = 2: `sin(x)` is used once, so its edge (the
    /// // second, into the product) is marked and not listed.
    /// let mut trace = Recorder::new("n0 x = input\nn1 = sin(n0)\nn2 = mul(n1, n0)\ny = n2");
    /// let x = 2.0_f64;
    /// trace.values(&[x, x.sin(), x.sin() * x]);
    /// let (dx, dsin) = (x * x.cos() + x.sin(), x);
    /// trace.shared_gradients(&[dsin * x.cos(), x.sin()], "010", &[0, 1, 2], &[dx, dsin, 1.0]);
    /// let graph = trace.finish();
    /// let edges: Vec<_> = graph.edges.iter().map(|edge| edge.grad).collect();
    /// assert_eq!(edges, [Some(dsin * x.cos()), Some(dsin), Some(x.sin())]);
    /// ```
    fn shared_gradients(&mut self, edges: &[T], marks: &str, nodes: &[usize], adjoints: &[T]) {
        let _ = (edges, marks);
        self.gradients(&[], nodes, adjoints);
    }

    /// After backward, in code without loops or branches: the gradients
    /// struct's fields as its `pairs()` lists them, each the gradient of the
    /// node the description gives that name (the inputs and the `let`s).
    /// [`gradients`](Self::gradients) then lists only the other nodes
    /// whose gradient backward keeps. Ignored unless the trace overrides it.
    fn field_gradients(&mut self, fields: &[(&'static str, T)]) {
        let _ = fields;
    }

    /// In a formula over arrays, in place of [`values`](Self::values): every
    /// node's value as a [`Summary`], a scalar's number or an array's shape.
    /// Ignored unless the trace overrides it.
    fn summaries(&mut self, values: &[Summary]) {
        let _ = values;
    }

    /// In a formula over arrays, in place of [`gradients`](Self::gradients):
    /// the same gradients as [`Summary`]s, whose numbers are those of the
    /// scalars; `None` for an edge whose gradient backward did not compute
    /// (it is on no path to the output). Ignored unless the trace overrides it.
    fn gradient_summaries(
        &mut self,
        edges: &[Option<Summary>],
        nodes: &[usize],
        adjoints: &[Summary],
    ) {
        let _ = (edges, nodes, adjoints);
    }

    /// In a function with loops or branches: how many times each group ran,
    /// `runs[K - 1]` for `rK` (a loop's body once per iteration, a branch
    /// once each time it was taken). Ignored unless the trace overrides it.
    fn runs(&mut self, runs: &[usize]) {
        let _ = runs;
    }
}

/// Reports nothing: what `backward` uses. Its [`ON`](Trace::ON) is false, so
/// the generated code compiles its reports away.
///
/// ```
/// use grad_graph::{NoTrace, Trace};
/// let mut trace = NoTrace;
/// trace.values(&[1.5_f32]);
/// trace.gradients(&[], &[0], &[1.0_f32]);
/// assert!(!<NoTrace as Trace<f32>>::ON);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NoTrace;

impl<T> Trace<T> for NoTrace {
    const ON: bool = false;

    #[inline(always)]
    fn values(&mut self, _values: &[T]) {}

    #[inline(always)]
    fn exponents(&mut self, _exponents: &[(usize, Option<i32>)]) {}

    #[inline(always)]
    fn gradients(&mut self, _edges: &[T], _nodes: &[usize], _adjoints: &[T]) {}
}

/// Lets generated code hand `&mut trace` to a function that takes a trace by
/// value, so one trace can follow a formula through nested calls.
impl<T, R: Trace<T> + ?Sized> Trace<T> for &mut R {
    const ON: bool = R::ON;

    #[inline(always)]
    fn values(&mut self, values: &[T]) {
        (**self).values(values);
    }

    #[inline(always)]
    fn exponents(&mut self, exponents: &[(usize, Option<i32>)]) {
        (**self).exponents(exponents);
    }

    #[inline(always)]
    fn shared_gradients(&mut self, edges: &[T], marks: &str, nodes: &[usize], adjoints: &[T]) {
        (**self).shared_gradients(edges, marks, nodes, adjoints);
    }

    #[inline(always)]
    fn powers(&mut self, exponents: &[i32]) {
        (**self).powers(exponents);
    }

    #[inline(always)]
    fn gradients(&mut self, edges: &[T], nodes: &[usize], adjoints: &[T]) {
        (**self).gradients(edges, nodes, adjoints);
    }

    #[inline(always)]
    fn field_gradients(&mut self, fields: &[(&'static str, T)]) {
        (**self).field_gradients(fields);
    }

    #[inline(always)]
    fn summaries(&mut self, values: &[Summary]) {
        (**self).summaries(values);
    }

    #[inline(always)]
    fn gradient_summaries(
        &mut self,
        edges: &[Option<Summary>],
        nodes: &[usize],
        adjoints: &[Summary],
    ) {
        (**self).gradient_summaries(edges, nodes, adjoints);
    }

    #[inline(always)]
    fn runs(&mut self, runs: &[usize]) {
        (**self).runs(runs);
    }
}

/// Builds a [`Graph`] from a description and what the generated code
/// reports.
///
/// Every number is converted to `f64` with [`to_f64`](num_traits::ToPrimitive::to_f64)
/// (NaN if the scalar type cannot say), for display only: a reported `f64`
/// is kept bit for bit.
///
/// ```
/// use grad_graph::{Recorder, Trace};
///
/// // y = x * x at x = 3, as the generated code reports it: the values, then
/// // each edge's gradient (d y / d each operand) and the kept node gradients.
/// let mut trace = Recorder::new("n0 x = input\nn1 = mul(n0, n0)\ny = n1");
/// trace.values(&[3.0_f32, 9.0]);
/// trace.gradients(&[3.0_f32, 3.0], &[0, 1], &[6.0, 1.0]);
/// let graph = trace.finish();
/// assert_eq!((graph.output.value, graph.output.dout), (9.0, Some(1.0)));
/// assert_eq!(graph.find("x").unwrap().grad, Some(6.0));
/// assert_eq!(graph.to_string().lines().next(), Some("n0 x = input = 3 | grad 6"));
/// ```
///
/// The same numbers can be fed one at a time, which tests and hand-made
/// pictures find easier: [`value`](Recorder::value),
/// [`exponent`](Recorder::exponent), [`edge`](Recorder::edge),
/// [`adjoint`](Recorder::adjoint).
///
/// Every method panics if its node or edge is not in the description:
/// descriptions and reports come from the same expansion, so that is a bug
/// in it.
#[derive(Clone, Debug)]
pub struct Recorder {
    graph: Graph,
    /// Whether some adjoint was reported, that is, whether backward ran.
    backward: bool,
    /// The edges whose gradient is their operand's (see
    /// [`Trace::shared_gradients`]), filled in by [`finish`](Self::finish)
    /// once every adjoint is in.
    from_operand: Vec<usize>,
}

impl Recorder {
    /// A recorder for the formula described by `description` (see the
    /// [crate docs](crate#the-description)), with no number reported yet.
    ///
    /// # Panics
    ///
    /// With the [`DescriptionError`](crate::DescriptionError)'s message if the
    /// description is malformed: descriptions come from `grad!`, so that is a
    /// bug in the macro. [`Graph::from_description`] returns the error
    /// instead.
    #[must_use]
    #[track_caller]
    pub fn new(description: &'static str) -> Self {
        match Graph::from_description(description) {
            Ok(graph) => Self {
                graph,
                backward: false,
                from_operand: Vec::new(),
            },
            Err(error) => panic!("{error}"),
        }
    }

    /// The graph with what was reported.
    ///
    /// Every edge carries its operand's value forward, and the output its
    /// node's value. If backward ran (some adjoint was reported):
    ///
    /// - the output's `dout` is the output node's gradient: its reported
    ///   adjoint, the gradient backward started from;
    /// - a node with a reported adjoint keeps it exactly;
    /// - a node without one (a literal or a constant, whose gradient the
    ///   generated code does not keep) gets the sum of the gradients on its
    ///   outgoing edges, added in the order backward visits them (the last
    ///   user first, each user's operands in order), 0 with no outgoing edge;
    /// - an edge without a reported gradient lies on no path to the output:
    ///   its gradient is 0, and it counts as 0 in such sums.
    ///
    /// If backward did not run, nothing has a gradient (even an edge whose
    /// gradient was reported) and [`Graph::has_gradients`] is false.
    #[must_use]
    pub fn finish(self) -> Graph {
        let Self {
            mut graph,
            backward,
            from_operand,
        } = self;
        let Graph {
            nodes,
            edges,
            output,
            ..
        } = &mut graph;
        for edge in edges.iter_mut() {
            edge.value = nodes[edge.from].value;
        }
        output.value = nodes[output.node].value;
        if !backward {
            for edge in edges.iter_mut() {
                edge.grad = None;
            }
            output.dout = None;
            return graph;
        }
        for edge in from_operand {
            let edge = &mut edges[edge];
            edge.grad = nodes[edge.from].grad;
        }
        // A node's first term goes in as it is, as in the generated code, so
        // a single -0.0 stays -0.0.
        let mut sums: Vec<Option<f64>> = vec![None; nodes.len()];
        // Backward visits the users from the last to the first, and each
        // user's operands in order: edges are sorted by user, so walk the
        // users' runs of edges backwards, each run forwards.
        let mut end = edges.len();
        while end > 0 {
            let user = edges[end - 1].to;
            let start = edges[..end].partition_point(|edge| edge.to < user);
            for edge in &edges[start..end] {
                let from = &nodes[edge.from];
                if from.grad.is_none() && from.shape.is_none() {
                    let term = edge.grad.unwrap_or(0.0);
                    let sum = &mut sums[edge.from];
                    *sum = Some(sum.map_or(term, |sum| sum + term));
                }
            }
            end = start;
        }
        // An array's gradient is not a number: it stays `None`.
        for (node, sum) in nodes.iter_mut().zip(sums) {
            if node.shape.is_none() {
                node.grad = node.grad.or(Some(sum.unwrap_or(0.0)));
            }
        }
        for edge in edges.iter_mut() {
            if nodes[edge.from].shape.is_none() {
                edge.grad = edge.grad.or(Some(0.0));
            }
        }
        output.dout = nodes[output.node].grad;
        graph
    }
}

/// The scalar as `f64`, NaN if it has none.
fn display<T: Float>(x: &T) -> f64 {
    x.to_f64().unwrap_or(f64::NAN)
}

impl Recorder {
    /// The forward value of node `node`.
    #[inline]
    pub fn value<T: Float>(&mut self, node: usize, value: &T) {
        self.graph.nodes[node].value = display(value);
    }

    /// The exponent of node `node`, kept on a `powi` node only: it is the
    /// one operation with an integer operand.
    #[inline]
    pub fn exponent(&mut self, node: usize, exponent: Option<i32>) {
        if let NodeKind::Operation {
            op,
            exponent: recorded,
        } = &mut self.graph.nodes[node].kind
            && op.operation().shape == Shape::UnaryInt
        {
            *recorded = exponent;
        }
    }

    /// The gradient that flows back along edge `edge`.
    #[inline]
    pub fn edge<T: Float>(&mut self, edge: usize, grad: &T) {
        self.graph.edges[edge].grad = Some(display(grad));
    }

    /// The final gradient of node `node`: reporting one means backward ran.
    #[inline]
    pub fn adjoint<T: Float>(&mut self, node: usize, grad: &T) {
        self.graph.nodes[node].grad = Some(display(grad));
        self.backward = true;
    }
}

impl<T: Float> Trace<T> for Recorder {
    fn values(&mut self, values: &[T]) {
        for (node, value) in values.iter().enumerate() {
            self.value(node, value);
        }
    }

    fn exponents(&mut self, exponents: &[(usize, Option<i32>)]) {
        for &(node, exponent) in exponents {
            self.exponent(node, exponent);
        }
    }

    fn powers(&mut self, exponents: &[i32]) {
        let mut exponents = exponents.iter();
        for node in &mut self.graph.nodes {
            if let NodeKind::Operation { op, exponent } = &mut node.kind
                && op.operation().shape == Shape::UnaryInt
            {
                *exponent = exponents.next().copied();
            }
        }
    }

    fn gradients(&mut self, edges: &[T], nodes: &[usize], adjoints: &[T]) {
        for (edge, grad) in edges.iter().enumerate() {
            self.edge(edge, grad);
        }
        for (&node, grad) in nodes.iter().zip(adjoints) {
            self.adjoint(node, grad);
        }
        self.backward = true;
    }

    fn shared_gradients(&mut self, edges: &[T], marks: &str, nodes: &[usize], adjoints: &[T]) {
        let mut listed = edges.iter();
        for (edge, mark) in marks.bytes().enumerate() {
            match mark {
                b'0' => {
                    if let Some(grad) = listed.next() {
                        self.edge(edge, grad);
                    }
                }
                b'1' => self.from_operand.push(edge),
                _ => {}
            }
        }
        self.gradients(&[], nodes, adjoints);
    }

    fn field_gradients(&mut self, fields: &[(&'static str, T)]) {
        let nodes: std::collections::HashMap<&str, usize> = (self.graph.nodes.iter())
            .filter_map(|node| Some((node.name?, node.id)))
            .collect();
        for (name, grad) in fields {
            // A `let` that renames a node (`let b = a;`) has no line of its
            // own: its node's gradient comes with the node's first name.
            if let Some(&node) = nodes.get(name) {
                self.adjoint(node, grad);
            }
        }
        self.backward = true;
    }

    fn summaries(&mut self, values: &[Summary]) {
        for (node, value) in self.graph.nodes.iter_mut().zip(values) {
            match value {
                Summary::Scalar(value) => (node.value, node.shape) = (*value, None),
                Summary::Array(shape) => (node.value, node.shape) = (f64::NAN, Some(shape.clone())),
            }
        }
    }

    fn gradient_summaries(
        &mut self,
        edges: &[Option<Summary>],
        nodes: &[usize],
        adjoints: &[Summary],
    ) {
        for (edge, grad) in self.graph.edges.iter_mut().zip(edges) {
            if let Some(Summary::Scalar(grad)) = grad {
                edge.grad = Some(*grad);
            }
        }
        for (&node, grad) in nodes.iter().zip(adjoints) {
            if let Summary::Scalar(grad) = grad {
                self.graph.nodes[node].grad = Some(*grad);
            }
        }
        self.backward = true;
    }

    fn runs(&mut self, runs: &[usize]) {
        for (group, &runs) in self.graph.groups.iter_mut().zip(runs) {
            group.runs = Some(runs);
        }
    }
}
