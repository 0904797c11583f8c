//! Mixing real and synthetic data (Strong Model Collapse, Sec. 5): weighted single-step mixing
//! (Fig. 9) and iterative mixing (Fig. 10), for least squares ($\lambda = 0$, $n_1, n_2 > d$).
//!
//! Setting as in [`crate::theory`]: $x \sim N(0,\Sigma)$, real labels $x^\top w + \epsilon$,
//! synthetic labels $x^\top(w+\delta) + \epsilon$ with $\delta \sim N(0, (c^2/d)\Sigma^{-1})$,
//! $n_2 = \mathrm{round}(p_2 n)$ synthetic rows.
//!
//! - **Weighted single-step mixing.** Weighted least squares with weight $\omega_1 =
//!   (1-\alpha)/p_1$ on real rows and $\omega_2 = \alpha/p_2$ on synthetic rows:
//!   $\hat w = R y$, $R = (X^\top\Omega X)^{-1}X^\top\Omega$. $\alpha = p_2$ is the plain mix.
//!   Population limit: $X^\top\Omega X/n \to \Sigma$ and $X^\top\Omega X_2\delta/n \to
//!   \alpha\Sigma\delta$, so $\hat w \to w + \alpha\delta$ and the floor is $\alpha^2c^2$
//!   ([`weighted_floor`]). The proportional-regime equivalent is [`weighted_equivalent`], its
//!   first order in $\phi = d/n$ is [`weighted_first_order`].
//! - **Iterative mixing.** Round $t$ fits least squares on fresh real rows and fresh synthetic
//!   rows labelled by the round $t-1$ model, $\hat w_0 = w + \delta$. With $e_t = \hat w_t - w$,
//!   $e_t = H_te_{t-1} + R_t\epsilon_t$, $H_t = (X^\top X)^{-1}X_2^\top X_2$, so
//!   $E_t = h E_{t-1} + v$ exactly, with $h = \zeta_1/c^2$ and $v$ the one-step variance, both
//!   closed forms at finite $n$ ([`ols_shift_factor`], [`ols_variance`], [`iterative_error`]).
//! - **Iterative mixing with reused data** (`real_data = reused`). The design $X = [X_1; X_2]$
//!   and the real labels are fixed across rounds; only the synthetic label noise is fresh. Then
//!   $e_t = Ae_{t-1} + BX_1^\top\epsilon_1 + BX_2^\top\epsilon_{2,t}$, $B = (X^\top X)^{-1}$,
//!   $A = BX_2^\top X_2$: exact per design over $\delta$ and the noise ([`reused_draw`], checked
//!   against literal refits [`reused_literal`]); the $t \to \infty$ limit is the real half's
//!   error plus $\tfrac12\sigma^2\mathrm{tr}[G_1^{-1} - (G_1+2G_2)^{-1}] > 0$
//!   ([`reused_limit`]), about $(1+2p_2)/(1+p_2)$ times the real half's error.
//!
//! Everything is invariant under $x \to \Sigma^{-1/2}x$ (least squares, $\Delta \propto
//! \Sigma^{-1}$, error in the $\Sigma$-norm), so the closed forms do not depend on $\Sigma$.
//! The Monte Carlo draws the designs and averages exactly over $w$, $\delta$ and the noise.

use crate::mc::{self, gaussian_mat, mul};
use crate::theory::{MixProblem, Spectrum, solve_increasing, synthetic_rows};
use collapse_core::Rng;
use faer::{Mat, MatRef};

/// The weights $(\omega_1, \omega_2) = ((1-\alpha)/p_1, \alpha/p_2)$ of real and synthetic rows.
pub fn weights(p2: f64, alpha: f64) -> (f64, f64) {
    let p1 = 1.0 - p2;
    let w1 = if p1 > 0.0 { (1.0 - alpha) / p1 } else { 0.0 };
    let w2 = if p2 > 0.0 { alpha / p2 } else { 0.0 };
    (w1, w2)
}

