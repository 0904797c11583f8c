//! Corpora: whitespace-tokenised text, a vocabulary fixed by the training corpus, and 64-token
//! blocks (the paper's training sequences).

use std::collections::HashMap;
use std::path::Path;

/// The token every out-of-vocabulary word of an evaluation corpus maps to.
pub const UNK: &str = "<unk>";

/// Largest vocabulary: token ids are packed 20 bits apiece into context keys.
pub const MAX_VOCAB: usize = 1 << 20;

/// Why a corpus could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The file is missing or unreadable.
    #[error("parameter `{param}`: cannot read corpus {path}: {source}")]
    Unreadable {
        /// The parameter that named the file.
        param: &'static str,
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file holds too few words for one block.
    #[error(
        "parameter `{param}`: corpus {path} has {words} words; at least {needed} (one block) are needed"
    )]
    TooSmall {
        /// The parameter.
        param: &'static str,
        /// The path.
        path: String,
        /// Words found.
        words: usize,
        /// Words needed.
        needed: usize,
    },
    /// More distinct words than token ids can hold.
    #[error("parameter `{param}`: corpus {path} has more than {MAX_VOCAB} distinct words")]
    TooLarge {
        /// The parameter.
        param: &'static str,
        /// The path.
        path: String,
    },
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

fn read(param: &'static str, path: &Path) -> Result<String, CorpusError> {
    std::fs::read_to_string(path).map_err(|source| CorpusError::Unreadable {
        param,
        path: path.display().to_string(),
        source,
    })
}

fn blocks(tokens: Vec<u32>, block: usize) -> Vec<Vec<u32>> {
    tokens.chunks_exact(block).map(<[u32]>::to_vec).collect()
}

impl Corpus {
    /// Reads `train` and `test`, keeping at most `max_tokens` of each (0: all).
    pub fn load(
        train: &Path,
        test: &Path,
        block: usize,
        max_tokens: usize,
    ) -> Result<Self, CorpusError> {
        let (a, b) = (read("corpus", train)?, read("test_corpus", test)?);
        Self::from_text(&a, &b, block, max_tokens).map_err(|e| match e {
            CorpusError::TooSmall {
                param,
                words,
                needed,
                ..
            } => CorpusError::TooSmall {
                param,
                path: if param == "corpus" { train } else { test }
                    .display()
                    .to_string(),
                words,
                needed,
            },
            CorpusError::TooLarge { param, .. } => CorpusError::TooLarge {
                param,
                path: train.display().to_string(),
            },
            other => other,
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
                return Err(CorpusError::TooLarge {
                    param: "corpus",
                    path: String::new(),
                });
            }
        }
        let test_words: Vec<&str> = test.split_whitespace().collect();
        let m = cap(test_words.len());
        let test_ids: Vec<u32> = test_words[..m]
            .iter()
            .map(|w| vocab.get(w).unwrap_or(unk))
            .collect();
        for (param, have) in [("corpus", ids.len()), ("test_corpus", test_ids.len())] {
            if have < block {
                return Err(CorpusError::TooSmall {
                    param,
                    path: String::new(),
                    words: have,
                    needed: block,
                });
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
    fn bad_corpora_name_the_parameter_and_the_path() {
        let e = Corpus::load(
            Path::new("/no/such/train.txt"),
            Path::new("/no/such/test.txt"),
            64,
            0,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("`corpus`") && e.contains("/no/such/train.txt"),
            "{e}"
        );
        let e = Corpus::from_text("a b", "a b c d", 3, 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`corpus`") && e.contains("one block"), "{e}");
    }
}
