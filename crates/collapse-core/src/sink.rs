//! Where records go: sinks that receive each replicate's rows in replicate order.
//!
//! A run never holds its records. Each replicate fills a [`Rows`] batch; the ensemble
//! ([`crate::RunContext::replicates`]) puts the batch in canonical order and hands the batches
//! to a [`RecordSink`] in increasing replicate order, whichever thread computed them. The
//! sinks keep only what their output needs:
//!
//! - [`SummarySink`]: per (series, step, metric) the values (exact quantiles, 8 bytes a value)
//!   or three numbers ([`Quantiles::None`]: mean, standard error and count in constant memory);
//! - [`CsvSink`]: `records.csv`, written as the rows arrive, in bounded memory;
//! - [`MemorySink`]: the records themselves, for figures and tests that need them.
//!
//! Several sinks are fed at once through [`Fanout`].

use crate::name::Name;
use crate::records::{RECORDS_HEADER, Record, Row, SummaryRow, TheoryRow, write_record_line};
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The rows one replicate emits.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    replicate: u64,
    rows: Vec<Row>,
}

impl Rows {
    /// An empty batch for replicate `replicate`.
    pub fn new(replicate: u64) -> Self {
        Self {
            replicate,
            rows: Vec::new(),
        }
    }

    /// The replicate the rows belong to.
    pub fn replicate(&self) -> u64 {
        self.replicate
    }

    /// Adds one measured value.
    #[inline]
    pub fn push(&mut self, series: Name, step: u64, metric: Name, value: f64) {
        self.rows.push(Row {
            series,
            metric,
            step,
            value,
        });
    }

    /// Reserves room for `n` more rows.
    pub fn reserve(&mut self, n: usize) {
        self.rows.reserve(n);
    }

    /// The rows.
    pub fn as_slice(&self) -> &[Row] {
        &self.rows
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Puts the rows in canonical order (series, step, metric). Rows emitted in that order,
    /// as most families do, cost one pass to confirm; others are sorted. A key emitted twice
    /// is an error: a record is identified by (series, replicate, step, metric).
    pub fn canonicalize(&mut self) -> Result<(), String> {
        // Rows of one step cycle through the same metric pairs every generation; remember the
        // pairs already compared so the check costs an integer comparison, not a string one.
        let mut known = [u64::MAX; 8];
        let mut next = 0;
        let in_order = self.rows.windows(2).all(|w| {
            let (a, b) = (&w[0], &w[1]);
            if a.series == b.series && a.step == b.step && a.metric != b.metric {
                let pair = (u64::from(a.metric.id()) << 32) | u64::from(b.metric.id());
                if known.contains(&pair) {
                    return true;
                }
                if a.metric < b.metric {
                    known[next % known.len()] = pair;
                    next += 1;
                    return true;
                }
                return false;
            }
            a.precedes(b)
        });
        if !in_order {
            self.rows.sort_by_key(|r| (r.series, r.step, r.metric));
            if let Some(w) = self.rows.windows(2).find(|w| !w[0].precedes(&w[1])) {
                return Err(format!(
                    "replicate {} emits metric `{}` at step {} of series `{}` twice",
                    self.replicate, w[0].metric, w[0].step, w[0].series
                ));
            }
        }
        Ok(())
    }
}

/// Why a sink could not take rows.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// Writing failed (a full disk, a removed directory).
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// Rows arrived out of canonical order: a programming error in the experiment (a series
    /// emitted in two passes, replicates out of order).
    #[error("records out of canonical order: {0}")]
    Order(String),
}

