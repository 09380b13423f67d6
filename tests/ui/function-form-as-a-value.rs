// A function written where a value belongs: `grad! { fn .. }` defines
// functions, it is not an expression. The function's own mistake is reported,
// and rustc says the macro is likely used in expression context; nothing
// about the expansion's internals.
use grad::grad;

fn main() {
    let _g = grad! { fn f() {} };
}
