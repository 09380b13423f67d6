//! Writes the generated-formula tests' formulas into `OUT_DIR` with
//! `grad-generator`, so that nothing generated is committed:
//!
//! - `large.rs`: the ~10,000-operation formula inline in `grad!`, as a
//!   function from its inputs to its value and gradient (`tests/large.rs`);
//! - `nested.rs`: the formula nested 1,000 parentheses deep, the same way;
//! - `generated.rs`: the 10,000-operation formula of more than 1,000 inputs
//!   written one `let` per operation, in the function form, with
//!   `gradient(x) -> (value, plain value, gradient)` over an array, and
//!   inline, its output naming the scalar, with `gradient_inline(x)`;
//! - `chained.rs`: a chain of [`CHAIN_LETS`] `let`s, `t(k) = t(k-1) + x`,
//!   in the function form (`chain`) and inline (`chain_inline`), whose
//!   gradients structs have more fields than one struct holds
//!   (`tests/large.rs`);
//! - `engine.rs`: every formula of `tests/engine/formulas.rs` in `grad!`,
//!   one run function and one test each (`tests/engine/main.rs`);
//! - `operations.rs`: one test per entry of the operation table, its
//!   formulas written by the generator from the table (`tests/operations.rs`),
//!   so a new operation is tested as soon as it has its table line;
//! - `loops.rs`: random functions with loops and accumulators
//!   (`grad_generator::loops`), one module and one test each
//!   (`tests/loops.rs`).

#[path = "tests/engine/formulas.rs"]
mod formulas;

use formulas::{Case, Form};
use grad_core::ops::{Operation, Shape, scalar_operations};
use grad_generator::{Expr, Formula, Scalar, Signature, shapes};
use std::fmt::Write as _;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=tests/engine/formulas.rs");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let write = |name: &str, source: String| {
        std::fs::write(out.join(name), source).expect("write a generated test file");
    };
    write(
        "large.rs",
        inline_function("large", &shapes::large(), "The ~10,000-operation formula"),
    );
    write(
        "nested.rs",
        inline_function(
            "nested",
            &shapes::nested(1000),
            "The formula nested 1,000 parentheses deep",
        ),
    );
    write("generated.rs", generated_function(&shapes::generated()));
    write("chained.rs", chained_functions(CHAIN_LETS));
    let cases = formulas::cases();
    let mut engine = String::new();
    for (k, case) in cases.iter().enumerate() {
        engine.push_str(&engine_case(k, case));
    }
    write("engine.rs", engine);
    write(
        "operations.rs",
        scalar_operations().map(operation_test).collect::<String>(),
    );
    write(
        "loops.rs",
        (0..LOOP_FUNCTIONS)
            .map(|seed| loop_test(seed, false))
            .chain(
                (LOOP_FUNCTIONS..LOOP_FUNCTIONS + BRANCHING_LOOP_FUNCTIONS)
                    .map(|seed| loop_test(seed, true)),
            )
            .collect::<String>(),
    );
}

/// How many random loop functions `tests/loops.rs` compiles and checks.
const LOOP_FUNCTIONS: u64 = 40;

/// How many more it checks with `if` expressions among their operations
/// (`(if a > 0.25 { b } else { e })`). A branch is not smooth at its
/// switch, but central differences straddle a switch only where `a` lies
/// within about 1e-6 of it, which a fixed point almost never does: a seed
/// that did would fail every time, not now and then.
const BRANCHING_LOOP_FUNCTIONS: u64 = 20;

