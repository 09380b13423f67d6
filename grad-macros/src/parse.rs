//! Stage 1: tokens to a [`GradInput`], checking only the shape of the body.
//!
//! The two forms `grad!` accepts:
//!
//! ```text
//! inline:    $( let $name = $expr ; )*  $output = $expr  $( ; )?
//! function:  $( $attrs $vis fn $name $generics ( $( $param : $scalar ),* ) -> $scalar {
//!                $( let $name $( : $scalar )? = $expr ; )*  $expr
//!            } )+
//! ```
//!
//! Expressions are parsed by syn, so precedence, parentheses and spans are
//! Rust's own; which expressions are allowed is decided by the next stage.
//! The one exception is a run of the simplest `let`s, which code generators
//! write by the thousand: `let t = a * b;`, `let t = -a;`, `let t =
//! a.exp();`, `let t = f(a, b);` over names and literals. [`simple_let`]
//! reads those straight into the syntax tree syn would build for them
//! (which a test checks), at a fraction of the cost of syn's general
//! expression parser, built unoptimised with the macro.

use crate::errors::Errors;
use proc_macro2::{Span, TokenStream};
use syn::buffer::Cursor;
use syn::parse::ParseStream;
use syn::parse::Parser;
use syn::parse::discouraged::Speculative;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Ident, ItemFn, Pat, ReturnType, Stmt, Type};

/// Which form an invocation is written in, decided once by [`form`]: the
/// function form expands to items, the inline form to an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `output = expression` after `let`s.
    Inline,
    /// One or more `fn` items.
    Functions,
}

/// What the macro was given.
pub enum GradInput {
    /// `price = expr`, with `let` statements before it.
    Inline(Box<Formula>),
    /// One or more `fn` items.
    Functions(Vec<Function>),
}

/// A body: named intermediates, then the output.
pub struct Formula {
    /// `let name = expr;` at the top level, in order: the intermediates
    /// that get a gradient field.
    pub bindings: Vec<Binding>,
    /// Every statement in order: the top-level `let`s (as indices into
    /// `bindings`) and, in the function form, accumulators, their updates
    /// and loops.
    pub statements: Vec<Statement>,
    /// The output's name (the function's name in the function form).
    pub output_name: Ident,
    /// The output's expression.
    pub output: Expr,
    /// The inline form's scalar type where the output names it
    /// (`y: f64 = expression`); `None` where it is the inputs' type,
    /// inferred, and in the function form, whose signature names it.
    pub scalar: Option<Type>,
}

/// `let name = expr;`
pub struct Binding {
    pub name: Ident,
    pub expr: Expr,
}

/// A statement of a body.
pub enum Statement {
    /// `let name = expr;` at the top level: `Formula::bindings[index]`.
    Let(usize),
    /// `let name = expr;` inside a loop: a value of each iteration.
    Local(Binding),
    /// `let mut name = expr;`: an accumulator, which only `+=`, `-=`, `*=`
    /// and `/=` change.
    Accumulator(Binding),
    /// `name += expr;` and the other updates, or `name = expr;`.
    Update(Update),
    /// `for variable in start..end { body }`.
    For(Loop),
}

/// `name op= expr;`
pub struct Update {
    pub name: Ident,
    pub op: UpdateOp,
    /// The operator's span, where mistakes about it are reported.
    pub op_span: Span,
    pub expr: Expr,
}

/// How an [`Update`] changes its accumulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateOp {
    Add,
    Sub,
    Mul,
    Div,
    /// `name = expr`: not an update an accumulator allows.
    Assign,
}

/// `for variable in start..end { body }` (or `start..=end`).
pub struct Loop {
    pub variable: Ident,
    pub start: Expr,
    pub end: Expr,
    pub inclusive: bool,
    pub body: Vec<Statement>,
    /// The `for` keyword.
    pub span: Span,
}

/// A function written in the function form.
pub struct Function {
    /// The item as the user wrote it, but for the `#[constant]` markers of
    /// its parameters: it is emitted as the forward function.
    pub item: ItemFn,
    /// The parameters, in order.
    pub params: Vec<Parameter>,
    /// The scalar type: the return type.
    pub scalar: Type,
    /// Whether some parameter is an array: the formula is then computed by
    /// the array layers, every operand passed by reference.
    pub arrays: bool,
    /// The body.
    pub formula: Formula,
    /// Whether its signature or body shape was reported as wrong.
    pub has_shape_errors: bool,
}

/// A parameter of the function form.
pub struct Parameter {
    pub name: Ident,
    pub ty: Type,
    pub kind: ParameterKind,
    /// Whether its type is an ndarray array's: neither the scalar, nor a
    /// float, nor a label type, nor a Rust array of the scalar,
    /// `#[constant]` or not. One such parameter makes the
    /// function one over arrays, whether it gets a gradient or not.
    pub array: bool,
}

/// What a parameter is to the formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParameterKind {
    /// A scalar of the function's type: an input, with a gradient.
    Scalar,
    /// Any other type but a label: an array (`&Array2<f64>`, `Array1<f32>`,
    /// …), an input with a gradient of its own type.
    Array,
    /// A Rust array or slice of scalars, read by index in loops: `[T; N]`,
    /// `&[T; N]`, `&[T]`, `[[T; M]; N]`; its gradient has its shape.
    Elements,
    /// Marked `#[constant]`, or an integer, `bool` or label type (`usize`,
    /// `&[usize]`, …): read as a constant, with no gradient.
    Constant,
}

impl Function {
    /// The names of the parameters that are value inputs (that get a
    /// gradient and are read by name).
    pub fn inputs(&self) -> Vec<Ident> {
        self.params
            .iter()
            .filter(|param| matches!(param.kind, ParameterKind::Scalar | ParameterKind::Array))
            .map(|param| param.name.clone())
            .collect()
    }

    /// The array parameters read by index, with their number of indices.
    pub fn elements(&self) -> Vec<(Ident, usize)> {
        self.params
            .iter()
            .filter(|param| param.kind == ParameterKind::Elements)
            .map(|param| (param.name.clone(), element_depth(&param.ty)))
            .collect()
    }
}

