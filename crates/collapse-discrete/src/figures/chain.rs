//! The figures of `discrete-chain`: one chain's rank–frequency curves, expected support and
//! absorption against the exact two-type curves, time to forget against the original count,
//! and the run figure of `collapse run discrete-chain`.

use crate::chain_experiment::{DiscreteChain, DiscreteChainConfig, ID};
use crate::model::{FitRule, Initial};
use crate::names::{
    ABSORBED, EXTINCTION_GENERATION, EXTINCTION_SERIES, HETEROZYGOSITY, P_TOP,
    SUPPORT as SUPPORT_METRIC, THEORY_ABSORBED, THEORY_HETEROZYGOSITY, THEORY_P_TOP,
    THEORY_SUPPORT, THEORY_TV, TV,
};
use crate::simulation::Setup;
use collapse_core::rng::stream;
use collapse_core::{
    DynExperiment, FigureEnv, FigureError, FigureRun, Policy, RunView, SummaryRow,
};
use collapse_plot::{Chart, Legend, Panel, Series, summary_curve, summary_mean};

/// The rank–frequency figure's name.
pub const RANK_FREQUENCY: &str = "discrete-rank-frequency";
/// The support figure's name.
pub const SUPPORT: &str = "discrete-support";
/// The time-to-forget figure's name.
pub const TIME_TO_FORGET: &str = "discrete-time-to-forget";

/// Runs `discrete-chain` at its defaults overridden by `sets`, and returns the run with its
/// typed configuration.
fn run_of(
    env: &FigureEnv<'_>,
    sets: &[(&str, &str)],
) -> Result<(FigureRun, DiscreteChainConfig), FigureError> {
    let x = DynExperiment::new(DiscreteChain);
    let config = x
        .configure_with(sets)?
        .config::<DiscreteChainConfig>()
        .cloned()
        .expect("discrete-chain is configured by a DiscreteChainConfig");
    Ok((env.run(&x, sets)?, config))
}

/// One chain, K = 1000 Zipf(1.1), M = 1000: the sorted probabilities at a few generations.
pub fn rank_frequency(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (k, m, n) = (1000usize, 1000usize, 200u64);
    let gens = [0u64, 5, 20, 50, 100, 200];
    let setup = Setup::replace(Initial::Zipf(1.1).weights(k), FitRule::EMPIRICAL, m, n);
    let f = setup.family();
    let mut snaps = Vec::new();
    setup
        .run_one(&f, &mut stream(env.seed, RANK_FREQUENCY, 0), |g, model| {
            if gens.contains(&g) {
                let mut p = model.p.clone();
                p.sort_by(|a, b| b.total_cmp(a));
                snaps.push((g, p));
            }
        })
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
        format!(
            "{} figures --only {RANK_FREQUENCY} --seed {}: one discrete chain, K = {k} Zipf(1.1), M = {m}, {n} generations, its probabilities sorted at generations {}",
            env.program,
            env.seed,
            gens.map(|g| g.to_string()).join(", ")
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

/// K = 100 Zipf(1.1), M = 200: support, absorption and heterozygosity against the exact
/// curves.
pub fn support(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (run, _) = run_of(env, &SUPPORT_SETS)?;
    Ok(Chart::grid(
        "Discrete chain (K = 100 Zipf(1.1), M = 200): simulation against the exact two-type chains",
        run.command.clone(),
        support_panels(&run.summary, Policy::Replace.name()),
        2,
    ))
}

fn support_panels(rows: &[SummaryRow], series: &str) -> Vec<Panel> {
    let c = |metric: &str, pick: fn(&SummaryRow) -> f64| summary_curve(rows, series, metric, pick);
    let mean = |metric: &str| summary_mean(rows, series, metric);
    let xs: Vec<f64> = c(SUPPORT_METRIC, |r| r.mean).iter().map(|p| p.0).collect();
    let mut left = Panel::new(
        "support: mean ± 2 SE, 5–95% band of the chains; exact E support dashed",
        "generation n",
        "categories alive",
    )
    .log_y();
    let ys = |v: Vec<(f64, f64)>| v.into_iter().map(|p| p.1).collect::<Vec<_>>();
    let q05 = ys(c(SUPPORT_METRIC, |r| r.q05));
    // Quantiles are absent from a summary kept with `--quantiles none`.
    if q05.iter().all(|q| q.is_finite()) {
        let mut band = Series::band(0, &xs, &q05, &ys(c(SUPPORT_METRIC, |r| r.q95)));
        band.label = Some("5–95% of chains".into());
        left.push(band);
    }
    let (points, se) = mean(SUPPORT_METRIC);
    left.push(Series::mean_se("simulation (mean)", 0, points, se));
    let th = c(THEORY_SUPPORT, |r| r.mean);
    if !th.is_empty() {
        left.push(Series::dashed("exact", 1, th));
    }
    let mut right = Panel::new(
        "P(absorbed in a delta by n) and heterozygosity: mean ± 2 SE; exact dashed",
        "generation n",
        "probability",
    )
    .legend(Legend::LowerRight);
    let (points, se) = mean(ABSORBED);
    right.push(Series::mean_se("absorbed (simulation)", 0, points, se));
    let th = c(THEORY_ABSORBED, |r| r.mean);
    if !th.is_empty() {
        right.push(Series::dashed("absorbed (exact)", 1, th));
    }
    let (points, se) = mean(HETEROZYGOSITY);
    right.push(Series::mean_se(
        "heterozygosity (simulation)",
        2,
        points,
        se,
    ));
    let th = c(THEORY_HETEROZYGOSITY, |r| r.mean);
    if !th.is_empty() {
        right.push(Series::dashed("H₀ ∏(1 − 1/Mᵢ)", 3, th));
    }
    vec![left, right]
}

const FORGET_SETS: [(&str, &str); 6] = [
    ("categories", "1000"),
    ("exponent", "1.1"),
    ("samples", "1000"),
    ("generations", "400"),
    ("replicates", "100"),
    ("track_extinction", "1000"),
];

/// K = 1000 Zipf(1.1), M = 1000: the median extinction generation of every category against
/// its original count.
pub fn time_to_forget(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (run, config) = run_of(env, &FORGET_SETS)?;
    let p0 = config.setup.family().p0;
    let m = config.setup.chain.samples as f64;
    let horizon = config.setup.chain.generations as f64;
    let pts: Vec<(f64, f64)> = run
        .summary
        .iter()
        .filter(|r| r.series == EXTINCTION_SERIES && r.metric == EXTINCTION_GENERATION)
        .filter(|r| r.q50 <= horizon)
        .map(|r| (m * p0[r.step as usize - 1], r.q50))
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
        run.command.clone(),
        panel,
    ))
}

