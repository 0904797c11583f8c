//! Seeded ensembles: replicate `r` of experiment `key` under `seed` always draws from
//! [`crate::rng::stream`]`(seed, key, r)`, whichever thread or shard runs it, and its rows
//! reach the sink in replicate order.

use crate::experiment::ExperimentError;
use crate::rng::{Rng, stream};
use crate::sink::{Discard, RecordSink, Rows};
use rayon::prelude::*;
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

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

    /// This shard's replicates among `0..total`, in increasing order.
    pub fn replicates(&self, total: u64) -> impl Iterator<Item = u64> + use<> {
        (self.index..total).step_by(usize::try_from(self.count).unwrap_or(usize::MAX))
    }

    /// How many of `0..total` this shard runs.
    pub fn share(&self, total: u64) -> u64 {
        if total <= self.index {
            0
        } else {
            (total - self.index).div_ceil(self.count)
        }
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

/// Everything a run needs besides its configuration: the seed and stream key, the shard, where
/// progress goes and where records go.
pub struct RunContext<'a> {
    /// The master seed.
    pub seed: u64,
    /// The key that separates the streams of different experiments.
    pub key: String,
    /// Which replicates to run.
    pub shard: Shard,
    /// Where progress goes.
    pub progress: &'a dyn Progress,
    sink: Mutex<&'a mut (dyn RecordSink + 'a)>,
    cancel: Option<&'a AtomicBool>,
}

/// Rows computed per block aim at about this many, so that a block's rows stay small whatever
/// a replicate emits.
const BLOCK_ROWS: usize = 1 << 19;