/// The floor of weighted single-step mixing as $n \to \infty$: $\alpha^2c^2$.
pub fn weighted_floor(alpha: f64, c2: f64) -> f64 {
    alpha * alpha * c2
}

/// Variance and $\zeta$ of weighted least squares to first order in $\phi$:
/// $V \approx \phi\big((1-\alpha)^2\sigma_1^2/p_1 + \alpha^2\sigma_2^2/p_2\big)$,
/// $\zeta \approx c^2\big[\alpha^2 + \phi\,\alpha^2(1-\alpha)(1+2p_2-3\alpha)/(p_1p_2)\big]$.
pub fn weighted_first_order(
    phi: f64,
    p2: f64,
    alpha: f64,
    sigma1: f64,
    sigma2: f64,
    c2: f64,
) -> (f64, f64) {
    let p1 = 1.0 - p2;
    let v =
        phi * ((1.0 - alpha).powi(2) * sigma1 * sigma1 / p1 + alpha * alpha * sigma2 * sigma2 / p2);
    let z = c2
        * (alpha * alpha
            + phi * alpha * alpha * (1.0 - alpha) * (1.0 + 2.0 * p2 - 3.0 * alpha) / (p1 * p2));
    (v, z)
}

/// The proportional-regime equivalent of weighted least squares ($d, n \to \infty$,
/// $d/n = \phi$).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weighted {
    /// $m = \lim \mathrm{tr}(X^\top\Omega X/n)^{-1}/d$ (whitened), from
    /// $1 = \sum_g p_g\omega_g m/(1+\omega_g\phi m)$.
    pub m: f64,
    /// Variance $\phi\,(m/S_2)\sum_g p_g\omega_g^2\sigma_g^2/(1+\omega_g\phi m)^2$,
    /// $S_2 = \sum_g p_g\omega_g/(1+\omega_g\phi m)^2$.
    pub variance: f64,
    /// $\zeta = c^2\big[\alpha^2 + 2\alpha m\sum_g p_g\omega_g c_g/(1+\omega_g\phi m) +
    /// \phi(m/S_2)\sum_g p_g\omega_g^2c_g^2/(1+\omega_g\phi m)^2\big]$, $c_1 = -\alpha$,
    /// $c_2 = 1-\alpha$.
    pub zeta: f64,
}

impl Weighted {
    /// $V + \zeta$ (least squares has no bias).
    pub fn total(&self) -> f64 {
        self.variance + self.zeta
    }
}

/// [`Weighted`] at $\phi = d/n$; needs $\sum_{g:\omega_g>0}p_g > \phi$ (more weighted rows
/// than dimensions).
pub fn weighted_equivalent(
    phi: f64,
    p2: f64,
    alpha: f64,
    sigma1: f64,
    sigma2: f64,
    c2: f64,
) -> Weighted {
    let p1 = 1.0 - p2;
    let (w1, w2) = weights(p2, alpha);
    let groups = [
        (p1, w1, sigma1 * sigma1, -alpha),
        (p2, w2, sigma2 * sigma2, 1.0 - alpha),
    ];
    // f(m) = Σ p ω m/(1+ωφm), increasing from 0 to Σ_{ω>0} p/φ.
    let f = |m: f64| {
        let (mut v, mut dv) = (0.0, 0.0);
        for &(p, w, _, _) in &groups {
            let den = 1.0 + w * phi * m;
            v += p * w * m / den;
            dv += p * w / (den * den);
        }
        (v, dv)
    };
    let m = solve_increasing(f, 1.0, 0.0, 1.0);
    let (mut s2, mut vs, mut mid, mut zs) = (0.0, 0.0, 0.0, 0.0);
    for &(p, w, s, c) in &groups {
        let den = 1.0 + w * phi * m;
        s2 += p * w / (den * den);
        vs += p * w * w * s / (den * den);
        zs += p * w * w * c * c / (den * den);
        mid += p * w * c / den;
    }
    Weighted {
        m,
        variance: phi * m / s2 * vs,
        zeta: c2 * (alpha * alpha + 2.0 * alpha * m * mid + phi * m / s2 * zs),
    }
}

