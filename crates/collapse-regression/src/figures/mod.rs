//! The family's figures, one file per group: [`mix`] (Strong Model Collapse: the Pareto diagram,
//! bias/variance/ζ and the test error against width, the plateau against n), [`iterated`]
//! (iterated regression), [`mixing`] (Figs. 9 and 10: weighted and iterative mixing) and
//! [`tails`] (the tail scaling laws), [`digits`] (strong collapse on the real digits). Each group
//! also holds the run figure of its experiment.
//!
//! Layout rules every figure here keeps, whatever the plotting layer does with legends: the y range
//! leaves empty room above the data for the legend (`room_for_legend`), one legend entry per
//! colour (the title says which style is theory and which Monte Carlo), and every Monte Carlo
//! mean compared with a closed form carries a ±2 standard-error bar (`with_error_bars`).

pub mod digits;
pub mod iterated;
pub mod mix;
pub mod mixing;
pub mod tails;

use collapse_core::{DynExperiment, Experiment, Figure, FigureEnv, FigureError, FigureRun};
use collapse_plot::Series;

/// The gallery figures of the family.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure::new(
            mix::PARETO,
            "Pareto diagram: mixed vs real-only test error",
            mix::pareto,
        ),
        Figure::new(
            "regression-bias-variance-zeta",
            "Bias, variance and ζ against width",
            mix::bias_variance_zeta,
        ),
        Figure::new(
            "regression-width",
            "Test error against width for several p2 and c²",
            mix::width,
        ),
        Figure::new(
            "regression-samples-plateau",
            "Test error against n: the strong-collapse plateau",
            mix::plateau,
        ),
        Figure::new(
            "regression-iterated",
            "Iterated regression: replace against accumulate",
            iterated::replace_accumulate,
        ),
        Figure::new(
            "regression-weighted-mixing",
            "Fig. 9: weighted single-step mixing fails",
            mixing::weighted_mixing,
        ),
        Figure::new(
            "regression-iterative-mixing",
            "Fig. 10: iterative mixing against single-step mixing",
            mixing::iterative_mixing,
        ),
        Figure::new(
            "regression-tails",
            "Tail cutting and narrowing change the scaling law",
            tails::tails,
        ),
        Figure::new(
            digits::DIGITS,
            "Strong model collapse on real digits (Fig. 7 analogue)",
            digits::digits,
        ),
        Figure::new(
            "regression-tails-mixing-generations",
            "Mixing clean data recovers the law; n generations add a plateau",
            tails::mixing_generations,
        ),
    ]
}

/// A log-axis range holding `[lo, hi]` and at least three powers of ten: the ends are moved
/// out to powers of ten, and the range grows by decades (up first) until it holds three.
pub(crate) fn decades(lo: f64, hi: f64) -> (f64, f64) {
    let a = lo.log10().floor();
    let mut b = hi.log10().ceil();
    if b - a < 2.0 {
        b = a + 2.0;
    }
    (10f64.powf(a), 10f64.powf(b))
}

/// Plot-area height in pixels of a panel of a one-panel chart and of a grid (the chart height
/// less the title, the axis labels and the margins).
pub(crate) const SINGLE_PLOT_PX: f64 = 480.0;
/// See [`SINGLE_PLOT_PX`].
pub(crate) const GRID_PLOT_PX: f64 = 340.0;

/// A y range for data in `[lo, hi]` that leaves the top of the plot empty for a legend of
/// `entries` lines in a plot `plot_px` pixels high (about 20 pixels a line), on a log axis
/// (`log`) or a linear one. A log range is padded below by 4 % of the data's span (at least
/// 0.3 decade) and not widened to whole decades: the plotting layer labels at least three
/// ticks of any range (1-2-5 steps under a few decades), so the data keep the plot's height.
pub(crate) fn room_for_legend(
    lo: f64,
    hi: f64,
    entries: usize,
    plot_px: f64,
    log: bool,
) -> (f64, f64) {
    let share = ((entries as f64 * 20.0 + 24.0) / plot_px).min(0.8);
    if log {
        let (a, b) = (lo.log10(), hi.log10());
        let span = (b - a).max(0.3);
        let bottom = a - 0.04 * span;
        let top = bottom + (b - bottom).max(span) / (1.0 - share);
        (10f64.powf(bottom), 10f64.powf(top))
    } else {
        let span = (hi - lo).max(f64::MIN_POSITIVE);
        (lo, lo + span / (1.0 - share))
    }
}

