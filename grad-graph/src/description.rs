//! The textual description of a formula's graph (the format is documented
//! at the crate root): parsing it into a [`Graph`] with no numbers yet.

use super::{Edge, Graph, Node, NodeKind, Output};
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
                          `{operation}(n{a}, …)` or `call {path}(n{a}, …)`";
const OPERANDS: &str = "operands `(n{a})` or `(n{a}, n{b}, …)`, separated by `, `";

pub(super) fn parse(description: &'static str) -> Result<Graph, DescriptionError> {
    let lines: Vec<&'static str> = description.lines().collect();
    let Some((&output_line, node_lines)) = lines.split_last() else {
        return Err(DescriptionError {
            line: 1,
            text: "",
            kind: DescriptionErrorKind::MissingOutput,
        });
    };
    let mut nodes = Vec::with_capacity(node_lines.len());
    let mut edges = Vec::with_capacity(node_lines.len());
    for (id, &text) in node_lines.iter().enumerate() {
        let at = |kind| DescriptionError {
            line: id + 1,
            text,
            kind,
        };
        let line = node_line(id, text).map_err(at)?;
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
    })
}

/// Reads `n{id}[ {name}] = {expression}`.
fn node_line(id: usize, text: &'static str) -> Result<NodeLine, DescriptionErrorKind> {
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
    let (kind, operands) = expression_of(id, expression)?;
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
) -> Result<(NodeKind, Vec<usize>), DescriptionErrorKind> {
    let malformed = |expected| DescriptionErrorKind::Malformed { expected };
    if expression == "input" {
        return Ok((NodeKind::Input, Vec::new()));
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
