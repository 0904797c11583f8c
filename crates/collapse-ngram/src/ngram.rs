//! Word-level n-gram models: interpolated Kneser–Ney and add-k.
//!
//! Both smoothings write the next-word distribution as a *mixture*
//! $$P(w\mid h) = c_0 + \sum_j a_j\, \omega_j(w),$$
//! where $\omega_j(w)$ is a (discounted) count of $w$ after the length-$(j-1)$ suffix of $h$ and
//! $c_0$ a uniform floor. For interpolated Kneser–Ney,
//! $P_j(w\mid h) = \max(c_j(h,w)-D_j,0)/c_j(h) + \gamma_j(h) P_{j-1}(w\mid h')$ with
//! $\gamma_j = D_j N_{1+}(h\,\bullet)/c_j(h)$ and $P_0 = 1/V$; the top order uses counts, lower
//! orders continuation counts $N_{1+}(\bullet\,h\,w)$, and $D_j = n_1/(n_1+2n_2)$ (Ney). For
//! add-k, $P(w\mid h) = (c(h,w)+k)/(c(h)+kV)$ at the longest context seen in training.
//!
//! The mixture form gives exact sampling at temperature 1 in $O(\log)$ per token (pick a part by
//! its mass, then a word by binary search on cumulative weights), and exact top-$k$ for beam
//! search by the threshold algorithm over the parts' count-sorted lists, without touching the
//! whole vocabulary.

use collapse_core::Rng;
use rand::RngExt;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Multiplicative hashing for packed integer keys (the keys are already well spread).
#[derive(Default)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// How the model smooths.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Smoothing {
    /// Interpolated Kneser–Ney with Ney's discounts.
    KneserNey,
    /// Add-k at the longest seen context (k = 0: maximum likelihood, unseen words get 0).
    AddK(f64),
}

/// Packs a context of at most 3 ids (each < 2^20) with its length.
fn key(ctx: &[u32]) -> u64 {
    let mut k = ctx.len() as u64;
    for (i, &w) in ctx.iter().enumerate() {
        k |= u64::from(w) << (2 + 20 * i);
    }
    k
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    start: u32,
    len: u32,
    total: f64,
}

/// The counts of one order: for each context, its continuations sorted by word id, with
/// cumulative discounted weights (sampling) and a count-descending order (top-k).
#[derive(Clone, Debug, Default)]
struct Level {
    map: FxMap<u64, Entry>,
    words: Vec<u32>,
    counts: Vec<u32>,
    cum: Vec<f64>,
    by_count: Vec<u32>,
    discount: f64,
}

impl Level {
    /// Builds a level from (context, word) occurrences (repeated pairs count).
    fn build(mut pairs: Vec<(u64, u32)>, kneser_ney: bool) -> Self {
        pairs.sort_unstable();
        let mut lv = Level::default();
        let (mut n1, mut n2) = (0u64, 0u64);
        let mut i = 0;
        while i < pairs.len() {
            let ctx = pairs[i].0;
            let start = lv.words.len() as u32;
            let mut total = 0u64;
            while i < pairs.len() && pairs[i].0 == ctx {
                let w = pairs[i].1;
                let mut c = 0u32;
                while i < pairs.len() && pairs[i] == (ctx, w) {
                    c += 1;
                    i += 1;
                }
                n1 += u64::from(c == 1);
                n2 += u64::from(c == 2);
                total += u64::from(c);
                lv.words.push(w);
                lv.counts.push(c);
            }
            let len = lv.words.len() as u32 - start;
            lv.map.insert(
                ctx,
                Entry {
                    start,
                    len,
                    total: total as f64,
                },
            );
        }
        // Ney's estimate, kept inside [0.1, 0.9]: on degenerate (self-generated) text n1 or n2
        // can vanish, and D = 0 would leave unseen words with probability exactly 0 (an
        // infinite test perplexity), D = 1 would drop every singleton continuation.
        lv.discount = if !kneser_ney {
            0.0
        } else if n1 + n2 == 0 {
            0.5
        } else {
            (n1 as f64 / (n1 + 2 * n2) as f64).clamp(0.1, 0.9)
        };
        lv.cum = Vec::with_capacity(lv.words.len());
        lv.by_count = Vec::with_capacity(lv.words.len());
        let mut entries: Vec<Entry> = lv.map.values().copied().collect();
        entries.sort_by_key(|e| e.start);
        for e in entries {
            let (s, n) = (e.start as usize, e.len as usize);
            let mut acc = 0.0;
            for k in s..s + n {
                acc += f64::from(lv.counts[k]) - lv.discount;
                lv.cum.push(acc);
            }
            let mut order: Vec<u32> = (0..n as u32).collect();
            // Count descending, then word id, so that ties break the same way everywhere.
            order.sort_by(|&a, &b| {
                lv.counts[s + b as usize]
                    .cmp(&lv.counts[s + a as usize])
                    .then(a.cmp(&b))
            });
            lv.by_count.extend(order);
        }
        lv
    }

