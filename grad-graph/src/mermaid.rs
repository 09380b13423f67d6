//! A Mermaid flowchart for a [`Graph`].

use super::{Graph, NodeKind, format_compact};
use core::fmt::Write as _;

/// `flowchart LR`: nodes in id order then the output label, edges in edge
/// order then the output edge, each edge labelled with its value and, below
/// it in red, its gradient. Inputs and the output are plain labels, as in
/// the book; operations are circles.
pub(super) fn render(graph: &Graph) -> String {
    let mut mermaid = String::from("flowchart LR\n");
    let mut plain = Vec::new();
    let mut constants = Vec::new();
    for node in &graph.nodes {
        let label = escape(&node.label());
        let is_output = node.id == graph.output.node && node.name == Some(graph.output.name);
        let name = match (node.kind, node.name, is_output) {
            (NodeKind::Operation { .. } | NodeKind::Custom { .. }, Some(name), false) => {
                format!("<br/><i>{}</i>", escape(name))
            }
            _ => String::new(),
        };
        let id = node.id;
        let _ = match node.kind {
            NodeKind::Input => {
                plain.push(format!("n{id}"));
                writeln!(mermaid, "    n{id}[\"{label}\"]")
            }
            NodeKind::Literal | NodeKind::Constant { .. } => {
                constants.push(format!("n{id}"));
                writeln!(mermaid, "    n{id}[\"{label}\"]")
            }
            NodeKind::Operation { .. } => writeln!(mermaid, "    n{id}((\"{label}{name}\"))"),
            NodeKind::Custom { .. } => writeln!(mermaid, "    n{id}([\"{label}{name}\"])"),
        };
    }
    let _ = writeln!(mermaid, "    out[\"{}\"]", escape(graph.output.name));
    plain.push("out".to_owned());
    for edge in &graph.edges {
        let _ = writeln!(
            mermaid,
            "    n{} -->|\"{}\"| n{}",
            edge.from,
            label(&graph.value_text(edge.from, format_compact), edge.grad),
            edge.to
        );
    }
    let _ = writeln!(
        mermaid,
        "    n{} -->|\"{}\"| out",
        graph.output.node,
        label(
            &graph.value_text(graph.output.node, format_compact),
            graph.output.dout,
        )
    );
    mermaid.push_str("    classDef plain fill:none,stroke:none\n");
    let _ = writeln!(mermaid, "    class {} plain", plain.join(","));
    if !constants.is_empty() {
        mermaid.push_str("    classDef constant stroke-dasharray:4 3\n");
        let _ = writeln!(mermaid, "    class {} constant", constants.join(","));
    }
    mermaid
}

/// The value, then the gradient in red on the line below.
fn label(value: &str, grad: Option<f64>) -> String {
    match grad {
        Some(grad) => format!(
            "{}<br/><span style='color:red'>{}</span>",
            value,
            format_compact(grad)
        ),
        None => value.to_owned(),
    }
}

/// Mermaid's entity codes for the characters that would end a label or
/// start markup.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => escaped.push_str("#quot;"),
            '<' => escaped.push_str("#lt;"),
            '>' => escaped.push_str("#gt;"),
            '&' => escaped.push_str("#amp;"),
            '#' => escaped.push_str("#35;"),
            c => escaped.push(c),
        }
    }
    escaped
}
