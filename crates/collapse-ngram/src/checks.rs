//! The language model's checks: exact normalisation (of the n-gram models and of a model
//! fine-tuned from the pretrained start), exact beam top-k, two independent perplexity
//! computations, samplers against the model's law, support that can only shrink under
//! maximum-likelihood refitting, and four properties of the chain itself: beam-search text
//! gathers low perplexity, sampled text and beam-search text written with the prompt's model
//! grow a high tail, and the runs differ.
//!
//! Every check reads the embedded WikiText-2 splits ([`small_corpus`]); should they not make a
//! corpus, the check fails with that reason instead of measuring NaN.

use crate::adapt::{FineTuned, Pretrained};
use crate::corpus::{Corpus, CorpusSpec};
use crate::family::{Decoding, LmFamily, Resample};
use crate::ngram::{LanguageModel, NgramModel, Smoothing, TopKCache};
use crate::simulation::{Observation, corpus_perplexity, observe};
use collapse_core::chain::ChainConfig;
use collapse_core::check::{Relation, Z};
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

/// The first 40,000 tokens of the WikiText-2 validation split with its first half held out,
/// and the first 40,000 of Tiny Shakespeare: the pretraining texts of `lm-chain` at a size
/// the checks afford; loaded once per process.
pub fn pretraining_corpus() -> Result<Arc<Corpus>, String> {
    static C: OnceLock<Result<Arc<Corpus>, String>> = OnceLock::new();
    C.get_or_init(|| {
        let spec = CorpusSpec {
            train: "wikitext-2/valid",
            test: "wikitext-2/test",
            general: Some("tiny-shakespeare"),
            holdout: 0.5,
            block: 64,
            max_tokens: 40_000,
        };
        Corpus::load(&spec)
            .map(Arc::new)
            .map_err(|e| format!("the lm checks' input, the embedded corpora, is unusable: {e}"))
    })
    .clone()
}

/// The pretrained model of [`pretraining_corpus`] (trigram Kneser–Ney, in-domain weight
/// `domain_weight`).
fn pretrained(c: &Corpus, domain_weight: f64) -> Arc<Pretrained> {
    let v = c.vocab.len();
    Arc::new(Pretrained::new(vec![
        (
            domain_weight,
            NgramModel::fit(&c.domain, 3, Smoothing::KneserNey, v),
        ),
        (
            1.0 - domain_weight,
            NgramModel::fit(&c.general, 3, Smoothing::KneserNey, v),
        ),
    ]))
}

/// A trigram fine-tuned from the pretrained start on the real blocks (λ = 0.8).
fn fine_tuned() -> Result<(Arc<Corpus>, FineTuned), String> {
    let c = pretraining_corpus()?;
    let m = FineTuned {
        pretrained: Some(pretrained(&c, 0.15)),
        tuned: NgramModel::fit(&c.train, 3, Smoothing::KneserNey, c.vocab.len()),
        weight: 0.8,
    };
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

/// The worst |Σ_w P(w | h) − 1| of a model over test contexts.
fn worst_sum(c: &CheckContext, corpus: &Corpus, m: &dyn LanguageModel) -> Outcome {
    let worst = contexts(corpus, c.pick(100, 1000), 2)
        .iter()
        .map(|h| (m.mixture(h).dense(m.vocab()).iter().sum::<f64>() - 1.0).abs())
        .fold(0.0, f64::max);
    Outcome::exact(0.0, worst, 1e-9)
}

/// The worst |Σ_w P(w | h) − 1| over contexts, for a smoothing.
pub fn normalised(c: &CheckContext, s: Smoothing) -> Result<Outcome, String> {
    let (corpus, m) = model(3, s)?;
    Ok(worst_sum(c, &corpus, &m))
}

/// The worst |Σ_w P(w | h) − 1| over contexts of a model fine-tuned from the pretrained start
/// (interpolation of three Kneser–Ney models). `unnormalised` drops the pretrained model's
/// share instead of scaling the data model by λ (the tests' wrong code).
pub fn fine_tuned_normalised(c: &CheckContext, unnormalised: bool) -> Result<Outcome, String> {
    let (corpus, mut m) = fine_tuned()?;
    if unnormalised {
        // λ P_D + (1 − λ) P_pre with λ = 1 on the data and the pretrained share kept: a sum of
        // 1 + (1 − λ).
        struct Wrong(FineTuned);
        impl LanguageModel for Wrong {
            fn order(&self) -> usize {
                self.0.order()
            }
            fn vocab(&self) -> usize {
                self.0.vocab()
            }
            fn mixture(&self, ctx: &[u32]) -> crate::ngram::Mixture<'_> {
                let pre = self.0.pretrained.as_ref().expect("fine-tuned from a start");
                self.0
                    .tuned
                    .mixture(ctx)
                    .join(pre.mixture(ctx).scaled(1.0 - self.0.weight))
            }
        }
        m.weight = 0.8;
        return Ok(worst_sum(c, &corpus, &Wrong(m)));
    }
    Ok(worst_sum(c, &corpus, &m))
}

