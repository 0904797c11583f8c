//! The `lm-chain` experiment: an n-gram model retrained, generation after generation, on text
//! it wrote itself, through the core loop.
//!
//! Steps: step 0 is the real corpus; step g ≥ 1 is the model fitted on the data of step g − 1
//! (step 1 is the paper's "Real" model, trained on real text). Each generation writes a corpus
//! of the same size: for every original training block (the prompt), `block` new tokens by beam
//! search or by sampling. Setting `none` trains on generated text only (`replace`); `preserve`
//! mixes in a random `preserve_fraction` of the original blocks each generation (`mix`).

use crate::corpus::{Corpus, CorpusError};
use crate::ngram::{NgramModel, Smoothing};
use collapse_core::chain::ChainConfig;
use collapse_core::{
    Dataset, Experiment, ExperimentError, Family, ParamError, ParamSpec, Params, Policy, Record,
    Rng, RunContext, RunOutput, Schedule, run_chain,
};
use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::Arc;

/// The experiment's id.
pub const ID: &str = "lm-chain";

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

/// Edges of the per-sequence perplexity histogram: 40 log-spaced bins over [1, 10⁴].
pub const HIST_BINS: usize = 40;
/// Upper end of the histogram, in perplexity.
pub const HIST_MAX: f64 = 1e4;

/// The histogram bin of a perplexity (values beyond the ends go to the end bins).
pub fn hist_bin(ppl: f64) -> usize {
    let x = ppl.max(1.0).log10() / HIST_MAX.log10() * HIST_BINS as f64;
    (x as usize).min(HIST_BINS - 1)
}

fn bin_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        (0..HIST_BINS)
            .map(|i| format!("sample_ppl_bin_{i:02}"))
            .collect()
    })
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

/// Distinct words in blocks.
pub fn support(blocks: &[Vec<u32>], vocab: usize) -> (usize, Vec<u64>) {
    let mut counts = vec![0u64; vocab];
    for b in blocks {
        for &w in b {
            counts[w as usize] += 1;
        }
    }
    (counts.iter().filter(|&&c| c > 0).count(), counts)
}

/// Largest original count tracked individually by the time-to-forget metrics.
pub const FORGET_MAX_COUNT: u64 = 64;

