//! Strong Model Collapse figures of `regression-mix`: the Pareto diagram (Fig. 1), bias,
//! variance and ζ against width (Fig. 2), the test error against width (Fig. 4) and against n
//! (the plateau), and the run figure.

use super::{geom, list, run_of};
use crate::experiments::mix::{MixConfig, RegressionMix};
use crate::names::{
    BIAS, MIX, TEST_ERROR, THEORY_BIAS, THEORY_TEST_ERROR, THEORY_VARIANCE, THEORY_ZETA, VARIANCE,
    ZETA,
};
use crate::theory::{Equivalent, MixProblem, Spectrum, equivalent};
use collapse_core::records::curve;
use collapse_core::{Choice, FigureEnv, FigureError, RunView};
use collapse_plot::{Chart, Legend, Panel, Series};

/// The name of the Pareto diagram (its caption names it).
pub const PARETO: &str = "regression-pareto";

/// Fig. 1 of Strong Model Collapse: d = 600, n = 500 (n2 = 50), Σ = I, σ = 1, λ = 1e-4; each
/// point is one width m, coloured by ψ = m/n.
pub fn pareto(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let widths: Vec<f64> = geom(20.0, 20_000.0, 60)
        .into_iter()
        .map(f64::round)
        .collect();
    let bins = [
        (0.0, 0.5, "ψ < 0.5"),
        (0.5, 1.0, "0.5 ≤ ψ < 1"),
        (1.0, 2.0, "1 ≤ ψ < 2"),
        (2.0, 1e9, "ψ ≥ 2"),
    ];
    let mut panels = Vec::new();
    for c2 in [0.1, 0.5, 1.0] {
        let mut panel = Panel::new(
            format!("c² = {c2}, p2 = 0.1 (n2 = 50 of n = 500)"),
            "test error, real data only",
            "test error, real + synthetic",
        )
        .log_x()
        .log_y()
        .legend(Legend::UpperLeft);
        let mut lo = f64::INFINITY;
        let mut hi: f64 = 0.0;
        let mut pts: Vec<Vec<(f64, f64)>> = vec![Vec::new(); bins.len()];
        for &m in &widths {
            let mixed = equivalent(&MixProblem::standard(
                Spectrum::isotropic(600),
                500,
                0.1,
                c2,
                1.0,
                1e-4,
                Some(m as usize),
            ))
            .total();
            let real = equivalent(&MixProblem::standard(
                Spectrum::isotropic(600),
                500,
                0.0,
                c2,
                1.0,
                1e-4,
                Some(m as usize),
            ))
            .total();
            let psi = m / 500.0;
            let b = bins
                .iter()
                .position(|(a, z, _)| psi >= *a && psi < *z)
                .unwrap_or(0);
            pts[b].push((real, mixed));
            lo = lo.min(real);
            hi = hi.max(mixed);
        }
        for (i, p) in pts.into_iter().enumerate() {
            panel.push(Series::markers(bins[i].2, i, p));
        }
        panel.push(Series::dashed(
            "y = x (no collapse)",
            7,
            vec![(lo, lo), (hi, hi)],
        ));
        panels.push(panel);
    }
    Ok(Chart::grid(
        "Strong model collapse: 10% synthetic data costs at every width; larger m amplifies it below m = n",
        format!(
            "{} figures --only {PARETO} --seed {}: the deterministic equivalent of regression-mix (no simulation) at d = 600, n = 500, σ = 1, λ = 1e-4, for 60 widths m from 20 to 20000 on a log grid, with p2 = 0.1 against p2 = 0 (real data only), c² = 0.1, 0.5, 1",
            env.program, env.seed
        ),
        panels,
        3,
    ))
}

