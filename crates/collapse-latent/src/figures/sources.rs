//! `latent-sources`: the paper's taxonomy of error sources as a picture, for linear VAEs on the
//! real digits.

use crate::names::FRECHET;
use crate::sources::SourcesLatent;
use collapse_core::{DynExperiment, FigureEnv, FigureError, Sources, SummaryRow};
use collapse_plot::{Chart, Legend, Panel, Series, summary_curve, summary_mean};

/// Colour and legend text of each series; dashed lines are the infinite-sample series.
fn style(s: Sources) -> (usize, String) {
    let color = match (s.statistical, s.expressivity, s.approximation) {
        (true, false, false) => 7,
        (false, true, false) | (true, true, false) => 0,
        (false, false, true) | (true, false, true) => 1,
        (false, true, true) => 2,
        _ => 3,
    };
    let truth = if s.expressivity {
        "real digits"
    } else {
        "truth in class"
    };
    let fit = if s.approximation { "VAE/Adam" } else { "pPCA" };
    let m = if s.statistical { "M" } else { "∞" };
    (color, format!("{}: {truth}, {fit}, {m}", s.label()))
}

fn draw(rows: &[SummaryRow], title: &str, which: &[Sources]) -> Panel {
    let mut p = Panel::new(title, "generation n", "Fréchet distance to the truth")
        .log_y()
        .y_range(1e-3, 50.0)
        .legend(Legend::UpperLeft);
    for s in which {
        let (c, label) = style(*s);
        // Finite-sample series are Monte Carlo means (± 2 SE band); the others are
        // deterministic chains.
        p.push(if s.statistical {
            let (pts, se) = summary_mean(rows, s.label(), FRECHET);
            Series::mean_se(label, c, pts, se)
        } else {
            Series::dashed(
                label,
                c,
                summary_curve(rows, s.label(), FRECHET, |r| r.mean),
            )
        });
    }
    p
}

/// `latent-sources`: the Fréchet distance of every combination at the experiment's defaults.
pub fn panel(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = env.run(&DynExperiment::new(SourcesLatent), &[])?;
    Ok(chart(&run.summary, &run.command))
}

/// The panel of a `sources-latent` run from its summary (also the figure of `collapse run
/// sources-latent`), with `caption` (the command that reproduces the run).
pub fn chart(rows: &[SummaryRow], caption: &str) -> Chart {
    let all = Sources::all();
    let none = summary_curve(rows, all[0].label(), FRECHET, |r| r.mean)
        .into_iter()
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let alone = draw(
        rows,
        &format!(
            "one source alone; mean over chains ± 2 SE (no source: FD ≤ {none:.0e}, round-off)"
        ),
        &all[1..4],
    );
    let combined = draw(rows, "sources combined", &all[4..]);
    Chart::grid(
        "Three error sources, linear VAEs (q = 20) on real digits: expressivity strikes once, approximation and finite samples compound",
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
        assert_eq!(colors, [3, 7, 0, 1, 0, 1, 2, 3]);
        let env = FigureEnv::default();
        let run = env
            .run(
                &DynExperiment::new(SourcesLatent),
                &[("generations", "2"), ("replicates", "2"), ("steps", "5")],
            )
            .unwrap();
        let chart = chart(&run.summary, &run.command);
        assert_eq!(chart.panels[0].series.len(), 3);
        assert_eq!(chart.panels[1].series.len(), 4);
        let dir = tempfile::tempdir().unwrap();
        chart.save(dir.path(), "p").unwrap();
    }
}
