//! The `gaussian-chain` experiment: its parameters, its typed configuration and its run.

use crate::model::{Estimator, Gaussian1, GaussianD, Measure, Metrics, TruthScale};
use crate::names::{self, METRICS_1D, METRICS_D};
use crate::population::run_population;
use crate::samplers::{Exact1, ExactD, Naive1, NaiveD, NaivePool1, NaivePoolD};
use crate::theory::ReplaceTheory;
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::policy::{Mode, mode_param};
use collapse_core::{
    Cost, Experiment, ExperimentError, Family, Name, ParamError, ParamSpec, Params, Policy, Row,
    RunContext, RunOutput, RunView, Schedule, TheoryRow, run_chain,
};

/// The experiment's id.
pub const ID: &str = "gaussian-chain";

collapse_core::choice! {
    /// How a generation's training data is drawn.
    pub enum Sampler {
        /// The sufficient statistics from their exact laws (normal mean, chi-square or Wishart
        /// scatter): the cost does not grow with M.
        Exact = "exact",
        /// Every point.
        Naive = "naive",
    }
}

/// The smallest and largest initial variance σ² accepted. Every metric is σ² times (or, in
/// logs, ln σ² plus) a quantity of order one, so any σ² in double range would be exact; this
/// range covers any scale a study uses and keeps the squared errors of a million generations in
/// d = 1000 far from overflow.
const VARIANCE_RANGE: (f64, f64) = (1e-12, 1e12);

fn params() -> Vec<ParamSpec> {
    let [policy, real_fraction] = collapse_core::policy::policy_params();
    vec![
        ParamSpec::int(
            "dim",
            1,
            1,
            1000,
            "dimension d of the data; the truth is N(0, variance I_d)",
        ),
        ParamSpec::float(
            "variance",
            1.0,
            VARIANCE_RANGE.0,
            VARIANCE_RANGE.1,
            "sigma^2: the truth's variance in every direction (generation 0 is N(0, sigma^2 I_d))",
        ),
        ParamSpec::int(
            "samples",
            100,
            1,
            1_000_000_000,
            "M: points drawn per generation (the base of the growth schedule)",
        ),
        ParamSpec::int(
            "generations",
            100,
            0,
            1_000_000,
            "number of fitted generations after the truth",
        ),
        ParamSpec::int("replicates", 1000, 1, 1_000_000_000, "independent chains"),
        ParamSpec::choice_of(
            "estimator",
            Estimator::Unbiased,
            "unbiased covariance (n−1), MLE (n), or mean-only (covariance known)",
        ),
        ParamSpec::choice_of(
            "sampler",
            Sampler::Exact,
            "exact draws the sufficient statistics from their laws; naive draws every point",
        ),
        policy,
        real_fraction,
        collapse_core::policy::growth_param(),
        mode_param(
            "statistical error on (finite samples) or off (fit the exact population; expectation of the estimator)",
        ),
    ]
}

/// The resolved configuration of a run.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Dimension.
    pub dim: usize,
    /// $\ln\sigma_0^2$: the truth is $\mathcal N(0, \sigma_0^2 I_d)$.
    pub log_var0: f64,
    /// The estimator.
    pub estimator: Estimator,
    /// Exact (statistics) or naive (points).
    pub exact: bool,
    /// The loop configuration.
    pub chain: ChainConfig,
    /// Replicates.
    pub replicates: u64,
}

/// The largest number of values the naive sampler may hold per chain (a pool of points, or one
/// generation's points).
const NAIVE_MAX_VALUES: f64 = 2e8;

/// Rows the core's ensemble aims a block of replicates at (two blocks are in memory at once).
const ENSEMBLE_BLOCK_ROWS: f64 = (1u64 << 19) as f64;

impl Setup {
    /// A `replace` chain with the truth N(0, I_d) and one replicate (for checks and tests).
    pub fn replace(
        dim: usize,
        samples: usize,
        generations: u64,
        estimator: Estimator,
        exact: bool,
    ) -> Self {
        Setup {
            dim,
            log_var0: 0.0,
            estimator,
            exact,
            chain: ChainConfig::replace(samples, generations),
            replicates: 1,
        }
    }

