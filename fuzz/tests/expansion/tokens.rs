//! Token-level mutations of valid and broken inputs, and token soup.

use crate::case::{Case, Expect};
use crate::grammar::{valid_functions, valid_inline};
use crate::mistakes::inline_statement_mistake;
use grad_generator::Choices;
use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use std::str::FromStr;

/// A token tree that can be edited in place.
enum Tree {
    Leaf(TokenTree),
    Group(Delimiter, Vec<Tree>),
}

fn trees(tokens: TokenStream) -> Vec<Tree> {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => Tree::Group(group.delimiter(), trees(group.stream())),
            leaf => Tree::Leaf(leaf),
        })
        .collect()
}

fn tokens(trees: &[Tree]) -> TokenStream {
    trees
        .iter()
        .map(|tree| match tree {
            Tree::Leaf(leaf) => leaf.clone(),
            Tree::Group(delimiter, inner) => {
                TokenTree::Group(Group::new(*delimiter, tokens(inner)))
            }
        })
        .collect()
}

const SOUP_IDENTS: &[&str] = &[
    "x",
    "y",
    "out",
    "let",
    "fn",
    "pub",
    "mut",
    "self",
    "Self",
    "super",
    "crate",
    "_1",
    "_",
    "type",
    "match",
    "if",
    "else",
    "return",
    "loop",
    "as",
    "dyn",
    "impl",
    "where",
    "sin",
    "powi",
    "max",
    "sigmoid",
    "relu",
    "grad",
    "std",
    "T",
    "f64",
    "f32",
    "i32",
    "compile_error",
    "ñ",
    "_·",
    "async",
    "const",
    "unsafe",
    "extern",
    "struct",
    "r#type",
    "__none_group",
];
const PUNCT_CHARS: &[char] = &[
    '=', '<', '>', '!', '~', '+', '-', '*', '/', '%', '^', '&', '|', '@', '.', ',', ';', ':', '#',
    '$', '?', '\'',
];
const SOUP_LITERALS: &[&str] = &[
    "1",
    "2.0",
    "1e400",
    "-1",
    "0x1F",
    "1u8",
    "\"s\"",
    "'c'",
    "b'c'",
    "b\"s\"",
    "1e-400",
    "2.5f32",
    "1_000",
    "c\"s\"",
    "r#\"raw\"#",
    "1.0e10",
    "0b1",
];

fn random_tree(c: &mut impl Choices, depth: usize) -> Tree {
    match c.below(9) {
        0..=2 => {
            let name = *c.pick(SOUP_IDENTS);
            let ident = match name.strip_prefix("r#") {
                Some(raw) => Ident::new_raw(raw, Span::call_site()),
                None => Ident::new(name, Span::call_site()),
            };
            Tree::Leaf(TokenTree::Ident(ident))
        }
        3..=5 => {
            let spacing = if c.rare(3) {
                Spacing::Joint
            } else {
                Spacing::Alone
            };
            Tree::Leaf(TokenTree::Punct(Punct::new(*c.pick(PUNCT_CHARS), spacing)))
        }
        6 => {
            let literal = Literal::from_str(c.pick::<&str>(SOUP_LITERALS))
                .unwrap_or_else(|_| Literal::u8_unsuffixed(1));
            Tree::Leaf(TokenTree::Literal(literal))
        }
        _ if depth == 0 => Tree::Leaf(TokenTree::Ident(Ident::new("x", Span::call_site()))),
        _ => {
            let delimiter = *c.pick(&[
                Delimiter::Parenthesis,
                Delimiter::Brace,
                Delimiter::Bracket,
                Delimiter::None,
            ]);
            let len = c.below(6);
            Tree::Group(
                delimiter,
                (0..len).map(|_| random_tree(c, depth - 1)).collect(),
            )
        }
    }
}

pub fn soup(c: &mut impl Choices) -> Case {
    let len = c.below(24);
    let soup: Vec<Tree> = (0..len).map(|_| random_tree(c, 3)).collect();
    Case::new("token soup", Expect::Any, tokens(&soup))
}

/// One random edit of a token list, at any nesting level.
fn mutate(c: &mut impl Choices, list: &mut Vec<Tree>) {
    let groups: Vec<usize> = (0..list.len())
        .filter(|&i| matches!(list[i], Tree::Group(..)))
        .collect();
    if !groups.is_empty() && c.below(3) == 0 {
        let i = *c.pick(&groups);
        if let Tree::Group(_, inner) = &mut list[i] {
            mutate(c, inner);
            return;
        }
    }
    let len = list.len();
    match c.below(9) {
        0 if len > 0 => {
            list.remove(c.below(len));
        }
        1 if len > 0 => {
            let i = c.below(len);
            let copy = tokens(&list[i..=i]);
            list.splice(i..i, trees(copy));
        }
        2 if len > 1 => {
            let i = c.below(len - 1);
            list.swap(i, i + 1);
        }
        3 if len > 0 => {
            // Unwrap a group, or replace a token.
            let i = c.below(len);
            match list.remove(i) {
                Tree::Group(_, inner) => {
                    list.splice(i..i, inner);
                }
                Tree::Leaf(_) => list.insert(i, random_tree(c, 1)),
            }
        }
        4 if len > 0 => {
            // Wrap a range in a group.
            let start = c.below(len);
            let end = start + 1 + c.below(len - start);
            let delimiter = *c.pick(&[Delimiter::Parenthesis, Delimiter::None, Delimiter::Brace]);
            let inner: Vec<Tree> = list.drain(start..end).collect();
            list.insert(start, Tree::Group(delimiter, inner));
        }
        5 if len > 0 => {
            // Joint punctuation merges with what follows: `-` `=` is `-=`.
            let i = c.below(len);
            if let Tree::Leaf(TokenTree::Punct(punct)) = &list[i] {
                let spacing = match punct.spacing() {
                    Spacing::Alone => Spacing::Joint,
                    Spacing::Joint => Spacing::Alone,
                };
                let flipped = Tree::Leaf(TokenTree::Punct(Punct::new(punct.as_char(), spacing)));
                list[i] = flipped;
            } else if let Tree::Group(delimiter, _) = &mut list[i] {
                *delimiter = *c.pick(&[
                    Delimiter::Parenthesis,
                    Delimiter::Brace,
                    Delimiter::Bracket,
                    Delimiter::None,
                ]);
            }
        }
        _ => {
            let at = c.below(len + 1);
            let tree = random_tree(c, 2);
            list.insert(at, tree);
        }
    }
}

pub fn mutated(c: &mut impl Choices) -> Case {
    let base = match c.below(4) {
        0 | 1 => valid_inline(c),
        2 => valid_functions(c),
        _ => inline_statement_mistake(c),
    };
    let mut list = trees(base.tokens);
    for _ in 0..=c.below(4) {
        mutate(c, &mut list);
    }
    Case::new("mutation", Expect::Any, tokens(&list))
}
