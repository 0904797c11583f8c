//! The families the core loop runs: {1-D, d-dimensional} × {exact, naive, naive with a pool of
//! points}, equal in law.
//!
//! - **exact** never draws the `M` points: the sample mean is $\bar x \sim \mathcal N(\mu,
//!   \Sigma/M)$ and, independently, the scatter matrix is $F W F^\top$ with
//!   $W \sim \mathrm{Wishart}_d(M-1, I)$ and $F F^\top = \Sigma$ (in 1-D, $\sigma^2\chi^2_{M-1}$).
//!   $W = A A^\top$ is drawn by Bartlett's decomposition ($A$ lower triangular), so the new
//!   factor is $F A$. Its cost does not grow with `M`.
//! - **naive** draws every point, $x_j = \mu + F z_j$ with $z_j$ standard normal, and reduces
//!   them to their sufficient statistics at once: the mean is $\mu + F\bar z$ and the scatter
//!   $F S_z F^\top$, $S_z = \sum (z_j - \bar z)(z_j - \bar z)^\top = B B^\top$ (Cholesky). The
//!   fit only needs these (mean and covariance are affine-equivariant), so `replace`, `mix` and
//!   `accumulate` pool statistics in O(d²) rather than re-reading points; computing them in the
//!   model's own coordinates keeps a collapsed generation's spread exact instead of rounding
//!   $\mu + \sigma z$ to $\mu$.
//! - **naive with a pool** keeps the points themselves, as `accumulate-subsample` must.

use crate::data::{Points1, PointsD, Stats1, StatsD};
use crate::logspace::{ScaledFactor, lower_factor_of_columns};
use crate::model::{Estimator, Gaussian1, GaussianD};
use crate::population::Population;
use collapse_core::normal::extend_normal;
use collapse_core::{Family, Rng};
use nalgebra::{DMatrix, DVector};
use rand::RngExt;
use rand_distr::{ChiSquared, Distribution, StandardNormal};

/// Fits a 1-D model to statistics.
pub fn fit1(est: Estimator, s: &Stats1, truth: &Gaussian1) -> Gaussian1 {
    fit1_with(est, s, truth, est.divisor(s.n as f64).ln())
}

/// [`fit1`] with $\ln c(n)$ already computed.
fn fit1_with(est: Estimator, s: &Stats1, truth: &Gaussian1, log_divisor: f64) -> Gaussian1 {
    if est.fits_covariance() {
        Gaussian1::new(s.mean, s.log_m2 - log_divisor)
    } else {
        truth.with_mean(s.mean)
    }
}

/// $\ln c(M)$ for the base sample size, computed once: the constant schedule fits on it every
/// generation.
#[derive(Clone, Copy, Debug)]
struct LogDivisor {
    n: u64,
    value: f64,
}

impl LogDivisor {
    fn new(est: Estimator, n: usize) -> Self {
        Self {
            n: n as u64,
            value: est.divisor(n as f64).ln(),
        }
    }

    fn fit(&self, est: Estimator, s: &Stats1, truth: &Gaussian1) -> Gaussian1 {
        if s.n == self.n {
            fit1_with(est, s, truth, self.value)
        } else {
            fit1(est, s, truth)
        }
    }
}

/// Fits a d-dimensional model to statistics.
pub fn fit_d(est: Estimator, s: &StatsD, truth: &GaussianD) -> GaussianD {
    let cov = if est.fits_covariance() {
        s.scatter.clone().shifted(-est.divisor(s.n as f64).ln())
    } else {
        truth.cov.clone()
    };
    GaussianD {
        mean: s.mean.clone(),
        cov,
    }
}

/// The 1-D exact sampler (draws the sufficient statistics).
#[derive(Clone, Copy, Debug)]
pub struct Exact1 {
    /// The estimator.
    pub estimator: Estimator,
    /// The truth $\mathcal N(0, \sigma_0^2)$.
    pub truth: Gaussian1,
    /// The base sample size, whose χ² is built once.
    pub samples: usize,
    /// χ²_{M−1} for the base size, built once: the constant schedule draws it every generation.
    chi2: Option<ChiSquared<f64>>,
    log_divisor: LogDivisor,
}

impl Exact1 {
    /// The exact 1-D sampler for base sample size `samples`.
    pub fn new(estimator: Estimator, truth: Gaussian1, samples: usize) -> Self {
        Self {
            estimator,
            truth,
            samples,
            chi2: chi2(samples),
            log_divisor: LogDivisor::new(estimator, samples),
        }
    }
}

