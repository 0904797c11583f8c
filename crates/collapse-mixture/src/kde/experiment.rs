//! The `mixture-kde` experiment: its parameters, its typed configuration and its run.

use super::theory::expected_var;
use crate::family::{Density, KdeFamily};
use crate::model::{Bandwidth, BandwidthRule, Gaussian, Mixture, cross_entropy};
use crate::names::{BANDWIDTH, MEAN_SQ_ERROR, NLL, THEORY_VAR, VAR};
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::{
    Choice, Cost, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError, ParamSpec,
    Params, Policy, Rows, RunContext, RunOutput, RunView, Schedule, TheoryRow, run_chain,
};

/// The experiment's id.
pub const ID: &str = "mixture-kde";

collapse_core::choice! {
    /// Generation 0.
    pub enum KdeTruth {
        /// `N(0, I)`.
        Gaussian = "gaussian",
        /// Two unit Gaussians `separation` apart along the first axis, equal weights.
        Mixture = "mixture",
    }
}

collapse_core::choice! {
    /// How a generation's training data is assembled (Kazdan et al.'s workflows); also the
    /// name of its series and of its random streams.
    pub enum Workflow {
        /// The last generation's `M` samples.
        Replace = "replace",
        /// Everything drawn so far.
        Accumulate = "accumulate",
        /// `M` points drawn without replacement from everything so far.
        AccumulateSubsample = "accumulate-subsample",
    }
}

impl Workflow {
    /// The data policy of the core loop.
    pub fn policy(self) -> Policy {
        match self {
            Workflow::Replace => Policy::Replace,
            Workflow::Accumulate => Policy::Accumulate,
            Workflow::AccumulateSubsample => Policy::AccumulateSubsample,
        }
    }
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::choice_of(
            "truth",
            KdeTruth::Mixture,
            "generation 0: N(0, I) or two unit Gaussians `separation` apart",
        ),
        ParamSpec::int("dim", 1, 1, 3, "dimension"),
        ParamSpec::float(
            "separation",
            4.0,
            0.0,
            1e6,
            "distance between the two true means (truth mixture)",
        ),
        ParamSpec::int(
            "samples",
            100,
            2,
            1_000_000,
            "M: points drawn from each generation",
        ),
        ParamSpec::int(
            "generations",
            100,
            0,
            100_000,
            "fitted generations after the truth",
        ),
        ParamSpec::int(
            "replicates",
            200,
            1,
            1_000_000,
            "independent chains per workflow",
        ),
        ParamSpec::choice_of(
            "bandwidth",
            BandwidthRule::Fixed,
            "kernel covariance: h^2 I (fixed), or Silverman's / Scott's factor squared times the sample covariance (as scipy)",
        ),
        ParamSpec::float_above("h", 0.2, 0.0, 1e6, "the fixed bandwidth"),
        ParamSpec::text(
            "policies",
            "replace,accumulate,accumulate-subsample",
            "comma-separated workflows, each a series: replace | accumulate | accumulate-subsample",
        ),
    ]
}

/// Parses a comma-separated list of workflows, in the order given, without duplicates.
pub fn parse_workflows(text: &str) -> Result<Vec<Workflow>, ParamError> {
    let valid = || {
        format!(
            "valid: a comma-separated list of {}",
            Workflow::NAMES.join(" | ")
        )
    };
    let mut out = Vec::new();
    for s in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let w = Workflow::from_name(s).ok_or_else(|| {
            ParamError::conflict("policies", format!("`{s}` is not a workflow; {}", valid()))
        })?;
        if !out.contains(&w) {
            out.push(w);
        }
    }
    if out.is_empty() {
        return Err(ParamError::conflict(
            "policies",
            format!("no workflow given; {}", valid()),
        ));
    }
    Ok(out)
}

/// The truth of the experiment.
pub fn truth(kind: KdeTruth, dim: usize, separation: f64) -> Mixture {
    if kind == KdeTruth::Gaussian {
        return Mixture::single(Gaussian::isotropic(vec![0.0; dim], 1.0));
    }
    let mk = |s: f64| {
        let mut m = vec![0.0; dim];
        m[0] = s * separation / 2.0;
        Gaussian::isotropic(m, 1.0)
    };
    Mixture::new(vec![0.5, 0.5], vec![mk(-1.0), mk(1.0)])
}

