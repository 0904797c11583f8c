//! The `gmm-chain` experiment: its parameters, its typed configuration and its run.

use super::snapshot::SnapshotNames;
use crate::em::{EmConfig, Init};
use crate::family::{Fit, MixtureFamily};
use crate::model::{Gaussian, Mixture, l2_distance};
use crate::names::{
    COMPONENTS, EM_CONVERGED, EM_ITERATIONS, EMPTY_COMPONENTS, L2_DISTANCE, LOG_LIKELIHOOD,
    MEAN_SQ_ERROR, VAR,
};
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::params::parse_list;
use collapse_core::{
    Choice, Cost, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError, ParamSpec,
    Params, Policy, Rows, RunContext, RunOutput, RunView, Schedule, run_chain,
};

/// The experiment's id.
pub const ID: &str = "gmm-chain";

/// The paper's snapshot generations.
pub const SNAPSHOTS: &str = "0,50,100,150,200,350,2000";

collapse_core::choice! {
    /// Generation 0 of the chain; also the name of the run's series.
    pub enum Setting {
        /// `components` unit-covariance Gaussians `separation` apart along the first axis, equal
        /// weights (the paper's text).
        Paper = "paper",
        /// One isotropic blob `N(0, I_dim)` (the authors' notebook: `make_blobs` with one 2-D
        /// centre).
        Notebook = "notebook",
    }
}

fn params() -> Vec<ParamSpec> {
    let [policy, real_fraction] = collapse_core::policy::policy_params();
    vec![
        ParamSpec::choice_of(
            "setting",
            Setting::Paper,
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
            FLOOR_MIN,
            1e6,
            "added to every fitted covariance's diagonal (scikit-learn's reg_covar); at least 1e-12, since without a floor a component fitted to as few points as dimensions has a singular covariance and an infinite L2 distance",
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
            "comma-separated generations at which every fitted component is recorded (w{k}, mu{k}_{a}, cov{k}_{a}{b}); empty for none",
        ),
    ]
}

/// Parses the snapshot list strictly ([`parse_list`]: no empty item, integers only), then sorts
/// it and drops repeats; an empty text means no snapshot.
pub fn parse_snapshots(text: &str) -> Result<Vec<u64>, ParamError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut v: Vec<u64> = parse_list(
        "snapshots",
        text,
        "generations (integers >= 0), or nothing for none",
    )?;
    v.sort_unstable();
    v.dedup();
    Ok(v)
}

/// The smallest covariance floor: a component fitted to `d` or fewer points has a singular
/// scatter matrix, so with no floor its density and `∫p²` are infinite. With `1e-12` on the
/// diagonal, `∫p²` of a point-like component in 8 dimensions is about `1e43`, and the squares
/// the summary's standard error takes stay far from overflow.
pub const FLOOR_MIN: f64 = 1e-12;

