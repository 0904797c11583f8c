//! The run figure of `latent-chain`: spectrum, variance, distance to the real digits and the
//! classifier's reading, from a run's summary.

use crate::names::{self, FRECHET, SIGMA2, THEORY_FRECHET, THEORY_SIGMA2, THEORY_TRACE, TRACE};
use collapse_core::{Policy, RunView, SummaryRow};
use collapse_data::digits::CLASSES;
use collapse_plot::{Chart, Legend, Panel, Series, summary_curve};

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
    fd.push(Series::line("simulation", 0, curve(rows, series, FRECHET)));
    let th = curve(rows, series, THEORY_FRECHET);
    if !th.is_empty() {
        fd.push(Series::dashed("exact", 1, th));
    }
    let mut shares = Panel::new(
        "share of generated digits per class (fixed classifier)",
        "generation n",
        "share",
    )
    .y_range(0.0, 1.0)
    .legend(Legend::UpperLeft);
    for c in 0..CLASSES {
        shares.push(Series::line(
            format!("{c}"),
            c,
            curve(rows, series, &names::class_share(c)),
        ));
    }
    Chart::grid(
        "latent-chain",
        run.command,
        vec![spectrum, var, fd, shares],
        2,
    )
}
