//! The simulations of A Tale of Tails: a memorising learner trained on drawn samples, and the
//! resampling chain of the $n$-generation row drawn exactly ([`ChainSampler`]).

use super::law::Zipf;
use collapse_core::Rng;
use rand::RngExt;
use rand_distr::{Binomial, Distribution};

impl Zipf {
    /// The test error (mass of the unseen items) of a learner that has seen the items marked in
    /// `seen`.
    pub fn unseen_mass(&self, seen: &[bool]) -> f64 {
        self.p
            .iter()
            .zip(seen)
            .rev()
            .filter(|(_, s)| !**s)
            .map(|(p, _)| p)
            .sum()
    }

    /// The mass $\sum_{i \notin S}p_i$ of the items outside `seen` (increasing ranks), as
    /// the sum of the gaps between them, each a difference of suffix sums.
    pub fn unseen_mass_sorted(&self, seen: impl Iterator<Item = usize>) -> f64 {
        let mut unseen = 0.0;
        let mut from = 0;
        for i in seen {
            unseen += self.p_suffix[from] - self.p_suffix[i];
            from = i + 1;
        }
        unseen + self.p_suffix[from.min(self.p.len())]
    }

    /// One draw of $T$ training samples; returns the test error (mass of unseen items). The
    /// $T$ items are drawn at once as a multinomial over the support of $q$ ([`multinomial`]:
    /// conditional binomials, or one inversion per item once fewer items remain than
    /// categories), so a draw costs about $\min(T\log T, k)$ operations for a support of $k$
    /// items, never $O(N)$ with $T \ll N$ nor $O(T)$ with $T \gg k$.
    pub fn simulate(&self, t: usize, rng: &mut Rng) -> f64 {
        let mut draws = Vec::new();
        multinomial(
            &self.q[..self.support],
            &self.q_suffix,
            t as u64,
            rng,
            &mut draws,
        );
        self.unseen_mass_sorted(draws.iter().map(|&(i, _)| i as usize))
    }
}

/// Suffix sums $S_j = \sum_{i \ge j} w_i$, with a final $S_l = 0$ (summed from the smallest
/// terms of a decreasing law up).
pub fn suffix_sums(w: &[f64]) -> Vec<f64> {
    let mut s = vec![0.0; w.len() + 1];
    for j in (0..w.len()).rev() {
        s[j] = s[j + 1] + w[j];
    }
    s
}

/// Counts of `n` draws from the law $\propto w$ (all $w_j > 0$; `suffix` from [`suffix_sums`]),
/// exact in law, as `(category, count)` pairs with positive counts in increasing order, written
/// into `out`. Category $j$ takes $\mathrm{Bin}(n - \sum_{i<j} c_i,\ w_j / S_j)$ (conditional
/// binomials over the live support, the last one the remainder); once fewer draws remain than
/// categories, the rest are placed one by one by inverting the remaining cumulative weights
/// (a uniform level on $(0, S_j]$ falls in category $i$ iff $S_{i+1} <$ level $\le S_i$), which
/// costs $O(\text{draws} \cdot \log l)$ instead of one binomial per remaining category.
pub fn multinomial(w: &[f64], suffix: &[f64], n: u64, rng: &mut Rng, out: &mut Vec<(u32, u64)>) {
    out.clear();
    let l = w.len();
    let mut rem = n;
    let mut j = 0;
    while rem > 0 && j < l {
        if rem < (l - j) as u64 {
            let s = suffix[j];
            let mut picks: Vec<u32> = (0..rem)
                .map(|_| {
                    let level = s * (1.0 - rng.random::<f64>());
                    let below = suffix[j..l].partition_point(|&x| x >= level);
                    (j + below.max(1) - 1) as u32
                })
                .collect();
            picks.sort_unstable();
            for i in picks {
                match out.last_mut() {
                    Some((k, c)) if *k == i => *c += 1,
                    _ => out.push((i, 1)),
                }
            }
            return;
        }
        let c = if j + 1 == l {
            rem
        } else {
            let prob = (w[j] / suffix[j]).clamp(0.0, 1.0);
            Binomial::new(rem, prob)
                .expect("a probability in [0, 1]")
                .sample(rng)
        };
        if c > 0 {
            out.push((j as u32, c));
            rem -= c;
        }
        j += 1;
    }
}

/// A generation's model: the empirical law of `size` draws, on its live support.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Empirical {
    /// The items (0-based ranks) drawn at least once, increasing.
    pub idx: Vec<u32>,
    /// Their counts (all positive, summing to `size`).
    pub counts: Vec<u64>,
    /// The number of draws $T_0$.
    pub size: u64,
}