/// Generation 0 of a setting: `components` (0: the setting's own number) unit Gaussians
/// `separation` apart along the first axis, or one isotropic blob.
pub fn truth(setting: Setting, dim: usize, components: usize, separation: f64) -> Mixture {
    if setting == Setting::Notebook {
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

/// The resolved configuration of a run.
#[derive(Clone, Debug)]
pub struct Setup {
    /// `paper` or `notebook` (the series).
    pub setting: Setting,
    /// The family (truth and EM).
    pub family: MixtureFamily,
    /// The loop.
    pub chain: ChainConfig,
    /// Chains.
    pub replicates: u64,
    /// Snapshot generations, sorted, without duplicates.
    pub snapshots: Vec<u64>,
}

/// The largest EM workload `policy=accumulate` may ask for: samples × generations² × dim / 2.
const ACCUMULATE_MAX_WORK: f64 = 2e10;

impl Setup {
    /// Checks the combination of parameters once and builds the configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let snapshots = parse_snapshots(p.text("snapshots"))?;
        let setting: Setting = p.choice("setting");
        let k = p.usize("components");
        if setting == Setting::Notebook && k > 1 {
            return Err(ParamError::conflict(
                "components",
                format!("{k} is not valid with setting=notebook (one blob); valid range: 0 or 1"),
            ));
        }
        let (samples, generations, dim) = (
            p.usize("samples"),
            p.int("generations") as u64,
            p.usize("dim"),
        );
        let (m, g, d) = (samples as f64, generations as f64, dim as f64);
        let fit_components = p.usize("fit_components");
        if fit_components as f64 > m {
            return Err(ParamError::conflict(
                "fit_components",
                format!("must not exceed samples ({m}); valid range: [1, samples]"),
            ));
        }
        let policy = Policy::from_params(p)?;
        // EM over a pool that grows every generation costs M G²/2 point-iterations.
        if policy == Policy::Accumulate && m * g * g * d / 2.0 > ACCUMULATE_MAX_WORK {
            return Err(ParamError::conflict(
                "generations",
                format!(
                    "policy=accumulate would refit EM on pools summing to {:.2e} points; valid: samples × generations² × dim / 2 <= 2e10",
                    m * g * g * d / 2.0
                ),
            ));
        }
        let em = EmConfig {
            components: fit_components,
            tol: p.float("tol"),
            max_iter: p.usize("max_iter"),
            floor: p.float("floor"),
            init: Init::KMeans {
                restarts: p.usize("restarts"),
            },
            trace: false,
        };
        Ok(Self {
            setting,
            family: MixtureFamily {
                truth: truth(setting, dim, k, p.float("separation")),
                fit: Fit::Em(em),
            },
            chain: ChainConfig {
                generations,
                samples,
                schedule: Schedule::Constant,
                policy,
                finite: true,
            },
            replicates: p.int("replicates") as u64,
            snapshots,
        })
    }

    /// The dimension of the data.
    pub fn dim(&self) -> usize {
        self.family.truth.dim()
    }

    /// The most components a model of the chain can have (the truth's or the fit's).
    pub fn max_components(&self) -> usize {
        let fitted = match self.family.fit {
            Fit::Em(cfg) => cfg.components,
            Fit::Gaussian { .. } => 1,
        };
        self.family.truth.weights.len().max(fitted)
    }

    /// Whether generation `g` is a snapshot generation.
    pub fn is_snapshot(&self, g: u64) -> bool {
        self.snapshots.binary_search(&g).is_ok()
    }

    /// Runs one chain drawn from `rng`: calls `observe(g, model)` for every generation, the
    /// truth first.
    pub fn run_one(
        &self,
        rng: &mut collapse_core::Rng,
        observe: impl FnMut(u64, &Mixture),
    ) -> Result<(), ChainError> {
        run_chain(&self.family, &self.chain, rng, observe)
    }
}

/// What a run writes of every generation, with its names interned once per run.
struct Writer<'a> {
    setup: &'a Setup,
    /// The truth's mean.
    m0: Vec<f64>,
    series: Name,
    l2: Name,
    var: Name,
    mse: Name,
    components: Name,
    iterations: Name,
    converged: Name,
    empty: Name,
    log_likelihood: Name,
    snapshot: SnapshotNames,
}

impl<'a> Writer<'a> {
    fn new(setup: &'a Setup) -> Self {
        Self {
            setup,
            m0: setup.family.truth.mean(),
            series: Name::new(setup.setting.name()),
            l2: Name::new(L2_DISTANCE),
            var: Name::new(VAR),
            mse: Name::new(MEAN_SQ_ERROR),
            components: Name::new(COMPONENTS),
            iterations: Name::new(EM_ITERATIONS),
            converged: Name::new(EM_CONVERGED),
            empty: Name::new(EMPTY_COMPONENTS),
            log_likelihood: Name::new(LOG_LIKELIHOOD),
            snapshot: SnapshotNames::new(setup.max_components(), setup.dim()),
        }
    }

    /// Rows per chain, snapshots aside.
    fn rows_per_chain(&self) -> usize {
        8 * (self.setup.chain.generations as usize + 1)
    }

    /// The rows of generation `g`, in canonical (text) order of their metrics, the snapshot's
    /// components interleaved where their names sort.
    fn generation(&self, rows: &mut Rows, g: u64, model: &Mixture) {
        let (series, snap) = (self.series, self.setup.is_snapshot(g));
        rows.push(series, g, self.components, model.weights.len() as f64);
        if snap {
            self.snapshot.push_cov(rows, series, g, model);
        }
        if let Some(rep) = &model.report {
            let converged = f64::from(u8::from(rep.converged));
            rows.push(series, g, self.converged, converged);
            rows.push(series, g, self.iterations, rep.iterations as f64);
            rows.push(series, g, self.empty, rep.empty as f64);
        }
        let truth = &self.setup.family.truth;
        rows.push(series, g, self.l2, l2_distance(truth, model));
        if let Some(rep) = &model.report {
            rows.push(series, g, self.log_likelihood, rep.log_likelihood);
        }
        let mse: f64 = model
            .mean()
            .iter()
            .zip(&self.m0)
            .map(|(a, b)| (a - b).powi(2))
            .sum();
        rows.push(series, g, self.mse, mse);
        if snap {
            self.snapshot.push_mean(rows, series, g, model);
        }
        rows.push(series, g, self.var, model.var());
        if snap {
            self.snapshot.push_weight(rows, series, g, model);
        }
    }
}

