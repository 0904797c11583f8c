//! Merging the shards of one run into the files of the unsharded run, verifying what is merged.
//!
//! The shards' `records.csv` files are each in canonical order, so a k-way merge of their lines
//! is the unsharded file; it streams, in memory that does not grow with the run. Before a byte
//! is trusted the merge checks:
//!
//! - every manifest is complete and agrees with the others on experiment, parameters, seed,
//!   version and quantiles; the shards are `0/N … N−1/N`, each exactly once;
//! - every file's digest and record count match its manifest (a cut, edited, duplicated or
//!   stale file fails here);
//! - every line is one the program writes (five fields, canonical numbers, no NaN), in
//!   canonical order, and its replicate belongs to its shard (`r mod N = I`);
//! - in the merged stream each series holds replicates `0, 1, 2, …` with none missing.
//!
//! Any fault refuses the merge (exit code 2) with the shard and the fault named, and nothing is
//! written.

use crate::ensemble::Shard;
use crate::name::Name;
use crate::output::{OutputDir, write_atomic};
use crate::records::{
    RECORDS_HEADER, Row, SummaryRow, TheoryRow, parse_record_line_into, parse_summary_csv,
    write_summary_csv,
};
use crate::rundir::{RunError, VERSION, write_json};
use crate::sink::{Quantiles, RecordSink, SummarySink};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// One shard directory, its manifest checked.
#[derive(Clone, Debug)]
pub struct ShardDir {
    /// The directory.
    pub dir: PathBuf,
    /// The manifest.
    pub manifest: serde_json::Value,
    /// Which shard it is.
    pub shard: Shard,
    /// Records its manifest declares.
    pub records: u64,
    records_digest: String,
    summary_digest: String,
}

/// The checked shards of one run.
#[derive(Clone, Debug)]
pub struct Shards {
    shards: Vec<ShardDir>,
    quantiles: Quantiles,
}

fn refuse(dir: &Path, why: impl std::fmt::Display) -> RunError {
    RunError::Refused(format!("merge: {}: {why}", dir.display()))
}

fn read_manifest(dir: &Path) -> Result<serde_json::Value, RunError> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| refuse(dir, format!("cannot read manifest.json: {e}")))?;
    serde_json::from_str(&text)
        .map_err(|e| refuse(dir, format!("manifest.json is not valid JSON: {e}")))
}

fn field<'a>(
    dir: &Path,
    m: &'a serde_json::Value,
    key: &str,
) -> Result<&'a serde_json::Value, RunError> {
    m.get(key)
        .ok_or_else(|| refuse(dir, format!("manifest.json has no `{key}`")))
}

impl ShardDir {
    /// Reads and checks one shard's manifest.
    pub fn open(dir: &Path) -> Result<Self, RunError> {
        let m = read_manifest(dir)?;
        if field(dir, &m, "complete")?.as_bool() != Some(true) {
            return Err(refuse(dir, "the manifest says the run did not finish"));
        }
        if field(dir, &m, "summary_only")?.as_bool() != Some(false) {
            return Err(refuse(
                dir,
                "the shard was run with --summary-only; shards need records.csv to be merged",
            ));
        }
        let shard: Shard = field(dir, &m, "shard")?
            .as_str()
            .unwrap_or("")
            .parse()
            .map_err(|e: String| refuse(dir, format!("the manifest's shard is invalid: {e}")))?;
        let records = field(dir, &m, "records")?
            .as_u64()
            .ok_or_else(|| refuse(dir, "the manifest's `records` is not a count"))?;
        let digest = |k: &str| -> Result<String, RunError> {
            field(dir, &m, k)?
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| refuse(dir, format!("the manifest's `{k}` is not a digest")))
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            records_digest: digest("records_xxh3")?,
            summary_digest: digest("summary_xxh3")?,
            records,
            shard,
            manifest: m,
        })
    }
}

