//! The categorical model, its training data (counts over the live support), the three fits and
//! the exact fast sampler.
//!
//! A generation is a [`Categorical`]: the categories with positive mass (sorted by index) and
//! their probabilities. Its data is a [`Counts`]: the categories that received at least one of
//! the `M` draws and how many. Both live on the *live support*, so that a generation costs
//! $O(\text{live support})$, not $O(K)$ or $O(M)$: the multinomial is drawn as conditional
//! binomials $c_i \sim \mathrm{Bin}\big(M - \sum_{j<i} c_j,\ p_i / \sum_{j \ge i} p_j\big)$ over
//! the live categories only. Under the empirical fit a category that received no draw has mass
//! zero and never returns (it is no longer iterated).

use crate::names::{ABSORBED, ENTROPY, HETEROZYGOSITY, P_TOP, SUPPORT, TV};
use collapse_core::{Dataset, Family, ParamError, Rng};
use rand::RngExt;
use rand_distr::{Distribution, Exp1, Hypergeometric};
use std::cmp::Ordering;

/// A categorical distribution on its live support.
#[derive(Clone, Debug, PartialEq)]
pub struct Categorical {
    /// The categories with positive mass, increasing (0-based).
    pub idx: Vec<u32>,
    /// Their probabilities (all positive, summing to 1 up to rounding).
    pub p: Vec<f64>,
}

impl Categorical {
    /// A distribution from dense weights (non-negative, finite, not all zero); zero weights are
    /// off the support. The weights are divided by the largest before they are summed, so that
    /// weights near the largest double (three weights of 1e308 sum to infinity) normalise to
    /// the right probabilities.
    pub fn from_weights(w: &[f64]) -> Self {
        let largest = w.iter().copied().fold(0.0, f64::max);
        let total: f64 = w.iter().map(|x| x / largest).sum();
        let (mut idx, mut p) = (Vec::new(), Vec::new());
        for (i, &x) in w.iter().enumerate() {
            if x > 0.0 {
                idx.push(i as u32);
                p.push(x / largest / total);
            }
        }
        Self { idx, p }
    }

    /// Number of categories with positive mass.
    pub fn support(&self) -> usize {
        self.idx.len()
    }

    /// The probability of category `i` (0 off the support).
    pub fn prob(&self, i: u32) -> f64 {
        match self.idx.binary_search(&i) {
            Ok(j) => self.p[j],
            Err(_) => 0.0,
        }
    }

    /// The dense vector over `k` categories.
    pub fn dense(&self, k: usize) -> Vec<f64> {
        let mut v = vec![0.0; k];
        for (&i, &p) in self.idx.iter().zip(&self.p) {
            v[i as usize] = p;
        }
        v
    }
}

/// Counts of the categories that received at least one draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    /// Categories with a positive count, increasing.
    pub idx: Vec<u32>,
    /// Their counts (all positive).
    pub c: Vec<u64>,
    /// The total count.
    pub n: u64,
}

impl Dataset for Counts {
    fn len(&self) -> usize {
        self.n as usize
    }

    /// Adds counts (accumulation, mixing in real data): a merge of two sorted lists.
    fn merge(&mut self, o: Self) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = o;
            return;
        }
        let (mut idx, mut c) = (
            Vec::with_capacity(self.idx.len() + o.idx.len()),
            Vec::with_capacity(self.idx.len() + o.idx.len()),
        );
        let (mut a, mut b) = (0, 0);
        while a < self.idx.len() || b < o.idx.len() {
            let ord = match (self.idx.get(a), o.idx.get(b)) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            match ord {
                Ordering::Less => {
                    idx.push(self.idx[a]);
                    c.push(self.c[a]);
                    a += 1;
                }
                Ordering::Greater => {
                    idx.push(o.idx[b]);
                    c.push(o.c[b]);
                    b += 1;
                }
                Ordering::Equal => {
                    idx.push(self.idx[a]);
                    c.push(self.c[a] + o.c[b]);
                    a += 1;
                    b += 1;
                }
            }
        }
        self.idx = idx;
        self.c = c;
        self.n += o.n;
    }

    /// `n` of the pooled points without replacement: a multivariate hypergeometric drawn as
    /// conditional hypergeometrics over the categories present, exact in law.
    fn subsample(&self, n: usize, rng: &mut Rng) -> Option<Self> {
        let mut want = (n as u64).min(self.n);
        let mut pool = self.n;
        let mut out = Counts {
            n: want,
            ..Counts::default()
        };
        for (&i, &ci) in self.idx.iter().zip(&self.c) {
            if want == 0 {
                break;
            }
            let x = if ci == pool {
                want
            } else {
                Hypergeometric::new(pool, ci, want)
                    .expect("0 <= ci <= pool and want <= pool")
                    .sample(rng)
            };
            if x > 0 {
                out.idx.push(i);
                out.c.push(x);
            }
            want -= x;
            pool -= ci;
        }
        Some(out)
    }
}