/// How many indices an array parameter takes: `&[f64]` one, `[[f64; 3]; N]` two.
pub fn element_depth(ty: &Type) -> usize {
    match ty {
        Type::Reference(reference) => element_depth(&reference.elem),
        Type::Paren(paren) => element_depth(&paren.elem),
        Type::Array(array) => 1 + element_depth(&array.elem),
        Type::Slice(slice) => 1 + element_depth(&slice.elem),
        _ => 0,
    }
}

/// The integer and `bool` types: parameters of these, and references,
/// slices, arrays and vectors of them, are labels or counts, with no gradient.
const DISCRETE: &[&str] = &[
    "bool", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
];

/// Whether `ty` is an integer or `bool` type, or a reference, slice, array
/// or `Vec` of one: `usize`, `&[usize]`, `&Vec<u8>`, `[i32; 3]`.
fn is_discrete(ty: &Type) -> bool {
    match ty {
        Type::Reference(reference) => is_discrete(&reference.elem),
        Type::Slice(slice) => is_discrete(&slice.elem),
        Type::Array(array) => is_discrete(&array.elem),
        Type::Paren(paren) => is_discrete(&paren.elem),
        Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return false;
            };
            match &last.arguments {
                syn::PathArguments::None => {
                    path.path.segments.len() == 1 && DISCRETE.iter().any(|name| last.ident == name)
                }
                syn::PathArguments::AngleBracketed(arguments) if last.ident == "Vec" => {
                    matches!(
                        arguments.args.first(),
                        Some(syn::GenericArgument::Type(element)) if is_discrete(element)
                    )
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether `ty` is an array or slice of `scalar` (or of arrays of it), or a
/// reference to one: `[f64; N]`, `&[f64]`, `&[[T; 3]; N]`.
fn is_elements(ty: &Type, scalar: &Type) -> bool {
    fn arrays_of(ty: &Type, scalar: &Type) -> bool {
        match ty {
            Type::Array(array) => arrays_of(&array.elem, scalar),
            Type::Paren(paren) => arrays_of(&paren.elem, scalar),
            other => same_type(other, scalar),
        }
    }
    match ty {
        Type::Reference(reference) if reference.mutability.is_none() => {
            is_elements(&reference.elem, scalar)
        }
        Type::Paren(paren) => is_elements(&paren.elem, scalar),
        Type::Array(array) => arrays_of(&array.elem, scalar),
        Type::Slice(slice) => arrays_of(&slice.elem, scalar),
        _ => false,
    }
}

/// Whether `ty` is one of the primitive float types.
fn is_float(ty: &Type) -> bool {
    matches!(ty, Type::Path(path) if path.qself.is_none()
        && (path.path.is_ident("f32") || path.path.is_ident("f64")))
}

/// Parses either form. Shape errors go to `errors` and parsing goes on, so
/// that the later stages can report theirs too; syntax errors from syn, and a
/// body with no output at all, stop at once.
pub fn parse(input: ParseStream, form: Form, errors: &mut Errors) -> syn::Result<GradInput> {
    if input.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            "empty grad! body: write `output = expression`, for example `grad!(y = x * x)`",
        ));
    }
    match form {
        Form::Inline => inline(input, errors).map(|formula| GradInput::Inline(Box::new(formula))),
        Form::Functions => {
            let mut functions = Vec::new();
            while !input.is_empty() {
                if !starts_item(input, &[]) {
                    return Err(input.error(
                        "expected `fn`: a grad! block that starts with a function holds only functions",
                    ));
                }
                let item = function_item(input)?;
                if let Some(function) = function(item, errors) {
                    functions.push(function);
                }
            }
            Ok(GradInput::Functions(functions))
        }
    }
}

/// The form of these tokens. They are the function form when they start
/// with a function (after attributes and a visibility) and every item that
/// follows starts like an item; a function followed by statements (`fn
/// helper() {} y = x * 2.0`) is an inline body with an item in it, which
/// the inline form reports at the `fn`.
pub fn form(tokens: &TokenStream) -> Form {
    let decide = |input: ParseStream| -> syn::Result<Form> {
        if !starts_item(input, FUNCTION_STARTS) {
            skip_rest(input);
            return Ok(Form::Inline);
        }
        while !input.is_empty() {
            if !starts_item(input, ITEM_STARTS) {
                skip_rest(input);
                return Ok(Form::Inline);
            }
            let item = input.fork();
            if skip_item(&item).is_err() {
                // A syntax error inside the functions: the function form
                // reports it.
                skip_rest(input);
                return Ok(Form::Functions);
            }
            input.advance_to(&item);
        }
        Ok(Form::Functions)
    };
    decide.parse2(tokens.clone()).unwrap_or(Form::Inline)
}

/// Steps over one item. A function's body is stepped over as one group,
/// not parsed: it is the formula, which the function form parses next, and
/// parsing it twice was a fifth of the expansion's time at 1,000 operations.
/// Whatever is not a function with a body is parsed as an item.
fn skip_item(input: ParseStream) -> syn::Result<()> {
    let function = input.fork();
    let signature = function
        .call(syn::Attribute::parse_outer)
        .and_then(|_| function.parse::<syn::Visibility>())
        .and_then(|_| skip_signature(&function));
    if signature.is_ok() {
        let body = function.step(|cursor| {
            cursor
                .group(proc_macro2::Delimiter::Brace)
                .map(|(_, _, rest)| ((), rest))
                .ok_or_else(|| cursor.error("expected a function body"))
        });
        if body.is_ok() {
            input.advance_to(&function);
            return Ok(());
        }
    }
    input.parse::<syn::Item>().map(drop)
}

/// A function item, as syn parses an `ItemFn`, with its statements read
/// by [`statements`].
fn function_item(input: ParseStream) -> syn::Result<ItemFn> {
    let mut attrs = input.call(syn::Attribute::parse_outer)?;
    let vis = input.parse()?;
    let sig = input.parse()?;
    let content;
    let brace_token = syn::braced!(content in input);
    attrs.extend(content.call(syn::Attribute::parse_inner)?);
    let stmts = statements(&content)?;
    Ok(ItemFn {
        attrs,
        vis,
        sig,
        block: Box::new(syn::Block { brace_token, stmts }),
    })
}