/// Receives replicates' rows, each batch in canonical order, replicates in increasing order
/// within each series.
pub trait RecordSink: Send {
    /// A pass over `replicates` replicates is about to start (a capacity hint).
    fn expect(&mut self, _replicates: u64) {}
    /// Takes one replicate's rows.
    fn accept(&mut self, replicate: u64, rows: &[Row]) -> Result<(), SinkError>;
    /// Takes consecutive replicates' batches, in replicate order (a sink may spread the work
    /// over threads; by default each batch goes to [`RecordSink::accept`]).
    fn accept_block(&mut self, batches: &[Rows]) -> Result<(), SinkError> {
        for b in batches {
            self.accept(b.replicate(), b.as_slice())?;
        }
        Ok(())
    }
}

/// A sink that drops everything (a run whose records nobody reads).
#[derive(Clone, Copy, Debug, Default)]
pub struct Discard;

impl RecordSink for Discard {
    fn accept(&mut self, _: u64, _: &[Row]) -> Result<(), SinkError> {
        Ok(())
    }
}

/// Feeds every sink it holds.
#[derive(Default)]
pub struct Fanout<'a> {
    sinks: Vec<&'a mut (dyn RecordSink + 'a)>,
}

impl<'a> Fanout<'a> {
    /// No sink yet.
    pub fn new() -> Self {
        Self { sinks: Vec::new() }
    }
    /// Adds a sink.
    pub fn with(mut self, sink: &'a mut (dyn RecordSink + 'a)) -> Self {
        self.sinks.push(sink);
        self
    }
}

impl RecordSink for Fanout<'_> {
    fn expect(&mut self, replicates: u64) {
        for s in &mut self.sinks {
            s.expect(replicates);
        }
    }
    fn accept(&mut self, replicate: u64, rows: &[Row]) -> Result<(), SinkError> {
        for s in &mut self.sinks {
            s.accept(replicate, rows)?;
        }
        Ok(())
    }
    fn accept_block(&mut self, batches: &[Rows]) -> Result<(), SinkError> {
        for s in &mut self.sinks {
            s.accept_block(batches)?;
        }
        Ok(())
    }
}

/// Keeps every record in memory (figures and tests).
#[derive(Clone, Debug, Default)]
pub struct MemorySink {
    records: Vec<Record>,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }
    /// The records in canonical order.
    pub fn into_records(mut self) -> Vec<Record> {
        // Batches arrive in replicate order per series; series may interleave.
        crate::records::sort_records(&mut self.records);
        self.records
    }
}

impl RecordSink for MemorySink {
    fn accept(&mut self, replicate: u64, rows: &[Row]) -> Result<(), SinkError> {
        self.records.extend(rows.iter().map(|r| Record {
            series: r.series,
            replicate,
            step: r.step,
            metric: r.metric,
            value: r.value,
        }));
        Ok(())
    }
}

/// What the summary keeps of each group's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Quantiles {
    /// Every value (8 bytes each): exact 5/50/95 % quantiles.
    #[default]
    Exact,
    /// Constant memory per group: mean, standard error and count; quantiles left empty.
    None,
}

impl Quantiles {
    /// The names `--quantiles` accepts.
    pub const NAMES: &'static [&'static str] = &["exact", "none"];

    /// The option's word.
    pub fn name(self) -> &'static str {
        match self {
            Quantiles::Exact => "exact",
            Quantiles::None => "none",
        }
    }

    /// Parses `exact` or `none`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "exact" => Some(Quantiles::Exact),
            "none" => Some(Quantiles::None),
            _ => None,
        }
    }
}

/// One group's accumulator.
#[derive(Clone, Debug)]
enum Acc {
    Values(Vec<f64>),
    /// Plain sum (so the mean is the same number as in exact mode), and Welford's running
    /// mean and sum of squared deviations over the finite values for the standard error.
    Moments {
        n: u64,
        sum: f64,
        mean: f64,
        m2: f64,
    },
}

impl Acc {
    #[inline]
    fn push(&mut self, x: f64) {
        match self {
            Acc::Values(v) => v.push(x),
            Acc::Moments { n, sum, mean, m2 } => {
                *n += 1;
                *sum += x;
                if x.is_finite() {
                    let d = x - *mean;
                    *mean += d / *n as f64;
                    *m2 += d * (x - *mean);
                }
            }
        }
    }

