//! The language-model family of the core loop: a generation is an n-gram model fitted on token
//! blocks, and it writes the next generation's blocks by continuing every original training
//! block (the prompt) with beam search or sampling.

use crate::corpus::Corpus;
use crate::ngram::{NgramModel, Smoothing};
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

/// A fitted generation: the model and the data it was trained on.
#[derive(Debug)]
pub struct Fitted {
    /// The n-gram model.
    pub model: NgramModel,
    /// Its training data.
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
    /// Smoothing.
    pub smoothing: Smoothing,
    /// Decoding.
    pub decoding: Decoding,
}

impl LmFamily {
    /// Writes `len` tokens after `prompt`.
    pub fn continue_text(
        &self,
        m: &NgramModel,
        prompt: &[u32],
        len: usize,
        rng: &mut Rng,
    ) -> Vec<u32> {
        match self.decoding {
            Decoding::Beam { beams, penalty } => m.beam(prompt, len, beams, penalty),
            Decoding::Sample { temperature } => {
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
        }
    }
}

impl Family for LmFamily {
    type Model = LmModel;
    type Data = Blocks;
    fn truth(&self) -> LmModel {
        LmModel::Truth
    }
    fn fit(&self, data: &Blocks, _: &mut Rng) -> LmModel {
        let model = NgramModel::fit(&data.0, self.order, self.smoothing, self.corpus.vocab.len());
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
                    // Beam search is deterministic, so blocks can be written in parallel.
                    Decoding::Beam { .. } => Blocks(
                        prompts
                            .par_iter()
                            .map(|&i| {
                                self.continue_text(&f.model, &train[i], len, &mut rng.clone())
                            })
                            .collect(),
                    ),
                    Decoding::Sample { .. } => Blocks(
                        prompts
                            .iter()
                            .map(|&i| self.continue_text(&f.model, &train[i], len, rng))
                            .collect(),
                    ),
                }
            }
        }
    }
}
