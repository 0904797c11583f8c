//! The error-source panel: the paper's taxonomy as a picture (Gaussian/mixture case).

use crate::names::KL;
use crate::sources::SourcesGaussian;
use collapse_core::{DynExperiment, FigureEnv, FigureError, Sources, SummaryRow};
use collapse_plot::{Chart, Legend, Panel, Series, summary_curve};

/// No source at all: the chain never moves.
const NONE: Sources = Sources {
    statistical: false,
    expressivity: false,
    approximation: false,
};

/// Colour and legend text of each series; dashed lines are the infinite-sample series.
fn style(s: Sources) -> (usize, String) {
    let color = match (s.statistical, s.expressivity, s.approximation) {
        (true, false, false) => 7,
        (false, true, false) | (true, true, false) => 0,
        (false, false, true) | (true, false, true) => 1,
        (false, true, true) => 2,
        _ => 3,
    };
    let what = match (s.expressivity, s.approximation) {
        (false, false) => "2-component EM",
        (true, false) => "1 Gaussian, unbiased",
        (false, true) => "EM stopped early",
        (true, true) => "1 Gaussian, MLE",
    };
    (
        color,
        format!(
            "{}: {what}, {}",
            s.label(),
            if s.statistical {
                "M samples"
            } else {
                "∞ samples"
            }
        ),
    )
}

fn draw(rows: &[SummaryRow], metric: &str, title: &str, y: &str, which: &[Sources]) -> Panel {
    let mut p = Panel::new(title, "generation n", y)
        .log_y()
        .y_range(1e-7, 100.0)
        .legend(Legend::LowerRight);
    for s in which {
        let (c, label) = style(*s);
        let pts: Vec<(f64, f64)> = summary_curve(rows, s.label(), metric, |r| r.mean)
            .into_iter()
            .filter(|p| p.0 > 0.0)
            .collect();
        p.push(if s.statistical {
            Series::line(label, c, pts)
        } else {
            Series::dashed(label, c, pts)
        });
    }
    p
}

/// `sources-panel`: the KL divergence of every combination at the experiment's defaults.
pub fn panel(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = env.run(&DynExperiment::new(SourcesGaussian), &[])?;
    Ok(chart(&run.summary, &run.command))
}

/// The panel of a `sources-gaussian` run from its summary (also the figure of `collapse run
/// sources-gaussian`), with `caption` (the command that reproduces the run).
pub fn chart(rows: &[SummaryRow], caption: &str) -> Chart {
    let all = Sources::all();
    let none = summary_curve(rows, NONE.label(), KL, |r| r.mean)
        .into_iter()
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let alone = draw(
        rows,
        KL,
        &format!("one source alone; mean over chains (no source: KL ≤ {none:.0e}, round-off)"),
        "KL(p₀ ‖ pₙ), nats",
        &all[1..4],
    );
    let combined = draw(rows, KL, "sources combined", "KL(p₀ ‖ pₙ), nats", &all[4..]);
    Chart::grid(
        "Three error sources, p₀ = ½N(−2,1) + ½N(2,1): expressivity strikes once, approximation and finite samples compound",
        caption,
        vec![alone, combined],
        2,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_series_has_its_own_style_and_the_chart_renders() {
        let colors: Vec<usize> = Sources::all().iter().map(|&s| style(s).0).collect();
        // none, statistical, expressivity, approximation, stat+expr, stat+approx, expr+approx,
        // all.
        assert_eq!(colors, [3, 7, 0, 1, 0, 1, 2, 3]);
        let env = FigureEnv::default();
        let run = env
            .run(
                &DynExperiment::new(SourcesGaussian),
                &[("generations", "4"), ("replicates", "3")],
            )
            .unwrap();
        let chart = chart(&run.summary, &run.command);
        assert_eq!(chart.panels[0].series.len(), 3);
        assert_eq!(chart.panels[1].series.len(), 4);
        let dir = tempfile::tempdir().unwrap();
        chart.save(dir.path(), "p").unwrap();
    }
}
