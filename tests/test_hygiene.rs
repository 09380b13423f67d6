//! The expansion's own names can never collide with the user's: inputs and
//! outputs may be called like anything the generated code uses internally.
#![deny(warnings)]
#![deny(clippy::all, clippy::pedantic)]
// The assertions compare exact values on purpose; the generated code needs no allowance.
#![allow(clippy::float_cmp)]

use grad::grad;

#[test]
fn inputs_named_like_generated_locals() {
    let (dout, layers, grads, backward, forward, value) = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
    let (v0, a0, s0, s1, c0, spec, values, scalar) = (0.5, 0.25, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0);
    let (__grad0, __layers, n0, zero) = (1.5, 2.5, 3.5, 4.5);
    let g = grad!(
        out = dout * layers + grads * backward - forward / value
            + v0 * a0
            + s0 * s1
            + c0 * spec
            + values * scalar
            + __grad0 * __layers
            + n0 * zero
    );
    let plain = dout * layers + grads * backward - forward / value
        + v0 * a0
        + s0 * s1
        + c0 * spec
        + values * scalar
        + __grad0 * __layers
        + n0 * zero;
    assert_eq!(g.out, plain);
    let d = g.backward(1.0);
    assert_eq!(
        (d.dout, d.layers, d.forward, d.value),
        (2.0, 1.0, -1.0 / 6.0, 5.0 / 36.0)
    );
    assert_eq!((d.v0, d.s1, d.__layers, d.zero), (0.25, 2.0, 1.5, 3.5));
}

#[test]
fn an_input_called_t_and_outputs_called_like_methods() {
    #[allow(non_snake_case)]
    let T = 3.0_f64;
    let g = grad!(backward = T * T);
    assert_eq!(g.backward, 9.0);
    assert_eq!(g.backward(1.0).T, 6.0);
    let layers_named = grad!(__layers = T + 1.0);
    assert_eq!(layers_named.__layers, 4.0);
    assert_eq!(layers_named.backward(2.0).T, 2.0);
}

