//! The SVG picture: the layout of [`layout`](super::layout) drawn as plain
//! SVG elements, in the book's style.

use super::layout::{
    self, Align, CAPTION, Geom, Grouped, GroupedLayout, LABEL_FONT, Link, NAME_FONT, NODE_FONT,
    Vertex, text_width,
};
use super::{Graph, Group, Node, NodeKind, format_compact, format_full};
use core::fmt::Write as _;

/// Font size of one-character operators in their circles.
const SYMBOL_FONT: f64 = 20.0;
/// Lines, arrowheads and node outlines.
const INK: &str = "#333333";
/// Forward values on edges.
const VALUE: &str = "#1a1a1a";
/// Gradients on edges, red as in the book.
const GRAD: &str = "#d62728";
/// `let` names beside nodes.
const NAME: &str = "#666666";
/// The boxes of loop bodies and branches.
const GROUP: &str = "#7a8aa6";
/// What did not run: a branch not taken, a loop with no iteration.
const IDLE: &str = "#aaaaaa";
/// Font size of a group's caption.
const CAPTION_FONT: f64 = 13.0;

pub(super) fn render(graph: &Graph) -> String {
    let labels: Vec<String> = graph.nodes.iter().map(Node::label).collect();
    let names: Vec<Option<&str>> = graph
        .nodes
        .iter()
        .map(|node| shown_name(graph, node))
        .collect();
    let mut vertices: Vec<Vertex> = graph
        .nodes
        .iter()
        .zip(&labels)
        .zip(&names)
        .map(|((node, label), name)| Vertex {
            geom: geom(node.kind, label),
            name_width: name.map_or(0.0, |name| text_width(name, NAME_FONT)),
            align: match node.kind {
                NodeKind::Input | NodeKind::Literal | NodeKind::Constant { .. } => Align::Right,
                _ => Align::Center,
            },
            last: false,
            first: false,
        })
        .collect();
    vertices.push(Vertex {
        geom: Geom::Rect {
            half_w: text_width(graph.output.name, NODE_FONT) / 2.0 + 5.0,
            half_h: 13.0,
        },
        name_width: 0.0,
        align: Align::Left,
        last: true,
        first: false,
    });
    let sink = graph.nodes.len();
    let texts: Vec<(String, Option<String>)> = graph
        .edges
        .iter()
        .map(|edge| {
            (
                graph.edge_text(edge, format_compact),
                edge.grad.map(format_compact),
            )
        })
        .chain([(
            graph.value_text(graph.output.node, format_compact),
            graph.output.dout.map(format_compact),
        )])
        .collect();
    let ends = graph
        .edges
        .iter()
        .map(|edge| (edge.from, edge.to, edge.position))
        .chain([(graph.output.node, sink, 0)]);
    let links: Vec<Link> = ends
        .zip(&texts)
        .map(|((from, to, position), (value, grad))| Link {
            from,
            to,
            position,
            value_width: text_width(value, LABEL_FONT),
            grad_width: grad.as_deref().map(|grad| text_width(grad, LABEL_FONT)),
        })
        .collect();
    let mut group_of: Vec<Option<usize>> = graph
        .nodes
        .iter()
        .map(|node| node.group.map(|group| group - 1))
        .collect();
    group_of.push(None);
    let parents: Vec<Option<usize>> = graph
        .groups
        .iter()
        .map(|group| group.parent.map(|parent| parent - 1))
        .collect();
    let captions: Vec<String> = graph.groups.iter().map(Group::caption).collect();
    let caption_widths: Vec<f64> = captions
        .iter()
        .map(|caption| text_width(caption, CAPTION_FONT))
        .collect();
    let GroupedLayout { layout, boxes } = Grouped {
        vertices: &vertices,
        links: &links,
        group_of: &group_of,
        parent: &parents,
        caption: &caption_widths,
    }
    .layout();

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="grad-graph" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="Helvetica, Arial, sans-serif">"#,
        w = layout.width.ceil(),
        h = layout.height.ceil(),
    );
    let _ = writeln!(svg, "<title>{}</title>", escape(graph.output.name));
    let _ = writeln!(
        svg,
        r#"<defs><marker id="grad-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{INK}"/></marker></defs>"#
    );
    svg.push_str("<rect class=\"background\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");

    if !graph.groups.is_empty() {
        svg.push_str("<g class=\"groups\">\n");
        for (index, group) in graph.groups.iter().enumerate() {
            let Some(rect) = boxes[index] else { continue };
            let (stroke, dash, fill, ink) = if graph.group_ran(group.id) {
                (GROUP, "", "#f7f9fc", INK)
            } else {
                (IDLE, r#" stroke-dasharray="6 4""#, "#fbfbfb", IDLE)
            };
            let _ = writeln!(
                svg,
                r#"<g class="group" id="r{}"><title>{}</title>"#,
                group.id,
                escape(&captions[index])
            );
            let _ = writeln!(
                svg,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="1.2"{dash}/>"#,
                rect.x0,
                rect.y0,
                rect.x1 - rect.x0,
                rect.y1 - rect.y0
            );
            let _ = writeln!(
                svg,
                r#"<text class="caption" x="{:.1}" y="{:.1}" font-size="{CAPTION_FONT}" fill="{ink}">{}</text>"#,
                rect.x0 + 10.0,
                rect.y0 + CAPTION - 9.0,
                escape(&captions[index])
            );
            svg.push_str("</g>\n");
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("<g class=\"edges\">\n");
    for (index, route) in layout.routes.iter().enumerate() {
        let (value, grad) = &texts[index];
        let (id, from, to, title) = match graph.edges.get(index) {
            Some(edge) => (
                format!("e{index}"),
                edge.from,
                format!("n{}", edge.to),
                format!(
                    "n{} → n{} (operand {}): {}{}",
                    edge.from,
                    edge.to,
                    edge.position,
                    graph.value_text(edge.from, format_full),
                    edge.grad
                        .map_or_else(String::new, |grad| format!(" | grad {}", format_full(grad)))
                ),
            ),
            None => (
                "e-out".to_owned(),
                graph.output.node,
                "out".to_owned(),
                format!(
                    "{} = n{}: {}{}",
                    graph.output.name,
                    graph.output.node,
                    graph.value_text(graph.output.node, format_full),
                    graph
                        .output
                        .dout
                        .map_or_else(String::new, |dout| format!(" | dout {}", format_full(dout)))
                ),
            ),
        };
        let _ = writeln!(
            svg,
            r#"<g class="edge" id="{id}" data-from="n{from}" data-to="{to}"><title>{}</title>"#,
            escape(&title)
        );
        let mut d = String::new();
        for (k, point) in route.points.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1}",
                if k == 0 { "M" } else { " L" },
                point.x,
                point.y
            );
        }
        let ran = graph
            .edges
            .get(index)
            .map_or_else(|| graph.ran(from), |edge| graph.edge_ran(edge));
        let (stroke, dash) = if ran {
            (INK, "")
        } else {
            (IDLE, r#" stroke-dasharray="5 4""#)
        };
        let _ = writeln!(
            svg,
            r#"<path d="{d}" fill="none" stroke="{stroke}" stroke-width="1.3" stroke-linejoin="round"{dash} marker-end="url(#grad-arrow)"/>"#
        );
        text(
            &mut svg,
            "value",
            route.value.x,
            route.value.y,
            LABEL_FONT,
            VALUE,
            value,
        );
        if let (Some(grad), Some(at)) = (grad, route.grad) {
            text(&mut svg, "grad", at.x, at.y, LABEL_FONT, GRAD, grad);
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("</g>\n<g class=\"nodes\">\n");
    let mut inputs = 0;
    for (id, node) in graph.nodes.iter().enumerate() {
        let center = layout.centers[id];
        let class = match node.kind {
            NodeKind::Input => "input",
            NodeKind::Literal | NodeKind::Constant { .. } => "constant",
            NodeKind::Operation { .. } => "operation",
            NodeKind::Custom { .. } => "custom",
            NodeKind::Element { .. } => "element",
            NodeKind::Enter | NodeKind::Leave => "accumulator",
            NodeKind::Select => "select",
        };
        let ran = graph.ran(id);
        let ink = if ran { INK } else { IDLE };
        let layer = node
            .kind
            .layer()
            .map_or_else(String::new, |layer| format!(r#" data-layer="{layer}""#));
        // An input's tooltip also says which input it is, which the picture
        // does not show otherwise.
        let title = if node.kind == NodeKind::Input {
            inputs += 1;
            graph.line(id, &format!("input {}", inputs - 1))
        } else {
            graph.describe(id)
        };
        let _ = writeln!(
            svg,
            r#"<g class="node {class}" id="n{id}"{layer}><title>{}</title>"#,
            escape(&title)
        );
        let idle = if ran {
            ""
        } else {
            r#" stroke-dasharray="5 4""#
        };
        let style = match node.kind {
            NodeKind::Input => r#"fill="none" stroke="none""#.to_owned(),
            NodeKind::Literal | NodeKind::Constant { .. } => format!(
                r##"fill="#f4f4f4" stroke="{ink}" stroke-width="1" stroke-dasharray="4 3""##
            ),
            NodeKind::Operation { .. } | NodeKind::Select => {
                format!(r##"fill="#ffffff" stroke="{ink}" stroke-width="1.5"{idle}"##)
            }
            NodeKind::Custom { .. } => {
                format!(r##"fill="#ffffff" stroke="{ink}" stroke-width="1.5" rx="8"{idle}"##)
            }
            NodeKind::Element { .. } => {
                format!(r##"fill="#eef3fb" stroke="{ink}" stroke-width="1.2"{idle}"##)
            }
            NodeKind::Enter | NodeKind::Leave => format!(
                r##"fill="#fff8e6" stroke="{ink}" stroke-width="1.2" rx="12" stroke-dasharray="2 2""##
            ),
        };
        shape(&mut svg, vertices[id].geom, center, &style);
        // A one-character operator (× + − ÷) is drawn larger, as in the book.
        let size = if labels[id].chars().count() == 1 && node.kind.symbol().is_some() {
            SYMBOL_FONT
        } else {
            NODE_FONT
        };
        text(
            &mut svg,
            "label",
            center.x,
            center.y + 0.35 * size,
            size,
            ink,
            &labels[id],
        );
        if let (Some(name), Some(at)) = (names[id], layout.names[id]) {
            let _ = writeln!(
                svg,
                r#"<text class="name" x="{:.1}" y="{:.1}" text-anchor="middle" font-size="{NAME_FONT}" font-style="italic" fill="{NAME}">{}</text>"#,
                at.x,
                at.y,
                escape(name)
            );
        }
        svg.push_str("</g>\n");
    }
    let center = layout.centers[sink];
    let _ = writeln!(
        svg,
        r#"<g class="output" id="out"><title>{}</title>"#,
        escape(graph.output.name)
    );
    shape(
        &mut svg,
        vertices[sink].geom,
        center,
        r#"fill="none" stroke="none""#,
    );
    text(
        &mut svg,
        "label",
        center.x,
        center.y + 0.35 * NODE_FONT,
        NODE_FONT,
        INK,
        graph.output.name,
    );
    svg.push_str("</g>\n</g>\n</svg>\n");
    svg
}

/// The name written beside a node: the `let` name of an operation, except
/// the output's own name on the output node (the output label shows it).
fn shown_name(graph: &Graph, node: &Node) -> Option<&'static str> {
    match node.kind {
        NodeKind::Input
        | NodeKind::Literal
        | NodeKind::Constant { .. }
        | NodeKind::Element { .. }
        | NodeKind::Enter
        | NodeKind::Leave
        | NodeKind::Select => None,
        NodeKind::Operation { .. } | NodeKind::Custom { .. } => node
            .name
            .filter(|&name| node.id != graph.output.node || name != graph.output.name),
    }
}

/// The outline of a node: a plain label box for inputs, a dashed box for
/// literals and constants, a circle for short operator symbols (an ellipse
/// for long ones), a box for user functions.
fn geom(kind: NodeKind, label: &str) -> Geom {
    let width = text_width(label, NODE_FONT);
    match kind {
        NodeKind::Input => Geom::Rect {
            half_w: width / 2.0 + 5.0,
            half_h: 13.0,
        },
        NodeKind::Literal | NodeKind::Constant { .. } => Geom::Rect {
            half_w: width / 2.0 + 8.0,
            half_h: 14.0,
        },
        NodeKind::Operation { .. } if width <= 36.0 => {
            let r = (width / 2.0 + 9.0).max(20.0);
            Geom::Ellipse { rx: r, ry: r }
        }
        NodeKind::Operation { .. } | NodeKind::Select => Geom::Ellipse {
            rx: width / 2.0 + 14.0,
            ry: 20.0,
        },
        NodeKind::Custom { .. } | NodeKind::Element { .. } => Geom::Rect {
            half_w: width / 2.0 + 11.0,
            half_h: 16.0,
        },
        NodeKind::Enter | NodeKind::Leave => Geom::Rect {
            half_w: width / 2.0 + 12.0,
            half_h: 15.0,
        },
    }
}

fn shape(svg: &mut String, geom: Geom, center: layout::Point, style: &str) {
    let _ = match geom {
        Geom::Ellipse { rx, ry } if rx == ry => writeln!(
            svg,
            r#"<circle cx="{:.1}" cy="{:.1}" r="{rx:.1}" {style}/>"#,
            center.x, center.y
        ),
        Geom::Ellipse { rx, ry } => writeln!(
            svg,
            r#"<ellipse cx="{:.1}" cy="{:.1}" rx="{rx:.1}" ry="{ry:.1}" {style}/>"#,
            center.x, center.y
        ),
        Geom::Rect { half_w, half_h } => writeln!(
            svg,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" {style}/>"#,
            center.x - half_w,
            center.y - half_h,
            2.0 * half_w,
            2.0 * half_h
        ),
    };
}

fn text(svg: &mut String, class: &str, x: f64, y: f64, size: f64, fill: &str, content: &str) {
    let _ = writeln!(
        svg,
        r#"<text class="{class}" x="{x:.1}" y="{y:.1}" text-anchor="middle" font-size="{size}" fill="{fill}">{}</text>"#,
        escape(content)
    );
}

/// Escapes text for XML content and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_covers_markup() {
        assert_eq!(
            escape(r#"a<b & "c" 'd'>"#),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
    }
}
