//! The generation loop: one implementation for every model family.
//!
//! A family says what a fitted model is ([`Family::Model`]), what it trains on
//! ([`Family::Data`]: the samples themselves, or sufficient statistics that merge like a
//! monoid), how it fits and how it samples. [`run_chain`] does the rest: it draws generation 0's
//! data from the truth, applies the data [`Policy`] and the [`Schedule`], and hands every fitted
//! generation to an observer.
//!
//! The statistical error source is switched here: in the infinite-sample mode no data is drawn
//! and each generation is the fit to the exact population it would have sampled
//! ([`Family::fit_population`]). Expressivity (the model class) and approximation (the
//! estimator) are the family's own configuration, and [`Sources`] names the combination.

use crate::policy::{Policy, Schedule};
use crate::rng::Rng;

/// What a generation trains on.
pub trait Dataset: Sized + Clone + Send {
    /// Number of data points it holds.
    fn len(&self) -> usize;
    /// Whether it holds no point.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Pools `other` into `self` (accumulation).
    fn merge(&mut self, other: Self);
    /// `n` points drawn without replacement; `None` when the representation cannot (sufficient
    /// statistics forget which point is which).
    fn subsample(&self, n: usize, rng: &mut Rng) -> Option<Self>;
}

/// `n` distinct indices of `0..len` drawn uniformly without replacement (a partial
/// Fisher–Yates shuffle), in the order drawn: what `Dataset::subsample` needs for data kept
/// point by point.
///
/// The shuffle is kept sparse (only the positions it moved), so the cost is O(n) whatever the
/// pool's size, and the indices are exactly those of the dense shuffle with the same draws.
pub fn sample_indices(len: usize, n: usize, rng: &mut Rng) -> Vec<usize> {
    use rand::RngExt;
    let n = n.min(len);
    // moved[k] is what position k holds once the shuffle moved it (absent: k itself).
    let mut moved: std::collections::HashMap<usize, usize> =
        std::collections::HashMap::with_capacity(2 * n);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let j = rng.random_range(i..len);
        let at_i = moved.get(&i).copied().unwrap_or(i);
        let at_j = moved.get(&j).copied().unwrap_or(j);
        out.push(at_j);
        moved.insert(j, at_i);
    }
    out
}

/// Scalar data kept point by point: a family whose data are numbers can use `Vec<f64>`.
impl Dataset for Vec<f64> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn merge(&mut self, other: Self) {
        self.extend(other)
    }
    fn subsample(&self, n: usize, rng: &mut Rng) -> Option<Self> {
        Some(
            sample_indices(self.len(), n, rng)
                .into_iter()
                .map(|i| self[i])
                .collect(),
        )
    }
}

/// A model family: how to fit, how to sample.
pub trait Family: Sync {
    /// A fitted model (or the truth).
    type Model: Clone + Send;
    /// What a fit consumes.
    type Data: Dataset;

    /// Generation 0: the true distribution.
    fn truth(&self) -> Self::Model;
    /// Fits a model to data (expressivity and approximation live here). `rng` is the chain's
    /// stream, for randomised procedures (k-means++ starts, random projections, SGD orders);
    /// deterministic fits ignore it.
    fn fit(&self, data: &Self::Data, rng: &mut Rng) -> Self::Model;
    /// Draws `n` points from a model.
    fn sample(&self, model: &Self::Model, n: usize, rng: &mut Rng) -> Self::Data;
    /// The fit to the exact population `Σ wᵢ modelᵢ` (weights sum to 1): the infinite-sample
    /// limit of [`Family::fit`]. `n` is the size of the training set the finite-sample chain
    /// would fit at this generation (the schedule's size, or the whole pool under
    /// `accumulate`), for procedures whose bias depends on it (the MLE variance's
    /// `(n−1)/n`, add-α smoothing). `None` if the family has no such mode.
    fn fit_population(&self, _mixture: &[(f64, &Self::Model)], _n: usize) -> Option<Self::Model> {
        None
    }
}

