//! Expectation–maximisation for Gaussian mixtures with full covariances.
//!
//! - Initialisation: k-means++ seeding followed by Lloyd iterations, `restarts` times, keeping
//!   the clustering of least inertia (as scikit-learn's `init_params="kmeans"`); or a
//!   deterministic moment-based start (the infinite-sample mode uses it, and it is the "badly
//!   initialised" procedure of the error-source experiments).
//! - E-step: responsibilities by log-sum-exp, so no component underflows to 0/0.
//! - M-step: $\pi_k = N_k/N$, $\mu_k = \sum_i r_{ik}x_i/N_k$,
//!   $\Sigma_k = \sum_i r_{ik}(x_i-\mu_k)(x_i-\mu_k)^\top/N_k + \varepsilon I$ (the covariance
//!   floor $\varepsilon$, scikit-learn's `reg_covar`).
//! - Stop when the mean log-likelihood changes by less than `tol` (scikit-learn's criterion) or
//!   after `max_iter` iterations; a component whose mass $N_k$ vanishes is dropped and counted.
//!
//! The data are centred on their (weighted) mean before EM so that the one-pass scatter
//! $\sum r x x^\top / N_k - \mu\mu^\top$ keeps its digits when a chain has collapsed far from
//! the origin. Data may carry weights: the infinite-sample mode runs the same EM on quadrature
//! nodes of the population.

use crate::linalg::{cholesky_jitter, inv_lower, log_det_chol};
use crate::model::{FitReport, Gaussian, Mixture};
use collapse_core::Rng;
use rand::{RngExt, SeedableRng};

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// How EM starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// k-means++ seeding and Lloyd iterations, best of `restarts` by inertia.
    KMeans {
        /// Number of independent k-means++ starts (≥ 1).
        restarts: usize,
    },
    /// Means spread along the first axis at `μ ± sd·((2j+1)/k − 1)`, every covariance the data
    /// covariance, equal weights: deterministic.
    Moments,
}

/// EM settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EmConfig {
    /// Number of components fitted.
    pub components: usize,
    /// Stop when the mean log-likelihood changes by less than this.
    pub tol: f64,
    /// At most this many iterations.
    pub max_iter: usize,
    /// Added to every covariance's diagonal (≥ 0).
    pub floor: f64,
    /// The start.
    pub init: Init,
    /// Keep the log-likelihood of every iteration in the report.
    pub trace: bool,
}

impl EmConfig {
    /// scikit-learn's `GaussianMixture(n_components=k, tol=tol, max_iter=max_iter)` defaults
    /// (`reg_covar = 1e-6`, one k-means start).
    pub fn sklearn(components: usize, tol: f64, max_iter: usize) -> Self {
        Self {
            components,
            tol,
            max_iter,
            floor: 1e-6,
            init: Init::KMeans { restarts: 1 },
            trace: false,
        }
    }
}

/// A component's parameters during EM.
#[derive(Clone, Debug)]
struct Comp {
    weight: f64,
    mean: Vec<f64>,
    cov: Vec<f64>,
    /// `ln π + log normaliser`.
    c: f64,
    /// `L⁻¹`.
    prec: Vec<f64>,
}

impl Comp {
    fn new(weight: f64, mean: Vec<f64>, cov: Vec<f64>) -> Self {
        let d = mean.len();
        let (l, _) = cholesky_jitter(&cov, d);
        let prec = inv_lower(&l, d);
        let c = weight.ln() - 0.5 * (d as f64 * LN_2PI + log_det_chol(&l, d));
        Self {
            weight,
            mean,
            cov,
            c,
            prec,
        }
    }
}

/// Responsibility-weighted sufficient statistics.
struct Acc {
    nk: Vec<f64>,
    sx: Vec<f64>,
    sxx: Vec<f64>,
}

impl Acc {
    fn new(k: usize, d: usize) -> Self {
        Self {
            nk: vec![0.0; k],
            sx: vec![0.0; k * d],
            sxx: vec![0.0; k * d * d],
        }
    }
    fn clear(&mut self) {
        self.nk.fill(0.0);
        self.sx.fill(0.0);
        self.sxx.fill(0.0);
    }
}

/// The largest dimension EM accepts.
pub const MAX_DIM: usize = 16;
/// See [`MAX_DIM`].
pub const MAX_COMPONENTS: usize = 64;