#[test]
fn raw_identifiers_and_keywords_as_names() {
    let r#type = 2.0_f64;
    let g = grad! {
        let r#match = r#type * r#type;
        r#loop = r#match + 1.0
    };
    assert_eq!(g.r#loop, 5.0);
    let d = g.backward(1.0);
    assert_eq!((d.r#type, d.r#match), (4.0, 1.0));
    assert_eq!(d.pairs(), [("type", 4.0), ("match", 1.0)]);
}

#[test]
fn two_formulas_in_one_scope_do_not_clash() {
    let x = 2.0_f64;
    let first = grad!(y = x * x);
    let second = grad!(y = x * x * x);
    assert_eq!((first.backward(1.0).x, second.backward(1.0).x), (4.0, 12.0));
}

/// A user module without the prelude and with its own `Option`, `Clone` and
/// `Float`: the expansion names everything by absolute path.
#[allow(dead_code, clippy::pedantic)]
mod no_prelude {
    #![no_implicit_prelude]

    pub struct Option;
    pub trait Clone {}
    pub trait Float {}
    pub struct PhantomData;

    pub fn derivative(x: f64) -> f64 {
        let g = ::grad::grad!(y = x.sin() * x);
        g.backward(1.0).x
    }

    ::grad::grad! {
        pub fn square(x: f64) -> f64 {
            x * x
        }
    }
}

#[test]
fn works_without_the_prelude() {
    let x = 0.5_f64;
    assert_eq!(no_prelude::derivative(x), x.cos() * x + x.sin());
    assert_eq!(no_prelude::square_grad(3.0).1.x, 6.0);
    assert_eq!(no_prelude::square(3.0), 9.0);
}

/// The expansion's locals start with `__g` (written as text, they have no
/// hygiene of their own); where the macro's input holds `__g`, they start
/// with a prefix it does not hold. Names that are exactly the locals a
/// formula of this shape gets with `__g`: its inputs' values, gradients,
/// edges, `dout`, and a constant (`crate::__GV1`) read in the middle.
#[test]
fn inputs_and_constants_named_like_the_locals_written_as_text() {
    let (__gv0, __ga0, __ge0, __gdout) = (0.5_f64, 1.5, 2.5, 3.0);
    let __gv2 = 4.0_f64;
    let g = grad! {
        let __ga1 = __gv0 * __ga0 + __ge0.sin();
        let __gv3 = __ga1 * __gdout * __gv2.sqrt() * crate::__GV1;
        y = __gv3.tanh() + __gv0
    };
    let inner = __gv0 * __ga0 + __ge0.sin();
    let product = inner * __gdout * __gv2.sqrt() * __GV1;
    assert_eq!(g.y, product.tanh() + __gv0);
    let d = g.backward(1.0);
    // Closed forms: dy/dproduct = 1 - tanh², and the product's factors.
    let dproduct = 1.0 - product.tanh() * product.tanh();
    let dinner = dproduct * __gdout * 2.0 * __GV1;
    assert_eq!(d.__gv3, dproduct);
    assert!((d.__ga1 - dinner).abs() < 1e-15);
    assert!((d.__gv0 - (dinner * __ga0 + 1.0)).abs() < 1e-15);
    assert!((d.__ga0 - dinner * __gv0).abs() < 1e-15);
    assert!((d.__ge0 - dinner * __ge0.cos()).abs() < 1e-15);
    assert!((d.__gdout - dproduct * inner * 2.0 * __GV1).abs() < 1e-15);
}

/// The function form: parameters and a constant item named like the
/// locals, and a picture, whose hooks read the same locals.
const __GV1: f64 = 3.0;
grad! {
    fn like_locals(__gv0: f64, __ga0: f64, __gdout: f64) -> f64 {
        let __ge0 = __gv0 * __ga0 * __GV1;
        __ge0.exp() + __gdout * __gdout
    }
}

#[test]
fn parameters_named_like_the_locals_written_as_text() {
    let (x, y, z) = (0.25_f64, 0.5, 2.0);
    let (value, d) = like_locals_grad(x, y, z);
    let product = x * y * 3.0;
    assert_eq!(value, like_locals(x, y, z));
    assert_eq!(value, product.exp() + z * z);
    assert_eq!(d.__ge0, product.exp());
    assert_eq!(d.__gv0, product.exp() * y * 3.0);
    assert_eq!(d.__ga0, product.exp() * x * 3.0);
    assert_eq!(d.__gdout, 2.0 * z);
    #[cfg(feature = "graph")]
    assert_eq!(like_locals_graph(x, y, z).output.value, value);
}

/// softplus(x) = ln(1 + eˣ), a custom operation: with one, the inline
/// form's forward runs in the caller's block.
fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

fn softplus_grad(x: f64) -> (f64, f64) {
    (softplus(x), grad::sigmoid(x))
}

/// `grad!` written by a `macro_rules!`, with the names its caller passes
/// in: the generated code must find them with the caller's hygiene.
macro_rules! squared_sine {
    ($name:ident, $x:ident) => {
        grad! {
            fn $name($x: f64) -> f64 {
                let t = $x * $x;
                t.sin()
            }
        }
    };
}

squared_sine!(wave, a);

macro_rules! inline_squared_sine {
    ($x:ident) => {
        grad!(y = ($x * $x).sin())
    };
}

macro_rules! inline_with_softplus {
    ($x:ident) => {
        grad!(y = softplus($x * $x) + $x.sin())
    };
}

#[test]
fn formulas_written_by_a_macro_rules_with_the_callers_names() {
    let a = 0.5_f64;
    // Closed forms: d/da sin(a²) = 2a cos(a²).
    let (value, d) = wave_grad(a);
    assert_eq!((value, wave(a)), ((a * a).sin(), (a * a).sin()));
    assert!((d.a - 2.0 * a * (a * a).cos()).abs() < 1e-15);
    let g = inline_squared_sine!(a);
    assert_eq!(g.y, (a * a).sin());
    assert!((g.backward(1.0).a - 2.0 * a * (a * a).cos()).abs() < 1e-15);
    // d/da (softplus(a²) + sin a) = 2a σ(a²) + cos a.
    let g = inline_with_softplus!(a);
    assert_eq!(g.y, softplus(a * a) + a.sin());
    let expected = 2.0 * a * grad::sigmoid(a * a) + a.cos();
    assert!((g.backward(1.0).a - expected).abs() < 1e-15);
}
