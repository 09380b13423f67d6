//! Inputs and what is known of them.

use grad_generator::NONE_GROUP;
use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use std::str::FromStr;

/// What the grammar knows about an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// A valid formula: the expansion must hold no `compile_error!`.
    Accept,
    /// A formula with a mistake: the expansion must hold a `compile_error!`.
    Reject,
    /// No opinion; only the first two properties are checked.
    Any,
}

pub struct Case {
    /// Which generator made it, for the statistics.
    pub kind: &'static str,
    pub tokens: TokenStream,
    pub expect: Expect,
}

impl Case {
    pub fn new(kind: &'static str, expect: Expect, tokens: TokenStream) -> Self {
        Self {
            kind,
            tokens,
            expect,
        }
    }

    pub fn text(kind: &'static str, expect: Expect, source: &str) -> Self {
        Self::new(kind, expect, lex(source))
    }
}

/// Source text to tokens. `__none_group(..)` becomes a group with no
/// delimiters, as a `macro_rules!` fragment such as `$e:expr` arrives.
pub fn lex(source: &str) -> TokenStream {
    let tokens = TokenStream::from_str(source).unwrap_or_else(|error| {
        panic!("the fuzzer wrote tokens that do not lex: {error}\n{source}")
    });
    if source.contains(NONE_GROUP) {
        none_groups(tokens)
    } else {
        tokens
    }
}

fn none_groups(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match tree {
            TokenTree::Ident(ident) if ident == NONE_GROUP => {
                if let Some(TokenTree::Group(group)) = trees.next() {
                    let inner = none_groups(group.stream());
                    out.push(TokenTree::Group(Group::new(Delimiter::None, inner)));
                }
            }
            TokenTree::Group(group) => {
                let mut new = Group::new(group.delimiter(), none_groups(group.stream()));
                new.set_span(group.span());
                out.push(TokenTree::Group(new));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}
