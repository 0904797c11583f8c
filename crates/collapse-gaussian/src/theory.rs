//! Closed forms for the Gaussian chain under `replace`, for the truth $\mathcal N(0, I_d)$ (a
//! truth $\mathcal N(0, \sigma_0^2 I_d)$ multiplies every variance, squared error and $W_2^2$ by
//! $\sigma_0^2$ and adds $\ln\sigma_0^2$ to `log_var`, $d\ln\sigma_0^2$ to `log_det`).
//!
//! `sizes[i]` is $M_i$, the number of points generation $i+1$ is fitted on. With the unbiased
//! estimator $\sigma^2_{i+1} = \sigma_i^2 S_i$, $S_i \sim \chi^2_{M_i-1}/(M_i-1)$; with the MLE
//! $S_i \sim \chi^2_{M_i-1}/M_i$. In $d$ dimensions $\det\Sigma_{i+1} = \det\Sigma_i \det W_i /
//! c(M_i)^d$ with $\det W_i = \prod_{k<d}\chi^2_{M_i-1-k}$ (independent, by Bartlett).
//!
//! The functions of `sizes` recompute from generation 0 and serve the checks; [`ReplaceTheory`]
//! walks the generations once, in O(1) each, for the theory rows of a run.

use crate::model::Estimator;
use statrs::function::gamma::{digamma, ln_gamma};

/// $\alpha(M) = \mathbb E\sqrt{\chi^2_{M-1}}/\sqrt{M-1} = \sqrt{2/(M-1)}\,\Gamma(M/2)/\Gamma((M-1)/2)$.
pub fn alpha(m: f64) -> f64 {
    ln_alpha(m).exp()
}

/// $\ln\alpha(M)$. For $k = M-1 > 10^3$ the log-gamma difference loses digits to cancellation,
/// so the asymptotic series $\ln\alpha = -1/(4k) + 1/(24k^3) + O(k^{-5})$ is used (derived in
/// proofs/gaussian.md from $\Gamma(x+1/2)/\Gamma(x)$'s expansion; error below 1e-15 there).
pub fn ln_alpha(m: f64) -> f64 {
    let k = m - 1.0;
    if k > 1e3 {
        -1.0 / (4.0 * k) + 1.0 / (24.0 * k * k * k)
    } else {
        0.5 * (2.0 / k).ln() + ln_gamma(m / 2.0) - ln_gamma(k / 2.0)
    }
}

/// $\mathbb E[\sigma^2_{i+1}/\sigma^2_i]$ for one generation fitted on `m` points.
pub fn var_factor(est: Estimator, m: f64) -> f64 {
    match est {
        Estimator::Unbiased | Estimator::MeanOnly => 1.0,
        Estimator::Mle => (m - 1.0) / m,
    }
}

/// $\mathbb E[\ln(\sigma^2_{i+1}/\sigma^2_i)]$: $\psi((M-1)/2) + \ln(2/(M-1))$ for the unbiased
/// estimator, plus $\ln((M-1)/M)$ for the MLE; 0 when the variance is not refitted.
pub fn log_var_step(est: Estimator, m: f64) -> f64 {
    match est {
        Estimator::Unbiased => digamma((m - 1.0) / 2.0) + (2.0 / (m - 1.0)).ln(),
        Estimator::Mle => digamma((m - 1.0) / 2.0) + (2.0 / m).ln(),
        Estimator::MeanOnly => 0.0,
    }
}

/// $\mathbb E[\sigma_{i+1}/\sigma_i]$: $\alpha(M)$, times $\sqrt{(M-1)/M}$ for the MLE.
pub fn sd_factor(est: Estimator, m: f64) -> f64 {
    match est {
        Estimator::Unbiased => alpha(m),
        Estimator::Mle => alpha(m) * ((m - 1.0) / m).sqrt(),
        Estimator::MeanOnly => 1.0,
    }
}

/// Expected per-coordinate variance $\mathbb E[\mathrm{tr}\,\Sigma_n]/d$ after `n = sizes.len()`
/// generations.
pub fn expected_var(est: Estimator, sizes: &[f64]) -> f64 {
    sizes.iter().map(|&m| var_factor(est, m)).product()
}

/// $\mathbb E\|\mu_n-\mu_0\|^2 = \sum_{i<n}\mathbb E[\mathrm{tr}\,\Sigma_i]/M_i$ with
/// $\mathrm{tr}\,\Sigma_0 = d$.
pub fn expected_mean_sq_error(est: Estimator, d: f64, sizes: &[f64]) -> f64 {
    let mut tr = d;
    let mut sum = 0.0;
    for &m in sizes {
        sum += tr / m;
        tr *= var_factor(est, m);
    }
    sum
}

