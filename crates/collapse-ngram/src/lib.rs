//! # collapse-ngram
//!
//! Language-model collapse on real text (Shumailov et al., Nature 2024, Fig. 1b/1c), with a
//! word-level n-gram model (interpolated Kneser–Ney or add-k, order 2 to 4) in place of
//! OPT-125m: every generation starts from the same "pretrained" n-gram model and is fine-tuned
//! on text written by the previous generation, prompted with the original training blocks,
//! through the core loop ([`family::LmFamily`] implements `collapse_core::Family`). The
//! corpora are WikiText-2's splits and Tiny Shakespeare, embedded through `collapse-data`, or
//! any text file.
//!
//! - [`corpus`] holds the corpora (by name or path), their vocabulary and blocks;
//! - [`ngram`] holds the n-gram models, their next-word mixtures, exact sampling and beam
//!   search;
//! - [`adapt`] holds the pretrained model and fine-tuning by interpolation;
//! - [`family`] holds the family of the core loop (fit on blocks, continue every prompt);
//! - [`simulation`] holds one chain and what is measured of it;
//! - [`names`] holds the series and metric names of the records;
//! - [`experiment`] holds `lm-chain`;
//! - [`report`] holds the table `lm-chain` prints beside the paper's numbers;
//! - [`checks`] holds the `lm.…` checks;
//! - [`figures`] holds the family's figures.

pub mod adapt;
pub mod checks;
pub mod corpus;
pub mod experiment;
pub mod family;
pub mod figures;
pub mod names;
pub mod ngram;
pub mod report;
pub mod simulation;

/// The family's experiments, checks and figures.
pub fn catalog() -> collapse_core::Catalog {
    collapse_core::Catalog::new("lm")
        .experiment(experiment::LmChain)
        .checks(checks::checks())
        .figures(figures::figures())
}
