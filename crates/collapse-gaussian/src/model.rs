//! Gaussian models, their training data (points or sufficient statistics) and the four
//! families: {1-D, d-dimensional} × {exact, naive} samplers, equal in law.
//!
//! The exact samplers never draw the `M` points: the sample mean is
//! $\bar x \sim \mathcal N(\mu, \Sigma/M)$ and, independently, the scatter matrix is
//! $F\,W\,F^\top$ with $W \sim \mathrm{Wishart}_d(M-1, I)$ drawn by Bartlett's decomposition and
//! $F F^\top = \Sigma$ (in 1-D, $\sigma^2 \chi^2_{M-1}$). Their cost does not grow with `M`.

use collapse_core::{Dataset, Family, Rng};
use nalgebra::{DMatrix, DVector};
use rand::RngExt;
use rand_distr::{ChiSquared, Distribution, StandardNormal};

collapse_core::choice! {
    /// How a generation estimates its parameters from data.
    pub enum Estimator {
        /// Sample mean and the unbiased covariance (divisor n − 1): Theorem 3.1's setting.
        Unbiased = "unbiased",
        /// Sample mean and the maximum-likelihood covariance (divisor n): biased low, an
        /// approximation error.
        Mle = "mle",
        /// Sample mean only; the covariance stays the true one (the π²/6 accumulation setting).
        MeanOnly = "mean-only",
    }
}

impl Estimator {
    /// The covariance divisor for `n` points; `None` when the estimate is undefined (unbiased
    /// with a single point is refused by the experiment; a pool may still hold one point after
    /// a degenerate mix, and then the scatter is zero anyway).
    fn divisor(&self, n: f64) -> f64 {
        match self {
            Estimator::Unbiased => (n - 1.0).max(1.0),
            Estimator::Mle | Estimator::MeanOnly => n.max(1.0),
        }
    }

    /// E[Σ̂] / Σ for `n` points: the factor the infinite-sample mode applies.
    pub fn expected_shrink(&self, n: f64) -> f64 {
        match self {
            Estimator::Unbiased | Estimator::MeanOnly => 1.0,
            Estimator::Mle => (n - 1.0) / n,
        }
    }
}

/// A 1-D Gaussian.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gaussian1 {
    /// Mean.
    pub mean: f64,
    /// Variance (≥ 0; exactly 0 once collapsed).
    pub var: f64,
}

/// Sufficient statistics of 1-D data: count, mean and sum of squared deviations.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats1 {
    /// Number of points.
    pub n: u64,
    /// Their mean.
    pub mean: f64,
    /// Σ (x − mean)².
    pub m2: f64,
}

impl Stats1 {
    /// The statistics of a slice (two passes, for accuracy).
    pub fn of(xs: &[f64]) -> Self {
        if xs.is_empty() {
            return Self::default();
        }
        let mean = sum_lanes(xs, |x| x) / xs.len() as f64;
        let m2 = sum_lanes(xs, |x| (x - mean) * (x - mean));
        Self {
            n: xs.len() as u64,
            mean,
            m2,
        }
    }
}

impl Dataset for Stats1 {
    fn len(&self) -> usize {
        self.n as usize
    }
    fn merge(&mut self, o: Self) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = o;
            return;
        }
        // Chan et al.'s pairwise update.
        let (na, nb) = (self.n as f64, o.n as f64);
        let n = na + nb;
        let d = o.mean - self.mean;
        self.mean += d * nb / n;
        self.m2 += o.m2 + d * d * na * nb / n;
        self.n += o.n;
    }
    fn subsample(&self, _: usize, _: &mut Rng) -> Option<Self> {
        None
    }
}

/// Σ f(x) with eight independent partial sums, combined in a fixed order: a single running sum
/// is a chain of dependent additions (one per 4 cycles), which made the two passes of
/// [`Stats1::of`] cost as much as drawing the points. The order is fixed, so results do not
/// depend on anything but the data.
fn sum_lanes(xs: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut acc = [0.0f64; 8];
    let chunks = xs.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..8 {
            acc[k] += f(c[k]);
        }
    }
    let mut tail = 0.0;
    for &x in rest {
        tail += f(x);
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail
}

