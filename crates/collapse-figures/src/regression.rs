//! Regression figures: Strong Model Collapse (Pareto diagram, bias/variance/ζ against width,
//! test error against width and against n), iterated regression, and the tail scaling laws.

use crate::plot::{Chart, FigureError, Legend, Panel, Series};
use crate::{FigureEnv, FigureSpec, provenance};
use collapse_core::SummaryRow;
use collapse_core::records::summarize;
use collapse_regression::experiments::{iterated_experiment, mix_experiment, tails_experiment};
use collapse_regression::iterated::{optimal_lambda, ridge_iterated};
use collapse_regression::mixing::{self, mixing_experiment};
use collapse_regression::tails::{CountLaw, Tail, Zipf, effective_samples};
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
            name: "regression-weighted-mixing",
            title: "Fig. 9: weighted single-step mixing fails",
            render: weighted_mixing,
        },
        FigureSpec {
            name: "regression-iterative-mixing",
            title: "Fig. 10: iterative mixing against single-step mixing",
            render: iterative_mixing,
        },
        FigureSpec {
            name: "regression-tails",
            title: "Tail cutting and narrowing change the scaling law",
            render: tails,
        },
        FigureSpec {
            name: "regression-tails-mixing-generations",
            title: "Mixing clean data recovers the law; n generations add a plateau",
            render: tails_mixing_generations,
        },
    ]
}

/// Defaults of `regression-mixing` used by Figs. 9 and 10 (d = 50, p1 = p2 = 0.5, c² = 1,
/// σ = 1, 5 designs per n as in the paper's 5 runs).
const MIXING_SAMPLES: &str = "110,200,400,800,1600,3200,6400";

fn mixing_curve(summary: &[SummaryRow], series: &str, metric: &str) -> Vec<(f64, f64)> {
    let ns: Vec<(u64, f64)> = rows(summary, series, "theory_n")
        .map(|r| (r.step, r.mean))
        .collect();
    let n_of = |step: u64| ns.iter().find(|(s, _)| *s == step).map_or(0.0, |q| q.1);
    rows(summary, series, metric)
        .map(|r| (n_of(r.step), r.mean))
        .filter(|q| q.1 > 0.0)
        .collect()
}

/// Runs `regression-mixing` on the figures' n grid and opens the log–log panel of test error
/// against n that both mixing figures draw on.
fn mixing_run(
    env: &FigureEnv<'_>,
    alphas: &str,
    rounds: &str,
    real_data: &str,
    subtitle: &str,
) -> Result<(Vec<SummaryRow>, Panel), FigureError> {
    let (_, out) = env.run(
        &mixing_experiment(),
        &[
            ("samples", MIXING_SAMPLES),
            ("alphas", alphas),
            ("rounds", rounds),
            ("real_data", real_data),
        ],
    )?;
    let panel = Panel::new(subtitle, "samples n", "test error")
        .log_x()
        .log_y()
        .legend(Legend::LowerLeft);
    Ok((summarize(&out.records, &out.theory), panel))
}

/// Fig. 9 of Strong Model Collapse: weighted single-step mixing, test error against n for
/// several α, with the floors α²c².
fn weighted_mixing(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let alphas = "0,0.1,0.25,0.5,0.75";
    let (summary, mut panel) = mixing_run(
        env,
        alphas,
        "1",
        "fresh",
        "d = 50, Σ = I, p1 = p2 = 0.5, c² = 1, σ = 1, least squares",
    )?;
    for (i, a) in [0.0, 0.1, 0.25, 0.5, 0.75].into_iter().enumerate() {
        let name = format!("alpha={a}");
        let label = if a == 0.0 {
            "α = 0 (real only)".to_string()
        } else if a == 0.5 {
            "α = 0.5 = p2 (plain mix)".to_string()
        } else {
            format!("α = {a}")
        };
        panel.push(Series::dashed(
            format!("{label}: theory"),
            i,
            mixing_curve(&summary, &name, "theory_test_error"),
        ));
        panel.push(Series::markers(
            format!("{label}: Monte Carlo"),
            i,
            mixing_curve(&summary, &name, "test_error"),
        ));
        if a > 0.0 {
            let ns = mixing_curve(&summary, &name, "theory_floor");
            panel.push(Series::line(format!("floor α²c² = {}", a * a), i, ns).unlabelled());
        }
    }
    Ok(Chart::single(
        "Weighted single-step mixing: every α > 0 stalls at α²c² (solid)",
        provenance(
            "regression-mixing",
            &[
                ("samples", MIXING_SAMPLES.into()),
                ("alphas", alphas.into()),
                ("rounds", "1".into()),
            ],
            env.seed,
        ),
        panel,
    ))
}

