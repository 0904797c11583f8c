//! The family's figures: the Nature GMM experiment (snapshots of one chain and the L2
//! distance, both settings), the KDE workflows, and the error-source panel; and the figures of
//! `collapse run` for the three experiments.
//!
//! - [`gmm`]: `mixture-gmm-paper`, `mixture-gmm-notebook`, `mixture-gmm-l2`, and the run
//!   figure of `gmm-chain`;
//! - [`kde`]: `mixture-kde-workflows`, `mixture-kde-moons` and the run figure of `mixture-kde`;
//! - [`heatmap`]: the heat-map drawing of `mixture-kde-moons`;
//! - [`sources`]: `sources-panel` and the run figure of `sources-gaussian`.

pub mod gmm;
pub mod heatmap;
pub mod kde;
pub mod sources;

use collapse_core::{Figure, SummaryRow};
use collapse_plot::{Panel, Series, summary_curve};

/// The gallery figures of the family, in gallery order.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure::new(
            "mixture-gmm-paper",
            "GMM chain, two separated Gaussians (the paper's setting)",
            gmm::snapshots_paper,
        ),
        Figure::new(
            "mixture-gmm-notebook",
            "GMM chain, one blob fitted with two components (the notebook's setting)",
            gmm::snapshots_notebook,
        ),
        Figure::new(
            "mixture-gmm-l2",
            "L2 distance between the original GMM and generation n",
            gmm::l2_curve,
        ),
        Figure::new(
            "mixture-kde-workflows",
            "KDE chains: replace, accumulate, accumulate-subsample",
            kde::workflows,
        ),
        Figure::new(
            "mixture-kde-moons",
            "KDE chains on the two moons: fitted densities after 0, 10 and 50 generations",
            kde::moons,
        ),
        Figure::new(
            "sources-panel",
            "The three error sources, alone and combined",
            sources::panel,
        ),
    ]
}

/// Adds the median of `metric` in `series` (labelled `label`) and its 5–95% band to `panel`.
fn band_panel(
    rows: &[SummaryRow],
    series: &str,
    metric: &str,
    label: &str,
    color: usize,
    panel: &mut Panel,
) {
    let mid = summary_curve(rows, series, metric, |r| r.q50);
    let lo = summary_curve(rows, series, metric, |r| r.q05);
    let hi = summary_curve(rows, series, metric, |r| r.q95);
    let xs: Vec<f64> = mid.iter().map(|p| p.0).collect();
    let l: Vec<f64> = lo.iter().map(|p| p.1).collect();
    let h: Vec<f64> = hi.iter().map(|p| p.1).collect();
    panel.push(Series::band(color, &xs, &l, &h));
    panel.push(Series::line(label, color, mid));
}

/// Adds the mean of `metric` in `series` (labelled `label`) over chains and its band of ±2
/// standard errors (the Monte Carlo uncertainty of the mean, for comparison with a closed form).
fn mean_se_band(
    rows: &[SummaryRow],
    series: &str,
    metric: &str,
    label: &str,
    color: usize,
    panel: &mut Panel,
) {
    let pts: Vec<&SummaryRow> = {
        let mut v: Vec<&SummaryRow> = rows
            .iter()
            .filter(|r| r.series == series && r.metric == metric)
            .collect();
        v.sort_by_key(|r| r.step);
        v
    };
    let xs: Vec<f64> = pts.iter().map(|r| r.step as f64).collect();
    let lo: Vec<f64> = pts.iter().map(|r| r.mean - 2.0 * r.std_error).collect();
    let hi: Vec<f64> = pts.iter().map(|r| r.mean + 2.0 * r.std_error).collect();
    panel.push(Series::band(color, &xs, &lo, &hi));
    let mean = pts.iter().map(|r| (r.step as f64, r.mean)).collect();
    panel.push(Series::line(label, color, mean));
}