    fn weight(&self, e: &Entry, w: u32) -> f64 {
        let s = &self.words[e.start as usize..(e.start + e.len) as usize];
        match s.binary_search(&w) {
            Ok(i) => f64::from(self.counts[e.start as usize + i]) - self.discount,
            Err(_) => 0.0,
        }
    }

    fn mass(&self, e: &Entry) -> f64 {
        self.cum[(e.start + e.len - 1) as usize]
    }
}

/// One part of a next-word mixture: `coef ×` the discounted counts of one context's
/// continuations at one level.
#[derive(Clone, Copy, Debug)]
struct Part<'a> {
    level: &'a Level,
    entry: Entry,
    coef: f64,
}

impl Part<'_> {
    fn weight(&self, w: u32) -> f64 {
        self.coef * self.level.weight(&self.entry, w)
    }
    fn mass(&self) -> f64 {
        self.coef * self.level.mass(&self.entry)
    }
    /// The word at position `i` of the count-descending order, and its discounted weight
    /// (before `coef`).
    fn by_count(&self, i: usize) -> (u32, f64) {
        let lv = self.level;
        let s = self.entry.start as usize;
        let idx = s + lv.by_count[s + i] as usize;
        (lv.words[idx], f64::from(lv.counts[idx]) - lv.discount)
    }
}

/// The next-word distribution after a context, as a mixture
/// `P(w) = floor + Σ coef_j ω_j(w)` of a uniform floor and discounted count lists. It borrows
/// the count lists of the model (or models) it came from, so the mixtures of two models can be
/// joined into the mixture of their interpolation ([`Mixture::scaled`], [`Mixture::join`]).
#[derive(Clone, Debug)]
pub struct Mixture<'a> {
    parts: Vec<Part<'a>>,
    floor: f64,
}

impl<'a> Mixture<'a> {
    /// The uniform part: the probability every word gets whatever the counts.
    pub fn floor(&self) -> f64 {
        self.floor
    }

    /// P(w).
    pub fn prob(&self, w: u32) -> f64 {
        self.floor + self.parts.iter().map(|p| p.weight(w)).sum::<f64>()
    }

    /// The whole distribution over a vocabulary of `vocab` words (O(vocab); for checks and
    /// temperature ≠ 1).
    pub fn dense(&self, vocab: usize) -> Vec<f64> {
        let mut p = vec![self.floor; vocab];
        for part in &self.parts {
            let lv = part.level;
            let (s, n) = (part.entry.start as usize, part.entry.len as usize);
            for k in s..s + n {
                p[lv.words[k] as usize] += part.coef * (f64::from(lv.counts[k]) - lv.discount);
            }
        }
        p
    }

    /// The mixture times `k` (a component of an interpolation).
    pub fn scaled(mut self, k: f64) -> Self {
        for p in &mut self.parts {
            p.coef *= k;
        }
        self.floor *= k;
        self
    }

    /// The sum of two mixtures over the same vocabulary: `λ P + (1 − λ) Q` is
    /// `P.scaled(λ).join(Q.scaled(1 − λ))`.
    pub fn join(mut self, other: Mixture<'a>) -> Self {
        self.parts.extend(other.parts);
        self.floor += other.floor;
        self
    }

    /// Draws a word at temperature 1: a part by its mass, then a word within it by binary
    /// search on the cumulative weights.
    pub fn sample(&self, vocab: usize, rng: &mut Rng) -> u32 {
        let floor_mass = self.floor * vocab as f64;
        let masses: Vec<f64> = self.parts.iter().map(Part::mass).collect();
        let total = floor_mass + masses.iter().sum::<f64>();
        let mut u = rng.random::<f64>() * total;
        for (p, &mass) in self.parts.iter().zip(&masses) {
            if u < mass {
                let lv = p.level;
                let (s, n) = (p.entry.start as usize, p.entry.len as usize);
                let target = u / p.coef;
                let i = lv.cum[s..s + n]
                    .partition_point(|&c| c <= target)
                    .min(n - 1);
                return lv.words[s + i];
            }
            u -= mass;
        }
        rng.random_range(0..vocab as u32)
    }

