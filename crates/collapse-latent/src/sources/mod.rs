//! The three error sources of Shumailov et al. (Nature 2024), isolated and combined, for linear
//! latent-variable models on the real digits: experiment `sources-latent`.
//!
//! - **statistical**: on, each generation fits `M` images of the previous one; off, the
//!   infinite-sample mode (the fit to the exact population);
//! - **expressivity**: on, the truth is the real digits, which no model with `q` latents and a
//!   linear decoder with isotropic noise represents (their covariance has rank 61 of 64 and
//!   they are not Gaussian); off, the truth is the closed-form `q`-latent fit to them, a member
//!   of the class. (The full-covariance model, `q = d`, would contain the real digits' Gaussian,
//!   but a linear VAE cannot be trained to it: with three pixels that never vary, its ELBO grows
//!   without bound as `σ² → 0`.)
//! - **approximation**: on, a linear VAE trained on its ELBO by a fixed number of Adam steps;
//!   off, the closed form (the ELBO's exact optimum, with the unbiased covariance).
//!
//! Series are named by [`collapse_core::Sources::label`]; the distance to the truth is the
//! Fréchet distance between Gaussians, recorded every generation.

pub mod experiment;

pub use experiment::{ID, Setup, SourcesLatent};
