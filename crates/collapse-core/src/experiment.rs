//! Experiments: declared parameters, a typed configuration checked once, and a run that streams
//! its records.
//!
//! A family implements [`Experiment`] for a type of its own (which may hold state: a corpus, a
//! truth). Its parameters are declared as [`ParamSpec`]s, the single source of `describe` and of
//! range checks; [`Experiment::configure`] then checks their combination once and turns them
//! into the family's typed configuration (enums for choices, sizes as `usize`), in the spirit of
//! linfa's `ParamGuard`. Everything after that reads the configuration, never the parameters.
//!
//! The command, the figures and outside crates hold experiments as [`DynExperiment`]s, and a
//! resolved one as a [`Configured`].

use crate::chain::ChainError;
use crate::ensemble::{Progress, RunContext};
use crate::figure::{Drawing, FigureError};
use crate::params::{ParamError, ParamSpec, Params};
use crate::records::{Record, SummaryRow, TheoryRow};
use crate::sink::{Fanout, MemorySink, Quantiles, SinkError, SummarySink};
use std::any::Any;
use std::sync::Arc;

/// What a run returns besides its records (which went to the sink).
#[derive(Clone, Debug, Default)]
pub struct RunOutput {
    /// Closed-form values (`theory_…`).
    pub theory: Vec<TheoryRow>,
    /// Text to print after the run (a comparison table), if any.
    pub report: Option<String>,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExperimentError {
    /// A parameter or combination of parameters is invalid.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// An input file is missing or unreadable.
    #[error("{0}")]
    Input(String),
    /// The loop refused the configuration.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// Records could not be written.
    #[error(transparent)]
    Output(#[from] SinkError),
    /// The run was interrupted (Ctrl-C) before it finished.
    #[error("interrupted")]
    Interrupted,
    /// A failure inside a family's model (a fit that cannot be computed), with its reason.
    #[error("{0}")]
    Model(String),
}

impl ExperimentError {
    /// Whether the error is the user's input (exit code 2) rather than a failed run (1).
    pub fn is_usage(&self) -> bool {
        matches!(self, ExperimentError::Param(_) | ExperimentError::Input(_))
    }
}

/// What a run would need, estimated from its configuration before it starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cost {
    /// Records the whole run emits (all shards together).
    pub records: f64,
    /// Bytes the simulation holds at its peak besides its records (models, data, buffers,
    /// for all worker threads).
    pub memory: f64,
}

impl Cost {
    /// A cost nobody estimated: no refusal is possible.
    pub const UNKNOWN: Cost = Cost {
        records: 0.0,
        memory: 0.0,
    };
}

/// What a run figure is drawn from.
pub struct RunView<'a> {
    /// The resolved parameters.
    pub params: &'a Params,
    /// The summary rows.
    pub summary: &'a [SummaryRow],
    /// The command that reproduces the run (for the caption).
    pub command: &'a str,
}

/// A registered experiment.
///
/// ```
/// use collapse_core::{Experiment, ExperimentError, Name, ParamError, ParamSpec, Params,
///     RunContext, RunOutput};
///
/// /// Coin flips: the fraction of heads in `n` flips of a fair coin.
/// struct Coins;
///
/// impl Experiment for Coins {
///     type Config = u64;
///     fn id(&self) -> &'static str { "coins" }
///     fn title(&self) -> &'static str { "Fraction of heads" }
///     fn about(&self) -> &'static str { "Flips a fair coin n times per replicate." }
///     fn params(&self) -> Vec<ParamSpec> {
///         vec![ParamSpec::int("flips", 10, 1, 1_000_000, "flips per replicate")]
///     }
///     fn configure(&self, p: &Params) -> Result<u64, ParamError> {
///         Ok(p.int("flips") as u64)
///     }
///     fn run(&self, &n: &u64, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
///         let (series, heads) = (Name::new("fair"), Name::new("heads"));
///         ctx.replicates("", 100, |_, rng, rows| {
///             use collapse_core::rand::RngExt;
///             let h = (0..n).filter(|_| rng.random::<bool>()).count();
///             rows.push(series, 0, heads, h as f64 / n as f64);
///             Ok::<(), ExperimentError>(())
///         })?;
///         Ok(RunOutput::default())
///     }
/// }
///
/// let x = collapse_core::DynExperiment::new(Coins);
/// let run = x.configure_with(&[("flips", "400")]).unwrap().collect(1).unwrap();
/// let mean = run.summary[0].mean;
/// assert!((mean - 0.5).abs() < 5.5 * run.summary[0].std_error + 1e-12);
/// ```
pub trait Experiment: Send + Sync + 'static {
    /// The typed configuration, built once from checked parameters.
    type Config: Send + Sync + 'static;

    /// Family-first id, e.g. `gaussian-chain`.
    fn id(&self) -> &'static str;
    /// One line.
    fn title(&self) -> &'static str;
    /// What it simulates and which metrics it writes, for `describe`.
    fn about(&self) -> &'static str;
    /// The parameters with defaults, meanings and ranges.
    fn params(&self) -> Vec<ParamSpec>;
    /// Checks the combination of parameters (each alone is already range-checked) and builds
    /// the configuration; a refusal names the parameter and what is valid.
    fn configure(&self, p: &Params) -> Result<Self::Config, ParamError>;
    /// Units of progress of a run (usually the replicates; 0 when unknown).
    fn work(&self, _cfg: &Self::Config) -> u64 {
        0
    }
    /// What the run would need (for refusing runs that cannot fit before they start).
    fn cost(&self, _cfg: &Self::Config) -> Cost {
        Cost::UNKNOWN
    }
    /// The run: records go to `ctx`'s sink through [`RunContext::replicates`].
    fn run(&self, cfg: &Self::Config, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError>;
    /// The figure `collapse run` draws from the run's summary, if the experiment has one.
    fn figure(
        &self,
        _cfg: &Self::Config,
        _run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        None
    }
}