/// Beam search's top-k against sorting the whole vocabulary, for a model fine-tuned from the
/// pretrained start (nine count lists in a mixture): the number of contexts where either the
/// threshold algorithm over the count-sorted lists or the penalised top-k read from cached
/// unpenalised lists (what beam search uses; one cache across all contexts, so lists grown
/// for one penalised set are reused for another) differs.
pub fn top_k_exact(c: &CheckContext, penalty: f64) -> Result<Outcome, String> {
    let (corpus, m) = fine_tuned()?;
    let mut cache = TopKCache::default();
    let mut mismatches = 0;
    for (i, h) in contexts(&corpus, c.pick(100, 600), 2)
        .into_iter()
        .enumerate()
    {
        // The penalised set changes from context to context, as hypotheses do.
        let modulus = 3 + (i % 4) as u32;
        let pen = move |w: u32| w.is_multiple_of(modulus);
        let direct: Vec<f64> = m.top_k(&h, 5, penalty, &pen).iter().map(|x| x.0).collect();
        let cached: Vec<f64> = cache
            .top_k(&m, &h, 5, penalty, &pen)
            .iter()
            .map(|x| x.0)
            .collect();
        let mut all: Vec<f64> = m
            .mixture(&h)
            .dense(m.vocab())
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
        for got in [direct, cached] {
            let close = got
                .iter()
                .zip(&all[..5])
                .all(|(a, b)| (a - b).abs() <= 1e-12 * b.abs().max(1.0));
            mismatches += usize::from(got.len() != 5 || !close);
        }
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
            sum += m.mixture(ctx).dense(m.vocab())[blk[i] as usize].ln();
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
    let p = m.mixture(&h).dense(m.vocab());
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
        pretrained: None,
        weight: 1.0,
        epochs: 1.0,
        resample: Resample::None,
        prompt_weight: 0.0,
    };
    let cfg = ChainConfig::replace(corpus.train.len(), c.pick(5, 9));
    let mut increases = 0;
    for r in 0..c.pick(2, 4) {
        let obs = observe(&fam, &cfg, &mut c.stream(r)).map_err(|e| e.to_string())?;
        increases += obs.support.windows(2).filter(|w| w[1] > w[0]).count();
    }
    Ok(Outcome::exact(0.0, increases as f64, 0.0))
}

/// A short chain of `lm-chain`'s model at the checks' size: trigram Kneser–Ney fine-tuned from
/// the pretrained start (λ = 0.8; 5 epochs of mini-batch draws per fine-tuning unless
/// `resample` is off), no data preserved, `generations` models, writing with the prompt's
/// model at weight `prompt_weight`.
fn short_chain(
    c: &CheckContext,
    r: u64,
    (decoding, prompt_weight): (Decoding, f64),
    resample: Resample,
    generations: u64,
) -> Result<Observation, String> {
    let corpus = pretraining_corpus()?;
    let fam = LmFamily {
        corpus: corpus.clone(),
        order: 3,
        smoothing: Smoothing::KneserNey,
        decoding,
        pretrained: Some(pretrained(&corpus, 0.15)),
        weight: 0.8,
        epochs: 5.0,
        resample,
        prompt_weight,
    };
    let cfg = ChainConfig::replace(corpus.train.len(), generations);
    observe(&fam, &cfg, &mut c.stream(r)).map_err(|e| e.to_string())
}