/// Exact $h = \mathbb E\|(X^\top X)^{-1}X_2^\top X_2\|_F^2/d$ (whitened) for least squares on
/// $n$ Gaussian rows, $k = n_2$ of them synthetic, $n \ge d+2$: with $Q$ the projection onto
/// the column space of $X$ (Haar, rank $d$) and $P = \Pi_2Q\Pi_2$,
/// $h = [(n-1)\,\mathbb E\,\mathrm{tr}P^2 - \mathbb E(\mathrm{tr}P)^2]/(d(n-d-1))$.
/// The one-step $\zeta$ is $h c^2$.
pub fn ols_shift_factor(n: usize, n2: usize, d: usize) -> f64 {
    let (n, k, d) = (n as f64, n2 as f64, d as f64);
    let qii2 = d * (d + 2.0) / (n * (n + 2.0));
    let qij2 = d * (n - d) / (n * (n - 1.0) * (n + 2.0));
    let qiiqjj = d * (d * n + d - 2.0) / (n * (n - 1.0) * (n + 2.0));
    let tr_p2 = k * qii2 + k * (k - 1.0) * qij2;
    let tr_p_sq = k * qii2 + k * (k - 1.0) * qiiqjj;
    ((n - 1.0) * tr_p2 - tr_p_sq) / (d * (n - d - 1.0))
}

/// Exact one-step variance of least squares on $n_1$ real rows (noise $\sigma_1$) and $n_2$
/// synthetic rows (noise $\sigma_2$): $(n_1\sigma_1^2 + n_2\sigma_2^2)/n \cdot d/(n-d-1)$.
pub fn ols_variance(n: usize, n2: usize, d: usize, sigma1: f64, sigma2: f64) -> f64 {
    let (nf, k, df) = (n as f64, n2 as f64, d as f64);
    ((nf - k) * sigma1 * sigma1 + k * sigma2 * sigma2) / nf * df / (nf - df - 1.0)
}

/// The solution of $E_t = hE_{t-1} + v$, $E_0 = c^2$: $h^tc^2 + v(1-h^t)/(1-h)$.
pub fn iterative_error(h: f64, v: f64, c2: f64, t: u32) -> f64 {
    let ht = h.powi(t as i32);
    ht * c2 + v * (1.0 - ht) / (1.0 - h)
}

/// The exact error after `t` rounds of iterative mixing (fresh data each round).
pub fn iterative_exact(n: usize, n2: usize, d: usize, sigma: f64, c2: f64, t: u32) -> f64 {
    iterative_error(
        ols_shift_factor(n, n2, d),
        ols_variance(n, n2, d, sigma, sigma),
        c2,
        t,
    )
}

/// The least-squares problem of a grid point: $\Sigma$, $n$, $p_2$, $c^2$, $\sigma$ (λ = 0).
pub fn problem(spec: Spectrum, n: usize, p2: f64, c2: f64, sigma: f64) -> MixProblem {
    MixProblem::standard(spec, n, p2, c2, sigma, 0.0, None)
}

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

/// $f_t(\lambda) = (1-\lambda^t)^2/(1-\lambda) + \lambda(1-\lambda^{2t})/(1-\lambda^2)$: the
/// noise of $t$ reused rounds along an eigendirection of $P = G^{-1/2}G_2G^{-1/2}$ with
/// eigenvalue $\lambda$ (real part, then synthetic part; one noise level). $f_1 = 1$,
/// $f_\infty = (1+2\lambda)/(1-\lambda^2)$.
pub fn reused_noise_factor(lambda: f64, t: u32) -> f64 {
    let lt = lambda.powi(t as i32);
    (1.0 - lt).powi(2) / (1.0 - lambda) + lambda * (1.0 - lt * lt) / (1.0 - lambda * lambda)
}

