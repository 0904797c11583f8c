//! The error-source taxonomy, Gaussian/mixture case: each source alone and combined, against
//! its closed form.

use crate::family::{Fit, MixtureFamily};
use crate::model::{Gaussian, Mixture, kl_quadrature, l2_distance, normal_l2_1d};
use crate::sources::theory::{expected_var, kl_moment_matched, l2_moment_matched};
use crate::sources::{KL_NODES, Setup, truth};
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::{CheckContext, Outcome, Sources, run_chain};

/// The sources setup every source check uses (M = 20, `generations` generations).
pub fn sources_setup(generations: u64) -> Setup {
    Setup {
        separation: 4.0,
        samples: 20,
        generations,
        replicates: 1,
        early_iter: 12,
        tol: 1e-6,
        max_iter: 1000,
        floor: 1e-6,
    }
}

/// Expressivity alone.
pub const EXPRESSIVITY: Sources = Sources {
    statistical: false,
    expressivity: true,
    approximation: false,
};

/// Every model of the infinite-sample chain of `sources` up to generation `g` (the truth
/// first). The chain is deterministic: the stream is never drawn from.
pub fn models(c: &CheckContext, sources: Sources, g: u64) -> Result<Vec<Mixture>, ChainError> {
    let s = sources_setup(g);
    let mut out = Vec::new();
    s.run_one(sources, &mut c.stream(0), |_, m| out.push(m.clone()))?;
    Ok(out)
}

/// KL(p₀ ‖ p₁) of the chain `sources` (expressivity alone when it is right) against the
/// moment-matched formula.
pub fn expressivity_kl(c: &CheckContext, sources: Sources) -> Result<Outcome, ChainError> {
    let ms = models(c, sources, 1)?;
    let p0 = &ms[0];
    let measured = kl_quadrature(p0, &|x| ms[1].log_pdf(x), KL_NODES);
    Ok(Outcome::exact(kl_moment_matched(p0), measured, 1e-9))
}

/// `∫(p₁ − p₀)²` of the chain `sources` against the moment-matched formula.
pub fn expressivity_l2(c: &CheckContext, sources: Sources) -> Result<Outcome, ChainError> {
    let ms = models(c, sources, 1)?;
    Ok(Outcome::exact(
        l2_moment_matched(&ms[0]),
        l2_distance(&ms[0], &ms[1]),
        1e-12,
    ))
}

/// Generations of the no-drift check.
pub const NO_DRIFT_GENERATIONS: u64 = 200;

/// The largest `∫(pₙ − p₁)²` over `n = 2..=200` of the chain `sources`: 0 for expressivity
/// alone.
pub fn expressivity_no_drift(c: &CheckContext, sources: Sources) -> Result<Outcome, ChainError> {
    let ms = models(c, sources, NO_DRIFT_GENERATIONS)?;
    let drift = ms[2..]
        .iter()
        .map(|m| l2_distance(&ms[1], m))
        .fold(0.0, f64::max);
    Ok(Outcome::exact(0.0, drift, 1e-12))
}

/// The drift the MLE's shrinkage would produce over the same generations (a wrong prediction
/// for the expressivity-only chain): `∫(N(m, v) − N(m, a^{G−1} v))²`, `a = (M−1)/M`.
pub fn no_drift_wrong() -> f64 {
    let s = sources_setup(NO_DRIFT_GENERATIONS);
    let v = truth(s.separation).var();
    let a = (s.samples as f64 - 1.0) / s.samples as f64;
    normal_l2_1d(0.0, v, 0.0, v * a.powi(NO_DRIFT_GENERATIONS as i32 - 1))
}

/// Generations and sample size of the approximation check.
const APPROX_N: u64 = 20;

/// Approximation alone: a Gaussian truth refitted in the infinite-sample mode by one Gaussian
/// with the MLE variance (`mle = false`: the unbiased one, a wrong code), `σ²_n` at n = 20.
pub fn approximation_mle(c: &CheckContext, mle: bool) -> Result<Outcome, ChainError> {
    let s = sources_setup(APPROX_N);
    let family = MixtureFamily {
        truth: Mixture::single(Gaussian::isotropic(vec![0.0], 1.0)),
        fit: Fit::Gaussian { mle },
    };
    let cfg = ChainConfig {
        finite: false,
        ..s.chain(Sources {
            statistical: false,
            expressivity: false,
            approximation: true,
        })
    };
    let mut last = f64::NAN;
    run_chain(&family, &cfg, &mut c.stream(0), |g, m| {
        if g == APPROX_N {
            last = m.var();
        }
    })?;
    Ok(Outcome::exact(
        approximation_prediction(APPROX_N),
        last,
        1e-12,
    ))
}

/// `((M−1)/M)^n` for the approximation check's `M`.
pub fn approximation_prediction(n: u64) -> f64 {
    let m = sources_setup(1).samples as f64;
    ((m - 1.0) / m).powi(n as i32)
}

/// Generations and sample size of the finite-sample one-Gaussian checks.
const FINITE_N: u64 = 5;
const FINITE_M: usize = 50;

/// Mean and SE of `var_n` of the finite-sample chains of `s`; a chain the loop refuses
/// measures NaN, which fails the check.
fn finite_var(c: &CheckContext, s: Sources) -> (f64, f64) {
    let setup = Setup {
        samples: FINITE_M,
        ..sources_setup(FINITE_N)
    };
    c.monte_carlo(c.pick(20_000, 200_000), |rng| {
        let mut v = f64::NAN;
        setup
            .run_one(s, rng, |g, m| {
                if g == FINITE_N {
                    v = m.var();
                }
            })
            .map_or(f64::NAN, |()| v)
    })
}

/// `E var_n` of the finite-sample one-Gaussian chains (unbiased or MLE).
pub fn finite_prediction(mle: bool) -> f64 {
    let s = Sources {
        statistical: true,
        expressivity: true,
        approximation: mle,
    };
    expected_var(s, truth(4.0).var(), FINITE_M, FINITE_N).unwrap_or(f64::NAN)
}

/// Statistical + expressivity: the chain of `sources` against the unbiased prediction.
pub fn statistical_expressivity(c: &CheckContext, sources: Sources) -> Outcome {
    let (m, se) = finite_var(c, sources);
    Outcome::monte_carlo(finite_prediction(false), m, se)
}

/// All three sources: the chain of `sources` against the MLE prediction.
pub fn all_sources(c: &CheckContext, sources: Sources) -> Outcome {
    let (m, se) = finite_var(c, sources);
    Outcome::monte_carlo(finite_prediction(true), m, se)
}
