//! Every experiment, check and figure of the workspace, gathered from the family crates.

use collapse_core::{Check, Experiment};
use collapse_figures::{FigureSpec, RunFigure};

/// Every registered experiment.
pub fn experiments() -> Vec<Experiment> {
    let mut all = Vec::new();
    all.extend(collapse_gaussian::experiments());
    all.extend(collapse_discrete::experiments());
    all.extend(collapse_ngram::experiments());
    all.extend(collapse_mixture::experiments());
    all.extend(collapse_regression::experiments());
    all.extend(collapse_selftrain::experiments());
    all
}

/// Every registered check.
pub fn checks() -> Vec<Check> {
    let mut all = Vec::new();
    all.extend(collapse_gaussian::checks());
    all.extend(collapse_discrete::checks());
    all.extend(collapse_ngram::checks());
    all.extend(collapse_mixture::checks());
    all.extend(collapse_regression::checks());
    all.extend(collapse_selftrain::checks());
    all
}

/// Every figure of `collapse figures`.
pub fn figures() -> Vec<FigureSpec> {
    collapse_figures::figures()
}

/// The figure `collapse run` draws for an experiment, if it has one.
pub fn run_figure(experiment: &str) -> Option<RunFigure> {
    collapse_figures::run_figures()
        .into_iter()
        .find(|f| f.experiment == experiment)
}
