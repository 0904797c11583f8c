//! The figure of `collapse run gaussian-chain`, drawn from its summary.

use super::{curve_of, thinned};
use crate::names::{
    LOG_DET, THEORY_LOG_DET, THEORY_VAR, THEORY_W2_SQ, THEORY_W2_SQ_LOWER_BOUND, VAR, W2_SQ,
};
use collapse_core::{Policy, RunView, SummaryRow};
use collapse_plot::{Chart, Legend, Panel, Series};

/// Theory markers per curve, at most.
const MARKERS: u64 = 25;

/// The run figure: variance (median, band, mean, E), W₂², and for d ≥ 2 the determinant.
pub fn run_figure(run: &RunView<'_>) -> Chart {
    let rows = run.summary;
    let series = Policy::from_params(run.params)
        .map(|x| x.name())
        .unwrap_or("replace");
    let curve =
        |metric: &str, pick: fn(&SummaryRow) -> f64| curve_of(rows, series, metric, pick, |v| v);
    let last = curve(VAR, |r| r.mean).last().map_or(0, |p| p.0 as u64);
    let every = (last / MARKERS).max(1);
    let xs: Vec<f64> = curve(VAR, |r| r.q50).iter().map(|p| p.0).collect();
    let mut left = Panel::new(
        "tr Σₙ / d: median, 5–95% band, mean",
        "generation n",
        "variance",
    )
    .log_y();
    left.push(Series::band(
        0,
        &xs,
        &curve(VAR, |r| r.q05)
            .iter()
            .map(|p| p.1)
            .collect::<Vec<_>>(),
        &curve(VAR, |r| r.q95)
            .iter()
            .map(|p| p.1)
            .collect::<Vec<_>>(),
    ));
    left.push(Series::line("median", 0, curve(VAR, |r| r.q50)));
    left.push(Series::line("mean", 1, curve(VAR, |r| r.mean)));
    let th = curve(THEORY_VAR, |r| r.mean);
    if !th.is_empty() {
        left.push(Series::markers("E (theory)", 1, thinned(th, every)));
    }
    let mut right = Panel::new("W₂² to the truth, mean over chains", "generation n", "W₂²")
        .legend(Legend::UpperLeft);
    right.push(Series::line("simulation", 0, curve(W2_SQ, |r| r.mean)));
    let th = curve(THEORY_W2_SQ, |r| r.mean);
    if !th.is_empty() {
        right.push(Series::markers("exact", 1, thinned(th, every)));
    }
    let lb = curve(THEORY_W2_SQ_LOWER_BOUND, |r| r.mean);
    if !lb.is_empty() {
        right.push(Series::dashed("lower bound E‖μₙ − μ₀‖²", 2, lb));
    }
    let mut panels = vec![left, right];
    let log_det = curve(LOG_DET, |r| r.mean);
    if !log_det.is_empty() {
        let exp = |pick: fn(&SummaryRow) -> f64| curve_of(rows, series, LOG_DET, pick, f64::exp);
        let mut det = Panel::new(
            "det Σₙ: geometric mean, 5–95% band",
            "generation n",
            "det Σₙ",
        )
        .log_y();
        let (lo, hi) = (exp(|r| r.q05), exp(|r| r.q95));
        det.push(Series::band(
            0,
            &lo.iter().map(|p| p.0).collect::<Vec<_>>(),
            &lo.iter().map(|p| p.1).collect::<Vec<_>>(),
            &hi.iter().map(|p| p.1).collect::<Vec<_>>(),
        ));
        det.push(Series::line("geometric mean", 0, exp(|r| r.mean)));
        let th = curve_of(rows, series, THEORY_LOG_DET, |r| r.mean, f64::exp);
        if !th.is_empty() {
            det.push(Series::markers(
                "exp(E ln det) (theory)",
                1,
                thinned(th, every),
            ));
        }
        panels.push(det);
    }
    let cols = panels.len();
    Chart::grid("gaussian-chain", run.command, panels, cols)
}
