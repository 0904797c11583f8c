//! One discrete chain as the experiments, checks and figures run it: generation 0's weights,
//! the fit and the loop configuration ([`Setup`]), and what one chain of `discrete-chain`
//! observes ([`Observation`]).

use crate::model::{Categorical, Discrete, FitRule, Metrics};
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::{Flow, Rng, Sources, run_chain};

/// A chain: generation 0, the fit and the loop configuration.
#[derive(Clone, Debug)]
pub struct Setup {
    /// The weights of generation 0 (not normalised).
    pub weights: Vec<f64>,
    /// The fit.
    pub rule: FitRule,
    /// The loop configuration.
    pub chain: ChainConfig,
}

impl Setup {
    /// A `replace`, constant-size, finite-sample chain.
    pub fn replace(weights: Vec<f64>, rule: FitRule, samples: usize, generations: u64) -> Self {
        Self {
            weights,
            rule,
            chain: ChainConfig::replace(samples, generations),
        }
    }

    /// The chain of an error-source combination (`replace`, constant size `samples`):
    /// statistical = finite samples (off: the infinite-sample mode), expressivity = top-`top_k`
    /// truncation, approximation = add-`alpha` smoothing.
    pub fn sources(
        s: Sources,
        weights: &[f64],
        samples: usize,
        generations: u64,
        alpha: f64,
        top_k: usize,
    ) -> Self {
        let rule = FitRule {
            alpha: if s.approximation { alpha } else { 0.0 },
            top_k: s.expressivity.then_some(top_k),
        };
        let mut setup = Self::replace(weights.to_vec(), rule, samples, generations);
        setup.chain.finite = s.statistical;
        setup
    }

    /// The family (build it once per run: it costs O(K)).
    pub fn family(&self) -> Discrete {
        Discrete::new(&self.weights, self.rule, self.chain.samples)
    }

    /// Runs one chain of `family` (built by [`Setup::family`]) through the core loop, calling
    /// `observe(g, model)`.
    pub fn run_one<R: Flow>(
        &self,
        family: &Discrete,
        rng: &mut Rng,
        observe: impl FnMut(u64, &Categorical) -> R,
    ) -> Result<(), ChainError> {
        run_chain(family, &self.chain, rng, observe)
    }

    /// Runs one chain and keeps what `discrete-chain` records of it: the metrics of every
    /// generation, the extinction of the first `track` categories and the absorption time.
    pub fn observe(
        &self,
        family: &Discrete,
        track: usize,
        rng: &mut Rng,
    ) -> Result<Observation, ChainError> {
        let mut metrics = Vec::with_capacity(self.chain.generations as usize + 1);
        // The tracked categories alive at generation 0 that have had mass in every generation
        // since, increasing. Each generation keeps those still in the model's support (a merge
        // of two increasing lists), so tracking costs what the generation's own support costs,
        // not `track` per generation; a category's first generation without mass is final even
        // if a later fit (add-α, mixing) gives it mass again.
        let mut alive: Vec<u32> = (0..track)
            .filter(|&i| family.p0[i] > 0.0)
            .map(|i| i as u32)
            .collect();
        let mut first_dead: Vec<Option<u64>> = vec![None; track];
        let mut absorbed_at = None;
        self.run_one(family, rng, |g, m| {
            let x = family.metrics(m);
            metrics.push(x);
            if x.absorbed == 1.0 && absorbed_at.is_none() {
                absorbed_at = Some(g);
            }
            let mut j = 0;
            alive.retain(|&i| {
                while j < m.idx.len() && m.idx[j] < i {
                    j += 1;
                }
                let present = m.idx.get(j) == Some(&i);
                if !present {
                    first_dead[i as usize] = Some(g);
                }
                present
            });
        })?;
        let extinction = (0..track)
            .filter(|&i| family.p0[i] > 0.0)
            .map(|i| (i, first_dead[i]))
            .collect();
        Ok(Observation {
            metrics,
            extinction,
            absorbed_at,
        })
    }
}

/// What `discrete-chain` keeps of one chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// The metrics of generations 0..=n.
    pub metrics: Vec<Metrics>,
    /// For each tracked category with positive mass at generation 0, in index order: its index
    /// (0-based) and the first generation at which it had no mass (`None`: alive at the end).
    pub extinction: Vec<(usize, Option<u64>)>,
    /// The first generation with a single category, if any.
    pub absorbed_at: Option<u64>,
}