    fn row(self, series: Name, step: u64, metric: Name) -> SummaryRow {
        match self {
            Acc::Values(mut values) => {
                let n = values.len();
                let (mean, std_error) = crate::stats::mean_and_se(&values);
                let [q05, q50, q95] =
                    crate::stats::quantiles_unsorted(&mut values, [0.05, 0.5, 0.95]);
                SummaryRow {
                    series,
                    step,
                    metric,
                    count: n as u64,
                    mean,
                    std_error,
                    q05,
                    q50,
                    q95,
                }
            }
            Acc::Moments { n, sum, m2, .. } => {
                let mean = sum / n as f64;
                let std_error = if !mean.is_finite() {
                    f64::INFINITY
                } else if n < 2 {
                    0.0
                } else {
                    (m2 / (n - 1) as f64).sqrt() / (n as f64).sqrt()
                };
                SummaryRow {
                    series,
                    step,
                    metric,
                    count: n,
                    mean,
                    std_error,
                    q05: f64::NAN,
                    q50: f64::NAN,
                    q95: f64::NAN,
                }
            }
        }
    }
}

/// Where the groups of one (series, metric) are: indices into the group list, dense by step
/// where steps are small, sparse beyond.
#[derive(Clone, Debug, Default)]
struct StepIndex {
    dense: Vec<u32>,
    sparse: BTreeMap<u64, u32>,
}

/// Steps below this are kept in a vector indexed by step.
const DENSE_STEPS: u64 = 1 << 16;

/// One (series, step, metric) group and what it keeps.
#[derive(Clone, Debug)]
struct Group {
    series: Name,
    step: u64,
    metric: Name,
    acc: Acc,
}

/// Summarises as rows arrive: mean, standard error, count and (optionally) quantiles per
/// (series, step, metric).
#[derive(Clone, Debug)]
pub struct SummarySink {
    quantiles: Quantiles,
    groups: Vec<Group>,
    tables: Vec<StepIndex>,
    index: HashMap<(Name, Name), usize>,
    /// The series of the last row, and table index + 1 by metric id for that series.
    cache_series: Option<Name>,
    cache: Vec<u32>,
    /// The keys of the last batch and their groups: replicates of one experiment usually emit
    /// the same keys in the same order, and then a batch costs one comparison a row.
    layout: Vec<(Name, u64, Name)>,
    layout_groups: Vec<u32>,
    /// Whether the layout's groups are consecutive ids in position order (then positions split
    /// into ranges that touch disjoint groups, and a block's pushes can run in parallel).
    layout_consecutive: bool,
    capacity: usize,
}

impl SummarySink {
    /// An empty summary keeping `quantiles`.
    pub fn new(quantiles: Quantiles) -> Self {
        Self {
            quantiles,
            groups: Vec::new(),
            tables: Vec::new(),
            index: HashMap::new(),
            cache_series: None,
            cache: Vec::new(),
            layout: Vec::new(),
            layout_groups: Vec::new(),
            layout_consecutive: false,
            capacity: 0,
        }
    }

    /// What it keeps.
    pub fn quantiles(&self) -> Quantiles {
        self.quantiles
    }

    #[inline]
    fn table(&mut self, series: Name, metric: Name) -> usize {
        if self.cache_series != Some(series) {
            self.cache_series = Some(series);
            self.cache.clear();
        }
        let m = metric.id() as usize;
        if let Some(&t) = self.cache.get(m)
            && t != 0
        {
            return t as usize - 1;
        }
        let next = self.tables.len();
        let t = *self.index.entry((series, metric)).or_insert(next);
        if t == next {
            self.tables.push(StepIndex::default());
        }
        if self.cache.len() <= m {
            self.cache.resize(m + 1, 0);
        }
        self.cache[m] = t as u32 + 1;
        t
    }

