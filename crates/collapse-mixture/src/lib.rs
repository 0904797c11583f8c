//! # collapse-mixture
//!
//! Gaussian mixtures and kernel density estimates under recursive training, and the three error
//! sources of Shumailov et al. (Nature 2024) isolated for the Gaussian/mixture case.
//!
//! - [`model`]: Gaussian components, mixtures, KDEs, exact samplers, the closed-form L2
//!   distance, quadrature of divergences;
//! - [`em`]: EM with k-means++ restarts, log-sum-exp responsibilities, a tolerance, a cap, a
//!   covariance floor, and reported (never NaN) outcomes;
//! - [`family`]: the chain families for the core loop ([`collapse_core::run_chain`]);
//! - experiments [`gmm_chain`] (`gmm-chain`), [`kde`] (`mixture-kde`) and [`sources`]
//!   (`sources-gaussian`);
//! - [`mod@checks`]: `mixture.…` and `sources.…`.

pub mod checks;
pub mod em;
pub mod family;
pub mod gmm_chain;
pub mod kde;
pub mod linalg;
pub mod model;
pub mod sources;

/// The family's experiments.
pub fn experiments() -> Vec<collapse_core::Experiment> {
    vec![
        gmm_chain::experiment(),
        kde::experiment(),
        sources::experiment(),
    ]
}

pub use checks::checks;