fn chi2(n: usize) -> Option<ChiSquared<f64>> {
    (n > 1).then(|| ChiSquared::new((n - 1) as f64).expect("n - 1 >= 1 degrees of freedom"))
}

/// Draws the sufficient statistics of `n` points of `g` from their exact law.
pub fn draw_stats1(g: &Gaussian1, n: usize, rng: &mut Rng) -> Stats1 {
    draw_stats1_with(g, n, chi2(n).as_ref(), rng)
}

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
    let mean = g.mean + g.sd() * z / (n as f64).sqrt();
    let log_chi2 = chi2.map_or(f64::NEG_INFINITY, |d| d.sample(rng).ln());
    Stats1 {
        n: n as u64,
        mean,
        log_m2: g.log_var() + log_chi2,
    }
}

impl Family for Exact1 {
    type Model = Gaussian1;
    type Data = Stats1;
    fn truth(&self) -> Gaussian1 {
        self.truth
    }
    fn fit(&self, d: &Stats1, _: &mut Rng) -> Gaussian1 {
        self.log_divisor.fit(self.estimator, d, &self.truth)
    }
    fn sample(&self, g: &Gaussian1, n: usize, rng: &mut Rng) -> Stats1 {
        if n == self.samples {
            draw_stats1_with(g, n, self.chi2.as_ref(), rng)
        } else {
            draw_stats1(g, n, rng)
        }
    }
    fn fit_population(&self, mix: &[(f64, &Gaussian1)], n: usize) -> Option<Gaussian1> {
        Some(Gaussian1::mixture(mix).fitted_population(self.estimator, n as f64, &self.truth))
    }
}

/// The 1-D naive sampler: draws every point and keeps its statistics.
#[derive(Clone, Copy, Debug)]
pub struct Naive1 {
    /// The estimator.
    pub estimator: Estimator,
    /// The truth.
    pub truth: Gaussian1,
    log_divisor: LogDivisor,
}

impl Naive1 {
    /// The naive 1-D sampler for base sample size `samples`.
    pub fn new(estimator: Estimator, truth: Gaussian1, samples: usize) -> Self {
        Self {
            estimator,
            truth,
            log_divisor: LogDivisor::new(estimator, samples),
        }
    }
}

impl Family for Naive1 {
    type Model = Gaussian1;
    type Data = Stats1;
    fn truth(&self) -> Gaussian1 {
        self.truth
    }
    fn fit(&self, d: &Stats1, _: &mut Rng) -> Gaussian1 {
        self.log_divisor.fit(self.estimator, d, &self.truth)
    }
    fn sample(&self, g: &Gaussian1, n: usize, rng: &mut Rng) -> Stats1 {
        // The points are g.mean + σ z; their spread is σ² times that of the z.
        let mut z = Vec::with_capacity(n);
        extend_normal(rng, n, 0.0, 1.0, &mut z);
        let s = Stats1::of(&z);
        Stats1 {
            n: s.n,
            mean: g.mean + g.sd() * s.mean,
            log_m2: g.log_var() + s.log_m2,
        }
    }
    fn fit_population(&self, mix: &[(f64, &Gaussian1)], n: usize) -> Option<Gaussian1> {
        Some(Gaussian1::mixture(mix).fitted_population(self.estimator, n as f64, &self.truth))
    }
}

/// The 1-D naive sampler keeping every point (for `accumulate-subsample`).
#[derive(Clone, Copy, Debug)]
pub struct NaivePool1 {
    /// The estimator.
    pub estimator: Estimator,
    /// The truth.
    pub truth: Gaussian1,
}

impl Family for NaivePool1 {
    type Model = Gaussian1;
    type Data = Points1;
    fn truth(&self) -> Gaussian1 {
        self.truth
    }
    fn fit(&self, d: &Points1, _: &mut Rng) -> Gaussian1 {
        fit1(self.estimator, &Stats1::of(&d.0), &self.truth)
    }
    fn sample(&self, g: &Gaussian1, n: usize, rng: &mut Rng) -> Points1 {
        let mut points = Vec::with_capacity(n);
        extend_normal(rng, n, g.mean, g.sd(), &mut points);
        Points1(points)
    }
}

