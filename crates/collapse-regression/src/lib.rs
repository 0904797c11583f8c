//! # collapse-regression
//!
//! Model collapse in linear regression:
//! - Strong Model Collapse (Dohmatob, Feng, Subramonian, Kempe, ICLR 2025): ridge regression and
//!   random projections trained on a mix of real and synthetic (shifted-teacher) data, with the
//!   deterministic equivalents of the test error ([`theory`]) and a Monte Carlo that averages
//!   exactly over the weights and the noise ([`mc`]);
//! - Model Collapse Demystified (Dohmatob, Feng, Kempe, NeurIPS 2024) and accumulation
//!   (Gerstgrasser et al. 2024): iterated regression through the core's generation loop
//!   ([`iterated`]);
//! - A Tale of Tails (Dohmatob et al., ICML 2024): tail cutting and narrowing change the scaling
//!   law of a memorising learner on Zipf data ([`tails`]).

pub mod experiments;
pub mod iterated;
pub mod mc;
pub mod mixing;
pub mod tails;
pub mod theory;

/// The family's experiments: `regression-mix`, `regression-iterated`, `regression-tails`.
pub fn experiments() -> Vec<collapse_core::Experiment> {
    vec![
        experiments::mix_experiment(),
        experiments::iterated_experiment(),
        experiments::tails_experiment(),
        mixing::mixing_experiment(),
    ]
}
pub mod checks;

/// The family's checks (`regression.…`).
pub fn checks() -> Vec<collapse_core::Check> {
    checks::checks()
}
