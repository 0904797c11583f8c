//! A fitted generation: the linear Gaussian latent-variable model
//! `z ~ N(0, I_q)`, `x | z ~ N(c + W z, σ² I_d)`, with its encoder
//! `q(z | x) = N(V x + b, diag(v))` and the spectrum of its covariance `C = W Wᵀ + σ² I`.
//!
//! Probabilistic PCA (closed form, [`crate::ppca`]) and the linear VAE (ELBO and Adam,
//! [`crate::vae`]) both produce this model; they differ in how `W`, `σ²` and the encoder are
//! chosen.

use crate::linalg::Spectrum;
use nalgebra::{DMatrix, DVector};

/// The encoder `q(z | x) = N(V x + b, diag(v))`.
#[derive(Clone, Debug, PartialEq)]
pub struct Encoder {
    /// `V`, `q × d`.
    pub weight: DMatrix<f64>,
    /// `b`, length `q`.
    pub bias: DVector<f64>,
    /// The posterior variances `v`, length `q` (each ≥ 0).
    pub var: DVector<f64>,
}

impl Encoder {
    /// The posterior mean `V x + b` of an image.
    pub fn encode(&self, x: &DVector<f64>) -> DVector<f64> {
        &self.weight * x + &self.bias
    }
}

/// A linear Gaussian latent-variable model: one generation of the chain.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearGaussian {
    /// The decoder's bias `c`: the model's mean image.
    pub mean: DVector<f64>,
    /// The decoder's weight `W`, `d × q`.
    pub loading: DMatrix<f64>,
    /// The isotropic noise variance `σ²` (0 for the full-covariance model, q = d).
    pub noise: f64,
    /// The encoder.
    pub encoder: Encoder,
    /// The spectrum of `C = W Wᵀ + σ² I`.
    pub spectrum: Spectrum,
    /// For a model trained on the ELBO: nats per image by which its ELBO falls short of the
    /// closed-form optimum on the same data (`None` for closed-form fits, or when that optimum
    /// is infinite).
    pub elbo_gap: Option<f64>,
}

impl LinearGaussian {
    /// The pixel dimension `d`.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// The latent dimension `q`.
    pub fn latent(&self) -> usize {
        self.loading.ncols()
    }

    /// The covariance `C = W Wᵀ + σ² I`.
    pub fn covariance(&self) -> DMatrix<f64> {
        self.spectrum.matrix()
    }

    /// A factor `F` with `F Fᵀ = C` (from the spectrum; null directions give zero columns).
    pub fn factor(&self) -> DMatrix<f64> {
        self.spectrum.factor()
    }

    /// `tr C`.
    pub fn trace(&self) -> f64 {
        self.spectrum.values.sum()
    }

    /// `ln det C` (`−∞` when `C` is singular).
    pub fn log_det(&self) -> f64 {
        self.spectrum.values.iter().map(|v| v.ln()).sum()
    }

    /// `Σ ln λ_k` over the `r` largest eigenvalues of `C`: the log pseudo-determinant on an
    /// `r`-dimensional support.
    pub fn log_det_top(&self, r: usize) -> f64 {
        self.spectrum.values.iter().take(r).map(|v| v.ln()).sum()
    }

    /// The decoder's mean image for a latent `z`: `c + W z`.
    pub fn decode(&self, z: &DVector<f64>) -> DVector<f64> {
        &self.mean + &self.loading * z
    }

    /// The average posterior variance of the encoder, `mean(v)`.
    pub fn posterior_var(&self) -> f64 {
        self.encoder.var.mean()
    }
}
