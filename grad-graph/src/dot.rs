//! Graphviz DOT source for a [`Graph`].

use super::{Graph, NodeKind, format_compact};
use core::fmt::Write as _;

/// `digraph`, left to right, nodes in id order then the output label, edges
/// in edge order then the output edge. Each edge's label is HTML-like: the
/// value, and below it the gradient in red.
pub(super) fn render(graph: &Graph) -> String {
    let mut dot = String::new();
    let _ = writeln!(dot, "digraph {} {{", quote(graph.output.name));
    dot.push_str("    graph [rankdir=LR, forcelabels=true, nodesep=0.5, ranksep=0.9];\n");
    dot.push_str("    node [fontname=\"Helvetica\", fontsize=14];\n");
    dot.push_str("    edge [fontname=\"Helvetica\", fontsize=11, arrowsize=0.7];\n");
    for node in &graph.nodes {
        let label = quote(&node.label());
        let attributes = match node.kind {
            NodeKind::Input => format!("label={label}, shape=plaintext"),
            NodeKind::Literal | NodeKind::Constant { .. } => {
                format!("label={label}, shape=box, style=dashed")
            }
            NodeKind::Operation { .. } if node.label().chars().count() <= 3 => {
                format!("label={label}, shape=circle")
            }
            NodeKind::Operation { .. } => format!("label={label}, shape=ellipse"),
            NodeKind::Custom { .. } => format!("label={label}, shape=box, style=rounded"),
        };
        let _ = write!(dot, "    n{} [{attributes}", node.id);
        if let Some(layer) = node.kind.layer() {
            let _ = write!(dot, ", tooltip={}", quote(layer));
        }
        let is_output = node.id == graph.output.node && node.name == Some(graph.output.name);
        if let (Some(name), NodeKind::Operation { .. } | NodeKind::Custom { .. }, false) =
            (node.name, node.kind, is_output)
        {
            let _ = write!(
                dot,
                ", xlabel=<<FONT POINT-SIZE=\"11\" COLOR=\"gray40\"><I>{}</I></FONT>>",
                html(name)
            );
        }
        dot.push_str("];\n");
    }
    let _ = writeln!(
        dot,
        "    out [label={}, shape=plaintext];",
        quote(graph.output.name)
    );
    for edge in &graph.edges {
        let _ = writeln!(
            dot,
            "    n{} -> n{} [label={}];",
            edge.from,
            edge.to,
            label(&graph.value_text(edge.from, format_compact), edge.grad)
        );
    }
    let _ = writeln!(
        dot,
        "    n{} -> out [label={}];",
        graph.output.node,
        label(
            &graph.value_text(graph.output.node, format_compact),
            graph.output.dout,
        )
    );
    dot.push_str("}\n");
    dot
}

/// An HTML-like label: the value, then the gradient in red on the line below.
/// Numbers need no escaping.
fn label(value: &str, grad: Option<f64>) -> String {
    match grad {
        Some(grad) => format!(
            "<{}<BR/><FONT COLOR=\"red\">{}</FONT>>",
            value,
            format_compact(grad)
        ),
        None => quote(value),
    }
}

/// A DOT double-quoted string.
fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            '\n' => quoted.push_str("\\n"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Text inside an HTML-like label.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
