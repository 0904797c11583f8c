//! A Tale of Tails (Dohmatob, Feng, Yang, Charton & Kempe, ICML 2024): a memorising learner on
//! Zipf data, $p_i \propto i^{-\beta}$ over $N$ items, trained on $T$ samples from a training
//! distribution $q$. The learner answers item $i$ correctly iff it has seen it, so its test error
//! is the $p$-mass of the unseen items, with expectation $E(T) = \sum_i p_i (1-q_i)^T$.
//!
//! - clean ($q = p$): $E \simeq A_\beta T^{-(1-1/\beta)}$;
//! - tail cut at rank $k$ ($q = p$ restricted to the top $k$): $E \to \sum_{i>k}p_i \asymp
//!   k^{-(\beta-1)}$, the scaling law stalls;
//! - tail narrowed ($q_i \propto i^{-\beta'}$, $\beta' > \beta$): $E \simeq A T^{-(\beta-1)/\beta'}$,
//!   a slower rate,
//!
//! with $A = \Gamma\big(\tfrac{\beta-1}{\beta'}\big)\,Z_{\beta'}^{(\beta-1)/\beta'}/(\beta' Z_\beta)$
//! ($Z$ the normalisers; $\beta' = \beta$ gives the clean constant), from
//! $\sum_i p_i e^{-Tq_i} \approx \int_0^\infty$ (notes §C).

use collapse_core::Rng;
use rand::RngExt;

/// The training distribution's distortion.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tail {
    /// $q = p$.
    Clean,
    /// $q = p$ restricted to ranks $\le k$, renormalised.
    Cut(usize),
    /// $q_i \propto i^{-\beta'}$.
    Narrowed(f64),
}

/// Zipf law on $N$ items and a distorted copy used for training.
#[derive(Clone, Debug)]
pub struct Zipf {
    /// Test distribution $p$.
    pub p: Vec<f64>,
    /// Training distribution $q$.
    pub q: Vec<f64>,
    /// Cumulative $q$ (for sampling).
    cum: Vec<f64>,
    /// Exponent $\beta$.
    pub beta: f64,
    /// The distortion.
    pub tail: Tail,
}

fn zipf(n: usize, beta: f64) -> Vec<f64> {
    let mut p: Vec<f64> = (1..=n).map(|i| (i as f64).powf(-beta)).collect();
    // Sum from the smallest terms up for accuracy.
    let z: f64 = p.iter().rev().sum();
    p.iter_mut().for_each(|x| *x /= z);
    p
}

fn normaliser(n: usize, beta: f64) -> f64 {
    (1..=n).rev().map(|i| (i as f64).powf(-beta)).sum()
}

impl Zipf {
    /// $p$ over `n` items with exponent `beta`, trained through `tail`.
    pub fn new(n: usize, beta: f64, tail: Tail) -> Self {
        let p = zipf(n, beta);
        let q = match tail {
            Tail::Clean => p.clone(),
            Tail::Cut(k) => {
                let k = k.min(n);
                let head: f64 = p[..k].iter().rev().sum();
                (0..n)
                    .map(|i| if i < k { p[i] / head } else { 0.0 })
                    .collect()
            }
            Tail::Narrowed(b) => zipf(n, b),
        };
        let mut cum = Vec::with_capacity(n);
        let mut acc = 0.0;
        for &x in &q {
            acc += x;
            cum.push(acc);
        }
        Self {
            p,
            q,
            cum,
            beta,
            tail,
        }
    }

    /// Exact $E(T) = \sum_i p_i(1-q_i)^T$.
    pub fn expected_error(&self, t: f64) -> f64 {
        // (1-q)^T = exp(T ln(1-q)); ln_1p keeps small q exact.
        self.p
            .iter()
            .zip(&self.q)
            .rev()
            .map(|(p, q)| p * (t * (-q).ln_1p()).exp())
            .sum()
    }

    /// The mass of the items the training distribution never shows: $\sum_{q_i = 0} p_i$.
    pub fn unreachable_mass(&self) -> f64 {
        self.p
            .iter()
            .zip(&self.q)
            .rev()
            .filter(|(_, q)| **q == 0.0)
            .map(|(p, _)| p)
            .sum()
    }

