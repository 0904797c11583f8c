//! A run directory: `manifest.json`, `records.csv`, `summary.csv` and the run's figure, written
//! as the run streams and moved into place whole.
//!
//! [`write_run`] is what `collapse run` does, as a library function: an outside crate (or a
//! notebook binding) writes the same directory with the same bytes.

use crate::ensemble::{Progress, RunContext, Shard};
use crate::experiment::{Configured, ExperimentError};
use crate::output::{OutputDir, OutputError, available_memory, fmt_bytes, write_atomic};
use crate::records::{SummaryRow, write_summary_csv};
use crate::sink::{CsvSink, Fanout, Quantiles, RecordSink, SummarySink};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// The version written into manifests.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a run directory is written from.
pub struct RunRequest<'a> {
    /// The experiment with its checked parameters.
    pub configured: &'a Configured,
    /// The master seed.
    pub seed: u64,
    /// Which replicates to run.
    pub shard: Shard,
    /// The directory to write.
    pub out: PathBuf,
    /// Whether to write `records.csv` (`--summary-only` turns it off).
    pub records: bool,
    /// What the summary keeps.
    pub quantiles: Quantiles,
    /// Replace an existing non-empty `out` as a whole.
    pub force: bool,
    /// The program name, for the figure's caption.
    pub program: &'a str,
    /// Where progress goes.
    pub progress: &'a dyn Progress,
    /// Set to stop the run at the next block (Ctrl-C).
    pub cancel: Option<&'a AtomicBool>,
}

/// What a written run holds.
#[derive(Clone, Debug)]
pub struct RunReport {
    /// The directory.
    pub dir: PathBuf,
    /// Records written (or summarised, under `--summary-only`).
    pub records: u64,
    /// Wall seconds of the simulation.
    pub elapsed: f64,
    /// The summary rows.
    pub summary: Vec<SummaryRow>,
    /// The experiment's report, if any.
    pub report: Option<String>,
    /// The manifest as written.
    pub manifest: serde_json::Value,
}

/// Why a run directory was not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The request is invalid or cannot fit (exit code 2); nothing was written.
    #[error("{0}")]
    Refused(String),
    /// The run or the writing failed (exit code 1); nothing was left at the target.
    #[error("{0}")]
    Failed(String),
    /// The run was interrupted (exit code 130); nothing was left at the target.
    #[error("interrupted; nothing was written")]
    Interrupted,
}

impl From<OutputError> for RunError {
    fn from(e: OutputError) -> Self {
        match e {
            OutputError::Refused(m) => RunError::Refused(m),
            other => RunError::Failed(other.to_string()),
        }
    }
}

impl From<ExperimentError> for RunError {
    fn from(e: ExperimentError) -> Self {
        match e {
            ExperimentError::Interrupted => RunError::Interrupted,
            e if e.is_usage() => RunError::Refused(e.to_string()),
            e => RunError::Failed(e.to_string()),
        }
    }
}

/// Bytes of summary memory per record under exact quantiles (the value itself).
const EXACT_BYTES_PER_RECORD: f64 = 8.0;

/// Refuses a run whose estimated memory exceeds what the machine has available.
pub fn check_fits(c: &Configured, shard: Shard, quantiles: Quantiles) -> Result<(), RunError> {
    let cost = c.cost();
    let records = cost.records / shard.count as f64;
    let summary = match quantiles {
        Quantiles::Exact => records * EXACT_BYTES_PER_RECORD,
        Quantiles::None => 0.0,
    };
    let need = cost.memory + summary;
    let Some(have) = available_memory() else {
        return Ok(());
    };
    if need > have {
        let mut why = format!(
            "{}: the run would need about {} of memory ({} for the simulation",
            c.experiment().id(),
            fmt_bytes(need),
            fmt_bytes(cost.memory)
        );
        if summary > 0.0 {
            why.push_str(&format!(
                ", {} for exact quantiles of {records:.3e} records",
                fmt_bytes(summary)
            ));
        }
        why.push_str(&format!(
            ") and this machine has {} available",
            fmt_bytes(have)
        ));
        if summary > 0.0 && cost.memory < have {
            why.push_str("; --quantiles none keeps the summary in constant memory");
        }
        why.push_str("; or reduce the run, or split it with --shard");
        return Err(RunError::Refused(why));
    }
    Ok(())
}

