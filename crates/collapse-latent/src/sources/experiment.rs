//! The `sources-latent` experiment: its parameters, its typed configuration and its run.

use crate::data::{DIM, RealDigits};
use crate::family::{Estimator, Fit, Generation, LatentFamily, Sampler};
use crate::linalg::frechet;
use crate::model::LinearGaussian;
use crate::names::{
    ELBO_GAP, FRECHET, MEAN_SQ_ERROR, SIGMA2, THEORY_FRECHET, THEORY_MEAN_SQ_ERROR, THEORY_TRACE,
    TRACE,
};
use crate::{ppca, theory, vae};
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::{
    Cost, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError, ParamSpec, Params,
    RunContext, RunOutput, RunView, Sources, TheoryRow, run_chain,
};
use nalgebra::{DMatrix, DVector};
use std::sync::Arc;

/// The experiment's id.
pub const ID: &str = "sources-latent";

/// The experiment's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Setup {
    /// `M` (statistical on).
    pub samples: usize,
    /// The last generation (generation 0 is fitted to the real digits).
    pub generations: u64,
    /// Chains of each finite-sample series.
    pub replicates: u64,
    /// `q` when expressivity is on (off: `q = d = 64`, the full covariance).
    pub latent: usize,
    /// Adam when approximation is on (off: the closed form).
    pub adam: vae::Adam,
}

impl Setup {
    /// Checks the combination of parameters once and builds the configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let s = Self {
            samples: p.usize("samples"),
            generations: p.int("generations") as u64,
            replicates: p.int("replicates") as u64,
            latent: p.usize("latent"),
            adam: vae::Adam {
                steps: p.usize("steps"),
                learning_rate: p.float("learning_rate"),
            },
        };
        let rank = RealDigits::builtin().rank();
        if s.latent >= rank {
            return Err(ParamError::conflict(
                "latent",
                format!(
                    "{} is not below the rank {rank} of the real digits' covariance (the expressivity error would vanish); valid: 1 <= latent <= {}",
                    s.latent,
                    rank - 1
                ),
            ));
        }
        if s.samples < s.latent + 2 {
            return Err(ParamError::conflict(
                "samples",
                format!(
                    "{} images give a sample covariance of rank at most {}, too small to fit {} latents with noise; valid: samples >= latent + 2 = {}",
                    s.samples,
                    s.samples - 1,
                    s.latent,
                    s.latent + 2
                ),
            ));
        }
        Ok(s)
    }

    /// The truth of the expressivity-free series: the closed-form fit with `q` latents to the
    /// real digits, a member of the model class.
    pub fn truth_in_class(&self) -> Arc<LinearGaussian> {
        let real = RealDigits::builtin();
        Arc::new(ppca::fit_spectrum(&real.mean, &real.spectrum, self.latent))
    }

    /// The family of a combination of sources: the truth is the real digits (expressivity on)
    /// or [`Setup::truth_in_class`] (off); a linear VAE trained by Adam (approximation on) or
    /// the closed form (off).
    pub fn family(&self, src: Sources, seed: u64) -> LatentFamily {
        LatentFamily {
            real: RealDigits::builtin(),
            latent: self.latent,
            fit: if src.approximation {
                Fit::Vae(self.adam)
            } else {
                Fit::Ppca(Estimator::Unbiased)
            },
            sampler: Sampler::Exact,
            init_seed: seed,
            start: (!src.expressivity).then(|| self.truth_in_class()),
        }
    }

    /// The truth of a combination as (mean, `Σ^{1/2}`, `tr Σ`), for the Fréchet distance.
    pub fn target(&self, src: Sources) -> (DVector<f64>, DMatrix<f64>, f64) {
        let real = RealDigits::builtin();
        if src.expressivity {
            (real.mean.clone(), real.cov_sqrt.clone(), real.cov.trace())
        } else {
            let p0 = self.truth_in_class();
            (p0.mean.clone(), p0.spectrum.sqrt(), p0.trace())
        }
    }

    /// The loop of a combination of sources.
    pub fn chain(&self, src: Sources) -> ChainConfig {
        ChainConfig {
            finite: src.statistical,
            ..ChainConfig::replace(self.samples, self.generations + 1)
        }
    }

    /// Chains of a series: the finite-sample ones are random, the others deterministic (one).
    pub fn replicates_of(&self, src: Sources) -> u64 {
        if src.statistical { self.replicates } else { 1 }
    }

    /// Runs one chain of combination `src`: calls `observe(n, model)` for generations
    /// `0..=generations`.
    pub fn run_one(
        &self,
        src: Sources,
        seed: u64,
        rng: &mut collapse_core::Rng,
        mut observe: impl FnMut(u64, &LinearGaussian),
    ) -> Result<(), ChainError> {
        run_chain(
            &self.family(src, seed),
            &self.chain(src),
            rng,
            |g, generation: &Generation| {
                // The truth (g = 0) is not a fitted generation.
                if let (true, Some(m)) = (g > 0, generation.model()) {
                    observe(g - 1, m);
                }
            },
        )
    }

    /// The closed forms of the closed-form series. Infinite samples: every pPCA model is a
    /// fixed point, so no source at all stays at distance 0 and expressivity alone at
    /// `Σ_{k>q} (σ − √λ_k)²`. Finite samples: `E tr Cₙ = tr S` (the trace is a martingale, and
    /// the truth in the class has the trace of S), and `E‖cₙ − m‖²` grows by `tr S/M` per
    /// generation, from the finite-population value at generation 0 for the real digits (from
    /// `tr S/M` for the truth in the class, sampled like any model).
    pub fn theory(&self) -> Vec<TheoryRow> {
        let real = RealDigits::builtin();
        let tr = real.cov.trace();
        let mut rows = Vec::new();
        for src in Sources::all() {
            if src.approximation {
                continue;
            }
            let label = src.label();
            if src.statistical {
                let mut sizes = vec![self.samples; self.generations as usize + 1];
                if !src.expressivity {
                    // The truth in the class is sampled like a model: one more generation.
                    sizes.insert(0, self.samples);
                } else if self.samples > real.len() {
                    continue;
                }
                let moments = theory::replace_moments(true, tr, real.len(), &sizes);
                let skip = usize::from(!src.expressivity);
                for (g, (t, mse)) in moments.into_iter().skip(skip).enumerate() {
                    rows.push(TheoryRow::new(label, g as u64, THEORY_MEAN_SQ_ERROR, mse));
                    rows.push(TheoryRow::new(label, g as u64, THEORY_TRACE, t));
                }
            } else {
                let fd = if src.expressivity {
                    let fit = ppca::fit_spectrum(&real.mean, &real.spectrum, self.latent);
                    theory::frechet_commuting(
                        1.0,
                        fit.spectrum.values.as_slice(),
                        real.spectrum.values.as_slice(),
                    )
                } else {
                    0.0
                };
                for g in 0..=self.generations {
                    rows.push(TheoryRow::new(label, g, THEORY_FRECHET, fd));
                    rows.push(TheoryRow::new(label, g, THEORY_TRACE, tr));
                }
            }
        }
        rows
    }
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int(
            "samples",
            1797,
            2,
            100_000_000,
            "M: images per generation (statistical on); the MLE and the VAE see the expectation of their covariance at this M when statistical is off",
        ),
        ParamSpec::int(
            "generations",
            30,
            0,
            100_000,
            "the last generation (generation 0 is fitted to the real digits)",
        ),
        ParamSpec::int(
            "replicates",
            10,
            1,
            1_000_000,
            "chains of each finite-sample series (the infinite-sample series are deterministic: one chain)",
        ),
        ParamSpec::int(
            "latent",
            20,
            1,
            63,
            "q, the latent dimensions of every series; below the rank 61 of the real digits' covariance",
        ),
        ParamSpec::int(
            "steps",
            1000,
            1,
            10_000_000,
            "Adam steps per generation when approximation is on (full batch, fresh initialisation)",
        ),
        ParamSpec::float_above(
            "learning_rate",
            0.01,
            0.0,
            1.0,
            "Adam's learning rate when approximation is on",
        ),
    ]
}

