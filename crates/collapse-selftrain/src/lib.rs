//! # collapse-selftrain
//!
//! Self-training loops made computable: a categorical policy over candidate strategies, trained
//! iteratively on its own filtered answers (iterative SFT, DPO, SFT-DPO; Wu et al., "Progress or
//! Regress? Self-Improvement Reversal in Post-training") and curated retraining with
//! Bradley–Terry choice among K samples (Ferbach et al. 2024). Both loops run through the core's
//! [`collapse_core::run_chain`]; each has an exact expected-update mode (infinite samples) and a
//! sampled mode (finite N).
//!
//! - [`model`] holds the questions, strategies and policies; [`train`] the SFT / DPO rounds;
//!   [`eval`] the metrics of one iteration, built on the closed forms of [`metrics`];
//! - [`curated`] holds the curated loop and its exact update;
//! - [`names`] holds every series and metric name;
//! - [`paper`] holds what Wu et al. report, [`calibration`] how the defaults were fitted to their
//!   base model;
//! - [`experiment`] holds `selftrain-reversal` (with its report), `selftrain-robustness` and
//!   `selftrain-curated`;
//! - [`checks`] holds every theorem as a registered check;
//! - [`figures`] holds the family's figures.

pub mod base;
pub mod calibration;
pub mod checks;
pub mod curated;
pub mod eval;
pub mod experiment;
pub mod figures;
pub mod metrics;
pub mod model;
pub mod names;
pub mod paper;
pub mod train;

/// The family's experiments, checks and figures.
pub fn catalog() -> collapse_core::Catalog {
    collapse_core::Catalog::new("selftrain")
        .experiment(experiment::Reversal)
        .experiment(experiment::Robustness)
        .experiment(experiment::CuratedLoop)
        .checks(checks::checks())
        .figures(figures::figures())
}
