//! Stage 4 for a function over arrays: the same graph, run by the array
//! layers of `grad_core::array`.
//!
//! The macro cannot see types, and does not need to: every operand is
//! passed to its layer by reference (`&x`, `&v3`), and the layer's type
//! parameters, inferred by rustc, say whether it is a scalar or an array
//! and of what shape. So the code is that of the scalar form, one layer per
//! operation, forward in order and backward in reverse, with these
//! differences:
//!
//! - every value and every layer is a `let` of its own, since their types
//!   differ and cannot be written (array formulas are a few dozen
//!   operations, far from the limits that make the scalar form declare its
//!   locals in groups);
//! - the layers borrow the values they read, so they are locals, not a
//!   struct, and backward moves each gradient into the layer that uses it;
//! - a layer with a constant operand computes the other operand's gradient
//!   alone (`backward_left`, `backward_right`): the data's gradient in
//!   `x.dot(w)` is never computed when `x` is `#[constant]`;
//! - only the parameters get gradient fields, of each parameter's type made
//!   owned: the types of intermediates are unknown to the macro.

use crate::generate::{Plan, Schedule, edge_local, layer_field, local, value_local};
use crate::graph::{NodeId, NodeKind};
use crate::parse::{Function, ParameterKind};
use grad_core::ops::Shape;
use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::visit_mut::VisitMut;
use syn::{Ident, Type};

/// The array layer types, as `grad::__private::array` paths.
const ARRAY: &str = "array";

/// The gradient field of each differentiable parameter: its name and the
/// type of its gradient.
pub(crate) fn fields(function: &Function) -> Vec<(&Ident, Type)> {
    function
        .params
        .iter()
        .filter(|param| param.kind != ParameterKind::Constant)
        .map(|param| (&param.name, gradient_type(&param.ty)))
        .collect()
}

