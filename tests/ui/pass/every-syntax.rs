// Every kind of syntax a formula accepts, in both forms, compiles without
// warnings: `let` intermediates, `+ - * /`, unary `-`, parentheses, integer,
// float and negative literals, a path constant, methods with 0, 1 and an i32
// argument, the built-in functions, a custom operation and a grad! function
// used inside another formula.
#![deny(warnings)]

use grad::grad;

fn cube(x: f64) -> f64 {
    x * x * x
}

fn cube_grad(x: f64) -> (f64, [f64; 1]) {
    (x * x * x, [3.0 * x * x])
}

grad! {
    /// The product of two numbers, with a doc comment and an attribute.
    #[inline]
    pub fn product(a: f64, b: f64) -> f64 {
        let p: f64 = a * b;
        p
    }

    fn halve(v: f64) -> f64 {
        v / 2.0
    }
}

fn main() {
    let (x, z, w) = (0.5_f64, 2.0_f64, 3.0_f64);
    let n = 3;
    let g = grad! {
        let arithmetic = (x + z) * w - x / z + -x - 1 + -2.5;
        let methods = x.exp() + x.ln() + x.sqrt() + x.powi(n) + x.powf(z) + x.sin()
            + x.cos() + x.tan() + x.tanh() + x.abs() + x.max(z) + x.min(z) + x.recip()
            + x.atan2(z) + x.hypot(z) + x.log(z);
        let functions = sigmoid(x) + sigmoid(z) + relu(w) + cube(x) + product(x, z);
        out = (arithmetic + methods + functions) * std::f64::consts::PI + halve(w)
    };
    let d = g.backward(1.0);
    let _ = (g.out, d.x, d.z, d.w, d.arithmetic, d.methods, d.functions);
    let _ = d.pairs();
    let _ = halve(1.0);
    let (_v, dp) = product_grad(x, z);
    let _ = (dp.a, dp.b, dp.p);

    let y32 = 1.5_f32;
    let g32 = grad!(out = y32 * y32 + 1);
    let _: f32 = g32.backward(1.0).y32;
}
