//! The `gmm-chain` experiment: the Nature paper's GMM experiment.
//!
//! Two settings:
//! - `paper`: generation 0 is `components` separated Gaussians (unit covariance, means
//!   `separation` apart along the first axis, equal weights), as the paper describes;
//! - `notebook`: generation 0 is one isotropic blob `N(0, I_dim)` fitted with `fit_components`
//!   components, as the authors' notebook does (`make_blobs` with one 2-D centre).
//!
//! Every generation refits a `fit_components`-component mixture by EM (k-means++ start, the
//! tolerance on the mean log-likelihood, the iteration cap and the covariance floor of
//! scikit-learn's `GaussianMixture`) on `samples` points of the previous generation.

use crate::em::{EmConfig, Init};
use crate::family::{Fit, MixtureFamily};
use crate::model::{Gaussian, Mixture, l2_distance};
use collapse_core::chain::ChainConfig;
use collapse_core::{
    Experiment, ExperimentError, ParamError, ParamSpec, Params, Policy, Record, RunContext,
    RunOutput, Schedule, run_chain,
};
use std::borrow::Cow;

/// The experiment's id (part of the command's contract, `docs/command.md`).
pub const ID: &str = "gmm-chain";

/// The paper's snapshot generations.
pub const SNAPSHOTS: &str = "0,50,100,150,200,350,2000";

fn params() -> Vec<ParamSpec> {
    let [policy, real_fraction] = collapse_core::policy::policy_params();
    vec![
        ParamSpec::choice(
            "setting",
            "paper",
            &["paper", "notebook"],
            "paper: two separated Gaussians (the paper's text); notebook: one isotropic blob N(0, I) fitted with fit_components components (the authors' notebook)",
        ),
        ParamSpec::int("dim", 2, 1, 8, "dimension of the data"),
        ParamSpec::int(
            "components",
            0,
            0,
            16,
            "components of generation 0 (setting paper); 0 means the setting's own: 2 for paper, 1 for notebook",
        ),
        ParamSpec::float_above(
            "separation",
            4.0,
            0.0,
            1e6,
            "distance between neighbouring true means along the first axis (setting paper; unit covariances)",
        ),
        ParamSpec::int(
            "fit_components",
            2,
            1,
            16,
            "components of every fitted mixture",
        ),
        ParamSpec::int(
            "samples",
            1000,
            2,
            10_000_000,
            "points drawn from each generation",
        ),
        ParamSpec::int(
            "generations",
            2000,
            0,
            1_000_000,
            "fitted generations after the truth",
        ),
        ParamSpec::int("replicates", 4, 1, 1_000_000, "independent chains"),
        ParamSpec::float_above(
            "tol",
            1e-5,
            0.0,
            1.0,
            "EM stops when the mean log-likelihood changes by less than tol",
        ),
        ParamSpec::int(
            "max_iter",
            2000,
            1,
            1_000_000,
            "EM iteration cap (reaching it is reported in em_converged)",
        ),
        ParamSpec::float(
            "floor",
            1e-6,
            0.0,
            1e6,
            "added to every fitted covariance's diagonal (scikit-learn's reg_covar)",
        ),
        ParamSpec::int(
            "restarts",
            1,
            1,
            100,
            "k-means++ starts; the clustering of least inertia starts EM",
        ),
        policy,
        real_fraction,
        ParamSpec::text(
            "snapshots",
            SNAPSHOTS,
            "comma-separated generations at which every fitted component is recorded (w{k}, mu{k}_{a}, cov{k}_{a}{b})",
        ),
    ]
}

/// Parses the snapshot list.
pub fn parse_snapshots(text: &str) -> Result<Vec<u64>, ParamError> {
    let mut v: Vec<u64> = Vec::new();
    for s in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        v.push(s.parse().map_err(|_| {
            ParamError::conflict(
                "snapshots",
                format!("`{s}` is not a generation; expected comma-separated integers >= 0"),
            )
        })?);
    }
    v.sort_unstable();
    v.dedup();
    Ok(v)
}

