//! Figures of `mixture-kde`: the three workflows on the Gaussian mixture, the fitted densities
//! of the two moons as heat maps, and the run figure.

use super::heatmap::{HeatGrid, HeatPanel};
use super::{mean_se_band, place_legend};
use crate::family::Density;
use crate::kde::{MixtureKde, Setup, Workflow};
use crate::names::{NLL, THEORY_VAR, VAR};
use collapse_core::{Choice, DynExperiment, FigureEnv, FigureError, RunView, SummaryRow};
use collapse_plot::{Chart, Panel, Series, summary_curve};

/// The colour of closed forms: black, drawn dashed on top of the coloured measurements.
const THEORY: usize = 7;

/// The variance panel: each workflow's mean over chains with its ±2 SE band, and the exact
/// mean (dashed, on top).
fn variance_panel(rows: &[SummaryRow], title: &str) -> Panel {
    let mut var = Panel::new(title, "generation n", "tr Cov / d");
    let mut labelled = false;
    for (i, w) in Workflow::ALL.iter().enumerate() {
        let w = w.name();
        if summary_curve(rows, w, VAR, |r| r.mean).is_empty() {
            continue;
        }
        mean_se_band(rows, w, VAR, &format!("{w}: mean ± 2 SE"), i, &mut var);
        let th = Series::dashed(
            "exact E (dashed)",
            THEORY,
            summary_curve(rows, w, THEORY_VAR, |r| r.mean),
        );
        var.push(if labelled { th.unlabelled() } else { th });
        labelled = true;
    }
    let entries = var.series.iter().filter(|s| s.label.is_some()).count();
    place_legend(var, entries)
}

/// The held-out NLL of every workflow: mean over chains and its ±2 SE band.
fn nll_panel(rows: &[SummaryRow]) -> Panel {
    let mut nll = Panel::new(
        "held-out NLL: mean of −ln pₙ(x), x from the truth",
        "generation n",
        "nats",
    );
    for (i, w) in Workflow::ALL.iter().enumerate() {
        let w = w.name();
        if summary_curve(rows, w, NLL, |r| r.mean).is_empty() {
            continue;
        }
        mean_se_band(rows, w, NLL, &format!("{w}: mean ± 2 SE"), i, &mut nll);
    }
    let entries = nll.series.iter().filter(|s| s.label.is_some()).count();
    place_legend(nll, entries)
}

/// `mixture-kde-workflows`: the variance of every workflow against its exact mean, and the
/// held-out NLL.
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
    Ok(Chart::grid(
        "Recursive KDE on ½N(−2,1) + ½N(2,1), fixed h = 0.2, M = 100, 200 chains a workflow (Kazdan et al.'s workflows)",
        run.command.clone(),
        vec![
            variance_panel(rows, "variance of the KDE: mean over chains and exact mean"),
            nll_panel(rows),
        ],
        2,
    ))
}

/// The figure of `collapse run mixture-kde`: the mean variance of every workflow with its
/// ±2 SE band against the exact mean, and the held-out NLL.
pub fn run_figure(run: &RunView<'_>) -> Chart {
    let rows = run.summary;
    let mut panels = vec![variance_panel(
        rows,
        "variance of the KDE: mean ± 2 SE, exact mean (dashed)",
    )];
    if rows.iter().any(|r| r.metric == NLL) {
        panels.push(nll_panel(rows));
    }
    let n = panels.len();
    Chart::grid("KDE chains", run.command, panels, n)
}

/// The parameters of the two-moons figure's runs.
pub const MOONS_SETS: [(&str, &str); 6] = [
    ("truth", "moons"),
    ("samples", "200"),
    ("generations", "50"),
    ("h", "0.1"),
    ("replicates", "1"),
    ("nll_at", "every"),
];

/// The generations the two-moons figure shows.
pub const MOONS_GENERATIONS: [u64; 3] = [0, 10, 50];

/// `mixture-kde-moons`: the density of one chain of each workflow on the two moons after 0
/// (the truth), 10 and 50 generations, as heat maps on one colour scale.
pub fn moons(env: &FigureEnv<'_>) -> Result<HeatGrid, FigureError> {
    let configured = DynExperiment::new(MixtureKde).configure_with(&MOONS_SETS)?;
    let setup: &Setup = configured
        .config()
        .ok_or_else(|| FigureError::Run("mixture-kde built another configuration".into()))?;
    let (x, y, cells) = ((-1.6, 2.6), (-1.1, 1.6), (96, 62));
    env.progress.start(Workflow::ALL.len() as u64);
    let mut panels = Vec::new();
    for &w in Workflow::ALL {
        let mut kept: Vec<(u64, Density)> = Vec::new();
        setup
            .run_one(w, &mut Setup::stream(env.seed, w, 0), |g, m| {
                if MOONS_GENERATIONS.contains(&g) {
                    kept.push((g, m.clone()));
                }
            })
            .map_err(|e| FigureError::Run(e.to_string()))?;
        for (g, m) in kept {
            let title = if g == 0 {
                "truth (generation 0)".to_string()
            } else {
                format!("{w}, generation {g}")
            };
            panels.push(HeatPanel::from_fn(title, x, y, cells, |pts| match &m {
                Density::Kde(k) => k.log_pdf_many(pts).0.iter().map(|v| v.exp()).collect(),
                Density::Truth(t) => pts
                    .chunks_exact(2)
                    .map(|p| t.pdf_2d(p, 2000).unwrap_or(0.0))
                    .collect(),
            }));
        }
        env.progress.advance(1);
    }
    Ok(HeatGrid {
        title: "Recursive KDE on the two moons (noise 0.05), M = 200, Gaussian kernel h = 0.1: one chain per workflow".into(),
        caption: format!(
            "{} (replicate 0 of each workflow; generation 0 is the truth's density)",
            configured.command(env.program, env.seed)
        ),
        panels,
        cols: MOONS_GENERATIONS.len(),
        x_label: "x₁".into(),
        y_label: "x₂".into(),
        scale_label: "density\n(√ scale)".into(),
    })
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
        // Two workflows: a band, a mean and an exact curve each; and the NLL panel.
        assert_eq!(chart.panels.len(), 2);
        assert_eq!(chart.panels[0].series.len(), 6);
        let dir = tempfile::tempdir().unwrap();
        chart.save(dir.path(), "r").unwrap();
    }
}
