//! The exact expected variance of KDE chains under the three workflows, against the chains.

use crate::family::{Density, KdeFamily};
use crate::kde::{KdeTruth, expected_var};
use crate::model::{Bandwidth, Mixture};
use collapse_core::chain::ChainConfig;
use collapse_core::{CheckContext, Outcome, Policy, Schedule, run_chain};

const KDE_M: usize = 20;
const KDE_N: u64 = 10;
/// The fixed bandwidth of the checks.
pub const KDE_H: f64 = 0.3;

fn kde_truth() -> Mixture {
    crate::kde::truth(KdeTruth::Mixture, 1, 4.0)
}

/// Mean and SE of `var_n` of KDE chains (M = 20, n = 10, truth ½N(−2,1) + ½N(2,1)); a chain
/// the loop refuses measures NaN, which fails the check.
fn kde_mc(c: &CheckContext, policy: Policy, bw: Bandwidth) -> (f64, f64) {
    let family = KdeFamily {
        truth: kde_truth(),
        bandwidth: bw,
    };
    let cfg = ChainConfig {
        generations: KDE_N,
        samples: KDE_M,
        schedule: Schedule::Constant,
        policy,
        finite: true,
    };
    c.monte_carlo(c.pick(20_000, 200_000), |rng| {
        let mut v = f64::NAN;
        run_chain(&family, &cfg, rng, |g, m: &Density| {
            if g == KDE_N {
                v = m.mean_cov().1[0];
            }
        })
        .map_or(f64::NAN, |()| v)
    })
}

/// The closed form of `E var_n` for a KDE chain.
pub fn kde_prediction(policy: Policy, bw: Bandwidth) -> f64 {
    let t = kde_truth();
    expected_var(policy, bw, 1, KDE_M, t.var(), t.mean()[0].powi(2), KDE_N)[KDE_N as usize]
}

/// The Gaussian-MLE rate `((M−1)/M)^n σ²`, which forgets what the kernel adds.
pub fn kde_wrong_no_kernel() -> f64 {
    let a = (KDE_M as f64 - 1.0) / KDE_M as f64;
    kde_truth().var() * a.powi(KDE_N as i32)
}

/// A KDE chain's `E var_n` under `policy` and bandwidth `bw` against its closed form.
pub fn kde_variance(c: &CheckContext, policy: Policy, bw: Bandwidth) -> Outcome {
    let (m, se) = kde_mc(c, policy, bw);
    Outcome::monte_carlo(kde_prediction(policy, bw), m, se)
}

/// Fixed bandwidth, replace.
pub fn kde_replace(c: &CheckContext) -> Outcome {
    kde_variance(c, Policy::Replace, Bandwidth::Fixed(KDE_H))
}

/// Fixed bandwidth, accumulate.
pub fn kde_accumulate(c: &CheckContext) -> Outcome {
    kde_variance(c, Policy::Accumulate, Bandwidth::Fixed(KDE_H))
}

/// Fixed bandwidth, accumulate-subsample.
pub fn kde_subsample(c: &CheckContext) -> Outcome {
    kde_variance(c, Policy::AccumulateSubsample, Bandwidth::Fixed(KDE_H))
}

/// Silverman's bandwidth, replace.
pub fn kde_silverman(c: &CheckContext) -> Outcome {
    kde_variance(c, Policy::Replace, Bandwidth::Silverman)
}
