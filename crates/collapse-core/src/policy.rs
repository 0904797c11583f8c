//! Data policies and sample-size schedules.
//!
//! Generation 0 is the true distribution. The data a generation trains on is drawn as follows
//! (`M_g` is the schedule's size at generation `g`):
//!
//! | policy | data for generation g + 1 |
//! |---|---|
//! | `replace` | `M_g` samples of generation g |
//! | `accumulate` | everything drawn so far, real data of generation 0 included |
//! | `accumulate-subsample` | `M_g` points drawn without replacement from everything so far |
//! | `mix` | `round(f M_g)` fresh real samples and `M_g − round(f M_g)` samples of generation g |

use crate::params::{ParamError, ParamSpec, Params};

/// How each generation's training data is assembled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Policy {
    /// Train on the newest model's samples only.
    Replace,
    /// Train on all data drawn so far.
    Accumulate,
    /// Train on a fixed-size subsample of all data drawn so far.
    AccumulateSubsample,
    /// Train on the newest model's samples with a fraction of fresh real data.
    Mix {
        /// The fraction of real data, in [0, 1].
        real_fraction: f64,
    },
}

/// The names `policy` accepts.
pub const POLICY_NAMES: &[&str] = &["replace", "accumulate", "accumulate-subsample", "mix"];

impl Policy {
    /// Parses a policy name; `real_fraction` is used by `mix`.
    pub fn parse(name: &str, real_fraction: f64) -> Result<Self, ParamError> {
        match name {
            "replace" => Ok(Policy::Replace),
            "accumulate" => Ok(Policy::Accumulate),
            "accumulate-subsample" => Ok(Policy::AccumulateSubsample),
            "mix" if (0.0..=1.0).contains(&real_fraction) => Ok(Policy::Mix { real_fraction }),
            "mix" => Err(ParamError::Invalid {
                name: "real_fraction".into(),
                value: real_fraction.to_string(),
                expected: "a number in [0, 1]".into(),
            }),
            other => Err(ParamError::Invalid {
                name: "policy".into(),
                value: other.into(),
                expected: format!("one of {}", POLICY_NAMES.join(" | ")),
            }),
        }
    }

    /// The policy's name.
    pub fn name(&self) -> &'static str {
        match self {
            Policy::Replace => "replace",
            Policy::Accumulate => "accumulate",
            Policy::AccumulateSubsample => "accumulate-subsample",
            Policy::Mix { .. } => "mix",
        }
    }
}

/// The `policy` and `real_fraction` parameters every chain experiment declares.
pub fn policy_params() -> [ParamSpec; 2] {
    [
        ParamSpec::choice(
            "policy",
            "replace",
            POLICY_NAMES,
            "how each generation's training data is assembled",
        ),
        ParamSpec::float(
            "real_fraction",
            0.1,
            0.0,
            1.0,
            "fraction of fresh real data per generation (policy mix)",
        ),
    ]
}

/// The `growth` parameter of chain experiments with a sample-size schedule.
pub fn growth_param() -> ParamSpec {
    ParamSpec::choice(
        "growth",
        "constant",
        SCHEDULE_NAMES,
        "sample size M_g = M, M(g+1) or M(g+1)^2",
    )
}

impl Policy {
    /// The policy named by the `policy` and `real_fraction` parameters.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        Policy::parse(p.text("policy"), p.float("real_fraction"))
    }
}

/// The per-generation sample size: `M_g = M`, `M (g + 1)` or `M (g + 1)²`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// `M_g = M`.
    Constant,
    /// `M_g = M (g + 1)`.
    Linear,
    /// `M_g = M (g + 1)²`: Σ 1/M_g converges, so the error stays bounded.
    Quadratic,
}

/// The names `growth` accepts.
pub const SCHEDULE_NAMES: &[&str] = &["constant", "linear", "quadratic"];

impl Schedule {
    /// Parses a schedule name.
    pub fn parse(name: &str) -> Result<Self, ParamError> {
        match name {
            "constant" => Ok(Schedule::Constant),
            "linear" => Ok(Schedule::Linear),
            "quadratic" => Ok(Schedule::Quadratic),
            other => Err(ParamError::Invalid {
                name: "growth".into(),
                value: other.into(),
                expected: format!("one of {}", SCHEDULE_NAMES.join(" | ")),
            }),
        }
    }

    /// The sample size drawn at generation `g` (the data generation `g + 1` is fitted on),
    /// saturating rather than overflowing.
    pub fn size(&self, base: usize, g: u64) -> usize {
        let k = g.saturating_add(1) as usize;
        match self {
            Schedule::Constant => base,
            Schedule::Linear => base.saturating_mul(k),
            Schedule::Quadratic => base.saturating_mul(k.saturating_mul(k)),
        }
    }
}

crate::choice! {
    /// Whether the statistical error source is on: finite samples, or the infinite-sample mode
    /// in which each generation is fitted to the exact population it would have sampled.
    pub enum Mode {
        /// Finite samples.
        Finite = "finite",
        /// The exact population (no statistical error).
        Infinite = "infinite",
    }
}

impl Mode {
    /// Whether samples are finite.
    pub fn finite(self) -> bool {
        self == Mode::Finite
    }
}

/// The `mode` parameter (finite or infinite samples), with the family's own explanation.
pub fn mode_param(help: &'static str) -> ParamSpec {
    ParamSpec::choice_of("mode", Mode::Finite, help)
}
