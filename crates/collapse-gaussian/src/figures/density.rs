//! `gaussian-density-drift`: one chain's fitted densities drift and narrow.
//!
//! The densities are drawn where each is still visible on one axis: at the first generations
//! where σₙ falls below 1, 1/2, 1/4 and 1/8 (the peaks stay below 3.3). What follows, down to a
//! point, is the second panel: σₙ of every generation on a log scale.

use crate::model::{Estimator, Gaussian1};
use crate::samplers::Exact1;
use crate::theory;
use collapse_core::chain::ChainConfig;
use collapse_core::{FigureEnv, FigureError, run_chain};
use collapse_plot::{Chart, Legend, Panel, Series};

/// The σ thresholds whose first crossings are drawn.
const THRESHOLDS: [f64; 4] = [1.0, 0.5, 0.25, 0.125];

/// The density of `g` on [lo, hi]: a coarse grid over the whole range and a fine one over
/// μ ± 6σ, so that a narrow density is drawn smoothly instead of in steps.
fn density_points(g: &Gaussian1, lo: f64, hi: f64) -> Vec<(f64, f64)> {
    let sd = g.sd();
    let coarse = (0..=400).map(|k| lo + (hi - lo) * k as f64 / 400.0);
    let fine = (0..=400).map(|k| g.mean - 6.0 * sd + 12.0 * sd * k as f64 / 400.0);
    let mut xs: Vec<f64> = coarse
        .chain(fine.filter(|x| (lo..=hi).contains(x)))
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    xs.into_iter()
        .map(|x| {
            let z = (x - g.mean) / sd;
            (
                x,
                (-0.5 * z * z).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt()),
            )
        })
        .collect()
}

pub fn density_drift(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (m, gens) = (20usize, 400u64);
    let truth = Gaussian1::centred(0.0);
    let family = Exact1::new(Estimator::Unbiased, truth, m);
    let cfg = ChainConfig::replace(m, gens);
    let mut path: Vec<Gaussian1> = Vec::new();
    let mut rng = collapse_core::rng::stream(env.seed, "gaussian-density-drift", 0);
    run_chain(&family, &cfg, &mut rng, |_, model| path.push(*model))
        .map_err(|e| FigureError::Run(e.to_string()))?;

    let mut densities = Panel::new(
        "fitted densities where σₙ first falls below 1, ½, ¼, ⅛",
        "x",
        "density",
    )
    .x_range(-3.5, 3.5)
    .legend(Legend::UpperRight);
    let mut shown = vec![0usize];
    for &t in &THRESHOLDS[1..] {
        if let Some(g) = path.iter().position(|p| p.sd() < t) {
            shown.push(g);
        }
    }
    for (i, &g) in shown.iter().enumerate() {
        let model = &path[g];
        densities.push(Series::line(
            format!("n = {g}: μ = {:.2}, σ = {:.3}", model.mean, model.sd()),
            i,
            density_points(model, -3.5, 3.5),
        ));
    }

    // The same chain's σₙ to the end, beside the typical path exp(E ln σ²ₙ / 2).
    let mut sd = Panel::new(
        "σₙ of the same chain; dashed: exp(E ln σ²ₙ / 2), exact",
        "generation n",
        "σₙ",
    )
    .log_y()
    .legend(Legend::LowerLeft);
    sd.push(Series::line(
        "σₙ",
        0,
        path.iter()
            .enumerate()
            .map(|(g, p)| (g as f64, p.sd()))
            .collect(),
    ));
    let step = theory::log_var_step(Estimator::Unbiased, m as f64);
    sd.push(Series::dashed(
        "exp(n E ln S / 2)",
        7,
        (0..=gens)
            .map(|n| (n as f64, (0.5 * n as f64 * step).exp()))
            .collect(),
    ));
    for (i, &g) in shown.iter().enumerate() {
        sd.push(Series::markers(
            format!("n = {g} (left)"),
            i,
            vec![(g as f64, path[g].sd())],
        ));
    }
    let last = path.last().expect("generation 0 is observed");
    Ok(Chart::grid(
        format!(
            "One chain's fitted density drifts and narrows: σ = {:.1e} at n = {gens}",
            last.sd()
        ),
        format!(
            "{} figures --only gaussian-density-drift --seed {}: one chain of the exact 1-D sampler, M = {m}, unbiased refits, {gens} generations",
            env.program, env.seed
        ),
        vec![densities, sd],
        2,
    ))
}
