//! Stage 4: a valid graph to Rust code.
//!
//! The code runs one grad-core layer's formulas per operation node, forward
//! in node order and backward in reverse, as the seed does with its layers
//! by hand. It calls each layer's rule (`UnaryRule`, `BinaryRule`) through
//! the plain functions of grad-core's `steps`, with what each operation saved
//! in locals rather than in layer objects, which rustc compiles much faster
//! at thousands of operations (see `steps`); where the scalar type is named,
//! an operator is its arithmetic instead, forward and backward (the table's
//! `Adjoint`), and in `f32` and `f64` a method is the method. It is
//! straight-line: no allocation, no dispatch, no tape.
//!
//! **One engine.** With the `graph` feature, the forward and backward code is
//! written once, generic over a `Trace`: what `backward` and `name_grad` run
//! with `NoTrace` (every hook empty and compiled away), and what the graph
//! methods run with a `Recorder`, which keeps the numbers this same code
//! computes. So a picture shows the expansion's own values and gradients;
//! nothing computes them a second time another way. Without the feature, no
//! hook and no graph method is emitted at all.
//!
//! Two costs of compiling shape the code. rustc with debuginfo overflows its
//! stack on a function holding a few thousand sequential `let`s, so values
//! are not one `let` each: they are declared up front, 64 to a `let (v0, ..,
//! v63);`, and then assigned. And a proc macro runs unoptimised, where building
//! tokens one by one cost more than rustc's check of them: the per-node
//! statements are written as text and lexed by rustc at once
//! (`generate_text`). Text has no hygiene, so every local the expansion
//! introduces starts with a prefix that no identifier of the macro's input
//! starts with: it can neither shadow nor be shadowed by the user's
//! variables.

use crate::generate_arrays as arrays;
use crate::generate_loops as loops;
use crate::generate_text::{self as text, Code};
use crate::graph::{Graph, NodeId, NodeKind, unraw};
use crate::parse::Function;
use grad_core::ops::{OPERATIONS, Operation, Shape, Syntax};
use proc_macro2::{Literal, Spacing, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use std::fmt::Write as _;
use syn::Ident;

/// How many locals one `let` declares.
const LOCALS_PER_LET: usize = 64;

/// Whether pictures are emitted: the `graph` feature of `grad`.
pub(crate) const PICTURES: bool = cfg!(feature = "graph");

/// A local variable of the expansion, invisible to the user's code: its
/// name starts with a prefix no identifier of the macro's input starts with
/// ([`text::namespace`]).
pub(crate) fn local(name: &str) -> Ident {
    text::local_ident(format_args!("{name}"))
}

/// The expansion's locals numbered by node (or edge, or field): one letter
/// each, named in one place for the tokens and the text that use them.
#[derive(Clone, Copy)]
enum Numbered {
    /// A node's value.
    Value,
    /// A node's gradient.
    Adjoint,
    /// The gradient along an edge.
    Edge,
    /// The exponent of a `powi` node.
    Exponent,
    /// The partials of a custom operation's node.
    Partials,
    /// An input, bound in the caller's block (see [`Plan::call_site_inputs`]).
    Input,
    /// A field of the gradients struct, read by `pairs()`.
    Field,
}

impl Numbered {
    /// The local's name, as the text writes it.
    fn name(self, index: usize) -> String {
        let letter = match self {
            Self::Value => 'v',
            Self::Adjoint => 'a',
            Self::Edge => 'e',
            Self::Exponent => 'k',
            Self::Partials => 'p',
            Self::Input => 'i',
            Self::Field => 'f',
        };
        text::local_name(format_args!("{letter}{index}"))
    }

    /// The local, as tokens name it.
    fn ident(self, index: usize) -> Ident {
        Ident::new(&self.name(index), Span::call_site())
    }
}

pub(crate) fn value_local(node: NodeId) -> Ident {
    Numbered::Value.ident(node)
}

fn adjoint_local(node: NodeId) -> Ident {
    Numbered::Adjoint.ident(node)
}

/// An input's parameter in the inline form's `__forward`: the input's own
/// name, which rustc's messages about the arguments then show. In that
/// function no user variable is in scope to shadow, and the steps (written
/// as text, at the call site) read the parameter by that name.
fn input_parameter(name: &Ident) -> Ident {
    let mut parameter = name.clone();
    parameter.set_span(Span::call_site().located_at(name.span()));
    parameter
}

fn exponent_local(node: NodeId) -> Ident {
    Numbered::Exponent.ident(node)
}

fn partials_local(node: NodeId) -> Ident {
    Numbered::Partials.ident(node)
}

/// `__grad`, what the forward and backward steps call `::grad::__private`
/// (see [`use_private`]), located at `at` so that an error in a step points
/// there.
fn private_alias(at: Span) -> Ident {
    Ident::new("__grad", Span::call_site().located_at(at))
}

/// `use ::grad::__private as __grad;`, at the top of a body of steps (where
/// there are operations, which alone use it): a formula has some three
/// paths to the steps per operation, and with them written out in full the
/// expansion of a 1,000-operation Rosenbrock was 680 KB of text against
/// 567 KB with the alias, all of it for the macro to write and rustc to read
/// back. The alias is an item, so it is named at the call site (items are
/// not hygienic), with a name no user code uses.
fn use_private(plan: &Plan) -> TokenStream {
    if plan.operations.is_empty() {
        return TokenStream::new();
    }
    let private = private_alias(Span::call_site());
    quote!(use ::grad::__private as #private;)
}

pub(crate) fn layer_field(node: NodeId) -> Ident {
    format_ident!("n{}", node)
}

/// `apple_price` to `ApplePrice`, for the names of generated types.
fn upper_camel(name: &Ident) -> String {
    let camel: String = unraw(name)
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect();
    // `_` alone, `_1` or `_·` leave no letter to start a type name with.
    if syn::parse_str::<Ident>(&camel).is_ok() {
        camel
    } else {
        format!("Formula{camel}")
    }
}

/// `text` as a raw string literal, `r#"…"#` with enough `#`s.
///
/// A formula's description has a line per node: written with `\n` escapes,
/// the literal of a 10,000-operation formula took rustc 9 s to compile; raw,
/// none measurable.
fn raw_string(text: &str) -> TokenStream {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    // Lexed by rustc (see `generate_text`): `proc_macro2`'s own lexer,
    // unoptimised, took as long over a 10,000-line description as rustc
    // takes to check a hundred of its operations.
    text::lex(&format!("r{hashes}\"{text}\"{hashes}"))
}

/// `let [v0, mut v1, ..]: [T; N];` in groups of [`LOCALS_PER_LET`], or
/// `let (v0, mut v1, ..);` where the scalar type is inferred.
///
/// With the scalar type known, each group is annotated with it: rustc
/// type-checks ten thousand deferred initialisations several times faster
/// when it does not have to infer their types. An array pattern names the
/// type once, where a tuple names it per local: at 10,000 operations,
/// 30,000 fewer tokens, and `cargo check` of the expanded code ran 3% fewer
/// instructions.
fn declare_text(code: &mut Code, locals: &[(String, bool)], scalar: Option<&str>) {
    for group in locals.chunks(LOCALS_PER_LET) {
        let (open, close) = if scalar.is_some() {
            ("[", "]")
        } else {
            ("(", ",)")
        };
        code.push_str("let ");
        code.push_str(open);
        for (index, (name, mutable)) in group.iter().enumerate() {
            if index > 0 {
                code.push_str(", ");
            }
            if *mutable {
                code.push_str("mut ");
            }
            code.push_str(name);
        }
        code.push_str(close);
        if let Some(scalar) = scalar {
            let _ = write!(code, ": [{scalar}; {}]", group.len());
        }
        code.push_str(";\n");
    }
}

/// How many edges one statement of a node's gradient adds up: rustc
/// overflows its stack on a chain of a few thousand binary operators
/// (rust-lang/rust#109648), and a node may have that many uses.
const TERMS_PER_SUM: usize = 64;

/// How many fields one comparison of a hand-written `PartialEq` joins with
/// `&&`: rustc overflows its stack on a chain of a few thousand binary
/// operators (rust-lang/rust#109648), which is what `#[derive(PartialEq)]`
/// writes for a struct of thousands of fields.
const FIELDS_PER_COMPARISON: usize = 64;

/// The most fields a gradients struct holds itself; past it, it holds the
/// rest in a chain of structs it dereferences to ([`Gradients::levels`]).
const FIELDS_PER_STRUCT: usize = 1024;

/// The most structs in a gradients chain: rustc follows `Deref` at most
/// 128 times (the default `recursion_limit`) when it looks a field up.
const MAX_STRUCTS: usize = 100;

/// `#[inline(always)]` where the user's profile optimises, `#[inline]`
/// where it does not (`debug_assertions`, the dev profile's default), for
/// the functions that hold a formula's steps.
///
/// Optimised, LLVM's inliner declines a function of thousands of steps, and
/// then every value and gradient is stored for a caller that reads a few
/// (10,000 operations: the release build took 1.3x to 1.9x as long).
/// Unoptimised, `inline(always)` still inlines, through LLVM's always-inliner,
/// and only copies the steps into every caller for the code generator: the
/// inline form's debug build of the 10,000-operation Rosenbrock spent 3.6 s
/// in LLVM's passes against 0.9 s for the hand-written adjoint.
fn inlined_where_optimised() -> TokenStream {
    quote! {
        #[cfg_attr(debug_assertions, inline)]
        #[cfg_attr(not(debug_assertions), inline(always))]
    }
}

/// `"f64"` or `"f32"` if `scalar` is that primitive type, which the
/// expansion may compute in with Rust's own literals and operators.
fn primitive(scalar: &TokenStream) -> Option<&'static str> {
    match scalar.to_string().as_str() {
        "f64" => Some("f64"),
        "f32" => Some("f32"),
        _ => None,
    }
}

/// The exponent of a `powi` written as an integer literal, `3` or `-1`.
fn literal_exponent(argument: &syn::Expr) -> Option<i32> {
    match argument {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) if int.suffix().is_empty() || int.suffix() == "i32" => int.base10_parse().ok(),
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => literal_exponent(expr)?.checked_neg(),
        syn::Expr::Paren(syn::ExprParen { expr, .. }) => literal_exponent(expr),
        _ => None,
    }
}

/// `PowiLayer::derivative(x, n, dout)` for an exponent known to the macro,
/// written out as that function computes it, bit for bit (but for a NaN's
/// sign): `dout` for `n = 1`, `dout * (2 * x)` for `n = 2`, and, in `f32`
/// and `f64` (`primitive`), `dout * n * x.powi(n - 1)` for the others. On a
/// generic scalar `2` is the local `two`, converted once per backward;
/// other exponents there are `None`, left to the rule's call.
///
/// Ten thousand calls in one function are what LLVM's inliner is slowest
/// at (each splits the function's one long block), and the rule's call
/// brings its `match` on the exponent, a branch per `powi` to fold.
fn powi_adjoint(
    primitive: Option<&str>,
    x: &str,
    exponent: i32,
    dout: &str,
    two: &mut Option<String>,
) -> Option<String> {
    let float = |value: f64| -> Option<String> {
        match primitive? {
            // As `cast::<f32>(f64::from(n))` rounds: through f64.
            #[allow(clippy::cast_possible_truncation)]
            "f32" => Some(Literal::f32_suffixed(value as f32).to_string()),
            _ => Some(Literal::f64_suffixed(value).to_string()),
        }
    };
    Some(match exponent {
        1 => dout.to_owned(),
        2 => {
            let two = match float(2.0) {
                Some(literal) => literal,
                None => two
                    .get_or_insert_with(|| text::local_name(format_args!("two")))
                    .clone(),
            };
            format!("{dout} * ({two} * {x})")
        }
        0 => float(0.0)?,
        // `dout * -1` is `-dout`, which clippy asks for.
        -1 if primitive.is_some() => format!("-{dout} * {x}.powi(-2)"),
        _ => {
            let n = float(f64::from(exponent))?;
            // Not `i32::MIN`: its magnitude does not parse as an `i32`.
            let lower = exponent - 1;
            format!("{dout} * {n} * {x}.powi({lower})")
        }
    })
}

