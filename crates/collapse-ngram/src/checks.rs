//! The language model's checks: exact normalisation, exact beam top-k, two independent
//! perplexity computations, samplers against the model's law, and support that can only shrink
//! under maximum-likelihood refitting.

use crate::corpus::Corpus;
use crate::experiment::{Decoding, LmFamily, run_one};
use crate::ngram::{NgramModel, Smoothing};
use collapse_core::chain::ChainConfig;
use collapse_core::check::{check_stream, monte_carlo};
use collapse_core::{Budget, Check, Outcome};
use std::sync::{Arc, OnceLock};

/// The first 40,000 tokens of WikiText-2 (validation split for training, test split for
/// evaluation), from the corpora embedded in `collapse-data`.
///
/// # Panics
///
/// If the embedded splits do not make a corpus (they always do; a test pins their size), with a
/// message saying that the checks' input is missing, rather than letting a check measure NaN.
pub fn small_corpus() -> Arc<Corpus> {
    static C: OnceLock<Arc<Corpus>> = OnceLock::new();
    C.get_or_init(|| {
        let c = Corpus::from_text(
            collapse_data::wikitext2::VALID,
            collapse_data::wikitext2::TEST,
            64,
            40_000,
        )
        .unwrap_or_else(|e| {
            panic!("the lm checks' input, the embedded WikiText-2 splits, is unusable: {e}")
        });
        Arc::new(c)
    })
    .clone()
}

fn model(order: usize, s: Smoothing) -> (Arc<Corpus>, NgramModel) {
    let c = small_corpus();
    let m = NgramModel::fit(&c.train, order, s, c.vocab.len());
    (c, m)
}

/// Contexts taken from the test text (so some were never seen in training).
fn contexts(c: &Corpus, n: usize, len: usize) -> Vec<Vec<u32>> {
    c.test
        .iter()
        .flat_map(|b| b.windows(len).step_by(7).map(<[u32]>::to_vec))
        .take(n)
        .collect()
}

/// The worst |Σ_w P(w | h) − 1| over contexts, for a smoothing.
pub fn normalised(b: Budget, s: Smoothing) -> Outcome {
    let (c, m) = model(3, s);
    let worst = contexts(&c, b.pick(100, 1000), 2)
        .iter()
        .map(|h| (m.dense(&m.mixture(h)).iter().sum::<f64>() - 1.0).abs())
        .fold(0.0, f64::max);
    Outcome::exact(0.0, worst, 1e-9)
}

/// Beam search's top-k (threshold algorithm over count-sorted lists) against sorting the whole
/// vocabulary: the number of contexts where they differ.
pub fn top_k_exact(b: Budget, penalty: f64) -> Outcome {
    let (c, m) = model(3, Smoothing::KneserNey);
    let mut mismatches = 0;
    for h in contexts(&c, b.pick(100, 600), 2) {
        let pen = |w: u32| w.is_multiple_of(5);
        let got: Vec<f64> = m.top_k(&h, 5, penalty, &pen).iter().map(|x| x.0).collect();
        let mut all: Vec<f64> = m
            .dense(&m.mixture(&h))
            .iter()
            .enumerate()
            .map(|(w, p)| {
                if penalty != 1.0 && pen(w as u32) {
                    p.ln() * penalty
                } else {
                    p.ln()
                }
            })
            .collect();
        all.sort_by(|a, b| b.total_cmp(a));
        let close = got
            .iter()
            .zip(&all[..5])
            .all(|(a, b)| (a - b).abs() <= 1e-12 * b.abs().max(1.0));
        mismatches += usize::from(got.len() != 5 || !close);
    }
    Outcome::exact(0.0, mismatches as f64, 0.0)
}

/// Test perplexity through `prob` (binary searches in the mixture) against the dense
/// distribution vectors (a second code path), on the first test blocks.
pub fn perplexity_two_ways(b: Budget) -> Outcome {
    let (c, m) = model(3, Smoothing::KneserNey);
    let blocks = &c.test[..b.pick(20, 100)];
    let fast = crate::experiment::corpus_perplexity(&m, blocks);
    let mut sum = 0.0;
    let mut n = 0usize;
    for blk in blocks {
        for i in 0..blk.len() {
            let ctx = &blk[i.saturating_sub(2)..i];
            sum += m.dense(&m.mixture(ctx))[blk[i] as usize].ln();
            n += 1;
        }
    }
    Outcome::exact((-sum / n as f64).exp(), fast, 1e-10)
}

/// The set a sampler check counts: the words seen after a frequent context at the top order.
fn frequent_context(c: &Corpus) -> Vec<u32> {
    c.train[0][..2].to_vec()
}

