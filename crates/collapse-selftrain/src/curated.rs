//! Curated retraining (Ferbach, Bertrand, Bose, Gidel 2024): each round draws `K` candidates
//! from the current model, a user keeps one by generalised Bradley–Terry choice
//! $P(k)=e^{r(x_k)}/\sum_j e^{r(x_j)}$ (or, `hard`, uniformly among the best), and the model is
//! refitted by maximum likelihood (a categorical distribution: the empirical frequencies).
//!
//! The exact infinite-sample update is $p_{t+1}=p_t\,H^K_{p_t}$ with
//! $H^K_p(x)=\mathbb E_{x_1..x_{K-1}\sim p}\big[K e^{r(x)}/(e^{r(x)}+\sum_i e^{r(x_i)})\big]$,
//! computed here exactly by enumerating the multinomial counts of the competitors over the
//! distinct reward levels.
//!
//! In the core loop generation 0 is the data distribution and its samples are *real* (never
//! curated), so generation 1 is the model trained on real data ($p_0$ of the paper) and every
//! later generation is trained on curated samples of the previous one; under the `mix` policy a
//! fraction of fresh real samples joins each round (Ferbach et al., Theorems 2.2–2.4).

use crate::metrics::entropy;
use crate::model::draw_index;
use crate::names::{ENTROPY, EXP_REWARD, KL_TO_LIMIT, REWARD, TOP_MASS};
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::{Dataset, Family, Policy, Rng, run_chain};
use rand::RngExt;

/// A categorical model; `real` marks the data distribution, whose samples are not curated.
#[derive(Clone, Debug, PartialEq)]
pub struct CatModel {
    /// Probabilities.
    pub p: Vec<f64>,
    /// Whether this is the data distribution.
    pub real: bool,
}

/// Kept samples per category.
#[derive(Clone, Debug, PartialEq)]
pub struct Counts(pub Vec<u64>);

impl Dataset for Counts {
    fn len(&self) -> usize {
        self.0.iter().sum::<u64>() as usize
    }
    fn merge(&mut self, other: Self) {
        self.0.iter_mut().zip(other.0).for_each(|(a, b)| *a += b);
    }
    fn subsample(&self, _: usize, _: &mut Rng) -> Option<Self> {
        None
    }
}

/// The curated loop.
#[derive(Clone, Debug)]
pub struct Curated {
    /// The data distribution.
    pub p0: Vec<f64>,
    /// Reward of each category.
    pub reward: Vec<f64>,
    /// Candidates per choice K.
    pub k: usize,
    /// Hard curation: keep uniformly among the highest-reward candidates ($\gamma\to\infty$).
    pub hard: bool,
}

impl Curated {
    /// The distinct reward levels (ascending) and the level index of each category.
    fn levels(&self) -> (Vec<f64>, Vec<usize>) {
        let mut v: Vec<f64> = self.reward.clone();
        v.sort_by(f64::total_cmp);
        v.dedup();
        let idx = self
            .reward
            .iter()
            .map(|r| v.iter().position(|x| x == r).expect("present"))
            .collect();
        (v, idx)
    }

    /// Number of competitor count vectors enumerated by [`Curated::h`]: $\binom{K-1+L-1}{L-1}$.
    pub fn enumeration_size(k: usize, levels: usize) -> f64 {
        let (n, r) = ((k - 1 + levels - 1) as f64, (levels - 1) as f64);
        (0..levels - 1).fold(1.0, |a, i| a * (n - i as f64) / (r - i as f64))
    }

    /// $H^K_p$ at each reward level (exact).
    pub fn h(&self, p: &[f64]) -> Vec<f64> {
        let (vals, idx) = self.levels();
        let l = vals.len();
        let mut mass = vec![0.0; l];
        for (x, &j) in idx.iter().enumerate() {
            mass[j] += p[x];
        }
        let vmax = vals[l - 1];
        let e: Vec<f64> = vals.iter().map(|v| (v - vmax).exp()).collect();
        let mut h = vec![0.0; l];
        let mut counts = vec![0usize; l];
        let k = self.k;
        // Tail masses for the binomial splits.
        let mut tail = vec![0.0; l + 1];
        for j in (0..l).rev() {
            tail[j] = tail[j + 1] + mass[j];
        }
        #[allow(clippy::too_many_arguments)]
        fn rec(
            j: usize,
            m: usize,
            prob: f64,
            counts: &mut [usize],
            mass: &[f64],
            tail: &[f64],
            e: &[f64],
            hard: bool,
            k: usize,
            h: &mut [f64],
        ) {
            let l = mass.len();
            if j == l - 1 {
                counts[j] = m;
                if m > 0 && mass[j] <= 0.0 {
                    return;
                }
                let kf = k as f64;
                for a in 0..l {
                    let w = if hard {
                        if counts[a + 1..].iter().any(|&c| c > 0) {
                            0.0
                        } else {
                            kf / (1.0 + counts[a] as f64)
                        }
                    } else {
                        let s: f64 = counts.iter().zip(e).map(|(&c, &x)| c as f64 * x).sum();
                        kf * e[a] / (e[a] + s)
                    };
                    h[a] += prob * w;
                }
                return;
            }
            if m == 0 {
                counts[j..].iter_mut().for_each(|c| *c = 0);
                rec(l - 1, 0, prob, counts, mass, tail, e, hard, k, h);
                return;
            }
            let q = if tail[j] > 0.0 {
                (mass[j] / tail[j]).clamp(0.0, 1.0)
            } else {
                0.0
            };
            // Binomial(m, q) pmf by recurrence from c = 0.
            let mut pmf = (1.0 - q).powi(m as i32);
            for c in 0..=m {
                if c > 0 {
                    pmf = if q >= 1.0 {
                        if c == m { 1.0 } else { 0.0 }
                    } else {
                        pmf * (m - c + 1) as f64 / c as f64 * q / (1.0 - q)
                    };
                }
                if pmf > 0.0 {
                    counts[j] = c;
                    rec(j + 1, m - c, prob * pmf, counts, mass, tail, e, hard, k, h);
                }
            }
        }
        rec(
            0,
            k - 1,
            1.0,
            &mut counts,
            &mass,
            &tail,
            &e,
            self.hard,
            k,
            &mut h,
        );
        h
    }

