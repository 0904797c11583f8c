//! The chain families: what the core loop fits and samples.
//!
//! - [`MixtureFamily`]: data are points, the model a Gaussian mixture, fitted either by EM
//!   ([`Fit::Em`]) or as one Gaussian ([`Fit::Gaussian`], the family that is too small for a
//!   two-component truth). Its infinite-sample mode ([`Family::fit_population`]) fits the exact
//!   population: moments in closed form for one Gaussian, EM on Gauss–Hermite nodes of the
//!   population for a mixture.
//! - [`KdeFamily`]: data are points, the model a kernel density estimate (generation 0 is the
//!   truth, a Gaussian mixture or one of the non-Gaussian data sets).

use crate::em::{self, EmConfig, Init};
use crate::kde::estimator::{Bandwidth, Kde, Kernel};
use crate::kde::truth::Truth;
use crate::model::{Gaussian, Mixture, Points, mixture_nodes};
use collapse_core::{Family, Rng};
use rand::SeedableRng;

/// How a generation is fitted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fit {
    /// One Gaussian: sample mean and covariance with divisor `n − 1` (`mle = false`) or `n`.
    /// In the infinite-sample mode the fit is the estimator's expectation at the generation's
    /// training size `n`: the population moments, the covariance scaled by `(n − 1)/n` for the
    /// MLE.
    Gaussian {
        /// Maximum-likelihood (biased) covariance.
        mle: bool,
    },
    /// A mixture fitted by EM.
    Em(EmConfig),
}

/// Gauss–Hermite nodes per axis for the infinite-sample EM (in 1-D, 150 nodes integrate the
/// responsibilities to ~1e-10, so the truth is a fixed point to that accuracy).
const POP_NODES: [usize; 4] = [0, 150, 48, 16];

/// Recursive fitting of Gaussian mixtures.
#[derive(Clone, Debug)]
pub struct MixtureFamily {
    /// Generation 0.
    pub truth: Mixture,
    /// The fit.
    pub fit: Fit,
}

impl MixtureFamily {
    /// Fits one Gaussian to points.
    fn fit_gaussian(data: &Points, mle: bool) -> Mixture {
        let (m, c) = data.mean_cov(if mle { 0.0 } else { 1.0 });
        Mixture::single(Gaussian::new(m, c))
    }
}

impl Family for MixtureFamily {
    type Model = Mixture;
    type Data = Points;

    fn truth(&self) -> Mixture {
        self.truth.clone()
    }

    fn fit(&self, data: &Points, rng: &mut Rng) -> Mixture {
        match self.fit {
            Fit::Gaussian { mle, .. } => Self::fit_gaussian(data, mle),
            Fit::Em(cfg) => em::fit(data.dim, &data.xs, None, &cfg, rng),
        }
    }

    fn sample(&self, model: &Mixture, n: usize, rng: &mut Rng) -> Points {
        model.sample(n, rng)
    }

    fn fit_population(&self, mixture: &[(f64, &Mixture)], n: usize) -> Option<Mixture> {
        let pop = Mixture::pool(mixture);
        match self.fit {
            Fit::Gaussian { mle } => {
                let g = pop.moment_match();
                let shrink = if mle {
                    (n as f64 - 1.0) / n as f64
                } else {
                    1.0
                };
                Some(Mixture::single(Gaussian::new(
                    g.mean,
                    g.cov.iter().map(|v| v * shrink).collect(),
                )))
            }
            Fit::Em(cfg) => {
                let d = pop.dim();
                let nodes = *POP_NODES.get(d)?;
                let (xs, ws) = mixture_nodes(&pop, nodes);
                // The population fit is deterministic: the moment start whatever the
                // finite-sample start is, so the stream below is never drawn from.
                let cfg = EmConfig {
                    init: Init::Moments,
                    ..cfg
                };
                Some(em::fit(d, &xs, Some(&ws), &cfg, &mut Rng::seed_from_u64(0)))
            }
        }
    }
}

/// A density of the KDE chain: the truth (generation 0) or a fitted KDE.
#[derive(Clone, Debug)]
pub enum Density {
    /// The true distribution.
    Truth(Truth),
    /// A kernel density estimate.
    Kde(Kde),
}

impl Density {
    /// Mean and covariance (exact).
    pub fn mean_cov(&self) -> (Vec<f64>, Vec<f64>) {
        match self {
            Density::Truth(t) => t.mean_cov(),
            Density::Kde(k) => k.mean_cov(),
        }
    }

    /// The kernel's bandwidth `sqrt(tr H / d)` (0 for the truth).
    pub fn bandwidth(&self) -> f64 {
        match self {
            Density::Truth(_) => 0.0,
            Density::Kde(k) => k.bandwidth(),
        }
    }
}

/// Recursive kernel density estimation.
#[derive(Clone, Debug)]
pub struct KdeFamily {
    /// Generation 0.
    pub truth: Truth,
    /// The kernel.
    pub kernel: Kernel,
    /// The bandwidth rule.
    pub bandwidth: Bandwidth,
}

impl Family for KdeFamily {
    type Model = Density;
    type Data = Points;

    fn truth(&self) -> Density {
        Density::Truth(self.truth.clone())
    }

    fn fit(&self, data: &Points, _: &mut Rng) -> Density {
        Density::Kde(Kde::fit(data, self.kernel, self.bandwidth))
    }

    fn sample(&self, model: &Density, n: usize, rng: &mut Rng) -> Points {
        match model {
            Density::Truth(t) => t.sample(n, rng),
            Density::Kde(k) => k.sample(n, rng),
        }
    }
}
