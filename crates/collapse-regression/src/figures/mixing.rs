//! Figs. 9 and 10 of Strong Model Collapse from `regression-mixing`: weighted single-step
//! mixing, iterative mixing with fresh and with reused data, and the run figure.

use super::run_of;
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
const MIXING_SAMPLES: &str = "110,200,400,800,1600,3200,6400";

/// The curve (n, mean) of `metric` in `series`, n read from the series' `theory_n` rows;
/// non-positive values dropped (log axes).
fn mixing_curve(summary: &[SummaryRow], series: &str, metric: &str) -> Vec<(f64, f64)> {
    let ns: Vec<(u64, f64)> = curve(summary, series, THEORY_N)
        .map(|r| (r.step, r.mean))
        .collect();
    let n_of = |step: u64| ns.iter().find(|(s, _)| *s == step).map_or(0.0, |q| q.1);
    curve(summary, series, metric)
        .map(|r| (n_of(r.step), r.mean))
        .filter(|q| q.1 > 0.0)
        .collect()
}

/// Runs `regression-mixing` on the figures' n grid and opens the log–log panel of test error
/// against n that both mixing figures draw on.
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
        .legend(Legend::LowerLeft);
    Ok((run, panel))
}

/// Fig. 9 of Strong Model Collapse: weighted single-step mixing, test error against n for
/// several α, with the floors α²c².
pub fn weighted_mixing(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (run, mut panel) = mixing_run(
        env,
        "0,0.1,0.25,0.5,0.75",
        "1",
        "fresh",
        "d = 50, Σ = I, p1 = p2 = 0.5, c² = 1, σ = 1, least squares",
    )?;
    let summary = &run.summary;
    for (i, a) in [0.0, 0.1, 0.25, 0.5, 0.75].into_iter().enumerate() {
        let name = alpha_series(a);
        let label = if a == 0.0 {
            "α = 0 (real only)".to_string()
        } else if a == 0.5 {
            "α = 0.5 = p2 (plain mix)".to_string()
        } else {
            format!("α = {a}")
        };
        panel.push(Series::dashed(
            format!("{label}: theory"),
            i,
            mixing_curve(summary, &name, THEORY_TEST_ERROR),
        ));
        panel.push(Series::markers(
            format!("{label}: Monte Carlo"),
            i,
            mixing_curve(summary, &name, TEST_ERROR),
        ));
        if a > 0.0 {
            let ns = mixing_curve(summary, &name, THEORY_FLOOR);
            panel.push(Series::line(format!("floor α²c² = {}", a * a), i, ns).unlabelled());
        }
    }
    Ok(Chart::single(
        "Weighted single-step mixing: every α > 0 stalls at α²c² (solid)",
        run.command.clone(),
        panel,
    ))
}

/// Fig. 10 of Strong Model Collapse: iterative mixing for t = 1, 2, 4, 8 rounds against
/// training on the real half only, with fresh data every round (left) and with the design and
/// the real labels reused every round (right).
pub fn iterative_mixing(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let rounds = "1,2,4,8";
    let (fresh_run, mut fresh) = mixing_run(
        env,
        "0",
        rounds,
        "fresh",
        "fresh rows every round; d = 50, Σ = I, p1 = p2 = 0.5, c² = σ² = 1",
    )?;
    let summary = &fresh_run.summary;
    let label = |t: u32| {
        if t == 1 {
            "t = 1 (single-step mix)".to_string()
        } else {
            format!("t = {t} rounds")
        }
    };
    for (i, t) in [1u32, 2, 4, 8].into_iter().enumerate() {
        let name = rounds_series(t);
        fresh.push(Series::dashed(
            format!("{}: exact", label(t)),
            i,
            mixing_curve(summary, &name, THEORY_TEST_ERROR),
        ));
        fresh.push(Series::markers(
            format!("{}: Monte Carlo", label(t)),
            i,
            mixing_curve(summary, &name, TEST_ERROR),
        ));
    }
    let real_exact = mixing_curve(summary, REAL_ONLY, THEORY_TEST_ERROR);
    let real_mc = mixing_curve(summary, &alpha_series(0.0), TEST_ERROR);
    fresh.push(Series::dashed(
        "real half only: exact",
        4,
        real_exact.clone(),
    ));
    fresh.push(Series::markers(
        "real half only: Monte Carlo",
        4,
        real_mc.clone(),
    ));

    let (reused_run, mut reused) = mixing_run(
        env,
        "0",
        rounds,
        "reused",
        "same design and real labels every round (reused)",
    )?;
    let summary = &reused_run.summary;
    for (i, t) in [1u32, 2, 4, 8].into_iter().enumerate() {
        let name = rounds_series(t);
        if t == 1 {
            reused.push(Series::dashed(
                format!("{}: exact", label(t)),
                i,
                mixing_curve(summary, &name, THEORY_TEST_ERROR),
            ));
        }
        let mc = mixing_curve(summary, &name, TEST_ERROR);
        reused.push(Series::line(format!("{}: Monte Carlo", label(t)), i, mc.clone()).unlabelled());
        reused.push(Series::markers(format!("{}: Monte Carlo", label(t)), i, mc));
    }
    reused.push(Series::dashed(
        "t → ∞: (3/2)σ²d/(n1−d−1) − σ²τ/2",
        5,
        mixing_curve(summary, ROUNDS_LIMIT, THEORY_TEST_ERROR),
    ));
    reused.push(Series::markers(
        "t → ∞: Monte Carlo",
        5,
        mixing_curve(summary, ROUNDS_LIMIT, TEST_ERROR),
    ));
    reused.push(Series::dashed("real half only: exact", 4, real_exact));
    reused.push(Series::markers("real half only: Monte Carlo", 4, real_mc));
    Ok(Chart::grid(
        "Iterative mixing against the real half alone: fresh data end below it, reused real data above",
        [fresh_run.command.as_str(), reused_run.command.as_str()].join("\n"),
        vec![fresh, reused],
        2,
    ))
}

/// The figure of `collapse run regression-mixing`: every series' theory and Monte Carlo
/// against n.
pub fn run_figure(run: &RunView<'_>) -> Chart {
    let summary = run.summary;
    let mut panel = Panel::new(
        "regression-mixing: theory (dashed) and Monte Carlo (markers)",
        "samples n",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::LowerLeft);
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
    for (i, name) in series.iter().enumerate() {
        let th = mixing_curve(summary, name, THEORY_TEST_ERROR);
        if !th.is_empty() {
            panel.push(Series::dashed(format!("{name}: theory"), i, th));
        }
        let m = mixing_curve(summary, name, TEST_ERROR);
        if !m.is_empty() {
            panel.push(Series::markers(format!("{name}: Monte Carlo"), i, m));
        }
    }
    Chart::single(
        "Weighted and iterative mixing of real and synthetic data",
        run.command,
        panel,
    )
}
