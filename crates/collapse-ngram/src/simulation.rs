//! One chain of the language-model family as `lm-chain`, the checks and the figures run it, and
//! what is measured of it: test perplexity, support, the per-block perplexity of the text each
//! generation writes, and when each word of the original corpus is forgotten.

use crate::family::{Fitted, LmFamily, LmModel};
use crate::ngram::LanguageModel;
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
pub fn block_perplexities(m: &dyn LanguageModel, blocks: &[Vec<u32>]) -> Vec<f64> {
    blocks.par_iter().map(|b| m.perplexity(b)).collect()
}

/// Perplexity over all tokens of `blocks` (context within each block).
pub fn corpus_perplexity(m: &dyn LanguageModel, blocks: &[Vec<u32>]) -> f64 {
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

/// The training data of one generation, as the generation-0 model (fine-tuned on real text)
/// sees it.
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
    /// the number of generations, one past the last, a censored value).
    pub extinct_at_mean: f64,
}

/// The fractions of blocks beyond the real data's 5th and 95th percentiles of per-block
/// perplexity (under the generation-0 model): the low-perplexity mass and the high tail.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tails {
    /// Fraction of blocks with perplexity below the real data's 5th percentile.
    pub low: f64,
    /// Fraction of blocks with perplexity above the real data's 95th percentile.
    pub high: f64,
}

impl Tails {
    /// The tails of `ppl` with respect to the real data's percentiles `(q05, q95)`.
    pub fn of(ppl: &[f64], (q05, q95): (f64, f64)) -> Self {
        let n = ppl.len() as f64;
        Self {
            low: ppl.iter().filter(|&&p| p < q05).count() as f64 / n,
            high: ppl.iter().filter(|&&p| p > q95).count() as f64 / n,
        }
    }
}

/// What is measured of one chain. Index g is generation g: generation 0 is fine-tuned on the
/// real blocks, generation g ≥ 1 on the blocks generation g − 1 wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// Distinct words in the training data of each generation (generation 0: the real blocks).
    pub support: Vec<usize>,
    /// Words of the real fine-tuning blocks still present in each generation's training data
    /// (the vocabulary alive; generation 0: all of them).
    pub alive: Vec<usize>,
    /// The test perplexity of each generation's model.
    pub test_perplexity: Vec<f64>,
    /// The training data of each generation as the generation-0 model sees it (under `mix`
    /// the data includes the real blocks mixed in).
    pub written: Vec<Written>,
    /// The low-perplexity mass and the high tail of each generation's data.
    pub tails: Vec<Tails>,
    /// Time to forget, for every count 1..=[`FORGET_MAX_COUNT`] that some word has.
    pub forget: Vec<Forget>,
}

/// Runs one chain of `family` under `cfg` through the core loop and measures it (`cfg`'s
/// `generations` models: generation 0 to `generations − 1`).
pub fn observe(
    family: &LmFamily,
    cfg: &ChainConfig,
    rng: &mut Rng,
) -> Result<Observation, ChainError> {
    let corpus = &family.corpus;
    let vocab = corpus.vocab.len();
    let n = cfg.generations as usize;
    let mut obs = Observation {
        support: Vec::with_capacity(n),
        alive: Vec::with_capacity(n),
        test_perplexity: Vec::with_capacity(n),
        written: Vec::with_capacity(n),
        tails: Vec::with_capacity(n),
        forget: Vec::new(),
    };
    let mut base: Option<(Arc<Fitted>, (f64, f64))> = None;
    // First generation at which each word is absent from the training data.
    let mut extinct: Vec<Option<u64>> = vec![None; vocab];
    run_chain(family, cfg, rng, |step, model| {
        let LmModel::Fitted(f) = model else { return };
        // The loop's step 1 is the first fitted model: generation 0.
        let g = step - 1;
        obs.test_perplexity
            .push(corpus_perplexity(&f.model, &corpus.test));
        let (sup, counts) = support(&f.data.0, vocab);
        obs.support.push(sup);
        let mut alive = 0;
        for (w, c) in counts.iter().enumerate() {
            if corpus.counts[w] > 0 {
                if *c > 0 {
                    alive += 1;
                } else if extinct[w].is_none() {
                    extinct[w] = Some(g);
                }
            }
        }
        obs.alive.push(alive);
        let (b, real) = base
            .get_or_insert_with(|| {
                // Generation 0's data is the real blocks: their percentiles under their own
                // model are the reference of the tails.
                let mut ppl = block_perplexities(&f.model, &f.data.0);
                ppl.sort_by(f64::total_cmp);
                let q = |p| collapse_core::stats::quantile_sorted(&ppl, p);
                (f.clone(), (q(0.05), q(0.95)))
            })
            .clone();
        let ppl = block_perplexities(&b.model, &f.data.0);
        obs.written.push(Written::of(&ppl));
        obs.tails.push(Tails::of(&ppl, real));
    })?;
    for c in 1..=FORGET_MAX_COUNT {
        let words: Vec<usize> = (0..vocab).filter(|&w| corpus.counts[w] == c).collect();
        if words.is_empty() {
            continue;
        }
        let dead = words.iter().filter(|&&w| extinct[w].is_some()).count();
        let mean_at = words
            .iter()
            .map(|&w| extinct[w].unwrap_or(cfg.generations) as f64)
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
