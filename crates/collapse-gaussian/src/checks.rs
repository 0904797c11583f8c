//! Every Gaussian theorem as a registered check. Each measurement runs the real chain
//! ([`crate::experiment::Setup::run_one`], i.e. the core loop with this crate's samplers) and is
//! compared with its closed form within `Z` standard errors.

use crate::experiment::Setup;
use crate::model::{Estimator, Metrics};
use crate::theory;
use collapse_core::stats::ks_two_sample;
use collapse_core::{Check, CheckContext, Outcome, Policy, Relation, Schedule};
use rayon::prelude::*;

/// A replace chain configuration (truth N(0, I_d)).
pub fn setup(
    dim: usize,
    samples: usize,
    generations: u64,
    estimator: Estimator,
    exact: bool,
) -> Setup {
    Setup::replace(dim, samples, generations, estimator, exact)
}

/// The metrics of generation `n` of one chain drawn from `rng`.
pub fn final_metrics(s: &Setup, rng: &mut collapse_core::Rng) -> Metrics {
    s.final_metrics(rng).expect("these chains always run")
}

/// Mean and standard error of `f(metrics at generation n)` over chains.
pub fn mean_metric(c: &CheckContext, s: &Setup, chains: u64, f: fn(&Metrics) -> f64) -> (f64, f64) {
    c.monte_carlo(chains, |rng| f(&final_metrics(s, rng)))
}

fn mc(c: &CheckContext, s: &Setup, chains: u64, f: fn(&Metrics) -> f64, predicted: f64) -> Outcome {
    // An infinite mean (a chain whose variance reached 0) fails: `Outcome::pass` refuses any
    // non-finite measurement.
    let (m, se) = mean_metric(c, s, chains, f);
    Outcome::monte_carlo(predicted, m, se)
}

fn sizes(s: &Setup) -> Vec<f64> {
    s.sizes(s.chain.generations)
}

fn chains(c: &CheckContext) -> u64 {
    c.pick(20_000, 400_000)
}

/// E σ_n² = σ² under the unbiased estimator (M = 20, n = 10).
pub fn variance_unbiased(c: &CheckContext, est: Estimator) -> Outcome {
    let s = setup(1, 20, 10, est, true);
    mc(
        c,
        &s,
        chains(c),
        |m| m.var,
        theory::expected_var(Estimator::Unbiased, &sizes(&s)),
    )
}

/// E σ_n² = ((M−1)/M)^n σ² under the MLE (M = 20, n = 10).
pub fn variance_mle(c: &CheckContext, est: Estimator) -> Outcome {
    let s = setup(1, 20, 10, est, true);
    mc(
        c,
        &s,
        chains(c),
        |m| m.var,
        theory::expected_var(Estimator::Mle, &sizes(&s)),
    )
}

/// E ln σ_n² = n[ψ((M−1)/2) + ln(2/(M−1))], naive sampler (M = 10, n = 20).
pub fn log_drift(c: &CheckContext, est: Estimator) -> Outcome {
    let s = setup(1, 10, 20, est, false);
    mc(
        c,
        &s,
        chains(c),
        |m| m.log_var,
        theory::expected_log_var(Estimator::Unbiased, &sizes(&s)),
    )
}

/// The MLE analogue: E ln σ_n² = n[ψ((M−1)/2) + ln(2/M)] (M = 10, n = 20).
pub fn log_drift_mle(c: &CheckContext, est: Estimator) -> Outcome {
    let s = setup(1, 10, 20, est, true);
    mc(
        c,
        &s,
        chains(c),
        |m| m.log_var,
        theory::expected_log_var(Estimator::Mle, &sizes(&s)),
    )
}

/// E‖μ_n − μ_0‖² = n tr Σ_0 / M in d = 3 (M = 10, n = 10), exact Bartlett sampler.
pub fn mean_drift(c: &CheckContext, est: Estimator) -> Outcome {
    let s = setup(3, 10, 10, est, true);
    mc(
        c,
        &s,
        chains(c),
        |m| m.mean_sq_error,
        theory::expected_mean_sq_error(Estimator::Unbiased, 3.0, &sizes(&s)),
    )
}

