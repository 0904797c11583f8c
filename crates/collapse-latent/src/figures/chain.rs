//! The run figure of `latent-chain`: spectrum, variance, distance to the real digits and the
//! classifier's reading, from a run's summary.

use crate::names::{self, FRECHET, SIGMA2, THEORY_FRECHET, THEORY_SIGMA2, THEORY_TRACE, TRACE};
use collapse_core::{Policy, RunView, SummaryRow};
use collapse_data::digits::CLASSES;
use collapse_plot::{Chart, Legend, PALETTE, Panel, Series, summary_curve, summary_mean};

/// The generations drawn in spectrum panels, where a run has them.
pub const SPECTRUM_GENERATIONS: [u64; 5] = [0, 5, 20, 50, 100];

/// The mean spectrum at each of [`SPECTRUM_GENERATIONS`] present in the summary: one line per
/// generation, eigenvalue index on x, log scale on y.
pub fn spectrum_panel(rows: &[SummaryRow], series: &str, title: &str) -> Panel {
    let mut p = Panel::new(title, "eigenvalue index k", "λₖ of Cₙ (mean over chains)")
        .log_y()
        .legend(Legend::LowerLeft);
    for (i, &g) in SPECTRUM_GENERATIONS.iter().enumerate() {
        let pts: Vec<(f64, f64)> = (1..=64)
            .filter_map(|k| {
                let name = names::eigenvalue(k);
                rows.iter()
                    .find(|r| r.series == series && r.step == g && r.metric == name.as_str())
                    .map(|r| (k as f64, r.mean))
            })
            .collect();
        if !pts.is_empty() {
            p.push(Series::line(format!("n = {g}"), i, pts));
        }
    }
    p
}

fn curve(rows: &[SummaryRow], series: &str, metric: &str) -> Vec<(f64, f64)> {
    summary_curve(rows, series, metric, |r| r.mean)
}

/// The figure of `collapse run latent-chain`, drawn from its summary.
pub fn run_figure(run: &RunView<'_>) -> Chart {
    let rows = run.summary;
    let series = Policy::from_params(run.params)
        .map(|x| x.name())
        .unwrap_or("replace");
    let spectrum = spectrum_panel(rows, series, "spectrum of Cₙ by generation n");
    let mut var = Panel::new(
        "tr Cₙ and σ²ₙ (mean over chains)",
        "generation n",
        "variance",
    )
    .log_y()
    .legend(Legend::LowerLeft);
    var.push(Series::line("tr Cₙ", 0, curve(rows, series, TRACE)));
    let th = curve(rows, series, THEORY_TRACE);
    if !th.is_empty() {
        var.push(Series::dashed("E tr Cₙ (exact)", 0, th));
    }
    var.push(Series::line("σ²ₙ", 1, curve(rows, series, SIGMA2)));
    let th = curve(rows, series, THEORY_SIGMA2);
    if !th.is_empty() {
        var.push(Series::dashed("σ²ₙ (exact)", 1, th));
    }
    let mut fd = Panel::new(
        "Fréchet distance to the real digits (mean)",
        "generation n",
        "FD (squared pixel units)",
    )
    .log_y()
    .legend(Legend::LowerRight);
    let (pts, se) = summary_mean(rows, series, FRECHET);
    // A chain at its fixed point (the infinite-sample mode) has a constant distance: give the
    // axis a decade around it instead of ticks that differ in the fourteenth digit.
    let (lo, hi) = pts.iter().fold((f64::INFINITY, 0f64), |(lo, hi), p| {
        (lo.min(p.1), hi.max(p.1))
    });
    if lo > 0.0 && hi - lo <= 1e-6 * hi {
        fd = fd.y_range(lo / 3.0, hi * 3.0);
    }
    fd.push(Series::mean_se("simulation (± 2 SE)", 0, pts, se));
    let th = curve(rows, series, THEORY_FRECHET);
    if !th.is_empty() {
        fd.push(Series::dashed("exact", 1, th));
    }
    let mut shares = Panel::new(
        "share of generated digits per class (fixed classifier)",
        "generation n",
        "share",
    )
    .legend_outside();
    for c in 0..CLASSES {
        let pts = curve(rows, series, &names::class_share(c));
        // The palette has eight colours: the last two classes repeat the first two, dashed.
        shares.push(if c < PALETTE.len() {
            Series::line(format!("{c}"), c, pts)
        } else {
            Series::dashed(format!("{c}"), c, pts)
        });
    }
    Chart::grid(
        "latent-chain: linear latent-variable models retrained on their own samples",
        run.command,
        vec![spectrum, var, fd, shares],
        2,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::LatentChain;
    use collapse_core::{DynExperiment, FigureEnv};

    /// The run figure of small runs, finite (with the exact trace) and infinite-sample (with
    /// every closed form), obeys the layout rules and renders.
    #[test]
    fn run_figure_obeys_the_layout_rules() {
        let env = FigureEnv::default();
        let dir = tempfile::tempdir().unwrap();
        for mode in ["finite", "infinite"] {
            let sets = [
                ("generations", "20"),
                ("replicates", "8"),
                ("samples", "300"),
                ("mode", mode),
            ];
            let run = env.run(&DynExperiment::new(LatentChain), &sets).unwrap();
            let view = RunView {
                params: &run.run.params,
                summary: &run.summary,
                command: &run.command,
            };
            let chart = run_figure(&view);
            assert!(chart.lint().is_empty(), "{mode}: {:?}", chart.lint());
            assert_eq!(chart.panels[3].series.len(), CLASSES);
            chart.save(dir.path(), mode).unwrap();
        }
    }
}
