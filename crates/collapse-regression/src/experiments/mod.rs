//! The family's experiments, one per file: [`mix`] (`regression-mix`), [`iterated`]
//! (`regression-iterated`), [`tails`] (`regression-tails`) and [`mixing`]
//! (`regression-mixing`). Each declares its parameters, checks their combination once in
//! `configure` and runs from the typed configuration.

pub mod iterated;
pub mod mix;
pub mod mixing;
pub mod tails;

pub use iterated::RegressionIterated;
pub use mix::RegressionMix;
pub use mixing::RegressionMixing;
pub use tails::RegressionTails;

use crate::theory::Spectrum;

collapse_core::choice! {
    /// The covariance Σ of the inputs.
    pub enum SpectrumShape {
        /// Σ = I.
        Isotropic = "isotropic",
        /// Σ = diag(i^-exponent), i = 1..d.
        Power = "power",
    }
}

impl SpectrumShape {
    /// The spectrum in dimension `d` (`exponent` is read by [`SpectrumShape::Power`] only).
    pub fn spectrum(self, d: usize, exponent: f64) -> Spectrum {
        match self {
            SpectrumShape::Isotropic => Spectrum::isotropic(d),
            SpectrumShape::Power => Spectrum::power(d, exponent),
        }
    }
}

/// The parameter `spectrum`.
fn spectrum_param() -> collapse_core::ParamSpec {
    collapse_core::ParamSpec::choice_of(
        "spectrum",
        SpectrumShape::Isotropic,
        "Σ = I, or Σ = diag(i^-exponent)",
    )
}

/// The parameter `exponent` of the power spectrum.
fn exponent_param() -> collapse_core::ParamSpec {
    collapse_core::ParamSpec::float_above(
        "exponent",
        1.0,
        0.0,
        4.0,
        "power-law exponent of the spectrum",
    )
}

/// Bytes of `values` double-precision numbers.
fn f64_bytes(values: f64) -> f64 {
    8.0 * values
}
