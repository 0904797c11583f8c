//! # collapse-ngram
//!
//! Language-model collapse on real text (Shumailov et al., Nature 2024, Fig. 1b/1c), with a
//! word-level n-gram model (interpolated Kneser–Ney or add-k, order 2 to 4) in place of
//! OPT-125m: each generation is trained on text written by the previous one, prompted with the
//! original training blocks, through the core loop ([`experiment::LmFamily`] implements
//! `collapse_core::Family`).

pub mod checks;
pub mod corpus;
pub mod experiment;
pub mod ngram;

/// The family's experiments.
pub fn experiments() -> Vec<collapse_core::Experiment> {
    vec![experiment::experiment()]
}

pub use checks::checks;