/// $\mathbb E\ln\sigma^2_n$ (1-D); 0 at generation 0.
pub fn expected_log_var(est: Estimator, sizes: &[f64]) -> f64 {
    // Folded from +0: `Sum for f64` starts from -0.0, so an empty sum (generation 0) would be
    // -0 and print as `-0`.
    sizes.iter().fold(0.0, |acc, &m| acc + log_var_step(est, m))
}

/// $\mathbb E\sigma_n$ (1-D): $\prod_i \alpha(M_i)$ for the unbiased estimator (Bertrand et al.).
pub fn expected_sd(est: Estimator, sizes: &[f64]) -> f64 {
    sizes.iter().map(|&m| sd_factor(est, m)).product()
}

/// Exact 1-D $\mathbb E W_2^2 = \mathbb E\mu_n^2 + \mathbb E\sigma_n^2 - 2\mathbb E\sigma_n + 1$.
pub fn expected_w2_sq(est: Estimator, sizes: &[f64]) -> f64 {
    expected_mean_sq_error(est, 1.0, sizes) + expected_var(est, sizes)
        - 2.0 * expected_sd(est, sizes)
        + 1.0
}

/// $\mathbb E[\ln\det\Sigma_{i+1} - \ln\det\Sigma_i]$ in $d$ dimensions for one generation fitted on
/// `m` > d points: $\sum_{k<d}[\psi((M-1-k)/2) + \ln 2] - d\ln c(M)$; 0 when the covariance is
/// not refitted.
pub fn log_det_step(est: Estimator, m: f64, d: usize) -> f64 {
    if !est.fits_covariance() {
        return 0.0;
    }
    let chi2_logs: f64 = (0..d)
        .map(|k| digamma((m - 1.0 - k as f64) / 2.0) + std::f64::consts::LN_2)
        .sum();
    chi2_logs - d as f64 * est.divisor(m).ln()
}

/// $\ln\mathbb E[\det\Sigma_{i+1}/\det\Sigma_i]$ for one generation on `m` > d points:
/// $\sum_{k<d}\ln(M-1-k) - d\ln c(M)$ ($\mathbb E\chi^2_j = j$); 0 when the covariance is not
/// refitted.
pub fn log_mean_det_step(est: Estimator, m: f64, d: usize) -> f64 {
    if !est.fits_covariance() {
        return 0.0;
    }
    let logs: f64 = (0..d).map(|k| (m - 1.0 - k as f64).ln()).sum();
    logs - d as f64 * est.divisor(m).ln()
}

/// $\mathbb E\ln\det\Sigma_n$ in $d$ dimensions ($\Sigma_0 = I$).
pub fn expected_log_det(est: Estimator, d: usize, sizes: &[f64]) -> f64 {
    sizes
        .iter()
        .fold(0.0, |acc, &m| acc + log_det_step(est, m, d))
}

/// $\ln\mathbb E\det\Sigma_n$ ($\Sigma_0 = I$): the determinants of successive generations
/// multiply independent factors, so the expectation is the product of theirs.
pub fn log_expected_det(est: Estimator, d: usize, sizes: &[f64]) -> f64 {
    sizes
        .iter()
        .fold(0.0, |acc, &m| acc + log_mean_det_step(est, m, d))
}

/// The d-dimensional lower bound $\mathbb E W_2^2 \ge \mathbb E\|\mu_n-\mu_0\|^2$ (Jensen).
pub fn w2_lower_bound(est: Estimator, d: f64, sizes: &[f64]) -> f64 {
    expected_mean_sq_error(est, d, sizes)
}

/// Accumulation with the variance known: $\mathrm{Var}(\hat\mu_G)/\mathrm{Var}(\hat\mu_1) =
/// \sum_{k=1}^G 1/k^2$ (Gerstgrasser et al.; Dey & Donoho).
pub fn accumulate_ratio(generations: u64) -> f64 {
    (1..=generations).map(|k| 1.0 / (k as f64 * k as f64)).sum()
}

/// The closed forms of a `replace` chain, generation after generation, in O(d) per generation
/// (O(1) when the size repeats): what the theory rows of a run need, without recomputing the
/// products and sums from generation 0 at every generation.
#[derive(Clone, Debug)]
pub struct ReplaceTheory {
    est: Estimator,
    d: usize,
    /// The generation reached.
    generation: u64,
    /// $\prod \mathbb E S_i$.
    var: f64,
    /// $\sum_{i<n} \mathbb E[\mathrm{tr}\,\Sigma_i]/(d M_i)$.
    mean_sq_per_dim: f64,
    /// $\sum \mathbb E\ln S_i$.
    log_var: f64,
    /// $\sum \ln\mathbb E\sqrt{S_i}$.
    log_sd: f64,
    /// $\sum$ of the log-determinant steps.
    log_det: f64,
    /// $\sum$ of the log mean-determinant steps.
    log_mean_det: f64,
    /// The last size seen and its steps, reused while the size repeats.
    cached: Option<(f64, Steps)>,
}

