//! Runs, merges and run directories read back: the work behind `collapse.run`,
//! `collapse.merge` and `collapse.load`, done exactly as the command does it (the same
//! configuration, streams, sinks and files), with the records kept as columns.

use crate::background::Handle;
use crate::columns::{BYTES_PER_RECORD, ColumnSink, RecordColumns};
use crate::errors::Failure;
use collapse::App;
use collapse_core::output::{available_memory, fmt_bytes};
use collapse_core::records::{
    RECORDS_HEADER, Row, SummaryRow, parse_record_line, parse_summary_csv,
};
use collapse_core::rundir::{RunRequest, VERSION, check_fits, write_run, write_run_with};
use collapse_core::sink::{Fanout, RecordSink, SinkError, SummarySink};
use collapse_core::{Configured, Name, Progress, Quantiles, RunContext, Shard};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

/// The program name written into figure captions: the command that reproduces a run is the
/// command-line one.
pub const PROGRAM: &str = "collapse";

/// The workspace's experiments, checks and figures, built once per process.
pub fn app() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(App::workspace)
}

/// A finished run (or a merged or loaded one) with everything Python receives.
pub struct Finished {
    /// The experiment with its checked parameters.
    pub configured: Configured,
    /// The master seed.
    pub seed: u64,
    /// The shard it covers.
    pub shard: Shard,
    /// The summary rows, closed forms included.
    pub summary: Vec<SummaryRow>,
    /// The records as columns, when they were kept.
    pub records: Option<RecordColumns>,
    /// The manifest (as written, when there is a directory).
    pub manifest: serde_json::Value,
    /// The experiment's report, if any.
    pub report: Option<String>,
    /// The run directory, if one was written or read.
    pub dir: Option<PathBuf>,
}

/// What `collapse.run` asks for.
pub struct RunSpec {
    /// The experiment with its checked parameters.
    pub configured: Configured,
    /// The master seed.
    pub seed: u64,
    /// Which replicates to run.
    pub shard: Shard,
    /// What the summary keeps.
    pub quantiles: Quantiles,
    /// Whether the records are kept (in memory, and in `records.csv` when `out` is given).
    pub records: bool,
    /// A run directory to write, as `collapse run --out` does.
    pub out: Option<PathBuf>,
    /// Replace an existing non-empty `out`.
    pub force: bool,
}

/// Runs `spec`, in memory or into its directory, stopping when `handle.cancel` is set.
pub fn run(spec: RunSpec, handle: &Handle) -> Result<Finished, Failure> {
    let c = &spec.configured;
    if spec.records {
        records_fit(c, spec.shard, spec.quantiles)?;
    }
    handle.meter.start(c.work());
    let mut columns = ColumnSink::new();
    let finished = match &spec.out {
        Some(out) => {
            let req = RunRequest {
                configured: c,
                seed: spec.seed,
                shard: spec.shard,
                out: out.clone(),
                records: spec.records,
                quantiles: spec.quantiles,
                force: spec.force,
                program: PROGRAM,
                progress: &*handle.meter,
                cancel: Some(&handle.cancel),
            };
            let report = if spec.records {
                write_run_with(&req, &mut columns)?
            } else {
                write_run(&req)?
            };
            (
                report.summary,
                report.manifest,
                report.report,
                Some(report.dir),
            )
        }
        None => {
            let (summary, manifest, report) = in_memory(&spec, handle, &mut columns)?;
            (summary, manifest, report, None)
        }
    };
    let (summary, manifest, report, dir) = finished;
    Ok(Finished {
        records: spec.records.then(|| columns.finish()),
        configured: spec.configured,
        seed: spec.seed,
        shard: spec.shard,
        summary,
        manifest,
        report,
        dir,
    })
}

type InMemory = (Vec<SummaryRow>, serde_json::Value, Option<String>);