/// E‖μ_n − μ_0‖² = Σ_{i<n} E[tr Σ_i]/M_i with a linear schedule M_i = 5(i+1) and the MLE
/// (so E tr Σ_i shrinks), naive sampler, n = 10.
pub fn mean_drift_growing(c: &CheckContext, est: Estimator) -> Outcome {
    let mut s = setup(1, 5, 10, est, false);
    s.chain.schedule = Schedule::Linear;
    let p = theory::expected_mean_sq_error(Estimator::Mle, 1.0, &sizes(&s));
    mc(c, &s, chains(c), |m| m.mean_sq_error, p)
}

/// E σ_n = σ ∏ α(M_i) (Bertrand et al.), M = 10, n = 20.
pub fn mean_sd(c: &CheckContext, est: Estimator) -> Outcome {
    let s = setup(1, 10, 20, est, true);
    mc(
        c,
        &s,
        chains(c),
        |m| m.var.sqrt(),
        theory::expected_sd(Estimator::Unbiased, &sizes(&s)),
    )
}

/// Exact 1-D E W2² = Σ 1/M_i + 2(1 − ∏ α(M_i)), M = 20, n = 20.
pub fn w2_exact(c: &CheckContext, est: Estimator) -> Outcome {
    let s = setup(1, 20, 20, est, true);
    mc(
        c,
        &s,
        chains(c),
        |m| m.w2_sq,
        theory::expected_w2_sq(Estimator::Unbiased, &sizes(&s)),
    )
}

/// d-dimensional lower bound E W2² ≥ n tr Σ_0 / M (d = 4, M = 20, n = 10).
pub fn w2_lower_bound(c: &CheckContext, est: Estimator) -> Outcome {
    let s = setup(4, 20, 10, est, true);
    mc(
        c,
        &s,
        chains(c),
        |m| m.w2_sq,
        theory::w2_lower_bound(Estimator::Unbiased, 4.0, &sizes(&s)),
    )
    .bound(Relation::AtLeast)
}

/// A fraction of chains with a property, with its binomial standard error.
fn fraction(
    c: &CheckContext,
    s: &Setup,
    n: u64,
    f: impl Fn(&Metrics) -> bool + Sync,
) -> (f64, f64) {
    let hits: u64 = (0..n)
        .into_par_iter()
        .map(|r| u64::from(f(&final_metrics(s, &mut c.stream(r)))))
        .sum();
    let p = hits as f64 / n as f64;
    // Floor the standard error at that of one hit, so a fraction of exactly 0 or 1 is judged
    // with a non-zero tolerance.
    let q = p.clamp(1.0 / n as f64, 1.0 - 1.0 / n as f64);
    (p, (q * (1.0 - q) / n as f64).sqrt())
}

/// P(σ_n > ε) ≤ α(M)^n σ_0/ε (Markov on E σ_n), M = 100, n = 100, ε = 0.9.
pub fn collapse_markov(c: &CheckContext, est: Estimator) -> Outcome {
    let s = setup(1, 100, 100, est, true);
    let eps = 0.9;
    let (p, se) = fraction(c, &s, chains(c), |m| m.var.sqrt() > eps);
    Outcome::monte_carlo(theory::alpha(100.0).powi(100) / eps, p, se).bound(Relation::AtMost)
}

/// P(σ_k > ε) ≤ (σ_0/ε) exp(−k/(4M − 1)) (Suresh et al.), M = 10, k = 40, ε = 0.5.
pub fn collapse_suresh(c: &CheckContext, est: Estimator) -> Outcome {
    let s = setup(1, 10, 40, est, true);
    let eps = 0.5;
    let (p, se) = fraction(c, &s, chains(c), |m| m.var.sqrt() > eps);
    Outcome::monte_carlo((-40.0f64 / 39.0).exp() / eps, p, se).bound(Relation::AtMost)
}

