//! Every theorem of the family as a registered check. The Monte Carlo checks run the real chain
//! (the core loop over [`LatentFamily`], this crate's samplers and fits) and compare with the
//! closed form within `Z` standard errors; the deterministic ones compare two independent
//! computations.

use crate::data::RealDigits;
use crate::family::{Estimator, Fit, Generation, LatentFamily, Sampler};
use crate::linalg::{Spectrum, frechet};
use crate::model::LinearGaussian;
use crate::{ppca, theory, vae};
use collapse_core::chain::ChainConfig;
use collapse_core::stats::ks_two_sample;
use collapse_core::{Check, CheckContext, Outcome, Policy, Relation, Rng, Schedule, run_chain};
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;
use std::sync::Arc;

/// The latent dimension of the pPCA checks (the paper's VAE has 20).
pub const Q: usize = 20;

/// The closed-form family with `q` latents, the estimator and the sampler given, whose
/// generation 0 is `start` (the real digits when `None`).
pub fn family(
    q: usize,
    estimator: Estimator,
    sampler: Sampler,
    start: Option<Arc<LinearGaussian>>,
) -> LatentFamily {
    LatentFamily {
        real: RealDigits::builtin(),
        latent: q,
        fit: Fit::Ppca(estimator),
        sampler,
        init_seed: 0,
        start,
    }
}

/// The closed-form fit with `q` latents to all the real digits (unbiased covariance): the
/// generation every pPCA chain of the experiment starts from at M = N.
pub fn origin(q: usize) -> Arc<LinearGaussian> {
    let r = RealDigits::builtin();
    Arc::new(ppca::fit_spectrum(&r.mean, &r.spectrum, q))
}

/// The model of generation `n` of a replace chain of `family` with `m` images per generation.
pub fn final_model(family: &LatentFamily, m: usize, n: u64, rng: &mut Rng) -> Arc<LinearGaussian> {
    let mut last = None;
    run_chain(
        family,
        &ChainConfig::replace(m, n),
        rng,
        |g, generation: &Generation| {
            if g == n {
                last = generation.model().cloned();
            }
        },
    )
    .expect("replace chains always run");
    last.expect("the loop observes the last generation, a fitted model")
}

/// The rank of the real digits' covariance (61).
fn rank() -> usize {
    RealDigits::builtin().rank()
}

/// Images per generation and generations of the full-covariance (Wishart) checks; `M − 1` must
/// exceed the rank 61 by enough that the smallest eigenvalue stays far above round-off.
pub const FULL_M: usize = 300;
/// Generations of the full-covariance checks.
pub const FULL_N: u64 = 5;

/// `q = d`: `E ln pdet Cₙ − ln pdet C₀ = n [Σ_{i<r} ψ((M−1−i)/2) + r ln(2/(M−1))]` on the rank-r
/// support, from `C₀ = S`.
pub fn full_log_det_drift(c: &CheckContext, predicted_step: f64) -> Outcome {
    let r = rank();
    let start = Arc::new(ppca::fit_spectrum(
        &RealDigits::builtin().mean,
        &RealDigits::builtin().spectrum,
        64,
    ));
    let base = start.log_det_top(r);
    let f = family(64, Estimator::Unbiased, Sampler::Exact, Some(start));
    let (mean, se) = c.monte_carlo(c.pick(1_000, 10_000), |rng| {
        final_model(&f, FULL_M, FULL_N, rng).log_det_top(r) - base
    });
    Outcome::monte_carlo(FULL_N as f64 * predicted_step, mean, se)
}

/// The drift of [`full_log_det_drift`] per generation.
pub fn full_log_det_step() -> f64 {
    theory::log_det_step(FULL_M as f64, rank())
}

/// `E tr Cₙ = tr C₀` for the chain of `family` (M images, n generations).
fn trace_martingale(c: &CheckContext, f: &LatentFamily, m: usize, n: u64) -> Outcome {
    let tr0 = f.start.as_ref().expect("a started family").trace();
    let (mean, se) = c.monte_carlo(c.pick(1_000, 10_000), |rng| {
        final_model(f, m, n, rng).trace()
    });
    Outcome::monte_carlo(tr0, mean, se)
}

