//! The language-model family of the core loop: a generation is a model fine-tuned from the
//! fixed pretrained start on token blocks (or, without one, an n-gram model fitted from
//! scratch), and it writes the next generation's blocks by continuing every original training
//! block (the prompt) with beam search or sampling.

use crate::adapt::{FineTuned, Pretrained};
use crate::corpus::Corpus;
use crate::ngram::{LanguageModel, NgramModel, Smoothing, TopKCache, beam_search};
use collapse_core::{Dataset, Family, Rng};
use rayon::prelude::*;
use std::sync::Arc;

/// How a generation writes text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decoding {
    /// Ancestral sampling at a temperature.
    Sample {
        /// The temperature (1: the model's own distribution).
        temperature: f64,
    },
    /// Deterministic beam search, as the paper's five-way beam search.
    Beam {
        /// Hypotheses kept.
        beams: usize,
        /// Repetition penalty (1: none; the authors' code hard-codes 3).
        penalty: f64,
    },
}

/// Which blocks a fine-tuning sees: the source of run-to-run variation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resample {
    /// Every block: the fit is a function of the data.
    None,
    /// Mini-batches drawn with replacement: `epochs × blocks` draws, uniform over the blocks,
    /// a new draw for every fine-tuning. An n-gram fit counts the blocks seen, and seeing a
    /// block again changes no estimate (the counts scale, the probabilities do not), so the
    /// fit is on the set of blocks drawn at least once; a block is missed with probability
    /// (1 − 1/N)^{eN} ≈ e^{−e} (0.7 % after 5 epochs).
    Batches,
}

/// Training data: token blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Blocks(pub Vec<Vec<u32>>);

impl Dataset for Blocks {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn merge(&mut self, other: Self) {
        self.0.extend(other.0);
    }
    fn subsample(&self, n: usize, rng: &mut Rng) -> Option<Self> {
        Some(Blocks(
            collapse_core::chain::sample_indices(self.0.len(), n, rng)
                .into_iter()
                .map(|i| self.0[i].clone())
                .collect(),
        ))
    }
}

/// A fitted generation: the model and the data it was fine-tuned on.
#[derive(Debug)]
pub struct Fitted {
    /// The fine-tuned model.
    pub model: FineTuned,
    /// Its training data (before any resampling).
    pub data: Blocks,
}

/// The truth (the real corpus) or a fitted generation.
#[derive(Clone, Debug)]
pub enum LmModel {
    /// The real training text.
    Truth,
    /// A fitted model.
    Fitted(Arc<Fitted>),
}

/// The language-model family.
#[derive(Clone, Debug)]
pub struct LmFamily {
    /// The corpus.
    pub corpus: Arc<Corpus>,
    /// n-gram order.
    pub order: usize,
    /// Smoothing of the fine-tuned n-gram model.
    pub smoothing: Smoothing,
    /// Decoding.
    pub decoding: Decoding,
    /// The pretrained start every generation is fine-tuned from (`None`: fitted from scratch).
    pub pretrained: Option<Arc<Pretrained>>,
    /// λ, the weight of the fine-tuning data (1 without a pretrained model).
    pub weight: f64,
    /// Epochs of fine-tuning (the number of mini-batch draws under [`Resample::Batches`]).
    pub epochs: f64,
    /// Which blocks each fine-tuning sees.
    pub resample: Resample,
    /// μ, the weight of the prompt's own n-gram model when writing (0: the generation's model
    /// alone; see [`Prompted`]).
    pub prompt_weight: f64,
}

/// The model a generation writes with after a prompt: its own model with weight 1 − μ and a
/// Kneser–Ney model of the prompt's tokens with weight μ (a cache model, Kuhn & De Mori 1990),
/// so that what it writes depends on the whole prompt and not only on its last `order − 1`
/// tokens, as a transformer's continuation depends on its whole context window.
pub struct Prompted<'a> {
    /// The generation's model.
    pub model: &'a dyn LanguageModel,
    /// The n-gram model of the prompt.
    pub prompt: NgramModel,
    /// μ.
    pub weight: f64,
}

