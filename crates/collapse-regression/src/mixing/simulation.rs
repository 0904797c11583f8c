//! The Monte Carlo of mixing real and synthetic data with least squares: per drawn design,
//! exact over the true weights, the shift and the label noise (weighted single-step mixing,
//! iterative mixing with fresh or reused data), and literal refits to check the reused-data
//! formula against.

use super::theory::weights;
use crate::mc::{self, gaussian_mat, mul};
use crate::theory::MixProblem;
use collapse_core::Rng;
use faer::{Mat, MatRef};

/// The weighted least-squares map $R = (X^\top\Omega X/n)^{-1}X^\top\Omega/n$ ($d\times n$),
/// the last `n2` rows synthetic. Through the ridge map of $\Omega^{1/2}X$ with $\lambda = 0$.
pub fn weighted_map(p: &MixProblem, x: MatRef<'_, f64>, alpha: f64) -> Mat<f64> {
    let n1 = p.n - p.n2;
    let (w1, w2) = weights(p.p2(), alpha);
    let root = |i: usize| if i < n1 { w1.sqrt() } else { w2.sqrt() };
    let mut f = x.to_owned();
    for i in 0..p.n {
        let s = root(i);
        for j in 0..f.ncols() {
            f[(i, j)] *= s;
        }
    }
    let mut r = mc::estimator_map(p, f.as_ref(), None);
    for i in 0..p.n {
        let s = root(i);
        for j in 0..r.nrows() {
            r[(j, i)] *= s;
        }
    }
    r
}

/// One draw of weighted single-step mixing: (variance, ζ), exact over $w$, $\delta$, $\epsilon$.
pub fn weighted_draw(p: &MixProblem, alpha: f64, rng: &mut Rng) -> (f64, f64) {
    let (x, _) = mc::draw_design(p, rng);
    let r = weighted_map(p, x.as_ref(), alpha);
    let (_, v, z) = mc::exact_parts(p, x.as_ref(), r.as_ref());
    (v, z)
}

/// One chain of iterative mixing: the errors $E_1..E_T$ exact over $w$, $\delta$ and the noise
/// given the designs, from the covariance recursion $C_t = H_tC_{t-1}H_t^\top +
/// R_tS R_t^\top$, $C_0 = \Delta$, $E_t = \mathrm{tr}\,\Sigma C_t$; fresh design each round.
pub fn iterative_draw(p: &MixProblem, rounds: usize, rng: &mut Rng) -> Vec<f64> {
    let d = p.spec.dim();
    let n1 = p.n - p.n2;
    let mut c = Mat::<f64>::zeros(d, d);
    for j in 0..d {
        c[(j, j)] = p.delta[j];
    }
    let sd: Vec<f64> = p.spec.eig.iter().map(|s| s.sqrt()).collect();
    let mut out = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let x = gaussian_mat(rng, p.n, d, |j| sd[j]);
        let r = mc::estimator_map(p, x.as_ref(), None);
        let h = mul(r.subcols(n1, p.n2), x.subrows(n1, p.n2), 1.0);
        let hc = mul(h.as_ref(), c.as_ref(), 1.0);
        let mut next = mul(hc.as_ref(), h.transpose(), 1.0);
        let mut rs = r.clone();
        for i in 0..p.n {
            let s = if i < n1 { p.sigma1 } else { p.sigma2 };
            for j in 0..d {
                rs[(j, i)] *= s;
            }
        }
        let noise = mul(rs.as_ref(), rs.transpose(), 1.0);
        for a in 0..d {
            for b in 0..d {
                next[(a, b)] += noise[(a, b)];
            }
        }
        // Symmetrise against rounding drift.
        for a in 0..d {
            for b in 0..a {
                let m = 0.5 * (next[(a, b)] + next[(b, a)]);
                next[(a, b)] = m;
                next[(b, a)] = m;
            }
        }
        c = next;
        out.push((0..d).map(|j| p.spec.eig[j] * c[(j, j)]).sum());
    }
    out
}

/// The inverse of a symmetric positive definite matrix (panics if it is not numerically one).
fn spd_inverse(m: &Mat<f64>) -> Mat<f64> {
    let d = m.nrows();
    let mut k = m.clone();
    let mut inv = Mat::<f64>::identity(d, d);
    assert!(
        mc::spd_solve(&mut k, &mut inv),
        "Gram matrix is not positive definite"
    );
    inv
}

/// $\mathrm{tr}\,\Sigma M$ for a square `m`.
fn tr_sigma(p: &MixProblem, m: MatRef<'_, f64>) -> f64 {
    (0..m.nrows()).map(|j| p.spec.eig[j] * m[(j, j)]).sum()
}

