//! Random features of the digits, their empirical covariance and the deterministic equivalent of
//! ridge regression on them (Strong Model Collapse, Theorem 1, with the population covariance of
//! the features taken to be the empirical one of the 1,797 images).
//!
//! The population is the uniform law on the digits: a training set draws images from it with
//! replacement, and the test error is the exact average over all of them. Features
//! $\phi_j(x) = \max(0, w_j^\top(x - \bar x))/\sqrt m$ with $x$ the image scaled to $[0, 1]$,
//! $\bar x$ the mean image and $w_j \sim N(0, I_{64})$ drawn from the stream of `feature_seed`
//! (the weights are part of the model: the equivalent is conditional on them). With
//! $F$ the $N\times m$ feature matrix, $\Sigma = F^\top F/N = V\mathrm{diag}(s)V^\top$, and the
//! family works in the rotated features $\tilde F = FV$, whose covariance is diagonal.

use crate::linalg::{self, LinalgError};
use crate::theory::{Equivalent, MixProblem, Spectrum, equivalent};
use collapse_data::digits::{Digits, PIXELS};
use faer::Mat;
use std::sync::OnceLock;

/// Outputs of the regression: one per class.
pub const CLASSES: usize = 10;

collapse_core::choice! {
    /// What the features must predict.
    pub enum Target {
        /// The least-squares readout of the one-hot labels from the features,
        /// $y(x) = \beta_*^\top\phi(x)$ with $\beta_* = \Sigma^+\mathbb E[\phi\,e_{\text{label}}]$:
        /// the class scores the feature model can express, so the target is linear in the
        /// features (a realisable teacher on real images).
        Readout = "readout",
        /// The one-hot labels themselves; the part the features cannot express,
        /// $\rho = \mathbb E\|e_{\text{label}} - \beta_*^\top\phi\|^2$, stays in every error, and the
        /// equivalent treats it as label noise (Gaussian equivalence).
        OneHot = "one-hot",
    }
}

/// Why the model could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Dense algebra failed.
    #[error(transparent)]
    Linalg(#[from] LinalgError),
}

impl From<ModelError> for collapse_core::ExperimentError {
    fn from(e: ModelError) -> Self {
        collapse_core::ExperimentError::Model(e.to_string())
    }
}

/// The random-feature model of the digits.
#[derive(Clone, Debug)]
pub struct DigitsModel {
    /// The rotated features $\tilde F = FV$ ($N\times m$).
    pub features: Mat<f64>,
    /// The targets ($N\times 10$).
    pub targets: Mat<f64>,
    /// The eigenvalues $s$ of $\Sigma$ (non-decreasing, rounding below zero clamped to 0).
    pub eig: Vec<f64>,
    /// $\gamma_i = \sum_k (v_i^\top\beta_{*k})^2$, the target's energy per eigendirection.
    pub gamma: Vec<f64>,
    /// $\rho$: the target's part outside the span of the features (0 for the readout).
    pub rho: f64,
    /// Directions with $s_i$ at or below this are numerically empty and left out of the
    /// equivalent (no image has a feature along them).
    pub floor: f64,
}

/// The embedded digits ([`collapse_data::digits::load`]), decoded once per process.
fn digits() -> &'static Digits {
    static DIGITS: OnceLock<Digits> = OnceLock::new();
    DIGITS.get_or_init(collapse_data::digits::load)
}

/// The scaled, centred images ($N\times 64$).
fn inputs() -> Result<Mat<f64>, ModelError> {
    let d = digits();
    let n = d.len();
    let mut mean = [0.0; PIXELS];
    for i in 0..n {
        for (m, &p) in mean.iter_mut().zip(d.image(i)) {
            *m += p / 16.0 / n as f64;
        }
    }
    Ok(linalg::from_fn(n, PIXELS, |i, j| {
        d.image(i)[j] / 16.0 - mean[j]
    })?)
}

impl DigitsModel {
    /// Builds the model of width `width` with weights from `feature_seed`.
    pub fn new(width: usize, feature_seed: u64, target: Target) -> Result<Self, ModelError> {
        let x = inputs()?;
        let n = x.nrows();
        let mut rng = collapse_core::rng::stream(feature_seed, "regression-digits/features", 0);
        let w = crate::mc::gaussian_mat(&mut rng, PIXELS, width, |_| 1.0)?;
        let mut f = linalg::mul(x.as_ref(), w.as_ref(), 1.0 / (width as f64).sqrt())?;
        drop((x, w));
        for j in 0..width {
            for i in 0..n {
                f[(i, j)] = f[(i, j)].max(0.0);
            }
        }
        let sigma = linalg::gram_lower(f.transpose(), 1.0 / n as f64)?;
        let (mut eig, v) = linalg::eigen(sigma.as_ref())?;
        drop(sigma);
        eig.iter_mut().for_each(|s| *s = s.max(0.0));
        let top = eig.last().copied().unwrap_or(0.0);
        let floor = width as f64 * f64::EPSILON * top;
        let features = linalg::mul(f.as_ref(), v.as_ref(), 1.0)?;
        drop((f, v));
        let d = digits();
        let onehot = linalg::from_fn(n, CLASSES, |i, k| f64::from(d.labels[i] as usize == k))?;
        // b = F̃ᵀY/N: the target's covariance with each rotated feature; β* = b/s there.
        let b = linalg::mul(features.transpose(), onehot.as_ref(), 1.0 / n as f64)?;
        let coef = linalg::from_fn(width, CLASSES, |i, k| {
            if eig[i] > floor {
                b[(i, k)] / eig[i]
            } else {
                0.0
            }
        })?;
        let gamma: Vec<f64> = (0..width)
            .map(|i| (0..CLASSES).map(|k| coef[(i, k)].powi(2)).sum())
            .collect();
        let (targets, rho) = match target {
            Target::Readout => (linalg::mul(features.as_ref(), coef.as_ref(), 1.0)?, 0.0),
            Target::OneHot => {
                // ρ = E‖y‖² − Σ_i Σ_k b_ik²/s_i = 1 − the explained part.
                let explained: f64 = (0..width)
                    .filter(|&i| eig[i] > floor)
                    .map(|i| (0..CLASSES).map(|k| b[(i, k)] * coef[(i, k)]).sum::<f64>())
                    .sum();
                (onehot, (1.0 - explained).max(0.0))
            }
        };
        Ok(Self {
            features,
            targets,
            eig,
            gamma,
            rho,
            floor,
        })
    }

