//! The language model's checks: exact normalisation, exact beam top-k, two independent
//! perplexity computations, samplers against the model's law, and support that can only shrink
//! under maximum-likelihood refitting.
//!
//! Every check reads the embedded WikiText-2 splits ([`small_corpus`]); should they not make a
//! corpus, the check fails with that reason instead of measuring NaN.

use crate::corpus::Corpus;
use crate::family::{Decoding, LmFamily};
use crate::ngram::{NgramModel, Smoothing};
use crate::simulation::{corpus_perplexity, observe};
use collapse_core::chain::ChainConfig;
use collapse_core::{Check, CheckContext, Outcome};
use std::sync::{Arc, OnceLock};

/// The first 40,000 tokens of WikiText-2 (validation split for training, test split for
/// evaluation), from the corpora embedded in `collapse-data`, loaded once per process; or why
/// they do not make a corpus (the checks' input is missing).
pub fn small_corpus() -> Result<Arc<Corpus>, String> {
    static C: OnceLock<Result<Arc<Corpus>, String>> = OnceLock::new();
    C.get_or_init(|| {
        Corpus::from_text(
            collapse_data::wikitext2::VALID,
            collapse_data::wikitext2::TEST,
            64,
            40_000,
        )
        .map(Arc::new)
        .map_err(|e| {
            format!("the lm checks' input, the embedded WikiText-2 splits, is unusable: {e}")
        })
    })
    .clone()
}