    /// Draws a word at temperature `t` from p^{1/t} over the whole vocabulary.
    pub fn sample_tempered(&self, vocab: usize, t: f64, rng: &mut Rng) -> u32 {
        let mut p = self.dense(vocab);
        let mut total = 0.0;
        for x in p.iter_mut() {
            *x = x.powf(1.0 / t);
            total += *x;
        }
        let mut u = rng.random::<f64>() * total;
        for (w, &x) in p.iter().enumerate() {
            if u < x {
                return w as u32;
            }
            u -= x;
        }
        // Rounding left u at the very end: the last word with positive mass.
        p.iter().rposition(|&x| x > 0.0).unwrap_or(0) as u32
    }

    /// The `k` highest-scoring words of a vocabulary of `vocab` with their scores ln P
    /// (× `penalty` for words in `penalised`, a repetition penalty), exactly, by the threshold
    /// algorithm over the parts' count-sorted lists. Ties break towards the smaller word id.
    pub fn top_k(
        &self,
        vocab: usize,
        k: usize,
        penalty: f64,
        penalised: &dyn Fn(u32) -> bool,
    ) -> Vec<(f64, u32)> {
        let score = |w: u32| {
            let lp = self.prob(w).ln();
            if penalty != 1.0 && penalised(w) {
                lp * penalty
            } else {
                lp
            }
        };
        let mut best: Vec<(f64, u32)> = Vec::with_capacity(k + 1);
        let mut seen: FxMap<u32, ()> = FxMap::default();
        let push = |best: &mut Vec<(f64, u32)>, s: f64, w: u32| {
            best.push((s, w));
            best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            best.truncate(k);
        };
        let mut depth = 0usize;
        loop {
            // Any word not listed yet has at most the current depth's weight in every list.
            let mut threshold = self.floor;
            let mut any = false;
            for p in &self.parts {
                if depth < p.entry.len as usize {
                    any = true;
                    let (w, weight) = p.by_count(depth);
                    threshold += p.coef * weight;
                    if seen.insert(w, ()).is_none() {
                        push(&mut best, score(w), w);
                    }
                }
            }
            if !any {
                break;
            }
            if best.len() == k && best[k - 1].0 >= threshold.ln() {
                return best;
            }
            depth += 1;
        }
        // Every listed word is scored; every other word has probability exactly `floor` (a
        // listed word has more: its discounted count is positive), so it scores ln floor, or
        // ln floor × penalty when penalised. The best of them are the smallest unpenalised ids.
        if self.floor > 0.0 {
            let f = self.floor.ln();
            let penalised_floor = if penalty != 1.0 { f * penalty } else { f };
            for w in 0..vocab as u32 {
                if best.len() == k && best[k - 1].0 >= f {
                    break;
                }
                if seen.contains_key(&w) {
                    continue;
                }
                let s = if penalty != 1.0 && penalised(w) {
                    penalised_floor
                } else {
                    f
                };
                if best.len() < k || s > best[k - 1].0 {
                    push(&mut best, s, w);
                }
            }
        }
        best
    }
}

/// A language model over token ids `0..vocab()` that conditions on the last `order() − 1`
/// tokens and writes its next-word distribution as a [`Mixture`]. Everything else —
/// probabilities, perplexity, sampling, top-k and beam search — follows from the mixture.
pub trait LanguageModel: Sync {
    /// The model order (context of `order − 1` tokens).
    fn order(&self) -> usize;
    /// The vocabulary size.
    fn vocab(&self) -> usize;
    /// The next-word distribution after `ctx` (only its last `order − 1` tokens matter).
    fn mixture(&self, ctx: &[u32]) -> Mixture<'_>;

    /// P(w | ctx).
    fn prob(&self, ctx: &[u32], w: u32) -> f64 {
        self.mixture(ctx).prob(w)
    }

    /// Σ ln P(w_i | w_{<i}) over a sequence, context taken within the sequence only.
    fn log_prob(&self, seq: &[u32]) -> f64 {
        let keep = self.order() - 1;
        (0..seq.len())
            .map(|i| self.prob(&seq[i.saturating_sub(keep)..i], seq[i]).ln())
            .sum()
    }

    /// Perplexity exp(−mean ln P) of one sequence.
    fn perplexity(&self, seq: &[u32]) -> f64 {
        (-self.log_prob(seq) / seq.len() as f64).exp()
    }

