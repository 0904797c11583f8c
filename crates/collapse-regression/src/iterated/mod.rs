//! Iterated regression (Model Collapse Demystified, Dohmatob, Feng & Kempe, NeurIPS 2024; and
//! accumulation, Gerstgrasser et al. 2024) as a [`collapse_core::Family`]: the model is a weight
//! vector, the data a design with labels; generator $k$ is the least-squares fit to $T_0$ inputs
//! labelled by generator $k-1$ plus $N(0, \sigma_0^2)$ noise, and the core's
//! [`collapse_core::run_chain`] applies `replace` or `accumulate`. Each generation's downstream
//! model is a ridge fit on $T$ fresh inputs labelled by that generation plus $N(0, \sigma^2)$
//! noise; its test error is $\|\hat w^{pred} - w_0\|_\Sigma^2$ (exact over the test point).
//!
//! - [`model`] holds the family (the generators' data and fits, the downstream model);
//! - [`theory`] holds the closed forms of the errors and the optimal ridge penalty;
//! - the experiment `regression-iterated` is [`crate::experiments::iterated`].

pub mod model;
pub mod theory;

pub use model::{Design, Iterated, Labelled, ridge_fit, ridge_from_stats};
pub use theory::{inverse_squares, ols_iterated, optimal_lambda, ridge_iterated};
