//! # collapse-discrete
//!
//! Discrete model collapse (Shumailov et al., Nature 2024, "Discrete distributions with exact
//! approximation"): a categorical distribution on K categories is refitted, generation after
//! generation, on M draws of the previous fit. Under the empirical fit this is exactly the
//! neutral K-allele Wright–Fisher model of population genetics with population size M: the
//! frequencies are a martingale, heterozygosity decays as $(1 - 1/M)^n$, categories die one by
//! one (the tails first) and the chain is absorbed in a delta at category j with probability
//! $p_0(j)$.
//!
//! - [`model`]: the categorical model on its live support, the counts it trains on, the fits
//!   (empirical, add-α, top-k) and the exact sampler (conditional binomials);
//! - [`theory`]: the two-type chain (exact support, absorption, absorption times), Kimura's
//!   approximations, Suresh et al.'s bounds, the add-α and top-k closed forms;
//! - [`experiment`]: `discrete-chain` and `sources-discrete`;
//! - [`mod@checks`]: every theorem as a registered check (`discrete.…`, `sources.discrete-…`).

pub mod checks;
pub mod experiment;
pub mod model;
pub mod theory;

/// The family's experiments.
pub fn experiments() -> Vec<collapse_core::Experiment> {
    vec![experiment::experiment(), experiment::sources_experiment()]
}

pub use checks::checks;
