//! The fitted models at the snapshot generations of `gmm-chain`, typed and as records.
//!
//! Figures and outside code read the models themselves: [`Setup::snapshots`] runs one chain
//! from the stream `collapse run` gives that replicate ([`Setup::stream`]) and returns the
//! [`Mixture`]s at the snapshot generations with the chain's L2 distance to generation 0.
//!
//! For users of `records.csv`, the run also writes every component of those models as records:
//! `w{k}` (weight), `mu{k}_{a}` (mean coordinate `a`) and `cov{k}_{a}{b}` (covariance entry,
//! `a <= b`), named by [`weight_metric`], [`mean_metric`] and [`cov_metric`]. No figure reads
//! them back.

use super::experiment::{ID, Setup};
use crate::model::{Mixture, l2_distance};
use collapse_core::chain::ChainError;
use collapse_core::{Name, Rng, Rows, RunContext};

/// The metric of component `k`'s weight.
pub fn weight_metric(k: usize) -> String {
    format!("w{k}")
}

/// The metric of coordinate `a` of component `k`'s mean.
pub fn mean_metric(k: usize, a: usize) -> String {
    format!("mu{k}_{a}")
}

/// The metric of entry `(a, b)`, `a <= b`, of component `k`'s covariance.
pub fn cov_metric(k: usize, a: usize, b: usize) -> String {
    format!("cov{k}_{a}{b}")
}

/// The snapshot metric names of mixtures with up to `components` components in `dim`
/// dimensions, interned once per run and kept in text order so that a generation's rows are
/// emitted in canonical order.
#[derive(Clone, Debug)]
pub struct SnapshotNames {
    /// `(name, k, a, b)`, in text order.
    cov: Vec<(Name, usize, usize, usize)>,
    /// `(name, k, a)`, in text order.
    mean: Vec<(Name, usize, usize)>,
    /// `(name, k)`, in text order.
    weight: Vec<(Name, usize)>,
}

impl SnapshotNames {
    /// The names for up to `components` components in `dim` dimensions.
    pub fn new(components: usize, dim: usize) -> Self {
        let mut cov = Vec::new();
        let mut mean = Vec::new();
        let mut weight = Vec::new();
        for k in 0..components {
            weight.push((Name::new(&weight_metric(k)), k));
            for a in 0..dim {
                mean.push((Name::new(&mean_metric(k, a)), k, a));
                for b in a..dim {
                    cov.push((Name::new(&cov_metric(k, a, b)), k, a, b));
                }
            }
        }
        cov.sort_by_key(|e| e.0);
        mean.sort_by_key(|e| e.0);
        weight.sort_by_key(|e| e.0);
        Self { cov, mean, weight }
    }

    /// Pushes the `cov{k}_{a}{b}` rows of `model` (they sort after `components`, before
    /// `em_converged`).
    pub fn push_cov(&self, rows: &mut Rows, series: Name, g: u64, model: &Mixture) {
        let d = model.dim();
        for &(name, k, a, b) in &self.cov {
            if let Some(c) = model.comps.get(k) {
                rows.push(series, g, name, c.cov[a * d + b]);
            }
        }
    }

    /// Pushes the `mu{k}_{a}` rows of `model` (after `mean_sq_error`, before `var`).
    pub fn push_mean(&self, rows: &mut Rows, series: Name, g: u64, model: &Mixture) {
        for &(name, k, a) in &self.mean {
            if let Some(c) = model.comps.get(k) {
                rows.push(series, g, name, c.mean[a]);
            }
        }
    }

    /// Pushes the `w{k}` rows of `model` (after `var`).
    pub fn push_weight(&self, rows: &mut Rows, series: Name, g: u64, model: &Mixture) {
        for &(name, k) in &self.weight {
            if let Some(&w) = model.weights.get(k) {
                rows.push(series, g, name, w);
            }
        }
    }
}

/// A fitted model kept at a snapshot generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The generation (0 is the truth).
    pub generation: u64,
    /// The model.
    pub model: Mixture,
}

/// One chain as its figure shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainSnapshots {
    /// The models at the snapshot generations the chain reached, in increasing generation.
    pub snapshots: Vec<Snapshot>,
    /// `(g, ∫(p_g − p₀)²)` for every generation, the `l2_distance` metric of the run.
    pub l2_distance: Vec<(u64, f64)>,
}

impl Setup {
    /// The stream of replicate `replicate` of a `gmm-chain` run under `seed`: the one
    /// `collapse run gmm-chain --seed SEED` draws that chain from.
    pub fn stream(seed: u64, replicate: u64) -> Rng {
        RunContext::new(seed, ID).stream("", replicate)
    }

    /// Runs one chain drawn from `rng` and keeps its models at the snapshot generations and
    /// its L2 distance to generation 0.
    pub fn snapshots(&self, rng: &mut Rng) -> Result<ChainSnapshots, ChainError> {
        let truth = &self.family.truth;
        let mut out = ChainSnapshots {
            snapshots: Vec::new(),
            l2_distance: Vec::new(),
        };
        self.run_one(rng, |g, model| {
            out.l2_distance.push((g, l2_distance(truth, model)));
            if self.is_snapshot(g) {
                out.snapshots.push(Snapshot {
                    generation: g,
                    model: model.clone(),
                });
            }
        })?;
        Ok(out)
    }
}
