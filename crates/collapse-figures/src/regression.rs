//! Regression figures: Strong Model Collapse (Pareto diagram, bias/variance/ζ against width,
//! test error against width and against n), iterated regression, and the tail scaling laws.

use crate::plot::{Chart, FigureError, Legend, Panel, Series};
use crate::{FigureEnv, FigureSpec, provenance};
use collapse_core::SummaryRow;
use collapse_core::records::summarize;
use collapse_regression::experiments::{iterated_experiment, mix_experiment, tails_experiment};
use collapse_regression::iterated::{optimal_lambda, ridge_iterated};
use collapse_regression::theory::{MixProblem, Spectrum, equivalent};

/// The gallery figures of the family.
pub fn figures() -> Vec<FigureSpec> {
    vec![
        FigureSpec {
            name: "regression-pareto",
            title: "Pareto diagram: mixed vs real-only test error",
            render: pareto,
        },
        FigureSpec {
            name: "regression-bias-variance-zeta",
            title: "Bias, variance and ζ against width",
            render: bvz,
        },
        FigureSpec {
            name: "regression-width",
            title: "Test error against width for several p2 and c²",
            render: width,
        },
        FigureSpec {
            name: "regression-samples-plateau",
            title: "Test error against n: the strong-collapse plateau",
            render: plateau,
        },
        FigureSpec {
            name: "regression-iterated",
            title: "Iterated regression: replace against accumulate",
            render: iterated,
        },
        FigureSpec {
            name: "regression-tails",
            title: "Tail cutting and narrowing change the scaling law",
            render: tails,
        },
    ]
}

fn run(
    env: &FigureEnv<'_>,
    exp: collapse_core::Experiment,
    sets: &[(&str, &str)],
) -> Result<Vec<SummaryRow>, FigureError> {
    let (_, out) = env.run(&exp, sets)?;
    Ok(summarize(&out.records, &out.theory))
}

fn rows<'a>(
    rows: &'a [SummaryRow],
    series: &'a str,
    metric: &'a str,
) -> impl Iterator<Item = &'a SummaryRow> + 'a {
    rows.iter()
        .filter(move |r| r.series == series && r.metric == metric)
}

fn geom(lo: f64, hi: f64, k: usize) -> Vec<f64> {
    (0..k)
        .map(|i| (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / (k - 1) as f64).exp())
        .collect()
}

fn list(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Fig. 1 of Strong Model Collapse: d = 600, n = 500 (n2 = 50), Σ = I, σ = 1, λ = 1e-4; each
/// point is one width m, coloured by ψ = m/n.
fn pareto(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
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
            "deterministic equivalent (regression-mix theory), {}",
            provenance(
                "regression-mix",
                &[
                    ("dim", "600".into()),
                    ("samples", "500".into()),
                    ("synthetic_fraction", "0.1".into()),
                    ("quality", "0.1|0.5|1".into()),
                    ("lambda", "1e-4".into()),
                    ("sweep", "width".into()),
                    ("replicates", "0".into())
                ],
                env.seed
            )
        ),
        panels,
        3,
    ))
}

/// Fig. 2: B, V, ζ against m (d = 600, n = 500, p2 = 0.1, c² = 0.5, λ = 1e-6), theory and
/// Monte Carlo.
fn bvz(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
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
    let summary = run(
        env,
        mix_experiment(),
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
        (
            "bias B",
            "bias",
            (|e: &collapse_regression::theory::Equivalent| e.bias) as fn(&_) -> f64,
        ),
        ("variance V", "variance", |e| e.variance),
        ("ζ (synthetic-data term)", "zeta", |e| e.zeta),
    ]
    .into_iter()
    .enumerate()
    {
        panel.push(Series::dashed(
            format!("{name}: theory"),
            i,
            ms.iter().map(|&m| (m, f(&equivalent(&base(m))))).collect(),
        ));
        let pts: Vec<(f64, f64)> = rows(&summary, "mix", metric)
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
        provenance(
            "regression-mix",
            &[
                ("dim", "600".into()),
                ("samples", "500".into()),
                ("quality", "0.5".into()),
                ("lambda", "1e-6".into()),
                ("sweep", "width".into()),
                ("sweep_values", list(&mc_widths)),
                ("replicates", "3".into()),
            ],
            env.seed,
        ),
        panel,
    ))
}

