//! The curated loop's figure: reward and entropy, sampled and exact, with and without real data.

use super::with_band;
use crate::experiment::CuratedLoop;
use crate::names::{CURATED, CURATED_REAL, ENTROPY, REWARD, THEORY_ENTROPY, THEORY_REWARD};
use collapse_core::{DynExperiment, FigureEnv, FigureError, RunView, SummaryRow};
use collapse_plot::{Chart, Legend, Panel, Series, summary_curve};

fn panels(rows: &[SummaryRow]) -> Vec<Panel> {
    let mut r = Panel::new("expected reward E_p[r]", "round", "reward").legend(Legend::LowerRight);
    let mut h = Panel::new("entropy (nats)", "round", "entropy").legend(Legend::LowerLeft);
    for (i, (s, label)) in [(CURATED, "curated only"), (CURATED_REAL, "with real data")]
        .iter()
        .enumerate()
    {
        with_band(&mut r, rows, s, REWARD, &format!("{label}: sampled"), i);
        r.push(Series::dashed(
            format!("{label}: exact p H^K_p"),
            i,
            summary_curve(rows, s, THEORY_REWARD, |x| x.mean),
        ));
        with_band(&mut h, rows, s, ENTROPY, &format!("{label}: sampled"), i);
        h.push(Series::dashed(
            format!("{label}: exact p H^K_p"),
            i,
            summary_curve(rows, s, THEORY_ENTROPY, |x| x.mean),
        ));
    }
    vec![r, h]
}

/// `selftrain-curated` (gallery): the default run.
pub(super) fn curated(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = env.run(&DynExperiment::new(CuratedLoop), &[])?;
    Ok(Chart::grid(
        "Curated retraining climbs to the reward's maximisers and loses diversity; real data holds it at a stable point",
        run.command.clone(),
        panels(&run.summary),
        2,
    ))
}

/// The figure of `collapse run selftrain-curated`, drawn from its summary.
pub fn run_figure(run: &RunView<'_>) -> Chart {
    Chart::grid("Curated retraining", run.command, panels(run.summary), 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_figure_renders_from_a_small_run() {
        let dir = tempfile::tempdir().unwrap();
        let env = FigureEnv::default();
        let run = env
            .run(
                &DynExperiment::new(CuratedLoop),
                &[("replicates", "3"), ("rounds", "5")],
            )
            .unwrap();
        let view = RunView {
            params: &run.params,
            summary: &run.summary,
            command: &run.command,
        };
        run_figure(&view).save(dir.path(), "c").unwrap();
    }
}
