//! Monte Carlo ground truth for [`crate::theory`]: draws the design $X$ (and the projection
//! $S$) and averages exactly over the true weights, the shift and the label noise.
//!
//! Both estimators are linear in the labels, $\hat w = R y$ with $R \in \mathbb R^{d\times n}$:
//! ridge $R = (X^\top X/n + \lambda I)^{-1}X^\top/n$, random projections
//! $R = S(Z^\top Z/n + \lambda I_m)^{-1}Z^\top/n$ with $Z = XS$ (each computed through the
//! smaller of its two Gram matrices, by the push-through identity). With
//! $y = Xw + \epsilon + X_2\delta$ on the synthetic rows,
//! $\hat w - w = (RX - I)w + R\epsilon + R_2X_2\delta$, so
//! $B = \mathrm{Tr}\,\Gamma A^\top\Sigma A$ with $A = RX - I$,
//! $V = \sum_i \sigma_{(i)}^2\|\Sigma^{1/2}Re_i\|^2$ and
//! $\zeta = \mathrm{Tr}\,\Delta(R_2X_2)^\top\Sigma(R_2X_2)$. These traces are evaluated in
//! $d\times d$ matrices when $d \le n$ and in $n\times n$ ones when $d > n$ ([`exact_parts`]), so
//! one replicate costs $O(nd\min(n, d))$ plus the features, never $O(d^2n)$ with $d \gg n$.
//!
//! Every matrix is allocated through [`crate::linalg`] (a failed allocation is an error, not a
//! panic) and every system solved by [`linalg::spd_solve`] (a singular system is solved
//! exactly). All dense algebra runs with `Par::Seq`: replicates are parallelised by rayon one
//! level up.

use crate::linalg::{self, LinalgError};
use crate::theory::MixProblem;
use collapse_core::Rng;
use faer::{Mat, MatRef};
use rand::RngExt;
use rand_distr::StandardNormal;

/// One Monte Carlo draw of the test error and its parts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Draw {
    /// Bias, exact over $w$.
    pub bias: f64,
    /// Variance, exact over the noise.
    pub variance: f64,
    /// $\zeta$, exact over $\delta$.
    pub zeta: f64,
    /// Plain test error: $w$, $\delta$ and the noise drawn, error measured on fresh test points.
    pub test_error: f64,
}

/// A standard normal.
pub fn normal(rng: &mut Rng) -> f64 {
    rng.sample(StandardNormal)
}

/// An `r × c` matrix of i.i.d. $N(0, \text{scale}_j^2)$ entries (column scales).
pub fn gaussian_mat(
    rng: &mut Rng,
    r: usize,
    c: usize,
    scale: impl Fn(usize) -> f64,
) -> Result<Mat<f64>, LinalgError> {
    let mut m = linalg::zeros(r, c)?;
    // Row-major filling order: the stream of numbers does not depend on faer's layout.
    for i in 0..r {
        for j in 0..c {
            m[(i, j)] = normal(rng) * scale(j);
        }
    }
    Ok(m)
}

/// The estimator map $R$ ($d\times n$), kept in whichever layout its computation produced: the
/// $n\times n$ route yields $R^\top$, and [`EstimatorMap::as_ref`] views it transposed instead of
/// copying $d\cdot n$ numbers.
#[derive(Clone, Debug)]
pub struct EstimatorMap {
    data: Mat<f64>,
    transposed: bool,
}

impl EstimatorMap {
    /// $R$ as a $d\times n$ view.
    pub fn as_ref(&self) -> MatRef<'_, f64> {
        if self.transposed {
            self.data.transpose()
        } else {
            self.data.as_ref()
        }
    }
}

/// The ridge map $R$ ($p \times n$) of features $F$ ($n \times p$): $(F^\top F/n + \lambda I)^{-1}F^\top/n$,
/// through the $p\times p$ or the $n \times n$ Gram matrix, whichever is smaller. With `left`
/// ($L$, $q\times p$) it returns $LR$; on the $n\times n$ route that is $(K^{-1}(FL^\top))^\top/n$,
/// one product fewer.
fn ridge_map(
    f: MatRef<'_, f64>,
    lambda: f64,
    left: Option<MatRef<'_, f64>>,
) -> Result<EstimatorMap, LinalgError> {
    ridge_map_scaled(f, lambda, 1.0 / f.nrows().max(1) as f64, left)
}

