//! A Mermaid flowchart for a [`Graph`].

use super::{Graph, NodeKind, format_compact};
use core::fmt::Write as _;

/// `flowchart LR`: nodes in id order then the output label, edges in edge
/// order then the output edge, each edge labelled with its value and, below
/// it in red, its gradient. Inputs and the output are plain labels, as in
/// the book; operations are circles. The nodes of a loop body or a branch
/// are in a `subgraph rK` captioned with its header and how many times it
/// ran (dashed and grey if it did not).
pub(super) fn render(graph: &Graph) -> String {
    let mut mermaid = String::from("flowchart LR\n");
    let mut plain = Vec::new();
    let mut constants = Vec::new();
    for node in graph.nodes.iter().filter(|node| node.group.is_none()) {
        node_statement(
            &mut mermaid,
            graph,
            node.id,
            "    ",
            &mut plain,
            &mut constants,
        );
    }
    let mut idle_groups = Vec::new();
    for group in graph.groups.iter().filter(|group| group.parent.is_none()) {
        subgraph(
            &mut mermaid,
            graph,
            group.id,
            "    ",
            (&mut plain, &mut constants),
            &mut idle_groups,
        );
    }
    let _ = writeln!(mermaid, "    out[\"{}\"]", escape(graph.output.name));
    plain.push("out".to_owned());
    for edge in &graph.edges {
        // A dotted link for what did not run.
        let arrow = if graph.edge_ran(edge) { "-->" } else { "-.->" };
        let _ = writeln!(
            mermaid,
            "    n{} {arrow}|\"{}\"| n{}",
            edge.from,
            label(&graph.edge_text(edge, format_compact), edge.grad),
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
    for group in idle_groups {
        let _ = writeln!(
            mermaid,
            "    style r{group} stroke-dasharray:5 4,stroke:#999,color:#888"
        );
    }
    mermaid.push_str("    classDef plain fill:none,stroke:none\n");
    let _ = writeln!(mermaid, "    class {} plain", plain.join(","));
    if !constants.is_empty() {
        mermaid.push_str("    classDef constant stroke-dasharray:4 3\n");
        let _ = writeln!(mermaid, "    class {} constant", constants.join(","));
    }
    mermaid
}

/// One node's line, indented by `indent`; inputs go in `plain`, literals
/// and constants in `constants`, for their styles.
fn node_statement(
    mermaid: &mut String,
    graph: &Graph,
    id: usize,
    indent: &str,
    plain: &mut Vec<String>,
    constants: &mut Vec<String>,
) {
    let node = &graph.nodes[id];
    let label = escape(&node.label());
    let is_output = node.id == graph.output.node && node.name == Some(graph.output.name);
    let name = match (node.kind, node.name, is_output) {
        (NodeKind::Operation { .. } | NodeKind::Custom { .. }, Some(name), false) => {
            format!("<br/><i>{}</i>", escape(name))
        }
        _ => String::new(),
    };
    let _ = match node.kind {
        NodeKind::Input => {
            plain.push(format!("n{id}"));
            writeln!(mermaid, "{indent}n{id}[\"{label}\"]")
        }
        NodeKind::Literal | NodeKind::Constant { .. } => {
            constants.push(format!("n{id}"));
            writeln!(mermaid, "{indent}n{id}[\"{label}\"]")
        }
        NodeKind::Operation { .. } | NodeKind::Select => {
            writeln!(mermaid, "{indent}n{id}((\"{label}{name}\"))")
        }
        NodeKind::Custom { .. } | NodeKind::Enter | NodeKind::Leave => {
            writeln!(mermaid, "{indent}n{id}([\"{label}{name}\"])")
        }
        NodeKind::Element { .. } => writeln!(mermaid, "{indent}n{id}[\"{label}\"]"),
    };
}

/// A group as a `subgraph rK`, captioned with its header and how many times
/// it ran, holding its own nodes and the groups nested in it; a group that
/// did not run goes in `idle`, to be drawn dashed and grey.
fn subgraph(
    mermaid: &mut String,
    graph: &Graph,
    group: usize,
    indent: &str,
    (plain, constants): (&mut Vec<String>, &mut Vec<String>),
    idle: &mut Vec<usize>,
) {
    let _ = writeln!(
        mermaid,
        "{indent}subgraph r{group} [\"{}\"]",
        escape(&graph.group(group).caption())
    );
    let inner = format!("{indent}    ");
    for node in graph.nodes.iter().filter(|node| node.group == Some(group)) {
        node_statement(mermaid, graph, node.id, &inner, plain, constants);
    }
    for nested in graph
        .groups
        .iter()
        .filter(|nested| nested.parent == Some(group))
    {
        subgraph(mermaid, graph, nested.id, &inner, (plain, constants), idle);
    }
    let _ = writeln!(mermaid, "{indent}end");
    if !graph.group_ran(group) {
        idle.push(group);
    }
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