/// Fig. 2: B, V, ζ against m (d = 600, n = 500, p2 = 0.1, c² = 0.5, λ = 1e-6), theory and
/// Monte Carlo.
pub fn bias_variance_zeta(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let ms = geom(20.0, 10_000.0, 300);
    let base = |m: f64| {
        MixProblem::standard(
            Spectrum::isotropic(600),
            500,
            0.1,
            0.5,
            1.0,
            1e-6,
            Some(m.round() as usize),
        )
    };
    let mc_widths = [100.0, 300.0, 800.0, 2000.0];
    let run = run_of(
        env,
        RegressionMix,
        &[
            ("dim", "600"),
            ("samples", "500"),
            ("synthetic_fraction", "0.1"),
            ("quality", "0.5"),
            ("lambda", "1e-6"),
            ("sweep", "width"),
            ("sweep_values", &list(&mc_widths)),
            ("replicates", "3"),
        ],
    )?;
    let mut panel = Panel::new(
        "d = 600, n = 500, p2 = 0.1, c² = 0.5, λ = 1e-6",
        "width m",
        "error component",
    )
    .log_x()
    .log_y()
    .legend(Legend::UpperRight);
    for (i, (name, metric, f)) in [
        ("bias B", BIAS, (|e: &Equivalent| e.bias) as fn(&_) -> f64),
        ("variance V", VARIANCE, |e| e.variance),
        ("ζ (synthetic-data term)", ZETA, |e| e.zeta),
    ]
    .into_iter()
    .enumerate()
    {
        panel.push(Series::dashed(
            format!("{name}: theory"),
            i,
            ms.iter().map(|&m| (m, f(&equivalent(&base(m))))).collect(),
        ));
        let pts: Vec<(f64, f64)> = curve(&run.summary, MIX, metric)
            .map(|r| (mc_widths[r.step as usize], r.mean))
            .collect();
        panel.push(Series::markers(format!("{name}: Monte Carlo"), i, pts));
    }
    panel.push(Series::dashed(
        "m = n",
        7,
        vec![(500.0, 1e-3), (500.0, 1e4)],
    ));
    Ok(Chart::single(
        "Bias, variance and ζ all blow up at the interpolation threshold m = n",
        run.command.clone(),
        panel,
    ))
}

/// Fig. 4: test error against m for several p2, one panel per c² (d = 600, n = 500, λ = 1e-3).
pub fn width(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let ms = geom(20.0, 10_000.0, 200);
    let mc_widths = [100.0, 1000.0, 3000.0];
    let mut panels = Vec::new();
    let mut commands = Vec::new();
    for c2 in [0.1, 1.0] {
        let mut panel = Panel::new(format!("c² = {c2}"), "width m", "test error")
            .log_x()
            .log_y()
            .legend(Legend::UpperRight);
        for (i, p2) in [0.0, 0.02, 0.1, 0.5].into_iter().enumerate() {
            let theory = ms
                .iter()
                .map(|&m| {
                    (
                        m,
                        equivalent(&MixProblem::standard(
                            Spectrum::isotropic(600),
                            500,
                            p2,
                            c2,
                            1.0,
                            1e-3,
                            Some(m.round() as usize),
                        ))
                        .total(),
                    )
                })
                .collect();
            panel.push(Series::dashed(format!("p2 = {p2}: theory"), i, theory));
            if p2 == 0.1 {
                let run = run_of(
                    env,
                    RegressionMix,
                    &[
                        ("synthetic_fraction", "0.1"),
                        ("quality", &c2.to_string()),
                        ("lambda", "1e-3"),
                        ("sweep", "width"),
                        ("sweep_values", &list(&mc_widths)),
                        ("replicates", "3"),
                    ],
                )?;
                let pts = curve(&run.summary, MIX, TEST_ERROR)
                    .map(|r| (mc_widths[r.step as usize], r.mean))
                    .collect();
                panel.push(Series::markers(
                    "p2 = 0.1: Monte Carlo (test error)",
                    i,
                    pts,
                ));
                commands.push(run.command.clone());
            }
        }
        panels.push(panel);
    }
    Ok(Chart::grid(
        "Test error against model size: synthetic data hurts most near m = n and never vanishes",
        commands.join("\n"),
        panels,
        2,
    ))
}