/// Fig. 10 of Strong Model Collapse: iterative mixing for t = 1, 2, 4, 8 rounds against
/// training on the real half only, with fresh data every round (left) and with the design and
/// the real labels reused every round (right).
fn iterative_mixing(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let rounds = "1,2,4,8";
    let (summary, mut fresh) = mixing_run(
        env,
        "0",
        rounds,
        "fresh",
        "fresh rows every round; d = 50, Σ = I, p1 = p2 = 0.5, c² = σ² = 1",
    )?;
    let label = |t: u32| {
        if t == 1 {
            "t = 1 (single-step mix)".to_string()
        } else {
            format!("t = {t} rounds")
        }
    };
    for (i, t) in [1u32, 2, 4, 8].into_iter().enumerate() {
        let name = format!("rounds={t}");
        fresh.push(Series::dashed(
            format!("{}: exact", label(t)),
            i,
            mixing_curve(&summary, &name, "theory_test_error"),
        ));
        fresh.push(Series::markers(
            format!("{}: Monte Carlo", label(t)),
            i,
            mixing_curve(&summary, &name, "test_error"),
        ));
    }
    let real_exact = mixing_curve(&summary, "real-only", "theory_test_error");
    let real_mc = mixing_curve(&summary, "alpha=0", "test_error");
    fresh.push(Series::dashed(
        "real half only: exact",
        4,
        real_exact.clone(),
    ));
    fresh.push(Series::markers(
        "real half only: Monte Carlo",
        4,
        real_mc.clone(),
    ));

    let (summary, mut reused) = mixing_run(
        env,
        "0",
        rounds,
        "reused",
        "same design and real labels every round (reused)",
    )?;
    for (i, t) in [1u32, 2, 4, 8].into_iter().enumerate() {
        let name = format!("rounds={t}");
        if t == 1 {
            reused.push(Series::dashed(
                format!("{}: exact", label(t)),
                i,
                mixing_curve(&summary, &name, "theory_test_error"),
            ));
        }
        let mc = mixing_curve(&summary, &name, "test_error");
        reused.push(Series::line(format!("{}: Monte Carlo", label(t)), i, mc.clone()).unlabelled());
        reused.push(Series::markers(format!("{}: Monte Carlo", label(t)), i, mc));
    }
    reused.push(Series::dashed(
        "t → ∞: (3/2)σ²d/(n1−d−1) − σ²τ/2",
        5,
        mixing_curve(&summary, mixing::LIMIT_SERIES, "theory_test_error"),
    ));
    reused.push(Series::markers(
        "t → ∞: Monte Carlo",
        5,
        mixing_curve(&summary, mixing::LIMIT_SERIES, "test_error"),
    ));
    reused.push(Series::dashed("real half only: exact", 4, real_exact));
    reused.push(Series::markers("real half only: Monte Carlo", 4, real_mc));
    Ok(Chart::grid(
        "Iterative mixing against the real half alone: fresh data end below it, reused real data above",
        provenance(
            "regression-mixing",
            &[
                ("samples", MIXING_SAMPLES.into()),
                ("alphas", "0".into()),
                ("rounds", rounds.into()),
                ("real_data", "fresh | reused".into()),
            ],
            env.seed,
        ),
        vec![fresh, reused],
        2,
    ))
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

/// A Tale of Tails, the two remaining rows: (a) a fraction π of clean data mixed into data cut at
/// k = 50 — the cut's plateau, then recovery at the clean rate once πT ≫ k^β; (b) n generations
/// of T0 = 10⁴ draws, error against T; (c) the lost mass, the plateau of (b), against n. β = 2,
/// N = 10⁶. Lines are exact expectations, dashed lines the asymptotic laws, markers simulations.
fn tails_mixing_generations(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    const N: usize = 1_000_000;
    const K: usize = 50;
    const T0: usize = 10_000;
    let sets = [
        ("items", "1000000"),
        ("samples_min", "100"),
        ("samples_max", "3e6"),
        ("points", "12"),
        ("replicates", "4"),
        ("cut", "50"),
        ("clean_fraction", "0.05"),
        ("generations", "8"),
        ("generator_samples", "10000"),
    ];
    let summary = run(env, tails_experiment(), &sets)?;
    let mc = |series: &str, metric: &str| -> Vec<(f64, f64)> {
        let ts: Vec<f64> = rows(&summary, series, "theory_samples")
            .map(|r| r.mean)
            .collect();
        rows(&summary, series, metric)
            .filter_map(|r| ts.get(r.step as usize).map(|&t| (t, r.mean)))
            .collect()
    };
    let clean = Zipf::new(N, 2.0, Tail::Clean);

    // (a) Mixing.
    let ts = geom(100.0, 1e8, 41);
    let mut mixing = Panel::new(
        "(a) π clean data mixed into data cut at k = 50",
        "training samples T",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::LowerLeft);
    let fractions = [0.0, 0.01, 0.05, 0.2, 1.0];
    for (i, &pi) in fractions.iter().enumerate() {
        let z = if pi == 1.0 {
            clean.clone()
        } else {
            Zipf::new(N, 2.0, Tail::Mixed { k: K, pi })
        };
        let label = match pi {
            0.0 => "π = 0 (tail cut)".to_string(),
            1.0 => "π = 1 (clean)".to_string(),
            _ => format!("π = {pi}"),
        };
        mixing.push(Series::line(
            label,
            i,
            ts.iter().map(|&t| (t, z.expected_error(t))).collect(),
        ));
        mixing.push(
            Series::dashed(
                "integral law",
                i,
                ts.iter()
                    .step_by(2)
                    .map(|&t| (t, z.asymptotic(t)))
                    .collect(),
            )
            .unlabelled(),
        );
    }
    let plateau = Zipf::new(N, 2.0, Tail::Cut(K)).unreachable_mass();
    mixing.push(Series::dashed(
        "plateau Σ_{i>k} p_i",
        6,
        vec![(ts[0], plateau), (ts[ts.len() - 1], plateau)],
    ));
    for (series, colour) in [("cut", 0), ("mixed", 2), ("clean", 4)] {
        let pts = mc(series, "test_error");
        let label = format!(
            "simulated ({})",
            if series == "mixed" {
                "π = 0.05"
            } else {
                series
            }
        );
        mixing.push(Series::markers(label, colour, pts));
    }

    // (b) Generations, error against T, and (c) the lost mass against n.
    let ts = geom(100.0, 1e7, 41);
    let mut gens = Panel::new(
        "(b) n generations of T0 = 10⁴ draws",
        "training samples T (from generation n)",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::LowerLeft);
    gens.push(Series::line(
        "n = 0 (clean)",
        0,
        ts.iter().map(|&t| (t, clean.expected_error(t))).collect(),
    ));
    gens.push(
        Series::dashed(
            "",
            0,
            ts.iter().map(|&t| (t, clean.asymptotic(t))).collect(),
        )
        .unlabelled(),
    );
    let max_n = 32;
    let mut law = CountLaw::first(&clean.p, T0);
    let mut lost = Vec::new();
    let mut colour = 1;
    loop {
        let n = law.generation;
        lost.push((n as f64, law.lost_mass()));
        if [1, 2, 4, 8].contains(&n) {
            gens.push(Series::line(
                format!("n = {n}"),
                colour,
                ts.iter().map(|&t| (t, law.expected_error(t))).collect(),
            ));
            let gw = Series::dashed(
                "Galton–Watson law A·T_eff^-c",
                colour,
                ts.iter()
                    .map(|&t| (t, clean.asymptotic(effective_samples(T0 as f64, n, t))))
                    .collect(),
            );
            gens.push(if n == 1 { gw } else { gw.unlabelled() });
            colour += 1;
        }
        if n == max_n {
            break;
        }
        law = law.next();
    }
    gens.push(Series::markers(
        "n = 8: simulated",
        4,
        mc("generations", "test_error"),
    ));

    let mut plateau_panel = Panel::new(
        "(c) the plateau: test mass lost by generation n",
        "generation n",
        "lost mass",
    )
    .log_x()
    .log_y()
    .legend(Legend::UpperLeft);
    let l1 = lost[0].1;
    plateau_panel.push(Series::line("exact (Wright–Fisher)", 0, lost.clone()));
    plateau_panel.push(Series::dashed(
        "Galton–Watson law A·(T0 s_n)^-c ∝ n^c",
        1,
        lost.iter()
            .map(|&(n, _)| {
                (
                    n,
                    clean.asymptotic(effective_samples(T0 as f64, n as usize, f64::INFINITY)),
                )
            })
            .collect(),
    ));
    plateau_panel.push(Series::dashed(
        "n·L₁ (the quoted n·T0^-c)",
        6,
        lost.iter().map(|&(n, _)| (n, n * l1)).collect(),
    ));
    plateau_panel.push(Series::markers(
        "simulated (n = 8)",
        4,
        rows(&summary, "generations", "lost_mass")
            .map(|r| (8.0, r.mean))
            .collect(),
    ));
    Ok(Chart::grid(
        "A Tale of Tails: clean data mixed in ends the plateau; n generations of T0 draws raise it like (n/T0)^(1−1/β)",
        provenance(
            "regression-tails",
            &sets
                .iter()
                .map(|(a, b)| (*a, b.to_string()))
                .collect::<Vec<_>>(),
            env.seed,
        ),
        vec![mixing, gens, plateau_panel],
        3,
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
            experiment: "regression-mixing",
            draw: run_mixing,
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
    // The mixed and generations series are present only when their parameters are set.
    for (i, series) in ["clean", "cut", "narrowed", "mixed", "generations"]
        .into_iter()
        .enumerate()
    {
        let ts: Vec<f64> = rows(summary, series, "theory_samples")
            .map(|r| r.mean)
            .collect();
        if ts.is_empty() {
            continue;
        }
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

fn run_mixing(p: &collapse_core::Params, summary: &[SummaryRow], seed: u64) -> Chart {
    let mut panel = Panel::new(
        "regression-mixing: theory (dashed) and Monte Carlo (markers)",
        "samples n",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::LowerLeft);
    let mut series: Vec<String> = summary
        .iter()
        .filter(|r| r.metric == "theory_test_error")
        .map(|r| r.series.to_string())
        .collect();
    series.dedup();
    // Series with Monte Carlo but no closed form (reused-data rounds t >= 2).
    for r in summary.iter().filter(|r| r.metric == "test_error") {
        if !series.iter().any(|s| s == &r.series) {
            series.push(r.series.to_string());
        }
    }
    for (i, name) in series.iter().enumerate() {
        let th = mixing_curve(summary, name, "theory_test_error");
        if !th.is_empty() {
            panel.push(Series::dashed(format!("{name}: theory"), i, th));
        }
        let m = mixing_curve(summary, name, "test_error");
        if !m.is_empty() {
            panel.push(Series::markers(format!("{name}: Monte Carlo"), i, m));
        }
    }
    Chart::single(
        "Weighted and iterative mixing of real and synthetic data",
        provenance("regression-mixing", &sets_of(p), seed),
        panel,
    )
}
