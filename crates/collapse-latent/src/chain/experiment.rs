//! The `latent-chain` experiment: its parameters, its typed configuration and its run.

use crate::data::{DIM, RealDigits};
use crate::family::{Estimator, Fit, FitKind, LatentFamily, Sampler};
use crate::metrics::{MetricNames, Probe};
use crate::model::LinearGaussian;
use crate::names::{THEORY_FRECHET, THEORY_MEAN_SQ_ERROR, THEORY_SIGMA2, THEORY_TRACE};
use crate::{ppca, theory, vae};
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::policy::{Mode, mode_param};
use collapse_core::rand::RngExt;
use collapse_core::{
    Cost, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError, ParamSpec, Params,
    Policy, RunContext, RunOutput, RunView, Schedule, TheoryRow, run_chain,
};

/// The experiment's id.
pub const ID: &str = "latent-chain";

/// The most VAE gradient steps a run may ask for (steps × generations × replicates, with
/// `latent = 20` about 2 days of CPU time).
const VAE_STEPS_MAX: f64 = 1e10;

/// The resolved configuration of a run.
#[derive(Clone, Debug)]
pub struct Setup {
    /// The family: the real digits, `q`, the fit and the sampler.
    pub family: LatentFamily,
    /// The loop: `generations + 1` fits (generation 0 is the fit to the real digits).
    pub chain: ChainConfig,
    /// The last generation recorded (`chain.generations − 1`).
    pub generations: u64,
    /// Independent chains.
    pub replicates: u64,
}

fn params() -> Vec<ParamSpec> {
    let [policy, real_fraction] = collapse_core::policy::policy_params();
    vec![
        ParamSpec::text(
            "images",
            crate::data::BUILTIN,
            "the real images: `digits` (built in: 1,797 optdigits test images, 8x8) or the path of a CSV file in the same format (per line 64 finite pixel values on the 0-16 scale, then the label 0-9; gzip allowed)",
        ),
        ParamSpec::int(
            "latent",
            20,
            0,
            1_000_000,
            "q: latent dimensions; valid: 1 <= q < 64 (the pixels) and q below the rank of the images' covariance (61 for the built-in digits)",
        ),
        ParamSpec::int(
            "samples",
            1797,
            2,
            100_000_000,
            "M: images each generation is fitted on (generation 0: real images, drawn without replacement; M = 1797 is the whole built-in set); M >= latent + 2",
        ),
        ParamSpec::int(
            "generations",
            100,
            0,
            1_000_000,
            "the last generation; generation 0 is fitted to the real images, generation n to samples of generation n-1",
        ),
        ParamSpec::int("replicates", 100, 1, 1_000_000_000, "independent chains"),
        ParamSpec::choice_of(
            "fit",
            FitKind::Ppca,
            "ppca: probabilistic PCA in closed form (the ELBO's optimum); vae: a linear VAE trained on the ELBO by `steps` Adam steps",
        ),
        ParamSpec::choice_of(
            "estimator",
            Estimator::Unbiased,
            "the covariance of the closed-form fit: unbiased (n-1) or mle (n); the VAE's ELBO averages over the images, i.e. the MLE",
        ),
        ParamSpec::int(
            "steps",
            1000,
            1,
            10_000_000,
            "Adam steps per generation (fit = vae), full batch, from a fresh initialisation",
        ),
        ParamSpec::float_above(
            "learning_rate",
            0.01,
            0.0,
            1.0,
            "Adam's learning rate (fit = vae; pixels in [0, 1])",
        ),
        ParamSpec::choice_of(
            "sampler",
            Sampler::Exact,
            "exact draws the mean and scatter from their laws (normal, Wishart); naive draws every image",
        ),
        policy,
        real_fraction,
        collapse_core::policy::growth_param(),
        mode_param(
            "statistical error on (finite samples) or off (fit the exact population; the MLE and the VAE see its expectation)",
        ),
    ]
}

