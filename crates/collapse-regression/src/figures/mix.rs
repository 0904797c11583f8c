//! Strong Model Collapse figures of `regression-mix`: the Pareto diagram (Fig. 1), bias,
//! variance and ζ against width (Fig. 2), the test error against width (Fig. 4) and against n
//! (the plateau), and the run figure.

use super::{
    GRID_PLOT_PX, SINGLE_PLOT_PX, geom, list, mc_points, room_for_legend, run_of, with_error_bars,
};
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

/// The Strong Model Collapse setting of Figs. 1, 2 and 4: d = 600, n = 500, Σ = I, σ = 1.
fn fig_problem(p2: f64, c2: f64, lambda: f64, m: f64) -> MixProblem {
    MixProblem::standard(
        Spectrum::isotropic(600),
        500,
        p2,
        c2,
        1.0,
        lambda,
        Some(m.round() as usize),
    )
}

/// Fig. 1 of Strong Model Collapse, split like the paper's: one panel per number n2 of
/// synthetic samples out of n = 500, one colour per quality c², each point one width m (60
/// widths from 20 to 20000); d = 600, Σ = I, σ = 1, λ = 1e-4.
pub fn pareto(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let widths: Vec<f64> = geom(20.0, 20_000.0, 60)
        .into_iter()
        .map(f64::round)
        .collect();
    let qualities = [0.1, 0.5, 1.0];
    let mut panels = Vec::new();
    for n2 in [50usize, 200, 400] {
        let p2 = n2 as f64 / 500.0;
        let mut panel = Panel::new(
            format!("n2 = {n2} synthetic of n = 500"),
            "test error, real data only",
            "test error, real + synthetic",
        )
        .log_x()
        .log_y()
        .legend(Legend::UpperLeft);
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        for (i, &c2) in qualities.iter().enumerate() {
            let pts: Vec<(f64, f64)> = widths
                .iter()
                .map(|&m| {
                    let mixed = equivalent(&fig_problem(p2, c2, 1e-4, m)).total();
                    let real = equivalent(&fig_problem(0.0, c2, 1e-4, m)).total();
                    (real, mixed)
                })
                .collect();
            for &(x, y) in &pts {
                lo = lo.min(x.min(y));
                hi = hi.max(x.max(y));
            }
            panel.push(Series::markers(format!("c² = {c2}"), i, pts));
        }
        // The points' own range, padded by 10 %, on both axes (the diagonal stays at 45°).
        let (a, b) = (lo / 1.1, hi * 1.1);
        // A reference, not a closed form: solid, grey, under the points.
        panel.series.insert(
            0,
            Series::line("y = x (no collapse)", 6, vec![(a, a), (b, b)]),
        );
        panels.push(panel.x_range(a, b).y_range(a, b));
    }
    Ok(Chart::grid(
        "Strong model collapse: synthetic data cost at every width m, most near m = n (each point one m)",
        format!(
            "{} figures --only {PARETO} --seed {}: the deterministic equivalent of regression-mix (no simulation) at d = 600, n = 500, σ = 1, λ = 1e-4, for 60 widths m from 20 to 20000 on a log grid, p2 = n2/500 against p2 = 0 (real data only), c² = 0.1, 0.5, 1",
            env.program, env.seed
        ),
        panels,
        3,
    ))
}

/// One part of the equivalent.
type Part = fn(&Equivalent) -> f64;

/// Fig. 2: B, V, ζ against m (d = 600, n = 500, p2 = 0.1, c² = 0.5, λ = 1e-6), theory and
/// Monte Carlo.
pub fn bias_variance_zeta(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let ms = geom(20.0, 10_000.0, 300);
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
    let parts: [(&str, &str, Part); 3] = [
        ("bias B", BIAS, |e| e.bias),
        ("variance V", VARIANCE, |e| e.variance),
        ("ζ (synthetic-data term)", ZETA, |e| e.zeta),
    ];
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for (i, (name, metric, f)) in parts.into_iter().enumerate() {
        let theory: Vec<(f64, f64)> = ms
            .iter()
            .map(|&m| (m, f(&equivalent(&fig_problem(0.1, 0.5, 1e-6, m)))))
            .collect();
        for &(_, y) in &theory {
            lo = lo.min(y);
            hi = hi.max(y);
        }
        panel.push(Series::dashed(name, i, theory));
        let pts = mc_points(&run.summary, MIX, metric, |s| mc_widths[s as usize]);
        for s in with_error_bars(None, i, &pts) {
            panel.push(s);
        }
    }
    let (y0, y1) = room_for_legend(lo, hi, 4, SINGLE_PLOT_PX, true);
    panel.push(Series::line("m = n", 7, vec![(500.0, y0), (500.0, hi)]));
    Ok(Chart::single(
        "Bias, variance and ζ all blow up at the interpolation threshold m = n (dashed: theory; dots: Monte Carlo ± 2 SE)",
        run.command.clone(),
        panel.x_range(10.0, 10_000.0).y_range(y0, y1),
    ))
}