/// `ridge_map` with the normalisation $1/n$ replaced by `scale`:
/// $(F^\top F\cdot\text{scale} + \lambda I)^{-1}F^\top\cdot\text{scale}$ (rows of $F$ that stand for
/// several samples carry the square root of their count, and `scale` is one over the samples).
pub fn ridge_map_scaled(
    f: MatRef<'_, f64>,
    lambda: f64,
    scale: f64,
    left: Option<MatRef<'_, f64>>,
) -> Result<EstimatorMap, LinalgError> {
    let (n, p) = (f.nrows(), f.ncols());
    if p <= n {
        let mut k = linalg::gram_lower(f.transpose(), scale)?;
        for i in 0..p {
            k[(i, i)] += lambda;
        }
        let mut rhs = linalg::from_fn(p, n, |i, j| f[(j, i)] * scale)?;
        linalg::spd_solve(&mut k, &mut rhs)?;
        drop(k);
        let data = match left {
            None => rhs,
            Some(l) => linalg::mul(l, rhs.as_ref(), 1.0)?,
        };
        Ok(EstimatorMap {
            data,
            transposed: false,
        })
    } else {
        let mut k = linalg::gram_lower(f, scale)?;
        for i in 0..n {
            k[(i, i)] += lambda;
        }
        // R = Fᵀ K⁻¹ · scale, and L R = (K⁻¹ F Lᵀ)ᵀ · scale: kept as its transpose.
        let mut rhs = match left {
            None => linalg::copy(f)?,
            Some(l) => linalg::mul(f, l.transpose(), 1.0)?,
        };
        linalg::spd_solve(&mut k, &mut rhs)?;
        rhs *= faer::Scale(scale);
        Ok(EstimatorMap {
            data: rhs,
            transposed: true,
        })
    }
}

/// The map $R$ ($d\times n$) of the problem's estimator on the design `x` (and projection `s`).
pub fn estimator_map(
    p: &MixProblem,
    x: MatRef<'_, f64>,
    s: Option<MatRef<'_, f64>>,
) -> Result<EstimatorMap, LinalgError> {
    match s {
        None => ridge_map(x, p.lambda, None),
        Some(s) => {
            let z = linalg::mul(x, s, 1.0)?;
            ridge_map(z.as_ref(), p.lambda, Some(s))
        }
    }
}

/// Draws the design (and projection) of one replicate.
pub fn draw_design(
    p: &MixProblem,
    rng: &mut Rng,
) -> Result<(Mat<f64>, Option<Mat<f64>>), LinalgError> {
    let d = p.spec.dim();
    let sd: Vec<f64> = p.spec.eig.iter().map(|s| s.sqrt()).collect();
    let x = gaussian_mat(rng, p.n, d, |j| sd[j])?;
    let s = match p.width {
        Some(m) => Some(gaussian_mat(rng, d, m, |_| (1.0 / d as f64).sqrt())?),
        None => None,
    };
    Ok((x, s))
}

/// Columns per block in [`weighted_gram_lower`]: a block of `rows × 256` numbers stays small
/// while the triangular product still runs at full speed.
const BLOCK: usize = 256;

/// The lower triangle of $A\,\mathrm{diag}(w)A^\top$ for $A$ with $r$ rows and $w \ge 0$, formed
/// block of columns by block of columns (no copy of $A$).
pub fn weighted_gram_lower(a: MatRef<'_, f64>, w: &[f64]) -> Result<Mat<f64>, LinalgError> {
    let (r, c) = (a.nrows(), a.ncols());
    let mut g = linalg::zeros(r, r)?;
    let mut buf = linalg::zeros(r, BLOCK.min(c))?;
    let mut j0 = 0;
    while j0 < c {
        let width = BLOCK.min(c - j0);
        for jj in 0..width {
            let sw = w[j0 + jj].max(0.0).sqrt();
            for i in 0..r {
                buf[(i, jj)] = a[(i, j0 + jj)] * sw;
            }
        }
        linalg::gram_lower_add(&mut g, buf.as_ref().subcols(0, width), 1.0);
        j0 += width;
    }
    Ok(g)
}