/// Draws a multinomial sample of size `n` from `model` as conditional binomials over its live
/// support (in index order). Exact in law; the last live category takes the remainder, and the
/// loop stops as soon as every draw is placed.
pub fn sample_counts(model: &Categorical, n: u64, rng: &mut Rng) -> Counts {
    let l = model.p.len();
    let mut out = Counts {
        idx: Vec::with_capacity(l.min(n as usize)),
        c: Vec::with_capacity(l.min(n as usize)),
        n,
    };
    if n == 0 || l == 0 {
        out.n = 0;
        return out;
    }
    thread_local! {
        static SCRATCH: std::cell::RefCell<(Vec<f64>, Vec<f64>)> =
            const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    }
    SCRATCH.with_borrow_mut(|(suffix, marks)| {
        // Suffix sums, so each conditional probability is p_i / Σ_{j ≥ i} p_j computed afresh
        // (no accumulated cancellation from subtracting).
        suffix.clear();
        suffix.resize(l + 1, 0.0);
        let mut s = 0.0;
        for j in (0..l).rev() {
            s += model.p[j];
            suffix[j] = s;
        }
        let mut rem = n;
        for j in 0..l {
            if rem == 0 {
                break;
            }
            if j + 1 < l && rem < SWEEP_RATIO * (l - j) as u64 {
                sweep(model, suffix, marks, j, rem, &mut out, rng);
                return;
            }
            let c = if j + 1 == l {
                rem
            } else {
                let q = (model.p[j] / suffix[j]).min(1.0);
                binomial(rem, q, rng)
            };
            if c > 0 {
                out.idx.push(model.idx[j]);
                out.c.push(c);
                rem -= c;
            }
        }
    });
    out
}

/// Below this many remaining draws per remaining category, placing the draws one by one
/// (one exponential each) is cheaper than one binomial per category.
const SWEEP_RATIO: u64 = 4;

/// Places the `rem` remaining draws on categories `j..` at once: `rem` i.i.d. uniform points on
/// $[0, S_j)$, $S_j = \sum_{i \ge j} p_i$, sorted (as normalised partial sums of `rem + 1`
/// standard exponentials, an exact representation of uniform order statistics), counted in the
/// intervals of lengths $p_i$. The counts are $\mathrm{Mult}(rem, p_{j..}/S_j)$, the law the
/// conditional binomials would give from `j` on.
fn sweep(
    model: &Categorical,
    suffix: &[f64],
    marks: &mut Vec<f64>,
    j: usize,
    rem: u64,
    out: &mut Counts,
    rng: &mut Rng,
) {
    let l = model.p.len();
    marks.clear();
    let mut acc = 0.0;
    for _ in 0..rem {
        let e: f64 = Exp1.sample(rng);
        acc += e;
        marks.push(acc);
    }
    let last: f64 = Exp1.sample(rng);
    let total = acc + last;
    let scale = suffix[j] / total;
    let mut k = 0usize;
    let rem = rem as usize;
    for i in j..l {
        if k == rem {
            break;
        }
        // Category i covers [S_j − S_i, S_j − S_{i+1}); the last takes what rounding left.
        let start = k;
        if i + 1 == l {
            k = rem;
        } else {
            let bound = (suffix[j] - suffix[i + 1]) / scale;
            while k < rem && marks[k] < bound {
                k += 1;
            }
        }
        if k > start {
            out.idx.push(model.idx[i]);
            out.c.push((k - start) as u64);
        }
    }
}