/// $\mathrm{tr}\,\Sigma LKL^\top$.
fn tr_sigma_sandwich(p: &MixProblem, l: MatRef<'_, f64>, k: MatRef<'_, f64>) -> f64 {
    let lk = mul(l, k, 1.0);
    (0..l.nrows())
        .map(|j| {
            let row: f64 = (0..l.ncols()).map(|a| lk[(j, a)] * l[(j, a)]).sum();
            p.spec.eig[j] * row
        })
        .sum()
}

/// The real and synthetic Gram matrices $G_1 = X_1^\top X_1$, $G_2 = X_2^\top X_2$ of a design
/// whose last `n2` rows are synthetic.
fn grams(p: &MixProblem, x: MatRef<'_, f64>) -> (Mat<f64>, Mat<f64>) {
    let n1 = p.n - p.n2;
    let (x1, x2) = (x.subrows(0, n1), x.subrows(n1, p.n2));
    (mul(x1.transpose(), x1, 1.0), mul(x2.transpose(), x2, 1.0))
}

/// One design of iterative mixing with **reused** data: the design $X = [X_1; X_2]$ and the real
/// labels $y_1 = X_1w + \epsilon_1$ are fixed across rounds; round $t$ refits least squares on
/// $(X_1, y_1) \cup (X_2, X_2\hat w_{t-1} + \epsilon_{2,t})$ with fresh synthetic label noise,
/// $\hat w_0 = w + \delta$. With $B = (X^\top X)^{-1}$, $A = BX_2^\top X_2$,
/// $S_t = \sum_{j<t}A^j$: $\hat w_t - w = A^t\delta + S_tBX_1^\top\epsilon_1 +
/// \sum_{j<t}A^jBX_2^\top\epsilon_{2,t-j}$, so, exactly over $\delta$ and the noise,
/// $E_t = \mathrm{tr}\,\Sigma A^t\Delta A^{t\top} + \sigma_1^2\mathrm{tr}\,\Sigma S_tK_1S_t^\top +
/// \sigma_2^2\sum_{j<t}\mathrm{tr}\,\Sigma A^jK_2A^{j\top}$, $K_g = BG_gB$.
/// Returns $(E_1..E_T, E_\infty)$ with the per-design limit
/// $E_\infty = \sigma_1^2\mathrm{tr}\,\Sigma G_1^{-1} +
/// \tfrac12\sigma_2^2\mathrm{tr}\,\Sigma[G_1^{-1} - (G_1+2G_2)^{-1}]$.
pub fn reused_draw(p: &MixProblem, rounds: usize, rng: &mut Rng) -> (Vec<f64>, f64) {
    let (x, _) = mc::draw_design(p, rng);
    reused_exact(p, x.as_ref(), rounds)
}

/// [`reused_draw`] on a given design `x` (the last `n2` rows synthetic).
pub fn reused_exact(p: &MixProblem, x: MatRef<'_, f64>, rounds: usize) -> (Vec<f64>, f64) {
    let d = p.spec.dim();
    let (g1, g2) = grams(p, x);
    let g = &g1 + &g2;
    let b = spd_inverse(&g);
    let a = mul(b.as_ref(), g2.as_ref(), 1.0);
    let bg1 = mul(b.as_ref(), g1.as_ref(), 1.0);
    let k1 = mul(bg1.as_ref(), b.as_ref(), 1.0);
    let k2 = mul(a.as_ref(), b.as_ref(), 1.0);
    let mut delta = Mat::<f64>::zeros(d, d);
    for j in 0..d {
        delta[(j, j)] = p.delta[j];
    }
    let (s1, s2) = (p.sigma1 * p.sigma1, p.sigma2 * p.sigma2);
    // ap = A^{t−1} at the top of round t; s = S_{t−1}; syn = Σ_{j<t−1} A^j K2 A^jᵀ.
    let mut ap = Mat::<f64>::identity(d, d);
    let mut s = Mat::<f64>::zeros(d, d);
    let mut syn = 0.0;
    let mut out = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        s += &ap;
        syn += tr_sigma_sandwich(p, ap.as_ref(), k2.as_ref());
        ap = mul(a.as_ref(), ap.as_ref(), 1.0);
        let shift = tr_sigma_sandwich(p, ap.as_ref(), delta.as_ref());
        let real = tr_sigma_sandwich(p, s.as_ref(), k1.as_ref());
        out.push(shift + s1 * real + s2 * syn);
    }
    let g1_inv = spd_inverse(&g1);
    let mut g12 = g2.clone();
    g12 *= faer::Scale(2.0);
    g12 += &g1;
    let g12_inv = spd_inverse(&g12);
    let limit =
        (s1 + 0.5 * s2) * tr_sigma(p, g1_inv.as_ref()) - 0.5 * s2 * tr_sigma(p, g12_inv.as_ref());
    (out, limit)
}