/// `q = d`: the trace of the Wishart chain is a martingale under the unbiased estimator.
pub fn full_trace_martingale(c: &CheckContext, estimator: Estimator) -> Outcome {
    let f = family(64, estimator, Sampler::Exact, Some(origin(64)));
    trace_martingale(c, &f, FULL_M, FULL_N)
}

/// Images and generations of the pPCA chain checks.
pub const PPCA_M: usize = 200;
/// Generations of the pPCA chain checks.
pub const PPCA_N: u64 = 5;

/// `q = 20`: the pPCA fit keeps the sample trace, so the trace is a martingale too.
pub fn ppca_trace_martingale(c: &CheckContext, estimator: Estimator) -> Outcome {
    let f = family(Q, estimator, Sampler::Exact, Some(origin(Q)));
    trace_martingale(c, &f, PPCA_M, PPCA_N)
}

/// `q = 20`: `E‖cₙ − c₀‖² = Σ_{i<n} E tr Cᵢ / M = n tr C₀ / M`.
pub fn ppca_mean_drift(c: &CheckContext, estimator: Estimator) -> Outcome {
    let start = origin(Q);
    let c0 = start.mean.clone();
    let predicted = PPCA_N as f64 * start.trace() / PPCA_M as f64;
    let f = family(Q, estimator, Sampler::Exact, Some(start));
    let (mean, se) = c.monte_carlo(c.pick(1_000, 10_000), |rng| {
        (&final_model(&f, PPCA_M, PPCA_N, rng).mean - &c0).norm_squared()
    });
    Outcome::monte_carlo(predicted, mean, se)
}

/// Images per generation of the first-order σ² check: the real data's size, where the
/// `O(M⁻²)` remainder is far below the full budget's standard error (`proofs/latent.md`).
pub const FIRST_ORDER_M: usize = 1797;

/// `E σ²₁` one generation after the pPCA fit to the real digits, measured.
pub fn sigma2_one_generation(c: &CheckContext, estimator: Estimator) -> (f64, f64) {
    let f = family(Q, estimator, Sampler::Exact, Some(origin(Q)));
    c.monte_carlo(c.pick(2_000, 20_000), |rng| {
        final_model(&f, FIRST_ORDER_M, 1, rng).noise
    })
}

/// The first-order prediction `σ²₀ [1 − (1/(M−1)) Σ_{k≤q} λ_k/(λ_k − σ²₀)]`.
pub fn sigma2_first_order_prediction() -> f64 {
    let g0 = origin(Q);
    let top: Vec<f64> = g0.spectrum.values.iter().take(Q).copied().collect();
    theory::sigma2_next_first_order(&top, g0.noise, FIRST_ORDER_M as f64)
}

/// The one-generation check of the expected discarded variance.
pub fn sigma2_first_order(c: &CheckContext, estimator: Estimator) -> Outcome {
    let (mean, se) = sigma2_one_generation(c, estimator);
    Outcome::monte_carlo(sigma2_first_order_prediction(), mean, se)
}

/// Generations of the supermartingale check (M = [`PPCA_M`]).
pub const SUPER_N: u64 = 3;

/// `E σ²ₙ ≤ σ²₀` (Ky Fan: the sum of the q largest eigenvalues is convex, so it grows in
/// expectation and the discarded variance shrinks), against `bound × σ²₀`.
pub fn sigma2_supermartingale(c: &CheckContext, bound: f64) -> Outcome {
    let start = origin(Q);
    let s0 = start.noise;
    let f = family(Q, Estimator::Unbiased, Sampler::Exact, Some(start));
    let (mean, se) = c.monte_carlo(c.pick(1_000, 10_000), |rng| {
        final_model(&f, PPCA_M, SUPER_N, rng).noise
    });
    Outcome::monte_carlo(bound * s0, mean, se).bound(Relation::AtMost)
}

/// Generations of the fixed-point check.
pub const FIXED_N: u64 = 30;

