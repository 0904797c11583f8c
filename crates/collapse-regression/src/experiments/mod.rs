//! The family's experiments, one per file: [`mix`] (`regression-mix`), [`iterated`]
//! (`regression-iterated`), [`tails`] (`regression-tails`), [`mixing`]
//! (`regression-mixing`) and [`digits`] (`regression-digits`). Each declares its parameters, checks their combination once in
//! `configure` and runs from the typed configuration.

pub mod digits;
pub mod iterated;
pub mod mix;
pub mod mixing;
pub mod tails;

pub use digits::RegressionDigits;
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

/// Runs `x` at its defaults overridden by each case of `cases` (tests only): a case is either
/// refused by `configure` (a `ParamError`, exit 2 in the command) or runs and gives finite,
/// non-negative records and finite closed forms. Returns the number of cases that ran.
#[cfg(test)]
pub(crate) fn finite_or_refused(
    x: impl collapse_core::Experiment,
    cases: &[&[(&str, &str)]],
) -> usize {
    let x = collapse_core::DynExperiment::new(x);
    let mut ran = 0;
    for case in cases {
        let Ok(c) = x.configure_with(case) else {
            continue;
        };
        let run = c
            .collect(3)
            .unwrap_or_else(|e| panic!("{case:?} failed: {e}"));
        for r in &run.records {
            assert!(
                r.value.is_finite() && r.value >= 0.0,
                "{case:?}: {} {} {} = {}",
                r.series,
                r.step,
                r.metric,
                r.value
            );
        }
        for t in &run.theory {
            assert!(
                t.value.is_finite(),
                "{case:?}: {} {} = {}",
                t.series,
                t.metric,
                t.value
            );
        }
        ran += 1;
    }
    ran
}
