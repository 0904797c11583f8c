//! Discrete figures: rank–frequency by generation, expected support and absorption against the
//! exact two-type curves, the absorption-time histogram with the exact mean, survival against
//! Suresh et al.'s bounds, time to forget against the original count, and the error sources.
//!
//! - [`chain`]: the figures of `discrete-chain` (and one chain's rank–frequency curves), and its
//!   run figure;
//! - [`absorption`]: absorption and loss of categories, simulated against the two-type chain;
//! - [`sources`]: the error sources of `sources-discrete`, and its run figure.

pub mod absorption;
pub mod chain;
pub mod sources;

use collapse_core::Figure;

/// The gallery figures of the family.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure::new(
            chain::RANK_FREQUENCY,
            "Rank-frequency by generation: the tail vanishes",
            chain::rank_frequency,
        ),
        Figure::new(
            chain::SUPPORT,
            "Expected support and absorption against the exact two-type curves",
            chain::support,
        ),
        Figure::new(
            absorption::ABSORPTION_TIME,
            "Absorption-time histogram with the exact mean",
            absorption::absorption_time,
        ),
        Figure::new(
            absorption::SURVIVAL,
            "Survival of a rare category against Suresh et al.'s bounds",
            absorption::survival,
        ),
        Figure::new(
            chain::TIME_TO_FORGET,
            "Time to forget against the original count",
            chain::time_to_forget,
        ),
        Figure::new(
            sources::SOURCES_TV,
            "The three error sources on a categorical distribution",
            sources::sources_tv,
        ),
    ]
}