/// The infinite-sample chain of every policy stays at generation 0 (every pPCA model is a fixed
/// point of the population map, and so is the fit to the real digits under `mix` and the
/// accumulating policies): the largest relative Frobenius distance of `Cₙ` (and of `cₙ`) to
/// generation 0's over 30 generations.
pub fn fixed_point(c: &CheckContext, estimator: Estimator) -> Outcome {
    let f = family(Q, estimator, Sampler::Exact, None);
    let mut worst: f64 = 0.0;
    for policy in [
        Policy::Replace,
        Policy::Accumulate,
        Policy::AccumulateSubsample,
        Policy::Mix { real_fraction: 0.1 },
    ] {
        let cfg = ChainConfig {
            generations: FIXED_N + 1,
            samples: 1797,
            schedule: Schedule::Constant,
            policy,
            finite: false,
        };
        let mut first: Option<(DMatrix<f64>, DVector<f64>)> = None;
        run_chain(&f, &cfg, &mut c.stream(0), |_, g: &Generation| {
            if let Some(m) = g.model() {
                let cov = m.covariance();
                match &first {
                    None => first = Some((cov, m.mean.clone())),
                    Some((c0, m0)) => {
                        let dc = (&cov - c0).norm() / c0.norm();
                        let dm = (&m.mean - m0).norm() / m0.norm();
                        worst = worst.max(dc).max(dm);
                    }
                }
            }
        })
        .expect("the infinite-sample mode runs for every policy");
    }
    Outcome::exact(0.0, worst, 1e-12)
}

/// Expressivity alone: the infinite-sample chain's Fréchet distance to the real digits, by the
/// matrix square roots of [`frechet`], against `Σ_{k>q} (σ − √λ_k)²` (the fit and `S` share
/// eigenvectors), at generation 0 and after 10 generations, to 1e-12.
pub fn expressivity_frechet(c: &CheckContext, q: usize) -> Outcome {
    let r = RealDigits::builtin();
    let f = family(q, Estimator::Unbiased, Sampler::Exact, None);
    let cfg = ChainConfig {
        finite: false,
        ..ChainConfig::replace(1797, 11)
    };
    let mut measured: Vec<f64> = Vec::new();
    run_chain(&f, &cfg, &mut c.stream(0), |_, g: &Generation| {
        if let Some(m) = g.model() {
            measured.push(frechet(
                &m.mean,
                &m.factor(),
                &r.mean,
                &r.cov_sqrt,
                r.cov.trace(),
            ));
        }
    })
    .expect("the infinite-sample mode runs");
    let predicted = expressivity_frechet_prediction(q);
    // Judge the farther of the first and the last generation.
    let far = [measured[0], measured[measured.len() - 1]]
        .into_iter()
        .max_by(|a, b| (a - predicted).abs().total_cmp(&(b - predicted).abs()))
        .unwrap_or(f64::NAN);
    Outcome::exact(predicted, far, 1e-12)
}

/// `Σ_{k>q} (√σ² − √λ_k)²` for the pPCA fit with `q` latents to the real digits.
pub fn expressivity_frechet_prediction(q: usize) -> f64 {
    let r = RealDigits::builtin();
    let g0 = ppca::fit_spectrum(&r.mean, &r.spectrum, q);
    theory::frechet_commuting(
        1.0,
        g0.spectrum.values.as_slice(),
        r.spectrum.values.as_slice(),
    )
}

/// The MLE covariance of the real digits (what the ELBO's average over them sees).
fn real_mle() -> (DVector<f64>, DMatrix<f64>) {
    let r = RealDigits::builtin();
    (r.mean.clone(), &r.scatter / r.len() as f64)
}

/// The ELBO at the closed-form pPCA point (decoder, and the exact diagonal posterior as the
/// encoder), rotated in latent space by `angle` radians in the plane of latents 0 and 1
/// (0: the pPCA point itself).
pub fn elbo_at_ppca(angle: f64) -> f64 {
    let (m, s) = real_mle();
    let model = ppca::fit(&m, &s, Q);
    let mut p = vae::from_ppca(&model);
    if angle != 0.0 {
        // W → W R, V → Rᵀ V: the same decoder distribution and posterior mean, but the exact
        // posterior is no longer diagonal, so the diagonal encoder pays for it.
        let (cs, sn) = (angle.cos(), angle.sin());
        let mut rot = DMatrix::identity(Q, Q);
        rot[(0, 0)] = cs;
        rot[(0, 1)] = -sn;
        rot[(1, 0)] = sn;
        rot[(1, 1)] = cs;
        p.w = &p.w * &rot;
        p.v = rot.transpose() * &p.v;
        p.b = rot.transpose() * &p.b;
        let mut var = p.log_var.map(f64::exp);
        let (a, b) = (var[0], var[1]);
        var[0] = cs * cs * a + sn * sn * b;
        var[1] = sn * sn * a + cs * cs * b;
        p.log_var = var.map(f64::ln);
    }
    vae::elbo(&p, &m, &s)
}