/// 1-D data kept point by point.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Points1(pub Vec<f64>);

impl Dataset for Points1 {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn merge(&mut self, o: Self) {
        self.0.extend(o.0);
    }
    fn subsample(&self, n: usize, rng: &mut Rng) -> Option<Self> {
        Some(Points1(
            collapse_core::chain::sample_indices(self.0.len(), n, rng)
                .into_iter()
                .map(|i| self.0[i])
                .collect(),
        ))
    }
}

fn fit1(est: Estimator, s: &Stats1, truth_var: f64) -> Gaussian1 {
    let var = match est {
        Estimator::MeanOnly => truth_var,
        _ => s.m2 / est.divisor(s.n as f64),
    };
    Gaussian1 { mean: s.mean, var }
}

fn population1(
    est: Estimator,
    samples: f64,
    truth_var: f64,
    mix: &[(f64, &Gaussian1)],
) -> Gaussian1 {
    let mean: f64 = mix.iter().map(|(w, g)| w * g.mean).sum();
    let second: f64 = mix.iter().map(|(w, g)| w * (g.var + g.mean * g.mean)).sum();
    let var = match est {
        Estimator::MeanOnly => truth_var,
        _ => est.expected_shrink(samples) * (second - mean * mean).max(0.0),
    };
    Gaussian1 { mean, var }
}

/// 1-D chain with the exact sampler (draws the sufficient statistics).
#[derive(Clone, Copy, Debug)]
pub struct Exact1 {
    /// The estimator.
    pub estimator: Estimator,
    /// The base sample size, whose χ² is built once.
    pub samples: usize,
    /// χ²_{M−1} for the base size, built once: the constant schedule draws it every
    /// generation.
    chi2: Option<ChiSquared<f64>>,
}

impl Exact1 {
    /// The exact 1-D sampler for base sample size `samples`.
    pub fn new(estimator: Estimator, samples: usize) -> Self {
        let chi2 =
            (samples > 1).then(|| ChiSquared::new((samples - 1) as f64).expect("samples - 1 >= 1"));
        Self {
            estimator,
            samples,
            chi2,
        }
    }
}

/// 1-D chain with the naive sampler (draws every point).
#[derive(Clone, Copy, Debug)]
pub struct Naive1 {
    /// The estimator.
    pub estimator: Estimator,
}

/// The truth N(0, 1).
pub const TRUTH1: Gaussian1 = Gaussian1 {
    mean: 0.0,
    var: 1.0,
};

/// Draws the sufficient statistics of `n` points of N(mean, var) from their exact law.
pub fn draw_stats1(g: &Gaussian1, n: usize, rng: &mut Rng) -> Stats1 {
    let chi2 =
        (n > 1).then(|| ChiSquared::new((n - 1) as f64).expect("n - 1 >= 1 degrees of freedom"));
    draw_stats1_with(g, n, chi2.as_ref(), rng)
}

/// [`draw_stats1`] with the χ²_{n−1} law already built (`None` when n ≤ 1).
fn draw_stats1_with(
    g: &Gaussian1,
    n: usize,
    chi2: Option<&ChiSquared<f64>>,
    rng: &mut Rng,
) -> Stats1 {
    if n == 0 {
        return Stats1::default();
    }
    let z: f64 = rng.sample(StandardNormal);
    let mean = g.mean + (g.var / n as f64).sqrt() * z;
    let chi2 = chi2.map_or(0.0, |d| d.sample(rng));
    Stats1 {
        n: n as u64,
        mean,
        m2: g.var * chi2,
    }
}