/// Bartlett's factor of a standard $\mathrm{Wishart}_d(k, I)$ matrix $W = A A^\top$ and
/// $\ln|A_{ii}|$: for $k \ge d$, $A$ lower triangular with $A_{ii}^2 \sim \chi^2_{k-i}$
/// ($i = 0..d$) and $A_{ij} \sim \mathcal N(0,1)$ below the diagonal; for $k < d$ (a singular
/// Wishart) the triangular factor of $Z Z^\top$, $Z$ a $d\times k$ standard normal matrix, with
/// zero columns beyond $k$. `chi2` holds the laws $\chi^2_{k-i}$ when already built.
pub fn bartlett(
    d: usize,
    k: usize,
    chi2: Option<&[ChiSquared<f64>]>,
    rng: &mut Rng,
) -> (DMatrix<f64>, DVector<f64>) {
    if k < d {
        let z = DMatrix::from_fn(d, k, |_, _| rng.sample::<f64, _>(StandardNormal));
        let a = lower_factor_of_columns(&z);
        let log_diag = a.diagonal().map(|v| v.abs().ln());
        return (a, log_diag);
    }
    let mut a = DMatrix::zeros(d, d);
    let mut log_diag = DVector::zeros(d);
    for i in 0..d {
        let c: f64 = match chi2 {
            Some(laws) => laws[i].sample(rng),
            None => ChiSquared::new((k - i) as f64)
                .expect("k - i >= 1")
                .sample(rng),
        };
        a[(i, i)] = c.sqrt();
        log_diag[i] = 0.5 * c.ln();
        for j in 0..i {
            a[(i, j)] = rng.sample(StandardNormal);
        }
    }
    (a, log_diag)
}

/// The d-dimensional exact sampler (normal mean, Bartlett–Wishart scatter).
#[derive(Clone, Debug)]
pub struct ExactD {
    /// The estimator.
    pub estimator: Estimator,
    /// The truth $\mathcal N(0, \sigma_0^2 I_d)$.
    pub truth: GaussianD,
    /// The base sample size, whose χ² laws are built once.
    pub samples: usize,
    /// χ²_{M−1−i}, i = 0..d, for the base size (empty when M − 1 < d).
    chi2: Vec<ChiSquared<f64>>,
}

impl ExactD {
    /// The exact d-dimensional sampler for base sample size `samples`.
    pub fn new(estimator: Estimator, truth: GaussianD, samples: usize) -> Self {
        let (d, k) = (truth.dim(), samples.saturating_sub(1));
        let chi2 = if k >= d && k > 0 {
            (0..d)
                .map(|i| ChiSquared::new((k - i) as f64).expect("k - i >= 1"))
                .collect()
        } else {
            Vec::new()
        };
        Self {
            estimator,
            truth,
            samples,
            chi2,
        }
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
        let d = g.dim();
        if n == 0 {
            return StatsD::empty(d);
        }
        let z = DVector::from_fn(d, |_, _| rng.sample::<f64, _>(StandardNormal));
        let mean = &g.mean + (g.cov.factor() * z) / (n as f64).sqrt();
        let scatter = if n > 1 {
            let laws = (n == self.samples && !self.chi2.is_empty()).then_some(&self.chi2[..]);
            let (a, log_a) = bartlett(d, n - 1, laws, rng);
            g.cov.times_lower(&a, &log_a)
        } else {
            ScaledFactor::zero(d)
        };
        StatsD {
            n: n as u64,
            mean,
            scatter,
        }
    }
    fn fit_population(&self, mix: &[(f64, &GaussianD)], n: usize) -> Option<GaussianD> {
        Some(GaussianD::mixture(mix).fitted_population(self.estimator, n as f64, &self.truth))
    }
}

/// The d-dimensional naive sampler: draws every point and keeps its statistics.
#[derive(Clone, Debug)]
pub struct NaiveD {
    /// The estimator.
    pub estimator: Estimator,
    /// The truth.
    pub truth: GaussianD,
}