    /// Checks the combination of parameters once and builds the configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let estimator: Estimator = p.choice("estimator");
        let sampler: Sampler = p.choice("sampler");
        let mode: Mode = p.choice("mode");
        let s = Self {
            dim: p.usize("dim"),
            log_var0: p.float("variance").ln(),
            estimator,
            exact: sampler == Sampler::Exact,
            chain: ChainConfig {
                generations: p.int("generations") as u64,
                samples: p.usize("samples"),
                schedule: Schedule::parse(p.text("growth"))?,
                policy: Policy::from_params(p)?,
                finite: mode.finite(),
            },
            replicates: p.int("replicates") as u64,
        };
        if estimator.fits_covariance() && s.chain.samples < 2 {
            return Err(ParamError::conflict(
                "samples",
                format!(
                    "{} is too small for estimator={estimator}: one point has no spread, so the fitted variance is exactly 0 from generation 1 on and ln var is -inf; valid range: an integer >= 2 (or estimator=mean-only)",
                    s.chain.samples
                ),
            ));
        }
        if s.exact && s.chain.policy == Policy::AccumulateSubsample && s.chain.finite {
            return Err(ParamError::conflict(
                "sampler",
                "`exact` keeps only sufficient statistics and cannot subsample a pool; use sampler=naive with policy=accumulate-subsample",
            ));
        }
        if s.naive() {
            let (pool, batch) = (s.pool_points(), s.largest_batch());
            let points = pool.max(batch);
            if points * s.dim as f64 > NAIVE_MAX_VALUES {
                let what = if pool >= batch {
                    "keep a pool of"
                } else {
                    "draw a generation of"
                };
                return Err(ParamError::conflict(
                    "samples",
                    format!(
                        "the naive sampler would {what} {points:.3e} points of dimension {} (over {NAIVE_MAX_VALUES:.0e} numbers); use sampler=exact (except with accumulate-subsample) or fewer samples/generations",
                        s.dim
                    ),
                ));
            }
        }
        Ok(s)
    }

    /// Whether the chain draws every point.
    fn naive(&self) -> bool {
        !self.exact && self.chain.finite
    }

    /// Whether the chain keeps its points (accumulate-subsample with the naive sampler).
    fn keeps_points(&self) -> bool {
        self.naive() && self.chain.policy == Policy::AccumulateSubsample
    }

    /// Points the pool of `accumulate-subsample` holds at its peak (0 for other policies).
    fn pool_points(&self) -> f64 {
        if !self.keeps_points() {
            return 0.0;
        }
        let (m, g) = (self.chain.samples, self.chain.generations);
        (0..g.max(1))
            .map(|i| self.chain.schedule.size(m, i) as f64)
            .sum()
    }

    /// The most points one generation draws (the schedule only grows).
    fn largest_batch(&self) -> f64 {
        let g = self.chain.generations.saturating_sub(1);
        self.chain.schedule.size(self.chain.samples, g) as f64
    }

    /// Whether `log_det` is recorded: in d ≥ 2 dimensions, when every fitted covariance is
    /// non-singular (the first training set, the smallest, has more than d points) or is the
    /// true one (mean-only). With M ≤ d the fit has rank at most M − 1 and ln det is −∞.
    pub fn records_log_det(&self) -> bool {
        self.dim > 1 && (self.chain.samples > self.dim || !self.estimator.fits_covariance())
    }

    /// The metric names of a generation, in record order.
    pub fn metric_names(&self) -> &'static [&'static str] {
        if self.records_log_det() {
            &METRICS_D
        } else {
            &METRICS_1D
        }
    }

    /// The sample sizes M_0 .. M_{n−1}.
    pub fn sizes(&self, n: u64) -> Vec<f64> {
        (0..n)
            .map(|i| self.chain.schedule.size(self.chain.samples, i) as f64)
            .collect()
    }

    /// Calls `observe(g, model)` for every generation of one chain drawn from `rng` (the
    /// infinite-sample mode draws nothing).
    pub fn run_models(
        &self,
        rng: &mut collapse_core::Rng,
        mut observe: impl FnMut(u64, &dyn Measure),
    ) -> Result<(), ChainError> {
        let (est, m, v0) = (self.estimator, self.chain.samples, self.log_var0);
        let cfg = &self.chain;
        let obs = &mut observe;
        fn go<F: Family>(
            f: &F,
            cfg: &ChainConfig,
            rng: &mut collapse_core::Rng,
            obs: &mut dyn FnMut(u64, &dyn Measure),
        ) -> Result<(), ChainError>
        where
            F::Model: Measure,
        {
            run_chain(f, cfg, rng, |g, model| obs(g, model))
        }
        if self.dim == 1 {
            let truth = Gaussian1::centred(v0);
            if !cfg.finite {
                run_population(&truth, est, cfg, |g, model| obs(g, model));
                return Ok(());
            }
            match (self.exact, self.keeps_points()) {
                (true, _) => go(&Exact1::new(est, truth, m), cfg, rng, obs),
                (false, false) => go(&Naive1::new(est, truth, m), cfg, rng, obs),
                (false, true) => go(
                    &NaivePool1 {
                        estimator: est,
                        truth,
                    },
                    cfg,
                    rng,
                    obs,
                ),
            }
        } else {
            let truth = GaussianD::centred(self.dim, v0);
            if !cfg.finite {
                run_population(&truth, est, cfg, |g, model| obs(g, model));
                return Ok(());
            }
            match (self.exact, self.keeps_points()) {
                (true, _) => go(&ExactD::new(est, truth, m), cfg, rng, obs),
                (false, false) => go(
                    &NaiveD {
                        estimator: est,
                        truth,
                    },
                    cfg,
                    rng,
                    obs,
                ),
                (false, true) => go(
                    &NaivePoolD {
                        estimator: est,
                        truth,
                    },
                    cfg,
                    rng,
                    obs,
                ),
            }
        }
    }

    /// Calls `observe(g, metrics)` for every generation of one chain drawn from `rng`.
    pub fn run_one(
        &self,
        rng: &mut collapse_core::Rng,
        mut observe: impl FnMut(u64, Metrics),
    ) -> Result<(), ChainError> {
        let truth = TruthScale::new(self.log_var0);
        self.run_models(rng, |g, model| observe(g, model.metrics(&truth)))
    }

    /// The metrics of the last generation of one chain drawn from `rng` (measured only there).
    pub fn final_metrics(&self, rng: &mut collapse_core::Rng) -> Result<Metrics, ChainError> {
        let (n, truth) = (self.chain.generations, TruthScale::new(self.log_var0));
        let mut last = None;
        self.run_models(rng, |g, model| {
            if g == n {
                last = Some(model.metrics(&truth));
            }
        })?;
        Ok(last.expect("the loop observes the last generation"))
    }

    /// Closed-form values where they are exact: `replace` (or the infinite-sample mode, where the
    /// chain is deterministic), computed in one pass over the generations.
    pub fn theory(&self, series: &str) -> Vec<TheoryRow> {
        let mut rows = Vec::new();
        if self.chain.policy != Policy::Replace {
            return rows;
        }
        let series = Name::new(series);
        let name = |metric: &str| Name::new(metric);
        let (var, msq, log_var, log_det, w2, w2_lb) = (
            name(names::THEORY_VAR),
            name(names::THEORY_MEAN_SQ_ERROR),
            name(names::THEORY_LOG_VAR),
            name(names::THEORY_LOG_DET),
            name(names::THEORY_W2_SQ),
            name(names::THEORY_W2_SQ_LOWER_BOUND),
        );
        let mut push = |step: u64, metric: Name, value: f64| {
            rows.push(TheoryRow {
                series,
                step,
                metric,
                value,
            })
        };
        let (d, v0) = (self.dim as f64, self.log_var0);
        let var0 = v0.exp();
        let with_log_det = self.records_log_det();
        let mut walk = ReplaceTheory::new(self.estimator, self.dim);
        // Infinite-sample mode: ln of the product of the estimator's expected factors.
        let mut log_shrink = 0.0;
        for g in 0..=self.chain.generations {
            if g > 0 {
                let m = self.chain.schedule.size(self.chain.samples, g - 1) as f64;
                if self.chain.finite {
                    walk.step(m);
                } else if self.estimator.fits_covariance() {
                    log_shrink += self.estimator.expected_shrink(m).ln();
                }
            }
            if self.chain.finite {
                if with_log_det {
                    push(g, log_det, walk.log_det() + d * v0);
                }
                if self.dim == 1 {
                    push(g, log_var, walk.log_var() + v0);
                }
                push(g, msq, var0 * walk.mean_sq_error());
                push(g, var, var0 * walk.var());
                if self.dim == 1 {
                    push(g, w2, var0 * walk.w2_sq());
                } else {
                    push(g, w2_lb, var0 * walk.mean_sq_error());
                }
            } else {
                // The mean never moves; the variance shrinks by the estimator's expected factor
                // at each generation's size.
                let lv = v0 + log_shrink;
                if with_log_det {
                    push(g, log_det, d * lv);
                }
                push(g, log_var, lv);
                push(g, msq, 0.0);
                push(g, var, lv.exp());
                let gap = (0.5 * lv).exp() - (0.5 * v0).exp();
                push(g, w2, d * gap * gap);
            }
        }
        rows
    }
}

