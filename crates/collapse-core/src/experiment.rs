//! Experiments as data: an id, declared parameters, a validation of their combination, and a
//! run that returns records.

use crate::chain::ChainError;
use crate::ensemble::RunContext;
use crate::params::{ParamError, ParamSpec, Params};
use crate::records::{Record, TheoryRow, sort_records};

/// What a run produces.
#[derive(Clone, Debug, Default)]
pub struct RunOutput {
    /// Measured values; [`Experiment::execute`] puts them in canonical order.
    pub records: Vec<Record>,
    /// Closed-form values (`theory_…`).
    pub theory: Vec<TheoryRow>,
    /// Text to print after the run (a comparison table), if any.
    pub report: Option<String>,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
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
}

/// A registered experiment.
#[derive(Clone)]
pub struct Experiment {
    /// Family-first id, e.g. `gaussian-chain`.
    pub id: &'static str,
    /// One line.
    pub title: &'static str,
    /// What it simulates, for `describe`.
    pub about: &'static str,
    /// Its parameters with defaults and ranges.
    pub params: Vec<ParamSpec>,
    /// Checks the combination of parameters (each alone is already range-checked).
    pub validate: fn(&Params) -> Result<(), ParamError>,
    /// How many units of progress a run has (usually the replicates).
    pub work: fn(&Params) -> u64,
    /// The run. Call it through [`Experiment::execute`], which puts the records in canonical
    /// order whatever order the run assembled them in.
    pub run: fn(&Params, &RunContext<'_>) -> Result<RunOutput, ExperimentError>,
}

impl std::fmt::Debug for Experiment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Experiment").field("id", &self.id).finish()
    }
}

impl Experiment {
    /// Resolves parameters: defaults, then the config file's table, then `--set` pairs, then the
    /// combination check. Unknown names and invalid values are refused.
    pub fn resolve(
        &self,
        config: Option<&toml::Table>,
        sets: &[(String, String)],
    ) -> Result<Params, ParamError> {
        let mut p = Params::defaults(&self.params);
        if let Some(table) = config {
            for (k, v) in table {
                p.set_toml(&self.params, k, v)?;
            }
        }
        for (k, v) in sets {
            p.set_text(&self.params, k, v)?;
        }
        (self.validate)(&p)?;
        Ok(p)
    }

    /// The defaults, validated.
    pub fn defaults(&self) -> Params {
        Params::defaults(&self.params)
    }

    /// Runs with resolved parameters; the records come back in canonical order (series,
    /// replicate, step, metric), so that runs which assemble several series need not sort.
    pub fn execute(&self, p: &Params, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let mut out = (self.run)(p, ctx)?;
        sort_records(&mut out.records);
        Ok(out)
    }

    /// Runs with defaults overridden by `sets` (for figures and tests).
    pub fn run_with(
        &self,
        sets: &[(&str, &str)],
        ctx: &RunContext<'_>,
    ) -> Result<(Params, RunOutput), ExperimentError> {
        let sets: Vec<(String, String)> = sets
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let p = self.resolve(None, &sets)?;
        let out = self.execute(&p, ctx)?;
        Ok((p, out))
    }
}

/// A `validate` that accepts every combination.
pub fn no_constraints(_: &Params) -> Result<(), ParamError> {
    Ok(())
}
