//! The family's figures.
//!
//! - [`digits`]: `latent-digits-grid`, generated digits by generation ([`image_grid`] draws it);
//! - [`spectrum`]: `latent-spectrum`, the spectrum of the fitted covariance by generation;
//! - [`sources`]: `latent-sources`, the three error sources alone and combined;
//! - [`chain`]: the run figure of `latent-chain` and the spectrum panel.

pub mod chain;
pub mod digits;
pub mod image_grid;
pub mod sources;
pub mod spectrum;

use collapse_core::Figure;

/// The gallery figures of the family.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure::new(
            "latent-digits-grid",
            "Generated digits by generation",
            digits::grid,
        ),
        Figure::new(
            "latent-spectrum",
            "Spectrum of the fitted covariance by generation",
            spectrum::spectrum,
        ),
        Figure::new(
            "latent-sources",
            "The three error sources, alone and combined",
            sources::panel,
        ),
    ]
}
