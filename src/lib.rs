//! Backpropagation at compile time.
//!
//! Write a formula inline; the [`grad!`] macro expands it, while your crate
//! compiles, into the computational graph of *Deep Learning from Scratch*'s
//! backpropagation chapter: one layer per operation ([`MulLayer`],
//! [`AddLayer`], …), their forward steps in order, and a generated backward
//! function that runs their backward steps in reverse and returns **named**
//! gradients. No tape, no allocation, no runtime graph: the gradient is
//! straight-line code, as fast as an adjoint written by hand, and a formula
//! the macro cannot differentiate is a compile error that points at the
//! offending token.
//!
//! The layers are public and work as the book's do, by hand
//! (`let mut mul = MulLayer::new(); mul.forward(x, y); mul.backward(dout)`).
//! The expansion runs the same formulas, each layer's [`UnaryRule`] or
//! [`BinaryRule`] (its value, what it saves, its derivative), as plain
//! functions, and recomputes what each operation saves from the values
//! around it instead of keeping it in a layer object. A layer checks on
//! every `backward` that `forward` ran before, which a generated function
//! of ten thousand operations does not need, and which cost rustc more than
//! the formula itself: "Large formulas" below has the numbers.
//!
//! ```
//! use grad::grad;
//!
//! let (apple, apple_num, orange, orange_num, tax) = (100.0, 2.0, 150.0, 3.0, 1.1);
//! let g = grad!(price = (apple * apple_num + orange * orange_num) * tax);
//! assert_eq!(g.price, 715.0000000000001);
//!
//! let d = g.backward(1.0); // dprice = 1
//! assert_eq!(
//!     [d.apple, d.apple_num, d.orange, d.orange_num, d.tax],
//!     [2.2, 110.00000000000001, 3.3000000000000003, 165.0, 650.0],
//! );
//! ```
//!
//! These are the numbers the book's notebook prints, bit for bit: the
//! generated code multiplies and adds in the formula's order, and each layer's
//! backward computes what the book's does (`dout * y` for `x * y`).
//!
//! # The inline form
//!
//! `grad!(output = expression)`, or `let` statements naming intermediates and
//! then the output:
//!
//! ```
//! # use grad::grad;
//! # let (apple, apple_num, orange, orange_num, tax) = (100.0, 2.0, 150.0, 3.0, 1.1);
//! let g = grad! {
//!     let apple_price = apple * apple_num;
//!     let orange_price = orange * orange_num;
//!     let fruits_price = apple_price + orange_price;
//!     price = fruits_price * tax
//! };
//! let d = g.backward(1.0);
//! assert_eq!((d.fruits_price, d.apple_price, d.tax), (1.1, 1.1, 650.0));
//! assert_eq!(d.pairs()[0], ("apple", 2.2));
//! ```
//!
//! - Every name that no `let` of the formula binds is an **input**, read by
//!   value from the enclosing scope; all inputs share one scalar type `T`:
//!   `f32`, `f64`, or any [`num_traits::Float`], such as dual numbers.
//! - The output may **name the scalar type**, `price: f64 = …`, as a `let`
//!   names its type. The inputs must then be of that type (a literal input
//!   becomes one), and the expansion is written over that type rather than
//!   over a generic `T`, which rustc compiles faster: for a formula of
//!   thousands of operations, such as generated code writes, name it (see
//!   "Large formulas").
//!
//!   ```
//!   # use grad::grad;
//!   let (a, b) = (0.5, 2.0); // f32, because the output says so
//!   let g = grad!(y: f32 = (a * b).sin() + a * a);
//!   let d = g.backward(1.0);
//!   // dy/da = b cos(ab) + 2a
//!   assert!((d.a - (2.0 * 1.0_f32.cos() + 1.0)).abs() < 1e-6);
//!   ```
//! - The value has a public field named after the output and a method
//!   `backward(&self, dout: T)` that can run any number of times.
//! - The gradients have one public field per input (in order of first use)
//!   and per `let` intermediate; they are `Debug + Clone + Copy + PartialEq`,
//!   and `pairs()` / `NAMES` list them by name. A value used several times
//!   gets the sum of its gradients (the book's branch node). Past 1,024
//!   fields, the struct holds its first 1,024 and dereferences to a hidden
//!   struct holding the next ones, and so on: `d.name` reads (and, on a
//!   `mut` binding, writes) any field, and the listings and traits see them
//!   all, but a struct pattern or literal names only the first 1,024 (see
//!   "Large formulas").
//! - Literals are constants without a gradient; integer literals are
//!   accepted as the scalar type (`3 * x`), and the exponent of `powi` stays
//!   an `i32` expression. Any expression that reads no input, such as
//!   `std::f64::consts::PI` or `T::one()`, is a constant too.
//!
//! # The function form
//!
//! ```
//! use grad::grad;
//!
//! grad! {
//!     /// Total price with tax.
//!     pub fn price(apple: f64, apple_num: f64, orange: f64, orange_num: f64, tax: f64) -> f64 {
//!         let fruits = apple * apple_num + orange * orange_num;
//!         fruits * tax
//!     }
//! }
//!
//! let v = price(100.0, 2.0, 150.0, 3.0, 1.1); // your function, unchanged
//! let (v, d) = price_grad(100.0, 2.0, 150.0, 3.0, 1.1); // value and gradient
//! let d: PriceGrad = d; // the gradients' type, named as written
//! assert_eq!((v, d.tax, d.fruits), (715.0000000000001, 650.0, 1.1));
//! # #[cfg(feature = "graph")] {
//! let graph = price_graph(100.0, 2.0, 150.0, 3.0, 1.1); // the picture
//! assert_eq!(graph.output.value, v);
//! # }
//! ```
//!
//! For `fn name`, the block also defines `name_grad` (returning the value
//! and a `NameGrad` struct with one field per parameter, then per `let`;
//! `NameGrad<T>` for a function generic over its scalar `T`) and, with the
//! `graph` feature, `name_graph`. Visibility, doc comments, `cfg`s and
//! allowed lints carry over; several functions may share one block. Your
//! function is compiled as written, so the built-ins it calls must be in
//! scope as in plain Rust: `use grad::{grad, sigmoid}`, or `use
//! grad::prelude::*` for all of them. The scalar may be generic; write
//! constants of a generic formula with [`constant`] or the `Float` methods:
//!
//! ```
//! use grad::{Float, constant, grad};
//!
//! grad! {
//!     fn rosenbrock<T: Float>(x: T, y: T) -> T {
//!         let a = T::one() - x;
//!         let b = y - x * x;
//!         a * a + constant::<T>(100.0) * b * b
//!     }
//! }
//!
//! assert_eq!(rosenbrock_grad(1.0_f32, 1.0).1.x, 0.0);
//! assert_eq!(rosenbrock_grad(-1.0_f64, 1.0).1.x, -4.0);
//! ```
//!
//! # Operations
//!
//! Same spelling and meaning as plain Rust, so removing `grad!` leaves code
//! that computes the same value: `+ - * /`, unary `-`, parentheses, the
//! `f64` methods with a derivative (`exp`, `ln`, `sqrt`, `powi`, `powf`,
//! `sin`, `atan2`, `tanh`, `abs`, `max`, `hypot`, … 30 in all), and the
//! book's activations [`sigmoid`] and [`relu`] (plain functions here too).
//! Each is one layer type with `forward` and `backward`. The table
//! [`ops::OPERATIONS`] lists them all with their spelling, layer and
//! derivatives; it drives the macro (what it recognises, its messages, the
//! names in pictures) and the runtime, so an operation is added in one
//! place: its table line and its layer.
//!
//! Where a function has no derivative, the convention is that of the major
//! frameworks: `relu'(0) = 0`, `abs'(0) = 0`, `max`/`min` split the gradient
//! in half on a tie (and ignore a NaN operand, as `f64::max` does), `hypot`
//! has gradient 0 at the origin, `x.powf(0.0)` and `x.powi(0)` are constants
//! (gradient 0, at `x = 0` too), and the exponent of `0.powf(y)` gets 0.
//! Elsewhere values and gradients follow IEEE arithmetic: `ln(0)` is `-inf`
//! with gradient `inf`, NaN propagates.
//!
//! # Your own operations
//!
//! A call `f(a, b)` to a function that is not built in is a custom
//! operation: write `f_grad(a, b)` next to `f`, returning the value and one
//! partial derivative per argument (any [`Partials`]: an array, a tuple, a
//! bare `f64` for one argument). A missing `f_grad` or a wrong number of
//! partials is a compile error at the call.
//!
//! ```
//! use grad::grad;
//!
//! /// softplus(x) = ln(1 + eˣ)
//! fn softplus(x: f64) -> f64 {
//!     x.exp().ln_1p()
//! }
//!
//! /// The value and d softplus / dx = sigmoid(x).
//! fn softplus_grad(x: f64) -> (f64, f64) {
//!     (softplus(x), grad::sigmoid(x))
//! }
//!
//! let x = 0.0;
//! let g = grad!(y = softplus(x) * 2.0);
//! assert_eq!(g.backward(1.0).x, 1.0);
//!
//! // Trust it once: compare with central differences.
//! let check = grad::check_gradient(|v: &[f64]| softplus(v[0]) * 2.0, &[g.backward(1.0).x], &[x]);
//! assert!(check.passes(1e-8), "{check:?}");
//! ```
//!
//! Functions made with the function form are custom operations already
//! (their `NameGrad` is a [`Partials`]), so gradients compose across them:
//!
//! ```
//! use grad::grad;
//!
//! grad! {
//!     fn area(w: f64, h: f64) -> f64 { w * h }
//!     fn cost(w: f64, h: f64) -> f64 { area(w, h) * 3.0 + w }
//! }
//!
//! let (_, d) = cost_grad(2.0, 5.0);
//! assert_eq!((d.w, d.h), (16.0, 6.0));
//! ```
//!
//! # Arrays and the book's network (feature `ndarray`)
//!
//! With the feature `ndarray` (which re-exports the ndarray it supports as
//! [`ndarray`]), a function of the function form takes array parameters,
//! and its body is plain ndarray code: `+ - * /` and unary `-` with
//! ndarray's broadcasting, `a.dot(b)` (matrix and vector, in the four
//! combinations), `a.t()`, the elementwise methods (`exp`, `ln`, `tanh`,
//! `powi`, …), `a.sum()`, and the book's [`relu`] and [`sigmoid`] (which
//! take scalars or arrays in plain Rust too), [`softmax`] and
//! [`softmax_cross_entropy`].
//!
//! ```
//! use grad::ndarray::{Array1, Array2, array};
//! use grad::{grad, relu, softmax_cross_entropy};
//!
//! grad! {
//!     /// The book's TwoLayerNet: Affine -> ReLU -> Affine -> Softmax-with-Loss.
//!     pub fn loss(#[constant] x: &Array2<f64>, t: &[usize], w1: &Array2<f64>, b1: &Array1<f64>,
//!                 w2: &Array2<f64>, b2: &Array1<f64>) -> f64 {
//!         let a1 = x.dot(w1) + b1;
//!         let z1 = relu(a1);
//!         let a2 = z1.dot(w2) + b2;
//!         softmax_cross_entropy(a2, t)
//!     }
//! }
//!
//! let (x, t) = (array![[1.0, 2.0], [0.5, -1.0]], [1, 0]);
//! let (mut w1, b1) = (array![[0.1, -0.2, 0.3], [0.2, 0.1, -0.1]], Array1::zeros(3));
//! let (w2, b2) = (array![[0.3, -0.1], [0.2, 0.4], [-0.5, 0.1]], Array1::zeros(2));
//! let (value, d): (f64, LossGrad) = loss_grad(&x, &t, &w1, &b1, &w2, &b2);
//! assert_eq!(value, loss(&x, &t, &w1, &b1, &w2, &b2));
//! assert_eq!(d.b1.shape(), &[3]); // the bias gradient, summed over the batch
//! w1.scaled_add(-0.1, &d.w1);     // a step of gradient descent
//! assert_eq!(LossGrad::NAMES, ["w1", "b1", "w2", "b2"]);
//! ```
//!
//! - Each operation is one array layer ([`array`](mod@array)): the scalar layers'
//!   formulas applied element by element, or a layer of its own (`dot`,
//!   `t`, `sum`, `softmax`, `softmax_cross_entropy`). The macro does not
//!   know the types: every operand is passed by reference, and rustc picks
//!   each layer's shapes, so a scalar parameter (`lambda: f64`) or a
//!   literal mixes in as in ndarray.
//! - Backward undoes broadcasting: every gradient has exactly its
//!   parameter's shape (the bias gradient of `x.dot(w) + b` is the sum over
//!   the batch axis, as in the book's Affine layer). A shape mismatch
//!   panics, as the plain function does, with a message naming both shapes.
//! - The gradients struct has one field per parameter that gets a
//!   gradient, of the parameter's owned type (`&Array2<f64>` and
//!   `ArrayView2<f64>` give `Array2<f64>`). Integer, `bool` and label
//!   parameters (`t: &[usize]`) get none; `#[constant]` (removed from the
//!   emitted function) marks another parameter, such as the data `x`, that
//!   gets none: its gradient is never computed, so `x.dot(w1)` costs one
//!   matrix product backward, not two. Intermediates get no field: their
//!   types are not written in the formula.
//! - `&h` borrows a value that is used again, as ndarray needs
//!   (`h.tanh() * &h`); it is the value itself to the gradient.
//! - `name_graph` draws the formula with each array's shape in place of a
//!   value, and the numbers of the scalars.
//! - Not yet: the inline form over arrays, custom operations on arrays,
//!   indexing an ndarray array (`x[0]`: loops and indexing are for Rust
//!   arrays and slices, below), reductions along an axis (`sum_axis`,
//!   `mean`).
//!
//! The book's layers themselves are in [`nn`] (`Affine`, `Relu`, `Sigmoid`,
//! `SoftmaxWithLoss`), to chain by hand as the book does; and
//! [`numerical_gradient`] and [`check_gradient`] take array parameters.
//!
//! # Loops, indices and branches
//!
//! Scientific code is written as loops over arrays. In the function form a
//! parameter may be a Rust array or slice of the scalar (`[T; N]` with a
//! literal or const-generic `N`, `&[T; N]`, `&[T]`, nested `[[T; M]; N]`),
//! and the body may loop over it, read its elements and branch:
//!
//! ```
//! use grad::grad;
//!
//! grad! {
//!     /// Rosenbrock's function in N dimensions.
//!     pub fn rosenbrock<const N: usize>(x: &[f64; N]) -> f64 {
//!         let mut s = 0.0;
//!         for i in 0..N - 1 {
//!             let a = x[i + 1] - x[i] * x[i];
//!             let b = 1.0 - x[i];
//!             s += 100.0 * a * a + b * b;
//!         }
//!         s
//!     }
//! }
//!
//! grad! {
//!     /// Huber's loss of the residuals: quadratic near 0, linear beyond.
//!     pub fn huber(r: &[f64], delta: f64) -> f64 {
//!         let mut s = 0.0;
//!         for i in 0..r.len() {
//!             s += if r[i].abs() < delta {
//!                 0.5 * r[i] * r[i]
//!             } else {
//!                 delta * (r[i].abs() - 0.5 * delta)
//!             };
//!         }
//!         s
//!     }
//! }
//!
//! let (value, d) = rosenbrock_grad(&[1.0, 1.0, 1.0]);
//! assert_eq!((value, d.x), (0.0, [0.0; 3])); // the minimum
//! let (_, d) = rosenbrock_grad(&[0.0, 0.0]);
//! assert_eq!(d.x, [-2.0, 0.0]);
//!
//! let (value, d) = huber_grad(&[0.5, -3.0], 1.0);
//! assert_eq!(value, 0.125 + 2.5);
//! assert_eq!(d.r, vec![0.5, -1.0]); // a slice's gradient is a Vec
//! assert_eq!(d.delta, 3.0 - 1.0); // |r| - delta, from the linear side only
//! ```
//!
//! - Loops are `for i in a..b` or `a..=b`, the bounds literals, const
//!   generics, `x.len()` of an array parameter, an enclosing loop's
//!   variable, and sums and differences of those; loops nest. Indices are a
//!   loop variable plus or minus a constant, or a literal (`x[i + 1]`,
//!   `w[i][j]`, `x[0]`).
//! - `let`s inside a loop are per iteration. The one mutation is of a
//!   `let mut` accumulator declared before the loop, with `+=`, `-=`, `*=`
//!   or `/=`.
//! - `if cond { a } else { b }` is an expression (with `else if` chains),
//!   in or out of loops; the condition compares values and gets no
//!   gradient. Backward follows the branch forward took, and never
//!   evaluates the other, so a `sqrt` of a negative number on the side not
//!   taken leaks no NaN.
//! - The gradients struct has a field per parameter of its shape (`[T; N]`,
//!   `Vec<T>` for a slice, nested arrays) and one per top-level `let`.
//! - The expansion is a forward loop, then a reversed loop for backward
//!   that runs each iteration's body again: its size follows the body, not
//!   `N`, and nothing is stored per iteration except the accumulators that
//!   a later operation reads (`s *= x[i]` keeps each partial product, in
//!   one allocation: on the heap even when `N` is known, because a stack
//!   buffer of a million `f64`s is the whole 8 MB of a main thread's stack).
//!   The array gradients are accumulated in place in the value returned. A
//!   gradient costs 0.9x the instructions of a reversed loop written by
//!   hand, and 2.2x to 2.7x the forward loop ([BENCHMARKS.md]).
//! - `while`, `loop`, `break`, `continue`, `return`, assignment to a
//!   parameter or an element, mutation of anything but an accumulator,
//!   other indices, bounds read from values and `if` without `else` are
//!   compile errors that say what is allowed, all reported together. Loops
//!   are for the function form: the inline form stays one formula.
//!
//! [BENCHMARKS.md]: https://github.com/grad-rs/grad/blob/main/BENCHMARKS.md
//!
//! # Checking gradients
//!
//! [`numerical_gradient`] (central differences with the book's `h = 1e-4`,
//! or [`numerical_gradient_with_step`]) and [`check_gradient`], which
//! reports the largest relative error between an analytic and a numerical
//! gradient, are what you run in your own tests to trust a custom operation.
//!
//! # Second derivatives
//!
//! The layers are generic over [`Float`], so a generic `grad!` function run
//! on dual numbers differentiates its own backward pass (forward mode over
//! reverse mode): seeding the inputs with a direction `v` gives the
//! Hessian-vector product `H v` in the gradients' dual parts, and `n` such
//! runs give the Hessian. Any dual type implementing `num_traits::Float`
//! works; `autodiff`'s `F1` does (`num-dual`'s types do not implement that
//! trait).
//!
//! ```
//! use autodiff::F1;
//! use grad::{Float, constant, grad};
//!
//! grad! {
//!     fn rosenbrock<T: Float>(x: T, y: T) -> T {
//!         let a = T::one() - x;
//!         let b = y - x * x;
//!         a * a + constant::<T>(100.0) * b * b
//!     }
//! }
//!
//! // First column of the Hessian at (1, 1): [[802, -400], [-400, 200]].
//! let (_, d) = rosenbrock_grad(F1::new(1.0, 1.0), F1::new(1.0, 0.0));
//! assert_eq!((d.x.deriv(), d.y.deriv()), (802.0, -400.0));
//! ```
//!
//! # Seeing the graph
//!
//! With the `graph` feature (on by default), `g.graph()` and
//! `g.graph_with_gradients(dout)` (and `name_graph` in the function form)
//! describe the formula as a [`Graph`]: nodes, operations, forward values
//! and every edge's gradient, rendered as Graphviz DOT, Mermaid or a
//! self-contained SVG in the book's style.
//!
//! The numbers are the expansion's own: the generated forward and backward
//! report what they compute to a recorder (in your scalar type, converted to
//! `f64` for display only), so every gradient in the picture equals the
//! matching field of `backward(dout)` bit for bit. `backward` runs the same
//! code with a trace that records nothing and compiles away. Without the
//! feature (`default-features = false`), no picture code is compiled and no
//! graph method is generated.
//!
//! ```
//! # #[cfg(feature = "graph")] {
//! # use grad::grad;
//! # let (apple, apple_num, tax) = (100.0, 2.0, 1.1);
//! let g = grad!(price = apple * apple_num * tax);
//! let graph = g.graph_with_gradients(1.0);
//! assert_eq!(graph.find("tax").unwrap().grad, Some(g.backward(1.0).tax));
//! assert!(graph.to_svg().contains("<svg"));
//! # }
//! ```
//!
//! # Compile errors
//!
//! The macro never panics. A body it cannot differentiate is a
//! `compile_error!` at the offending token that says what is allowed: no
//! output, an unsupported operator (`%`, `&&`, `==`, `+=`, …), an unknown
//! method, a non-numeric literal, a name bound twice or shadowing an input,
//! an intermediate used before it is bound, statements after the output, an
//! empty body. All the mistakes of one body are reported together.
//!
//! # Large formulas
//!
//! The expansion is straight-line code with its locals declared 64 to a
//! `let`, because rustc with debuginfo overflows its stack on a function
//! holding a few thousand sequential `let`s. A formula of 10,000 operations
//! builds in the default debug profile, and is tested. Pictures cost its
//! build little: the formula's structure is one string, and the generated
//! code reports its numbers in at most four calls, not one per node.
//! Without them (`default-features = false`), `cargo check` of the
//! 1,000-operation DAG of `benches/compile_time.sh` takes 1,306 million
//! instructions instead of 1,416 in the function form and 1,481 instead of
//! 1,537 in the inline form; its debug build 1,747 instead of 1,893, and
//! 2,221 instead of 2,315.
//!
//! Such a formula compiles in time linear in its size, but slower than the
//! same adjoint written by hand as straight-line arithmetic, within 2x of
//! it at 1,000 and 10,000 operations in the function form and in the
//! inline form naming its scalar (`y: f64 = …`); `BENCHMARKS.md` ("Compile
//! time") has the numbers, for both forms, at 100, 1,000 and 10,000
//! operations. An inline formula of thousands of operations should name its
//! scalar: over a generic one, its debug build takes 2.1x the hand-written
//! adjoint's instructions ("Calls on a generic scalar" below). Where the
//! time goes:
//!
//! - **The macro runs unoptimised.** Cargo builds proc macros without
//!   optimisation in every profile, release included, unless told
//!   otherwise, and at 1,000 operations the macro's own work is about a
//!   sixth of the crate's `cargo check`. Compiling the macros optimised
//!   cuts the expansion by about a third (measured at 1,000 operations,
//!   Rosenbrock, function form: 0.11–0.16 s to 0.08–0.11 s), for a slower first
//!   build of the macro crates (syn among them). In the `Cargo.toml` of
//!   your workspace:
//!
//!   ```toml
//!   [profile.dev.build-override]
//!   opt-level = 3
//!   [profile.release.build-override]
//!   opt-level = 3
//!   ```
//!
//!   The macro reads the simplest `let`s, one operation on names and
//!   literals as generators write them, without syn's general expression
//!   parser, which, unoptimised, was a quarter of the macro's time.
//!
//!   The per-node code (forward's and backward's statements, the gradient
//!   fields' doc comments and listings) is written as source text that
//!   rustc's own lexer, optimised, reads at once, not built token by token
//!   in the unoptimised macro: at 1,000 operations (the DAG of
//!   `benches/compile_time.sh`, function form) that took the macro's run
//!   from 331 to 281 million instructions, of a `cargo check` of 1,445
//!   million. Text carries no hygiene,
//!   so the expansion's locals are named with a prefix (`__g`, or `__g0`,
//!   `__g1`, … if the macro's input holds `__g`) that no identifier of the
//!   input starts with; the steps a user token goes into (a constant, a
//!   custom operation, an exponent's expression) stay tokens, with their
//!   spans.
//!
//! - **Arithmetic where it can, a call elsewhere.** Where the scalar type is
//!   named (the function form, and the inline form without custom
//!   operations), forward writes `+`, `-`, `*`, `/` and negation as
//!   operators, and the table's methods as the methods themselves: in
//!   `f32` and `f64` as `x.exp()`, on any other scalar as `Float`'s
//!   (`<T as Float>::exp(x)`), one call where the rule was two; backward
//!   writes each operator's adjoint as arithmetic (`dout * y`: the table's
//!   [`Adjoint`](ops::Adjoint), checked against the layer bit for bit), and
//!   sums a value's gradients in one statement. So do the one-operand
//!   methods whose backward is arithmetic and the scalar's own methods
//!   (`dout * (1f64 - y * y)` for `tanh`, `dout * x.cos()` for `sin`); those
//!   calling a method only in `f32` and `f64`, where it is the type's own.
//!   At 1,000 operations (the DAG, function form), the debug build of the
//!   expanded code went from 1,833 to 1,708 million instructions. A `powi` with a literal
//!   exponent runs backward as arithmetic too (in `f32` and `f64`, and for
//!   squares on any scalar). Every other step (a two-operand method's or
//!   `relu`'s backward, a method on a generic scalar) is a call to the
//!   operation's rule, generic over the layer, where the hand-written code
//!   has arithmetic.
//! - **Calls on a generic scalar.** The inline form's scalar is generic, so
//!   each of its operators is a call (`Mul::mul`) that LLVM inlines in an
//!   optimised build, and LLVM's inliner takes time that grows with the
//!   number of calls times the length of the function they are in. A
//!   square's backward there is arithmetic, not the rule's call with its
//!   branch on the exponent: that took the inline form's release build of
//!   the 10,000-operation Rosenbrock from 37.9 s to 23.5 s (one run each).
//!   In a debug build the calls stay calls, which the inline form's debug
//!   builds pay for: the borrow checker proves each call's bound, the calls
//!   are monomorphized, LLVM emits them. The macro cannot write `f64` there
//!   by itself: the inline form's inputs are the caller's variables, whose
//!   type it does not see, and `f32`, `f64` and dual numbers all work.
//!   Running forward in the caller's block instead, with the scalar
//!   inferred from the inputs, as the inline form does with a custom
//!   operation, was slower still (`cargo check` 1,537 to 1,920 million
//!   instructions, debug build 2,317 to 2,742): rustc infers the type of
//!   each of its locals where `__forward` names it. So the output may name
//!   the scalar, `y: f64 = …`, and the expansion is then over that type,
//!   as the function form's is: at 1,000 operations (the DAG of
//!   `benches/compile_time.sh`), `cargo check` takes 1,364 million
//!   instructions instead of 1,537 and the debug build 1,893 million
//!   instead of 2,320 (the hand-written adjoint: 740 and 1,093; the
//!   function form: 1,415 and 1,895).
//! - **Inlined where optimised only.** The functions holding the steps (the
//!   function form's body, the inline form's forward and backward) are
//!   `#[inline(always)]` where `debug_assertions` is off and `#[inline]`
//!   where it is on. Optimised, LLVM declined a function that large, and
//!   then stored every intermediate's gradient for a caller reading a few
//!   (the function form's release build of the 10,000-operation DAG took
//!   28.2 s, and 14.6 s inlined; the hand-written adjoint's, 14.6 s; one run
//!   each). Unoptimised, `inline(always)` still inlines, and only copied the
//!   steps into the caller: the inline form's debug build of the
//!   10,000-operation Rosenbrock took 9.0–10.7 s inlined, 7.2–7.6 s not
//!   (hand-written adjoint: 3.3–3.9 s).
//! - **Literals in place.** The function form writes its `f64` literals
//!   where they are read (`100f64 * v`), and both forms their literal
//!   `powi` exponents (`v.powi(2)`), as the hand-written code does, not into
//!   locals (nor, in the inline form, into the value): 2,500 of each in the
//!   10,000-operation Rosenbrock, whose expanded code then checked in 3.3 s
//!   instead of 3.8 s. The inline form converts each distinct number
//!   literal to its generic scalar once, into a local that equal literals
//!   share. Locals are declared 64 to an array pattern,
//!   `let [v0, v1, ..]: [f64; 64];`, which names the type once.
//! - **Wide patterns and wide structs.** rustc checks a pattern in time and
//!   memory quadratic in its width, and looks a field access's name up
//!   among the struct's fields one by one, comparing each. So the inline
//!   value keeps its numbers in arrays of 64, one pattern each. The
//!   gradients struct has a field for every `let`, and `pairs()` (behind
//!   `Debug` and `PartialEq`) reads every one, with one struct pattern
//!   (`let Self { x: f0, .. } = *self;`), whose fields rustc finds in a
//!   map, not one access each, which it looks up one by one: at 1,000
//!   operations (the DAG, function form), reading the 1,124 fields costs
//!   `cargo check` 61 million instructions with the patterns and 107
//!   million with one access each (of 1,444 million, through the macro;
//!   the printed expansion, compiled as source without the macro's
//!   hygiene, ranks them the other way: 301 and 162 million). Alone in a crate, a struct
//!   of 12,500 `f64` fields and a method reading each takes rustc 0.8 s to
//!   check (the struct alone: 0.07 s), and 1.7 s with incremental
//!   compilation (0.14 s), which cargo uses for `check` and debug builds.
//!   So past 1,024 fields the gradients are a chain: the struct holds its
//!   first 1,024 fields and a private one holding a `#[doc(hidden)]` struct
//!   with the next 1,024, to which it dereferences (`Deref` and
//!   `DerefMut`), and so on (wider structs past 100 of them, since rustc
//!   follows `Deref` 128 times at most). Each struct's fields are read by
//!   its own code. With `pairs()`, `Debug` and a function reading 2,500
//!   fields, 12,500 fields check in 0.75 s chained against 1.66 s flat
//!   (incremental, `rustc --emit=metadata`; 0.37 s with no `pairs()`).
//!   `d.name` then finds a field past the first struct through `Deref`,
//!   at about the cost of finding it in one flat struct. What a chain
//!   gives up: a struct pattern or literal names only the first struct's
//!   fields, and the docs list only those.
//! - **More to check than the adjoint.** With `NAMES`, `pairs()` and its
//!   impls, and the pictures' hooks that report every value and gradient,
//!   the gradients struct is about an eighth of `cargo check` at 1,000
//!   operations. The inputs' and `let`s' gradients reach the picture as
//!   the gradients struct's `pairs()`, not listed a second time with their
//!   node indices (those lists were a third of the hooks' tokens, and 3% of
//!   `cargo check` at 1,000 operations). An edge that is its operand's only
//!   use hands the operand its gradient as it is, so the hooks do not list
//!   it either: one string marks those edges, and the picture takes each
//!   one's gradient from its operand's (894 of the 1,492 edges of the
//!   1,000-operation DAG; `cargo check` went from 1,444 to 1,416 million
//!   instructions in the function form, from 1,569 to 1,537 in the inline
//!   form). The edges into constants, which only pictures read,
//!   are computed inside the hooks' `if`, which code without a trace does
//!   not compile. The inline form's gradients struct, local to its block
//!   where no documentation shows it, has no doc comment per field (2% of
//!   `cargo check` at 1,250 fields).
//!
//! The expansion runs the layers' rules, not the layers themselves,
//! because of what the layer objects cost at this size. Each layer keeps
//! what it saved in an `Option` and checks it in `backward`; each `forward`
//! borrows its layer mutably. In a release build of a 10,000-operation
//! formula, rustc's MIR jump threading spent 246 s of 406 s proving those
//! checks dead (the hand-written adjoint: 19 s), and ten thousand mutable
//! borrows were most of the borrow check. With the rules, at 10,000
//! operations (Rosenbrock with 2,500 inputs, function form,
//! `benches/compile_time.sh`), the release build went from 21.5x the
//! hand-written adjoint's time to 2.8–3.0x, and `cargo check` from 6.9x to
//! 3.1–3.7x.
//! The numbers each step computes are the same, bit for bit: the layers are
//! made of the same rules, and the arithmetic written for operators, for
//! the methods above and for `powi` with a literal exponent is checked
//! against them, in `f64` and `f32` (but for the sign of a NaN).
//!
//! Deep nesting is fine too: syn parses expressions recursively, so the
//! macro runs its expansion on a large stack segment of its own (with
//! `stacker`, as rustc does for deep code). Formulas nested 1,000 and 5,000
//! parentheses deep build; at 20,000, rustc itself overflows its stack while
//! reading the tokens, before `grad!` runs.
#![forbid(unsafe_code)]
// The section on arrays links the items of the `ndarray` feature, which
// exist only with it (docs.rs builds every feature).
#![cfg_attr(not(feature = "ndarray"), allow(rustdoc::broken_intra_doc_links))]

