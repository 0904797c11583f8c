//! `gaussian-variance-collapse`: σ²ₙ is a martingale, yet almost every chain collapses.

use super::{curve_of, run_of, thinned};
use crate::names::{LOG_VAR, THEORY_LOG_VAR, VAR};
use collapse_core::{FigureEnv, FigureError};
use collapse_plot::{Chart, Legend, Panel, Series};

/// Generations between two theory markers.
const MARK_EVERY: u64 = 20;

pub fn variance_collapse(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let mut panel = Panel::new(
        "σ²ₙ over 2,000 chains: 5–95% band, geometric mean exp(mean ln σ²ₙ); dots: exp(E ln σ²ₙ)",
        "generation n",
        "σ²ₙ",
    )
    .log_y()
    .y_range(1e-22, 1e2)
    .legend(Legend::LowerLeft);
    let mut commands = Vec::new();
    for (i, m) in [10usize, 30, 100].into_iter().enumerate() {
        let ms = m.to_string();
        let run = run_of(
            env,
            &[
                ("samples", &ms),
                ("generations", "300"),
                ("replicates", "2000"),
            ],
        )?;
        commands.push(run.command.clone());
        let rows = &run.summary;
        let q05 = curve_of(rows, "replace", VAR, |r| r.q05, |v| v);
        let q95 = curve_of(rows, "replace", VAR, |r| r.q95, |v| v);
        let xs: Vec<f64> = q05.iter().map(|p| p.0).collect();
        let lo: Vec<f64> = q05.iter().map(|p| p.1).collect();
        let hi: Vec<f64> = q95.iter().map(|p| p.1).collect();
        panel.push(Series::band(i, &xs, &lo, &hi));
        panel.push(Series::line(
            format!("M = {m}: geometric mean"),
            i,
            curve_of(rows, "replace", LOG_VAR, |r| r.mean, f64::exp),
        ));
        // E ln σ²ₙ = n [ψ((M−1)/2) + ln(2/(M−1))], from the run's own theory rows.
        panel.push(Series::markers(
            format!("M = {m}: exp(n E ln S), exact"),
            i,
            thinned(
                curve_of(rows, "replace", THEORY_LOG_VAR, |r| r.mean, f64::exp),
                MARK_EVERY,
            ),
        ));
    }
    panel.push(Series::dashed(
        "E σ²ₙ = 1 (martingale)",
        7,
        vec![(0.0, 1.0), (300.0, 1.0)],
    ));
    Ok(Chart::single(
        "Gaussian model collapse: the variance is a martingale, yet almost every chain collapses",
        commands.join("\n"),
        panel,
    ))
}
