//! Strong model collapse on the real digits (the analogue of Strong Model Collapse, Fig. 7):
//! the test error of random-feature ridge against the sample size for synthetic fractions 0,
//! 1 % and 10 %, the deterministic equivalent beside the Monte Carlo; and the run figure of
//! `regression-digits`.

use super::{
    GRID_PLOT_PX, SINGLE_PLOT_PX, decades, geom, mc_points, room_for_legend, run_of,
    with_error_bars,
};
use crate::experiments::digits::{DigitsConfig, RegressionDigits};
use crate::names::{TEST_ERROR, THEORY_N, THEORY_TEST_ERROR, fraction_series};
use collapse_core::records::curve;
use collapse_core::{FigureEnv, FigureError, RunView, SummaryRow};
use collapse_plot::{Chart, Legend, Panel, Series};

/// The figure's name.
pub const DIGITS: &str = "regression-digits";

/// The label of the series of synthetic fraction `p2`.
fn fraction_label(p2: f64) -> String {
    if p2 == 0.0 {
        "p2 = 0 (real labels only)".into()
    } else {
        format!("p2 = {} % synthetic", p2 * 100.0)
    }
}

/// The n of each step of a series, from its `theory_n` rows.
fn n_of(summary: &[SummaryRow], series: &str) -> impl Fn(u64) -> f64 {
    let ns: Vec<(u64, f64)> = curve(summary, series, THEORY_N)
        .map(|r| (r.step, r.mean))
        .collect();
    move |step| ns.iter().find(|(s, _)| *s == step).map_or(0.0, |q| q.1)
}

/// One panel: for each fraction the equivalent on a dense grid of n (dashed), its limit as
/// n → ∞ (solid: the ridge's own bias at λ plus p2²c²) and the Monte Carlo means with ±2 SE
/// bars, all less ρ, the part of the target outside the features (0 for the readout; for the
/// one-hot class every fit's error is at least ρ, so the difference stays positive). `title`
/// gets ρ as its argument.
fn panel(
    env: &FigureEnv<'_>,
    title: impl Fn(f64) -> String,
    sets: &[(&str, &str)],
    plot_px: f64,
) -> Result<(Panel, String), FigureError> {
    let run = run_of(env, RegressionDigits, sets)?;
    let cfg: &DigitsConfig = run
        .configured
        .config()
        .ok_or_else(|| FigureError::Draw("regression-digits: configuration type".into()))?;
    let model = cfg.model().map_err(|e| FigureError::Draw(e.to_string()))?;
    let n_lo = cfg.samples.iter().copied().min().unwrap_or(1) as f64;
    let n_hi = cfg.samples.iter().copied().max().unwrap_or(1) as f64 * 10.0;
    let ns = geom(n_lo, n_hi, 100);
    let rho = model.rho;
    let y_label = if rho > 0.0 {
        "test error − ρ"
    } else {
        "test error"
    };
    let mut p = Panel::new(
        title(rho),
        "training samples n (drawn from the 1797 digits)",
        y_label,
    )
    .log_x()
    .log_y()
    .legend(Legend::UpperRight);
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for (i, &p2) in cfg.fractions.iter().enumerate() {
        let theory: Vec<(f64, f64)> = ns
            .iter()
            .map(|&n| {
                let n = n.round() as u64;
                let e = model.equivalent(
                    n,
                    DigitsConfig::synthetic(n, p2),
                    cfg.lambda,
                    cfg.noise,
                    cfg.quality,
                );
                (n as f64, e.total() - rho)
            })
            .collect();
        for &(_, y) in &theory {
            lo = lo.min(y);
            hi = hi.max(y);
        }
        // Blue, vermillion, pink: hues that stay apart when closed forms are drawn darker.
        let i = [0, 1, 3][i % 3];
        p.push(Series::dashed(fraction_label(p2), i, theory));
        if p2 > 0.0 {
            const LIMIT: u64 = 1_000_000_000_000_000;
            let floor = model
                .equivalent(
                    LIMIT,
                    DigitsConfig::synthetic(LIMIT, p2),
                    cfg.lambda,
                    cfg.noise,
                    cfg.quality,
                )
                .total()
                - rho;
            lo = lo.min(floor);
            p.push(
                Series::line("", i, vec![(ns[0], floor), (ns[ns.len() - 1], floor)]).unlabelled(),
            );
        }
        let name = fraction_series(p2);
        let points: Vec<(f64, f64, f64)> =
            mc_points(&run.summary, &name, TEST_ERROR, n_of(&run.summary, &name))
                .into_iter()
                .map(|(n, m, se)| (n, m - rho, se))
                .collect();
        for s in with_error_bars(None, i, &points) {
            p.push(s);
        }
    }
    let (y0, y1) = room_for_legend(lo, hi, cfg.fractions.len(), plot_px, true);
    let (x0, x1) = decades(ns[0], ns[ns.len() - 1]);
    Ok((p.x_range(x0, x1).y_range(y0, y1), run.command.clone()))
}

