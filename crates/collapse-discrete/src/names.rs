//! The series and metric names of the family's records and closed forms, one constant per
//! name: the experiments write them, the checks and the figures read them.

/// Per generation: the number of categories with positive mass (series: the data policy).
pub const SUPPORT: &str = "support";
/// Per generation: the Shannon entropy in nats.
pub const ENTROPY: &str = "entropy";
/// Per generation: $1 - \sum_i p_i^2$.
pub const HETEROZYGOSITY: &str = "heterozygosity";
/// Per generation: the total variation distance to generation 0.
pub const TV: &str = "tv";
/// Per generation: the mass of generation 0's most probable category.
pub const P_TOP: &str = "p_top";
/// Per generation: 1 once a single category holds all mass, else 0.
pub const ABSORBED: &str = "absorbed";

/// The series of the per-category extinction records (`step` = category index, 1-based).
pub const EXTINCTION_SERIES: &str = "extinction";
/// The first generation at which a category has no mass (`generations + 1` if it never died:
/// censored).
pub const EXTINCTION_GENERATION: &str = "extinction_generation";
/// 1 if the category died within the horizon, else 0.
pub const EXTINCT: &str = "extinct";

/// The series of the per-chain absorption records (`step` 0).
pub const ABSORPTION_SERIES: &str = "absorption";
/// The first generation with a single category (`generations + 1` if none).
pub const ABSORPTION_TIME: &str = "absorption_time";
/// 1 if the chain was absorbed within the horizon, else 0.
pub const ABSORBED_BY_END: &str = "absorbed_by_end";

/// Closed form of $\mathbb E$ [`P_TOP`].
pub const THEORY_P_TOP: &str = "theory_p_top";
/// Closed form of $\mathbb E$ [`HETEROZYGOSITY`].
pub const THEORY_HETEROZYGOSITY: &str = "theory_heterozygosity";
/// Exact $\mathbb E$ [`SUPPORT`] from the two-type chains.
pub const THEORY_SUPPORT: &str = "theory_support";
/// Exact $P(\text{absorbed by } n)$ from the two-type chains.
pub const THEORY_ABSORBED: &str = "theory_absorbed";
/// Exact mean absorption time (series [`ABSORPTION_SERIES`], step 0).
pub const THEORY_ABSORPTION_TIME: &str = "theory_absorption_time";
/// Closed form of [`TV`] without statistical error.
pub const THEORY_TV: &str = "theory_tv";