/// The statements of a block, as `syn::Block::parse_within` parses them:
/// the leading run of [`simple_let`]s read directly, the rest by syn.
fn statements(input: ParseStream) -> syn::Result<Vec<Stmt>> {
    let mut statements = Vec::new();
    while let Some(statement) = next_simple_let(input) {
        statements.push(statement);
    }
    statements.extend(syn::Block::parse_within(input)?);
    Ok(statements)
}

/// The next statement, if it is a [`simple_let`]; otherwise nothing is read.
fn next_simple_let(input: ParseStream) -> Option<Stmt> {
    input
        .step(|cursor| simple_let(*cursor).ok_or_else(|| cursor.error("not a simple `let`")))
        .ok()
}

/// `let name = value;` where the value is a name or literal (an operand),
/// `operand op operand` (`+ - * /`), `-operand`, `operand.method(operands)`
/// or `function(operands)`: the syntax tree syn builds for it, and the
/// tokens after it; `None` for anything else, which syn then parses.
fn simple_let(cursor: Cursor) -> Option<(Stmt, Cursor)> {
    let (keyword, rest) = visible(cursor)?.ident()?;
    if keyword != "let" {
        return None;
    }
    let (name, rest) = cursor_name(rest)?;
    let (equals, rest) = punct_alone(rest, '=')?;
    let (value, rest) = simple_value(rest)?;
    let (semicolon, rest) = punct_alone(rest, ';')?;
    let pattern = Pat::Ident(syn::PatIdent {
        attrs: Vec::new(),
        by_ref: None,
        mutability: None,
        ident: name,
        subpat: None,
    });
    let statement = Stmt::Local(syn::Local {
        attrs: Vec::new(),
        let_token: syn::Token![let](keyword.span()),
        pat: pattern,
        init: Some(syn::LocalInit {
            eq_token: syn::Token![=](equals.span()),
            expr: Box::new(value),
            diverge: None,
        }),
        semi_token: syn::Token![;](semicolon.span()),
    });
    Some((statement, rest))
}

/// The value of a [`simple_let`], up to its `;`.
fn simple_value(cursor: Cursor) -> Option<(Expr, Cursor)> {
    if let Some((minus, rest)) = punct_alone(cursor, '-') {
        let (operand, rest) = simple_operand(rest)?;
        let negation = Expr::Unary(syn::ExprUnary {
            attrs: Vec::new(),
            op: syn::UnOp::Neg(syn::Token![-](minus.span())),
            expr: Box::new(operand),
        });
        return Some((negation, rest));
    }
    let (first, rest) = simple_operand(cursor)?;
    let rest = visible(rest)?;
    if let Some((arguments, delimiters, after)) = rest.group(proc_macro2::Delimiter::Parenthesis) {
        if !matches!(first, Expr::Path(_)) {
            return None;
        }
        let call = Expr::Call(syn::ExprCall {
            attrs: Vec::new(),
            func: Box::new(first),
            paren_token: syn::token::Paren { span: delimiters },
            args: simple_arguments(arguments)?,
        });
        return Some((call, after));
    }
    if let Some((dot, after_dot)) = punct_alone(rest, '.') {
        let (method, after_method) = cursor_name(after_dot)?;
        let (arguments, delimiters, after) =
            visible(after_method)?.group(proc_macro2::Delimiter::Parenthesis)?;
        let call = Expr::MethodCall(syn::ExprMethodCall {
            attrs: Vec::new(),
            receiver: Box::new(first),
            dot_token: syn::Token![.](dot.span()),
            method,
            turbofish: None,
            paren_token: syn::token::Paren { span: delimiters },
            args: simple_arguments(arguments)?,
        });
        return Some((call, after));
    }
    let Some((operator, after_operator)) = rest.punct() else {
        return Some((first, rest));
    };
    if operator.spacing() != proc_macro2::Spacing::Alone {
        return None;
    }
    let span = operator.span();
    let operator = match operator.as_char() {
        '+' => syn::BinOp::Add(syn::Token![+](span)),
        '-' => syn::BinOp::Sub(syn::Token![-](span)),
        '*' => syn::BinOp::Mul(syn::Token![*](span)),
        '/' => syn::BinOp::Div(syn::Token![/](span)),
        _ => return Some((first, rest)),
    };
    let (second, rest) = simple_operand(after_operator)?;
    let binary = Expr::Binary(syn::ExprBinary {
        attrs: Vec::new(),
        left: Box::new(first),
        op: operator,
        right: Box::new(second),
    });
    Some((binary, rest))
}

/// The operands of a call, separated by commas, filling the parentheses.
fn simple_arguments(cursor: Cursor) -> Option<Punctuated<Expr, syn::Token![,]>> {
    let mut arguments = Punctuated::new();
    let mut rest = cursor;
    while !rest.eof() {
        let (argument, after) = simple_operand(rest)?;
        arguments.push_value(argument);
        rest = after;
        if rest.eof() {
            break;
        }
        let (comma, after) = punct_alone(rest, ',')?;
        arguments.push_punct(syn::Token![,](comma.span()));
        rest = after;
    }
    Some(arguments)
}

/// A name or a literal, as an expression.
fn simple_operand(cursor: Cursor) -> Option<(Expr, Cursor)> {
    if let Some((literal, rest)) = visible(cursor)?.literal() {
        let literal = Expr::Lit(syn::ExprLit {
            attrs: Vec::new(),
            lit: syn::Lit::new(literal),
        });
        return Some((literal, rest));
    }
    let (name, rest) = cursor_name(cursor)?;
    let path = Expr::Path(syn::ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: syn::Path::from(name),
    });
    Some((path, rest))
}

/// An identifier that is not a keyword (nor `_`): a variable's or a
/// function's name. A path (`a::b`) goes on with `:`, which no
/// [`simple_let`] takes.
fn cursor_name(cursor: Cursor) -> Option<(Ident, Cursor)> {
    let (name, rest) = visible(cursor)?.ident()?;
    let text = name.to_string();
    if text == "_" || KEYWORDS.binary_search(&text.as_str()).is_ok() {
        return None;
    }
    Some((name, rest))
}

/// The cursor, unless it is at an invisible group: the tokens of a
/// `$value:expr`, which syn parses as one `Expr::Group` and a
/// [`simple_let`] leaves to it. (syn's cursors would step into the group,
/// and out of it, unseen; every step of a [`simple_let`] goes through
/// this.)
fn visible(cursor: Cursor) -> Option<Cursor> {
    cursor
        .group(proc_macro2::Delimiter::None)
        .is_none()
        .then_some(cursor)
}

