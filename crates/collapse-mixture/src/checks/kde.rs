//! The exact expected variance of KDE chains under the three workflows, kernels and bandwidth
//! rules, against the chains; and the exact moments of the non-Gaussian truths.

use crate::family::{Density, KdeFamily};
use crate::kde::{Bandwidth, BandwidthRule, KdeTruth, Kernel, Truth, TruthSpec, expected_var};
use collapse_core::chain::ChainConfig;
use collapse_core::{CheckContext, Outcome, Policy, Schedule, run_chain};

const KDE_M: usize = 20;
const KDE_N: u64 = 10;
/// The fixed bandwidth of the checks.
pub const KDE_H: f64 = 0.3;

/// One KDE chain setting of a check: truth, kernel, bandwidth rule.
#[derive(Clone, Copy, Debug)]
pub struct KdeCase {
    /// Generation 0.
    pub truth: TruthSpec,
    /// The kernel.
    pub kernel: Kernel,
    /// The bandwidth rule.
    pub bandwidth: Bandwidth,
}

/// ½N(−2,1) + ½N(2,1), Gaussian kernel, bandwidth `bw`.
pub fn mixture_case(bw: Bandwidth) -> KdeCase {
    KdeCase {
        truth: TruthSpec::with_defaults(KdeTruth::Mixture),
        kernel: Kernel::Gaussian,
        bandwidth: bw,
    }
}

/// Two moons (noise 0.05), tophat kernel of radius 0.3.
pub fn tophat_case() -> KdeCase {
    KdeCase {
        truth: TruthSpec::with_defaults(KdeTruth::Moons),
        kernel: Kernel::Tophat,
        bandwidth: Bandwidth::Fixed(KDE_H),
    }
}

/// Three 2-D blobs (centres drawn per chain), Gaussian kernel, scikit-learn's Scott rule.
pub fn sklearn_case() -> KdeCase {
    KdeCase {
        truth: TruthSpec::with_defaults(KdeTruth::Blobs),
        kernel: Kernel::Gaussian,
        bandwidth: Bandwidth::new(BandwidthRule::SklearnScott, 0.0),
    }
}

/// Mean and SE of `var_n` of KDE chains (M = 20, n = 10) of `case` under `policy`; the truth
/// of each chain is built from its stream (the blobs' centres) before the chain; a chain the
/// loop refuses measures NaN, which fails the check.
fn kde_mc(c: &CheckContext, policy: Policy, case: KdeCase) -> (f64, f64) {
    let cfg = ChainConfig {
        generations: KDE_N,
        samples: KDE_M,
        schedule: Schedule::Constant,
        policy,
        finite: true,
    };
    let d = case.truth.dim;
    c.monte_carlo(c.pick(20_000, 200_000), |rng| {
        let family = KdeFamily {
            truth: case.truth.build(rng),
            kernel: case.kernel,
            bandwidth: case.bandwidth,
        };
        let mut v = f64::NAN;
        run_chain(&family, &cfg, rng, |g, m: &Density| {
            if g == KDE_N {
                let c = m.mean_cov().1;
                v = (0..d).map(|a| c[a * d + a]).sum::<f64>() / d as f64;
            }
        })
        .map_or(f64::NAN, |()| v)
    })
}

/// The closed form of `E var_n` for a KDE chain.
pub fn kde_prediction(policy: Policy, case: KdeCase) -> f64 {
    let (v0, m0sq) = case.truth.expected_moments();
    expected_var(
        policy,
        case.kernel,
        case.bandwidth,
        case.truth.dim,
        KDE_M,
        v0,
        m0sq,
        KDE_N,
    )[KDE_N as usize]
}

/// The Gaussian-MLE rate `((M−1)/M)^n σ²`, which forgets what the kernel adds.
pub fn kde_wrong_no_kernel(case: KdeCase) -> f64 {
    let a = (KDE_M as f64 - 1.0) / KDE_M as f64;
    case.truth.expected_moments().0 * a.powi(KDE_N as i32)
}

/// A KDE chain's `E var_n` under `policy` against its closed form.
pub fn kde_variance(c: &CheckContext, policy: Policy, case: KdeCase) -> Outcome {
    let (m, se) = kde_mc(c, policy, case);
    Outcome::monte_carlo(kde_prediction(policy, case), m, se)
}

/// Fixed bandwidth, replace.
pub fn kde_replace(c: &CheckContext) -> Outcome {
    kde_variance(c, Policy::Replace, mixture_case(Bandwidth::Fixed(KDE_H)))
}

/// Fixed bandwidth, accumulate.
pub fn kde_accumulate(c: &CheckContext) -> Outcome {
    kde_variance(c, Policy::Accumulate, mixture_case(Bandwidth::Fixed(KDE_H)))
}

/// Fixed bandwidth, accumulate-subsample.
pub fn kde_subsample(c: &CheckContext) -> Outcome {
    kde_variance(
        c,
        Policy::AccumulateSubsample,
        mixture_case(Bandwidth::Fixed(KDE_H)),
    )
}

/// scipy's Silverman bandwidth, replace.
pub fn kde_silverman(c: &CheckContext) -> Outcome {
    let bw = Bandwidth::new(BandwidthRule::ScipySilverman, 0.0);
    kde_variance(c, Policy::Replace, mixture_case(bw))
}

/// The tophat kernel on the two moons, replace.
pub fn kde_tophat(c: &CheckContext) -> Outcome {
    kde_variance(c, Policy::Replace, tophat_case())
}

/// scikit-learn's Scott rule on blobs, accumulate.
pub fn kde_sklearn_scott(c: &CheckContext) -> Outcome {
    kde_variance(c, Policy::Accumulate, sklearn_case())
}

/// The largest difference between the closed-form moments (mean and covariance entries) of
/// the moons, circles and Swiss roll with noise `closed_noise` and their Gauss–Legendre
/// quadrature with `nodes` nodes per curve parameter and noise `quad_noise`, relative to the
/// largest moment.
pub fn moments_gap(nodes: usize, closed_noise: f64, quad_noise: f64) -> f64 {
    let mut worst = 0.0f64;
    let truth = |kind, noise| -> Truth {
        TruthSpec {
            noise,
            ..TruthSpec::with_defaults(kind)
        }
        .build(&mut collapse_core::rng::stream(0, "moments", 0))
    };
    for kind in [KdeTruth::Moons, KdeTruth::Circles, KdeTruth::SwissRoll] {
        let (m, c) = truth(kind, closed_noise).mean_cov();
        let (mq, cq) = truth(kind, quad_noise).mean_cov_quadrature(nodes);
        let scale = m.iter().chain(&c).fold(1.0f64, |a, v| a.max(v.abs()));
        for (a, b) in m.iter().chain(&c).zip(mq.iter().chain(&cq)) {
            worst = worst.max((a - b).abs() / scale);
        }
    }
    worst
}

/// The closed-form moments of the curves against quadrature (60 Gauss–Legendre nodes per
/// parameter integrate the roll's `t² cos² t` to round-off).
pub fn dataset_moments(_: &CheckContext) -> Outcome {
    moments_outcome(moments_gap(60, 0.05, 0.05))
}

/// The check's verdict on a gap: at most 1e-12.
pub fn moments_outcome(gap: f64) -> Outcome {
    Outcome::exact(0.0, gap, 1e-12).bound(collapse_core::Relation::AtMost)
}
