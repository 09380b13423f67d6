//! The textual description of a formula's graph (the format is documented
//! at the crate root): parsing it into a [`Graph`] with no numbers yet.

use super::{Edge, Graph, Group, GroupKind, Node, NodeKind, Output};
use core::fmt;
use grad_core::ops::Operation;

/// Why a graph description could not be read: which line, and what is wrong
/// with it.
///
/// ```
/// use grad_graph::{DescriptionErrorKind, Graph};
/// let error = Graph::from_description("n0 x = input\nn1 = frobnicate(n0)\ny = n1").unwrap_err();
/// assert_eq!(error.line(), 2);
/// assert_eq!(error.text(), "n1 = frobnicate(n0)");
/// assert_eq!(error.kind(), &DescriptionErrorKind::UnknownOperation { name: "frobnicate" });
/// assert_eq!(
///     error.to_string(),
///     "graph description, line 2 `n1 = frobnicate(n0)`: unknown operation `frobnicate`, \
///      not a name in the table of operations"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DescriptionError {
    line: usize,
    text: &'static str,
    kind: DescriptionErrorKind,
}

impl DescriptionError {
    /// The line at fault, counting from 1. For a description with no line at
    /// all it is 1.
    #[must_use]
    pub const fn line(&self) -> usize {
        self.line
    }

    /// The text of that line (empty for an empty description).
    #[must_use]
    pub const fn text(&self) -> &'static str {
        self.text
    }

    /// What is wrong with it.
    #[must_use]
    pub const fn kind(&self) -> &DescriptionErrorKind {
        &self.kind
    }
}

impl fmt::Display for DescriptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "graph description, line {} `{}`: {}",
            self.line, self.text, self.kind
        )
    }
}

impl std::error::Error for DescriptionError {}

/// What is wrong with a line of a graph description.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DescriptionErrorKind {
    /// The last line is not the output line `{name} = n{id}` (or there is no
    /// line at all).
    MissingOutput,
    /// The output line names a node that the description does not have.
    UnknownOutput {
        /// The node it names.
        node: usize,
    },
    /// The line does not have the form of a node line.
    Malformed {
        /// What was expected instead.
        expected: &'static str,
    },
    /// The node's id is not the next one: ids count up from `n0`, one line
    /// each.
    OutOfOrder {
        /// The id this line should have.
        expected: usize,
        /// The id it has.
        found: usize,
    },
    /// A name is not an identifier.
    InvalidName {
        /// The name as written.
        name: &'static str,
    },
    /// An input has no name.
    InputWithoutName,
    /// A literal's value is not a number.
    InvalidLiteral {
        /// The value as written.
        text: &'static str,
    },
    /// No operation of the table has this name.
    UnknownOperation {
        /// The name as written.
        name: &'static str,
    },
    /// An operation of the table has the wrong number of operands.
    OperandCount {
        /// The operation's name.
        operation: &'static str,
        /// How many differentiable operands it takes.
        expected: usize,
        /// How many the line gives.
        found: usize,
    },
    /// An operand is not an earlier node.
    OperandNotEarlier {
        /// The operand's id.
        operand: usize,
    },
    /// A group line's id is not the next one: groups count up from `r1`.
    GroupOutOfOrder {
        /// The id this line should have.
        expected: usize,
        /// The id it has.
        found: usize,
    },
    /// A group line comes after a node line: groups are listed first.
    GroupAfterNodes,
    /// A line names a group (`@rK`) that the lines before it do not define.
    UnknownGroup {
        /// The group it names.
        group: usize,
    },
    /// A node outside a group reads from the group and feeds it back:
    /// pictures draw a group as one block, which must come after what it
    /// reads and before what reads it.
    GroupCycle {
        /// The group.
        group: usize,
    },
    /// An element reads a node that is not an input.
    ElementOfNonInput {
        /// The node it reads.
        operand: usize,
    },
}