#[derive(Clone, Copy, Debug)]
struct Steps {
    var: f64,
    log_var: f64,
    log_sd: f64,
    log_det: f64,
    log_mean_det: f64,
}

impl ReplaceTheory {
    /// Generation 0 of a chain in `d` dimensions.
    pub fn new(est: Estimator, d: usize) -> Self {
        Self {
            est,
            d,
            generation: 0,
            var: 1.0,
            mean_sq_per_dim: 0.0,
            log_var: 0.0,
            log_sd: 0.0,
            log_det: 0.0,
            log_mean_det: 0.0,
            cached: None,
        }
    }

    /// Moves to the next generation, fitted on `m` points.
    pub fn step(&mut self, m: f64) {
        let steps = match self.cached {
            Some((size, s)) if size == m => s,
            _ => {
                // With at most d points the fit is singular (ln det = −∞), unless the
                // covariance is not refitted at all.
                let nonsingular = m > self.d as f64 || !self.est.fits_covariance();
                let s = Steps {
                    var: var_factor(self.est, m),
                    log_var: log_var_step(self.est, m),
                    log_sd: sd_factor(self.est, m).ln(),
                    log_det: if nonsingular {
                        log_det_step(self.est, m, self.d)
                    } else {
                        f64::NEG_INFINITY
                    },
                    log_mean_det: if nonsingular {
                        log_mean_det_step(self.est, m, self.d)
                    } else {
                        f64::NEG_INFINITY
                    },
                };
                self.cached = Some((m, s));
                s
            }
        };
        self.mean_sq_per_dim += self.var / m;
        self.var *= steps.var;
        self.log_var += steps.log_var;
        self.log_sd += steps.log_sd;
        self.log_det += steps.log_det;
        self.log_mean_det += steps.log_mean_det;
        self.generation += 1;
    }