/// Component parameters laid out flat for the E-step.
struct Flat {
    mean: Vec<f64>,
    prec: Vec<f64>,
    c: Vec<f64>,
}

impl Flat {
    fn of(comps: &[Comp]) -> Self {
        Self {
            mean: comps.iter().flat_map(|c| c.mean.iter().copied()).collect(),
            prec: comps.iter().flat_map(|c| c.prec.iter().copied()).collect(),
            c: comps.iter().map(|c| c.c).collect(),
        }
    }
}

/// Points per block of the E-step (the block's log-densities stay in L1).
const BLOCK: usize = 128;

/// `e^x` for `x ≤ 0`, branch-free so that the block loops vectorise: Cody–Waite reduction
/// `x = n ln 2 + r`, `|r| ≤ ln 2 / 2`, and the degree-12 Taylor polynomial of `e^r` (relative
/// error below 2e-16). Inputs below −708 return `e^{−708}` (≈ 3e-308), which is 0 beside the
/// largest term 1 of a log-sum-exp.
#[inline(always)]
fn exp_nonpositive(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    // Adding and subtracting 1.5·2^52 rounds to the nearest integer without a libm call.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let x = x.max(-708.0);
    let n = (x * LOG2E + SHIFT) - SHIFT;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let mut p = 1.0 / 479_001_600.0;
    for c in [
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = p * r + c;
    }
    p * f64::from_bits(((n as i64 + 1023) as u64) << 52)
}