/// Whether each of the three error sources is switched on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sources {
    /// Finite samples (off: the infinite-sample mode).
    pub statistical: bool,
    /// A model class too small for the truth.
    pub expressivity: bool,
    /// A biased or truncated learning procedure.
    pub approximation: bool,
}

impl Sources {
    /// Only the statistical error (the classic model-collapse setting).
    pub const STATISTICAL: Sources = Sources {
        statistical: true,
        expressivity: false,
        approximation: false,
    };

    /// All eight combinations, in a fixed order (none first, all last).
    pub fn all() -> [Sources; 8] {
        let mut out = [Sources {
            statistical: false,
            expressivity: false,
            approximation: false,
        }; 8];
        for (i, s) in out.iter_mut().enumerate() {
            *s = Sources {
                statistical: i & 1 != 0,
                expressivity: i & 2 != 0,
                approximation: i & 4 != 0,
            };
        }
        out.sort_by_key(|s| (s.count(), !s.statistical, !s.expressivity));
        out
    }

    /// How many sources are on.
    pub fn count(&self) -> u32 {
        u32::from(self.statistical) + u32::from(self.expressivity) + u32::from(self.approximation)
    }

    /// A series name such as `statistical+approximation`, or `none`.
    pub fn label(&self) -> &'static str {
        match (self.statistical, self.expressivity, self.approximation) {
            (false, false, false) => "none",
            (true, false, false) => "statistical",
            (false, true, false) => "expressivity",
            (false, false, true) => "approximation",
            (true, true, false) => "statistical+expressivity",
            (true, false, true) => "statistical+approximation",
            (false, true, true) => "expressivity+approximation",
            (true, true, true) => "all",
        }
    }
}

/// The loop's configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChainConfig {
    /// Number of fitted generations after the truth.
    pub generations: u64,
    /// The base sample size `M`.
    pub samples: usize,
    /// How the sample size grows.
    pub schedule: Schedule,
    /// How training data is assembled.
    pub policy: Policy,
    /// Finite samples (`true`) or the infinite-sample mode.
    pub finite: bool,
}

impl ChainConfig {
    /// The classic setting: `generations` refits, each on `samples` fresh points of the
    /// previous generation (constant size, `replace`, finite samples).
    pub fn replace(samples: usize, generations: u64) -> Self {
        Self {
            generations,
            samples,
            schedule: Schedule::Constant,
            policy: Policy::Replace,
            finite: true,
        }
    }
}

/// Why a chain could not run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ChainError {
    /// The family keeps sufficient statistics and cannot subsample a pool.
    #[error(
        "policy `accumulate-subsample` needs the data itself; this sampler keeps only sufficient statistics"
    )]
    CannotSubsample,
    /// The family has no infinite-sample mode.
    #[error("this model family has no infinite-sample mode")]
    NoPopulationFit,
}

/// What an observer of [`run_chain`] returns: `()` to go on, or a
/// [`ControlFlow`](std::ops::ControlFlow) whose `Break` ends the chain after the generation
/// just observed (a chain absorbed in a point mass has nothing left to show).
pub trait Flow {
    /// Whether the chain stops here.
    fn stops(&self) -> bool;
}

impl Flow for () {
    fn stops(&self) -> bool {
        false
    }
}

impl Flow for std::ops::ControlFlow<()> {
    fn stops(&self) -> bool {
        self.is_break()
    }
}