/// The Gaussian log-likelihood of the pPCA fit to the real digits (MLE covariance), by its
/// Cholesky factor: what the ELBO at the pPCA point must equal.
pub fn ppca_log_likelihood() -> f64 {
    let (m, s) = real_mle();
    ppca::gaussian_log_likelihood(&ppca::fit(&m, &s, Q), &m, &s)
}

/// The ELBO is tight at the pPCA optimum: `ELBO(pPCA point) = log-likelihood` (so, as the ELBO
/// never exceeds the likelihood, the pPCA MLE is the ELBO's global maximum).
pub fn elbo_tight(c: &CheckContext, angle: f64) -> Outcome {
    let _ = c;
    Outcome::exact(ppca_log_likelihood(), elbo_at_ppca(angle), 1e-10)
}

/// The largest component of the ELBO's gradient at the pPCA point of the covariance `s`,
/// evaluated on the data's MLE covariance.
pub fn elbo_gradient_at(fit_to: &DMatrix<f64>) -> f64 {
    let (m, s) = real_mle();
    let model = ppca::fit(&m, fit_to, Q);
    vae::elbo_and_gradient(&vae::from_ppca(&model), &m, &s)
        .1
        .max_abs()
}

/// The pPCA point is a stationary point of the ELBO (Lucas et al. 2019): its gradient vanishes.
pub fn elbo_stationary(c: &CheckContext, unbiased: bool) -> Outcome {
    let _ = c;
    let r = RealDigits::builtin();
    let fit_to = if unbiased {
        r.cov.clone()
    } else {
        &r.scatter / r.len() as f64
    };
    Outcome::exact(0.0, elbo_gradient_at(&fit_to), 1e-8)
}

/// Adam budgets of the bound check.
pub const BOUND_STEPS: [usize; 4] = [10, 100, 1000, 3000];

/// `ELBO(θ) ≤ max log-likelihood` for linear VAEs trained by Adam with every budget of
/// [`BOUND_STEPS`]: the largest `ELBO − max ll` (or, with `drop_kl`, the largest reconstruction
/// term alone, which is not a bound).
pub fn elbo_bound(c: &CheckContext, drop_kl: bool) -> Outcome {
    let (m, s) = real_mle();
    let best = ppca::max_log_likelihood(&Spectrum::of(&s).values, Q);
    let excess = BOUND_STEPS
        .par_iter()
        .map(|&steps| {
            let mut p = vae::VaeParams::init(64, Q, &mut c.stream(steps as u64));
            vae::ascend(
                &mut p,
                &m,
                &s,
                vae::Adam {
                    steps,
                    learning_rate: 0.01,
                },
            );
            let mut value = vae::elbo(&p, &m, &s);
            if drop_kl {
                value += vae_kl(&p, &m, &s);
            }
            value - best
        })
        .reduce(|| f64::NEG_INFINITY, f64::max);
    Outcome::exact(0.0, excess, 1e-9).bound(Relation::AtMost)
}

/// The KL term of the ELBO at `p` (≥ 0), for the wrong-code test of [`elbo_bound`].
fn vae_kl(p: &vae::VaeParams, m: &DVector<f64>, s: &DMatrix<f64>) -> f64 {
    let q = p.b.len() as f64;
    let ubar = &p.v * m + &p.b;
    let code = (&p.v * s * p.v.transpose()).trace() + ubar.norm_squared();
    0.5 * (p.log_var.map(f64::exp).sum() + code - q - p.log_var.sum())
}

/// Images, generations and chains of the sampler-agreement check.
const AGREE_M: usize = 100;
const AGREE_N: u64 = 2;

