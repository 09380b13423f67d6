//! Source text of a formula: the inline and function forms of `grad!`, and
//! the plain, generic and symdiff forms the benchmarks compare with.

use crate::formula::{Expr, Formula, NONE_GROUP};
use grad_core::ops::Syntax;
use std::fmt::Write as _;

/// The scalar type of a function-form formula.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scalar {
    /// `f64`.
    F64,
    /// `f32`.
    F32,
    /// A type parameter `T`, with the generics written as given between the
    /// angle brackets, such as `"T: grad::Float"`.
    Generic(String),
}

impl Scalar {
    /// The type as written in the signature: `f64`, `f32` or `T`.
    #[must_use]
    pub fn ty(&self) -> &str {
        match self {
            Self::F64 => "f64",
            Self::F32 => "f32",
            Self::Generic(_) => "T",
        }
    }

    /// `<T: ..>` after the function's name, or nothing.
    #[must_use]
    pub fn generics(&self) -> String {
        match self {
            Self::F64 | Self::F32 => String::new(),
            Self::Generic(parameters) => format!("<{parameters}>"),
        }
    }
}

/// How a function of the function form is declared, around the formula.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Doc comments and attributes, written before the visibility as given
    /// (end them with a space or a newline).
    pub attributes: String,
    /// `""`, `"pub "`, `"pub(crate) "`, ….
    pub visibility: String,
    /// The type of every parameter and of the result.
    pub scalar: Scalar,
}

impl Signature {
    /// `pub fn name(x0: scalar, ..) -> scalar`, no attributes.
    #[must_use]
    pub fn public(scalar: Scalar) -> Self {
        Self {
            attributes: String::new(),
            visibility: "pub ".to_owned(),
            scalar,
        }
    }
}

/// Operator precedence, loosest first: `+ -`, `* /`, unary `-`, and what
/// binds tightest (names, calls, methods, parentheses).
const SUM: u8 = 1;
const PRODUCT: u8 = 2;
const PREFIX: u8 = 3;
const ATOM: u8 = 4;

/// How one form spells what differs between the forms.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavour {
    /// Inputs by name, everything as the table spells it.
    Plain,
    /// Inputs as `x[i]` (symdiff's slice), otherwise plain.
    Indexed,
    /// Inputs as `x[i]`, over the benchmarks' `Scalar` trait: `a.square()`
    /// for `powi(2)`, `a.scale(c)` for `c * a`, `a.const_sub(c)` for `c - a`.
    Generic,
}

/// Something a flavour cannot write.
struct Unsupported;

struct Writer<'f> {
    formula: &'f Formula,
    flavour: Flavour,
    out: String,
}

