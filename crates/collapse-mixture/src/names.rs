//! The metric names the family writes, shared by its experiments, checks, figures and tests.
//!
//! Series are named by the experiments' choices: the `gmm-chain` setting
//! ([`crate::gmm_chain::Setting`]), the `mixture-kde` workflow ([`crate::kde::Workflow`]) and the
//! combination of error sources ([`collapse_core::Sources::label`]). The per-component metrics
//! of `gmm-chain`'s snapshots are named by [`crate::gmm_chain::snapshot`].

/// `∫(pₙ − p₀)²`, the squared L2 distance to generation 0 (closed form).
pub const L2_DISTANCE: &str = "l2_distance";
/// `tr Σₙ / d`, the mean variance per coordinate.
pub const VAR: &str = "var";
/// `‖meanₙ − mean₀‖²`.
pub const MEAN_SQ_ERROR: &str = "mean_sq_error";
/// Components of the fitted mixture that survived EM.
pub const COMPONENTS: &str = "components";
/// EM iterations of the fit.
pub const EM_ITERATIONS: &str = "em_iterations";
/// Whether EM met its tolerance (1) or hit its cap (0).
pub const EM_CONVERGED: &str = "em_converged";
/// Components EM dropped for lack of mass.
pub const EMPTY_COMPONENTS: &str = "empty_components";
/// Mean log-likelihood per point at EM's last E-step.
pub const LOG_LIKELIHOOD: &str = "log_likelihood";
/// `sqrt(tr H / d)`, the KDE kernel's bandwidth (0 for the truth).
pub const BANDWIDTH: &str = "bandwidth";
/// The negative log-likelihood of generation n on real data: the mean of `−ln pₙ` over a
/// held-out test set drawn from the truth (`mixture-kde`), whose expectation is the
/// cross-entropy `E_p₀[−ln pₙ]`.
pub const NLL: &str = "nll";
/// The fraction of the held-out test set where a tophat KDE has density 0.
pub const OUTSIDE_SUPPORT: &str = "outside_support";
/// `KL(p₀ ‖ pₙ)` (quadrature).
pub const KL: &str = "kl";
/// The exact `E var`.
pub const THEORY_VAR: &str = "theory_var";
/// The exact KL divergence where there is one.
pub const THEORY_KL: &str = "theory_kl";
/// The exact L2 distance where there is one.
pub const THEORY_L2_DISTANCE: &str = "theory_l2_distance";
