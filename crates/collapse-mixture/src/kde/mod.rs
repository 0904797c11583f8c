//! Recursive kernel density estimation (Kazdan et al. 2024's KDE workflows): experiment
//! `mixture-kde`.
//!
//! - [`estimator`]: the KDE itself: kernels, bandwidth rules, sampling, evaluation;
//! - [`truth`]: generation 0, Gaussian or one of scikit-learn's data sets;
//! - [`theory`]: the exact expected variance of every generation under every workflow;
//! - [`experiment`]: the parameters, the typed configuration [`Setup`] and the run.

pub mod estimator;
pub mod experiment;
pub mod theory;
pub mod truth;

pub use estimator::{Bandwidth, BandwidthRule, Kde, Kernel};
pub use experiment::{
    H_MIN, ID, KdeTruth, MixtureKde, NllAt, Replicate, Setup, Workflow, nll_steps, parse_workflows,
};
pub use theory::expected_var;
pub use truth::{Truth, TruthSpec};