/// The generation chain of the $n$-generation row, drawn exactly: generation 1 is the empirical
/// law of $T_0$ draws from $p$, generation $g$ that of $T_0$ draws from generation $g-1$, each a
/// multinomial drawn by [`multinomial`] over the live support only.
#[derive(Clone, Debug)]
pub struct ChainSampler<'a> {
    p: &'a [f64],
    suffix: Vec<f64>,
}

impl<'a> ChainSampler<'a> {
    /// The chain started from the test law `p` (decreasing).
    pub fn new(p: &'a [f64]) -> Self {
        Self {
            p,
            suffix: suffix_sums(p),
        }
    }

    /// The total test mass $\sum_i p_i$ (1 to rounding).
    pub fn total(&self) -> f64 {
        self.suffix[0]
    }

    /// Generation `n` ($\ge 1$) of one chain with $T_0$ = `t0` draws per generation.
    pub fn run(&self, t0: u64, n: usize, rng: &mut Rng) -> Empirical {
        let mut draws = Vec::new();
        multinomial(self.p, &self.suffix, t0, rng, &mut draws);
        let mut g = Empirical {
            idx: draws.iter().map(|&(i, _)| i).collect(),
            counts: draws.iter().map(|&(_, c)| c).collect(),
            size: t0,
        };
        for _ in 1..n {
            let w: Vec<f64> = g.counts.iter().map(|&c| c as f64).collect();
            multinomial(&w, &suffix_sums(&w), t0, rng, &mut draws);
            g = Empirical {
                idx: draws.iter().map(|&(j, _)| g.idx[j as usize]).collect(),
                counts: draws.iter().map(|&(_, c)| c).collect(),
                size: t0,
            };
        }
        g
    }

    /// The learner's expected test error given the generation: $\sum_i p_i (1 - q_i)^T$, as
    /// $\sum_i p_i - \sum_{q_i > 0} p_i\,(1 - (1-q_i)^T)$.
    pub fn expected_error(&self, g: &Empirical, t: f64) -> f64 {
        if t <= 0.0 {
            return self.total();
        }
        let t0 = g.size as f64;
        let learnt: f64 = g
            .idx
            .iter()
            .zip(&g.counts)
            .map(|(&i, &c)| self.p[i as usize] * -(t * (-(c as f64) / t0).ln_1p()).exp_m1())
            .sum();
        self.total() - learnt
    }

    /// The test mass of the items generation `g` has lost: $\sum_{q_i = 0} p_i$.
    pub fn lost_mass(&self, g: &Empirical) -> f64 {
        let alive: f64 = g.idx.iter().map(|&i| self.p[i as usize]).sum();
        self.total() - alive
    }