/// Rust's keywords, strict and reserved, in order, for a binary search.
const KEYWORDS: &[&str] = &[
    "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// The punctuation `character`, not joined to the next (`-`, not `-=`).
fn punct_alone(cursor: Cursor, character: char) -> Option<(proc_macro2::Punct, Cursor)> {
    let (punct, rest) = visible(cursor)?.punct()?;
    (punct.as_char() == character && punct.spacing() == proc_macro2::Spacing::Alone)
        .then_some((punct, rest))
}

/// Steps over a function's signature as `syn::Signature` parses it, but
/// with its parameters stepped over as one group, not parsed: a generated
/// function has a thousand of them, which the function form parses next.
fn skip_signature(input: ParseStream) -> syn::Result<()> {
    input.parse::<Option<syn::Token![const]>>()?;
    input.parse::<Option<syn::Token![async]>>()?;
    input.parse::<Option<syn::Token![unsafe]>>()?;
    input.parse::<Option<syn::Abi>>()?;
    input.parse::<syn::Token![fn]>()?;
    input.parse::<Ident>()?;
    input.parse::<syn::Generics>()?;
    input.step(|cursor| {
        cursor
            .group(proc_macro2::Delimiter::Parenthesis)
            .map(|(_, _, rest)| ((), rest))
            .ok_or_else(|| cursor.error("expected the function's parameters"))
    })?;
    input.parse::<ReturnType>()?;
    input.parse::<Option<syn::WhereClause>>()?;
    Ok(())
}

/// Steps over every token left.
fn skip_rest(input: ParseStream) {
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((_, next)) = rest.token_tree() {
            rest = next;
        }
        Ok(((), rest))
    });
}

/// The keywords a function item can start with, after attributes and a visibility.
const FUNCTION_STARTS: &[&str] = &["fn", "const", "async", "unsafe", "extern"];

/// The keywords any item can start with.
const ITEM_STARTS: &[&str] = &[
    "fn",
    "const",
    "async",
    "unsafe",
    "extern",
    "struct",
    "enum",
    "union",
    "type",
    "trait",
    "impl",
    "mod",
    "use",
    "static",
    "macro_rules",
];

/// Whether the next tokens are outer attributes, a visibility and one of
/// `keywords` (all of [`FUNCTION_STARTS`] if empty), without consuming them.
fn starts_item(input: ParseStream, keywords: &[&str]) -> bool {
    let keywords = if keywords.is_empty() {
        FUNCTION_STARTS
    } else {
        keywords
    };
    let fork = input.fork();
    let _ = fork.call(syn::Attribute::parse_outer);
    let _ = fork.parse::<syn::Visibility>();
    fork.cursor()
        .ident()
        .is_some_and(|(ident, _)| keywords.iter().any(|keyword| ident == keyword))
}

fn inline(input: ParseStream, errors: &mut Errors) -> syn::Result<Formula> {
    let (statements, scalar) = inline_statements(input, errors)?;
    let last_span = statements.last().map(statement_span);
    let mut bindings = Vec::new();
    let mut output = None;
    for statement in statements {
        if let Some((name, _)) = &output {
            let name: &Ident = name;
            errors.push(syn::Error::new(
                statement_span(&statement),
                format!(
                    "statement after the output `{name}`: the output assignment must come last"
                ),
            ));
            continue;
        }
        match statement {
            Stmt::Local(local) => {
                if let Some((binding, mutable)) = binding(local, Annotation::None, errors) {
                    if let Some(mutability) = mutable {
                        errors.push(syn::Error::new(
                            mutability,
                            "`let mut` is not supported in an inline formula: every value is bound once (accumulators and loops are for the function form)",
                        ));
                    }
                    bindings.push(binding);
                }
            }
            Stmt::Expr(Expr::Assign(assign), _) => match *assign.left {
                Expr::Path(path) if path.path.get_ident().is_some() && path.attrs.is_empty() => {
                    let name = path.path.get_ident().cloned();
                    output = name.map(|name| (name, *assign.right));
                }
                left => errors.push(syn::Error::new_spanned(
                    left,
                    "the output must be a plain name: `output = expression`",
                )),
            },
            Stmt::Expr(Expr::Return(ret), _) => errors.push(syn::Error::new_spanned(
                ret.return_token,
                "`return` is not supported: name the output with `output = expression`",
            )),
            Stmt::Expr(
                expr @ (Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) | Expr::If(_)),
                _,
            ) => errors.push(function_form_only(&expr)),
            Stmt::Expr(expr, _) => errors.push(no_output(&expr)),
            Stmt::Item(item) => errors.push(syn::Error::new(
                statement_span(&Stmt::Item(item)),
                "an item inside a formula: a formula holds `let name = expression;` statements and ends with `output = expression`; define the item outside grad!",
            )),
            other => errors.push(syn::Error::new(
                statement_span(&other),
                "expected `let name = expression;` or the output `name = expression`",
            )),
        }
    }
    match output {
        Some((output_name, output)) => Ok(Formula {
            statements: (0..bindings.len()).map(Statement::Let).collect(),
            bindings,
            output_name,
            output,
            scalar,
        }),
        None => Err(syn::Error::new(
            last_span.unwrap_or_else(Span::call_site),
            "no output assignment: end the body with `output = expression`, for example `price = total * tax`",
        )),
    }
}

/// The statements of an inline formula, as [`statements`] reads them, and
/// the scalar type if the output names it (`y: f64 = expression`, which
/// is read as the assignment `y = expression`). The output usually follows
/// the simple `let`s read directly, where it is seen at once; after a `let`
/// that syn reads, it is looked for only if syn fails on the rest, so a
/// formula that names no type is read as before, at no cost.
fn inline_statements(
    input: ParseStream,
    errors: &mut Errors,
) -> syn::Result<(Vec<Stmt>, Option<Type>)> {
    let mut statements = Vec::new();
    loop {
        if output_with_type(input.cursor()) {
            return typed_output_and_rest(input, statements, errors);
        }
        match next_simple_let(input) {
            Some(statement) => statements.push(statement),
            None => break,
        }
    }
    let fork = input.fork();
    match syn::Block::parse_within(&fork) {
        Ok(rest) => {
            input.advance_to(&fork);
            statements.extend(rest);
            Ok((statements, None))
        }
        Err(error) if names_scalar(input.cursor()) => {
            // Each statement before the output ends with its `;`.
            while !input.is_empty() && !output_with_type(input.cursor()) {
                statements.push(input.parse()?);
            }
            if input.is_empty() {
                return Err(error);
            }
            typed_output_and_rest(input, statements, errors)
        }
        Err(error) => Err(error),
    }
}