impl Setup {
    /// Checks the combination of parameters once, reads the images and builds the
    /// configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let real = RealDigits::open(p.text("images"))
            .map_err(|e| ParamError::conflict("images", e.to_string()))?;
        let q = p.int("latent");
        let rank = real.rank();
        if q == 0 {
            return Err(ParamError::conflict(
                "latent",
                "0 latent dimensions leave only the isotropic noise N(c, σ²I): nothing to encode; valid: 1 <= latent < 64",
            ));
        }
        if q >= DIM as i64 {
            return Err(ParamError::conflict(
                "latent",
                format!(
                    "{q} is not below the {DIM} pixels: with q >= d nothing is discarded, σ² = 0 and the model is no longer a latent-variable model with noise; valid: 1 <= latent <= {}",
                    (DIM - 1).min(rank.saturating_sub(1))
                ),
            ));
        }
        let q = q as usize;
        if q >= rank {
            return Err(ParamError::conflict(
                "latent",
                format!(
                    "{q} is not below the rank {rank} of the images' covariance: the discarded variance σ² would be 0 at generation 0; valid: 1 <= latent <= {}",
                    rank - 1
                ),
            ));
        }
        let samples = p.usize("samples");
        if samples < q + 2 {
            return Err(ParamError::conflict(
                "samples",
                format!(
                    "{samples} images give a sample covariance of rank at most {}, too small to fit {q} latents with noise (rank q + 1 needed); valid: samples >= latent + 2 = {}",
                    samples - 1,
                    q + 2
                ),
            ));
        }
        let kind: FitKind = p.choice("fit");
        let fit = match kind {
            FitKind::Ppca => Fit::Ppca(p.choice("estimator")),
            FitKind::Vae => Fit::Vae(vae::Adam {
                steps: p.usize("steps"),
                learning_rate: p.float("learning_rate"),
            }),
        };
        let sampler: Sampler = p.choice("sampler");
        let mode: Mode = p.choice("mode");
        let generations = p.int("generations") as u64;
        let chain = ChainConfig {
            generations: generations + 1,
            samples,
            schedule: Schedule::parse(p.text("growth"))?,
            policy: Policy::from_params(p)?,
            finite: mode.finite(),
        };
        if sampler == Sampler::Exact && chain.policy == Policy::AccumulateSubsample && chain.finite
        {
            return Err(ParamError::conflict(
                "sampler",
                "`exact` keeps only the mean and scatter and cannot subsample a pool; use sampler=naive with policy=accumulate-subsample",
            ));
        }
        let replicates = p.int("replicates") as u64;
        if let Fit::Vae(adam) = fit {
            let steps = adam.steps as f64 * (generations + 1) as f64 * replicates as f64;
            if steps > VAE_STEPS_MAX {
                return Err(ParamError::conflict(
                    "steps",
                    format!(
                        "steps x (generations + 1) x replicates = {steps:.2e} Adam steps; valid: at most {VAE_STEPS_MAX:.0e}"
                    ),
                ));
            }
        }
        let s = Self {
            family: LatentFamily {
                real,
                latent: q,
                fit,
                sampler,
                init_seed: 0,
                start: None,
            },
            chain,
            generations,
            replicates,
        };
        if s.naive_pool_images() * DIM as f64 > NAIVE_MAX_VALUES {
            return Err(ParamError::conflict(
                "samples",
                format!(
                    "the naive sampler would hold {:.3e} images (over {NAIVE_MAX_VALUES:.0e} pixel values); use sampler=exact, fewer samples or fewer generations",
                    s.naive_pool_images()
                ),
            ));
        }
        Ok(s)
    }

    /// Images the naive sampler holds at its peak: the pool under the accumulating policies,
    /// the largest generation otherwise (0 for the exact sampler).
    fn naive_pool_images(&self) -> f64 {
        if self.family.sampler == Sampler::Exact || !self.chain.finite {
            return 0.0;
        }
        let (m, g) = (self.chain.samples, self.chain.generations);
        let sizes = (0..g).map(|i| self.chain.schedule.size(m, i) as f64);
        match self.chain.policy {
            Policy::Accumulate | Policy::AccumulateSubsample => sizes.sum(),
            _ => sizes.fold(0.0, f64::max),
        }
    }

    /// Runs one chain from `rng`: calls `observe(n, model)` for generations `n = 0..=generations`
    /// (generation 0 fitted to the real digits).
    pub fn run_one(
        &self,
        rng: &mut collapse_core::Rng,
        mut observe: impl FnMut(u64, &LinearGaussian),
    ) -> Result<(), ChainError> {
        run_chain(&self.family, &self.chain, rng, |g, generation| {
            // The truth (g = 0) is not a fitted generation.
            if let (true, Some(m)) = (g > 0, generation.model()) {
                observe(g - 1, m);
            }
        })
    }

    /// The sample sizes `M_0 … M_n` (generation 0's real images first).
    pub fn sizes(&self) -> Vec<usize> {
        (0..self.chain.generations)
            .map(|g| self.chain.schedule.size(self.chain.samples, g))
            .collect()
    }

    /// Closed forms where they are exact: closed-form fits under `replace` with finite samples
    /// (expected trace and mean error), and the infinite-sample mode (the fixed point, or its
    /// geometric shrink under the MLE).
    pub fn theory(&self, series: &str) -> Vec<TheoryRow> {
        let Fit::Ppca(est) = self.family.fit else {
            return Vec::new();
        };
        let real = &self.family.real;
        let sizes = self.sizes();
        let mut rows = Vec::new();
        let replace = self.chain.policy == Policy::Replace;
        if self.chain.finite {
            if !replace || sizes[0] > real.len() {
                return rows;
            }
            let moments =
                theory::replace_moments(est.unbiased(), real.cov.trace(), real.len(), &sizes);
            for (g, (tr, mse)) in moments.into_iter().enumerate() {
                rows.push(TheoryRow::new(series, g as u64, THEORY_MEAN_SQ_ERROR, mse));
                rows.push(TheoryRow::new(series, g as u64, THEORY_TRACE, tr));
            }
            return rows;
        }
        if !(replace || est.unbiased()) {
            return rows;
        }
        // Every pPCA model is a fixed point of the population map; the MLE scales it by
        // (M_g − 1)/M_g per generation, and pPCA commutes with scaling.
        let p0 = ppca::fit_spectrum(&real.mean, &real.spectrum, self.family.latent);
        let (p, s) = (
            p0.spectrum.values.as_slice(),
            real.spectrum.values.as_slice(),
        );
        let mut a = 1.0;
        for (g, &m) in sizes.iter().enumerate() {
            a *= theory::trace_factor(est.unbiased(), m as f64);
            let g = g as u64;
            rows.push(TheoryRow::new(
                series,
                g,
                THEORY_FRECHET,
                theory::frechet_commuting(a, p, s),
            ));
            rows.push(TheoryRow::new(series, g, THEORY_MEAN_SQ_ERROR, 0.0));
            rows.push(TheoryRow::new(series, g, THEORY_SIGMA2, a * p0.noise));
            rows.push(TheoryRow::new(
                series,
                g,
                THEORY_TRACE,
                a * real.cov.trace(),
            ));
        }
        rows
    }
}

