//! # collapse-core
//!
//! What every model family of the `collapse` workspace shares:
//!
//! - [`chain`]: the one generation loop ([`chain::run_chain`]) over the [`chain::Family`] trait
//!   (fit on a data set, sample from the fit), with the data [`policy`] and the per-generation
//!   sample-size schedule, and the three error sources as configuration ([`chain::Sources`]);
//! - [`ensemble`]: seeded replicates, each with its own counter-based stream derived from
//!   (seed, experiment, replicate), run in parallel with rayon and sharded across machines;
//! - [`records`]: one row per measured value, and the summary (mean, standard error, quantiles);
//! - [`params`]: experiment parameters, validated once with messages that name the parameter and
//!   its valid range;
//! - [`check`] and [`experiment`]: the registries that `collapse verify`, `collapse run` and the
//!   tests read.
//!
//! A family crate adds only what is its own: its model, its closed forms, its checks and its
//! experiments.

pub mod chain;
pub mod check;
pub mod ensemble;
pub mod experiment;
pub mod normal;
pub mod params;
pub mod policy;
pub mod records;
pub mod rng;
pub mod stats;

pub use chain::{Dataset, Family, Flow, Sources, run_chain};
pub use check::{Budget, Check, Outcome, Relation};
pub use ensemble::{Progress, RunContext, Shard};
pub use experiment::{Experiment, ExperimentError, RunOutput};
pub use params::{ParamError, ParamKind, ParamSpec, Params, Value};
pub use policy::{Policy, Schedule};
pub use records::{Label, Record, SummaryRow, TheoryRow};
pub use rng::Rng;
