//! Corpora: whitespace-tokenised text, a vocabulary fixed by the training corpus, and 64-token
//! blocks (the paper's training sequences).

use std::borrow::Cow;
use std::collections::HashMap;

/// The token every out-of-vocabulary word of an evaluation corpus maps to.
pub const UNK: &str = "<unk>";

/// Largest vocabulary: token ids are packed 20 bits apiece into context keys.
pub const MAX_VOCAB: usize = 1 << 20;

/// Why a corpus could not be used: the parameter that named it and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("parameter `{param}`: {problem}")]
pub struct CorpusError {
    /// The parameter that named the corpus (`corpus`, `test_corpus` or `general_corpus`).
    pub param: &'static str,
    /// What is wrong with it.
    pub problem: CorpusProblem,
}

/// What is wrong with a corpus.
#[derive(Debug, thiserror::Error)]
pub enum CorpusProblem {
    /// Not a built-in corpus, and the file is missing or unreadable.
    #[error(
        "cannot read corpus file `{path}`: {source}; give a readable text file or a built-in corpus ({})",
        collapse_data::text_names()
    )]
    Unreadable {
        /// The path given.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The corpus holds too few words for one block (an empty file has none).
    #[error("corpus `{name}` has {words} words{capped}; at least {needed} (one block) are needed")]
    TooSmall {
        /// The built-in name or the path.
        name: String,
        /// Words used.
        words: usize,
        /// `" (max_tokens = N)"` when `max_tokens` cut the corpus short, else empty.
        capped: String,
        /// Words needed.
        needed: usize,
    },
    /// No word of the test corpus is in the vocabulary of the training texts: every test token
    /// would be `<unk>`, and the test perplexity would measure nothing.
    #[error(
        "no word of test corpus `{name}` occurs in the training texts (every test word would be <unk>); give a test text in the corpus's language"
    )]
    NoKnownWord {
        /// The built-in name or the path.
        name: String,
    },
    /// More distinct words than token ids can hold.
    #[error("corpus `{name}` has more than {MAX_VOCAB} distinct words")]
    TooLarge {
        /// The built-in name or the path.
        name: String,
    },
}

impl CorpusError {
    fn new(param: &'static str, problem: CorpusProblem) -> Self {
        Self { param, problem }
    }
}