/// Passes when the mean of `values` exceeds `floor` by more than [`Z`] standard errors: a
/// significant increase, not a tolerance around it.
fn significantly_above(floor: f64, values: &[f64]) -> Outcome {
    let (mean, se) = collapse_core::stats::mean_and_se(values);
    Outcome {
        predicted: floor,
        measured: mean,
        std_error: se,
        tolerance: -Z * se,
        relation: Relation::AtLeast,
    }
}

/// Beam search (five beams, the paper's decoding) concentrates the data on what the
/// generation-0 model finds probable: the fraction of the last generation's blocks below the
/// real blocks' 5th percentile of perplexity (0.05 at generation 0 by construction), over
/// independent chains, against `floor` (0.05: it grows).
pub fn low_mass_grows(c: &CheckContext, floor: f64) -> Result<Outcome, String> {
    let beam = Decoding::Beam {
        beams: 5,
        penalty: 1.0,
    };
    let mut low = Vec::new();
    for r in 0..c.pick(6, 12) {
        let obs = short_chain(c, r, (beam, 0.0), Resample::Batches, 3)?;
        low.push(obs.tails.last().map_or(f64::NAN, |t| t.low));
    }
    Ok(significantly_above(floor, &low))
}

/// Sampling at temperature 1 writes blocks the generation-0 model finds improbable: the
/// fraction of the last generation's blocks above the real blocks' 95th percentile (0.05 at
/// generation 0), over independent chains, against `floor` (0.05: a tail appears).
pub fn high_tail_under_sampling(c: &CheckContext, floor: f64) -> Result<Outcome, String> {
    let sample = Decoding::Sample { temperature: 1.0 };
    let mut high = Vec::new();
    for r in 0..c.pick(6, 12) {
        let obs = short_chain(c, r, (sample, 0.0), Resample::Batches, 3)?;
        high.push(obs.tails.last().map_or(f64::NAN, |t| t.high));
    }
    Ok(significantly_above(floor, &high))
}

/// Beam search (five beams) writing with the prompt's model at weight `prompt_weight`
/// (`lm-chain`'s `prompt_weight`): the fraction of the last generation's blocks above the real
/// blocks' 95th percentile, over independent chains, against `floor` (0.05: a tail appears).
/// Without the prompt's model (weight 0) beam search writes the mode and no tail appears.
pub fn high_tail_with_prompt(
    c: &CheckContext,
    prompt_weight: f64,
    floor: f64,
) -> Result<Outcome, String> {
    let beam = Decoding::Beam {
        beams: 5,
        penalty: 1.0,
    };
    let mut high = Vec::new();
    for r in 0..c.pick(6, 12) {
        let obs = short_chain(c, r, (beam, prompt_weight), Resample::Batches, 3)?;
        high.push(obs.tails.last().map_or(f64::NAN, |t| t.high));
    }
    Ok(significantly_above(floor, &high))
}

