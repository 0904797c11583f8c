//! The three error sources of Shumailov et al. (Nature 2024, "Theoretical intuition"),
//! isolated and combined, for the Gaussian/mixture case: experiment `sources-gaussian`.
//!
//! Generation 0 is `p_0 = ½N(−s/2, 1) + ½N(s/2, 1)` (`s` = `separation`). Each source is a
//! switch:
//! - **statistical**: on, each generation fits `samples` points of the previous one; off, the
//!   infinite-sample mode of the core loop (the fit to the exact population,
//!   [`collapse_core::Family::fit_population`]);
//! - **expressivity**: on, the model is one Gaussian (too small for `p_0`); off, a
//!   two-component mixture (the right family);
//! - **approximation**: on, a biased procedure: the maximum-likelihood variance for one
//!   Gaussian (whose infinite-sample analogue is its expectation, the population variance times
//!   `(M−1)/M`), EM stopped after `early_iter` iterations from the moment start for the mixture;
//!   off, the unbiased variance, or EM run to convergence.
//!
//! Series are named by [`Sources::label`]; the divergence from generation 0 is recorded every
//! generation as `kl` (KL(p_0 ‖ p_n) by Gauss–Hermite quadrature) and `l2_distance`
//! (closed form).

use crate::em::{EmConfig, Init};
use crate::family::{Fit, MixtureFamily};
use crate::model::{Gaussian, Mixture, kl_quadrature, l2_distance};
use collapse_core::chain::ChainConfig;
use collapse_core::{
    Experiment, ExperimentError, ParamError, ParamSpec, Params, Record, RunContext, RunOutput,
    Sources, TheoryRow, run_chain,
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

    /// Runs one chain and calls `observe(g, model)`.
    pub fn run_chain(
        &self,
        s: Sources,
        rng: &mut collapse_core::Rng,
        observe: impl FnMut(u64, &Mixture),
    ) {
        // Replace chains with points and a population fit never fail.
        let _ = run_chain(&self.family(s), &self.chain(s), rng, observe);
    }

    /// The records of chain `r`.
    pub fn run_one(&self, s: Sources, r: u64, rng: &mut collapse_core::Rng) -> Vec<Record> {
        let p0 = truth(self.separation);
        let m0 = p0.mean()[0];
        let label = s.label();
        let mut out = Vec::new();
        self.run_chain(s, rng, |g, m| {
            out.push(Record::new(
                label,
                r,
                g,
                "kl",
                kl_quadrature(&p0, &|x| m.log_pdf(x), KL_NODES),
            ));
            out.push(Record::new(label, r, g, "l2_distance", l2_distance(&p0, m)));
            out.push(Record::new(label, r, g, "var", m.var()));
            out.push(Record::new(
                label,
                r,
                g,
                "mean_sq_error",
                (m.mean()[0] - m0).powi(2),
            ));
        });
        out
    }
}

/// Closed forms for the series that have one: the variance of the one-Gaussian series.
///
/// Generation 1 of a one-Gaussian fit is unbiased for (or, with the MLE, `(M−1)/M` times) the
/// variance of `p_0`; from then on every generation is a Gaussian chain, so
/// `E σ²_n = Var p_0` (unbiased) or `((M−1)/M)^n Var p_0` (MLE), in both modes.
pub fn expected_var(s: Sources, var0: f64, m: usize, n: u64) -> Option<f64> {
    if !s.expressivity {
        return None;
    }
    let a = if s.approximation {
        (m as f64 - 1.0) / m as f64
    } else {
        1.0
    };
    Some(if n == 0 {
        var0
    } else {
        var0 * a.powi(n as i32)
    })
}

/// `KL(p ‖ N(m, v))` for the moment-matched Gaussian: `½ ln(2πe v) − H(p)`, with the entropy
/// `H(p)` of a 1-D mixture by composite Simpson quadrature on a fine grid.
pub fn kl_moment_matched(p: &Mixture) -> f64 {
    0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E * p.var()).ln() - entropy_simpson(p)
}

/// `H(p) = −∫ p ln p` of a 1-D mixture by composite Simpson over ±14 sd of every component.
pub fn entropy_simpson(p: &Mixture) -> f64 {
    let lo = p
        .comps
        .iter()
        .map(|c| c.mean[0] - 14.0 * c.cov[0].sqrt())
        .fold(f64::INFINITY, f64::min);
    let hi = p
        .comps
        .iter()
        .map(|c| c.mean[0] + 14.0 * c.cov[0].sqrt())
        .fold(f64::NEG_INFINITY, f64::max);
    simpson(lo, hi, 200_000, |x| {
        let lp = p.log_pdf(&[x]);
        -lp.exp() * lp
    })
}

