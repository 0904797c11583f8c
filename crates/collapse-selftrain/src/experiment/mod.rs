//! The family's experiments, one per file:
//!
//! - [`reversal`]: `selftrain-reversal`, iterative SFT / DPO / SFT-DPO of a categorical policy
//!   on its own filtered answers;
//! - [`report`]: the table `selftrain-reversal` prints, its directions beside Wu et al.'s;
//! - [`robustness`]: `selftrain-robustness`, where over the model's structural parameters each of
//!   the paper's directions holds, with a placebo and the coverage rule;
//! - [`curated`]: `selftrain-curated`, curated retraining with and without real data.

pub mod curated;
pub mod report;
pub mod reversal;
pub mod robustness;

pub use curated::CuratedLoop;
pub use reversal::Reversal;
pub use robustness::Robustness;
