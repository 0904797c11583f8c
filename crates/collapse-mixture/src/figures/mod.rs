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
use collapse_plot::{Legend, Panel, Series, Style, summary_curve};

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

/// Puts the legend of `panel` in the corner where it covers no data: the corner box (the
/// legend's share of the plot, `rows` entries) with the fewest points of any series (bands
/// count with both edges). When every corner holds data, the y range is stretched on the side
/// of the emptiest corner so that the legend gets a strip of its own.
fn place_legend(mut panel: Panel, rows: usize) -> Panel {
    let pts: Vec<(f64, f64)> = panel
        .series
        .iter()
        .flat_map(|s| {
            let lower: Vec<(f64, f64)> = match &s.style {
                Style::Band { lower } => s
                    .points
                    .iter()
                    .map(|p| p.0)
                    .zip(lower.iter().copied())
                    .collect(),
                _ => Vec::new(),
            };
            s.points.iter().copied().chain(lower)
        })
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in &pts {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if pts.is_empty() || x1 <= x0 || y1 <= y0 {
        return panel;
    }
    if let Some((lo, hi)) = panel.y_range {
        (y0, y1) = (lo, hi);
    }
    // The legend's box as fractions of the plot: 45% wide, one entry about 6% high.
    let (w, h) = (0.45, (0.06 * rows as f64 + 0.04).min(0.6));
    let corners = [
        (Legend::UpperLeft, 0.0, 1.0 - h),
        (Legend::UpperRight, 1.0 - w, 1.0 - h),
        (Legend::LowerLeft, 0.0, 0.0),
        (Legend::LowerRight, 1.0 - w, 0.0),
    ];
    let count = |fx: f64, fy: f64, y0: f64, y1: f64| {
        pts.iter()
            .filter(|&&(x, y)| {
                let (u, v) = ((x - x0) / (x1 - x0), (y - y0) / (y1 - y0));
                u >= fx - 0.02 && u <= fx + w + 0.02 && v >= fy - 0.02 && v <= fy + h + 0.02
            })
            .count()
    };
    let best = corners
        .iter()
        .min_by_key(|c| count(c.1, c.2, y0, y1))
        .copied()
        .unwrap_or(corners[0]);
    panel.legend = best.0;
    if count(best.1, best.2, y0, y1) > 0 {
        // Stretch the range so that the data leave the legend's strip free.
        let span = (y1 - y0) / (1.0 - h - 0.04);
        panel.y_range = Some(if best.2 > 0.0 {
            (y0, y0 + span)
        } else {
            (y1 - span, y1)
        });
    }
    panel
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(y: impl Fn(f64) -> f64) -> Series {
        Series::line("s", 0, (0..=100).map(|i| (i as f64, y(i as f64))).collect())
    }

    #[test]
    fn the_legend_goes_where_no_data_are() {
        // A curve falling from the upper left leaves two corners free; nothing is stretched.
        let p = place_legend(Panel::new("", "", "").with(line(|x| 100.0 - x)), 3);
        assert!(matches!(p.legend, Legend::UpperRight | Legend::LowerLeft));
        assert_eq!(p.y_range, None);
        // Data in every corner: the range is stretched and the legend's strip is empty.
        let p = place_legend(
            Panel::new("", "", "").with(line(|x| if (x as i64) % 2 == 0 { 0.0 } else { 1.0 })),
            4,
        );
        let (lo, hi) = p.y_range.expect("stretched");
        assert!(lo < 0.0 || hi > 1.0, "{lo} {hi}");
    }
}