/// The random loop function of seed `seed` in `grad!`, and a test that
/// compares its value with the plain function's and its gradient with
/// central differences of the plain function; and its picture's value and
/// scalar gradients with `f_grad`'s, bit for bit. With `branches`, the
/// function's expressions may hold `if` expressions.
fn loop_test(seed: u64, branches: bool) -> String {
    use grad_generator::SplitMix64;
    use grad_generator::loops::{Options, loop_function};
    let options = Options {
        branches,
        scalar: "f64",
    };
    let function = loop_function(&mut SplitMix64(seed), "f", &options);
    let count = function.scalar_count();
    let arguments = function.arguments();
    let fields = function.gradient_fields();
    // The picture's numbers are `f_grad`'s: its scalar parameters' nodes
    // carry their gradients, bit for bit.
    let pictured: String = fields
        .iter()
        .filter_map(|field| field.strip_prefix("d."))
        .filter(|name| !name.contains('['))
        .map(|name| {
            format!(
                "\n        assert_eq!(graph.find(\"{name}\").and_then(|node| node.grad).map(f64::to_bits), Some(d.{name}.to_bits()), \"the pictured gradient of {name}\");"
            )
        })
        .collect();
    let fields = fields.join(", ");
    format!(
        r#"
// Random functions may leave a parameter, a `let` or a loop variable
// unread, or an accumulator never updated, as code people write does;
// what is checked here is their gradient.
#[allow(unused, clippy::all)]
mod loop_{seed} {{
    use grad::grad;
    {sigmoid}

    grad! {{
        {source}
    }}

    #[test]
    fn value_and_gradient() {{
        let point = super::point({count});
        let v = point.as_slice();
        let (value, d) = f_grad({arguments});
        assert_eq!(value.to_bits(), f({arguments}).to_bits(), "the value is the plain function's");
        let analytic: [f64; {count}] = [{fields}];
        let plain = |v: &[f64]| f({arguments});
        super::check(plain, &analytic, &point, "{escaped}");
        let graph = f_graph({arguments});
        assert_eq!(graph.output.value.to_bits(), value.to_bits(), "the pictured value is f_grad's");{pictured}
        assert!(graph.groups.iter().all(|group| group.runs.is_some()), "every loop's trip count");
        assert_eq!(graph.to_dot().matches("subgraph cluster_r").count(), graph.groups.len());
        assert!(graph.to_svg().starts_with("<svg"));
    }}
}}
"#,
        source = function.source,
        sigmoid = if function.source.contains("sigmoid(") {
            "use grad::sigmoid;"
        } else {
            ""
        },
        escaped = function.source.replace('"', "\\\""),
    )
}

/// The exponent the operation test gives `powi`.
const POWI_EXPONENT: i32 = 3;

/// `op(x, z)` over the inputs `x` and `z` (`x.powi(3)` for `powi`); with
/// fan-out, times `x` (plus `z` for two operands), so that the inputs'
/// gradients are sums.
fn operation_formula(op: &'static Operation, fan_out: bool) -> Formula {
    let operands: Vec<Expr> = (0..op.shape.differentiable_operands())
        .map(Expr::Input)
        .collect();
    let mut output = match op.shape {
        Shape::UnaryInt => Expr::powi(Expr::Input(0), POWI_EXPONENT),
        Shape::Unary | Shape::Binary => Expr::apply(op, operands),
        Shape::UnaryLabels => unreachable!("{} works on arrays only", op.name),
    };
    if fan_out {
        output = Expr::infix("*", output, Expr::Input(0));
        if op.shape == Shape::Binary {
            output = Expr::infix("+", output, Expr::Input(1));
        }
    }
    Formula {
        name: "y".to_owned(),
        inputs: vec!["x".to_owned(), "z".to_owned()],
        lets: Vec::new(),
        output,
    }
}