/// $\mathrm{tr}(AB)$ of two symmetric matrices given by their lower triangles.
fn trace_sym_lower(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
    let mut diag = 0.0;
    let mut off = 0.0;
    for j in 0..a.ncols() {
        diag += a[(j, j)] * b[(j, j)];
        for i in j + 1..a.nrows() {
            off += a[(i, j)] * b[(i, j)];
        }
    }
    diag + 2.0 * off
}

/// Bias, variance and $\zeta$ of the estimator with map `r` on design `x`, exact over
/// $w$, $\epsilon$, $\delta$. With $d \le n$ the traces are taken over $d\times d$ products
/// ($A = RX - I$, $R_2X_2$); with $d > n$ over $n\times n$ ones: $M = R^\top\Sigma R$,
/// $B = \mathrm{Tr}\,\Gamma\Sigma - 2\sum_k\gamma_ks_k(RX)_{kk} + \mathrm{tr}(M\,X\Gamma X^\top)$,
/// $V = \sum_i\sigma_{(i)}^2M_{ii}$, $\zeta = \mathrm{tr}(M_{22}\,X_2\Delta X_2^\top)$. With
/// $\Gamma = 0$ the bias is 0 and not computed.
pub fn exact_parts(
    p: &MixProblem,
    x: MatRef<'_, f64>,
    r: MatRef<'_, f64>,
) -> Result<(f64, f64, f64), LinalgError> {
    if p.spec.dim() > p.n {
        exact_parts_dual(p, x, r)
    } else {
        exact_parts_primal(p, x, r)
    }
}

/// The noise variance of row `i`.
fn row_noise(p: &MixProblem, i: usize) -> f64 {
    if i < p.n - p.n2 {
        p.sigma1 * p.sigma1
    } else {
        p.sigma2 * p.sigma2
    }
}

fn exact_parts_primal(
    p: &MixProblem,
    x: MatRef<'_, f64>,
    r: MatRef<'_, f64>,
) -> Result<(f64, f64, f64), LinalgError> {
    let d = p.spec.dim();
    let n1 = p.n - p.n2;
    let s = &p.spec.eig;
    // Σ_j s_j c_j² for a column c.
    let sigma_norm =
        |col: faer::ColRef<'_, f64>| -> f64 { (0..d).map(|j| s[j] * col[j] * col[j]).sum() };
    let mut bias = 0.0;
    if p.gamma.iter().any(|&g| g != 0.0) {
        let mut a = linalg::mul(r, x, 1.0)?;
        for i in 0..d {
            a[(i, i)] -= 1.0;
        }
        bias = (0..d).map(|k| p.gamma[k] * sigma_norm(a.col(k))).sum();
    }
    let variance: f64 = (0..p.n)
        .map(|i| sigma_norm(r.col(i)) * row_noise(p, i))
        .sum();
    let mut zeta = 0.0;
    if p.n2 > 0 {
        let rx2 = linalg::mul(r.subcols(n1, p.n2), x.subrows(n1, p.n2), 1.0)?;
        zeta = (0..d).map(|k| p.delta[k] * sigma_norm(rx2.col(k))).sum();
    }
    Ok((bias, variance, zeta))
}

fn exact_parts_dual(
    p: &MixProblem,
    x: MatRef<'_, f64>,
    r: MatRef<'_, f64>,
) -> Result<(f64, f64, f64), LinalgError> {
    let d = p.spec.dim();
    let n1 = p.n - p.n2;
    let s = &p.spec.eig;
    // M = Rᵀ Σ R: the rows of Rᵀ weighted by the spectrum.
    let m = weighted_gram_lower(r.transpose(), s)?;
    let variance: f64 = (0..p.n).map(|i| m[(i, i)] * row_noise(p, i)).sum();
    let mut bias = 0.0;
    if p.gamma.iter().any(|&g| g != 0.0) {
        let xg = weighted_gram_lower(x, &p.gamma)?;
        let quadratic = trace_sym_lower(m.as_ref(), xg.as_ref());
        drop(xg);
        let mut linear = 0.0;
        let mut constant = 0.0;
        for k in 0..d {
            let rx_kk: f64 = (0..p.n).map(|i| r[(k, i)] * x[(i, k)]).sum();
            linear += p.gamma[k] * s[k] * rx_kk;
            constant += p.gamma[k] * s[k];
        }
        // The three terms of ‖Σ^{1/2}(RX − I)‖²_Γ; a rounding below zero is clamped.
        bias = (constant - 2.0 * linear + quadratic).max(0.0);
    }
    let mut zeta = 0.0;
    if p.n2 > 0 {
        let xd = weighted_gram_lower(x.subrows(n1, p.n2), &p.delta)?;
        zeta = trace_sym_lower(m.as_ref().submatrix(n1, n1, p.n2, p.n2), xd.as_ref());
    }
    Ok((bias, variance, zeta))
}

