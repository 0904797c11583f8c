//! The infinite-sample mode in O(1) a generation.
//!
//! With no statistical error, generation g + 1 is the expectation of the estimator applied to
//! the exact population the finite chain would sample: the previous model (`replace`), a
//! mixture with the truth (`mix`), or the $M_j$-weighted mixture of every model so far (the
//! accumulating policies), exactly as the core's infinite-sample loop defines it. For Gaussians
//! the fit needs only the population's first two moments, and the moments of a mixture merge
//! like sufficient statistics, so the pool is carried as one running mixture rather than the
//! list of every earlier model (which costs O(g) time and memory at generation g). Variances
//! stay in log space: under `replace` with the MLE, $\ln\sigma_n^2 = \ln\sigma_0^2 +
//! \sum_g \ln((M_g-1)/M_g)$ exactly, however far below $10^{-308}$ the variance itself is.

use crate::logspace::{ScaledFactor, log_sum_exp};
use crate::model::{Estimator, Gaussian1, GaussianD};
use collapse_core::Policy;
use collapse_core::chain::{ChainConfig, Flow};

/// A model whose exact populations can be mixed and fitted.
pub trait Population: Clone {
    /// The moments of the mixture $(1-w)\,$`a`$ + w\,$`b`.
    fn mix(a: &Self, b: &Self, w: f64) -> Self;
    /// The same mean, the covariance scaled by $e^{c}$.
    fn scaled(self, c: f64) -> Self;
    /// The same mean with `truth`'s covariance (the mean-only estimator).
    fn with_covariance_of(self, truth: &Self) -> Self;

    /// The moments of $\sum_k w_k m_k$ (weights summing to 1), folded pairwise.
    fn mixture(parts: &[(f64, &Self)]) -> Self {
        let (w0, first) = parts[0];
        let mut acc = first.clone();
        let mut total = w0;
        for &(w, m) in &parts[1..] {
            total += w;
            acc = Self::mix(&acc, m, w / total);
        }
        acc
    }

    /// The expected fit of `estimator` on `n` points of this population.
    fn fitted_population(self, estimator: Estimator, n: f64, truth: &Self) -> Self {
        if estimator.fits_covariance() {
            self.scaled(estimator.expected_shrink(n).ln())
        } else {
            self.with_covariance_of(truth)
        }
    }
}

impl Population for Gaussian1 {
    fn mix(a: &Self, b: &Self, w: f64) -> Self {
        let d = b.mean - a.mean;
        Gaussian1::new(
            a.mean + w * d,
            // (1 − w)σa² + wσb² + w(1 − w)(μb − μa)².
            log_sum_exp(&[
                (1.0 - w).ln() + a.log_var(),
                w.ln() + b.log_var(),
                (w * (1.0 - w) * d * d).ln(),
            ]),
        )
    }
    fn scaled(self, c: f64) -> Self {
        Gaussian1::new(self.mean, self.log_var() + c)
    }
    fn with_covariance_of(self, truth: &Self) -> Self {
        Gaussian1::new(self.mean, truth.log_var())
    }
}

impl Population for GaussianD {
    fn mix(a: &Self, b: &Self, w: f64) -> Self {
        let d = &b.mean - &a.mean;
        GaussianD {
            mean: &a.mean + &d * w,
            cov: ScaledFactor::weighted_sum(
                &[((1.0 - w).ln(), &a.cov), (w.ln(), &b.cov)],
                &[((w * (1.0 - w)).ln(), &d)],
            ),
        }
    }
    fn scaled(mut self, c: f64) -> Self {
        self.cov = self.cov.shifted(c);
        self
    }
    fn with_covariance_of(mut self, truth: &Self) -> Self {
        self.cov = truth.cov.clone();
        self
    }
}

