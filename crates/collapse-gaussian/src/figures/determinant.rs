//! `gaussian-determinant-policies`: det Σₙ / det Σ₀ against the generation under replace,
//! accumulate and accumulate-subsample at d = 10, M = 100 with the MLE, the setting of Kazdan et
//! al.'s determinant plot, with the exact replace curves.

use super::{curve_of, run_of, thinned};
use crate::model::Estimator;
use crate::names::{LOG_DET, THEORY_LOG_DET};
use crate::theory;
use collapse_core::{FigureEnv, FigureError};
use collapse_plot::{Chart, Legend, Panel, Series};

const DIM: usize = 10;
const SAMPLES: usize = 100;
const GENERATIONS: u64 = 100;

/// The runs: label, policy, sampler (accumulate-subsample needs the points).
const RUNS: [(&str, &str, &str); 3] = [
    ("replace", "replace", "exact"),
    ("accumulate", "accumulate", "exact"),
    ("accumulate-subsample", "accumulate-subsample", "naive"),
];

pub fn determinant_policies(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let mut panel = Panel::new(
        "d = 10, M = 100, MLE, 1,000 chains: 5–95% band, geometric mean",
        "generation n",
        "det Σₙ / det Σ₀",
    )
    .log_y()
    .y_range(1e-40, 1e2)
    .legend(Legend::LowerLeft);
    let mut zoom = Panel::new(
        "the accumulating policies, closer",
        "generation n",
        "det Σₙ / det Σ₀",
    )
    .log_y()
    .y_range(1e-2, 3.0)
    .legend(Legend::LowerLeft);
    let mut commands = Vec::new();
    let (d, m, g) = (
        DIM.to_string(),
        SAMPLES.to_string(),
        GENERATIONS.to_string(),
    );
    for (i, (label, policy, sampler)) in RUNS.iter().enumerate() {
        let run = run_of(
            env,
            &[
                ("dim", &d),
                ("samples", &m),
                ("generations", &g),
                ("replicates", "1000"),
                ("estimator", "mle"),
                ("policy", policy),
                ("sampler", sampler),
            ],
        )?;
        commands.push(run.command.clone());
        let rows = &run.summary;
        // Σ₀ = I: the ratio is det Σₙ itself.
        let q05 = curve_of(rows, policy, LOG_DET, |r| r.q05, f64::exp);
        let q95 = curve_of(rows, policy, LOG_DET, |r| r.q95, f64::exp);
        let xs: Vec<f64> = q05.iter().map(|p| p.0).collect();
        let lo: Vec<f64> = q05.iter().map(|p| p.1).collect();
        let hi: Vec<f64> = q95.iter().map(|p| p.1).collect();
        let geometric = curve_of(rows, policy, LOG_DET, |r| r.mean, f64::exp);
        panel.push(Series::band(i, &xs, &lo, &hi));
        panel.push(Series::line(
            format!("{label}: geometric mean"),
            i,
            geometric.clone(),
        ));
        if i > 0 {
            zoom.push(Series::band(i, &xs, &lo, &hi));
            zoom.push(Series::line(
                format!("{label}: geometric mean"),
                i,
                geometric,
            ));
        }
        let exact = curve_of(rows, policy, THEORY_LOG_DET, |r| r.mean, f64::exp);
        if !exact.is_empty() {
            panel.push(Series::markers(
                format!("{label}: exp(E ln det), exact"),
                i,
                thinned(exact, 5),
            ));
        }
    }
    // E det Σₙ is carried by rare chains: ln E det = n ln ∏ (M−1−k)/M lies far above E ln det.
    let step = theory::log_mean_det_step(Estimator::Mle, SAMPLES as f64, DIM);
    let mean_det: Vec<(f64, f64)> = (0..=GENERATIONS)
        .map(|n| (n as f64, (n as f64 * step).exp()))
        .collect();
    panel.push(Series::dashed("replace: E det ratio, exact", 6, mean_det));
    Ok(Chart::grid(
        "Replacing data collapses the determinant of the fitted covariance; accumulating holds it",
        commands.join("\n"),
        vec![panel, zoom],
        2,
    ))
}