/// $\ln k!$ from a table for $k < 2^{17}$ (built once), Stirling's series beyond.
fn ln_factorial(k: u64) -> f64 {
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    const SIZE: u64 = 1 << 17;
    if k < SIZE {
        let t = TABLE.get_or_init(|| (0..SIZE).map(ln_factorial_direct).collect());
        return t[k as usize];
    }
    ln_factorial_direct(k)
}

/// $\ln k!$: exact sums below 16, Stirling's series (error < 1e-15 relative) above.
fn ln_factorial_direct(k: u64) -> f64 {
    if k < 16 {
        let mut s = 0.0;
        for i in 2..=k {
            s += (i as f64).ln();
        }
        return s;
    }
    let x = k as f64 + 1.0;
    let x2 = x * x;
    (x - 0.5) * x.ln() - x
        + 0.918_938_533_204_672_8
        + (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - 1.0 / (1680.0 * x2)) / x2) / x2) / x
}

/// An exact $\mathrm{Bin}(n, p)$ draw: inversion (BINV) when $n\min(p, 1-p) < 10$, else
/// Hörmann's transformed rejection with squeeze (BTRS, 1993), whose acceptance test uses the
/// exact ratio of binomial probabilities. Chi-square tested against the exact law in the unit
/// tests.
pub fn binomial(n: u64, p: f64, rng: &mut Rng) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    if p > 0.5 {
        return n - binomial(n, 1.0 - p, rng);
    }
    let nf = n as f64;
    let q = 1.0 - p;
    if nf * p < 10.0 {
        // Inversion: P(0) = q^n, P(k)/P(k-1) = ((n + 1)/k - 1) p/q.
        let s = p / q;
        let a = (nf + 1.0) * s;
        let r0 = (nf * (-p).ln_1p()).exp();
        'outer: loop {
            let mut r = r0;
            let mut u: f64 = rng.random();
            let mut x = 0u64;
            while u > r {
                u -= r;
                x += 1;
                // Beyond 110 the remaining mass is below 1e-60 (mean < 10): rounding, retry.
                if x > 110 {
                    continue 'outer;
                }
                r *= a / x as f64 - s;
            }
            return x;
        }
    }
    let spq = (nf * p * q).sqrt();
    let b = 1.15 + 2.53 * spq;
    let inv_b = 1.0 / b;
    let a = -0.0873 + 0.0248 * b + 0.01 * p;
    let c = nf * p + 0.5;
    let v_r = 0.92 - 4.2 * inv_b;
    let alpha = (2.83 + 5.1 * inv_b) * spq;
    // The exact log-ratio's constants, computed only if the squeeze fails (about 1 call in 7).
    let mut exact: Option<(u64, f64, f64)> = None;
    loop {
        let u: f64 = rng.random::<f64>() - 0.5;
        let v: f64 = rng.random();
        let us = 0.5 - u.abs();
        let x = (2.0 * a / us + b) * u + c;
        // Truncation is the floor for x >= 0 (and avoids a libm call on generic x86-64).
        if x < 0.0 || x >= nf + 1.0 {
            continue;
        }
        let ku = x as u64;
        if us >= 0.07 && v <= v_r {
            return ku;
        }
        let lv = (v * alpha / (a / (us * us) + b)).ln();
        let (m, h, lpq) = *exact.get_or_insert_with(|| {
            let m = ((nf + 1.0) * p) as u64;
            (m, ln_factorial(m) + ln_factorial(n - m), (p / q).ln())
        });
        if lv <= h - ln_factorial(ku) - ln_factorial(n - ku) + (ku as f64 - m as f64) * lpq {
            return ku;
        }
    }
}

/// What a generation fits: the empirical frequencies, optionally truncated to the `top_k` most
/// frequent categories (expressivity) and optionally smoothed by `alpha` pseudo-counts
/// (approximation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitRule {
    /// Add-α pseudo-count (0: none).
    pub alpha: f64,
    /// Keep only the `k` categories with the largest counts (ties: smaller index first).
    pub top_k: Option<usize>,
}

