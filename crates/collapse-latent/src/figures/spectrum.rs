//! `latent-spectrum`: the eigenvalue spectrum of the fitted covariance by generation, and what
//! happens to the variance it holds.

use super::chain::spectrum_panel;
use crate::chain::LatentChain;
use crate::data::RealDigits;
use crate::names::{LATENT_POSTERIOR_VAR, SIGMA2, THEORY_TRACE, TRACE};
use collapse_core::{DynExperiment, FigureEnv, FigureError};
use collapse_plot::{Chart, Legend, Panel, Series, summary_curve};

/// The bottom of the spectrum panel.
const FLOOR: f64 = 1e-3;

/// `latent-spectrum`, from `latent-chain` at its defaults (q = 20, M = 1797, 100 generations,
/// 100 chains, replace).
pub fn spectrum(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = env.run(&DynExperiment::new(LatentChain), &[])?;
    let rows = &run.summary;
    let mut left = spectrum_panel(
        rows,
        "replace",
        "eigenvalues λₖ of Cₙ, mean over 100 chains",
    )
    .y_range(FLOOR, 2.0);
    // The real spectrum falls to 1.6e-6 at k = 61 (and three exact zeros): drawn down to the
    // floor, the chains' σ² level would be squeezed into a corner, so the rest is named instead.
    let real = RealDigits::builtin();
    let shown: Vec<(f64, f64)> = real
        .spectrum
        .values
        .iter()
        .enumerate()
        .take_while(|(_, v)| **v >= FLOOR)
        .map(|(k, &v)| (k as f64 + 1.0, v))
        .collect();
    left.push(Series::dashed(
        format!(
            "real digits (S); k > {} below 10⁻³, {} exact zeros",
            shown.len(),
            real.spectrum.dim() - real.rank()
        ),
        7,
        shown,
    ));
    let first = |metric: &str| {
        summary_curve(rows, "replace", metric, |r| r.mean)
            .first()
            .map_or(1.0, |p| p.1)
    };
    let relative = |metric: &str, pick: fn(&collapse_core::SummaryRow) -> f64| {
        let base = first(metric);
        summary_curve(rows, "replace", metric, pick)
            .into_iter()
            .map(|(x, y)| (x, y / base))
            .collect::<Vec<_>>()
    };
    let mut right = Panel::new(
        "relative to generation 0 (mean; band: 5–95% of chains)",
        "generation n",
        "value / value at n = 0",
    )
    .log_y()
    .legend(Legend::LowerLeft);
    let xs: Vec<f64> = relative(SIGMA2, |r| r.q05).iter().map(|p| p.0).collect();
    let lo: Vec<f64> = relative(SIGMA2, |r| r.q05).iter().map(|p| p.1).collect();
    let hi: Vec<f64> = relative(SIGMA2, |r| r.q95).iter().map(|p| p.1).collect();
    right.push(Series::band(1, &xs, &lo, &hi));
    right.push(Series::line(
        "σ²ₙ, the discarded variance",
        1,
        relative(SIGMA2, |r| r.mean),
    ));
    right.push(Series::line(
        "mean posterior variance of z",
        2,
        relative(LATENT_POSTERIOR_VAR, |r| r.mean),
    ));
    right.push(Series::line("tr Cₙ", 0, relative(TRACE, |r| r.mean)));
    right.push(Series::dashed(
        "E tr Cₙ = tr S (exact: a martingale)",
        0,
        relative(THEORY_TRACE, |r| r.mean),
    ));
    Ok(Chart::grid(
        "pPCA chain on real digits (q = 20, M = 1797): variance moves into the kept directions and the discarded variance σ² collapses",
        run.command.clone(),
        vec![left, right],
        2,
    ))
}
