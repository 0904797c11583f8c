//! Figures of `mixture-kde`: the three workflows, and the run figure.

use super::band_panel;
use crate::kde::{MixtureKde, Workflow};
use crate::names::{NLL, THEORY_VAR, VAR};
use collapse_core::{Choice, DynExperiment, FigureEnv, FigureError, RunView};
use collapse_plot::{Chart, Legend, Panel, Series, summary_curve};

/// `mixture-kde-workflows`: the variance (median, band, exact mean) and the cross-entropy of
/// every workflow.
pub fn workflows(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = env.run(
        &DynExperiment::new(MixtureKde),
        &[
            ("generations", "100"),
            ("replicates", "200"),
            ("samples", "100"),
        ],
    )?;
    let rows = &run.summary;
    let mut var = Panel::new(
        "variance of the KDE (fixed h = 0.2): median, 5–95% band, exact mean (dashed)",
        "generation n",
        "tr Cov / d",
    )
    .legend(Legend::UpperLeft);
    let mut nll = Panel::new(
        "cross-entropy E_p₀[−ln pₙ] (mean over chains)",
        "generation n",
        "nats",
    )
    .legend(Legend::UpperLeft);
    for (i, w) in Workflow::ALL.iter().enumerate() {
        let w = w.name();
        band_panel(rows, w, VAR, w, i, &mut var);
        let th = summary_curve(rows, w, THEORY_VAR, |r| r.mean);
        var.push(Series::dashed(format!("{w}: exact E"), i, th).unlabelled());
        nll.push(Series::line(w, i, summary_curve(rows, w, NLL, |r| r.mean)));
    }
    Ok(Chart::grid(
        "Recursive kernel density estimation on ½N(−2,1) + ½N(2,1), M = 100 (Kazdan et al.'s workflows)",
        run.command.clone(),
        vec![var, nll],
        2,
    ))
}

/// The figure of `collapse run mixture-kde`: the mean variance of every workflow run, and its
/// exact mean.
pub fn run_figure(run: &RunView<'_>) -> Chart {
    let rows = run.summary;
    let mut var = Panel::new(
        "variance of the KDE: mean (solid), exact (dashed)",
        "generation n",
        "tr Cov / d",
    );
    for (i, w) in Workflow::ALL.iter().enumerate() {
        let w = w.name();
        let m = summary_curve(rows, w, VAR, |r| r.mean);
        if m.is_empty() {
            continue;
        }
        var.push(Series::line(w, i, m));
        var.push(
            Series::dashed(
                format!("{w}: exact"),
                i,
                summary_curve(rows, w, THEORY_VAR, |r| r.mean),
            )
            .unlabelled(),
        );
    }
    Chart::single("KDE chains", run.command, var)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_figure_renders_from_a_small_run() {
        let env = FigureEnv::default();
        let run = env
            .run(
                &DynExperiment::new(MixtureKde),
                &[
                    ("generations", "5"),
                    ("replicates", "4"),
                    ("policies", "accumulate,replace"),
                ],
            )
            .unwrap();
        let view = RunView {
            params: &run.params,
            summary: &run.summary,
            command: &run.command,
        };
        let chart = run_figure(&view);
        // Two workflows: a mean and an exact curve each.
        assert_eq!(chart.panels[0].series.len(), 4);
        let dir = tempfile::tempdir().unwrap();
        chart.save(dir.path(), "r").unwrap();
    }
}