/// The limit of E W2² under the quadratic schedule M_i = M(i+1)²: Σ_i 1/M_i + 2(1 − ∏_i α(M_i)),
/// summed until the terms vanish in double precision.
pub fn quadratic_w2_limit(m: f64) -> f64 {
    let (mut sum, mut log_prod) = (0.0, 0.0);
    for i in 0..2_000_000u64 {
        let mi = m * ((i + 1) * (i + 1)) as f64;
        sum += 1.0 / mi;
        log_prod += theory::ln_alpha(mi);
    }
    // Tail beyond 2e6 terms: Σ 1/(M k²) ≈ 1/(M·2e6), and ln α(M_i) ≈ −1/(4 M_i) likewise.
    let tail = 1.0 / (m * 2e6);
    sum + tail + 2.0 * (1.0 - (log_prod - tail / 4.0).exp())
}

/// With M_i = M(i+1)², Σ 1/M_i < ∞ and E W2² stays below its series limit (M = 10, n = 30).
pub fn growing_bounded(c: &CheckContext, schedule: Schedule) -> Outcome {
    let mut s = setup(1, 10, 30, Estimator::Unbiased, true);
    s.chain.schedule = schedule;
    let bound = quadratic_w2_limit(10.0);
    mc(c, &s, chains(c), |m| m.w2_sq, bound).bound(Relation::AtMost)
}

/// Accumulation with known variance: M·E μ̂_G² = Σ_{k≤G} 1/k² (G = 50, M = 20).
pub fn accumulate_pi2(c: &CheckContext, policy: Policy) -> Outcome {
    let mut s = setup(1, 20, 50, Estimator::MeanOnly, true);
    s.chain.policy = policy;
    mc(
        c,
        &s,
        chains(c),
        |m| 20.0 * m.mean_sq_error,
        theory::accumulate_ratio(50),
    )
}

/// Replacing with known variance: M·E μ̂_G² = G.
pub fn replace_linear(c: &CheckContext, policy: Policy) -> Outcome {
    let mut s = setup(1, 20, 50, Estimator::MeanOnly, true);
    s.chain.policy = policy;
    mc(c, &s, chains(c), |m| 20.0 * m.mean_sq_error, 50.0)
}

/// Two-sample KS between the exact and the naive sampler on (ln σ_n², μ_n) at generation n.
/// Tolerance: the KS critical value at α = 1e-7, c = √(−ln(α/2)/2), times √((n+m)/(nm)).
pub fn samplers_agree(c: &CheckContext, dim: usize, naive_estimator: Estimator) -> Outcome {
    let m = if dim == 1 { 10 } else { 3 }; // d = 3 with M = 3: the Wishart is singular (k < d).
    let exact = setup(dim, m, 8, Estimator::Unbiased, true);
    let naive = setup(dim, m, 8, naive_estimator, false);
    let n = c.pick(4_000u64, 40_000);
    let draw = |s: &Setup, salt: u64| -> Vec<Metrics> {
        (0..n)
            .into_par_iter()
            .map(|r| final_metrics(s, &mut c.stream(r + salt * n)))
            .collect()
    };
    let (a, c) = (draw(&exact, 0), draw(&naive, 1));
    let ks = |f: fn(&Metrics) -> f64| {
        let mut x: Vec<f64> = a.iter().map(f).collect();
        let mut y: Vec<f64> = c.iter().map(f).collect();
        ks_two_sample(&mut x, &mut y)
    };
    let d = ks(|m| m.log_var).max(ks(|m| m.mean_sq_error));
    let scale = (2.0 / n as f64).sqrt();
    // Two statistics are tested, so each at α/2 (Bonferroni).
    let crit = (-(1e-7f64 / 4.0).ln() / 2.0).sqrt();
    Outcome {
        predicted: 0.0,
        measured: d,
        std_error: scale,
        tolerance: crit * scale,
        relation: Relation::AtMost,
    }
}

