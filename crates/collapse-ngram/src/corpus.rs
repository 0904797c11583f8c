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
    /// The parameter that named the corpus (`corpus` or `test_corpus`).
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

/// The text a `corpus` or `test_corpus` value names: a built-in corpus of `collapse-data`
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

/// A training corpus cut into blocks, and an evaluation corpus in the same vocabulary.
#[derive(Clone, Debug)]
pub struct Corpus {
    /// The vocabulary of the training text (plus `<unk>`, id 0).
    pub vocab: Vocab,
    /// Training blocks of `block` tokens each (a last partial block is dropped).
    pub train: Vec<Vec<u32>>,
    /// Evaluation blocks (out-of-vocabulary words mapped to `<unk>`).
    pub test: Vec<Vec<u32>>,
    /// How often each word occurs in the training blocks.
    pub counts: Vec<u64>,
}

fn blocks(tokens: Vec<u32>, block: usize) -> Vec<Vec<u32>> {
    tokens.chunks_exact(block).map(<[u32]>::to_vec).collect()
}

impl Corpus {
    /// Loads the corpora named `train` and `test` (built-in names or paths, see [`text`]),
    /// keeping at most `max_tokens` of each (0: all).
    pub fn load(
        train: &str,
        test: &str,
        block: usize,
        max_tokens: usize,
    ) -> Result<Self, CorpusError> {
        let (a, b) = (text("corpus", train)?, text("test_corpus", test)?);
        Self::from_text(&a, &b, block, max_tokens).map_err(|mut e| {
            let named = if e.param == "corpus" { train } else { test };
            match &mut e.problem {
                CorpusProblem::TooSmall { name, .. } | CorpusProblem::TooLarge { name } => {
                    *name = named.to_string();
                }
                CorpusProblem::Unreadable { .. } => {}
            }
            e
        })
    }

    /// Builds a corpus from text already in memory.
    pub fn from_text(
        train: &str,
        test: &str,
        block: usize,
        max_tokens: usize,
    ) -> Result<Self, CorpusError> {
        let cap = |n: usize| {
            if max_tokens == 0 {
                n
            } else {
                n.min(max_tokens)
            }
        };
        let mut vocab = Vocab::default();
        let unk = vocab.intern(UNK);
        let words: Vec<&str> = train.split_whitespace().collect();
        let n = cap(words.len());
        let mut ids = Vec::with_capacity(n);
        for w in &words[..n] {
            ids.push(vocab.intern(w));
            if vocab.len() > MAX_VOCAB {
                return Err(CorpusError::new(
                    "corpus",
                    CorpusProblem::TooLarge {
                        name: "(text)".into(),
                    },
                ));
            }
        }
        let test_words: Vec<&str> = test.split_whitespace().collect();
        let m = cap(test_words.len());
        let test_ids: Vec<u32> = test_words[..m]
            .iter()
            .map(|w| vocab.get(w).unwrap_or(unk))
            .collect();
        let all = [("corpus", words.len()), ("test_corpus", test_words.len())];
        for ((param, total), have) in all.into_iter().zip([ids.len(), test_ids.len()]) {
            if have < block {
                return Err(CorpusError::new(
                    param,
                    CorpusProblem::TooSmall {
                        name: "(text)".into(),
                        words: have,
                        capped: if have < total {
                            format!(" (max_tokens = {max_tokens})")
                        } else {
                            String::new()
                        },
                        needed: block,
                    },
                ));
            }
        }
        let train = blocks(ids, block);
        let mut counts = vec![0u64; vocab.len()];
        for b in &train {
            for &w in b {
                counts[w as usize] += 1;
            }
        }
        Ok(Self {
            vocab,
            train,
            test: blocks(test_ids, block),
            counts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let c = Corpus::load("wikitext-2/valid", "wikitext-2/test", 64, 1000).unwrap();
        assert_eq!((c.train.len(), c.test.len()), (15, 15));
    }

    #[test]
    fn bad_corpora_name_the_parameter_and_the_path() {
        let e = Corpus::load("no/such/train.txt", "wikitext-2/test", 64, 0)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("parameter `corpus`: cannot read corpus file `no/such/train.txt`")
                && e.contains("wikitext-2/valid"),
            "{e}"
        );
        let e = Corpus::load("wikitext-2/valid", "no/such/test.txt", 64, 0)
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
        let e = Corpus::load("wikitext-2/valid", empty, 64, 0)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`test_corpus`") && e.contains(empty) && e.contains("has 0 words"),
            "{e}"
        );

        let e = Corpus::load("wikitext-2/valid", "wikitext-2/test", 64, 10)
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
