//! The formula evaluated the way plain Rust computes it: every node with the
//! scalar's own methods, in the order the formula is written. `grad!`
//! promises the same numbers, so a value from `grad!` can be compared with
//! this one bit for bit.

use crate::formula::{Expr, Formula};
use grad_core::ops::OpKind;
use num_traits::Float;

impl Formula {
    /// The formula's value at `inputs` (one per input, in order).
    ///
    /// # Panics
    ///
    /// As [`Formula::evaluate_with`]; also on a call.
    #[must_use]
    pub fn evaluate<T: Float>(&self, inputs: &[T]) -> T {
        self.evaluate_with(inputs, &|path, _| {
            panic!("the formula calls {path}: evaluate it with evaluate_with")
        })
    }

    /// The formula's value at `inputs`, with `calls(path, arguments)` for
    /// the value of each [`Expr::Call`].
    ///
    /// # Panics
    ///
    /// If `inputs` has the wrong length, or on what has no known value: a
    /// constant or `powi` exponent given as text only, a literal that is not
    /// a number, raw text.
    #[must_use]
    pub fn evaluate_with<T: Float>(&self, inputs: &[T], calls: &dyn Fn(&str, &[T]) -> T) -> T {
        assert_eq!(inputs.len(), self.inputs.len(), "one value per input");
        let mut lets = Vec::with_capacity(self.lets.len());
        for binding in &self.lets {
            let value = evaluate(&binding.value, inputs, &lets, calls);
            lets.push(value);
        }
        evaluate(&self.output, inputs, &lets, calls)
    }
}

fn evaluate<T: Float>(e: &Expr, inputs: &[T], lets: &[T], calls: &dyn Fn(&str, &[T]) -> T) -> T {
    let operand = |e: &Expr| evaluate(e, inputs, lets, calls);
    match e {
        Expr::Input(i) => inputs[*i],
        Expr::Let(k) => lets[*k],
        Expr::Literal(text) => {
            let value =
                literal_value(text).unwrap_or_else(|| panic!("cannot evaluate the literal {text}"));
            scalar(value)
        }
        Expr::Constant(constant) => scalar(
            constant
                .value
                .unwrap_or_else(|| panic!("the constant {} has no value", constant.text)),
        ),
        Expr::Operation(op, operands) => {
            let values: Vec<T> = operands.iter().map(operand).collect();
            // Plain Rust's operator, method or function, from the table.
            op.kind.plain(&values, 0)
        }
        Expr::Powi(base, exponent) => {
            let n = exponent
                .value
                .unwrap_or_else(|| panic!("the exponent {} has no value", exponent.text));
            OpKind::Powi.plain(&[operand(base)], n)
        }
        Expr::Call(path, arguments) => {
            let values: Vec<T> = arguments.iter().map(operand).collect();
            calls(path, &values)
        }
        Expr::Paren(inner) | Expr::Group(inner) => operand(inner),
        Expr::Raw(text) => panic!("cannot evaluate raw text {text}"),
    }
}

/// An `f64` as the scalar, as `grad!` converts its literals (`T::from`).
fn scalar<T: Float>(value: f64) -> T {
    T::from(value).unwrap_or_else(T::nan)
}

/// The value `grad!` gives a number literal: its digits in base 10, read as
/// an `f64` (`0x1F` is 31, `2.5f32` is 2.5, `1e-400` is 0). `None` for what
/// is not a number literal.
#[must_use]
fn literal_value(text: &str) -> Option<f64> {
    let text = text.replace('_', "");
    let (radix, digits) = match text.get(..2) {
        Some("0x") => (16, &text[2..]),
        Some("0o") => (8, &text[2..]),
        Some("0b") => (2, &text[2..]),
        _ => (10, text.as_str()),
    };
    const INTEGER_SUFFIXES: &[&str] = &[
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
    ];
    let unsuffixed = |suffixes: &[&str]| {
        suffixes
            .iter()
            .find_map(|suffix| digits.strip_suffix(suffix))
            .unwrap_or(digits)
    };
    if radix == 10 {
        let digits = unsuffixed(&[INTEGER_SUFFIXES, &["f32", "f64"]].concat());
        digits.parse().ok()
    } else {
        let digits = unsuffixed(INTEGER_SUFFIXES);
        u128::from_str_radix(digits, radix).ok().map(|n| n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formula::{Constant, Let};

    #[test]
    fn literals_read_as_grad_reads_them() {
        let cases = [
            ("2", 2.0),
            ("0.5", 0.5),
            ("1_000", 1000.0),
            ("0x1F", 31.0),
            ("0b101", 5.0),
            ("0o17", 15.0),
            ("7f64", 7.0),
            ("2.5f32", 2.5),
            ("300u8", 300.0),
            ("1e-400", 0.0),
            ("3.", 3.0),
            ("18446744073709551616", 18_446_744_073_709_551_616.0),
        ];
        for (text, value) in cases {
            assert_eq!(literal_value(text), Some(value), "{text}");
        }
        assert_eq!(literal_value("\"two\""), None);
    }

    #[test]
    fn values_computed_by_hand() {
        // t = x * y + 2; out = sin(t) / t.powi(2) + softplus(x) - PI
        let (x, y) = (0.75_f64, -1.5_f64);
        let f = Formula {
            name: "out".into(),
            inputs: vec!["x".into(), "y".into()],
            lets: vec![Let::new(
                "t",
                Expr::infix(
                    "+",
                    Expr::infix("*", Expr::Input(0), Expr::Input(1)),
                    Expr::number(2.0),
                ),
            )],
            output: Expr::infix(
                "-",
                Expr::infix(
                    "+",
                    Expr::infix(
                        "/",
                        Expr::method(Expr::Let(0), "sin"),
                        Expr::powi(Expr::Let(0), 2),
                    ),
                    Expr::Call("softplus".into(), vec![Expr::Input(0)]),
                ),
                Expr::Constant(Constant::new("PI", std::f64::consts::PI)),
            ),
        };
        let t = x * y + 2.0;
        let expected = t.sin() / t.powi(2) + x.exp().ln_1p() - std::f64::consts::PI;
        let calls = |path: &str, args: &[f64]| {
            assert_eq!(path, "softplus");
            args[0].exp().ln_1p()
        };
        assert_eq!(
            f.evaluate_with(&[x, y], &calls).to_bits(),
            expected.to_bits()
        );
        let calls32 = |_: &str, args: &[f32]| args[0].exp().ln_1p();
        let (x32, y32) = (x as f32, y as f32);
        let t32 = x32 * y32 + 2.0;
        let expected32 = t32.sin() / t32.powi(2) + x32.exp().ln_1p() - std::f64::consts::PI as f32;
        assert_eq!(f.evaluate_with(&[x32, y32], &calls32), expected32);
    }
}