/// `sources-latent`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SourcesLatent;

impl Experiment for SourcesLatent {
    type Config = Setup;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "The three error sources (statistical, expressivity, approximation), alone and combined: linear VAEs on real digits"
    }
    fn about(&self) -> &'static str {
        "Generation 0 is fitted to data of the truth, generation n to data of generation n-1; replace policy; every model has q = `latent` latent dimensions (x = c + W z + sigma eps, 64 pixels). Statistical on: M = `samples` images per generation (exact sampler); off: the infinite-sample mode (fit the exact population). Expressivity on: the truth is the 1,797 real digits (rank-61 covariance, not Gaussian); off: the truth is the closed-form q-latent fit to them, a member of the model class. Approximation on: a linear VAE trained on its ELBO by `steps` Adam steps from a fresh initialisation; off: the closed form (pPCA, unbiased covariance). Series: every combination, named none, statistical, expressivity, approximation, statistical+expressivity, statistical+approximation, expressivity+approximation, all. Metrics per generation: frechet (Frechet distance to the truth's Gaussian: the real digits', or the fit in the class), trace, sigma2, mean_sq_error (to the truth's mean), elbo_gap (VAE series). Theory: theory_frechet for none and expressivity (constant: the fixed point), theory_trace, and theory_mean_sq_error for the closed-form finite-sample series."
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
        let chains: u64 = self.work(s);
        let d = DIM as f64;
        Cost {
            records: chains as f64 * (s.generations as f64 + 1.0) * 5.0,
            memory: 8.0 * 24.0 * d * d * rayon::current_num_threads() as f64,
        }
    }
    fn run(&self, s: &Setup, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let (fd, gap, mse, sigma2, trace) = (
            Name::new(FRECHET),
            Name::new(ELBO_GAP),
            Name::new(MEAN_SQ_ERROR),
            Name::new(SIGMA2),
            Name::new(TRACE),
        );
        let seed = ctx.seed;
        for src in Sources::all() {
            // Each combination is a series with its own streams.
            let label = src.label();
            let series = Name::new(label);
            let (mean0, sqrt0, trace0) = s.target(src);
            ctx.replicates(label, s.replicates_of(src), |_, rng, rows| {
                s.run_one(src, seed, rng, |g, m| {
                    if let Some(v) = m.elbo_gap {
                        rows.push(series, g, gap, v);
                    }
                    let f = m.factor();
                    let d = frechet(&m.mean, &f, &mean0, &sqrt0, trace0);
                    rows.push(series, g, fd, d);
                    rows.push(series, g, mse, (&m.mean - &mean0).norm_squared());
                    rows.push(series, g, sigma2, m.noise);
                    rows.push(series, g, trace, m.trace());
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