impl ShardDir {
    /// Checks `records.csv` against the manifest's record count and digest (one pass, no
    /// parsing).
    pub fn verify_records(&self) -> Result<(), RunError> {
        use std::io::Read;
        let path = self.dir.join("records.csv");
        let mut f = File::open(&path)
            .map_err(|e| refuse(&self.dir, format!("cannot read records.csv: {e}")))?;
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut lines = 0u64;
        loop {
            let n = f
                .read(&mut buf)
                .map_err(|e| refuse(&self.dir, format!("cannot read records.csv: {e}")))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        }
        let records = lines.saturating_sub(1);
        if records != self.records {
            return Err(refuse(
                &self.dir,
                format!(
                    "records.csv holds {records} records but the manifest says {} (cut, extended or stale?)",
                    self.records
                ),
            ));
        }
        if format!("{:016x}", h.digest()) != self.records_digest {
            return Err(refuse(
                &self.dir,
                "records.csv does not match the digest in its manifest (edited, or from another run)",
            ));
        }
        Ok(())
    }
}

impl Shards {
    /// Reads every shard's manifest and checks that they are the shards of one run.
    pub fn open(dirs: &[PathBuf]) -> Result<Self, RunError> {
        if dirs.is_empty() {
            return Err(RunError::Refused("merge: no shard directory given".into()));
        }
        let shards: Vec<ShardDir> = dirs
            .iter()
            .map(|d| ShardDir::open(d))
            .collect::<Result<_, _>>()?;
        let first = &shards[0];
        for s in &shards[1..] {
            for key in ["experiment", "params", "seed", "version", "quantiles"] {
                if s.manifest.get(key) != first.manifest.get(key) {
                    return Err(refuse(
                        &s.dir,
                        format!(
                            "its `{key}` differs from {}'s; only the shards of one run can be merged",
                            first.dir.display()
                        ),
                    ));
                }
            }
            if s.shard.count != first.shard.count {
                return Err(refuse(
                    &s.dir,
                    format!(
                        "it is shard {} but {} is shard {}: different shard counts",
                        s.shard,
                        first.dir.display(),
                        first.shard
                    ),
                ));
            }
        }
        let n = first.shard.count;
        let mut owner: Vec<Option<&Path>> =
            vec![None; usize::try_from(n).unwrap_or(usize::MAX).min(1 << 20)];
        if owner.len() as u64 != n {
            return Err(refuse(&first.dir, format!("shard count {n} is too large")));
        }
        for s in &shards {
            if let Some(other) = owner[s.shard.index as usize] {
                return Err(refuse(
                    &s.dir,
                    format!(
                        "shard {} is given twice (also {})",
                        s.shard,
                        other.display()
                    ),
                ));
            }
            owner[s.shard.index as usize] = Some(&s.dir);
        }
        if let Some(missing) = owner.iter().position(Option::is_none) {
            return Err(RunError::Refused(format!(
                "merge: shard {missing}/{n} is missing; expected shards 0/{n} … {}/{n} exactly once each",
                n - 1
            )));
        }
        let quantiles = first
            .manifest
            .get("quantiles")
            .and_then(|q| q.as_str())
            .and_then(Quantiles::parse)
            .ok_or_else(|| {
                refuse(
                    &first.dir,
                    "the manifest's `quantiles` is not exact or none",
                )
            })?;
        if first.manifest.get("version").and_then(|v| v.as_str()) != Some(VERSION) {
            return Err(refuse(
                &first.dir,
                format!(
                    "written by version {}, and this is {VERSION}; merge with the version that ran the shards",
                    first
                        .manifest
                        .get("version")
                        .unwrap_or(&serde_json::Value::Null)
                ),
            ));
        }
        let mut shards = shards;
        shards.sort_by_key(|s| s.shard.index);
        Ok(Self { shards, quantiles })
    }

    /// Refuses a merge whose exact quantiles (8 bytes a record) exceed the memory available.
    fn check_fits(&self) -> Result<(), RunError> {
        if self.quantiles != Quantiles::Exact {
            return Ok(());
        }
        let records: u64 = self.shards.iter().map(|s| s.records).sum();
        let need = records as f64 * 8.0;
        match crate::output::available_memory() {
            Some(have) if need > have => Err(RunError::Refused(format!(
                "merge: exact quantiles of {records} records need about {} of memory and this machine has {} available; run the shards with --quantiles none (constant memory per group)",
                crate::output::fmt_bytes(need),
                crate::output::fmt_bytes(have)
            ))),
            _ => Ok(()),
        }
    }

