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
}

/// What a parameter is to the formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParameterKind {
    /// A scalar of the function's type: an input, with a gradient.
    Scalar,
    /// Any other type but a label: an array (`&Array2<f64>`, `Array1<f32>`,
    /// …), an input with a gradient of its own type.
    Array,
    /// Marked `#[constant]`, or an integer, `bool` or label type (`usize`,
    /// `&[usize]`, …): read as a constant, with no gradient.
    Constant,
}

impl Function {
    /// The names of the parameters that are inputs (that get a gradient).
    pub fn inputs(&self) -> Vec<Ident> {
        self.params
            .iter()
            .filter(|param| param.kind != ParameterKind::Constant)
            .map(|param| param.name.clone())
            .collect()
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
                if let Some(binding) = binding(local, Annotation::None, errors) {
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
/// The type annotations a `let` may carry.
enum Annotation<'a> {
    /// None: the inline form, where every value has the inputs' type.
    None,
    /// The function's scalar type (`None` if it has no return type).
    Scalar(Option<&'a Type>),
    /// Any: a function over arrays.
    Any,
}

fn binding(local: syn::Local, annotation: Annotation, errors: &mut Errors) -> Option<Binding> {
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
                let kind = match &scalar {
                    _ if constant || is_discrete(&typed.ty) => ParameterKind::Constant,
                    Some(scalar) if same_type(&typed.ty, scalar) => ParameterKind::Scalar,
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
                });
            }
        }
    }
    let arrays = params
        .iter()
        .any(|param| param.kind == ParameterKind::Array);
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
                // Over arrays the values have many types: any annotation goes.
                let annotation = if arrays {
                    Annotation::Any
                } else {
                    Annotation::Scalar(scalar.as_ref())
                };
                if let Some(binding) = binding(local.clone(), annotation, errors) {
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
            output_name: item.sig.ident.clone(),
            output: output?,
        },
        item,
    })
}
