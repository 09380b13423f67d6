//! Stage 4: a valid graph to Rust code.
//!
//! The code calls one grad-core layer per operation node, `forward` in node
//! order and `backward` in reverse, as the seed does by hand. It is
//! straight-line: no allocation, no dispatch, no tape.
//!
//! Two compiler limits shape it. rustc with debuginfo overflows its stack on
//! a function holding a few thousand sequential `let`s, so values are not one
//! `let` each: they are declared up front, 64 to a `let (v0, .., v63);`, and
//! then assigned. And every local the expansion introduces is an identifier
//! with `Span::mixed_site()` hygiene, so it can neither shadow nor be
//! shadowed by the user's variables.

use crate::graph::{Graph, NodeId, NodeKind};
use crate::parse::Function;
use grad_core::ops::Shape;
use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

/// How many locals one `let` declares.
const LOCALS_PER_LET: usize = 64;

/// Every lint the generated code could trip in a user's crate, allowed where
/// the code is generated, not in the user's own code.
fn allow_lints() -> TokenStream {
    quote! {
        #[allow(
            unused,
            non_snake_case,
            non_camel_case_types,
            clippy::all,
            clippy::pedantic,
            clippy::nursery,
            clippy::restriction
        )]
    }
}

/// A local variable of the expansion, invisible to the user's code.
fn local(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

/// `apple_price` to `ApplePrice`, for the names of generated types.
fn upper_camel(name: &Ident) -> String {
    let name = name.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name);
    let camel: String = name
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

/// The code for one graph: the layers, the forward pass and the backward pass.
struct Emitter<'g> {
    graph: &'g Graph,
    layers: Ident,
    dout: Ident,
    /// The struct holding one layer per operation node.
    layers_type: Ident,
}

/// What the backward pass computes: a local per node that needs a gradient.
struct Adjoints {
    /// The local holding each node's gradient, if it needs one.
    local: Vec<Option<Ident>>,
    /// Whether each node's gradient gets more than one contribution.
    accumulates: Vec<bool>,
    /// Whether each node is on a path to the output.
    reachable: Vec<bool>,
}

impl<'g> Emitter<'g> {
    fn new(graph: &'g Graph) -> Self {
        Self {
            graph,
            layers: local("layers"),
            dout: local("dout"),
            layers_type: format_ident!("{}Layers", upper_camel(&graph.output_name)),
        }
    }