/// A run without a directory: the summary sink of `collapse run`, the columns beside it, and
/// the manifest `collapse run` would write (without the files' digests).
fn in_memory(
    spec: &RunSpec,
    handle: &Handle,
    columns: &mut ColumnSink,
) -> Result<InMemory, Failure> {
    let c = &spec.configured;
    check_fits(c, spec.shard, spec.quantiles)?;
    let started = Instant::now();
    let mut summary = SummarySink::new(spec.quantiles);
    let mut count = Count(0);
    let output = {
        let mut fan = Fanout::new().with(&mut summary).with(&mut count);
        if spec.records {
            fan = fan.with(columns);
        }
        let ctx = RunContext::new(spec.seed, c.experiment().id())
            .with_shard(spec.shard)
            .with_progress(&*handle.meter)
            .with_sink(&mut fan)
            .with_cancel(&handle.cancel);
        c.run(&ctx)?
    };
    let elapsed = started.elapsed().as_secs_f64();
    let rows = summary.finish(&output.theory);
    let manifest = serde_json::json!({
        "experiment": c.experiment().id(),
        "params": c.params().to_json(),
        "seed": spec.seed,
        "shard": spec.shard.to_string(),
        "version": VERSION,
        "summary_only": !spec.records,
        "quantiles": spec.quantiles.name(),
        "complete": true,
        "records": count.0,
        "elapsed_seconds": elapsed,
    });
    Ok((rows, manifest, output.report))
}

/// Counts records.
struct Count(u64);

impl RecordSink for Count {
    fn accept(&mut self, _: u64, rows: &[Row]) -> Result<(), SinkError> {
        self.0 += rows.len() as u64;
        Ok(())
    }
}

/// Refuses a run whose records, kept as columns beside what the run itself needs, would not
/// fit in the memory available.
fn records_fit(c: &Configured, shard: Shard, quantiles: Quantiles) -> Result<(), Failure> {
    let cost = c.cost();
    let records = cost.records / shard.count as f64;
    let columns = records * BYTES_PER_RECORD;
    let summary = match quantiles {
        Quantiles::Exact => records * 8.0,
        Quantiles::None => 0.0,
    };
    let Some(have) = available_memory() else {
        return Ok(());
    };
    if cost.memory + summary + columns > have {
        return Err(Failure::Usage(format!(
            "{}: keeping its {records:.3e} records in memory would need about {} ({} as columns, \
             {} for the run and its summary) and this machine has {} available; pass \
             records=False to keep the summary only, or reduce the run, or split it with shard=",
            c.experiment().id(),
            fmt_bytes(cost.memory + summary + columns),
            fmt_bytes(columns),
            fmt_bytes(cost.memory + summary),
            fmt_bytes(have),
        )));
    }
    Ok(())
}

/// Merges shard directories as `collapse merge` does (verifying every file and line) and
/// returns the merged run's summary and manifest.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> Result<Finished, Failure> {
    let m = app().merge_shards(dirs, out, force)?;
    Ok(Finished {
        configured: m.configured,
        seed: m.seed,
        shard: Shard::WHOLE,
        summary: m.summary,
        records: None,
        manifest: m.manifest,
        report: None,
        dir: Some(m.dir),
    })
}

