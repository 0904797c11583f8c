//! Recursive kernel density estimation (Kazdan et al. 2024's KDE workflows): experiment
//! `mixture-kde`.
//!
//! - [`theory`]: the exact expected variance of every generation under every workflow;
//! - [`experiment`]: the parameters, the typed configuration [`Setup`] and the run.

pub mod experiment;
pub mod theory;

pub use experiment::{
    ID, KdeTruth, MixtureKde, Setup, Workflow, nll_steps, parse_workflows, truth,
};
pub use theory::expected_var;
