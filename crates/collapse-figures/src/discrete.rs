//! Discrete figures: rank–frequency by generation, expected support and absorption against the
//! exact two-type curves, the absorption-time histogram with the exact mean, survival against
//! Suresh et al.'s bounds, time to forget against the original count, and the error sources.

use crate::plot::{Chart, FigureError, Legend, Panel, Series, summary_curve};
use crate::{FigureEnv, FigureSpec, RunFigure, provenance};
use collapse_core::records::summarize;
use collapse_core::rng::stream;
use collapse_core::{Params, Policy, Record, Sources, SummaryRow};
use collapse_discrete::experiment::{
    ABSORPTION_SERIES, EXTINCTION_SERIES, ID, SOURCES_ID, Setup, experiment, sources_experiment,
};
use collapse_discrete::model::{FitRule, Initial};
use collapse_discrete::theory::{self, TwoType};

/// The gallery figures of the family.
pub fn figures() -> Vec<FigureSpec> {
    vec![
        FigureSpec {
            name: "discrete-rank-frequency",
            title: "Rank-frequency by generation: the tail vanishes",
            render: rank_frequency,
        },
        FigureSpec {
            name: "discrete-support",
            title: "Expected support and absorption against the exact two-type curves",
            render: support,
        },
        FigureSpec {
            name: "discrete-absorption-time",
            title: "Absorption-time histogram with the exact mean",
            render: absorption_time,
        },
        FigureSpec {
            name: "discrete-survival-suresh",
            title: "Survival of a rare category against Suresh et al.'s bounds",
            render: survival,
        },
        FigureSpec {
            name: "discrete-time-to-forget",
            title: "Time to forget against the original count",
            render: time_to_forget,
        },
        FigureSpec {
            name: "sources-discrete-tv",
            title: "The three error sources on a categorical distribution",
            render: sources_tv,
        },
    ]
}

/// The figures of `collapse run discrete-chain` and `collapse run sources-discrete`.
pub fn run_figures() -> Vec<RunFigure> {
    vec![
        RunFigure {
            experiment: ID,
            draw: run_figure,
        },
        RunFigure {
            experiment: SOURCES_ID,
            draw: sources_run_figure,
        },
    ]
}

fn run_of(
    env: &FigureEnv<'_>,
    x: collapse_core::Experiment,
    sets: &[(&str, &str)],
) -> Result<(Vec<Record>, Vec<SummaryRow>), FigureError> {
    let (_, out) = env.run(&x, sets)?;
    let rows = summarize(&out.records, &out.theory);
    Ok((out.records, rows))
}

