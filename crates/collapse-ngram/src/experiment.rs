//! The `lm-chain` experiment: an n-gram model retrained, generation after generation, on text
//! it wrote itself, through the core loop. Its parameters, its typed configuration (with the
//! corpora loaded and checked once) and its run.
//!
//! Steps: step 0 is the real corpus; step g ≥ 1 is the model fitted on the data of step g − 1
//! (step 1 is the paper's "Real" model, trained on real text). Each generation writes a corpus
//! of the same size: for every original training block (the prompt), `block` new tokens by beam
//! search or by sampling. Setting `none` trains on generated text only (`replace`); `preserve`
//! mixes in a random `preserve_fraction` of the original blocks each generation (`mix`).

use crate::corpus::Corpus;
use crate::family::{Decoding, LmFamily};
use crate::names::{
    EXTINCT_AT_MEAN, EXTINCT_FRACTION, NONE, NONE_FORGET, PRESERVE, PRESERVE_FORGET,
    SAMPLE_PPL_BINS, SAMPLE_PPL_MEAN, SAMPLE_PPL_MEDIAN, SUPPORT, TEST_PERPLEXITY,
};
use crate::ngram::Smoothing;
use crate::simulation::{FORGET_MAX_COUNT, HIST_BINS, Observation, observe};
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::{
    Cost, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError, ParamSpec, Params,
    Policy, Rows, RunContext, RunOutput, RunView, Schedule,
};
use std::sync::Arc;

/// The experiment's id.
pub const ID: &str = "lm-chain";

collapse_core::choice! {
    /// How the n-gram model smooths (the `smoothing` parameter).
    pub enum SmoothingKind {
        /// Interpolated Kneser–Ney.
        KneserNey = "kneser-ney",
        /// Add-k at the longest seen context (k is the `add_k` parameter).
        AddK = "add-k",
    }
}

collapse_core::choice! {
    /// How a generation writes text (the `decoding` parameter).
    pub enum DecodingKind {
        /// Beam search (the paper).
        Beam = "beam",
        /// Ancestral sampling at a temperature.
        Sample = "sample",
    }
}

collapse_core::choice! {
    /// Which data settings a run covers (the `setting` parameter).
    pub enum Setting {
        /// Both [`Setting::NoOriginal`] and [`Setting::Preserve`].
        Both = "both",
        /// Generated text only (series [`NONE`]).
        NoOriginal = "none",
        /// Generated text with a fraction of the original blocks (series [`PRESERVE`]).
        Preserve = "preserve",
    }
}

/// One data setting of a run: its series, the series of its time-to-forget records, and its
/// data policy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arm {
    /// The series of the per-step records.
    pub series: &'static str,
    /// The series of the time-to-forget records.
    pub forget: &'static str,
    /// How each generation's training data is assembled.
    pub policy: Policy,
}

/// The resolved configuration of a run.
#[derive(Clone, Debug)]
pub struct LmConfig {
    /// The family: the loaded corpora (shared), the order, the smoothing and the decoding.
    pub family: LmFamily,
    /// Generations after the first model.
    pub generations: u64,
    /// Runs per setting.
    pub replicates: u64,
    /// The settings, in run order.
    pub arms: Vec<Arm>,
}

impl LmConfig {
    /// The loaded corpora.
    pub fn corpus(&self) -> &Arc<Corpus> {
        &self.family.corpus
    }

    /// The loop configuration of a setting: one block per original training block, every
    /// generation.
    pub fn chain(&self, arm: &Arm) -> ChainConfig {
        ChainConfig {
            generations: self.generations,
            samples: self.corpus().train.len(),
            schedule: Schedule::Constant,
            policy: arm.policy,
            finite: true,
        }
    }

