//! # collapse-core
//!
//! What every model family of the `collapse` workspace shares, and what an outside crate needs
//! to add a family of its own:
//!
//! - [`chain`]: the one generation loop ([`run_chain`]) over the [`Family`] trait (fit on a data
//!   set, sample from the fit), with the data [`Policy`], the per-generation sample-size
//!   [`Schedule`], and the three error sources as configuration ([`Sources`]);
//! - [`experiment`]: the [`Experiment`] trait (declared parameters, a typed configuration
//!   checked once, a run that streams records) and its type-erased [`DynExperiment`];
//! - [`ensemble`]: seeded replicates ([`RunContext::replicates`]), each with its own
//!   counter-based stream derived from (seed, experiment, replicate), run in parallel with rayon,
//!   sharded across machines, their rows handed to a sink in replicate order;
//! - [`sink`] and [`records`]: where rows go (a summary in bounded memory, `records.csv` as it is
//!   written, memory for figures and tests) and their text form;
//! - [`check`]: theorems as data ([`Check`], [`CheckContext`], [`Outcome`]);
//! - [`figure`]: figures as data ([`Figure`], the [`Drawing`] trait);
//! - [`catalog`]: the registration point, one [`Catalog`] per family;
//! - [`rundir`], [`merge`] and [`output`]: run directories written whole, shards merged with
//!   verification;
//! - [`params`]: parameters declared once with a range, and [`Choice`] enums.
//!
//! ## Versions
//!
//! The random generator is [`Rng`] = `rand_chacha` 0.10's `ChaCha8Rng`. This crate re-exports
//! [`rand`] (0.10) and [`rand_distr`] (0.6), so a family draws with the same versions:
//! `use collapse_core::rand::RngExt;`.
//!
//! ## A family, end to end
//!
//! A Poisson rate refitted by maximum likelihood: the model is λ, the data are counts (kept as
//! their sufficient statistics, total and number), generation n + 1 is the mean of M draws from
//! Poisson(λₙ).
//!
//! ```
//! use collapse_core::chain::ChainConfig;
//! use collapse_core::rand_distr::{Distribution, Poisson};
//! use collapse_core::{Dataset, Family, Rng, run_chain};
//!
//! /// Counts, kept as (total, number): they merge by adding.
//! #[derive(Clone, Debug)]
//! struct Counts { total: f64, n: usize }
//!
//! impl Dataset for Counts {
//!     fn len(&self) -> usize { self.n }
//!     fn merge(&mut self, o: Self) { self.total += o.total; self.n += o.n; }
//!     fn subsample(&self, _: usize, _: &mut Rng) -> Option<Self> { None }
//! }
//!
//! struct PoissonMle { rate: f64 }
//!
//! impl Family for PoissonMle {
//!     type Model = f64;
//!     type Data = Counts;
//!     fn truth(&self) -> f64 { self.rate }
//!     fn fit(&self, d: &Counts, _: &mut Rng) -> f64 { d.total / d.n as f64 }
//!     fn sample(&self, &rate: &f64, n: usize, rng: &mut Rng) -> Counts {
//!         // The total of n Poisson(λ) draws is Poisson(nλ): one draw, not n.
//!         let total = if rate > 0.0 { Poisson::new(rate * n as f64).unwrap().sample(rng) } else { 0.0 };
//!         Counts { total, n }
//!     }
//! }
//!
//! let mut rates = Vec::new();
//! let mut rng = collapse_core::rng::stream(1, "poisson", 0);
//! run_chain(&PoissonMle { rate: 3.0 }, &ChainConfig::replace(50, 20), &mut rng, |g, &rate| {
//!     rates.push((g, rate));
//! })
//! .unwrap();
//! assert_eq!(rates.len(), 21);
//! assert_eq!(rates[0], (0, 3.0));
//! ```
//!
//! A check states a theorem and measures it: under `replace`, E λₙ = λ₀ (the MLE is unbiased
//! and the chain a martingale). The tolerance is [`check::Z`] standard errors of the Monte
//! Carlo mean, never a number tuned to a seed; a wrong prediction must fail.
//!
//! ```
//! # use collapse_core::chain::ChainConfig;
//! # use collapse_core::rand_distr::{Distribution, Poisson};
//! # use collapse_core::{Dataset, Family, Rng, run_chain};
//! # #[derive(Clone, Debug)] struct Counts { total: f64, n: usize }
//! # impl Dataset for Counts {
//! #     fn len(&self) -> usize { self.n }
//! #     fn merge(&mut self, o: Self) { self.total += o.total; self.n += o.n; }
//! #     fn subsample(&self, _: usize, _: &mut Rng) -> Option<Self> { None }
//! # }
//! # struct PoissonMle { rate: f64 }
//! # impl Family for PoissonMle {
//! #     type Model = f64; type Data = Counts;
//! #     fn truth(&self) -> f64 { self.rate }
//! #     fn fit(&self, d: &Counts, _: &mut Rng) -> f64 { d.total / d.n as f64 }
//! #     fn sample(&self, &rate: &f64, n: usize, rng: &mut Rng) -> Counts {
//! #         let total = if rate > 0.0 { Poisson::new(rate * n as f64).unwrap().sample(rng) } else { 0.0 };
//! #         Counts { total, n }
//! #     }
//! # }
//! use collapse_core::{Budget, Check, CheckContext, Outcome};
//!
//! fn final_rate(c: &CheckContext, generations: u64) -> (f64, f64) {
//!     c.monte_carlo(c.pick(2_000, 20_000), |rng| {
//!         let mut last = 0.0;
//!         run_chain(&PoissonMle { rate: 3.0 }, &ChainConfig::replace(50, generations), rng,
//!             |_, &r| last = r).unwrap();
//!         last
//!     })
//! }
//!
//! let check = Check::new(
//!     "poisson.rate-martingale",
//!     "Under replace, E lambda_n = lambda_0",
//!     "the MLE of a Poisson rate is unbiased",
//!     |c| {
//!         let (mean, se) = final_rate(c, 10);
//!         Outcome::monte_carlo(3.0, mean, se)
//!     },
//! );
//! assert!(check.passes(Budget::Quick));
//! // The same measurement against a wrong prediction (a 5 % drift) fails.
//! let (mean, se) = final_rate(&CheckContext::new(check.id, Budget::Quick), 10);
//! assert!(!Outcome::monte_carlo(3.0 * 0.95, mean, se).pass());
//! ```
//!
//! An [`Experiment`] turns the chain into records (see its documentation for a complete one),
//! and a [`Catalog`] registers experiments, checks and figures with the command: an outside
//! crate's `main` passes its catalog to `collapse::main_with_catalogs` beside the workspace's
//! (the repository's `examples/custom-family` does exactly this).
//!
//! A family crate adds only what is its own: its model, its closed forms, its checks, its
//! experiments and its figures.