fn owned<'a>(sets: &[(&'a str, &str)]) -> Vec<(&'a str, String)> {
    sets.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

fn normalised(w: &[f64]) -> Vec<f64> {
    let t: f64 = w.iter().sum();
    w.iter().map(|x| x / t).collect()
}

/// One chain, K = 1000 Zipf(1.1), M = 1000: the sorted probabilities at a few generations.
fn rank_frequency(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (k, m) = (1000usize, 1000usize);
    let gens = [0u64, 5, 20, 50, 100, 200];
    let setup = Setup::replace(Initial::Zipf(1.1).weights(k), FitRule::EMPIRICAL, m, 200);
    let f = setup.family();
    let mut snaps = Vec::new();
    setup
        .run_one(
            &f,
            &mut stream(env.seed, "discrete-rank-frequency", 0),
            |g, model| {
                if gens.contains(&g) {
                    let mut p = model.p.clone();
                    p.sort_by(|a, b| b.total_cmp(a));
                    snaps.push((g, p));
                }
            },
        )
        .map_err(|e| FigureError::Run(e.to_string()))?;
    let mut panel = Panel::new(
        "p₍ᵣ₎ of one chain, sorted (rank r); 1/M is the smallest positive mass",
        "rank r",
        "probability",
    )
    .log_x()
    .log_y();
    for (i, (g, p)) in snaps.into_iter().enumerate() {
        let pts = p
            .iter()
            .enumerate()
            .map(|(r, &x)| ((r + 1) as f64, x))
            .collect();
        panel.push(Series::line(format!("generation {g}"), i, pts));
    }
    panel.push(Series::dashed(
        "1/M",
        7,
        vec![(1.0, 1.0 / m as f64), (k as f64, 1.0 / m as f64)],
    ));
    Ok(Chart::single(
        "Discrete model collapse: the tail of a Zipf(1.1) distribution vanishes first",
        provenance(
            ID,
            &owned(&[
                ("categories", "1000"),
                ("samples", "1000"),
                ("generations", "200"),
            ]),
            env.seed,
        ),
        panel,
    ))
}

const SUPPORT_SETS: [(&str, &str); 6] = [
    ("categories", "100"),
    ("exponent", "1.1"),
    ("samples", "200"),
    ("generations", "300"),
    ("replicates", "1000"),
    ("track_extinction", "0"),
];

fn support(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (_, rows) = run_of(env, experiment(), &SUPPORT_SETS)?;
    Ok(Chart::grid(
        "Discrete chain (K = 100 Zipf(1.1), M = 200): simulation against the exact two-type chains",
        provenance(ID, &owned(&SUPPORT_SETS), env.seed),
        support_panels(&rows, "replace"),
        2,
    ))
}

fn support_panels(rows: &[SummaryRow], series: &str) -> Vec<Panel> {
    let c = |metric: &str, pick: fn(&SummaryRow) -> f64| summary_curve(rows, series, metric, pick);
    let xs: Vec<f64> = c("support", |r| r.mean).iter().map(|p| p.0).collect();
    let mut left = Panel::new(
        "support: mean, 5–95% band; exact E support dashed",
        "generation n",
        "categories alive",
    )
    .log_y();
    let ys = |v: Vec<(f64, f64)>| v.into_iter().map(|p| p.1).collect::<Vec<_>>();
    left.push(Series::band(
        0,
        &xs,
        &ys(c("support", |r| r.q05)),
        &ys(c("support", |r| r.q95)),
    ));
    left.push(Series::line(
        "simulation (mean)",
        0,
        c("support", |r| r.mean),
    ));
    let th = c("theory_support", |r| r.mean);
    if !th.is_empty() {
        left.push(Series::dashed("exact", 1, th));
    }
    let mut right = Panel::new(
        "P(absorbed in a delta by n) and heterozygosity",
        "generation n",
        "probability",
    )
    .legend(Legend::LowerRight);
    right.push(Series::line(
        "absorbed (simulation)",
        0,
        c("absorbed", |r| r.mean),
    ));
    let th = c("theory_absorbed", |r| r.mean);
    if !th.is_empty() {
        right.push(Series::dashed("absorbed (exact)", 1, th));
    }
    right.push(Series::line(
        "heterozygosity (simulation)",
        2,
        c("heterozygosity", |r| r.mean),
    ));
    let th = c("theory_heterozygosity", |r| r.mean);
    if !th.is_empty() {
        right.push(Series::dashed("H₀(1 − 1/M)ⁿ", 3, th));
    }
    vec![left, right]
}

/// K = 5 Zipf(1), M = 50: absorption times of 10,000 chains (run to 3000 generations, where
/// P(not absorbed) < 1e-25) and the exact mean Σ_n P(T > n) from the two-type chains.
fn absorption_time(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (k, m, horizon, chains) = (5usize, 50usize, 3000u64, 10_000u64);
    let w = Initial::Zipf(1.0).weights(k);
    let setup = Setup::replace(w.clone(), FitRule::EMPIRICAL, m, horizon);
    let f = setup.family();
    env.progress.start(chains);
    let ctx = env.context("discrete-absorption-time");
    let records = ctx.replicates("", chains, |r, rng| {
        let mut at = None;
        setup
            .run_one(&f, rng, |g, model| {
                if at.is_none() && model.support() == 1 {
                    at = Some(g);
                }
            })
            .expect("replace chains run");
        let t = at.map_or(f64::INFINITY, |g| g as f64);
        vec![Record::new(ABSORPTION_SERIES, r, 0, "absorption_time", t)]
    });
    let times: Vec<f64> = records
        .iter()
        .map(|r| r.value)
        .filter(|t| t.is_finite())
        .collect();
    let (_, absorbed) = theory::support_and_absorption(&normalised(&w), m, horizon);
    let exact: f64 = absorbed.iter().map(|a| 1.0 - a).sum();
    let width = 10.0;
    let max = times.iter().copied().fold(0.0, f64::max);
    let nb = (max / width).ceil() as usize + 1;
    let mut hist = vec![0.0; nb];
    for t in &times {
        hist[(t / width) as usize] += 1.0 / (times.len() as f64 * width);
    }
    let top = hist.iter().copied().fold(0.0, f64::max);
    let mut panel = Panel::new(
        "density of the absorption time T (first generation with one category)",
        "generation",
        "density",
    );
    panel.push(Series::bars(
        format!("simulation, {} chains", times.len()),
        0,
        width,
        hist.iter()
            .enumerate()
            .map(|(i, &h)| (i as f64 * width, h))
            .collect(),
    ));
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    panel.push(Series::line(
        format!("simulated mean {mean:.2}"),
        0,
        vec![(mean, 0.0), (mean, top)],
    ));
    panel.push(Series::dashed(
        format!("exact E T = {exact:.2}"),
        1,
        vec![(exact, 0.0), (exact, top)],
    ));
    Ok(Chart::single(
        "Absorption time of the discrete chain (K = 5 Zipf(1), M = 50), exact mean from the two-type chains",
        format!(
            "discrete chain K = 5 Zipf(1), M = 50, {chains} chains to generation {horizon}, seed {}; exact: sum over n of 1 - sum_i P(c_i,n = M)",
            env.seed
        ),
        panel,
    ))
}

/// p₀ = 0.01, n = M = 100: simulated survival of the rare category, the exact curve, and
/// Suresh et al.'s bounds.
fn survival(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (p0, m, kmax, chains) = (0.01, 100usize, 100u64, 20_000u64);
    let setup = Setup::replace(vec![p0, 1.0 - p0], FitRule::EMPIRICAL, m, kmax);
    let f = setup.family();
    env.progress.start(chains);
    let ctx = env.context("discrete-survival-suresh");
    let records = ctx.replicates("", chains, |r, rng| {
        let mut v = Vec::with_capacity(kmax as usize + 1);
        setup
            .run_one(&f, rng, |g, model| {
                v.push(Record::new(
                    "survival",
                    r,
                    g,
                    "alive",
                    f64::from(u8::from(model.prob(0) > 0.0)),
                ));
            })
            .expect("replace chains run");
        v
    });
    let rows = summarize(&records, &[]);
    let ks: Vec<u64> = (1..=kmax).collect();
    let sim: Vec<(f64, f64)> = summary_curve(&rows, "survival", "alive", |r| r.mean)
        .into_iter()
        .filter(|p| p.0 >= 1.0 && p.1 > 0.0)
        .collect();
    let chain = TwoType::new(m);
    let mut v = chain.first(p0);
    let mut exact = Vec::new();
    for &k in &ks {
        if k > 1 {
            v = chain.step(&v);
        }
        exact.push((k as f64, 1.0 - v[0]));
    }
    let n = m as f64;
    let mut panel = Panel::new(
        "P(category with p₀ = 0.01 still present after k generations), n = M = 100",
        "generation k",
        "survival probability",
    )
    .log_x()
    .log_y()
    .legend(Legend::LowerLeft);
    panel.push(Series::markers("simulation", 0, sim));
    panel.push(Series::line("exact (two-type chain)", 1, exact));
    panel.push(Series::dashed(
        "lower bound 1 − exp(−n p₀ g_k)",
        2,
        ks.iter()
            .map(|&k| (k as f64, theory::suresh_lower(n, p0, k)))
            .collect(),
    ));
    panel.push(Series::dashed(
        "upper bound",
        3,
        ks.iter()
            .map(|&k| (k as f64, theory::suresh_upper(n, p0, k)))
            .collect(),
    ));
    panel.push(Series::dashed(
        "1 − exp(−2c/k), c = n p₀",
        6,
        ks.iter()
            .map(|&k| (k as f64, -(-2.0 * n * p0 / k as f64).exp_m1()))
            .collect(),
    ));
    Ok(Chart::single(
        "Survival of a rare category between Suresh et al.'s bounds",
        format!(
            "two-category discrete chain p₀ = (0.01, 0.99), M = 100, {chains} chains, seed {}; exact: (M+1)-state Wright–Fisher chain",
            env.seed
        ),
        panel,
    ))
}

const FORGET_SETS: [(&str, &str); 6] = [
    ("categories", "1000"),
    ("exponent", "1.1"),
    ("samples", "1000"),
    ("generations", "400"),
    ("replicates", "100"),
    ("track_extinction", "1000"),
];

fn time_to_forget(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (_, rows) = run_of(env, experiment(), &FORGET_SETS)?;
    let p0 = normalised(&Initial::Zipf(1.1).weights(1000));
    let horizon = 400.0;
    let pts: Vec<(f64, f64)> = rows
        .iter()
        .filter(|r| r.series == EXTINCTION_SERIES && r.metric == "extinction_generation")
        .filter(|r| r.q50 <= horizon)
        .map(|r| (1000.0 * p0[r.step as usize - 1], r.q50))
        .collect();
    let cmax = pts.iter().map(|p| p.0).fold(1.0, f64::max);
    let mut panel = Panel::new(
        "median extinction generation of category i against its original count M p₀(i)",
        "original count c = M p₀(i)",
        "median extinction generation",
    )
    .log_x()
    .log_y()
    .legend(Legend::UpperLeft);
    panel.push(Series::markers("simulation (median over chains)", 0, pts));
    let cs: Vec<f64> = (0..=40)
        .map(|i| 0.1 * (cmax / 0.1).powf(i as f64 / 40.0))
        .collect();
    panel.push(Series::dashed(
        "2c / ln 2 (survival ≈ 1 − exp(−2c/t))",
        1,
        cs.iter()
            .map(|&c| (c, 2.0 * c / std::f64::consts::LN_2))
            .filter(|p| p.1 >= 1.0 && p.1 <= horizon)
            .collect(),
    ));
    Ok(Chart::single(
        "Time to forget a category grows linearly with its original count",
        provenance(ID, &owned(&FORGET_SETS), env.seed),
        panel,
    ))
}

const SOURCES_SETS: [(&str, &str); 4] = [
    ("categories", "100"),
    ("samples", "1000"),
    ("generations", "200"),
    ("replicates", "200"),
];

fn sources_tv(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (_, rows) = run_of(env, sources_experiment(), &SOURCES_SETS)?;
    Ok(Chart::single(
        "Error sources on a categorical distribution: total variation to generation 0",
        provenance(SOURCES_ID, &owned(&SOURCES_SETS), env.seed),
        sources_panel(&rows),
    ))
}

fn sources_panel(rows: &[SummaryRow]) -> Panel {
    let mut panel = Panel::new(
        "TV(pₙ, p₀), mean over chains; closed forms dashed",
        "generation n",
        "total variation",
    )
    .legend(Legend::LowerRight);
    for (i, s) in Sources::all().iter().enumerate() {
        let label = s.label();
        panel.push(Series::line(
            label,
            i,
            summary_curve(rows, label, "tv", |r| r.mean),
        ));
        let th = summary_curve(rows, label, "theory_tv", |r| r.mean);
        if !th.is_empty() {
            panel.push(Series::dashed(format!("{label} (closed form)"), i, th).unlabelled());
        }
    }
    panel
}

fn run_figure(p: &Params, rows: &[SummaryRow], seed: u64) -> Chart {
    let series = Policy::from_params(p)
        .map(|x| x.name())
        .unwrap_or("replace");
    let mut panels = support_panels(rows, series);
    let mut tv = Panel::new(
        "TV to generation 0 and mass of the top category",
        "generation n",
        "",
    );
    let c = |metric: &str| summary_curve(rows, series, metric, |r| r.mean);
    tv.push(Series::line("tv", 0, c("tv")));
    tv.push(Series::line("p_top", 1, c("p_top")));
    let th = c("theory_p_top");
    if !th.is_empty() {
        tv.push(Series::dashed("E p_top (theory)", 1, th));
    }
    let th = c("theory_tv");
    if !th.is_empty() {
        tv.push(Series::dashed("tv (theory)", 0, th));
    }
    panels.push(tv);
    let params: Vec<(&str, String)> = p.iter().map(|(k, v)| (k, v.to_string())).collect();
    Chart::grid(
        format!("discrete-chain ({series})"),
        provenance(ID, &params, seed),
        panels,
        3,
    )
}

fn sources_run_figure(p: &Params, rows: &[SummaryRow], seed: u64) -> Chart {
    let params: Vec<(&str, String)> = p.iter().map(|(k, v)| (k, v.to_string())).collect();
    Chart::single(
        "sources-discrete",
        provenance(SOURCES_ID, &params, seed),
        sources_panel(rows),
    )
}