impl FitRule {
    /// The maximum-likelihood fit: only statistical error.
    pub const EMPIRICAL: FitRule = FitRule {
        alpha: 0.0,
        top_k: None,
    };

    /// Fits weights `w` (counts, or expected counts in the infinite-sample mode) on categories
    /// `idx` (increasing, `w > 0`), out of `k` categories in all.
    ///
    /// - empirical: $p_i = w_i / W$;
    /// - add-α: $p_i = (w_i + \alpha)/(W + K\alpha)$ for every category;
    /// - top-k: the set $S$ of the `top_k` largest weights, $p_i = w_i / \sum_S w$ on $S$;
    /// - both: $S$ is chosen among all $K$ categories (zero weights included, by index), and
    ///   $p_i = (w_i + \alpha)/(\sum_S w + |S|\alpha)$ on $S$.
    pub fn fit(&self, idx: &[u32], w: &[f64], k: usize) -> Categorical {
        let smooth = self.alpha > 0.0;
        match (self.top_k, smooth) {
            (None, false) => {
                let total: f64 = w.iter().sum();
                Categorical {
                    idx: idx.to_vec(),
                    p: w.iter().map(|x| x / total).collect(),
                }
            }
            (None, true) => {
                let total: f64 = w.iter().sum::<f64>() + k as f64 * self.alpha;
                let mut p = vec![self.alpha / total; k];
                for (&i, &x) in idx.iter().zip(w) {
                    p[i as usize] = (x + self.alpha) / total;
                }
                Categorical {
                    idx: (0..k as u32).collect(),
                    p,
                }
            }
            (Some(top), false) => {
                let mut sel: Vec<(u32, f64)> = idx.iter().copied().zip(w.iter().copied()).collect();
                truncate_top(&mut sel, top);
                let total: f64 = sel.iter().map(|(_, x)| x).sum();
                Categorical {
                    idx: sel.iter().map(|(i, _)| *i).collect(),
                    p: sel.iter().map(|(_, x)| x / total).collect(),
                }
            }
            (Some(top), true) => {
                let mut dense = vec![0.0; k];
                for (&i, &x) in idx.iter().zip(w) {
                    dense[i as usize] = x;
                }
                let mut sel: Vec<(u32, f64)> = dense
                    .into_iter()
                    .enumerate()
                    .map(|(i, x)| (i as u32, x))
                    .collect();
                truncate_top(&mut sel, top);
                let total: f64 =
                    sel.iter().map(|(_, x)| x).sum::<f64>() + sel.len() as f64 * self.alpha;
                Categorical {
                    idx: sel.iter().map(|(i, _)| *i).collect(),
                    p: sel.iter().map(|(_, x)| (x + self.alpha) / total).collect(),
                }
            }
        }
    }
}

/// Keeps the `top` entries with the largest weights (ties: smaller index), in index order.
fn truncate_top(sel: &mut Vec<(u32, f64)>, top: usize) {
    if sel.len() > top {
        let key = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if top > 0 {
            sel.select_nth_unstable_by(top - 1, key);
        }
        sel.truncate(top);
        sel.sort_unstable_by_key(|(i, _)| *i);
    }
}

/// The metrics of a generation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    /// Categories with positive mass.
    pub support: f64,
    /// Shannon entropy in nats.
    pub entropy: f64,
    /// $1 - \sum_i p_i^2$.
    pub heterozygosity: f64,
    /// Total variation distance to generation 0.
    pub tv: f64,
    /// Mass of the most probable category of generation 0.
    pub p_top: f64,
    /// 1 once a single category holds all mass.
    pub absorbed: f64,
}

/// The metric names, in [`Metrics::values`] order (alphabetical: the order records are written
/// in, so a generation's rows need no sorting).
pub const METRIC_NAMES: [&str; 6] = [ABSORBED, ENTROPY, HETEROZYGOSITY, P_TOP, SUPPORT, TV];