/// Monte Carlo means `(x, mean, se)` as markers (labelled with `label` when given) and one
/// unlabelled vertical bar from mean − 2 SE to mean + 2 SE per point (on a log axis the lower
/// end is kept above a hundredth of the mean).
pub(crate) fn with_error_bars(
    label: Option<String>,
    color: usize,
    points: &[(f64, f64, f64)],
) -> Vec<Series> {
    let markers = Series::markers(
        label.clone().unwrap_or_default(),
        color,
        points.iter().map(|&(x, m, _)| (x, m)).collect(),
    );
    let mut out = vec![if label.is_some() {
        markers
    } else {
        markers.unlabelled()
    }];
    for &(x, m, se) in points {
        if se > 0.0 {
            let lo = (m - 2.0 * se).max(0.01 * m);
            out.push(Series::line("", color, vec![(x, lo), (x, m + 2.0 * se)]).unlabelled());
        }
    }
    out
}

/// The Monte Carlo means `(x, mean, se)` of `metric` in `series`, x from `x_of(step)`.
pub(crate) fn mc_points(
    summary: &[collapse_core::SummaryRow],
    series: &str,
    metric: &str,
    x_of: impl Fn(u64) -> f64,
) -> Vec<(f64, f64, f64)> {
    collapse_core::records::curve(summary, series, metric)
        .map(|r| (x_of(r.step), r.mean, r.std_error))
        .collect()
}

/// Runs `x` at its defaults overridden by `sets`, as `collapse run` would.
fn run_of(
    env: &FigureEnv<'_>,
    x: impl Experiment,
    sets: &[(&str, &str)],
) -> Result<FigureRun, FigureError> {
    env.run(&DynExperiment::new(x), sets)
}

/// `k` points from `lo` to `hi`, evenly spaced on a log scale.
fn geom(lo: f64, hi: f64, k: usize) -> Vec<f64> {
    (0..k)
        .map(|i| (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / (k - 1) as f64).exp())
        .collect()
}

/// `a,b,c`: a list parameter's text.
fn list(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ranges_hold_the_data_and_room_for_the_legend() {
        assert_eq!(decades(1.2, 20.0), (1.0, 100.0));
        assert_eq!(decades(0.003, 7e5), (1e-3, 1e6));
        let (lo, hi) = room_for_legend(1e-4, 1e-1, 5, SINGLE_PLOT_PX, true);
        // The data's 3 decades take at most the plot less the legend's share.
        let share = (5.0 * 20.0 + 24.0) / SINGLE_PLOT_PX;
        assert!(
            lo <= 1e-4
                && (1e-1f64.log10() - lo.log10()) / (hi.log10() - lo.log10())
                    <= 1.0 - share + 1e-12
        );
        // A narrow range is not widened to decades, only padded.
        let (lo, hi) = room_for_legend(2.0, 5.0, 1, SINGLE_PLOT_PX, true);
        assert!(lo < 2.0 && lo > 1.8 && hi > 5.0 && hi < 10.0, "{lo} {hi}");
        let (lo, hi) = room_for_legend(0.0, 10.0, 3, GRID_PLOT_PX, false);
        assert!(lo == 0.0 && hi > 10.0);
    }

    #[test]
    fn figure_names_are_unique_and_family_first() {
        let all = figures();
        let mut names: Vec<&str> = all.iter().map(|f| f.name).collect();
        assert!(names.iter().all(|n| n.starts_with("regression-")));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }
}