/// Fig. 4: test error against m for several p2, one panel per c² (d = 600, n = 500, λ = 1e-3).
fn width(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let ms = geom(20.0, 10_000.0, 200);
    let mc_widths = [100.0, 1000.0, 3000.0];
    let mut panels = Vec::new();
    for c2 in [0.1, 1.0] {
        let mut panel = Panel::new(format!("c² = {c2}"), "width m", "test error")
            .log_x()
            .log_y()
            .legend(Legend::UpperRight);
        for (i, p2) in [0.0, 0.02, 0.1, 0.5].into_iter().enumerate() {
            let curve = ms
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
            panel.push(Series::dashed(format!("p2 = {p2}: theory"), i, curve));
            if p2 == 0.1 {
                let summary = run(
                    env,
                    mix_experiment(),
                    &[
                        ("synthetic_fraction", "0.1"),
                        ("quality", &c2.to_string()),
                        ("lambda", "1e-3"),
                        ("sweep", "width"),
                        ("sweep_values", &list(&mc_widths)),
                        ("replicates", "3"),
                    ],
                )?;
                let pts = rows(&summary, "mix", "test_error")
                    .map(|r| (mc_widths[r.step as usize], r.mean))
                    .collect();
                panel.push(Series::markers(
                    "p2 = 0.1: Monte Carlo (test error)",
                    i,
                    pts,
                ));
            }
        }
        panels.push(panel);
    }
    Ok(Chart::grid(
        "Test error against model size: synthetic data hurts most near m = n and never vanishes",
        provenance(
            "regression-mix",
            &[
                ("dim", "600".into()),
                ("samples", "500".into()),
                ("synthetic_fraction", "0|0.02|0.1|0.5".into()),
                ("quality", "0.1|1".into()),
                ("lambda", "1e-3".into()),
                ("sweep", "width".into()),
            ],
            env.seed,
        ),
        panels,
        2,
    ))
}

