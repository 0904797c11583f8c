//! `gaussian-w2-policies`: W₂² diverges when data are replaced and stays bounded when they
//! accumulate, when real data are mixed in, or when M grows quadratically.
//!
//! Accumulating M points a generation and replacing with M(n+1)² points give the mean the same
//! random walk (increments of variance σ²/(M n²)), so their E W₂² agree to within a few tenths
//! of a percent at every generation and their curves coincide. The left panel therefore draws
//! accumulate's simulation and the quadratic schedule's closed form; the right panel compares
//! the two simulations chain by chain (they share their random streams), and the quadratic
//! simulation with its closed form.

use super::{curve_of, run_of, thinned};
use crate::names::{THEORY_W2_SQ, W2_SQ};
use collapse_core::{FigureEnv, FigureError, FigureRun, Name};
use collapse_plot::{Chart, Legend, Panel, Series};

/// Generations between two theory markers.
const MARK_EVERY: u64 = 10;
const GENERATIONS: u64 = 200;

/// A run of the figure: legend label, series name, parameters besides the common ones.
type Run = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const RUNS: [Run; 5] = [
    ("replace", "replace", &[("policy", "replace")]),
    (
        "replace, M(n+1)",
        "replace",
        &[("policy", "replace"), ("growth", "linear")],
    ),
    (
        "mix 10% real",
        "mix",
        &[("policy", "mix"), ("real_fraction", "0.1")],
    ),
    ("accumulate", "accumulate", &[("policy", "accumulate")]),
    (
        "replace, M(n+1)²",
        "replace",
        &[("policy", "replace"), ("growth", "quadratic")],
    ),
];
const ACCUMULATE: usize = 3;
const QUADRATIC: usize = 4;

/// W₂² of every chain at every generation ≥ 1, indexed [replicate][generation − 1].
fn w2_paths(run: &FigureRun) -> Vec<Vec<f64>> {
    let w2 = Name::new(W2_SQ);
    let mut paths: Vec<Vec<f64>> = Vec::new();
    for r in run.records.iter().filter(|r| r.metric == w2 && r.step > 0) {
        let i = r.replicate as usize;
        if paths.len() <= i {
            paths.resize_with(i + 1, Vec::new);
        }
        paths[i].push(r.value);
    }
    paths
}

/// Mean and standard error of `a − b` over chains at each generation ≥ 1 (paired).
fn paired_difference(a: &FigureRun, b: &FigureRun) -> (Vec<(f64, f64)>, Vec<f64>) {
    let (pa, pb) = (w2_paths(a), w2_paths(b));
    let n = pa.len() as f64;
    let (mut mean, mut se) = (Vec::new(), Vec::new());
    for g in 0..GENERATIONS as usize {
        let d: Vec<f64> = pa.iter().zip(&pb).map(|(x, y)| x[g] - y[g]).collect();
        let (m, s) = collapse_core::stats::mean_and_se(&d);
        mean.push(((g + 1) as f64, m));
        se.push(s);
        debug_assert_eq!(d.len() as f64, n);
    }
    (mean, se)
}

pub fn w2_policies(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let mut all = Panel::new(
        "E W₂²(N(μₙ, σ²ₙ), N(0, 1)): mean over 4,000 chains; dots: exact",
        "generation n",
        "W₂²",
    )
    .log_y()
    .y_range(1e-4, 1e2)
    .legend(Legend::LowerRight);
    let mut runs = Vec::new();
    for (label, series, sets) in RUNS.iter() {
        let g = GENERATIONS.to_string();
        let mut params: Vec<(&str, &str)> = vec![
            ("samples", "100"),
            ("generations", &g),
            ("replicates", "4000"),
        ];
        params.extend_from_slice(sets);
        runs.push((*label, *series, run_of(env, &params)?));
    }
    let from_one = |pts: Vec<(f64, f64)>| -> Vec<(f64, f64)> {
        pts.into_iter().filter(|p| p.0 > 0.0).collect()
    };
    for (i, (label, series, run)) in runs.iter().enumerate() {
        let rows = &run.summary;
        if i != QUADRATIC {
            let mean = from_one(curve_of(rows, series, W2_SQ, |r| r.mean, |v| v));
            all.push(Series::line(*label, i, mean));
        }
        let exact = from_one(curve_of(rows, series, THEORY_W2_SQ, |r| r.mean, |v| v));
        if !exact.is_empty() {
            let label = if i == QUADRATIC {
                format!("{label}: exact (its simulation: right)")
            } else {
                format!("{label}: exact")
            };
            all.push(Series::markers(label, i, thinned(exact, MARK_EVERY)));
        }
    }

    // In percent of the quadratic schedule's exact E W₂² at each generation.
    let rows = &runs[QUADRATIC].2.summary;
    let exact = from_one(curve_of(rows, "replace", THEORY_W2_SQ, |r| r.mean, |v| v));
    let percent = |pts: &[(f64, f64)]| -> Vec<(f64, f64)> {
        pts.iter()
            .zip(&exact)
            .map(|(p, e)| (p.0, 100.0 * p.1 / e.1))
            .collect()
    };
    let mut compare = Panel::new(
        "where the bounded curves coincide: differences, mean ± 2 SE",
        "generation n",
        "% of the M(n+1)² exact E W₂²",
    )
    .log_x()
    .y_range(-6.0, 9.0)
    .legend(Legend::UpperRight);
    let mut push_with_band = |label: &str, color: usize, mean: Vec<(f64, f64)>, se: Vec<f64>| {
        let xs: Vec<f64> = mean.iter().map(|p| p.0).collect();
        let (mean, se) = (
            percent(&mean),
            percent(&xs.iter().copied().zip(se).collect::<Vec<_>>()),
        );
        let lo: Vec<f64> = mean.iter().zip(&se).map(|(m, s)| m.1 - 2.0 * s.1).collect();
        let hi: Vec<f64> = mean.iter().zip(&se).map(|(m, s)| m.1 + 2.0 * s.1).collect();
        compare.push(Series::band(color, &xs, &lo, &hi));
        compare.push(Series::line(label, color, mean));
    };
    let (diff, se) = paired_difference(&runs[ACCUMULATE].2, &runs[QUADRATIC].2);
    push_with_band(
        "accumulate − M(n+1)², chain by chain (same streams)",
        ACCUMULATE,
        diff,
        se,
    );
    let sim = from_one(curve_of(rows, "replace", W2_SQ, |r| r.mean, |v| v));
    let sim_se = from_one(curve_of(rows, "replace", W2_SQ, |r| r.std_error, |v| v));
    let resid: Vec<(f64, f64)> = sim
        .iter()
        .zip(&exact)
        .map(|(s, e)| (s.0, s.1 - e.1))
        .collect();
    push_with_band(
        "M(n+1)²: simulated − exact",
        QUADRATIC,
        resid,
        sim_se.iter().map(|p| p.1).collect(),
    );
    compare.push(Series::dashed(
        "0",
        7,
        vec![(1.0, 0.0), (GENERATIONS as f64, 0.0)],
    ));
    Ok(Chart::grid(
        "Replacing data diverges; accumulating, mixing real data or growing M quadratically stays bounded",
        runs.iter()
            .map(|(_, _, r)| r.command.clone())
            .collect::<Vec<_>>()
            .join("\n"),
        vec![all, compare],
        2,
    ))
}