/// Runs differ: the standard error of the last generation's test perplexity over chains that
/// differ only in their streams, against 0 (strictly above). With `resample` off, beam search
/// makes every chain the same (the tests' wrong code).
pub fn runs_differ(c: &CheckContext, resample: Resample) -> Result<Outcome, String> {
    let beam = Decoding::Beam {
        beams: 5,
        penalty: 1.0,
    };
    let mut last = Vec::new();
    for r in 0..c.pick(3, 5) {
        let obs = short_chain(c, r, (beam, 0.0), resample, 2)?;
        last.push(obs.test_perplexity.last().copied().unwrap_or(f64::NAN));
    }
    let (_, se) = collapse_core::stats::mean_and_se(&last);
    Ok(Outcome::exact(f64::MIN_POSITIVE, se, 0.0).bound(Relation::AtLeast))
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
            "lm.normalized-fine-tuned",
            "A model fine-tuned from the pretrained start (0.8 x Kneser-Ney of the data + 0.2 x the pretrained mixture of two Kneser-Ney models): sum_w P(w|h) = 1, to 1e-9",
            "this workspace (linear interpolation of normalised models)",
            |c| fine_tuned_normalised(c, false),
        ),
        Check::new(
            "lm.beam-top-k-exact",
            "The top-5 used by beam search (threshold algorithm, and penalised lists read from cached unpenalised ones) equals the top-5 of the whole sorted vocabulary (fine-tuned model, repetition penalty 3) in every context",
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
        Check::new(
            "lm.low-perplexity-mass-grows",
            "Fine-tuned chains under five-way beam search: the fraction of the generation-2 data below the real data's 5th percentile of perplexity under the generation-0 model exceeds 0.05 by more than 5.5 standard errors",
            "Shumailov et al. 2024, Fig. 1b (low-perplexity samples accumulate)",
            |c| low_mass_grows(c, 0.05),
        ),
        Check::new(
            "lm.high-tail-under-sampling",
            "Fine-tuned chains under sampling at temperature 1: the fraction of the generation-2 data above the real data's 95th percentile of perplexity under the generation-0 model exceeds 0.05 by more than 5.5 standard errors",
            "Shumailov et al. 2024, Fig. 1b (a long high-perplexity tail appears)",
            |c| high_tail_under_sampling(c, 0.05),
        ),
        Check::new(
            "lm.high-tail-beam-with-prompt",
            "Fine-tuned chains under five-way beam search writing with the prompt's own model at weight 0.6: the fraction of the generation-2 data above the real data's 95th percentile of perplexity under the generation-0 model exceeds 0.05 by more than 5.5 standard errors",
            "Shumailov et al. 2024, Fig. 1b (a long high-perplexity tail appears under beam search)",
            |c| high_tail_with_prompt(c, 0.6, 0.05),
        ),
        Check::new(
            "lm.runs-differ",
            "Chains that differ only in their random streams (mini-batch draws with replacement in every fine-tuning) end at different test perplexities: standard error of the last one > 0",
            "Shumailov et al. 2024 (five runs with different seeds)",
            |c| runs_differ(c, Resample::Batches),
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
        let addk = normalised(&quick("lm.normalized-add-k"), Smoothing::AddK(0.01)).unwrap();
        assert!(!addk.with_prediction(1e-6).pass());
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
        // Keeping the pretrained share on top of the whole data model sums to 1.2.
        let ft = quick("lm.normalized-fine-tuned");
        assert!(!fine_tuned_normalised(&ft, true).unwrap().pass());
        // The low mass does not reach everything (a wrong claim of total concentration), and
        // sampled text's tail is not the whole data.
        let low = quick("lm.low-perplexity-mass-grows");
        let measured = low_mass_grows(&low, 0.05).unwrap();
        assert!(
            !low_mass_grows(&low, measured.measured + 0.01)
                .unwrap()
                .pass()
        );
        let high = quick("lm.high-tail-under-sampling");
        let measured = high_tail_under_sampling(&high, 0.05).unwrap();
        assert!(
            !high_tail_under_sampling(&high, measured.measured + 0.01)
                .unwrap()
                .pass()
        );
        // Beam search with the prompt's model: claiming more than measured fails, and without
        // the prompt's model (the mode of the generation's model alone) no tail appears.
        let prompted = quick("lm.high-tail-beam-with-prompt");
        let measured = high_tail_with_prompt(&prompted, 0.6, 0.05).unwrap();
        assert!(
            !high_tail_with_prompt(&prompted, 0.6, measured.measured + 0.01)
                .unwrap()
                .pass()
        );
        assert!(!high_tail_with_prompt(&prompted, 0.0, 0.05).unwrap().pass());
        // Without mini-batch draws, beam-search chains coincide.
        let runs = quick("lm.runs-differ");
        assert!(!runs_differ(&runs, Resample::None).unwrap().pass());
    }
}
