//! The `sources-gaussian` experiment: its parameters, its typed configuration and its run.

use super::theory::{expected_var, kl_moment_matched, l2_moment_matched};
use crate::em::{EmConfig, Init};
use crate::family::{Fit, MixtureFamily};
use crate::model::{Gaussian, Mixture, kl_quadrature, l2_distance};
use crate::names::{
    KL, L2_DISTANCE, MEAN_SQ_ERROR, THEORY_KL, THEORY_L2_DISTANCE, THEORY_VAR, VAR,
};
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::{
    Cost, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError, ParamSpec, Params,
    RunContext, RunOutput, RunView, Sources, TheoryRow, run_chain,
};

/// The experiment's id.
pub const ID: &str = "sources-gaussian";

/// Gauss–Hermite nodes per component for the KL metric (the entropy term of a two-component
/// truth converges to ~2e-10 at 150 nodes).
pub const KL_NODES: usize = 150;

/// EM iterations of the infinite-sample fit run to convergence: EM's linear rate at the default
/// separation reaches machine precision long before (a tolerance would stop it early on the
/// same side every generation, and that bias would compound).
pub const POPULATION_ITER: usize = 400;

/// The most EM points a run may ask for: samples × generations × replicates.
const EM_POINTS_MAX: f64 = 1e10;

/// The two-component truth with means `±separation/2` and unit variances.
pub fn truth(separation: f64) -> Mixture {
    Mixture::new(
        vec![0.5, 0.5],
        vec![
            Gaussian::isotropic(vec![-separation / 2.0], 1.0),
            Gaussian::isotropic(vec![separation / 2.0], 1.0),
        ],
    )
}

/// The experiment's settings.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    /// Distance between the true means.
    pub separation: f64,
    /// `M`.
    pub samples: usize,
    /// Fitted generations.
    pub generations: u64,
    /// Chains of the finite-sample series.
    pub replicates: u64,
    /// EM iterations of the early-stopped procedure.
    pub early_iter: usize,
    /// EM tolerance (finite samples).
    pub tol: f64,
    /// EM cap (finite samples).
    pub max_iter: usize,
    /// Covariance floor (finite samples; the infinite-sample fit has none).
    pub floor: f64,
}

impl Setup {
    /// Checks the combination of parameters once and builds the configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let s = Self {
            separation: p.float("separation"),
            samples: p.usize("samples"),
            generations: p.int("generations") as u64,
            replicates: p.int("replicates") as u64,
            early_iter: p.usize("early_iter"),
            tol: p.float("tol"),
            max_iter: p.usize("max_iter"),
            floor: p.float("floor"),
        };
        let points = s.samples as f64 * s.generations as f64 * s.replicates as f64;
        if points > EM_POINTS_MAX {
            return Err(ParamError::conflict(
                "replicates",
                format!(
                    "samples × generations × replicates = {points:.2e} EM points; valid: at most 1e10"
                ),
            ));
        }
        Ok(s)
    }

    /// The family of a combination of sources.
    pub fn family(&self, s: Sources) -> MixtureFamily {
        let fit = if s.expressivity {
            Fit::Gaussian {
                mle: s.approximation,
            }
        } else {
            let (tol, max_iter, floor) = if s.statistical {
                (self.tol, self.max_iter, self.floor)
            } else {
                (0.0, POPULATION_ITER, 0.0)
            };
            Fit::Em(EmConfig {
                components: 2,
                tol: if s.approximation { 0.0 } else { tol },
                max_iter: if s.approximation {
                    self.early_iter
                } else {
                    max_iter
                },
                floor,
                init: Init::Moments,
                trace: false,
            })
        };
        MixtureFamily {
            truth: truth(self.separation),
            fit,
        }
    }

    /// The loop for a combination of sources.
    pub fn chain(&self, s: Sources) -> ChainConfig {
        ChainConfig {
            finite: s.statistical,
            ..ChainConfig::replace(self.samples, self.generations)
        }
    }

    /// Chains of a series: the finite-sample ones are random, the others deterministic (one).
    pub fn replicates_of(&self, s: Sources) -> u64 {
        if s.statistical { self.replicates } else { 1 }
    }

    /// Runs one chain of combination `s` drawn from `rng`: calls `observe(g, model)` for every
    /// generation, the truth first.
    pub fn run_one(
        &self,
        s: Sources,
        rng: &mut collapse_core::Rng,
        observe: impl FnMut(u64, &Mixture),
    ) -> Result<(), ChainError> {
        run_chain(&self.family(s), &self.chain(s), rng, observe)
    }

    /// The closed forms: `theory_var` for the one-Gaussian series, and `theory_kl` and
    /// `theory_l2_distance` for expressivity alone (exact after generation 1 in the
    /// infinite-sample mode).
    pub fn theory(&self) -> Vec<TheoryRow> {
        let p0 = truth(self.separation);
        let var0 = p0.var();
        let mut rows = Vec::new();
        for src in Sources::all() {
            let label = src.label();
            for g in 0..=self.generations {
                if let Some(v) = expected_var(src, var0, self.samples, g) {
                    rows.push(TheoryRow::new(label, g, THEORY_VAR, v));
                }
            }
            if src.expressivity && !src.approximation && !src.statistical {
                let (kl, l2) = (kl_moment_matched(&p0), l2_moment_matched(&p0));
                for g in 1..=self.generations {
                    rows.push(TheoryRow::new(label, g, THEORY_KL, kl));
                    rows.push(TheoryRow::new(label, g, THEORY_L2_DISTANCE, l2));
                }
            }
        }
        rows
    }
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::float(
            "separation",
            4.0,
            0.0,
            100.0,
            "distance between the two true means (unit variances, equal weights)",
        ),
        ParamSpec::int(
            "samples",
            100,
            2,
            1_000_000,
            "M: points per generation (statistical on), and the M of the MLE's expectation (statistical off)",
        ),
        ParamSpec::int(
            "generations",
            50,
            0,
            100_000,
            "fitted generations after the truth",
        ),
        ParamSpec::int(
            "replicates",
            100,
            1,
            1_000_000,
            "chains of each finite-sample series (the infinite-sample series are deterministic: one chain)",
        ),
        ParamSpec::int(
            "early_iter",
            12,
            1,
            1000,
            "EM iterations of the early-stopped procedure (approximation on, mixture family)",
        ),
        ParamSpec::float_above(
            "tol",
            1e-6,
            0.0,
            1.0,
            "EM tolerance on the mean log-likelihood (finite samples; the infinite-sample EM runs 400 iterations, to machine precision)",
        ),
        ParamSpec::int(
            "max_iter",
            1000,
            1,
            1_000_000,
            "EM iteration cap (finite samples)",
        ),
        ParamSpec::float(
            "floor",
            1e-6,
            crate::gmm_chain::experiment::FLOOR_MIN,
            1.0,
            "covariance floor of the finite-sample EM, at least 1e-12 (a component fitted to one point has no variance without it); the infinite-sample fit has none",
        ),
    ]
}