/// `Σ aᵢ bᵢ` with four independent accumulators (so the loop vectorises).
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// `Σ aᵢ bᵢ cᵢ`, likewise.
#[inline(always)]
fn dot3(a: &[f64], b: &[f64], c: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let n = a.len() / 4 * 4;
    for i in (0..n).step_by(4) {
        for l in 0..4 {
            acc[l] += a[i + l] * b[i + l] * c[i + l];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for i in n..a.len() {
        s += a[i] * b[i] * c[i];
    }
    s
}

/// One E-step with the statistics of the following M-step accumulated in the same pass, over
/// the data in coordinate-major layout (`soa[a·n + i]` is coordinate `a` of point `i`), block
/// by block. Returns the total (weighted) log-likelihood. `D` is the dimension when known at
/// compile time (0: use `dim`).
#[inline(never)]
fn pass<const D: usize>(
    dim: usize,
    soa: &[f64],
    w: Option<&[f64]>,
    comps: &[Comp],
    acc: &mut Acc,
) -> f64 {
    let d = if D == 0 { dim } else { D };
    let n = soa.len() / d;
    let k = comps.len();
    let p = Flat::of(comps);
    acc.clear();
    let mut lp = vec![0.0f64; k * BLOCK];
    let mut mx = [0.0f64; BLOCK];
    let mut s = [0.0f64; BLOCK];
    let mut t = [0.0f64; BLOCK];
    let mut ll = 0.0;
    let mut start = 0;
    while start < n {
        let len = BLOCK.min(n - start);
        let x = |a: usize| &soa[a * n + start..a * n + start + len];
        // Log-densities ln πⱼ + ln N(x; μⱼ, Σⱼ) = cⱼ − ½‖L⁻¹(x − μ)‖².
        for j in 0..k {
            let out = &mut lp[j * BLOCK..j * BLOCK + len];
            out.fill(p.c[j]);
            let mu = &p.mean[j * d..(j + 1) * d];
            let pr = &p.prec[j * d * d..(j + 1) * d * d];
            for a in 0..d {
                let t = &mut t[..len];
                t.fill(0.0);
                for b in 0..=a {
                    let (pab, mb, xb) = (pr[a * d + b], mu[b], x(b));
                    for i in 0..len {
                        t[i] += pab * (xb[i] - mb);
                    }
                }
                for i in 0..len {
                    out[i] -= 0.5 * t[i] * t[i];
                }
            }
        }
        let mx = &mut mx[..len];
        mx.copy_from_slice(&lp[..len]);
        for j in 1..k {
            let row = &lp[j * BLOCK..j * BLOCK + len];
            for i in 0..len {
                mx[i] = mx[i].max(row[i]);
            }
        }
        let s = &mut s[..len];
        s.fill(0.0);
        for j in 0..k {
            let row = &mut lp[j * BLOCK..j * BLOCK + len];
            for i in 0..len {
                row[i] = exp_nonpositive(row[i] - mx[i]);
                s[i] += row[i];
            }
        }
        // Responsibilities rᵢⱼ = wᵢ eᵢⱼ / sᵢ (reusing `t` for wᵢ / sᵢ).
        let inv = &mut t[..len];
        match w {
            None => {
                // Each sᵢ ∈ [1, k] and k ≤ 64, so the product of a block cannot overflow: one
                // logarithm per block.
                ll += mx.iter().sum::<f64>() + s.iter().product::<f64>().ln();
                for i in 0..len {
                    inv[i] = 1.0 / s[i];
                }
            }
            Some(w) => {
                let w = &w[start..start + len];
                for i in 0..len {
                    ll += w[i] * (mx[i] + s[i].ln());
                    inv[i] = w[i] / s[i];
                }
            }
        }
        for j in 0..k {
            let r = &mut lp[j * BLOCK..j * BLOCK + len];
            for i in 0..len {
                r[i] *= inv[i];
            }
            let r = &lp[j * BLOCK..j * BLOCK + len];
            acc.nk[j] += r.iter().sum::<f64>();
            for a in 0..d {
                acc.sx[j * d + a] += dot(r, x(a));
                for b in a..d {
                    acc.sxx[j * d * d + a * d + b] += dot3(r, x(a), x(b));
                }
            }
        }
        start += len;
    }
    ll
}

fn run_pass(dim: usize, soa: &[f64], w: Option<&[f64]>, comps: &[Comp], acc: &mut Acc) -> f64 {
    match dim {
        1 => pass::<1>(dim, soa, w, comps, acc),
        2 => pass::<2>(dim, soa, w, comps, acc),
        3 => pass::<3>(dim, soa, w, comps, acc),
        _ => pass::<0>(dim, soa, w, comps, acc),
    }
}

/// The M-step from accumulated statistics; returns the number of components dropped.
#[inline(never)]
fn m_step(d: usize, acc: &Acc, total: f64, floor: f64, comps: &mut Vec<Comp>) -> usize {
    let k = comps.len();
    let mut next = Vec::with_capacity(k);
    for j in 0..k {
        let nk = acc.nk[j];
        // A component holding less than 1e-10 of the data's weight is numerically empty: its
        // mean and covariance would be 0/0.
        if nk.is_nan() || nk <= 1e-10 * total {
            continue;
        }
        let mean: Vec<f64> = acc.sx[j * d..(j + 1) * d].iter().map(|v| v / nk).collect();
        let mut cov = vec![0.0; d * d];
        for a in 0..d {
            for b in a..d {
                let v = acc.sxx[j * d * d + a * d + b] / nk - mean[a] * mean[b];
                cov[a * d + b] = v;
                cov[b * d + a] = v;
            }
            // Round-off may leave a tiny negative variance for a component on one point.
            cov[a * d + a] = cov[a * d + a].max(0.0) + floor;
        }
        next.push(Comp::new(nk / total, mean, cov));
    }
    let dropped = k - next.len();
    *comps = next;
    dropped
}

/// Weighted mean and covariance (divisor Σw).
fn moments(d: usize, xs: &[f64], w: Option<&[f64]>) -> (Vec<f64>, Vec<f64>, f64) {
    let n = xs.len() / d;
    let mut m = vec![0.0; d];
    let mut tot = 0.0;
    for i in 0..n {
        let wi = w.map_or(1.0, |w| w[i]);
        tot += wi;
        for a in 0..d {
            m[a] += wi * xs[i * d + a];
        }
    }
    m.iter_mut().for_each(|v| *v /= tot);
    let mut s = vec![0.0; d * d];
    for i in 0..n {
        let wi = w.map_or(1.0, |w| w[i]);
        for a in 0..d {
            for b in 0..d {
                s[a * d + b] += wi * (xs[i * d + a] - m[a]) * (xs[i * d + b] - m[b]);
            }
        }
    }
    s.iter_mut().for_each(|v| *v /= tot);
    (m, s, tot)
}

/// k-means++ seeding then Lloyd's algorithm (weighted), stopping as scikit-learn does when
/// the centres move by less than `tol` in total squared distance; returns hard labels and the
/// inertia.
#[inline(never)]
fn kmeans<const D: usize>(
    dim: usize,
    xs: &[f64],
    w: Option<&[f64]>,
    k: usize,
    tol: f64,
    rng: &mut Rng,
) -> (Vec<usize>, f64) {
    let d = if D == 0 { dim } else { D };
    let n = xs.len() / d;
    let wt = |i: usize| w.map_or(1.0, |w| w[i]);
    let dist = |x: &[f64], c: &[f64]| -> f64 {
        let mut s = 0.0;
        for a in 0..d {
            let t = x[a] - c[a];
            s += t * t;
        }
        s
    };
    let mut centers = vec![0.0; k * d];
    // First centre ∝ weight, then ∝ weight × squared distance to the nearest centre.
    let total: f64 = (0..n).map(wt).sum();
    let mut u = rng.random::<f64>() * total;
    let mut first = n - 1;
    for i in 0..n {
        u -= wt(i);
        if u < 0.0 {
            first = i;
            break;
        }
    }
    centers[..d].copy_from_slice(&xs[first * d..(first + 1) * d]);
    let mut d2: Vec<f64> = xs.chunks_exact(d).map(|x| dist(x, &centers[..d])).collect();
    for j in 1..k {
        let tot: f64 = (0..n).map(|i| wt(i) * d2[i]).sum();
        let next = if tot > 0.0 {
            let mut u = rng.random::<f64>() * tot;
            let mut pick = n - 1;
            for i in 0..n {
                u -= wt(i) * d2[i];
                if u < 0.0 {
                    pick = i;
                    break;
                }
            }
            pick
        } else {
            // Every point coincides with a centre: any point will do (the cluster ends empty).
            rng.random_range(0..n)
        };
        centers[j * d..(j + 1) * d].copy_from_slice(&xs[next * d..(next + 1) * d]);
        for (i, x) in xs.chunks_exact(d).enumerate() {
            d2[i] = d2[i].min(dist(x, &centers[j * d..(j + 1) * d]));
        }
    }
    let mut labels = vec![0usize; n];
    let mut sums = vec![0.0; k * d];
    let mut cnt = vec![0.0; k];
    for _ in 0..300 {
        // Assign and accumulate the new centres in one pass.
        sums.fill(0.0);
        cnt.fill(0.0);
        for (i, x) in xs.chunks_exact(d).enumerate() {
            let (mut best, mut bd) = (0, f64::INFINITY);
            for j in 0..k {
                let dj = dist(x, &centers[j * d..(j + 1) * d]);
                if dj < bd {
                    bd = dj;
                    best = j;
                }
            }
            let wi = wt(i);
            labels[i] = best;
            cnt[best] += wi;
            let s = &mut sums[best * d..(best + 1) * d];
            for a in 0..d {
                s[a] += wi * x[a];
            }
        }
        let mut shift = 0.0;
        for j in 0..k {
            if cnt[j] > 0.0 {
                for a in 0..d {
                    let c = sums[j * d + a] / cnt[j];
                    shift += (c - centers[j * d + a]).powi(2);
                    centers[j * d + a] = c;
                }
            }
        }
        if shift <= tol {
            break;
        }
    }
    // Final labels against the final centres.
    let mut inertia = 0.0;
    for (i, x) in xs.chunks_exact(d).enumerate() {
        let (mut best, mut bd) = (0, f64::INFINITY);
        for j in 0..k {
            let dj = dist(x, &centers[j * d..(j + 1) * d]);
            if dj < bd {
                bd = dj;
                best = j;
            }
        }
        inertia += wt(i) * bd;
        labels[i] = best;
    }
    (labels, inertia)
}

/// Fits a `cfg.components`-component mixture to `xs` (`dim`-dimensional, row-major) with
/// optional weights; `seed` drives k-means++.
pub fn fit(dim: usize, xs: &[f64], weights: Option<&[f64]>, cfg: &EmConfig, seed: u64) -> Mixture {
    let d = dim;
    let (center, cov0, total) = moments(d, xs, weights);
    // Centre the data (see the module documentation).
    let work: Vec<f64> = xs
        .chunks_exact(d)
        .flat_map(|x| x.iter().zip(&center).map(|(a, b)| a - b))
        .collect();
    assert!(d <= MAX_DIM, "EM supports at most {MAX_DIM} dimensions");
    let k = cfg.components.clamp(1, MAX_COMPONENTS);
    let mut empty = 0;
    let mut comps: Vec<Comp> = match cfg.init {
        Init::Moments => {
            let sd = cov0[0].sqrt();
            let mut c = cov0.clone();
            (0..d).for_each(|a| c[a * d + a] += cfg.floor);
            (0..k)
                .map(|j| {
                    let mut m = vec![0.0; d];
                    m[0] = sd * ((2 * j + 1) as f64 / k as f64 - 1.0);
                    Comp::new(1.0 / k as f64, m, c.clone())
                })
                .collect()
        }
        Init::KMeans { restarts } => {
            let mut rng = Rng::seed_from_u64(seed);
            let mut best: Option<(Vec<usize>, f64)> = None;
            let tol = 1e-4 * (0..d).map(|a| cov0[a * d + a]).sum::<f64>() / d as f64;
            for _ in 0..restarts.max(1) {
                let (labels, inertia) = match d {
                    1 => kmeans::<1>(d, &work, weights, k, tol, &mut rng),
                    2 => kmeans::<2>(d, &work, weights, k, tol, &mut rng),
                    _ => kmeans::<0>(d, &work, weights, k, tol, &mut rng),
                };
                if best.as_ref().is_none_or(|b| inertia < b.1) {
                    best = Some((labels, inertia));
                }
            }
            let labels = best.map(|b| b.0).unwrap_or_default();
            // Hard responsibilities, then one M-step.
            let mut acc = Acc::new(k, d);
            for (i, &j) in labels.iter().enumerate() {
                let wi = weights.map_or(1.0, |w| w[i]);
                acc.nk[j] += wi;
                for a in 0..d {
                    acc.sx[j * d + a] += wi * work[i * d + a];
                    for b in a..d {
                        acc.sxx[j * d * d + a * d + b] += wi * work[i * d + a] * work[i * d + b];
                    }
                }
            }
            let mut comps: Vec<Comp> = (0..k)
                .map(|_| {
                    Comp::new(1.0, vec![0.0; d], {
                        let mut c = vec![0.0; d * d];
                        (0..d).for_each(|a| c[a * d + a] = 1.0);
                        c
                    })
                })
                .collect();
            empty += m_step(d, &acc, total, cfg.floor, &mut comps);
            comps
        }
    };
    // The E-step reads the data coordinate-major.
    let n = work.len() / d;
    let mut soa = vec![0.0; work.len()];
    for i in 0..n {
        for a in 0..d {
            soa[a * n + i] = work[i * d + a];
        }
    }
    let mut acc = Acc::new(comps.len(), d);
    let mut report = FitReport::default();
    let mut prev = f64::NAN;
    for it in 0..cfg.max_iter {
        if acc.nk.len() != comps.len() {
            acc = Acc::new(comps.len(), d);
        }
        let ll = run_pass(d, &soa, weights, &comps, &mut acc) / total;
        if cfg.trace {
            report.trace.push(ll);
        }
        report.log_likelihood = ll;
        report.iterations = it + 1;
        empty += m_step(d, &acc, total, cfg.floor, &mut comps);
        if (ll - prev).abs() < cfg.tol {
            report.converged = true;
            break;
        }
        prev = ll;
    }
    report.empty = empty;
    // Back to the original coordinates; components ordered by their first coordinate so that
    // labels are comparable across generations.
    let mut out: Vec<(f64, Gaussian)> = comps
        .into_iter()
        .map(|c| {
            (
                c.weight,
                Gaussian::new(
                    c.mean.iter().zip(&center).map(|(m, c)| m + c).collect(),
                    c.cov,
                ),
            )
        })
        .collect();
    out.sort_by(|a, b| a.1.mean[0].total_cmp(&b.1.mean[0]));
    let (weights, comps): (Vec<f64>, Vec<Gaussian>) = out.into_iter().unzip();
    let mut m = Mixture::new(weights, comps);
    m.report = Some(report);
    m
}

/// The mean log-likelihood of `xs` under `m`.
pub fn mean_log_likelihood(m: &Mixture, dim: usize, xs: &[f64]) -> f64 {
    let n = xs.len() / dim;
    (0..n)
        .map(|i| m.log_pdf(&xs[i * dim..(i + 1) * dim]))
        .sum::<f64>()
        / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Gaussian;

    fn truth2d() -> Mixture {
        Mixture::new(
            vec![0.4, 0.6],
            vec![
                Gaussian::new(vec![-3.0, 0.0], vec![1.0, 0.3, 0.3, 0.5]),
                Gaussian::new(vec![2.0, 1.0], vec![0.7, -0.2, -0.2, 1.2]),
            ],
        )
    }

    #[test]
    fn recovers_a_separated_mixture() {
        let mut rng = collapse_core::rng::stream(5, "em", 0);
        let t = truth2d();
        let pts = t.sample(20_000, &mut rng);
        let cfg = EmConfig {
            trace: true,
            ..EmConfig::sklearn(2, 1e-8, 500)
        };
        let m = fit(2, &pts.xs, None, &cfg, 1);
        let r = m.report.clone().unwrap();
        assert!(r.converged && r.empty == 0);
        for j in 0..2 {
            assert!((m.weights[j] - t.weights[j]).abs() < 0.02);
            for a in 0..2 {
                assert!((m.comps[j].mean[a] - t.comps[j].mean[a]).abs() < 0.05);
            }
            for a in 0..4 {
                assert!((m.comps[j].cov[a] - t.comps[j].cov[a]).abs() < 0.06);
            }
        }
        // The reported log-likelihood is that of the data.
        let direct = mean_log_likelihood(&m, 2, &pts.xs);
        assert!((direct - r.log_likelihood).abs() < 1e-6);
        assert!(r.trace.windows(2).all(|w| w[1] >= w[0] - 1e-12));
    }

    #[test]
    fn degenerate_data_give_reports_not_nans() {
        // All points identical: one component survives, covariance = floor.
        let xs = vec![1.5; 40];
        let m = fit(2, &xs, None, &EmConfig::sklearn(3, 1e-5, 100), 3);
        assert!(m.weights.iter().all(|w| w.is_finite()));
        assert!(m.comps.iter().all(|c| c.cov.iter().all(|v| v.is_finite())));
        let r = m.report.unwrap();
        assert!(r.empty >= 1, "{r:?}");
        assert!(r.log_likelihood.is_finite());
        // A cap of 1 iteration is reported as not converged.
        let mut rng = collapse_core::rng::stream(5, "em", 1);
        let pts = truth2d().sample(500, &mut rng);
        let m = fit(2, &pts.xs, None, &EmConfig::sklearn(2, 1e-12, 1), 3);
        assert!(!m.report.unwrap().converged);
    }

    #[test]
    fn fast_exp_is_accurate() {
        let mut worst: f64 = 0.0;
        for i in 0..200_000 {
            let x = -(i as f64) * 0.0035;
            let (a, b) = (exp_nonpositive(x), x.exp());
            worst = worst.max(((a - b) / b).abs());
        }
        assert!(worst < 1e-15, "{worst}");
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert!(exp_nonpositive(-1e308) > 0.0 && exp_nonpositive(-1e308) < 1e-300);
        assert!((dot3(&[1.0; 7], &[2.0; 7], &[3.0; 7]) - 42.0).abs() < 1e-12);
    }

    #[test]
    fn weighted_equals_repeated() {
        let xs = [0.0, 1.0, 5.0, 6.0, 6.5];
        let w = [2.0, 1.0, 1.0, 3.0, 1.0];
        let rep: Vec<f64> = xs
            .iter()
            .zip(&w)
            .flat_map(|(x, w)| std::iter::repeat_n(*x, *w as usize))
            .collect();
        let cfg = EmConfig {
            init: Init::Moments,
            ..EmConfig::sklearn(2, 1e-12, 200)
        };
        let a = fit(1, &xs, Some(&w), &cfg, 0);
        let b = fit(1, &rep, None, &cfg, 0);
        for j in 0..2 {
            assert!((a.comps[j].mean[0] - b.comps[j].mean[0]).abs() < 1e-9);
            assert!((a.comps[j].cov[0] - b.comps[j].cov[0]).abs() < 1e-9);
        }
    }
}
