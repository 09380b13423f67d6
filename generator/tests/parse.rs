//! Every form the generator writes is Rust, and the parentheses it writes
//! give the tree it means: syn reads each expression back into the same
//! tree.

use grad_core::ops::Syntax;
use grad_generator::{
    Constant, Custom, Exponent, Expr, Formula, Grammar, Layout, Scalar, Signature, SplitMix64,
    shapes,
};
use quote::ToTokens;

/// Random formulas with everything the generator writes but groups (which
/// source text cannot hold) and raw text.
fn random_formulas() -> Vec<Formula> {
    let grammar = Grammar {
        literals: vec!["0.5".into(), "2".into(), "1e-3".into()],
        constants: vec![Constant::new("std::f64::consts::PI", std::f64::consts::PI)],
        exponents: vec![Exponent::new(2), Exponent::new(-1)],
        calls: vec![Custom::new("f", 1), Custom::new("helpers::g", 2)],
        parentheses: true,
        fan_out: true,
        ..Grammar::every_operation()
    };
    let layout = Layout {
        name: "y".into(),
        inputs: Formula::numbered_inputs(3),
        lets: vec!["t0".into(), "t1".into()],
        operations: (0, 8),
    };
    (0..300)
        .map(|seed| grammar.formula(&mut SplitMix64(seed), &layout))
        .collect()
}

/// A tree written with every grouping explicit, from the generator's side.
fn tree(formula: &Formula, e: &Expr) -> String {
    let list = |items: &[Expr]| -> String {
        let items: Vec<String> = items.iter().map(|item| tree(formula, item)).collect();
        items.join(", ")
    };
    match e {
        Expr::Input(i) => formula.inputs[*i].clone(),
        Expr::Let(k) => formula.lets[*k].name.clone(),
        Expr::Literal(text) => text.clone(),
        Expr::Constant(constant) => constant.text.replace(' ', ""),
        Expr::Operation(op, operands) => match op.syntax {
            Syntax::Infix(operator) => format!(
                "({} {operator} {})",
                tree(formula, &operands[0]),
                tree(formula, &operands[1])
            ),
            Syntax::Prefix(operator) => format!("({operator}{})", tree(formula, &operands[0])),
            Syntax::Method(method) => format!(
                "{}.{method}({})",
                tree(formula, &operands[0]),
                list(&operands[1..])
            ),
            Syntax::Function(function) => format!("{function}({})", list(operands)),
        },
        Expr::Powi(base, exponent) => format!("{}.powi({})", tree(formula, base), exponent.text),
        Expr::Call(path, arguments) => format!("{}({})", path.replace(' ', ""), list(arguments)),
        Expr::Paren(inner) | Expr::Group(inner) => tree(formula, inner),
        Expr::Raw(text) => text.clone(),
    }
}

/// The same from what syn parsed.
fn parsed(e: &syn::Expr) -> String {
    let list = |items: &mut dyn Iterator<Item = &syn::Expr>| -> String {
        items.map(parsed).collect::<Vec<_>>().join(", ")
    };
    match e {
        syn::Expr::Binary(b) => format!(
            "({} {} {})",
            parsed(&b.left),
            b.op.to_token_stream(),
            parsed(&b.right)
        ),
        syn::Expr::Unary(u) => format!("({}{})", u.op.to_token_stream(), parsed(&u.expr)),
        // The exponent of `powi` is text to the generator.
        syn::Expr::MethodCall(m) if m.method == "powi" => format!(
            "{}.powi({})",
            parsed(&m.receiver),
            m.args.to_token_stream().to_string().replace(' ', "")
        ),
        syn::Expr::MethodCall(m) => {
            format!(
                "{}.{}({})",
                parsed(&m.receiver),
                m.method,
                list(&mut m.args.iter())
            )
        }
        syn::Expr::Call(c) => format!("{}({})", parsed(&c.func), list(&mut c.args.iter())),
        syn::Expr::Paren(p) => parsed(&p.expr),
        other => other.to_token_stream().to_string().replace(' ', ""),
    }
}

fn parse_expression(text: &str) -> syn::Expr {
    syn::parse_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn expressions_read_back_as_the_same_tree() {
    for formula in random_formulas() {
        for e in formula.expressions() {
            let text = formula.expression(e);
            assert_eq!(
                parsed(&parse_expression(&text)),
                tree(&formula, e),
                "{text}"
            );
        }
    }
}

#[test]
fn both_forms_of_grad_parse() {
    let scalars = [
        Scalar::F64,
        Scalar::F32,
        Scalar::Generic("T: grad::Float".into()),
    ];
    for (i, formula) in random_formulas().iter().enumerate() {
        let body = formula.inline_body("y");
        syn::parse_str::<syn::Block>(&format!("{{ {body} }}"))
            .unwrap_or_else(|e| panic!("{e}: {body}"));
        parse_expression(&formula.inline_source("y"));
        let signature = Signature::public(scalars[i % 3].clone());
        let function = formula.function(&signature);
        syn::parse_str::<syn::ItemFn>(&function).unwrap_or_else(|e| panic!("{e}: {function}"));
        let grad = formula.grad_function(&signature);
        syn::parse_str::<syn::File>(&grad).unwrap_or_else(|e| panic!("{e}: {grad}"));
    }
}

#[test]
fn the_benchmark_forms_parse() {
    let formulas = [
        shapes::seed(),
        shapes::rosenbrock(10),
        shapes::dag("dag", 300, 20, shapes::DAG_SEED),
        shapes::large(),
    ];
    for formula in &formulas {
        let mut sources = vec![
            formula.hand_adjoint().expect("a hand-written adjoint"),
            formula.function(&Signature::public(Scalar::F64)),
        ];
        // The large formula's literals are not all `c * x` or `c - x`.
        sources.extend(formula.generic_function("Scalar"));
        sources.extend(formula.symdiff_function());
        for source in sources {
            syn::parse_str::<syn::File>(&source).unwrap_or_else(|e| panic!("{e}: {source}"));
        }
    }
}