/// The owned type of a parameter's gradient, written as the user would:
/// `&Array2<f64>` and `Array2<f64>` give `Array2<f64>`, `ArrayView1<'_, T>`
/// gives `Array1<T>`, `f64` gives `f64`. Any other type `X` (an alias, say)
/// gives `<X as Value>::Grad`, which rustc works out.
fn gradient_type(ty: &Type) -> Type {
    let mut owned = ty;
    loop {
        match owned {
            Type::Reference(reference) => owned = &reference.elem,
            Type::Paren(paren) => owned = &paren.elem,
            Type::Group(group) => owned = &group.elem,
            _ => break,
        }
    }
    let mut owned = owned.clone();
    StaticLifetimes.visit_type_mut(&mut owned);
    if let Type::Path(path) = &owned
        && path.qself.is_none()
        && let Some(last) = path.path.segments.last()
    {
        let name = last.ident.to_string();
        if path.path.segments.len() == 1 && (name == "f32" || name == "f64") {
            return owned;
        }
        let suffix_of = |prefix: &str| {
            name.strip_prefix(prefix)
                .filter(|suffix| {
                    suffix.is_empty() || *suffix == "D" || suffix.parse::<u8>().is_ok()
                })
                .map(str::to_owned)
        };
        if suffix_of("Array").is_some() {
            return owned;
        }
        if let Some(suffix) = ["ArrayViewMut", "ArrayView", "CowArray", "ArcArray"]
            .iter()
            .find_map(|prefix| suffix_of(prefix))
        {
            // A view's gradient is an owned array of its element and shape,
            // written with grad's own path: the user may not have imported it.
            let array = Ident::new(&format!("Array{suffix}"), last.ident.span());
            let arguments = match &last.arguments {
                syn::PathArguments::AngleBracketed(arguments) => {
                    let kept = arguments
                        .args
                        .iter()
                        .filter(|argument| !matches!(argument, syn::GenericArgument::Lifetime(_)));
                    quote!(<#(#kept),*>)
                }
                _ => TokenStream::new(),
            };
            return syn::parse_quote!(::grad::ndarray::#array #arguments);
        }
    }
    syn::parse_quote!(<#owned as ::grad::__private::array::Value>::Grad)
}

/// Replaces every lifetime with `'static`: a gradient owns its data, and
/// its struct has no lifetime parameter.
struct StaticLifetimes;

impl VisitMut for StaticLifetimes {
    fn visit_lifetime_mut(&mut self, lifetime: &mut syn::Lifetime) {
        *lifetime = syn::Lifetime::new("'static", lifetime.span());
    }

    fn visit_type_reference_mut(&mut self, reference: &mut syn::TypeReference) {
        if reference.lifetime.is_none() {
            reference.lifetime = Some(syn::Lifetime::new("'static", Span::call_site()));
        }
        syn::visit_mut::visit_type_reference_mut(self, reference);
    }
}

/// The gradients struct of a function over arrays, with its `NAMES`.
pub(crate) fn definition(
    function: &Function,
    name: &Ident,
    doc: &str,
    generics: &syn::Generics,
) -> TokenStream {
    let vis = &function.item.vis;
    let fields = fields(function);
    let names: Vec<&Ident> = fields.iter().map(|(name, _)| *name).collect();
    let types = fields.iter().map(|(_, ty)| ty);
    let strings: Vec<String> = names.iter().map(|name| crate::graph::unraw(name)).collect();
    let count = names.len();
    let field_docs = strings
        .iter()
        .map(|name| format!("The gradient of the output with respect to `{name}`, of its shape."));
    let (impl_generics, type_generics, _) = generics.split_for_impl();
    let impls = crate::generate::field_impls(name, generics, &names, false, false);
    quote! {
        #[doc = #doc]
        // The fields are the user's own names, linted where they wrote them.
        #[allow(non_snake_case)]
        #vis struct #name #generics {
            #(#[doc = #field_docs] pub #names: #types,)*
        }

        #impls

        impl #impl_generics #name #type_generics {
            /// The field names, in parameter order.
            pub const NAMES: [&'static str; #count] = [#(#strings),*];
        }
    }
}

/// `::grad::__private::array::#name`.
fn array_item(name: &str) -> TokenStream {
    let module = Ident::new(ARRAY, Span::call_site());
    let name = Ident::new(name, Span::call_site());
    quote!(::grad::__private::#module::#name)
}

/// A node's value as an operand: a reference to the parameter, to the
/// constant named in the scope, or to the local the node's layer set.
fn operand(plan: &Plan, node: NodeId) -> TokenStream {
    match &plan.graph.nodes[node].kind {
        NodeKind::Input(name) => quote!(&#name),
        NodeKind::Constant(syn::Expr::Path(path))
            if path.qself.is_none() && path.path.get_ident().is_some() =>
        {
            quote!(&#path)
        }
        _ => {
            let value = value_local(node);
            quote!(&#value)
        }
    }
}

/// The layer of an operation node, created empty.
fn layer(op: &grad_core::ops::Operation) -> TokenStream {
    if op.arrays_only {
        let layer = array_item(op.layer);
        return quote!(#layer::new());
    }
    let layer = Ident::new(op.layer, Span::call_site());
    match op.shape {
        Shape::Unary => {
            let map = array_item("Map");
            quote!(#map::<::grad::__private::#layer<_>, _>::new())
        }
        Shape::Binary => {
            let zip = array_item("Zip");
            quote!(#zip::<::grad::__private::#layer<_>, _, _>::new())
        }
        Shape::UnaryInt => {
            let powi = array_item("Powi");
            quote!(#powi::new())
        }
        Shape::UnaryLabels => unreachable!("operations with labels exist on arrays only"),
    }
}

/// The forward pass: one `let` per literal, constant and operation.
///
/// ```text
/// let mut n3 = Dot::new();
/// let v3 = n3.forward(&x, &w1);
/// let mut n4 = Zip::<AddLayer<_>, _, _>::new();
/// let v4 = n4.forward(&v3, &b1);
/// ```
fn forward(plan: &Plan, scalar: &TokenStream) -> TokenStream {
    let steps = (0..plan.graph.nodes.len()).map(|node| {
        let value = value_local(node);
        let span = plan.graph.nodes[node].span;
        match &plan.graph.nodes[node].kind {
            NodeKind::Input(_) => TokenStream::new(),
            NodeKind::Literal(number) => {
                let literal = Literal::f64_suffixed(number.abs());
                let sign = number.is_sign_negative().then(|| quote!(-));
                quote_spanned!(span=> let #value: #scalar = ::grad::__private::literal(#sign #literal);)
            }
            NodeKind::Constant(syn::Expr::Path(path))
                if path.qself.is_none() && path.path.get_ident().is_some() =>
            {
                TokenStream::new()
            }
            NodeKind::Constant(expr) => quote_spanned!(span=> let #value = #expr;),
            NodeKind::Operation {
                op,
                operands,
                argument,
            } => {
                let field = layer_field(node);
                let layer = layer(op);
                let operands = operands.iter().map(|&operand| self::operand(plan, operand));
                let argument = argument.as_ref().map(|argument| quote!(, (#argument)));
                quote_spanned! {span=>
                    let mut #field = #layer;
                    let #value = #field.forward(#(#operands),* #argument);
                }
            }
            NodeKind::Custom { .. } => unreachable!("custom operations are rejected over arrays"),
            _ => unreachable!("loops, branches and elements are rejected over arrays"),
        }
    });
    quote!(#(#steps)*)
}

/// The backward pass, seeded with `dout` at the output: each layer's
/// backward takes its node's gradient and returns one per computed edge; a
/// node's gradient is the sum of its edges in the order backward computes
/// them, taken just before its own layer runs. With `traced`, each gradient
/// is summarised for the trace as it is computed, before a layer consumes it.
fn backward(plan: &Plan, schedule: &Schedule, scalar: &TokenStream, traced: bool) -> TokenStream {
    let graph = plan.graph;
    let count = graph.nodes.len();
    let Schedule {
        kept,
        outgoing,
        visited,
    } = schedule;
    let (dout, trace_type) = (&plan.dout, &plan.trace_type);
    let value_trait = array_item("Value");
    let operand_trait = array_item("Operand");
    let (edge_summaries, node_summaries, summary_nodes) = (
        local("edge_summaries"),
        local("node_summaries"),
        local("summary_nodes"),
    );
    let on = quote!(<#trace_type as ::grad::__private::Trace<#scalar>>::ON);
    // The edges the gradients need, without those only a picture shows.
    let needed = plan.schedule(false);
    let record_edge = |edge: usize| {
        traced.then(|| {
            let local = edge_local(edge);
            quote! {
                if #on {
                    #edge_summaries[#edge] = ::core::option::Option::Some(#value_trait::summary(&#local));
                }
            }
        })
    };
    let record_node = |node: NodeId, adjoint: &Ident| {
        traced.then(|| {
            quote! {
                if #on {
                    #summary_nodes.push(#node);
                    #node_summaries.push(#value_trait::summary(&#adjoint));
                }
            }
        })
    };
    // `let a = e0; let a = Add::add(a, e3);`, or the 0 of the operand's shape.
    let sum = |node: NodeId| -> TokenStream {
        let Some(adjoint) = &plan.adjoint[node] else {
            return TokenStream::new();
        };
        let mut edges = outgoing[node].iter().map(|&edge| edge_local(edge));
        let total = match edges.next() {
            None => {
                let operand = operand(plan, node);
                quote!(let #adjoint = #operand_trait::zero_gradient(#operand);)
            }
            Some(first) => quote! {
                let #adjoint = #first;
                #(let #adjoint = ::core::ops::Add::add(#adjoint, #edges);)*
            },
        };
        let record = record_node(node, adjoint);
        quote!(#total #record)
    };
    let mut summed = vec![false; count];
    let mut steps = Vec::new();
    if traced {
        let edge_count = kept.len();
        steps.push(quote! {
            let mut #edge_summaries: ::std::vec::Vec<::core::option::Option<::grad::__private::Summary>> =
                if #on { ::std::vec![::core::option::Option::None; #edge_count] } else { ::std::vec::Vec::new() };
            let mut #summary_nodes: ::std::vec::Vec<usize> = ::std::vec::Vec::new();
            let mut #node_summaries: ::std::vec::Vec<::grad::__private::Summary> = ::std::vec::Vec::new();
        });
    }
    if let Some(output) = &plan.adjoint[graph.output] {
        let value = operand(plan, graph.output);
        steps.push(quote!(let #output = #value_trait::seed(#value, #dout);));
        steps.push(record_node(graph.output, output).unwrap_or_default());
        summed[graph.output] = true;
    }
    for &node in visited {
        if !summed[node] {
            steps.push(sum(node));
            summed[node] = true;
        }
        let operands = graph.nodes[node].kind.operands();
        let edges_in = |kept: &[bool]| -> Vec<Option<usize>> {
            (0..operands.len())
                .map(|position| {
                    let edge = plan.first_edge[node] + position;
                    kept[edge].then_some(edge)
                })
                .collect()
        };
        let (edges, needed_edges) = (edges_in(kept), edges_in(&needed.kept));
        let field = layer_field(node);
        let adjoint = &plan.adjoint[node];
        let records: Vec<TokenStream> = edges
            .iter()
            .flatten()
            .filter_map(|&edge| record_edge(edge))
            .collect();
        if edges == needed_edges {
            let (locals, call) = layer_call(&field, adjoint, &edges);
            steps.push(quote!(let #locals = #call;));
            steps.extend(records);
            continue;
        }
        // Edges only the picture reads (into a `#[constant]` or another
        // operand without a gradient): computed when tracing only, so
        // `name_grad` never pays for them (the data's gradient in
        // `x.dot(w)`, a matrix product as large as the weights').
        let (locals, call) = layer_call(&field, adjoint, &edges);
        steps.push(if needed_edges.iter().all(Option::is_none) {
            quote! {
                if #on {
                    let #locals = #call;
                    #(#records)*
                }
            }
        } else {
            let (needed_locals, needed_call) = layer_call(&field, adjoint, &needed_edges);
            quote! {
                let #needed_locals = if #on {
                    let #locals = #call;
                    #(#records)*
                    #needed_locals
                } else {
                    #needed_call
                };
            }
        });
    }
    for (node, summed) in summed.iter().enumerate() {
        if !summed {
            steps.push(sum(node));
        }
    }
    let report = traced.then(|| {
        let trace = &plan.trace;
        quote! {
            if #on {
                ::grad::__private::Trace::<#scalar>::gradient_summaries(#trace, &#edge_summaries, &#summary_nodes, &#node_summaries);
            }
        }
    });
    quote! {
        #(#steps)*
        #report
    }
}

/// The layer's backward for the edges asked for, and the locals it sets:
/// `backward` for both operands (a pair), `backward_left` or
/// `backward_right` for one of two, `backward` for the operand of a
/// one-operand layer.
fn layer_call(
    field: &Ident,
    adjoint: &Option<Ident>,
    edges: &[Option<usize>],
) -> (TokenStream, TokenStream) {
    match edges {
        [Some(left), Some(right)] => {
            let (left, right) = (edge_local(*left), edge_local(*right));
            (quote!((#left, #right)), quote!(#field.backward(#adjoint)))
        }
        [Some(left), None] => {
            let left = edge_local(*left);
            (quote!(#left), quote!(#field.backward_left(#adjoint)))
        }
        [None, Some(right)] => {
            let right = edge_local(*right);
            (quote!(#right), quote!(#field.backward_right(#adjoint)))
        }
        [Some(edge)] => {
            let edge = edge_local(*edge);
            (quote!(#edge), quote!(#field.backward(#adjoint)))
        }
        _ => unreachable!("backward visits a layer for an edge it computes"),
    }
}

/// The body of `name_grad` (and, with `traced`, of the traced function
/// behind `name_graph`): forward, the value, backward, and the gradients
/// struct, as `(value, gradients)`.
pub(crate) fn body(
    plan: &Plan,
    function: &Function,
    gradients_type: &Ident,
    traced: bool,
) -> TokenStream {
    let graph = plan.graph;
    let scalar_type = &function.scalar;
    let scalar = quote!(#scalar_type);
    let forward = forward(plan, &scalar);
    let value = local("value");
    let value_trait = array_item("Value");
    let output = operand(plan, graph.output);
    let report_values = traced.then(|| {
        let trace = &plan.trace;
        let summaries = (0..graph.nodes.len()).map(|node| {
            let operand = operand(plan, node);
            quote!(#value_trait::summary(#operand))
        });
        let exponents = plan.operations.iter().filter_map(|&node| {
            let NodeKind::Operation { op, .. } = &graph.nodes[node].kind else {
                return None;
            };
            let field = layer_field(node);
            (op.shape == Shape::UnaryInt).then(|| quote!((#node, #field.exponent())))
        });
        plan.traced(
            &scalar,
            quote! {
                ::grad::__private::Trace::<#scalar>::summaries(#trace, &[#(#summaries),*]);
                ::grad::__private::Trace::<#scalar>::exponents(#trace, &[#(#exponents),*]);
            },
        )
    });
    let schedule = plan.schedule(traced);
    let backward = backward(plan, &schedule, &scalar, traced);
    let fields = fields(function).into_iter().map(|(name, _)| {
        let node = graph
            .inputs
            .iter()
            .copied()
            .find(
                |&node| matches!(&graph.nodes[node].kind, NodeKind::Input(input) if input == name),
            )
            .unwrap_or_else(|| unreachable!("every differentiable parameter is an input"));
        let adjoint = &plan.adjoint[node];
        quote!(#name: #adjoint)
    });
    quote! {
        #forward
        let #value: #scalar = #value_trait::scalar(#output);
        #report_values
        #backward
        (#value, #gradients_type { #(#fields),* })
    }
}

#[cfg(test)]
mod tests {
    use crate::expand::expand;

    /// The book's network with `x` marked `#[constant]` or not.
    fn network(constant: bool) -> String {
        let attribute = constant.then(|| quote::quote!(#[constant]));
        expand(quote::quote! {
            pub fn loss(#attribute x: &Array2<f64>, t: &[usize], w1: &Array2<f64>, b1: &Array1<f64>,
                        w2: &Array2<f64>, b2: &Array1<f64>) -> f64 {
                let a1 = x.dot(w1) + b1;
                let z1 = relu(a1);
                let a2 = z1.dot(w2) + b2;
                softmax_cross_entropy(a2, t)
            }
        })
        .to_string()
    }

    #[test]
    fn the_gradient_of_a_constant_is_computed_for_pictures_only() {
        let (constant, parameter) = (network(true), network(false));
        // `x.dot(w1)` with `x` constant: `w1`'s gradient alone.
        assert!(constant.contains(". backward_right ("), "{constant}");
        assert!(!parameter.contains(". backward_right ("), "{parameter}");
        if crate::generate::PICTURES {
            // A picture shows every edge: the data's gradient too, computed
            // only while a picture is being traced.
            assert!(
                constant.contains("if < R as :: grad :: __private :: Trace < f64 >> :: ON { let (__ge0 , __ge1) = n5 . backward (__ga5) ;"),
                "{constant}"
            );
            assert_eq!(
                constant.matches(". backward (").count(),
                parameter.matches(". backward (").count()
            );
        }
    }
}