impl fmt::Display for DescriptionErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::MissingOutput => {
                f.write_str("the last line must name the output: `{name} = n{id}`")
            }
            Self::UnknownOutput { node } => {
                write!(f, "the output is n{node}, which is not a node of the graph")
            }
            Self::Malformed { expected } => write!(f, "malformed line, expected {expected}"),
            Self::OutOfOrder { expected, found } => write!(
                f,
                "node n{found} where n{expected} was expected: ids count up from n0, one per line"
            ),
            Self::InvalidName { name } => write!(f, "`{name}` is not an identifier"),
            Self::InputWithoutName => {
                f.write_str("an input must have a name: `n{id} {name} = input`")
            }
            Self::InvalidLiteral { text } => write!(f, "the literal `{text}` is not a number"),
            Self::UnknownOperation { name } => write!(
                f,
                "unknown operation `{name}`, not a name in the table of operations"
            ),
            Self::OperandCount {
                operation,
                expected,
                found,
            } => write!(
                f,
                "`{operation}` takes {expected} operand{} but has {found}",
                if expected == 1 { "" } else { "s" }
            ),
            Self::OperandNotEarlier { operand } => write!(
                f,
                "operand n{operand} does not come before this node: nodes are in topological order"
            ),
            Self::GroupOutOfOrder { expected, found } => write!(
                f,
                "group r{found} where r{expected} was expected: groups count up from r1, one per line"
            ),
            Self::GroupAfterNodes => {
                f.write_str("a group line after a node line: the groups come first")
            }
            Self::UnknownGroup { group } => write!(
                f,
                "group r{group} is not defined by a group line before this one"
            ),
            Self::GroupCycle { group } => write!(
                f,
                "this node of group r{group} reads a node outside it that reads from the group: \
                 a group must come after what it reads and before what reads it"
            ),
            Self::ElementOfNonInput { operand } => {
                write!(
                    f,
                    "`element(n{operand})` reads n{operand}, which is not an input"
                )
            }
        }
    }
}

/// What a node line says besides its id: its name, what it computes and its
/// operands.
struct NodeLine {
    name: Option<&'static str>,
    kind: NodeKind,
    operands: Vec<usize>,
}

const NODE_LINE: &str = "`n{id} = {expression}` or `n{id} {name} = {expression}`";
const EXPRESSION: &str = "`input`, `literal {value}`, `constant {text}`, \
                          `{operation}(n{a}, …)`, `call {path}(n{a}, …)`, \
                          `element(n{a})[{index}]…`, `enter(n{a})`, `leave(n{a})` \
                          or `select(n{a}, n{b})`";
const GROUP_LINE: &str = "`r{id} = for {variable} in {range}`, `r{id} = if {condition}` \
                          or `r{id} = else`, then ` @r{parent}` if nested";
const OPERANDS: &str = "operands `(n{a})` or `(n{a}, n{b}, …)`, separated by `, `";

pub(super) fn parse(description: &'static str) -> Result<Graph, DescriptionError> {
    let lines: Vec<&'static str> = description.lines().collect();
    let Some((&output_line, body_lines)) = lines.split_last() else {
        return Err(DescriptionError {
            line: 1,
            text: "",
            kind: DescriptionErrorKind::MissingOutput,
        });
    };
    let group_lines = body_lines
        .iter()
        .take_while(|line| line.starts_with('r'))
        .count();
    let mut groups: Vec<Group> = Vec::with_capacity(group_lines);
    for (index, &text) in body_lines[..group_lines].iter().enumerate() {
        let group = group_line(index + 1, text).map_err(|kind| DescriptionError {
            line: index + 1,
            text,
            kind,
        })?;
        groups.push(group);
    }
    let node_lines = &body_lines[group_lines..];
    let mut nodes: Vec<Node> = Vec::with_capacity(node_lines.len());
    let mut edges = Vec::with_capacity(node_lines.len());
    for (id, &text) in node_lines.iter().enumerate() {
        let at = |kind| DescriptionError {
            line: group_lines + id + 1,
            text,
            kind,
        };
        if text.starts_with('r') {
            return Err(at(DescriptionErrorKind::GroupAfterNodes));
        }
        let (text_without_group, group) = split_group(text, groups.len()).map_err(at)?;
        let line = node_line(id, text_without_group, &nodes).map_err(at)?;
        edges.extend(
            line.operands
                .iter()
                .enumerate()
                .map(|(position, &from)| Edge {
                    from,
                    to: id,
                    position,
                    value: f64::NAN,
                    grad: None,
                }),
        );
        nodes.push(Node {
            id,
            kind: line.kind,
            name: line.name,
            value: f64::NAN,
            shape: None,
            grad: None,
            group,
        });
    }
    if let Some((group, node)) = first_cycle(&groups, &nodes, &edges) {
        return Err(DescriptionError {
            line: group_lines + node + 1,
            text: node_lines[node],
            kind: DescriptionErrorKind::GroupCycle { group },
        });
    }
    let at = |kind| DescriptionError {
        line: lines.len(),
        text: output_line,
        kind,
    };
    let (name, node) = output_line
        .split_once(" = ")
        .and_then(|(name, node)| Some((name, node_ref(node)?)))
        .filter(|&(name, _)| is_identifier(name))
        .ok_or_else(|| at(DescriptionErrorKind::MissingOutput))?;
    if node >= nodes.len() {
        return Err(at(DescriptionErrorKind::UnknownOutput { node }));
    }
    Ok(Graph {
        nodes,
        edges,
        output: Output {
            node,
            name,
            value: f64::NAN,
            dout: None,
        },
        groups,
    })
}