/// One literal run of `t` rounds of iterative mixing with reused data: draws the design,
/// $\delta \sim N(0,\Delta)$, the real noise once and the synthetic noise each round, refits
/// least squares on the labels each round, and returns $\|\hat w_t - w\|_\Sigma^2$. Least
/// squares is equivariant, $\hat w_t - w$ does not depend on $w$, so the labels are written
/// for $w = 0$: $y_1 = \epsilon_1$, $y_{2,t} = X_2\hat w_{t-1} + \epsilon_{2,t}$.
pub fn reused_literal(p: &MixProblem, t: usize, rng: &mut Rng) -> f64 {
    let (x, _) = mc::draw_design(p, rng);
    reused_literal_on(p, x.as_ref(), t, rng)
}

/// [`reused_literal`] on a given design `x`: draws only $\delta$ and the noise.
pub fn reused_literal_on(p: &MixProblem, x: MatRef<'_, f64>, t: usize, rng: &mut Rng) -> f64 {
    let d = p.spec.dim();
    let n1 = p.n - p.n2;
    let mut e = Mat::<f64>::zeros(d, 1);
    for j in 0..d {
        e[(j, 0)] = mc::normal(rng) * p.delta[j].sqrt();
    }
    let eps1: Vec<f64> = (0..n1).map(|_| mc::normal(rng) * p.sigma1).collect();
    let g = mul(x.transpose(), x, 1.0);
    for _ in 0..t {
        let fit = mul(x.subrows(n1, p.n2), e.as_ref(), 1.0);
        let mut y = Mat::<f64>::zeros(p.n, 1);
        for i in 0..n1 {
            y[(i, 0)] = eps1[i];
        }
        for i in 0..p.n2 {
            y[(n1 + i, 0)] = fit[(i, 0)] + mc::normal(rng) * p.sigma2;
        }
        let mut rhs = mul(x.transpose(), y.as_ref(), 1.0);
        let mut k = g.clone();
        assert!(
            mc::spd_solve(&mut k, &mut rhs),
            "Gram matrix is not positive definite"
        );
        e = rhs;
    }
    (0..d).map(|j| p.spec.eig[j] * e[(j, 0)] * e[(j, 0)]).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mixing::theory::problem;
    use crate::theory::Spectrum;

    #[test]
    fn reused_exact_matches_literal_rounds_on_one_design() {
        // Per-design formula (exact over δ, ε) against literal refits averaged over δ, ε.
        let p = problem(Spectrum::power(6, 1.0), 30, 0.4, 1.3, 0.7);
        let mut rng = collapse_core::rng::stream(5, "reused-design", 0);
        let (x, _) = mc::draw_design(&p, &mut rng);
        let (exact, _) = reused_exact(&p, x.as_ref(), 3);
        for t in 1..=3usize {
            let (m, se) =
                collapse_core::check::monte_carlo(&format!("reused-noise-{t}"), 40_000, |g| {
                    reused_literal_on(&p, x.as_ref(), t, g)
                });
            let o = collapse_core::Outcome::monte_carlo(exact[t - 1], m, se);
            assert!(o.pass(), "t = {t}: {o:?}");
        }
    }

    #[test]
    fn reused_exact_tends_to_the_per_design_limit() {
        let p = problem(Spectrum::power(8, 1.0), 40, 0.5, 1.0, 1.0);
        let mut rng = collapse_core::rng::stream(6, "reused-limit", 0);
        let (x, _) = mc::draw_design(&p, &mut rng);
        let (errs, limit) = reused_exact(&p, x.as_ref(), 400);
        assert!(
            (errs[399] - limit).abs() < 1e-9 * limit,
            "{} {limit}",
            errs[399]
        );
        // t = 1 is single-step mixing: shift + variance of the plain mix.
        let r = mc::estimator_map(&p, x.as_ref(), None);
        let (_, v, z) = mc::exact_parts(&p, x.as_ref(), r.as_ref());
        assert!((errs[0] - v - z).abs() < 1e-10 * (v + z));
    }

    #[test]
    fn weighted_map_solves_the_weighted_normal_equations() {
        let mut rng = collapse_core::rng::stream(4, "wls", 0);
        let p = problem(Spectrum::isotropic(5), 30, 0.4, 1.0, 1.0);
        let x = gaussian_mat(&mut rng, 30, 5, |_| 1.0);
        let r = weighted_map(&p, x.as_ref(), 0.7);
        let (w1, w2) = weights(p.p2(), 0.7);
        // R X = I and R = (XᵀΩX)⁻¹XᵀΩ  ⇔  (XᵀΩX) R = XᵀΩ.
        let mut xo = x.transpose().to_owned();
        for i in 0..30 {
            let w = if i < 18 { w1 } else { w2 };
            for j in 0..5 {
                xo[(j, i)] *= w;
            }
        }
        let k = mul(xo.as_ref(), x.as_ref(), 1.0);
        let kr = mul(k.as_ref(), r.as_ref(), 1.0);
        for j in 0..5 {
            for i in 0..30 {
                assert!((kr[(j, i)] - xo[(j, i)]).abs() < 1e-10);
            }
        }
    }
}
