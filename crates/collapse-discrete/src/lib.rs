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
//! - [`simulation`]: one chain as experiments, checks and figures run it, and what
//!   `discrete-chain` observes of it;
//! - [`names`]: the series and metric names of the records;
//! - [`chain_experiment`]: `discrete-chain`, with its closed-form rows in [`chain_theory`];
//! - [`sources_experiment`]: `sources-discrete`, the error sources alone and combined;
//! - [`checks`]: every theorem as a registered check (`discrete.…`, `sources.discrete-…`);
//! - [`figures`]: the family's figures.

pub mod chain_experiment;
pub mod chain_theory;
pub mod checks;
pub mod figures;
pub mod model;
pub mod names;
pub mod simulation;
pub mod sources_experiment;
pub mod theory;

/// The family's experiments, checks and figures.
pub fn catalog() -> collapse_core::Catalog {
    collapse_core::Catalog::new("discrete")
        .experiment(chain_experiment::DiscreteChain)
        .experiment(sources_experiment::SourcesDiscrete)
        .checks(checks::checks())
        .figures(figures::figures())
}