/// Reads `r{id} = {header}[ @r{parent}]`.
fn group_line(id: usize, text: &'static str) -> Result<Group, DescriptionErrorKind> {
    let malformed = DescriptionErrorKind::Malformed {
        expected: GROUP_LINE,
    };
    let (head, rest) = text.split_once(" = ").ok_or(malformed.clone())?;
    let found = head
        .strip_prefix('r')
        .and_then(|digits| node_ref(&format!("n{digits}")))
        .ok_or(malformed.clone())?;
    if found != id {
        return Err(DescriptionErrorKind::GroupOutOfOrder {
            expected: id,
            found,
        });
    }
    let (header, parent) = split_group(rest, id - 1)?;
    let kind = if header == "else" {
        GroupKind::Else
    } else if header
        .strip_prefix("if ")
        .is_some_and(|c| !c.trim().is_empty())
    {
        GroupKind::If
    } else if header
        .strip_prefix("for ")
        .and_then(|rest| rest.split_once(" in "))
        .is_some_and(|(variable, range)| is_identifier(variable) && range.contains(".."))
    {
        GroupKind::Loop
    } else {
        return Err(malformed);
    };
    Ok(Group {
        id,
        kind,
        header,
        parent,
        runs: None,
    })
}

/// Splits the ` @r{group}` off the end of a line, checking that the group is
/// one of the `defined` groups `r1` to `r{defined}`.
fn split_group(
    text: &'static str,
    defined: usize,
) -> Result<(&'static str, Option<usize>), DescriptionErrorKind> {
    let Some((rest, digits)) = text.rsplit_once(" @r") else {
        return Ok((text, None));
    };
    let group = node_ref(&format!("n{digits}")).ok_or(DescriptionErrorKind::Malformed {
        expected: "` @r{group}` at the end of the line",
    })?;
    if group == 0 || group > defined {
        return Err(DescriptionErrorKind::UnknownGroup { group });
    }
    Ok((rest, Some(group)))
}

/// The first group with a node that reads, from outside the group, a node
/// that depends on the group, with that node. A group's nodes need not be
/// consecutive lines (an accumulator's value at the start of an iteration
/// is described where it is first read, maybe inside a nested loop), but
/// drawn as one block, the group must not both feed and read a node
/// outside it.
fn first_cycle(groups: &[Group], nodes: &[Node], edges: &[Edge]) -> Option<(usize, usize)> {
    let within = |mut inner: Option<usize>, group: usize| {
        while let Some(id) = inner {
            if id == group {
                return true;
            }
            inner = groups[id - 1].parent;
        }
        false
    };
    for group in groups {
        let inside: Vec<bool> = nodes
            .iter()
            .map(|node| within(node.group, group.id))
            .collect();
        // Whether an outside node depends on the group; edges are sorted by
        // the node they enter, and operands come first.
        let mut downstream = vec![false; nodes.len()];
        for edge in edges {
            let from_group = inside[edge.from] || downstream[edge.from];
            if !inside[edge.to] && from_group {
                downstream[edge.to] = true;
            }
            if inside[edge.to] && !inside[edge.from] && downstream[edge.from] {
                return Some((group.id, edge.to));
            }
        }
    }
    None
}

/// Reads `n{id}[ {name}] = {expression}`.
fn node_line(
    id: usize,
    text: &'static str,
    earlier: &[Node],
) -> Result<NodeLine, DescriptionErrorKind> {
    let malformed = |expected| DescriptionErrorKind::Malformed { expected };
    let rest = text.strip_prefix('n').ok_or(malformed(NODE_LINE))?;
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let found = node_ref(&text[..=digits]).ok_or(malformed(NODE_LINE))?;
    if found != id {
        return Err(DescriptionErrorKind::OutOfOrder {
            expected: id,
            found,
        });
    }
    let rest = &rest[digits..];
    let (name, expression) = if let Some(expression) = rest.strip_prefix(" = ") {
        (None, expression)
    } else {
        let (name, expression) = rest
            .strip_prefix(' ')
            .and_then(|rest| rest.split_once(' '))
            .and_then(|(name, rest)| Some((name, rest.strip_prefix("= ")?)))
            .ok_or(malformed(NODE_LINE))?;
        if !is_identifier(name) {
            return Err(DescriptionErrorKind::InvalidName { name });
        }
        (Some(name), expression)
    };
    let (kind, operands) = expression_of(id, expression, earlier)?;
    if kind == NodeKind::Input && name.is_none() {
        return Err(DescriptionErrorKind::InputWithoutName);
    }
    Ok(NodeLine {
        name,
        kind,
        operands,
    })
}