/// Fig. 4: test error against m for several p2, one panel per c² (d = 600, n = 500, λ = 1e-3).
pub fn width(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let ms = geom(20.0, 10_000.0, 200);
    let mc_widths = [100.0, 1000.0, 3000.0];
    let fractions = [0.0, 0.02, 0.1, 0.5];
    let mut panels = Vec::new();
    let mut commands = Vec::new();
    for c2 in [0.1, 1.0] {
        let mut panel = Panel::new(format!("c² = {c2}"), "width m", "test error")
            .log_x()
            .log_y()
            .legend(Legend::UpperRight);
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        for (i, p2) in fractions.into_iter().enumerate() {
            let theory: Vec<(f64, f64)> = ms
                .iter()
                .map(|&m| (m, equivalent(&fig_problem(p2, c2, 1e-3, m)).total()))
                .collect();
            for &(_, y) in &theory {
                lo = lo.min(y);
                hi = hi.max(y);
            }
            panel.push(Series::dashed(format!("p2 = {p2}"), i, theory));
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
                        ("replicates", "10"),
                    ],
                )?;
                let pts = mc_points(&run.summary, MIX, TEST_ERROR, |s| mc_widths[s as usize]);
                for s in with_error_bars(None, i, &pts) {
                    panel.push(s);
                }
                commands.push(run.command.clone());
            }
        }
        let (y0, y1) = room_for_legend(lo, hi, fractions.len(), GRID_PLOT_PX, true);
        panels.push(panel.x_range(10.0, 10_000.0).y_range(y0, y1));
    }
    Ok(Chart::grid(
        "Test error against model size: synthetic data hurt most near m = n and never vanish (dashed: theory; dots: Monte Carlo ± 2 SE at p2 = 0.1)",
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
    let fractions = [0.0, 0.001, 0.01, 0.1];
    let mut panel = Panel::new(
        "d = 100, Σ = diag(1/i), c² = 1, σ = 1, λ = 1e-6",
        "samples n",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::UpperRight);
    let mut commands = Vec::new();
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for (i, p2) in fractions.into_iter().enumerate() {
        let theory: Vec<(f64, f64)> = ns
            .iter()
            .map(|&n| {
                let p = MixProblem::standard(
                    Spectrum::power(100, 1.0),
                    n.round() as usize,
                    p2,
                    1.0,
                    1.0,
                    1e-6,
                    None,
                );
                (n, equivalent(&p).total())
            })
            .collect();
        for &(_, y) in &theory {
            lo = lo.min(y);
            hi = hi.max(y);
        }
        panel.push(Series::dashed(format!("p2 = {p2}"), i, theory));
        if p2 > 0.0 {
            panel.push(
                Series::line("", i, vec![(ns[0], p2 * p2), (ns[ns.len() - 1], p2 * p2)])
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
        let pts = mc_points(&run.summary, MIX, TEST_ERROR, |s| mc_ns[s as usize]);
        for s in with_error_bars(None, i, &pts) {
            panel.push(s);
        }
        commands.push(run.command.clone());
    }
    let (y0, y1) = room_for_legend(lo, hi, fractions.len(), SINGLE_PLOT_PX, true);
    Ok(Chart::single(
        "Strong model collapse: any fraction p2 of synthetic data stops the error at p2²c² (dashed: theory; solid: p2²c²; dots: Monte Carlo ± 2 SE)",
        commands.join("\n"),
        panel.x_range(100.0, 1e10).y_range(y0, y1),
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
        "regression-mix: theory (dashed) and Monte Carlo ± 2 SE (dots)",
        label,
        "error",
    )
    .log_y()
    .legend(Legend::UpperRight);
    if positive && spread > 20.0 {
        panel = panel.log_x();
    }
    let parts = [
        ("test error", THEORY_TEST_ERROR, TEST_ERROR),
        ("bias", THEORY_BIAS, BIAS),
        ("variance", THEORY_VARIANCE, VARIANCE),
        ("ζ", THEORY_ZETA, ZETA),
    ];
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for (i, (name, th, mcm)) in parts.into_iter().enumerate() {
        let t: Vec<(f64, f64)> = curve(run.summary, MIX, th)
            .map(|r| (x_of(r.step), r.mean))
            .filter(|q| q.1 > 0.0)
            .collect();
        let m: Vec<(f64, f64, f64)> = mc_points(run.summary, MIX, mcm, x_of)
            .into_iter()
            .filter(|q| q.1 > 0.0)
            .collect();
        for y in t.iter().map(|q| q.1).chain(m.iter().map(|q| q.1)) {
            lo = lo.min(y);
            hi = hi.max(y);
        }
        if t.is_empty() && m.is_empty() {
            continue;
        }
        panel.push(Series::dashed(name, i, t));
        for s in with_error_bars(None, i, &m) {
            panel.push(s);
        }
    }
    if lo.is_finite() && hi > 0.0 {
        let (y0, y1) = room_for_legend(lo, hi, parts.len(), SINGLE_PLOT_PX, true);
        panel = panel.y_range(y0, y1);
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