/// The mean and a lower-triangular factor (with $\ln|B_{ii}|$) of the scatter of `n` standard
/// normal points in `d` dimensions, drawn from `rng`.
pub fn standard_points_stats(
    d: usize,
    n: usize,
    rng: &mut Rng,
) -> (DVector<f64>, DMatrix<f64>, DVector<f64>) {
    let mut z = Vec::with_capacity(d * n);
    extend_normal(rng, d * n, 0.0, 1.0, &mut z);
    let z = DMatrix::from_vec(d, n, z);
    let mean = z.column_mean();
    let centred = &z - &mean * DVector::from_element(n, 1.0).transpose();
    // With more points than dimensions the scatter is non-singular: Cholesky. Otherwise (or if
    // rounding makes it fail) the triangular factor of the centred points, of rank ≤ n − 1.
    let b = if n > d {
        (&centred * centred.transpose())
            .cholesky()
            .map(|c| c.unpack())
    } else {
        None
    }
    .unwrap_or_else(|| lower_factor_of_columns(&helmert(&centred)));
    let log_b = b.diagonal().map(|v| v.abs().ln());
    (mean, b, log_b)
}

/// The n − 1 Helmert contrasts of n centred columns: orthonormal combinations orthogonal to the
/// mean, with the same scatter, so that a factor built from them has rank n − 1 exactly rather
/// than n with a rounding-noise direction.
fn helmert(centred: &DMatrix<f64>) -> DMatrix<f64> {
    let (d, n) = centred.shape();
    let mut out = DMatrix::zeros(d, n.saturating_sub(1));
    let mut prefix = DVector::zeros(d);
    for k in 1..n {
        prefix += centred.column(k - 1);
        let kf = k as f64;
        let col = (&prefix - centred.column(k) * kf) / (kf * (kf + 1.0)).sqrt();
        out.set_column(k - 1, &col);
    }
    out
}

impl Family for NaiveD {
    type Model = GaussianD;
    type Data = StatsD;
    fn truth(&self) -> GaussianD {
        self.truth.clone()
    }
    fn fit(&self, s: &StatsD, _: &mut Rng) -> GaussianD {
        fit_d(self.estimator, s, &self.truth)
    }
    fn sample(&self, g: &GaussianD, n: usize, rng: &mut Rng) -> StatsD {
        let d = g.dim();
        if n == 0 {
            return StatsD::empty(d);
        }
        let (zbar, b, log_b) = standard_points_stats(d, n, rng);
        StatsD {
            n: n as u64,
            mean: &g.mean + g.cov.factor() * zbar,
            scatter: g.cov.times_lower(&b, &log_b),
        }
    }
    fn fit_population(&self, mix: &[(f64, &GaussianD)], n: usize) -> Option<GaussianD> {
        Some(GaussianD::mixture(mix).fitted_population(self.estimator, n as f64, &self.truth))
    }
}

/// The d-dimensional naive sampler keeping every point (for `accumulate-subsample`).
#[derive(Clone, Debug)]
pub struct NaivePoolD {
    /// The estimator.
    pub estimator: Estimator,
    /// The truth.
    pub truth: GaussianD,
}

