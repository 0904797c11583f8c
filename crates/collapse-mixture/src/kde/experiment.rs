//! The `mixture-kde` experiment: its parameters, its typed configuration and its run.

use super::estimator::{Bandwidth, BandwidthRule, Kernel};
use super::theory::expected_var;
use super::truth::TruthSpec;
use crate::family::{Density, KdeFamily};
use crate::model::Points;
use crate::names::{BANDWIDTH, MEAN_SQ_ERROR, NLL, OUTSIDE_SUPPORT, THEORY_VAR, VAR};
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::params::parse_list;
use collapse_core::{
    Choice, Cost, Dataset, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError,
    ParamSpec, Params, Policy, Rng, Rows, RunContext, RunOutput, RunView, Schedule, TheoryRow,
    run_chain,
};

/// The experiment's id.
pub const ID: &str = "mixture-kde";

collapse_core::choice! {
    /// Generation 0 (see [`super::truth`] for each data set's law).
    pub enum KdeTruth {
        /// `N(0, I)`.
        Gaussian = "gaussian",
        /// Two unit Gaussians `separation` apart along the first axis, equal weights.
        Mixture = "mixture",
        /// scikit-learn's two moons (2-D).
        Moons = "moons",
        /// scikit-learn's concentric circles (2-D).
        Circles = "circles",
        /// scikit-learn's Swiss roll (3-D).
        SwissRoll = "swiss-roll",
        /// scikit-learn's Gaussian blobs, centres drawn once per replicate.
        Blobs = "blobs",
    }
}

collapse_core::choice! {
    /// At which generations the held-out negative log-likelihood is measured.
    pub enum NllAt {
        /// 0, 1, 2, 5, 10, 20, 50, … and the last ([`nll_steps`]).
        Grid = "grid",
        /// Every generation.
        Every = "every",
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
            "generation 0: N(0, I); two unit Gaussians `separation` apart; or scikit-learn's data sets moons, circles (2-D), swiss-roll (3-D), blobs (centres drawn per replicate, shared by the chain and its test set)",
        ),
        ParamSpec::int(
            "dim",
            0,
            0,
            3,
            "dimension; 0 means the data set's own (1 for gaussian and mixture, 2 for moons, circles and blobs, 3 for swiss-roll); moons and circles are 2-D and swiss-roll 3-D only",
        ),
        ParamSpec::float(
            "separation",
            4.0,
            0.0,
            1e6,
            "distance between the two true means (truth mixture)",
        ),
        ParamSpec::float(
            "noise",
            0.05,
            0.0,
            1e3,
            "standard deviation of the Gaussian noise added to moons, circles and swiss-roll (scikit-learn's `noise`)",
        ),
        ParamSpec::float(
            "factor",
            0.8,
            0.0,
            1.0,
            "radius of the inner circle (truth circles), in [0, 1) (scikit-learn's `factor`)",
        ),
        ParamSpec::int("centers", 3, 1, 100, "number of blobs (truth blobs)"),
        ParamSpec::float_above(
            "cluster_std",
            1.0,
            0.0,
            1e3,
            "standard deviation of each blob (truth blobs)",
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
            "kernel",
            Kernel::Gaussian,
            "gaussian: N(0, H); tophat: uniform on the ellipsoid y'H^-1 y <= 1 (the ball of radius h for a fixed bandwidth), as scikit-learn's KernelDensity",
        ),
        ParamSpec::choice_of(
            "bandwidth",
            BandwidthRule::Fixed,
            "the kernel shape H: fixed, h^2 I; scipy-scott, scipy-silverman, f^2 times the sample covariance (scipy.stats.gaussian_kde); sklearn-scott, sklearn-silverman, f^2 I whatever the data's spread (KernelDensity(bandwidth='scott'|'silverman')); f = N^(-1/(d+4)) (Scott) or (N(d+2)/4)^(-1/(d+4)) (Silverman)",
        ),
        ParamSpec::float(
            "h",
            0.2,
            H_MIN,
            1e6,
            "the fixed bandwidth (at least 1e-6: a narrower kernel puts the log-likelihood of a point between kernels beyond what a standard error can square)",
        ),
        ParamSpec::text(
            "policies",
            "replace,accumulate,accumulate-subsample",
            "comma-separated workflows, each a series: replace | accumulate | accumulate-subsample",
        ),
        ParamSpec::choice_of(
            "nll_at",
            NllAt::Grid,
            "generations at which nll is measured: grid (0, 1, 2, 5, 10, 20, 50, ... and the last) or every",
        ),
        ParamSpec::int(
            "test_points",
            1000,
            1,
            1_000_000,
            "points of the held-out test set drawn from the truth for each chain, on which nll is measured",
        ),
    ]
}