impl LanguageModel for Prompted<'_> {
    fn order(&self) -> usize {
        self.model.order()
    }
    fn vocab(&self) -> usize {
        self.model.vocab()
    }
    fn mixture(&self, ctx: &[u32]) -> crate::ngram::Mixture<'_> {
        self.model
            .mixture(ctx)
            .scaled(1.0 - self.weight)
            .join(self.prompt.mixture(ctx).scaled(self.weight))
    }
}

impl LmFamily {
    /// The model that writes after `prompt`: `m` interpolated with the prompt's Kneser–Ney
    /// model when `prompt_weight` > 0 ([`Prompted`]), else `None` (`m` alone).
    pub fn prompted<'a>(&self, m: &'a dyn LanguageModel, prompt: &[u32]) -> Option<Prompted<'a>> {
        (self.prompt_weight > 0.0).then(|| Prompted {
            model: m,
            prompt: NgramModel::fit(
                &[prompt.to_vec()],
                self.order,
                Smoothing::KneserNey,
                m.vocab(),
            ),
            weight: self.prompt_weight,
        })
    }

    /// Beam search for `len` tokens after `prompt` with `beams` and `penalty`. `cache` holds
    /// top-k lists of `m` alone, reused when no prompt model takes part (a prompted model's
    /// lists differ from prompt to prompt and are not cached).
    pub fn beam(
        &self,
        m: &dyn LanguageModel,
        prompt: &[u32],
        len: usize,
        (beams, penalty): (usize, f64),
        cache: &mut TopKCache,
    ) -> Vec<u32> {
        match self.prompted(m, prompt) {
            Some(p) => beam_search(&p, prompt, len, beams, penalty, &mut TopKCache::default()),
            None => beam_search(m, prompt, len, beams, penalty, cache),
        }
    }

    /// Ancestral sampling of `len` tokens after `prompt` at `temperature`.
    pub fn sample_text(
        &self,
        m: &dyn LanguageModel,
        prompt: &[u32],
        len: usize,
        temperature: f64,
        rng: &mut Rng,
    ) -> Vec<u32> {
        let prompted = self.prompted(m, prompt);
        let m: &dyn LanguageModel = match &prompted {
            Some(p) => p,
            None => m,
        };
        let keep = self.order - 1;
        let mut ctx: Vec<u32> = prompt[prompt.len().saturating_sub(keep)..].to_vec();
        let mut out = Vec::with_capacity(len);
        for _ in 0..len {
            let c = &ctx[ctx.len().saturating_sub(keep)..];
            let w = if temperature == 1.0 {
                m.sample_next(c, rng)
            } else {
                m.sample_next_tempered(c, temperature, rng)
            };
            out.push(w);
            ctx.push(w);
        }
        out
    }

    /// Fine-tunes on `blocks` exactly as given (no resampling).
    pub fn fine_tune(&self, blocks: &[Vec<u32>]) -> FineTuned {
        FineTuned {
            pretrained: self.pretrained.clone(),
            tuned: NgramModel::fit(blocks, self.order, self.smoothing, self.corpus.vocab.len()),
            weight: if self.pretrained.is_some() {
                self.weight
            } else {
                1.0
            },
        }
    }
}

