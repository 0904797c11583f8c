//! Probabilistic PCA in closed form (Tipping & Bishop 1999, §3.2): for a covariance `S` with
//! eigenvalues `λ₁ ≥ … ≥ λ_d` and eigenvectors `U`, the maximum-likelihood model with `q`
//! latent dimensions is
//!
//! - `σ² = (λ_{q+1} + … + λ_d)/(d − q)`, the mean of the discarded eigenvalues;
//! - `W = U_q (Λ_q − σ² I)^{1/2}` (any rotation `W R` is as good; this one has orthogonal
//!   columns, the one a diagonal-posterior VAE selects);
//! - `c` = the data mean;
//! - the exact posterior `z | x ~ N(M⁻¹Wᵀ(x − c), σ² M⁻¹)`, `M = WᵀW + σ²I = Λ_q`: diagonal,
//!   with variances `σ²/λ_k`.
//!
//! So the fitted covariance has eigenvalues `(λ₁, …, λ_q, σ², …, σ²)` in the same eigenvectors:
//! its trace is `tr S`. With `q = d` nothing is discarded and the fit is `S` itself
//! (`σ² = 0`), the full-covariance Gaussian.

use crate::linalg::Spectrum;
use crate::model::{Encoder, LinearGaussian};
use nalgebra::{DMatrix, DVector};

/// The closed-form fit with `q` latent dimensions (`1 ≤ q ≤ d`) to data of mean `mean` and
/// covariance `cov`.
pub fn fit(mean: &DVector<f64>, cov: &DMatrix<f64>, q: usize) -> LinearGaussian {
    fit_spectrum(mean, &Spectrum::of(cov), q)
}

/// [`fit`] from the data covariance's spectrum.
pub fn fit_spectrum(mean: &DVector<f64>, s: &Spectrum, q: usize) -> LinearGaussian {
    let d = s.dim();
    assert!((1..=d).contains(&q), "1 <= q = {q} <= d = {d}");
    let noise = discarded_mean(&s.values, q);
    let mut loading = DMatrix::zeros(d, q);
    let mut weight = DMatrix::zeros(q, d);
    let mut var = DVector::zeros(q);
    for k in 0..q {
        let lam = s.values[k];
        let u = s.vectors.column(k);
        let scale = (lam - noise).max(0.0).sqrt();
        loading.column_mut(k).copy_from(&(u * scale));
        if lam > 0.0 {
            weight
                .row_mut(k)
                .copy_from(&(u.transpose() * (scale / lam)));
            var[k] = noise / lam;
        } else {
            // λ_k = 0 forces σ² = 0 and W's column to 0: this latent is unused, and its
            // posterior is the prior.
            var[k] = 1.0;
        }
    }
    let bias = -(&weight * mean);
    let values = DVector::from_fn(d, |k, _| if k < q { s.values[k] } else { noise });
    LinearGaussian {
        mean: mean.clone(),
        loading,
        noise,
        encoder: Encoder { weight, bias, var },
        spectrum: Spectrum::new(values, s.vectors.clone()),
        elbo_gap: None,
    }
}

/// `σ²`: the mean of the eigenvalues after the `q` largest (0 when `q = d`).
pub fn discarded_mean(values: &DVector<f64>, q: usize) -> f64 {
    let d = values.len();
    if q >= d {
        return 0.0;
    }
    // Summed from the smallest up, so that small discarded values are not lost.
    let rest: f64 = values.iter().skip(q).rev().sum();
    (rest / (d - q) as f64).max(0.0)
}

