//! The series and metric names of the family's records and closed forms: the experiments write
//! them, the checks and the figures read them, always through these constants.

// Series.

/// `regression-mix`: the one series of the real + synthetic mix.
pub const MIX: &str = "mix";
/// `regression-iterated` under `policy = replace`.
pub const REPLACE: &str = "replace";
/// `regression-iterated` under `policy = accumulate`.
pub const ACCUMULATE: &str = "accumulate";
/// `regression-tails`: training on the test law itself.
pub const CLEAN: &str = "clean";
/// `regression-tails`: training on the law cut at rank k.
pub const CUT: &str = "cut";
/// `regression-tails`: training on the narrowed law.
pub const NARROWED: &str = "narrowed";
/// `regression-tails`: clean data mixed into the cut data.
pub const MIXED: &str = "mixed";
/// `regression-tails`: the learner trained on generation n of the resampling chain.
pub const GENERATIONS: &str = "generations";
/// `regression-mixing`: least squares on the real rows alone (theory only).
pub const REAL_ONLY: &str = "real-only";
/// `regression-mixing` with reused data: the t → ∞ limit of iterative mixing.
pub const ROUNDS_LIMIT: &str = "rounds=limit";

/// `regression-mixing`: the series of weighted single-step mixing with weight α.
pub fn alpha_series(alpha: f64) -> String {
    format!("alpha={alpha}")
}

/// `regression-digits`: the series of synthetic fraction `p2`.
pub fn fraction_series(p2: f64) -> String {
    format!("p2={p2}")
}

/// `regression-mixing`: the series of `t` rounds of iterative mixing.
pub fn rounds_series(t: u32) -> String {
    format!("rounds={t}")
}

// Measured metrics.

/// The test error on the real distribution (every experiment).
pub const TEST_ERROR: &str = "test_error";
/// The bias part of the test error, exact over the true weights.
pub const BIAS: &str = "bias";
/// The variance part of the test error, exact over the label noise.
pub const VARIANCE: &str = "variance";
/// The synthetic-data part ζ of the test error, exact over the label shift.
pub const ZETA: &str = "zeta";
/// `regression-iterated`: the generator's error ‖ŵ_g − w0‖²_Σ.
pub const GENERATOR_ERROR: &str = "generator_error";
/// `regression-tails`, generations: Σ p_i (1 − q_{n,i})^T given the drawn chain.
pub const EXPECTED_TEST_ERROR: &str = "expected_test_error";
/// `regression-tails`, generations: the test mass of the items lost by generation n.
pub const LOST_MASS: &str = "lost_mass";
/// `regression-tails`, generations: the number of items alive at generation n.
pub const SUPPORT: &str = "support";

// Closed forms.

/// The closed form (or deterministic equivalent) of the test error.
pub const THEORY_TEST_ERROR: &str = "theory_test_error";
/// The bias of the deterministic equivalent.
pub const THEORY_BIAS: &str = "theory_bias";
/// The variance of the deterministic equivalent.
pub const THEORY_VARIANCE: &str = "theory_variance";
/// ζ of the deterministic equivalent.
pub const THEORY_ZETA: &str = "theory_zeta";
/// `regression-mix`: the equivalent at the same n without synthetic data.
pub const THEORY_REAL_ONLY_TEST_ERROR: &str = "theory_real_only_test_error";
/// `regression-mix`: the fixed point κ.
pub const THEORY_KAPPA: &str = "theory_kappa";
/// `regression-mix`: the fixed point θ (random projections).
pub const THEORY_THETA: &str = "theory_theta";
/// `regression-iterated`: the generator's expected error.
pub const THEORY_GENERATOR_ERROR: &str = "theory_generator_error";
/// `regression-iterated`: the ridge penalty minimising the equivalent.
pub const THEORY_OPTIMAL_LAMBDA: &str = "theory_optimal_lambda";
/// `regression-iterated`: the equivalent at the optimal penalty.
pub const THEORY_TEST_ERROR_OPTIMAL_LAMBDA: &str = "theory_test_error_optimal_lambda";
/// `regression-tails`: the asymptotic scaling law.
pub const THEORY_SCALING_LAW: &str = "theory_scaling_law";
/// `regression-tails`: the training-set size T of the step.
pub const THEORY_SAMPLES: &str = "theory_samples";
/// `regression-tails`: the scaling exponent.
pub const THEORY_EXPONENT: &str = "theory_exponent";
/// `regression-tails`, generations: the exact expected lost mass.
pub const THEORY_LOST_MASS: &str = "theory_lost_mass";
/// `regression-tails`, generations: the Galton–Watson effective sample size.
pub const THEORY_EFFECTIVE_SAMPLES: &str = "theory_effective_samples";
/// `regression-mixing`: the first order in φ = d/n.
pub const THEORY_FIRST_ORDER: &str = "theory_first_order";
/// `regression-mixing`: the n → ∞ floor.
pub const THEORY_FLOOR: &str = "theory_floor";
/// `regression-mixing`: the sample size n of the step.
pub const THEORY_N: &str = "theory_n";