/// One test of `op` through `grad!`: a function per formula and scalar type,
/// from the point `[x, z]` to the value and the gradients `[d.x, d.z]`
/// (`d.z` is 0 for one operand), checked by `check` in `tests/operations.rs`.
fn operation_test(op: &'static Operation) -> String {
    let function = |fan_out: bool, ty: &str| {
        let formula = operation_formula(op, fan_out);
        let dz = if op.shape == Shape::Binary {
            "d.z"
        } else {
            "0.0"
        };
        format!(
            "|[x, z]: [{ty}; 2]| -> ({ty}, [{ty}; 2]) {{
    let _ = z;
    let g = {};
    let d = g.backward(1.0);
    (g.y, [d.x, {dz}])
}}",
            formula.inline_source("y")
        )
    };
    // The function form, where `f32` and `f64` compute with their own
    // operators and methods.
    let function_form = |scalar: Scalar, name: &str| {
        let mut formula = operation_formula(op, false);
        formula.name = name.to_owned();
        let signature = Signature {
            attributes: "#[allow(unused_variables, dead_code)]\n".to_owned(),
            visibility: "pub ".to_owned(),
            scalar,
        };
        formula.grad_function(&signature)
    };
    let dz = if op.shape == Shape::Binary {
        "d.z"
    } else {
        "0.0"
    };
    format!(
        "/// `{}`, through `grad!`.
#[test]
fn {}() {{
    // In a module of its own, where the formula's functions (`sigmoid`)
    // are grad's, not this test's name.
    mod function_form {{
        {}
        {}
        {}
    }}
    check(
        grad::ops::OpKind::{:?},
        {},
        {},
        {},
        (
            |[x, z]: [f64; 2]| {{ let (value, d) = function_form::y64_grad(x, z); (value, [d.x, {dz}]) }},
            |[x, z]: [f32; 2]| {{ let (value, d) = function_form::y32_grad(x, z); (value, [d.x, {dz}]) }},
        ),
    );
}}

",
        op.syntax.spelling(),
        op.name,
        match op.syntax {
            grad_core::ops::Syntax::Function(name) => format!("use grad::{name};"),
            _ => String::new(),
        },
        function_form(Scalar::F64, "y64"),
        function_form(Scalar::F32, "y32"),
        op.kind,
        function(false, "f64"),
        function(true, "f64"),
        function(false, "f32"),
    )
}

/// `fn name(x: [f64; N]) -> (f64, [f64; N])`: the formula inline in
/// `grad!` at `x`, its value and its inputs' gradients for `dout = 1`.
fn inline_function(name: &str, formula: &Formula, doc: &str) -> String {
    let n = formula.inputs.len();
    let inputs = formula.inputs.join(", ");
    let gradients: Vec<String> = formula.inputs.iter().map(|x| format!("d.{x}")).collect();
    format!(
        "/// {doc} inline in `grad!`, at `x`: its value and the inputs' gradients.\n\
         fn {name}(x: [f64; {n}]) -> (f64, [f64; {n}]) {{\n\
         let [{inputs}] = x;\n\
         let g = {};\n\
         let d = g.backward(1.0);\n\
         (g.y, [{}])\n}}\n",
        formula.inline_source("y"),
        gradients.join(", "),
    )
}

/// The run function of one engine formula, `run_K(x, dout) -> Run`, and
/// its test.
fn engine_case(k: usize, case: &Case) -> String {
    let formula = &case.formula;
    let inputs = formula.inputs.join(", ");
    let mut out = String::new();
    let mut body = format!("    let &[{inputs}] = x else {{ unreachable!() }};\n");
    if case.scalar == Scalar::F32 {
        for x in &formula.inputs {
            let _ = writeln!(body, "    let {x} = {x} as f32;");
        }
        body.push_str("    let dout = dout as f32;\n");
    }
    let lets = formula.lets.iter().map(|binding| binding.name.as_str());
    let gradients: Vec<String> = formula
        .inputs
        .iter()
        .map(String::as_str)
        .chain(lets)
        .map(|name| format!("(\"{name}\", wide(d.{name}))"))
        .collect();
    let gradients = gradients.join(", ");
    match case.form {
        Form::Inline => {
            let _ = write!(
                body,
                "    let g = {};\n    let d = g.backward(dout);\n    Run {{\n        value: wide(g.y),\n        plain: None,\n        gradients: vec![{gradients}],\n        graph: g.graph_with_gradients(dout),\n    }}\n",
                formula
                    .inline_source(&case.output())
                    .replace('\n', "\n    "),
            );
        }
        Form::Function => {
            // The plain function keeps the formula as generated: with the
            // parentheses it does not need, the `let`s the output does not
            // read (whose gradients are 0) and whatever else a random
            // formula holds that a linter would frown on.
            let signature = Signature {
                attributes: "#[allow(unused, clippy::all)]\n".to_owned(),
                visibility: String::new(),
                scalar: case.scalar.clone(),
            };
            out.push_str(&formula.grad_function(&signature));
            let name = &formula.name;
            let _ = write!(
                body,
                "    let _ = dout;\n    let (value, d) = {name}_grad({inputs});\n    Run {{\n        value: wide(value),\n        plain: Some(wide({name}({inputs}))),\n        gradients: vec![{gradients}],\n        graph: {name}_graph({inputs}),\n    }}\n",
            );
        }
    }
    let _ = write!(
        out,
        "/// Formula {k}: {:?} form, {} operations.\nfn run_{k}(x: &[f64], dout: f64) -> Run {{\n{body}}}\n\n#[test]\nfn formula_{k:02}() {{\n    check({k}, run_{k});\n}}\n\n",
        case.form,
        formula.operations(),
    );
    out
}