fn model(order: usize, s: Smoothing) -> Result<(Arc<Corpus>, NgramModel), String> {
    let c = small_corpus()?;
    let m = NgramModel::fit(&c.train, order, s, c.vocab.len());
    Ok((c, m))
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
pub fn normalised(c: &CheckContext, s: Smoothing) -> Result<Outcome, String> {
    let (corpus, m) = model(3, s)?;
    let worst = contexts(&corpus, c.pick(100, 1000), 2)
        .iter()
        .map(|h| (m.dense(&m.mixture(h)).iter().sum::<f64>() - 1.0).abs())
        .fold(0.0, f64::max);
    Ok(Outcome::exact(0.0, worst, 1e-9))
}

/// Beam search's top-k (threshold algorithm over count-sorted lists) against sorting the whole
/// vocabulary: the number of contexts where they differ.
pub fn top_k_exact(c: &CheckContext, penalty: f64) -> Result<Outcome, String> {
    let (corpus, m) = model(3, Smoothing::KneserNey)?;
    let mut mismatches = 0;
    for h in contexts(&corpus, c.pick(100, 600), 2) {
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
    Ok(Outcome::exact(0.0, mismatches as f64, 0.0))
}

/// Test perplexity through `prob` (binary searches in the mixture) against the dense
/// distribution vectors (a second code path), on the first test blocks.
pub fn perplexity_two_ways(c: &CheckContext) -> Result<Outcome, String> {
    let (corpus, m) = model(3, Smoothing::KneserNey)?;
    let blocks = &corpus.test[..c.pick(20, 100)];
    let fast = corpus_perplexity(&m, blocks);
    let mut sum = 0.0;
    let mut n = 0usize;
    for blk in blocks {
        for i in 0..blk.len() {
            let ctx = &blk[i.saturating_sub(2)..i];
            sum += m.dense(&m.mixture(ctx))[blk[i] as usize].ln();
            n += 1;
        }
    }
    Ok(Outcome::exact((-sum / n as f64).exp(), fast, 1e-10))
}

/// The set a sampler check counts: the words seen after a frequent context at the top order.
fn frequent_context(c: &Corpus) -> Vec<u32> {
    c.train[0][..2].to_vec()
}

/// P(next word ∈ S | h) by Monte Carlo against the model, S = the 5 most likely words.
/// `wrong_sampler` ignores the temperature (the tests' wrong code).
pub fn sampler_law(
    c: &CheckContext,
    temperature: f64,
    wrong_sampler: bool,
) -> Result<Outcome, String> {
    let (corpus, m) = model(3, Smoothing::KneserNey)?;
    let h = frequent_context(&corpus);
    let p = m.dense(&m.mixture(&h));
    let tempered: Vec<f64> = p.iter().map(|x| x.powf(1.0 / temperature)).collect();
    let z: f64 = tempered.iter().sum();
    let top: Vec<u32> = m
        .top_k(&h, 5, 1.0, &|_| false)
        .iter()
        .map(|x| x.1)
        .collect();
    let predicted: f64 = top.iter().map(|&w| tempered[w as usize] / z).sum();
    let (mean, se) = c.monte_carlo(c.pick(40_000, 400_000), |rng| {
        let w = if wrong_sampler || temperature == 1.0 {
            m.sample_next(&h, rng)
        } else {
            m.sample_next_tempered(&h, temperature, rng)
        };
        f64::from(u8::from(top.contains(&w)))
    });
    Ok(Outcome::monte_carlo(predicted, mean, se))
}

/// Under maximum likelihood (add-k with k = 0) and sampling at temperature 1, a word absent from
/// a generation's data has probability 0, so the support never grows: the number of generations
/// whose support exceeds the previous one's, over short chains.
pub fn support_monotone(c: &CheckContext, k: f64) -> Result<Outcome, String> {
    let corpus = small_corpus()?;
    let fam = LmFamily {
        corpus: corpus.clone(),
        order: 2,
        smoothing: Smoothing::AddK(k),
        decoding: Decoding::Sample { temperature: 1.0 },
    };
    let cfg = ChainConfig::replace(corpus.train.len(), c.pick(4, 8));
    let mut increases = 0;
    for r in 0..c.pick(2, 4) {
        let obs = observe(&fam, &cfg, &mut c.stream(r)).map_err(|e| e.to_string())?;
        increases += obs.support.windows(2).filter(|w| w[1] > w[0]).count();
    }
    Ok(Outcome::exact(0.0, increases as f64, 0.0))
}

/// The registered checks.
pub fn checks() -> Vec<Check> {
    vec![
        Check::new(
            "lm.normalized-kneser-ney",
            "Interpolated Kneser-Ney (order 3, WikiText-2): sum_w P(w|h) = 1 for seen and unseen contexts, to 1e-9",
            "Chen & Goodman 1999 (interpolated Kneser-Ney)",
            |c| normalised(c, Smoothing::KneserNey),
        ),
        Check::new(
            "lm.normalized-add-k",
            "Add-k (k = 0.01, backing off to the longest seen context): sum_w P(w|h) = 1, to 1e-9",
            "this workspace (add-k smoothing)",
            |c| normalised(c, Smoothing::AddK(0.01)),
        ),
        Check::new(
            "lm.beam-top-k-exact",
            "The threshold-algorithm top-5 used by beam search equals the top-5 of the whole sorted vocabulary (with a repetition penalty of 3) in every context",
            "Fagin, Lotem & Naor 2003 (threshold algorithm)",
            |c| top_k_exact(c, 3.0),
        ),
        Check::new(
            "lm.perplexity-two-ways",
            "Test perplexity from per-word lookups equals the one from dense next-word distributions, to 1e-10",
            "this workspace (independent computation)",
            perplexity_two_ways,
        ),
        Check::new(
            "lm.sampler-law",
            "Sampling at temperature 1 (part of the mixture, then a word) draws the 5 likeliest words with their model probability",
            "this workspace (exact mixture sampling)",
            |c| sampler_law(c, 1.0, false),
        ),
        Check::new(
            "lm.sampler-law-tempered",
            "Sampling at temperature 0.7 draws the 5 likeliest words with probability sum p^(1/T) / sum_all p^(1/T)",
            "this workspace (tempered sampling)",
            |c| sampler_law(c, 0.7, false),
        ),
        Check::new(
            "lm.support-monotone",
            "Maximum-likelihood refitting (add-k, k = 0) with sampling at temperature 1: the vocabulary support never grows from one generation to the next",
            "Shumailov et al. 2024 (discrete case: a category that dies never returns)",
            |c| support_monotone(c, 0.0),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::Budget;
    use collapse_core::check::validate_ids;

    fn quick(id: &str) -> CheckContext {
        CheckContext::new(id, Budget::Quick)
    }

    #[test]
    fn every_check_passes_at_the_quick_budget() {
        let all = checks();
        validate_ids(&all, "lm.").unwrap();
        for c in all {
            let o = c.run(Budget::Quick).unwrap();
            assert!(o.pass(), "{}: {o:?}", c.id);
        }
    }

    #[test]
    fn wrong_predictions_and_wrong_code_fail() {
        let kn = normalised(&quick("lm.normalized-kneser-ney"), Smoothing::KneserNey).unwrap();
        assert!(!kn.with_prediction(1e-6).pass());
        let top = top_k_exact(&quick("lm.beam-top-k-exact"), 3.0).unwrap();
        assert!(!top.with_prediction(1.0).pass());
        let ppl = perplexity_two_ways(&quick("lm.perplexity-two-ways")).unwrap();
        assert!(!ppl.with_prediction(ppl.measured * 1.001).pass());
        // Ignoring the temperature is detected.
        let tempered = quick("lm.sampler-law-tempered");
        assert!(!sampler_law(&tempered, 0.7, true).unwrap().pass());
        // With a floor (k = 1), lost words come back, and the support grows.
        let support = quick("lm.support-monotone");
        assert!(!support_monotone(&support, 1.0).unwrap().pass());
        let s = sampler_law(&quick("lm.sampler-law"), 1.0, false).unwrap();
        assert!(!s.with_prediction(s.predicted * 0.95).pass());
    }
}