impl Family for NaivePoolD {
    type Model = GaussianD;
    type Data = PointsD;
    fn truth(&self) -> GaussianD {
        self.truth.clone()
    }
    fn fit(&self, p: &PointsD, _: &mut Rng) -> GaussianD {
        fit_d(self.estimator, &p.stats(), &self.truth)
    }
    fn sample(&self, g: &GaussianD, n: usize, rng: &mut Rng) -> PointsD {
        let d = g.dim();
        let mut z = Vec::with_capacity(d * n);
        extend_normal(rng, d * n, 0.0, 1.0, &mut z);
        let mut x = g.cov.factor() * DMatrix::from_vec(d, n, z);
        for mut c in x.column_iter_mut() {
            c += &g.mean;
        }
        PointsD {
            dim: d,
            coords: x.as_slice().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Measure, TruthScale};
    use collapse_core::rng::stream;
    use collapse_core::stats::{ks_two_sample, ks_two_sample_p};

    fn mean_of(xs: &[f64]) -> f64 {
        crate::data::sum_lanes(xs, |x| x) / xs.len() as f64
    }

    #[test]
    fn bartlett_has_the_wishart_trace_law() {
        // tr W ~ χ²_{kd} for Wishart_d(k, I); E W = k I.
        let (d, k, n) = (3, 5, 20_000u64);
        let traces: Vec<f64> = (0..n)
            .map(|r| {
                let (a, _) = bartlett(d, k, None, &mut stream(1, "w", r));
                (&a * a.transpose()).trace()
            })
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
        // The singular case (k < d) has rank k exactly.
        let (a, log_a) = bartlett(4, 2, None, &mut stream(3, "w", 0));
        assert!(log_a.iter().skip(2).all(|&l| l == f64::NEG_INFINITY));
        assert!(a.column(3).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn the_naive_scatter_is_the_scatter_of_the_points() {
        // The points μ + F z, fitted directly, against the statistics drawn in z-coordinates
        // from the same stream.
        let cov = DMatrix::from_row_slice(2, 2, &[2.0, 0.3, 0.3, 0.5]);
        let g = GaussianD {
            mean: DVector::from_vec(vec![1.0, -2.0]),
            cov: ScaledFactor::from_psd(0.0, cov),
        };
        let truth = GaussianD::centred(2, 0.0);
        let naive = NaiveD {
            estimator: Estimator::Mle,
            truth: truth.clone(),
        };
        let pool = NaivePoolD {
            estimator: Estimator::Mle,
            truth,
        };
        for n in [2usize, 3, 50] {
            let s = naive.sample(&g, n, &mut stream(4, "p", n as u64));
            let p = pool.sample(&g, n, &mut stream(4, "p", n as u64)).stats();
            assert!((&s.mean - &p.mean).norm() < 1e-13, "{n}");
            let (a, b) = (
                s.scatter.matrix_in_units(0.0),
                p.scatter.matrix_in_units(0.0),
            );
            assert!((&a - &b).norm() < 1e-12 * b.norm(), "{n}: {a} vs {b}");
        }
        // One point of a 1-D chain: the same mean either way.
        let g1 = Gaussian1::new(0.5, 0.0);
        let n1 = Naive1::new(Estimator::Mle, Gaussian1::centred(0.0), 7);
        let p1 = NaivePool1 {
            estimator: Estimator::Mle,
            truth: Gaussian1::centred(0.0),
        };
        let s = n1.sample(&g1, 7, &mut stream(5, "p", 0));
        let p = p1.sample(&g1, 7, &mut stream(5, "p", 0));
        assert!((s.mean - mean_of(&p.0)).abs() < 1e-15);
        assert!((s.log_m2 - Stats1::of(&p.0).log_m2).abs() < 1e-13);
    }

    #[test]
    fn one_point_has_a_mean_and_no_spread() {
        let g = GaussianD::centred(3, 0.0);
        let nd = NaiveD {
            estimator: Estimator::Mle,
            truth: g.clone(),
        };
        let s = nd.sample(&g, 1, &mut stream(6, "one", 0));
        assert_eq!(s.n, 1);
        assert_eq!(s.scatter.log_mean_eigenvalue(), f64::NEG_INFINITY);
        assert!(s.mean.iter().all(|v| v.is_finite()));
        let e = ExactD::new(Estimator::Mle, g.clone(), 5).sample(&g, 1, &mut stream(6, "one", 1));
        assert_eq!(e.scatter.log_mean_eigenvalue(), f64::NEG_INFINITY);
    }

    #[test]
    fn a_collapsed_chain_keeps_exact_finite_logs() {
        // σ² = e^{-3000}: the naive points μ + σ z would all round to μ; the statistics drawn in
        // z-coordinates keep the spread.
        let g = Gaussian1::new(0.3, -3000.0);
        let n = Naive1::new(Estimator::Unbiased, Gaussian1::centred(0.0), 10);
        let s = n.sample(&g, 10, &mut stream(1, "z", 0));
        let fitted = n.fit(&s, &mut stream(1, "z", 1));
        assert!(fitted.log_var().is_finite() && fitted.log_var() < -2950.0);
        let m = fitted.metrics(&TruthScale::new(0.0));
        assert_eq!(m.var, 0.0);
        assert!(m.w2_sq.is_finite());
        let gd = GaussianD {
            mean: DVector::zeros(2),
            cov: ScaledFactor::scalar(2, -3000.0),
        };
        let nd = NaiveD {
            estimator: Estimator::Unbiased,
            truth: GaussianD::centred(2, 0.0),
        };
        let fitted = nd.fit(
            &nd.sample(&gd, 10, &mut stream(1, "z", 2)),
            &mut stream(1, "z", 3),
        );
        let m = fitted.metrics(&TruthScale::new(0.0));
        assert!(m.log_det.is_finite() && m.log_det < -5900.0, "{m:?}");
        assert!(m.log_var.is_finite() && m.w2_sq == 2.0);
    }
}