/// Infinite-sample mode with the MLE: σ_n² = ((M−1)/M)^n exactly (the approximation error
/// alone), against the finite-sample closed form's mean.
pub fn infinite_mle(c: &CheckContext) -> Outcome {
    let mut s = setup(1, 10, 25, Estimator::Mle, true);
    s.chain.finite = false;
    let mut v = f64::NAN;
    s.run_one(&mut c.stream(0), |g, m| {
        if g == 25 {
            v = m.var;
        }
    })
    .expect("infinite mode runs");
    Outcome::exact(theory::expected_var(Estimator::Mle, &sizes(&s)), v, 1e-12)
}

/// E ln det Σ_n = n [Σ_{k<d} (ψ((M−1−k)/2) + ln 2) − d ln M] under the MLE, naive sampler,
/// d = 4, M = 10, n = 10 (the estimator of Kazdan et al.'s determinant plot).
pub fn log_det_drift(c: &CheckContext, est: Estimator) -> Outcome {
    let s = setup(4, 10, 10, est, false);
    mc(
        c,
        &s,
        chains(c),
        |m| m.log_det,
        theory::expected_log_det(Estimator::Mle, 4, &sizes(&s)),
    )
}

/// Far below double precision: M = 2 (1-D) for 2,000 generations, naive sampler, where σ²ₙ is
/// about e^{−2541} and `var` is 0; the mean of `log_var` still meets n[ψ(1/2) + ln 2].
/// `metric` is what the check reads from a generation (the real check reads `log_var`).
pub fn log_var_far_collapse(c: &CheckContext, metric: fn(&Metrics) -> f64) -> Outcome {
    let s = setup(1, 2, 2000, Estimator::Unbiased, false);
    mc(
        c,
        &s,
        c.pick(4_000, 40_000),
        metric,
        theory::expected_log_var(Estimator::Unbiased, &sizes(&s)),
    )
}

/// The same in d = 3 with M = 4 for 300 generations (naive sampler): E ln det Σ_n ≈ −1116,
/// and the covariance's directions drift apart by about e^{−600} (the Wishart's Lyapunov
/// spread), so no matrix in double precision holds it; the carried log-determinant does.
pub fn log_det_far_collapse(c: &CheckContext, metric: fn(&Metrics) -> f64) -> Outcome {
    let s = setup(3, 4, 300, Estimator::Unbiased, false);
    mc(
        c,
        &s,
        c.pick(2_000, 20_000),
        metric,
        theory::expected_log_det(Estimator::Unbiased, 3, &sizes(&s)),
    )
}

/// Infinite-sample mode, MLE, M = 2, n = 2000: ln σ²ₙ = −n ln 2 exactly, though σ²ₙ itself
/// underflowed to 0 at generation 1,075. `metric` as above.
pub fn infinite_mle_log(c: &CheckContext, metric: fn(&Metrics) -> f64) -> Outcome {
    let mut s = setup(1, 2, 2000, Estimator::Mle, true);
    s.chain.finite = false;
    let m = final_metrics(&s, &mut c.stream(0));
    Outcome::exact(-2000.0 * std::f64::consts::LN_2, metric(&m), 1e-12)
}