    /// $N$.
    pub fn images(&self) -> usize {
        self.features.nrows()
    }

    /// $m$.
    pub fn width(&self) -> usize {
        self.features.ncols()
    }

    /// $\mathrm{Tr}\,\Sigma$.
    pub fn trace(&self) -> f64 {
        self.eig.iter().sum()
    }

    /// The deterministic equivalent at `n` samples of which `n2` synthetic, penalty `lambda`,
    /// label noise `sigma` per output and generator quality `c2`: Theorem 1 on the spectrum of
    /// $\Sigma$ (its non-empty directions) with the target's energies $\gamma_i$ in place of
    /// $\Gamma$, the generator's error $D^\top\phi(x)$, $D_{ik} \sim N(0, c^2/(10\,\mathrm{Tr}\,
    /// \Sigma))$, as $\Delta = (c^2/\mathrm{Tr}\,\Sigma)I$ summed over the ten outputs (so
    /// $\mathrm{Tr}\,\Sigma\Delta = c^2$), and the noise $10\sigma^2 + \rho$ per row.
    pub fn equivalent(
        &self,
        n: u64,
        n2: u64,
        lambda: f64,
        sigma: f64,
        c2: f64,
    ) -> DigitsEquivalent {
        let kept: Vec<usize> = (0..self.width())
            .filter(|&i| self.eig[i] > self.floor)
            .collect();
        let trace = self.trace();
        let noise = (CLASSES as f64 * sigma * sigma + self.rho).sqrt();
        let problem = MixProblem {
            spec: Spectrum {
                eig: kept.iter().map(|&i| self.eig[i]).collect(),
            },
            gamma: kept.iter().map(|&i| self.gamma[i]).collect(),
            delta: vec![if trace > 0.0 { c2 / trace } else { 0.0 }; kept.len()],
            n: n as usize,
            n2: n2 as usize,
            sigma1: noise,
            sigma2: noise,
            lambda,
            width: None,
        };
        let e: Equivalent = equivalent(&problem);
        let noise_part = CLASSES as f64 * sigma * sigma * e.u;
        DigitsEquivalent {
            clean: self.rho + e.bias + self.rho * e.u,
            variance: noise_part,
            zeta: e.zeta,
        }
    }
}

/// The deterministic equivalent of the test error on the digits, in the parts the Monte Carlo
/// measures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DigitsEquivalent {
    /// The error with clean labels: $\rho + B + \rho u$.
    pub clean: f64,
    /// The label noise's part $10\sigma^2u$.
    pub variance: f64,
    /// The synthetic labels' part $\zeta$.
    pub zeta: f64,
}

impl DigitsEquivalent {
    /// The whole test error.
    pub fn total(&self) -> f64 {
        self.clean + self.variance + self.zeta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotated_features_have_the_diagonal_covariance() {
        let m = DigitsModel::new(40, 3, Target::Readout).unwrap();
        let n = m.images() as f64;
        let c = linalg::mul(m.features.transpose(), m.features.as_ref(), 1.0 / n).unwrap();
        let top = m.eig[39];
        for i in 0..40 {
            for j in 0..40 {
                let want = if i == j { m.eig[i] } else { 0.0 };
                assert!((c[(i, j)] - want).abs() < 1e-12 * top, "{i} {j}");
            }
        }
        // The readout is the least-squares fit of the one-hot labels: its energy is Σγ s.
        let energy: f64 = (0..m.images())
            .map(|i| (0..CLASSES).map(|k| m.targets[(i, k)].powi(2)).sum::<f64>())
            .sum::<f64>()
            / n;
        let by_direction: f64 = (0..40).map(|i| m.gamma[i] * m.eig[i]).sum();
        assert!((energy - by_direction).abs() < 1e-10 * energy);
        assert!(energy > 0.1 && energy < 1.0, "{energy}");
    }

    #[test]
    fn one_hot_residual_is_what_the_features_miss() {
        let m = DigitsModel::new(40, 3, Target::OneHot).unwrap();
        let r = DigitsModel::new(40, 3, Target::Readout).unwrap();
        let n = m.images() as f64;
        // ρ = E‖e − readout‖² directly.
        let rho: f64 = (0..m.images())
            .map(|i| {
                (0..CLASSES)
                    .map(|k| (m.targets[(i, k)] - r.targets[(i, k)]).powi(2))
                    .sum::<f64>()
            })
            .sum::<f64>()
            / n;
        assert!((m.rho - rho).abs() < 1e-10, "{} {rho}", m.rho);
        // With n → ∞ and λ → 0 the clean error is ρ, the noise and the shift vanish, and the
        // synthetic part tends to p2² c².
        let e = m.equivalent(1_000_000_000, 100_000_000, 1e-10, 0.3, 2.0);
        assert!((e.clean - rho).abs() < 1e-4 * rho + 1e-9, "{e:?}");
        assert!((e.zeta - 0.01 * 2.0).abs() < 1e-4, "{e:?}");
        assert!(e.variance < 1e-5);
    }
}
