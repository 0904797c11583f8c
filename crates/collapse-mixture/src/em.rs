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
use rand::RngExt;

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

/// `a·b + c`: one fused instruction where the CPU has FMA (the build targets the native CPU,
/// see `.cargo/config.toml`), two otherwise — never the slow software `fma` that `mul_add`
/// falls back to on CPUs without it.
#[inline(always)]
fn fma(a: f64, b: f64, c: f64) -> f64 {
    #[cfg(target_feature = "fma")]
    {
        a.mul_add(b, c)
    }
    #[cfg(not(target_feature = "fma"))]
    {
        a * b + c
    }
}

/// `e^x` for `x ≤ 0`, branch-free so that the block loops vectorise: Cody–Waite reduction
/// `x = n ln 2 + r`, `|r| ≤ ln 2 / 2`, and the degree-12 Taylor polynomial of `e^r` (relative
/// error below 2e-16). Inputs below −708 return `e^{−708}` (≈ 3e-308), which is 0 beside the
/// largest term 1 of a log-sum-exp.
#[inline(always)]
pub(crate) fn exp_nonpositive(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    // Adding 1.5·2^52 rounds to the nearest integer n and leaves n in the low mantissa bits,
    // so neither a libm call nor a (saturating, hence branchy) float-to-int cast is needed.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let x = x.max(-708.0);
    let shifted = fma(x, LOG2E, SHIFT);
    let n = shifted - SHIFT;
    let r = fma(n, -LN2_LO, fma(n, -LN2_HI, x));
    // The Taylor coefficients 1/i!, evaluated by Estrin's scheme: a dependency chain of five
    // operations instead of Horner's twelve.
    const C: [f64; 13] = [
        1.0,
        1.0,
        0.5,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
    ];
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let q = |i: usize| fma(C[i + 1], r, C[i]);
    let s0 = fma(q(2), r2, q(0));
    let s1 = fma(q(6), r2, q(4));
    let s2 = fma(q(10), r2, q(8));
    let t0 = fma(s1, r4, s0);
    let t1 = fma(C[12], r4, s2);
    let p = fma(t1, r8, t0);
    // The low bits of `shifted` are 2^51 + n with −1022 ≤ n ≤ 0; adding the bias 1023 and
    // shifting left by 52 keeps exactly the biased exponent n + 1023 of 2^n.
    p * f64::from_bits(shifted.to_bits().wrapping_add(1023) << 52)
}

/// Independent accumulators of the reductions below: one AVX-512 register, two AVX2 ones.
const LANES: usize = 8;

/// `Σ aᵢ`, in [`LANES`] independent partial sums so that the loop vectorises (a single
/// running sum is a serial chain of dependent additions).
#[inline(always)]
pub(crate) fn sum(a: &[f64]) -> f64 {
    let mut acc = [0.0f64; LANES];
    let c = a.chunks_exact(LANES);
    let rest = c.remainder();
    for x in c {
        for l in 0..LANES {
            acc[l] += x[l];
        }
    }
    acc.iter().sum::<f64>() + rest.iter().sum::<f64>()
}

/// `Π aᵢ`, likewise.
#[inline(always)]
fn product(a: &[f64]) -> f64 {
    let mut acc = [1.0f64; LANES];
    let c = a.chunks_exact(LANES);
    let rest = c.remainder();
    for x in c {
        for l in 0..LANES {
            acc[l] *= x[l];
        }
    }
    acc.iter().product::<f64>() * rest.iter().product::<f64>()
}

/// `Σ aᵢ bᵢ`, likewise.
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..LANES {
            acc[l] = fma(x[l], y[l], acc[l]);
        }
    }
    let mut s = acc.iter().sum::<f64>();
    for (x, y) in ra.iter().zip(rb) {
        s = fma(*x, *y, s);
    }
    s
}