impl Family for Exact1 {
    type Model = Gaussian1;
    type Data = Stats1;
    fn truth(&self) -> Gaussian1 {
        TRUTH1
    }
    fn fit(&self, d: &Stats1, _: &mut Rng) -> Gaussian1 {
        fit1(self.estimator, d, TRUTH1.var)
    }
    fn sample(&self, g: &Gaussian1, n: usize, rng: &mut Rng) -> Stats1 {
        if n == self.samples {
            draw_stats1_with(g, n, self.chi2.as_ref(), rng)
        } else {
            draw_stats1(g, n, rng)
        }
    }
    fn fit_population(&self, mix: &[(f64, &Gaussian1)], n: usize) -> Option<Gaussian1> {
        Some(population1(self.estimator, n as f64, TRUTH1.var, mix))
    }
}

impl Family for Naive1 {
    type Model = Gaussian1;
    type Data = Points1;
    fn truth(&self) -> Gaussian1 {
        TRUTH1
    }
    fn fit(&self, d: &Points1, _: &mut Rng) -> Gaussian1 {
        fit1(self.estimator, &Stats1::of(&d.0), TRUTH1.var)
    }
    fn sample(&self, g: &Gaussian1, n: usize, rng: &mut Rng) -> Points1 {
        let mut points = Vec::with_capacity(n);
        collapse_core::normal::extend_normal(rng, n, g.mean, g.var.sqrt(), &mut points);
        Points1(points)
    }
    fn fit_population(&self, mix: &[(f64, &Gaussian1)], n: usize) -> Option<Gaussian1> {
        Some(population1(self.estimator, n as f64, TRUTH1.var, mix))
    }
}

/// A d-dimensional Gaussian.
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianD {
    /// Mean.
    pub mean: DVector<f64>,
    /// Covariance (symmetric positive semi-definite; singular once collapsed in a direction).
    pub cov: DMatrix<f64>,
}

impl GaussianD {
    /// N(0, I_d).
    pub fn standard(d: usize) -> Self {
        Self {
            mean: DVector::zeros(d),
            cov: DMatrix::identity(d, d),
        }
    }

    /// A factor F with F Fᵀ = cov: Cholesky, or the symmetric square root when the covariance
    /// is singular (collapsed directions get a zero column, exactly).
    pub fn factor(&self) -> DMatrix<f64> {
        if let Some(ch) = self.cov.clone().cholesky() {
            return ch.l();
        }
        psd_sqrt(&self.cov)
    }
}

/// The symmetric square root of a positive semi-definite matrix (negative rounding noise in the
/// eigenvalues is clipped to zero).
pub fn psd_sqrt(a: &DMatrix<f64>) -> DMatrix<f64> {
    let e = a.clone().symmetric_eigen();
    let sqrt_vals = e.eigenvalues.map(|l| l.max(0.0).sqrt());
    &e.eigenvectors * DMatrix::from_diagonal(&sqrt_vals) * e.eigenvectors.transpose()
}

/// Sufficient statistics of d-dimensional data.
#[derive(Clone, Debug, PartialEq)]
pub struct StatsD {
    /// Number of points.
    pub n: u64,
    /// Their mean.
    pub mean: DVector<f64>,
    /// Σ (x − mean)(x − mean)ᵀ.
    pub scatter: DMatrix<f64>,
}

impl StatsD {
    fn empty(d: usize) -> Self {
        Self {
            n: 0,
            mean: DVector::zeros(d),
            scatter: DMatrix::zeros(d, d),
        }
    }
}

impl Dataset for StatsD {
    fn len(&self) -> usize {
        self.n as usize
    }
    fn merge(&mut self, o: Self) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = o;
            return;
        }
        let (na, nb) = (self.n as f64, o.n as f64);
        let n = na + nb;
        let d = &o.mean - &self.mean;
        self.scatter += &o.scatter + (&d * d.transpose()) * (na * nb / n);
        self.mean += d * (nb / n);
        self.n += o.n;
    }
    fn subsample(&self, _: usize, _: &mut Rng) -> Option<Self> {
        None
    }
}

