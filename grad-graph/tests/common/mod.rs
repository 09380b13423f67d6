//! Plays the part of the code `grad!` generates, for the tests: runs the
//! layers of `grad_core` forward in node order and backward in reverse,
//! reporting what they compute through a `Trace`, as the expansion does.
//!
//! Only the operations the tests use have a layer here.

#![allow(dead_code)]

use grad_core::ops::OpKind;
use grad_core::{
    AddLayer, Atan2Layer, CustomLayer, ExpM1Layer, Float, MulLayer, NegLayer, PowiLayer,
    SigmoidLayer, SubLayer, TanhLayer,
};
use grad_graph::{Graph, NodeKind, Recorder, Trace};

/// What a run needs besides the description, all in node order.
#[derive(Clone, Copy)]
pub struct Values<'a, T> {
    /// One value per input, literal and constant.
    pub leaves: &'a [T],
    /// One exponent per `powi` node.
    pub exponents: &'a [i32],
    /// One `(value, partials)` per call of a user function.
    pub custom: &'a [(T, &'a [T])],
}

impl<'a, T> Values<'a, T> {
    pub const fn leaves(leaves: &'a [T]) -> Self {
        Self {
            leaves,
            exponents: &[],
            custom: &[],
        }
    }
}

/// A layer that has run forward, ready for backward.
enum Layer<T: Float> {
    Add(AddLayer<T>),
    Sub(SubLayer<T>),
    Mul(MulLayer<T>),
    Neg(NegLayer<T>),
    Powi(PowiLayer<T>),
    Atan2(Atan2Layer<T>),
    ExpM1(ExpM1Layer<T>),
    Tanh(TanhLayer<T>),
    Sigmoid(SigmoidLayer<T>),
    Custom1(CustomLayer<T, 1>),
    Custom2(CustomLayer<T, 2>),
    Custom3(CustomLayer<T, 3>),
}

impl<T: Float> Layer<T> {
    fn forward(op: OpKind, args: &[T], exponent: i32) -> (T, Self) {
        match op {
            OpKind::Add => {
                let mut layer = AddLayer::new();
                (layer.forward(args[0], args[1]), Self::Add(layer))
            }
            OpKind::Sub => {
                let mut layer = SubLayer::new();
                (layer.forward(args[0], args[1]), Self::Sub(layer))
            }
            OpKind::Mul => {
                let mut layer = MulLayer::new();
                (layer.forward(args[0], args[1]), Self::Mul(layer))
            }
            OpKind::Neg => {
                let mut layer = NegLayer::new();
                (layer.forward(args[0]), Self::Neg(layer))
            }
            OpKind::Powi => {
                let mut layer = PowiLayer::new();
                (layer.forward(args[0], exponent), Self::Powi(layer))
            }
            OpKind::Atan2 => {
                let mut layer = Atan2Layer::new();
                (layer.forward(args[0], args[1]), Self::Atan2(layer))
            }
            OpKind::ExpM1 => {
                let mut layer = ExpM1Layer::new();
                (layer.forward(args[0]), Self::ExpM1(layer))
            }
            OpKind::Tanh => {
                let mut layer = TanhLayer::new();
                (layer.forward(args[0]), Self::Tanh(layer))
            }
            OpKind::Sigmoid => {
                let mut layer = SigmoidLayer::new();
                (layer.forward(args[0]), Self::Sigmoid(layer))
            }
            _ => panic!("the tests have no layer for {op:?}"),
        }
    }

    fn custom(value: T, partials: &[T]) -> (T, Self) {
        match *partials {
            [d] => {
                let mut layer = CustomLayer::new();
                (layer.forward((value, [d])), Self::Custom1(layer))
            }
            [d0, d1] => {
                let mut layer = CustomLayer::new();
                (layer.forward((value, [d0, d1])), Self::Custom2(layer))
            }
            [d0, d1, d2] => {
                let mut layer = CustomLayer::new();
                (layer.forward((value, [d0, d1, d2])), Self::Custom3(layer))
            }
            _ => panic!("the tests call user functions of one to three arguments"),
        }
    }

    fn backward(&self, dout: T) -> Vec<T> {
        match self {
            Self::Add(layer) => pair(layer.backward(dout)),
            Self::Sub(layer) => pair(layer.backward(dout)),
            Self::Mul(layer) => pair(layer.backward(dout)),
            Self::Neg(layer) => vec![layer.backward(dout)],
            Self::Powi(layer) => vec![layer.backward(dout)],
            Self::Atan2(layer) => pair(layer.backward(dout)),
            Self::ExpM1(layer) => vec![layer.backward(dout)],
            Self::Tanh(layer) => vec![layer.backward(dout)],
            Self::Sigmoid(layer) => vec![layer.backward(dout)],
            Self::Custom1(layer) => layer.backward(dout).to_vec(),
            Self::Custom2(layer) => layer.backward(dout).to_vec(),
            Self::Custom3(layer) => layer.backward(dout).to_vec(),
        }
    }
}

