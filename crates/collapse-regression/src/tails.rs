//! A Tale of Tails (Dohmatob, Feng, Yang, Charton & Kempe, ICML 2024): a memorising learner on
//! Zipf data, $p_i \propto i^{-\beta}$ over $N$ items, trained on $T$ samples from a training
//! distribution $q$. The learner answers item $i$ correctly iff it has seen it, so its test error
//! is the $p$-mass of the unseen items, with expectation $E(T) = \sum_i p_i (1-q_i)^T$.
//!
//! - clean ($q = p$): $E \simeq A_\beta T^{-(1-1/\beta)}$;
//! - tail cut at rank $k$ ($q = p$ restricted to the top $k$): $E \to \sum_{i>k}p_i \asymp
//!   k^{-(\beta-1)}$, the scaling law stalls;
//! - tail narrowed ($q_i \propto i^{-\beta'}$, $\beta' > \beta$): $E \simeq A T^{-(\beta-1)/\beta'}$,
//!   a slower rate;
//! - a fraction $\pi$ of clean data mixed into the cut data ($q = (1-\pi)q_{cut} + \pi p$): the
//!   error first stalls at the cut's plateau, then recovers at the clean rate once $\pi T \gg
//!   k^\beta$, $E \asymp T^{-c} + \min\{k^{-(\beta-1)}, (\pi T)^{-c}\}$, $c = 1 - 1/\beta$;
//! - $n$ generations ([`CountLaw`], [`ChainSampler`]): generation $g$ is the empirical law of
//!   $T_0$ draws from generation $g-1$ (generation 0 is $p$) and the learner trains on generation
//!   $n$. The $p$-weighted law of the counts $T_0 q_{g,i}$ is exact by a banded Wright–Fisher
//!   recursion, and in the Poisson / Galton–Watson limit $E^{(n)} \simeq A\,T_{\mathrm{eff}}^{-c}$
//!   with $1/T_{\mathrm{eff}} \approx 1/T + n/(2T_0)$ for $T \ll T_0$ and
//!   $T_{\mathrm{eff}} \to T_0 s_n \approx 2T_0/(n+1)$ as $T \to \infty$ ([`effective_samples`]),
//!
//! with $A = \Gamma\big(\tfrac{\beta-1}{\beta'}\big)\,Z_{\beta'}^{(\beta-1)/\beta'}/(\beta' Z_\beta)$
//! ($Z$ the normalisers; $\beta' = \beta$ gives the clean constant), from
//! $\sum_i p_i e^{-Tq_i} \approx \int_0^\infty$ (notes §C; derivations in `proofs/regression.md` §5).

use collapse_core::Rng;
use rand::RngExt;
use rand_distr::{Binomial, Distribution};

/// The training distribution's distortion.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tail {
    /// $q = p$.
    Clean,
    /// $q = p$ restricted to ranks $\le k$, renormalised.
    Cut(usize),
    /// $q_i \propto i^{-\beta'}$.
    Narrowed(f64),
    /// A fraction `pi` of clean data mixed into data cut at rank `k`:
    /// $q = (1-\pi)\,q_{\mathrm{cut}(k)} + \pi p$ (each training sample is clean with
    /// probability $\pi$).
    Mixed {
        /// The cut rank $k$ of the synthetic part.
        k: usize,
        /// The clean fraction $\pi \in [0, 1]$.
        pi: f64,
    },
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
    /// $Z_\beta = \sum_{i \le N} i^{-\beta}$ (for the asymptotic laws).
    norm: f64,
}

fn zipf(n: usize, beta: f64) -> Vec<f64> {
    zipf_normalised(n, beta).0
}

/// The law and its normaliser $\sum_{i \le n} i^{-\beta}$ (the same sum as [`normaliser`]).
fn zipf_normalised(n: usize, beta: f64) -> (Vec<f64>, f64) {
    let mut p: Vec<f64> = (1..=n).map(|i| (i as f64).powf(-beta)).collect();
    // Sum from the smallest terms up for accuracy.
    let z: f64 = p.iter().rev().sum();
    p.iter_mut().for_each(|x| *x /= z);
    (p, z)
}

fn normaliser(n: usize, beta: f64) -> f64 {
    (1..=n).rev().map(|i| (i as f64).powf(-beta)).sum()
}