/// The figure of `collapse run discrete-chain`, drawn from its summary.
pub fn run_figure(config: &DiscreteChainConfig, run: &RunView<'_>) -> Chart {
    let rows = run.summary;
    let series = config.setup.chain.policy.name();
    let mut panels = support_panels(rows, series);
    let mut tv = Panel::new(
        "TV to generation 0 and mass of the top category: mean ± 2 SE; closed forms dashed",
        "generation n",
        "TV, mass",
    );
    for (i, metric) in [TV, P_TOP].into_iter().enumerate() {
        let (points, se) = summary_mean(rows, series, metric);
        tv.push(Series::mean_se(metric, i, points, se));
    }
    let c = |metric: &str| summary_curve(rows, series, metric, |r| r.mean);
    let th = c(THEORY_TV);
    if !th.is_empty() {
        tv.push(Series::dashed("tv (closed form)", 0, th));
    }
    let th = c(THEORY_P_TOP);
    if !th.is_empty() {
        tv.push(Series::dashed("E p_top (closed form)", 1, th));
    }
    panels.push(tv);
    Chart::grid(format!("{ID} ({series})"), run.command, panels, 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_frequency_renders() {
        let dir = tempfile::tempdir().unwrap();
        let env = FigureEnv {
            seed: 1,
            ..FigureEnv::default()
        };
        let chart = rank_frequency(&env).unwrap();
        assert!(
            chart
                .caption
                .starts_with("collapse figures --only discrete-rank-frequency")
        );
        chart.save(dir.path(), "r").unwrap();
    }

    #[test]
    fn run_figure_renders_from_a_small_run() {
        let dir = tempfile::tempdir().unwrap();
        let env = FigureEnv::default();
        let sets = [
            ("categories", "30"),
            ("samples", "50"),
            ("generations", "20"),
            ("replicates", "20"),
        ];
        let (run, config) = run_of(&env, &sets).unwrap();
        let view = RunView {
            params: &run.params,
            summary: &run.summary,
            command: &run.command,
        };
        let chart = run_figure(&config, &view);
        assert!(chart.lint().is_empty(), "{:?}", chart.lint());
        assert_eq!(
            chart.caption,
            "collapse run discrete-chain --set categories=30 --set samples=50 --set generations=20 --set replicates=20 --seed 0"
        );
        chart.save(dir.path(), "r").unwrap();
    }
}
