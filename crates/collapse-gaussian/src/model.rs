//! The fitted models (1-D and d-dimensional Gaussians), the estimators that fit them, and the
//! metrics measured against the truth $\mathcal N(0, \sigma_0^2 I_d)$.
//!
//! Variances are held by their logarithms (a covariance by a [`ScaledFactor`]), so that a chain
//! that collapses far below $10^{-308}$ still reports exact, finite `log_var` and `log_det`.

use crate::logspace::ScaledFactor;
use nalgebra::DVector;

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
    /// The covariance divisor c(n) for `n` points (floored at 1: a single point has zero
    /// scatter, whatever it is divided by).
    pub fn divisor(&self, n: f64) -> f64 {
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

    /// Whether the covariance is refitted (everything but `mean-only`).
    pub fn fits_covariance(&self) -> bool {
        *self != Estimator::MeanOnly
    }
}

/// A 1-D Gaussian, its variance held by its logarithm (and σ beside it, computed once per fit:
/// sampling and measuring both need it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gaussian1 {
    /// Mean.
    pub mean: f64,
    log_var: f64,
    sd: f64,
}

impl Gaussian1 {
    /// $\mathcal N$(`mean`, $e^{\text{log\_var}}$); `log_var` may be far below the smallest double
    /// (or −∞, a point mass).
    pub fn new(mean: f64, log_var: f64) -> Self {
        Self {
            mean,
            log_var,
            sd: (0.5 * log_var).exp(),
        }
    }

    /// $\mathcal N(0, \sigma_0^2)$ with $\ln\sigma_0^2$ = `log_var`.
    pub fn centred(log_var: f64) -> Self {
        Self::new(0.0, log_var)
    }

    /// The same variance about another mean.
    pub fn with_mean(self, mean: f64) -> Self {
        Self { mean, ..self }
    }

    /// $\ln\sigma^2$, exact (−∞ once collapsed exactly to a point).
    pub fn log_var(&self) -> f64 {
        self.log_var
    }

    /// $\sigma$ (0 below the smallest subnormal; `log_var` stays exact).
    pub fn sd(&self) -> f64 {
        self.sd
    }

    /// $\sigma^2$ (0 below the smallest subnormal; `log_var` stays exact).
    pub fn var(&self) -> f64 {
        self.sd * self.sd
    }
}

/// A d-dimensional Gaussian.
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianD {
    /// Mean.
    pub mean: DVector<f64>,
    /// Covariance, with its scale and log-determinant kept exactly.
    pub cov: ScaledFactor,
}

impl GaussianD {
    /// $\mathcal N(0, \sigma_0^2 I_d)$ with $\ln\sigma_0^2$ = `log_var`.
    pub fn centred(d: usize, log_var: f64) -> Self {
        Self {
            mean: DVector::zeros(d),
            cov: ScaledFactor::scalar(d, log_var),
        }
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }
}

/// The per-generation metrics of `records.csv`, measured against the truth
/// $\mathcal N(0, \sigma_0^2 I_d)$.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    /// $\|\mu_n - \mu_0\|^2$.
    pub mean_sq_error: f64,
    /// $\mathrm{tr}\,\Sigma_n / d$.
    pub var: f64,
    /// $\ln(\mathrm{tr}\,\Sigma_n / d)$, exact however small the variance.
    pub log_var: f64,
    /// $\ln\det\Sigma_n$, exact however small the determinant (in 1-D, `log_var`).
    pub log_det: f64,
    /// $W_2^2(\mathcal N(\mu_n, \Sigma_n), \mathcal N(0, \sigma_0^2 I))$.
    pub w2_sq: f64,
}

impl Metrics {
    /// The values of [`crate::names::METRICS_1D`], in that order.
    pub fn values_1d(&self) -> [f64; 4] {
        [self.log_var, self.mean_sq_error, self.var, self.w2_sq]
    }

    /// The values of [`crate::names::METRICS_D`], in that order.
    pub fn values_d(&self) -> [f64; 5] {
        [
            self.log_det,
            self.log_var,
            self.mean_sq_error,
            self.var,
            self.w2_sq,
        ]
    }
}

