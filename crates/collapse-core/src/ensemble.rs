//! Seeded ensembles: replicate `r` of experiment `key` under `seed` always draws from
//! [`crate::rng::stream`]`(seed, key, r)`, whichever thread or shard runs it.

use crate::records::{Record, sort_records};
use crate::rng::{Rng, stream};
use rayon::prelude::*;
use std::fmt;
use std::str::FromStr;

/// Which replicates this process runs: those with `r % count == index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, in `0..count`.
    pub index: u64,
    /// The number of shards.
    pub count: u64,
}

impl Shard {
    /// The whole run in one process.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Whether replicate `r` belongs to this shard.
    pub fn contains(&self, r: u64) -> bool {
        r % self.count == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad =
            || format!("--shard: invalid value `{s}`; expected I/N with N >= 1 and 0 <= I < N");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// Receives progress of long work (the command shows a bar; tests pass [`NoProgress`]).
pub trait Progress: Sync {
    /// Announces how many units the work has.
    fn start(&self, total: u64);
    /// Reports `n` more units done.
    fn advance(&self, n: u64);
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// Everything a run needs besides its parameters.
pub struct RunContext<'a> {
    /// The master seed.
    pub seed: u64,
    /// The key that separates the streams of different experiments.
    pub key: String,
    /// Which replicates to run.
    pub shard: Shard,
    /// Where progress goes.
    pub progress: &'a dyn Progress,
}

impl<'a> RunContext<'a> {
    /// A whole (unsharded) run without progress.
    pub fn new(seed: u64, key: impl Into<String>) -> RunContext<'static> {
        RunContext {
            seed,
            key: key.into(),
            shard: Shard::WHOLE,
            progress: &NoProgress,
        }
    }

    /// The stream of replicate `r` under a sub-key (`series`), so that independent variants of
    /// one experiment do not share numbers unless they should.
    pub fn stream(&self, sub: &str, r: u64) -> Rng {
        if sub.is_empty() {
            stream(self.seed, &self.key, r)
        } else {
            stream(self.seed, &format!("{}/{sub}", self.key), r)
        }
    }

    /// Runs `one(r, rng)` for this shard's replicates among `0..total`, in parallel, and
    /// returns their records in canonical order. `sub` names the stream family (use the series
    /// name when series must be independent, or "" to share streams across series for common
    /// random numbers).
    pub fn replicates<F>(&self, sub: &str, total: u64, one: F) -> Vec<Record>
    where
        F: Fn(u64, &mut Rng) -> Vec<Record> + Sync,
    {
        let mine: Vec<u64> = (0..total).filter(|r| self.shard.contains(*r)).collect();
        let mut out: Vec<Record> = mine
            .par_iter()
            .map(|&r| {
                let mut rng = self.stream(sub, r);
                let recs = one(r, &mut rng);
                self.progress.advance(1);
                recs
            })
            .flatten_iter()
            .collect();
        sort_records(&mut out);
        out
    }

    /// How many of `0..total` this shard runs (for progress totals).
    pub fn share(&self, total: u64) -> u64 {
        (0..total).filter(|r| self.shard.contains(*r)).count() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

    #[test]
    fn shards_partition_and_reproduce_the_whole_run() {
        let one = |r: u64, rng: &mut Rng| vec![Record::new("s", r, 0, "x", rng.next_u64() as f64)];
        let whole = RunContext::new(7, "e").replicates("", 10, one);
        let mut merged = Vec::new();
        for i in 0..3 {
            let ctx = RunContext {
                shard: Shard { index: i, count: 3 },
                ..RunContext::new(7, "e")
            };
            merged.extend(ctx.replicates("", 10, one));
        }
        sort_records(&mut merged);
        assert_eq!(whole, merged);
        assert!("3/3".parse::<Shard>().is_err());
        assert!("a/3".parse::<Shard>().is_err());
        assert_eq!(
            "2/3".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 3 }
        );
    }
}