/// `sources-gaussian`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SourcesGaussian;

impl Experiment for SourcesGaussian {
    type Config = Setup;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "The three error sources (statistical, expressivity, approximation), alone and combined: Gaussian/mixture case"
    }
    fn about(&self) -> &'static str {
        "Generation 0 is p_0 = 0.5 N(-s/2, 1) + 0.5 N(s/2, 1), s = separation; replace policy. Statistical on: fit `samples` points of the previous generation; off: the infinite-sample mode (fit the exact population). Expressivity on: fit one Gaussian (too small for p_0); off: a two-component mixture by EM from a moment start. Approximation on: the MLE variance (one Gaussian; its infinite-sample analogue is its expectation, x (M-1)/M) or EM stopped after `early_iter` iterations (mixture); off: the unbiased variance or EM to convergence. Series: every combination, named none, statistical, expressivity, approximation, statistical+expressivity, statistical+approximation, expressivity+approximation, all. Metrics per generation: kl (KL(p_0 || p_n), Gauss-Hermite quadrature), l2_distance (closed-form integral of (p_n - p_0)^2), var, mean_sq_error. Theory: theory_var for the one-Gaussian series; theory_kl and theory_l2_distance for expressivity alone."
    }
    fn params(&self) -> Vec<ParamSpec> {
        params()
    }
    fn configure(&self, p: &Params) -> Result<Setup, ParamError> {
        Setup::from_params(p)
    }
    fn work(&self, s: &Setup) -> u64 {
        Sources::all().iter().map(|&src| s.replicates_of(src)).sum()
    }
    fn cost(&self, s: &Setup) -> Cost {
        let chains: u64 = Sources::all().iter().map(|&src| s.replicates_of(src)).sum();
        // Per worker: the M points and EM's copy of them, and the quadrature nodes of the
        // infinite-sample fit and of the KL metric (150 per component).
        let per_worker = 8.0 * (4.0 * s.samples as f64 + 4.0 * 2.0 * KL_NODES as f64);
        Cost {
            records: chains as f64 * (s.generations as f64 + 1.0) * 4.0,
            memory: per_worker * rayon::current_num_threads() as f64,
        }
    }
    fn run(&self, s: &Setup, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let (kl, l2, mse, var) = (
            Name::new(KL),
            Name::new(L2_DISTANCE),
            Name::new(MEAN_SQ_ERROR),
            Name::new(VAR),
        );
        let p0 = truth(s.separation);
        let m0 = p0.mean()[0];
        let rows_per_chain = 4 * (s.generations as usize + 1);
        for src in Sources::all() {
            // Each combination is a series with its own streams.
            let label = src.label();
            let series = Name::new(label);
            ctx.replicates(label, s.replicates_of(src), |_, rng, rows| {
                rows.reserve(rows_per_chain);
                s.run_one(src, rng, |g, m| {
                    let d = kl_quadrature(&p0, &|x| m.log_pdf(x), KL_NODES);
                    rows.push(series, g, kl, d);
                    rows.push(series, g, l2, l2_distance(&p0, m));
                    rows.push(series, g, mse, (m.mean()[0] - m0).powi(2));
                    rows.push(series, g, var, m.var());
                })
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
        Some(Ok(Box::new(crate::figures::sources::chart(
            run.summary,
            run.command,
        ))))
    }
}