    /// Checks the combination of parameters once, loads the corpora and builds the
    /// configuration. A corpus that cannot be read or is too small for one block is refused,
    /// naming the parameter and the path, before any work.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let corpus = Corpus::load(
            p.text("corpus"),
            p.text("test_corpus"),
            p.usize("block"),
            p.usize("max_tokens"),
        )
        .map_err(|e| ParamError::conflict(e.param, e.problem.to_string()))?;
        let smoothing = match p.choice::<SmoothingKind>("smoothing") {
            SmoothingKind::KneserNey => Smoothing::KneserNey,
            SmoothingKind::AddK => Smoothing::AddK(p.float("add_k")),
        };
        let decoding = match p.choice::<DecodingKind>("decoding") {
            DecodingKind::Beam => Decoding::Beam {
                beams: p.usize("beams"),
                penalty: p.float("repetition_penalty"),
            },
            DecodingKind::Sample => Decoding::Sample {
                temperature: p.float("temperature"),
            },
        };
        let none = Arm {
            series: NONE,
            forget: NONE_FORGET,
            policy: Policy::Replace,
        };
        let keep = Arm {
            series: PRESERVE,
            forget: PRESERVE_FORGET,
            policy: Policy::Mix {
                real_fraction: p.float("preserve_fraction"),
            },
        };
        let arms = match p.choice::<Setting>("setting") {
            Setting::Both => vec![none, keep],
            Setting::NoOriginal => vec![none],
            Setting::Preserve => vec![keep],
        };
        Ok(Self {
            family: LmFamily {
                corpus: Arc::new(corpus),
                order: p.usize("order"),
                smoothing,
                decoding,
            },
            generations: p.int("generations") as u64,
            replicates: p.int("replicates") as u64,
            arms,
        })
    }

    /// The number of original counts 1..=[`FORGET_MAX_COUNT`] that some word has (the
    /// time-to-forget records of one chain).
    fn forget_counts(&self) -> usize {
        let mut seen = [false; FORGET_MAX_COUNT as usize + 1];
        for &c in &self.corpus().counts {
            if (1..=FORGET_MAX_COUNT).contains(&c) {
                seen[c as usize] = true;
            }
        }
        seen.iter().filter(|&&s| s).count()
    }
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
        ParamSpec::choice_of(
            "smoothing",
            SmoothingKind::KneserNey,
            "interpolated Kneser-Ney or add-k",
        ),
        ParamSpec::float(
            "add_k",
            0.01,
            0.0,
            1e6,
            "k of add-k smoothing (0: maximum likelihood)",
        ),
        ParamSpec::choice_of(
            "decoding",
            DecodingKind::Beam,
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
        ParamSpec::choice_of(
            "setting",
            Setting::Both,
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

/// The interned names of a run's records.
struct RowNames {
    test_perplexity: Name,
    support: Name,
    mean: Name,
    median: Name,
    bins: [Name; HIST_BINS],
    extinct_fraction: Name,
    extinct_at_mean: Name,
}

impl RowNames {
    fn new() -> Self {
        Self {
            test_perplexity: Name::new(TEST_PERPLEXITY),
            support: Name::new(SUPPORT),
            mean: Name::new(SAMPLE_PPL_MEAN),
            median: Name::new(SAMPLE_PPL_MEDIAN),
            bins: SAMPLE_PPL_BINS.map(Name::new),
            extinct_fraction: Name::new(EXTINCT_FRACTION),
            extinct_at_mean: Name::new(EXTINCT_AT_MEAN),
        }
    }

    /// The rows of one chain, in canonical order: per step, the histogram bins, the mean and
    /// the median of the text it wrote, its support and its test perplexity; then the
    /// time-to-forget rows by count.
    fn push(&self, obs: &Observation, series: Name, forget: Name, rows: &mut Rows) {
        for (g, &support) in obs.support.iter().enumerate() {
            let step = g as u64;
            if let Some(w) = obs.written.get(g) {
                for (&bin, &h) in self.bins.iter().zip(&w.histogram) {
                    rows.push(series, step, bin, h);
                }
                rows.push(series, step, self.mean, w.mean);
                rows.push(series, step, self.median, w.median);
            }
            rows.push(series, step, self.support, support as f64);
            if let Some(&ppl) = g.checked_sub(1).and_then(|i| obs.test_perplexity.get(i)) {
                rows.push(series, step, self.test_perplexity, ppl);
            }
        }
        for f in &obs.forget {
            rows.push(forget, f.count, self.extinct_at_mean, f.extinct_at_mean);
            rows.push(forget, f.count, self.extinct_fraction, f.extinct_fraction);
        }
    }
}

/// `lm-chain`.
#[derive(Clone, Copy, Debug, Default)]
pub struct LmChain;

impl Experiment for LmChain {
    type Config = LmConfig;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "An n-gram language model retrained on its own text (Nature Fig. 1b/1c analogue)"
    }
    fn about(&self) -> &'static str {
        "Step 0 is the real corpus; step g >= 1 is the model trained on the text of step g-1 (step 1 is trained on real text). Each generation writes as many blocks as the original, continuing each original block (the prompt) by `block` tokens. Series `none` (no original data) and `preserve` (a fraction of original blocks mixed in). Metrics: test_perplexity (real test split), support (distinct words in the training data), sample_ppl_mean / sample_ppl_median / sample_ppl_bin_XX (per-block perplexity of the data written by generation `step`, under the step-1 model; 40 log bins over [1, 1e4]); series `*-forget`: step = original count c, extinct_fraction and extinct_at_mean (survivors count as generations+1). With beam decoding and setting none every run is identical: beam search is deterministic."
    }
    fn params(&self) -> Vec<ParamSpec> {
        params()
    }
    fn configure(&self, p: &Params) -> Result<LmConfig, ParamError> {
        LmConfig::from_params(p)
    }
    fn work(&self, cfg: &LmConfig) -> u64 {
        cfg.replicates * cfg.arms.len() as u64
    }
    fn cost(&self, cfg: &LmConfig) -> Cost {
        let n = cfg.generations as f64;
        let chains = (cfg.replicates * cfg.arms.len() as u64) as f64;
        // Per chain: support at every step, test perplexity and the written text's 42
        // statistics at every generation, two time-to-forget rows per original count.
        let per_chain =
            (n + 1.0) + n * (1.0 + 2.0 + HIST_BINS as f64) + 2.0 * cfg.forget_counts() as f64;
        let c = cfg.corpus();
        let train = c.train.iter().map(Vec::len).sum::<usize>() as f64;
        let test = c.test.iter().map(Vec::len).sum::<usize>() as f64;
        // The corpora once (token ids; each word twice in the vocabulary, about 64 bytes).
        let corpus = 4.0 * (train + test) + 64.0 * 2.0 * c.vocab.len() as f64 + 8.0 * train;
        // Per running chain: about three models alive (the step-1 model, the newest, the one
        // being fitted), each at most `order` levels of one (context, word) pair per training
        // token (about 24 bytes a pair with the context table; fewer pairs are distinct) plus
        // its training blocks, and the fit's scratch occurrence lists (16 bytes a pair, twice
        // under Kneser–Ney). An upper estimate: a 3-generation chain on the whole WikiText-2
        // validation split measured about 35 MB against 69 MB here.
        let order = cfg.family.order as f64;
        let chain = 3.0 * (order * train * 24.0 + 4.0 * train) + order * train * 32.0;
        let running = (rayon::current_num_threads() as f64).min(cfg.replicates as f64);
        Cost {
            records: chains * per_chain,
            memory: corpus + running * chain,
        }
    }
    fn run(&self, cfg: &LmConfig, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let names = RowNames::new();
        for arm in &cfg.arms {
            let chain = cfg.chain(arm);
            let (series, forget) = (Name::new(arm.series), Name::new(arm.forget));
            ctx.replicates(arm.series, cfg.replicates, |_, rng, rows| {
                let obs = observe(&cfg.family, &chain, rng)?;
                names.push(&obs, series, forget, rows);
                Ok::<(), ChainError>(())
            })?;
        }
        Ok(RunOutput::default())
    }
    fn figure(
        &self,
        _: &LmConfig,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        Some(Ok(Box::new(crate::figures::run_figure(run))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::DynExperiment;

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
        let x = DynExperiment::new(LmChain);
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
        let c = x.resolve(None, &set("corpus", "tiny-shakespeare")).unwrap();
        assert_eq!(c.params().text("corpus"), "tiny-shakespeare");
        // The configuration holds the corpus loaded once.
        let cfg = c.config::<LmConfig>().unwrap();
        assert_eq!(cfg.corpus().vocab.word(0), crate::corpus::UNK);
        assert!(cfg.corpus().train.len() > 1000);
    }

    #[test]
    fn a_chain_emits_its_rows_in_canonical_order() {
        let x = DynExperiment::new(LmChain);
        let c = x
            .configure_with(&[("generations", "3"), ("max_tokens", "3000")])
            .unwrap();
        let cfg = c.config::<LmConfig>().unwrap();
        let names = RowNames::new();
        for arm in &cfg.arms {
            let mut rng = collapse_core::rng::stream(1, ID, 0);
            let obs = observe(&cfg.family, &cfg.chain(arm), &mut rng).unwrap();
            let mut rows = Rows::new(0);
            names.push(
                &obs,
                Name::new(arm.series),
                Name::new(arm.forget),
                &mut rows,
            );
            let r = rows.as_slice();
            assert!(r.windows(2).all(|w| w[0].precedes(&w[1])), "{}", arm.series);
            assert!(r.iter().any(|x| x.metric == TEST_PERPLEXITY));
            assert!(r.iter().any(|x| x.metric == EXTINCT_FRACTION));
        }
    }

    #[test]
    fn the_cost_counts_the_records_exactly() {
        let x = DynExperiment::new(LmChain);
        let c = x
            .configure_with(&[
                ("generations", "2"),
                ("replicates", "2"),
                ("max_tokens", "3000"),
            ])
            .unwrap();
        let run = c.collect(1).unwrap();
        assert_eq!(c.cost().records, run.records.len() as f64);
        assert_eq!(c.work(), 4);
    }
}