    /// The exact curated update $p\,H^K_p$ (renormalised against rounding).
    pub fn curated_update(&self, p: &[f64]) -> Vec<f64> {
        let (_, idx) = self.levels();
        let h = self.h(p);
        let mut out: Vec<f64> = p.iter().zip(&idx).map(|(&px, &j)| px * h[j]).collect();
        let s: f64 = out.iter().sum();
        out.iter_mut().for_each(|x| *x /= s);
        out
    }

    /// One curated choice among `K` candidates drawn from `p`.
    pub fn choose(&self, p: &[f64], rng: &mut Rng) -> usize {
        let cand: Vec<usize> = (0..self.k).map(|_| draw_index(p, rng)).collect();
        let rmax = cand
            .iter()
            .map(|&x| self.reward[x])
            .fold(f64::NEG_INFINITY, f64::max);
        if self.hard {
            let best: Vec<usize> = cand
                .into_iter()
                .filter(|&x| self.reward[x] == rmax)
                .collect();
            return best[rng.random_range(0..best.len())];
        }
        let w: Vec<f64> = cand
            .iter()
            .map(|&x| (self.reward[x] - rmax).exp())
            .collect();
        let tot: f64 = w.iter().sum();
        let u: f64 = rng.random::<f64>() * tot;
        let mut acc = 0.0;
        for (i, wi) in w.iter().enumerate() {
            acc += wi;
            if u < acc {
                return cand[i];
            }
        }
        cand[self.k - 1]
    }

    /// Runs the loop through the core: `observe(g, model)` for g = 0 (data) … `rounds`.
    pub fn run(
        &self,
        rounds: u64,
        samples: usize,
        real_fraction: f64,
        finite: bool,
        rng: &mut Rng,
        observe: impl FnMut(u64, &CatModel),
    ) -> Result<(), ChainError> {
        let cfg = ChainConfig {
            generations: rounds,
            samples,
            schedule: collapse_core::Schedule::Constant,
            policy: if real_fraction > 0.0 {
                Policy::Mix { real_fraction }
            } else {
                Policy::Replace
            },
            finite,
        };
        run_chain(self, &cfg, rng, observe)
    }
}

impl Family for Curated {
    type Model = CatModel;
    type Data = Counts;

    fn truth(&self) -> CatModel {
        CatModel {
            p: self.p0.clone(),
            real: true,
        }
    }
    fn fit(&self, data: &Counts, _: &mut Rng) -> CatModel {
        let n = data.0.iter().sum::<u64>().max(1) as f64;
        CatModel {
            p: data.0.iter().map(|&c| c as f64 / n).collect(),
            real: false,
        }
    }
    fn sample(&self, model: &CatModel, n: usize, rng: &mut Rng) -> Counts {
        let mut c = vec![0u64; model.p.len()];
        for _ in 0..n {
            let x = if model.real {
                draw_index(&model.p, rng)
            } else {
                self.choose(&model.p, rng)
            };
            c[x] += 1;
        }
        Counts(c)
    }
    fn fit_population(&self, mixture: &[(f64, &CatModel)], _: usize) -> Option<CatModel> {
        let mut out = vec![0.0; self.p0.len()];
        for (w, m) in mixture {
            let q = if m.real {
                m.p.clone()
            } else {
                self.curated_update(&m.p)
            };
            out.iter_mut().zip(q).for_each(|(a, b)| *a += w * b);
        }
        Some(CatModel {
            p: out,
            real: false,
        })
    }
}