    /// Draws the next word at temperature 1.
    fn sample_next(&self, ctx: &[u32], rng: &mut Rng) -> u32 {
        self.mixture(ctx).sample(self.vocab(), rng)
    }

    /// Draws the next word at temperature `t` ≠ 1 (O(vocabulary)).
    fn sample_next_tempered(&self, ctx: &[u32], t: f64, rng: &mut Rng) -> u32 {
        self.mixture(ctx).sample_tempered(self.vocab(), t, rng)
    }

    /// The `k` best next words after `ctx` with their (penalised) scores: [`Mixture::top_k`].
    fn top_k(
        &self,
        ctx: &[u32],
        k: usize,
        penalty: f64,
        penalised: &dyn Fn(u32) -> bool,
    ) -> Vec<(f64, u32)> {
        self.mixture(ctx).top_k(self.vocab(), k, penalty, penalised)
    }
}

/// The top-m lists of one model by context, computed without a repetition penalty (a list
/// depends on the context alone) and reused across hypotheses and blocks. Valid for one model
/// only.
///
/// A repetition penalty only lowers scores (ln P < 0 times a penalty ≥ 1), so the penalised
/// top k lies inside the unpenalised top m as soon as that list holds k unpenalised words:
/// every word below it scores at most the m-th score without a penalty, and no more with one,
/// so it cannot pass those k. [`TopKCache::top_k`] grows m until that holds and rescores the
/// list.
#[derive(Debug, Default)]
pub struct TopKCache {
    lists: FxMap<u64, Vec<(f64, u32)>>,
}

impl TopKCache {
    /// The unpenalised top `m` of `model` after `ctx` (all of the vocabulary when smaller).
    fn list(&mut self, model: &dyn LanguageModel, ctx: &[u32], m: usize) -> &[(f64, u32)] {
        let m = m.min(model.vocab());
        let list = self.lists.entry(key(ctx)).or_default();
        if list.len() < m {
            *list = model.top_k(ctx, m, 1.0, &|_| false);
        }
        &list[..m.min(list.len())]
    }

    /// The `k` best next words after `ctx` with their scores (ln P, × `penalty` for words in
    /// `penalised`), equal to [`LanguageModel::top_k`], from cached unpenalised lists.
    pub fn top_k(
        &mut self,
        model: &dyn LanguageModel,
        ctx: &[u32],
        k: usize,
        penalty: f64,
        penalised: &dyn Fn(u32) -> bool,
    ) -> Vec<(f64, u32)> {
        if penalty == 1.0 {
            return self.list(model, ctx, k).to_vec();
        }
        let mut m = k;
        loop {
            let list = self.list(model, ctx, m);
            let free = list.iter().filter(|x| !penalised(x.1)).count();
            if free >= k || list.len() < m {
                let mut best: Vec<(f64, u32)> = list
                    .iter()
                    .map(|&(lp, w)| (if penalised(w) { lp * penalty } else { lp }, w))
                    .collect();
                best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                best.truncate(k);
                return best;
            }
            m *= 2;
        }
    }
}

/// Beam search (`beams` hypotheses) for exactly `len` new tokens after `prompt`, with the
/// repetition penalty applied to tokens already in the prompt or the hypothesis: the score of
/// such a token is ln P × `penalty`, as Hugging Face's `RepetitionPenaltyLogitsProcessor`
/// does to the log-softmax scores of beam search. Hypotheses are ranked by their summed
/// scores; ties break towards the earlier hypothesis, then the smaller word id. `cache` keeps
/// the top-k lists of `m` by context (reused across calls on the same model).
pub fn beam_search(
    m: &dyn LanguageModel,
    prompt: &[u32],
    len: usize,
    beams: usize,
    penalty: f64,
    cache: &mut TopKCache,
) -> Vec<u32> {
    let ctx_len = m.order() - 1;
    let mut hyps: Vec<(f64, Vec<u32>)> = vec![(0.0, Vec::with_capacity(len))];
    let prompt_set: std::collections::HashSet<u32> = if penalty != 1.0 {
        prompt.iter().copied().collect()
    } else {
        Default::default()
    };
    let mut ctx: Vec<u32> = Vec::with_capacity(ctx_len + len);
    for _ in 0..len {
        let mut next: Vec<(f64, usize, u32)> = Vec::with_capacity(beams * beams);
        for (h, (s, toks)) in hyps.iter().enumerate() {
            ctx.clear();
            ctx.extend_from_slice(&prompt[prompt.len().saturating_sub(ctx_len)..]);
            ctx.extend_from_slice(toks);
            let c = &ctx[ctx.len().saturating_sub(ctx_len)..];
            let pen = |w: u32| prompt_set.contains(&w) || toks.contains(&w);
            for (lp, w) in cache.top_k(m, c, beams, penalty, &pen) {
                next.push((s + lp, h, w));
            }
        }
        next.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        next.truncate(beams);
        hyps = next
            .into_iter()
            .map(|(s, h, w)| {
                let mut t = hyps[h].1.clone();
                t.push(w);
                (s, t)
            })
            .collect();
    }
    hyps.swap_remove(0).1
}

