//! Gaussian figures: variance collapse, W₂ and the determinant under the data policies, one
//! chain's densities, and the figure of `collapse run gaussian-chain`.
//!
//! Closed forms are drawn as markers (or dashed lines where no simulated curve lies under
//! them), so that a theory that agrees with the simulation stays visible on top of it.

mod density;
mod determinant;
mod run;
mod variance;
mod w2;

pub use run::run_figure;

use crate::experiment::GaussianChain;
use collapse_core::{DynExperiment, Figure, FigureEnv, FigureError, FigureRun, SummaryRow};
use collapse_plot::summary_curve;

/// The gallery figures of the family.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure::new(
            "gaussian-variance-collapse",
            "Variance collapse",
            variance::variance_collapse,
        ),
        Figure::new(
            "gaussian-w2-policies",
            "W2 distance under the data policies",
            w2::w2_policies,
        ),
        Figure::new(
            "gaussian-density-drift",
            "One chain's fitted densities",
            density::density_drift,
        ),
        Figure::new(
            "gaussian-determinant-policies",
            "Determinant of the fitted covariance under the data policies",
            determinant::determinant_policies,
        ),
    ]
}

fn run_of(env: &FigureEnv<'_>, sets: &[(&str, &str)]) -> Result<FigureRun, FigureError> {
    env.run(&DynExperiment::new(GaussianChain), sets)
}

/// The points of a summary curve at every `every`-th step (markers for a closed form).
fn thinned(points: Vec<(f64, f64)>, every: u64) -> Vec<(f64, f64)> {
    points
        .into_iter()
        .filter(|p| (p.0 as u64).is_multiple_of(every))
        .collect()
}

/// `pick` of `metric` in `series`, transformed by `f`, against the step.
fn curve_of(
    rows: &[SummaryRow],
    series: &str,
    metric: &str,
    pick: fn(&SummaryRow) -> f64,
    f: impl Fn(f64) -> f64,
) -> Vec<(f64, f64)> {
    summary_curve(rows, series, metric, pick)
        .into_iter()
        .map(|(x, y)| (x, f(y)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::RunView;

    #[test]
    fn every_figure_renders() {
        let dir = tempfile::tempdir().unwrap();
        let env = FigureEnv {
            seed: 1,
            ..FigureEnv::default()
        };
        density::density_drift(&env)
            .unwrap()
            .save(dir.path(), "d")
            .unwrap();
    }

    #[test]
    fn run_figure_renders_from_small_runs() {
        let dir = tempfile::tempdir().unwrap();
        let env = FigureEnv::default();
        for sets in [
            &[("generations", "20"), ("replicates", "50")][..],
            &[("generations", "20"), ("replicates", "50"), ("dim", "3")][..],
            &[
                ("generations", "20"),
                ("replicates", "50"),
                ("policy", "accumulate"),
                ("dim", "2"),
            ][..],
        ] {
            let run = run_of(&env, sets).unwrap();
            let view = RunView {
                params: &run.params,
                summary: &run.summary,
                command: &run.command,
            };
            run_figure(&view).save(dir.path(), "r").unwrap();
        }
    }
}