/// The smallest fixed bandwidth. A point a distance of order 1 from every kernel has
/// `−ln p ≈ 1/(2h²)`: 5e11 nats at `h = 1e-6`, whose square the summary's standard error can
/// take; at `h = 5e-324` it is not even a number.
pub const H_MIN: f64 = 1e-6;

/// Parses a comma-separated list of workflows strictly ([`parse_list`]: no empty item), in the
/// order given; a workflow named twice is refused.
pub fn parse_workflows(text: &str) -> Result<Vec<Workflow>, ParamError> {
    let expected = format!("workflows ({})", Workflow::NAMES.join(" | "));
    let words: Vec<String> = parse_list("policies", text, &expected)?;
    let mut out = Vec::new();
    for s in &words {
        let w = Workflow::from_name(s).ok_or_else(|| {
            ParamError::conflict(
                "policies",
                format!(
                    "`{s}` is not a workflow; valid: a comma-separated list of {}",
                    Workflow::NAMES.join(" | ")
                ),
            )
        })?;
        if out.contains(&w) {
            return Err(ParamError::conflict(
                "policies",
                format!("`{s}` is named twice in `{text}`; each workflow is one series"),
            ));
        }
        out.push(w);
    }
    Ok(out)
}

/// The grid of generations at which the held-out negative log-likelihood is measured by
/// default (it costs one kernel sum per training point per test point): 0, 1, 2, 5, 10, 20,
/// 50, … and the last.
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
    /// Generation 0, before any draw.
    pub truth: TruthSpec,
    /// The kernel.
    pub kernel: Kernel,
    /// The bandwidth rule.
    pub bandwidth: Bandwidth,
    /// The workflows, each a series.
    pub workflows: Vec<Workflow>,
    /// `M`.
    pub samples: usize,
    /// Fitted generations.
    pub generations: u64,
    /// Chains per workflow.
    pub replicates: u64,
    /// Generations at which `nll` is measured, increasing.
    pub nll_steps: Vec<u64>,
    /// Points of each chain's held-out test set.
    pub test_points: usize,
}

/// One replicate's truth and held-out test set, drawn from its auxiliary stream.
#[derive(Clone, Debug)]
pub struct Replicate {
    /// The chain's family (its truth and estimator).
    pub family: KdeFamily,
    /// The test set: `test_points` points of the truth, independent of the chain.
    pub test: Points,
}

/// The metric names of a run, interned once.
struct Metrics {
    bandwidth: Name,
    mse: Name,
    nll: Name,
    outside: Name,
    var: Name,
}

