//! # collapse-gaussian
//!
//! Gaussian model collapse (Shumailov et al., Nature 2024, Theorem 3.1): a Gaussian is fitted to
//! samples of the previous generation's Gaussian, generation after generation. The variance is
//! a martingale under the unbiased estimator yet collapses to zero almost surely, because
//! $\ln\sigma_n^2$ is a random walk with drift $\psi((M-1)/2)+\ln(2/(M-1))<0$; the mean performs
//! a random walk, so $\mathbb E W_2^2$ grows linearly in $n$.
//!
//! - [`model`] holds the models, the estimators and the metrics;
//! - [`logspace`] keeps variances and determinants in the exponent, exact however far they
//!   collapse;
//! - [`data`] holds what a generation trains on (sufficient statistics, or points);
//! - [`samplers`] holds the families the core loop runs (exact, naive, naive with a pool);
//! - [`population`] holds the infinite-sample mode, in O(1) a generation;
//! - [`theory`] holds the closed forms;
//! - [`names`] holds the metric names;
//! - [`experiment`] holds `gaussian-chain`;
//! - [`checks`] holds every theorem as a registered check;
//! - [`figures`] holds the family's figures.

pub mod checks;
pub mod data;
pub mod experiment;
pub mod figures;
pub mod logspace;
pub mod model;
pub mod names;
pub mod population;
pub mod samplers;
pub mod theory;

/// The family's experiments, checks and figures.
pub fn catalog() -> collapse_core::Catalog {
    collapse_core::Catalog::new("gaussian")
        .experiment(experiment::GaussianChain)
        .checks(checks::checks())
        .figures(figures::figures())
}