/// `Debug`, `Clone` and `PartialEq` for a gradients struct, written as
/// derives would write them but with nothing that grows with the number of
/// fields in one expression, and each type parameter of `generics` bound
/// by the trait, as with a derive. `Clone` of a struct of `Copy` scalars
/// (`copy`) is a copy (a `Copy` impl is emitted too).
///
/// When the struct has `NAMES` and `pairs()` (`has_pairs`: the scalar
/// form's structs, whose fields are all `Copy` scalars), `Debug` and
/// `PartialEq` loop over `pairs()`, their type parameters bound by `Copy`
/// too. Otherwise they take a statement per field (`Debug`) or
/// [`FIELDS_PER_COMPARISON`] fields per statement (`PartialEq`), which at
/// 1,000 fields made `cargo check` of the crate a third slower (1.23 s
/// against 0.94 s with `-Z time-passes`). An array of references to the
/// fields instead of `pairs()` checks slower still: at 1,000 fields, each
/// of `Debug` and `PartialEq` then cost `cargo check` 0.1 s, a thousand
/// borrows for the borrow checker.
///
/// `fmt` is `#[inline]`, so that a crate that never prints the struct
/// never compiles it to machine code: compiled, the `Debug` of a
/// 1,000-operation formula's struct took its release build from 1.0 s to
/// 3.8 s (`pairs()` is three stores per field).
pub(crate) fn field_impls(
    name: &Ident,
    generics: &syn::Generics,
    fields: &[&Ident],
    copy: bool,
    has_pairs: bool,
) -> TokenStream {
    let (impl_generics, type_generics, where_clause) = generics.split_for_impl();
    let bounded = |bound: TokenStream| {
        let params = generics.type_params().map(|param| &param.ident);
        let existing = where_clause.map(|clause| &clause.predicates);
        let copy_bound = has_pairs.then(|| quote!(+ ::core::marker::Copy));
        quote!(where #(#params: #bound #copy_bound,)* #existing)
    };
    let debug_bounds = bounded(quote!(::core::fmt::Debug));
    let eq_bounds = bounded(quote!(::core::cmp::PartialEq));
    let (formatter, out, other) = (local("f"), local("out"), local("other"));
    let (debug_fields, eq_body) = if has_pairs {
        let [field, value, left, right, pairs] =
            ["field", "value", "left", "right", "pairs"].map(local);
        (
            quote! {
                for (#field, #value) in self.pairs() {
                    #out.field(#field, &#value);
                }
            },
            quote! {
                let mut #pairs = ::core::iter::Iterator::zip(
                    ::core::iter::IntoIterator::into_iter(self.pairs()),
                    #other.pairs(),
                );
                ::core::iter::Iterator::all(&mut #pairs, |((_, #left), (_, #right))| #left == #right)
            },
        )
    } else {
        let strings = fields.iter().map(|field| unraw(field));
        let comparisons = fields.chunks(FIELDS_PER_COMPARISON).map(|chunk| {
            quote! {
                if !(#(self.#chunk == #other.#chunk)&&*) {
                    return false;
                }
            }
        });
        (
            quote!(#(#out.field(#strings, &self.#fields);)*),
            quote! {
                #(#comparisons)*
                true
            },
        )
    };
    let debug = quote! {
        impl #impl_generics ::core::fmt::Debug for #name #type_generics #debug_bounds {
            #[inline]
            fn fmt(&self, #formatter: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut #out = #formatter.debug_struct(::core::stringify!(#name));
                #debug_fields
                #out.finish()
            }
        }
    };
    let clone = if copy {
        let copy_bounds = bounded(quote!(::core::marker::Copy));
        quote! {
            impl #impl_generics ::core::marker::Copy for #name #type_generics #copy_bounds {}
            // Written, not derived: a derived Clone of a generic struct
            // clones field by field, thousands of calls for rustc to check.
            #[allow(clippy::expl_impl_clone_on_copy)]
            impl #impl_generics ::core::clone::Clone for #name #type_generics #copy_bounds {
                #[inline]
                fn clone(&self) -> Self {
                    *self
                }
            }
        }
    } else {
        let clone_bounds = bounded(quote!(::core::clone::Clone));
        quote! {
            impl #impl_generics ::core::clone::Clone for #name #type_generics #clone_bounds {
                #[inline]
                fn clone(&self) -> Self {
                    Self { #(#fields: ::core::clone::Clone::clone(&self.#fields),)* }
                }
            }
        }
    };
    quote! {
        #debug
        #clone
        impl #impl_generics ::core::cmp::PartialEq for #name #type_generics #eq_bounds {
            #[inline]
            fn eq(&self, #other: &Self) -> bool {
                #eq_body
            }
        }
    }
}

/// What the code of one graph needs to know about its nodes.
pub(crate) struct Plan<'g> {
    pub(crate) graph: &'g Graph,
    /// The operation and custom nodes, which run a layer's formulas, in node order.
    pub(crate) operations: Vec<NodeId>,
    /// The local holding each node's gradient, if it keeps one.
    pub(crate) adjoint: Vec<Option<Ident>>,
    /// Whether each node has a field in the gradients struct: the inputs
    /// and the `let`s.
    named: Vec<bool>,
    /// Whether each node is on a path to the output.
    pub(crate) reachable: Vec<bool>,
    /// The index of each node's first operand edge: edges are numbered by
    /// the node they enter, then by operand position, as `grad-graph` does.
    pub(crate) first_edge: Vec<usize>,
    /// How many edges the graph has.
    edge_count: usize,
    /// The `dout` parameter.
    pub(crate) dout: Ident,
    /// The recorder parameter of the traced code, and its type parameter.
    pub(crate) trace: Ident,
    pub(crate) trace_type: Ident,
    /// Whether forward runs in the inline form's `__forward`, whose
    /// parameters are the inputs ([`input_parameter`]), the constants and the
    /// `powi` exponents, rather than where the caller's variables are.
    in_forward_function: bool,
    /// Whether the inputs are read by names at the call site (see
    /// [`input_parameter`]): where they are parameters of generated
    /// functions, the function form's straight-line code and the inline
    /// form's `__forward`. Otherwise (the inline form with a custom
    /// operation, whose forward runs in the caller's block) the text reads
    /// each input from a local bound from the user's own name.
    call_site_inputs: bool,
    /// Whether literals are written where they are read, not set once in a
    /// local: a number's ([`Plan::inlined`]) in the function form over
    /// `f64`, where the literal is the value; a `powi` exponent's
    /// ([`Plan::inlined_exponent`]) in both forms, which the inline value
    /// then does not store.
    inline_numbers: bool,
    inline_exponents: bool,
    /// For each node, the node whose local holds its value: itself, or for
    /// a number literal the first literal of the same value, so that a
    /// formula converts each distinct literal to its scalar once (the
    /// Rosenbrock's 2,500 literals at 10,000 operations are two numbers).
    holder: Vec<NodeId>,
}

impl<'g> Plan<'g> {
    fn new(graph: &'g Graph, trace_type: Ident) -> Self {
        let count = graph.nodes.len();
        let operations = (0..count)
            .filter(|&node| {
                matches!(
                    graph.nodes[node].kind,
                    NodeKind::Operation { .. } | NodeKind::Custom { .. }
                )
            })
            .collect();
        let mut reachable = vec![false; count];
        reachable[graph.output] = true;
        for node in (0..count).rev() {
            if reachable[node] {
                for &operand in graph.nodes[node].kind.operands() {
                    reachable[operand] = true;
                }
            }
        }
        // Inputs and `let`s get a field, so they keep a gradient even off
        // the output's paths (it is 0 there); other values keep one only on
        // those paths; constants and literals never do.
        let mut named = vec![false; count];
        for &input in &graph.inputs {
            named[input] = true;
        }
        for binding in &graph.bindings {
            named[binding.node] = true;
        }
        let adjoint = (0..count)
            .map(|node| {
                let is_value = matches!(
                    graph.nodes[node].kind,
                    NodeKind::Operation { .. } | NodeKind::Custom { .. }
                );
                (named[node] || (is_value && reachable[node])).then(|| adjoint_local(node))
            })
            .collect();
        let mut first_literal = std::collections::HashMap::new();
        let holder = (0..count)
            .map(|node| match graph.nodes[node].kind {
                NodeKind::Literal(number) => *first_literal.entry(number.to_bits()).or_insert(node),
                _ => node,
            })
            .collect();
        let mut first_edge = Vec::with_capacity(count);
        let mut edges = 0;
        for node in &graph.nodes {
            first_edge.push(edges);
            edges += node.kind.operands().len();
        }
        Self {
            graph,
            operations,
            adjoint,
            named,
            reachable,
            first_edge,
            edge_count: edges,
            dout: local("dout"),
            trace: local("trace"),
            trace_type,
            in_forward_function: false,
            call_site_inputs: false,
            inline_numbers: false,
            inline_exponents: false,
            holder,
        }
    }

    /// The literal a node's value is written as where it is read, if it is
    /// one: a number's (not negative, so that it needs no parentheses as a
    /// receiver or operand) with `inline_numbers`, as `100f64`. Rosenbrock's
    /// 10,000 operations have 2,500 such literals and 2,500 `powi`
    /// exponents: as locals, they were 15% of its expansion's locals, and
    /// written in place `cargo check` of the expanded code took 3.3 s
    /// against 3.8 s.
    fn inlined(&self, node: NodeId) -> Option<TokenTree> {
        match &self.graph.nodes[node].kind {
            NodeKind::Literal(number) if self.inline_numbers && !number.is_sign_negative() => {
                Some(TokenTree::Literal(Literal::f64_suffixed(*number)))
            }
            _ => None,
        }
    }

    /// A `powi` node's exponent if it is written in place: a literal, with
    /// `inline_exponents`.
    fn inlined_exponent(&self, node: NodeId) -> Option<i32> {
        match &self.graph.nodes[node].kind {
            NodeKind::Operation {
                argument: Some(argument),
                ..
            } if self.inline_exponents => literal_exponent(argument),
            _ => None,
        }
    }

    /// A node's value where an expression reads it: its literal if it is
    /// written in place ([`Plan::inlined`]), else [`Plan::value`].
    fn operand(&self, node: NodeId) -> TokenTree {
        self.inlined(node)
            .unwrap_or_else(|| TokenTree::Ident(self.value(node)))
    }

    /// [`Plan::operand`] as text.
    fn operand_text(&self, node: NodeId) -> String {
        match &self.graph.nodes[node].kind {
            NodeKind::Literal(number) if self.inline_numbers && !number.is_sign_negative() => {
                Literal::f64_suffixed(*number).to_string()
            }
            NodeKind::Input(name) if self.call_site_inputs => name.to_string(),
            NodeKind::Input(_) => Numbered::Input.name(node),
            _ => Numbered::Value.name(self.holder[node]),
        }
    }

    /// A `powi` node's exponent: its literal ([`Plan::inlined_exponent`]),
    /// or its local.
    fn exponent_text(&self, node: NodeId) -> String {
        match self.inlined_exponent(node) {
            Some(exponent) if exponent < 0 => format!("-{}", -i64::from(exponent)),
            Some(exponent) => exponent.to_string(),
            None => Numbered::Exponent.name(node),
        }
    }

    /// The value of a node as an expression: the input's name, the
    /// literal in the scalar type, or the local its step (or constant) set.
    fn value(&self, node: NodeId) -> Ident {
        match &self.graph.nodes[node].kind {
            NodeKind::Input(name) if self.call_site_inputs => input_parameter(name),
            NodeKind::Input(name) => name.clone(),
            _ => value_local(self.holder[node]),
        }
    }

    /// The nodes whose value is a local of the forward pass: every node
    /// but the inputs, the literals written in place and the literals whose
    /// value another literal's local holds ([`Plan::holder`]). Literals and
    /// constants are evaluated once, in the caller's scope, and their type
    /// is inferred from their use.
    fn value_locals(&self) -> Vec<NodeId> {
        (0..self.graph.nodes.len())
            .filter(|&node| !matches!(self.graph.nodes[node].kind, NodeKind::Input(_)))
            .filter(|&node| self.inlined(node).is_none() && self.holder[node] == node)
            .collect()
    }