    /// The experiment id.
    pub fn experiment(&self) -> &str {
        self.shards[0].manifest["experiment"].as_str().unwrap_or("")
    }

    /// The parameters as `(name, value)` text pairs.
    pub fn params(&self) -> Vec<(String, String)> {
        self.shards[0].manifest["params"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str().map_or_else(|| v.to_string(), str::to_string),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The parameters as the manifests hold them.
    pub fn params_json(&self) -> &serde_json::Value {
        &self.shards[0].manifest["params"]
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.shards[0].manifest["seed"].as_u64().unwrap_or(0)
    }

    /// The shard directories in shard order.
    pub fn dirs(&self) -> Vec<PathBuf> {
        self.shards.iter().map(|s| s.dir.clone()).collect()
    }

    /// The theory rows, read from every shard and required to agree, and the largest count of
    /// a measured group summed over the shards (the replicates a group can hold, a capacity
    /// hint for exact quantiles).
    fn theory(&self) -> Result<(Vec<TheoryRow>, u64), RunError> {
        let mut theory: Option<Vec<SummaryRow>> = None;
        let mut replicates = 0u64;
        for s in &self.shards {
            let path = s.dir.join("summary.csv");
            let bytes = std::fs::read(&path)
                .map_err(|e| refuse(&s.dir, format!("cannot read summary.csv: {e}")))?;
            if format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes)) != s.summary_digest {
                return Err(refuse(
                    &s.dir,
                    "summary.csv does not match the digest in its manifest (edited, cut, or from another run)",
                ));
            }
            let text =
                String::from_utf8(bytes).map_err(|_| refuse(&s.dir, "summary.csv is not UTF-8"))?;
            let all = parse_summary_csv(&text).map_err(|e| refuse(&s.dir, e))?;
            replicates += all
                .iter()
                .filter(|r| !r.metric.starts_with("theory_"))
                .map(|r| r.count)
                .max()
                .unwrap_or(0);
            let rows: Vec<SummaryRow> = all
                .into_iter()
                .filter(|r| r.metric.starts_with("theory_"))
                .collect();
            match &theory {
                None => theory = Some(rows),
                Some(t) if *t == rows => {}
                Some(_) => {
                    return Err(refuse(&s.dir, "its closed-form rows differ from shard 0's"));
                }
            }
        }
        let theory = theory
            .unwrap_or_default()
            .into_iter()
            .map(|r| TheoryRow {
                series: r.series,
                step: r.step,
                metric: r.metric,
                value: r.mean,
            })
            .collect();
        Ok((theory, replicates))
    }