    /// The group of a row, created on first sight.
    fn group(&mut self, r: &Row) -> u32 {
        let t = self.table(r.series, r.metric);
        let slot = if r.step < DENSE_STEPS {
            let dense = &mut self.tables[t].dense;
            let s = r.step as usize;
            if dense.len() <= s {
                dense.resize(s + 1, 0);
            }
            dense[s]
        } else {
            self.tables[t].sparse.get(&r.step).map_or(0, |g| g + 1)
        };
        if slot != 0 {
            return slot - 1;
        }
        let g = self.groups.len() as u32;
        let acc = match self.quantiles {
            Quantiles::Exact => Acc::Values(Vec::with_capacity(self.capacity)),
            Quantiles::None => Acc::Moments {
                n: 0,
                sum: 0.0,
                mean: 0.0,
                m2: 0.0,
            },
        };
        self.groups.push(Group {
            series: r.series,
            step: r.step,
            metric: r.metric,
            acc,
        });
        if r.step < DENSE_STEPS {
            self.tables[t].dense[r.step as usize] = g + 1;
        } else {
            self.tables[t].sparse.insert(r.step, g);
        }
        g
    }

    fn same_layout(&self, rows: &[Row]) -> bool {
        rows.len() == self.layout.len()
            && rows
                .iter()
                .zip(&self.layout)
                .all(|(r, k)| (r.series, r.step, r.metric) == *k)
    }

    /// Pushes the values of batches that all have the current layout. The positions are split
    /// into as many ranges as there are worker threads; with consecutive group ids each range
    /// owns a disjoint slice of the groups, and each group still receives its values in
    /// replicate order.
    fn push_run(&mut self, batches: &[Rows]) {
        let n = self.layout.len();
        let threads = rayon::current_num_threads();
        if !self.layout_consecutive || threads < 2 || n * batches.len() < 1 << 14 || n < threads {
            for b in batches {
                for (r, &g) in b.as_slice().iter().zip(&self.layout_groups) {
                    self.groups[g as usize].acc.push(r.value);
                }
            }
            return;
        }
        let first = self.layout_groups[0] as usize;
        let mut rest = &mut self.groups[first..first + n];
        let mut parts = Vec::with_capacity(threads);
        let per = n.div_ceil(threads);
        let mut start = 0;
        while start < n {
            let len = per.min(n - start);
            let (head, tail) = rest.split_at_mut(len);
            parts.push((start, head));
            rest = tail;
            start += len;
        }
        rayon::scope(|scope| {
            for (start, groups) in parts {
                scope.spawn(move |_| {
                    for b in batches {
                        let rows = &b.as_slice()[start..start + groups.len()];
                        for (g, r) in groups.iter_mut().zip(rows) {
                            g.acc.push(r.value);
                        }
                    }
                });
            }
        });
    }

    /// The summary rows of everything received plus the theory rows, in summary order
    /// (series, step, metric).
    pub fn finish(self, theory: &[TheoryRow]) -> Vec<SummaryRow> {
        use rayon::prelude::*;
        // Groups are independent: their quantile selections run in parallel.
        let mut rows: Vec<SummaryRow> = self
            .groups
            .into_par_iter()
            .map(|g| g.acc.row(g.series, g.step, g.metric))
            .collect();
        rows.extend(theory.iter().map(SummaryRow::theory));
        rows.sort_by_key(|r| r.key());
        rows
    }
}

impl RecordSink for SummarySink {
    fn expect(&mut self, replicates: u64) {
        // Each group gets about one value per replicate; reserving avoids the doubling that
        // would otherwise waste up to half of the largest allocation.
        self.capacity = usize::try_from(replicates)
            .unwrap_or(usize::MAX)
            .min(1 << 24);
    }