impl Writer<'_> {
    /// In the generic flavour, the trait method that writes `e`: its name,
    /// receiver and argument.
    fn scalar_method<'e>(&self, e: &'e Expr) -> Option<(&'static str, &'e Expr, &'e str)> {
        if self.flavour != Flavour::Generic {
            return None;
        }
        match e {
            Expr::Operation(op, operands) => match (op.syntax, operands.as_slice()) {
                (Syntax::Infix("*"), [Expr::Literal(c), a]) => Some(("scale", a, c)),
                (Syntax::Infix("-"), [Expr::Literal(c), a]) => Some(("const_sub", a, c)),
                _ => None,
            },
            Expr::Powi(base, exponent) if exponent.value == Some(2) => Some(("square", base, "")),
            _ => None,
        }
    }

    /// Whether the generic flavour can write `e` itself (its operands are
    /// checked when they are written).
    fn generic_knows(e: &Expr) -> bool {
        match e {
            Expr::Operation(op, operands) => match op.syntax {
                Syntax::Infix("+" | "-" | "*") => {
                    !operands.iter().any(|o| matches!(o, Expr::Literal(_)))
                }
                Syntax::Method(method) => matches!(method, "sin" | "tanh" | "exp"),
                _ => false,
            },
            Expr::Input(_) | Expr::Let(_) | Expr::Paren(_) => true,
            _ => false,
        }
    }

    fn precedence(&self, e: &Expr) -> u8 {
        if self.scalar_method(e).is_some() {
            return ATOM;
        }
        match e {
            Expr::Literal(text) if text.starts_with('-') => PREFIX,
            Expr::Operation(op, _) => match op.syntax {
                Syntax::Infix("+" | "-") => SUM,
                Syntax::Infix(_) => PRODUCT,
                Syntax::Prefix(_) => PREFIX,
                Syntax::Method(_) | Syntax::Function(_) => ATOM,
            },
            _ => ATOM,
        }
    }

    fn expr(&mut self, e: &Expr) -> Result<(), Unsupported> {
        if let Some((method, receiver, argument)) = self.scalar_method(e) {
            self.receiver(receiver)?;
            let _ = write!(self.out, ".{method}({argument})");
            return Ok(());
        }
        if self.flavour == Flavour::Generic && !Self::generic_knows(e) {
            return Err(Unsupported);
        }
        match e {
            Expr::Input(i) => self.input(*i),
            Expr::Let(k) => self.out.push_str(&self.formula.lets[*k].name),
            Expr::Literal(text) => self.out.push_str(text),
            Expr::Constant(constant) => self.out.push_str(&constant.text),
            Expr::Operation(op, operands) => match (op.syntax, operands.as_slice()) {
                (Syntax::Infix(operator), [a, b]) => {
                    let level = self.precedence(e);
                    self.at(a, level)?;
                    let _ = write!(self.out, " {operator} ");
                    self.at(b, level + 1)?;
                }
                (Syntax::Prefix(operator), [a]) => {
                    self.out.push_str(operator);
                    self.at(a, PREFIX)?;
                }
                (Syntax::Method(method), [receiver, arguments @ ..]) => {
                    self.receiver(receiver)?;
                    let _ = write!(self.out, ".{method}(");
                    self.list(arguments)?;
                    self.out.push(')');
                }
                (Syntax::Function(function), arguments) => {
                    let _ = write!(self.out, "{function}(");
                    self.list(arguments)?;
                    self.out.push(')');
                }
                _ => unreachable!("{} with {} operands", op.name, operands.len()),
            },
            Expr::Powi(base, exponent) => {
                self.receiver(base)?;
                let _ = write!(self.out, ".powi({})", exponent.text);
            }
            Expr::Call(path, arguments) => {
                let _ = write!(self.out, "{path}(");
                self.list(arguments)?;
                self.out.push(')');
            }
            Expr::Paren(inner) => {
                self.out.push('(');
                self.expr(inner)?;
                self.out.push(')');
            }
            Expr::Group(inner) => {
                let _ = write!(self.out, "{NONE_GROUP}(");
                self.expr(inner)?;
                self.out.push(')');
            }
            Expr::Raw(text) => self.out.push_str(text),
        }
        Ok(())
    }

    fn input(&mut self, i: usize) {
        match self.flavour {
            Flavour::Plain => self.out.push_str(&self.formula.inputs[i]),
            Flavour::Indexed | Flavour::Generic => {
                let _ = write!(self.out, "x[{i}]");
            }
        }
    }

    /// `e`, in parentheses if it binds looser than `level`.
    fn at(&mut self, e: &Expr, level: u8) -> Result<(), Unsupported> {
        if self.precedence(e) < level {
            self.out.push('(');
            self.expr(e)?;
            self.out.push(')');
            Ok(())
        } else {
            self.expr(e)
        }
    }

    /// A method's receiver: a literal too goes in parentheses (`3.` followed
    /// by `.sin()` would read as a range), and so does a group.
    fn receiver(&mut self, e: &Expr) -> Result<(), Unsupported> {
        match e {
            Expr::Literal(_) | Expr::Group(_) | Expr::Raw(_) => {
                self.out.push('(');
                self.expr(e)?;
                self.out.push(')');
                Ok(())
            }
            _ => self.at(e, ATOM),
        }
    }

    fn list(&mut self, items: &[Expr]) -> Result<(), Unsupported> {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(item)?;
        }
        Ok(())
    }
}