/// Runs one chain: calls `observe(g, &model_g)` for g = 0 (the truth) to `cfg.generations`,
/// or until `observe` returns a [`Flow`] that stops.
pub fn run_chain<F, O, R>(
    family: &F,
    cfg: &ChainConfig,
    rng: &mut Rng,
    mut observe: O,
) -> Result<(), ChainError>
where
    F: Family,
    O: FnMut(u64, &F::Model) -> R,
    R: Flow,
{
    let truth = family.truth();
    if observe(0, &truth).stops() || cfg.generations == 0 {
        return Ok(());
    }
    if !cfg.finite {
        return run_population(family, cfg, truth, observe);
    }
    let size = |g: u64| cfg.schedule.size(cfg.samples, g);
    let mut pool: Option<F::Data> = None;
    let mut current = truth.clone();
    for g in 0..cfg.generations {
        let m = size(g);
        // Generation 0's data is real, whatever the policy.
        let train = match cfg.policy {
            Policy::Replace => family.sample(&current, m, rng),
            Policy::Mix { real_fraction } if g > 0 => {
                let real = ((real_fraction * m as f64).round() as usize).min(m);
                let mut d = family.sample(&current, m - real, rng);
                d.merge(family.sample(&truth, real, rng));
                d
            }
            Policy::Mix { .. } => family.sample(&current, m, rng),
            Policy::Accumulate | Policy::AccumulateSubsample => {
                let fresh = family.sample(&current, m, rng);
                let pooled = match pool.as_mut() {
                    None => pool.insert(fresh),
                    Some(p) => {
                        p.merge(fresh);
                        p
                    }
                };
                if cfg.policy == Policy::Accumulate || g == 0 {
                    // The whole pool is the training set: fit it where it lies, no copy.
                    current = family.fit(pooled, rng);
                    if observe(g + 1, &current).stops() {
                        break;
                    }
                    continue;
                }
                pooled
                    .subsample(m, rng)
                    .ok_or(ChainError::CannotSubsample)?
            }
        };
        current = family.fit(&train, rng);
        if observe(g + 1, &current).stops() {
            break;
        }
    }
    Ok(())
}