/// A fitted n-gram model over a fixed vocabulary of size `vocab`.
#[derive(Clone, Debug)]
pub struct NgramModel {
    order: usize,
    smoothing: Smoothing,
    vocab: usize,
    levels: Vec<Level>,
}

impl NgramModel {
    /// Fits an order-`order` model (1 to 4) on sequences of token ids `< vocab`. n-grams do not
    /// cross sequence boundaries.
    pub fn fit(seqs: &[Vec<u32>], order: usize, smoothing: Smoothing, vocab: usize) -> Self {
        assert!(
            (1..=4).contains(&order),
            "order is validated to lie in 2..=4"
        );
        let kn = smoothing == Smoothing::KneserNey;
        // Raw occurrences (context tokens, word) for every order.
        let mut raw: Vec<Vec<([u32; 3], u32)>> = vec![Vec::new(); order];
        for s in seqs {
            for i in 0..s.len() {
                for j in 1..=order.min(i + 1) {
                    let mut ctx = [u32::MAX; 3];
                    ctx[..j - 1].copy_from_slice(&s[i + 1 - j..i]);
                    raw[j - 1].push((ctx, s[i]));
                }
            }
        }
        let mut levels = vec![Level::default(); order];
        for j in (1..=order).rev() {
            let pairs: Vec<(u64, u32)> = if kn && j < order {
                // Continuation counts: one per distinct (j+1)-gram u h w, credited to (h, w).
                let mut higher = raw[j].clone();
                higher.sort_unstable();
                higher.dedup();
                higher.iter().map(|(c, w)| (key(&c[1..j]), *w)).collect()
            } else {
                raw[j - 1]
                    .iter()
                    .map(|(c, w)| (key(&c[..j - 1]), *w))
                    .collect()
            };
            levels[j - 1] = Level::build(pairs, kn);
        }
        Self {
            order,
            smoothing,
            vocab,
            levels,
        }
    }

    /// Distinct words seen at the unigram level (the model's support in its training data).
    pub fn unigram_types(&self) -> usize {
        self.levels[0].words.len()
    }
}

impl LanguageModel for NgramModel {
    fn order(&self) -> usize {
        self.order
    }

    fn vocab(&self) -> usize {
        self.vocab
    }