/// Fig. 7 analogue: random-feature ridge (m = 400) on the digits, the readout target, 1 % and
/// 10 % synthetic labels from a generator of quality c² = 1 against real labels only.
pub fn digits(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (readout, c1) = panel(
        env,
        |_| "(a) target: the features' readout of the class (realisable)".into(),
        &[("replicates", "5")],
        GRID_PLOT_PX,
    )?;
    let (onehot, c2) = panel(
        env,
        |rho| {
            format!("(b) target: the one-hot class, less the part ρ = {rho:.4} the features miss")
        },
        &[("target", "one-hot"), ("replicates", "3")],
        GRID_PLOT_PX,
    )?;
    Ok(Chart::grid(
        "Real digits, 400 random ReLU features, generator quality c² = 1: 1 % synthetic labels stop the scaling at p2²c² = 1e-4 (dashed: equivalent of the features' covariance; dots: Monte Carlo ± 2 SE; solid: the n → ∞ limit)",
        format!("{c1}\n{c2}"),
        vec![readout, onehot],
        2,
    ))
}

/// The figure of `collapse run regression-digits`: the Monte Carlo test error (±2 SE) and the
/// equivalent at each n of the run, one colour per synthetic fraction.
pub fn run_figure(cfg: &DigitsConfig, run: &RunView<'_>) -> Chart {
    let mut p = Panel::new(
        "regression-digits: equivalent (dashed) and Monte Carlo ± 2 SE",
        "training samples n",
        "test error",
    )
    .log_y();
    let positive: Vec<f64> = cfg.samples.iter().map(|&n| n as f64).collect();
    let spread = positive.iter().cloned().fold(0.0, f64::max)
        / positive.iter().cloned().fold(f64::INFINITY, f64::min);
    if spread > 20.0 {
        p = p.log_x();
    }
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for (i, &p2) in cfg.fractions.iter().enumerate() {
        let name = fraction_series(p2);
        let x = |step: u64| cfg.samples.get(step as usize).map_or(0.0, |&n| n as f64);
        let theory: Vec<(f64, f64)> = curve(run.summary, &name, THEORY_TEST_ERROR)
            .map(|r| (x(r.step), r.mean))
            .collect();
        let points = mc_points(run.summary, &name, TEST_ERROR, x);
        for &(_, y) in &theory {
            lo = lo.min(y);
            hi = hi.max(y);
        }
        for &(_, y, _) in &points {
            if y > 0.0 {
                lo = lo.min(y);
                hi = hi.max(y);
            }
        }
        // Blue, vermillion, pink: hues that stay apart when closed forms are drawn darker.
        let i = [0, 1, 3][i % 3];
        p.push(Series::dashed(fraction_label(p2), i, theory));
        for s in with_error_bars(None, i, &points) {
            p.push(s);
        }
    }
    if lo.is_finite() && hi > 0.0 {
        let (y0, y1) = room_for_legend(lo, hi, cfg.fractions.len(), SINGLE_PLOT_PX, true);
        p = p.y_range(y0, y1);
    }
    Chart::single(
        "Strong model collapse on the real digits",
        run.command,
        p.legend(Legend::UpperRight),
    )
}