    /// Merges into `out` (refusing an `out` that is one of the shards, or a non-empty directory
    /// without `force`). `finish` is called with the merged directory's temporary path and the
    /// summary before it is moved into place (to draw the figure). Returns the directory, the
    /// record count and the manifest.
    pub fn merge(
        &self,
        out: &Path,
        force: bool,
        finish: impl FnOnce(&Path, &[SummaryRow]) -> Result<(), RunError>,
    ) -> Result<(PathBuf, u64, serde_json::Value), RunError> {
        let dirs = self.dirs();
        let outdir = OutputDir::prepare(out, force, &dirs)?;
        self.check_fits()?;
        // Every file is checked against its manifest before any line is merged, so a fault is
        // blamed on the shard that has it.
        for s in &self.shards {
            s.verify_records()?;
        }
        let (theory, replicates) = self.theory()?;
        let mut summary = SummarySink::new(self.quantiles);
        summary.expect(replicates);
        let path = outdir.path().join("records.csv");
        let file = File::create(&path)
            .map_err(|e| RunError::Failed(format!("cannot write {}: {e}", path.display())))?;
        let mut w = BufWriter::with_capacity(1 << 18, file);
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        let header = format!("{RECORDS_HEADER}\n");
        hasher.update(header.as_bytes());
        let werr =
            |e: std::io::Error| RunError::Failed(format!("cannot write {}: {e}", path.display()));
        w.write_all(header.as_bytes()).map_err(werr)?;
        let mut readers: Vec<ShardReader> = self
            .shards
            .iter()
            .map(ShardReader::open)
            .collect::<Result<_, _>>()?;
        let mut heap = BinaryHeap::new();
        let mut names = NameCache::default();
        for (i, r) in readers.iter_mut().enumerate() {
            if let Some(key) = r.advance(&mut names)? {
                heap.push(Reverse((key, i)));
            }
        }
        let mut batch: Vec<Row> = Vec::new();
        let mut batch_key: Option<(Name, u64)> = None;
        let mut progress: Option<(Name, u64)> = None;
        let mut total = 0u64;
        while let Some(Reverse((_, i))) = heap.pop() {
            let r = &mut readers[i];
            let (series, replicate, step, metric, value) = r.current;
            let l = Parsed {
                replicate,
                step,
                value,
            };
            // Each series must hold replicates 0, 1, 2, … with none missing.
            let expected = match progress {
                Some((s, last)) if s == series => {
                    if l.replicate != last && l.replicate != last + 1 {
                        return Err(refuse(
                            &r.dir,
                            format!(
                                "series `{series}` has no replicate {} (the merged shards jump from {last} to {})",
                                last + 1,
                                l.replicate
                            ),
                        ));
                    }
                    true
                }
                _ => l.replicate == 0,
            };
            if !expected {
                return Err(refuse(
                    &r.dir,
                    format!(
                        "series `{series}` starts at replicate {} instead of 0",
                        l.replicate
                    ),
                ));
            }
            progress = Some((series, l.replicate));
            if batch_key != Some((series, l.replicate)) {
                if let Some((_, rep)) = batch_key {
                    summary.accept(rep, &batch).expect("memory sink");
                }
                batch.clear();
                batch_key = Some((series, l.replicate));
            }
            batch.push(Row {
                series,
                metric,
                step: l.step,
                value: l.value,
            });
            let bytes = r.raw();
            hasher.update(bytes);
            w.write_all(bytes).map_err(werr)?;
            total += 1;
            if let Some(key) = r.advance(&mut names)? {
                heap.push(Reverse((key, i)));
            }
        }
        if let Some((_, rep)) = batch_key {
            summary.accept(rep, &batch).expect("memory sink");
        }
        for r in &readers {
            r.verify()?;
        }
        w.flush().map_err(werr)?;
        drop(w);
        let rows = summary.finish(&theory);
        let mut text = Vec::new();
        write_summary_csv(&mut text, &rows).expect("writing to memory");
        write_atomic(&outdir.path().join("summary.csv"), &text)?;
        let first = &self.shards[0].manifest;
        let elapsed: f64 = self
            .shards
            .iter()
            .filter_map(|s| s.manifest.get("elapsed_seconds").and_then(|v| v.as_f64()))
            .sum();
        let manifest = serde_json::json!({
            "experiment": first["experiment"],
            "params": first["params"],
            "seed": first["seed"],
            "shard": "0/1",
            "merged_from": self.shards.len(),
            "version": VERSION,
            "elapsed_seconds": elapsed,
            "records": total,
            "summary_only": false,
            "quantiles": self.quantiles.name(),
            "complete": true,
            "records_xxh3": format!("{:016x}", hasher.digest()),
            "summary_xxh3": format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&text)),
        });
        finish(outdir.path(), &rows)?;
        write_json(&outdir.path().join("manifest.json"), &manifest)?;
        let dir = outdir.commit()?;
        Ok((dir, total, manifest))
    }
}

/// Local text → name cache (interning takes a lock; a file has few distinct names).
#[derive(Default)]
struct NameCache {
    known: Vec<(Box<str>, Name)>,
}

impl NameCache {
    fn get(&mut self, text: &str) -> Result<Name, String> {
        if let Some((_, n)) = self.known.iter().find(|(t, _)| &**t == text) {
            return Ok(*n);
        }
        let n = Name::try_new(text).map_err(|e| e.to_string())?;
        if self.known.len() < 64 {
            self.known.push((text.into(), n));
        }
        Ok(n)
    }
}

/// The canonical key of a line: names compare as text.
type Key = (Name, u64, u64, Name);

