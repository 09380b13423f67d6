//! Stage 4 for a body with loops, branches or element reads: structured
//! code, whose size follows the body's, not the number of iterations.
//!
//! The body's own nodes run as in the straight-line form, one layer each,
//! forward in order and backward in reverse. A loop runs forward as
//! written, then backward as a reversed loop: each backward iteration runs
//! its body forward again (from the same inputs, so to the same values,
//! bit for bit) with fresh layers, then backward through them. A value an
//! iteration reads from the one before (an accumulator, `s *= x[i]`) is
//! kept per iteration in one allocation, the tape, but only where a layer
//! needs it: an accumulator only summed (`s += ..`) needs none, since
//! adding keeps nothing. An `if` runs only the branch its condition
//! chooses, forward and backward; the other is never evaluated.
//!
//! ```text
//! for i in lo..hi { let v4 = x[i]; ..; c1_0 = v9; }        // forward, as written
//! let mut dc1_0 = g12;                                      // the gradient of s after the loop
//! for i in (lo..hi).rev() {
//!     let v4 = x[i]; let mut l5 = MulLayer::new(); let v5 = l5.forward(v4, v4); ..
//!     let mut g5 = -0.0; ..; g9 += dc1_0;                   // the gradient of s at the end
//!     let (e0, e1) = l5.backward(g5); g4 += e0; g4 += e1;  // backward through the body
//!     d0[i] += g4;                                          // an element's gradient
//!     dc1_0 = g3;                                           // s at the start of the iteration
//! }
//! ```
//!
//! Gradients are summed into `let mut` locals that start at `-0.0`, which
//! adding leaves as it is (`-0.0 + x == x` for every `x`), so the first sum
//! costs nothing.

use crate::generate::{local, value_local};
use crate::graph::{Condition, Graph, NodeId, NodeKind, RegionId, RegionKind};
use crate::parse::{Function, ParameterKind};
use grad_core::ops::Shape;
use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use std::cell::Cell;
use syn::{Ident, Type};

fn layer_local(node: NodeId) -> Ident {
    local(&format!("l{node}"))
}

fn gradient_local(node: NodeId) -> Ident {
    local(&format!("g{node}"))
}

fn condition_local(node: NodeId) -> Ident {
    local(&format!("k{node}"))
}

fn carried_local(region: RegionId, slot: usize) -> Ident {
    local(&format!("c{region}_{slot}"))
}

fn carried_gradient(region: RegionId, slot: usize) -> Ident {
    local(&format!("dc{region}_{slot}"))
}

fn tape_local(region: RegionId, slot: usize) -> Ident {
    local(&format!("t{region}_{slot}"))
}

fn bounds_locals(region: RegionId) -> (Ident, Ident) {
    (local(&format!("lo{region}")), local(&format!("hi{region}")))
}

fn edge_local(node: NodeId, position: usize) -> Ident {
    local(&format!("e{node}_{position}"))
}

/// The local holding the gradient of the array parameter `index`.
fn array_gradient(index: usize) -> Ident {
    local(&format!("d{index}"))
}