impl<'a> RunContext<'a> {
    /// A whole (unsharded) run whose records are dropped, without progress (set the rest with
    /// the builder methods).
    pub fn new(seed: u64, key: impl Into<String>) -> RunContext<'static> {
        static NO_PROGRESS: NoProgress = NoProgress;
        RunContext {
            seed,
            key: key.into(),
            shard: Shard::WHOLE,
            progress: &NO_PROGRESS,
            sink: Mutex::new(Box::leak(Box::new(Discard))),
            cancel: None,
        }
    }

    /// The same context sending its records to `sink`.
    pub fn with_sink<'b>(self, sink: &'b mut (dyn RecordSink + 'b)) -> RunContext<'b>
    where
        'a: 'b,
    {
        RunContext {
            seed: self.seed,
            key: self.key,
            shard: self.shard,
            progress: self.progress,
            sink: Mutex::new(sink),
            cancel: self.cancel,
        }
    }

    /// The same context running only `shard`'s replicates.
    pub fn with_shard(mut self, shard: Shard) -> Self {
        self.shard = shard;
        self
    }

    /// The same context reporting progress to `progress`.
    pub fn with_progress<'b>(self, progress: &'b dyn Progress) -> RunContext<'b>
    where
        'a: 'b,
    {
        RunContext {
            seed: self.seed,
            key: self.key,
            shard: self.shard,
            progress,
            sink: Mutex::new(self.sink.into_inner().unwrap_or_else(|p| p.into_inner())),
            cancel: self.cancel,
        }
    }

    /// The same context stopping at the next block once `flag` is set (Ctrl-C).
    pub fn with_cancel<'b>(self, flag: &'b AtomicBool) -> RunContext<'b>
    where
        'a: 'b,
    {
        RunContext {
            seed: self.seed,
            key: self.key,
            shard: self.shard,
            progress: self.progress,
            sink: Mutex::new(self.sink.into_inner().unwrap_or_else(|p| p.into_inner())),
            cancel: Some(flag),
        }
    }

    /// Whether the run was asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
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

    /// How many of `0..total` this shard runs (for progress totals).
    pub fn share(&self, total: u64) -> u64 {
        self.shard.share(total)
    }

    /// Runs `one(r, rng, rows)` for this shard's replicates among `0..total` in parallel and
    /// hands their rows to the sink in replicate order. `sub` names the stream family (the
    /// series name when series must be independent, or "" to share streams across series for
    /// common random numbers).
    ///
    /// Replicates run in blocks; the next block is computed while the sink takes the last one.
    /// A replicate that fails ends the run with the error of the lowest failing replicate
    /// (the same error for any thread count); nothing after it reaches the sink.
    pub fn replicates<F, E>(&self, sub: &str, total: u64, one: F) -> Result<(), ExperimentError>
    where
        F: Fn(u64, &mut Rng, &mut Rows) -> Result<(), E> + Sync,
        E: Into<ExperimentError> + Send,
    {
        let count = self.shard.share(total);
        self.lock_sink().expect(count);
        let mut todo = self.shard.replicates(total);
        let threads = rayon::current_num_threads().max(1);
        let mut block = threads;
        let mut pending: Vec<Rows> = Vec::new();
        loop {
            if self.cancelled() {
                return Err(ExperimentError::Interrupted);
            }
            let ids: Vec<u64> = todo.by_ref().take(block).collect();
            if ids.is_empty() {
                break;
            }
            let compute = || -> Vec<Result<Rows, ExperimentError>> {
                ids.par_iter()
                    .map(|&r| {
                        let mut rng = self.stream(sub, r);
                        let mut rows = Rows::new(r);
                        let res = one(r, &mut rng, &mut rows);
                        self.progress.advance(1);
                        res.map_err(Into::into).and_then(|()| {
                            rows.canonicalize().map_err(ExperimentError::Model)?;
                            Ok(rows)
                        })
                    })
                    .collect()
            };
            let done = std::mem::take(&mut pending);
            let (fed, computed) = rayon::join(|| self.feed(done), compute);
            fed?;
            let mut emitted = 0usize;
            for res in computed {
                let rows = res?;
                emitted += rows.len();
                pending.push(rows);
            }
            // Aim the next block at BLOCK_ROWS rows, at least one replicate per thread.
            let per = emitted.div_ceil(pending.len().max(1)).max(1);
            block = (BLOCK_ROWS / per).clamp(threads, 64 * threads.max(16));
        }
        self.feed(pending)
    }

    fn lock_sink(&self) -> std::sync::MutexGuard<'_, &'a mut (dyn RecordSink + 'a)> {
        self.sink.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn feed(&self, batches: Vec<Rows>) -> Result<(), ExperimentError> {
        if batches.is_empty() {
            return Ok(());
        }
        self.lock_sink().accept_block(&batches)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::Name;
    use crate::records::{Record, sort_records};
    use crate::sink::MemorySink;
    use rand::Rng as _;

    fn run(shard: Shard, threads: usize) -> Vec<Record> {
        let (s, x, y) = (Name::new("s"), Name::new("x"), Name::new("y"));
        let mut mem = MemorySink::new();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let ctx = RunContext::new(7, "e")
                .with_shard(shard)
                .with_sink(&mut mem);
            ctx.replicates("", 1000, |r, rng, rows| {
                // Emitted out of order on purpose: the ensemble puts each batch in order.
                rows.push(s, 1, y, rng.next_u64() as f64);
                rows.push(s, 0, x, r as f64);
                Ok::<(), ExperimentError>(())
            })
            .unwrap();
        });
        mem.into_records()
    }

    #[test]
    fn shards_and_threads_reproduce_the_whole_run() {
        let whole = run(Shard::WHOLE, 2);
        assert_eq!(whole.len(), 2000);
        assert_eq!(whole, run(Shard::WHOLE, 1));
        let mut merged = Vec::new();
        for i in 0..3 {
            merged.extend(run(Shard { index: i, count: 3 }, 2));
        }
        sort_records(&mut merged);
        assert_eq!(whole, merged);
        assert!("3/3".parse::<Shard>().is_err());
        assert!("a/3".parse::<Shard>().is_err());
        assert_eq!(
            "2/3".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 3 }
        );
        let s = Shard { index: 2, count: 3 };
        assert_eq!(s.share(10), 3);
        assert_eq!(s.replicates(10).collect::<Vec<_>>(), [2, 5, 8]);
        assert_eq!(s.share(2), 0);
    }

    #[test]
    fn the_lowest_failing_replicate_is_reported() {
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let err = pool.install(|| {
                RunContext::new(1, "e")
                    .replicates("", 500, |r, _, _| {
                        if r % 97 == 13 {
                            Err(ExperimentError::Input(format!("replicate {r}")))
                        } else {
                            Ok(())
                        }
                    })
                    .unwrap_err()
            });
            assert_eq!(err.to_string(), "replicate 13");
        }
    }

    #[test]
    fn a_huge_replicate_count_costs_no_memory_up_front() {
        let flag = AtomicBool::new(true);
        let ctx = RunContext::new(1, "e").with_cancel(&flag);
        let e = ctx
            .replicates("", u64::MAX, |_, _, _| Ok::<(), ExperimentError>(()))
            .unwrap_err();
        assert!(matches!(e, ExperimentError::Interrupted));
    }
}
