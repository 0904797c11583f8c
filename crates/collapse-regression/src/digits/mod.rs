//! Strong model collapse on real images (the analogue of Strong Model Collapse, Fig. 7, on the
//! 8×8 digits instead of MNIST): ridge regression on random ReLU features of the 1,797 UCI
//! optdigits images, trained on real labels mixed with a fraction of synthetic labels from a
//! generator of quality $c^2$, against the deterministic equivalent computed from the empirical
//! covariance of the features.
//!
//! - [`model`] builds the features, their covariance and the deterministic equivalent;
//! - [`simulation`] draws training sets and measures the test error exactly over the noise and
//!   the generator's error;
//! - the experiment `regression-digits` is [`crate::experiments::digits`].

pub mod model;
pub mod simulation;

pub use model::{DigitsEquivalent, DigitsModel, Target};
pub use simulation::{DigitsDraw, draw};
