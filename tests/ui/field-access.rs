// `p.x` reads a field; the error points at it and suggests binding the field
// to a name before `grad!`.
use grad::grad;

struct Point {
    x: f64,
}

fn main() {
    let p = Point { x: 7.0 };
    let _g = grad!(y = p.x * 2.0);
}