/// Test error against n at p2 ∈ {0, 0.001, 0.01, 0.1}: classical ridge, d = 100, c² = 1,
/// Σ = diag(1/i), λ = 1e-6.
fn plateau(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
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
    for (i, p2) in [0.0, 0.001, 0.01, 0.1].into_iter().enumerate() {
        let curve = ns
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
        panel.push(Series::dashed(format!("p2 = {p2}: theory"), i, curve));
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
        let summary = run(
            env,
            mix_experiment(),
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
        let pts = rows(&summary, "mix", "test_error")
            .map(|r| (mc_ns[r.step as usize], r.mean))
            .collect();
        panel.push(Series::markers(format!("p2 = {p2}: Monte Carlo"), i, pts));
    }
    Ok(Chart::single(
        "Strong model collapse: with any fraction of synthetic data the error plateaus at p2²c² (solid)",
        provenance(
            "regression-mix",
            &[
                ("dim", "100".into()),
                ("spectrum", "power".into()),
                ("synthetic_fraction", "0|0.001|0.01|0.1".into()),
                ("quality", "1".into()),
                ("lambda", "1e-6".into()),
                ("sweep", "samples".into()),
            ],
            env.seed,
        ),
        panel,
    ))
}

/// Iterated regression (d = 50, T = 200, T0 = 100, σ = σ0 = 1): replace against accumulate with
/// theory lines; and the optimal ridge penalty as generations grow.
fn iterated(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let gens = 20u64;
    let mut left = Panel::new(
        "least squares, d = 50, T = 200, T0 = 100",
        "generation n",
        "test error",
    )
    .legend(Legend::UpperLeft);
    for (i, policy) in ["replace", "accumulate"].into_iter().enumerate() {
        let summary = run(
            env,
            iterated_experiment(),
            &[
                ("generations", "20"),
                ("replicates", "400"),
                ("policy", policy),
            ],
        )?;
        let mean: Vec<(f64, f64)> = rows(&summary, policy, "test_error")
            .map(|r| (r.step as f64, r.mean))
            .collect();
        let xs: Vec<f64> = mean.iter().map(|p| p.0).collect();
        let se: Vec<f64> = rows(&summary, policy, "test_error")
            .map(|r| r.std_error)
            .collect();
        let lo: Vec<f64> = mean.iter().zip(&se).map(|(p, s)| p.1 - 2.0 * s).collect();
        let hi: Vec<f64> = mean.iter().zip(&se).map(|(p, s)| p.1 + 2.0 * s).collect();
        left.push(Series::band(i, &xs, &lo, &hi));
        left.push(Series::line(
            format!("{policy}: Monte Carlo (±2 SE)"),
            i,
            mean,
        ));
        let th = rows(&summary, policy, "theory_test_error")
            .map(|r| (r.step as f64, r.mean))
            .collect();
        left.push(Series::dashed(format!("{policy}: theory"), i, th));
    }
    let d = 50.0;
    let clean = d / (200.0 - d - 1.0);
    let bound = clean + std::f64::consts::PI.powi(2) / 6.0 * d / (100.0 - d - 1.0);
    left.push(Series::dashed(
        "π²/6 bound of accumulate",
        7,
        vec![(0.0, bound), (gens as f64, bound)],
    ));
    let spec = Spectrum::isotropic(200);
    let mut right = Panel::new(
        "ridge, d = 200, T = T0 = 1000, ‖w0‖ = 1 (theory)",
        "generation n",
        "",
    )
    .legend(Legend::UpperLeft);
    let ns: Vec<u64> = (0..=20).collect();
    let opt: Vec<f64> = ns
        .iter()
        .map(|&n| optimal_lambda(&spec, 1.0, 1000, 1000, 1.0, 1.0, n, false))
        .collect();
    right.push(Series::line(
        "optimal λ",
        0,
        ns.iter().zip(&opt).map(|(&n, &l)| (n as f64, l)).collect(),
    ));
    right.push(Series::line(
        "test error at the optimal λ",
        1,
        ns.iter()
            .zip(&opt)
            .map(|(&n, &l)| {
                (
                    n as f64,
                    ridge_iterated(&spec, 1.0, 1000, 1000, 1.0, 1.0, l, n, false),
                )
            })
            .collect(),
    ));
    let l0 = opt[0];
    right.push(Series::dashed(
        "test error at the clean-optimal λ",
        2,
        ns.iter()
            .map(|&n| {
                (
                    n as f64,
                    ridge_iterated(&spec, 1.0, 1000, 1000, 1.0, 1.0, l0, n, false),
                )
            })
            .collect(),
    ));
    Ok(Chart::grid(
        "Iterated regression: the error grows linearly when replacing, stays below π²/6 when accumulating",
        provenance(
            "regression-iterated",
            &[
                ("dim", "50".into()),
                ("samples", "200".into()),
                ("generator_samples", "100".into()),
                ("generations", "20".into()),
                ("policy", "replace|accumulate".into()),
                ("replicates", "400".into()),
            ],
            env.seed,
        ),
        vec![left, right],
        2,
    ))
}

/// A Tale of Tails: error against T for clean, cut (k = 200) and narrowed (β' = 3) training
/// data, β = 2, N = 10^6.
fn tails(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let sets = [
        ("items", "1000000"),
        ("samples_min", "100"),
        ("samples_max", "3e6"),
        ("points", "12"),
        ("replicates", "4"),
        ("cut", "200"),
        ("narrowed_exponent", "3"),
    ];
    let summary = run(env, tails_experiment(), &sets)?;
    let mut panel = Panel::new(
        "Zipf β = 2 over N = 10⁶ items; memorising learner",
        "training samples T",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::LowerLeft);
    for (i, (series, label)) in [
        ("clean", "clean"),
        ("cut", "tail cut at k = 200"),
        ("narrowed", "tail narrowed to β' = 3"),
    ]
    .into_iter()
    .enumerate()
    {
        let ts: Vec<f64> = rows(&summary, series, "theory_samples")
            .map(|r| r.mean)
            .collect();
        let pick = |metric: &str| -> Vec<(f64, f64)> {
            rows(&summary, series, metric)
                .map(|r| (ts[r.step as usize], r.mean))
                .collect()
        };
        panel.push(Series::markers(
            format!("{label}: simulated"),
            i,
            pick("test_error"),
        ));
        panel.push(
            Series::line(
                format!("{label}: exact Σ p(1−q)^T"),
                i,
                pick("theory_test_error"),
            )
            .unlabelled(),
        );
        panel.push(Series::dashed(
            format!("{label}: scaling law"),
            i,
            pick("theory_scaling_law"),
        ));
    }
    Ok(Chart::single(
        "A Tale of Tails: cutting the tail stalls the law at k^-(β−1); narrowing it slows the rate to T^-(β−1)/β'",
        provenance(
            "regression-tails",
            &sets
                .iter()
                .map(|(a, b)| (*a, b.to_string()))
                .collect::<Vec<_>>(),
            env.seed,
        ),
        panel,
    ))
}

/// The figures `collapse run` writes for the family's experiments.
pub fn run_figures() -> Vec<crate::RunFigure> {
    vec![
        crate::RunFigure {
            experiment: "regression-mix",
            draw: run_mix,
        },
        crate::RunFigure {
            experiment: "regression-iterated",
            draw: run_iterated,
        },
        crate::RunFigure {
            experiment: "regression-tails",
            draw: run_tails,
        },
    ]
}

fn sets_of(p: &collapse_core::Params) -> Vec<(&'static str, String)> {
    p.iter().map(|(k, v)| (k, v.to_string())).collect()
}

fn run_mix(p: &collapse_core::Params, summary: &[SummaryRow], seed: u64) -> Chart {
    let sweep = p.text("sweep").trim().to_string();
    let xs: Vec<f64> = collapse_regression::experiments::mix_grid(p)
        .ok()
        .filter(|_| !sweep.is_empty())
        .map(|g| g.iter().map(|q| q.float(&sweep)).collect())
        .unwrap_or_else(|| vec![0.0]);
    let x_of = |step: u64| xs.get(step as usize).copied().unwrap_or(step as f64);
    let positive = xs.iter().all(|&x| x > 0.0);
    let spread =
        xs.iter().cloned().fold(0.0, f64::max) / xs.iter().cloned().fold(f64::INFINITY, f64::min);
    let label = if sweep.is_empty() {
        "(no sweep)".to_string()
    } else {
        sweep.clone()
    };
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
        ("test error", "theory_test_error", "test_error"),
        ("bias", "theory_bias", "bias"),
        ("variance", "theory_variance", "variance"),
        ("ζ", "theory_zeta", "zeta"),
    ];
    for (i, (name, th, mcm)) in parts.into_iter().enumerate() {
        let t: Vec<(f64, f64)> = rows(summary, "mix", th)
            .map(|r| (x_of(r.step), r.mean))
            .filter(|q| q.1 > 0.0)
            .collect();
        panel.push(Series::dashed(format!("{name}: theory"), i, t));
        let m: Vec<(f64, f64)> = rows(summary, "mix", mcm)
            .map(|r| (x_of(r.step), r.mean))
            .filter(|q| q.1 > 0.0)
            .collect();
        if !m.is_empty() {
            panel.push(Series::markers(format!("{name}: Monte Carlo"), i, m));
        }
    }
    Chart::single(
        "Strong model collapse: real + synthetic ridge regression",
        provenance("regression-mix", &sets_of(p), seed),
        panel,
    )
}