/// d-dimensional data kept point by point (columns of a matrix).
#[derive(Clone, Debug, PartialEq)]
pub struct PointsD(pub DMatrix<f64>);

impl Dataset for PointsD {
    fn len(&self) -> usize {
        self.0.ncols()
    }
    fn merge(&mut self, o: Self) {
        let (d, a, b) = (self.0.nrows(), self.0.ncols(), o.0.ncols());
        let mut m = DMatrix::zeros(d, a + b);
        m.columns_mut(0, a).copy_from(&self.0);
        m.columns_mut(a, b).copy_from(&o.0);
        self.0 = m;
    }
    fn subsample(&self, n: usize, rng: &mut Rng) -> Option<Self> {
        let idx = collapse_core::chain::sample_indices(self.0.ncols(), n, rng);
        Some(PointsD(self.0.select_columns(idx.iter())))
    }
}

impl PointsD {
    /// The sufficient statistics of the points.
    pub fn stats(&self) -> StatsD {
        let (d, n) = self.0.shape();
        if n == 0 {
            return StatsD::empty(d);
        }
        let mean = self.0.column_mean();
        let centred = &self.0 - &mean * DVector::from_element(n, 1.0).transpose();
        StatsD {
            n: n as u64,
            scatter: &centred * centred.transpose(),
            mean,
        }
    }
}

fn fit_d(est: Estimator, s: &StatsD, truth: &GaussianD) -> GaussianD {
    let cov = match est {
        Estimator::MeanOnly => truth.cov.clone(),
        _ => &s.scatter / est.divisor(s.n as f64),
    };
    GaussianD {
        mean: s.mean.clone(),
        cov,
    }
}

fn population_d(
    est: Estimator,
    samples: f64,
    truth: &GaussianD,
    mix: &[(f64, &GaussianD)],
) -> GaussianD {
    let d = truth.mean.len();
    let mut mean = DVector::zeros(d);
    let mut second = DMatrix::zeros(d, d);
    for (w, g) in mix {
        mean += &g.mean * *w;
        second += (&g.cov + &g.mean * g.mean.transpose()) * *w;
    }
    let cov = match est {
        Estimator::MeanOnly => truth.cov.clone(),
        _ => (second - &mean * mean.transpose()) * est.expected_shrink(samples),
    };
    GaussianD { mean, cov }
}

/// d-dimensional chain with the exact sampler (normal mean, Bartlett–Wishart scatter).
#[derive(Clone, Debug)]
pub struct ExactD {
    /// The estimator.
    pub estimator: Estimator,
    /// The truth N(0, I_d).
    pub truth: GaussianD,
}

/// d-dimensional chain with the naive sampler.
#[derive(Clone, Debug)]
pub struct NaiveD {
    /// The estimator.
    pub estimator: Estimator,
    /// The truth N(0, I_d).
    pub truth: GaussianD,
}

/// A standard Wishart_d(k, I) matrix: Bartlett's decomposition A Aᵀ when k ≥ d (A lower
/// triangular, A_ii² ~ χ²_{k−i}, i = 0..d, A_ij ~ N(0,1) below the diagonal), otherwise the sum
/// of k outer products (the matrix is then singular and Bartlett does not apply).
pub fn wishart_identity(d: usize, k: usize, rng: &mut Rng) -> DMatrix<f64> {
    if k >= d {
        let mut a = DMatrix::zeros(d, d);
        for i in 0..d {
            a[(i, i)] = ChiSquared::new((k - i) as f64)
                .expect("k - i >= 1")
                .sample(rng)
                .sqrt();
            for j in 0..i {
                a[(i, j)] = rng.sample(StandardNormal);
            }
        }
        &a * a.transpose()
    } else {
        let z = DMatrix::from_fn(d, k, |_, _| rng.sample::<f64, _>(StandardNormal));
        &z * z.transpose()
    }
}