/// Runs one chain and returns its records.
pub fn run_one(
    family: &LmFamily,
    cfg: &ChainConfig,
    series: &'static str,
    r: u64,
    rng: &mut Rng,
) -> Vec<Record> {
    let corpus = &family.corpus;
    let vocab = corpus.vocab.len();
    let mut out = Vec::new();
    let mut base: Option<Arc<Fitted>> = None;
    // First generation at which each word is absent from the training data.
    let mut extinct: Vec<Option<u64>> = vec![None; vocab];
    let rec = |out: &mut Vec<Record>, step: u64, metric: &'static str, value: f64| {
        out.push(Record::new(series, r, step, metric, value));
    };
    let (orig_support, _) = support(&corpus.train, vocab);
    rec(&mut out, 0, "support", orig_support as f64);
    let res = run_chain(family, cfg, rng, |g, model| {
        let LmModel::Fitted(f) = model else { return };
        let b = base.get_or_insert_with(|| f.clone()).clone();
        rec(
            &mut out,
            g,
            "test_perplexity",
            corpus_perplexity(&f.model, &corpus.test),
        );
        let (sup, counts) = support(&f.data.0, vocab);
        rec(&mut out, g, "support", sup as f64);
        for (w, c) in counts.iter().enumerate() {
            if *c == 0 && corpus.counts[w] > 0 && extinct[w].is_none() {
                extinct[w] = Some(g);
            }
        }
        // The data this model was trained on was written by generation g − 1.
        let ppl = block_perplexities(&b.model, &f.data.0);
        let mut sorted = ppl.clone();
        sorted.sort_by(f64::total_cmp);
        let n = ppl.len() as f64;
        rec(
            &mut out,
            g - 1,
            "sample_ppl_mean",
            ppl.iter().sum::<f64>() / n,
        );
        rec(
            &mut out,
            g - 1,
            "sample_ppl_median",
            collapse_core::stats::quantile_sorted(&sorted, 0.5),
        );
        let mut hist = vec![0.0; HIST_BINS];
        for p in &ppl {
            hist[hist_bin(*p)] += 1.0 / n;
        }
        for (i, h) in hist.into_iter().enumerate() {
            out.push(Record {
                series: Cow::Borrowed(series),
                replicate: r,
                step: g - 1,
                metric: Cow::Borrowed(bin_names()[i].as_str()),
                value: h,
            });
        }
    });
    res.expect("the LM family supports every policy it is given");
    // Time to forget against the original count: for each count c ≤ FORGET_MAX_COUNT, the
    // fraction of such words extinct by the end and their mean extinction generation (words
    // still alive count as generations + 1, a censored value).
    let forget_series: &'static str = if series == "none" {
        "none-forget"
    } else {
        "preserve-forget"
    };
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
        out.push(Record::new(
            forget_series,
            r,
            c,
            "extinct_fraction",
            dead as f64 / words.len() as f64,
        ));
        out.push(Record::new(forget_series, r, c, "extinct_at_mean", mean_at));
    }
    out
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::text(
            "corpus",
            "wikitext-2/valid",
            "training corpus (whitespace-tokenised text): a built-in corpus, embedded in the program (wikitext-2/valid, wikitext-2/test, tiny-shakespeare), or the path of a text file",
        ),
        ParamSpec::text(
            "test_corpus",
            "wikitext-2/test",
            "evaluation corpus for test perplexity: a built-in corpus (as for corpus) or the path of a text file; words not in the training corpus count as <unk>",
        ),
        ParamSpec::int("order", 3, 2, 4, "n-gram order"),
        ParamSpec::choice(
            "smoothing",
            "kneser-ney",
            &["kneser-ney", "add-k"],
            "interpolated Kneser-Ney or add-k",
        ),
        ParamSpec::float(
            "add_k",
            0.01,
            0.0,
            1e6,
            "k of add-k smoothing (0: maximum likelihood)",
        ),
        ParamSpec::choice(
            "decoding",
            "beam",
            &["beam", "sample"],
            "beam search (the paper) or sampling",
        ),
        ParamSpec::int("beams", 5, 1, 64, "beam width"),
        ParamSpec::float_above(
            "temperature",
            1.0,
            0.0,
            100.0,
            "sampling temperature (1 is exact and fast; other values cost O(vocabulary) per token)",
        ),
        ParamSpec::float(
            "repetition_penalty",
            1.0,
            1.0,
            100.0,
            "beam search: ln P of tokens already present is multiplied by this (the authors' code uses 3)",
        ),
        ParamSpec::int(
            "generations",
            10,
            1,
            1000,
            "generations after the first model",
        ),
        ParamSpec::int("replicates", 5, 1, 10_000, "runs per setting"),
        ParamSpec::choice(
            "setting",
            "both",
            &["both", "none", "preserve"],
            "no original data, a preserved fraction of it, or both",
        ),
        ParamSpec::float(
            "preserve_fraction",
            0.1,
            0.0,
            1.0,
            "fraction of original blocks mixed into each generation (setting preserve)",
        ),
        ParamSpec::int(
            "block",
            64,
            4,
            4096,
            "tokens per training block and per generated continuation",
        ),
        ParamSpec::int(
            "max_tokens",
            0,
            0,
            i64::MAX,
            "use at most this many tokens of each corpus (0: all)",
        ),
    ]
}

/// Loads the corpora named by the parameters (built-in names or paths).
pub fn load(p: &Params) -> Result<Corpus, CorpusError> {
    Corpus::load(
        p.text("corpus"),
        p.text("test_corpus"),
        p.usize("block"),
        p.usize("max_tokens"),
    )
}