/// The registered checks.
pub fn checks() -> Vec<Check> {
    vec![
        Check::new(
            "gaussian.variance-unbiased",
            "Unbiased refitting: E sigma_n^2 = sigma_0^2 (the variance is a martingale); M = 20, n = 10",
            "Shumailov et al. 2024, Theorem 3.1 / SI 3.1.1",
            |c| variance_unbiased(c, Estimator::Unbiased),
        ),
        Check::new(
            "gaussian.variance-mle",
            "MLE refitting: E sigma_n^2 = ((M-1)/M)^n sigma_0^2; M = 20, n = 10",
            "Shumailov et al. 2024, SI 3.1; Kazdan et al. 2024",
            |c| variance_mle(c, Estimator::Mle),
        ),
        Check::new(
            "gaussian.log-variance-drift",
            "E ln sigma_n^2 = n [psi((M-1)/2) + ln(2/(M-1))] < 0, so sigma_n -> 0 a.s.; naive sampler, M = 10, n = 20",
            "Shumailov et al. 2024, Theorem 3.1 (a.s. collapse)",
            |c| log_drift(c, Estimator::Unbiased),
        ),
        Check::new(
            "gaussian.log-variance-drift-mle",
            "MLE: E ln sigma_n^2 = n [psi((M-1)/2) + ln(2/M)]; M = 10, n = 20",
            "Shumailov et al. 2024, SI 3.1 (MLE analogue)",
            |c| log_drift_mle(c, Estimator::Mle),
        ),
        Check::new(
            "gaussian.mean-drift",
            "E |mu_n - mu_0|^2 = n tr(Sigma_0)/M (unbiased, constant M); d = 3, M = 10, n = 10, Bartlett sampler",
            "Shumailov et al. 2024, SI 3.1.3",
            |c| mean_drift(c, Estimator::Unbiased),
        ),
        Check::new(
            "gaussian.mean-drift-growing",
            "E |mu_n - mu_0|^2 = sum_{i<n} E[tr Sigma_i]/M_i; MLE, M_i = 5(i+1), n = 10, naive sampler",
            "Shumailov et al. 2024, SI 3.1.1 (growing sample sizes)",
            |c| mean_drift_growing(c, Estimator::Mle),
        ),
        Check::new(
            "gaussian.mean-sd",
            "E sigma_n = sigma_0 prod alpha(M_i), alpha(M) = sqrt(2/(M-1)) Gamma(M/2)/Gamma((M-1)/2); M = 10, n = 20",
            "Bertrand et al. 2024, ICLR (Gaussian stability result)",
            |c| mean_sd(c, Estimator::Unbiased),
        ),
        Check::new(
            "gaussian.w2-exact-1d",
            "1-D: E W2^2 = sum 1/M_i + 2 (1 - prod alpha(M_i)) (approximately 3/2 sum 1/M_i); M = 20, n = 20",
            "Shumailov et al. 2024, SI eq. 6 (exact form derived in proofs/gaussian.md)",
            |c| w2_exact(c, Estimator::Unbiased),
        ),
        Check::new(
            "gaussian.w2-lower-bound",
            "d dimensions: E W2^2 >= n tr(Sigma_0)/M; d = 4, M = 20, n = 10",
            "Shumailov et al. 2024, Theorem 3.1 / SI 3.1.3",
            |c| w2_lower_bound(c, Estimator::Unbiased),
        ),
        Check::new(
            "gaussian.collapse-markov",
            "P(sigma_n > eps) <= alpha(M)^n sigma_0/eps; M = 100, n = 100, eps = 0.9",
            "Bertrand et al. 2024",
            |c| collapse_markov(c, Estimator::Unbiased),
        ),
        Check::new(
            "gaussian.collapse-suresh",
            "P(sigma_k > eps) <= (sigma_0/eps) exp(-k/(4M-1)); M = 10, k = 40, eps = 0.5",
            "Suresh, Thangaraj, Khandavally 2024, Gaussian theorem",
            |c| collapse_suresh(c, Estimator::Unbiased),
        ),
        Check::new(
            "gaussian.growing-bounded",
            "With M_i = M(i+1)^2 (sum 1/M_i finite) E W2^2 stays below its series limit sum 1/M_i + 2(1 - prod alpha(M_i)); M = 10, n = 30",
            "Shumailov et al. 2024, SI 3.1.1 (superlinear growth)",
            |c| growing_bounded(c, Schedule::Quadratic),
        ),
        Check::new(
            "gaussian.accumulate-pi2-6",
            "Accumulating with the variance known: Var(mu_G)/Var(mu_1) = sum_{k<=G} 1/k^2 < pi^2/6; G = 50, M = 20",
            "Gerstgrasser et al. 2024; Dey & Donoho 2024",
            |c| accumulate_pi2(c, Policy::Accumulate),
        ),
        Check::new(
            "gaussian.replace-mean-linear",
            "Replacing with the variance known: Var(mu_G)/Var(mu_1) = G; G = 50, M = 20",
            "Gerstgrasser et al. 2024",
            |c| replace_linear(c, Policy::Replace),
        ),
        Check::new(
            "gaussian.samplers-agree",
            "The exact (normal + chi-square) and naive samplers agree in law: two-sample KS on ln sigma_n^2 and mu_n^2, 1-D, M = 10, n = 8, alpha = 1e-7",
            "this workspace (sampler equivalence)",
            |c| samplers_agree(c, 1, Estimator::Unbiased),
        ),
        Check::new(
            "gaussian.samplers-agree-d",
            "The exact (Wishart, here singular: M - 1 < d) and naive samplers agree in law in d = 3: KS on ln(tr Sigma_n/d) and |mu_n|^2, M = 3, n = 8",
            "this workspace (sampler equivalence)",
            |c| samplers_agree(c, 3, Estimator::Unbiased),
        ),
        Check::new(
            "gaussian.log-det-drift",
            "MLE in d dimensions: E ln det Sigma_n = n [sum_{k<d} (psi((M-1-k)/2) + ln 2) - d ln M] (Bartlett: det W is a product of independent chi-squares); naive sampler, d = 4, M = 10, n = 10",
            "Kazdan et al. 2024 (determinant of the fitted covariance); exact form derived in proofs/gaussian.md",
            |c| log_det_drift(c, Estimator::Mle),
        ),
        Check::new(
            "gaussian.log-var-far-collapse",
            "Log space: with M = 2 (unbiased, 1-D, naive sampler) E ln sigma_n^2 = n [psi(1/2) + ln 2] = -2541 at n = 2000, where sigma_n^2 is below the smallest double",
            "Shumailov et al. 2024, Theorem 3.1; this workspace (exact arithmetic in log space)",
            |c| log_var_far_collapse(c, |m| m.log_var),
        ),
        Check::new(
            "gaussian.log-det-far-collapse",
            "Log space in d = 3: with M = 4 (unbiased, naive sampler) E ln det Sigma_n = n [sum_{k<3} psi((3-k)/2) + 3 ln 2 - 3 ln 3] = -1116 at n = 300, where det Sigma_n and the spread of its eigenvalues are beyond double precision",
            "this workspace (exact log-determinant through triangular products)",
            |c| log_det_far_collapse(c, |m| m.log_det),
        ),
        Check::new(
            "gaussian.infinite-mle-log-exact",
            "Infinite-sample mode, MLE, M = 2: ln sigma_n^2 = -n ln 2 exactly at n = 2000 (sigma_n^2 itself underflows at n = 1075)",
            "Shumailov et al. 2024, error sources (functional approximation); this workspace (log space)",
            |c| infinite_mle_log(c, |m| m.log_var),
        ),
        Check::new(
            "gaussian.infinite-mle-shrink",
            "Infinite-sample mode (no statistical error) with the MLE: sigma_n^2 = ((M-1)/M)^n exactly, the approximation error alone; M = 10, n = 25",
            "Shumailov et al. 2024, error sources (functional approximation)",
            infinite_mle,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::Budget;
    use collapse_core::check::{check_stream, validate_ids};

    /// The quick-budget context of check `id` (its own streams).
    fn q(id: &str) -> CheckContext {
        CheckContext::new(id, Budget::Quick)
    }

    /// With a schedule the infinite-sample MLE shrinks generation g by its own (M_g − 1)/M_g,
    /// and under accumulate by that of the whole pool: the sizes the finite chain would fit.
    #[test]
    fn infinite_mle_uses_each_generations_training_size() {
        for (policy, sizes) in [
            (Policy::Replace, [10.0, 20.0, 30.0, 40.0]),
            (Policy::Accumulate, [10.0, 30.0, 60.0, 100.0]),
        ] {
            let mut s = setup(1, 10, 4, Estimator::Mle, true);
            s.chain.finite = false;
            s.chain.schedule = Schedule::Linear;
            s.chain.policy = policy;
            let mut v = f64::NAN;
            s.run_one(&mut check_stream("t", 0), |g, m| {
                if g == 4 {
                    v = m.var;
                }
            })
            .unwrap();
            // Accumulate fits the pooled population, whose variance stays 1 only under
            // replace; compare the replace case exactly and the pooled case by its recursion.
            let expected = match policy {
                Policy::Replace => sizes.iter().map(|m| (m - 1.0) / m).product::<f64>(),
                _ => {
                    // v_{g+1} = f(P_g) · (Σ_{j≤g} M_j v_j) / P_g, all means 0.
                    let (mut vars, mut pool, mut weighted) = (vec![1.0], 0.0, 0.0);
                    for (g, &p) in sizes.iter().enumerate() {
                        let m = 10.0 * (g + 1) as f64;
                        weighted += m * vars[g];
                        pool += m;
                        assert_eq!(pool, p);
                        vars.push((p - 1.0) / p * weighted / pool);
                    }
                    vars[4]
                }
            };
            assert!(
                (v - expected).abs() < 1e-14,
                "{policy:?}: {v} vs {expected}"
            );
        }
    }

    #[test]
    fn every_check_passes_at_the_quick_budget() {
        let all = checks();
        validate_ids(&all, "gaussian.").unwrap();
        for c in all {
            let o = c.run(Budget::Quick);
            assert!(o.as_ref().is_ok_and(|o| o.pass()), "{}: {o:?}", c.id);
        }
    }

    #[test]
    fn wrong_formulas_fail() {
        // The MLE rate for the unbiased chain, and vice versa.
        let o = variance_unbiased(&q("gaussian.variance-unbiased"), Estimator::Unbiased);
        assert!(
            !o.with_prediction(theory::expected_var(Estimator::Mle, &[20.0; 10]))
                .pass()
        );
        let o = variance_mle(&q("gaussian.variance-mle"), Estimator::Mle);
        assert!(!o.with_prediction(1.0).pass());
        // First-order drift −n/M instead of the digamma form; the unbiased drift for the MLE.
        assert!(
            !log_drift(&q("gaussian.log-variance-drift"), Estimator::Unbiased)
                .with_prediction(-20.0 / 10.0)
                .pass()
        );
        assert!(
            !log_drift_mle(&q("gaussian.log-variance-drift-mle"), Estimator::Mle)
                .with_prediction(theory::expected_log_var(Estimator::Unbiased, &[10.0; 20]))
                .pass()
        );
        // n tr Σ/(M − 1) instead of n tr Σ/M.
        assert!(
            !mean_drift(&q("gaussian.mean-drift"), Estimator::Unbiased)
                .with_prediction(3.0 * 10.0 / 9.0)
                .pass()
        );
        // Ignoring the MLE's shrinking trace.
        let wrong: f64 = (0..10).map(|i| 1.0 / (5.0 * (i + 1) as f64)).sum();
        assert!(
            !mean_drift_growing(&q("gaussian.mean-drift-growing"), Estimator::Mle)
                .with_prediction(wrong)
                .pass()
        );
        // The median's decay exp(n E ln S / 2) instead of ∏ α.
        let median = (0.5 * theory::expected_log_var(Estimator::Unbiased, &[10.0; 20])).exp();
        assert!(
            !mean_sd(&q("gaussian.mean-sd"), Estimator::Unbiased)
                .with_prediction(median)
                .pass()
        );
        // Only the mean term n/M.
        assert!(
            !w2_exact(&q("gaussian.w2-exact-1d"), Estimator::Unbiased)
                .with_prediction(1.0)
                .pass()
        );
        // An over-claimed lower bound, three times the true one.
        assert!(
            !w2_lower_bound(&q("gaussian.w2-lower-bound"), Estimator::Unbiased)
                .with_prediction(6.0)
                .pass()
        );
        // Harmonic instead of Σ 1/k².
        assert!(
            !accumulate_pi2(&q("gaussian.accumulate-pi2-6"), Policy::Accumulate)
                .with_prediction((1..=50).map(|k| 1.0 / k as f64).sum())
                .pass()
        );
        assert!(
            !replace_linear(&q("gaussian.replace-mean-linear"), Policy::Replace)
                .with_prediction(theory::accumulate_ratio(50))
                .pass()
        );
        // d copies of the 1-D drift: Bartlett's decreasing degrees of freedom ignored.
        let one_d = 4.0 * theory::expected_log_var(Estimator::Mle, &[10.0; 10]);
        assert!(
            !log_det_drift(&q("gaussian.log-det-drift"), Estimator::Mle)
                .with_prediction(one_d)
                .pass()
        );
        // ln E det in place of E ln det (Jensen's gap: the mean is carried by rare chains).
        let log_mean = theory::log_expected_det(Estimator::Mle, 4, &[10.0; 10]);
        assert!(
            !log_det_drift(&q("gaussian.log-det-drift"), Estimator::Mle)
                .with_prediction(log_mean)
                .pass()
        );
        // ln E σ² (= 0, the martingale) in place of E ln σ².
        assert!(
            !log_var_far_collapse(&q("gaussian.log-var-far-collapse"), |m| m.log_var)
                .with_prediction(0.0)
                .pass()
        );
        assert!(
            !log_det_far_collapse(&q("gaussian.log-det-far-collapse"), |m| m.log_det)
                .with_prediction(theory::log_expected_det(
                    Estimator::Unbiased,
                    3,
                    &[4.0; 300]
                ))
                .pass()
        );
        // One generation fewer: an off-by-one in the recursion.
        assert!(
            !infinite_mle_log(&q("gaussian.infinite-mle-log-exact"), |m| m.log_var)
                .with_prediction(-1999.0 * std::f64::consts::LN_2)
                .pass()
        );
        // A shrink of (M−1)/M per generation missed.
        assert!(
            !infinite_mle(&q("gaussian.infinite-mle-shrink"))
                .with_prediction(1.0)
                .pass()
        );
    }

    #[test]
    fn wrong_code_fails() {
        // A chain that never refits its variance does not collapse: the bounds must fail.
        assert!(!collapse_markov(&q("gaussian.collapse-markov"), Estimator::MeanOnly).pass());
        assert!(!collapse_suresh(&q("gaussian.collapse-suresh"), Estimator::MeanOnly).pass());
        // A constant schedule is not bounded.
        assert!(!growing_bounded(&q("gaussian.growing-bounded"), Schedule::Constant).pass());
        // Running the MLE chain where the unbiased one is claimed.
        assert!(!variance_unbiased(&q("gaussian.variance-unbiased"), Estimator::Mle).pass());
        assert!(!w2_exact(&q("gaussian.w2-exact-1d"), Estimator::Mle).pass());
        // The unbiased chain where the MLE is claimed (a factor (M−1)/M per direction and
        // generation).
        assert!(!log_det_drift(&q("gaussian.log-det-drift"), Estimator::Unbiased).pass());
        // Logs taken of the variance itself, which underflows: −∞ in place of the exact value.
        assert!(!log_var_far_collapse(&q("gaussian.log-var-far-collapse"), |m| m.var.ln()).pass());
        assert!(
            !log_det_far_collapse(&q("gaussian.log-det-far-collapse"), |m| 3.0 * m.var.ln()).pass()
        );
        assert!(!infinite_mle_log(&q("gaussian.infinite-mle-log-exact"), |m| m.var.ln()).pass());
        // Accumulation measured on a replace chain.
        assert!(!accumulate_pi2(&q("gaussian.accumulate-pi2-6"), Policy::Replace).pass());
        // A naive sampler with the wrong estimator differs in law from the exact one.
        assert!(!samplers_agree(&q("gaussian.samplers-agree"), 1, Estimator::Mle).pass());
        assert!(!samplers_agree(&q("gaussian.samplers-agree-d"), 3, Estimator::Mle).pass());
    }

    #[test]
    fn quadratic_limit_against_a_direct_partial_sum() {
        // The limit exceeds every partial value and the partial value at n = 2000 is within the
        // tail estimate of it.
        let partial = |n: usize| {
            let s: Vec<f64> = (0..n).map(|i| 10.0 * ((i + 1) * (i + 1)) as f64).collect();
            theory::expected_w2_sq(Estimator::Unbiased, &s)
        };
        let lim = quadratic_w2_limit(10.0);
        assert!(partial(30) < lim && partial(2000) < lim);
        assert!(lim - partial(2000) < 1.5 / (10.0 * 2000.0));
    }
}