impl Metrics {
    /// The values in [`METRIC_NAMES`] order.
    pub fn values(&self) -> [f64; 6] {
        [
            self.absorbed,
            self.entropy,
            self.heterozygosity,
            self.p_top,
            self.support,
            self.tv,
        ]
    }
}

/// The discrete family: a truth on `K` categories and a fit rule.
#[derive(Clone, Debug)]
pub struct Discrete {
    /// Generation 0.
    pub truth: Categorical,
    /// Generation 0 as a dense vector over the `K` categories.
    pub p0: Vec<f64>,
    /// The most probable category of generation 0 (smallest index on ties).
    pub top: u32,
    /// The fit.
    pub rule: FitRule,
    /// The base sample size `M`: the infinite-sample mode fits the expected counts `M p`.
    pub samples: usize,
}

impl Discrete {
    /// A family from dense weights.
    pub fn new(weights: &[f64], rule: FitRule, samples: usize) -> Self {
        let truth = Categorical::from_weights(weights);
        let p0 = truth.dense(weights.len());
        let mut top = 0u32;
        for (i, &p) in p0.iter().enumerate() {
            if p > p0[top as usize] {
                top = i as u32;
            }
        }
        Self {
            truth,
            p0,
            top,
            rule,
            samples,
        }
    }

    /// The number of categories `K`.
    pub fn k(&self) -> usize {
        self.p0.len()
    }

    /// The metrics of a generation, in $O(\text{support})$.
    pub fn metrics(&self, m: &Categorical) -> Metrics {
        let (mut ent, mut sq, mut l1, mut covered) = (0.0, 0.0, 0.0, 0.0);
        for (&i, &p) in m.idx.iter().zip(&m.p) {
            let q = self.p0[i as usize];
            ent -= p * p.ln();
            sq += p * p;
            l1 += (p - q).abs();
            covered += q;
        }
        // Mass of generation 0 on categories the model has lost.
        let lost = (1.0 - covered).max(0.0);
        Metrics {
            support: m.support() as f64,
            entropy: ent.max(0.0),
            heterozygosity: (1.0 - sq).max(0.0),
            tv: (0.5 * (l1 + lost)).clamp(0.0, 1.0),
            p_top: m.prob(self.top),
            absorbed: f64::from(u8::from(m.support() == 1)),
        }
    }
}

impl Family for Discrete {
    type Model = Categorical;
    type Data = Counts;

    fn truth(&self) -> Categorical {
        self.truth.clone()
    }

    fn fit(&self, d: &Counts, _: &mut Rng) -> Categorical {
        if self.rule == FitRule::EMPIRICAL {
            // The common case without the intermediate weights.
            let n = d.n as f64;
            return Categorical {
                idx: d.idx.clone(),
                p: d.c.iter().map(|&c| c as f64 / n).collect(),
            };
        }
        let w: Vec<f64> = d.c.iter().map(|&c| c as f64).collect();
        self.rule.fit(&d.idx, &w, self.k())
    }

    fn sample(&self, model: &Categorical, n: usize, rng: &mut Rng) -> Counts {
        sample_counts(model, n as u64, rng)
    }

    /// The fit to the expected counts $n \sum_j w_j p^{(j)}$ of the population.
    fn fit_population(&self, mixture: &[(f64, &Categorical)], n: usize) -> Option<Categorical> {
        let mut dense = vec![0.0; self.k()];
        for (w, m) in mixture {
            for (&i, &p) in m.idx.iter().zip(&m.p) {
                dense[i as usize] += w * p;
            }
        }
        let m = n as f64;
        let (mut idx, mut w) = (Vec::new(), Vec::new());
        for (i, &p) in dense.iter().enumerate() {
            if p > 0.0 {
                idx.push(i as u32);
                w.push(m * p);
            }
        }
        Some(self.rule.fit(&idx, &w, self.k()))
    }
}

/// The shape of generation 0.
#[derive(Clone, Debug, PartialEq)]
pub enum Initial {
    /// $p_i \propto i^{-s}$.
    Zipf(f64),
    /// $p_i = 1/K$.
    Uniform,
    /// $p_i \propto e^{-s(i-1)}$.
    Geometric(f64),
}