/// The type of a parameter's gradient: the scalar, or the array's shape
/// owned (`&[T; N]` gives `[T; N]`, `&[T]` gives `Vec<T>`).
fn gradient_type(ty: &Type) -> Type {
    match ty {
        Type::Reference(reference) => gradient_type(&reference.elem),
        Type::Paren(paren) => gradient_type(&paren.elem),
        Type::Slice(slice) => {
            let element = &slice.elem;
            syn::parse_quote!(::std::vec::Vec<#element>)
        }
        other => other.clone(),
    }
}

/// The zero gradient of an array parameter `name` of type `ty`.
fn zeros(ty: &Type, name: &Ident, zero: &TokenStream) -> TokenStream {
    match ty {
        Type::Reference(reference) => zeros(&reference.elem, name, zero),
        Type::Paren(paren) => zeros(&paren.elem, name, zero),
        Type::Array(array) => {
            let (element, length) = (zeros(&array.elem, name, zero), &array.len);
            quote!([#element; #length])
        }
        Type::Slice(slice) => {
            let element = zeros(&slice.elem, name, zero);
            quote!(::std::vec![#element; #name.len()])
        }
        _ => zero.clone(),
    }
}

/// The gradients struct's fields: every parameter that gets a gradient, in
/// order, then the top-level `let`s; with each field's type.
pub(crate) fn fields<'f>(function: &'f Function, graph: &'f Graph) -> Vec<(&'f Ident, Type)> {
    let params = function
        .params
        .iter()
        .filter(|param| param.kind != ParameterKind::Constant)
        .map(|param| match param.kind {
            ParameterKind::Elements => (&param.name, gradient_type(&param.ty)),
            _ => (&param.name, function.scalar.clone()),
        });
    let bindings = graph
        .bindings
        .iter()
        .map(|binding| (&binding.name, function.scalar.clone()));
    params.chain(bindings).collect()
}

/// The gradients struct of a function with loops, with its `NAMES`.
pub(crate) fn definition(
    function: &Function,
    graph: &Graph,
    name: &Ident,
    doc: &str,
    generics: &syn::Generics,
) -> TokenStream {
    let vis = &function.item.vis;
    let fields = fields(function, graph);
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
        // Backward adds into the array gradients in place, in the value it
        // returns; LLVM vectorises that reversed loop only when it knows the
        // arrays' alignment (Rosenbrock, N = 10,000: 16 instructions an
        // iteration instead of 24, `benches/loops.sh`).
        #[repr(align(16))]
        #vis struct #name #generics {
            #(#[doc = #field_docs] pub #names: #types,)*
        }

        #impls

        impl #impl_generics #name #type_generics {
            /// The field names, in field order: parameters, then intermediates.
            pub const NAMES: [&'static str; #count] = [#(#strings),*];
        }
    }
}

/// What the code of a structured body needs to know about its graph.
struct Structure<'g> {
    graph: &'g Graph,
    scalar: TokenStream,
    /// Each region's first and last node position, its nested regions' included.
    span: Vec<(usize, usize)>,
    /// Whether a node's gradient reaches the output: it keeps a gradient local.
    gradient: Vec<bool>,
    /// Whether a loop's accumulator is kept per iteration, by loop and slot.
    taped: Vec<Vec<bool>>,
    /// The nodes a backward iteration does not run forward again: sums of
    /// an accumulator that is not kept, which need nothing from forward.
    skipped: Vec<bool>,
    /// The array gradient local of each array parameter, by name.
    arrays: Vec<(String, Ident)>,
    /// Whether hooks are written now: only in the code of a picture
    /// (`name_graph`), and there not in the forward code a backward
    /// iteration runs again, which would report earlier iterations.
    recording: Cell<bool>,
    /// Which hook buffers the code writes to, so that only those are `mut`.
    written: Cell<Written>,
    /// The index of each node's first edge in the picture: edges are
    /// numbered by the node they enter, then by operand position, counting
    /// the operands the description writes (an element's array, an
    /// accumulator's value before the loop or at the end of its last
    /// iteration, both values of a select).
    first_edge: Vec<usize>,
    edge_count: usize,
}

/// The hook buffers some hook writes to.
#[derive(Clone, Copy, Default)]
struct Written {
    values: bool,
    exponents: bool,
    edges: bool,
    adjoints: bool,
    runs: bool,
    seen: bool,
}

/// The locals of the hooks: every node's value (of its last run), every
/// `powi` exponent, every edge's gradient and every node's adjoint (of the
/// first backward run of its region, which is the last forward one), how
/// many times each region ran, and which regions backward has been through.
fn hook_locals() -> [Ident; 6] {
    [
        local("trace_values"),
        local("trace_exponents"),
        local("trace_edges"),
        local("trace_adjoints"),
        local("trace_runs"),
        local("trace_seen"),
    ]
}

impl<'g> Structure<'g> {
    fn new(function: &'g Function, graph: &'g Graph, traced: bool) -> Self {
        let count = graph.nodes.len();
        let mut first_edge = Vec::with_capacity(count);
        let mut edge_count = 0;
        for node in &graph.nodes {
            first_edge.push(edge_count);
            edge_count += match node.kind {
                NodeKind::Entry { .. } | NodeKind::Exit { .. } => 1,
                _ => node.kind.operands().len(),
            };
        }
        let scalar_type = &function.scalar;
        let mut span = vec![(usize::MAX, 0); graph.regions.len()];
        for (position, node) in graph.nodes.iter().enumerate() {
            let mut region = node.region;
            loop {
                let (first, last) = &mut span[region];
                *first = (*first).min(position);
                *last = (*last).max(position);
                if region == 0 {
                    break;
                }
                region = graph.regions[region].parent;
            }
        }
        // A gradient reaches a node from its users, an accumulator's value
        // at the start of an iteration from the one before and from before
        // the loop, and its value after the loop from the last iteration.
        let mut reached = vec![false; count];
        let mut pending = vec![graph.output];
        while let Some(node) = pending.pop() {
            if std::mem::replace(&mut reached[node], true) {
                continue;
            }
            pending.extend_from_slice(graph.nodes[node].kind.operands());
            match &graph.nodes[node].kind {
                NodeKind::Entry { region, slot } | NodeKind::Exit { region, slot } => {
                    if let RegionKind::Loop(body) = &graph.regions[*region].kind {
                        let carried = &body.carried[*slot];
                        pending.extend([carried.init, carried.last]);
                    }
                }
                _ => {}
            }
        }
        let arrays: Vec<&Ident> = function
            .params
            .iter()
            .filter(|param| param.kind == ParameterKind::Elements)
            .map(|param| &param.name)
            .collect();
        let gradient = (0..count)
            .map(|node| {
                reached[node]
                    && match &graph.nodes[node].kind {
                        NodeKind::Literal(_) | NodeKind::Constant(_) => false,
                        // An array's gradient is its elements', in its own buffer.
                        NodeKind::Input(name) => !arrays.contains(&name),
                        _ => true,
                    }
            })
            .collect();
        let (taped, skipped) = Self::tapes(graph);
        let arrays = function
            .params
            .iter()
            .enumerate()
            .filter(|(_, param)| param.kind == ParameterKind::Elements)
            .map(|(index, param)| (param.name.to_string(), array_gradient(index)))
            .collect();
        Self {
            graph,
            scalar: quote!(#scalar_type),
            span,
            gradient,
            taped,
            skipped,
            arrays,
            recording: Cell::new(traced),
            written: Cell::new(Written::default()),
            first_edge,
            edge_count,
        }
    }

    /// `hook`, if hooks are written now, noting which buffer it writes.
    fn hook(&self, mark: fn(&mut Written), hook: TokenStream) -> TokenStream {
        if !self.recording.get() {
            return TokenStream::new();
        }
        let mut written = self.written.get();
        mark(&mut written);
        self.written.set(written);
        hook
    }

    /// Reports `value` (a scalar expression) as node `node`'s value.
    fn record_value(&self, node: NodeId, value: &TokenStream) -> TokenStream {
        let [values, ..] = hook_locals();
        self.hook(
            |w| w.values = true,
            quote!(#values[#node] = ::grad::__private::shown(#value);),
        )
    }

    /// Reports `gradient` as edge `edge`'s, on the first backward run of
    /// `region`.
    fn record_edge(&self, region: RegionId, edge: usize, gradient: &TokenStream) -> TokenStream {
        let [_, _, edges, _, _, seen] = hook_locals();
        self.hook(
            |w| w.edges = true,
            quote! {
                if !#seen[#region] {
                    #edges[#edge] = ::core::option::Option::Some(::grad::__private::shown(#gradient));
                }
            },
        )
    }

    /// Reports the adjoints of `region`'s own nodes at the end of its
    /// first backward run, and marks the run done.
    fn record_adjoints(&self, region: RegionId) -> TokenStream {
        if !self.recording.get() {
            return TokenStream::new();
        }
        let [_, _, _, adjoints, _, seen] = hook_locals();
        let (first, last) = self.span[region];
        let mut reports = TokenStream::new();
        if first <= last {
            for node in first..=last {
                if self.graph.nodes[node].region == region && self.gradient[node] {
                    let gradient = gradient_local(node);
                    reports.extend(quote! {
                        #adjoints[#node] = ::core::option::Option::Some(::grad::__private::shown(#gradient));
                    });
                }
            }
        }
        let mark = (region != 0).then(|| quote!(#seen[#region] = true;));
        if reports.is_empty() && mark.is_none() {
            return TokenStream::new();
        }
        self.hook(
            |w| {
                w.adjoints = true;
                w.seen = true;
            },
            quote! {
                if !#seen[#region] {
                    #reports
                    #mark
                }
            },
        )
    }

    /// Counts one run of `region`.
    fn record_run(&self, region: RegionId) -> TokenStream {
        let [_, _, _, _, runs, _] = hook_locals();
        self.hook(|w| w.runs = true, quote!(#runs[#region] += 1;))
    }

    /// Whether node `node` is an array parameter (its value is a shape).
    fn is_array_input(&self, node: NodeId) -> bool {
        matches!(&self.graph.nodes[node].kind, NodeKind::Input(name)
            if self.arrays.iter().any(|(array, _)| name == array))
    }

    /// Which accumulators each loop keeps per iteration, and which nodes
    /// its backward iterations skip. An accumulator needs no tape when
    /// everything computed from its value in the iteration is a sum or a
    /// difference (`s += ..`, `s -= ..`): those keep nothing for backward,
    /// so backward need not run them, nor know the value.
    fn tapes(graph: &Graph) -> (Vec<Vec<bool>>, Vec<bool>) {
        let count = graph.nodes.len();
        let mut users: Vec<Vec<NodeId>> = vec![Vec::new(); count];
        for (node, n) in graph.nodes.iter().enumerate() {
            let mut reads = n.kind.operands().to_vec();
            if let NodeKind::Select { condition, .. } = &n.kind {
                condition.operands(&mut reads);
            }
            for read in reads {
                users[read].push(node);
            }
        }
        // A nested loop's accumulator starts from a value of this one.
        for region in &graph.regions {
            if let RegionKind::Loop(body) = &region.kind {
                for carried in &body.carried {
                    users[carried.init].push(carried.entry);
                    users[carried.last].push(carried.exit);
                }
            }
        }
        let mut taped = vec![Vec::new(); graph.regions.len()];
        let mut skipped = vec![false; count];
        for (region, r) in graph.regions.iter().enumerate() {
            let RegionKind::Loop(body) = &r.kind else {
                continue;
            };
            for carried in &body.carried {
                let mut dependents = Vec::new();
                let mut seen = vec![false; count];
                let mut pending = users[carried.entry].clone();
                while let Some(node) = pending.pop() {
                    if std::mem::replace(&mut seen[node], true)
                        || !graph.is_within(graph.nodes[node].region, region)
                    {
                        continue;
                    }
                    dependents.push(node);
                    pending.extend_from_slice(&users[node]);
                }
                let only_sums = dependents.iter().all(|&node| {
                    graph.nodes[node].region == region
                        && matches!(&graph.nodes[node].kind, NodeKind::Operation { op, .. }
                            if matches!(op.layer, "AddLayer" | "SubLayer" | "NegLayer"))
                });
                taped[region].push(!only_sums);
                if only_sums {
                    for node in dependents {
                        skipped[node] = true;
                    }
                }
            }
        }
        (taped, skipped)
    }

    /// The region whose code declares this region's layers: itself, or for
    /// a branch the nearest region around it that is not one.
    fn home(&self, mut region: RegionId) -> RegionId {
        while let RegionKind::Branch { .. } = self.graph.regions[region].kind {
            region = self.graph.regions[region].parent;
        }
        region
    }

    /// The region nested directly in `region` that holds `region_of_node`.
    fn child_of(&self, region: RegionId, mut inner: RegionId) -> Option<RegionId> {
        while inner != 0 {
            let parent = self.graph.regions[inner].parent;
            if parent == region {
                return Some(inner);
            }
            inner = parent;
        }
        None
    }

    fn value(&self, node: NodeId) -> TokenStream {
        match &self.graph.nodes[node].kind {
            NodeKind::Input(name) => quote!(#name),
            _ => {
                let value = value_local(node);
                quote!(#value)
            }
        }
    }

    fn zero(&self) -> TokenStream {
        let scalar = &self.scalar;
        quote!(<#scalar as ::grad::__private::Zero>::zero())
    }

    /// `-0.0` in the scalar type: a sum that starts from it costs nothing.
    fn neg_zero(&self) -> TokenStream {
        let scalar = &self.scalar;
        quote!(<#scalar as ::grad::__private::Float>::neg_zero())
    }

    /// `g = g + e`, written with `Add::add` (clippy asks `+=` of `g = g +
    /// e`, which `Float` scalars do not all have).
    fn add_to(&self, target: &TokenStream, term: &TokenStream) -> TokenStream {
        quote!(#target = ::core::ops::Add::add(#target, #term);)
    }

    /// The layers of `region`'s nodes and of the branches in it, created
    /// empty, and the locals of its conditions.
    fn declarations(&self, region: RegionId) -> TokenStream {
        let scalar = &self.scalar;
        let (first, last) = self.span[region];
        let mut out = TokenStream::new();
        if first > last {
            return out;
        }
        for node in first..=last {
            let n = &self.graph.nodes[node];
            if self.home(n.region) != region {
                continue;
            }
            let layer = layer_local(node);
            match &n.kind {
                NodeKind::Operation { op, .. } => {
                    let ty = Ident::new(op.layer, Span::call_site());
                    out.extend(quote!(let mut #layer = ::grad::__private::#ty::<#scalar>::new();));
                }
                NodeKind::Custom { operands, .. } => {
                    let arity = operands.len();
                    out.extend(quote!(let mut #layer = ::grad::__private::CustomLayer::<#scalar, #arity>::new();));
                }
                NodeKind::Select { .. } => {
                    let condition = condition_local(node);
                    out.extend(quote!(let mut #condition = false;));
                }
                _ => {}
            }
        }
        out
    }

    /// The forward code of `region`'s nodes, in order; loops nested in it
    /// run whole, branches when their `if` is reached. With `recompute`
    /// (a backward iteration), the skipped nodes are left out, and so are
    /// the declarations, which the caller makes.
    fn forward(&self, region: RegionId, recompute: bool) -> TokenStream {
        let mut out = TokenStream::new();
        let (first, last) = self.span[region];
        if first > last {
            return out;
        }
        let mut position = first;
        while position <= last {
            let node = &self.graph.nodes[position];
            if node.region == region {
                if !(recompute && self.skipped[position]) {
                    out.extend(self.forward_node(position));
                }
                position += 1;
                continue;
            }
            match self.child_of(region, node.region) {
                Some(child) => {
                    if let RegionKind::Loop(_) = self.graph.regions[child].kind {
                        out.extend(self.loop_forward(child));
                    }
                    position = self.span[child].1 + 1;
                }
                None => position += 1,
            }
        }
        out
    }

    fn forward_node(&self, node: NodeId) -> TokenStream {
        let code = self.compute_node(node);
        if !self.recording.get() {
            return code;
        }
        let value = value_local(node);
        let report = match &self.graph.nodes[node].kind {
            NodeKind::Entry { .. } => TokenStream::new(),
            NodeKind::Input(name) if !self.is_array_input(node) => {
                self.record_value(node, &quote!(#name))
            }
            NodeKind::Input(_) => TokenStream::new(),
            NodeKind::Operation { op, .. } if op.shape == Shape::UnaryInt => {
                let layer = layer_local(node);
                let [_, exponents, ..] = hook_locals();
                let exponent = self.hook(
                    |w| w.exponents = true,
                    quote!(#exponents[#node] = #layer.exponent();),
                );
                let value = self.record_value(node, &quote!(#value));
                quote!(#value #exponent)
            }
            _ => self.record_value(node, &quote!(#value)),
        };
        quote!(#code #report)
    }

    fn compute_node(&self, node: NodeId) -> TokenStream {
        let scalar = &self.scalar;
        let value = value_local(node);
        let layer = layer_local(node);
        let span = self.graph.nodes[node].span;
        match &self.graph.nodes[node].kind {
            NodeKind::Input(_) | NodeKind::Entry { .. } => TokenStream::new(),
            NodeKind::Literal(number) => {
                let literal = Literal::f64_suffixed(number.abs());
                let sign = number.is_sign_negative().then(|| quote!(-));
                quote_spanned!(span=> let #value: #scalar = ::grad::__private::literal(#sign #literal);)
            }
            NodeKind::Constant(expr) => quote_spanned!(span=> let #value: #scalar = #expr;),
            NodeKind::Operation {
                op,
                operands,
                argument,
            } => {
                let operands = operands.iter().map(|&operand| self.value(operand));
                let arguments = match op.shape {
                    Shape::UnaryInt | Shape::UnaryLabels => quote!(#(#operands,)* (#argument)),
                    Shape::Unary | Shape::Binary => quote!(#(#operands),*),
                };
                quote_spanned!(span=> let #value: #scalar = #layer.forward(#arguments);)
            }
            NodeKind::Custom { function, operands } => {
                let operands = operands.iter().map(|&operand| self.value(operand));
                let mut derivative = function.clone();
                if let Some(last) = derivative.segments.last_mut() {
                    last.ident = format_ident!("{}_grad", last.ident, span = last.ident.span());
                }
                quote_spanned!(span=> let #value: #scalar = #layer.forward(#derivative(#(#operands),*));)
            }
            NodeKind::Element { array, indices, .. } => {
                quote_spanned!(span=> let #value: #scalar = #array #([#indices])*;)
            }
            NodeKind::Exit { region, slot } => {
                let carried = carried_local(*region, *slot);
                quote!(let #value: #scalar = #carried;)
            }
            NodeKind::Select {
                condition,
                values,
                regions,
            } => {
                let flag = condition_local(node);
                let test = self.condition(condition);
                let [then_value, else_value] = values.map(|value| self.value(value));
                let then_code = self.forward(regions[0], false);
                let else_code = self.forward(regions[1], false);
                let (then_run, else_run) =
                    (self.record_run(regions[0]), self.record_run(regions[1]));
                quote_spanned! {span=>
                    #flag = #test;
                    let #value: #scalar = if #flag { #then_run #then_code #then_value } else { #else_run #else_code #else_value };
                }
            }
        }
    }

    fn condition(&self, condition: &Condition) -> TokenStream {
        match condition {
            Condition::Compare { op, left, right } => {
                let (left, right) = (self.value(*left), self.value(*right));
                quote!((#left #op #right))
            }
            Condition::And(a, b) => {
                let (a, b) = (self.condition(a), self.condition(b));
                quote!((#a && #b))
            }
            Condition::Or(a, b) => {
                let (a, b) = (self.condition(a), self.condition(b));
                quote!((#a || #b))
            }
            Condition::Not(a) => {
                let a = self.condition(a);
                quote!((!#a))
            }
        }
    }

    /// A loop run forward: its bounds, its accumulators, a tape for those
    /// kept, and the loop as written.
    fn loop_forward(&self, region: RegionId) -> TokenStream {
        let RegionKind::Loop(body) = &self.graph.regions[region].kind else {
            return TokenStream::new();
        };
        let scalar = &self.scalar;
        let (lo, hi) = bounds_locals(region);
        let (start, end, variable) = (&body.start, &body.end, &body.variable);
        let range = if body.inclusive {
            quote!(#lo..=#hi)
        } else {
            quote!(#lo..#hi)
        };
        // The bounds' type is inferred, as in the plain function: a bound
        // of another integer type is then one error there (indexing with
        // it), not a second one here.
        let mut before = quote! {
            let #lo = #start;
            let #hi = #end;
        };
        let mut at_start = TokenStream::new();
        let mut at_end = TokenStream::new();
        for (slot, carried) in body.carried.iter().enumerate() {
            let current = carried_local(region, slot);
            let init = self.value(carried.init);
            before.extend(quote!(let mut #current: #scalar = #init;));
            if self.taped[region][slot] {
                let tape = tape_local(region, slot);
                before.extend(quote! {
                    let mut #tape: ::std::vec::Vec<#scalar> =
                        ::std::vec::Vec::with_capacity(::core::iter::Iterator::size_hint(&(#range)).0);
                });
                at_start.extend(quote!(#tape.push(#current);));
            }
            let entry = value_local(carried.entry);
            at_start.extend(quote!(let #entry: #scalar = #current;));
            at_start.extend(self.record_value(carried.entry, &quote!(#entry)));
            if carried.last != carried.entry {
                let last = self.value(carried.last);
                at_end.extend(quote!(#current = #last;));
            }
        }
        let declarations = self.declarations(region);
        let code = self.forward(region, false);
        let span = body.span;
        let run = self.record_run(region);
        quote_spanned! {span=>
            #before
            for #variable in #range {
                #run
                #at_start
                #declarations
                #code
                #at_end
            }
        }
    }

    /// Declares the gradient locals of `region`'s own nodes.
    fn gradient_declarations(&self, region: RegionId) -> TokenStream {
        let scalar = &self.scalar;
        let (first, last) = self.span[region];
        let mut out = TokenStream::new();
        if first > last {
            return out;
        }
        for node in first..=last {
            if self.graph.nodes[node].region != region || !self.gradient[node] {
                continue;
            }
            let gradient = gradient_local(node);
            // A parameter's gradient starts at +0: one no path reaches is 0.
            let start = match self.graph.nodes[node].kind {
                NodeKind::Input(_) => self.zero(),
                _ => self.neg_zero(),
            };
            out.extend(quote!(let mut #gradient: #scalar = #start;));
        }
        out
    }

    /// The backward code of `region`'s nodes, in reverse order; its gradient
    /// locals are declared by the caller.
    fn backward(&self, region: RegionId) -> TokenStream {
        let mut out = TokenStream::new();
        let (first, last) = self.span[region];
        if first > last {
            return out;
        }
        let mut position = last as isize;
        while position >= first as isize {
            let index = position as usize;
            let node = &self.graph.nodes[index];
            if node.region == region {
                out.extend(self.backward_node(index));
                position -= 1;
                continue;
            }
            match self.child_of(region, node.region) {
                Some(child) => {
                    if let RegionKind::Loop(_) = self.graph.regions[child].kind {
                        out.extend(self.loop_backward(child));
                    }
                    position = self.span[child].0 as isize - 1;
                }
                None => position -= 1,
            }
        }
        out
    }

    /// `g_operand += e` for each of a node's edges whose operand keeps a gradient.
    fn backward_node(&self, node: NodeId) -> TokenStream {
        if !self.gradient[node] {
            return TokenStream::new();
        }
        let gradient = gradient_local(node);
        let layer = layer_local(node);
        let kind = &self.graph.nodes[node].kind;
        match kind {
            NodeKind::Operation { .. } | NodeKind::Custom { .. } => {
                let operands = kind.operands();
                let region = self.graph.nodes[node].region;
                let recording = self.recording.get();
                let edges: Vec<TokenStream> = operands
                    .iter()
                    .enumerate()
                    .map(|(position, &operand)| {
                        // A picture shows every edge's gradient, those into
                        // literals and constants too.
                        if self.gradient[operand] || recording {
                            let edge = edge_local(node, position);
                            quote!(#edge)
                        } else {
                            quote!(_)
                        }
                    })
                    .collect();
                if edges.iter().all(|edge| edge.to_string() == "_") {
                    return TokenStream::new();
                }
                let call = quote!(#layer.backward(#gradient));
                let mut out = match (kind, edges.as_slice()) {
                    (NodeKind::Custom { .. }, edges) => quote!(let [#(#edges),*] = #call;),
                    (_, [edge]) => quote!(let #edge = #call;),
                    (_, edges) => quote!(let (#(#edges),*) = #call;),
                };
                for (position, &operand) in operands.iter().enumerate() {
                    let edge = edge_local(node, position);
                    if self.gradient[operand] {
                        let target = gradient_local(operand);
                        out.extend(self.add_to(&quote!(#target), &quote!(#edge)));
                    }
                    out.extend(self.record_edge(
                        region,
                        self.first_edge[node] + position,
                        &quote!(#edge),
                    ));
                }
                out
            }
            NodeKind::Element { array, indices, .. } => {
                let Some((_, buffer)) = self.arrays.iter().find(|(name, _)| *array == name) else {
                    return TokenStream::new();
                };
                self.add_to(&quote!(#buffer #([#indices])*), &quote!(#gradient))
            }
            NodeKind::Select {
                condition: _,
                values,
                regions,
            } => {
                let flag = condition_local(node);
                let region = self.graph.nodes[node].region;
                let branch = |taken: usize| {
                    let value = values[taken];
                    let declarations = self.gradient_declarations(regions[taken]);
                    let seed = if self.gradient[value] {
                        let target = gradient_local(value);
                        self.add_to(&quote!(#target), &quote!(#gradient))
                    } else {
                        TokenStream::new()
                    };
                    let edge =
                        self.record_edge(region, self.first_edge[node] + taken, &quote!(#gradient));
                    let code = self.backward(regions[taken]);
                    let adjoints = self.record_adjoints(regions[taken]);
                    quote!(#declarations #seed #edge #code #adjoints)
                };
                let (then_code, else_code) = (branch(0), branch(1));
                quote!(if #flag { #then_code } else { #else_code })
            }
            NodeKind::Input(_)
            | NodeKind::Literal(_)
            | NodeKind::Constant(_)
            | NodeKind::Entry { .. }
            | NodeKind::Exit { .. } => TokenStream::new(),
        }
    }

    /// A loop run backward: the gradient of each accumulator after the
    /// loop, carried back through reversed iterations that each run their
    /// body forward again, then backward; at the end, the gradient of each
    /// accumulator's value before the loop.
    fn loop_backward(&self, region: RegionId) -> TokenStream {
        let RegionKind::Loop(body) = &self.graph.regions[region].kind else {
            return TokenStream::new();
        };
        if !body
            .carried
            .iter()
            .any(|carried| self.gradient[carried.exit])
        {
            return TokenStream::new();
        }
        let scalar = &self.scalar;
        let (lo, hi) = bounds_locals(region);
        let variable = &body.variable;
        let range = if body.inclusive {
            quote!(#lo..=#hi)
        } else {
            quote!(#lo..#hi)
        };
        let mut before = TokenStream::new();
        let mut entries = TokenStream::new();
        let mut seeds = TokenStream::new();
        let mut carry_back = TokenStream::new();
        let mut after = TokenStream::new();
        let parent = self.graph.regions[region].parent;
        for (slot, carried) in body.carried.iter().enumerate() {
            let carried_gradient = carried_gradient(region, slot);
            let start = if self.gradient[carried.exit] {
                let exit = gradient_local(carried.exit);
                quote!(#exit)
            } else {
                self.neg_zero()
            };
            before.extend(quote!(let mut #carried_gradient: #scalar = #start;));
            if self.gradient[carried.exit] {
                before.extend(self.record_edge(
                    parent,
                    self.first_edge[carried.exit],
                    &quote!(#carried_gradient),
                ));
            }
            if self.taped[region][slot] {
                let tape = tape_local(region, slot);
                let entry = value_local(carried.entry);
                entries.extend(quote! {
                    let #entry: #scalar = match #tape.pop() {
                        ::core::option::Option::Some(value) => value,
                        ::core::option::Option::None => ::core::unreachable!(),
                    };
                });
            }
            if self.gradient[carried.last] {
                let last = gradient_local(carried.last);
                seeds.extend(self.add_to(&quote!(#last), &quote!(#carried_gradient)));
            }
            let back = if self.gradient[carried.entry] {
                let entry = gradient_local(carried.entry);
                quote!(#entry)
            } else {
                self.neg_zero()
            };
            carry_back.extend(quote!(#carried_gradient = #back;));
            if self.gradient[carried.init] {
                let init = gradient_local(carried.init);
                after.extend(self.add_to(&quote!(#init), &quote!(#carried_gradient)));
            }
            after.extend(self.record_edge(
                parent,
                self.first_edge[carried.entry],
                &quote!(#carried_gradient),
            ));
        }
        let declarations = self.declarations(region);
        let recording = self.recording.replace(false);
        let recompute = self.forward(region, true);
        self.recording.set(recording);
        let gradients = self.gradient_declarations(region);
        let code = self.backward(region);
        let adjoints = self.record_adjoints(region);
        quote! {
            #before
            for #variable in (#range).rev() {
                #entries
                #declarations
                #recompute
                #gradients
                #seeds
                #code
                #adjoints
                #carry_back
            }
            #after
        }
    }
}

/// The body of `name_grad`: forward, the value, backward, and the
/// gradients struct, as `(value, gradients)`.
///
/// With a `trace` (a `Recorder` in scope), the code also carries the hooks
/// of a picture and reports to it at the end: every node's value (a node in
/// a loop or branch: of its region's last run, nodes that never ran none),
/// every edge's gradient and node's adjoint (of the first backward run of
/// their region, which is the same last forward run), and how many times
/// each region ran. Without one, it is the code of `name_grad`, with no
/// hook at all.
pub(crate) fn body(
    function: &Function,
    graph: &Graph,
    gradients_type: &Ident,
    dout: &Ident,
    trace: Option<&Ident>,
) -> TokenStream {
    let structure = Structure::new(function, graph, trace.is_some());
    let scalar = &structure.scalar;
    let declarations = structure.declarations(0);
    let forward = structure.forward(0, false);
    let value = local("value");
    let output = structure.value(graph.output);
    let zero = structure.zero();
    let result = local("result");
    let gradients = structure.gradient_declarations(0);
    let seed = if structure.gradient[graph.output] {
        let output = gradient_local(graph.output);
        structure.add_to(&quote!(#output), &quote!(#dout))
    } else {
        TokenStream::new()
    };
    let backward = structure.backward(0);
    let inputs: Vec<(&Ident, NodeId)> = graph
        .inputs
        .iter()
        .filter_map(|&node| match &graph.nodes[node].kind {
            NodeKind::Input(name) => Some((name, node)),
            _ => None,
        })
        .collect();
    // The value and the gradients are built where they are returned, and
    // backward adds into the array gradients there, through a reference: an
    // array gradient accumulated apart is copied whole into the struct at
    // the end (80 KB at N = 10,000).
    let mut initial = Vec::new();
    let mut borrows = Vec::new();
    let mut finals = Vec::new();
    for (name, _) in fields(function, graph) {
        if let Some(index) = function
            .params
            .iter()
            .position(|param| param.name == *name && param.kind == ParameterKind::Elements)
        {
            let buffer = array_gradient(index);
            let zeros = zeros(&function.params[index].ty, name, &zero);
            initial.push(quote!(#name: #zeros));
            borrows.push(quote!(let #buffer = &mut #result.1.#name;));
            continue;
        }
        initial.push(quote!(#name: #zero));
        let node = inputs
            .iter()
            .find(|(input, _)| *input == name)
            .map(|&(_, node)| node)
            .or_else(|| {
                graph
                    .bindings
                    .iter()
                    .find(|binding| &binding.name == name)
                    .map(|binding| binding.node)
            });
        if let Some(node) = node.filter(|&node| structure.gradient[node]) {
            let gradient = gradient_local(node);
            finals.push(quote!(#result.1.#name = #gradient;));
        }
    }
    let mutable = (!borrows.is_empty() || !finals.is_empty()).then(|| quote!(mut));
    let start = quote! {
        let #value: #scalar = #output;
        let #mutable #result = (#value, #gradients_type { #(#initial),* });
        #(#borrows)*
    };
    let Some(trace) = trace else {
        return quote! {
            #declarations
            #forward
            #start
            #gradients
            #seed
            #backward
            #(#finals)*
            #result
        };
    };
    let adjoints = structure.record_adjoints(0);
    let (prelude, report) = structure.report(function, trace);
    quote! {
        #prelude
        #declarations
        #forward
        #start
        #gradients
        #seed
        #backward
        #adjoints
        #report
        #(#finals)*
        #result
    }
}

impl Structure<'_> {
    /// The hook buffers, declared before the code (`mut` only those the
    /// code writes), and the report of what they hold to `trace`.
    fn report(&self, function: &Function, trace: &Ident) -> (TokenStream, TokenStream) {
        let scalar = &self.scalar;
        let [values, exponents, edges, adjoints, runs, seen] = hook_locals();
        let written = self.written.get();
        let mutable = |written: bool| written.then(|| quote!(mut));
        let (m_values, m_exponents, m_edges, m_adjoints, m_runs, m_seen) = (
            mutable(written.values),
            mutable(written.exponents),
            mutable(written.edges),
            mutable(written.adjoints),
            mutable(written.runs),
            mutable(written.seen),
        );
        let count = self.graph.nodes.len();
        let edge_count = self.edge_count;
        let regions = self.graph.regions.len();
        let prelude = quote! {
            let #m_values #values: [f64; #count] = [f64::NAN; #count];
            let #m_exponents #exponents: [::core::option::Option<i32>; #count] = [::core::option::Option::None; #count];
            let #m_edges #edges: [::core::option::Option<f64>; #edge_count] = [::core::option::Option::None; #edge_count];
            let #m_adjoints #adjoints: [::core::option::Option<f64>; #count] = [::core::option::Option::None; #count];
            let #m_runs #runs: [usize; #regions] = [0; #regions];
            let #m_seen #seen: [bool; #regions] = [false; #regions];
        };
        let summary = quote!(::grad::__private::Summary);
        let (edge_summaries, adjoint_nodes, adjoint_summaries) = (
            local("edge_summaries"),
            local("adjoint_nodes"),
            local("adjoint_summaries"),
        );
        let summaries = (0..count).map(|node| match &self.graph.nodes[node].kind {
            NodeKind::Input(name) if self.is_array_input(node) => {
                let depth = function
                    .elements()
                    .iter()
                    .find(|(array, _)| array == name)
                    .map_or(1, |&(_, depth)| depth);
                let mut lengths = vec![quote!(#name.len())];
                let mut first = quote!(#name.first());
                for _ in 1..depth {
                    lengths.push(quote!(#first.map_or(0, |row| row.len())));
                    first = quote!(#first.and_then(|row| row.first()));
                }
                quote!(#summary::Array(::std::vec![#(#lengths),*]))
            }
            // A literal's value is known even where it never ran (a branch
            // not taken): the number the code would have used.
            NodeKind::Literal(number) => {
                let literal = Literal::f64_suffixed(number.abs());
                let sign = number.is_sign_negative().then(|| quote!(-));
                quote!(#summary::Scalar(::grad::__private::shown::<#scalar>(::grad::__private::literal(#sign #literal))))
            }
            _ => quote!(#summary::Scalar(#values[#node])),
        });
        let powi = (0..count).filter(|&node| {
            matches!(&self.graph.nodes[node].kind,
                NodeKind::Operation { op, .. } if op.shape == Shape::UnaryInt)
        });
        let powi_exponents = powi.map(|node| quote!((#node, #exponents[#node])));
        let report = quote! {
            let _ = (#seen, &#exponents);
            ::grad::__private::Trace::<#scalar>::summaries(&mut #trace, &[#(#summaries),*]);
            ::grad::__private::Trace::<#scalar>::exponents(&mut #trace, &[#(#powi_exponents),*]);
            let #edge_summaries: ::std::vec::Vec<::core::option::Option<#summary>> =
                #edges.iter().map(|edge| edge.map(#summary::Scalar)).collect();
            let (#adjoint_nodes, #adjoint_summaries): (::std::vec::Vec<usize>, ::std::vec::Vec<#summary>) = #adjoints
                .iter()
                .enumerate()
                .filter_map(|(node, adjoint)| adjoint.map(|adjoint| (node, #summary::Scalar(adjoint))))
                .unzip();
            ::grad::__private::Trace::<#scalar>::gradient_summaries(&mut #trace, &#edge_summaries, &#adjoint_nodes, &#adjoint_summaries);
            ::grad::__private::Trace::<#scalar>::runs(&mut #trace, &#runs[1..]);
        };
        (prelude, report)
    }
}