/// Composite Simpson's rule with `n` (even) intervals.
pub fn simpson(lo: f64, hi: f64, n: usize, f: impl Fn(f64) -> f64) -> f64 {
    let n = n + n % 2;
    let h = (hi - lo) / n as f64;
    let mut s = f(lo) + f(hi);
    for i in 1..n {
        s += f(lo + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0
}

/// `∫ (p − N(m, v))²` for the moment-matched Gaussian of a 1-D mixture, written out:
/// `Σᵢⱼ πᵢπⱼ φ(μᵢ − μⱼ; σᵢ² + σⱼ²) − 2 Σᵢ πᵢ φ(μᵢ − m; σᵢ² + v) + 1/(2√(π v))`.
pub fn l2_moment_matched(p: &Mixture) -> f64 {
    let phi = |x: f64, v: f64| (-0.5 * x * x / v).exp() / (2.0 * std::f64::consts::PI * v).sqrt();
    let (m, v) = (p.mean()[0], p.var());
    let mut pp = 0.0;
    let mut pq = 0.0;
    for (a, ca) in p.weights.iter().zip(&p.comps) {
        for (b, cb) in p.weights.iter().zip(&p.comps) {
            pp += a * b * phi(ca.mean[0] - cb.mean[0], ca.cov[0] + cb.cov[0]);
        }
        pq += a * phi(ca.mean[0] - m, ca.cov[0] + v);
    }
    pp - 2.0 * pq + 1.0 / (2.0 * (std::f64::consts::PI * v).sqrt())
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
            0.0,
            1.0,
            "covariance floor of the finite-sample EM (the infinite-sample fit has none)",
        ),
    ]
}

fn validate(p: &Params) -> Result<(), ParamError> {
    let (m, g, r) = (
        p.int("samples") as f64,
        p.int("generations") as f64,
        p.int("replicates") as f64,
    );
    if m * g * r > 1e10 {
        return Err(ParamError::conflict(
            "replicates",
            format!(
                "samples × generations × replicates = {:.2e} EM points; valid: at most 1e10",
                m * g * r
            ),
        ));
    }
    Ok(())
}

/// Reads validated parameters.
pub fn setup(p: &Params) -> Setup {
    Setup {
        separation: p.float("separation"),
        samples: p.usize("samples"),
        generations: p.int("generations") as u64,
        replicates: p.int("replicates") as u64,
        early_iter: p.usize("early_iter"),
        tol: p.float("tol"),
        max_iter: p.usize("max_iter"),
        floor: p.float("floor"),
    }
}

fn run(p: &Params, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
    let s = setup(p);
    let var0 = truth(s.separation).var();
    let mut records = Vec::new();
    let mut theory = Vec::new();
    for src in Sources::all() {
        let reps = if src.statistical { s.replicates } else { 1 };
        records.extend(ctx.replicates(src.label(), reps, |r, rng| s.run_one(src, r, rng)));
        for g in 0..=s.generations {
            if let Some(v) = expected_var(src, var0, s.samples, g) {
                theory.push(TheoryRow::new(src.label(), g, "theory_var", v));
            }
        }
        if src.expressivity && !src.approximation {
            // One Gaussian, unbiased: exact after generation 1 in the infinite-sample mode.
            if !src.statistical {
                let p0 = truth(s.separation);
                for g in 1..=s.generations {
                    theory.push(TheoryRow::new(
                        src.label(),
                        g,
                        "theory_kl",
                        kl_moment_matched(&p0),
                    ));
                    theory.push(TheoryRow::new(
                        src.label(),
                        g,
                        "theory_l2_distance",
                        l2_moment_matched(&p0),
                    ));
                }
            }
        }
    }
    Ok(RunOutput {
        records,
        theory,
        report: None,
    })
}

/// The experiment.
pub fn experiment() -> Experiment {
    Experiment {
        id: ID,
        title: "The three error sources (statistical, expressivity, approximation), alone and combined: Gaussian/mixture case",
        about: "Generation 0 is p_0 = 0.5 N(-s/2, 1) + 0.5 N(s/2, 1), s = separation; replace policy. Statistical on: fit `samples` points of the previous generation; off: the infinite-sample mode (fit the exact population). Expressivity on: fit one Gaussian (too small for p_0); off: a two-component mixture by EM from a moment start. Approximation on: the MLE variance (one Gaussian; its infinite-sample analogue is its expectation, x (M-1)/M) or EM stopped after `early_iter` iterations (mixture); off: the unbiased variance or EM to convergence. Series: every combination, named none, statistical, expressivity, approximation, statistical+expressivity, statistical+approximation, expressivity+approximation, all. Metrics per generation: kl (KL(p_0 || p_n), Gauss-Hermite quadrature), l2_distance (closed-form integral of (p_n - p_0)^2), var, mean_sq_error. Theory: theory_var for the one-Gaussian series; theory_kl and theory_l2_distance for expressivity alone.",
        params: params(),
        validate,
        work: |p| 4 * p.int("replicates") as u64 + 4,
        run,
    }
}
