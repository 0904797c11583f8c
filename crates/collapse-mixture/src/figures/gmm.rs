//! Figures of `gmm-chain`: snapshots of one chain in each setting, the L2 distance over chains,
//! and the run figure.

use super::band_panel;
use crate::gmm_chain::{GmmChain, Setting, Setup};
use crate::model::Mixture;
use crate::names::{L2_DISTANCE, VAR};
use collapse_core::{Choice, DynExperiment, FigureEnv, FigureError, RunView, SummaryRow};
use collapse_plot::{Chart, Legend, Panel, Series};

/// Points on the 2-sd ellipse of a 2-D covariance (or the ±2 sd segment in 1-D, drawn at y 0).
fn ellipse(mean: &[f64], cov: &[f64], d: usize) -> Vec<(f64, f64)> {
    if d == 1 {
        let s = 2.0 * cov[0].sqrt();
        return vec![(mean[0] - s, 0.0), (mean[0] + s, 0.0)];
    }
    // x = μ + 2 L (cos t, sin t) with L the Cholesky factor of the top-left 2 × 2 block.
    let (a, b, c) = (cov[0], cov[1], cov[d + 1]);
    let l11 = a.max(0.0).sqrt();
    let l21 = if l11 > 0.0 { b / l11 } else { 0.0 };
    let l22 = (c - l21 * l21).max(0.0).sqrt();
    (0..=72)
        .map(|i| {
            let t = i as f64 / 72.0 * std::f64::consts::TAU;
            let (u, v) = (2.0 * t.cos(), 2.0 * t.sin());
            (mean[0] + l11 * u, mean[1] + l21 * u + l22 * v)
        })
        .collect()
}

/// One snapshot: 400 points drawn from the model (stream `figure-snapshot`, generation `g`)
/// and every component's 2-sd ellipse.
fn snapshot_panel(m: &Mixture, g: u64, seed: u64, range: ((f64, f64), (f64, f64))) -> Panel {
    let d = m.dim();
    let mut rng = collapse_core::rng::stream(seed, "figure-snapshot", g);
    let pts = m.sample(400, &mut rng);
    let scatter: Vec<(f64, f64)> = (0..400)
        .map(|i| (pts.point(i)[0], if d > 1 { pts.point(i)[1] } else { 0.0 }))
        .collect();
    let var = m.var();
    // Three significant digits, in scientific notation only below 0.01.
    let var = if var >= 0.01 {
        format!("{var:.3}")
    } else {
        format!("{var:.2e}")
    };
    let mut p = Panel::new(format!("generation {g}   (tr Σ/d = {var})"), "x₁", "x₂")
        .x_range(range.0.0, range.0.1)
        .y_range(range.1.0, range.1.1)
        .with(Series::markers("samples", 5, scatter).unlabelled());
    for (k, c) in m.comps.iter().enumerate() {
        let s = Series::line(
            format!("component {} (2 sd)", k + 1),
            k,
            ellipse(&c.mean, &c.cov, d),
        );
        p.push(if g == 0 { s } else { s.unlabelled() });
    }
    p
}

/// The snapshots of chain 0 of `collapse run gmm-chain --set setting=… --set replicates=1`
/// (with `extra` parameters on top), and its L2 distance to generation 0. The chain is run
/// here, from the stream that run gives it, and its models are read as models.
fn snapshots_with(
    env: &FigureEnv<'_>,
    setting: Setting,
    extra: &[(&str, &str)],
) -> Result<Chart, FigureError> {
    let mut sets = vec![("setting", setting.name()), ("replicates", "1")];
    sets.extend_from_slice(extra);
    let run = DynExperiment::new(GmmChain).configure_with(&sets)?;
    let setup: &Setup = run
        .config()
        .ok_or_else(|| FigureError::Run("gmm-chain built another configuration".into()))?;
    env.progress.start(1);
    let chain = setup
        .snapshots(&mut Setup::stream(env.seed, 0))
        .map_err(|e| FigureError::Run(e.to_string()))?;
    env.progress.advance(1);
    let range = match setting {
        Setting::Paper => ((-6.0, 6.0), (-4.0, 4.0)),
        Setting::Notebook => ((-4.0, 4.0), (-4.0, 4.0)),
    };
    let mut panels: Vec<Panel> = chain
        .snapshots
        .iter()
        .map(|s| snapshot_panel(&s.model, s.generation, env.seed, range))
        .collect();
    let l2: Vec<(f64, f64)> = chain
        .l2_distance
        .iter()
        .filter(|(g, _)| *g > 0)
        .map(|&(g, v)| (g as f64, v))
        .collect();
    panels.push(
        // The distance grows to the upper right: the legend goes below it.
        Panel::new("∫(pₙ − p₀)² (closed form)", "generation n", "L2 distance")
            .log_y()
            .legend(Legend::LowerRight)
            .with(Series::line("this chain", 0, l2)),
    );
    let title = match setting {
        Setting::Paper => {
            "Recursive EM on two separated Gaussians: snapshots of one chain (M = 1000)"
        }
        Setting::Notebook => {
            "Recursive EM on one blob fitted with two components (the authors' notebook): one chain"
        }
    };
    Ok(Chart::grid(
        title,
        run.command(env.program, env.seed),
        panels,
        4,
    ))
}

