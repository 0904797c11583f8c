//! Self-training figures: the self-improvement reversal ([`reversal`]: pass@1, the crossing
//! pass@k curves, diversity, OOD accuracy and disparity, the improvement set) and the curated
//! loop ([`curated`]).

pub mod curated;
pub mod reversal;

use collapse_core::{Figure, SummaryRow};
use collapse_plot::{Panel, Series, summary_curve};

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