/// Runs the infinite-sample chain from `truth`: calls `observe(g, &model_g)` for g = 0 to
/// `cfg.generations` (or until the observer stops it), as `collapse_core::run_chain` does with
/// `cfg.finite == false`, in O(1) time and memory a generation.
pub fn run_population<M, O, R>(truth: &M, estimator: Estimator, cfg: &ChainConfig, mut observe: O)
where
    M: Population,
    O: FnMut(u64, &M) -> R,
    R: Flow,
{
    if observe(0, truth).stops() {
        return;
    }
    let mut current = truth.clone();
    // The accumulated pool: its total size and the moments of its population.
    let mut pool: Option<(f64, M)> = None;
    for g in 0..cfg.generations {
        let m = cfg.schedule.size(cfg.samples, g) as f64;
        let (population, n) = match cfg.policy {
            Policy::Replace => (current, m),
            Policy::Mix { real_fraction } if g > 0 => (M::mix(&current, truth, real_fraction), m),
            Policy::Mix { .. } => (current, m),
            Policy::Accumulate | Policy::AccumulateSubsample => {
                let (total, moments) = match pool.take() {
                    None => (m, current),
                    Some((w, p)) => (w + m, M::mix(&p, &current, m / (w + m))),
                };
                pool = Some((total, moments.clone()));
                // The whole pool is fitted, or a subsample of this generation's size.
                let n = if cfg.policy == Policy::Accumulate {
                    total
                } else {
                    m
                };
                (moments, n)
            }
        };
        current = population.fitted_population(estimator, n, truth);
        if observe(g + 1, &current).stops() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samplers::{Exact1, ExactD};
    use collapse_core::rng::stream;
    use collapse_core::{Schedule, run_chain};
    use nalgebra::{DMatrix, DVector};

    fn configs() -> Vec<ChainConfig> {
        let mut out = Vec::new();
        for policy in [
            Policy::Replace,
            Policy::Accumulate,
            Policy::AccumulateSubsample,
            Policy::Mix { real_fraction: 0.3 },
        ] {
            for schedule in [Schedule::Constant, Schedule::Linear] {
                out.push(ChainConfig {
                    generations: 12,
                    samples: 5,
                    schedule,
                    policy,
                    finite: false,
                });
            }
        }
        out
    }

    /// The core's infinite-sample loop (the list of every model, mixed afresh each generation)
    /// and the running mixture agree at every generation, for every policy and schedule.
    #[test]
    fn agrees_with_the_core_loop() {
        for cfg in configs() {
            for est in [Estimator::Mle, Estimator::Unbiased, Estimator::MeanOnly] {
                let truth = Gaussian1::centred(0.7);
                let f = Exact1::new(est, truth, cfg.samples);
                let mut core = Vec::new();
                run_chain(&f, &cfg, &mut stream(1, "p", 0), |_, m| core.push(*m)).unwrap();
                let mut ours = Vec::new();
                run_population(&truth, est, &cfg, |_, m| ours.push(*m));
                assert_eq!(core.len(), ours.len());
                for (a, b) in core.iter().zip(&ours) {
                    assert!((a.mean - b.mean).abs() < 1e-14, "{cfg:?} {est:?}");
                    assert!((a.log_var() - b.log_var()).abs() < 1e-13, "{cfg:?} {est:?}");
                }

                let truth = GaussianD::centred(3, -0.4);
                let f = ExactD::new(est, truth.clone(), cfg.samples);
                let mut core = Vec::new();
                run_chain(&f, &cfg, &mut stream(1, "p", 0), |_, m| {
                    core.push(m.clone())
                })
                .unwrap();
                let mut ours = Vec::new();
                run_population(&truth, est, &cfg, |_, m| ours.push(m.clone()));
                for (a, b) in core.iter().zip(&ours) {
                    let (ma, mb) = (a.cov.matrix_in_units(0.0), b.cov.matrix_in_units(0.0));
                    assert!((ma - mb).norm() < 1e-13, "{cfg:?} {est:?}");
                    assert!((a.cov.log_det() - b.cov.log_det()).abs() < 1e-12);
                }
            }
        }
    }

    /// The mixture's moments against E[x] and E[x xᵀ] summed directly.
    #[test]
    fn mixture_moments_by_direct_sums() {
        let a = Gaussian1::new(1.0, 2f64.ln());
        let b = Gaussian1::new(-3.0, 0.5f64.ln());
        let m = Gaussian1::mixture(&[(0.2, &a), (0.5, &b), (0.3, &a)]);
        let mean = 0.5 * 1.0 + 0.5 * -3.0;
        let second = 0.5 * (2.0 + 1.0) + 0.5 * (0.5 + 9.0);
        assert!((m.mean - mean).abs() < 1e-15);
        assert!((m.var() - (second - mean * mean)).abs() < 1e-14);

        let ca = DMatrix::from_row_slice(2, 2, &[1.0, 0.2, 0.2, 0.5]);
        let cb = DMatrix::from_row_slice(2, 2, &[0.3, -0.1, -0.1, 2.0]);
        let (ma, mb) = (
            DVector::from_vec(vec![1.0, 0.0]),
            DVector::from_vec(vec![-1.0, 2.0]),
        );
        let ga = GaussianD {
            mean: ma.clone(),
            cov: ScaledFactor::from_psd(0.0, ca.clone()),
        };
        let gb = GaussianD {
            mean: mb.clone(),
            cov: ScaledFactor::from_psd(0.0, cb.clone()),
        };
        let m = GaussianD::mix(&ga, &gb, 0.25);
        let mean = &ma * 0.75 + &mb * 0.25;
        let second = (&ca + &ma * ma.transpose()) * 0.75 + (&cb + &mb * mb.transpose()) * 0.25;
        let cov = second - &mean * mean.transpose();
        assert!((&m.mean - &mean).norm() < 1e-15);
        assert!((m.cov.matrix_in_units(0.0) - cov).norm() < 1e-14);
    }

    /// M = 2 with the MLE halves the variance each generation: at 2000 generations ln σ² is
    /// −2000 ln 2 ≈ −1386, not −∞ (the variance itself underflowed at generation 1075).
    #[test]
    fn the_mle_shrink_is_exact_far_below_double_precision() {
        let cfg = ChainConfig {
            finite: false,
            ..ChainConfig::replace(2, 2000)
        };
        let mut last = None;
        run_population(&Gaussian1::centred(0.0), Estimator::Mle, &cfg, |_, m| {
            last = Some(*m)
        });
        let expected = -2000.0 * 2f64.ln();
        assert!((last.unwrap().log_var() - expected).abs() < 1e-10);
        let mut last = None;
        run_population(&GaussianD::centred(4, 0.0), Estimator::Mle, &cfg, |_, m| {
            last = Some(m.clone())
        });
        let g = last.unwrap();
        assert!((g.cov.log_mean_eigenvalue() - expected).abs() < 1e-10);
        assert!((g.cov.log_det() - 4.0 * expected).abs() < 1e-9);
    }
}
