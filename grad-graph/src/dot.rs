//! Graphviz DOT source for a [`Graph`].

use super::{Graph, NodeKind, format_compact};
use core::fmt::Write as _;

/// `digraph`, left to right, nodes in id order then the output label, edges
/// in edge order then the output edge; the nodes of a loop body or a branch
/// in a `cluster_rK` subgraph captioned with its header and how many times
/// it ran (dashed and grey if it did not). Each edge's label is HTML-like:
/// the value, and below it the gradient in red.
pub(super) fn render(graph: &Graph) -> String {
    let mut dot = String::new();
    let _ = writeln!(dot, "digraph {} {{", quote(graph.output.name));
    dot.push_str("    graph [rankdir=LR, forcelabels=true, nodesep=0.5, ranksep=0.9];\n");
    dot.push_str("    node [fontname=\"Helvetica\", fontsize=14];\n");
    dot.push_str("    edge [fontname=\"Helvetica\", fontsize=11, arrowsize=0.7];\n");
    for node in graph.nodes.iter().filter(|node| node.group.is_none()) {
        node_statement(&mut dot, graph, node.id, "    ");
    }
    for group in graph.groups.iter().filter(|group| group.parent.is_none()) {
        cluster(&mut dot, graph, group.id, "    ");
    }
    let _ = writeln!(
        dot,
        "    out [label={}, shape=plaintext];",
        quote(graph.output.name)
    );
    for edge in &graph.edges {
        let idle = if graph.edge_ran(edge) {
            ""
        } else {
            ", style=dashed, color=gray60"
        };
        let _ = writeln!(
            dot,
            "    n{} -> n{} [label={}{idle}];",
            edge.from,
            edge.to,
            label(&graph.edge_text(edge, format_compact), edge.grad)
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

/// One node's statement, indented by `indent`.
fn node_statement(dot: &mut String, graph: &Graph, id: usize, indent: &str) {
    let node = &graph.nodes[id];
    let label = quote(&node.label());
    let attributes = match node.kind {
        NodeKind::Input => format!("label={label}, shape=plaintext"),
        NodeKind::Literal | NodeKind::Constant { .. } => {
            format!("label={label}, shape=box, style=dashed")
        }
        NodeKind::Operation { .. } | NodeKind::Select if node.label().chars().count() <= 3 => {
            format!("label={label}, shape=circle")
        }
        NodeKind::Operation { .. } | NodeKind::Select => format!("label={label}, shape=ellipse"),
        NodeKind::Custom { .. } => format!("label={label}, shape=box, style=rounded"),
        NodeKind::Element { .. } => format!("label={label}, shape=box"),
        NodeKind::Enter | NodeKind::Leave => {
            format!("label={label}, shape=box, style=\"rounded,dotted\"")
        }
    };
    let _ = write!(dot, "{indent}n{id} [{attributes}");
    if let Some(layer) = node.kind.layer() {
        let _ = write!(dot, ", tooltip={}", quote(layer));
    }
    if !graph.ran(id) {
        dot.push_str(", color=gray60, fontcolor=gray50");
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

/// A group as a cluster: its caption (with how many times it ran), its own
/// nodes, then the groups nested in it; dashed and grey if it did not run.
fn cluster(dot: &mut String, graph: &Graph, group: usize, indent: &str) {
    let _ = writeln!(dot, "{indent}subgraph cluster_r{group} {{");
    let inner = format!("{indent}    ");
    let _ = writeln!(
        dot,
        "{inner}label = {};",
        quote(&graph.group(group).caption())
    );
    if graph.group_ran(group) {
        let _ = writeln!(
            dot,
            "{inner}labeljust = l; style = rounded; color = gray40; fontname = \"Helvetica\"; fontsize = 12;"
        );
    } else {
        let _ = writeln!(
            dot,
            "{inner}labeljust = l; style = \"rounded,dashed\"; color = gray60; fontcolor = gray50; fontname = \"Helvetica\"; fontsize = 12;"
        );
    }
    for node in graph.nodes.iter().filter(|node| node.group == Some(group)) {
        node_statement(dot, graph, node.id, &inner);
    }
    for nested in graph
        .groups
        .iter()
        .filter(|nested| nested.parent == Some(group))
    {
        cluster(dot, graph, nested.id, &inner);
    }
    let _ = writeln!(dot, "{indent}}}");
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
