//! `latent-chain`: linear latent-variable models retrained on their own samples, starting from
//! the real digits, under any data policy, with closed-form or ELBO-trained fits.
//!
//! - [`experiment`]: the parameters, the typed configuration [`Setup`] and the run.

pub mod experiment;

pub use experiment::{ID, LatentChain, Setup};
