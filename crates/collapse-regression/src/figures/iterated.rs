//! Iterated-regression figures: replace against accumulate with the optimal ridge penalty as
//! generations grow, and the run figure of `regression-iterated`.

use super::{GRID_PLOT_PX, room_for_legend, run_of};
use crate::experiments::iterated::{DataPolicy, IteratedConfig, RegressionIterated};
use crate::iterated::{Design, optimal_lambda, ridge_iterated};
use crate::names::{
    ACCUMULATE, GENERATOR_ERROR, REPLACE, TEST_ERROR, THEORY_GENERATOR_ERROR, THEORY_TEST_ERROR,
};
use crate::theory::Spectrum;
use collapse_core::records::curve;
use collapse_core::{Choice, FigureEnv, FigureError, RunView, SummaryRow};
use collapse_plot::{Chart, Legend, Panel, Series};

/// The mean of `metric` in `series` by generation, with a ±2 SE band.
fn mean_with_band(summary: &[SummaryRow], series: &str, metric: &str) -> (Series, Vec<(f64, f64)>) {
    let mean: Vec<(f64, f64)> = curve(summary, series, metric)
        .map(|r| (r.step as f64, r.mean))
        .collect();
    let xs: Vec<f64> = mean.iter().map(|p| p.0).collect();
    let se: Vec<f64> = curve(summary, series, metric)
        .map(|r| r.std_error)
        .collect();
    let lo: Vec<f64> = mean.iter().zip(&se).map(|(p, s)| p.1 - 2.0 * s).collect();
    let hi: Vec<f64> = mean.iter().zip(&se).map(|(p, s)| p.1 + 2.0 * s).collect();
    (Series::band(0, &xs, &lo, &hi), mean)
}

/// The curve (generation, mean) of `metric` in `series`.
fn by_generation(summary: &[SummaryRow], series: &str, metric: &str) -> Vec<(f64, f64)> {
    curve(summary, series, metric)
        .map(|r| (r.step as f64, r.mean))
        .collect()
}

/// Iterated regression (d = 50, T = 200, T0 = 100, σ = σ0 = 1): replace against accumulate with
/// theory lines; and, in theory, the optimal ridge penalty as generations grow and the error
/// it buys, each on its own axis.
pub fn replace_accumulate(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let gens = 20u64;
    let mut left = Panel::new(
        "(a) least squares, d = 50, T = 200, T0 = 100",
        "generation n",
        "test error",
    )
    .legend(Legend::UpperLeft);
    let mut commands = Vec::new();
    let policies = [
        (DataPolicy::Replace, REPLACE),
        (DataPolicy::Accumulate, ACCUMULATE),
    ];
    let mut top: f64 = 0.0;
    for (i, (policy, series)) in policies.into_iter().enumerate() {
        let run = run_of(
            env,
            RegressionIterated,
            &[
                ("generations", "20"),
                ("replicates", "400"),
                ("policy", policy.name()),
            ],
        )?;
        let (mut band, mean) = mean_with_band(&run.summary, series, TEST_ERROR);
        band.color = i;
        top = band.points.iter().fold(top, |a, p| a.max(p.1));
        left.push(band);
        left.push(Series::line(
            format!("{series}: Monte Carlo ± 2 SE"),
            i,
            mean,
        ));
        left.push(Series::dashed(
            format!("{series}: theory"),
            i,
            by_generation(&run.summary, series, THEORY_TEST_ERROR),
        ));
        commands.push(run.command.clone());
    }
    let d = 50.0;
    let clean = d / (200.0 - d - 1.0);
    let bound = clean + std::f64::consts::PI.powi(2) / 6.0 * d / (100.0 - d - 1.0);
    left.push(Series::dashed(
        "π²/6 bound of accumulate",
        7,
        vec![(0.0, bound), (gens as f64, bound)],
    ));
    let (y0, y1) = room_for_legend(0.0, top, 5, GRID_PLOT_PX, false);
    let left = left.x_range(0.0, gens as f64).y_range(y0, y1);
    let spec = Spectrum::isotropic(200);
    let ns: Vec<u64> = (0..=gens).collect();
    let opt: Vec<f64> = ns
        .iter()
        .map(|&n| optimal_lambda(&spec, 1.0, 1000, 1000, 1.0, 1.0, n, false))
        .collect();
    let middle = Panel::new(
        "(b) ridge, d = 200, T = T0 = 1000, ‖w0‖ = 1",
        "generation n",
        "optimal ridge penalty λ*",
    )
    .with(
        Series::dashed(
            "",
            0,
            ns.iter().zip(&opt).map(|(&n, &l)| (n as f64, l)).collect(),
        )
        .unlabelled(),
    )
    .x_range(0.0, gens as f64);
    let at_optimum: Vec<(f64, f64)> = ns
        .iter()
        .zip(&opt)
        .map(|(&n, &l)| {
            (
                n as f64,
                ridge_iterated(&spec, 1.0, 1000, 1000, 1.0, 1.0, l, n, false),
            )
        })
        .collect();
    let l0 = opt[0];
    let at_clean_optimum: Vec<(f64, f64)> = ns
        .iter()
        .map(|&n| {
            (
                n as f64,
                ridge_iterated(&spec, 1.0, 1000, 1000, 1.0, 1.0, l0, n, false),
            )
        })
        .collect();
    let worst = at_clean_optimum.iter().fold(0.0f64, |a, p| a.max(p.1));
    let (y0, y1) = room_for_legend(0.0, worst, 2, GRID_PLOT_PX, false);
    let right = Panel::new(
        "(c) the same ridge: test error (theory)",
        "generation n",
        "test error",
    )
    .legend(Legend::UpperLeft)
    .with(Series::dashed("at the optimal λ* of each n", 1, at_optimum))
    .with(Series::dashed(
        "at the clean-optimal λ* of n = 0",
        2,
        at_clean_optimum,
    ))
    .x_range(0.0, gens as f64)
    .y_range(y0, y1);
    Ok(Chart::grid(
        "Iterated regression: the error grows linearly when replacing, stays below π²/6 when accumulating; the optimal ridge grows with n",
        commands.join("\n"),
        vec![left, middle, right],
        3,
    ))
}

/// The figure of `collapse run regression-iterated`: the downstream and generator errors by
/// generation against their theory.
pub fn run_figure(cfg: &IteratedConfig, run: &RunView<'_>) -> Chart {
    let s = &cfg.setup;
    let series = s.series();
    let summary = run.summary;
    let mut panel = Panel::new(format!("policy = {series}"), "generation n", "test error")
        .legend(Legend::UpperLeft);
    let (band, mean) = mean_with_band(summary, series, TEST_ERROR);
    panel.push(band);
    panel.push(Series::line("downstream test error (±2 SE)", 0, mean));
    let theory_label = if s.accumulate && s.design == Design::Fresh {
        "Σ1/i² formula (exact for a fixed design; an upper bound here)"
    } else {
        "theory"
    };
    panel.push(Series::dashed(
        theory_label,
        0,
        by_generation(summary, series, THEORY_TEST_ERROR),
    ));
    panel.push(Series::line(
        "generator error",
        1,
        by_generation(summary, series, GENERATOR_ERROR),
    ));
    panel.push(Series::dashed(
        "generator error: theory",
        1,
        by_generation(summary, series, THEORY_GENERATOR_ERROR),
    ));
    Chart::single("Iterated regression", run.command, panel)
}
