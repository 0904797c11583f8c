//! # collapse-selftrain
//!
//! Self-training loops made computable: a categorical policy over candidate strategies, trained
//! iteratively on its own filtered answers (iterative SFT, DPO, SFT-DPO; Wu et al., "Progress or
//! Regress? Self-Improvement Reversal in Post-training") and curated retraining with
//! Bradley–Terry choice among K samples (Ferbach et al. 2024). Both loops run through the core's
//! [`collapse_core::run_chain`]; each has an exact expected-update mode (infinite samples) and a
//! sampled mode (finite N).

pub mod curated;
pub mod eval;
pub mod experiment;
pub mod metrics;
pub mod model;
pub mod train;

/// The experiments of the family.
pub fn experiments() -> Vec<collapse_core::Experiment> {
    vec![experiment::reversal(), experiment::curated()]
}
pub mod checks;

/// The checks of the family.
pub fn checks() -> Vec<collapse_core::Check> {
    checks::checks()
}
