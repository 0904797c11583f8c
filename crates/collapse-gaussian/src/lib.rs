//! # collapse-gaussian
//!
//! Gaussian model collapse (Shumailov et al., Nature 2024, Theorem 3.1): a Gaussian is fitted to
//! samples of the previous generation's Gaussian, generation after generation. The variance is
//! a martingale under the unbiased estimator yet collapses to zero almost surely, because
//! $\ln\sigma_n^2$ is a random walk with drift $\psi((M-1)/2)+\ln(2/(M-1))<0$; the mean performs
//! a random walk, so $\mathbb E W_2^2$ grows linearly in $n$.
//!
//! - [`model`] holds the models, the exact (sufficient-statistic) and naive samplers, the metrics;
//! - [`theory`] holds the closed forms;
//! - [`experiment`] holds `gaussian-chain`;
//! - [`mod@checks`] holds every theorem as a registered check.

pub mod checks;
pub mod experiment;
pub mod model;
pub mod theory;

/// The family's experiments.
pub fn experiments() -> Vec<collapse_core::Experiment> {
    vec![experiment::experiment()]
}

pub use checks::checks;