    fn accept(&mut self, _replicate: u64, rows: &[Row]) -> Result<(), SinkError> {
        if self.same_layout(rows) {
            for (r, &g) in rows.iter().zip(&self.layout_groups) {
                self.groups[g as usize].acc.push(r.value);
            }
            return Ok(());
        }
        self.layout.clear();
        self.layout_groups.clear();
        for r in rows {
            let g = self.group(r);
            self.groups[g as usize].acc.push(r.value);
            self.layout.push((r.series, r.step, r.metric));
            self.layout_groups.push(g);
        }
        self.layout_consecutive = self.layout_groups.windows(2).all(|w| w[1] == w[0] + 1);
        Ok(())
    }

    fn accept_block(&mut self, batches: &[Rows]) -> Result<(), SinkError> {
        let mut i = 0;
        while i < batches.len() {
            if !self.same_layout(batches[i].as_slice()) {
                self.accept(batches[i].replicate(), batches[i].as_slice())?;
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < batches.len() && self.same_layout(batches[j].as_slice()) {
                j += 1;
            }
            self.push_run(&batches[i..j]);
            i = j;
        }
        Ok(())
    }
}

/// Writes `records.csv` as rows arrive.
///
/// Each series goes to its own part file as it arrives (so series computed in any order, or
/// interleaved inside a replicate, cost no memory); [`CsvSink::finish`] joins the parts in
/// series order. A run whose series arrive in order has one part, which is renamed into place.
pub struct CsvSink {
    path: PathBuf,
    parts: HashMap<Name, Part>,
    hasher: Option<xxhash_rust::xxh3::Xxh3>,
    records: u64,
}

struct Part {
    path: PathBuf,
    out: BufWriter<File>,
    last_replicate: u64,
    has_header: bool,
}

/// What [`CsvSink::finish`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvWritten {
    /// Number of records.
    pub records: u64,
    /// xxh3-64 of the whole file.
    pub digest: u64,
}

impl CsvSink {
    /// A sink that will write `path` (its part files go beside it and are removed by
    /// [`CsvSink::finish`]).
    pub fn create(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            parts: HashMap::new(),
            hasher: None,
            records: 0,
        }
    }

    fn io(path: &Path) -> impl FnOnce(io::Error) -> SinkError + '_ {
        move |source| SinkError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Joins the parts into the final file and returns its record count and digest.
    pub fn finish(mut self) -> Result<CsvWritten, SinkError> {
        let mut parts: Vec<(Name, Part)> = self.parts.drain().collect();
        parts.sort_by_key(|(s, _)| *s);
        for (_, p) in &mut parts {
            p.out.flush().map_err(Self::io(&p.path))?;
        }
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        let header = format!("{RECORDS_HEADER}\n");
        let first_has_header = parts.first().is_some_and(|(_, p)| p.has_header);
        if first_has_header {
            // The first series in order was also the first to arrive: its part already starts
            // with the header, and the other parts are appended to it.
            let (_, first) = parts.remove(0);
            let f = first.out.into_inner().map_err(|e| SinkError::Io {
                path: first.path.clone(),
                source: e.into_error(),
            })?;
            drop(f);
            let mut h = self
                .hasher
                .take()
                .expect("the first part hashes as it goes");
            let mut out = std::fs::OpenOptions::new()
                .append(true)
                .open(&first.path)
                .map_err(Self::io(&first.path))?;
            for (_, p) in parts {
                drop(p.out);
                copy_hashed(&p.path, &mut out, &mut h)?;
                std::fs::remove_file(&p.path).map_err(Self::io(&p.path))?;
            }
            out.flush().map_err(Self::io(&first.path))?;
            std::fs::rename(&first.path, &self.path).map_err(Self::io(&self.path))?;
            return Ok(CsvWritten {
                records: self.records,
                digest: h.digest(),
            });
        }
        let mut out = File::create(&self.path).map_err(Self::io(&self.path))?;
        hasher.update(header.as_bytes());
        out.write_all(header.as_bytes())
            .map_err(Self::io(&self.path))?;
        for (_, p) in parts {
            let header_len = if p.has_header { header.len() as u64 } else { 0 };
            drop(p.out);
            copy_hashed_from(&p.path, header_len, &mut out, &mut hasher)?;
            std::fs::remove_file(&p.path).map_err(Self::io(&p.path))?;
        }
        out.flush().map_err(Self::io(&self.path))?;
        Ok(CsvWritten {
            records: self.records,
            digest: hasher.digest(),
        })
    }
}