    fn mixture(&self, ctx: &[u32]) -> Mixture<'_> {
        let mut found: Vec<(&Level, Entry)> = Vec::with_capacity(self.order);
        for j in 1..=self.order {
            let l = j - 1;
            if ctx.len() < l {
                break;
            }
            let level = &self.levels[j - 1];
            match level.map.get(&key(&ctx[ctx.len() - l..])) {
                Some(e) => found.push((level, *e)),
                // Seen contexts are suffix-closed, so no longer one exists.
                None => break,
            }
        }
        let v = self.vocab as f64;
        match self.smoothing {
            Smoothing::KneserNey => {
                let mut parts = Vec::with_capacity(found.len());
                let mut scale = 1.0;
                for &(level, entry) in found.iter().rev() {
                    parts.push(Part {
                        level,
                        entry,
                        coef: scale / entry.total,
                    });
                    scale *= level.discount * f64::from(entry.len) / entry.total;
                }
                Mixture {
                    parts,
                    floor: scale / v,
                }
            }
            Smoothing::AddK(k) => match found.last() {
                Some(&(level, entry)) => {
                    let z = entry.total + k * v;
                    Mixture {
                        parts: vec![Part {
                            level,
                            entry,
                            coef: 1.0 / z,
                        }],
                        floor: k / z,
                    }
                }
                None => Mixture {
                    parts: Vec::new(),
                    floor: 1.0 / v,
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::rng::stream;

    fn toy() -> Vec<Vec<u32>> {
        vec![
            vec![0, 1, 2, 0, 1, 3, 0, 1, 2, 4],
            vec![2, 0, 1, 2, 2, 0, 3, 1, 0, 1],
        ]
    }

    #[test]
    fn distributions_sum_to_one_for_seen_and_unseen_contexts() {
        for sm in [
            Smoothing::KneserNey,
            Smoothing::AddK(0.5),
            Smoothing::AddK(0.0),
        ] {
            for order in 2..=4 {
                let m = NgramModel::fit(&toy(), order, sm, 7);
                for ctx in [&[][..], &[0], &[0, 1], &[1, 2, 0], &[6, 6, 6], &[0, 6]] {
                    let s: f64 = (0..7).map(|w| m.prob(ctx, w)).sum();
                    assert!((s - 1.0).abs() < 1e-12, "{sm:?} {order} {ctx:?}: {s}");
                }
            }
        }
    }

    #[test]
    fn kneser_ney_against_a_hand_computation() {
        // Bigram KN on one sequence "0 1 0 2": continuation counts N1+(• w): 0 ← {1, 2}... the
        // distinct bigrams are (0,1), (1,0), (0,2), so N1+(•0) = 1, N1+(•1) = 1, N1+(•2) = 1.
        let m = NgramModel::fit(&[vec![0, 1, 0, 2]], 2, Smoothing::KneserNey, 4);
        // Unigram level: three types with count 1: n1 = 3, n2 = 0, Ney's D = 1, clamped to 0.9:
        // P1(w) = (1 − 0.9)/3 + (0.9·3/3)/4 = 1/30 + 9/40 for w ∈ {0, 1, 2}, and 9/40 for w = 3.
        let p1 = |w: u32| {
            if w < 3 {
                0.1 / 3.0 + 0.9 / 4.0
            } else {
                0.9 / 4.0
            }
        };
        // Bigram level: after 0: {1:1, 2:1}; D2 = 0.9; P(1 | 0) = 0.1/2 + (0.9·2/2)·P1(1).
        assert!((m.prob(&[0], 1) - (0.05 + 0.9 * p1(1))).abs() < 1e-15);
        // An unseen context backs off entirely to P1.
        assert!((m.prob(&[3], 3) - p1(3)).abs() < 1e-15);
    }

    #[test]
    fn top_k_matches_brute_force() {
        let m = NgramModel::fit(&toy(), 3, Smoothing::KneserNey, 9);
        for ctx in [&[0u32, 1][..], &[2], &[8, 8], &[]] {
            for pen in [1.0, 3.0] {
                let penalised = |w: u32| w == 2 || w == 7;
                let got = m.top_k(ctx, 4, pen, &penalised);
                let mut all: Vec<(f64, u32)> = (0..9)
                    .map(|w| {
                        let lp = m.prob(ctx, w).ln();
                        (
                            if pen != 1.0 && penalised(w) {
                                lp * pen
                            } else {
                                lp
                            },
                            w,
                        )
                    })
                    .collect();
                all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let want: Vec<f64> = all[..4].iter().map(|x| x.0).collect();
                let have: Vec<f64> = got.iter().map(|x| x.0).collect();
                assert_eq!(have, want, "{ctx:?} {pen}");
            }
        }
    }

    #[test]
    fn cached_penalised_top_k_equals_the_direct_one() {
        let m = NgramModel::fit(&toy(), 3, Smoothing::KneserNey, 9);
        let mut cache = TopKCache::default();
        for ctx in [&[0u32, 1][..], &[2], &[8, 8], &[], &[0, 1]] {
            for (pen, k) in [(1.0, 3), (3.0, 2), (2.0, 4), (3.0, 8)] {
                let penalised = |w: u32| w <= 2 || w == 7;
                let direct = m.top_k(ctx, k, pen, &penalised);
                let cached = cache.top_k(&m, ctx, k, pen, &penalised);
                assert_eq!(direct, cached, "{ctx:?} {pen} {k}");
            }
        }
    }

    #[test]
    fn sampler_frequencies_follow_the_model() {
        let m = NgramModel::fit(&toy(), 2, Smoothing::KneserNey, 6);
        let mut rng = stream(3, "lm", 0);
        let n = 200_000;
        let mut hits = [0u32; 6];
        for _ in 0..n {
            hits[m.sample_next(&[0], &mut rng) as usize] += 1;
        }
        for w in 0..6u32 {
            let p = m.prob(&[0], w);
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (f64::from(hits[w as usize]) / n as f64 - p).abs() < 5.5 * se + 1e-12,
                "{w}"
            );
        }
    }
}