/// Reads what node `id` computes, and its operands.
fn expression_of(
    id: usize,
    expression: &'static str,
    earlier: &[Node],
) -> Result<(NodeKind, Vec<usize>), DescriptionErrorKind> {
    let malformed = |expected| DescriptionErrorKind::Malformed { expected };
    if expression == "input" {
        return Ok((NodeKind::Input, Vec::new()));
    }
    if let Some(rest) = expression.strip_prefix("element(") {
        let expected = "`element(n{a})[{index}]…` reading an input";
        let (operand, indices) = rest.split_once(')').ok_or(malformed(expected))?;
        let operands = operand_list(id, &format!("{operand})"))?;
        if operands.len() != 1
            || !indices.starts_with('[')
            || !indices.ends_with(']')
            || indices.len() < 3
        {
            return Err(malformed(expected));
        }
        let source = &earlier[operands[0]];
        let (NodeKind::Input, Some(array)) = (source.kind, source.name) else {
            return Err(DescriptionErrorKind::ElementOfNonInput {
                operand: operands[0],
            });
        };
        return Ok((NodeKind::Element { array, indices }, operands));
    }
    for (head, kind, count) in [
        ("enter(", NodeKind::Enter, 1),
        ("leave(", NodeKind::Leave, 1),
        ("select(", NodeKind::Select, 2),
    ] {
        if let Some(rest) = expression.strip_prefix(head) {
            let operands = operand_list(id, rest)?;
            if operands.len() != count {
                return Err(DescriptionErrorKind::OperandCount {
                    operation: &head[..head.len() - 1],
                    expected: count,
                    found: operands.len(),
                });
            }
            return Ok((kind, operands));
        }
    }
    if let Some(text) = expression.strip_prefix("literal ") {
        // The value itself is what the generated code reports; the text is
        // only checked here.
        return match text.parse::<f64>() {
            Ok(_) => Ok((NodeKind::Literal, Vec::new())),
            Err(_) => Err(DescriptionErrorKind::InvalidLiteral { text }),
        };
    }
    if let Some(text) = expression.strip_prefix("constant ") {
        if text.trim().is_empty() {
            return Err(malformed(
                "`constant {text}` with the constant's Rust source",
            ));
        }
        return Ok((NodeKind::Constant { text }, Vec::new()));
    }
    let (head, operands) = expression.split_once('(').ok_or(malformed(EXPRESSION))?;
    let operands = operand_list(id, operands)?;
    if let Some(function) = head.strip_prefix("call ") {
        if function.is_empty() || function.contains(char::is_whitespace) {
            return Err(malformed("`call {path}(…)` with a path without spaces"));
        }
        if operands.is_empty() {
            return Err(malformed("a call with at least one operand"));
        }
        return Ok((NodeKind::Custom { function }, operands));
    }
    if !is_identifier(head) {
        return Err(malformed(EXPRESSION));
    }
    let operation =
        Operation::named(head).ok_or(DescriptionErrorKind::UnknownOperation { name: head })?;
    let expected = operation.shape.differentiable_operands();
    if operands.len() != expected {
        return Err(DescriptionErrorKind::OperandCount {
            operation: operation.name,
            expected,
            found: operands.len(),
        });
    }
    Ok((
        NodeKind::Operation {
            op: operation.kind,
            exponent: None,
        },
        operands,
    ))
}

/// Reads `n{a}, n{b})` (what follows the opening parenthesis): operands of
/// node `id`, each an earlier node.
fn operand_list(id: usize, text: &str) -> Result<Vec<usize>, DescriptionErrorKind> {
    let malformed = DescriptionErrorKind::Malformed { expected: OPERANDS };
    let inner = text.strip_suffix(')').ok_or(malformed.clone())?;
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    inner
        .split(", ")
        .map(|operand| {
            let operand = node_ref(operand).ok_or(malformed.clone())?;
            if operand < id {
                Ok(operand)
            } else {
                Err(DescriptionErrorKind::OperandNotEarlier { operand })
            }
        })
        .collect()
}

/// Reads `n{id}` written as Display writes it: no sign, no leading zero.
fn node_ref(text: &str) -> Option<usize> {
    let digits = text.strip_prefix('n')?;
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    canonical.then(|| digits.parse().ok()).flatten()
}

/// Whether `name` is an identifier: a letter (of any script) or `_`, then
/// letters, digits and `_`. Raw identifiers are written without `r#`.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::{is_identifier, node_ref};

    #[test]
    fn node_refs_are_canonical() {
        assert_eq!(node_ref("n0"), Some(0));
        assert_eq!(node_ref("n120"), Some(120));
        for bad in ["n", "0", "n01", "n+1", "n-1", "n1 ", " n1", "m1", "n1a"] {
            assert_eq!(node_ref(bad), None, "{bad}");
        }
    }

    #[test]
    fn identifiers_allow_every_script() {
        for good in ["x", "_x", "apple_price", "ñ", "変数", "x1", "_"] {
            assert!(is_identifier(good), "{good}");
        }
        for bad in ["", "1x", "r#type", "a b", "a-b", "a::b", "n0)"] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }
}