/// The exact (normal mean, Wishart scatter) and naive (every image) samplers agree in law:
/// two-sample KS on `σ²ₙ` and `tr Cₙ` at n = 2 (M = 100, q = 20), at α = 1e-7.
pub fn samplers_agree(c: &CheckContext, naive_estimator: Estimator) -> Outcome {
    let start = origin(Q);
    let exact = family(Q, Estimator::Unbiased, Sampler::Exact, Some(start.clone()));
    let naive = family(Q, naive_estimator, Sampler::Naive, Some(start));
    let n = c.pick(1_500u64, 15_000);
    let draw = |f: &LatentFamily, salt: u64| -> Vec<(f64, f64)> {
        (0..n)
            .into_par_iter()
            .map(|r| {
                let g = final_model(f, AGREE_M, AGREE_N, &mut c.stream(r + salt * n));
                (g.noise, g.trace())
            })
            .collect()
    };
    let (a, b) = (draw(&exact, 0), draw(&naive, 1));
    let ks = |pick: fn(&(f64, f64)) -> f64| {
        let mut x: Vec<f64> = a.iter().map(pick).collect();
        let mut y: Vec<f64> = b.iter().map(pick).collect();
        ks_two_sample(&mut x, &mut y)
    };
    let d = ks(|p| p.0).max(ks(|p| p.1));
    let scale = (2.0 / n as f64).sqrt();
    // Two statistics, each at α/2 (Bonferroni).
    let crit = (-(1e-7f64 / 4.0).ln() / 2.0).sqrt();
    Outcome {
        predicted: 0.0,
        measured: d,
        std_error: scale,
        tolerance: crit * scale,
        relation: Relation::AtMost,
    }
}

/// Real images of the finite-population check.
pub const SUBSAMPLE_M: usize = 500;

/// Generation 0 fitted to `M < N` real images drawn without replacement:
/// `E‖c₀ − m‖² = tr S (N − M)/(N M)` (with `population` = N; a wrong N tests the correction).
pub fn real_subsample_mean(c: &CheckContext, population: usize) -> Outcome {
    let r = RealDigits::builtin();
    let f = family(Q, Estimator::Unbiased, Sampler::Exact, None);
    let predicted = theory::replace_moments(true, r.cov.trace(), population, &[SUBSAMPLE_M])[0].1;
    let (mean, se) = c.monte_carlo(c.pick(2_000, 20_000), |rng| {
        (&final_model(&f, SUBSAMPLE_M, 1, rng).mean - &r.mean).norm_squared()
    });
    Outcome::monte_carlo(predicted, mean, se)
}