/// The object-safe face of [`Experiment`], with the configuration type erased.
trait Erased: Send + Sync {
    fn id(&self) -> &'static str;
    fn title(&self) -> &'static str;
    fn about(&self) -> &'static str;
    fn configure(&self, p: &Params) -> Result<Box<dyn Any + Send + Sync>, ParamError>;
    fn work(&self, cfg: &dyn Any) -> u64;
    fn cost(&self, cfg: &dyn Any) -> Cost;
    fn run(&self, cfg: &dyn Any, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError>;
    fn figure(
        &self,
        cfg: &dyn Any,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>>;
}

struct Typed<X>(X);

impl<X: Experiment> Typed<X> {
    fn cfg<'c>(&self, cfg: &'c dyn Any) -> &'c X::Config {
        cfg.downcast_ref()
            .expect("a configuration is only made by its own experiment")
    }
}

impl<X: Experiment> Erased for Typed<X> {
    fn id(&self) -> &'static str {
        self.0.id()
    }
    fn title(&self) -> &'static str {
        self.0.title()
    }
    fn about(&self) -> &'static str {
        self.0.about()
    }
    fn configure(&self, p: &Params) -> Result<Box<dyn Any + Send + Sync>, ParamError> {
        Ok(Box::new(self.0.configure(p)?))
    }
    fn work(&self, cfg: &dyn Any) -> u64 {
        self.0.work(self.cfg(cfg))
    }
    fn cost(&self, cfg: &dyn Any) -> Cost {
        self.0.cost(self.cfg(cfg))
    }
    fn run(&self, cfg: &dyn Any, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        self.0.run(self.cfg(cfg), ctx)
    }
    fn figure(
        &self,
        cfg: &dyn Any,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        self.0.figure(self.cfg(cfg), run)
    }
}

/// A registered experiment of any family.
#[derive(Clone)]
pub struct DynExperiment {
    inner: Arc<dyn Erased>,
    params: Arc<[ParamSpec]>,
}

impl std::fmt::Debug for DynExperiment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynExperiment")
            .field("id", &self.id())
            .finish()
    }
}

impl DynExperiment {
    /// Wraps an experiment.
    pub fn new<X: Experiment>(x: X) -> Self {
        let params = x.params().into();
        Self {
            inner: Arc::new(Typed(x)),
            params,
        }
    }

    /// The id.
    pub fn id(&self) -> &'static str {
        self.inner.id()
    }
    /// One line.
    pub fn title(&self) -> &'static str {
        self.inner.title()
    }
    /// What it simulates.
    pub fn about(&self) -> &'static str {
        self.inner.about()
    }
    /// Its parameters.
    pub fn params(&self) -> &[ParamSpec] {
        &self.params
    }

    /// The defaults (unchecked as a combination).
    pub fn defaults(&self) -> Params {
        Params::defaults(&self.params)
    }

    /// Resolves parameters (defaults, then the config file's table, then `--set` pairs) and
    /// checks their combination. Unknown names and invalid values are refused.
    pub fn resolve(
        &self,
        config: Option<&toml::Table>,
        sets: &[(String, String)],
    ) -> Result<Configured, ParamError> {
        let mut p = Params::defaults(&self.params);
        if let Some(table) = config {
            for (k, v) in table {
                p.set_toml(&self.params, k, v)?;
            }
        }
        for (k, v) in sets {
            p.set_text(&self.params, k, v)?;
        }
        self.configure(p)
    }

    /// Checks resolved parameters and builds the configuration.
    pub fn configure(&self, params: Params) -> Result<Configured, ParamError> {
        let config = self.inner.configure(&params)?;
        Ok(Configured {
            experiment: self.clone(),
            params,
            config: config.into(),
        })
    }

    /// The defaults overridden by `sets` (for figures and tests).
    pub fn configure_with(&self, sets: &[(&str, &str)]) -> Result<Configured, ParamError> {
        let sets: Vec<(String, String)> = sets
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.resolve(None, &sets)
    }
}

