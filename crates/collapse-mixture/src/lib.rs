//! # collapse-mixture
//!
//! Gaussian mixtures and kernel density estimates under recursive training, and the three error
//! sources of Shumailov et al. (Nature 2024) isolated for the Gaussian/mixture case.
//!
//! - [`model`]: Gaussian components, mixtures, KDEs, exact samplers, the closed-form L2
//!   distance, quadrature of divergences;
//! - [`em`]: EM with k-means++ restarts, log-sum-exp responsibilities, a tolerance, a cap, a
//!   covariance floor, and reported (never NaN) outcomes;
//! - [`linalg`]: the small dense linear algebra and Gauss–Hermite nodes they use;
//! - [`family`]: the chain families for the core loop ([`collapse_core::run_chain`]);
//! - [`names`]: the metric names, shared by experiments, checks and figures;
//! - experiments [`gmm_chain`] (`gmm-chain`), [`kde`] (`mixture-kde`) and [`sources`]
//!   (`sources-gaussian`), each with its closed forms where it has some;
//! - [`checks`]: `mixture.…` and `sources.…`;
//! - [`figures`]: the family's figures.

pub mod checks;
pub mod em;
pub mod family;
pub mod figures;
pub mod gmm_chain;
pub mod kde;
pub mod linalg;
pub mod model;
pub mod names;
pub mod sources;

/// The family's experiments, checks and figures.
pub fn catalog() -> collapse_core::Catalog {
    collapse_core::Catalog::new("mixture")
        .experiment(gmm_chain::GmmChain)
        .experiment(kde::MixtureKde)
        .experiment(sources::SourcesGaussian)
        .checks(checks::checks())
        .figures(figures::figures())
}
