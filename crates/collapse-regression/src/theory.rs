//! Deterministic equivalents of Strong Model Collapse (Dohmatob et al., ICLR 2025).
//!
//! Notation: $\Sigma = \mathrm{diag}(s_i)$, $\Gamma = \mathrm{diag}(g_i)$ the prior covariance of
//! the true weights, $\Delta = \mathrm{diag}(\delta_i)$ the covariance of the label shift,
//! $\mathrm{df}_1(t) = \sum_i s_i/(s_i+t)$, $\mathrm{df}_2(t) = \sum_i s_i^2/(s_i+t)^2$.
//!
//! - Classical ridge (Theorem 1): $\kappa - \lambda = \kappa\,\mathrm{df}_1(\kappa)/n$.
//! - Random projections of width $m$ (the derived equivalent of the notes, §A2.2):
//!   (i) $\theta(1-\mathrm{df}_1(\theta)/m) = \kappa d/m$ and (ii) $\kappa-\lambda =
//!   \kappa\,\mathrm{df}_1(\theta)/n$. Eliminating $\kappa$ through (i) leaves one equation in
//!   $\theta$, $F(\theta) = \tfrac md\,\theta\,(1-\mathrm{df}_1(\theta)/m)(1-\mathrm{df}_1(\theta)/n)
//!   = \lambda$, whose left side is a product of positive increasing factors on
//!   $(\theta_*, \infty)$ with $\mathrm{df}_1(\theta_*) = \min(m, n)$ (or $\theta_* = 0$ when
//!   $d \le \min(m, n)$). It is solved by Newton's method safeguarded by a bracket, which is
//!   exact from $\lambda \to 0$ to large $\lambda$ and on both sides of $m = n$ and $m = d$; the
//!   nested fixed points are recovered from it ($\kappa$ from (i) or (ii), whichever is better
//!   conditioned).

/// A diagonal covariance: its eigenvalues.
#[derive(Clone, Debug, PartialEq)]
pub struct Spectrum {
    /// The eigenvalues $s_i > 0$.
    pub eig: Vec<f64>,
}

impl Spectrum {
    /// $\Sigma = I_d$.
    pub fn isotropic(d: usize) -> Self {
        Self { eig: vec![1.0; d] }
    }

    /// $s_i = i^{-a}$, $i = 1..d$ (not normalised).
    pub fn power(d: usize, a: f64) -> Self {
        Self {
            eig: (1..=d).map(|i| (i as f64).powf(-a)).collect(),
        }
    }

    /// By name: `isotropic` or `power`.
    pub fn by_name(name: &str, d: usize, a: f64) -> Self {
        if name == "power" {
            Self::power(d, a)
        } else {
            Self::isotropic(d)
        }
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.eig.len()
    }

    /// $\mathrm{Tr}\,\Sigma$.
    pub fn trace(&self) -> f64 {
        self.eig.iter().sum()
    }

    /// $(\mathrm{df}_1(t), \mathrm{df}_2(t))$ in one pass.
    pub fn df12(&self, t: f64) -> (f64, f64) {
        let (mut a, mut b) = (0.0, 0.0);
        for &s in &self.eig {
            let r = s / (s + t);
            a += r;
            b += r * r;
        }
        (a, b)
    }
}

/// Finds $x$ in $(lo, \infty)$ with $f(x) = target$ for an increasing $f$ given with its
/// derivative, with $f(lo^+) \le target$: Newton's method inside a shrinking bracket. When the
/// Newton step leaves the bracket and the lower end is still `lo` (the structural bound, where
/// the root may sit arbitrarily close), the fallback step moves to 1/16 of the bracket, so that a
/// root at $lo + 10^{-12}$ is reached in a few dozen steps rather than hundreds.
pub fn solve_increasing(f: impl Fn(f64) -> (f64, f64), target: f64, lo: f64, hi_guess: f64) -> f64 {
    let base = lo;
    let mut lo = lo;
    let mut hi = hi_guess.max(lo + 1e-300);
    let mut guard = 0;
    while f(hi).0 < target && guard < 2000 {
        lo = hi;
        hi = base + 2.0 * (hi - base) + 1.0;
        guard += 1;
    }
    let mut x = hi;
    for _ in 0..400 {
        let (fx, dfx) = f(x);
        if fx == target {
            return x;
        }
        if fx < target {
            lo = x;
        } else {
            hi = x;
        }
        if hi - lo <= 4.0 * f64::EPSILON * hi.abs().max(f64::MIN_POSITIVE) {
            return 0.5 * (lo + hi);
        }
        let newton = x - (fx - target) / dfx;
        let next = if newton.is_finite() && newton > lo && newton < hi {
            newton
        } else if lo == base {
            base + (hi - base) / 16.0
        } else {
            0.5 * (lo + hi)
        };
        if (next - x).abs() <= 1e-15 * x.abs() {
            return next;
        }
        x = next;
    }
    x
}

