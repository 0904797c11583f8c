//! # collapse-regression
//!
//! Model collapse in linear regression:
//! - Strong Model Collapse (Dohmatob, Feng, Subramonian, Kempe, ICLR 2025): ridge regression and
//!   random projections trained on a mix of real and synthetic (shifted-teacher) data, with the
//!   deterministic equivalents of the test error ([`theory`]) and a Monte Carlo that averages
//!   exactly over the weights and the noise ([`mc`]); weighted and iterative mixing of real and
//!   synthetic data ([`mixing`]);
//! - Model Collapse Demystified (Dohmatob, Feng, Kempe, NeurIPS 2024) and accumulation
//!   (Gerstgrasser et al. 2024): iterated regression through the core's generation loop
//!   ([`iterated`]);
//! - A Tale of Tails (Dohmatob et al., ICML 2024): tail cutting and narrowing change the scaling
//!   law of a memorising learner on Zipf data ([`tails`]);
//! - Strong Model Collapse on real images: ridge on random features of the embedded 8×8
//!   digits with real and synthetic labels, against the deterministic equivalent of the
//!   features' empirical covariance ([`digits`]).
//!
//! [`experiments`] holds `regression-mix`, `regression-iterated`, `regression-tails`,
//! `regression-mixing` and `regression-digits`, one per file; [`names`] the series and metric names they write;
//! [`checks`] every theorem as a registered check (`regression.…`); [`figures`] the family's
//! figures; [`linalg`] the dense algebra that cannot panic.

pub mod checks;
pub mod digits;
pub mod experiments;
pub mod figures;
pub mod iterated;
pub mod linalg;
pub mod mc;
pub mod mixing;
pub mod names;
pub mod tails;
pub mod theory;

/// The family's experiments, checks and figures.
pub fn catalog() -> collapse_core::Catalog {
    collapse_core::Catalog::new("regression")
        .experiment(experiments::RegressionMix)
        .experiment(experiments::RegressionIterated)
        .experiment(experiments::RegressionTails)
        .experiment(experiments::RegressionMixing)
        .experiment(experiments::RegressionDigits)
        .checks(checks::checks())
        .figures(figures::figures())
}