/// The largest number of pixel values the naive sampler may hold per chain.
const NAIVE_MAX_VALUES: f64 = 2e8;

/// `latent-chain`.
#[derive(Clone, Copy, Debug, Default)]
pub struct LatentChain;

impl Experiment for LatentChain {
    type Config = Setup;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "Linear VAEs retrained on their own samples, from real handwritten digits (the Nature VAE experiment, analytically)"
    }
    fn about(&self) -> &'static str {
        "Generation 0 is a linear latent-variable model x = c + W z + sigma eps (z in R^q, 64 pixels in [0, 1]) fitted to `samples` real digits; generation n is fitted to `samples` images of generation n-1, assembled by the data policy. fit=ppca: probabilistic PCA in closed form; fit=vae: a linear VAE (linear encoder, diagonal Gaussian posterior) trained on its ELBO by `steps` full-batch Adam steps. The step is the generation (0 = the fit to the real digits). Series: the policy. Metrics per generation: eigenvalue_01..eigenvalue_64 (spectrum of C = W W^T + sigma^2 I, decreasing), trace, log_det, sigma2, latent_posterior_var (mean posterior variance of the encoder), latent_code_sd (spread of generation 0's encoder's codes for generation n's images), frechet (Frechet distance to the real digits' Gaussian), mean_sq_error (|c_n - m|^2), class_share_0..9 (the fixed nearest-centroid classifier's labels on 1,000 generated digits), recon_accuracy_0..9 (its accuracy on the real digits of each class encoded and decoded by generation n), elbo_gap (fit=vae: nats per image below the closed-form optimum). Theory (fit=ppca): theory_trace and theory_mean_sq_error under replace with finite samples; theory_trace, theory_sigma2, theory_frechet, theory_mean_sq_error in the infinite-sample mode. Eigenvalues below the eigen-solver's resolution (64 eps lambda_1, about 1.4e-14 lambda_1) are recorded as exactly 0: with M <= 64 images the sample covariance has rank M - 1 and sigma2 shrinks geometrically (by roughly (M - 1 - q)/(64 - q) a generation), so a long enough chain reaches that floor, after which sigma2 is 0 and log_det is -inf (its summary mean -inf, never NaN). The true sigma2 is then positive but below what double precision resolves."
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
        let d = DIM as f64;
        let q = s.family.latent as f64;
        // Per worker: a few d×d matrices per generation kept (model, data, spectrum), the probe's
        // draws, and under the naive sampler every image it holds (twice while merging).
        let per_chain = 8.0
            * (16.0 * d * d
                + crate::metrics::SHARE_SAMPLES as f64 * (q + 10.0)
                + 2.0 * s.naive_pool_images() * d);
        let metrics = MetricNames::new(DIM).len() as f64;
        Cost {
            records: s.replicates as f64 * (s.generations as f64 + 1.0) * metrics,
            memory: per_chain * rayon::current_num_threads() as f64,
        }
    }
    fn run(&self, s: &Setup, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let policy = s.chain.policy.name();
        let series = Name::new(policy);
        let names = MetricNames::new(DIM);
        let rows_per_chain = (s.generations as usize + 1) * names.len();
        // The infinite-sample VAE has no stream; its initial weights follow the run's seed.
        let setup = Setup {
            family: LatentFamily {
                init_seed: ctx.seed,
                ..s.family.clone()
            },
            ..s.clone()
        };
        ctx.replicates("", s.replicates, |_, rng, rows| {
            rows.reserve(rows_per_chain);
            let probe_seed: u64 = rng.random();
            let mut probe = Probe::new(
                setup.family.real.clone(),
                setup.family.latent,
                &mut collapse_core::rng::stream(probe_seed, "latent-probe", 0),
            );
            setup.run_one(rng, |g, m| {
                names.push(rows, series, g, &probe.measure(m));
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
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        Some(Ok(Box::new(crate::figures::chain::run_figure(run))))
    }
}
