//! The `gaussian-chain` experiment.

use crate::model::{
    ESTIMATOR_NAMES, Estimator, Exact1, ExactD, GaussianD, METRIC_NAMES, Measure, Naive1, NaiveD,
};
use crate::theory;
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::{
    Experiment, ExperimentError, Family, ParamError, ParamSpec, Params, Policy, Record, RunContext,
    RunOutput, Schedule, TheoryRow, run_chain,
};

/// The experiment's id.
pub const ID: &str = "gaussian-chain";

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
        ParamSpec::choice(
            "estimator",
            "unbiased",
            ESTIMATOR_NAMES,
            "unbiased covariance (n−1), MLE (n), or mean-only (covariance known)",
        ),
        ParamSpec::choice(
            "sampler",
            "exact",
            &["exact", "naive"],
            "exact draws the sufficient statistics from their laws; naive draws every point",
        ),
        policy,
        real_fraction,
        collapse_core::policy::growth_param(),
        ParamSpec::choice(
            "mode",
            "finite",
            &["finite", "infinite"],
            "statistical error on (finite samples) or off (fit the exact population; expectation of the estimator)",
        ),
    ]
}

fn validate(p: &Params) -> Result<(), ParamError> {
    if p.text("estimator") == "unbiased" && p.int("samples") < 2 {
        return Err(ParamError::conflict(
            "samples",
            format!(
                "{} is too small for estimator=unbiased; valid range: an integer >= 2",
                p.int("samples")
            ),
        ));
    }
    if p.text("sampler") == "exact"
        && p.text("policy") == "accumulate-subsample"
        && p.text("mode") == "finite"
    {
        return Err(ParamError::conflict(
            "sampler",
            "`exact` keeps only sufficient statistics and cannot subsample a pool; use sampler=naive with policy=accumulate-subsample",
        ));
    }
    // The naive sampler keeps every point; refuse runs whose pool cannot fit in memory.
    if p.text("sampler") == "naive" && p.text("mode") == "finite" {
        let sched = Schedule::parse(p.text("growth"))?;
        let keep_all = matches!(p.text("policy"), "accumulate" | "accumulate-subsample");
        let (m, g, d) = (
            p.usize("samples"),
            p.int("generations") as u64,
            p.usize("dim"),
        );
        let points: f64 = if keep_all {
            (0..g.max(1)).map(|i| sched.size(m, i) as f64).sum()
        } else {
            sched.size(m, g.saturating_sub(1)) as f64
        };
        if points * d as f64 > 2e8 {
            return Err(ParamError::conflict(
                "samples",
                format!(
                    "the naive sampler would hold {points:.3e} points of dimension {d} (over 2e8 numbers); use sampler=exact or fewer samples/generations"
                ),
            ));
        }
    }
    Ok(())
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

impl Setup {
    /// Reads a setup from validated parameters.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        Ok(Self {
            dim: p.usize("dim"),
            estimator: Estimator::parse(p.text("estimator")).expect("validated by the spec"),
            exact: p.text("sampler") == "exact",
            chain: ChainConfig {
                generations: p.int("generations") as u64,
                samples: p.usize("samples"),
                schedule: Schedule::parse(p.text("growth"))?,
                policy: Policy::from_params(p)?,
                finite: p.text("mode") == "finite",
            },
            replicates: p.int("replicates") as u64,
        })
    }

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
    pub fn theory(&self, series: &'static str) -> Vec<TheoryRow> {
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

fn run(p: &Params, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
    let setup = Setup::from_params(p)?;
    let series = setup.chain.policy.name();
    // `validate` refuses every configuration the loop would refuse; should one slip through,
    // its error is reported instead of partial records.
    let failure = std::sync::Mutex::new(None);
    let records = ctx.replicates("", setup.replicates, |r, rng| {
        let mut out = Vec::with_capacity((setup.chain.generations as usize + 1) * 4);
        let res = setup.run_one(rng, |g, m| {
            for (name, v) in METRIC_NAMES.iter().zip(m.values()) {
                out.push(Record::new(series, r, g, name, v));
            }
        });
        if let Err(e) = res {
            *failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
        }
        out
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e.into());
    }
    Ok(RunOutput {
        records,
        theory: setup.theory(series),
        report: None,
    })
}

/// The experiment.
pub fn experiment() -> Experiment {
    Experiment {
        id: ID,
        title: "Recursive fitting of a Gaussian to samples of the previous generation",
        about: "Generation 0 is N(0, I_dim); generation n >= 1 is fitted (unbiased, MLE or mean-only) on samples of generation n-1, assembled by the data policy. Metrics per generation: mean_sq_error = |mu_n|^2, var = tr(Sigma_n)/dim, log_var = ln var, w2_sq = W2^2(N(mu_n, Sigma_n), N(0, I)). Theory (replace): theory_var, theory_mean_sq_error, and in 1-D theory_log_var and theory_w2_sq (exact); in d dimensions theory_w2_sq_lower_bound.",
        params: params(),
        validate,
        work: |p| p.int("replicates") as u64,
        run,
    }
}