/// The family described by the parameters.
pub fn family(p: &Params, corpus: Arc<Corpus>) -> LmFamily {
    LmFamily {
        corpus,
        order: p.usize("order"),
        smoothing: if p.text("smoothing") == "kneser-ney" {
            Smoothing::KneserNey
        } else {
            Smoothing::AddK(p.float("add_k"))
        },
        decoding: if p.text("decoding") == "beam" {
            Decoding::Beam {
                beams: p.usize("beams"),
                penalty: p.float("repetition_penalty"),
            }
        } else {
            Decoding::Sample {
                temperature: p.float("temperature"),
            }
        },
    }
}

/// The settings a run covers, as (series, policy).
pub fn settings(p: &Params) -> Vec<(&'static str, Policy)> {
    let none = ("none", Policy::Replace);
    let keep = (
        "preserve",
        Policy::Mix {
            real_fraction: p.float("preserve_fraction"),
        },
    );
    match p.text("setting") {
        "none" => vec![none],
        "preserve" => vec![keep],
        _ => vec![none, keep],
    }
}

/// Refuses, before any work, a corpus that cannot be read or is too small for one block: the
/// corpora are loaded once here (a fraction of a second at WikiText-2 size).
fn validate(p: &Params) -> Result<(), ParamError> {
    load(p)
        .map(drop)
        .map_err(|e| ParamError::conflict(e.param, e.problem.to_string()))
}

/// Runs every setting's replicates.
pub fn run(p: &Params, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
    let corpus = Arc::new(load(p).map_err(|e| ExperimentError::Input(e.to_string()))?);
    let fam = family(p, corpus.clone());
    let mut records = Vec::new();
    for (series, policy) in settings(p) {
        let cfg = ChainConfig {
            generations: p.int("generations") as u64,
            samples: corpus.train.len(),
            schedule: Schedule::Constant,
            policy,
            finite: true,
        };
        records.extend(
            ctx.replicates(series, p.int("replicates") as u64, |r, rng| {
                run_one(&fam, &cfg, series, r, rng)
            }),
        );
    }
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
        title: "An n-gram language model retrained on its own text (Nature Fig. 1b/1c analogue)",
        about: "Step 0 is the real corpus; step g >= 1 is the model trained on the text of step g-1 (step 1 is trained on real text). Each generation writes as many blocks as the original, continuing each original block (the prompt) by `block` tokens. Series `none` (no original data) and `preserve` (a fraction of original blocks mixed in). Metrics: test_perplexity (real test split), support (distinct words in the training data), sample_ppl_mean / sample_ppl_median / sample_ppl_bin_XX (per-block perplexity of the data written by generation `step`, under the step-1 model; 40 log bins over [1, 1e4]); series `*-forget`: step = original count c, extinct_fraction and extinct_at_mean (survivors count as generations+1). With beam decoding and setting none every run is identical: beam search is deterministic.",
        params: params(),
        validate,
        work: |p| p.int("replicates") as u64 * if p.text("setting") == "both" { 2 } else { 1 },
        run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_help_names_every_built_in_corpus() {
        let specs = params();
        let help = specs.iter().find(|s| s.name == "corpus").unwrap().help;
        for t in collapse_data::TEXTS {
            assert!(help.contains(t.name), "{} missing from: {help}", t.name);
        }
    }

    #[test]
    fn unreadable_or_small_corpora_are_refused_before_any_work() {
        let x = experiment();
        let set = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        let e = x
            .resolve(None, &set("corpus", "no/such/file.txt"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("parameter `corpus`: cannot read corpus file `no/such/file.txt`"),
            "{e}"
        );
        let e = x
            .resolve(None, &set("max_tokens", "10"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`corpus`") && e.contains("one block"), "{e}");
        let p = x.resolve(None, &set("corpus", "tiny-shakespeare")).unwrap();
        assert_eq!(p.text("corpus"), "tiny-shakespeare");
    }
}