pub use grad_core::*;
/// Pictures of formulas (feature `graph`, on by default).
#[cfg(feature = "graph")]
pub use grad_graph as graph;
#[cfg(feature = "graph")]
pub use grad_graph::Graph;
pub use grad_macros::grad;

/// Everything a formula usually needs, in one import: `use grad::prelude::*;`.
///
/// The function form keeps your function as written, so a built-in it calls
/// (`sigmoid(x)`, `relu(x)`) must be in scope as in plain Rust; the inline
/// form needs no import for them.
///
/// ```
/// use grad::prelude::*;
///
/// grad! {
///     fn activation<T: Float>(x: T) -> T {
///         sigmoid(x) * constant::<T>(2.0) + relu(x)
///     }
/// }
/// assert_eq!(activation_grad(0.0_f64).1.x, 0.5); // 2 σ'(0) + relu'(0)
/// ```
pub mod prelude {
    pub use crate::{Float, constant, grad, relu, sigmoid};
}

/// Converts an `f64` constant to any scalar type: how a generic formula
/// writes a number (`constant(100.0) * x` where `x: T`). Inside `grad!` it is
/// a constant like any expression that reads no input: it gets no gradient.
///
/// A type that cannot represent the value gets NaN, never a panic.
///
/// ```
/// fn double<T: grad::Float>(x: T) -> T {
///     grad::constant::<T>(2.0) * x
/// }
/// assert_eq!(double(1.5_f32), 3.0);
/// ```
#[inline]
#[must_use]
pub fn constant<T: Float>(value: f64) -> T {
    T::from(value).unwrap_or_else(T::nan)
}

/// What `grad!` expansions call. Not a public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::constant as literal;
    pub use grad_core::__private::*;
    #[cfg(feature = "graph")]
    pub use grad_graph::{Graph, NoTrace, Recorder, Trace};

    /// A value as a picture shows it: `f64`, NaN if it has none.
    #[cfg(feature = "graph")]
    #[inline]
    #[must_use]
    pub fn shown<T: Float>(value: T) -> f64 {
        value.to_f64().unwrap_or(f64::NAN)
    }

    /// The values as a picture shows them, [`shown`] one by one.
    #[cfg(feature = "graph")]
    #[must_use]
    pub fn shown_values<T: Float>(values: &[T]) -> Vec<f64> {
        values.iter().map(|&value| shown(value)).collect()
    }
}
