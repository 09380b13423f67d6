//! The expansion's per-node statements as Rust source text, which rustc
//! lexes in one piece, rather than as tokens built one by one.
//!
//! A proc macro runs unoptimised in the dev profile (cargo's default for
//! build dependencies), and every token `quote!` builds crosses the bridge
//! to the compiler. At 1,000 operations (the DAG of
//! `benches/compile_time.sh`, function form), running `grad!` was a fifth of
//! `cargo check`'s instructions, most of them spent building the forward
//! and backward statements one token at a time. Written as text, a
//! statement is one `write!` in the macro, and rustc's own lexer (optimised)
//! reads all of them at once.
//!
//! Text carries no spans: its tokens are all at the call site, and resolve
//! as if written there. So the statements written as text are the ones no
//! user token goes into (the user's constants, custom operations and
//! exponents stay tokens, with their spans), and every local of the
//! expansion is named with a prefix ([`namespace`]) that no identifier of the
//! macro's input starts with: no user variable can name one, whatever its
//! hygiene.

use proc_macro2::{Span, TokenStream};
use std::cell::Cell;
use std::fmt::Write as _;

/// The longest prefix [`namespace`] chooses: `__g` and a `usize`.
const PREFIX_CAPACITY: usize = 24;

thread_local! {
    /// The prefix of the expansion's locals, chosen per invocation: its
    /// bytes and length, a `Copy` value read without a borrow or a clone,
    /// as it is read for each of thousands of names.
    static PREFIX: Cell<([u8; PREFIX_CAPACITY], usize)> = const {
        Cell::new((*b"__g\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 3))
    };
}

/// Chooses the prefix of the expansion's locals for the macro input
/// written `input`: the first of `__g`, `__g0`, `__g1`, … that does not
/// occur in it. An identifier of the input that started with the prefix
/// would contain it; none does, so none can be one of the expansion's
/// locals, and the locals can neither shadow nor be shadowed by the user's
/// variables.
pub(crate) fn namespace(input: &str) {
    let mut prefix = String::from("__g");
    let mut attempt = 0usize;
    while input.contains(&prefix) {
        prefix = format!("__g{attempt}");
        attempt += 1;
    }
    let mut bytes = [0; PREFIX_CAPACITY];
    bytes[..prefix.len()].copy_from_slice(prefix.as_bytes());
    PREFIX.set((bytes, prefix.len()));
}

/// The name of the expansion's local `name`: the prefix, then `name`.
pub(crate) fn local_name(name: std::fmt::Arguments) -> String {
    let (bytes, len) = PREFIX.get();
    let mut text = String::with_capacity(len + 8);
    text.push_str(std::str::from_utf8(&bytes[..len]).unwrap_or("__g"));
    let _ = text.write_fmt(name);
    text
}

/// The local `name` of the expansion, as an identifier at the call site,
/// the hygiene of the text statements that read and write it.
pub(crate) fn local_ident(name: std::fmt::Arguments) -> syn::Ident {
    syn::Ident::new(&local_name(name), Span::call_site())
}

/// Statements in order, as text where no user token goes into them and as
/// tokens where one does. Each stretch of text between tokens is lexed on
/// its own, so it must be whole token trees: a group opened in text closes
/// in the same text.
#[derive(Default)]
pub(crate) struct Code {
    text: String,
    tokens: TokenStream,
}

impl Code {
    /// Appends tokens after the text so far.
    pub(crate) fn tokens(&mut self, tokens: TokenStream) {
        if tokens.is_empty() {
            return;
        }
        self.flush();
        self.tokens.extend(std::iter::once(tokens));
    }

    /// Appends text.
    pub(crate) fn push_str(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Appends a character.
    pub(crate) fn push(&mut self, character: char) {
        self.text.push(character);
    }

    /// Appends `[a, b, ..]`, the items as text.
    pub(crate) fn list<I>(&mut self, items: I)
    where
        I: IntoIterator,
        I::Item: std::fmt::Display,
    {
        self.text.push('[');
        for item in items {
            let _ = write!(self.text, "{item}, ");
        }
        self.text.push(']');
    }

    /// `[a, b, ..]` alone, as tokens.
    pub(crate) fn list_tokens<I>(items: I) -> TokenStream
    where
        I: IntoIterator,
        I::Item: std::fmt::Display,
    {
        let mut code = Self::default();
        code.list(items);
        code.finish()
    }

    /// Appends another `Code`'s statements.
    pub(crate) fn append(&mut self, other: Code) {
        self.tokens(other.finish());
    }

    fn flush(&mut self) {
        if !self.text.is_empty() {
            let text = std::mem::take(&mut self.text);
            self.tokens.extend(std::iter::once(lex(&text)));
        }
    }

    /// The statements as one token stream.
    pub(crate) fn finish(mut self) -> TokenStream {
        self.flush();
        self.tokens
    }
}

impl std::fmt::Write for Code {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.text.push_str(text);
        Ok(())
    }
}

/// Source text the expansion wrote, as tokens.
///
/// In the compiler, by `proc_macro`'s lexer: `proc_macro2`'s `parse` lexes
/// the text a first time with its own lexer (to turn the compiler's panics
/// on bad text into errors), unoptimised here, which cost as much as the
/// tokens it saves. The text is the macro's own, valid by construction; a
/// bug that broke it still ends as a compile error, not a panic.
pub(crate) fn lex(text: &str) -> TokenStream {
    if proc_macro::is_available() {
        match text.parse::<proc_macro::TokenStream>() {
            Ok(tokens) => return tokens.into(),
            Err(_) => return internal_error(),
        }
    }
    text.parse().unwrap_or_else(|_| internal_error())
}

fn internal_error() -> TokenStream {
    quote::quote!(::core::compile_error!(
        "grad!: the expansion wrote invalid Rust; please report this formula"
    );)
}