impl Family for ExactD {
    type Model = GaussianD;
    type Data = StatsD;
    fn truth(&self) -> GaussianD {
        self.truth.clone()
    }
    fn fit(&self, s: &StatsD, _: &mut Rng) -> GaussianD {
        fit_d(self.estimator, s, &self.truth)
    }
    fn sample(&self, g: &GaussianD, n: usize, rng: &mut Rng) -> StatsD {
        let d = g.mean.len();
        if n == 0 {
            return StatsD::empty(d);
        }
        let f = g.factor();
        let z = DVector::from_fn(d, |_, _| rng.sample::<f64, _>(StandardNormal));
        let mean = &g.mean + (&f * z) / (n as f64).sqrt();
        let scatter = if n > 1 {
            &f * wishart_identity(d, n - 1, rng) * f.transpose()
        } else {
            DMatrix::zeros(d, d)
        };
        StatsD {
            n: n as u64,
            mean,
            scatter,
        }
    }
    fn fit_population(&self, mix: &[(f64, &GaussianD)], n: usize) -> Option<GaussianD> {
        Some(population_d(self.estimator, n as f64, &self.truth, mix))
    }
}

impl Family for NaiveD {
    type Model = GaussianD;
    type Data = PointsD;
    fn truth(&self) -> GaussianD {
        self.truth.clone()
    }
    fn fit(&self, p: &PointsD, _: &mut Rng) -> GaussianD {
        fit_d(self.estimator, &p.stats(), &self.truth)
    }
    fn sample(&self, g: &GaussianD, n: usize, rng: &mut Rng) -> PointsD {
        let d = g.mean.len();
        let z = DMatrix::from_vec(d, n, collapse_core::normal::standard_normals(rng, d * n));
        let mut x = g.factor() * z;
        for mut c in x.column_iter_mut() {
            c += &g.mean;
        }
        PointsD(x)
    }
    fn fit_population(&self, mix: &[(f64, &GaussianD)], n: usize) -> Option<GaussianD> {
        Some(population_d(self.estimator, n as f64, &self.truth, mix))
    }
}

/// The per-generation metrics of `records.csv`, measured against the truth N(0, I_d).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    /// ‖μ_n − μ_0‖².
    pub mean_sq_error: f64,
    /// tr Σ_n / d.
    pub var: f64,
    /// ln of `var` (−∞ once the variance is exactly zero).
    pub log_var: f64,
    /// W2²(N(μ_n, Σ_n), N(0, I)).
    pub w2_sq: f64,
}

/// The metric names, in the order of [`Metrics::values`] (alphabetical: the order records are
/// written in, so a generation's rows need no sorting).
pub const METRIC_NAMES: [&str; 4] = [LOG_VAR, MEAN_SQ_ERROR, VAR, W2_SQ];
/// ‖μ_n − μ_0‖².
pub const MEAN_SQ_ERROR: &str = "mean_sq_error";
/// tr Σ_n / d.
pub const VAR: &str = "var";
/// ln of `var`.
pub const LOG_VAR: &str = "log_var";
/// W2²(N(μ_n, Σ_n), N(0, I)).
pub const W2_SQ: &str = "w2_sq";

impl Metrics {
    /// The values in the order of [`METRIC_NAMES`].
    pub fn values(&self) -> [f64; 4] {
        [self.log_var, self.mean_sq_error, self.var, self.w2_sq]
    }
}

/// Models that can be measured against the standard normal truth.
pub trait Measure {
    /// The metrics of this model.
    fn metrics(&self) -> Metrics;
}

impl Measure for Gaussian1 {
    fn metrics(&self) -> Metrics {
        let sd = self.var.max(0.0).sqrt();
        Metrics {
            mean_sq_error: self.mean * self.mean,
            var: self.var,
            log_var: self.var.ln(),
            // W2²(N(μ, σ²), N(0, 1)) = μ² + (σ − 1)².
            w2_sq: self.mean * self.mean + (sd - 1.0) * (sd - 1.0),
        }
    }
}

