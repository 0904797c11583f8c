//! Figs. 9 and 10 of Strong Model Collapse from `regression-mixing`: weighted single-step
//! mixing, iterative mixing with fresh and with reused data, and the run figure.

use super::{GRID_PLOT_PX, SINGLE_PLOT_PX, mc_points, room_for_legend, run_of, with_error_bars};
use crate::experiments::mixing::RegressionMixing;
use crate::names::{
    REAL_ONLY, ROUNDS_LIMIT, TEST_ERROR, THEORY_FLOOR, THEORY_N, THEORY_TEST_ERROR, alpha_series,
    rounds_series,
};
use collapse_core::records::curve;
use collapse_core::{FigureEnv, FigureError, FigureRun, RunView, SummaryRow};
use collapse_plot::{Chart, Legend, Panel, Series};

/// The n grid of Figs. 9 and 10 (d = 50, p1 = p2 = 0.5, c² = 1, σ = 1 and 5 designs per n, as
/// in the paper's 5 runs, are the experiment's defaults).
const MIXING_SAMPLES: &str = "110,200,400,800,1600,3200,6400,10000";

/// The n of each step of a series, from its `theory_n` rows.
fn n_of(summary: &[SummaryRow], series: &str) -> impl Fn(u64) -> f64 + use<> {
    let ns: Vec<(u64, f64)> = curve(summary, series, THEORY_N)
        .map(|r| (r.step, r.mean))
        .collect();
    move |step| ns.iter().find(|(s, _)| *s == step).map_or(0.0, |q| q.1)
}

/// The curve (n, mean) of `metric` in `series`, n read from the series' `theory_n` rows;
/// non-positive values dropped (log axes).
fn mixing_curve(summary: &[SummaryRow], series: &str, metric: &str) -> Vec<(f64, f64)> {
    let n = n_of(summary, series);
    curve(summary, series, metric)
        .map(|r| (n(r.step), r.mean))
        .filter(|q| q.1 > 0.0)
        .collect()
}

/// The Monte Carlo means (n, mean, se) of `metric` in `series`.
fn mixing_points(summary: &[SummaryRow], series: &str, metric: &str) -> Vec<(f64, f64, f64)> {
    mc_points(summary, series, metric, n_of(summary, series))
        .into_iter()
        .filter(|q| q.1 > 0.0)
        .collect()
}

/// The lowest and highest values of some curves.
fn span<'a>(curves: impl IntoIterator<Item = &'a [(f64, f64)]>) -> (f64, f64) {
    curves
        .into_iter()
        .flatten()
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
            (lo.min(p.1), hi.max(p.1))
        })
}

/// Runs `regression-mixing` on the figures' n grid and opens the log–log panel of test error
/// against n that both mixing figures draw on (x from 100 to 10⁴).
fn mixing_run(
    env: &FigureEnv<'_>,
    alphas: &str,
    rounds: &str,
    real_data: &str,
    subtitle: &str,
) -> Result<(FigureRun, Panel), FigureError> {
    let run = run_of(
        env,
        RegressionMixing,
        &[
            ("samples", MIXING_SAMPLES),
            ("alphas", alphas),
            ("rounds", rounds),
            ("real_data", real_data),
        ],
    )?;
    let panel = Panel::new(subtitle, "samples n", "test error")
        .log_x()
        .log_y()
        .legend(Legend::UpperRight)
        .x_range(100.0, 10_000.0);
    Ok((run, panel))
}

/// Pushes a closed form (dashed, labelled) and the Monte Carlo means with ±2 SE bars of one
/// series; returns the closed form's points.
fn theory_and_points(
    panel: &mut Panel,
    summary: &[SummaryRow],
    series: &str,
    label: String,
    color: usize,
    theory: &str,
) -> Vec<(f64, f64)> {
    let th = mixing_curve(summary, series, theory);
    panel.push(Series::dashed(label, color, th.clone()));
    for s in with_error_bars(None, color, &mixing_points(summary, series, TEST_ERROR)) {
        panel.push(s);
    }
    th
}

/// Fig. 9 of Strong Model Collapse: weighted single-step mixing, test error against n for
/// several α, with the floors α²c².
pub fn weighted_mixing(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let alphas = [0.0, 0.1, 0.25, 0.5, 0.75];
    let (run, mut panel) = mixing_run(
        env,
        "0,0.1,0.25,0.5,0.75",
        "1",
        "fresh",
        "d = 50, Σ = I, p1 = p2 = 0.5, c² = 1, σ = 1, least squares",
    )?;
    let summary = &run.summary;
    let mut curves = Vec::new();
    for (i, a) in alphas.into_iter().enumerate() {
        let name = alpha_series(a);
        let label = if a == 0.0 {
            "α = 0 (real rows only)".to_string()
        } else if a == 0.5 {
            "α = 0.5 = p2 (plain mix)".to_string()
        } else {
            format!("α = {a}")
        };
        curves.push(theory_and_points(
            &mut panel,
            summary,
            &name,
            label,
            i,
            THEORY_TEST_ERROR,
        ));
        if a > 0.0 {
            let ns = mixing_curve(summary, &name, THEORY_FLOOR);
            panel.push(Series::line("", i, ns).unlabelled());
        }
    }
    let (lo, hi) = span(curves.iter().map(|c| c.as_slice()));
    let (y0, y1) = room_for_legend(lo.min(0.01), hi, alphas.len(), SINGLE_PLOT_PX, true);
    Ok(Chart::single(
        "Weighted single-step mixing, weights (1−α)/p1 real, α/p2 synthetic: every α > 0 stalls at α²c² (dashed: derived equivalent; solid: α²c²; dots: Monte Carlo ± 2 SE)",
        run.command.clone(),
        panel.y_range(y0, y1),
    ))
}