/// The bit that turns a replicate's stream number into its auxiliary stream's: the truth's
/// random parts (the blobs' centres) and the test set are drawn there, so the chain itself
/// draws exactly what it drew before test sets existed, and whether or how often the NLL is
/// measured never changes the chain.
const AUX_STREAM: u64 = 1 << 63;

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
        let kind: KdeTruth = p.choice("truth");
        let dim = match (p.usize("dim"), TruthSpec::fixed_dim(kind)) {
            (0, _) => TruthSpec::default_dim(kind),
            (d, Some(own)) if d != own => {
                return Err(ParamError::conflict(
                    "dim",
                    format!("truth={kind} is {own}-dimensional; valid: dim=0 or dim={own}"),
                ));
            }
            (d, _) => d,
        };
        let factor = p.float("factor");
        if factor >= 1.0 {
            return Err(ParamError::conflict(
                "factor",
                format!("{factor} is not a radius inside the unit circle; valid range: [0, 1)"),
            ));
        }
        let nll_steps = match p.choice::<NllAt>("nll_at") {
            NllAt::Grid => nll_steps(generations),
            NllAt::Every => (0..=generations).collect(),
        };
        Ok(Self {
            truth: TruthSpec {
                kind,
                dim,
                separation: p.float("separation"),
                noise: p.float("noise"),
                factor,
                centers: p.usize("centers"),
                cluster_std: p.float("cluster_std"),
            },
            kernel: p.choice("kernel"),
            bandwidth: Bandwidth::new(p.choice("bandwidth"), p.float("h")),
            workflows,
            samples,
            generations,
            replicates: p.int("replicates") as u64,
            nll_steps,
            test_points: p.usize("test_points"),
        })
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.truth.dim
    }

    /// The stream of replicate `replicate` of workflow `w` of a `mixture-kde` run under `seed`:
    /// the one `collapse run mixture-kde --seed SEED` draws that chain from.
    pub fn stream(seed: u64, w: Workflow, replicate: u64) -> Rng {
        RunContext::new(seed, ID).stream(w.name(), replicate)
    }

    /// The truth and the test set of the replicate whose stream is `rng`, drawn from its
    /// auxiliary stream (`rng` itself is not advanced).
    pub fn replicate(&self, rng: &Rng) -> Replicate {
        let mut aux = rng.clone();
        aux.set_stream(rng.get_stream() ^ AUX_STREAM);
        aux.set_word_pos(0);
        let truth = self.truth.build(&mut aux);
        let test = truth.sample(self.test_points, &mut aux);
        Replicate {
            family: KdeFamily {
                truth,
                kernel: self.kernel,
                bandwidth: self.bandwidth,
            },
            test,
        }
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
        rng: &mut Rng,
        observe: impl FnMut(u64, &Density),
    ) -> Result<(), ChainError> {
        let rep = self.replicate(rng);
        run_chain(&rep.family, &self.chain(w), rng, observe)
    }

    /// The exact `E[var_n]` of every workflow ([`expected_var`]), averaged over the truth where
    /// it is random (the blobs' centres).
    pub fn theory(&self) -> Vec<TheoryRow> {
        let (v0, m0sq) = self.truth.expected_moments();
        let mut rows = Vec::new();
        for w in &self.workflows {
            let var = expected_var(
                w.policy(),
                self.kernel,
                self.bandwidth,
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

    /// Whether `nll` is written at generation `g` (the truth's own only where it has a
    /// density that can be evaluated: the Gaussian mixtures).
    fn measures_nll(&self, g: u64) -> bool {
        let truth_density = matches!(
            self.truth.kind,
            KdeTruth::Gaussian | KdeTruth::Mixture | KdeTruth::Blobs
        );
        (g > 0 || truth_density) && self.nll_steps.binary_search(&g).is_ok()
    }

    /// Rows of one chain.
    pub fn rows_per_chain(&self) -> usize {
        let nll = (0..=self.generations)
            .filter(|&g| self.measures_nll(g))
            .count();
        let per_nll = if self.kernel == Kernel::Tophat { 2 } else { 1 };
        3 * (self.generations as usize + 1) + per_nll * nll
    }

    /// One chain's rows under `series`, in canonical order.
    fn measure(
        &self,
        w: Workflow,
        rng: &mut Rng,
        series: Name,
        names: &Metrics,
        rows: &mut Rows,
    ) -> Result<(), ChainError> {
        let rep = self.replicate(rng);
        let (m0, _) = rep.family.truth.mean_cov();
        let d = self.dim();
        let tophat = self.kernel == Kernel::Tophat;
        let t = rep.test.len() as f64;
        run_chain(&rep.family, &self.chain(w), rng, |g, model| {
            let (m, c) = model.mean_cov();
            rows.push(series, g, names.bandwidth, model.bandwidth());
            let mse = m.iter().zip(&m0).map(|(a, b)| (a - b).powi(2)).sum();
            rows.push(series, g, names.mse, mse);
            if self.measures_nll(g) {
                let (sum, outside) = held_out_log_likelihood(model, &rep.test);
                // A test point outside every tophat ball has density 0: the NLL is infinite,
                // so only the fraction of such points is written.
                if outside == 0 {
                    rows.push(series, g, names.nll, -sum / t);
                }
                if tophat {
                    rows.push(series, g, names.outside, outside as f64 / t);
                }
            }
            let var = (0..d).map(|a| c[a * d + a]).sum::<f64>() / d as f64;
            rows.push(series, g, names.var, var);
        })
    }
}

/// `Σ ln p(x)` over the test set, over the points where `p(x) > 0`, and how many points have
/// `p(x) = 0`. For the truth, only a Gaussian mixture is evaluated (see [`Setup`]).
fn held_out_log_likelihood(model: &Density, test: &Points) -> (f64, usize) {
    match model {
        Density::Kde(k) => {
            let (lp, outside) = k.log_pdf_many(&test.xs);
            (lp.iter().filter(|v| v.is_finite()).sum(), outside)
        }
        Density::Truth(t) => {
            let d = test.dim;
            let lp = test
                .xs
                .chunks_exact(d)
                .map(|x| t.log_pdf(x).unwrap_or(f64::NAN));
            (lp.sum(), 0)
        }
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
        "Generation 0 is the truth (a Gaussian, a two-Gaussian mixture, or scikit-learn's moons, circles, swiss-roll or blobs, drawn as distributions from the replicate's stream); generation n >= 1 is a KDE (kernel gaussian or tophat; bandwidth fixed, scipy-scott/scipy-silverman scaled by the sample covariance, or sklearn-scott/sklearn-silverman independent of the data's spread) fitted to the training data of the workflow (Kazdan et al. 2024): replace (the last generation's M samples), accumulate (everything drawn so far) or accumulate-subsample (M points drawn without replacement from everything so far). Series: the workflow. Metrics per generation: var (tr Cov / dim of the KDE, exact given its points), mean_sq_error (|mean_n - mean_0|^2), bandwidth (sqrt(tr H / dim)); at the nll_at generations nll, the mean of -ln p_n over a held-out test set of test_points points of the truth (fixed per chain, independent of it; at generation 0 only for the Gaussian-mixture truths), and for the tophat kernel outside_support, the fraction of test points outside every ball (nll is then infinite and not written). theory_var: the exact E[var_n] for every workflow, kernel and bandwidth rule (averaged over the blobs' random centres)."
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
        // Per worker: the pool (everything drawn so far when a workflow accumulates), the
        // training set taken from it, the KDE's copy (its centres) and their whitened copy
        // with one distance per centre while the NLL is measured, a subsample's index over
        // the pool, the fresh sample and the test set. Measured: 96 MB of resident memory
        // for 2 workers accumulating a pool of 1,000,000 points, against 96 MB estimated.
        let pool = if s.workflows.iter().any(|w| *w != Workflow::Replace) {
            m * g.max(1.0)
        } else {
            m
        };
        let per_worker = 8.0 * (4.0 * d * pool + 2.0 * pool + d * m + d * s.test_points as f64);
        Cost {
            records: (s.replicates * s.workflows.len() as u64) as f64 * s.rows_per_chain() as f64,
            memory: per_worker * rayon::current_num_threads() as f64,
        }
    }
    fn run(&self, s: &Setup, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let names = Metrics {
            bandwidth: Name::new(BANDWIDTH),
            mse: Name::new(MEAN_SQ_ERROR),
            nll: Name::new(NLL),
            outside: Name::new(OUTSIDE_SUPPORT),
            var: Name::new(VAR),
        };
        let rows_per_chain = s.rows_per_chain();
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

    /// `TruthSpec::with_defaults`, which the checks use, is what the parameters' defaults give.
    #[test]
    fn the_default_truths_are_the_parameters_defaults() {
        use collapse_core::Choice;
        let specs = params();
        for &name in KdeTruth::NAMES {
            let mut p = Params::defaults(&specs);
            p.set_text(&specs, "truth", name).unwrap();
            let setup = Setup::from_params(&p).unwrap();
            let kind = setup.truth.kind;
            assert_eq!(setup.truth, TruthSpec::with_defaults(kind), "{name}");
        }
    }

    #[test]
    fn nll_steps_are_one_two_five_per_decade_and_the_last() {
        assert_eq!(nll_steps(100), vec![0, 1, 2, 5, 10, 20, 50, 100]);
        assert_eq!(nll_steps(7), vec![0, 1, 2, 5, 7]);
    }

    #[test]
    fn lists_are_parsed_strictly() {
        assert_eq!(
            parse_workflows(" accumulate ,replace").unwrap(),
            [Workflow::Accumulate, Workflow::Replace]
        );
        for bad in [
            "replace,",
            ",replace",
            "replace,,accumulate",
            "",
            "replace,replace",
            "keep",
        ] {
            let e = parse_workflows(bad).unwrap_err().to_string();
            assert!(e.contains("`policies`"), "{bad}: {e}");
        }
        assert!(
            parse_workflows("keep")
                .unwrap_err()
                .to_string()
                .contains("accumulate-subsample")
        );
    }
}
