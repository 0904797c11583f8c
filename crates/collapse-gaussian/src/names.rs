//! The names of the family's metrics and closed-form rows, shared by the experiment, the checks
//! and the figures.

/// $\ln\det\Sigma_n$ (recorded in d ≥ 2 dimensions when every fitted covariance is
/// non-singular, i.e. when the first training set has more than d points).
pub const LOG_DET: &str = "log_det";
/// $\ln(\mathrm{tr}\,\Sigma_n/d)$.
pub const LOG_VAR: &str = "log_var";
/// $\|\mu_n - \mu_0\|^2$.
pub const MEAN_SQ_ERROR: &str = "mean_sq_error";
/// $\mathrm{tr}\,\Sigma_n/d$.
pub const VAR: &str = "var";
/// $W_2^2(\mathcal N(\mu_n, \Sigma_n), \mathcal N(0, \sigma_0^2 I))$.
pub const W2_SQ: &str = "w2_sq";

/// The metrics of a 1-D chain (and of a d-dimensional one without `log_det`), in the order
/// records are written (alphabetical, so a generation's rows need no sorting).
pub const METRICS_1D: [&str; 4] = [LOG_VAR, MEAN_SQ_ERROR, VAR, W2_SQ];
/// The metrics of a d-dimensional chain with `log_det`, in the order records are written.
pub const METRICS_D: [&str; 5] = [LOG_DET, LOG_VAR, MEAN_SQ_ERROR, VAR, W2_SQ];

/// E σ²ₙ (E tr Σₙ / d).
pub const THEORY_VAR: &str = "theory_var";
/// E‖μₙ − μ₀‖².
pub const THEORY_MEAN_SQ_ERROR: &str = "theory_mean_sq_error";
/// E ln σ²ₙ (1-D, or any d in the infinite-sample mode).
pub const THEORY_LOG_VAR: &str = "theory_log_var";
/// E ln det Σₙ.
pub const THEORY_LOG_DET: &str = "theory_log_det";
/// E W₂² (1-D exact, or the deterministic infinite-sample value).
pub const THEORY_W2_SQ: &str = "theory_w2_sq";
/// The lower bound E W₂² ≥ E‖μₙ − μ₀‖² in d dimensions.
pub const THEORY_W2_SQ_LOWER_BOUND: &str = "theory_w2_sq_lower_bound";
