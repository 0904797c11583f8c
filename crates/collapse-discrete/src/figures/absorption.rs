//! Absorption and loss of categories, simulated directly (no experiment behind them) against
//! the exact two-type chain: the absorption-time histogram with the exact mean, and the
//! survival of a rare category between Suresh et al.'s bounds.

use crate::model::{FitRule, Initial};
use crate::names::{ABSORPTION_SERIES, ABSORPTION_TIME as ABSORPTION_TIME_METRIC};
use crate::simulation::Setup;
use crate::theory::{self, TwoType};
use collapse_core::chain::ChainError;
use collapse_core::sink::{MemorySink, Quantiles, SummarySink};
use collapse_core::stats::mean_and_se;
use collapse_core::{FigureEnv, FigureError, Name, RunContext};
use collapse_plot::{Chart, Legend, Panel, SE_SPAN, Series, summary_mean};

/// The absorption-time figure's name (also the key of its streams).
pub const ABSORPTION_TIME: &str = "discrete-absorption-time";
/// The survival figure's name (also the key of its streams).
pub const SURVIVAL: &str = "discrete-survival-suresh";

/// The series and metric of the survival figure's per-generation indicator.
const SURVIVAL_SERIES: &str = "survival";
const ALIVE: &str = "alive";

/// K = 5 Zipf(1), M = 50: absorption times of 10,000 chains (run to 3000 generations, where
/// P(not absorbed) < 1e-25) and the exact mean Σ_n P(T > n) from the two-type chains.
pub fn absorption_time(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (k, m, horizon, chains) = (5usize, 50usize, 3000u64, 10_000u64);
    let setup = Setup::replace(
        Initial::Zipf(1.0).weights(k),
        FitRule::EMPIRICAL,
        m,
        horizon,
    );
    let f = setup.family();
    let (series, metric) = (
        Name::new(ABSORPTION_SERIES),
        Name::new(ABSORPTION_TIME_METRIC),
    );
    env.progress.start(chains);
    let mut memory = MemorySink::new();
    RunContext::new(env.seed, ABSORPTION_TIME)
        .with_progress(env.progress)
        .with_sink(&mut memory)
        .replicates("", chains, |_, rng, rows| {
            let mut at = None;
            setup.run_one(&f, rng, |g, model| {
                if at.is_none() && model.support() == 1 {
                    at = Some(g);
                }
            })?;
            rows.push(series, 0, metric, at.map_or(f64::INFINITY, |g| g as f64));
            Ok::<(), ChainError>(())
        })?;
    let times: Vec<f64> = memory
        .into_records()
        .iter()
        .map(|r| r.value)
        .filter(|t| t.is_finite())
        .collect();
    let (_, absorbed) = theory::support_and_absorption(&f.p0, m, horizon);
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
    let (mean, se) = mean_and_se(&times);
    panel.push(Series::line(
        format!("simulated mean {mean:.2} ± {:.2} (2 SE)", SE_SPAN * se),
        0,
        vec![(mean, 0.0), (mean, top)],
    ));
    panel.push(Series::dashed(
        format!("exact E T = {exact:.2}"),
        1,
        vec![(exact, 0.0), (exact, top)],
    ));
    Ok(Chart::single(
        "Absorption time of the discrete chain (K = 5 Zipf(1), M = 50) and its exact mean",
        format!(
            "{} figures --only {ABSORPTION_TIME} --seed {}: {chains} discrete chains, K = {k} Zipf(1), M = {m}, run to generation {horizon}; exact E T = sum over n of P(T > n), P(T > n) = 1 - sum_i P(c_i,n = M) from the two-type chains",
            env.program, env.seed
        ),
        panel,
    ))
}

/// p₀ = 0.01, n = M = 100: simulated survival of the rare category, the exact curve, and
/// Suresh et al.'s bounds.
pub fn survival(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (p0, m, kmax, chains) = (0.01, 100usize, 100u64, 20_000u64);
    let setup = Setup::replace(vec![p0, 1.0 - p0], FitRule::EMPIRICAL, m, kmax);
    let f = setup.family();
    let (series, alive) = (Name::new(SURVIVAL_SERIES), Name::new(ALIVE));
    env.progress.start(chains);
    let mut summary = SummarySink::new(Quantiles::Exact);
    RunContext::new(env.seed, SURVIVAL)
        .with_progress(env.progress)
        .with_sink(&mut summary)
        .replicates("", chains, |_, rng, rows| {
            rows.reserve(kmax as usize + 1);
            setup.run_one(&f, rng, |g, model| {
                rows.push(series, g, alive, f64::from(u8::from(model.prob(0) > 0.0)));
            })?;
            Ok::<(), ChainError>(())
        })?;
    let rows = summary.finish(&[]);
    let ks: Vec<u64> = (1..=kmax).collect();
    // Markers at about ten generations a decade (every generation would pile up at the right
    // of the log axis), each with its binomial standard error.
    let shown = |k: u64| k <= 10 || (k <= 30 && k.is_multiple_of(2)) || k.is_multiple_of(10);
    let (points, se) = summary_mean(&rows, SURVIVAL_SERIES, ALIVE);
    let (sim, sim_se): (Vec<(f64, f64)>, Vec<f64>) = points
        .into_iter()
        .zip(se)
        .filter(|(p, _)| p.0 >= 1.0 && p.1 > 0.0 && shown(p.0 as u64))
        .unzip();
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
    panel.push(Series::markers("simulation ± 2 SE", 0, sim).with_se(sim_se));
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
            "{} figures --only {SURVIVAL} --seed {}: {chains} two-category discrete chains, p₀ = (0.01, 0.99), M = {m}; exact: (M+1)-state Wright–Fisher chain",
            env.program, env.seed
        ),
        panel,
    ))
}