/// How many locals one declaration of [`Formula::function_declared_up_front`]
/// and [`Formula::hand_adjoint_declared_up_front`] holds.
pub const LOCALS_PER_DECLARATION: usize = 64;

/// `let (a, b, ..): (ty, ty, ..);` lines of [`LOCALS_PER_DECLARATION`]
/// names each; a name may start with `mut `.
pub(crate) fn declarations(names: &[&str], ty: &str, indent: &str) -> String {
    let mut out = String::new();
    for group in names.chunks(LOCALS_PER_DECLARATION) {
        let types = vec![ty; group.len()];
        let _ = writeln!(
            out,
            "{indent}let ({},): ({},);",
            group.join(", "),
            types.join(", ")
        );
    }
    out
}

/// What the plain flavour wrote: it writes everything.
fn plain(written: Result<String, Unsupported>) -> String {
    match written {
        Ok(text) => text,
        Err(Unsupported) => unreachable!("the plain flavour writes everything"),
    }
}

/// `code` inside `grad::grad! { .. }`, indented.
fn in_grad(code: &str) -> String {
    let indented: String = code.lines().map(|line| format!("    {line}\n")).collect();
    format!("grad::grad! {{\n{indented}}}")
}

impl Formula {
    fn write(&self, e: &Expr, flavour: Flavour) -> Result<String, Unsupported> {
        let mut writer = Writer {
            formula: self,
            flavour,
            out: String::new(),
        };
        writer.expr(e)?;
        Ok(writer.out)
    }

    /// `e` as Rust source, with the parentheses its precedence needs.
    #[must_use]
    pub fn expression(&self, e: &Expr) -> String {
        plain(self.write(e, Flavour::Plain))
    }

    /// The `let` statements, one a line (with `: scalar` where annotated).
    fn lets(&self, flavour: Flavour, scalar: &str, indent: &str) -> Result<String, Unsupported> {
        let mut out = String::new();
        for binding in &self.lets {
            let annotation = if binding.annotated {
                format!(": {scalar}")
            } else {
                String::new()
            };
            let value = self.write(&binding.value, flavour)?;
            let _ = writeln!(out, "{indent}let {}{annotation} = {value};", binding.name);
        }
        Ok(out)
    }

    /// The statements of a function's body: the `let`s, then the output
    /// expression, each line indented.
    fn body(&self, flavour: Flavour, scalar: &str, indent: &str) -> Result<String, Unsupported> {
        let mut out = self.lets(flavour, scalar, indent)?;
        let _ = writeln!(out, "{indent}{}", self.write(&self.output, flavour)?);
        Ok(out)
    }

    /// The `let` statements alone, one a line.
    #[must_use]
    pub fn lets_source(&self, scalar: &str) -> String {
        plain(self.lets(Flavour::Plain, scalar, ""))
    }

    /// What goes between the delimiters of the inline form: the `let`s, then
    /// `output = expression` (no `;`).
    #[must_use]
    pub fn inline_body(&self, output: &str) -> String {
        format!(
            "{}{output} = {}",
            self.lets_source("f64"),
            self.expression(&self.output)
        )
    }

    /// `grad::grad! { let ..; output = .. }`: an expression whose value has a
    /// field `output` and a method `backward`.
    #[must_use]
    pub fn inline_source(&self, output: &str) -> String {
        in_grad(&self.inline_body(output))
    }

    /// `let (x0, x1, ..,) = (array[0], array[1], ..,);`, the inputs named
    /// from the elements of `array` in tuples of [`LOCALS_PER_DECLARATION`],
    /// one line each, as generated code declares its locals: one pattern
    /// over the whole array costs rustc time quadratic in its width (at
    /// 2,500 inputs, more than type checking the hand-written adjoint).
    #[must_use]
    pub fn inputs_from(&self, array: &str, indent: &str) -> String {
        let mut out = String::new();
        for (chunk, names) in self.inputs.chunks(LOCALS_PER_DECLARATION).enumerate() {
            let start = chunk * LOCALS_PER_DECLARATION;
            let elements: Vec<String> = (start..start + names.len())
                .map(|i| format!("{array}[{i}]"))
                .collect();
            let _ = writeln!(
                out,
                "{indent}let ({},) = ({},);",
                names.join(", "),
                elements.join(", ")
            );
        }
        out
    }