/// The maximised log-likelihood per data point of pPCA with `q` latents on data whose MLE
/// covariance has eigenvalues `values` (decreasing): `−½[d ln 2π + Σ_{k≤q} ln λ_k +
/// (d − q) ln σ² + d]` (Tipping & Bishop 1999, eq. 16 at the optimum); `+∞` when the discarded
/// variance is 0 (degenerate data, or `q = d` with a singular covariance).
pub fn max_log_likelihood(values: &DVector<f64>, q: usize) -> f64 {
    let d = values.len();
    let noise = discarded_mean(values, q);
    let top: f64 = values.iter().take(q).map(|v| v.ln()).sum();
    let rest = if q < d {
        (d - q) as f64 * noise.ln()
    } else {
        0.0
    };
    -0.5 * (d as f64 * (2.0 * std::f64::consts::PI).ln() + top + rest + d as f64)
}

/// The Gaussian log-likelihood per data point of `N(c, C)` on data of mean `m` and MLE
/// covariance `s`: `−½[d ln 2π + ln det C + tr(C⁻¹(s + (m − c)(m − c)ᵀ))]`, by a Cholesky
/// factor of `C` (an independent computation of what [`max_log_likelihood`] states at the
/// optimum). `−∞` when `C` is singular.
pub fn gaussian_log_likelihood(model: &LinearGaussian, m: &DVector<f64>, s: &DMatrix<f64>) -> f64 {
    let d = model.dim();
    let c = model.covariance();
    let Some(ch) = c.cholesky() else {
        return f64::NEG_INFINITY;
    };
    let log_det = 2.0 * ch.l().diagonal().iter().map(|v| v.ln()).sum::<f64>();
    let diff = m - &model.mean;
    let second = s + &diff * diff.transpose();
    let solved = ch.solve(&second);
    -0.5 * (d as f64 * (2.0 * std::f64::consts::PI).ln() + log_det + solved.trace())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::RealDigits;

    #[test]
    fn the_fit_has_the_stated_spectrum_and_posterior() {
        let r = RealDigits::builtin();
        let q = 20;
        let m = fit(&r.mean, &r.cov, q);
        let c = m.covariance();
        // C = W Wᵀ + σ² I, with the stated eigenvalues and the trace of S.
        let direct = &m.loading * m.loading.transpose() + DMatrix::identity(64, 64) * m.noise;
        assert!((&c - &direct).norm() < 1e-12);
        assert!((m.trace() - r.cov.trace()).abs() < 1e-12);
        let tail: f64 = r.spectrum.values.iter().skip(q).sum();
        assert!((m.noise - tail / 44.0).abs() < 1e-15);
        // The posterior of z | x under the model, by its definition M⁻¹Wᵀ and σ²M⁻¹.
        let mm = m.loading.transpose() * &m.loading + DMatrix::identity(q, q) * m.noise;
        let minv = mm.try_inverse().unwrap();
        assert!((&minv * m.loading.transpose() - &m.encoder.weight).norm() < 1e-10);
        let post = &minv * m.noise;
        for k in 0..q {
            assert!((post[(k, k)] - m.encoder.var[k]).abs() < 1e-14);
            for j in 0..q {
                if j != k {
                    assert!(post[(k, j)].abs() < 1e-12);
                }
            }
        }
        // The closed-form likelihood against the Cholesky computation, on the MLE covariance.
        let s_mle = &r.scatter / r.len() as f64;
        let mle = fit(&r.mean, &s_mle, q);
        let a = max_log_likelihood(&Spectrum::of(&s_mle).values, q);
        let b = gaussian_log_likelihood(&mle, &r.mean, &s_mle);
        assert!((a - b).abs() < 1e-9 * a.abs(), "{a} vs {b}");
    }

    #[test]
    fn q_equal_d_is_the_sample_covariance() {
        let r = RealDigits::builtin();
        let m = fit(&r.mean, &r.cov, 64);
        assert_eq!(m.noise, 0.0);
        assert!((m.covariance() - &r.cov).norm() < 1e-12);
        // The three blank pixels stay exactly null.
        assert_eq!(m.spectrum.rank(), 61);
        assert_eq!(m.log_det(), f64::NEG_INFINITY);
        assert!(m.log_det_top(61).is_finite());
    }
}