/// Whether a statement, other than a `let`, starts with a name and a `:`,
/// read with syn's cursor, which neither consumes nor copies the tokens.
fn names_scalar(mut cursor: Cursor) -> bool {
    let mut statement_start = true;
    while !cursor.eof() {
        if statement_start && output_with_type(cursor) {
            return true;
        }
        statement_start = cursor
            .punct()
            .is_some_and(|(punct, _)| punct.as_char() == ';');
        cursor = match cursor.any_group() {
            Some((_, _, _, after)) => after,
            None => match cursor.token_tree() {
                Some((_, after)) => after,
                None => return false,
            },
        };
    }
    false
}

/// Whether the tokens at `cursor` start `name: ` (not `let`, not `::`).
fn output_with_type(cursor: Cursor) -> bool {
    cursor.ident().is_some_and(|(name, after)| {
        name != "let"
            && after.punct().is_some_and(|(colon, _)| {
                colon.as_char() == ':' && colon.spacing() == proc_macro2::Spacing::Alone
            })
    })
}

/// The output `name: Type = expression` (and its `;`, if any), read as the
/// assignment `name = expression` after `statements`, then what follows it
/// as syn reads a block, for the error that says the output comes last;
/// with the type.
fn typed_output_and_rest(
    input: ParseStream,
    mut statements: Vec<Stmt>,
    errors: &mut Errors,
) -> syn::Result<(Vec<Stmt>, Option<Type>)> {
    let name: Ident = input.parse()?;
    input.parse::<syn::Token![:]>()?;
    if input.peek(syn::Token![=]) {
        return Err(input.error(
            "expected the scalar type after `:`, as in `y: f64 = x * x`; without `:`, the scalar is the inputs' type",
        ));
    }
    let scalar: Type = input.parse()?;
    if is_discrete(&scalar) {
        errors.push(syn::Error::new_spanned(
            &scalar,
            "the scalar type of a formula is a float type, as `f64` or `f32`: gradients are not defined on integers",
        ));
    }
    let eq_token = input.parse::<syn::Token![=]>()?;
    let value: Expr = input.parse()?;
    let semicolon: Option<syn::Token![;]> = input.parse()?;
    let output = syn::ExprAssign {
        attrs: Vec::new(),
        left: Box::new(Expr::Path(syn::ExprPath {
            attrs: Vec::new(),
            qself: None,
            path: name.into(),
        })),
        eq_token,
        right: Box::new(value),
    };
    statements.push(Stmt::Expr(Expr::Assign(output), semicolon));
    statements.extend(syn::Block::parse_within(input)?);
    Ok((statements, Some(scalar)))
}

/// A loop or an `if` statement in an inline formula, reported at its keyword.
fn function_form_only(expr: &Expr) -> syn::Error {
    const LOOPS: &str = "loops are for the function form: write `grad! { fn f(x: &[f64]) -> f64 { .. } }`, whose loops read array parameters by index";
    let (span, message) = match expr {
        Expr::ForLoop(for_loop) => (for_loop.for_token.span, LOOPS),
        Expr::While(while_loop) => (while_loop.while_token.span, LOOPS),
        Expr::Loop(endless) => (endless.loop_token.span, LOOPS),
        Expr::If(condition) => (
            condition.if_token.span,
            "`if` is for the function form: write the formula as `grad! { fn f(x: f64) -> f64 { .. } }`",
        ),
        other => return no_output(other),
    };
    syn::Error::new(span, message)
}

fn no_output(expr: &Expr) -> syn::Error {
    match expr {
        Expr::Binary(binary) if is_compound_assignment(&binary.op) => syn::Error::new_spanned(
            binary.op,
            "compound assignment is not supported: name the output once with `output = expression`",
        ),
        _ => syn::Error::new_spanned(
            expr,
            "no output assignment: name the result with `output = expression`",
        ),
    }
}

/// The error for a `break`, `continue` or `return` in a grad! function, at
/// its keyword, saying what to write instead; `None` for other expressions.
pub fn jump_error(expr: &Expr) -> Option<syn::Error> {
    let (span, message) = match expr {
        Expr::Break(stop) => (
            stop.break_token.span,
            "`break` is not supported: a loop of a grad! function runs its whole range (choose values with `if c { a } else { b }`)",
        ),
        Expr::Continue(skip) => (
            skip.continue_token.span,
            "`continue` is not supported: a loop of a grad! function runs its whole range (choose values with `if c { a } else { b }`)",
        ),
        Expr::Return(ret) => (
            ret.return_token.span,
            "`return` is not supported: end the function with the expression it returns",
        ),
        _ => return None,
    };
    Some(syn::Error::new(span, message))
}

/// The errors of every `break`, `continue` and `return` inside `expr`.
fn jumps_within(expr: &Expr) -> Vec<syn::Error> {
    struct Jumps(Vec<syn::Error>);
    impl<'ast> syn::visit::Visit<'ast> for Jumps {
        fn visit_expr(&mut self, expr: &'ast Expr) {
            match jump_error(expr) {
                Some(error) => self.0.push(error),
                None => syn::visit::visit_expr(self, expr),
            }
        }
    }
    let mut jumps = Jumps(Vec::new());
    syn::visit::Visit::visit_expr(&mut jumps, expr);
    jumps.0
}