impl Zipf {
    /// $p$ over `n` items with exponent `beta`, trained through `tail`.
    pub fn new(n: usize, beta: f64, tail: Tail) -> Self {
        let (p, norm) = zipf_normalised(n, beta);
        let cut = |k: usize| -> Vec<f64> {
            let k = k.min(n);
            let head: f64 = p[..k].iter().rev().sum();
            (0..n)
                .map(|i| if i < k { p[i] / head } else { 0.0 })
                .collect()
        };
        let q = match tail {
            Tail::Clean => p.clone(),
            Tail::Cut(k) => cut(k),
            Tail::Narrowed(b) => zipf(n, b),
            Tail::Mixed { k, pi } => cut(k)
                .iter()
                .zip(&p)
                .map(|(c, x)| (1.0 - pi) * c + pi * x)
                .collect(),
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
            norm,
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

    /// One training sample: an item (0-based rank) drawn from $q$ by inversion of its
    /// cumulative sums.
    pub fn draw(&self, rng: &mut Rng) -> usize {
        let total = *self.cum.last().unwrap_or(&1.0);
        let u = rng.random::<f64>() * total;
        self.cum.partition_point(|&c| c <= u).min(self.p.len() - 1)
    }

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

    /// One draw of $T$ training samples; returns the test error (mass of unseen items).
    pub fn simulate(&self, t: usize, rng: &mut Rng) -> f64 {
        let mut seen = vec![false; self.p.len()];
        for _ in 0..t {
            seen[self.draw(rng)] = true;
        }
        self.unseen_mass(&seen)
    }

    /// The asymptotic law from the integral approximation: $A\,T^{-(\beta-1)/\beta'}$ for the clean
    /// and narrowed tails; for a tail cut at $k$, the head integral stops at $k$, giving
    /// $\frac{1}{\beta Z_\beta}(T/Z_k)^{-c}\,\Gamma(1-1/\beta, Tk^{-\beta}/Z_k)$ (upper incomplete
    /// gamma), plus the unreachable mass $\sum_{i>k}p_i$. For the mixed law the head ($i \le k$,
    /// $q_i = r\,i^{-\beta}$ with $r = (1-\pi)/Z_k + \pi/Z_\beta$) integrates the same way, and
    /// the tail ($q_i = \pi p_i$) gives $\frac{1}{\beta Z_\beta}(\pi T/Z_\beta)^{-c}\,
    /// [\gamma(c, \pi T k^{-\beta}/Z_\beta) - \gamma(c, \pi T N^{-\beta}/Z_\beta)]$ (lower
    /// incomplete gamma): about $\sum_{i>k}p_i$ while $\pi T \ll k^\beta$, then the clean law
    /// $A(\pi T)^{-c}$.
    pub fn asymptotic(&self, t: f64) -> f64 {
        let n = self.p.len();
        let beta = self.beta;
        let zp = self.norm;
        match self.tail {
            Tail::Mixed { k, pi } => {
                let k = k.min(n);
                let zk = normaliser(k, beta);
                let c = 1.0 - 1.0 / beta;
                let kb = (k as f64).powf(-beta);
                let r = (1.0 - pi) / zk + pi / zp;
                let head = (t * r).powf(-c) * upper_gamma(c, t * r * kb) / (beta * zp);
                let tail = if pi > 0.0 {
                    let s = pi * t / zp;
                    let nb = (n as f64).powf(-beta);
                    s.powf(-c) * (lower_gamma(c, s * kb) - lower_gamma(c, s * nb)) / (beta * zp)
                } else {
                    self.unreachable_mass()
                };
                head + tail
            }
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

/// The lower incomplete gamma function $\gamma(a, x) = \int_0^x u^{a-1}e^{-u}du$ for $a > 0$,
/// $x \ge 0$: the series $x^a e^{-x}\sum_n x^n/(a(a+1)\cdots(a+n))$ for $x < a + 1$ (no
/// cancellation for small $x$), $\Gamma(a) - \Gamma(a, x)$ otherwise.
pub fn lower_gamma(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x < a + 1.0 {
        lower_gamma_series(a, x)
    } else {
        gamma(a) - upper_gamma(a, x)
    }
}

/// $\gamma(a, x)$ by its series $x^a e^{-x}\sum_n x^n/(a(a+1)\cdots(a+n))$, which converges
/// fast for $x < a + 1$.
fn lower_gamma_series(a: f64, x: f64) -> f64 {
    let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
    for _ in 0..1000 {
        ap += 1.0;
        term *= x / ap;
        sum += term;
        if term.abs() < sum.abs() * 1e-17 {
            break;
        }
    }
    sum * (-x + a * x.ln()).exp()
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
        (g - lower_gamma_series(a, x)).max(0.0)
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

/// The law $\mathrm{Bin}(n, a)$ on the band where it exceeds $e^{-50}$ times its value at the
/// mode, normalised over the band (the mass outside is below $10^{-19}$), written into `out`;
/// returns the band's first count. Each term follows from its neighbour by the ratio
/// $\frac{n-y}{y+1}\frac{a}{1-a}$, so no factorial is evaluated and the row sums to 1 to rounding.
fn binomial_band(n: usize, a: f64, out: &mut Vec<f64>) -> usize {
    out.clear();
    out.push(1.0);
    if a <= 0.0 || n == 0 {
        return 0;
    }
    if a >= 1.0 {
        return n;
    }
    const FLOOR: f64 = 1.9e-22;
    let r = a / (1.0 - a);
    let m = (((n + 1) as f64 * a) as usize).min(n);
    let (mut y, mut w) = (m, 1.0f64);
    while y > 0 && w >= FLOOR {
        w *= y as f64 / ((n - y + 1) as f64 * r);
        y -= 1;
    }
    let lo = y;
    out.clear();
    let mut sum = 0.0;
    loop {
        out.push(w);
        sum += w;
        if y == n || (y >= m && w < FLOOR) {
            break;
        }
        w *= (n - y) as f64 / (y + 1) as f64 * r;
        y += 1;
    }
    out.iter_mut().for_each(|v| *v /= sum);
    lo
}

/// The exact $p$-weighted law of the counts after $g$ generations,
/// $v_g(x) = \sum_i p_i\,P(T_0 q_{g,i} = x)$, $x = 0..T_0$. The count of one item is itself a
/// Markov chain (the marginal of a multinomial is a binomial): $X_1 \sim \mathrm{Bin}(T_0, p_i)$
/// and $X_g \mid X_{g-1} \sim \mathrm{Bin}(T_0, X_{g-1}/T_0)$, a neutral Wright–Fisher chain whose
/// transition does not depend on the item. So $v_1 = \sum_i p_i\,\mathrm{Bin}(T_0, p_i)$ and
/// $v_g = v_{g-1} P$, and every expectation of a sum $\sum_i p_i f(q_{g,i})$ is
/// $\sum_x v_g(x) f(x/T_0)$ by linearity. Rows are banded (`binomial_band`), so a generation
/// costs about $20\,T_0^{3/2}$ operations and the first $\sum_i$(band of $p_i$).
#[derive(Clone, Debug, PartialEq)]
pub struct CountLaw {
    /// $T_0$.
    pub t0: usize,
    /// The generation $g \ge 1$.
    pub generation: usize,
    /// $v_g(0..=T_0)$.
    pub v: Vec<f64>,
}

impl CountLaw {
    /// Generation 1 from the test law `p`.
    pub fn first(p: &[f64], t0: usize) -> Self {
        let mut v = vec![0.0; t0 + 1];
        let mut band = Vec::new();
        for &x in p.iter().rev() {
            let lo = binomial_band(t0, x, &mut band);
            for (slot, b) in v[lo..].iter_mut().zip(&band) {
                *slot += x * b;
            }
        }
        Self {
            t0,
            generation: 1,
            v,
        }
    }

    /// The next generation: $v_{g+1} = v_g P$.
    pub fn next(&self) -> Self {
        let t0 = self.t0;
        let mut v = vec![0.0; t0 + 1];
        let mut band = Vec::new();
        for (x, &m) in self.v.iter().enumerate().rev() {
            if m == 0.0 {
                continue;
            }
            let lo = binomial_band(t0, x as f64 / t0 as f64, &mut band);
            for (slot, b) in v[lo..].iter_mut().zip(&band) {
                *slot += m * b;
            }
        }
        Self {
            t0,
            generation: self.generation + 1,
            v,
        }
    }

    /// Generation `n` ($\ge 1$) from `p`.
    pub fn after(p: &[f64], t0: usize, n: usize) -> Self {
        let mut law = Self::first(p, t0);
        while law.generation < n {
            law = law.next();
        }
        law
    }

    /// $E^{(g)}(T) = \mathbb E\sum_i p_i (1 - q_{g,i})^T = \sum_x v_g(x)(1 - x/T_0)^T$.
    pub fn expected_error(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return self.v.iter().rev().sum();
        }
        let t0 = self.t0 as f64;
        self.v
            .iter()
            .enumerate()
            .rev()
            .map(|(x, &m)| m * (t * (-(x as f64) / t0).ln_1p()).exp())
            .sum()
    }

    /// The expected test mass lost by generation $g$: $\sum_i p_i P(q_{g,i} = 0) = v_g(0)$, the
    /// limit of the error as $T \to \infty$.
    pub fn lost_mass(&self) -> f64 {
        self.v[0]
    }
}

/// The effective sample size of the $n$-generation law in the Poisson / Galton–Watson limit:
/// $T_{\mathrm{eff}} = T_0\,\big(1 - \varphi^{\circ(n-1)}(e^{-T/T_0})\big)$ with
/// $\varphi(z) = e^{z-1}$ (the Poisson(1) offspring generating function), so that
/// $E^{(n)}(T) \approx \sum_i p_i e^{-p_i T_{\mathrm{eff}}}$; $n = 0$ gives $T$. For
/// $T \to \infty$ it tends to $T_0 s_n$, $s_n = 1 - \varphi^{\circ(n-1)}(0) \approx 2/(n+1)$.
pub fn effective_samples(t0: f64, n: usize, t: f64) -> f64 {
    if n == 0 {
        return t;
    }
    // ε_0 = 1 − e^{−T/T0}, ε_{m+1} = 1 − φ(1 − ε_m) = 1 − e^{−ε_m}.
    let mut e = -(-t / t0).exp_m1();
    for _ in 1..n {
        e = -(-e).exp_m1();
    }
    t0 * e
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

    #[test]
    fn lower_incomplete_gamma_values() {
        // γ(1, x) = 1 − e^{−x}; γ(1/2, 1) = √π erf(1); γ + Γ = Γ(a).
        for x in [1e-6f64, 0.1, 1.0, 3.0, 20.0] {
            assert!(
                (lower_gamma(1.0, x) + (-x).exp_m1()).abs()
                    < 1e-15 * (1.0 - (-x).exp()).max(1e-300) + 1e-17
            );
        }
        assert!((lower_gamma(0.5, 1.0) - 1.493_648_265_624_854).abs() < 1e-13);
        for x in [0.2, 5.0] {
            let a = 1.0 / 3.0;
            assert!((lower_gamma(a, x) + upper_gamma(a, x) - gamma(a)).abs() < 1e-13);
        }
    }

    #[test]
    fn mixed_law_interpolates_cut_and_clean() {
        let cut = Zipf::new(5000, 1.5, Tail::Cut(40));
        let m0 = Zipf::new(5000, 1.5, Tail::Mixed { k: 40, pi: 0.0 });
        let m1 = Zipf::new(5000, 1.5, Tail::Mixed { k: 40, pi: 1.0 });
        assert_eq!(m0.q, cut.q);
        assert_eq!(m1.q, m1.p);
        // The exact decomposition: items beyond k are seen at rate π p_i only, items within k
        // at least at rate p_i, so  R ≤ E_mix ≤ E_clean + R  with  R = Σ_{i>k} p_i (1 − π p_i)^T.
        let (k, pi) = (40, 0.1);
        let mix = Zipf::new(5000, 1.5, Tail::Mixed { k, pi });
        let clean = Zipf::new(5000, 1.5, Tail::Clean);
        for t in [10.0, 1e3, 1e5, 1e7] {
            let r: f64 = mix.p[k..]
                .iter()
                .rev()
                .map(|x| x * (t * (-pi * x).ln_1p()).exp())
                .sum();
            let e = mix.expected_error(t);
            assert!(r <= e * (1.0 + 1e-12) && e <= (clean.expected_error(t) + r) * (1.0 + 1e-12));
        }
        // q sums to 1.
        assert!((mix.q.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn mixed_asymptotic_law_approaches_the_exact_sum() {
        for pi in [0.01, 0.2] {
            let z = Zipf::new(1_000_000, 2.0, Tail::Mixed { k: 50, pi });
            for t in [1e3, 1e5, 1e7] {
                let r = z.asymptotic(t) / z.expected_error(t);
                // Observed at most 0.9 %.
                assert!((r - 1.0).abs() < 0.015, "π = {pi}, T = {t}: {r}");
            }
        }
    }

    /// $\ln k!$ by summing logarithms.
    fn ln_fact(k: usize) -> f64 {
        (2..=k).map(|i| (i as f64).ln()).sum()
    }

    #[test]
    fn count_law_matches_the_enumerated_multinomial_chain() {
        // Every composition of T0 = 5 into N = 3 items, the exact multinomial transition
        // between them, and E Σ p_i (1 − c_i/T0)^T by brute force over the joint law.
        let p = zipf(3, 1.5);
        let t0 = 5usize;
        let mut states = Vec::new();
        for a in 0..=t0 {
            for b in 0..=t0 - a {
                states.push([a, b, t0 - a - b]);
            }
        }
        let mult = |c: &[usize; 3], q: &[f64]| -> f64 {
            let mut lp = ln_fact(t0);
            for i in 0..3 {
                lp -= ln_fact(c[i]);
                if c[i] > 0 {
                    lp += c[i] as f64 * q[i].ln();
                }
            }
            lp.exp()
        };
        let mut dist: Vec<f64> = states.iter().map(|c| mult(c, &p)).collect();
        for n in 1..=3 {
            let law = CountLaw::after(&p, t0, n);
            for t in [0.0, 1.0, 7.0, 40.0] {
                let brute: f64 = states
                    .iter()
                    .zip(&dist)
                    .map(|(c, pr)| {
                        pr * (0..3)
                            .map(|i| p[i] * (1.0 - c[i] as f64 / t0 as f64).powf(t))
                            .sum::<f64>()
                    })
                    .sum();
                let exact = law.expected_error(t);
                assert!(
                    (exact - brute).abs() < 1e-14,
                    "n = {n}, T = {t}: {exact} vs {brute}"
                );
            }
            let lost: f64 = states
                .iter()
                .zip(&dist)
                .map(|(c, pr)| pr * (0..3).filter(|&i| c[i] == 0).map(|i| p[i]).sum::<f64>())
                .sum();
            assert!((law.lost_mass() - lost).abs() < 1e-15, "n = {n}");
            // One more multinomial step.
            dist = states
                .iter()
                .map(|to| {
                    states
                        .iter()
                        .zip(&dist)
                        .map(|(from, pr)| {
                            let q: Vec<f64> = from.iter().map(|&c| c as f64 / t0 as f64).collect();
                            let ok = (0..3).all(|i| q[i] > 0.0 || to[i] == 0);
                            if ok { pr * mult(to, &q) } else { 0.0 }
                        })
                        .sum()
                })
                .collect();
        }
    }

    #[test]
    fn first_generation_is_the_full_binomial_sum() {
        // n = 1: E = Σ_i p_i Σ_x C(T0,x) p_i^x (1−p_i)^(T0−x) (1 − x/T0)^T, every term from
        // log-factorials (no band, no recurrence); and the lost mass Σ p_i (1 − p_i)^T0 is the
        // clean error at T0.
        let z = Zipf::new(300, 1.2, Tail::Clean);
        let t0 = 250usize;
        let law = CountLaw::first(&z.p, t0);
        for t in [10.0, 300.0, 5000.0] {
            let direct: f64 =
                z.p.iter()
                    .rev()
                    .map(|&pi| {
                        pi * (0..=t0)
                            .map(|x| {
                                let lp = ln_fact(t0) - ln_fact(x) - ln_fact(t0 - x)
                                    + x as f64 * pi.ln()
                                    + (t0 - x) as f64 * (-pi).ln_1p();
                                (lp + t * (-(x as f64) / t0 as f64).ln_1p()).exp()
                            })
                            .sum::<f64>()
                    })
                    .sum();
            let exact = law.expected_error(t);
            assert!(
                (exact / direct - 1.0).abs() < 1e-12,
                "T = {t}: {exact} vs {direct}"
            );
        }
        let clean = z.expected_error(t0 as f64);
        assert!((law.lost_mass() / clean - 1.0).abs() < 1e-12);
        assert!((law.v.iter().sum::<f64>() - 1.0).abs() < 1e-13);
    }

    #[test]
    fn galton_watson_law_approaches_the_exact_generations() {
        let clean = Zipf::new(200_000, 2.0, Tail::Clean);
        let t0 = 2000;
        let mut law = CountLaw::first(&clean.p, t0);
        for n in 1..=8 {
            if [1, 2, 4, 8].contains(&n) {
                for t in [1e2, 1e3, 1e4, 1e6] {
                    let teff = effective_samples(t0 as f64, n, t);
                    let r = clean.asymptotic(teff) / law.expected_error(t);
                    // Observed at most 0.5 %.
                    assert!((r - 1.0).abs() < 0.01, "n = {n}, T = {t}: {r}");
                }
            }
            law = law.next();
        }
        assert_eq!(effective_samples(100.0, 0, 7.0), 7.0);
        // s_n = 1 − φ^(n−1)(0) → 2/n.
        let s = effective_samples(1.0, 2000, f64::INFINITY);
        assert!((s * 2000.0 / 2.0 - 1.0).abs() < 0.01, "{s}");
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
