//! The three error sources of Shumailov et al. (Nature 2024, "Theoretical intuition"),
//! isolated and combined, for the Gaussian/mixture case: experiment `sources-gaussian`.
//!
//! Generation 0 is `p_0 = ½N(−s/2, 1) + ½N(s/2, 1)` (`s` = `separation`). Each source is a
//! switch:
//! - **statistical**: on, each generation fits `samples` points of the previous one; off, the
//!   infinite-sample mode of the core loop (the fit to the exact population,
//!   [`collapse_core::Family::fit_population`]);
//! - **expressivity**: on, the model is one Gaussian (too small for `p_0`); off, a
//!   two-component mixture (the right family);
//! - **approximation**: on, a biased procedure: the maximum-likelihood variance for one
//!   Gaussian (whose infinite-sample analogue is its expectation, the population variance times
//!   `(M−1)/M`), EM stopped after `early_iter` iterations from the moment start for the mixture;
//!   off, the unbiased variance, or EM run to convergence.
//!
//! Series are named by [`collapse_core::Sources::label`]; the divergence from generation 0 is
//! recorded every generation as `kl` (KL(p_0 ‖ p_n) by Gauss–Hermite quadrature) and
//! `l2_distance` (closed form).
//!
//! - [`theory`]: the closed forms and the quadrature they are checked against;
//! - [`experiment`]: the parameters, the typed configuration [`Setup`] and the run.

pub mod experiment;
pub mod theory;

pub use experiment::{ID, KL_NODES, POPULATION_ITER, Setup, SourcesGaussian, truth};