/// An experiment with checked parameters and its configuration, ready to run.
#[derive(Clone)]
pub struct Configured {
    experiment: DynExperiment,
    params: Params,
    config: Arc<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for Configured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Configured")
            .field("id", &self.experiment.id())
            .field("params", &self.params)
            .finish()
    }
}

/// A run kept in memory: its records, closed forms, summary and report.
#[derive(Clone, Debug)]
pub struct Collected {
    /// The resolved parameters.
    pub params: Params,
    /// The records in canonical order.
    pub records: Vec<Record>,
    /// The closed-form rows.
    pub theory: Vec<TheoryRow>,
    /// The summary (exact quantiles), theory rows included.
    pub summary: Vec<SummaryRow>,
    /// The report, if any.
    pub report: Option<String>,
}

impl Configured {
    /// The experiment.
    pub fn experiment(&self) -> &DynExperiment {
        &self.experiment
    }
    /// The resolved parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }
    /// The typed configuration, when `C` is the experiment's configuration type.
    pub fn config<C: 'static>(&self) -> Option<&C> {
        self.config.downcast_ref()
    }
    /// Units of progress.
    pub fn work(&self) -> u64 {
        self.experiment.inner.work(&*self.config)
    }
    /// The estimated cost.
    pub fn cost(&self) -> Cost {
        self.experiment.inner.cost(&*self.config)
    }
    /// Runs into `ctx` (records go to its sink).
    pub fn run(&self, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        self.experiment.inner.run(&*self.config, ctx)
    }
    /// The run figure, if the experiment has one.
    pub fn figure(
        &self,
        summary: &[SummaryRow],
        command: &str,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        let view = RunView {
            params: &self.params,
            summary,
            command,
        };
        self.experiment.inner.figure(&*self.config, &view)
    }

    /// The parameters that differ from the defaults, as `(name, value)` text pairs: with the
    /// seed they reproduce the run.
    pub fn changed_params(&self) -> Vec<(String, String)> {
        let defaults = self.experiment.defaults();
        self.params
            .iter()
            .filter(|(n, v)| defaults.get(n) != *v)
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    /// The command line that reproduces the run: `program run ID --set … --seed S`.
    pub fn command(&self, program: &str, seed: u64) -> String {
        let mut s = format!("{program} run {}", self.experiment.id());
        for (k, v) in self.changed_params() {
            if v.is_empty() || v.contains([' ', '|', '"', '\'', '$', ';', '&', '*']) {
                s.push_str(&format!(" --set '{k}={v}'"));
            } else {
                s.push_str(&format!(" --set {k}={v}"));
            }
        }
        s.push_str(&format!(" --seed {seed}"));
        s
    }

    /// Runs the whole experiment under `seed` and keeps everything in memory, with progress
    /// going to `progress` (figures and tests).
    pub fn collect_with(
        &self,
        seed: u64,
        progress: &dyn Progress,
    ) -> Result<Collected, ExperimentError> {
        let mut memory = MemorySink::new();
        let mut summary = SummarySink::new(Quantiles::Exact);
        let out = {
            let mut fan = Fanout::new().with(&mut memory).with(&mut summary);
            let ctx = RunContext::new(seed, self.experiment.id())
                .with_progress(progress)
                .with_sink(&mut fan);
            self.run(&ctx)?
        };
        Ok(Collected {
            params: self.params.clone(),
            records: memory.into_records(),
            summary: summary.finish(&out.theory),
            theory: out.theory,
            report: out.report,
        })
    }

    /// [`Configured::collect_with`] without progress.
    pub fn collect(&self, seed: u64) -> Result<Collected, ExperimentError> {
        self.collect_with(seed, &crate::ensemble::NoProgress)
    }

    /// Runs under `seed` keeping only the summary (exact quantiles).
    pub fn summarize_with(
        &self,
        seed: u64,
        progress: &dyn Progress,
    ) -> Result<(Vec<SummaryRow>, RunOutput), ExperimentError> {
        let mut summary = SummarySink::new(Quantiles::Exact);
        let out = {
            let ctx = RunContext::new(seed, self.experiment.id())
                .with_progress(progress)
                .with_sink(&mut summary);
            self.run(&ctx)?
        };
        Ok((summary.finish(&out.theory), out))
    }
}