/// The $t > 0$ with $\mathrm{df}_1(t) = k$ (for $k < d$); 0 when $k \ge d$.
pub fn df1_inverse(spec: &Spectrum, k: f64) -> f64 {
    let d = spec.dim() as f64;
    if k >= d {
        return 0.0;
    }
    // -df1 is increasing; d(-df1)/dt = Σ s/(s+t)^2.
    let f = |t: f64| {
        let mut a = 0.0;
        let mut b = 0.0;
        for &s in &spec.eig {
            let r = 1.0 / (s + t);
            a += s * r;
            b += s * r * r;
        }
        (-a, b)
    };
    solve_increasing(f, -k, 0.0, spec.trace() / k)
}

/// The design of a ridge problem with a mixture of real and synthetic data.
#[derive(Clone, Debug, PartialEq)]
pub struct MixProblem {
    /// $\Sigma$.
    pub spec: Spectrum,
    /// Diagonal of $\Gamma$ (prior covariance of the true weights).
    pub gamma: Vec<f64>,
    /// Diagonal of $\Delta$ (covariance of the label shift).
    pub delta: Vec<f64>,
    /// Total sample size $n$.
    pub n: usize,
    /// Number of synthetic rows $n_2$ (so $p_2 = n_2/n$).
    pub n2: usize,
    /// Noise sd of real labels.
    pub sigma1: f64,
    /// Noise sd of synthetic labels.
    pub sigma2: f64,
    /// Ridge penalty $\lambda \ge 0$.
    pub lambda: f64,
    /// Width $m$ of the random projection, `None` for ridge on the raw features.
    pub width: Option<usize>,
}

impl MixProblem {
    /// The conventions of `proofs/regression.md`: $\Gamma = I/d$, $\Delta = (c^2/d)\Sigma^{-1}$, one noise level.
    pub fn standard(
        spec: Spectrum,
        n: usize,
        p2: f64,
        c2: f64,
        sigma: f64,
        lambda: f64,
        width: Option<usize>,
    ) -> Self {
        let d = spec.dim() as f64;
        let gamma = vec![1.0 / d; spec.dim()];
        let delta = spec.eig.iter().map(|s| c2 / (d * s)).collect();
        let n2 = synthetic_rows(n, p2);
        Self {
            spec,
            gamma,
            delta,
            n,
            n2,
            sigma1: sigma,
            sigma2: sigma,
            lambda,
            width,
        }
    }

    /// $p_2 = n_2/n$.
    pub fn p2(&self) -> f64 {
        self.n2 as f64 / self.n as f64
    }
}

/// $n_2 = \mathrm{round}(p_2 n)$.
pub fn synthetic_rows(n: usize, p2: f64) -> usize {
    ((p2 * n as f64).round() as usize).min(n)
}

/// The deterministic equivalent and its parts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Equivalent {
    /// $\kappa$.
    pub kappa: f64,
    /// $\theta$ ($=\kappa$ without projection).
    pub theta: f64,
    /// $\kappa\theta'$ ($=\kappa$ without projection).
    pub kappa_theta_prime: f64,
    /// $u = (D_2/n)/(1-D_2/n)$.
    pub u: f64,
    /// Bias (driven by $w$).
    pub bias: f64,
    /// Variance (driven by the label noise).
    pub variance: f64,
    /// $\zeta$ (driven by the shift $\delta$).
    pub zeta: f64,
}

impl Equivalent {
    /// $B + V + \zeta$.
    pub fn total(&self) -> f64 {
        self.bias + self.variance + self.zeta
    }
}