    /// `{attributes}{visibility}fn name<..>(x0: T, ..) -> T`.
    #[must_use]
    pub fn signature(&self, signature: &Signature) -> String {
        let ty = signature.scalar.ty();
        let parameters: Vec<String> = self
            .inputs
            .iter()
            .map(|input| format!("{input}: {ty}"))
            .collect();
        format!(
            "{}{}fn {}{}({}) -> {ty}",
            signature.attributes,
            signature.visibility,
            self.name,
            signature.scalar.generics(),
            parameters.join(", "),
        )
    }

    /// The formula as a plain Rust function: its `let`s, then the output as
    /// the returned expression. `grad!`'s function form keeps this function
    /// as it is.
    #[must_use]
    pub fn function(&self, signature: &Signature) -> String {
        let ty = signature.scalar.ty();
        let body = plain(self.body(Flavour::Plain, ty, "    "));
        format!("{} {{\n{body}}}\n", self.signature(signature))
    }

    /// [`Formula::function`] with every `let` declared up front, in
    /// tuples of [`LOCALS_PER_DECLARATION`], and assigned in order: how code
    /// with thousands of `let`s has to be written for rustc to build it with
    /// debuginfo (one `let` each overflows its stack, rust-lang/rust#103767).
    ///
    /// # Panics
    ///
    /// If two `let`s have the same name.
    #[must_use]
    pub fn function_declared_up_front(&self, signature: &Signature) -> String {
        let ty = signature.scalar.ty();
        let names: Vec<&str> = self
            .lets
            .iter()
            .map(|binding| binding.name.as_str())
            .collect();
        let mut distinct = names.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), names.len(), "every let has its own name");
        let mut body = declarations(&names, ty, "    ");
        for binding in &self.lets {
            let _ = writeln!(
                body,
                "    {} = {};",
                binding.name,
                self.expression(&binding.value)
            );
        }
        let _ = writeln!(body, "    {}", self.expression(&self.output));
        format!("{} {{\n{body}}}\n", self.signature(signature))
    }

    /// `grad::grad! { fn .. }`: [`Formula::function`] inside the macro, which
    /// adds `name_grad` and (with the `graph` feature) `name_graph`.
    #[must_use]
    pub fn grad_function(&self, signature: &Signature) -> String {
        in_grad(&self.function(signature)) + "\n"
    }

    /// `pub fn name_generic<T: scalar_trait>(x: &[T; N]) -> T`: the formula
    /// over the benchmarks' `Scalar` trait (`+ - *`, `sin`, `tanh`, `exp`,
    /// `square`, `scale`, `const_sub`), for dual numbers and runtime tapes.
    /// `None` if the formula uses anything else.
    #[must_use]
    pub fn generic_function(&self, scalar_trait: &str) -> Option<String> {
        let body = self.body(Flavour::Generic, "T", "    ").ok()?;
        Some(format!(
            "/// The formula over any scalar type.\n#[inline]\npub fn {}_generic<T: {scalar_trait}>(x: &[T; {}]) -> T {{\n{body}}}\n",
            self.name,
            self.inputs.len(),
        ))
    }

    /// `#[symdiff::gradient(var = x, dim = N)] pub fn name_sym(x: &[f64]) -> f64`,
    /// from which symdiff writes `name_sym_gradient`; `None` if the formula
    /// uses an operation symdiff 2.1 does not differentiate (it knows `+ - *
    /// /`, `sin`, `cos`, `exp`, `ln`, `sqrt` and `powi`).
    #[must_use]
    pub fn symdiff_function(&self) -> Option<String> {
        let known = |e: &Expr| match e {
            Expr::Operation(op, _) => matches!(
                op.syntax,
                Syntax::Infix(_) | Syntax::Method("sin" | "cos" | "exp" | "ln" | "sqrt")
            ),
            Expr::Call(..) | Expr::Group(_) | Expr::Raw(_) => false,
            _ => true,
        };
        if self.any(|e| !known(e)) {
            return None;
        }
        let body = self.body(Flavour::Indexed, "f64", "    ").ok()?;
        Some(format!(
            "/// The formula for symdiff, which writes `{0}_sym_gradient`.\n#[symdiff::gradient(var = x, dim = {1})]\npub fn {0}_sym(x: &[f64]) -> f64 {{\n{body}}}\n",
            self.name,
            self.inputs.len(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formula::{Constant, Let};

    fn formula(output: Expr) -> Formula {
        Formula::new("y", &["a", "b"], output)
    }

    fn text(output: Expr) -> String {
        let f = formula(output);
        f.expression(&f.output)
    }

    fn a() -> Expr {
        Expr::Input(0)
    }

    fn b() -> Expr {
        Expr::Input(1)
    }

    #[test]
    fn parentheses_follow_precedence() {
        let sum = || Expr::infix("+", a(), b());
        assert_eq!(text(Expr::infix("*", sum(), b())), "(a + b) * b");
        assert_eq!(text(Expr::infix("-", a(), sum())), "a - (a + b)");
        assert_eq!(text(Expr::infix("-", sum(), a())), "a + b - a");
        assert_eq!(text(Expr::method(sum(), "sin")), "(a + b).sin()");
        let neg = |e| Expr::op(Syntax::Prefix("-"), vec![e]);
        assert_eq!(text(neg(Expr::method(a(), "sin"))), "-a.sin()");
        assert_eq!(text(Expr::method(neg(a()), "sin")), "(-a).sin()");
        assert_eq!(text(Expr::infix("*", a(), neg(b()))), "a * -b");
        assert_eq!(text(Expr::method(Expr::number(2.0), "exp")), "(2.0).exp()");
        assert_eq!(
            text(Expr::op(Syntax::Method("max"), vec![a(), sum()])),
            "a.max(a + b)"
        );
        assert_eq!(text(Expr::powi(sum(), -1)), "(a + b).powi(-1)");
        assert_eq!(text(Expr::Group(Box::new(sum()))), "__none_group(a + b)");
    }

    #[test]
    fn both_forms_of_grad() {
        let mut f = formula(Expr::infix(
            "*",
            Expr::Let(0),
            Expr::Call("f".into(), vec![b()]),
        ));
        f.lets.push(Let {
            name: "t".into(),
            value: Expr::infix("+", a(), Expr::Constant(Constant::text("T::one()"))),
            annotated: true,
        });
        assert_eq!(
            f.inline_body("out"),
            "let t: f64 = a + T::one();\nout = t * f(b)"
        );
        let signature = Signature {
            attributes: "#[inline] ".into(),
            visibility: "pub(crate) ".into(),
            scalar: Scalar::Generic("T: Float".into()),
        };
        assert_eq!(
            f.function(&signature),
            "#[inline] pub(crate) fn y<T: Float>(a: T, b: T) -> T {\n    let t: T = a + T::one();\n    t * f(b)\n}\n"
        );
        assert!(
            f.grad_function(&signature)
                .starts_with("grad::grad! {\n    #[inline]")
        );
    }

    #[test]
    fn the_generic_flavour_uses_the_scalar_trait() {
        let f = formula(Expr::infix(
            "+",
            Expr::infix("*", Expr::number(100.0), Expr::powi(a(), 2)),
            Expr::method(Expr::infix("-", Expr::number(1.0), b()), "tanh"),
        ));
        assert_eq!(
            f.generic_function("S").unwrap(),
            "/// The formula over any scalar type.\n#[inline]\npub fn y_generic<T: S>(x: &[T; 2]) -> T {\n    x[0].square().scale(100.0) + x[1].const_sub(1.0).tanh()\n}\n"
        );
        assert!(f.symdiff_function().is_none(), "symdiff has no tanh");
        let cos = formula(Expr::method(a(), "cos"));
        assert!(cos.generic_function("S").is_none());
        assert!(cos.symdiff_function().unwrap().contains("x[0].cos()"));
    }
}