fn copy_hashed(
    from: &Path,
    to: &mut File,
    hasher: &mut xxhash_rust::xxh3::Xxh3,
) -> Result<(), SinkError> {
    copy_hashed_from(from, 0, to, hasher)
}

fn copy_hashed_from(
    from: &Path,
    skip: u64,
    to: &mut File,
    hasher: &mut xxhash_rust::xxh3::Xxh3,
) -> Result<(), SinkError> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = File::open(from).map_err(CsvSink::io(from))?;
    f.seek(SeekFrom::Start(skip)).map_err(CsvSink::io(from))?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(CsvSink::io(from))?;
        if n == 0 {
            return Ok(());
        }
        hasher.update(&buf[..n]);
        to.write_all(&buf[..n]).map_err(|source| SinkError::Io {
            path: from.to_path_buf(),
            source,
        })?;
    }
}

/// A writer that hashes what passes through it.
struct Hashing<'a, W: Write> {
    inner: &'a mut W,
    hasher: Option<&'a mut xxhash_rust::xxh3::Xxh3>,
}

impl<W: Write> Write for Hashing<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl RecordSink for CsvSink {
    fn accept(&mut self, replicate: u64, rows: &[Row]) -> Result<(), SinkError> {
        let mut i = 0;
        while i < rows.len() {
            let series = rows[i].series;
            let mut end = i;
            while end < rows.len() && rows[end].series == series {
                end += 1;
            }
            if !self.parts.contains_key(&series) {
                let first = self.parts.is_empty();
                let name = self.path.file_name().map_or_else(
                    || "records.csv".into(),
                    |n| n.to_string_lossy().into_owned(),
                );
                let path = self
                    .path
                    .with_file_name(format!(".{name}.part{}", self.parts.len()));
                let file = File::create(&path).map_err(Self::io(&path))?;
                let mut out = BufWriter::with_capacity(1 << 18, file);
                if first {
                    let mut h = xxhash_rust::xxh3::Xxh3::new();
                    let header = format!("{RECORDS_HEADER}\n");
                    h.update(header.as_bytes());
                    out.write_all(header.as_bytes()).map_err(Self::io(&path))?;
                    self.hasher = Some(h);
                }
                self.parts.insert(
                    series,
                    Part {
                        path,
                        out,
                        last_replicate: replicate,
                        has_header: first,
                    },
                );
            }
            let part = self.parts.get_mut(&series).expect("inserted above");
            if replicate < part.last_replicate {
                return Err(SinkError::Order(format!(
                    "series `{series}`: replicate {replicate} after replicate {}",
                    part.last_replicate
                )));
            }
            part.last_replicate = replicate;
            let mut w = Hashing {
                inner: &mut part.out,
                hasher: if part.has_header {
                    self.hasher.as_mut()
                } else {
                    None
                },
            };
            for r in &rows[i..end] {
                write_record_line(&mut w, r.series, replicate, r.step, r.metric, r.value).map_err(
                    |source| SinkError::Io {
                        path: part.path.clone(),
                        source,
                    },
                )?;
            }
            self.records += (end - i) as u64;
            i = end;
        }
        Ok(())
    }
}