    /// Runs forward: each operation's rule as a plain function (an operator
    /// as itself), its value in a local of the type `scalar`, or, with `None`
    /// (the inline form with a custom operation), with the scalar type
    /// inferred from the inputs. In the inline form's `__forward`
    /// ([`Plan::in_forward_function`]), constants and `powi` exponents are
    /// parameters, not computed here.
    ///
    /// ```text
    /// let [__gv2, __gv5, ..]: [f64; 64];   // the locals' prefix: see `generate_text`
    /// let __gp9: [f64; 2];                // the partials of custom operations
    /// let [__gk7]: [i32; 1];              // the exponents of `powi`
    /// __gv2 = apple * apple_num;
    /// __gk7 = (n); __gv7 = __gv5.powi(__gk7);
    /// __gv8 = __gv7.exp();
    /// (__gv9, __gp9) = __grad::custom::<_, 2, _>(f_grad(__gv2, __gv8));
    /// ```
    fn forward(&self, annotation: Option<&TokenStream>) -> TokenStream {
        // The steps are text (see `generate_text`), but for those a user
        // token goes into: a constant, a `powi` exponent's expression, a
        // custom operation's call.
        let scalar = annotation.map_or_else(|| String::from("_"), ToString::to_string);
        let annotated = annotation.is_some().then_some(scalar.as_str());
        let primitive = annotation.and_then(primitive);
        let parameters = self.in_forward_function;
        let is_parameter = |node: NodeId| {
            parameters && matches!(self.graph.nodes[node].kind, NodeKind::Constant(_))
        };
        let locals: Vec<(String, bool)> = self
            .value_locals()
            .into_iter()
            .filter(|&node| !is_parameter(node))
            .map(|node| (Numbered::Value.name(node), false))
            .collect();
        let mut exponents = Vec::new();
        let mut code = Code::default();
        // In the caller's block, the text reads each input from a local of
        // its own, bound from the user's name with the user's hygiene.
        if !self.call_site_inputs {
            for group in self.graph.inputs.chunks(LOCALS_PER_LET) {
                let locals = group.iter().map(|&node| Numbered::Input.ident(node));
                let names = group.iter().map(|&node| self.value(node));
                code.tokens(quote!(let (#(#locals,)*) = (#(#names,)*);));
            }
        }
        declare_text(&mut code, &locals, annotated);
        for &node in &self.operations {
            match &self.graph.nodes[node].kind {
                NodeKind::Operation { op, .. } if op.shape == Shape::UnaryInt => {
                    let local = !parameters && self.inlined_exponent(node).is_none();
                    exponents.extend(local.then(|| (Numbered::Exponent.name(node), false)));
                }
                // Few formulas call custom operations, and few times: one
                // `let` each.
                NodeKind::Custom { operands, .. } => {
                    let partials = Numbered::Partials.name(node);
                    let _ = match annotated {
                        Some(scalar) => {
                            writeln!(code, "let {partials}: [{scalar}; {}];", operands.len())
                        }
                        None => writeln!(code, "let {partials};"),
                    };
                }
                _ => {}
            }
        }
        declare_text(&mut code, &exponents, Some("i32"));
        // A table method's step, `x.sin()` or `x.powi(k)`, where the scalar
        // is named: on `f32` and `f64` the type's own method; on any other,
        // the same method through `Float`, whose method it is too (the
        // layer's forward calls it): one trait call for rustc to check and,
        // unoptimised, to compile, where the rule is a generic function over
        // the layer calling it. Written as a path there, since another trait
        // in the caller's scope may have a method of that name (num-traits'
        // `Real`, implemented for every `Float`). `false` for an operation
        // that is not a method, or where the scalar is inferred.
        let method_call = |code: &mut Code, op: &Operation, x: &str, rest: &str| -> bool {
            let Syntax::Method(name) = op.syntax else {
                return false;
            };
            let _ = match (primitive, annotated) {
                (Some(_), _) => write!(code, "{x}.{name}({rest})"),
                (None, Some(scalar)) if rest.is_empty() => {
                    write!(code, "<{scalar} as __grad::Float>::{name}({x})")
                }
                (None, Some(scalar)) => {
                    write!(code, "<{scalar} as __grad::Float>::{name}({x}, {rest})")
                }
                (None, None) => return false,
            };
            true
        };
        for node in self.value_locals() {
            let value = Numbered::Value.name(node);
            match &self.graph.nodes[node].kind {
                NodeKind::Literal(number) => {
                    let sign = if number.is_sign_negative() { "-" } else { "" };
                    let literal = Literal::f64_suffixed(number.abs());
                    // In `f64`, the literal is its own value; in any other
                    // scalar, `literal` converts it.
                    let _ = if primitive == Some("f64") {
                        writeln!(code, "{value} = {sign}{literal};")
                    } else {
                        writeln!(code, "{value} = __grad::literal({sign}{literal});")
                    };
                }
                NodeKind::Constant(_) if parameters => {}
                NodeKind::Constant(expr) => {
                    let span = self.graph.nodes[node].span;
                    let value = value_local(node);
                    code.tokens(quote_spanned!(span=> #value = #expr;));
                }
                NodeKind::Operation {
                    op,
                    operands,
                    argument,
                } => {
                    let operands: Vec<String> = operands
                        .iter()
                        .map(|&operand| self.operand_text(operand))
                        .collect();
                    // An operator's value is the operator itself (the
                    // table's spelling is what plain Rust computes): on a
                    // named scalar, rustc checks and builds `x * y` as one
                    // instruction, where the same step as a call is a call
                    // to check, and, unoptimised, to compile: at 1,000
                    // operations (Rosenbrock, function form), the debug
                    // build of the expansion took 0.93 s against 1.34 s
                    // with calls, and `cargo check` 2% fewer instructions.
                    // Where the locals' type is inferred (`_`), an operator
                    // on one of them is an error (rustc must know the left
                    // operand's type to find its `Mul`), so there the step
                    // stays a call.
                    let operator = match op.syntax {
                        Syntax::Infix(spelling) | Syntax::Prefix(spelling)
                            if annotated.is_some() =>
                        {
                            Some(spelling)
                        }
                        _ => None,
                    };
                    let layer = op.layer;
                    match op.shape {
                        Shape::Unary => {
                            let x = &operands[0];
                            let _ = write!(code, "{value} = ");
                            if let Some(operator) = operator {
                                let _ = write!(code, "{operator}{x}");
                            } else if !method_call(&mut code, op, x, "") {
                                let _ =
                                    write!(code, "__grad::unary::<__grad::{layer}<{scalar}>>({x})");
                            }
                        }
                        Shape::Binary => {
                            let (x, y) = (&operands[0], &operands[1]);
                            let _ = write!(code, "{value} = ");
                            if let Some(operator) = operator {
                                let _ = write!(code, "{x} {operator} {y}");
                            } else if !method_call(&mut code, op, x, y) {
                                let _ = write!(
                                    code,
                                    "__grad::binary::<__grad::{layer}<{scalar}>>({x}, {y})"
                                );
                            }
                        }
                        Shape::UnaryInt => {
                            let x = &operands[0];
                            let local = self.inlined_exponent(node).is_none();
                            if !parameters && local {
                                let span = self.graph.nodes[node].span;
                                let exponent = exponent_local(node);
                                code.tokens(quote_spanned!(span=> #exponent = #argument;));
                            }
                            let exponent = self.exponent_text(node);
                            let _ = write!(code, "{value} = ");
                            if !method_call(&mut code, op, x, &exponent) {
                                let _ = write!(code, "__grad::powi({x}, {exponent})");
                            }
                        }
                        Shape::UnaryLabels => {
                            unreachable!("operations with labels exist on arrays only")
                        }
                    }
                    code.push_str(";\n");
                }
                NodeKind::Custom { function, operands } => {
                    let span = self.graph.nodes[node].span;
                    let private = private_alias(span);
                    let value = value_local(node);
                    let arity = operands.len();
                    let operands = operands.iter().map(|&operand| self.operand(operand));
                    let mut derivative = function.clone();
                    if let Some(last) = derivative.segments.last_mut() {
                        last.ident = format_ident!("{}_grad", last.ident, span = last.ident.span());
                    }
                    let partials = partials_local(node);
                    code.tokens(quote_spanned! {span=>
                        (#value, #partials) = #private::custom::<_, #arity, _>(#derivative(#(#operands),*));
                    });
                }
                NodeKind::Input(_) => unreachable!("inputs have no local"),
                _ => unreachable!("loops, branches and elements are generated by generate_loops"),
            }
        }
        code.finish()
    }

    /// `if <R as Trace<S>>::ON { hooks }`: the hooks, compiled only when
    /// something records them. An empty hook left in place, even inlined,
    /// costs the `NoTrace` code its vectorisation (measured: 1.5x the
    /// instructions of the same code without hooks on Rosenbrock n = 100).
    pub(crate) fn traced(&self, scalar: &impl quote::ToTokens, hooks: TokenStream) -> TokenStream {
        let trace_type = &self.trace_type;
        quote!(if <#trace_type as ::grad::__private::Trace<#scalar>>::ON { #hooks })
    }

    /// Reports every node's value (the slice `values`, in node order) and
    /// every `powi` exponent (`Trace::powers`) to the trace, in one call
    /// each. The exponents are the locals `kN`, bound from the array where
    /// the inline value keeps them ([`StoredFields`]) when `stored` is given.
    fn report_values(
        &self,
        scalar: &TokenStream,
        values: &TokenStream,
        stored: Option<&StoredFields>,
    ) -> TokenStream {
        let trace = &self.trace;
        let powers = self.powers();
        let binding =
            stored.and_then(|stored| stored.bind_exponents(&self.stored_powers(), |_| true));
        // The exponents alone, in node order, which the recorder matches
        // with the `powi` nodes of the description.
        let exponents = (!powers.is_empty()).then(|| {
            let exponents = Code::list_tokens(powers.iter().map(|&node| self.exponent_text(node)));
            quote!(::grad::__private::Trace::<#scalar>::powers(#trace, &#exponents);)
        });
        self.traced(
            scalar,
            quote! {
                #binding
                ::grad::__private::Trace::values(#trace, #values);
                #exponents
            },
        )
    }

    /// The `powi` nodes, in node order.
    fn powers(&self) -> Vec<NodeId> {
        self.operations
            .iter()
            .copied()
            .filter(|&node| {
                matches!(&self.graph.nodes[node].kind,
                    NodeKind::Operation { op, .. } if op.shape == Shape::UnaryInt)
            })
            .collect()
    }

    /// The `powi` nodes whose exponent is a value, not written in place
    /// ([`Plan::inlined_exponent`]): those the inline value stores.
    fn stored_powers(&self) -> Vec<NodeId> {
        let mut powers = self.powers();
        powers.retain(|&node| self.inlined_exponent(node).is_none());
        powers
    }

    /// The custom operations' nodes, in node order.
    fn customs(&self) -> Vec<NodeId> {
        self.operations
            .iter()
            .copied()
            .filter(|&node| matches!(self.graph.nodes[node].kind, NodeKind::Custom { .. }))
            .collect()
    }

    /// Which operations backward runs and which edges it computes: with
    /// `traced`, every edge of an operation on a path to the output; otherwise
    /// only the edges into nodes that keep a gradient.
    pub(crate) fn schedule(&self, traced: bool) -> Schedule {
        let graph = self.graph;
        let mut kept = vec![false; self.edge_count];
        let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
        let mut visited = Vec::new();
        for &node in self.operations.iter().rev() {
            if !self.reachable[node] {
                continue;
            }
            let operands = graph.nodes[node].kind.operands();
            let keeps: Vec<bool> = operands
                .iter()
                .map(|&operand| traced || self.adjoint[operand].is_some())
                .collect();
            if !keeps.contains(&true) {
                continue;
            }
            for (position, &operand) in operands.iter().enumerate() {
                let edge = self.first_edge[node] + position;
                if keeps[position] {
                    kept[edge] = true;
                    outgoing[operand].push(edge);
                }
            }
            visited.push(node);
        }
        Schedule {
            kept,
            outgoing,
            visited,
        }
    }

    /// The backward pass, seeded with `dout`. Each operation's saved state
    /// is recomputed from the values around it, a rule's `save` only selects
    /// among its operands and output (which costs nothing once optimised):
    /// the forward's locals, or, in the inline form, the values it keeps
    /// (`stored`, see [`StoredFields`]).
    ///
    /// Each operation's backward writes one local per edge (or, for an
    /// operand's only edge, the operand's gradient itself); a node's gradient is
    /// the sum of its edges, in the order backward visits them (the last
    /// user first), taken just before its own operation runs backward. With
    /// `traced`, the edges into constants are kept too, and at the end every
    /// edge's gradient and every kept node's is reported to the trace: one
    /// call for the edges and the nodes without a name, one for the gradients
    /// struct, not one per node, because ten thousand reports cost rustc ten
    /// times the formula's own build time.
    ///
    /// ```text
    /// let [__ga0, __ga1, mut __ga4, ..]: [f64; 64];
    /// let [__ge0, __ge2, ..]: [f64; 64];  // edges into values used more than once
    /// __ga6 = __gdout;
    /// __ga5 = __ga6 * __gv5; __ga4 = __ga6 * __gv4;  // an operator: its Adjoint
    /// __ga7 = __ga8 * __gv8;                         // `exp` in f64: its Adjoint too
    /// __ga3 = __grad::unary_backward::<__grad::ReluLayer<f64>>(__gv2, __gv3, __ga7);  // else: the rule
    /// __ga0 = __ge0 + __ge2;                         // a value used twice sums its edges
    /// let __ggradients = FGrad { x: __ga0, .. };
    /// if <R as Trace<f64>>::ON {
    ///     // the edges marked `0` (not their operand's only use), and the nodes without a name
    ///     Trace::shared_gradients(__gtrace, &[__ge0, __ge2, ..], "0101-..", &[5, ..], &[__ga5, ..]);
    ///     Trace::field_gradients(__gtrace, &__ggradients.pairs());
    /// }
    /// __ggradients
    /// ```
    ///
    /// `construct` is the gradients struct's expression; the tokens end with
    /// it, or with the local it is bound to.
    fn backward(
        &self,
        scalar: &TokenStream,
        traced: bool,
        stored: Option<&StoredFields>,
        construct: &TokenStream,
    ) -> TokenStream {
        let primitive = primitive(scalar);
        let scalar_tokens = scalar;
        // The statements are text (see `generate_text`), the scalar too.
        let scalar_text = scalar.to_string();
        let scalar = &scalar_text;
        // A value backward reads: forward's local or input, or the local
        // that `stored`'s pattern binds (which binds only the values read).
        let mut read = vec![false; self.graph.nodes.len()];
        let mut value_of = |node: NodeId| -> String {
            read[node] = true;
            if stored.is_some() {
                Numbered::Value.name(node)
            } else {
                self.operand_text(node)
            }
        };
        let graph = self.graph;
        let count = graph.nodes.len();
        let (dout, trace) = (&self.dout, &self.trace);
        let Schedule {
            kept,
            outgoing,
            visited,
        } = self.schedule(traced);
        // Every name backward writes, made once: each is read several times.
        let adjoint_names: Vec<Option<String>> = (0..count)
            .map(|node| {
                self.adjoint[node]
                    .is_some()
                    .then(|| Numbered::Adjoint.name(node))
            })
            .collect();
        let edge_names: Vec<String> = (0..kept.len())
            .map(|index| Numbered::Edge.name(index))
            .collect();
        let adjoint_of = |node: NodeId| -> Option<&str> { adjoint_names[node].as_deref() };
        // An edge into a node that keeps a gradient and has no other edge
        // is written straight into that gradient's local: no edge local to
        // declare and copy, which at 10,000 operations is most of them.
        let direct = |node: NodeId| outgoing[node].len() == 1 && self.adjoint[node].is_some();
        let mut edge_target = vec![0; kept.len()];
        for (node, &first) in self.first_edge.iter().enumerate() {
            for (position, &operand) in graph.nodes[node].kind.operands().iter().enumerate() {
                edge_target[first + position] = operand;
            }
        }
        let edge_name = |index: usize| edge_names[index].as_str();
        // The local an edge's gradient is written to.
        let edge_value = |index: usize| -> &str {
            let target = edge_target[index];
            match adjoint_of(target) {
                Some(adjoint) if direct(target) => adjoint,
                _ => edge_name(index),
            }
        };
        // `a = e0 + e3 + ..;`: a node's gradient, its edges summed in the
        // order they arrive, in one statement per [`TERMS_PER_SUM`] edges,
        // each after the first starting from `Add::add(a, e)`, not `a + e`,
        // which clippy asks to write `a += e`, an operator `Float` scalars
        // need not have.
        let sum = |code: &mut Code, node: NodeId| {
            let Some(adjoint) = adjoint_of(node) else {
                return;
            };
            if direct(node) {
                return;
            }
            if outgoing[node].is_empty() {
                let _ = write!(
                    code,
                    "{adjoint} = <{scalar} as ::grad::__private::Zero>::zero();"
                );
                return;
            }
            for (index, chunk) in outgoing[node].chunks(TERMS_PER_SUM).enumerate() {
                let (first, rest) = chunk.split_first().expect("chunks are not empty");
                let first = edge_name(*first);
                let _ = if index == 0 {
                    write!(code, "{adjoint} = {first}")
                } else {
                    write!(
                        code,
                        "{adjoint} = ::core::ops::Add::add({adjoint}, {first})"
                    )
                };
                for &edge in rest {
                    let _ = write!(code, " + {}", edge_name(edge));
                }
                code.push_str(";\n");
            }
        };
        let arithmetic = Arithmetic::of(&self.operations, graph, primitive);
        // The scalar's 1, for the adjoints that read it: a literal, or on
        // another scalar a local set once, not a trait call per step.
        let one = match primitive {
            Some(primitive) => format!("1{primitive}"),
            None => text::local_name(format_args!("one")),
        };
        let mut reads_one = false;
        let mut summed = vec![false; count];
        let mut steps = Code::default();
        // The steps that write only edges into nodes that keep no gradient
        // (constants), which only the picture reads: inside its `if`, where
        // code without a trace does not compile them (at 1,000 operations,
        // Rosenbrock: 250 of the debug build's 1,900 backward steps).
        let mut traced_steps = Code::default();
        let for_picture = |operand: NodeId| self.adjoint[operand].is_none();
        // `2` in the scalar, if a square's backward reads it.
        let mut two: Option<String> = None;
        if let Some(output) = adjoint_of(graph.output) {
            let _ = writeln!(steps, "{output} = {dout};");
            summed[graph.output] = true;
        }
        for &node in &visited {
            if !summed[node] {
                sum(&mut steps, node);
                summed[node] = true;
            }
            let operands = graph.nodes[node].kind.operands();
            let targets: Vec<&str> = (0..operands.len())
                .map(|position| {
                    let index = self.first_edge[node] + position;
                    if kept[index] { edge_value(index) } else { "_" }
                })
                .collect();
            let Some(adjoint) = adjoint_of(node) else {
                unreachable!("an operation backward visits keeps a gradient")
            };
            // An operator's backward is its arithmetic (see the table's
            // `Adjoint`), one assignment per kept edge.
            if let NodeKind::Operation { op, operands, .. } = &graph.nodes[node].kind
                && let Some(arithmetic) = arithmetic.get(op)
            {
                // `dout`, the operands and the output, each read only if
                // the arithmetic reads it.
                let mut values = [
                    adjoint.to_owned(),
                    String::new(),
                    String::new(),
                    String::new(),
                    one.clone(),
                ];
                reads_one |= arithmetic.reads[3];
                for (position, read_node) in [operands.first(), operands.get(1), Some(&node)]
                    .into_iter()
                    .enumerate()
                {
                    if let Some(&read_node) = read_node
                        && arithmetic.reads[position]
                    {
                        values[position + 1] = value_of(read_node);
                    }
                }
                for (position, gradient) in arithmetic.gradients.iter().enumerate() {
                    if kept[self.first_edge[node] + position] {
                        let code = if for_picture(operands[position]) {
                            &mut traced_steps
                        } else {
                            &mut steps
                        };
                        let _ = write!(code, "{} = ", targets[position]);
                        Piece::write(gradient, &values, code);
                        code.push_str(";\n");
                    }
                }
                continue;
            }
            // The state is recomputed from the values around the
            // operation, so `save` and `derivative` run as one call, which
            // checks faster than two.
            // A rule's step writes all the operation's edges: it is the
            // picture's only when every one it writes is (an operation on
            // literals alone, `2.0_f64.sqrt()`).
            let step_for_picture = (operands.iter().enumerate())
                .filter(|&(position, _)| kept[self.first_edge[node] + position])
                .all(|(_, &operand)| for_picture(operand));
            let code = if step_for_picture {
                &mut traced_steps
            } else {
                &mut steps
            };
            let _ = match (&graph.nodes[node].kind, targets.as_slice()) {
                (NodeKind::Operation { op, operands, .. }, targets)
                    if matches!(op.shape, Shape::Unary | Shape::Binary) =>
                {
                    let layer = op.layer;
                    let mut arguments = String::new();
                    for &operand in operands {
                        arguments.push_str(&value_of(operand));
                        arguments.push_str(", ");
                    }
                    let value = value_of(node);
                    if op.shape == Shape::Unary {
                        writeln!(
                            code,
                            "{} = __grad::unary_backward::<__grad::{layer}<{scalar}>>({arguments}{value}, {adjoint});",
                            targets[0]
                        )
                    } else {
                        writeln!(
                            code,
                            "({}) = __grad::binary_backward::<__grad::{layer}<{scalar}>>({arguments}{value}, {adjoint});",
                            targets.join(", ")
                        )
                    }
                }
                (
                    NodeKind::Operation {
                        op,
                        operands,
                        argument,
                    },
                    [target],
                ) if op.shape == Shape::UnaryInt => {
                    let x = value_of(operands[0]);
                    let arithmetic =
                        argument
                            .as_ref()
                            .and_then(literal_exponent)
                            .and_then(|exponent| {
                                powi_adjoint(primitive, &x, exponent, adjoint, &mut two)
                            });
                    match arithmetic {
                        Some(gradient) => writeln!(code, "{target} = {gradient};"),
                        None => writeln!(
                            code,
                            "{target} = __grad::powi_derivative(({x}, {}), {adjoint});",
                            self.exponent_text(node)
                        ),
                    }
                }
                (NodeKind::Operation { .. }, _) => {
                    unreachable!("operations with labels exist on arrays only")
                }
                (_, targets) => writeln!(
                    code,
                    "[{}] = __grad::custom_derivative({}, {adjoint});",
                    targets.join(", "),
                    Numbered::Partials.name(node)
                ),
            };
        }
        for (node, summed) in summed.iter().enumerate() {
            if !summed {
                sum(&mut steps, node);
            }
        }
        let adjoints: Vec<(String, bool)> = (0..count)
            .filter_map(|node| {
                let sums_twice = outgoing[node].len() > TERMS_PER_SUM;
                Some((adjoint_of(node)?.to_owned(), sums_twice))
            })
            .collect();
        let edges: Vec<(String, bool)> = (0..kept.len())
            .filter(|&index| kept[index] && !direct(edge_target[index]))
            .map(|index| (edge_name(index).to_owned(), false))
            .collect();
        let stored_binding = stored.map(|stored| {
            let mut visits = vec![false; count];
            for &node in &visited {
                visits[node] = true;
            }
            stored.bind(self, &read, &visits)
        });
        let mut code = Code::default();
        code.tokens(stored_binding.unwrap_or_default());
        if let Some(two) = &two {
            let _ = writeln!(
                code,
                "let {two}: {scalar} = ::grad::__private::literal(2f64);"
            );
        }
        if reads_one && primitive.is_none() {
            let _ = writeln!(
                code,
                "let {one}: {scalar} = <{scalar} as ::grad::__private::One>::one();"
            );
        }
        declare_text(&mut code, &adjoints, Some(scalar));
        declare_text(&mut code, &edges, Some(scalar));
        code.append(steps);
        if !traced {
            code.tokens(construct.clone());
            return code.finish();
        }
        let gradients = local("gradients");
        code.tokens(quote!(let #gradients = #construct;));
        // The picture's report, in its `if`: one group, so written apart.
        let mut report = traced_steps;
        // One mark per edge (`shared_gradients`): `0`, listed; `1`, its
        // operand's only use, which hands the operand its gradient as it
        // is, so the trace takes it from the operand's; `-`, on no path to
        // the output, which the trace takes as 0.
        let mark = |index: usize| match (kept[index], direct(edge_target[index])) {
            (false, _) => '-',
            (true, true) => '1',
            (true, false) => '0',
        };
        let marks: String = (0..kept.len()).map(mark).collect();
        let _ = write!(
            report,
            "::grad::__private::Trace::shared_gradients({trace}, &"
        );
        report.list(
            (0..kept.len())
                .filter(|&index| mark(index) == '0')
                .map(edge_name),
        );
        let _ = write!(report, ", \"{marks}\"");
        // The gradients of the inputs and `let`s reach the trace as the
        // gradients struct's `pairs()`: listed again here, with their node
        // indices, they were a third of the report's tokens and cost
        // `cargo check` 3% of its instructions at 1,000 operations.
        let unnamed: Vec<NodeId> = (0..count)
            .filter(|&node| !self.named[node] && self.adjoint[node].is_some())
            .collect();
        report.push_str(", &");
        report.list(unnamed.iter().map(|node| format!("{node}usize")));
        report.push_str(", &");
        report.list(unnamed.iter().map(|&node| Numbered::Adjoint.name(node)));
        let _ = write!(
            report,
            ");\n::grad::__private::Trace::field_gradients({trace}, &{gradients}.pairs());"
        );
        code.tokens(self.traced(&scalar_tokens, report.finish()));
        let _ = write!(code, "{gradients}");
        code.finish()
    }
}

/// The [`Adjoint`](grad_core::ops::Adjoint)s of the operations a graph
/// uses, as tokens: lexed once per operation, not once per node. Those that
/// call a method of the scalar only where it is `f32` or `f64` (see
/// `Adjoint`).
struct Arithmetic {
    /// Each operation's, by its position in the table.
    by_operation: Vec<Option<OperatorAdjoint>>,
}

/// One operation's adjoint: whether its expressions read each value, and
/// the expressions, with the names of `dout`, the operands, the output and
/// 1 already found in them.
struct OperatorAdjoint {
    /// Whether the expressions read the first operand, the second, the
    /// output and 1.
    reads: [bool; 4],
    gradients: Vec<Vec<Piece>>,
}

/// A token of an adjoint's expression.
enum Piece {
    /// One of the adjoint's names, by its index: `dout`, the first
    /// operand, the second, the output, 1.
    Name(usize),
    Token(proc_macro2::TokenTree),
    Group(proc_macro2::Delimiter, Vec<Piece>),
}

impl Piece {
    /// The pieces of `tokens`, with each of `names` found.
    fn split(tokens: TokenStream, names: &[&str; 5]) -> Vec<Self> {
        tokens
            .into_iter()
            .map(|tree| match tree {
                proc_macro2::TokenTree::Ident(ident) => {
                    let text = ident.to_string();
                    match names.iter().position(|name| *name == text) {
                        Some(index) => Self::Name(index),
                        None => Self::Token(proc_macro2::TokenTree::Ident(ident)),
                    }
                }
                proc_macro2::TokenTree::Group(group) => {
                    Self::Group(group.delimiter(), Self::split(group.stream(), names))
                }
                other => Self::Token(other),
            })
            .collect()
    }

    /// Whether `pieces` call a method (`x.cos()`).
    fn calls_method(pieces: &[Self]) -> bool {
        pieces.iter().any(|piece| match piece {
            Self::Token(proc_macro2::TokenTree::Punct(punct)) => punct.as_char() == '.',
            Self::Group(_, inner) => Self::calls_method(inner),
            _ => false,
        })
    }

    /// Whether `pieces` hold the name of index `index`.
    fn reads(pieces: &[Self], index: usize) -> bool {
        pieces.iter().any(|piece| match piece {
            Self::Name(name) => *name == index,
            Self::Group(_, inner) => Self::reads(inner, index),
            Self::Token(_) => false,
        })
    }

    /// The pieces as text into `code`, each name the text `values` gives it.
    fn write(pieces: &[Self], values: &[String; 5], code: &mut Code) {
        for piece in pieces {
            match piece {
                Self::Name(index) => code.push_str(&values[*index]),
                Self::Token(proc_macro2::TokenTree::Punct(punct)) => {
                    code.push(punct.as_char());
                    if punct.spacing() == Spacing::Alone {
                        code.push(' ');
                    }
                    continue;
                }
                Self::Token(token) => {
                    let _ = write!(code, "{token}");
                }
                Self::Group(delimiter, inner) => {
                    let (open, close) = match delimiter {
                        proc_macro2::Delimiter::Parenthesis => ("(", ")"),
                        proc_macro2::Delimiter::Bracket => ("[", "]"),
                        proc_macro2::Delimiter::Brace => ("{", "}"),
                        proc_macro2::Delimiter::None => ("", ""),
                    };
                    code.push_str(open);
                    Self::write(inner, values, code);
                    code.push_str(close);
                }
            }
            code.push(' ');
        }
    }
}

impl Arithmetic {
    fn of(operations: &[NodeId], graph: &Graph, primitive: Option<&str>) -> Self {
        let mut by_operation: Vec<Option<OperatorAdjoint>> = std::iter::repeat_with(|| None)
            .take(OPERATIONS.len())
            .collect();
        let mut seen = vec![false; OPERATIONS.len()];
        for &node in operations {
            let NodeKind::Operation { op, .. } = &graph.nodes[node].kind else {
                continue;
            };
            let (Some(adjoint), seen) = (op.adjoint, &mut seen[op.kind as usize]) else {
                continue;
            };
            if std::mem::replace(seen, true) {
                continue;
            }
            let gradients: Vec<Vec<Piece>> = adjoint
                .gradients
                .iter()
                .map(|text| {
                    let tokens = text.parse::<TokenStream>().unwrap_or_default();
                    Piece::split(tokens, &adjoint.names)
                })
                .collect();
            if primitive.is_none() && gradients.iter().any(|pieces| Piece::calls_method(pieces)) {
                continue;
            }
            let reads = [1, 2, 3, 4].map(|index| {
                gradients
                    .iter()
                    .any(|gradient| Piece::reads(gradient, index))
            });
            by_operation[op.kind as usize] = Some(OperatorAdjoint { reads, gradients });
        }
        Self { by_operation }
    }

    fn get(&self, op: &Operation) -> Option<&OperatorAdjoint> {
        self.by_operation[op.kind as usize].as_ref()
    }
}

/// The inline value's fields that keep what backward reads: every node's
/// forward value, in node order (`__values`), every `powi` exponent
/// (`__exponents`) and every custom operation's partials (`__partials`).
/// Backward binds the ones it reads with patterns, `let [_, v1, v2, _, ..] =
/// self.__values[0];`, and recomputes each operation's saved state from them
/// as the function form does.
///
/// Each field is cut into chunks of [`LOCALS_PER_LET`] elements (`[[T; 64];
/// C]`, the last chunk padded; a tuple of tuples for the partials), bound
/// one pattern per chunk. rustc proves a pattern irrefutable in time and
/// memory quadratic in its width: a 20,000-binding array pattern alone
/// checks in 8.9 s, the same bindings in chunks of 64 in 0.3 s. On the
/// 10,000-operation Rosenbrock, chunking cut `MIR_borrow_checking` (`-Z
/// time-passes`, `cargo check`) from 4.8 s to 3.8 s.
///
/// This, not a struct of the layers' saved states: rustc looks each
/// `self.__saved.n7` up among all the struct's fields, and checks a pattern
/// over a struct of ten thousand differently typed fields field by field.
/// The values are also what pictures show, so with pictures nothing is kept
/// twice.
struct StoredFields {
    values: Ident,
    exponents: Ident,
    partials: Ident,
}

impl StoredFields {
    /// The fields' declarations in the value struct, over `scalar`.
    fn declarations(&self, plan: &Plan, scalar: &TokenStream) -> TokenStream {
        let (values, exponents, partials) = (&self.values, &self.exponents, &self.partials);
        let values = {
            let (width, count) = chunked_shape(plan.graph.nodes.len());
            quote!(#values: [[#scalar; #width]; #count],)
        };
        let power_count = plan.stored_powers().len();
        let exponents = (power_count > 0).then(|| {
            let (width, count) = chunked_shape(power_count);
            quote!(#exponents: [[i32; #width]; #count],)
        });
        let customs = plan.customs();
        let partials = (!customs.is_empty()).then(|| {
            let chunks = customs.chunks(LOCALS_PER_LET).map(|chunk| {
                let types = chunk.iter().map(|&node| {
                    let arity = plan.graph.nodes[node].kind.operands().len();
                    quote!([#scalar; #arity])
                });
                quote!((#(#types,)*))
            });
            quote!(#partials: (#(#chunks,)*),)
        });
        quote! {
            #values
            #exponents
            #partials
        }
    }

    /// The fields' values after forward: every node's value, every
    /// exponent's local, every custom operation's partials.
    fn construct(&self, plan: &Plan) -> TokenStream {
        let (values, exponents, partials) = (&self.values, &self.exponents, &self.partials);
        let node_values: Vec<Ident> = (0..plan.graph.nodes.len())
            .map(|node| plan.value(node))
            .collect();
        let node_values = chunked_array(&node_values);
        let powers = plan.stored_powers();
        let customs = plan.customs();
        let exponents = (!powers.is_empty()).then(|| {
            let locals: Vec<Ident> = powers.into_iter().map(exponent_local).collect();
            let locals = chunked_array(&locals);
            quote!(#exponents: #locals,)
        });
        let partials = (!customs.is_empty()).then(|| {
            let chunks = customs.chunks(LOCALS_PER_LET).map(|chunk| {
                let locals = chunk.iter().map(|&node| partials_local(node));
                quote!((#(#locals,)*))
            });
            quote!(#partials: (#(#chunks,)*),)
        });
        quote! {
            #values: #node_values,
            #exponents
            #partials
        }
    }

    /// `let [_, v1, ..] = self.__values[0]; let [k4] = self.__exponents[0];
    /// let (p9,) = self.__partials.0;`, binding the values `read` and the
    /// exponents and partials of the nodes `visits`; a chunk with nothing
    /// to bind is not read.
    fn bind(&self, plan: &Plan, read: &[bool], visits: &[bool]) -> TokenStream {
        let values = &self.values;
        let names: Vec<Option<Ident>> = read
            .iter()
            .enumerate()
            .map(|(node, &read)| read.then(|| value_local(node)))
            .collect();
        let values = bind_chunks(
            &names,
            true,
            |chunk| quote!(self.#values[#chunk]),
            |names| quote!([#(#names),*]),
        );
        let exponents = self.bind_exponents(&plan.stored_powers(), |node| visits[node]);
        let customs = plan.customs();
        let partials = (!customs.is_empty()).then(|| {
            let names: Vec<Option<Ident>> = customs
                .iter()
                .map(|&node| visits[node].then(|| partials_local(node)))
                .collect();
            let field = &self.partials;
            bind_chunks(
                &names,
                false,
                |chunk| {
                    let chunk = syn::Index::from(chunk);
                    quote!(self.#field.#chunk)
                },
                |names| quote!((#(#names,)*)),
            )
        });
        quote! {
            #values
            #exponents
            #partials
        }
    }

    /// `let [k4, _, k9] = self.__exponents[0];`, binding the exponents of the
    /// `powi` nodes `powers` that `wanted` says, or nothing if there are none.
    fn bind_exponents(
        &self,
        powers: &[NodeId],
        wanted: impl Fn(NodeId) -> bool,
    ) -> Option<TokenStream> {
        if powers.is_empty() {
            return None;
        }
        let names: Vec<Option<Ident>> = powers
            .iter()
            .map(|&node| wanted(node).then(|| exponent_local(node)))
            .collect();
        let field = &self.exponents;
        Some(bind_chunks(
            &names,
            true,
            |chunk| quote!(self.#field[#chunk]),
            |names| quote!([#(#names),*]),
        ))
    }
}

/// The width and the number of the chunks that hold `len` elements: at
/// most [`LOCALS_PER_LET`] wide, so that each is bound by a narrow pattern.
fn chunked_shape(len: usize) -> (usize, usize) {
    let width = len.clamp(1, LOCALS_PER_LET);
    (width, len.div_ceil(width).max(1))
}

/// `[[e0, .., e63], [e64, .., e64]]`: `elements` in chunks of the shape
/// [`chunked_shape`] gives, the last one padded with copies of the last
/// element (which no pattern binds).
fn chunked_array<E: quote::ToTokens>(elements: &[E]) -> TokenStream {
    let (width, _) = chunked_shape(elements.len());
    let chunks = elements.chunks(width).map(|chunk| {
        let last = chunk.last().expect("chunks are not empty");
        let padding = core::iter::repeat_n(last, width - chunk.len());
        quote!([#(#chunk,)* #(#padding,)*])
    });
    quote!([#(#chunks),*])
}

/// One `let pattern = place;` per chunk of `names` (chunked as
/// [`chunked_shape`] says) that binds anything, `_` where a name is `None`
/// or, in a `padded` array, the last chunk's padding; `place(i)` is the
/// `i`th chunk, `pattern` makes a pattern of a chunk's names.
fn bind_chunks(
    names: &[Option<Ident>],
    padded: bool,
    place: impl Fn(usize) -> TokenStream,
    pattern: impl Fn(&mut dyn Iterator<Item = Ident>) -> TokenStream,
) -> TokenStream {
    let (width, _) = chunked_shape(names.len());
    let mut lets = TokenStream::new();
    for (index, chunk) in names.chunks(width).enumerate() {
        if chunk.iter().all(Option::is_none) {
            continue;
        }
        let padding = core::iter::repeat_n(None, if padded { width - chunk.len() } else { 0 });
        let mut bound = chunk
            .iter()
            .cloned()
            .chain(padding)
            .map(|name| name.unwrap_or_else(placeholder));
        let pattern = pattern(&mut bound);
        let place = place(index);
        lets.extend(quote!(let #pattern = #place;));
    }
    lets
}

/// `_`, where a pattern or an assignment leaves a place unbound: an
/// identifier, so that interpolating it costs the macro no stream.
fn placeholder() -> Ident {
    Ident::new("_", Span::call_site())
}

/// What backward runs, in the order it runs it.
pub(crate) struct Schedule {
    /// Whether each edge's gradient is computed.
    pub(crate) kept: Vec<bool>,
    /// Each node's computed outgoing edges, in the order backward computes
    /// them (the last user first): a node's gradient is their sum, in this order.
    pub(crate) outgoing: Vec<Vec<usize>>,
    /// The operations backward runs, from the output back.
    pub(crate) visited: Vec<NodeId>,
}

/// Tokens interpolated one by one, not as a stream: a type the expansion
/// writes once per local or operation.
///
/// In a proc macro, interpolating a `TokenStream` into `quote!` hands both
/// streams to the compiler to join them, a round trip for every one of ten
/// thousand fields; interpolated tokens are only pushed. (The per-node
/// statements are text, lexed at once: see `generate_text`.)
#[derive(Clone)]
pub(crate) struct Spliced(Vec<proc_macro2::TokenTree>);

impl Spliced {
    pub(crate) fn new(tokens: &TokenStream) -> Self {
        Self(tokens.clone().into_iter().collect())
    }
}

impl quote::ToTokens for Spliced {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(self.0.iter().cloned());
    }
}

/// A local holding the gradient along an edge.
pub(crate) fn edge_local(edge: usize) -> Ident {
    Numbered::Edge.ident(edge)
}

/// The gradients struct: one public field per input, then per `let`.
struct Gradients<'g> {
    graph: &'g Graph,
    name: Ident,
}

impl Gradients<'_> {
    fn fields(&self) -> Vec<(&Ident, NodeId)> {
        let inputs = self
            .graph
            .inputs
            .iter()
            .map(|&node| match &self.graph.nodes[node].kind {
                NodeKind::Input(name) => (name, node),
                _ => unreachable!("inputs are input nodes"),
            });
        let bindings = self
            .graph
            .bindings
            .iter()
            .map(|binding| (&binding.name, binding.node));
        inputs.chain(bindings).collect()
    }

    /// The fields' split into the main struct and the structs it
    /// dereferences to: one range of field indices per struct, the main
    /// struct's first. Up to [`FIELDS_PER_STRUCT`] fields, one struct; above,
    /// structs of that many fields, more per struct past 128 structs, the
    /// depth to which rustc follows `Deref` (its `recursion_limit`) when it
    /// looks a field up.
    fn levels(&self) -> Vec<std::ops::Range<usize>> {
        let count = self.graph.inputs.len() + self.graph.bindings.len();
        let width = FIELDS_PER_STRUCT.max(count.div_ceil(MAX_STRUCTS));
        (0..count.max(1))
            .step_by(width)
            .map(|start| start..(start + width).min(count))
            .collect()
    }

    /// The struct holding fields `start..` of a chained gradients struct.
    fn level_name(&self, start: usize) -> Ident {
        if start == 0 {
            self.name.clone()
        } else {
            format_ident!("{}From{}", self.name, start)
        }
    }

    /// The field of each struct of a chain that holds the next struct: a
    /// name no field of the user's has.
    fn rest_field(&self) -> Ident {
        let fields = self.fields();
        let mut name = String::from("__rest");
        while fields.iter().any(|(field, _)| **field == name) {
            name.push('_');
        }
        Ident::new(&name, Span::call_site())
    }

    /// The struct and its `NAMES` and `pairs`. `generics` are the struct's
    /// own parameters, `scalar` the type of every field.
    ///
    /// `pairs` reads the fields as `self.name`. Reading every field of a
    /// struct costs rustc time quadratic in the number of fields either way:
    /// it looks a field access's name up among the fields one by one, and
    /// proves a pattern over the whole struct irrefutable in time and
    /// memory quadratic in its width. Measured alone, for a struct of
    /// 12,500 `f64` fields, the accesses take 0.8 s of rustc's CPU time
    /// against 1.7 s for the pattern, most of it the kernel's, handing out
    /// the pattern checker's memory (2,500 fields: 0.04 s against 0.08 s);
    /// with incremental compilation, as cargo checks and builds debug, 1.7 s
    /// against 1.5 s (2,500 fields: 0.11 s against 0.15 s).
    ///
    /// So above [`FIELDS_PER_STRUCT`] fields the struct is a chain
    /// ([`Self::levels`]): it holds its first fields and a private field
    /// with a struct holding the next ones, to which it dereferences, and so
    /// on. `g.name` reads every field, by `Deref`; each struct's fields
    /// are read by its own code, in time quadratic in its own width only.
    /// Measured alone (`rustc --emit=metadata` with incremental
    /// compilation, a struct of 12,500 `f64` fields, its `pairs()` and
    /// `Debug`, and a function reading 2,500 of its fields): 1.66 s flat,
    /// 0.75 s in structs of 1,024, 0.37 s without `pairs()` and `Debug`.
    fn definition(
        &self,
        vis: &syn::Visibility,
        doc: &str,
        generics: &syn::Generics,
        scalar: &TokenStream,
        documented_fields: bool,
    ) -> TokenStream {
        let name = &self.name;
        let fields = self.fields();
        let names: Vec<&Ident> = fields.iter().map(|(name, _)| *name).collect();
        let strings: Vec<String> = names.iter().map(|name| unraw(name)).collect();
        let count = names.len();
        let input_count = self.graph.inputs.len();
        // Each field's doc comment, where it has one: written as text and
        // lexed at once (see `generate_text`), then split into each
        // attribute's two tokens, `#` and `[..]`; the field's name keeps
        // the span of the user's own.
        let documented = if documented_fields { fields.len() } else { 0 };
        let mut docs_text = Code::default();
        for (i, (name, _)) in fields[..documented].iter().enumerate() {
            let kind = if i < input_count {
                "input"
            } else {
                "intermediate"
            };
            let _ = writeln!(
                docs_text,
                "#[doc = \"The gradient of the output with respect to the {kind} `{}`.\"]",
                unraw(name)
            );
        }
        let doc_tokens: Vec<TokenTree> = docs_text.finish().into_iter().collect();
        let field_docs: Vec<&[TokenTree]> = doc_tokens.chunks(2).collect();
        let (impl_generics, type_generics, _) = generics.split_for_impl();
        let copy =
            (!generics.params.is_empty()).then(|| quote!(where #scalar: ::core::marker::Copy));
        let impls = field_impls(name, generics, &names, true, true);
        // The per-field lists, as text (see `generate_text`): `["x", ..]`
        // and `[self.x, ..]`, whose names need no span.
        let name_list = Code::list_tokens(strings.iter().map(|name| format!("\"{name}\"")));
        // A struct's own fields, read with one pattern, `let Self { x: f0,
        // .. } = *self;`, and listed as the locals it binds, `[f0, ..]`.
        // rustc finds a pattern's fields in a map; an access `self.x` it
        // looks up among the struct's fields one by one: at 1,000
        // operations (the DAG, function form), reading the 1,124 fields one
        // access each was 160 million of the expanded code's 1,214 million
        // instructions of `cargo check`, and the patterns are 106 million.
        let read_fields = |own: &[&Ident], rest: Option<&Ident>| -> (TokenStream, TokenStream) {
            let mut pattern = Code::default();
            pattern.push_str("let Self { ");
            if let Some(rest) = rest {
                let _ = write!(pattern, "{rest}: _, ");
            }
            let locals: Vec<String> = (0..own.len())
                .map(|index| Numbered::Field.name(index))
                .collect();
            for (field, local) in own.iter().zip(&locals) {
                let _ = write!(pattern, "{field}: {local}, ");
            }
            pattern.push_str("} = *self;");
            (pattern.finish(), Code::list_tokens(locals))
        };
        let field_type = Spliced::new(scalar);
        // The struct (or chain), its trait impls, `NAMES`, and `pairs` with
        // the body `pairs`.
        let with_names = |structs: TokenStream, pairs: TokenStream| {
            quote! {
                #structs

                #impls

                impl #impl_generics #name #type_generics {
                    /// The field names, in field order: inputs first, then intermediates.
                    pub const NAMES: [&'static str; #count] = #name_list;

                    /// Each field's name with its gradient, in field order.
                    #[inline]
                    #[must_use]
                    pub fn pairs(&self) -> [(&'static str, #scalar); #count] #copy {
                        #pairs
                    }
                }
            }
        };
        // Each field's doc comment, where it has one.
        let field_docs = &field_docs;
        let docs_of = |range: std::ops::Range<usize>, shown: bool| {
            range.map(move |i| {
                let doc = field_docs.get(i).filter(|_| shown);
                doc.map(|doc| Spliced(doc.to_vec()))
            })
        };
        let levels = self.levels();
        if levels.len() == 1 {
            let docs = docs_of(0..count, true);
            let structs = quote! {
                #[doc = #doc]
                // The fields are the user's own names, linted where they wrote them.
                #[allow(non_snake_case)]
                #vis struct #name #generics {
                    #(#docs pub #names: #field_type,)*
                }
            };
            let (read, fields) = read_fields(&names, None);
            let pairs = quote! {
                #read
                ::grad::__private::named(Self::NAMES, #fields)
            };
            return with_names(structs, pairs);
        }
        let rest = self.rest_field();
        let write = local("__write_gradients");
        let out = local("out");
        let first = names[0];
        let chain = levels.iter().enumerate().map(|(k, range)| {
            let level = self.level_name(range.start);
            let own = &names[range.clone()];
            let (read_own, own_list) =
                read_fields(own, (k + 1 < levels.len()).then_some(&rest));
            // The structs behind the first are hidden from the docs: their
            // fields' doc comments would be thousands of attributes for
            // rustc to parse and store, for no reader.
            let own_docs = docs_of(range.clone(), k == 0);
            let width = own.len();
            let next = levels.get(k + 1).map(|next| self.level_name(next.start));
            let (rest_field, deref, write_rest) = match &next {
                Some(next) => (
                    // First, where rustc's field lookup finds it first.
                    quote!(#rest: #next #type_generics,),
                    quote! {
                        impl #impl_generics ::core::ops::Deref for #level #type_generics {
                            type Target = #next #type_generics;
                            #[inline]
                            fn deref(&self) -> &Self::Target {
                                &self.#rest
                            }
                        }
                        impl #impl_generics ::core::ops::DerefMut for #level #type_generics {
                            #[inline]
                            fn deref_mut(&mut self) -> &mut Self::Target {
                                &mut self.#rest
                            }
                        }
                    },
                    quote!(self.#rest.#write(&mut #out[#width..]);),
                ),
                None => (TokenStream::new(), TokenStream::new(), TokenStream::new()),
            };
            let head = if k == 0 {
                let chain_doc = format!(
                    "Its fields past the first {width} are in a struct it dereferences to \
                     (and that one's past the next {width} in another, and so on): `g.name` \
                     reads every one of them, and `pairs()`, `NAMES`, `Debug` and `PartialEq` \
                     list them all, but a struct pattern or literal names only this struct's \
                     own fields."
                );
                quote! {
                    #[doc = #doc]
                    #[doc = ""]
                    #[doc = #chain_doc]
                }
            } else {
                let from = range.start;
                let doc = format!(
                    "The gradients of [`{name}`] from its field {from} on, which it dereferences to."
                );
                quote! {
                    #[doc = #doc]
                    #[doc(hidden)]
                }
            };
            let copy_impls = (k > 0).then(|| {
                quote! {
                    impl #impl_generics ::core::marker::Copy for #level #type_generics #copy {}
                    #[allow(clippy::expl_impl_clone_on_copy)]
                    impl #impl_generics ::core::clone::Clone for #level #type_generics #copy {
                        #[inline]
                        fn clone(&self) -> Self {
                            *self
                        }
                    }
                }
            });
            quote! {
                #head
                #[allow(non_snake_case)]
                #vis struct #level #generics {
                    #rest_field
                    #(#own_docs pub #own: #field_type,)*
                }
                #copy_impls
                #deref
                impl #impl_generics #level #type_generics {
                    /// Writes this struct's gradients and the next ones' into `out`.
                    #[inline]
                    fn #write(&self, #out: &mut [#scalar]) #copy {
                        #read_own
                        #out[..#width].copy_from_slice(&#own_list);
                        #write_rest
                    }
                }
            }
        });
        let pairs = quote! {
            let mut #out = [self.#first; #count];
            self.#write(&mut #out);
            ::grad::__private::named(Self::NAMES, #out)
        };
        with_names(quote!(#(#chain)*), pairs)
    }

    /// `impl Partials<S, N> for NameGrad`: the inputs' gradients in order,
    /// which makes a function of the function form a custom operation of
    /// other formulas.
    ///
    /// Read as `self.name`, as `pairs` reads them: the inputs are the
    /// struct's first fields, which rustc's field by field lookup finds
    /// first, where a pattern with `..` over a struct of many more fields
    /// costs rustc's exhaustiveness check all of them (at 1,000 operations,
    /// 250 inputs: 12 million instructions against 46 million).
    fn partials(&self, generics: &syn::Generics, scalar: &TokenStream) -> TokenStream {
        let name = &self.name;
        let (fields, levels, rest) = (self.fields(), self.levels(), self.rest_field());
        // Through the chain, `self.__rest.__rest.name`: no `Deref` for rustc
        // to resolve at each step.
        let inputs: Vec<TokenStream> = (0..self.graph.inputs.len())
            .map(|index| {
                let depth = levels.iter().take_while(|range| range.end <= index).count();
                let rest = std::iter::repeat_n(&rest, depth);
                let (field, _) = fields[index];
                quote!(self #(.#rest)* .#field)
            })
            .collect();
        let count = inputs.len();
        let (impl_generics, type_generics, _) = generics.split_for_impl();
        quote! {
            impl #impl_generics ::grad::__private::Partials<#scalar, #count> for #name #type_generics {
                #[inline]
                fn into_partials(self) -> [#scalar; #count] {
                    [#(#inputs),*]
                }
            }
        }
    }

    /// The struct literal of the gradients, from the locals `plan` keeps
    /// them in; a chain's structs nested, the last innermost.
    fn construct(&self, plan: &Plan) -> TokenStream {
        let (fields, locals): (Vec<&Ident>, Vec<&Option<Ident>>) = self
            .fields()
            .into_iter()
            .map(|(field, node)| (field, &plan.adjoint[node]))
            .unzip();
        let rest = self.rest_field();
        self.levels()
            .iter()
            .rev()
            .fold(None, |inner: Option<TokenStream>, range| {
                let level = self.level_name(range.start);
                let (own, own_locals) = (&fields[range.clone()], &locals[range.clone()]);
                let rest = inner.map(|inner| quote!(#rest: #inner,));
                Some(quote!(#level { #rest #(#own: #own_locals),* }))
            })
            .expect("a struct has at least one level")
    }
}

/// A private field of the value struct: `base`, or `base_` and so on when
/// the output has that name.
fn private_field(base: &str, output: &Ident) -> Ident {
    let mut name = String::from(base);
    while *output == name {
        name.push('_');
    }
    Ident::new(&name, Span::call_site())
}

/// The inline form: a block that defines the value and gradient types, runs
/// forward, and evaluates to the value, whose `backward` runs the adjoint.
///
/// The value holds the output and what backward reads ([`StoredFields`]):
/// every node's forward value, the `powi` exponents and custom operations'
/// partials. Pictures read the same values. Used in one function, the value
/// is optimised away: on the benchmarks' formulas the inline form compiles
/// to the function form's machine code (`benches/callgrind.sh`).
pub fn inline(graph: &Graph, named_scalar: Option<&syn::Type>) -> TokenStream {
    let mut plan = Plan::new(graph, Ident::new("R", Span::call_site()));
    // A custom operation's `_grad` function may take a concrete type, which
    // the generic `T` of `__forward` is not (see [`inline_forward`]).
    plan.in_forward_function = plan.customs().is_empty();
    plan.call_site_inputs = plan.in_forward_function;
    plan.inline_exponents = true;
    let output_name = &graph.output_name;
    let camel = upper_camel(output_name);
    let value_type = format_ident!("{}", camel);
    let gradients = Gradients {
        graph,
        name: format_ident!("{}Grad", camel),
    };
    let gradients_type = &gradients.name;
    // Over the inputs' type, a generic `T`; over the scalar the output
    // names, that type: the function form's concrete code, whose `x * y`
    // rustc checks and builds as one instruction, not as a call through
    // `T`'s traits (see the crate docs' "Large formulas").
    let over = InlineScalar::new(named_scalar);
    let InlineScalar {
        ty: scalar,
        parameters: value_parameters,
        arguments: value_arguments,
        generics,
        ..
    } = &over;
    let gradients_of = quote!(#gradients_type #value_arguments);
    // The fields have no doc comments of their own: the struct is local to
    // the block, where no documentation shows them, and at 1,250 fields the
    // comments cost `cargo check` 2% of its instructions.
    let gradients_struct = gradients.definition(
        &syn::Visibility::Public(Default::default()),
        &format!(
            "The gradients of `{}`: one field per input and per `let` intermediate, \
             the gradient of the output with respect to that name.",
            unraw(output_name)
        ),
        generics,
        scalar,
        false,
    );
    let construct = gradients.construct(&plan);
    let stored = StoredFields {
        values: private_field("__values", output_name),
        exponents: private_field("__exponents", output_name),
        partials: private_field("__partials", output_name),
    };
    let (dout, trace) = (&plan.dout, &plan.trace);
    let value_doc = format!(
        "The value of `{0}`; `backward(d{0})` returns its gradients.",
        unraw(output_name)
    );
    let output_string = unraw(output_name);
    let inlined = inlined_where_optimised();
    let (backward_methods, pictures) = if PICTURES {
        let traced = plan.backward(scalar, true, Some(&stored), &construct);
        let description = raw_string(&graph.to_string());
        let values_field = &stored.values;
        let node_count = graph.nodes.len();
        let report_values = plan.report_values(
            &quote!(f64),
            &quote!(&::grad::__private::shown_values(
                &self.#values_field.as_flattened()[..#node_count]
            )),
            Some(&stored),
        );
        (
            quote! {
                /// Runs the formula backward from `dout`, the gradient of
                /// whatever uses this output (1 for the output itself).
                #[inline(always)]
                #[must_use]
                pub fn backward(&self, #dout: #scalar) -> #gradients_of {
                    self.__backward(#dout, &mut ::grad::__private::NoTrace)
                }

                /// The backward pass, reporting its numbers to `trace`.
                #inlined
                fn __backward<R: ::grad::__private::Trace<#scalar>>(&self, #dout: #scalar, #trace: &mut R) -> #gradients_of {
                    #traced
                }
            },
            quote! {
                /// The computational graph of the formula with every node's
                /// forward value, as the expansion computed it: render it
                /// with `to_svg`, `to_dot` or `to_mermaid`.
                /// The formula's description, which pictures read.
                const __DESCRIPTION: &'static str = #description;

                #[must_use]
                pub fn graph(&self) -> ::grad::__private::Graph {
                    let mut #trace = ::grad::__private::Recorder::new(Self::__DESCRIPTION);
                    self.__report_values(&mut #trace);
                    #trace.finish()
                }

                /// The graph after backward from `dout`: every edge also
                /// carries the gradient that flows back along it, and every
                /// node its gradient, the numbers `backward(dout)` returns.
                #[must_use]
                pub fn graph_with_gradients(&self, #dout: #scalar) -> ::grad::__private::Graph {
                    let mut #trace = ::grad::__private::Recorder::new(Self::__DESCRIPTION);
                    self.__report_values(&mut #trace);
                    let _ = self.__backward(#dout, &mut #trace);
                    #trace.finish()
                }

                fn __report_values<R: ::grad::__private::Trace<f64>>(&self, #trace: &mut R) {
                    #report_values
                }
            },
        )
    } else {
        let plain = plan.backward(scalar, false, Some(&stored), &construct);
        (
            quote! {
                /// Runs the formula backward from `dout`, the gradient of
                /// whatever uses this output (1 for the output itself).
                #inlined
                #[must_use]
                pub fn backward(&self, #dout: #scalar) -> #gradients_of {
                    #plain
                }
            },
            TokenStream::new(),
        )
    };
    let use_private = use_private(&plan);
    let run_forward = inline_forward(&plan, &value_type, &stored, &over);
    let stored_declarations = stored.declarations(&plan, scalar);
    quote! {
        {
            #use_private

            #[doc = #value_doc]
            // The output field is the user's own name, linted where they wrote it.
            #[allow(non_snake_case)]
            pub struct #value_type #value_parameters {
                /// The value of the formula.
                pub #output_name: #scalar,
                #stored_declarations
            }

            impl #value_parameters ::core::marker::Copy for #value_type #value_arguments {}
            // Written, not derived: a derived Clone of a generic struct
            // clones field by field, thousands of calls for rustc to check.
            #[allow(clippy::expl_impl_clone_on_copy)]
            impl #value_parameters ::core::clone::Clone for #value_type #value_arguments {
                #[inline]
                fn clone(&self) -> Self {
                    *self
                }
            }

            impl #value_parameters ::core::fmt::Debug for #value_type #value_arguments
            where
                #scalar: ::core::fmt::Debug,
            {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.debug_struct(::core::stringify!(#value_type))
                        .field(#output_string, &self.#output_name)
                        .finish_non_exhaustive()
                }
            }

            impl #value_parameters #value_type #value_arguments {
                #backward_methods
                #pictures
            }

            #gradients_struct

            #run_forward
        }
    }
}

/// The inline form's scalar: a generic `T` over the inputs' type, or the
/// type the output names (`y: f64 = ..`), and the generic parameters of the
/// value type and of `__forward` that go with it.
struct InlineScalar {
    /// `T`, or the named type.
    ty: TokenStream,
    /// Whether the output names the type.
    named: bool,
    /// `<T: Float>`, or nothing.
    parameters: TokenStream,
    /// `<T>`, or nothing.
    arguments: TokenStream,
    /// The gradients struct's: `<T>`, or none.
    generics: syn::Generics,
}

impl InlineScalar {
    fn new(named: Option<&syn::Type>) -> Self {
        match named {
            Some(named) => InlineScalar {
                ty: quote!(#named),
                named: true,
                parameters: TokenStream::new(),
                arguments: TokenStream::new(),
                generics: syn::Generics::default(),
            },
            None => InlineScalar {
                ty: quote!(T),
                named: false,
                parameters: quote!(<T: ::grad::__private::Float>),
                arguments: quote!(<T>),
                generics: syn::parse_quote!(<T>),
            },
        }
    }
}

/// The inline form's forward pass, evaluating to the value `value_type`.
///
/// Where the scalar type can be named, in `fn __forward<T: Float>(inputs,
/// constants, exponents) -> Value<T>` (`fn __forward(..) -> Value` over
/// the type the output names), called with them: its locals are then
/// declared with their type, which rustc checks faster than ten thousand
/// types to infer. Constants and `powi` exponents are evaluated as
/// arguments, in the caller's scope, where they may read its variables. A
/// custom operation's `_grad` function may take a concrete type, which a
/// generic `T` is not; with one, the steps run in the caller's block, their
/// scalar the one the output names or else inferred from the inputs.
///
/// `__forward` is `#[inline(always)]` where optimised (see
/// [`inlined_where_optimised`]): with `#[inline]`, the release builds
/// of `benches/compile_time.sh` took longer, not shorter (10,000 operations,
/// DAG: 4.4x the hand-written adjoint's time against 6.0x), though the
/// inlined function is one that LLVM's `mem2reg` takes superlinear time on.
fn inline_forward(
    plan: &Plan,
    value_type: &Ident,
    fields: &StoredFields,
    scalar: &InlineScalar,
) -> TokenStream {
    let graph = plan.graph;
    let output_name = &graph.output_name;
    // The value's fields, read where forward ran: the values as they are,
    // converted for display only when a picture is drawn (converted here,
    // one by one, they took the release build of a 3,000-operation formula
    // from 9.6 s to 17.2 s).
    let construct = || {
        let output = plan.value(graph.output);
        let stored = fields.construct(plan);
        quote!(#value_type { #output_name: #output, #stored })
    };
    if !plan.in_forward_function {
        // The named scalar, if any, declares the locals' type here too.
        let forward = plan.forward(scalar.named.then_some(&scalar.ty));
        let construct = construct();
        return quote! {
            #forward
            #construct
        };
    }
    let InlineScalar {
        ty: scalar,
        parameters: parameters_of,
        arguments: arguments_of,
        ..
    } = scalar;
    let mut parameters = Vec::new();
    let mut arguments = Vec::new();
    for (node, kind) in graph.nodes.iter().map(|node| &node.kind).enumerate() {
        let span = graph.nodes[node].span;
        match kind {
            NodeKind::Input(name) => {
                // The input's name, so that rustc's message about inputs of
                // two types names them, but the expansion's own, so that a
                // lint the user allowed on their variable stays quiet.
                let parameter = input_parameter(name);
                parameters.push(quote!(#parameter: #scalar));
                arguments.push(quote!(#name));
            }
            NodeKind::Constant(expr) => {
                let value = value_local(node);
                parameters.push(quote!(#value: #scalar));
                arguments.push(quote_spanned!(span=> #expr));
            }
            NodeKind::Operation {
                op,
                argument: Some(argument),
                ..
            } if op.shape == Shape::UnaryInt && plan.inlined_exponent(node).is_none() => {
                let exponent = exponent_local(node);
                parameters.push(quote!(#exponent: i32));
                arguments.push(quote_spanned!(span=> #argument));
            }
            _ => {}
        }
    }
    let forward = plan.forward(Some(scalar));
    let construct = construct();
    // An item, which hygiene does not hide: named plainly, for messages.
    let function = Ident::new("__forward", Span::mixed_site());
    // Clippy's limit is seven.
    let allowance = (parameters.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let inlined = inlined_where_optimised();
    quote! {
        #inlined
        #allowance
        fn #function #parameters_of(#(#parameters),*) -> #value_type #arguments_of {
            #forward
            #construct
        }
        #function(#(#arguments),*)
    }
}

/// The generic parameters of a function's gradients struct and of its
/// traced body: the struct takes the parameters its fields' type (the
/// scalar) names, so `fn f(x: f64) -> f64` has `FGrad` and `fn f<T:
/// Float>(x: T) -> T` has `FGrad<T>`; the body takes the rest, and every
/// bound of the function.
struct SplitGenerics {
    /// The struct's parameters, without bounds.
    on_struct: syn::Generics,
    /// The other parameters, with their bounds.
    on_body: Vec<syn::GenericParam>,
    /// Every bound of the function, as where-clause predicates.
    predicates: Vec<syn::WherePredicate>,
}

fn split_generics(generics: &syn::Generics, field_types: &[syn::Type]) -> SplitGenerics {
    fn identifiers(tokens: TokenStream, names: &mut Vec<String>) {
        for tree in tokens {
            match tree {
                proc_macro2::TokenTree::Ident(ident) => names.push(ident.to_string()),
                proc_macro2::TokenTree::Group(group) => identifiers(group.stream(), names),
                _ => {}
            }
        }
    }
    let mut named = Vec::new();
    for ty in field_types {
        identifiers(quote!(#ty), &mut named);
    }
    let mentioned = |ident: &Ident| named.contains(&ident.to_string());
    let mut on_struct = syn::Generics::default();
    let mut on_body = Vec::new();
    let mut predicates: Vec<syn::WherePredicate> = Vec::new();
    for param in &generics.params {
        match param {
            syn::GenericParam::Type(ty) if mentioned(&ty.ident) => {
                let ident = &ty.ident;
                let bounds = &ty.bounds;
                if !bounds.is_empty() {
                    predicates.push(syn::parse_quote!(#ident: #bounds));
                }
                on_struct.params.push(syn::parse_quote!(#ident));
            }
            syn::GenericParam::Const(constant) if mentioned(&constant.ident) => {
                let (ident, ty) = (&constant.ident, &constant.ty);
                on_struct.params.push(syn::parse_quote!(const #ident: #ty));
            }
            other => on_body.push(other.clone()),
        }
    }
    if let Some(where_clause) = &generics.where_clause {
        predicates.extend(where_clause.predicates.iter().cloned());
    }
    SplitGenerics {
        on_struct,
        on_body,
        predicates,
    }
}

/// The lints the user allowed (or expected) on their function, as
/// `#[allow(..)]`s for the functions generated beside it: they share its
/// signature, so lints about the signature (`too_many_arguments`, an unused
/// lifetime) fire on them too. An `expect` becomes an `allow`, since a lint
/// expected in the user's body need not fire in the generated ones.
fn lint_allowances(attrs: &[syn::Attribute]) -> Vec<TokenStream> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("allow") || attr.path().is_ident("expect"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::List(list) => {
                let lints = &list.tokens;
                Some(quote!(#[allow(#lints)]))
            }
            _ => None,
        })
        .collect()
}

/// A name for the trace's type parameter that none of the function's own
/// generic parameters has.
fn trace_parameter(generics: &syn::Generics) -> Ident {
    let mut name = String::from("R");
    while generics.params.iter().any(|param| match param {
        syn::GenericParam::Type(ty) => ty.ident == name,
        syn::GenericParam::Const(constant) => constant.ident == name,
        syn::GenericParam::Lifetime(_) => false,
    }) {
        name.push('_');
    }
    Ident::new(&name, Span::call_site())
}

/// The user's function with its `let`s declared up front, in tuples of
/// [`LOCALS_PER_LET`], and then assigned in order, when it has more `let`s
/// than one tuple: rustc with debuginfo overflows its stack on a function
/// of a few thousand sequential `let`s (rust-lang/rust#103767), and such
/// functions are what code generators write. Each tuple is annotated with
/// the `let`s' own types, the scalar where they wrote none.
///
/// `None` (the function is kept as written) for a body that is not only
/// `let name = value;` statements followed by the result, or where a `let`
/// shadows a parameter or another `let`: declared up front, the two would
/// be one variable.
fn declared_up_front(item: &syn::ItemFn, scalar: &syn::Type) -> Option<TokenStream> {
    let (result, lets) = item.block.stmts.split_last()?;
    if lets.len() <= LOCALS_PER_LET || !matches!(result, syn::Stmt::Expr(_, None)) {
        return None;
    }
    let mut names: Vec<String> = item
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(typed) => match &*typed.pat {
                syn::Pat::Ident(ident) => Some(ident.ident.to_string()),
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let mut declared = Vec::with_capacity(lets.len());
    let (mut targets, mut values) = (
        Vec::with_capacity(lets.len()),
        Vec::with_capacity(lets.len()),
    );
    for statement in lets {
        let syn::Stmt::Local(local) = statement else {
            return None;
        };
        let init = local.init.as_ref()?;
        if !local.attrs.is_empty() || init.diverge.is_some() {
            return None;
        }
        let (pattern, ty) = match &local.pat {
            syn::Pat::Type(typed) => (&*typed.pat, &*typed.ty),
            pattern => (pattern, scalar),
        };
        let syn::Pat::Ident(ident) = pattern else {
            return None;
        };
        if ident.by_ref.is_some() || ident.subpat.is_some() || !ident.attrs.is_empty() {
            return None;
        }
        names.push(ident.ident.to_string());
        declared.push((ident, ty));
        targets.push(&ident.ident);
        values.push(&init.expr);
    }
    names.sort_unstable();
    if names.windows(2).any(|pair| pair[0] == pair[1]) {
        return None;
    }
    let declarations = declared.chunks(LOCALS_PER_LET).map(|group| {
        let (patterns, types): (Vec<_>, Vec<_>) = group.iter().copied().unzip();
        quote!(let (#(#patterns,)*): (#(#types,)*);)
    });
    // Written out as tokens, not parsed back into a `syn::ItemFn`: parsing
    // ten thousand statements again was a seventh of the macro's time.
    let (attrs, vis, sig) = (&item.attrs, &item.vis, &item.sig);
    Some(quote! {
        #(#attrs)*
        #vis #sig {
            #(#declarations)*
            #(#targets = #values;)*
            #result
        }
    })
}

/// The function form: the user's function unchanged, its gradients struct,
/// `name_grad` returning the value and the gradients and, with pictures,
/// `name_graph`.
///
/// ```text
/// pub fn price(..) -> f64 { .. }                 // as written
/// pub struct PriceGrad { pub apple: f64, .. }
/// impl PriceGrad { fn __trace<R: Trace<f64>>(apple: f64, .., dout: f64, trace: &mut R) -> (f64, Self) { .. } }
/// pub fn price_grad(apple: f64, ..) -> (f64, PriceGrad) { PriceGrad::__trace(apple, .., 1.0, &mut NoTrace) }
/// pub fn price_graph(apple: f64, ..) -> Graph { .. PriceGrad::__trace(apple, .., 1.0, &mut recorder) .. }
/// ```
pub fn function(function: &Function, graph: &Graph) -> TokenStream {
    let mut plan = Plan::new(graph, trace_parameter(&function.item.sig.generics));
    if function.arrays {
        // Over arrays only the parameters have gradient fields: an
        // intermediate keeps a gradient only on a path to the output.
        for (node, adjoint) in plan.adjoint.iter_mut().enumerate() {
            if !plan.reachable[node] && !matches!(graph.nodes[node].kind, NodeKind::Input(_)) {
                *adjoint = None;
            }
        }
    }
    let item = &function.item;
    let sig = &item.sig;
    let vis = &item.vis;
    let name = &sig.ident;
    let camel = upper_camel(name);
    let gradients = Gradients {
        graph,
        name: format_ident!("{}Grad", camel, span = name.span()),
    };
    let gradients_type = &gradients.name;
    let grad_name = format_ident!("{}_grad", name, span = name.span());
    let graph_name = format_ident!("{}_graph", name, span = name.span());
    let cfgs: Vec<&syn::Attribute> = item
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"))
        .collect();
    let mut allows = lint_allowances(&item.attrs);
    let scalar_type = &function.scalar;
    let scalar = quote!(#scalar_type);
    let structured = graph.is_structured();
    let straight_line = !structured && !function.arrays;
    plan.inline_numbers = straight_line && primitive(&scalar) == Some("f64");
    plan.inline_exponents = straight_line;
    // grad! reads arrays by index in range loops, the only loops it takes:
    // clippy's advice to iterate over the array instead cannot be followed
    // in its body, nor in the code written from it.
    let loop_allowance = structured.then(|| quote!(#[allow(clippy::needless_range_loop)]));
    allows.extend(loop_allowance.clone());
    let field_types: Vec<syn::Type> = if function.arrays {
        arrays::fields(function)
            .into_iter()
            .map(|(_, ty)| ty)
            .collect()
    } else if structured {
        loops::fields(function, graph)
            .into_iter()
            .map(|(_, ty)| ty)
            .collect()
    } else {
        vec![scalar_type.clone()]
    };
    let split = split_generics(&sig.generics, &field_types);
    let (_, struct_type_generics, _) = split.on_struct.split_for_impl();
    let struct_path = {
        let turbofish = struct_type_generics.as_turbofish();
        quote!(#gradients_type #turbofish)
    };
    let plain = unraw(name);
    let (gradients_struct, partials) = if structured {
        let doc = format!(
            "The gradient of [`{plain}`], returned by [`{plain}_grad`]: one field per parameter, of its shape, then one per top-level `let`."
        );
        let definition = loops::definition(function, graph, gradients_type, &doc, &split.on_struct);
        // A function of scalars only is a custom operation of other formulas.
        let scalars_only = function
            .params
            .iter()
            .all(|param| param.kind != crate::parse::ParameterKind::Elements);
        let partials = if scalars_only {
            gradients.partials(&split.on_struct, &scalar)
        } else {
            TokenStream::new()
        };
        (definition, partials)
    } else if function.arrays {
        let doc = format!(
            "The gradient of [`{plain}`], returned by [`{plain}_grad`]: one field per parameter that gets one, of its shape."
        );
        (
            arrays::definition(function, gradients_type, &doc, &split.on_struct),
            TokenStream::new(),
        )
    } else {
        let doc = format!(
            "The gradient of [`{plain}`], returned by [`{plain}_grad`]: one field per parameter, then one per `let` intermediate."
        );
        (
            gradients.definition(vis, &doc, &split.on_struct, &scalar, true),
            gradients.partials(&split.on_struct, &scalar),
        )
    };
    // Straight-line code reads the parameters from statements written as
    // text, at the call site: the generated functions name them there too,
    // or a `grad!` written by a `macro_rules!` would not find the names its
    // caller passed in (hygiene). Loops, branches and arrays are tokens.
    plan.call_site_inputs = straight_line;
    let parameter_name = |name: &Ident| {
        if straight_line {
            input_parameter(name)
        } else {
            name.clone()
        }
    };
    let declared: Vec<TokenStream> = function
        .params
        .iter()
        .map(|param| {
            let (name, ty) = (parameter_name(&param.name), &param.ty);
            quote!(#name: #ty)
        })
        .collect();
    let arguments: Vec<Ident> = function
        .params
        .iter()
        .map(|param| parameter_name(&param.name))
        .collect();
    let generics = &sig.generics;
    let where_clause = &sig.generics.where_clause;
    let (value, dout, trace) = (local("value"), &plan.dout, &plan.trace);
    let one = quote!(<#scalar as ::grad::__private::One>::one());
    let inlined = inlined_where_optimised();
    let grad_doc = format!(
        "The value of [`{plain}`] and its gradient, computed by backpropagation through the layers of its formula."
    );
    let function_body = |traced: bool| {
        if structured {
            return loops::body(function, graph, gradients_type, dout, None);
        }
        if function.arrays {
            return arrays::body(&plan, function, gradients_type, traced);
        }
        let forward = plan.forward(Some(&scalar));
        let output = plan.operand(graph.output);
        let construct = gradients.construct(&plan);
        let backward = plan.backward(&scalar, traced, None, &construct);
        let report_values = traced.then(|| {
            // Every node's value, as text (see `generate_text`).
            let values =
                Code::list_tokens((0..graph.nodes.len()).map(|node| plan.operand_text(node)));
            plan.report_values(&scalar, &quote!(&#values), None)
        });
        let use_private = use_private(&plan);
        quote! {
            #use_private
            #forward
            let #value = #output;
            #report_values
            (#value, { #backward })
        }
    };
    let (body_impl, grad_body, graph_function) = if PICTURES && !structured {
        let trace_type = &plan.trace_type;
        let on_body = &split.on_body;
        let predicates = &split.predicates;
        let body = function_body(true);
        let body_turbofish: Vec<TokenStream> = on_body
            .iter()
            .filter_map(|param| match param {
                syn::GenericParam::Type(ty) => {
                    let ident = &ty.ident;
                    Some(quote!(#ident))
                }
                syn::GenericParam::Const(constant) => {
                    let ident = &constant.ident;
                    Some(quote!(#ident))
                }
                syn::GenericParam::Lifetime(_) => None,
            })
            .collect();
        let call = |trace_argument: TokenStream| {
            let turbofish =
                (!body_turbofish.is_empty()).then(|| quote!(::<#(#body_turbofish,)* _>));
            quote!(#struct_path::__trace #turbofish(#(#arguments,)* #one, #trace_argument))
        };
        let grad_call = call(quote!(&mut ::grad::__private::NoTrace));
        let graph_call = call(quote!(&mut #trace));
        let (struct_impl_generics, _, _) = split.on_struct.split_for_impl();
        let description = raw_string(&graph.to_string());
        let graph_doc = format!(
            "The computational graph of [`{plain}`] at these arguments: every node's value and gradient (for `d{plain} = 1`), the numbers [`{plain}_grad`] computes. Render it with `to_svg`, `to_dot` or `to_mermaid`."
        );
        (
            quote! {
                impl #struct_impl_generics #gradients_type #struct_type_generics {
                    /// The value and gradient of the function, reporting
                    /// every number to `trace`: the code behind both
                    #[doc = concat!("`", #plain, "_grad` and `", #plain, "_graph`.")]
                    #[doc(hidden)]
                    #inlined
                    // Two parameters more than the user's function: the
                    // seed and the trace.
                    #[allow(clippy::too_many_arguments)]
                    #(#allows)*
                    #vis fn __trace<#(#on_body,)* #trace_type: ::grad::__private::Trace<#scalar>>(
                        #(#declared,)* #dout: #scalar, #trace: &mut #trace_type,
                    ) -> (#scalar, Self)
                    where #(#predicates,)*
                    {
                        #body
                    }
                }
            },
            grad_call,
            quote! {
                #(#cfgs)*
                #[doc = #graph_doc]
                // Compiled to machine code only in a crate that calls it:
                // a second instantiation of the whole formula, traced.
                #[inline]
                #[must_use]
                #(#allows)*
                #vis fn #graph_name #generics (#(#declared),*) -> ::grad::__private::Graph #where_clause {
                    let mut #trace = ::grad::__private::Recorder::new(#description);
                    let _ = #graph_call;
                    #trace.finish()
                }
            },
        )
    } else if PICTURES {
        // Loops and branches: `name_grad` is the code without hooks, as it
        // is without pictures; `name_graph` is the same code, generated by
        // the same generator, with the hooks of a picture.
        let body = function_body(false);
        let traced = loops::body(function, graph, gradients_type, dout, Some(trace));
        let description = raw_string(&graph.to_string());
        let graph_doc = format!(
            "The computational graph of [`{plain}`] at these arguments: every node's value and gradient (for `d{plain} = 1`), the numbers [`{plain}_grad`] computes. A loop is drawn once, as a box captioned with how many times it ran, and its nodes show the numbers of its last iteration; a branch not taken is drawn grey. Render it with `to_svg`, `to_dot` or `to_mermaid`."
        );
        (
            TokenStream::new(),
            quote! {
                let #dout = #one;
                #body
            },
            quote! {
                #(#cfgs)*
                #[doc = #graph_doc]
                #[must_use]
                #(#allows)*
                #vis fn #graph_name #generics (#(#declared),*) -> ::grad::__private::Graph #where_clause {
                    let mut #trace = ::grad::__private::Recorder::new(#description);
                    let #dout = #one;
                    let _ = { #traced };
                    #trace.finish()
                }
            },
        )
    } else {
        let body = function_body(false);
        (
            TokenStream::new(),
            quote! {
                let #dout = #one;
                #body
            },
            TokenStream::new(),
        )
    };
    let generated = quote! {
        #(#cfgs)*
        #gradients_struct

        #(#cfgs)*
        #partials

        #(#cfgs)*
        #body_impl

        #(#cfgs)*
        #[doc = #grad_doc]
        #[inline]
        #[must_use]
        #(#allows)*
        #vis fn #grad_name #generics (#(#declared),*) -> (#scalar, #gradients_type #struct_type_generics) #where_clause {
            #grad_body
        }

        #graph_function
    };
    if !function.arrays {
        let item = declared_up_front(item, &function.scalar).unwrap_or_else(|| quote!(#item));
        return quote!(#loop_allowance #item #generated);
    }
    // Over arrays the code needs grad-core's array layers: without them,
    // one error saying so, not one per layer.
    let arrays: Vec<String> = function
        .params
        .iter()
        .filter(|param| param.array)
        .map(|param| {
            format!(
                "`{}: {}`",
                unraw(&param.name),
                crate::graph::tidy(&param.ty)
            )
        })
        .collect();
    let arrays = arrays.join(", ");
    quote! {
        #loop_allowance
        #item
        ::grad::__private::over_arrays! { #arrays, #plain; #generated }
    }
}