    fn value(&self, node: NodeId) -> TokenStream {
        match &self.graph.nodes[node].kind {
            NodeKind::Input(name) => quote!(#name),
            NodeKind::Literal(value) => {
                let literal = Literal::f64_suffixed(value.abs());
                let sign = value.is_sign_negative().then(|| quote!(-));
                quote!(::grad::__private::literal(#sign #literal))
            }
            NodeKind::Constant(expr) => quote!((#expr)),
            NodeKind::Operation { .. } | NodeKind::Custom { .. } => {
                let value = value_local(node);
                quote!(#value)
            }
        }
    }

    fn layer_field(node: NodeId) -> Ident {
        format_ident!("n{}", node)
    }

    fn operation_nodes(&self) -> impl DoubleEndedIterator<Item = NodeId> + '_ {
        (0..self.graph.nodes.len()).filter(|&node| {
            matches!(
                self.graph.nodes[node].kind,
                NodeKind::Operation { .. } | NodeKind::Custom { .. }
            )
        })
    }

    /// `struct PriceLayers<T> { n3: MulLayer<T>, .. }`, generic over the
    /// scalar because it is declared where the caller's types are not visible.
    fn layers_struct(&self) -> TokenStream {
        let name = &self.layers_type;
        let fields = self.operation_nodes().map(|node| {
            let field = Self::layer_field(node);
            let ty = match &self.graph.nodes[node].kind {
                NodeKind::Operation { op, .. } => {
                    let layer = Ident::new(op.layer, Span::call_site());
                    quote!(::grad::__private::#layer<T>)
                }
                NodeKind::Custom { operands, .. } => {
                    let arity = operands.len();
                    quote!(::grad::__private::CustomLayer<T, #arity>)
                }
                _ => unreachable!("operation_nodes yields operations only"),
            };
            quote!(#field: #ty)
        });
        let inits = self.operation_nodes().map(|node| {
            let field = Self::layer_field(node);
            match &self.graph.nodes[node].kind {
                NodeKind::Operation { op, .. } => {
                    let layer = Ident::new(op.layer, Span::call_site());
                    quote!(#field: ::grad::__private::#layer::new())
                }
                _ => quote!(#field: ::grad::__private::CustomLayer::new()),
            }
        });
        let allow = allow_lints();
        quote! {
            #allow
            #[derive(::core::clone::Clone, ::core::marker::Copy)]
            struct #name<T> {
                #(#fields,)*
                scalar: ::core::marker::PhantomData<T>,
            }

            #allow
            impl<T: ::grad::__private::Float> #name<T> {
                /// Fresh layers. The sample only fixes `T` where the layers
                /// are created: left to inference, ten thousand layers of an
                /// unknown type take rustc minutes to type-check.
                #[inline]
                fn new(_sample: ::core::option::Option<T>) -> Self {
                    Self {
                        #(#inits,)*
                        scalar: ::core::marker::PhantomData,
                    }
                }
            }
        }
    }

    /// Creates the layers, runs them forward, and returns the statements and
    /// the output's value.
    ///
    /// ```text
    /// let mut layers = PriceLayers::new(Some(apple));
    /// let (v2, v5, ..);
    /// v2 = layers.n2.forward(apple, apple_num);
    /// ```
    ///
    /// `scalar` is the scalar type where it can be named (the function form).
    fn forward(&self, scalar: Option<&TokenStream>) -> (TokenStream, TokenStream) {
        let layers = &self.layers;
        let name = &self.layers_type;
        let operations: Vec<NodeId> = self.operation_nodes().collect();
        let declarations = declare(
            operations.iter().map(|&node| (value_local(node), false)),
            scalar,
        );
        let steps = operations.iter().map(|&node| {
            let field = Self::layer_field(node);
            let value = value_local(node);
            let span = self.graph.nodes[node].span;
            match &self.graph.nodes[node].kind {
                NodeKind::Operation {
                    op,
                    operands,
                    exponent,
                } => {
                    let operands = operands.iter().map(|&operand| self.value(operand));
                    let exponent = exponent.as_ref().map(|exponent| quote!((#exponent)));
                    let arguments = match op.shape {
                        Shape::UnaryInt => quote!(#(#operands,)* #exponent),
                        Shape::Unary | Shape::Binary => quote!(#(#operands),*),
                    };
                    quote_spanned!(span=> #value = #layers.#field.forward(#arguments);)
                }
                NodeKind::Custom { function, operands } => {
                    let operands = operands.iter().map(|&operand| self.value(operand));
                    let mut derivative = function.clone();
                    if let Some(last) = derivative.segments.last_mut() {
                        last.ident = format_ident!("{}_grad", last.ident, span = last.ident.span());
                    }
                    quote_spanned!(span=> #value = #layers.#field.forward(#derivative(#(#operands),*));)
                }
                _ => unreachable!("operation_nodes yields operations only"),
            }
        });
        let output = self.value(self.graph.output);
        let sample = match (scalar, self.graph.inputs.first()) {
            (Some(scalar), _) => quote!(::core::option::Option::<#scalar>::None),
            (None, Some(&input)) => {
                let input = self.value(input);
                quote!(::core::option::Option::Some(#input))
            }
            (None, None) => quote!(::core::option::Option::None),
        };
        let allow = allow_lints();
        let statements = quote! {
            #allow
            let mut #layers = #name::new(#sample);
            #declarations
            #(#steps)*
        };
        (statements, output)
    }

    /// The nodes whose values come from the caller's scope (inputs and
    /// constants written as expressions), in node order: what the graph
    /// needs at run time besides the layers.
    fn leaves(&self) -> Vec<NodeId> {
        (0..self.graph.nodes.len())
            .filter(|&node| {
                matches!(
                    self.graph.nodes[node].kind,
                    NodeKind::Input(_) | NodeKind::Constant(_)
                )
            })
            .collect()
    }

    /// The static [`GraphSpec`](grad_core::graph::GraphSpec) of the formula.
    fn spec(&self) -> TokenStream {
        let graph = self.graph;
        let mut names: Vec<Option<String>> = vec![None; graph.nodes.len()];
        for binding in graph.bindings.iter().rev() {
            names[binding.node] = Some(unraw(&binding.name));
        }
        let nodes = graph.nodes.iter().enumerate().map(|(node, n)| {
            let kind = match &n.kind {
                NodeKind::Input(name) => {
                    names[node].get_or_insert_with(|| unraw(name));
                    quote!(::grad::__private::NodeSpecKind::Input)
                }
                NodeKind::Constant(expr) => {
                    let text = quote!(#expr).to_string().replace(' ', "");
                    names[node].get_or_insert(text);
                    quote!(::grad::__private::NodeSpecKind::Input)
                }
                NodeKind::Literal(value) => {
                    let literal = Literal::f64_suffixed(value.abs());
                    let sign = value.is_sign_negative().then(|| quote!(-));
                    quote!(::grad::__private::NodeSpecKind::Constant(#sign #literal))
                }
                NodeKind::Operation { op, operands, .. } => {
                    let kind = Ident::new(&format!("{:?}", op.kind), Span::call_site());
                    quote!(::grad::__private::NodeSpecKind::Operation {
                        op: ::grad::__private::OpKind::#kind,
                        operands: &[#(#operands),*],
                    })
                }
                NodeKind::Custom { function, operands } => {
                    let text = quote!(#function).to_string().replace(' ', "");
                    quote!(::grad::__private::NodeSpecKind::Custom {
                        function: #text,
                        operands: &[#(#operands),*],
                    })
                }
            };
            let name = match &names[node] {
                Some(name) => quote!(::core::option::Option::Some(#name)),
                None => quote!(::core::option::Option::None),
            };
            quote!(::grad::__private::NodeSpec { kind: #kind, name: #name })
        });
        let output = graph.output;
        let output_name = unraw(&graph.output_name);
        quote! {
            ::grad::__private::GraphSpec {
                nodes: &[#(#nodes),*],
                output: #output,
                output_name: #output_name,
            }
        }
    }

    /// An expression building the [`Graph`](grad_core::graph::Graph) from the
    /// layers after forward, the leaves' values (an `[f64; _]` in [`leaves`]
    /// order) and `dout: Option<f64>`.
    ///
    /// [`leaves`]: Self::leaves
    fn graph_of(
        &self,
        layers: &TokenStream,
        leaves: &TokenStream,
        dout: &TokenStream,
    ) -> TokenStream {
        let graph = self.graph;
        let spec = self.spec();
        let exponents = self
            .operation_nodes()
            .filter_map(|node| match &graph.nodes[node].kind {
                NodeKind::Operation {
                    exponent: Some(_), ..
                } => {
                    let field = Self::layer_field(node);
                    Some(quote!(#layers.#field.exponent().unwrap_or(0)))
                }
                _ => None,
            });
        let customs: Vec<NodeId> = self
            .operation_nodes()
            .filter(|&node| matches!(graph.nodes[node].kind, NodeKind::Custom { .. }))
            .collect();
        let records = customs.iter().map(|&node| {
            let field = Self::layer_field(node);
            quote!(::grad::__private::custom_record(&#layers.#field))
        });
        let record_locals: Vec<Ident> = customs
            .iter()
            .map(|&node| local(&format!("c{node}")))
            .collect();
        let (spec_local, values) = (local("spec"), local("values"));
        quote! {{
            const #spec_local: ::grad::__private::GraphSpec = #spec;
            let #values: [f64; _] = #leaves;
            #(let #record_locals = #records;)*
            ::grad::__private::Graph::evaluate(
                &#spec_local,
                ::grad::__private::GraphValues {
                    inputs: &#values,
                    exponents: &[#(#exponents),*],
                    custom: &[#((#record_locals.0, &#record_locals.1[..])),*],
                },
                #dout,
            )
        }}
    }

    fn adjoints(&self) -> Adjoints {
        let graph = self.graph;
        let count = graph.nodes.len();
        let mut reachable = vec![false; count];
        reachable[graph.output] = true;
        let mut contributions = vec![0_usize; count];
        contributions[graph.output] = 1;
        for node in (0..count).rev() {
            if reachable[node] {
                for &operand in graph.nodes[node].kind.operands() {
                    reachable[operand] = true;
                    contributions[operand] += 1;
                }
            }
        }
        let mut named = vec![false; count];
        for &input in &graph.inputs {
            named[input] = true;
        }
        for binding in &graph.bindings {
            named[binding.node] = true;
        }
        let local = (0..count)
            .map(|node| {
                let is_value = matches!(
                    graph.nodes[node].kind,
                    NodeKind::Operation { .. } | NodeKind::Custom { .. }
                );
                (named[node] || (is_value && reachable[node])).then(|| adjoint_local(node))
            })
            .collect();
        Adjoints {
            local,
            accumulates: contributions.iter().map(|&c| c > 1).collect(),
            reachable,
        }
    }

    /// The backward pass, reading the layers through `layers` and seeded
    /// with `dout`: its statements, then each node's gradient local.
    ///
    /// ```text
    /// let (a0, a1, a2, mut a4, ..);
    /// a6 = dout;
    /// (a5, a4) = layers.n6.backward(a6);   // first contributions go straight in
    /// (a0, s1) = layers.n2.backward(a2);
    /// a4 = a4 + s1;                       // a value used twice sums its gradients
    /// ```
    fn backward(&self, scalar: &TokenStream) -> (TokenStream, Adjoints) {
        let graph = self.graph;
        let adjoints = self.adjoints();
        let (layers, dout) = (&self.layers, &self.dout);
        let declarations = declare(
            (0..graph.nodes.len()).filter_map(|node| {
                let local = adjoints.local[node].clone()?;
                Some((local, adjoints.accumulates[node]))
            }),
            Some(scalar),
        );
        let mut received = vec![false; graph.nodes.len()];
        let mut steps = Vec::new();
        let mut scratch_used = std::collections::BTreeSet::new();
        if let Some(output) = &adjoints.local[graph.output] {
            steps.push(quote!(#output = #dout;));
            received[graph.output] = true;
        }
        for node in self.operation_nodes().rev() {
            if !adjoints.reachable[node] {
                continue;
            }
            let operands = graph.nodes[node].kind.operands();
            // Where each operand's gradient goes: straight into its local the
            // first time, through a scratch local and a sum after that, and
            // nowhere (`_`) for a constant.
            let mut targets = Vec::new();
            let mut sums = Vec::new();
            for (position, &operand) in operands.iter().enumerate() {
                match &adjoints.local[operand] {
                    None => targets.push(None),
                    Some(target) if !received[operand] => {
                        received[operand] = true;
                        targets.push(Some(quote!(#target)));
                    }
                    Some(target) => {
                        let scratch = scratch_local(position);
                        scratch_used.insert(position);
                        targets.push(Some(quote!(#scratch)));
                        sums.push(quote!(#target = #target + #scratch;));
                    }
                }
            }
            if targets.iter().all(Option::is_none) {
                continue;
            }
            let targets: Vec<TokenStream> = targets
                .into_iter()
                .map(|target| target.unwrap_or_else(|| quote!(_)))
                .collect();
            let field = Self::layer_field(node);
            let adjoint = &adjoints.local[node];
            let call = quote!(#layers.#field.backward(#adjoint));
            steps.push(match (&graph.nodes[node].kind, targets.as_slice()) {
                (NodeKind::Custom { .. }, targets) => quote!([#(#targets),*] = #call;),
                (_, [target]) => quote!(#target = #call;),
                (_, targets) => quote!((#(#targets),*) = #call;),
            });
            steps.extend(sums);
        }
        let zero = quote!(<#scalar as ::grad::__private::Zero>::zero());
        let zeros = (0..graph.nodes.len()).filter_map(|node| {
            let local = adjoints.local[node].as_ref().filter(|_| !received[node])?;
            Some(quote!(#local = #zero;))
        });
        let scratch = declare(
            scratch_used
                .into_iter()
                .map(|position| (scratch_local(position), true)),
            Some(scalar),
        );
        let statements = quote! {
            #declarations
            #scratch
            #(#zeros)*
            #(#steps)*
        };
        (statements, adjoints)
    }
}

fn value_local(node: NodeId) -> Ident {
    local(&format!("v{node}"))
}

fn adjoint_local(node: NodeId) -> Ident {
    local(&format!("a{node}"))
}

fn scratch_local(position: usize) -> Ident {
    local(&format!("s{position}"))
}

/// `let (v0, mut v1, ..);` in groups of [`LOCALS_PER_LET`].
///
/// With the scalar type known, each group is annotated with it: rustc
/// type-checks ten thousand deferred initialisations several times faster
/// when it does not have to infer their types.
fn declare(
    locals: impl Iterator<Item = (Ident, bool)>,
    scalar: Option<&TokenStream>,
) -> TokenStream {
    let locals: Vec<(Ident, bool)> = locals.collect();
    let allow = allow_lints();
    let groups = locals.chunks(LOCALS_PER_LET).map(|group| {
        let names = group.iter().map(|(name, mutable)| {
            let mutability = mutable.then(|| quote!(mut));
            quote!(#mutability #name)
        });
        let annotation = scalar.map(|scalar| {
            let types = group.iter().map(|_| scalar);
            quote!(: (#(#types,)*))
        });
        quote! {
            #allow
            let (#(#names,)*) #annotation;
        }
    });
    quote!(#(#groups)*)
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

    /// The struct, its `NAMES`, `pairs` and its [`Partials`] impl.
    ///
    /// [`Partials`]: grad_core::Partials
    fn definition(&self, vis: &syn::Visibility, doc: &str) -> TokenStream {
        let name = &self.name;
        let fields = self.fields();
        let names: Vec<&Ident> = fields.iter().map(|(name, _)| *name).collect();
        let strings: Vec<String> = names.iter().map(|name| unraw(name)).collect();
        let count = names.len();
        let inputs: Vec<&Ident> = names[..self.graph.inputs.len()].to_vec();
        let input_count = inputs.len();
        let field_docs = fields.iter().enumerate().map(|(i, (name, _))| {
            let kind = if i < input_count {
                "input"
            } else {
                "intermediate"
            };
            format!(
                "The gradient of the output with respect to the {kind} `{}`.",
                unraw(name)
            )
        });
        let allow = allow_lints();
        quote! {
            #[doc = #doc]
            #allow
            #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, ::core::cmp::PartialEq)]
            #vis struct #name<T> {
                #(#[doc = #field_docs] pub #names: T,)*
            }

            #allow
            impl<T: ::core::marker::Copy> #name<T> {
                /// The field names, in field order: inputs first, then intermediates.
                pub const NAMES: [&'static str; #count] = [#(#strings),*];

                /// Each field's name with its gradient, in field order.
                #[inline]
                #[must_use]
                pub fn pairs(&self) -> [(&'static str, T); #count] {
                    [#((#strings, self.#names)),*]
                }
            }

            #allow
            impl<T: ::core::marker::Copy> ::grad::__private::Partials<T, #input_count> for #name<T> {
                #[inline]
                fn into_partials(self) -> [T; #input_count] {
                    [#(self.#inputs),*]
                }
            }
        }
    }

    fn construct(&self, adjoints: &Adjoints) -> TokenStream {
        let name = &self.name;
        let fields = self.fields().into_iter().map(|(field, node)| {
            let local = &adjoints.local[node];
            quote!(#field: #local)
        });
        quote!(#name { #(#fields),* })
    }
}

fn unraw(name: &Ident) -> String {
    let name = name.to_string();
    name.strip_prefix("r#").map(str::to_owned).unwrap_or(name)
}

/// The inline form: a block that defines the value and gradient types, runs
/// forward, and evaluates to the value, whose `backward` runs the adjoint.
pub fn inline(graph: &Graph) -> TokenStream {
    let emitter = Emitter::new(graph);
    let output_name = &graph.output_name;
    let camel = upper_camel(output_name);
    let value_type = format_ident!("{}", camel);
    let gradients = Gradients {
        graph,
        name: format_ident!("{}Grad", camel),
    };
    let gradients_type = &gradients.name;
    let layers_field = layers_field(output_name);
    let layers_type = &emitter.layers_type;
    let layers_struct = emitter.layers_struct();
    let (forward, output) = emitter.forward(None);
    let scalar = quote!(T);
    let (backward, adjoints) = emitter.backward(&scalar);
    let construct = gradients.construct(&adjoints);
    let gradients_struct = gradients.definition(
        &syn::Visibility::Public(Default::default()),
        &format!(
            "The gradients of `{}`: one field per input and per `let` intermediate.",
            unraw(output_name)
        ),
    );
    let value_doc = format!(
        "The value of `{0}` and its graph; `backward(d{0})` returns the gradients.",
        unraw(output_name)
    );
    let output_string = unraw(output_name);
    let (layers, dout) = (&emitter.layers, &emitter.dout);
    let leaves = emitter.leaves();
    let leaf_count = leaves.len();
    // Stored as f64, what the picture needs: converted one by one, inputs of
    // mismatched types report one error (at the operation), not a second one here.
    let leaf_values: Vec<TokenStream> = leaves
        .iter()
        .map(|&node| {
            let value = emitter.value(node);
            quote!(::grad::__private::to_f64(#value))
        })
        .collect();
    let stored_leaves = quote!(self.#layers_field.1);
    // One description of the graph, shared by both methods: at ten thousand
    // nodes, type-checking it is a good part of the build.
    let graph_dout = local("graph_dout");
    let graph_of = emitter.graph_of(&quote!(#layers), &stored_leaves, &quote!(#graph_dout));
    let allow = allow_lints();
    quote! {
        {
            #layers_struct

            #[doc = #value_doc]
            #allow
            #[derive(::core::clone::Clone, ::core::marker::Copy)]
            pub struct #value_type<T> {
                /// The value of the formula.
                pub #output_name: T,
                #layers_field: (#layers_type<T>, [f64; #leaf_count]),
            }

            #allow
            impl<T: ::core::fmt::Debug> ::core::fmt::Debug for #value_type<T> {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.debug_struct(::core::stringify!(#value_type))
                        .field(#output_string, &self.#output_name)
                        .finish_non_exhaustive()
                }
            }

            #allow
            impl<T: ::grad::__private::Float> #value_type<T> {
                /// Runs the layers backward from `dout`, the gradient of
                /// whatever uses this output (1 for the output itself).
                #[inline]
                #[must_use]
                pub fn backward(&self, #dout: T) -> #gradients_type<T> {
                    let #layers = &self.#layers_field.0;
                    #backward
                    #construct
                }

                /// The computational graph of the formula with every node's
                /// forward value (recomputed in `f64` for the picture):
                /// render it with `to_svg`, `to_dot` or `to_mermaid`.
                #[must_use]
                pub fn graph(&self) -> ::grad::__private::Graph {
                    self.__graph(::core::option::Option::None)
                }

                /// The graph after backward from `dout`: every edge also
                /// carries the gradient that flows back along it.
                #[must_use]
                pub fn graph_with_gradients(&self, #dout: T) -> ::grad::__private::Graph {
                    self.__graph(::core::option::Option::Some(::grad::__private::to_f64(#dout)))
                }

                fn __graph(
                    &self,
                    #graph_dout: ::core::option::Option<f64>,
                ) -> ::grad::__private::Graph {
                    let #layers = &self.#layers_field.0;
                    #graph_of
                }
            }

            #gradients_struct

            #forward
            #value_type {
                #output_name: #output,
                #layers_field: (#layers, [#(#leaf_values),*]),
            }
        }
    }
}

/// The value struct's private field for the layers: a name that differs
/// from the output's.
fn layers_field(output: &Ident) -> Ident {
    let mut name = String::from("__layers");
    while *output == name {
        name.push('_');
    }
    Ident::new(&name, Span::call_site())
}

/// The function form: the user's function unchanged, its gradients struct,
/// and `name_grad` returning the value and the gradients.
pub fn function(function: &Function, graph: &Graph) -> TokenStream {
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
    let cfgs: Vec<&syn::Attribute> = item
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"))
        .collect();
    let emitter = Emitter::new(graph);
    let layers_struct = emitter.layers_struct();
    let scalar = &function.scalar;
    let scalar_tokens = quote!(#scalar);
    let (forward, output) = emitter.forward(Some(&scalar_tokens));
    let (backward, adjoints) = emitter.backward(&scalar_tokens);
    let construct = gradients.construct(&adjoints);
    let plain = unraw(name);
    let gradients_struct = gradients.definition(
        vis,
        &format!(
            "The gradient of [`{plain}`], returned by [`{plain}_grad`]: one field per parameter, then one per `let` intermediate."
        ),
    );
    let grad_doc = format!(
        "The value of [`{plain}`] and its gradient, computed by backpropagation through the layers of its formula."
    );
    let graph_name = format_ident!("{}_graph", name, span = name.span());
    let graph_doc = format!(
        "The computational graph of [`{plain}`] at these arguments: every node's value, and every edge's gradient for `d{plain} = 1`. Render it with `to_svg`, `to_dot` or `to_mermaid`."
    );
    let leaf_values: Vec<TokenStream> = emitter
        .leaves()
        .iter()
        .map(|&node| {
            let value = emitter.value(node);
            quote!(::grad::__private::to_f64(#value))
        })
        .collect();
    let layers = &emitter.layers;
    let graph_of = emitter.graph_of(
        &quote!(#layers),
        &quote!([#(#leaf_values),*]),
        &quote!(::core::option::Option::Some(1.0)),
    );
    let generics = &sig.generics;
    let where_clause = &sig.generics.where_clause;
    let params = &sig.inputs;
    let (value, dout) = (local("value"), &emitter.dout);
    let allow = allow_lints();
    quote! {
        #item

        #(#cfgs)*
        #gradients_struct

        #(#cfgs)*
        #[doc = #grad_doc]
        #[inline]
        #[must_use]
        #allow
        #vis fn #grad_name #generics (#params) -> (#scalar, #gradients_type<#scalar>) #where_clause {
            #layers_struct
            #forward
            let #value = #output;
            let #dout = <#scalar as ::grad::__private::One>::one();
            #backward
            (#value, #construct)
        }

        #(#cfgs)*
        #[doc = #graph_doc]
        #[must_use]
        #allow
        #vis fn #graph_name #generics (#params) -> ::grad::__private::Graph #where_clause {
            #layers_struct
            #forward
            #graph_of
        }
    }
}