/// Leading order of reused iterative mixing at large $n$ ($P \to p_2 I$):
/// $p_2^{2t}c^2 + \sigma^2\frac{d}{n-d-1}f_t(p_2)$. Exact in the noise at $t = 1$; drops the
/// $O(\phi)$ fluctuation terms of $P$ (for $t \ge 2$ and in the shift term).
pub fn reused_leading(n: usize, n2: usize, d: usize, sigma: f64, c2: f64, t: u32) -> f64 {
    let p2 = n2 as f64 / n as f64;
    let v = ols_variance(n, n2, d, sigma, sigma);
    p2.powi(2 * t as i32) * c2 + v * reused_noise_factor(p2, t)
}

/// Exact expected error after two reused rounds with perfect synthetic labels ($c^2 = 0$) and one
/// noise level: $\frac{\sigma^2}{n-d-1}\,\mathbb E\,\mathrm{tr}(I + 2P - P^2)$, i.e.
/// $\frac{\sigma^2}{n-d-1}\big(d + 2dn_2/n - \mathbb E\,\mathrm{tr}P^2\big)$, $P$ the synthetic
/// block of a Haar rank-$d$ projection (§6.2).
pub fn reused_two_rounds_noise(n: usize, n2: usize, d: usize, sigma: f64) -> f64 {
    let (n, k, d) = (n as f64, n2 as f64, d as f64);
    let qii2 = d * (d + 2.0) / (n * (n + 2.0));
    let qij2 = d * (n - d) / (n * (n - 1.0) * (n + 2.0));
    let tr_p2 = k * qii2 + k * (k - 1.0) * qij2;
    sigma * sigma / (n - d - 1.0) * (d + 2.0 * d * k / n - tr_p2)
}

/// $\tau \simeq \mathrm{tr}(G_1 + 2G_2)^{-1}$ (whitened; deterministic equivalent): the root of
/// $n_1\tau/(1+\tau) + 2n_2\tau/(1+2\tau) = d$.
pub fn reused_tau(n: usize, n2: usize, d: usize) -> f64 {
    let (n1, n2) = ((n - n2) as f64, n2 as f64);
    let f = |t: f64| {
        let (a, b) = (1.0 + t, 1.0 + 2.0 * t);
        (
            n1 * t / a + 2.0 * n2 * t / b,
            n1 / (a * a) + 2.0 * n2 / (b * b),
        )
    };
    solve_increasing(f, d as f64, 0.0, d as f64 / n as f64)
}

/// The $t \to \infty$ limit of reused iterative mixing, averaged over designs (one noise level
/// $\sigma$, whitened): $\tfrac32\sigma^2\frac{d}{n_1-d-1} - \tfrac12\sigma^2\,\mathbb E\,
/// \mathrm{tr}(G_1+2G_2)^{-1}$; the first term is exact, the second uses [`reused_tau`].
/// To first order in $\phi$: $\sigma^2\phi(1+2p_2)/(p_1(1+p_2))$, i.e. the real half's error
/// times $(1+2p_2)/(1+p_2) > 1$.
pub fn reused_limit(n: usize, n2: usize, d: usize, sigma: f64) -> f64 {
    let s2 = sigma * sigma;
    1.5 * real_only_exact(n, n2, d, sigma) - 0.5 * s2 * reused_tau(n, n2, d)
}

/// Exact test error $\sigma^2d/(n_1-d-1)$ of least squares on the $n_1 = n - n_2$ real rows only.
pub fn real_only_exact(n: usize, n2: usize, d: usize, sigma: f64) -> f64 {
    sigma * sigma * d as f64 / ((n - n2) as f64 - d as f64 - 1.0)
}

