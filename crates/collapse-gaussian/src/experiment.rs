//! The `gaussian-chain` experiment: its parameters, its typed configuration and its run.

use crate::model::{Estimator, Exact1, ExactD, GaussianD, METRIC_NAMES, Measure, Naive1, NaiveD};
use crate::theory;
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::policy::{Mode, mode_param};
use collapse_core::{
    Cost, Experiment, ExperimentError, Family, Name, ParamError, ParamSpec, Params, Policy,
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

fn params() -> Vec<ParamSpec> {
    let [policy, real_fraction] = collapse_core::policy::policy_params();
    vec![
        ParamSpec::int(
            "dim",
            1,
            1,
            1000,
            "dimension d of the data; the truth is N(0, I_d)",
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
    /// The estimator.
    pub estimator: Estimator,
    /// Exact (statistics) or naive (points).
    pub exact: bool,
    /// The loop configuration.
    pub chain: ChainConfig,
    /// Replicates.
    pub replicates: u64,
}

/// The largest number of values the naive sampler may hold per chain.
const NAIVE_MAX_VALUES: f64 = 2e8;

impl Setup {
    /// Checks the combination of parameters once and builds the configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let estimator: Estimator = p.choice("estimator");
        let sampler: Sampler = p.choice("sampler");
        let mode: Mode = p.choice("mode");
        let s = Self {
            dim: p.usize("dim"),
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
        if estimator == Estimator::Unbiased && s.chain.samples < 2 {
            return Err(ParamError::conflict(
                "samples",
                format!(
                    "{} is too small for estimator=unbiased; valid range: an integer >= 2",
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
        // The naive sampler keeps every point; refuse runs whose pool cannot fit in memory.
        if !s.exact && s.chain.finite {
            let points = s.naive_points();
            if points * s.dim as f64 > NAIVE_MAX_VALUES {
                return Err(ParamError::conflict(
                    "samples",
                    format!(
                        "the naive sampler would hold {points:.3e} points of dimension {} (over {NAIVE_MAX_VALUES:.0e} numbers); use sampler=exact or fewer samples/generations",
                        s.dim
                    ),
                ));
            }
        }
        Ok(s)
    }

    /// Points the naive sampler holds at its peak: the pool under the accumulating policies,
    /// the largest generation otherwise.
    fn naive_points(&self) -> f64 {
        let (m, g) = (self.chain.samples, self.chain.generations);
        let keep_all = matches!(
            self.chain.policy,
            Policy::Accumulate | Policy::AccumulateSubsample
        );
        if keep_all {
            (0..g.max(1))
                .map(|i| self.chain.schedule.size(m, i) as f64)
                .sum()
        } else {
            self.chain.schedule.size(m, g.saturating_sub(1)) as f64
        }
    }
}

impl Setup {
    /// The sample sizes M_0 .. M_{n−1}.
    pub fn sizes(&self, n: u64) -> Vec<f64> {
        (0..n)
            .map(|i| self.chain.schedule.size(self.chain.samples, i) as f64)
            .collect()
    }

    /// Calls `observe(r, g, metrics)` for every generation of chain `r` drawn from `rng`.
    pub fn run_one(
        &self,
        rng: &mut collapse_core::Rng,
        mut observe: impl FnMut(u64, crate::model::Metrics),
    ) -> Result<(), ChainError> {
        let (est, m) = (self.estimator, self.chain.samples);
        fn go<F: Family>(
            f: &F,
            cfg: &ChainConfig,
            rng: &mut collapse_core::Rng,
            obs: &mut dyn FnMut(u64, crate::model::Metrics),
        ) -> Result<(), ChainError>
        where
            F::Model: Measure,
        {
            run_chain(f, cfg, rng, |g, model| obs(g, model.metrics()))
        }
        let cfg = &self.chain;
        let obs = &mut observe;
        match (self.dim, self.exact) {
            (1, true) => go(&Exact1::new(est, m), cfg, rng, obs),
            (1, false) => go(&Naive1 { estimator: est }, cfg, rng, obs),
            (d, true) => go(
                &ExactD {
                    estimator: est,
                    truth: GaussianD::standard(d),
                },
                cfg,
                rng,
                obs,
            ),
            (d, false) => go(
                &NaiveD {
                    estimator: est,
                    truth: GaussianD::standard(d),
                },
                cfg,
                rng,
                obs,
            ),
        }
    }

    /// Closed-form values where they are exact: `replace` (or the infinite-sample mode, where the
    /// chain is deterministic) with a Gaussian truth.
    pub fn theory(&self, series: &str) -> Vec<TheoryRow> {
        let mut rows = Vec::new();
        let n = self.chain.generations;
        let d = self.dim as f64;
        let replace = self.chain.policy == Policy::Replace;
        if !replace {
            return rows;
        }
        let sizes = self.sizes(n);
        for g in 0..=n {
            let s = &sizes[..g as usize];
            if self.chain.finite {
                rows.push(TheoryRow::new(
                    series,
                    g,
                    "theory_var",
                    theory::expected_var(self.estimator, s),
                ));
                rows.push(TheoryRow::new(
                    series,
                    g,
                    "theory_mean_sq_error",
                    theory::expected_mean_sq_error(self.estimator, d, s),
                ));
                if self.dim == 1 {
                    rows.push(TheoryRow::new(
                        series,
                        g,
                        "theory_log_var",
                        theory::expected_log_var(self.estimator, s),
                    ));
                    rows.push(TheoryRow::new(
                        series,
                        g,
                        "theory_w2_sq",
                        theory::expected_w2_sq(self.estimator, s),
                    ));
                } else {
                    rows.push(TheoryRow::new(
                        series,
                        g,
                        "theory_w2_sq_lower_bound",
                        theory::w2_lower_bound(self.estimator, d, s),
                    ));
                }
            } else {
                // Infinite-sample mode: the mean never moves, the variance shrinks by the
                // estimator's expected factor at each generation's size.
                let v: f64 = s
                    .iter()
                    .map(|&m| theory::var_factor(self.estimator, m))
                    .product();
                rows.push(TheoryRow::new(series, g, "theory_var", v));
                rows.push(TheoryRow::new(series, g, "theory_mean_sq_error", 0.0));
                rows.push(TheoryRow::new(
                    series,
                    g,
                    "theory_w2_sq",
                    d * (v.sqrt() - 1.0).powi(2),
                ));
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
        "Generation 0 is N(0, I_dim); generation n >= 1 is fitted (unbiased, MLE or mean-only) on samples of generation n-1, assembled by the data policy. Metrics per generation: mean_sq_error = |mu_n|^2, var = tr(Sigma_n)/dim, log_var = ln var, w2_sq = W2^2(N(mu_n, Sigma_n), N(0, I)). Theory (replace): theory_var, theory_mean_sq_error, and in 1-D theory_log_var and theory_w2_sq (exact); in d dimensions theory_w2_sq_lower_bound."
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
        // Per worker: the chain's model and statistics (a few d×d matrices), and under the
        // naive sampler every point it holds.
        let per_chain = 8.0 * (8.0 * d * d + if s.exact { 0.0 } else { s.naive_points() * d });
        Cost {
            records: s.replicates as f64 * (s.chain.generations as f64 + 1.0) * 4.0,
            memory: per_chain * rayon::current_num_threads() as f64,
        }
    }
    fn run(&self, s: &Setup, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let policy = s.chain.policy.name();
        let series = Name::new(policy);
        let metrics = METRIC_NAMES.map(Name::new);
        let rows_per_chain = (s.chain.generations as usize + 1) * metrics.len();
        ctx.replicates("", s.replicates, |_, rng, rows| {
            rows.reserve(rows_per_chain);
            s.run_one(rng, |g, m| {
                for (&name, v) in metrics.iter().zip(m.values()) {
                    rows.push(series, g, name, v);
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
