//! The closed forms of mixing real and synthetic data with least squares: weighted single-step
//! mixing (its floor, first order and proportional equivalent), the exact finite-n shift and
//! variance of one step, the iterative-mixing recursion, and the reused-data rounds and limit.

use crate::theory::{MixProblem, Spectrum, solve_increasing};

/// The weights $(\omega_1, \omega_2) = ((1-\alpha)/p_1, \alpha/p_2)$ of real and synthetic rows.
pub fn weights(p2: f64, alpha: f64) -> (f64, f64) {
    let p1 = 1.0 - p2;
    let w1 = if p1 > 0.0 { (1.0 - alpha) / p1 } else { 0.0 };
    let w2 = if p2 > 0.0 { alpha / p2 } else { 0.0 };
    (w1, w2)
}

/// The synthetic share $\alpha$ of the other weighting convention, weight 1 on each real row
/// and `a` on each synthetic row: least squares is unchanged when every weight is scaled, so
/// it is the estimator of [`weights`] at $\alpha = ap_2/(p_1 + ap_2)$ (whose floor
/// $\alpha^2c^2$ is $\approx p_2^2a^2c^2$ for small $p_2$, and exactly $p_2^2c^2$ at $a = 1$).
pub fn unit_weights_share(p2: f64, a: f64) -> f64 {
    let synthetic = a * p2;
    let total = (1.0 - p2) + synthetic;
    if total > 0.0 { synthetic / total } else { 0.0 }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::{corollary1, synthetic_rows};

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
    fn unit_weights_are_the_normalised_weights_at_the_synthetic_share() {
        // Weights (1, a) and ((1−α)/p1, α/p2) at α = a p2/(p1 + a p2) differ by one factor,
        // p1 + a p2, on every row.
        for (p2, a) in [(0.5, 1.0 / 3.0), (0.01, 0.5), (0.3, 2.0), (0.2, 1.0)] {
            let alpha = unit_weights_share(p2, a);
            let (w1, w2) = weights(p2, alpha);
            let scale = (1.0 - p2) + a * p2;
            assert!((w1 * scale - 1.0).abs() < 1e-14 && (w2 * scale - a).abs() < 1e-14);
        }
        // The registered check's setting, p2 = 0.5, α = 0.25, is the convention's a = 1/3:
        // floor 1/16, where the transcribed p2²a²c² reads 1/36 and p2²α²c² 1/64.
        assert!((unit_weights_share(0.5, 1.0 / 3.0) - 0.25).abs() < 1e-15);
        // Small p2: the floor is p2²a²c² to first order in p2; a = 1 is the plain mix.
        let (p2, a) = (0.01, 0.5);
        let floor = weighted_floor(unit_weights_share(p2, a), 1.0);
        assert!((floor / (p2 * p2 * a * a) - 1.0).abs() < 2.5 * p2 * (1.0 - a));
        assert!((weighted_floor(unit_weights_share(0.3, 1.0), 1.0) - 0.09).abs() < 1e-15);
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
}
