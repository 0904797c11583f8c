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

/// One part of the next-word mixture: `coef × weight` of the continuations of an entry.
#[derive(Clone, Copy, Debug)]
struct Part {
    level: usize,
    entry: Entry,
    coef: f64,
}

/// The next-word distribution after a context, as a mixture.
#[derive(Clone, Debug)]
pub struct Mixture {
    parts: Vec<Part>,
    floor: f64,
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
    /// Fits an order-`order` model (2 to 4) on sequences of token ids `< vocab`. n-grams do not
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

    /// The model order.
    pub fn order(&self) -> usize {
        self.order
    }

    /// The vocabulary size.
    pub fn vocab(&self) -> usize {
        self.vocab
    }

    /// Distinct words seen at the unigram level (the model's support in its training data).
    pub fn unigram_types(&self) -> usize {
        self.levels[0].words.len()
    }

    /// The next-word distribution after `ctx` (only its last `order − 1` tokens matter).
    pub fn mixture(&self, ctx: &[u32]) -> Mixture {
        let mut found: Vec<(usize, Entry)> = Vec::with_capacity(self.order);
        for j in 1..=self.order {
            let l = j - 1;
            if ctx.len() < l {
                break;
            }
            match self.levels[j - 1].map.get(&key(&ctx[ctx.len() - l..])) {
                Some(e) => found.push((j - 1, *e)),
                // Seen contexts are suffix-closed, so no longer one exists.
                None => break,
            }
        }
        let v = self.vocab as f64;
        match self.smoothing {
            Smoothing::KneserNey => {
                let mut parts = Vec::with_capacity(found.len());
                let mut scale = 1.0;
                for &(lv, e) in found.iter().rev() {
                    parts.push(Part {
                        level: lv,
                        entry: e,
                        coef: scale / e.total,
                    });
                    scale *= self.levels[lv].discount * f64::from(e.len) / e.total;
                }
                Mixture {
                    parts,
                    floor: scale / v,
                }
            }
            Smoothing::AddK(k) => match found.last() {
                Some(&(lv, e)) => {
                    let z = e.total + k * v;
                    Mixture {
                        parts: vec![Part {
                            level: lv,
                            entry: e,
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

    /// P(w | ctx) from a mixture.
    pub fn prob_in(&self, m: &Mixture, w: u32) -> f64 {
        m.floor
            + m.parts
                .iter()
                .map(|p| p.coef * self.levels[p.level].weight(&p.entry, w))
                .sum::<f64>()
    }

    /// P(w | ctx).
    pub fn prob(&self, ctx: &[u32], w: u32) -> f64 {
        self.prob_in(&self.mixture(ctx), w)
    }

    /// The whole next-word distribution (O(V); for checks and temperature ≠ 1).
    pub fn dense(&self, m: &Mixture) -> Vec<f64> {
        let mut p = vec![m.floor; self.vocab];
        for part in &m.parts {
            let lv = &self.levels[part.level];
            let (s, n) = (part.entry.start as usize, part.entry.len as usize);
            for k in s..s + n {
                p[lv.words[k] as usize] += part.coef * (f64::from(lv.counts[k]) - lv.discount);
            }
        }
        p
    }

    /// Σ ln P(w_i | w_{<i}) over a sequence, context taken within the sequence only.
    pub fn log_prob(&self, seq: &[u32]) -> f64 {
        (0..seq.len())
            .map(|i| {
                self.prob(&seq[i.saturating_sub(self.order - 1)..i], seq[i])
                    .ln()
            })
            .sum()
    }

    /// Perplexity exp(−mean ln P) of one sequence.
    pub fn perplexity(&self, seq: &[u32]) -> f64 {
        (-self.log_prob(seq) / seq.len() as f64).exp()
    }

    /// Draws the next word at temperature 1: a part by its mass, then a word within it.
    pub fn sample_next(&self, ctx: &[u32], rng: &mut Rng) -> u32 {
        let m = self.mixture(ctx);
        let floor_mass = m.floor * self.vocab as f64;
        let masses: Vec<f64> = m
            .parts
            .iter()
            .map(|p| p.coef * self.levels[p.level].mass(&p.entry))
            .collect();
        let total = floor_mass + masses.iter().sum::<f64>();
        let mut u = rng.random::<f64>() * total;
        for (p, &mass) in m.parts.iter().zip(&masses) {
            if u < mass {
                let lv = &self.levels[p.level];
                let (s, n) = (p.entry.start as usize, p.entry.len as usize);
                let target = u / p.coef;
                let i = lv.cum[s..s + n]
                    .partition_point(|&c| c <= target)
                    .min(n - 1);
                return lv.words[s + i];
            }
            u -= mass;
        }
        rng.random_range(0..self.vocab as u32)
    }

    /// Draws the next word at temperature `t` ≠ 1 from p^{1/t} over the whole vocabulary.
    pub fn sample_next_tempered(&self, ctx: &[u32], t: f64, rng: &mut Rng) -> u32 {
        let mut p = self.dense(&self.mixture(ctx));
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

    /// The `k` highest-scoring next words with their scores ln P (× `penalty` for words in
    /// `penalised`, as a repetition penalty), exactly, by the threshold algorithm over the
    /// mixture's count-sorted lists. Ties break towards the smaller word id.
    pub fn top_k(
        &self,
        ctx: &[u32],
        k: usize,
        penalty: f64,
        penalised: &dyn Fn(u32) -> bool,
    ) -> Vec<(f64, u32)> {
        let m = self.mixture(ctx);
        let score = |w: u32| {
            let lp = self.prob_in(&m, w).ln();
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
            let mut threshold = m.floor;
            let mut any = false;
            for p in &m.parts {
                let lv = &self.levels[p.level];
                if depth < p.entry.len as usize {
                    any = true;
                    let idx = p.entry.start as usize
                        + lv.by_count[p.entry.start as usize + depth] as usize;
                    let w = lv.words[idx];
                    threshold += p.coef * (f64::from(lv.counts[idx]) - lv.discount);
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
        // Every listed word is scored; the rest share the floor. Fill with the smallest ids.
        if m.floor > 0.0 {
            let mut w = 0u32;
            while best.len() < k && (w as usize) < self.vocab {
                if let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(w) {
                    slot.insert(());
                    push(&mut best, score(w), w);
                }
                w += 1;
            }
            // A penalised floor word may rank below an unpenalised one further on.
            let floor = m.floor.ln();
            while (w as usize) < self.vocab && best.last().is_some_and(|b| b.0 < floor) {
                if !seen.contains_key(&w) {
                    push(&mut best, score(w), w);
                }
                w += 1;
            }
        }
        best
    }

    /// Beam search (`beams` hypotheses) for exactly `len` new tokens after `prompt`, with
    /// the repetition penalty applied to tokens already in the prompt or the hypothesis.
    pub fn beam(&self, prompt: &[u32], len: usize, beams: usize, penalty: f64) -> Vec<u32> {
        let ctx_len = self.order - 1;
        let mut hyps: Vec<(f64, Vec<u32>)> = vec![(0.0, Vec::with_capacity(len))];
        let prompt_set: std::collections::HashSet<u32> = if penalty != 1.0 {
            prompt.iter().copied().collect()
        } else {
            Default::default()
        };
        for _ in 0..len {
            let mut next: Vec<(f64, usize, u32)> = Vec::with_capacity(beams * beams);
            for (h, (s, toks)) in hyps.iter().enumerate() {
                let mut ctx: Vec<u32> = prompt[prompt.len().saturating_sub(ctx_len)..].to_vec();
                ctx.extend_from_slice(toks);
                let ctx = &ctx[ctx.len().saturating_sub(ctx_len)..];
                let pen = |w: u32| prompt_set.contains(&w) || toks.contains(&w);
                for (lp, w) in self.top_k(ctx, beams, penalty, &pen) {
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