fn run_population<F, O, R>(
    family: &F,
    cfg: &ChainConfig,
    truth: F::Model,
    mut observe: O,
) -> Result<(), ChainError>
where
    F: Family,
    O: FnMut(u64, &F::Model) -> R,
    R: Flow,
{
    // Every model so far with the sample size it contributed to the pool.
    let mut history: Vec<(usize, F::Model)> = Vec::new();
    let mut current = truth.clone();
    for g in 0..cfg.generations {
        let m = cfg.schedule.size(cfg.samples, g);
        let pooled = matches!(cfg.policy, Policy::Accumulate | Policy::AccumulateSubsample);
        if pooled {
            // Only the accumulating policies fit the mixture of every generation so far (a
            // family that can pool its populations incrementally should do so itself: this
            // generic form costs O(n) per generation).
            history.push((m, current.clone()));
        }
        let next = match cfg.policy {
            Policy::Replace => family.fit_population(&[(1.0, &current)], m),
            Policy::Mix { real_fraction } if g > 0 => family.fit_population(
                &[(1.0 - real_fraction, &current), (real_fraction, &truth)],
                m,
            ),
            Policy::Mix { .. } => family.fit_population(&[(1.0, &current)], m),
            Policy::Accumulate | Policy::AccumulateSubsample => {
                let total: usize = history.iter().map(|(w, _)| w).sum();
                let mix: Vec<(f64, &F::Model)> = history
                    .iter()
                    .map(|(w, m)| (*w as f64 / total as f64, m))
                    .collect();
                // The pool is fitted whole, or a subsample of this generation's size.
                let n = if cfg.policy == Policy::Accumulate {
                    total
                } else {
                    m
                };
                family.fit_population(&mix, n)
            }
        };
        current = next.ok_or(ChainError::NoPopulationFit)?;
        if observe(g + 1, &current).stops() {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// A toy family: the model is a mean, the data a list of points from N(mean, 1).
    struct Mean;
    impl Family for Mean {
        type Model = f64;
        type Data = Vec<f64>;
        fn truth(&self) -> f64 {
            0.0
        }
        fn fit(&self, d: &Vec<f64>, _: &mut Rng) -> f64 {
            d.iter().sum::<f64>() / d.len() as f64
        }
        fn sample(&self, m: &f64, n: usize, rng: &mut Rng) -> Vec<f64> {
            (0..n).map(|_| m + rng.random::<f64>() - 0.5).collect()
        }
        fn fit_population(&self, mix: &[(f64, &f64)], _: usize) -> Option<f64> {
            Some(mix.iter().map(|(w, m)| w * *m).sum())
        }
    }

    /// Both modes see the same training sizes: the finite chain's data, and the `n` of the
    /// population fit.
    #[test]
    fn policies_assemble_the_documented_sizes() {
        for (policy, sizes) in [
            (Policy::Replace, vec![10, 10, 10]),
            (Policy::Accumulate, vec![10, 20, 30]),
            (Policy::AccumulateSubsample, vec![10, 10, 10]),
            (Policy::Mix { real_fraction: 0.3 }, vec![10, 10, 10]),
        ] {
            struct Sizes<'a>(&'a std::sync::Mutex<Vec<usize>>);
            impl Family for Sizes<'_> {
                type Model = f64;
                type Data = Vec<f64>;
                fn truth(&self) -> f64 {
                    0.0
                }
                fn fit(&self, d: &Vec<f64>, _: &mut Rng) -> f64 {
                    self.0.lock().unwrap().push(d.len());
                    0.0
                }
                fn sample(&self, _: &f64, n: usize, _: &mut Rng) -> Vec<f64> {
                    vec![0.0; n]
                }
                fn fit_population(&self, _: &[(f64, &f64)], n: usize) -> Option<f64> {
                    self.0.lock().unwrap().push(n);
                    Some(0.0)
                }
            }
            for finite in [true, false] {
                let seen = std::sync::Mutex::new(Vec::new());
                let cfg = ChainConfig {
                    generations: 3,
                    samples: 10,
                    schedule: Schedule::Constant,
                    policy,
                    finite,
                };
                run_chain(
                    &Sizes(&seen),
                    &cfg,
                    &mut crate::rng::stream(1, "t", 0),
                    |_, _| {},
                )
                .unwrap();
                assert_eq!(*seen.lock().unwrap(), sizes, "{policy:?}, finite {finite}");
            }
        }
    }

    #[test]
    fn an_observer_can_stop_the_chain() {
        for finite in [true, false] {
            let cfg = ChainConfig {
                finite,
                ..ChainConfig::replace(4, 10)
            };
            let mut seen = Vec::new();
            run_chain(&Mean, &cfg, &mut crate::rng::stream(1, "t", 0), |g, _| {
                seen.push(g);
                if g == 2 {
                    std::ops::ControlFlow::Break(())
                } else {
                    std::ops::ControlFlow::Continue(())
                }
            })
            .unwrap();
            assert_eq!(seen, [0, 1, 2], "finite {finite}");
        }
    }

    #[test]
    fn infinite_mode_is_a_fixed_point_for_an_exact_fit() {
        let cfg = ChainConfig {
            generations: 5,
            samples: 10,
            schedule: Schedule::Linear,
            policy: Policy::Accumulate,
            finite: false,
        };
        let mut seen = Vec::new();
        run_chain(&Mean, &cfg, &mut crate::rng::stream(1, "t", 0), |g, m| {
            seen.push((g, *m))
        })
        .unwrap();
        assert_eq!(seen.len(), 6);
        assert!(seen.iter().all(|(_, m)| *m == 0.0));
    }

    /// The sparse shuffle draws exactly the indices of the dense partial Fisher–Yates.
    #[test]
    fn sparse_subsampling_equals_the_dense_shuffle() {
        for (len, n) in [(10usize, 10usize), (1000, 7), (50, 49), (5, 0), (3, 8)] {
            let mut a = crate::rng::stream(2, "s", len as u64);
            let mut b = a.clone();
            let mut idx: Vec<usize> = (0..len).collect();
            let k = n.min(len);
            for i in 0..k {
                let j = a.random_range(i..len);
                idx.swap(i, j);
            }
            idx.truncate(k);
            assert_eq!(sample_indices(len, n, &mut b), idx, "len {len}, n {n}");
        }
    }

    #[test]
    fn sources_enumerate_all_eight_once() {
        let all = Sources::all();
        let mut labels: Vec<_> = all.iter().map(|s| s.label()).collect();
        assert_eq!(labels[0], "none");
        assert_eq!(labels[7], "all");
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), 8);
    }
}
