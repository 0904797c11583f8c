//! One chain of the language-model family as `lm-chain`, the checks and the figures run it, and
//! what is measured of it: test perplexity, support, the per-block perplexity of the text each
//! generation writes, and when each word of the original corpus is forgotten.

use crate::family::{Fitted, LmFamily, LmModel};
use crate::ngram::NgramModel;
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::{Rng, run_chain};
use rayon::prelude::*;
use std::sync::Arc;

/// Bins of the per-block perplexity histogram: 40 log-spaced bins over [1, 10⁴].
pub const HIST_BINS: usize = 40;
/// Upper end of the histogram, in perplexity.
pub const HIST_MAX: f64 = 1e4;

/// The histogram bin of a perplexity (values beyond the ends go to the end bins).
pub fn hist_bin(ppl: f64) -> usize {
    let x = ppl.max(1.0).log10() / HIST_MAX.log10() * HIST_BINS as f64;
    (x as usize).min(HIST_BINS - 1)
}

/// The lower edge of histogram bin `i` (bin `i` spans `[bin_edge(i), bin_edge(i + 1))`).
pub fn bin_edge(i: usize) -> f64 {
    10f64.powf(HIST_MAX.log10() * i as f64 / HIST_BINS as f64)
}

/// Perplexities of blocks under a model, in block order.
pub fn block_perplexities(m: &NgramModel, blocks: &[Vec<u32>]) -> Vec<f64> {
    blocks.par_iter().map(|b| m.perplexity(b)).collect()
}

/// Perplexity over all tokens of `blocks` (context within each block).
pub fn corpus_perplexity(m: &NgramModel, blocks: &[Vec<u32>]) -> f64 {
    let logs: Vec<f64> = blocks.par_iter().map(|b| m.log_prob(b)).collect();
    let n: usize = blocks.iter().map(Vec::len).sum();
    (-logs.iter().sum::<f64>() / n as f64).exp()
}

/// Distinct words in blocks, and the count of every word id below `vocab`.
pub fn support(blocks: &[Vec<u32>], vocab: usize) -> (usize, Vec<u64>) {
    let mut counts = vec![0u64; vocab];
    for b in blocks {
        for &w in b {
            counts[w as usize] += 1;
        }
    }
    (counts.iter().filter(|&&c| c > 0).count(), counts)
}

/// Largest original count tracked individually by the time-to-forget measurements.
pub const FORGET_MAX_COUNT: u64 = 64;

/// The text one generation wrote, as the step-1 model (trained on real text) sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    /// Mean per-block perplexity.
    pub mean: f64,
    /// Median per-block perplexity.
    pub median: f64,
    /// The fraction of blocks in each bin of [`hist_bin`].
    pub histogram: [f64; HIST_BINS],
}

impl Written {
    /// The statistics of per-block perplexities.
    pub fn of(ppl: &[f64]) -> Self {
        let mut sorted = ppl.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = ppl.len() as f64;
        let mut histogram = [0.0; HIST_BINS];
        for p in ppl {
            histogram[hist_bin(*p)] += 1.0 / n;
        }
        Self {
            mean: ppl.iter().sum::<f64>() / n,
            median: collapse_core::stats::quantile_sorted(&sorted, 0.5),
            histogram,
        }
    }
}

/// How fast the words of one original count were forgotten.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Forget {
    /// The count c of the words in the original training blocks.
    pub count: u64,
    /// The fraction of words of count c absent from the training data of at least one
    /// generation (extinct by the last one).
    pub extinct_fraction: f64,
    /// The mean first generation at which a word of count c was absent (survivors count as
    /// generations + 1, a censored value).
    pub extinct_at_mean: f64,
}

/// What is measured of one chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// Distinct words in the training data of step g + 1, for g = 0..=n (step 0: the real
    /// corpus).
    pub support: Vec<usize>,
    /// The test perplexity of the model of step g, for g = 1..=n (index g − 1).
    pub test_perplexity: Vec<f64>,
    /// The training data of step g + 1, written by step g, for g = 0..n (step 0: the real
    /// blocks; under `mix` the data includes the real blocks mixed in).
    pub written: Vec<Written>,
    /// Time to forget, for every count 1..=[`FORGET_MAX_COUNT`] that some word has.
    pub forget: Vec<Forget>,
}

/// Runs one chain of `family` under `cfg` through the core loop and measures it.
pub fn observe(
    family: &LmFamily,
    cfg: &ChainConfig,
    rng: &mut Rng,
) -> Result<Observation, ChainError> {
    let corpus = &family.corpus;
    let vocab = corpus.vocab.len();
    let n = cfg.generations as usize;
    let mut obs = Observation {
        support: Vec::with_capacity(n + 1),
        test_perplexity: Vec::with_capacity(n),
        written: Vec::with_capacity(n),
        forget: Vec::new(),
    };
    let mut base: Option<Arc<Fitted>> = None;
    // First generation at which each word is absent from the training data.
    let mut extinct: Vec<Option<u64>> = vec![None; vocab];
    obs.support.push(support(&corpus.train, vocab).0);
    run_chain(family, cfg, rng, |g, model| {
        let LmModel::Fitted(f) = model else { return };
        let b = base.get_or_insert_with(|| f.clone()).clone();
        obs.test_perplexity
            .push(corpus_perplexity(&f.model, &corpus.test));
        let (sup, counts) = support(&f.data.0, vocab);
        obs.support.push(sup);
        for (w, c) in counts.iter().enumerate() {
            if *c == 0 && corpus.counts[w] > 0 && extinct[w].is_none() {
                extinct[w] = Some(g);
            }
        }
        // The data this model was trained on was written by generation g − 1.
        obs.written
            .push(Written::of(&block_perplexities(&b.model, &f.data.0)));
    })?;
    for c in 1..=FORGET_MAX_COUNT {
        let words: Vec<usize> = (0..vocab).filter(|&w| corpus.counts[w] == c).collect();
        if words.is_empty() {
            continue;
        }
        let dead = words.iter().filter(|&&w| extinct[w].is_some()).count();
        let mean_at = words
            .iter()
            .map(|&w| extinct[w].unwrap_or(cfg.generations + 1) as f64)
            .sum::<f64>()
            / words.len() as f64;
        obs.forget.push(Forget {
            count: c,
            extinct_fraction: dead as f64 / words.len() as f64,
            extinct_at_mean: mean_at,
        });
    }
    Ok(obs)
}