    /// The generation reached.
    pub fn generation(&self) -> u64 {
        self.generation
    }
    /// $\mathbb E\,\mathrm{tr}\,\Sigma_n/d$.
    pub fn var(&self) -> f64 {
        self.var
    }
    /// $\mathbb E\|\mu_n - \mu_0\|^2$.
    pub fn mean_sq_error(&self) -> f64 {
        self.mean_sq_per_dim * self.d as f64
    }
    /// $\mathbb E\ln\sigma_n^2$ (1-D).
    pub fn log_var(&self) -> f64 {
        self.log_var
    }
    /// $\mathbb E\sigma_n$ (1-D).
    pub fn sd(&self) -> f64 {
        self.log_sd.exp()
    }
    /// Exact 1-D $\mathbb E W_2^2$.
    pub fn w2_sq(&self) -> f64 {
        self.mean_sq_per_dim + self.var - 2.0 * self.sd() + 1.0
    }
    /// $\mathbb E\ln\det\Sigma_n$ (−∞ once a generation had at most d points).
    pub fn log_det(&self) -> f64 {
        self.log_det
    }
    /// $\ln\mathbb E\det\Sigma_n$.
    pub fn log_mean_det(&self) -> f64 {
        self.log_mean_det
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_matches_the_direct_forms_at_every_generation() {
        for est in [Estimator::Unbiased, Estimator::Mle, Estimator::MeanOnly] {
            for d in [1usize, 4] {
                let sizes: Vec<f64> = (0..60).map(|i| (6 + 3 * (i / 7)) as f64).collect();
                let mut walk = ReplaceTheory::new(est, d);
                for n in 0..=sizes.len() {
                    let s = &sizes[..n];
                    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
                    assert_eq!(walk.generation(), n as u64);
                    assert!(close(walk.var(), expected_var(est, s)), "{est:?} {n}");
                    assert!(close(
                        walk.mean_sq_error(),
                        expected_mean_sq_error(est, d as f64, s)
                    ));
                    assert!(close(walk.log_var(), expected_log_var(est, s)));
                    assert!(close(walk.log_det(), expected_log_det(est, d, s)));
                    assert!(close(walk.log_mean_det(), log_expected_det(est, d, s)));
                    if d == 1 {
                        assert!(close(walk.w2_sq(), expected_w2_sq(est, s)));
                        assert!(close(walk.log_det(), walk.log_var()));
                    }
                    if n < sizes.len() {
                        walk.step(sizes[n]);
                    }
                }
            }
        }
    }

    #[test]
    fn log_det_step_by_a_second_route() {
        // E ln χ²_k = ψ(k/2) + ln 2, so for d = 2, M = 5 (MLE): ψ(2) + ψ(1.5) + 2 ln 2 − 2 ln 5,
        // with ψ(2) = 1 − γ and ψ(3/2) = 2 − γ − 2 ln 2 (tabulated values).
        let gamma = 0.577_215_664_901_532_9;
        let expected =
            (1.0 - gamma) + (2.0 - gamma - 2.0 * 2f64.ln()) + 2.0 * 2f64.ln() - 2.0 * 5f64.ln();
        assert!((log_det_step(Estimator::Mle, 5.0, 2) - expected).abs() < 1e-13);
        // E det W = k (k − 1) for Wishart_2(k, I): ln(4·3) − 2 ln 4 unbiased, M = 5.
        let expected = 12f64.ln() - 2.0 * 4f64.ln();
        assert!((log_mean_det_step(Estimator::Unbiased, 5.0, 2) - expected).abs() < 1e-14);
        // In 1-D the log-determinant is the log-variance.
        for m in [3.0, 10.0, 250.0] {
            assert!(
                (log_det_step(Estimator::Unbiased, m, 1) - log_var_step(Estimator::Unbiased, m))
                    .abs()
                    < 1e-14
            );
        }
    }

    #[test]
    fn generation_zero_is_plus_zero() {
        for est in [Estimator::Unbiased, Estimator::Mle, Estimator::MeanOnly] {
            let v = expected_log_var(est, &[]);
            assert!(v == 0.0 && v.is_sign_positive(), "{est:?}: {v}");
        }
    }

    #[test]
    fn alpha_against_known_values_and_its_expansion() {
        // α(3) = √(2/2) Γ(3/2)/Γ(1) = √π/2.
        assert!((alpha(3.0) - std::f64::consts::PI.sqrt() / 2.0).abs() < 1e-14);
        // α(M) ≈ 1 − 1/(4(M−1)) − 7/(32(M−1)²) for large M.
        let m: f64 = 1001.0;
        let k = m - 1.0;
        assert!((alpha(m) - (1.0 - 1.0 / (4.0 * k) + 1.0 / (32.0 * k * k))).abs() < 1e-8);
    }

    #[test]
    fn ln_alpha_series_matches_log_gamma_where_both_are_accurate() {
        for k in [200.0f64, 500.0, 1000.0] {
            let direct = 0.5 * (2.0 / k).ln() + ln_gamma((k + 1.0) / 2.0) - ln_gamma(k / 2.0);
            let series = -1.0 / (4.0 * k) + 1.0 / (24.0 * k * k * k);
            assert!((direct - series).abs() < 1e-12, "{k}: {direct} vs {series}");
        }
    }

    #[test]
    fn log_drift_matches_the_paper_table() {
        // Values from the Monte Carlo table in the paper notes (§5.3), M = 3: −γ exactly.
        assert!((log_var_step(Estimator::Unbiased, 3.0) + 0.577_215_664_901_532_9).abs() < 1e-12);
        assert!((log_var_step(Estimator::Unbiased, 10.0) + 0.115_206).abs() < 1e-6);
        assert!((log_var_step(Estimator::Unbiased, 100.0) + 0.010_135).abs() < 1e-6);
    }

    #[test]
    fn w2_matches_the_paper_table() {
        // Paper notes §5.3: M = 10, n = 5: exact 0.7589; n = 20: 2.8512; M = 100, n = 50: 0.7372.
        let w = |m: f64, n: usize| expected_w2_sq(Estimator::Unbiased, &vec![m; n]);
        assert!((w(10.0, 5) - 0.7589).abs() < 1e-4);
        assert!((w(10.0, 20) - 2.8512).abs() < 1e-4);
        assert!((w(100.0, 50) - 0.7372).abs() < 1e-4);
        assert!((accumulate_ratio(50) - 1.625_132_733).abs() < 1e-8);
    }

    #[test]
    fn sd_factor_by_quadrature() {
        // E sqrt(χ²_k) = ∫ sqrt(x) f_k(x) dx, by Simpson's rule on a fine grid.
        let k = 7.0;
        let (h, n) = (1e-3, 80_000);
        let f = |x: f64| {
            if x <= 0.0 {
                return 0.0;
            }
            x.sqrt()
                * ((k / 2.0 - 1.0) * x.ln() - x / 2.0 - (k / 2.0) * 2f64.ln() - ln_gamma(k / 2.0))
                    .exp()
        };
        let mut s = f(0.0) + f(n as f64 * h);
        for i in 1..n {
            s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        let quad = s * h / 3.0 / k.sqrt();
        assert!(
            (quad - alpha(k + 1.0)).abs() < 1e-9,
            "{quad} vs {}",
            alpha(k + 1.0)
        );
    }
}