impl Measure for GaussianD {
    fn metrics(&self) -> Metrics {
        let d = self.mean.len() as f64;
        let ms = self.mean.norm_squared();
        let tr = self.cov.trace();
        // With Σ_0 = I: W2² = ‖μ‖² + tr Σ + d − 2 tr Σ^{1/2}.
        let sqrt_tr: f64 = self
            .cov
            .clone()
            .symmetric_eigenvalues()
            .iter()
            .map(|l| l.max(0.0).sqrt())
            .sum();
        Metrics {
            mean_sq_error: ms,
            var: tr / d,
            log_var: (tr / d).ln(),
            w2_sq: (ms + tr + d - 2.0 * sqrt_tr).max(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::rng::stream;
    use collapse_core::stats::{ks_two_sample, ks_two_sample_p};

    #[test]
    fn merging_statistics_equals_the_statistics_of_the_union() {
        let a = [1.0, 2.0, 4.0];
        let b = [-1.0, 3.5];
        let mut s = Stats1::of(&a);
        s.merge(Stats1::of(&b));
        let u = Stats1::of(&[1.0, 2.0, 4.0, -1.0, 3.5]);
        assert_eq!(s.n, u.n);
        assert!((s.mean - u.mean).abs() < 1e-14 && (s.m2 - u.m2).abs() < 1e-12);

        let pa = PointsD(DMatrix::from_row_slice(
            2,
            3,
            &[1.0, 2.0, 0.5, -1.0, 0.0, 3.0],
        ));
        let pb = PointsD(DMatrix::from_row_slice(2, 2, &[4.0, -2.0, 1.0, 1.5]));
        let mut sa = pa.stats();
        sa.merge(pb.stats());
        let mut pu = pa.clone();
        pu.merge(pb);
        let su = pu.stats();
        assert!((sa.mean - su.mean).norm() < 1e-14 && (sa.scatter - su.scatter).norm() < 1e-12);
    }

    #[test]
    fn wishart_bartlett_has_the_right_mean_and_trace_law() {
        // E W = k I; Var(tr W) = 2 k d for Wishart_d(k, I) (tr W ~ χ²_{kd}).
        let (d, k, n) = (3, 5, 20_000);
        let traces: Vec<f64> = (0..n)
            .map(|r| wishart_identity(d, k, &mut stream(1, "w", r)).trace())
            .collect();
        let (m, se) = collapse_core::stats::mean_and_se(&traces);
        assert!((m - (k * d) as f64).abs() < 5.5 * se, "{m} ± {se}");
        let mut a = traces.clone();
        let mut b: Vec<f64> = (0..n)
            .map(|r| {
                ChiSquared::new((k * d) as f64)
                    .unwrap()
                    .sample(&mut stream(2, "w", r))
            })
            .collect();
        let dks = ks_two_sample(&mut a, &mut b);
        assert!(
            ks_two_sample_p(dks, n as usize, n as usize) > 1e-6,
            "D = {dks}"
        );
    }

    #[test]
    fn collapsed_variance_is_handled_exactly() {
        let g = Gaussian1 {
            mean: 0.3,
            var: 0.0,
        };
        let s = draw_stats1(&g, 10, &mut stream(1, "z", 0));
        assert_eq!((s.mean, s.m2), (0.3, 0.0));
        let m = g.metrics();
        assert_eq!(m.log_var, f64::NEG_INFINITY);
        assert!((m.w2_sq - (0.09 + 1.0)).abs() < 1e-15);
        let gd = GaussianD {
            mean: DVector::zeros(2),
            cov: DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]),
        };
        let f = gd.factor();
        assert!((&f * f.transpose() - &gd.cov).norm() < 1e-12);
        let x = NaiveD {
            estimator: Estimator::Unbiased,
            truth: GaussianD::standard(2),
        }
        .sample(&gd, 5, &mut stream(1, "z", 1));
        assert!(x.0.iter().all(|v| v.is_finite()));
    }
}