/// Classical $\kappa$: $\kappa(1-\mathrm{df}_1(\kappa)/n) = \lambda$ on $(\kappa_*, \infty)$.
pub fn kappa_classical(spec: &Spectrum, n: f64, lambda: f64) -> f64 {
    let base = df1_inverse(spec, n);
    if lambda <= 0.0 {
        return base;
    }
    let f = |k: f64| {
        let (d1, d2) = spec.df12(k);
        // d/dk [k - k df1(k)/n] = 1 - df2(k)/n.
        (k * (1.0 - d1 / n), 1.0 - d2 / n)
    };
    solve_increasing(f, lambda, base, lambda + 10.0 * spec.trace() / n + 10.0)
}

/// Random projections: $(\kappa, \theta, \kappa\theta')$.
pub fn kappa_theta(spec: &Spectrum, n: f64, m: f64, lambda: f64) -> (f64, f64, f64) {
    let d = spec.dim() as f64;
    let base = df1_inverse(spec, m.min(n));
    let theta = if lambda <= 0.0 {
        base
    } else {
        let f = |t: f64| {
            let (d1, d2) = spec.df12(t);
            let a = 1.0 - d1 / m;
            let b = 1.0 - d1 / n;
            // d df1/dt = -(df1 - df2)/t.
            let value = m / d * t * a * b;
            let deriv = m / d * (a * b + (d1 - d2) * (b / m + a / n));
            (value, deriv)
        };
        solve_increasing(
            f,
            lambda,
            base,
            base + lambda * d / m + 10.0 * spec.trace() / m.min(n) + 1.0,
        )
    };
    let (d1, d2) = spec.df12(theta);
    let gap_m = 1.0 - d1 / m;
    let gap_n = 1.0 - d1 / n;
    // Both expressions of κ agree at the root; use the one whose factor is less cancelled.
    let kappa = if lambda <= 0.0 {
        (m / d * theta * gap_m).max(0.0)
    } else if gap_n >= gap_m {
        lambda / gap_n
    } else {
        m / d * theta * gap_m
    };
    let ktp = if kappa == 0.0 {
        0.0
    } else {
        kappa * (d / m) / (1.0 - d2 / m)
    };
    (kappa, theta, ktp)
}

/// The deterministic equivalent of the test error (Theorem 1, or the random-projection
/// equivalent when `width` is set).
pub fn equivalent(p: &MixProblem) -> Equivalent {
    let n = p.n as f64;
    let (kappa, theta, ktp) = match p.width {
        None => {
            let k = kappa_classical(&p.spec, n, p.lambda);
            (k, k, k)
        }
        Some(m) => kappa_theta(&p.spec, n, m as f64, p.lambda),
    };
    terms(p, kappa, theta, ktp)
}

/// $B$, $V$, $\zeta$ from $(\kappa, \theta, \kappa\theta')$ (classical: all three equal $\kappa$).
pub fn terms(p: &MixProblem, kappa: f64, theta: f64, ktp: f64) -> Equivalent {
    let n = p.n as f64;
    let p2 = p.p2();
    let p1 = 1.0 - p2;
    let (mut d1, mut q, mut bias_num, mut t3, mut t4) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..p.spec.dim() {
        let s = p.spec.eig[i];
        let r = 1.0 / (s + theta);
        let sr = s * r;
        d1 += sr;
        q += s * r * r;
        bias_num += p.gamma[i] * s * (theta * r - ktp * sr * r);
        t3 += p.delta[i] * s * s * (r - ktp * r * r);
        t4 += p.delta[i] * s * (1.0 - p2 * (1.0 + p1) * sr - p2 * p2 * ktp * sr * r);
    }
    // D2 = df1(θ) - κθ' Tr Σ(Σ+θ)^{-2}  (= df2(κ) in the classical case).
    let d2 = d1 - ktp * q;
    let one_minus = 1.0 - d2 / n;
    let u = (d2 / n) / one_minus;
    let sigma2 = p1 * p.sigma1 * p.sigma1 + p2 * p.sigma2 * p.sigma2;
    Equivalent {
        kappa,
        theta,
        kappa_theta_prime: ktp,
        u,
        bias: bias_num / one_minus,
        variance: sigma2 * u,
        zeta: p2 * p2 * (1.0 + p1 * u) * t3 + p2 * u * t4,
    }
}