fn validate(p: &Params) -> Result<(), ParamError> {
    parse_snapshots(p.text("snapshots"))?;
    let k = p.usize("components");
    if p.text("setting") == "notebook" && k > 1 {
        return Err(ParamError::conflict(
            "components",
            format!("{k} is not valid with setting=notebook (one blob); valid range: 0 or 1"),
        ));
    }
    let (m, g, d) = (
        p.usize("samples") as f64,
        p.int("generations") as f64,
        p.usize("dim") as f64,
    );
    if p.usize("fit_components") as f64 > m {
        return Err(ParamError::conflict(
            "fit_components",
            format!("must not exceed samples ({m}); valid range: [1, samples]"),
        ));
    }
    // EM over a pool that grows every generation costs M G²/2 point-iterations.
    if p.text("policy") == "accumulate" && m * g * g * d / 2.0 > 2e10 {
        return Err(ParamError::conflict(
            "generations",
            format!(
                "policy=accumulate would refit EM on pools summing to {:.2e} points; valid: samples × generations² × dim / 2 <= 2e10",
                m * g * g * d / 2.0
            ),
        ));
    }
    Ok(())
}

/// The resolved configuration.
#[derive(Clone, Debug)]
pub struct Setup {
    /// The family (truth and EM).
    pub family: MixtureFamily,
    /// The loop.
    pub chain: ChainConfig,
    /// Chains.
    pub replicates: u64,
    /// Snapshot generations.
    pub snapshots: Vec<u64>,
    /// `paper` or `notebook`.
    pub setting: &'static str,
}

/// Generation 0 of a setting.
pub fn truth(setting: &str, dim: usize, components: usize, separation: f64) -> Mixture {
    if setting == "notebook" {
        return Mixture::single(Gaussian::isotropic(vec![0.0; dim], 1.0));
    }
    let k = if components == 0 { 2 } else { components };
    let comps = (0..k)
        .map(|j| {
            let mut m = vec![0.0; dim];
            m[0] = (j as f64 - (k as f64 - 1.0) / 2.0) * separation;
            Gaussian::isotropic(m, 1.0)
        })
        .collect();
    Mixture::new(vec![1.0 / k as f64; k], comps)
}

impl Setup {
    /// Reads validated parameters.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let setting = if p.text("setting") == "notebook" {
            "notebook"
        } else {
            "paper"
        };
        let em = EmConfig {
            components: p.usize("fit_components"),
            tol: p.float("tol"),
            max_iter: p.usize("max_iter"),
            floor: p.float("floor"),
            init: Init::KMeans {
                restarts: p.usize("restarts"),
            },
            trace: false,
        };
        Ok(Self {
            family: MixtureFamily {
                truth: truth(
                    setting,
                    p.usize("dim"),
                    p.usize("components"),
                    p.float("separation"),
                ),
                fit: Fit::Em(em),
            },
            chain: ChainConfig {
                generations: p.int("generations") as u64,
                samples: p.usize("samples"),
                schedule: Schedule::Constant,
                policy: Policy::from_params(p)?,
                finite: true,
            },
            replicates: p.int("replicates") as u64,
            snapshots: parse_snapshots(p.text("snapshots"))?,
            setting,
        })
    }

    /// Runs chain `r` and returns its records.
    pub fn run_one(&self, r: u64, rng: &mut collapse_core::Rng) -> Vec<Record> {
        let series = self.setting;
        let truth = &self.family.truth;
        let m0 = truth.mean();
        let mut out = Vec::new();
        // Replace chains never fail; the only refusals (subsampling statistics, a missing
        // population fit) cannot occur for points in the finite mode.
        let _ = run_chain(&self.family, &self.chain, rng, |g, model| {
            let rec = |metric: &'static str, v: f64| Record::new(series, r, g, metric, v);
            out.push(rec("l2_distance", l2_distance(truth, model)));
            out.push(rec("var", model.var()));
            let mse: f64 = model
                .mean()
                .iter()
                .zip(&m0)
                .map(|(a, b)| (a - b).powi(2))
                .sum();
            out.push(rec("mean_sq_error", mse));
            out.push(rec("components", model.weights.len() as f64));
            if let Some(rep) = &model.report {
                out.push(rec("em_iterations", rep.iterations as f64));
                out.push(rec("em_converged", f64::from(u8::from(rep.converged))));
                out.push(rec("empty_components", rep.empty as f64));
                out.push(rec("log_likelihood", rep.log_likelihood));
            }
            if self.snapshots.binary_search(&g).is_ok() {
                out.extend(snapshot_records(series, r, g, model));
            }
        });
        out
    }
}