/// Reads a complete run directory back: its manifest, its summary and (when asked and
/// written) its records, checking each file against the digest in the manifest.
pub fn load(dir: &Path, records: bool) -> Result<Finished, Failure> {
    let refuse = |why: String| Failure::Usage(format!("load: {}: {why}", dir.display()));
    let text = std::fs::read_to_string(dir.join("manifest.json"))
        .map_err(|e| refuse(format!("cannot read manifest.json: {e}")))?;
    let manifest: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| refuse(format!("manifest.json is not valid JSON: {e}")))?;
    if manifest["complete"].as_bool() != Some(true) {
        return Err(refuse("the manifest says the run did not finish".into()));
    }
    let id = manifest["experiment"]
        .as_str()
        .ok_or_else(|| refuse("the manifest names no experiment".into()))?;
    let x = app().experiment(id).map_err(Failure::from)?;
    let params: Vec<(String, String)> = manifest["params"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    (k.clone(), text)
                })
                .collect()
        })
        .unwrap_or_default();
    let configured = x
        .resolve(None, &params)
        .map_err(|e| refuse(format!("its parameters are not valid for `{id}`: {e}")))?;
    let shard: Shard = manifest["shard"]
        .as_str()
        .unwrap_or("0/1")
        .parse()
        .map_err(|e: String| refuse(format!("the manifest's shard is invalid: {e}")))?;
    let bytes = std::fs::read(dir.join("summary.csv"))
        .map_err(|e| refuse(format!("cannot read summary.csv: {e}")))?;
    if let Some(want) = manifest["summary_xxh3"].as_str()
        && format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes)) != want
    {
        return Err(refuse(
            "summary.csv does not match the digest in its manifest (edited, or from another run)"
                .into(),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| refuse("summary.csv is not UTF-8".into()))?;
    let summary = parse_summary_csv(&text).map_err(refuse)?;
    let summary_only = manifest["summary_only"].as_bool().unwrap_or(true);
    let records = if records && !summary_only {
        Some(read_records(dir, &manifest).map_err(refuse)?)
    } else {
        None
    };
    Ok(Finished {
        configured,
        seed: manifest["seed"].as_u64().unwrap_or(0),
        shard,
        summary,
        records,
        report: None,
        dir: Some(dir.to_path_buf()),
        manifest,
    })
}

/// Reads `records.csv` into columns, checking every line, the record count and the digest.
fn read_records(dir: &Path, manifest: &serde_json::Value) -> Result<RecordColumns, String> {
    let file = std::fs::File::open(dir.join("records.csv"))
        .map_err(|e| format!("cannot read records.csv: {e}"))?;
    let mut input = BufReader::with_capacity(1 << 20, file);
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut sink = ColumnSink::new();
    if let Some(n) = manifest["records"].as_u64() {
        sink.expect(n);
    }
    let mut line = String::new();
    let mut names: [Option<(String, Name)>; 2] = [None, None];
    let mut intern = |slot: usize, text: &str| -> Result<Name, String> {
        if let Some((t, n)) = &names[slot]
            && t == text
        {
            return Ok(*n);
        }
        let n = Name::try_new(text).map_err(|e| e.to_string())?;
        names[slot] = Some((text.to_string(), n));
        Ok(n)
    };
    let mut number = 0u64;
    let mut batch: Vec<Row> = Vec::new();
    let mut batch_replicate = None;
    loop {
        line.clear();
        let n = input
            .read_line(&mut line)
            .map_err(|e| format!("cannot read records.csv: {e}"))?;
        if n == 0 {
            break;
        }
        hasher.update(line.as_bytes());
        number += 1;
        let text = line.strip_suffix('\n').unwrap_or(&line);
        if number == 1 {
            if text != RECORDS_HEADER {
                return Err(format!(
                    "records.csv: the header must be `{RECORDS_HEADER}`"
                ));
            }
            continue;
        }
        let l = parse_record_line(text)
            .map_err(|e| format!("records.csv line {number}: {e}: `{text}`"))?;
        let row = Row {
            series: intern(0, l.series)?,
            metric: intern(1, l.metric)?,
            step: l.step,
            value: l.value,
        };
        if batch_replicate != Some(l.replicate) {
            if let Some(r) = batch_replicate {
                sink.accept(r, &batch).map_err(|e| e.to_string())?;
            }
            batch.clear();
            batch_replicate = Some(l.replicate);
        }
        batch.push(row);
    }
    if let Some(r) = batch_replicate {
        sink.accept(r, &batch).map_err(|e| e.to_string())?;
    }
    let read = number.saturating_sub(1);
    if let Some(want) = manifest["records"].as_u64()
        && want != read
    {
        return Err(format!(
            "records.csv holds {read} records but the manifest says {want} (cut, extended or stale?)"
        ));
    }
    if let Some(want) = manifest["records_xxh3"].as_str()
        && format!("{:016x}", hasher.digest()) != want
    {
        return Err(
            "records.csv does not match the digest in its manifest (edited, or from another run)"
                .into(),
        );
    }
    Ok(sink.finish())
}