/// The registered checks.
pub fn checks() -> Vec<Check> {
    vec![
        Check::new(
            "latent.full-log-det-drift",
            "q = d (full covariance, unbiased, replace): E ln pdet C_n - ln pdet C_0 = n [sum_{i<r} psi((M-1-i)/2) + r ln(2/(M-1))] on the rank-r support of the real digits (r = 61); M = 300, n = 5",
            "Shumailov et al. 2024, Theorem 3.1 in d dimensions (Wishart chain); proofs/latent.md",
            |c| full_log_det_drift(c, full_log_det_step()),
        ),
        Check::new(
            "latent.full-trace-martingale",
            "q = d (full covariance, unbiased, replace): E tr C_n = tr C_0 = tr S; M = 300, n = 5",
            "Shumailov et al. 2024, SI 3.1 (martingale) in d dimensions",
            |c| full_trace_martingale(c, Estimator::Unbiased),
        ),
        Check::new(
            "latent.ppca-trace-martingale",
            "pPCA, q = 20 (unbiased, replace): the fit keeps the sample trace, so E tr C_n = tr C_0; M = 200, n = 5",
            "Tipping & Bishop 1999 (pPCA MLE); proofs/latent.md",
            |c| ppca_trace_martingale(c, Estimator::Unbiased),
        ),
        Check::new(
            "latent.ppca-mean-drift",
            "pPCA, q = 20 (unbiased, replace): E |c_n - c_0|^2 = n tr C_0 / M; M = 200, n = 5",
            "Shumailov et al. 2024, SI 3.1.3 (mean random walk); proofs/latent.md",
            |c| ppca_mean_drift(c, Estimator::Unbiased),
        ),
        Check::new(
            "latent.ppca-sigma2-first-order",
            "pPCA, q = 20: one generation after the fit to the real digits, E sigma_1^2 = sigma_0^2 [1 - (1/(M-1)) sum_{k<=q} lambda_k/(lambda_k - sigma_0^2)] + O(M^-2); M = 1797",
            "second-order perturbation of the Ky Fan sum (proofs/latent.md)",
            |c| sigma2_first_order(c, Estimator::Unbiased),
        ),
        Check::new(
            "latent.ppca-sigma2-supermartingale",
            "pPCA, q = 20 (unbiased, replace): E sigma_n^2 <= sigma_0^2 (the sum of the q largest eigenvalues is convex); M = 200, n = 3",
            "Ky Fan's maximum principle and Jensen (proofs/latent.md)",
            |c| sigma2_supermartingale(c, 1.0),
        ),
        Check::new(
            "latent.fixed-point",
            "Infinite-sample mode, pPCA q = 20, unbiased: every generation equals generation 0 under replace, accumulate, accumulate-subsample and mix 10% (every pPCA model, and the fit to the real digits, is a fixed point); 30 generations, relative error <= 1e-12",
            "this workspace (proofs/latent.md)",
            |c| fixed_point(c, Estimator::Unbiased),
        ),
        Check::new(
            "latent.expressivity-frechet",
            "Expressivity alone (infinite samples, pPCA q = 20): the Frechet distance to the real digits is sum_{k>q} (sigma - sqrt(lambda_k))^2 at generation 0 and stays there (expressivity strikes once)",
            "Shumailov et al. 2024, error sources; proofs/latent.md",
            |c| expressivity_frechet(c, Q),
        ),
        Check::new(
            "latent.elbo-tight-at-ppca",
            "The linear VAE's ELBO at the pPCA MLE (orthogonal-column decoder, exact diagonal posterior) equals the pPCA log-likelihood of the real digits, so the pPCA MLE is the ELBO's global maximum; q = 20",
            "Lucas, Tucker, Grosse & Norouzi 2019, 'Don't blame the ELBO!', section 4",
            |c| elbo_tight(c, 0.0),
        ),
        Check::new(
            "latent.elbo-stationary-at-ppca",
            "The ELBO's gradient (all of W, V, b, c, ln sigma^2, ln D) vanishes at the pPCA MLE of the data it averages over; q = 20, real digits",
            "Lucas et al. 2019, section 4 (stationary points of the linear VAE)",
            |c| elbo_stationary(c, false),
        ),
        Check::new(
            "latent.elbo-bound",
            "Linear VAEs trained by 10, 100, 1000 and 3000 Adam steps on the real digits never exceed the pPCA maximum log-likelihood (ELBO <= log p <= max log p); q = 20",
            "Kingma & Welling 2014 (the ELBO bound); Tipping & Bishop 1999",
            |c| elbo_bound(c, false),
        ),
        Check::new(
            "latent.samplers-agree",
            "The exact (normal mean, Bartlett-Wishart scatter) and naive (every image) samplers agree in law: two-sample KS on sigma_n^2 and tr C_n, pPCA q = 20, M = 100, n = 2, alpha = 1e-7",
            "this workspace (sampler equivalence)",
            |c| samplers_agree(c, Estimator::Unbiased),
        ),
        Check::new(
            "latent.real-subsample-mean",
            "Generation 0 fitted to M < N real digits drawn without replacement: E |c_0 - m|^2 = tr S (N - M)/(N M); M = 500, N = 1797",
            "finite-population sampling (Cochran, Sampling Techniques, 1977, ch. 2)",
            |c| real_subsample_mean(c, 1797),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::Budget;
    use collapse_core::check::validate_ids;

    /// The quick-budget context of check `id` (its own streams).
    fn q(id: &str) -> CheckContext {
        CheckContext::new(id, Budget::Quick)
    }

    #[test]
    fn every_check_passes_at_the_quick_budget() {
        let all = checks();
        validate_ids(&all, "latent.").unwrap();
        for c in all {
            let o = c.run(Budget::Quick);
            assert!(o.as_ref().is_ok_and(|o| o.pass()), "{}: {o:?}", c.id);
        }
    }

    #[test]
    fn wrong_predictions_fail() {
        // The 1-D drift r times, and a second-order-free drift −r(r+1)/(2(M−1)).
        let r = 61.0;
        let id = "latent.full-log-det-drift";
        let one_d = r * theory::log_det_step(FULL_M as f64, 1);
        assert!(!full_log_det_drift(&q(id), one_d).pass());
        let naive = -r * (r + 1.0) / (2.0 * (FULL_M as f64 - 1.0));
        assert!(!full_log_det_drift(&q(id), naive).pass());
        // The MLE's shrinking trace where the unbiased one is a martingale.
        let o = full_trace_martingale(&q("latent.full-trace-martingale"), Estimator::Unbiased);
        let mle = o.predicted * ((FULL_M as f64 - 1.0) / FULL_M as f64).powi(FULL_N as i32);
        assert!(!o.with_prediction(mle).pass());
        let o = ppca_trace_martingale(&q("latent.ppca-trace-martingale"), Estimator::Unbiased);
        let mle = o.predicted * ((PPCA_M as f64 - 1.0) / PPCA_M as f64).powi(PPCA_N as i32);
        assert!(!o.with_prediction(mle).pass());
        // One generation's drift tr C₀/M, as if the walk stopped.
        let o = ppca_mean_drift(&q("latent.ppca-mean-drift"), Estimator::Unbiased);
        assert!(!o.with_prediction(o.predicted / PPCA_N as f64).pass());
        // No shrink at all, and the shrink q/(M−1) that ignores λ/(λ − σ²).
        let id = "latent.ppca-sigma2-first-order";
        let o = sigma2_first_order(&q(id), Estimator::Unbiased);
        let s0 = origin(Q).noise;
        assert!(!o.with_prediction(s0).pass());
        assert!(!o.with_prediction(s0 * (1.0 - Q as f64 / 1796.0)).pass());
        // A bound below what three generations reach.
        assert!(!sigma2_supermartingale(&q("latent.ppca-sigma2-supermartingale"), 0.6).pass());
        // The discarded variance (a trace lost, not a distance), and no distance at all.
        let o = expressivity_frechet(&q("latent.expressivity-frechet"), Q);
        let r = RealDigits::builtin();
        let tail: f64 = r.spectrum.values.iter().skip(Q).sum();
        assert!(!o.with_prediction(tail).pass());
        assert!(!o.with_prediction(0.0).pass());
        // Finite population ignored: tr S/M, as a draw with replacement would give.
        let o = real_subsample_mean(&q("latent.real-subsample-mean"), 1797);
        assert!(!o.with_prediction(r.cov.trace() / SUBSAMPLE_M as f64).pass());
        assert!(!real_subsample_mean(&q("latent.real-subsample-mean"), 1_000_000).pass());
    }

    #[test]
    fn wrong_code_fails() {
        // A fit whose covariance shrinks (the MLE) is not a fixed point.
        assert!(!fixed_point(&q("latent.fixed-point"), Estimator::Mle).pass());
        // The MLE chain where the unbiased one is claimed.
        assert!(!full_trace_martingale(&q("latent.full-trace-martingale"), Estimator::Mle).pass());
        assert!(!ppca_trace_martingale(&q("latent.ppca-trace-martingale"), Estimator::Mle).pass());
        // A rotated decoder has the same likelihood, but a diagonal encoder cannot follow it.
        assert!(!elbo_tight(&q("latent.elbo-tight-at-ppca"), 0.3).pass());
        // The pPCA of the unbiased covariance is not the ELBO's optimum on the average.
        assert!(!elbo_stationary(&q("latent.elbo-stationary-at-ppca"), true).pass());
        // The reconstruction term alone is not a bound.
        assert!(!elbo_bound(&q("latent.elbo-bound"), true).pass());
        // The naive sampler with the MLE differs in law from the exact unbiased one.
        assert!(!samplers_agree(&q("latent.samplers-agree"), Estimator::Mle).pass());
    }
}
