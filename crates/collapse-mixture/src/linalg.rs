//! Small dense linear algebra for the d × d matrices of mixture components (row-major, d small),
//! and Gauss–Hermite quadrature.

/// Cholesky factor `L` (lower, row-major) of a symmetric positive-definite `a`, or `None`.
pub fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                if s.is_nan() || s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// Cholesky of `a`, adding the smallest jitter `ε I` (ε growing tenfold from 1e-12 × the mean
/// diagonal) that makes it positive definite. Returns the factor and the jitter used (0 if none).
///
/// A covariance that collapsed to exactly zero gets a jitter of `1e-300`: the component is then
/// a point mass to machine precision, which is the phenomenon, and nothing is NaN.
pub fn cholesky_jitter(a: &[f64], d: usize) -> (Vec<f64>, f64) {
    if let Some(l) = cholesky(a, d) {
        return (l, 0.0);
    }
    let scale = (0..d).map(|i| a[i * d + i].abs()).sum::<f64>() / d as f64;
    let mut eps = if scale > 0.0 && scale.is_finite() {
        scale * 1e-12
    } else {
        1e-300
    };
    let mut b = a.to_vec();
    loop {
        for i in 0..d {
            b[i * d + i] = a[i * d + i] + eps;
        }
        if let Some(l) = cholesky(&b, d) {
            return (l, eps);
        }
        eps *= 10.0;
        if !eps.is_finite() {
            // Not reachable for finite input; an identity factor keeps the model usable.
            let mut l = vec![0.0; d * d];
            (0..d).for_each(|i| l[i * d + i] = 1.0);
            return (l, f64::INFINITY);
        }
    }
}

/// Inverse of a lower-triangular matrix (lower, row-major).
pub fn inv_lower(l: &[f64], d: usize) -> Vec<f64> {
    let mut inv = vec![0.0; d * d];
    for j in 0..d {
        inv[j * d + j] = 1.0 / l[j * d + j];
        for i in j + 1..d {
            let mut s = 0.0;
            for k in j..i {
                s -= l[i * d + k] * inv[k * d + j];
            }
            inv[i * d + j] = s / l[i * d + i];
        }
    }
    inv
}

/// ln det of `L Lᵀ` from its Cholesky factor.
pub fn log_det_chol(l: &[f64], d: usize) -> f64 {
    (0..d).map(|i| 2.0 * l[i * d + i].ln()).sum()
}

/// Nodes and weights of `n`-point Gauss–Hermite quadrature for `∫ e^{−t²} f(t) dt`
/// (Newton iteration on the orthonormal Hermite recurrence; Numerical Recipes `gauher`).
pub fn gauss_hermite(n: usize) -> (Vec<f64>, Vec<f64>) {
    let pim4 = std::f64::consts::PI.powf(-0.25);
    let m = n.div_ceil(2);
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    let mut z = 0.0f64;
    for i in 0..m {
        z = match i {
            0 => (2.0 * n as f64 + 1.0).sqrt() - 1.85575 * (2.0 * n as f64 + 1.0).powf(-1.0 / 6.0),
            1 => z - 1.14 * (n as f64).powf(0.426) / z,
            2 => 1.86 * z - 0.86 * x[0],
            3 => 1.91 * z - 0.91 * x[1],
            _ => 2.0 * z - x[i - 2],
        };
        let mut pp = 0.0;
        for _ in 0..100 {
            let mut p1 = pim4;
            let mut p2 = 0.0;
            for j in 0..n {
                let p3 = p2;
                p2 = p1;
                p1 = z * (2.0 / (j as f64 + 1.0)).sqrt() * p2
                    - (j as f64 / (j as f64 + 1.0)).sqrt() * p3;
            }
            pp = (2.0 * n as f64).sqrt() * p2;
            let z1 = z;
            z = z1 - p1 / pp;
            if (z - z1).abs() <= 1e-15 * z.abs().max(1.0) {
                break;
            }
        }
        x[i] = z;
        x[n - 1 - i] = -z;
        w[i] = 2.0 / (pp * pp);
        w[n - 1 - i] = w[i];
    }
    (x, w)
}

/// Nodes and weights for `E f(Z)`, `Z ~ N(0, 1)`: `n`-point Gauss–Hermite rescaled.
pub fn normal_nodes(n: usize) -> (Vec<f64>, Vec<f64>) {
    let (t, w) = gauss_hermite(n);
    let s = std::f64::consts::PI.sqrt();
    (
        t.iter().map(|t| t * std::f64::consts::SQRT_2).collect(),
        w.iter().map(|w| w / s).collect(),
    )
}

/// Nodes and weights of `n`-point Gauss–Legendre quadrature for `∫₀¹ f(u) du` (Newton
/// iteration on the Legendre recurrence, Numerical Recipes `gauleg`, mapped from [−1, 1]).
pub fn legendre_nodes(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    for i in 0..n.div_ceil(2) {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut pp = 1.0;
        for _ in 0..100 {
            let (mut p1, mut p2) = (1.0, 0.0);
            for j in 0..n {
                let p3 = p2;
                p2 = p1;
                p1 = ((2 * j + 1) as f64 * z * p2 - j as f64 * p3) / (j + 1) as f64;
            }
            pp = n as f64 * (z * p1 - p2) / (z * z - 1.0);
            let z1 = z;
            z = z1 - p1 / pp;
            if (z - z1).abs() <= 1e-15 {
                break;
            }
        }
        // On [0, 1]: u = (1 ∓ z)/2, weight halved.
        x[i] = 0.5 * (1.0 - z);
        x[n - 1 - i] = 0.5 * (1.0 + z);
        w[i] = 1.0 / ((1.0 - z * z) * pp * pp);
        w[n - 1 - i] = w[i];
    }
    (x, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_inverse_and_det() {
        let a = [4.0, 2.0, 0.6, 2.0, 2.0, 0.5, 0.6, 0.5, 3.0];
        let l = cholesky(&a, 3).unwrap();
        let inv = inv_lower(&l, 3);
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|k| l[i * 3 + k] * inv[k * 3 + j]).sum();
                assert!((s - f64::from(u8::from(i == j))).abs() < 1e-14);
            }
        }
        // det = 4(6 − 0.25) − 2(6 − 0.3) + 0.6(1 − 1.2) = 23 − 11.4 − 0.12
        assert!((log_det_chol(&l, 3) - 11.48f64.ln()).abs() < 1e-13);
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
        let (_, eps) = cholesky_jitter(&[0.0; 4], 2);
        assert!(eps > 0.0);
    }

    #[test]
    fn legendre_integrates_polynomials_exactly() {
        let (x, w) = legendre_nodes(12);
        for k in 0..24 {
            let s: f64 = x.iter().zip(&w).map(|(x, w)| w * x.powi(k)).sum();
            assert!((s - 1.0 / (k as f64 + 1.0)).abs() < 1e-14, "{k}: {s}");
        }
    }

    #[test]
    fn hermite_moments() {
        let (x, w) = normal_nodes(40);
        let m = |k: i32| x.iter().zip(&w).map(|(x, w)| w * x.powi(k)).sum::<f64>();
        assert!((m(0) - 1.0).abs() < 1e-13);
        assert!(m(1).abs() < 1e-13);
        assert!((m(2) - 1.0).abs() < 1e-12);
        assert!((m(4) - 3.0).abs() < 1e-11);
        assert!((m(8) - 105.0).abs() < 1e-8);
    }
}