/// `mixture-gmm-paper`.
pub fn snapshots_paper(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    snapshots_with(env, Setting::Paper, &[])
}

/// `mixture-gmm-notebook`.
pub fn snapshots_notebook(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    snapshots_with(env, Setting::Notebook, &[])
}

/// `mixture-gmm-l2`: the L2 distance over 8 chains of each setting.
pub fn l2_curve(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let reps = "8";
    let mut panel = Panel::new(
        "median and 5–95% band over 8 chains",
        "generation n",
        "∫(pₙ − p₀)²",
    )
    .log_y()
    .legend(Legend::LowerRight);
    let mut commands = Vec::new();
    for (i, setting) in Setting::ALL.iter().enumerate() {
        let run = env.run(
            &DynExperiment::new(GmmChain),
            &[
                ("setting", setting.name()),
                ("replicates", reps),
                ("snapshots", ""),
            ],
        )?;
        commands.push(run.command.clone());
        let rows: Vec<SummaryRow> = run.summary.iter().filter(|r| r.step > 0).copied().collect();
        let label = match setting {
            Setting::Paper => "paper: two separated Gaussians",
            Setting::Notebook => "notebook: one blob, two components",
        };
        band_panel(&rows, setting.name(), L2_DISTANCE, label, i, &mut panel);
    }
    Ok(Chart::single(
        "Distance between the original GMM and generation n (M = 1000, 2 components, tol 1e-5)",
        commands.join("\n"),
        panel,
    ))
}

/// The figure of `collapse run gmm-chain`: the L2 distance and the variance, median and band.
pub fn run_figure(s: &Setup, run: &RunView<'_>) -> Chart {
    let series = s.setting.name();
    let rows: Vec<SummaryRow> = run.summary.iter().filter(|r| r.step > 0).copied().collect();
    let mut panel = Panel::new(
        "median and 5–95% band over chains",
        "generation n",
        "∫(pₙ − p₀)²",
    )
    .log_y();
    band_panel(&rows, series, L2_DISTANCE, series, 0, &mut panel);
    let mut var = Panel::new("tr Σₙ / d", "generation n", "variance");
    band_panel(&rows, series, VAR, series, 1, &mut var);
    Chart::grid(
        "GMM chain: L2 distance to the original and variance",
        run.command,
        vec![panel, var],
        2,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gmm_chain::parse_snapshots;

    #[test]
    fn snapshot_figure_shows_every_reached_snapshot_and_renders() {
        let env = FigureEnv {
            seed: 4,
            ..FigureEnv::default()
        };
        let chart = snapshots_with(
            &env,
            Setting::Notebook,
            &[
                ("generations", "30"),
                ("samples", "200"),
                ("snapshots", "0,10,30,99"),
            ],
        )
        .unwrap();
        // Generations 0, 10 and 30 (99 is never reached), and the L2 panel.
        assert_eq!(chart.panels.len(), 4);
        assert_eq!(chart.panels[3].series[0].points.len(), 30);
        assert_eq!(
            chart.caption,
            "collapse run gmm-chain --set setting=notebook --set samples=200 --set generations=30 --set replicates=1 --set snapshots=0,10,30,99 --seed 4"
        );
        assert_eq!(parse_snapshots("30, 0,10,10").unwrap(), [0, 10, 30]);
        let dir = tempfile::tempdir().unwrap();
        chart.save(dir.path(), "s").unwrap();
    }

    #[test]
    fn run_figure_renders_from_a_small_run() {
        let env = FigureEnv::default();
        let run = env
            .run(
                &DynExperiment::new(GmmChain),
                &[
                    ("generations", "10"),
                    ("samples", "100"),
                    ("replicates", "3"),
                ],
            )
            .unwrap();
        let view = RunView {
            params: &run.params,
            summary: &run.summary,
            command: &run.command,
        };
        let cfg = DynExperiment::new(GmmChain)
            .configure(run.params.clone())
            .unwrap();
        let chart = run_figure(cfg.config().unwrap(), &view);
        assert_eq!(chart.caption, run.command);
        let dir = tempfile::tempdir().unwrap();
        chart.save(dir.path(), "r").unwrap();
    }
}