fn digest_hex(d: u64) -> String {
    format!("{d:016x}")
}

/// Runs `req.configured` and writes its directory. The output location and the memory
/// estimate are checked before any work; the files appear at `req.out` only when all of them
/// are complete.
pub fn write_run(req: &RunRequest<'_>) -> Result<RunReport, RunError> {
    write_run_with(req, &mut crate::sink::Discard)
}

/// [`write_run`], also feeding every record to `extra` as it streams (a binding that keeps the
/// records in memory beside the files, in the same pass). `extra` adds to the memory the run
/// needs; the estimate checked before the run does not count it.
pub fn write_run_with(
    req: &RunRequest<'_>,
    extra: &mut dyn RecordSink,
) -> Result<RunReport, RunError> {
    let c = req.configured;
    let out = OutputDir::prepare(&req.out, req.force, &[])?;
    check_fits(c, req.shard, req.quantiles)?;
    let id = c.experiment().id();
    let mut manifest = serde_json::json!({
        "experiment": id,
        "params": c.params().to_json(),
        "seed": req.seed,
        "shard": req.shard.to_string(),
        "version": VERSION,
        "summary_only": !req.records,
        "quantiles": req.quantiles.name(),
        "complete": false,
    });
    // Until the end, the temporary directory says it holds an unfinished run.
    write_json(&out.path().join("manifest.json"), &manifest)?;

    let started = Instant::now();
    let mut summary = SummarySink::new(req.quantiles);
    let mut csv = req
        .records
        .then(|| CsvSink::create(out.path().join("records.csv")));
    let mut counter = Counter(0);
    let output = {
        let mut fan = Fanout::new()
            .with(&mut summary)
            .with(&mut counter)
            .with(extra);
        if let Some(csv) = csv.as_mut() {
            fan = fan.with(csv);
        }
        let mut ctx = RunContext::new(req.seed, id)
            .with_shard(req.shard)
            .with_progress(req.progress)
            .with_sink(&mut fan);
        if let Some(flag) = req.cancel {
            ctx = ctx.with_cancel(flag);
        }
        c.run(&ctx)?
    };
    let elapsed = started.elapsed().as_secs_f64();
    let records = counter.0;
    let rows = summary.finish(&output.theory);
    let mut text = Vec::with_capacity(rows.len() * 80 + 64);
    write_summary_csv(&mut text, &rows).expect("writing to memory");
    write_atomic(&out.path().join("summary.csv"), &text)?;
    manifest["summary_xxh3"] = digest_hex(xxhash_rust::xxh3::xxh3_64(&text)).into();
    if let Some(csv) = csv {
        let w = csv.finish().map_err(|e| RunError::Failed(e.to_string()))?;
        manifest["records_xxh3"] = digest_hex(w.digest).into();
    }
    manifest["records"] = records.into();
    manifest["elapsed_seconds"] = elapsed.into();
    if req.shard.count == 1
        && let Some(fig) = c.figure(&rows, &c.command(req.program, req.seed))
    {
        fig.and_then(|f| f.save(out.path(), "figure"))
            .map_err(|e| RunError::Failed(format!("figure: {e}")))?;
    }
    manifest["complete"] = true.into();
    write_json(&out.path().join("manifest.json"), &manifest)?;
    let dir = out.commit()?;
    Ok(RunReport {
        dir,
        records,
        elapsed,
        summary: rows,
        report: output.report,
        manifest,
    })
}

/// Counts records.
struct Counter(u64);

impl RecordSink for Counter {
    fn accept(
        &mut self,
        _: u64,
        rows: &[crate::records::Row],
    ) -> Result<(), crate::sink::SinkError> {
        self.0 += rows.len() as u64;
        Ok(())
    }
}

/// Writes a JSON value, pretty-printed, atomically.
pub fn write_json(path: &Path, v: &serde_json::Value) -> Result<(), OutputError> {
    let mut text = serde_json::to_string_pretty(v).expect("plain JSON values");
    text.push('\n');
    write_atomic(path, text.as_bytes())
}
