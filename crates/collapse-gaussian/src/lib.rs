//! Gaussian model collapse.