/// The truth's scale $\sigma_0$, in the three forms the metrics use (computed once per run).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TruthScale {
    /// $\ln\sigma_0^2$.
    pub log_var: f64,
    /// $\sigma_0^2$.
    pub var: f64,
    /// $\sigma_0$.
    pub sd: f64,
}

impl TruthScale {
    /// The scale of $\mathcal N(0, e^{\text{log\_var}} I)$.
    pub fn new(log_var: f64) -> Self {
        Self {
            log_var,
            var: log_var.exp(),
            sd: (0.5 * log_var).exp(),
        }
    }
}

/// Models that can be measured against the truth $\mathcal N(0, \sigma_0^2 I_d)$.
pub trait Measure {
    /// The metrics of this model.
    fn metrics(&self, truth: &TruthScale) -> Metrics;
}

impl Measure for Gaussian1 {
    fn metrics(&self, truth: &TruthScale) -> Metrics {
        let (var, sd) = (self.var(), self.sd);
        Metrics {
            mean_sq_error: self.mean * self.mean,
            var,
            log_var: self.log_var,
            log_det: self.log_var,
            // W2²(N(μ, σ²), N(0, σ₀²)) = μ² + (σ − σ₀)².
            w2_sq: self.mean * self.mean + (sd - truth.sd) * (sd - truth.sd),
        }
    }
}

impl Measure for GaussianD {
    fn metrics(&self, truth: &TruthScale) -> Metrics {
        let d = self.dim() as f64;
        let ms = self.mean.norm_squared();
        let log_var = self.cov.log_mean_eigenvalue();
        let var = log_var.exp();
        let (var0, sd0) = (truth.var, truth.sd);
        // With Σ₀ = σ₀² I: W2² = ‖μ‖² + tr Σ + d σ₀² − 2 σ₀ tr Σ^{1/2}.
        let w2_sq = (ms + d * var + d * var0 - 2.0 * sd0 * self.cov.trace_sqrt()).max(0.0);
        Metrics {
            mean_sq_error: ms,
            var,
            log_var,
            log_det: self.cov.log_det(),
            w2_sq,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    #[test]
    fn metrics_against_direct_formulas() {
        let g = Gaussian1::new(0.3, 0.25f64.ln());
        let m = g.metrics(&TruthScale::new(4f64.ln()));
        // W2² = 0.09 + (0.5 − 2)².
        assert!((m.w2_sq - (0.09 + 2.25)).abs() < 1e-15);
        assert!((m.var - 0.25).abs() < 1e-16);
        let cov = DMatrix::from_row_slice(2, 2, &[2.0, 0.5, 0.5, 1.0]);
        let gd = GaussianD {
            mean: DVector::from_vec(vec![1.0, -1.0]),
            cov: ScaledFactor::from_psd(0.0, cov.clone()),
        };
        let m = gd.metrics(&TruthScale::new(0.0));
        let sqrt_tr: f64 = cov.symmetric_eigenvalues().iter().map(|l| l.sqrt()).sum();
        assert!((m.w2_sq - (2.0 + 3.0 + 2.0 - 2.0 * sqrt_tr)).abs() < 1e-14);
        assert!((m.log_det - cov.determinant().ln()).abs() < 1e-14);
        assert!((m.log_var - 1.5f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn a_collapsed_model_has_exact_finite_logs() {
        let g = Gaussian1::new(0.3, -2000.0);
        let m = g.metrics(&TruthScale::new(0.0));
        assert_eq!((m.var, m.log_var), (0.0, -2000.0));
        assert!((m.w2_sq - 1.09).abs() < 1e-15);
        let gd = GaussianD {
            mean: DVector::zeros(3),
            cov: ScaledFactor::scalar(3, -2000.0),
        };
        let m = gd.metrics(&TruthScale::new(0.0));
        assert_eq!((m.var, m.log_var, m.log_det), (0.0, -2000.0, -6000.0));
        assert_eq!(m.w2_sq, 3.0);
    }
}