/// `+=`, `-=`, … : an assignment, which a formula never makes.
pub fn is_compound_assignment(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

fn statement_span(statement: &Stmt) -> Span {
    match statement {
        Stmt::Local(local) => local.let_token.span,
        Stmt::Item(item) => item.span(),
        Stmt::Expr(expr, _) => expr.span(),
        Stmt::Macro(mac) => mac.mac.path.span(),
    }
}

/// `let name = expr;`, with a type annotation allowed only when it names the
/// function's scalar type.
/// The type annotations a `let` may carry.
#[derive(Clone, Copy)]
enum Annotation<'a> {
    /// None: the inline form, where every value has the inputs' type.
    None,
    /// The function's scalar type (`None` if it has no return type).
    Scalar(Option<&'a Type>),
    /// Any: a function over arrays.
    Any,
}

/// `let name = expr;`, and the `mut` if it has one.
fn binding(
    local: syn::Local,
    annotation: Annotation,
    errors: &mut Errors,
) -> Option<(Binding, Option<Span>)> {
    let (pat, ty) = match local.pat {
        Pat::Type(typed) => (*typed.pat, Some(typed.ty)),
        pat => (pat, None),
    };
    let (name, mutable) = match pat {
        Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => (
            ident.ident,
            ident.mutability.map(|mutability| mutability.span),
        ),
        other => {
            errors.push(syn::Error::new_spanned(
                other,
                "expected a plain name: `let name = expression;`",
            ));
            return None;
        }
    };
    if let Some(ty) = ty {
        match annotation {
            Annotation::Any | Annotation::Scalar(None) => {}
            Annotation::Scalar(Some(scalar)) if same_type(&ty, scalar) => {}
            Annotation::Scalar(Some(scalar)) => errors.push(syn::Error::new_spanned(
                ty,
                format!(
                    "every value of this function has its scalar type `{}`",
                    quote::ToTokens::to_token_stream(scalar)
                ),
            )),
            Annotation::None => errors.push(syn::Error::new_spanned(
                ty,
                "type annotations are not allowed on a `let` of an inline formula: every value has the formula's scalar type, which the output may name (`y: f64 = expression`)",
            )),
        }
    }
    let Some(init) = local.init else {
        errors.push(syn::Error::new_spanned(
            &name,
            format!("`{name}` needs a value: `let {name} = expression;`"),
        ));
        return None;
    };
    if let Some((else_token, _)) = init.diverge {
        errors.push(syn::Error::new_spanned(
            else_token,
            "`let ... else` is not supported in a formula",
        ));
    }
    Some((
        Binding {
            name,
            expr: *init.expr,
        },
        mutable,
    ))
}

/// Whether `expr` is a statement however it ends (`s += x`, a loop), not
/// a value a function could return.
fn is_statement_expression(expr: &Expr) -> bool {
    match expr {
        Expr::Binary(binary) => is_compound_assignment(&binary.op),
        Expr::Assign(_) | Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => true,
        _ => false,
    }
}

/// The statements of a function body, with its top-level `let`s collected
/// as the intermediates that get a field.
struct Body<'a, 'e> {
    annotation: Annotation<'a>,
    /// Whether the function is over ndarray arrays, where loops do not apply.
    arrays: bool,
    bindings: Vec<Binding>,
    errors: &'e mut Errors,
}

impl Body<'_, '_> {
    /// One statement, `depth` loops deep; `None` once its mistakes are reported.
    fn statement(&mut self, statement: &Stmt, depth: usize) -> Option<Statement> {
        match statement {
            Stmt::Local(local) => {
                let (binding, mutable) = binding(local.clone(), self.annotation, self.errors)?;
                match mutable {
                    Some(mutability) if self.arrays => {
                        self.errors.push(syn::Error::new(
                            mutability,
                            "`let mut` is not supported over ndarray arrays: write the formula with array operations",
                        ));
                        None
                    }
                    Some(_) => Some(Statement::Accumulator(binding)),
                    None if depth == 0 => {
                        self.bindings.push(binding);
                        Some(Statement::Let(self.bindings.len() - 1))
                    }
                    None => Some(Statement::Local(binding)),
                }
            }
            Stmt::Expr(expr, _) => self.expression_statement(expr, depth),
            Stmt::Item(item) => {
                self.errors.push(syn::Error::new(
                    item.span(),
                    "an item inside a grad! function: define it outside grad!",
                ));
                None
            }
            Stmt::Macro(mac) => {
                self.errors.push(syn::Error::new(
                    mac.mac.path.span(),
                    "a macro call inside a grad! function: write the formula with its operations",
                ));
                None
            }
        }
    }

    fn expression_statement(&mut self, expr: &Expr, depth: usize) -> Option<Statement> {
        let reject = |errors: &mut Errors, span: Span, message: &str| {
            errors.push(syn::Error::new(span, message));
            None
        };
        match expr {
            Expr::ForLoop(for_loop) => self.for_loop(for_loop, depth),
            Expr::Binary(binary) if is_compound_assignment(&binary.op) => {
                let op = match binary.op {
                    syn::BinOp::AddAssign(_) => UpdateOp::Add,
                    syn::BinOp::SubAssign(_) => UpdateOp::Sub,
                    syn::BinOp::MulAssign(_) => UpdateOp::Mul,
                    syn::BinOp::DivAssign(_) => UpdateOp::Div,
                    _ => {
                        return reject(
                            self.errors,
                            binary.op.span(),
                            "unsupported update: an accumulator changes with `+=`, `-=`, `*=` or `/=`",
                        );
                    }
                };
                let name = self.assigned_name(&binary.left)?;
                Some(Statement::Update(Update {
                    name,
                    op,
                    op_span: binary.op.span(),
                    expr: (*binary.right).clone(),
                }))
            }
            Expr::Assign(assign) => {
                let name = self.assigned_name(&assign.left)?;
                Some(Statement::Update(Update {
                    name,
                    op: UpdateOp::Assign,
                    op_span: assign.eq_token.span,
                    expr: (*assign.right).clone(),
                }))
            }
            Expr::While(while_loop) => reject(
                self.errors,
                while_loop.while_token.span,
                "`while` is not supported: loop with `for i in start..end`, whose bounds are known when it starts",
            ),
            Expr::Loop(endless) => reject(
                self.errors,
                endless.loop_token.span,
                "`loop` is not supported: loop with `for i in start..end`, whose bounds are known when it starts",
            ),
            Expr::Break(_) | Expr::Continue(_) | Expr::Return(_) => {
                self.errors.extend(jump_error(expr));
                None
            }
            // An `if` around a `break`, `continue` or `return` is there for
            // it: that is the mistake to report.
            Expr::If(condition) => {
                let jumps = jumps_within(expr);
                if jumps.is_empty() {
                    return reject(
                        self.errors,
                        condition.if_token.span,
                        "`if` is an expression in a grad! function: choose a value, as in `s += if x > 0.0 { x } else { -x };`",
                    );
                }
                self.errors.extend(jumps);
                None
            }
            other if depth > 0 => reject(
                self.errors,
                other.span(),
                "a loop body holds `let`s, updates of accumulators such as `s += x[i];` and loops; it returns nothing",
            ),
            other => reject(
                self.errors,
                other.span(),
                "expected `let name = expression;`, an update such as `s += x;`, a `for` loop, or the returned expression",
            ),
        }
    }

    /// The name an update assigns to; an element or a field is reported.
    fn assigned_name(&mut self, target: &Expr) -> Option<Ident> {
        match target {
            Expr::Path(path) if path.qself.is_none() && path.path.get_ident().is_some() => {
                path.path.get_ident().cloned()
            }
            Expr::Index(index) => {
                self.errors.push(syn::Error::new_spanned(
                    index,
                    "assignment to an element: a grad! function reads its arrays; accumulate in a `let mut` instead",
                ));
                None
            }
            other => {
                self.errors.push(syn::Error::new_spanned(
                    other,
                    "only an accumulator (`let mut s = 0.0;`) can be updated",
                ));
                None
            }
        }
    }

    fn for_loop(&mut self, for_loop: &syn::ExprForLoop, depth: usize) -> Option<Statement> {
        let span = for_loop.for_token.span;
        if self.arrays {
            self.errors.push(syn::Error::new(
                span,
                "loops are not supported over ndarray arrays: write the formula with array operations (loops read scalars from `[T; N]` and `&[T]` parameters)",
            ));
            return None;
        }
        if let Some(label) = &for_loop.label {
            self.errors.push(syn::Error::new_spanned(
                label,
                "loop labels are not supported: a loop runs its whole range",
            ));
        }
        let variable = match &*for_loop.pat {
            Pat::Ident(ident)
                if ident.by_ref.is_none()
                    && ident.mutability.is_none()
                    && ident.subpat.is_none() =>
            {
                Some(ident.ident.clone())
            }
            other => {
                self.errors.push(syn::Error::new_spanned(
                    other,
                    "expected a loop variable: `for i in start..end`",
                ));
                None
            }
        };
        let range = match &*for_loop.expr {
            Expr::Range(syn::ExprRange {
                start: Some(start),
                limits,
                end: Some(end),
                ..
            }) => Some((
                (**start).clone(),
                (**end).clone(),
                matches!(limits, syn::RangeLimits::Closed(_)),
            )),
            other => {
                self.errors.push(syn::Error::new_spanned(
                    other,
                    "expected a range with both bounds: `for i in start..end` or `start..=end`",
                ));
                None
            }
        };
        let body: Vec<Statement> = for_loop
            .body
            .stmts
            .iter()
            .filter_map(|statement| self.statement(statement, depth + 1))
            .collect();
        let (start, end, inclusive) = range?;
        Some(Statement::For(Loop {
            variable: variable?,
            start,
            end,
            inclusive,
            body,
            span,
        }))
    }
}

fn same_type(a: &Type, b: &Type) -> bool {
    quote::ToTokens::to_token_stream(a).to_string()
        == quote::ToTokens::to_token_stream(b).to_string()
}

fn function(item: ItemFn, errors: &mut Errors) -> Option<Function> {
    let before = errors.len();
    let sig = &item.sig;
    if let Some(constness) = sig.constness {
        errors.push(syn::Error::new_spanned(
            constness,
            "a grad! function cannot be `const`",
        ));
    }
    if let Some(asyncness) = sig.asyncness {
        errors.push(syn::Error::new_spanned(
            asyncness,
            "a grad! function cannot be `async`",
        ));
    }
    if let Some(unsafety) = sig.unsafety {
        errors.push(syn::Error::new_spanned(
            unsafety,
            "a grad! function cannot be `unsafe`",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            "a grad! function cannot be `extern`",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "a grad! function cannot be variadic",
        ));
    }
    let scalar = match &sig.output {
        ReturnType::Type(_, ty) if matches!(**ty, Type::Path(_)) => Some((**ty).clone()),
        ReturnType::Type(_, ty) => {
            errors.push(syn::Error::new_spanned(
                ty,
                "a grad! function returns one scalar, such as `f64`, `f32` or a generic `T`: the value it differentiates",
            ));
            None
        }
        ReturnType::Default => {
            errors.push(syn::Error::new_spanned(
                &sig.ident,
                format!(
                    "`{}` needs a return type: a grad! function returns its scalar type, such as `-> f64`",
                    sig.ident
                ),
            ));
            None
        }
    };
    let mut params = Vec::new();
    for input in &sig.inputs {
        match input {
            syn::FnArg::Receiver(receiver) => errors.push(syn::Error::new_spanned(
                receiver,
                "a grad! function cannot take `self`: write a free function",
            )),
            syn::FnArg::Typed(typed) => {
                let name = match &*typed.pat {
                    Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => {
                        ident.ident.clone()
                    }
                    other => {
                        errors.push(syn::Error::new_spanned(
                            other,
                            "expected a plain parameter name: `name: scalar`",
                        ));
                        continue;
                    }
                };
                let constant = typed
                    .attrs
                    .iter()
                    .any(|attr| attr.path().is_ident("constant"));
                let array = !is_discrete(&typed.ty)
                    && !is_float(&typed.ty)
                    && !scalar.as_ref().is_some_and(|scalar| {
                        same_type(&typed.ty, scalar) || is_elements(&typed.ty, scalar)
                    });
                let kind = match &scalar {
                    _ if constant || is_discrete(&typed.ty) => ParameterKind::Constant,
                    Some(scalar) if same_type(&typed.ty, scalar) => ParameterKind::Scalar,
                    Some(scalar) if is_elements(&typed.ty, scalar) => ParameterKind::Elements,
                    Some(scalar) if is_float(&typed.ty) => {
                        errors.push(syn::Error::new_spanned(
                            &typed.ty,
                            format!(
                                "every scalar parameter has the type the function returns, `{}`",
                                quote::ToTokens::to_token_stream(scalar)
                            ),
                        ));
                        ParameterKind::Scalar
                    }
                    _ => ParameterKind::Array,
                };
                params.push(Parameter {
                    name,
                    ty: (*typed.ty).clone(),
                    kind,
                    array,
                });
            }
        }
    }
    let arrays = params.iter().any(|param| param.array);
    if arrays {
        // Over ndarray arrays a Rust array is one more array operand.
        for param in &mut params {
            if param.kind == ParameterKind::Elements {
                param.kind = ParameterKind::Array;
            }
        }
    }
    let mut output = None;
    let statements = &item.block.stmts;
    if statements.is_empty() {
        errors.push(syn::Error::new_spanned(
            &item.block,
            "empty body: end the function with the expression it returns",
        ));
    }
    let mut body = Body {
        // Over arrays the values have many types: any annotation goes.
        annotation: if arrays {
            Annotation::Any
        } else {
            Annotation::Scalar(scalar.as_ref())
        },
        arrays,
        bindings: Vec::new(),
        errors,
    };
    let mut structure = Vec::new();
    for (i, statement) in statements.iter().enumerate() {
        let last = i + 1 == statements.len();
        match statement {
            Stmt::Expr(Expr::Return(ret), _) => body.errors.push(syn::Error::new_spanned(
                ret.return_token,
                "`return` is not supported: end the function with the expression it returns",
            )),
            Stmt::Expr(expr, None) if last && !is_statement_expression(expr) => {
                output = Some(expr.clone());
            }
            Stmt::Expr(expr, Some(semi)) if last && !is_statement_expression(expr) => {
                body.errors.push(syn::Error::new_spanned(
                    semi,
                    format!(
                        "remove this `;`: `{}` returns its last expression",
                        sig.ident
                    ),
                ));
                // Checked as the output all the same, to report its mistakes too.
                output = Some(expr.clone());
            }
            statement => {
                structure.extend(body.statement(statement, 0));
                if last {
                    let after = match statement {
                        Stmt::Local(_) => "`let`",
                        Stmt::Expr(Expr::ForLoop(_), _) => "loop",
                        _ => "statement",
                    };
                    body.errors.push(syn::Error::new_spanned(
                        statement,
                        format!("the function must end with the expression it returns, after this {after}"),
                    ));
                }
            }
        }
    }
    let bindings = body.bindings;
    // Later stages still check a function whose signature or shape is wrong,
    // so that every mistake is reported in one go; nothing is generated.
    let mut item = item;
    for input in &mut item.sig.inputs {
        if let syn::FnArg::Typed(typed) = input {
            typed.attrs.retain(|attr| !attr.path().is_ident("constant"));
        }
    }
    Some(Function {
        has_shape_errors: errors.len() > before,
        params,
        arrays,
        scalar: scalar.unwrap_or_else(|| syn::parse_quote!(f64)),
        formula: Formula {
            bindings,
            statements: structure,
            output_name: item.sig.ident.clone(),
            output: output?,
            scalar: None,
        },
        item,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many statements at the start of `text` [`simple_let`] reads.
    fn read_directly(text: &str) -> usize {
        let count = |input: ParseStream| {
            let mut count = 0;
            while next_simple_let(input).is_some() {
                count += 1;
            }
            skip_rest(input);
            Ok(count)
        };
        count.parse_str(text).expect("the test's text lexes")
    }

    /// Parses `text` as a block's statements, with the direct reading of
    /// simple `let`s and with syn alone.
    fn both(text: &str) -> (Vec<Stmt>, Vec<Stmt>) {
        let tokens: TokenStream = text.parse().expect("the test's text lexes");
        let direct = statements.parse2(tokens.clone()).expect("parses");
        let by_syn = syn::Block::parse_within.parse2(tokens).expect("syn parses");
        (direct, by_syn)
    }

    #[test]
    fn simple_lets_are_the_trees_syn_builds() {
        let text = "
            let a = x * y; let b = x - 2.0; let c = 1.5 / y; let d = a + b;
            let e = -d; let f = -3; let g = e.exp(); let h = g.powi(2);
            let i = h.max(c); let j = x.mul_add(y, 2.0); let k = sigmoid(j);
            let l = f(x, y,); let m = r#type; let n = 7;
            n
        ";
        let (direct, by_syn) = both(text);
        assert_eq!(direct, by_syn);
        assert_eq!(direct.len(), 15);
        // The fourteen `let`s, not the result, are read without syn.
        assert_eq!(read_directly(text), 14);
    }

    #[test]
    fn anything_else_is_left_to_syn() {
        // Each of these starts like a simple `let` and is not one; after
        // it, syn parses every statement, simple or not.
        for text in [
            "let a = x * y * z; let b = a;",
            "let a = x - -y; let b = a;",
            "let a: f64 = x; let b = a;",
            "let a = x.y; let b = a;",
            "let a = x.exp() * y; let b = a;",
            "let a = std::f64::consts::PI; let b = a;",
            "let a = x % y; let b = a;",
            "let a = if c { x } else { y }; let b = a;",
            "let mut a = x; let b = a;",
            "let a = x as f32; let b = a;",
            "let a = f(x * y); let b = a;",
            "let a = x.powi::<i32>(2); let b = a;",
        ] {
            let (direct, by_syn) = both(text);
            assert_eq!(direct, by_syn, "{text}");
            assert_eq!(read_directly(text), 0, "{text}");
        }
        // A simple `let`, then a statement that is not a `let`.
        let text = "let a = x; a += y; let b = a;";
        let (direct, by_syn) = both(text);
        assert_eq!(direct, by_syn, "{text}");
        assert_eq!(read_directly(text), 1, "{text}");
    }

    #[test]
    fn a_simple_let_stops_at_the_group_it_is_in() {
        // The invisible group of a `$value:expr` is not stepped out of.
        let value = proc_macro2::Group::new(proc_macro2::Delimiter::None, quote::quote!(x + y));
        let tokens = quote::quote!(let a = #value; let b = a * 2.0;);
        let direct = statements.parse2(tokens.clone()).expect("parses");
        let by_syn = syn::Block::parse_within.parse2(tokens).expect("syn parses");
        assert_eq!(direct, by_syn);
    }
}