/// Test error against n at p2 ∈ {0, 0.001, 0.01, 0.1}: classical ridge, d = 100, c² = 1,
/// Σ = diag(1/i), λ = 1e-6.
pub fn plateau(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let ns = geom(200.0, 1e10, 120);
    let mc_ns = [300.0, 1000.0, 3000.0, 10_000.0];
    let mut panel = Panel::new(
        "d = 100, Σ = diag(1/i), c² = 1, σ = 1, λ = 1e-6",
        "samples n",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::LowerLeft);
    let mut commands = Vec::new();
    for (i, p2) in [0.0, 0.001, 0.01, 0.1].into_iter().enumerate() {
        let theory = ns
            .iter()
            .map(|&n| {
                (
                    n,
                    equivalent(&MixProblem::standard(
                        Spectrum::power(100, 1.0),
                        n.round() as usize,
                        p2,
                        1.0,
                        1.0,
                        1e-6,
                        None,
                    ))
                    .total(),
                )
            })
            .collect();
        panel.push(Series::dashed(format!("p2 = {p2}: theory"), i, theory));
        if p2 > 0.0 {
            panel.push(
                Series::line(
                    format!("floor p2²c² = {:e}", p2 * p2),
                    i,
                    vec![(ns[0], p2 * p2), (ns[ns.len() - 1], p2 * p2)],
                )
                .unlabelled(),
            );
        }
        let run = run_of(
            env,
            RegressionMix,
            &[
                ("dim", "100"),
                ("spectrum", "power"),
                ("synthetic_fraction", &p2.to_string()),
                ("quality", "1"),
                ("lambda", "1e-6"),
                ("sweep", "samples"),
                ("sweep_values", &list(&mc_ns)),
                ("replicates", "4"),
            ],
        )?;
        let pts = curve(&run.summary, MIX, TEST_ERROR)
            .map(|r| (mc_ns[r.step as usize], r.mean))
            .collect();
        panel.push(Series::markers(format!("p2 = {p2}: Monte Carlo"), i, pts));
        commands.push(run.command.clone());
    }
    Ok(Chart::single(
        "Strong model collapse: with any fraction of synthetic data the error plateaus at p2²c² (solid)",
        commands.join("\n"),
        panel,
    ))
}

/// The figure of `collapse run regression-mix`: theory and Monte Carlo of each part of the
/// error along the sweep.
pub fn run_figure(cfg: &MixConfig, run: &RunView<'_>) -> Chart {
    let xs: Vec<f64> = match cfg.sweep {
        Some(_) => cfg.values.clone(),
        None => vec![0.0],
    };
    let x_of = |step: u64| xs.get(step as usize).copied().unwrap_or(step as f64);
    let positive = xs.iter().all(|&x| x > 0.0);
    let spread =
        xs.iter().cloned().fold(0.0, f64::max) / xs.iter().cloned().fold(f64::INFINITY, f64::min);
    let label = cfg.sweep.map_or("(no sweep)", |s| s.name());
    let mut panel = Panel::new(
        "regression-mix: theory (dashed) and Monte Carlo (markers)",
        label,
        "error",
    )
    .log_y();
    if positive && spread > 20.0 {
        panel = panel.log_x();
    }
    let parts = [
        ("test error", THEORY_TEST_ERROR, TEST_ERROR),
        ("bias", THEORY_BIAS, BIAS),
        ("variance", THEORY_VARIANCE, VARIANCE),
        ("ζ", THEORY_ZETA, ZETA),
    ];
    for (i, (name, th, mcm)) in parts.into_iter().enumerate() {
        let t: Vec<(f64, f64)> = curve(run.summary, MIX, th)
            .map(|r| (x_of(r.step), r.mean))
            .filter(|q| q.1 > 0.0)
            .collect();
        panel.push(Series::dashed(format!("{name}: theory"), i, t));
        let m: Vec<(f64, f64)> = curve(run.summary, MIX, mcm)
            .map(|r| (x_of(r.step), r.mean))
            .filter(|q| q.1 > 0.0)
            .collect();
        if !m.is_empty() {
            panel.push(Series::markers(format!("{name}: Monte Carlo"), i, m));
        }
    }
    Chart::single(
        "Strong model collapse: real + synthetic ridge regression",
        run.command,
        panel,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pareto_renders() {
        let dir = tempfile::tempdir().unwrap();
        let env = FigureEnv::default();
        let chart = pareto(&env).unwrap();
        assert!(
            chart
                .caption
                .starts_with("collapse figures --only regression-pareto")
        );
        chart.save(dir.path(), "p").unwrap();
    }
}
