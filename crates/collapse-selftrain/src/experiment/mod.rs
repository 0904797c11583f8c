//! The family's experiments, one per file:
//!
//! - [`reversal`]: `selftrain-reversal`, iterative SFT / DPO / SFT-DPO of a categorical policy
//!   on its own filtered answers;
//! - [`report`]: the table `selftrain-reversal` prints, its directions beside Wu et al.'s;
//! - [`curated`]: `selftrain-curated`, curated retraining with and without real data.

pub mod curated;
pub mod report;
pub mod reversal;

pub use curated::CuratedLoop;
pub use reversal::Reversal;