/// The text a `corpus`, `test_corpus` or `general_corpus` value names: a built-in corpus of `collapse-data`
/// (`wikitext-2/valid`, `wikitext-2/test`, `tiny-shakespeare`), embedded in the program, or
/// else a file, read relative to the working directory. (A file whose path is a built-in name
/// is read as `./NAME`.)
pub fn text(param: &'static str, value: &str) -> Result<Cow<'static, str>, CorpusError> {
    if let Some(t) = collapse_data::text(value) {
        return Ok(Cow::Borrowed(t));
    }
    std::fs::read_to_string(value)
        .map(Cow::Owned)
        .map_err(|source| {
            CorpusError::new(
                param,
                CorpusProblem::Unreadable {
                    path: value.to_string(),
                    source,
                },
            )
        })
}

/// A vocabulary: words and their ids.
#[derive(Clone, Debug, Default)]
pub struct Vocab {
    words: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Vocab {
    /// The id of `w`, adding it if new.
    pub fn intern(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.ids.get(w) {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(w.to_string());
        self.ids.insert(w.to_string(), id);
        id
    }
    /// The id of `w`, if known.
    pub fn get(&self, w: &str) -> Option<u32> {
        self.ids.get(w).copied()
    }
    /// The word with id `id`.
    pub fn word(&self, id: u32) -> &str {
        &self.words[id as usize]
    }
    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }
    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// What a run reads: the fine-tuning corpus (part of it possibly held out as pretraining text),
/// the test corpus and an optional general pretraining corpus, each a built-in name or a path.
#[derive(Clone, Copy, Debug)]
pub struct CorpusSpec<'a> {
    /// The `corpus` parameter: the fine-tuning text.
    pub train: &'a str,
    /// The `test_corpus` parameter.
    pub test: &'a str,
    /// The `general_corpus` parameter: out-of-domain pretraining text, if any.
    pub general: Option<&'a str>,
    /// The fraction of the fine-tuning corpus's blocks, from its start, held out as in-domain
    /// pretraining text (the `holdout` parameter, below 1; the number of blocks held out is
    /// rounded down, so at least one block is left to fine-tune on).
    pub holdout: f64,
    /// Tokens per block.
    pub block: usize,
    /// At most this many tokens of each text (0: all).
    pub max_tokens: usize,
}

/// The corpora of a run in one vocabulary: fine-tuning blocks, test blocks and the pretraining
/// texts.
#[derive(Clone, Debug)]
pub struct Corpus {
    /// The vocabulary of every training text: the fine-tuning corpus (held-out part included)
    /// and the general corpus, plus `<unk>` (id 0).
    pub vocab: Vocab,
    /// Fine-tuning blocks of `block` tokens each (a last partial block is dropped).
    pub train: Vec<Vec<u32>>,
    /// Evaluation blocks (words outside the vocabulary mapped to `<unk>`).
    pub test: Vec<Vec<u32>>,
    /// How often each word occurs in the fine-tuning blocks.
    pub counts: Vec<u64>,
    /// In-domain pretraining blocks: the held-out start of the fine-tuning corpus.
    pub domain: Vec<Vec<u32>>,
    /// Out-of-domain pretraining blocks: the general corpus (empty without one).
    pub general: Vec<Vec<u32>>,
}

fn blocks(tokens: &[u32], block: usize) -> Vec<Vec<u32>> {
    tokens.chunks_exact(block).map(<[u32]>::to_vec).collect()
}

impl Corpus {
    /// Loads the texts `spec` names (built-in names or paths, see [`text`]). A text that cannot
    /// be read, has too few words for a block, or a test text with no word in the training
    /// vocabulary, is refused naming its parameter and its name or path.
    pub fn load(spec: &CorpusSpec<'_>) -> Result<Self, CorpusError> {
        let a = text("corpus", spec.train)?;
        let b = text("test_corpus", spec.test)?;
        let c = spec
            .general
            .map(|g| text("general_corpus", g))
            .transpose()?;
        Self::from_texts(&a, &b, c.as_deref(), spec).map_err(|mut e| {
            let named = match e.param {
                "corpus" => spec.train,
                "test_corpus" => spec.test,
                _ => spec.general.unwrap_or_default(),
            };
            match &mut e.problem {
                CorpusProblem::TooSmall { name, .. }
                | CorpusProblem::TooLarge { name }
                | CorpusProblem::NoKnownWord { name } => {
                    *name = named.to_string();
                }
                CorpusProblem::Unreadable { .. } => {}
            }
            e
        })
    }

    /// Builds a corpus from a training and a test text already in memory (no holdout, no
    /// general corpus).
    pub fn from_text(
        train: &str,
        test: &str,
        block: usize,
        max_tokens: usize,
    ) -> Result<Self, CorpusError> {
        let spec = CorpusSpec {
            train: "(text)",
            test: "(text)",
            general: None,
            holdout: 0.0,
            block,
            max_tokens,
        };
        Self::from_texts(train, test, None, &spec)
    }

    /// Builds a corpus from texts already in memory, as `spec` says (its names are used only in
    /// messages).
    pub fn from_texts(
        train: &str,
        test: &str,
        general: Option<&str>,
        spec: &CorpusSpec<'_>,
    ) -> Result<Self, CorpusError> {
        let (block, max_tokens) = (spec.block, spec.max_tokens);
        let cap = |n: usize| {
            if max_tokens == 0 {
                n
            } else {
                n.min(max_tokens)
            }
        };
        let too_small = |param: &'static str, have: usize, total: usize, needed: usize| {
            CorpusError::new(
                param,
                CorpusProblem::TooSmall {
                    name: "(text)".into(),
                    words: have,
                    capped: if have < total {
                        format!(" (max_tokens = {max_tokens})")
                    } else {
                        String::new()
                    },
                    needed,
                },
            )
        };
        let mut vocab = Vocab::default();
        let unk = vocab.intern(UNK);
        let mut read =
            |param: &'static str, text: &str| -> Result<(Vec<u32>, usize), CorpusError> {
                let words: Vec<&str> = text.split_whitespace().collect();
                let n = cap(words.len());
                let mut ids = Vec::with_capacity(n);
                for w in &words[..n] {
                    ids.push(vocab.intern(w));
                    if vocab.len() > MAX_VOCAB {
                        return Err(CorpusError::new(
                            param,
                            CorpusProblem::TooLarge {
                                name: "(text)".into(),
                            },
                        ));
                    }
                }
                Ok((ids, words.len()))
            };
        let (ids, total) = read("corpus", train)?;
        if ids.len() < block {
            return Err(too_small("corpus", ids.len(), total, block));
        }
        // The held-out start, whole blocks only; `holdout` < 1 leaves at least one block.
        let held = ((spec.holdout * (ids.len() / block) as f64).floor() as usize) * block;
        let general = match general {
            Some(g) => {
                let (gids, gtotal) = read("general_corpus", g)?;
                if gids.len() < block {
                    return Err(too_small("general_corpus", gids.len(), gtotal, block));
                }
                blocks(&gids, block)
            }
            None => Vec::new(),
        };
        let test_words: Vec<&str> = test.split_whitespace().collect();
        let m = cap(test_words.len());
        let test_ids: Vec<u32> = test_words[..m]
            .iter()
            .map(|w| vocab.get(w).unwrap_or(unk))
            .collect();
        if test_ids.len() < block {
            return Err(too_small(
                "test_corpus",
                test_ids.len(),
                test_words.len(),
                block,
            ));
        }
        if test_ids.iter().all(|&w| w == unk) {
            return Err(CorpusError::new(
                "test_corpus",
                CorpusProblem::NoKnownWord {
                    name: "(text)".into(),
                },
            ));
        }
        let domain = blocks(&ids[..held], block);
        let train = blocks(&ids[held..], block);
        let mut counts = vec![0u64; vocab.len()];
        for b in &train {
            for &w in b {
                counts[w as usize] += 1;
            }
        }
        Ok(Self {
            vocab,
            train,
            test: blocks(&test_ids, block),
            counts,
            domain,
            general,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec<'a>(train: &'a str, test: &'a str, max_tokens: usize) -> CorpusSpec<'a> {
        CorpusSpec {
            train,
            test,
            general: None,
            holdout: 0.0,
            block: 64,
            max_tokens,
        }
    }

    #[test]
    fn a_holdout_and_a_general_corpus_share_the_vocabulary() {
        let s = CorpusSpec {
            train: "t",
            test: "u",
            general: Some("g"),
            holdout: 0.5,
            block: 2,
            max_tokens: 0,
        };
        let c = Corpus::from_texts("a b c d e f g", "a z q", Some("x a y"), &s).unwrap();
        // 3 whole blocks; the first one (floor(0.5 × 3) = 1) is held out.
        assert_eq!(c.domain, vec![vec![1, 2]]);
        assert_eq!(c.train, vec![vec![3, 4], vec![5, 6]]);
        assert_eq!(c.general, vec![vec![8, 1]]);
        assert_eq!(c.counts[1], 0, "held-out words are not fine-tuning counts");
        assert_eq!(c.test, vec![vec![1, 0]]);
    }

    #[test]
    fn a_test_text_with_no_known_word_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let alien = dir.path().join("alien.txt");
        std::fs::write(&alien, "zzqx ".repeat(100)).unwrap();
        let alien = alien.to_str().unwrap();
        let e = Corpus::load(&spec("wikitext-2/valid", alien, 0))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("parameter `test_corpus`") && e.contains(alien) && e.contains("<unk>"),
            "{e}"
        );
        // A holdout keeps at least one block to fine-tune on: 100 words make one block, none
        // of it held out.
        let mut s = spec("wikitext-2/valid", "wikitext-2/test", 100);
        s.holdout = 0.9;
        let c = Corpus::load(&s).unwrap();
        assert_eq!((c.domain.len(), c.train.len()), (0, 1));
    }

    #[test]
    fn vocabulary_blocks_and_unknown_words() {
        let c = Corpus::from_text("a b a c\nb a", "a z b", 2, 0).unwrap();
        assert_eq!(c.vocab.word(0), UNK);
        assert_eq!(c.train, vec![vec![1, 2], vec![1, 3], vec![2, 1]]);
        // "z" is not in the training vocabulary; the last partial block is dropped.
        assert_eq!(c.test, vec![vec![1, 0]]);
        assert_eq!(c.counts[1], 3);
    }

    #[test]
    fn built_in_names_are_the_embedded_corpora() {
        assert_eq!(
            text("corpus", "wikitext-2/valid").unwrap(),
            collapse_data::wikitext2::VALID
        );
        let c = Corpus::load(&spec("wikitext-2/valid", "wikitext-2/test", 1000)).unwrap();
        assert_eq!((c.train.len(), c.test.len()), (15, 15));
    }

    #[test]
    fn bad_corpora_name_the_parameter_and_the_path() {
        let e = Corpus::load(&spec("no/such/train.txt", "wikitext-2/test", 0))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("parameter `corpus`: cannot read corpus file `no/such/train.txt`")
                && e.contains("wikitext-2/valid"),
            "{e}"
        );
        let e = Corpus::load(&spec("wikitext-2/valid", "no/such/test.txt", 0))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`test_corpus`") && e.contains("no/such/test.txt"),
            "{e}"
        );

        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, " \n").unwrap();
        let empty = empty.to_str().unwrap();
        let e = Corpus::load(&spec("wikitext-2/valid", empty, 0))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`test_corpus`") && e.contains(empty) && e.contains("has 0 words"),
            "{e}"
        );

        let e = Corpus::load(&spec("wikitext-2/valid", "wikitext-2/test", 10))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`corpus`")
                && e.contains("`wikitext-2/valid` has 10 words (max_tokens = 10)")
                && e.contains("one block"),
            "{e}"
        );
        let e = Corpus::from_text("a b", "a b c d", 3, 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`corpus`") && e.contains("one block"), "{e}");
    }
}
