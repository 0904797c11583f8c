//! The Zipf test law $p_i \propto i^{-\beta}$ and its distorted training copies
//! ([`Tail`]), with the sampler of one training item.

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
    /// Cumulative $q$ (for sampling one item).
    pub(super) cum: Vec<f64>,
    /// The number of items with $q_i > 0$ (they are the first ones: $k$ for a cut, $N$ else).
    pub(super) support: usize,
    /// Suffix sums of $q$ over its support (for drawing $T$ items at once, see
    /// [`super::multinomial`]).
    pub(super) q_suffix: Vec<f64>,
    /// Suffix sums $\sum_{i\ge j}p_i$, summed from the smallest terms up (for the mass of the
    /// unseen items).
    pub(super) p_suffix: Vec<f64>,
    /// Exponent $\beta$.
    pub beta: f64,
    /// The distortion.
    pub tail: Tail,
    /// $Z_\beta = \sum_{i \le N} i^{-\beta}$ (for the asymptotic laws).
    pub(super) norm: f64,
}

pub(super) fn zipf(n: usize, beta: f64) -> Vec<f64> {
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

pub(super) fn normaliser(n: usize, beta: f64) -> f64 {
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
        let support = q.iter().rposition(|&x| x > 0.0).map_or(0, |i| i + 1);
        let q_suffix = super::suffix_sums(&q[..support]);
        let p_suffix = super::suffix_sums(&p);
        Self {
            p,
            q,
            cum,
            support,
            q_suffix,
            p_suffix,
            beta,
            tail,
            norm,
        }
    }

    /// One training sample: an item (0-based rank) drawn from $q$ by inversion of its
    /// cumulative sums.
    pub fn draw(&self, rng: &mut Rng) -> usize {
        let total = *self.cum.last().unwrap_or(&1.0);
        let u = rng.random::<f64>() * total;
        self.cum.partition_point(|&c| c <= u).min(self.p.len() - 1)
    }
}