// ---------------------------------------------------------------------------------------------
// The experiment `regression-mixing`.

use collapse_core::params::parse_grid;
use collapse_core::{
    Experiment, ExperimentError, ParamError, ParamSpec, Params, Record, RunContext, RunOutput,
    TheoryRow,
};
use std::borrow::Cow;

fn mixing_params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("dim", 50, 1, 2000, "d: input dimension (Σ = I)"),
        ParamSpec::text(
            "samples",
            "200,400,800,1600,3200,6400",
            "grid of n (real + synthetic): a,b,c | lo:hi:count | lo:hi:count:log; each needs n1, n2 >= dim + 2",
        ),
        ParamSpec::float(
            "synthetic_fraction",
            0.5,
            0.01,
            0.99,
            "p2: fraction of synthetic rows, n2 = round(p2 n)",
        ),
        ParamSpec::float(
            "quality",
            1.0,
            0.0,
            1e6,
            "c² = Tr(ΣΔ): quality of the synthetic labels (0 = perfect)",
        ),
        ParamSpec::float("noise", 1.0, 0.0, 1e6, "σ: label noise, real and synthetic"),
        ParamSpec::text(
            "alphas",
            "0,0.1,0.25,0.5,0.75",
            "weights α of the synthetic data in [0, 1] (real rows weighted (1−α)/p1, synthetic α/p2; α = p2 is the plain mix, α = 0 real only)",
        ),
        ParamSpec::text(
            "rounds",
            "1,2,4,8",
            "rounds t of iterative mixing to record, integers in [1, 64] (t = 1 is single-step mixing)",
        ),
        ParamSpec::choice(
            "real_data",
            "fresh",
            &["fresh", "reused"],
            "iterative mixing: fresh real and synthetic rows every round, or the same design and real labels every round (fresh synthetic label noise)",
        ),
        ParamSpec::int(
            "replicates",
            5,
            0,
            1_000_000,
            "Monte Carlo designs per n (0 = theory only)",
        ),
    ]
}

/// The grids of `regression-mixing`: sample sizes, α's, rounds.
pub type Grids = (Vec<usize>, Vec<f64>, Vec<u32>);

/// The validated grids of `regression-mixing`.
pub fn mixing_grids(p: &Params) -> Result<Grids, ParamError> {
    let d = p.usize("dim");
    let p2 = p.float("synthetic_fraction");
    let mut ns = Vec::new();
    for v in parse_grid("samples", p.text("samples"))? {
        let n = v.round();
        if !(1.0..=1e6).contains(&n) {
            return Err(ParamError::conflict(
                "samples",
                format!("each n must be in [1, 1000000], got {v}"),
            ));
        }
        let n = n as usize;
        let n2 = synthetic_rows(n, p2);
        if n2.min(n - n2) < d + 2 {
            return Err(ParamError::conflict(
                "samples",
                format!(
                    "n = {n} gives n1 = {}, n2 = {n2}; least squares on either part needs both >= dim + 2 = {}",
                    n - n2,
                    d + 2
                ),
            ));
        }
        ns.push(n);
    }
    let mut alphas = Vec::new();
    for a in parse_grid("alphas", p.text("alphas"))? {
        if !(0.0..=1.0).contains(&a) {
            return Err(ParamError::conflict(
                "alphas",
                format!("each α must be in [0, 1], got {a}"),
            ));
        }
        alphas.push(a);
    }
    let mut rounds = Vec::new();
    for t in parse_grid("rounds", p.text("rounds"))? {
        if t.fract() != 0.0 || !(1.0..=64.0).contains(&t) {
            return Err(ParamError::conflict(
                "rounds",
                format!("each t must be an integer in [1, 64], got {t}"),
            ));
        }
        rounds.push(t as u32);
    }
    Ok((ns, alphas, rounds))
}

fn mixing_validate(p: &Params) -> Result<(), ParamError> {
    mixing_grids(p).map(|_| ())
}