    /// One draw of $T$ training samples; returns the test error (mass of unseen items).
    pub fn simulate(&self, t: usize, rng: &mut Rng) -> f64 {
        let mut seen = vec![false; self.p.len()];
        let total = *self.cum.last().unwrap_or(&1.0);
        for _ in 0..t {
            let u = rng.random::<f64>() * total;
            let i = self.cum.partition_point(|&c| c <= u).min(self.p.len() - 1);
            seen[i] = true;
        }
        self.p
            .iter()
            .zip(&seen)
            .rev()
            .filter(|(_, s)| !**s)
            .map(|(p, _)| p)
            .sum()
    }

    /// The asymptotic law from the integral approximation: $A\,T^{-(\beta-1)/\beta'}$ for the clean
    /// and narrowed tails; for a tail cut at $k$, the head integral stops at $k$, giving
    /// $\frac{1}{\beta Z_\beta}(T/Z_k)^{-c}\,\Gamma(1-1/\beta, Tk^{-\beta}/Z_k)$ (upper incomplete
    /// gamma), plus the unreachable mass $\sum_{i>k}p_i$.
    pub fn asymptotic(&self, t: f64) -> f64 {
        let n = self.p.len();
        let beta = self.beta;
        let zp = normaliser(n, beta);
        match self.tail {
            Tail::Cut(k) => {
                let k = k.min(n);
                let zk = normaliser(k, beta);
                let c = 1.0 - 1.0 / beta;
                let uk = t * (k as f64).powf(-beta) / zk;
                (t / zk).powf(-c) * upper_gamma(c, uk) / (beta * zp) + self.unreachable_mass()
            }
            _ => {
                let (bq, zq) = match self.tail {
                    Tail::Narrowed(b) => (b, normaliser(n, b)),
                    _ => (beta, zp),
                };
                let e = (beta - 1.0) / bq;
                gamma(e) * zq.powf(e) / (bq * zp) * t.powf(-e)
            }
        }
    }

    /// The scaling exponent $(\beta-1)/\beta'$ of the law (clean and cut: $1 - 1/\beta$).
    pub fn exponent(&self) -> f64 {
        match self.tail {
            Tail::Narrowed(b) => (self.beta - 1.0) / b,
            _ => 1.0 - 1.0 / self.beta,
        }
    }
}

/// $\Gamma(x)$ for $x > 0$ (Lanczos, g = 7, 9 terms; relative error ~1e-15).
pub fn gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma(1.0 - x));
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
}

/// The upper incomplete gamma function $\Gamma(a, x)$ for $a > 0$, $x \ge 0$: the series of the
/// lower function for $x < a + 1$, Lentz's continued fraction otherwise.
pub fn upper_gamma(a: f64, x: f64) -> f64 {
    let g = gamma(a);
    if x <= 0.0 {
        return g;
    }
    let log_pref = -x + a * x.ln();
    if x < a + 1.0 {
        let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        (g - sum * log_pref.exp()).max(0.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        log_pref.exp() * h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_values() {
        assert!((gamma(0.5) - std::f64::consts::PI.sqrt()).abs() < 1e-13);
        assert!((gamma(5.0) - 24.0).abs() < 1e-11);
        assert!((gamma(1.0 / 3.0) - 2.678_938_534_707_747_6).abs() < 1e-12);
    }

    #[test]
    fn incomplete_gamma_values() {
        // Γ(1, x) = e^{-x}; Γ(1/2, x) = √π erfc(√x).
        for x in [0.1f64, 1.0, 3.0, 20.0] {
            assert!((upper_gamma(1.0, x) - (-x).exp()).abs() < 1e-14 * (1.0 + (-x).exp()));
        }
        assert!((upper_gamma(0.5, 1.0) - 0.278_805_585_280_654_74).abs() < 1e-13);
        assert!((upper_gamma(0.5, 4.0) - 0.008_291_069_380_672_684).abs() < 1e-14);
    }

    #[test]
    fn asymptotic_law_approaches_the_exact_sum() {
        let z = Zipf::new(1_000_000, 2.0, Tail::Cut(200));
        for t in [1e3, 3e4, 1e6] {
            let r = z.asymptotic(t) / z.expected_error(t);
            assert!((r - 1.0).abs() < 0.03, "{t}: {r}");
        }
        let z = Zipf::new(1_000_000, 2.0, Tail::Clean);
        let r = z.asymptotic(1e5) / z.expected_error(1e5);
        assert!((r - 1.0).abs() < 0.02, "{r}");
        let z = Zipf::new(1_000_000, 2.0, Tail::Narrowed(3.0));
        let r = z.asymptotic(1e5) / z.expected_error(1e5);
        assert!((r - 1.0).abs() < 0.02, "{r}");
    }

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
    }
}