/// Corollary 1 (isotropic, $\phi = d/n < 1$, $\lambda \to 0^+$):
/// $\sigma^2\phi/(1-\phi) + (p_2^2 + p_2p_1\phi/(1-\phi))c^2$.
pub fn corollary1(phi: f64, sigma2: f64, p2: f64, c2: f64) -> f64 {
    let u = phi / (1.0 - phi);
    sigma2 * u + (p2 * p2 + p2 * (1.0 - p2) * u) * c2
}

/// The isotropic ridgeless closed forms of the random-projection equivalent (notes §A2.2),
/// with $\Gamma = (r^2/d) I$, $\Delta = (c^2/d) I$: $(B, V, \zeta)$.
pub fn rp_ridgeless_isotropic(
    d: f64,
    n: f64,
    m: f64,
    r2: f64,
    sigma2: f64,
    p2: f64,
    c2: f64,
) -> (f64, f64, f64) {
    let p1 = 1.0 - p2;
    let phi = d / n;
    let psi = m / n;
    if m < n.min(d) {
        let u = psi / (1.0 - psi);
        let b = r2 * (1.0 - m / d) / (1.0 - psi);
        let z = c2 * (p2 * p2 * m / d * (1.0 + p1 * u) + p2 * u * (1.0 - p2 * (1.0 + p1) * m / d));
        (b, sigma2 * u, z)
    } else if d <= m && d < n {
        let u = phi / (1.0 - phi);
        (0.0, sigma2 * u, c2 * (p2 * p2 + p1 * p2 * u))
    } else {
        let u = (phi + psi - 2.0) / ((phi - 1.0) * (psi - 1.0));
        let b = r2 * psi * (phi - 1.0) / (phi * (psi - 1.0));
        let t3 = c2 / phi * (phi + psi - 2.0) / (phi * psi - 1.0);
        let t4 = c2
            * (1.0
                - p2 * (1.0 + p1) / phi
                - p2 * p2 * (phi - 1.0) * (psi - 1.0) / (phi * (phi * psi - 1.0)));
        (b, sigma2 * u, p2 * p2 * (1.0 + p1 * u) * t3 + p2 * u * t4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(d: usize, n: usize, m: Option<usize>, lambda: f64, p2: f64, c2: f64) -> MixProblem {
        MixProblem::standard(Spectrum::isotropic(d), n, p2, c2, 1.0, lambda, m)
    }

    #[test]
    fn notes_closed_form_table() {
        // Notes §A2.2: (d, n, m) -> (B, V, ζ) at λ = 1e-10, r² = σ² = 1, p2 = 0.1, c² = 0.5.
        let rows = [
            (600, 500, 300, 1.25, 1.5, 0.07375),
            (600, 500, 600, 1.0, 10.0, 0.458333),
            (600, 500, 1500, 0.25, 5.5, 0.252083),
            (200, 500, 100, 0.625, 0.25, 0.014375),
            (200, 500, 300, 0.0, 0.666667, 0.035),
        ];
        for (d, n, m, b, v, z) in rows {
            let e = equivalent(&iso(d, n, Some(m), 1e-10, 0.1, 0.5));
            assert!((e.bias - b).abs() < 1e-5, "{d} {n} {m}: {e:?}");
            assert!(
                (e.variance - v).abs() < 1e-5 * v.max(1.0),
                "{d} {n} {m}: {e:?}"
            );
            assert!((e.zeta - z).abs() < 1e-6, "{d} {n} {m}: {e:?}");
            let (cb, cv, cz) =
                rp_ridgeless_isotropic(d as f64, n as f64, m as f64, 1.0, 1.0, 0.1, 0.5);
            assert!((cb - b).abs() < 1e-5 && (cv - v).abs() < 1e-5 && (cz - z).abs() < 1e-6);
        }
    }

    #[test]
    fn notes_m_sweep_table() {
        // Notes §A2.3, d = 600, n = 500, λ = 1e-4, p2 = 0.1, c² = 0.5.
        for (m, total, kappa, theta) in [
            (50, 1.1355, 0.0001111, 11.0),
            (475, 18.2712, 0.001736, 0.2734),
            (1000, 6.5620, 0.1674, 0.2007),
        ] {
            let e = equivalent(&iso(600, 500, Some(m), 1e-4, 0.1, 0.5));
            assert!((e.total() - total).abs() < 1e-3 * total, "{m}: {e:?}");
            assert!((e.kappa - kappa).abs() < 2e-3 * kappa, "{m}: {e:?}");
            assert!((e.theta - theta).abs() < 2e-3 * theta, "{m}: {e:?}");
        }
    }

    #[test]
    fn corollary_table() {
        // Notes: d = 200, σ² = c² = 1.
        for (n, p2, v) in [
            (400, 0.01, 1.010000),
            (2000, 0.1, 0.131111),
            (20000, 0.01, 0.010301),
        ] {
            let e = equivalent(&iso(200, n, None, 1e-9, p2, 1.0));
            assert!((e.total() - v).abs() < 2e-6, "{n} {p2}: {e:?}");
            assert!((corollary1(200.0 / n as f64, 1.0, p2, 1.0) - v).abs() < 2e-6);
        }
    }

    #[test]
    fn roots_are_exact_across_regimes() {
        for spec in [
            Spectrum::isotropic(300),
            Spectrum::power(300, 1.0),
            Spectrum::power(300, 2.0),
        ] {
            for n in [100.0, 299.0, 300.0, 301.0, 1000.0] {
                for lambda in [1e-12, 1e-6, 1e-2, 1.0, 1e4] {
                    let k = kappa_classical(&spec, n, lambda);
                    let (d1, _) = spec.df12(k);
                    assert!(
                        (k - lambda - k * d1 / n).abs() <= 1e-9 * k,
                        "{n} {lambda} {k}"
                    );
                    for m in [50.0, 299.0, 300.0, 301.0, 2000.0] {
                        let (kappa, theta, _) = kappa_theta(&spec, n, m, lambda);
                        let (d1, _) = spec.df12(theta);
                        let d = 300.0;
                        assert!(kappa > 0.0 && theta > 0.0 && kappa.is_finite());
                        assert!(
                            (kappa - lambda - kappa * d1 / n).abs() <= 1e-8 * kappa,
                            "{n} {m} {lambda}"
                        );
                        assert!(
                            (theta * (1.0 - d1 / m) - kappa * d / m).abs() <= 1e-8 * theta,
                            "{n} {m} {lambda}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn large_width_recovers_classical_ridge_with_rescaled_penalty() {
        let spec = Spectrum::power(200, 1.0);
        let m = 1e7 as usize;
        let mut rp = MixProblem::standard(spec.clone(), 300, 0.2, 0.5, 1.0, 0.1, Some(m));
        let e_rp = equivalent(&rp);
        rp.width = None;
        rp.lambda = 0.1 * 200.0 / m as f64;
        let e_cl = equivalent(&rp);
        assert!(
            (e_rp.total() - e_cl.total()).abs() < 1e-4 * e_cl.total(),
            "{e_rp:?} {e_cl:?}"
        );
    }

    #[test]
    fn random_valid_parameters_give_finite_parts_and_exact_roots() {
        use rand::RngExt;
        let mut rng = collapse_core::rng::stream(11, "theory", 0);
        for _ in 0..300 {
            let d = rng.random_range(1..400usize);
            let n = rng.random_range(1..600usize);
            let spec = if rng.random::<bool>() {
                Spectrum::isotropic(d)
            } else {
                Spectrum::power(d, rng.random_range(0.1..3.0))
            };
            let lambda = 10f64.powf(rng.random_range(-10.0..4.0));
            let width = if rng.random::<bool>() {
                None
            } else {
                Some(rng.random_range(1..1500usize))
            };
            let p = MixProblem::standard(
                spec.clone(),
                n,
                rng.random::<f64>(),
                rng.random_range(0.0..3.0),
                rng.random_range(0.0..2.0),
                lambda,
                width,
            );
            let e = equivalent(&p);
            for v in [e.bias, e.variance, e.zeta, e.kappa, e.theta, e.u] {
                assert!(v.is_finite() && v >= 0.0, "{p:?} {e:?}");
            }
            let nf = n as f64;
            let (d1, _) = spec.df12(e.theta);
            assert!(
                (e.kappa - lambda - e.kappa * d1 / nf).abs() <= 1e-8 * e.kappa,
                "{p:?} {e:?}"
            );
            if let Some(m) = width {
                let m = m as f64;
                assert!(
                    (e.theta * (1.0 - d1 / m) - e.kappa * d as f64 / m).abs()
                        <= 1e-8 * e.theta.max(e.kappa),
                    "{p:?} {e:?}"
                );
            }
        }
    }
}