fn owned(s: String) -> Cow<'static, str> {
    Cow::Owned(s)
}

fn rec(series: &str, rep: u64, step: u64, metric: &'static str, value: f64) -> Record {
    Record {
        series: owned(series.to_string()),
        replicate: rep,
        step,
        metric: Cow::Borrowed(metric),
        value,
    }
}

fn theory(series: &str, step: u64, metric: &'static str, value: f64) -> TheoryRow {
    TheoryRow {
        series: owned(series.to_string()),
        step,
        metric: Cow::Borrowed(metric),
        value,
    }
}

/// Series name of weight α.
pub fn alpha_series(alpha: f64) -> String {
    format!("alpha={alpha}")
}

/// Series of the $t \to \infty$ limit of iterative mixing with reused data.
pub const LIMIT_SERIES: &str = "rounds=limit";

/// Series name of `t` rounds of iterative mixing.
pub fn rounds_series(t: u32) -> String {
    format!("rounds={t}")
}

fn mixing_run(p: &Params, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
    let (ns, alphas, rounds) = mixing_grids(p)?;
    let d = p.usize("dim");
    let (p2, c2, sigma) = (
        p.float("synthetic_fraction"),
        p.float("quality"),
        p.float("noise"),
    );
    let reps = p.int("replicates") as u64;
    let reused = p.text("real_data") == "reused";
    let problems: Vec<MixProblem> = ns
        .iter()
        .map(|&n| problem(Spectrum::isotropic(d), n, p2, c2, sigma))
        .collect();
    let mut th = Vec::new();
    for (step, q) in problems.iter().enumerate() {
        let s = step as u64;
        let phi = d as f64 / q.n as f64;
        for &a in &alphas {
            let name = alpha_series(a);
            let w = weighted_equivalent(phi, q.p2(), a, sigma, sigma, c2);
            let (fv, fz) = weighted_first_order(phi, q.p2(), a, sigma, sigma, c2);
            th.push(theory(&name, s, "theory_test_error", w.total()));
            th.push(theory(&name, s, "theory_variance", w.variance));
            th.push(theory(&name, s, "theory_zeta", w.zeta));
            th.push(theory(&name, s, "theory_first_order", fv + fz));
            th.push(theory(&name, s, "theory_floor", weighted_floor(a, c2)));
            th.push(theory(&name, s, "theory_n", q.n as f64));
        }
        for &t in &rounds {
            let name = rounds_series(t);
            if reused {
                // Exact at t = 1 (single-step mixing); leading order in φ otherwise.
                if t == 1 {
                    let e = iterative_exact(q.n, q.n2, d, sigma, c2, t);
                    th.push(theory(&name, s, "theory_test_error", e));
                }
                let e = reused_leading(q.n, q.n2, d, sigma, c2, t);
                th.push(theory(&name, s, "theory_first_order", e));
            } else {
                let e = iterative_exact(q.n, q.n2, d, sigma, c2, t);
                th.push(theory(&name, s, "theory_test_error", e));
            }
            th.push(theory(
                &name,
                s,
                "theory_floor",
                (q.p2() * q.p2()).powi(t as i32) * c2,
            ));
            th.push(theory(&name, s, "theory_n", q.n as f64));
        }
        if reused && !rounds.is_empty() {
            let e = reused_limit(q.n, q.n2, d, sigma);
            th.push(theory(LIMIT_SERIES, s, "theory_test_error", e));
            th.push(theory(LIMIT_SERIES, s, "theory_n", q.n as f64));
        }
        th.push(theory(
            "real-only",
            s,
            "theory_test_error",
            real_only_exact(q.n, q.n2, d, sigma),
        ));
        th.push(theory("real-only", s, "theory_n", q.n as f64));
    }
    let max_rounds = rounds.iter().copied().max().unwrap_or(0) as usize;
    let total = reps * problems.len() as u64;
    let records = ctx.replicates("", total, |r, rng| {
        let (step, rep) = (r / reps, r % reps);
        let q = &problems[step as usize];
        let mut out = Vec::new();
        for &a in &alphas {
            let name = alpha_series(a);
            let (v, z) = weighted_draw(q, a, rng);
            out.push(rec(&name, rep, step, "test_error", v + z));
            out.push(rec(&name, rep, step, "variance", v));
            out.push(rec(&name, rep, step, "zeta", z));
        }
        if max_rounds > 0 {
            // Records are sorted before they are written, so the limit may come first.
            let errs = if reused {
                let (errs, limit) = reused_draw(q, max_rounds, rng);
                out.push(rec(LIMIT_SERIES, rep, step, "test_error", limit));
                errs
            } else {
                iterative_draw(q, max_rounds, rng)
            };
            for &t in &rounds {
                out.push(rec(
                    &rounds_series(t),
                    rep,
                    step,
                    "test_error",
                    errs[t as usize - 1],
                ));
            }
        }
        out
    });
    Ok(RunOutput {
        records,
        theory: th,
        report: None,
    })
}