/// Generations at which the cross-entropy is evaluated (it costs one kernel sum per training
/// point per node): 0, 1, 2, 5, 10, 20, 50, … and the last.
pub fn nll_steps(n: u64) -> Vec<u64> {
    let mut v = vec![0];
    let mut base = 1;
    while base <= n {
        for k in [1, 2, 5] {
            if k * base <= n {
                v.push(k * base);
            }
        }
        base *= 10;
    }
    if !v.contains(&n) {
        v.push(n);
    }
    v
}

/// The largest pool accumulating workflows may build: samples × generations.
const POOL_MAX: f64 = 5e7;

/// The resolved configuration of a run.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Truth and bandwidth rule.
    pub family: KdeFamily,
    /// The workflows, each a series.
    pub workflows: Vec<Workflow>,
    /// `M`.
    pub samples: usize,
    /// Fitted generations.
    pub generations: u64,
    /// Chains per workflow.
    pub replicates: u64,
    /// Generations at which `nll` is measured ([`nll_steps`]).
    pub nll_steps: Vec<u64>,
}

/// The metric names of a run, interned once.
struct Metrics {
    bandwidth: Name,
    mse: Name,
    nll: Name,
    var: Name,
}

impl Setup {
    /// Checks the combination of parameters once and builds the configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let workflows = parse_workflows(p.text("policies"))?;
        let (samples, generations) = (p.usize("samples"), p.int("generations") as u64);
        let (m, g) = (samples as f64, generations as f64);
        let accumulates = workflows.iter().any(|w| *w != Workflow::Replace);
        if accumulates && m * g > POOL_MAX {
            return Err(ParamError::conflict(
                "generations",
                format!(
                    "accumulating workflows would pool {:.2e} points; valid: samples × generations <= 5e7",
                    m * g
                ),
            ));
        }
        let bandwidth = Bandwidth::new(p.choice("bandwidth"), p.float("h"));
        Ok(Self {
            family: KdeFamily {
                truth: truth(p.choice("truth"), p.usize("dim"), p.float("separation")),
                bandwidth,
            },
            workflows,
            samples,
            generations,
            replicates: p.int("replicates") as u64,
            nll_steps: nll_steps(generations),
        })
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.family.truth.dim()
    }

    /// The loop of a workflow.
    pub fn chain(&self, w: Workflow) -> ChainConfig {
        ChainConfig {
            generations: self.generations,
            samples: self.samples,
            schedule: Schedule::Constant,
            policy: w.policy(),
            finite: true,
        }
    }

    /// Runs one chain of workflow `w` drawn from `rng`: calls `observe(g, density)` for every
    /// generation, the truth first.
    pub fn run_one(
        &self,
        w: Workflow,
        rng: &mut collapse_core::Rng,
        observe: impl FnMut(u64, &Density),
    ) -> Result<(), ChainError> {
        run_chain(&self.family, &self.chain(w), rng, observe)
    }

    /// The exact `E[var_n]` of every workflow ([`expected_var`]).
    pub fn theory(&self) -> Vec<TheoryRow> {
        let t = &self.family.truth;
        let v0 = t.var();
        let m0sq: f64 = t.mean().iter().map(|v| v * v).sum();
        let mut rows = Vec::new();
        for w in &self.workflows {
            let var = expected_var(
                w.policy(),
                self.family.bandwidth,
                self.dim(),
                self.samples,
                v0,
                m0sq,
                self.generations,
            );
            for (g, v) in var.into_iter().enumerate() {
                rows.push(TheoryRow::new(w.name(), g as u64, THEORY_VAR, v));
            }
        }
        rows
    }

    /// One chain's rows under `series`, in canonical order.
    fn measure(
        &self,
        w: Workflow,
        rng: &mut collapse_core::Rng,
        series: Name,
        names: &Metrics,
        rows: &mut Rows,
    ) -> Result<(), ChainError> {
        let truth = &self.family.truth;
        let m0 = truth.mean();
        let d = truth.dim();
        let nodes = if d == 1 { 24 } else { 8 };
        self.run_one(w, rng, |g, model| {
            let (m, c) = model.mean_cov();
            rows.push(series, g, names.bandwidth, model.bandwidth());
            let mse = m.iter().zip(&m0).map(|(a, b)| (a - b).powi(2)).sum();
            rows.push(series, g, names.mse, mse);
            if self.nll_steps.contains(&g) {
                let nll = cross_entropy(truth, &|x| model.log_pdf(x), nodes);
                rows.push(series, g, names.nll, nll);
            }
            let var = (0..d).map(|a| c[a * d + a]).sum::<f64>() / d as f64;
            rows.push(series, g, names.var, var);
        })
    }
}