/// `gmm-chain`.
#[derive(Clone, Copy, Debug, Default)]
pub struct GmmChain;

impl Experiment for GmmChain {
    type Config = Setup;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "Recursive fitting of a Gaussian mixture by EM (the Nature paper's GMM experiment)"
    }
    fn about(&self) -> &'static str {
        "Generation 0 is the truth: setting=paper, `components` unit-covariance Gaussians `separation` apart (two by default); setting=notebook, one isotropic blob N(0, I_dim), as the authors' public notebook (make_blobs with one 2-D centre) actually does. Generation n >= 1 is a `fit_components`-component mixture fitted by EM (k-means++ start, tolerance `tol` on the mean log-likelihood, cap `max_iter`, covariance floor `floor`, as scikit-learn's GaussianMixture) to `samples` points of generation n-1, assembled by `policy`. Series: the setting. Metrics per generation: l2_distance (closed-form integral of (p_n - p_0)^2), var (tr Sigma_n / dim), mean_sq_error (|mean_n - mean_0|^2), components (surviving components), em_iterations, em_converged (1/0), empty_components (dropped for lack of mass), log_likelihood (mean per point at the last E-step); at the `snapshots` generations also every component: w{k}, mu{k}_{a}, cov{k}_{a}{b}."
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
        let (m, g) = (s.chain.samples as f64, s.chain.generations as f64);
        let (d, k) = (s.dim() as f64, s.max_components() as f64);
        let snapshots = s
            .snapshots
            .iter()
            .filter(|&&x| x <= s.chain.generations)
            .count() as f64;
        // Four metrics every generation, four EM metrics every fitted one, and every
        // component's parameters at the snapshots.
        let per_chain = 4.0 * (g + 1.0) + 4.0 * g + snapshots * k * (1.0 + d + d * (d + 1.0) / 2.0);
        // Per worker: the pool (everything drawn so far under the accumulating policies), the
        // training set and EM's coordinate-major copy of it, and six vectors of its length
        // (k-means' best and current distances, its mask and labels, EM's cluster mask and
        // labels). Measured: 97 MB of resident memory for 2 workers on an accumulated pool of
        // 500,000 2-D points, against 99 MB estimated.
        let pool = match s.chain.policy {
            Policy::Accumulate | Policy::AccumulateSubsample => m * g.max(1.0),
            _ => m,
        };
        let train = if s.chain.policy == Policy::Accumulate {
            pool
        } else {
            m
        };
        let per_worker = 8.0 * (pool * d + train * (2.0 * d + 6.0) + m * d);
        Cost {
            records: s.replicates as f64 * per_chain,
            memory: per_worker * rayon::current_num_threads() as f64,
        }
    }
    fn run(&self, s: &Setup, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let writer = Writer::new(s);
        ctx.replicates("", s.replicates, |_, rng, rows| {
            rows.reserve(writer.rows_per_chain());
            s.run_one(rng, |g, model| writer.generation(rows, g, model))
        })?;
        Ok(RunOutput::default())
    }
    fn figure(
        &self,
        s: &Setup,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        Some(Ok(Box::new(crate::figures::gmm::run_figure(s, run))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::DynExperiment;

    /// A generation's rows come out in canonical order, so the ensemble never sorts them,
    /// even with ten components and more (`w10` sorts before `w2`).
    #[test]
    fn rows_are_emitted_in_canonical_order() {
        let run = DynExperiment::new(GmmChain)
            .configure_with(&[
                ("dim", "3"),
                ("fit_components", "12"),
                ("samples", "400"),
                ("generations", "3"),
                ("snapshots", "0,2,3"),
            ])
            .unwrap();
        let s: &Setup = run.config().unwrap();
        let writer = Writer::new(s);
        let mut rows = Rows::new(0);
        s.run_one(&mut Setup::stream(1, 0), |g, m| {
            writer.generation(&mut rows, g, m)
        })
        .unwrap();
        let rows = rows.as_slice();
        // Strictly increasing keys: in order, and no metric twice.
        let key = |r: &collapse_core::Row| (r.series, r.step, r.metric);
        assert!(
            rows.windows(2)
                .all(|w| w[0].precedes(&w[1]) && key(&w[0]) != key(&w[1]))
        );
        assert!(rows.iter().any(|r| r.metric == "cov11_22" && r.step == 3));
    }
}