/// The numbers of the line being merged.
struct Parsed {
    replicate: u64,
    step: u64,
    value: f64,
}

/// Reads one shard's `records.csv` line by line, checking as it goes.
struct ShardReader {
    dir: PathBuf,
    shard: Shard,
    reader: BufReader<File>,
    buf: String,
    line_no: u64,
    count: u64,
    declared: u64,
    last: Option<Key>,
    /// The line read last, parsed: (series, replicate, step, metric, value).
    current: (Name, u64, u64, Name, f64),
    /// Scratch for the canonical text of a number.
    text: Vec<u8>,
    hasher: xxhash_rust::xxh3::Xxh3,
    digest: String,
}

impl ShardReader {
    fn open(s: &ShardDir) -> Result<Self, RunError> {
        let path = s.dir.join("records.csv");
        let file = File::open(&path)
            .map_err(|e| refuse(&s.dir, format!("cannot read records.csv: {e}")))?;
        let mut r = Self {
            dir: s.dir.clone(),
            shard: s.shard,
            reader: BufReader::with_capacity(1 << 18, file),
            buf: String::new(),
            line_no: 0,
            count: 0,
            declared: s.records,
            last: None,
            current: (Name::new("-"), 0, 0, Name::new("-"), 0.0),
            text: Vec::with_capacity(32),
            hasher: xxhash_rust::xxh3::Xxh3::new(),
            digest: s.records_digest.clone(),
        };
        r.read_line()?;
        if r.buf != format!("{RECORDS_HEADER}\n") {
            return Err(refuse(
                &r.dir,
                format!("records.csv does not start with `{RECORDS_HEADER}`"),
            ));
        }
        r.hasher.update(r.buf.as_bytes());
        Ok(r)
    }

    fn read_line(&mut self) -> Result<usize, RunError> {
        self.buf.clear();
        self.line_no += 1;
        self.reader
            .read_line(&mut self.buf)
            .map_err(|e| refuse(&self.dir, format!("records.csv line {}: {e}", self.line_no)))
    }

    /// Reads the next line; returns its key, or `None` at the end.
    fn advance(&mut self, names: &mut NameCache) -> Result<Option<Key>, RunError> {
        if self.read_line()? == 0 {
            return Ok(None);
        }
        let bad = |why: String| {
            refuse(
                &self.dir,
                format!("records.csv line {}: {why}", self.line_no),
            )
        };
        if !self.buf.ends_with('\n') {
            return Err(bad("the file ends in the middle of a line (cut?)".into()));
        }
        self.hasher.update(self.buf.as_bytes());
        let line = &self.buf[..self.buf.len() - 1];
        let l = parse_record_line_into(line, &mut self.text)
            .map_err(|e| bad(format!("{e}: `{line}`")))?;
        if !self.shard.contains(l.replicate) {
            return Err(bad(format!(
                "replicate {} does not belong to shard {} (r mod {} = {})",
                l.replicate,
                self.shard,
                self.shard.count,
                l.replicate % self.shard.count
            )));
        }
        let series = names.get(l.series).map_err(&bad)?;
        let metric = names.get(l.metric).map_err(&bad)?;
        let key: Key = (series, l.replicate, l.step, metric);
        if let Some(last) = self.last
            && key <= last
        {
            return Err(bad(if key == last {
                "the same record twice".into()
            } else {
                "out of canonical order (series, replicate, step, metric)".into()
            }));
        }
        self.last = Some(key);
        self.current = (series, l.replicate, l.step, metric, l.value);
        self.count += 1;
        Ok(Some(key))
    }

    fn raw(&self) -> &[u8] {
        self.buf.as_bytes()
    }

    fn verify(&self) -> Result<(), RunError> {
        if self.count != self.declared {
            return Err(refuse(
                &self.dir,
                format!(
                    "records.csv holds {} records but the manifest says {}",
                    self.count, self.declared
                ),
            ));
        }
        if format!("{:016x}", self.hasher.digest()) != self.digest {
            return Err(refuse(
                &self.dir,
                "records.csv does not match the digest in its manifest (edited, or from another run)",
            ));
        }
        Ok(())
    }
}
