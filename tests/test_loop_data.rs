//! Loops over data passed as `#[constant]` parameters: the rows are read by
//! index and give no gradient, and the loop runs over `rows.len()`.

use grad::grad;

grad! {
    /// Mean squared error of the line `a x + b` over the points `(x[r], y[r])`.
    fn mean_squared_error(a: f64, b: f64, #[constant] x: &[f64], #[constant] y: &[f64]) -> f64 {
        let mut total = 0.0;
        for r in 0..x.len() {
            let e = a * x[r] + b - y[r];
            total += e * e;
        }
        total / x.len() as f64
    }

    /// The same over rows of two features, with the weights an array.
    fn plane_error(w: &[f64; 2], #[constant] rows: &[[f64; 3]]) -> f64 {
        let mut total = 0.0;
        for r in 0..rows.len() {
            let mut z = 0.0;
            for j in 0..2 {
                z += w[j] * rows[r][j];
            }
            let e = z - rows[r][2];
            total += e * e;
        }
        total
    }
}

fn assert_close(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "got {got}, want {want}"
    );
}

#[test]
fn a_loop_runs_over_the_length_of_constant_data() {
    let x = [0.5, -1.0, 2.0, 3.5];
    let y = [1.0, 0.25, -2.0, 4.0];
    let (a, b) = (0.75, -0.5);
    let (value, d) = mean_squared_error_grad(a, b, &x, &y);
    let errors: Vec<f64> = x.iter().zip(&y).map(|(x, y)| a * x + b - y).collect();
    let n = x.len() as f64;
    assert_eq!(value, mean_squared_error(a, b, &x, &y));
    // d/da = 2/n sum e x, d/db = 2/n sum e
    assert_close(value, errors.iter().map(|e| e * e).sum::<f64>() / n);
    assert_close(
        d.a,
        2.0 / n * errors.iter().zip(&x).map(|(e, x)| e * x).sum::<f64>(),
    );
    assert_close(d.b, 2.0 / n * errors.iter().sum::<f64>());
}

#[test]
fn nested_loops_read_rows_of_constant_data() {
    let rows = [[1.0, 2.0, 0.5], [-0.5, 1.5, 2.0], [3.0, -1.0, 1.0]];
    let w = [0.25, -0.75];
    let (value, d) = plane_error_grad(&w, &rows);
    let mut want = (0.0, [0.0; 2]);
    for row in &rows {
        let e = w[0] * row[0] + w[1] * row[1] - row[2];
        want.0 += e * e;
        // d/dw_j = sum 2 e row_j
        want.1[0] += 2.0 * e * row[0];
        want.1[1] += 2.0 * e * row[1];
    }
    assert_eq!(value, plane_error(&w, &rows));
    assert_close(value, want.0);
    assert_close(d.w[0], want.1[0]);
    assert_close(d.w[1], want.1[1]);
    // No data, no terms.
    assert_eq!(
        plane_error_grad(&w, &[]),
        (0.0, PlaneErrorGrad { w: [0.0; 2] })
    );
}