/// `gaussian-chain`.
#[derive(Clone, Copy, Debug, Default)]
pub struct GaussianChain;

impl Experiment for GaussianChain {
    type Config = Setup;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "Recursive fitting of a Gaussian to samples of the previous generation"
    }
    fn about(&self) -> &'static str {
        "Generation 0 is N(0, variance I_dim); generation n >= 1 is fitted (unbiased, MLE or mean-only) on samples of generation n-1, assembled by the data policy. Metrics per generation: mean_sq_error = |mu_n|^2, var = tr(Sigma_n)/dim, log_var = ln var, w2_sq = W2^2(N(mu_n, Sigma_n), N(0, variance I)), and for dim >= 2 with samples > dim (or mean-only) log_det = ln det Sigma_n. log_var and log_det are carried in log space and stay exact and finite however far the variance collapses (var itself underflows to 0 below about 1e-308). Theory (replace): theory_var, theory_mean_sq_error, theory_log_det, and in 1-D theory_log_var and theory_w2_sq (exact); in d dimensions theory_w2_sq_lower_bound. Infinite-sample mode (replace): the deterministic values."
    }
    fn params(&self) -> Vec<ParamSpec> {
        params()
    }
    fn configure(&self, p: &Params) -> Result<Setup, ParamError> {
        Setup::from_params(p)
    }
    fn work(&self, s: &Setup) -> u64 {
        s.replicates
    }
    fn cost(&self, s: &Setup) -> Cost {
        let d = s.dim as f64;
        let threads = rayon::current_num_threads() as f64;
        let rows_per_chain = (s.chain.generations as f64 + 1.0) * s.metric_names().len() as f64;
        // Per worker: a few d×d matrices (model, statistics, factors, products); under the
        // naive sampler one generation's points (drawn and centred) and, with
        // accumulate-subsample, the pool and the subsample with its index map.
        let mut values = 16.0 * d * d;
        if s.naive() {
            values += 2.0 * s.largest_batch() * d;
        }
        if s.keeps_points() {
            values += s.pool_points() * d + s.largest_batch() * (d + 3.0);
        }
        // The rows of the two blocks of replicates the ensemble holds: at least one chain per
        // thread, otherwise about ENSEMBLE_BLOCK_ROWS rows.
        let chains_in_flight = threads.min(s.replicates as f64);
        let rows = 2.0 * (chains_in_flight * rows_per_chain).max(ENSEMBLE_BLOCK_ROWS);
        Cost {
            records: s.replicates as f64 * rows_per_chain,
            memory: 8.0 * values * threads + rows * std::mem::size_of::<Row>() as f64,
        }
    }
    fn run(&self, s: &Setup, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let policy = s.chain.policy.name();
        let series = Name::new(policy);
        let log_det = s.records_log_det();
        let metrics: Vec<Name> = s.metric_names().iter().map(|m| Name::new(m)).collect();
        let rows_per_chain = (s.chain.generations as usize + 1) * metrics.len();
        ctx.replicates("", s.replicates, |_, rng, rows| {
            rows.reserve(rows_per_chain);
            s.run_one(rng, |g, m| {
                if log_det {
                    for (&name, v) in metrics.iter().zip(m.values_d()) {
                        rows.push(series, g, name, v);
                    }
                } else {
                    for (&name, v) in metrics.iter().zip(m.values_1d()) {
                        rows.push(series, g, name, v);
                    }
                }
            })
        })?;
        Ok(RunOutput {
            theory: s.theory(policy),
            report: None,
        })
    }
    fn figure(
        &self,
        _: &Setup,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn collapse_core::Drawing>, collapse_core::FigureError>> {
        Some(Ok(Box::new(crate::figures::run_figure(run))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::Choice;
    use collapse_core::rng::stream;

    fn configure(sets: &[(&str, &str)]) -> Result<Setup, ParamError> {
        let specs = params();
        let mut p = Params::defaults(&specs);
        for (k, v) in sets {
            p.set_text(&specs, k, v)?;
        }
        Setup::from_params(&p)
    }

    /// Every combination the command accepts gives finite numbers at every generation, here
    /// over 3,000 generations with M = 2 (the variance falls near e^{-3800}, far below the
    /// smallest double) and over every policy, sampler, estimator, schedule and mode.
    #[test]
    fn every_accepted_combination_gives_finite_numbers() {
        let mut combos = 0;
        for dim in ["1", "3"] {
            for samples in ["1", "2", "3", "5"] {
                for est in Estimator::NAMES {
                    for sampler in ["exact", "naive"] {
                        for policy in ["replace", "accumulate", "accumulate-subsample", "mix"] {
                            for growth in ["constant", "linear"] {
                                for (mode, real) in [
                                    ("finite", "0.1"),
                                    ("finite", "0.5"),
                                    ("finite", "1"),
                                    ("infinite", "0.1"),
                                ] {
                                    if real != "0.1" && policy != "mix" {
                                        continue;
                                    }
                                    let sets = [
                                        ("dim", dim),
                                        ("samples", samples),
                                        ("estimator", est),
                                        ("sampler", sampler),
                                        ("policy", policy),
                                        ("real_fraction", real),
                                        ("growth", growth),
                                        ("mode", mode),
                                        ("generations", "12"),
                                        ("variance", "3e-7"),
                                    ];
                                    let Ok(s) = configure(&sets) else { continue };
                                    combos += 1;
                                    let names = s.metric_names().len();
                                    s.run_one(&mut stream(1, "finite", combos), |g, m| {
                                        let v = &m.values_d()[5 - names..];
                                        assert!(
                                            v.iter().all(|x| x.is_finite()),
                                            "{sets:?} generation {g}: {m:?}"
                                        );
                                    })
                                    .unwrap();
                                    for row in s.theory("x") {
                                        assert!(row.value.is_finite(), "{sets:?}: {row:?}");
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(combos > 300, "{combos}");
        for (dim, sampler) in [
            ("1", "naive"),
            ("1", "exact"),
            ("3", "naive"),
            ("3", "exact"),
        ] {
            let s = configure(&[
                ("dim", dim),
                ("samples", if dim == "1" { "2" } else { "4" }),
                ("sampler", sampler),
                ("generations", "3000"),
            ])
            .unwrap();
            let mut last = None;
            s.run_one(&mut stream(2, "far", 0), |_, m| last = Some(m))
                .unwrap();
            let m = last.unwrap();
            let names = s.metric_names().len();
            assert!(
                m.values_d()[5 - names..].iter().all(|x| x.is_finite()),
                "{m:?}"
            );
            assert!(m.log_var < -1000.0, "{dim} {sampler}: {m:?}");
        }
    }

    /// The chain is equivariant under scaling: from the same stream, a truth N(0, σ₀² I) gives
    /// every generation's variance, squared error and W₂² times σ₀², and its logs shifted, path
    /// by path; the theory rows likewise.
    #[test]
    fn the_initial_variance_scales_every_metric_exactly() {
        for (dim, sampler, policy) in [
            ("1", "exact", "replace"),
            ("1", "naive", "accumulate-subsample"),
            ("4", "naive", "replace"),
            ("4", "exact", "mix"),
        ] {
            let sets = |v: &'static str| {
                vec![
                    ("dim", dim),
                    ("samples", "7"),
                    ("generations", "30"),
                    ("sampler", sampler),
                    ("policy", policy),
                    ("variance", v),
                ]
            };
            let (one, four) = (
                configure(&sets("1")).unwrap(),
                configure(&sets("4")).unwrap(),
            );
            let path = |s: &Setup| {
                let mut out = Vec::new();
                s.run_one(&mut stream(9, "scale", 0), |_, m| out.push(m))
                    .unwrap();
                out
            };
            let d: f64 = dim.parse().unwrap();
            let l4 = 4f64.ln();
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
            for (a, b) in path(&one).iter().zip(path(&four)) {
                assert!(close(b.var, 4.0 * a.var), "{dim} {sampler}: {a:?} {b:?}");
                assert!(close(b.mean_sq_error, 4.0 * a.mean_sq_error));
                assert!(close(b.w2_sq, 4.0 * a.w2_sq));
                assert!(close(b.log_var, a.log_var + l4));
                assert!(close(b.log_det, a.log_det + d * l4));
            }
            for (a, b) in one.theory("x").iter().zip(four.theory("x")) {
                assert_eq!(a.metric, b.metric);
                let expected = match a.metric.as_str() {
                    names::THEORY_LOG_VAR => a.value + l4,
                    names::THEORY_LOG_DET => a.value + d * l4,
                    _ => 4.0 * a.value,
                };
                assert!(close(b.value, expected), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn one_point_per_generation_is_refused_when_the_variance_is_fitted() {
        for est in ["unbiased", "mle"] {
            let e = configure(&[("samples", "1"), ("estimator", est)]).unwrap_err();
            let text = e.to_string();
            assert!(text.contains("samples") && text.contains(">= 2"), "{text}");
        }
        assert!(configure(&[("samples", "1"), ("estimator", "mean-only")]).is_ok());
    }

    /// Under the naive sampler with replace, mix and accumulate, a generation costs O(M d² + d³)
    /// whatever the pool holds; with accumulate-subsample the subsample is drawn in O(M). The
    /// theory rows are one pass, and the infinite-sample mode keeps one running mixture. A path
    /// quadratic in the generations anywhere here (as the theory rows were: 4 s at 10⁴
    /// generations, over 60 s at 4·10⁴) would not finish: these are 10⁵ to 10⁶ generations.
    #[test]
    fn cost_is_linear_in_the_generations() {
        let count = |sets: &[(&str, &str)]| {
            let s = configure(sets).unwrap();
            let mut n = 0u64;
            s.run_models(&mut stream(3, "linear", 0), |_, _| n += 1)
                .unwrap();
            n
        };
        assert_eq!(count(&[("generations", "1000000")]), 1_000_001);
        for policy in ["accumulate", "accumulate-subsample"] {
            let sets = [
                ("generations", "1000000"),
                ("policy", policy),
                ("mode", "infinite"),
                ("estimator", "mle"),
            ];
            assert_eq!(count(&sets), 1_000_001, "{policy}");
            let sets = [
                ("generations", "100000"),
                ("samples", "2"),
                ("policy", policy),
                ("sampler", "naive"),
            ];
            assert_eq!(count(&sets), 100_001, "{policy}");
        }
        let sets = [
            ("generations", "100000"),
            ("samples", "4"),
            ("dim", "2"),
            ("policy", "accumulate"),
            ("sampler", "naive"),
        ];
        assert_eq!(count(&sets), 100_001);
        let s = configure(&[("generations", "200000"), ("replicates", "1")]).unwrap();
        assert_eq!(s.theory("replace").len(), 200_001 * 4);
    }

    #[test]
    fn cost_counts_every_record_and_the_pool() {
        let x = GaussianChain;
        let s = configure(&[
            ("replicates", "1000000000"),
            ("generations", "2"),
            ("samples", "10"),
        ])
        .unwrap();
        let c = x.cost(&s);
        assert_eq!(c.records, 1e9 * 3.0 * 4.0);
        // Exact quantiles hold 8 bytes a record: 96 GB, which a refusal must report.
        assert!(c.records * 8.0 > 9e10);
        let s = configure(&[("dim", "10"), ("samples", "100"), ("replicates", "7")]).unwrap();
        assert_eq!(x.cost(&s).records, 7.0 * 101.0 * 5.0);
        // accumulate-subsample keeps its pool: 100 generations × 1,000 points × d = 50.
        let s = configure(&[
            ("dim", "50"),
            ("samples", "1000"),
            ("sampler", "naive"),
            ("policy", "accumulate-subsample"),
        ])
        .unwrap();
        let threads = rayon::current_num_threads() as f64;
        assert!(x.cost(&s).memory >= 8.0 * 1e5 * 50.0 * threads);
        // A pool that cannot be held is refused with what it would need.
        let e = configure(&[
            ("dim", "100"),
            ("samples", "100000"),
            ("sampler", "naive"),
            ("policy", "accumulate-subsample"),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("1.000e7 points of dimension 100"), "{e}");
    }
}
