// The expansion names everything by absolute path: it compiles in a module
// without the prelude, where `Option`, `Result`, `Clone`, `Copy` and `Float`
// are the user's own items.
#![deny(warnings)]

mod formulas {
    #![no_implicit_prelude]

    #[allow(dead_code)]
    struct Option;
    #[allow(dead_code)]
    struct Result;
    #[allow(dead_code)]
    struct Clone;
    #[allow(dead_code)]
    struct Copy;
    #[allow(dead_code)]
    struct Float;

    use ::grad::grad;

    grad! {
        pub fn area(w: f64, h: f64) -> f64 {
            let a = w * h;
            a.sqrt()
        }
    }

    pub fn inline(x: f64, y: f64) -> f64 {
        let g = grad!(out = (x * y).exp() + x.powi(2));
        g.backward(1.0).x + g.out
    }
}

fn main() {
    let _ = formulas::area(2.0, 3.0);
    let _ = formulas::area_grad(2.0, 3.0);
    let _ = formulas::inline(1.0, 2.0);
}