/// One replicate: the exact parts and a plain test error on `test_points` fresh points.
pub fn draw(p: &MixProblem, test_points: usize, rng: &mut Rng) -> Result<Draw, LinalgError> {
    let d = p.spec.dim();
    let (x, s) = draw_design(p, rng)?;
    let r = estimator_map(p, x.as_ref(), s.as_ref().map(|s| s.as_ref()))?;
    drop(s);
    let (bias, variance, zeta) = exact_parts(p, x.as_ref(), r.as_ref())?;
    // Plain simulation of the same fit: labels, fit, error on fresh data.
    let w: Vec<f64> = (0..d).map(|j| normal(rng) * p.gamma[j].sqrt()).collect();
    let delta: Vec<f64> = (0..d).map(|j| normal(rng) * p.delta[j].sqrt()).collect();
    let n1 = p.n - p.n2;
    let mut y = linalg::zeros(p.n, 1)?;
    for i in 0..p.n {
        let row = x.row(i);
        let mut v = 0.0;
        for j in 0..d {
            v += row[j] * if i < n1 { w[j] } else { w[j] + delta[j] };
        }
        let sigma = if i < n1 { p.sigma1 } else { p.sigma2 };
        y[(i, 0)] = v + sigma * normal(rng);
    }
    let w_hat = linalg::mul(r.as_ref(), y.as_ref(), 1.0)?;
    let err: Vec<f64> = (0..d).map(|j| w_hat[(j, 0)] - w[j]).collect();
    let sd: Vec<f64> = p.spec.eig.iter().map(|s| s.sqrt()).collect();
    let mut test = 0.0;
    for _ in 0..test_points {
        let mut v = 0.0;
        for j in 0..d {
            v += normal(rng) * sd[j] * err[j];
        }
        test += v * v;
    }
    Ok(Draw {
        bias,
        variance,
        zeta,
        test_error: test / test_points.max(1) as f64,
    })
}

