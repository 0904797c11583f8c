//! Self-training figures: the self-improvement reversal ([`reversal`]: pass@1, the crossing
//! pass@k curves, diversity, OOD accuracy and disparity, the improvement set) and the curated
//! loop ([`curated`]).

pub mod curated;
pub mod reversal;
pub mod robustness;

use collapse_core::{Figure, SummaryRow};
use collapse_plot::{Legend, Panel, Series, Style, summary_curve};

/// The gallery figures of the family.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure::new(
            "selftrain-pass1",
            "Self-improvement: pass@1 by iteration",
            reversal::pass1,
        ),
        Figure::new(
            "selftrain-pass-k",
            "Self-improvement: the crossing pass@k curves",
            reversal::pass_k,
        ),
        Figure::new(
            "selftrain-diversity",
            "Self-improvement: diversity by iteration",
            reversal::diversity,
        ),
        Figure::new(
            "selftrain-ood",
            "Self-improvement: OOD accuracy and disparity",
            reversal::ood,
        ),
        Figure::new(
            "selftrain-improvement-set",
            "Self-improvement: the improvement set lies within M₁'s pass@N",
            reversal::improvement_set,
        ),
        Figure::new(
            "selftrain-robustness",
            "Self-improvement: where each of the paper's directions holds",
            robustness::robustness,
        ),
        Figure::new(
            "selftrain-curated",
            "Curated retraining: reward and entropy",
            curated::curated,
        ),
    ]
}

/// Mean curve of `metric` in `series` with a ±2 s.e. band.
fn with_band(
    panel: &mut Panel,
    rows: &[SummaryRow],
    series: &str,
    metric: &str,
    label: &str,
    color: usize,
) {
    let mean = summary_curve(rows, series, metric, |r| r.mean);
    let se = summary_curve(rows, series, metric, |r| r.std_error);
    let xs: Vec<f64> = mean.iter().map(|p| p.0).collect();
    let lo: Vec<f64> = mean.iter().zip(&se).map(|(m, s)| m.1 - 2.0 * s.1).collect();
    let hi: Vec<f64> = mean.iter().zip(&se).map(|(m, s)| m.1 + 2.0 * s.1).collect();
    panel.push(Series::band(color, &xs, &lo, &hi));
    panel.push(Series::line(label, color, mean.clone()));
    panel.push(Series::markers(label, color, mean).unlabelled());
}

/// Approximate height of a panel's plot area and of one legend row, in pixels (a grid panel is
/// 460 pixels high; its title and x axis take about 110).
const PLOT_HEIGHT: f64 = 340.0;
const LEGEND_ROW: f64 = 19.0;

/// Places the legend at `at` and fixes the y range so that a legend of `rows` entries fits in
/// an empty band above (upper corners) or below (lower corners) every series. The figure stays
/// readable whatever placement rules the plotting layer applies: the band holds no data.
fn legend_room(panel: Panel, rows: usize, at: Legend) -> Panel {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for s in &panel.series {
        let lower = match &s.style {
            Style::Band { lower } => lower.as_slice(),
            _ => &[],
        };
        for y in s.points.iter().map(|p| p.1).chain(lower.iter().copied()) {
            if y.is_finite() {
                lo = lo.min(y);
                hi = hi.max(y);
            }
        }
    }
    if !lo.is_finite() {
        return panel.legend(at);
    }
    let span = (hi - lo).max(1e-9);
    let pad = 0.04 * span;
    // The legend's share of the plot height, with a margin.
    let frac = ((rows as f64 * LEGEND_ROW + 24.0) / PLOT_HEIGHT).min(0.6);
    let room = frac / (1.0 - frac) * (span + 2.0 * pad);
    let (lo, hi) = match at {
        Legend::UpperLeft | Legend::UpperRight => (lo - pad, hi + pad + room),
        Legend::LowerLeft | Legend::LowerRight => (lo - pad - room, hi + pad),
    };
    panel.y_range(lo, hi).legend(at)
}