/// `mixture-kde`.
#[derive(Clone, Copy, Debug, Default)]
pub struct MixtureKde;

impl Experiment for MixtureKde {
    type Config = Setup;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "Recursive kernel density estimation: replace, accumulate, accumulate-subsample"
    }
    fn about(&self) -> &'static str {
        "Generation 0 is the truth; generation n >= 1 is a Gaussian KDE (bandwidth fixed, Silverman or Scott) fitted to the training data of the workflow (Kazdan et al. 2024): replace (the last generation's M samples), accumulate (everything drawn so far) or accumulate-subsample (M points drawn without replacement from everything so far). Series: the workflow. Metrics per generation: var (tr Cov / dim of the KDE, exact given its points), mean_sq_error, bandwidth (sqrt(tr H / dim)), nll (cross-entropy E_truth[-ln p_n] by Gauss-Hermite quadrature, at generations 0, 1, 2, 5, 10, 20, 50, ... and the last); theory_var: the exact E[var_n] for every workflow and bandwidth rule."
    }
    fn params(&self) -> Vec<ParamSpec> {
        params()
    }
    fn configure(&self, p: &Params) -> Result<Setup, ParamError> {
        Setup::from_params(p)
    }
    fn work(&self, s: &Setup) -> u64 {
        s.replicates * s.workflows.len() as u64
    }
    fn cost(&self, s: &Setup) -> Cost {
        let (m, g, d) = (s.samples as f64, s.generations as f64, s.dim() as f64);
        let per_chain = 3.0 * (g + 1.0) + s.nll_steps.len() as f64;
        // Per worker: the pool (everything drawn so far when a workflow accumulates), the
        // training set, the KDE's copy of it (its centres) and the fresh sample.
        let pool = if s.workflows.iter().any(|w| *w != Workflow::Replace) {
            m * g.max(1.0)
        } else {
            m
        };
        let per_worker = 8.0 * d * (3.0 * pool + m);
        Cost {
            records: (s.replicates * s.workflows.len() as u64) as f64 * per_chain,
            memory: per_worker * rayon::current_num_threads() as f64,
        }
    }
    fn run(&self, s: &Setup, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let names = Metrics {
            bandwidth: Name::new(BANDWIDTH),
            mse: Name::new(MEAN_SQ_ERROR),
            nll: Name::new(NLL),
            var: Name::new(VAR),
        };
        let rows_per_chain = 3 * (s.generations as usize + 1) + s.nll_steps.len();
        for &w in &s.workflows {
            // Each workflow is a series with its own streams.
            let series = Name::new(w.name());
            ctx.replicates(w.name(), s.replicates, |_, rng, rows| {
                rows.reserve(rows_per_chain);
                s.measure(w, rng, series, &names, rows)
            })?;
        }
        Ok(RunOutput {
            theory: s.theory(),
            report: None,
        })
    }
    fn figure(
        &self,
        _: &Setup,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        Some(Ok(Box::new(crate::figures::kde::run_figure(run))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nll_steps_are_one_two_five_per_decade_and_the_last() {
        assert_eq!(nll_steps(100), vec![0, 1, 2, 5, 10, 20, 50, 100]);
        assert_eq!(nll_steps(7), vec![0, 1, 2, 5, 7]);
    }
}
