//! # collapse-figures
//!
//! Every figure of the papers that the `collapse` models can produce. A figure is a
//! [`FigureSpec`]: a name (family first), a title, and a function that runs what it needs at the
//! figure's default size and returns a [`plot::Chart`] whose caption records the provenance
//! (experiment id, key parameters, seed). `collapse figures` renders them all into `figures/`.
//!
//! A [`RunFigure`] draws the figure of one `collapse run` from its summary.

pub mod plot;

mod discrete;
mod gaussian;
mod language_model;
mod mixture;
mod regression;
mod selftrain;
mod sources;

use collapse_core::{Experiment, Params, Progress, RunContext, RunOutput, Shard, SummaryRow};
pub use plot::{Chart, FigureError, Legend, Panel, Series};

/// What a figure's render function gets.
pub struct FigureEnv<'a> {
    /// The seed of every run behind the figure.
    pub seed: u64,
    /// Progress of the work behind the figure.
    pub progress: &'a dyn Progress,
}

impl FigureEnv<'_> {
    /// The context of a whole (unsharded) run keyed by `key` under the figure's seed.
    pub fn context(&self, key: &str) -> RunContext<'_> {
        RunContext {
            seed: self.seed,
            key: key.into(),
            shard: Shard::WHOLE,
            progress: self.progress,
        }
    }

    /// Runs `x` at its defaults overridden by `sets`, as `collapse run` would, with progress
    /// sized by the experiment's own measure of its work.
    pub fn run(
        &self,
        x: &Experiment,
        sets: &[(&str, &str)],
    ) -> Result<(Params, RunOutput), FigureError> {
        let sets: Vec<(String, String)> = sets
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let p = x
            .resolve(None, &sets)
            .map_err(|e| FigureError::Run(e.to_string()))?;
        self.progress.start((x.work)(&p));
        let out = x
            .execute(&p, &self.context(x.id))
            .map_err(|e| FigureError::Run(e.to_string()))?;
        Ok((p, out))
    }
}

/// A registered figure.
#[derive(Clone, Copy)]
pub struct FigureSpec {
    /// Family-first name, e.g. `gaussian-variance-collapse`; also the file stem.
    pub name: &'static str,
    /// One line.
    pub title: &'static str,
    /// Runs what the figure needs and draws it.
    pub render: fn(&FigureEnv<'_>) -> Result<Chart, FigureError>,
}

/// The figure `collapse run` writes for an experiment, drawn from the run's summary.
#[derive(Clone, Copy)]
pub struct RunFigure {
    /// The experiment id.
    pub experiment: &'static str,
    /// Draws from resolved parameters, summary rows and the seed.
    pub draw: fn(&Params, &[SummaryRow], u64) -> Chart,
}

/// Every figure, in gallery order.
pub fn figures() -> Vec<FigureSpec> {
    let mut all = Vec::new();
    all.extend(gaussian::figures());
    all.extend(discrete::figures());
    all.extend(language_model::figures());
    all.extend(mixture::figures());
    all.extend(sources::figures());
    all.extend(regression::figures());
    all.extend(selftrain::figures());
    all
}

/// Every per-run figure.
pub fn run_figures() -> Vec<RunFigure> {
    let mut all = Vec::new();
    all.extend(gaussian::run_figures());
    all.extend(discrete::run_figures());
    all.extend(language_model::run_figures());
    all.extend(mixture::run_figures());
    all.extend(sources::run_figures());
    all.extend(regression::run_figures());
    all.extend(selftrain::run_figures());
    all
}

/// The provenance line: experiment, parameters that differ from interest, seed.
pub fn provenance(experiment: &str, params: &[(&str, String)], seed: u64) -> String {
    let p: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "collapse run {experiment} {} --seed {seed}",
        p.iter()
            .map(|s| format!("--set {s}"))
            .collect::<Vec<_>>()
            .join(" ")
    )
}
