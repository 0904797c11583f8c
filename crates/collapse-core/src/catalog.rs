//! The registration point: what a family offers to the command.
//!
//! Each family crate exports one [`Catalog`] of its experiments, checks and figures. The
//! `collapse` command is built from a list of catalogs, so an outside crate gets `list`,
//! `describe`, `run`, `verify`, `merge`, `--shard` and `figures` for its own family by adding
//! its catalog to the workspace's.

use crate::check::Check;
use crate::experiment::{DynExperiment, Experiment};
use crate::figure::Figure;
use std::collections::BTreeMap;

/// A family's experiments, checks and figures.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// The family's name (`gaussian`).
    pub family: &'static str,
    /// Its experiments.
    pub experiments: Vec<DynExperiment>,
    /// Its checks.
    pub checks: Vec<Check>,
    /// Its figures of `collapse figures`, in gallery order.
    pub figures: Vec<Figure>,
}

impl Catalog {
    /// An empty catalog for `family`.
    pub fn new(family: &'static str) -> Self {
        Self {
            family,
            ..Self::default()
        }
    }

    /// Adds an experiment.
    pub fn experiment(mut self, x: impl Experiment) -> Self {
        self.experiments.push(DynExperiment::new(x));
        self
    }

    /// Adds checks.
    pub fn checks(mut self, checks: impl IntoIterator<Item = Check>) -> Self {
        self.checks.extend(checks);
        self
    }

    /// Adds figures.
    pub fn figures(mut self, figures: impl IntoIterator<Item = Figure>) -> Self {
        self.figures.extend(figures);
        self
    }
}

/// Checks that experiment ids, check ids and figure names are each unique across `catalogs`,
/// naming the first clash and the two families involved.
pub fn validate(catalogs: &[Catalog]) -> Result<(), String> {
    let mut experiments = BTreeMap::new();
    let mut checks = BTreeMap::new();
    let mut figures = BTreeMap::new();
    for c in catalogs {
        let clash = |what: &str, id: &str, other: &str| {
            format!(
                "{what} `{id}` is registered by both `{other}` and `{}`",
                c.family
            )
        };
        for x in &c.experiments {
            if let Some(other) = experiments.insert(x.id(), c.family) {
                return Err(clash("experiment", x.id(), other));
            }
        }
        for k in &c.checks {
            if let Some(other) = checks.insert(k.id, c.family) {
                return Err(clash("check", k.id, other));
            }
        }
        for f in &c.figures {
            if let Some(other) = figures.insert(f.name, c.family) {
                return Err(clash("figure", f.name, other));
            }
        }
    }
    Ok(())
}