/// The records that describe every component of `model` at generation `g`.
pub fn snapshot_records(series: &'static str, r: u64, g: u64, model: &Mixture) -> Vec<Record> {
    let d = model.dim();
    let mut out = Vec::new();
    let mut push = |name: String, value: f64| {
        out.push(Record {
            series: Cow::Borrowed(series),
            replicate: r,
            step: g,
            metric: Cow::Owned(name),
            value,
        });
    };
    for (k, (w, c)) in model.weights.iter().zip(&model.comps).enumerate() {
        push(format!("w{k}"), *w);
        for a in 0..d {
            push(format!("mu{k}_{a}"), c.mean[a]);
            for b in a..d {
                push(format!("cov{k}_{a}{b}"), c.cov[a * d + b]);
            }
        }
    }
    out
}

/// Rebuilds the mixture recorded by [`snapshot_records`] (for figures).
pub fn mixture_from_snapshot(dim: usize, get: &dyn Fn(&str) -> Option<f64>) -> Option<Mixture> {
    let mut weights = Vec::new();
    let mut comps = Vec::new();
    for k in 0.. {
        let Some(w) = get(&format!("w{k}")) else {
            break;
        };
        let mut mean = vec![0.0; dim];
        let mut cov = vec![0.0; dim * dim];
        for a in 0..dim {
            mean[a] = get(&format!("mu{k}_{a}"))?;
            for b in a..dim {
                let v = get(&format!("cov{k}_{a}{b}"))?;
                cov[a * dim + b] = v;
                cov[b * dim + a] = v;
            }
        }
        weights.push(w);
        comps.push(Gaussian::new(mean, cov));
    }
    if weights.is_empty() {
        None
    } else {
        Some(Mixture::new(weights, comps))
    }
}

fn run(p: &Params, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
    let setup = Setup::from_params(p)?;
    let records = ctx.replicates("", setup.replicates, |r, rng| setup.run_one(r, rng));
    Ok(RunOutput {
        records,
        theory: Vec::new(),
        report: None,
    })
}

/// The experiment.
pub fn experiment() -> Experiment {
    Experiment {
        id: ID,
        title: "Recursive fitting of a Gaussian mixture by EM (the Nature paper's GMM experiment)",
        about: "Generation 0 is the truth: setting=paper, `components` unit-covariance Gaussians `separation` apart (two by default); setting=notebook, one isotropic blob N(0, I_dim), as the authors' public notebook (make_blobs with one 2-D centre) actually does. Generation n >= 1 is a `fit_components`-component mixture fitted by EM (k-means++ start, tolerance `tol` on the mean log-likelihood, cap `max_iter`, covariance floor `floor`, as scikit-learn's GaussianMixture) to `samples` points of generation n-1, assembled by `policy`. Series: the setting. Metrics per generation: l2_distance (closed-form integral of (p_n - p_0)^2), var (tr Sigma_n / dim), mean_sq_error (|mean_n - mean_0|^2), components (surviving components), em_iterations, em_converged (1/0), empty_components (dropped for lack of mass), log_likelihood (mean per point at the last E-step); at the `snapshots` generations also every component: w{k}, mu{k}_{a}, cov{k}_{a}{b}.",
        params: params(),
        validate,
        work: |p| p.int("replicates") as u64,
        run,
    }
}