/// Fig. 10 of Strong Model Collapse: iterative mixing for t = 1, 2, 4, 8 rounds against
/// training on the real half only, with fresh data every round (left) and with the design and
/// the real labels reused every round (right).
pub fn iterative_mixing(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let rounds = "1,2,4,8";
    let ts = [1u32, 2, 4, 8];
    let (fresh_run, mut fresh) = mixing_run(
        env,
        "0",
        rounds,
        "fresh",
        "(a) fresh rows every round; d = 50, Σ = I, p1 = p2 = 0.5, c² = σ² = 1",
    )?;
    let summary = &fresh_run.summary;
    let label = |t: u32| {
        if t == 1 {
            "t = 1 (single-step mix)".to_string()
        } else {
            format!("t = {t} rounds")
        }
    };
    let mut curves = Vec::new();
    for (i, t) in ts.into_iter().enumerate() {
        let name = rounds_series(t);
        curves.push(theory_and_points(
            &mut fresh,
            summary,
            &name,
            label(t),
            i,
            THEORY_TEST_ERROR,
        ));
    }
    let real_exact = mixing_curve(summary, REAL_ONLY, THEORY_TEST_ERROR);
    fresh.push(Series::dashed("real half only", 4, real_exact.clone()));
    for s in with_error_bars(
        None,
        4,
        &mixing_points(summary, &alpha_series(0.0), TEST_ERROR),
    ) {
        fresh.push(s);
    }
    curves.push(real_exact.clone());
    let (lo, hi) = span(curves.iter().map(|c| c.as_slice()));
    let (y0, y1) = room_for_legend(lo, hi, 5, GRID_PLOT_PX, true);
    let fresh = fresh.y_range(y0, y1);

    let (reused_run, mut reused) = mixing_run(
        env,
        "0",
        rounds,
        "reused",
        "(b) the same design and real labels every round",
    )?;
    let summary = &reused_run.summary;
    let mut curves = Vec::new();
    for (i, t) in ts.into_iter().enumerate() {
        let name = rounds_series(t);
        if t == 1 {
            curves.push(theory_and_points(
                &mut reused,
                summary,
                &name,
                label(t),
                i,
                THEORY_TEST_ERROR,
            ));
        } else {
            // No closed form beyond one round: the Monte Carlo means, joined.
            let points = mixing_points(summary, &name, TEST_ERROR);
            let joined: Vec<(f64, f64)> = points.iter().map(|q| (q.0, q.1)).collect();
            reused.push(Series::line(
                format!("{}: Monte Carlo", label(t)),
                i,
                joined.clone(),
            ));
            for s in with_error_bars(None, i, &points) {
                reused.push(s);
            }
            curves.push(joined);
        }
    }
    curves.push(theory_and_points(
        &mut reused,
        summary,
        ROUNDS_LIMIT,
        "t → ∞: (3/2)σ²d/(n1−d−1) − σ²τ/2".into(),
        5,
        THEORY_TEST_ERROR,
    ));
    reused.push(Series::dashed("real half only", 4, real_exact.clone()));
    for s in with_error_bars(
        None,
        4,
        &mixing_points(summary, &alpha_series(0.0), TEST_ERROR),
    ) {
        reused.push(s);
    }
    curves.push(real_exact);
    let (lo, hi) = span(curves.iter().map(|c| c.as_slice()));
    let (y0, y1) = room_for_legend(lo, hi, 6, GRID_PLOT_PX, true);
    Ok(Chart::grid(
        "Iterative mixing against the real half alone: fresh data end below it, reused real data above (dashed: exact; dots: Monte Carlo ± 2 SE)",
        [fresh_run.command.as_str(), reused_run.command.as_str()].join("\n"),
        vec![fresh, reused.y_range(y0, y1)],
        2,
    ))
}

/// The figure of `collapse run regression-mixing`: every series' theory and Monte Carlo
/// against n.
pub fn run_figure(run: &RunView<'_>) -> Chart {
    let summary = run.summary;
    let mut panel = Panel::new(
        "regression-mixing: theory (dashed) and Monte Carlo ± 2 SE (dots)",
        "samples n",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::UpperRight);
    let mut series: Vec<&str> = summary
        .iter()
        .filter(|r| r.metric == THEORY_TEST_ERROR)
        .map(|r| r.series.as_str())
        .collect();
    series.dedup();
    // Series with Monte Carlo but no closed form (reused-data rounds t >= 2).
    for r in summary.iter().filter(|r| r.metric == TEST_ERROR) {
        if !series.contains(&r.series.as_str()) {
            series.push(r.series.as_str());
        }
    }
    let mut curves = Vec::new();
    for (i, name) in series.iter().enumerate() {
        let th = mixing_curve(summary, name, THEORY_TEST_ERROR);
        let points = mixing_points(summary, name, TEST_ERROR);
        if th.is_empty() {
            let joined: Vec<(f64, f64)> = points.iter().map(|q| (q.0, q.1)).collect();
            panel.push(Series::line(
                format!("{name}: Monte Carlo"),
                i,
                joined.clone(),
            ));
            curves.push(joined);
        } else {
            panel.push(Series::dashed(name.to_string(), i, th.clone()));
            curves.push(th);
        }
        for s in with_error_bars(None, i, &points) {
            panel.push(s);
        }
    }
    let (lo, hi) = span(curves.iter().map(|c| c.as_slice()));
    if lo.is_finite() && hi > 0.0 {
        let (y0, y1) = room_for_legend(lo, hi, series.len(), SINGLE_PLOT_PX, true);
        panel = panel.y_range(y0, y1);
    }
    Chart::single(
        "Weighted and iterative mixing of real and synthetic data",
        run.command,
        panel,
    )
}
