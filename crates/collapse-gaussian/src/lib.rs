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
//! - [`checks`] holds every theorem as a registered check;
//! - [`figures`] holds the family's figures.

pub mod checks;
pub mod experiment;
pub mod figures;
pub mod model;
pub mod theory;

/// The family's experiments, checks and figures.
pub fn catalog() -> collapse_core::Catalog {
    collapse_core::Catalog::new("gaussian")
        .experiment(experiment::GaussianChain)
        .checks(checks::checks())
        .figures(figures::figures())
}