/// Bytes one [`draw`] holds at its peak: the design and the projection with its features, the
/// Gram matrix of the solve with the copy kept for the singular case, the right-hand side and
/// the map, then the matrices of [`exact_parts`] ($2d^2$, or $2n^2 + n_2^2$ and a block when
/// $d > n$). A rough upper bound of the common path (the eigendecomposition fallback of a
/// singular system needs a few more of the same blocks).
pub fn draw_bytes(p: &MixProblem) -> f64 {
    let (n, d) = (p.n as f64, p.spec.dim() as f64);
    let n2 = p.n2 as f64;
    let m = p.width.map_or(0.0, |m| m as f64);
    let features = if m > 0.0 { m } else { d };
    let design = n * d + d * m + n * m;
    let solve = if features <= n {
        // K and its copy (p × p), the p × n right-hand side, and S·rhs (d × n) when projected.
        2.0 * features * features + features * n + if m > 0.0 { d * n } else { 0.0 }
    } else {
        // K and its copy (n × n), the n × d right-hand side (the map, transposed).
        2.0 * n * n + n * d + if m > 0.0 { n * d } else { 0.0 }
    };
    let parts = if d > n {
        2.0 * n * n + n2 * n2 + n * BLOCK as f64
    } else {
        2.0 * d * d
    };
    8.0 * (design + solve.max(d * n + parts) + n + d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::{mul, spd_solve};
    use crate::theory::{MixProblem, Spectrum};

    #[test]
    fn both_gram_routes_agree() {
        let mut rng = collapse_core::rng::stream(1, "t", 0);
        for (n, d, m) in [(30, 20, 10), (20, 30, 40), (25, 25, 60)] {
            let x = gaussian_mat(&mut rng, n, d, |_| 1.0).unwrap();
            let s = gaussian_mat(&mut rng, d, m, |_| 0.2).unwrap();
            // Explicit primal formula for both, compared with the maps.
            let p = MixProblem::standard(Spectrum::isotropic(d), n, 0.2, 1.0, 1.0, 0.3, None);
            let map = estimator_map(&p, x.as_ref(), None).unwrap();
            let r = map.as_ref();
            let mut k = mul(x.transpose(), x.as_ref(), 1.0 / n as f64).unwrap();
            for i in 0..d {
                k[(i, i)] += 0.3;
            }
            let kr = mul(k.as_ref(), r, 1.0).unwrap();
            for i in 0..d {
                for j in 0..n {
                    assert!((kr[(i, j)] - x[(j, i)] / n as f64).abs() < 1e-12);
                }
            }
            let map = estimator_map(&p, x.as_ref(), Some(s.as_ref())).unwrap();
            let r = map.as_ref();
            let z = mul(x.as_ref(), s.as_ref(), 1.0).unwrap();
            let mut k = mul(z.transpose(), z.as_ref(), 1.0 / n as f64).unwrap();
            for i in 0..m {
                k[(i, i)] += 0.3;
            }
            // R = S K⁻¹ Zᵀ/n, compared with an explicit solve.
            let mut v = mul(
                z.transpose(),
                crate::linalg::identity(n).unwrap().as_ref(),
                1.0 / n as f64,
            )
            .unwrap();
            let mut kk = k.clone();
            spd_solve(&mut kk, &mut v).unwrap();
            let r2 = mul(s.as_ref(), v.as_ref(), 1.0).unwrap();
            for i in 0..d {
                for j in 0..n {
                    assert!((r[(i, j)] - r2[(i, j)]).abs() < 1e-10, "{n} {d} {m}");
                }
            }
        }
    }

    #[test]
    fn dual_and_primal_traces_agree() {
        // The n×n traces (used when d > n) against the d×d ones, on both sides of d = n, with a
        // power spectrum and a projection.
        let mut rng = collapse_core::rng::stream(7, "routes", 0);
        for (n, d, width) in [
            (12, 40, None),
            (40, 12, None),
            (15, 30, Some(20)),
            (30, 30, None),
        ] {
            let p = MixProblem::standard(Spectrum::power(d, 1.3), n, 0.4, 0.7, 0.9, 0.05, width);
            let (x, s) = draw_design(&p, &mut rng).unwrap();
            let map = estimator_map(&p, x.as_ref(), s.as_ref().map(|s| s.as_ref())).unwrap();
            let a = exact_parts_primal(&p, x.as_ref(), map.as_ref()).unwrap();
            let b = exact_parts_dual(&p, x.as_ref(), map.as_ref()).unwrap();
            for (u, v) in [(a.0, b.0), (a.1, b.1), (a.2, b.2)] {
                assert!(
                    (u - v).abs() <= 1e-10 * u.abs().max(1e-12),
                    "{n} {d}: {a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn design_columns_are_gaussian_with_the_spectrum_variances() {
        use collapse_core::stats::{ks_two_sample, ks_two_sample_p};
        use rand::RngExt;
        let mut rng = collapse_core::rng::stream(2, "ks", 0);
        let p = MixProblem::standard(Spectrum::power(4, 2.0), 4000, 0.0, 0.0, 1.0, 0.1, None);
        let (x, _) = draw_design(&p, &mut rng).unwrap();
        // Standardised entries against Box–Muller normals from an independent stream.
        let mut a: Vec<f64> = (0..4000)
            .flat_map(|i| (0..4).map(move |j| (i, j)))
            .map(|(i, j)| x[(i, j)] / p.spec.eig[j].sqrt())
            .collect();
        let mut other = collapse_core::rng::stream(3, "ks", 0);
        let mut b: Vec<f64> = (0..16000)
            .map(|_| {
                let (u, v): (f64, f64) = (other.random(), other.random());
                (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
            })
            .collect();
        let (na, nb) = (a.len(), b.len());
        let d = ks_two_sample(&mut a, &mut b);
        assert!(ks_two_sample_p(d, na, nb) > 1e-4, "KS distance {d}");
    }
}