    /// One learner trained on $T$ draws from generation `g`: its test error, the mass of the
    /// items it has not seen.
    pub fn simulate(&self, g: &Empirical, t: u64, rng: &mut Rng) -> f64 {
        let w: Vec<f64> = g.counts.iter().map(|&c| c as f64).collect();
        let mut draws = Vec::new();
        multinomial(&w, &suffix_sums(&w), t, rng, &mut draws);
        let seen: f64 = draws
            .iter()
            .map(|&(j, _)| self.p[g.idx[j as usize] as usize])
            .sum();
        self.total() - seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tails::law::Tail;

    #[test]
    fn sampler_frequencies_match_the_training_law() {
        // Chi-square over the 20 cut items: counts of 200000 draws against q.
        let z = Zipf::new(1000, 1.5, Tail::Cut(20));
        let mut rng = collapse_core::rng::stream(4, "zipf", 0);
        let cum = &z.cum;
        let mut counts = [0usize; 20];
        let t = 200_000;
        for _ in 0..t {
            let u = rand::RngExt::random::<f64>(&mut rng) * cum[cum.len() - 1];
            let i = cum.partition_point(|&c| c <= u);
            assert!(i < 20, "a cut item was drawn");
            counts[i] += 1;
        }
        let chi2: f64 = (0..20)
            .map(|i| (counts[i] as f64 - t as f64 * z.q[i]).powi(2) / (t as f64 * z.q[i]))
            .sum();
        // 19 degrees of freedom: P(χ² > 50) ≈ 1.3e-4.
        assert!(chi2 < 50.0, "chi2 = {chi2}");
        // And the simulated error agrees with its definition on a tiny case: T = 0 misses all.
        assert_eq!(z.simulate(0, &mut rng), z.p.iter().rev().sum::<f64>());
        // T → ∞ sees the whole support: the error is the mass beyond the cut.
        let beyond: f64 = z.p[20..].iter().rev().sum();
        assert!((z.simulate(100_000_000, &mut rng) - beyond).abs() < 1e-15);
    }

    #[test]
    fn gap_sums_are_the_unseen_mass() {
        let z = Zipf::new(50, 1.3, Tail::Clean);
        let mut rng = collapse_core::rng::stream(8, "gaps", 0);
        for _ in 0..100 {
            let seen: Vec<bool> = (0..50)
                .map(|_| rand::RngExt::random::<f64>(&mut rng) < 0.3)
                .collect();
            let sorted = (0..50).filter(|&i| seen[i]);
            let a = z.unseen_mass_sorted(sorted);
            let b = z.unseen_mass(&seen);
            assert!((a - b).abs() < 1e-15, "{a} {b}");
        }
    }

    /// $\ln k!$ by summing logarithms.
    fn ln_fact(k: usize) -> f64 {
        (2..=k).map(|i| (i as f64).ln()).sum()
    }

    /// Pearson's statistic of `counts` against `expected` with cells of expectation below 5
    /// pooled; returns (statistic, degrees of freedom).
    fn chi_square(counts: &[f64], expected: &[f64]) -> (f64, usize) {
        let (mut stat, mut cells, mut pc, mut pe) = (0.0, 0usize, 0.0, 0.0);
        for (c, e) in counts.iter().zip(expected) {
            if *e < 5.0 {
                pc += c;
                pe += e;
            } else {
                stat += (c - e).powi(2) / e;
                cells += 1;
            }
        }
        if pe > 0.0 {
            stat += (pc - pe).powi(2) / pe.max(1e-300);
            cells += 1;
        }
        (stat, cells - 1)
    }

    #[test]
    fn multinomial_sampler_has_the_multinomial_law() {
        // Joint outcomes against the exact multinomial pmf: 4 categories and 6 draws (binomials,
        // then the sweep), and 9 categories and 3 draws (the sweep from the start).
        let mut rng = collapse_core::rng::stream(11, "multinomial", 0);
        for (w, n) in [
            (vec![0.5, 0.3, 0.15, 0.05], 6u64),
            (vec![3.0, 2.0, 2.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.25], 3),
        ] {
            let l = w.len();
            let total: f64 = w.iter().sum();
            let s = suffix_sums(&w);
            let mut index = std::collections::BTreeMap::new();
            let mut out = Vec::new();
            let reps = 200_000;
            for _ in 0..reps {
                multinomial(&w, &s, n, &mut rng, &mut out);
                let mut c = vec![0u64; l];
                for &(i, k) in &out {
                    c[i as usize] = k;
                }
                assert_eq!(c.iter().sum::<u64>(), n);
                assert!(out.windows(2).all(|p| p[0].0 < p[1].0));
                *index.entry(c).or_insert(0.0) += 1.0;
            }
            // Enumerate every composition of n into l parts.
            let mut all = vec![vec![0u64; l]];
            for i in 0..l {
                all = all
                    .into_iter()
                    .flat_map(|c| {
                        let used: u64 = c.iter().sum();
                        (0..=n - used).map(move |k| {
                            let mut d = c.clone();
                            d[i] = k;
                            d
                        })
                    })
                    .collect();
            }
            all.retain(|c| c.iter().sum::<u64>() == n);
            let pmf = |c: &[u64]| -> f64 {
                let mut lp = ln_fact(n as usize);
                for i in 0..l {
                    lp += c[i] as f64 * (w[i] / total).ln() - ln_fact(c[i] as usize);
                }
                lp.exp()
            };
            let counts: Vec<f64> = all.iter().map(|c| *index.get(c).unwrap_or(&0.0)).collect();
            let expected: Vec<f64> = all.iter().map(|c| reps as f64 * pmf(c)).collect();
            assert!((expected.iter().sum::<f64>() - reps as f64).abs() < 1e-6);
            let (stat, df) = chi_square(&counts, &expected);
            // P(χ² > df + 6√(2 df)) is below 1e-6 for these df.
            let limit = df as f64 + 6.0 * (2.0 * df as f64).sqrt();
            assert!(stat < limit, "χ² = {stat} on {df} df");
        }
    }

    #[test]
    fn chain_generations_are_empirical_laws_of_t0_draws() {
        let z = Zipf::new(1000, 1.5, Tail::Clean);
        let chain = ChainSampler::new(&z.p);
        let mut rng = collapse_core::rng::stream(3, "chain", 0);
        let g = chain.run(50, 4, &mut rng);
        assert_eq!(g.counts.iter().sum::<u64>(), 50);
        assert!(g.idx.windows(2).all(|w| w[0] < w[1]));
        // Given the generation, T → ∞ learns every live item, T = 0 none.
        assert!((chain.expected_error(&g, 1e12) - chain.lost_mass(&g)).abs() < 1e-15);
        assert_eq!(chain.expected_error(&g, 0.0), chain.total());
        assert!(chain.simulate(&g, 1_000_000_000, &mut rng) - chain.lost_mass(&g) < 1e-15);
    }
}