fn run_iterated(p: &collapse_core::Params, summary: &[SummaryRow], seed: u64) -> Chart {
    let series = if p.text("policy") == "accumulate" {
        "accumulate"
    } else {
        "replace"
    };
    let mut panel = Panel::new(format!("policy = {series}"), "generation n", "test error")
        .legend(Legend::UpperLeft);
    let mean: Vec<(f64, f64)> = rows(summary, series, "test_error")
        .map(|r| (r.step as f64, r.mean))
        .collect();
    let xs: Vec<f64> = mean.iter().map(|q| q.0).collect();
    let se: Vec<f64> = rows(summary, series, "test_error")
        .map(|r| r.std_error)
        .collect();
    let lo: Vec<f64> = mean.iter().zip(&se).map(|(q, s)| q.1 - 2.0 * s).collect();
    let hi: Vec<f64> = mean.iter().zip(&se).map(|(q, s)| q.1 + 2.0 * s).collect();
    panel.push(Series::band(0, &xs, &lo, &hi));
    panel.push(Series::line("downstream test error (±2 SE)", 0, mean));
    let theory_label = if series == "accumulate" && p.text("design") == "fresh" {
        "Σ1/i² formula (exact for a fixed design; an upper bound here)"
    } else {
        "theory"
    };
    panel.push(Series::dashed(
        theory_label,
        0,
        rows(summary, series, "theory_test_error")
            .map(|r| (r.step as f64, r.mean))
            .collect(),
    ));
    panel.push(Series::line(
        "generator error",
        1,
        rows(summary, series, "generator_error")
            .map(|r| (r.step as f64, r.mean))
            .collect(),
    ));
    panel.push(Series::dashed(
        "generator error: theory",
        1,
        rows(summary, series, "theory_generator_error")
            .map(|r| (r.step as f64, r.mean))
            .collect(),
    ));
    Chart::single(
        "Iterated regression",
        provenance("regression-iterated", &sets_of(p), seed),
        panel,
    )
}

fn run_tails(p: &collapse_core::Params, summary: &[SummaryRow], seed: u64) -> Chart {
    let mut panel = Panel::new(
        "memorising learner on Zipf data",
        "training samples T",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::LowerLeft);
    for (i, series) in ["clean", "cut", "narrowed"].into_iter().enumerate() {
        let ts: Vec<f64> = rows(summary, series, "theory_samples")
            .map(|r| r.mean)
            .collect();
        let pick = |metric: &str| -> Vec<(f64, f64)> {
            rows(summary, series, metric)
                .filter_map(|r| ts.get(r.step as usize).map(|&t| (t, r.mean)))
                .filter(|q| q.1 > 0.0)
                .collect()
        };
        let sim = pick("test_error");
        if !sim.is_empty() {
            panel.push(Series::markers(format!("{series}: simulated"), i, sim));
        }
        panel.push(Series::line(
            format!("{series}: exact expectation"),
            i,
            pick("theory_test_error"),
        ));
        panel.push(
            Series::dashed(
                format!("{series}: scaling law"),
                i,
                pick("theory_scaling_law"),
            )
            .unlabelled(),
        );
    }
    Chart::single(
        "A Tale of Tails",
        provenance("regression-tails", &sets_of(p), seed),
        panel,
    )
}