/// `Σ aᵢ bᵢ cᵢ`, likewise.
#[inline(always)]
fn dot3(a: &[f64], b: &[f64], c: &[f64]) -> f64 {
    let mut acc = [0.0f64; LANES];
    let (ca, cb, cc) = (
        a.chunks_exact(LANES),
        b.chunks_exact(LANES),
        c.chunks_exact(LANES),
    );
    let (ra, rb, rc) = (ca.remainder(), cb.remainder(), cc.remainder());
    for ((x, y), z) in ca.zip(cb).zip(cc) {
        for l in 0..LANES {
            acc[l] = fma(x[l] * y[l], z[l], acc[l]);
        }
    }
    let mut s = acc.iter().sum::<f64>();
    for ((x, y), z) in ra.iter().zip(rb).zip(rc) {
        s = fma(x * y, *z, s);
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
                let (p0, m0, x0) = (pr[a * d], mu[0], x(0));
                for i in 0..len {
                    t[i] = p0 * (x0[i] - m0);
                }
                for b in 1..=a {
                    let (pab, mb, xb) = (pr[a * d + b], mu[b], x(b));
                    for i in 0..len {
                        t[i] = fma(pab, xb[i] - mb, t[i]);
                    }
                }
                for i in 0..len {
                    out[i] = fma(-0.5 * t[i], t[i], out[i]);
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
                ll += sum(mx) + product(s).ln();
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
            acc.nk[j] += sum(r);
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

/// Centres coordinate-major data on their weighted mean in place (two passes, so that no
/// digits are lost however far the chain has drifted) and returns the mean, the covariance
/// (divisor Σw) and Σw.
fn centre(d: usize, soa: &mut [f64], w: Option<&[f64]>) -> (Vec<f64>, Vec<f64>, f64) {
    let n = soa.len() / d;
    let total = w.map_or(n as f64, sum);
    let mut mean = vec![0.0; d];
    for (a, m) in mean.iter_mut().enumerate() {
        let xa = &mut soa[a * n..(a + 1) * n];
        *m = w.map_or_else(|| sum(xa), |w| dot(w, xa)) / total;
        xa.iter_mut().for_each(|v| *v -= *m);
    }
    let mut cov = vec![0.0; d * d];
    for a in 0..d {
        for b in a..d {
            let (xa, xb) = (&soa[a * n..(a + 1) * n], &soa[b * n..(b + 1) * n]);
            let v = w.map_or_else(|| dot(xa, xb), |w| dot3(w, xa, xb)) / total;
            cov[a * d + b] = v;
            cov[b * d + a] = v;
        }
    }
    (mean, cov, total)
}

/// `out[i] = ‖xᵢ − c‖²` over coordinate-major data of `n` points.
#[inline(always)]
fn sq_dist(d: usize, soa: &[f64], c: &[f64], out: &mut [f64]) {
    let n = out.len();
    let (x0, c0) = (&soa[..n], c[0]);
    for i in 0..n {
        let t = x0[i] - c0;
        out[i] = t * t;
    }
    for (a, &ca) in c.iter().enumerate().take(d).skip(1) {
        let xa = &soa[a * n..(a + 1) * n];
        for i in 0..n {
            let t = xa[i] - ca;
            out[i] = fma(t, t, out[i]);
        }
    }
}

/// Reusable buffers of [`kmeans`], one entry per point.
struct KMeansWork {
    /// Squared distance to the nearest centre.
    best: Vec<f64>,
    /// Squared distance to the centre being compared.
    dist: Vec<f64>,
    /// `wᵢ` where point i belongs to the cluster being summed, else 0.
    mask: Vec<f64>,
}

/// Labels every point with its nearest centre (the first on ties) and returns the weighted
/// inertia `Σ wᵢ ‖xᵢ − c_{label}‖²`. Labels are kept as `f64` so that the selects vectorise.
#[inline(always)]
fn assign<const D: usize>(
    d: usize,
    soa: &[f64],
    w: Option<&[f64]>,
    centers: &[f64],
    labels: &mut [f64],
    work: &mut KMeansWork,
) -> f64 {
    let k = centers.len() / d;
    sq_dist(d, soa, &centers[..d], &mut work.best);
    labels.fill(0.0);
    for j in 1..k {
        sq_dist(d, soa, &centers[j * d..(j + 1) * d], &mut work.dist);
        let jf = j as f64;
        for ((b, &dj), l) in work.best.iter_mut().zip(&work.dist).zip(labels.iter_mut()) {
            if dj < *b {
                *b = dj;
                *l = jf;
            }
        }
    }
    match w {
        None => sum(&work.best),
        Some(w) => dot(w, &work.best),
    }
}

/// Fills `mask` with `wᵢ` (or 1) where `labels[i] == j`, else 0, and returns its sum.
#[inline(always)]
fn cluster_mask(labels: &[f64], w: Option<&[f64]>, j: usize, mask: &mut [f64]) -> f64 {
    let jf = j as f64;
    match w {
        None => {
            for (m, &l) in mask.iter_mut().zip(labels) {
                *m = if l == jf { 1.0 } else { 0.0 };
            }
        }
        Some(w) => {
            for ((m, &l), &wi) in mask.iter_mut().zip(labels).zip(w) {
                *m = if l == jf { wi } else { 0.0 };
            }
        }
    }
    sum(mask)
}

/// Draws an index with probability ∝ `pᵢ` (`total = Σ pᵢ > 0`).
fn draw_index(p: impl Iterator<Item = f64>, total: f64, n: usize, rng: &mut Rng) -> usize {
    let mut u = rng.random::<f64>() * total;
    for (i, pi) in p.enumerate() {
        u -= pi;
        if u < 0.0 {
            return i;
        }
    }
    n - 1
}

/// k-means++ seeding then Lloyd's algorithm (weighted) over coordinate-major data, stopping as
/// scikit-learn does when the centres move by less than `tol` in total squared distance;
/// returns the labels (as `f64`) and the inertia. Every step is a pass over contiguous
/// coordinates, so that distances, selects and cluster sums vectorise.
#[inline(never)]
fn kmeans<const D: usize>(
    dim: usize,
    soa: &[f64],
    w: Option<&[f64]>,
    k: usize,
    tol: f64,
    rng: &mut Rng,
) -> (Vec<f64>, f64) {
    let d = if D == 0 { dim } else { D };
    let n = soa.len() / d;
    let wt = |i: usize| w.map_or(1.0, |w| w[i]);
    let point = |i: usize| (0..d).map(move |a| soa[a * n + i]);
    let mut work = KMeansWork {
        best: vec![0.0; n],
        dist: vec![0.0; n],
        mask: vec![0.0; n],
    };
    let mut centers = vec![0.0; k * d];
    // First centre ∝ weight, then ∝ weight × squared distance to the nearest centre.
    let total: f64 = w.map_or(n as f64, sum);
    let first = draw_index((0..n).map(wt), total, n, rng);
    centers
        .iter_mut()
        .zip(point(first))
        .for_each(|(c, x)| *c = x);
    sq_dist(d, soa, &centers[..d], &mut work.best);
    for j in 1..k {
        let tot = match w {
            None => sum(&work.best),
            Some(w) => dot(w, &work.best),
        };
        let next = if tot > 0.0 {
            draw_index((0..n).map(|i| wt(i) * work.best[i]), tot, n, rng)
        } else {
            // Every point coincides with a centre: any point will do (the cluster ends empty).
            rng.random_range(0..n)
        };
        let c = &mut centers[j * d..(j + 1) * d];
        c.iter_mut().zip(point(next)).for_each(|(c, x)| *c = x);
        sq_dist(d, soa, c, &mut work.dist);
        for (b, &dj) in work.best.iter_mut().zip(&work.dist) {
            *b = b.min(dj);
        }
    }
    let mut labels = vec![0.0; n];
    for _ in 0..300 {
        assign::<D>(d, soa, w, &centers, &mut labels, &mut work);
        let mut shift = 0.0;
        for j in 0..k {
            let cnt = cluster_mask(&labels, w, j, &mut work.mask);
            if cnt > 0.0 {
                for a in 0..d {
                    let c = dot(&work.mask, &soa[a * n..(a + 1) * n]) / cnt;
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
    let inertia = assign::<D>(d, soa, w, &centers, &mut labels, &mut work);
    (labels, inertia)
}

/// Fits a `cfg.components`-component mixture to `xs` (`dim`-dimensional, row-major) with
/// optional weights; `rng` drives k-means++ (the moment start draws nothing).
pub fn fit(
    dim: usize,
    xs: &[f64],
    weights: Option<&[f64]>,
    cfg: &EmConfig,
    rng: &mut Rng,
) -> Mixture {
    let d = dim;
    assert!(d <= MAX_DIM, "EM supports at most {MAX_DIM} dimensions");
    // Coordinate-major (`soa[a·n + i]` is coordinate `a` of point `i`), so that every pass
    // below reads contiguous memory, and centred (see the module documentation).
    let n = xs.len() / d;
    let mut soa = vec![0.0; xs.len()];
    for (i, x) in xs.chunks_exact(d).enumerate() {
        for (a, &v) in x.iter().enumerate() {
            soa[a * n + i] = v;
        }
    }
    let (center, cov0, total) = centre(d, &mut soa, weights);
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
            let mut best: Option<(Vec<f64>, f64)> = None;
            let tol = 1e-4 * (0..d).map(|a| cov0[a * d + a]).sum::<f64>() / d as f64;
            for _ in 0..restarts.max(1) {
                let (labels, inertia) = match d {
                    1 => kmeans::<1>(d, &soa, weights, k, tol, rng),
                    2 => kmeans::<2>(d, &soa, weights, k, tol, rng),
                    _ => kmeans::<0>(d, &soa, weights, k, tol, rng),
                };
                if best.as_ref().is_none_or(|b| inertia < b.1) {
                    best = Some((labels, inertia));
                }
            }
            let labels = best.map(|b| b.0).unwrap_or_default();
            // Hard responsibilities, then one M-step.
            let mut acc = Acc::new(k, d);
            let mut mask = vec![0.0; n];
            let x = |a: usize| &soa[a * n..(a + 1) * n];
            for j in 0..k {
                acc.nk[j] = cluster_mask(&labels, weights, j, &mut mask);
                for a in 0..d {
                    acc.sx[j * d + a] = dot(&mask, x(a));
                    for b in a..d {
                        acc.sxx[j * d * d + a * d + b] = dot3(&mask, x(a), x(b));
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
    use rand::SeedableRng;

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
        let m = fit(2, &pts.xs, None, &cfg, &mut Rng::seed_from_u64(1));
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
        let m = fit(
            2,
            &xs,
            None,
            &EmConfig::sklearn(3, 1e-5, 100),
            &mut Rng::seed_from_u64(3),
        );
        assert!(m.weights.iter().all(|w| w.is_finite()));
        assert!(m.comps.iter().all(|c| c.cov.iter().all(|v| v.is_finite())));
        let r = m.report.unwrap();
        assert!(r.empty >= 1, "{r:?}");
        assert!(r.log_likelihood.is_finite());
        // A cap of 1 iteration is reported as not converged.
        let mut rng = collapse_core::rng::stream(5, "em", 1);
        let pts = truth2d().sample(500, &mut rng);
        let m = fit(
            2,
            &pts.xs,
            None,
            &EmConfig::sklearn(2, 1e-12, 1),
            &mut Rng::seed_from_u64(3),
        );
        assert!(!m.report.unwrap().converged);
    }

    #[test]
    fn kmeans_finds_separated_clusters_weighted_or_repeated() {
        // Three tight clusters far apart: Lloyd's algorithm must label them exactly, and
        // integer weights must act as repeated points.
        let centres = [(-10.0, 0.0), (0.0, 10.0), (10.0, -5.0)];
        let mut rng = collapse_core::rng::stream(9, "kmeans", 0);
        let mut xs = Vec::new();
        for i in 0..300 {
            let (cx, cy) = centres[i % 3];
            xs.extend([
                cx + rng.random::<f64>() - 0.5,
                cy + rng.random::<f64>() - 0.5,
            ]);
        }
        let w: Vec<f64> = (0..300).map(|i| (1 + i % 4) as f64).collect();
        let soa = |xs: &[f64]| -> Vec<f64> {
            let n = xs.len() / 2;
            (0..2)
                .flat_map(|a| (0..n).map(move |i| xs[2 * i + a]))
                .collect()
        };
        let rep: Vec<f64> = xs
            .chunks_exact(2)
            .zip(&w)
            .flat_map(|(x, &w)| std::iter::repeat_n(x, w as usize).flatten().copied())
            .collect();
        for (data, weights) in [(soa(&xs), Some(&w[..])), (soa(&rep), None)] {
            let mut r = Rng::seed_from_u64(4);
            let mut best: Option<(Vec<f64>, f64)> = None;
            for _ in 0..5 {
                let (labels, inertia) = kmeans::<2>(2, &data, weights, 3, 1e-10, &mut r);
                if best.as_ref().is_none_or(|b| inertia < b.1) {
                    best = Some((labels, inertia));
                }
            }
            let (labels, inertia) = best.unwrap();
            let n = labels.len();
            let first = |c: usize| {
                labels[(0..n)
                    .find(|&i| {
                        let (x, y) = (data[i], data[n + i]);
                        (x - centres[c].0).abs() < 1.0 && (y - centres[c].1).abs() < 1.0
                    })
                    .unwrap()]
            };
            for i in 0..n {
                let c = (0..3)
                    .find(|&c| (data[i] - centres[c].0).abs() < 1.0)
                    .unwrap();
                assert_eq!(labels[i], first(c));
            }
            // Uniform ±0.5 noise: inertia ≈ total weight × 2/12.
            let total = weights.map_or(n as f64, |w| w.iter().sum());
            assert!(
                (inertia / total - 2.0 / 12.0).abs() < 0.03,
                "{}",
                inertia / total
            );
        }
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
        let a = fit(1, &xs, Some(&w), &cfg, &mut Rng::seed_from_u64(0));
        let b = fit(1, &rep, None, &cfg, &mut Rng::seed_from_u64(0));
        for j in 0..2 {
            assert!((a.comps[j].mean[0] - b.comps[j].mean[0]).abs() < 1e-9);
            assert!((a.comps[j].cov[0] - b.comps[j].cov[0]).abs() < 1e-9);
        }
    }
}