/// `regression-mixing`: Strong Model Collapse Figs. 9 and 10.
pub fn mixing_experiment() -> Experiment {
    Experiment {
        id: "regression-mixing",
        title: "Weighted single-step mixing and iterative mixing of real and synthetic data (least squares)",
        about: "x ~ N(0, I_d); real labels xᵀw + ε, synthetic labels xᵀ(w + δ) + ε, δ ~ N(0, (c²/d) I); n2 = round(p2 n). Weighted mixing: least squares with weight (1−α)/p1 on real rows and α/p2 on synthetic rows (series alpha=α; α = p2 is the plain mix, α = 0 real only): Monte Carlo test_error, variance, zeta exact over w, δ, ε per drawn X; theory_test_error/theory_variance/theory_zeta the derived proportional equivalent, theory_first_order its O(φ) expansion, theory_floor = α²c². Iterative mixing (series rounds=t): round t fits least squares on fresh real rows and fresh synthetic rows labelled by the round t−1 model (ŵ0 = w + δ); test_error exact over the noise; theory_test_error = h^t c² + v(1−h^t)/(1−h) exactly (h the exact one-step ζ/c², v = σ²d/(n−d−1)); theory_floor = p2^{2t}c². With real_data = reused the design and the real labels are fixed across rounds and only the synthetic label noise is fresh: test_error exact over δ and the noise per drawn design; theory_test_error exact at t = 1 only, theory_first_order = p2^{2t}c² + σ²d/(n−d−1)·f_t(p2), f_t(λ) = (1−λ^t)²/(1−λ) + λ(1−λ^{2t})/(1−λ²); series rounds=limit: test_error the per-design t → ∞ limit σ²tr G1⁻¹ + (σ²/2)tr[G1⁻¹ − (G1+2G2)⁻¹], theory_test_error its expectation (3/2)σ²d/(n1−d−1) − (σ²/2)τ (τ the equivalent of tr(G1+2G2)⁻¹), above the real half alone. Series real-only: theory_test_error = σ²d/(n1−d−1). step = index in the samples grid; theory_n holds n.",
        params: mixing_params(),
        validate: mixing_validate,
        work: |p| {
            mixing_grids(p)
                .map(|(ns, _, _)| ns.len() as u64)
                .unwrap_or(1)
                * p.int("replicates") as u64
        },
        run: mixing_run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::corollary1;

    #[test]
    fn weighted_equivalent_at_alpha_p2_is_corollary1() {
        for (phi, p2) in [(0.1, 0.5), (0.4, 0.2), (0.7, 0.9)] {
            let w = weighted_equivalent(phi, p2, p2, 0.8, 0.8, 1.7);
            let c = corollary1(phi, 0.64, p2, 1.7);
            assert!((w.total() - c).abs() < 1e-12 * c, "{phi} {p2}: {w:?} {c}");
            assert!((w.m - 1.0 / (1.0 - phi)).abs() < 1e-12);
        }
    }

    #[test]
    fn weighted_equivalent_first_order_matches_the_expansion() {
        // (E(φ) − E(0))/φ → the first-order coefficient; the remainder is O(φ).
        for (p2, alpha) in [(0.5, 0.25), (0.3, 0.8), (0.5, 0.0), (0.2, 1.0)] {
            let (s1, s2, c2) = (1.0, 0.5, 2.0);
            let (v0, z0) = weighted_first_order(0.0, p2, alpha, s1, s2, c2);
            assert_eq!(v0, 0.0);
            assert!((z0 - weighted_floor(alpha, c2)).abs() < 1e-15);
            let (v1, z1) = weighted_first_order(1.0, p2, alpha, s1, s2, c2);
            for phi in [1e-4, 1e-5] {
                let w = weighted_equivalent(phi, p2, alpha, s1, s2, c2);
                let dz = (w.zeta - z0) / phi - (z1 - z0);
                let dv = w.variance / phi - v1;
                assert!(
                    dz.abs() < 200.0 * phi && dv.abs() < 200.0 * phi,
                    "{dz} {dv}"
                );
            }
        }
    }

    #[test]
    fn exact_shift_factor_tends_to_corollary1() {
        // h(n) − [p2² + p1p2 φ/(1−φ)] = O(1/n) at fixed φ.
        for (d, p2) in [(100usize, 0.5), (300, 0.1)] {
            let mut last = f64::INFINITY;
            for scale in [10usize, 100, 1000] {
                let n = 4 * d * scale;
                let d2 = d * scale;
                let h = ols_shift_factor(n, synthetic_rows(n, p2), d2);
                let c = corollary1(0.25, 0.0, p2, 1.0);
                let gap = (h - c).abs();
                assert!(gap < 2.0 / n as f64, "{n} {h} {c}");
                assert!(gap < last);
                last = gap;
            }
        }
    }

    #[test]
    fn exact_shift_factor_edge_cases() {
        // No synthetic rows: H = 0; all synthetic: H = I.
        assert_eq!(ols_shift_factor(50, 0, 10), 0.0);
        assert!((ols_shift_factor(50, 50, 10) - 1.0).abs() < 1e-13);
    }

    #[test]
    fn iterative_error_solves_the_recursion() {
        let (h, v, c2) = (0.3, 0.05, 1.5);
        let mut e = c2;
        for t in 1..=10 {
            e = h * e + v;
            assert!((iterative_error(h, v, c2, t) - e).abs() < 1e-14);
        }
        assert!((iterative_error(h, v, c2, 200) - v / (1.0 - h)).abs() < 1e-14);
    }

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
    fn reused_noise_factor_limits_and_first_order() {
        for l in [0.0, 0.3, 0.5, 0.9] {
            assert!((reused_noise_factor(l, 1) - 1.0).abs() < 1e-14);
            let inf = (1.0 + 2.0 * l) / (1.0 - l * l);
            assert!((reused_noise_factor(l, 2000) - inf).abs() < 1e-12);
            // t = 2: 1 + 2λ − λ².
            assert!((reused_noise_factor(l, 2) - (1.0 + 2.0 * l - l * l)).abs() < 1e-14);
        }
        // The limit's first order in φ: σ²φ(1+2p2)/(p1(1+p2)).
        let (d, p2) = (100usize, 0.5);
        for scale in [1000usize, 10_000] {
            let n = d * scale;
            let phi = 1.0 / scale as f64;
            let e = reused_limit(n, synthetic_rows(n, p2), d, 1.0);
            let first = phi * (1.0 + 2.0 * p2) / ((1.0 - p2) * (1.0 + p2));
            assert!((e / first - 1.0).abs() < 5.0 * phi, "{e} {first}");
        }
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