/// P(next word ∈ S | h) by Monte Carlo against the model, S = the 5 most likely words.
pub fn sampler_law(b: Budget, temperature: f64, wrong_sampler: bool) -> Outcome {
    let (c, m) = model(3, Smoothing::KneserNey);
    let h = frequent_context(&c);
    let p = m.dense(&m.mixture(&h));
    let tempered: Vec<f64> = p.iter().map(|x| x.powf(1.0 / temperature)).collect();
    let z: f64 = tempered.iter().sum();
    let top: Vec<u32> = m
        .top_k(&h, 5, 1.0, &|_| false)
        .iter()
        .map(|x| x.1)
        .collect();
    let predicted: f64 = top.iter().map(|&w| tempered[w as usize] / z).sum();
    let id = if temperature == 1.0 {
        "lm.sampler-law"
    } else {
        "lm.sampler-law-tempered"
    };
    let (mean, se) = monte_carlo(id, b.pick(40_000, 400_000), |rng| {
        // The wrong sampler ignores the temperature.
        let w = if wrong_sampler || temperature == 1.0 {
            m.sample_next(&h, rng)
        } else {
            m.sample_next_tempered(&h, temperature, rng)
        };
        f64::from(u8::from(top.contains(&w)))
    });
    Outcome::monte_carlo(predicted, mean, se)
}

/// Under maximum likelihood (add-k with k = 0) and sampling at temperature 1, a word absent from
/// a generation's data has probability 0, so the support never grows: the number of generations
/// whose support exceeds the previous one's, over short chains.
pub fn support_monotone(b: Budget, k: f64) -> Outcome {
    let c = small_corpus();
    let fam = LmFamily {
        corpus: c.clone(),
        order: 2,
        smoothing: Smoothing::AddK(k),
        decoding: Decoding::Sample { temperature: 1.0 },
    };
    let cfg = ChainConfig::replace(c.train.len(), b.pick(4, 8));
    let mut increases = 0;
    for r in 0..b.pick(2, 4) {
        let recs = run_one(
            &fam,
            &cfg,
            "none",
            r,
            &mut check_stream("lm.support-monotone", r),
        );
        let mut sup: Vec<(u64, f64)> = recs
            .iter()
            .filter(|x| x.metric == "support")
            .map(|x| (x.step, x.value))
            .collect();
        sup.sort_by_key(|x| x.0);
        increases += sup.windows(2).filter(|w| w[1].1 > w[0].1).count();
    }
    Outcome::exact(0.0, increases as f64, 0.0)
}

/// The registered checks.
pub fn checks() -> Vec<Check> {
    vec![
        Check {
            id: "lm.normalized-kneser-ney",
            statement: "Interpolated Kneser-Ney (order 3, WikiText-2): sum_w P(w|h) = 1 for seen and unseen contexts, to 1e-9",
            source: "Chen & Goodman 1999 (interpolated Kneser-Ney)",
            run: |b| normalised(b, Smoothing::KneserNey),
        },
        Check {
            id: "lm.normalized-add-k",
            statement: "Add-k (k = 0.01, backing off to the longest seen context): sum_w P(w|h) = 1, to 1e-9",
            source: "this workspace (add-k smoothing)",
            run: |b| normalised(b, Smoothing::AddK(0.01)),
        },
        Check {
            id: "lm.beam-top-k-exact",
            statement: "The threshold-algorithm top-5 used by beam search equals the top-5 of the whole sorted vocabulary (with a repetition penalty of 3) in every context",
            source: "Fagin, Lotem & Naor 2003 (threshold algorithm)",
            run: |b| top_k_exact(b, 3.0),
        },
        Check {
            id: "lm.perplexity-two-ways",
            statement: "Test perplexity from per-word lookups equals the one from dense next-word distributions, to 1e-10",
            source: "this workspace (independent computation)",
            run: perplexity_two_ways,
        },
        Check {
            id: "lm.sampler-law",
            statement: "Sampling at temperature 1 (part of the mixture, then a word) draws the 5 likeliest words with their model probability",
            source: "this workspace (exact mixture sampling)",
            run: |b| sampler_law(b, 1.0, false),
        },
        Check {
            id: "lm.sampler-law-tempered",
            statement: "Sampling at temperature 0.7 draws the 5 likeliest words with probability sum p^(1/T) / sum_all p^(1/T)",
            source: "this workspace (tempered sampling)",
            run: |b| sampler_law(b, 0.7, false),
        },
        Check {
            id: "lm.support-monotone",
            statement: "Maximum-likelihood refitting (add-k, k = 0) with sampling at temperature 1: the vocabulary support never grows from one generation to the next",
            source: "Shumailov et al. 2024 (discrete case: a category that dies never returns)",
            run: |b| support_monotone(b, 0.0),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::check::validate_ids;

    #[test]
    fn every_check_passes_at_the_quick_budget() {
        let all = checks();
        validate_ids(&all, "lm.").unwrap();
        for c in all {
            let o = (c.run)(Budget::Quick);
            assert!(o.pass(), "{}: {o:?}", c.id);
        }
    }

    #[test]
    fn wrong_predictions_and_wrong_code_fail() {
        let q = Budget::Quick;
        assert!(
            !normalised(q, Smoothing::KneserNey)
                .with_prediction(1e-6)
                .pass()
        );
        assert!(!top_k_exact(q, 3.0).with_prediction(1.0).pass());
        assert!(
            !perplexity_two_ways(q)
                .with_prediction(perplexity_two_ways(q).measured * 1.001)
                .pass()
        );
        // Ignoring the temperature is detected.
        assert!(!sampler_law(q, 0.7, true).pass());
        // With a floor (k = 1), lost words come back, and the support grows.
        assert!(!support_monotone(q, 1.0).pass());
        let s = sampler_law(q, 1.0, false);
        assert!(!s.with_prediction(s.predicted * 0.95).pass());
    }
}