impl Family for LmFamily {
    type Model = LmModel;
    type Data = Blocks;
    fn truth(&self) -> LmModel {
        LmModel::Truth
    }
    fn fit(&self, data: &Blocks, rng: &mut Rng) -> LmModel {
        use rand::RngExt;
        let model = match self.resample {
            Resample::None => self.fine_tune(&data.0),
            Resample::Batches => {
                let n = data.0.len();
                let draws = (self.epochs * n as f64).round() as usize;
                let mut drawn = vec![false; n];
                for _ in 0..draws {
                    drawn[rng.random_range(0..n)] = true;
                }
                let seen: Vec<Vec<u32>> = data
                    .0
                    .iter()
                    .zip(&drawn)
                    .filter(|x| *x.1)
                    .map(|x| x.0.clone())
                    .collect();
                self.fine_tune(&seen)
            }
        };
        LmModel::Fitted(Arc::new(Fitted {
            model,
            data: data.clone(),
        }))
    }
    fn sample(&self, model: &LmModel, n: usize, rng: &mut Rng) -> Blocks {
        let train = &self.corpus.train;
        // Prompts: every original block in order, or a random subset when only some are needed.
        let prompts: Vec<usize> = if n == train.len() {
            (0..n).collect()
        } else {
            collapse_core::chain::sample_indices(train.len(), n, rng)
        };
        match model {
            LmModel::Truth => Blocks(prompts.into_iter().map(|i| train[i].clone()).collect()),
            LmModel::Fitted(f) => {
                let len = train[0].len();
                match self.decoding {
                    // Beam search is deterministic, so blocks can be written in parallel; each
                    // worker keeps the top-k lists it computed (the same contexts recur across
                    // hypotheses and blocks).
                    Decoding::Beam { beams, penalty } => Blocks(
                        prompts
                            .par_iter()
                            .map_init(TopKCache::default, |cache, &i| {
                                self.beam(&f.model, &train[i], len, (beams, penalty), cache)
                            })
                            .collect(),
                    ),
                    Decoding::Sample { temperature } => Blocks(
                        prompts
                            .iter()
                            .map(|&i| self.sample_text(&f.model, &train[i], len, temperature, rng))
                            .collect(),
                    ),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::small_corpus;

    fn family(prompt_weight: f64) -> LmFamily {
        LmFamily {
            corpus: small_corpus().unwrap(),
            order: 3,
            smoothing: Smoothing::KneserNey,
            decoding: Decoding::Beam {
                beams: 5,
                penalty: 1.0,
            },
            pretrained: None,
            weight: 1.0,
            epochs: 1.0,
            resample: Resample::None,
            prompt_weight,
        }
    }

    #[test]
    fn the_prompted_model_is_the_interpolation_and_sums_to_one() {
        let fam = family(0.3);
        let c = fam.corpus.clone();
        let m = fam.fine_tune(&c.train);
        let prompt = &c.train[5];
        let p = fam.prompted(&m, prompt).unwrap();
        let own = NgramModel::fit(
            std::slice::from_ref(prompt),
            3,
            Smoothing::KneserNey,
            c.vocab.len(),
        );
        for ctx in [&prompt[10..12], &c.test[0][3..5], &[]] {
            let dense = p.mixture(ctx).dense(c.vocab.len());
            assert!((dense.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            for w in [prompt[12], c.test[0][5], 0] {
                let want = 0.7 * m.prob(ctx, w) + 0.3 * own.prob(ctx, w);
                assert!((p.prob(ctx, w) - want).abs() < 1e-15);
            }
        }
        assert!(family(0.0).prompted(&m, prompt).is_none());
    }

    #[test]
    fn writing_with_the_prompt_keeps_more_of_its_words() {
        // The share of the continuation's distinct words that occur in the prompt, summed over
        // blocks: the prompt's model makes the text depend on more than the last two tokens.
        let share = |mu: f64| {
            let fam = family(mu);
            let c = fam.corpus.clone();
            let m = fam.fine_tune(&c.train);
            let mut cache = TopKCache::default();
            let mut distinct = 0;
            for prompt in &c.train[..40] {
                let out = fam.beam(&m, prompt, 64, (5, 1.0), &mut cache);
                let mut words: Vec<u32> =
                    out.iter().copied().filter(|w| prompt.contains(w)).collect();
                words.sort_unstable();
                words.dedup();
                distinct += words.len();
            }
            distinct
        };
        let (without, with) = (share(0.0), share(0.6));
        assert!(with > without, "{with} vs {without}");
    }
}