impl Initial {
    /// The (unnormalised) weights of `k` categories.
    pub fn weights(&self, k: usize) -> Vec<f64> {
        (1..=k)
            .map(|i| match self {
                Initial::Zipf(s) => (i as f64).powf(-s),
                Initial::Uniform => 1.0,
                Initial::Geometric(s) => (-s * (i - 1) as f64).exp(),
            })
            .collect()
    }
}

/// Reads explicit weights from a text file: non-negative finite numbers separated by commas,
/// whitespace or both, not all zero. Parsed as strictly as `collapse_core::params::parse_list`
/// parses list parameters: an empty item (`1,,2`, a leading or trailing comma) or anything but
/// a number (`20.5x`) is refused, never skipped. The error names `weights_file` and says what
/// is wrong with the file, quoting the bad item only (a file may hold millions).
pub fn read_weights(path: &str) -> Result<Vec<f64>, ParamError> {
    let bad = |why: String| {
        ParamError::conflict(
            "weights_file",
            format!(
                "`{path}` {why}; expected non-negative finite numbers separated by commas or whitespace"
            ),
        )
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| ParamError::conflict("weights_file", format!("cannot read `{path}`: {e}")))?;
    // Commas separate items, and inside an item whitespace separates numbers; an item empty
    // after trimming is an empty list entry (a file without commas is one item).
    let mut w = Vec::new();
    for (comma, item) in text.split(',').enumerate() {
        let numbers: Vec<&str> = item.split_whitespace().collect();
        if numbers.is_empty() && text.contains(',') {
            let at = if comma == 0 {
                "before the first comma".to_string()
            } else {
                format!("after comma {comma}")
            };
            return Err(bad(format!("holds an empty item {at}")));
        }
        for number in numbers {
            let x: f64 = number.parse().map_err(|_| {
                bad(format!(
                    "holds `{number}` (weight {}), not a number",
                    w.len() + 1
                ))
            })?;
            w.push(x);
        }
    }
    if let Some(x) = w.iter().find(|x| !x.is_finite() || **x < 0.0) {
        return Err(bad(format!("holds {x}, not a finite weight >= 0")));
    }
    if w.len() < 2 || w.iter().all(|&x| x == 0.0) {
        return Err(bad("must hold at least 2 weights, not all zero".into()));
    }
    if w.len() > u32::MAX as usize {
        return Err(bad("holds more than 2^32 weights".into()));
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::rng::stream;

    #[test]
    fn fits_follow_their_formulas() {
        let idx = [0u32, 2, 3];
        let w = [6.0, 3.0, 1.0];
        let e = FitRule::EMPIRICAL.fit(&idx, &w, 5);
        assert_eq!(e.idx, vec![0, 2, 3]);
        assert_eq!(e.p, vec![0.6, 0.3, 0.1]);
        let a = FitRule {
            alpha: 1.0,
            top_k: None,
        }
        .fit(&idx, &w, 5);
        assert_eq!(a.support(), 5);
        assert!((a.prob(1) - 1.0 / 15.0).abs() < 1e-15);
        assert!((a.prob(0) - 7.0 / 15.0).abs() < 1e-15);
        let t = FitRule {
            alpha: 0.0,
            top_k: Some(2),
        }
        .fit(&idx, &w, 5);
        assert_eq!(t.idx, vec![0, 2]);
        assert!((t.p[0] - 2.0 / 3.0).abs() < 1e-15);
        // Both: S = {0, 2} from all five; ties at zero go to the smaller index.
        let b = FitRule {
            alpha: 1.0,
            top_k: Some(4),
        }
        .fit(&idx, &w, 5);
        assert_eq!(b.idx, vec![0, 1, 2, 3]);
        assert!((b.prob(1) - 1.0 / 14.0).abs() < 1e-15);
    }

    #[test]
    fn merge_and_subsample_keep_totals() {
        let mut a = Counts {
            idx: vec![1, 4],
            c: vec![3, 2],
            n: 5,
        };
        a.merge(Counts {
            idx: vec![0, 4, 7],
            c: vec![1, 1, 4],
            n: 6,
        });
        assert_eq!(a.idx, vec![0, 1, 4, 7]);
        assert_eq!(a.c, vec![1, 3, 3, 4]);
        assert_eq!(a.n, 11);
        let mut rng = stream(1, "t", 0);
        for _ in 0..100 {
            let s = a.subsample(6, &mut rng).unwrap();
            assert_eq!(s.c.iter().sum::<u64>(), 6);
            assert_eq!(s.n, 6);
            for (i, c) in s.idx.iter().zip(&s.c) {
                let j = a.idx.binary_search(i).unwrap();
                assert!(*c <= a.c[j]);
            }
        }
    }

    /// Each marginal count of the conditional-binomial sampler is Bin(n, p_i): a chi-square
    /// test of the rarest and the commonest category's counts, and the sum is always n.
    #[test]
    fn sampler_marginals_are_binomial() {
        // Few categories (binomials, then the sweep), and many (the sweep from the start).
        let mut many = vec![0.0; 60];
        many[0] = 30.0;
        for (i, w) in many.iter_mut().enumerate().skip(2) {
            *w = 1.0 / i as f64;
        }
        for (model, cats) in [
            (
                Categorical::from_weights(&[0.5, 0.0, 0.3, 0.15, 0.05]),
                [0usize, 4],
            ),
            (Categorical::from_weights(&many), [0usize, 59]),
        ] {
            marginals_are_binomial(&model, &cats);
        }
    }

    fn marginals_are_binomial(model: &Categorical, cats: &[usize]) {
        let n = 20u64;
        let reps = 200_000;
        let k = model.idx.last().map_or(0, |&i| i as usize + 1);
        let mut rng = stream(3, "sampler", k as u64);
        let mut hist = vec![[0u64; 21]; k];
        for _ in 0..reps {
            let c = sample_counts(model, n, &mut rng);
            assert_eq!(c.c.iter().sum::<u64>(), n);
            assert!(!c.idx.contains(&1));
            assert!(c.idx.windows(2).all(|w| w[0] < w[1]));
            for (i, x) in c.idx.iter().zip(&c.c) {
                hist[*i as usize][*x as usize] += 1;
            }
        }
        for &cat in cats {
            let p = model.prob(cat as u32);
            let absent = reps - hist[cat].iter().sum::<u64>();
            hist[cat][0] += absent;
            let mut chi2 = 0.0;
            let mut df = 0;
            let mut pooled = (0.0, 0.0);
            for x in 0..=n as usize {
                let e = reps as f64 * crate::theory::binom_pmf(n as usize, p, x);
                let o = hist[cat][x] as f64;
                if e < 20.0 {
                    pooled.0 += o;
                    pooled.1 += e;
                } else {
                    chi2 += (o - e) * (o - e) / e;
                    df += 1;
                }
            }
            if pooled.1 > 0.0 {
                chi2 += (pooled.0 - pooled.1).powi(2) / pooled.1;
                df += 1;
            }
            // df - 1 degrees of freedom; mean df - 1, sd sqrt(2 (df - 1)): 8 sd is p < 1e-9.
            let dof = (df - 1) as f64;
            assert!(
                chi2 < dof + 8.0 * (2.0 * dof).sqrt(),
                "cat {cat}: {chi2} on {dof}"
            );
        }
    }

    /// The fast binomial against the exact law (chi-square over cells with expectation >= 20,
    /// the rest pooled), for inversion and BTRS parameters on both sides of p = 1/2.
    #[test]
    fn binomial_matches_its_law() {
        let mut rng = stream(5, "binomial", 0);
        for (n, p) in [
            (20u64, 0.3),
            (1000, 0.004),
            (100_000, 3e-5),
            (60, 0.5),
            (200, 0.1),
            (5000, 0.37),
            (100_000, 0.9),
            (40, 0.75),
        ] {
            let reps = 200_000usize;
            let mut hist = vec![0u64; n as usize + 1];
            for _ in 0..reps {
                hist[binomial(n, p, &mut rng) as usize] += 1;
            }
            let (mut chi2, mut df, mut pooled) = (0.0, 0usize, (0.0, 0.0));
            let lf = crate::theory::ln_factorials(n as usize);
            let pmf = |x: usize| {
                (lf[n as usize] - lf[x] - lf[n as usize - x]
                    + x as f64 * p.ln()
                    + (n as usize - x) as f64 * (-p).ln_1p())
                .exp()
            };
            for (x, &o) in hist.iter().enumerate() {
                let e = reps as f64 * pmf(x);
                if e < 20.0 {
                    pooled.0 += o as f64;
                    pooled.1 += e;
                } else {
                    chi2 += (o as f64 - e).powi(2) / e;
                    df += 1;
                }
            }
            if pooled.1 > 1.0 {
                chi2 += (pooled.0 - pooled.1).powi(2) / pooled.1;
                df += 1;
            }
            let dof = (df - 1) as f64;
            assert!(
                chi2 < dof + 8.0 * (2.0 * dof).sqrt(),
                "n={n} p={p}: {chi2} on {dof}"
            );
        }
        assert!((ln_factorial(20) - (1..=20).map(|i| (i as f64).ln()).sum::<f64>()).abs() < 1e-12);
        assert!(
            (ln_factorial(1000) - (1..=1000).map(|i| (i as f64).ln()).sum::<f64>()).abs() < 1e-9
        );
    }

    /// Weights near the largest double normalise without overflow: three weights of 1e308 are
    /// the uniform distribution (entropy ln 3, each mass 1/3), not zeros.
    #[test]
    fn huge_weights_normalise() {
        let f = Discrete::new(&[1e308; 3], FitRule::EMPIRICAL, 10);
        let m = f.metrics(&f.truth);
        assert!((m.entropy - 3f64.ln()).abs() < 1e-15, "{m:?}");
        assert!((m.p_top - 1.0 / 3.0).abs() < 1e-15, "{m:?}");
        assert_eq!(m.support, 3.0);
        let c = Categorical::from_weights(&[f64::MAX, f64::MAX, 0.0, 1e-320]);
        assert_eq!(c.idx, vec![0, 1, 3]);
        assert!(c.p.iter().all(|p| p.is_finite() && *p >= 0.0));
        assert!((c.p.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn weights_files_are_parsed_strictly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.txt");
        let read = |text: &str| {
            std::fs::write(&path, text).unwrap();
            read_weights(path.to_str().unwrap())
        };
        assert_eq!(read("5, 3 2\n0 1").unwrap(), vec![5.0, 3.0, 2.0, 0.0, 1.0]);
        assert_eq!(read("1e308 1e308 1e308\n").unwrap(), vec![1e308; 3]);
        for bad in [
            "1,,2", "1, 2,", ",1 2", "1 two", "1 NaN", "1 inf", "1 -2", "0 0", "3", "",
        ] {
            let e = read(bad).unwrap_err().to_string();
            assert!(e.contains("weights_file"), "{bad}: {e}");
        }
        let e = read("1 20.5x 1").unwrap_err().to_string();
        assert!(e.contains("`20.5x` (weight 2)"), "{e}");
        let e = read("1,,2").unwrap_err().to_string();
        assert!(e.contains("empty item after comma 1"), "{e}");
    }

    #[test]
    fn metrics_of_the_truth_and_of_a_delta() {
        let f = Discrete::new(&[4.0, 3.0, 2.0, 1.0], FitRule::EMPIRICAL, 10);
        let m = f.metrics(&f.truth);
        assert_eq!((m.support, m.absorbed, m.p_top), (4.0, 0.0, 0.4));
        assert!(m.tv < 1e-15);
        let delta = Categorical {
            idx: vec![3],
            p: vec![1.0],
        };
        let m = f.metrics(&delta);
        assert_eq!(
            (m.support, m.absorbed, m.p_top, m.entropy),
            (1.0, 1.0, 0.0, 0.0)
        );
        assert!((m.tv - 0.9).abs() < 1e-15);
        assert_eq!(m.heterozygosity, 0.0);
    }
}