impl Drop for CsvSink {
    fn drop(&mut self) {
        // A sink dropped without `finish` (a failed run) leaves no part behind.
        for (_, p) in self.parts.drain() {
            drop(p.out);
            let _ = std::fs::remove_file(&p.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(series: &str, steps: u64, base: f64) -> Vec<Row> {
        let (s, a, b) = (Name::new(series), Name::new("a"), Name::new("b"));
        (0..steps)
            .flat_map(|t| {
                [
                    Row {
                        series: s,
                        metric: a,
                        step: t,
                        value: base + t as f64,
                    },
                    Row {
                        series: s,
                        metric: b,
                        step: t,
                        value: -base,
                    },
                ]
            })
            .collect()
    }

    #[test]
    fn summary_modes_agree_on_mean_and_count() {
        let mut exact = SummarySink::new(Quantiles::Exact);
        let mut none = SummarySink::new(Quantiles::None);
        for r in 0..50u64 {
            let batch = rows("s", 3, r as f64 * 0.37);
            exact.accept(r, &batch).unwrap();
            none.accept(r, &batch).unwrap();
        }
        let (e, n) = (exact.finish(&[]), none.finish(&[]));
        assert_eq!(e.len(), 6);
        for (x, y) in e.iter().zip(&n) {
            assert_eq!((x.key(), x.count, x.mean), (y.key(), y.count, y.mean));
            assert!((x.std_error - y.std_error).abs() <= 1e-12 * x.std_error.max(1.0));
            assert!(y.q50.is_nan() && !x.q50.is_nan());
        }
    }

    #[test]
    fn csv_parts_join_in_series_order_and_the_digest_is_the_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.csv");
        let mut sink = CsvSink::create(&path);
        let mut mem = MemorySink::new();
        // Series `z` arrives first, then `a` and `m` interleaved inside replicates.
        for r in 0..4u64 {
            let b = rows("z", 2, r as f64);
            sink.accept(r, &b).unwrap();
            mem.accept(r, &b).unwrap();
        }
        for r in 0..4u64 {
            let mut b = rows("a", 2, r as f64);
            b.extend(rows("m", 1, 1.0));
            sink.accept(r, &b).unwrap();
            mem.accept(r, &b).unwrap();
        }
        let w = sink.finish().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, crate::records::records_csv(&mem.into_records()));
        assert_eq!(w.records, 4 * (4 + 4 + 2));
        assert_eq!(w.digest, xxhash_rust::xxh3::xxh3_64(text.as_bytes()));
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no part file is left behind");
    }

    #[test]
    fn a_series_in_order_is_renamed_not_copied() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.csv");
        let mut sink = CsvSink::create(&path);
        for r in 0..3u64 {
            sink.accept(r, &rows("a", 2, 1.0)).unwrap();
        }
        for r in 0..3u64 {
            sink.accept(r, &rows("b", 2, 1.0)).unwrap();
        }
        let w = sink.finish().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(w.digest, xxhash_rust::xxh3::xxh3_64(text.as_bytes()));
        assert!(text.starts_with(RECORDS_HEADER));
        assert_eq!(text.lines().count(), 1 + 2 * 3 * 4);
        let mut bad = CsvSink::create(dir.path().join("x.csv"));
        bad.accept(3, &rows("a", 1, 0.0)).unwrap();
        assert!(matches!(
            bad.accept(2, &rows("a", 1, 0.0)),
            Err(SinkError::Order(_))
        ));
    }

    #[test]
    fn rows_are_put_in_canonical_order() {
        let (s, a, b) = (Name::new("s"), Name::new("a"), Name::new("b"));
        let mut r = Rows::new(0);
        r.push(s, 1, a, 1.0);
        r.push(s, 0, b, 2.0);
        r.push(s, 0, a, 3.0);
        r.canonicalize().unwrap();
        let keys: Vec<_> = r
            .as_slice()
            .iter()
            .map(|x| (x.step, x.metric.as_str()))
            .collect();
        assert_eq!(keys, [(0, "a"), (0, "b"), (1, "a")]);
        r.push(s, 0, b, 4.0);
        assert!(r.canonicalize().unwrap_err().contains("twice"));
    }
}