/// How many `let`s `chained.rs`'s formulas have: with the input, more
/// gradients than the 1,024 one struct holds.
const CHAIN_LETS: usize = 1_100;

/// `t0 = x + x`, `t(k) = t(k-1) + x` up to `t(lets-1)`, returning
/// `t(lets-1) + x`: in the function form as `chain(x: f64)`, and inline as
/// `chain_inline<T>(x: T)`: its value, three fields of its `YGrad<T>`, its
/// pairs and how it prints, after comparing it with a copy changed past
/// the first struct.
fn chained_functions(lets: usize) -> String {
    let mut body = String::from("let t0 = x + x;\n");
    for k in 1..lets {
        let _ = writeln!(body, "let t{k} = t{} + x;", k - 1);
    }
    let last = lets - 1;
    format!(
        "grad::grad! {{\n\
         /// {lets} `let`s, each adding `x`.\n\
         pub fn chain(x: f64) -> f64 {{\n{body}t{last} + x\n}}\n}}\n\n\
         /// `chain` inline: its value, the gradient of `x` and of `t0`, `t{last}`, and the\n\
         /// gradients listed by `pairs()`, for a scalar `T`.\n\
         fn chain_inline<T: grad::Float + std::fmt::Debug>(x: T) -> (T, [T; 3], Vec<(&'static str, T)>, String) {{\n\
         let g = grad::grad! {{\n{body}y = t{last} + x\n}};\n\
         let d = g.backward(T::one());\n\
         let (same, mut changed) = (d, d);\n\
         changed.t{last} = T::zero();\n\
         assert!(changed != d && same == d, \"PartialEq sees a field past the first struct\");\n\
         (g.y, [d.x, d.t0, d.t{last}], d.pairs().to_vec(), format!(\"{{d:?}}\"))\n}}\n"
    )
}

/// `grad! { fn name(..) }` for `formula`, and `fn gradient(x: &[f64; N])
/// -> (f64, f64, [f64; N])`: the value from `name_grad`, the plain
/// function's value and the inputs' gradients.
fn generated_function(formula: &Formula) -> String {
    let n = formula.inputs.len();
    let name = &formula.name;
    let arguments: Vec<String> = (0..n).map(|i| format!("x[{i}]")).collect();
    let arguments = arguments.join(", ");
    let gradients: Vec<String> = formula.inputs.iter().map(|x| format!("d.{x}")).collect();
    let signature = Signature {
        attributes:
            "/// The formula as generated code writes it.\n#[allow(clippy::too_many_arguments)]\n"
                .to_owned(),
        ..Signature::public(Scalar::F64)
    };
    let inputs = formula.inputs_from("x", "");
    format!(
        "{}\n/// `{name}_grad` and `{name}` at `x`: the value, the plain value and the gradient.\n\
         fn gradient(x: &[f64; {n}]) -> (f64, f64, [f64; {n}]) {{\n\
         let (value, d) = {name}_grad({arguments});\n\
         (value, {name}({arguments}), [{gradients}])\n}}\n\n\
         /// The same formula inline in `grad!`, its output naming the scalar: the value and the gradient at `x`.\n\
         fn gradient_inline(x: &[f64; {n}]) -> (f64, [f64; {n}]) {{\n\
         {inputs}let g = {inline};\n\
         let d = g.backward(1.0);\n\
         (g.y, [{gradients}])\n}}\n",
        formula.grad_function(&signature),
        gradients = gradients.join(", "),
        inline = formula.inline_source("y: f64"),
    )
}
