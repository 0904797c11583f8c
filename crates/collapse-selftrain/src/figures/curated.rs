//! The curated loop's figure: reward and entropy, sampled and exact, with and without real data.

use super::{legend_room, with_band};
use crate::experiment::CuratedLoop;
use crate::names::{CURATED, CURATED_REAL, ENTROPY, REWARD, THEORY_ENTROPY, THEORY_REWARD};
use collapse_core::{DynExperiment, FigureEnv, FigureError, RunView, SummaryRow};
use collapse_plot::{Chart, Legend, Panel, Series, summary_curve};

/// Palette index of the exact curves (black).
const EXACT: usize = 7;

fn panels(rows: &[SummaryRow]) -> Vec<Panel> {
    let mut r = Panel::new("expected reward E_p[r]", "round", "reward");
    // The sampled loops' entropy sits below the infinite-sample path: each round refits on
    // finitely many curated samples, and by concavity the mean entropy of the drifting fits is
    // below the entropy of their mean (which the exact path follows closely, as the reward,
    // linear in the fit, shows).
    let mut h = Panel::new(
        "entropy (nats); finite samples drift below the exact path",
        "round",
        "entropy",
    );
    for (i, (s, label)) in [(CURATED, "curated only"), (CURATED_REAL, "with real data")]
        .iter()
        .enumerate()
    {
        with_band(&mut r, rows, s, REWARD, &format!("{label}: sampled"), i);
        // Exact curves in black, drawn over both loops.
        let exact = |metric| {
            let line = Series::dashed(
                "exact p H^K_p, infinite samples (each loop)",
                EXACT,
                summary_curve(rows, s, metric, |x| x.mean),
            );
            if i == 0 { line } else { line.unlabelled() }
        };
        r.push(exact(THEORY_REWARD));
        with_band(&mut h, rows, s, ENTROPY, &format!("{label}: sampled"), i);
        h.push(exact(THEORY_ENTROPY));
    }
    vec![
        legend_room(r, 3, Legend::LowerRight),
        legend_room(h, 3, Legend::LowerLeft),
    ]
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