/// What the curated experiment measures of a model under the loop's reward.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CuratedMetrics {
    /// Expected reward.
    pub reward: f64,
    /// Expected exponentiated reward.
    pub exp_reward: f64,
    /// Entropy (nats).
    pub entropy: f64,
    /// Mass on the reward maximisers.
    pub top_mass: f64,
    /// KL(p* ‖ p) with p* the data restricted to the maximisers, capped at 1e3 (infinite once a
    /// maximiser is lost) so that no record is infinite.
    pub kl_to_limit: f64,
}

/// The record names of [`CuratedMetrics::values`], in canonical (alphabetical) order.
pub const METRIC_NAMES: [&str; 5] = [ENTROPY, EXP_REWARD, KL_TO_LIMIT, REWARD, TOP_MASS];

impl CuratedMetrics {
    /// The values in the order of [`METRIC_NAMES`].
    pub fn values(&self) -> [f64; 5] {
        [
            self.entropy,
            self.exp_reward,
            self.kl_to_limit,
            self.reward,
            self.top_mass,
        ]
    }
}

impl Curated {
    /// The metrics of a categorical model under the loop's reward.
    pub fn metrics(&self, m: &CatModel) -> CuratedMetrics {
        let rmax = self
            .reward
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let top = expect(&m.p, |i| f64::from(u8::from(self.reward[i] == rmax)));
        // KL(p* ‖ p) with p* the data restricted to the maximisers (Ferbach Theorem 2.1).
        let z: f64 = self
            .p0
            .iter()
            .zip(&self.reward)
            .filter(|(_, r)| **r == rmax)
            .map(|(p, _)| p)
            .sum();
        let mut kl = 0.0;
        for (i, (&p0, &r)) in self.p0.iter().zip(&self.reward).enumerate() {
            if r == rmax && p0 > 0.0 {
                let ps = p0 / z;
                kl += if m.p[i] > 0.0 {
                    ps * (ps / m.p[i]).ln()
                } else {
                    f64::INFINITY
                };
            }
        }
        CuratedMetrics {
            reward: expect(&m.p, |i| self.reward[i]),
            exp_reward: expect(&m.p, |i| self.reward[i].exp()),
            entropy: entropy(&m.p),
            top_mass: top,
            kl_to_limit: kl.min(1e3),
        }
    }
}

/// Expectation of `f` under `p`.
pub fn expect(p: &[f64], f: impl Fn(usize) -> f64) -> f64 {
    p.iter().enumerate().map(|(i, &pi)| pi * f(i)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::check::check_stream;

    fn brute_h(c: &Curated, p: &[f64], x: usize) -> f64 {
        // Sum over all (K−1)-tuples of categories.
        let n = p.len();
        let k = c.k;
        let mut total = 0.0;
        let tuples = n.pow((k - 1) as u32);
        for t in 0..tuples {
            let mut rest = t;
            let mut prob = 1.0;
            let mut sum = 0.0;
            let mut better = false;
            let mut ties = 0.0;
            for _ in 0..k - 1 {
                let y = rest % n;
                rest /= n;
                prob *= p[y];
                sum += c.reward[y].exp();
                if c.reward[y] > c.reward[x] {
                    better = true;
                }
                if c.reward[y] == c.reward[x] {
                    ties += 1.0;
                }
            }
            let w = if c.hard {
                if better { 0.0 } else { k as f64 / (1.0 + ties) }
            } else {
                k as f64 * c.reward[x].exp() / (c.reward[x].exp() + sum)
            };
            total += prob * w;
        }
        total
    }

    #[test]
    fn h_matches_brute_force_and_normalises() {
        let p = vec![0.1, 0.3, 0.2, 0.15, 0.25];
        for hard in [false, true] {
            let c = Curated {
                p0: p.clone(),
                reward: vec![0.0, 1.5, 0.7, 1.5, 0.0],
                k: 4,
                hard,
            };
            let (_, idx) = c.levels();
            let h = c.h(&p);
            for x in 0..5 {
                assert!(
                    (h[idx[x]] - brute_h(&c, &p, x)).abs() < 1e-12,
                    "hard={hard} x={x}"
                );
            }
            let s: f64 = p.iter().zip(&idx).map(|(px, &j)| px * h[j]).sum();
            assert!((s - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn sampled_choice_follows_the_exact_update() {
        let p = vec![0.4, 0.3, 0.2, 0.1];
        let c = Curated {
            p0: p.clone(),
            reward: vec![0.0, 1.0, 0.5, 2.0],
            k: 3,
            hard: false,
        };
        let exact = c.curated_update(&p);
        let mut rng = check_stream("t", 0);
        let n = 200_000;
        let counts = c.sample(
            &CatModel {
                p: p.clone(),
                real: false,
            },
            n,
            &mut rng,
        );
        for x in 0..4 {
            let f = counts.0[x] as f64 / n as f64;
            let se = (exact[x] * (1.0 - exact[x]) / n as f64).sqrt();
            assert!((f - exact[x]).abs() < 5.5 * se, "{x}: {f} vs {}", exact[x]);
        }
    }
}
