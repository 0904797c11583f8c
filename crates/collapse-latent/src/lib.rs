//! # collapse-latent
//!
//! The Nature paper's VAE experiment (Shumailov et al. 2024), made analytic: linear
//! latent-variable models retrained, generation after generation, on their own samples, starting
//! from 1,797 real handwritten digits (8×8, UCI optdigits).
//!
//! A linear VAE's ELBO is maximised by probabilistic PCA (Tipping & Bishop 1999; Lucas et al.
//! 2019), so every generation can be fitted in closed form, and each of the paper's error
//! sources switched on its own: statistical (M samples per generation), functional
//! expressivity (q latent dimensions and a linear decoder against 64 pixels), functional
//! approximation (the ELBO trained by a fixed budget of Adam steps).
//!
//! - [`data`]: the real digits, their moments and the fixed nearest-centroid classifier;
//! - [`linalg`]: spectra with exact zeros, Bartlett's Wishart, the Fréchet distance;
//! - [`model`], [`ppca`], [`vae`]: the model, its closed-form fit, the ELBO and Adam;
//! - [`family`]: the chain family for the core loop (exact and naive samplers);
//! - [`metrics`]: what is measured on every generation;
//! - [`theory`]: the closed forms;
//! - [`names`]: the metric names;

pub mod data;
pub mod family;
pub mod linalg;
pub mod metrics;
pub mod model;
pub mod names;
pub mod ppca;
pub mod theory;
pub mod vae;

pub mod chain;
pub mod checks;
pub mod figures;
pub mod sources;

/// The family's experiments, checks and figures.
pub fn catalog() -> collapse_core::Catalog {
    collapse_core::Catalog::new("latent")
        .experiment(chain::LatentChain)
        .experiment(sources::SourcesLatent)
        .checks(checks::checks())
        .figures(figures::figures())
}
