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

use crate::errors::Errors;
use proc_macro2::{Span, TokenStream};
use syn::parse::ParseStream;
use syn::parse::Parser;
use syn::parse::discouraged::Speculative;
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
    Inline(Formula),
    /// One or more `fn` items.
    Functions(Vec<Function>),
}

/// A body: named intermediates, then the output.
pub struct Formula {
    /// `let name = expr;` in order.
    pub bindings: Vec<Binding>,
    /// The output's name (the function's name in the function form).
    pub output_name: Ident,
    /// The output's expression.
    pub output: Expr,
}

/// `let name = expr;`
pub struct Binding {
    pub name: Ident,
    pub expr: Expr,
}

/// A function written in the function form.
pub struct Function {
    /// The item as the user wrote it; it is emitted unchanged as the forward function.
    pub item: ItemFn,
    /// The parameters, which are the inputs, in order.
    pub params: Vec<Ident>,
    /// The scalar type: the return type, shared by every parameter.
    pub scalar: Type,
    /// The body.
    pub formula: Formula,
    /// Whether its signature or body shape was reported as wrong.
    pub has_shape_errors: bool,
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
        Form::Inline => inline(input, errors).map(GradInput::Inline),
        Form::Functions => {
            let mut functions = Vec::new();
            while !input.is_empty() {
                if !starts_item(input, &[]) {
                    return Err(input.error(
                        "expected `fn`: a grad! block that starts with a function holds only functions",
                    ));
                }
                let item: ItemFn = input.parse()?;
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
            input.parse::<TokenStream>()?;
            return Ok(Form::Inline);
        }
        while !input.is_empty() {
            if !starts_item(input, ITEM_STARTS) {
                input.parse::<TokenStream>()?;
                return Ok(Form::Inline);
            }
            let item = input.fork();
            if item.parse::<syn::Item>().is_err() {
                // A syntax error inside the functions: the function form
                // reports it.
                input.parse::<TokenStream>()?;
                return Ok(Form::Functions);
            }
            input.advance_to(&item);
        }
        Ok(Form::Functions)
    };
    decide.parse2(tokens.clone()).unwrap_or(Form::Inline)
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
    let statements = syn::Block::parse_within(input)?;
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
                if let Some(binding) = binding(local, None, errors) {
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
            bindings,
            output_name,
            output,
        }),
        None => Err(syn::Error::new(
            last_span.unwrap_or_else(Span::call_site),
            "no output assignment: end the body with `output = expression`, for example `price = total * tax`",
        )),
    }
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
fn binding(local: syn::Local, scalar: Option<&Type>, errors: &mut Errors) -> Option<Binding> {
    let (pat, ty) = match local.pat {
        Pat::Type(typed) => (*typed.pat, Some(typed.ty)),
        pat => (pat, None),
    };
    let name = match pat {
        Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => {
            if let Some(mutability) = ident.mutability {
                errors.push(syn::Error::new_spanned(
                    mutability,
                    "`let mut` is not supported: every value in a formula is bound once",
                ));
            }
            ident.ident
        }
        other => {
            errors.push(syn::Error::new_spanned(
                other,
                "expected a plain name: `let name = expression;`",
            ));
            return None;
        }
    };
    if let Some(ty) = ty {
        match scalar {
            Some(scalar) if same_type(&ty, scalar) => {}
            Some(scalar) => errors.push(syn::Error::new_spanned(
                ty,
                format!(
                    "every value of this function has its scalar type `{}`",
                    quote::ToTokens::to_token_stream(scalar)
                ),
            )),
            None => errors.push(syn::Error::new_spanned(
                ty,
                "type annotations are not allowed in an inline formula: every value has the inputs' scalar type",
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
    Some(Binding {
        name,
        expr: *init.expr,
    })
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
        ReturnType::Type(_, ty) => Some((**ty).clone()),
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
                match &*typed.pat {
                    Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => {
                        params.push(ident.ident.clone());
                    }
                    other => {
                        errors.push(syn::Error::new_spanned(
                            other,
                            "expected a plain parameter name: `name: scalar`",
                        ));
                        continue;
                    }
                }
                if let Some(scalar) = &scalar
                    && !same_type(&typed.ty, scalar)
                {
                    errors.push(syn::Error::new_spanned(
                        &typed.ty,
                        format!(
                            "every parameter has the scalar type the function returns, `{}`",
                            quote::ToTokens::to_token_stream(scalar)
                        ),
                    ));
                }
            }
        }
    }
    let mut bindings = Vec::new();
    let mut output = None;
    let statements = &item.block.stmts;
    if statements.is_empty() {
        errors.push(syn::Error::new_spanned(
            &item.block,
            "empty body: end the function with the expression it returns",
        ));
    }
    for (i, statement) in statements.iter().enumerate() {
        let last = i + 1 == statements.len();
        match statement {
            Stmt::Local(local) => {
                if let Some(binding) = binding(local.clone(), scalar.as_ref(), errors) {
                    bindings.push(binding);
                }
                if last {
                    errors.push(syn::Error::new_spanned(
                        local,
                        "the function must end with the expression it returns, after this `let`",
                    ));
                }
            }
            Stmt::Expr(Expr::Return(ret), _) => errors.push(syn::Error::new_spanned(
                ret.return_token,
                "`return` is not supported: end the function with the expression it returns",
            )),
            Stmt::Expr(expr, None) if last => output = Some(expr.clone()),
            Stmt::Expr(expr, Some(semi)) if last => {
                errors.push(syn::Error::new_spanned(
                    semi,
                    format!(
                        "remove this `;`: `{}` returns its last expression",
                        sig.ident
                    ),
                ));
                // Checked as the output all the same, to report its mistakes too.
                output = Some(expr.clone());
            }
            other => errors.push(syn::Error::new(
                statement_span(other),
                "expected `let name = expression;` or the returned expression",
            )),
        }
    }
    // Later stages still check a function whose signature or shape is wrong,
    // so that every mistake is reported in one go; nothing is generated.
    Some(Function {
        has_shape_errors: errors.len() > before,
        params,
        scalar: scalar.unwrap_or_else(|| syn::parse_quote!(f64)),
        formula: Formula {
            bindings,
            output_name: item.sig.ident.clone(),
            output: output?,
        },
        item,
    })
}