fn pair<T>((a, b): (T, T)) -> Vec<T> {
    vec![a, b]
}

/// Runs the formula of `description` with `values`, reporting to `trace`;
/// with `Some(dout)`, backward too. Returns each node's gradient as the
/// generated backward keeps it: `None` for literals and constants.
pub fn run<T: Float>(
    description: &'static str,
    values: &Values<'_, T>,
    dout: Option<T>,
    trace: &mut impl Trace<T>,
) -> Vec<Option<T>> {
    let skeleton = Graph::from_description(description).expect("a valid description");
    let count = skeleton.nodes.len();
    let operands: Vec<Vec<(usize, usize)>> = (0..count)
        .map(|id| {
            skeleton
                .edges
                .iter()
                .enumerate()
                .filter(|(_, edge)| edge.to == id)
                .map(|(index, edge)| (index, edge.from))
                .collect()
        })
        .collect();
    let (mut leaves, mut exponents, mut custom) = (
        values.leaves.iter(),
        values.exponents.iter(),
        values.custom.iter(),
    );
    let mut forward: Vec<T> = Vec::with_capacity(count);
    let mut layers: Vec<Option<Layer<T>>> = Vec::with_capacity(count);
    let mut powi_exponents = Vec::new();
    for (id, node) in skeleton.nodes.iter().enumerate() {
        let args: Vec<T> = operands[id]
            .iter()
            .map(|&(_, from)| forward[from])
            .collect();
        let (value, layer) = match node.kind {
            NodeKind::Input | NodeKind::Literal | NodeKind::Constant { .. } => {
                (*leaves.next().expect("a value per leaf"), None)
            }
            NodeKind::Operation { op, .. } => {
                let exponent = (op == OpKind::Powi).then(|| *exponents.next().expect("exponent"));
                if exponent.is_some() {
                    powi_exponents.push((id, exponent));
                }
                let (value, layer) = Layer::forward(op, &args, exponent.unwrap_or(0));
                (value, Some(layer))
            }
            NodeKind::Custom { .. } => {
                let &(value, partials) = custom.next().expect("a value per call");
                let (value, layer) = Layer::custom(value, partials);
                (value, Some(layer))
            }
            NodeKind::Element { .. } | NodeKind::Enter | NodeKind::Leave | NodeKind::Select => {
                unreachable!("the straight-line runs here have no loops or branches")
            }
        };
        forward.push(value);
        layers.push(layer);
    }
    trace.values(&forward);
    trace.exponents(&powi_exponents);
    let Some(dout) = dout else {
        return vec![None; count];
    };
    let mut adjoints: Vec<Option<T>> = vec![None; count];
    adjoints[skeleton.output.node] = Some(dout);
    let mut edge_grads = vec![T::zero(); skeleton.edges.len()];
    for id in (0..count).rev() {
        // A node on no path to the output runs no backward.
        let (Some(grad), Some(layer)) = (adjoints[id], &layers[id]) else {
            continue;
        };
        for (&(edge, from), operand_grad) in operands[id].iter().zip(layer.backward(grad)) {
            edge_grads[edge] = operand_grad;
            let sum = &mut adjoints[from];
            *sum = Some(sum.map_or(operand_grad, |sum| sum + operand_grad));
        }
    }
    let kept: Vec<Option<T>> = (0..count)
        .map(|id| {
            let kept = !matches!(
                skeleton.nodes[id].kind,
                NodeKind::Literal | NodeKind::Constant { .. }
            );
            kept.then(|| adjoints[id].unwrap_or_else(T::zero))
        })
        .collect();
    let nodes: Vec<usize> = (0..count).filter(|&id| kept[id].is_some()).collect();
    let grads: Vec<T> = kept.iter().flatten().copied().collect();
    trace.gradients(&edge_grads, &nodes, &grads);
    kept
}

/// The graph of one run, recorded.
pub fn record<T: Float>(
    description: &'static str,
    values: &Values<'_, T>,
    dout: Option<T>,
) -> Graph {
    let mut trace = Recorder::new(description);
    run(description, values, dout, &mut trace);
    trace.finish()
}