pub mod catalog;
pub mod chain;
pub mod check;
pub mod ensemble;
pub mod experiment;
pub mod figure;
pub mod merge;
pub mod name;
pub mod normal;
pub mod output;
pub mod params;
pub mod policy;
pub mod records;
pub mod rng;
pub mod rundir;
pub mod sink;
pub mod stats;

pub use catalog::Catalog;
pub use chain::{ChainConfig, ChainError, Dataset, Family, Flow, Sources, run_chain};
pub use check::{Budget, Check, CheckContext, Outcome, Relation, Verdict};
pub use ensemble::{NoProgress, Progress, RunContext, Shard};
pub use experiment::{
    Collected, Configured, Cost, DynExperiment, Experiment, ExperimentError, RunOutput, RunView,
};
pub use figure::{Drawing, Figure, FigureEnv, FigureError, FigureRun};
pub use name::Name;
pub use params::{Choice, ParamError, ParamKind, ParamSpec, Params, Value};
pub use policy::{Mode, Policy, Schedule, policy_params};
pub use records::{Record, Row, SummaryRow, TheoryRow};
pub use rng::Rng;
pub use sink::{Quantiles, RecordSink, Rows};

/// rand 0.10, the version every family draws with.
pub use rand;
/// rand_distr 0.6.
pub use rand_distr;
