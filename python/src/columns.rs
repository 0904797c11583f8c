//! Records and summaries as columns: one vector per field, handed to numpy as they are (numpy
//! takes ownership of each vector's buffer; no value is copied a second time).
//!
//! Text fields (series, metric) are codes into a list of names sorted as text, so a column of
//! millions of records holds no Python string per record, and the codes sort like the names.
//! A table's columns stay in Rust ([`Columns`]) until Python first reads them.

use collapse_core::Name;
use collapse_core::records::{Row, SummaryRow};
use collapse_core::sink::{RecordSink, Rows, SinkError};
use numpy::{IntoPyArray, PyArray1};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use std::sync::Mutex;

/// Bytes a record takes as columns: codes (4 + 4), replicate (8), step (8), value (8).
pub const BYTES_PER_RECORD: f64 = 32.0;

/// Records as columns in canonical order (series, replicate, step, metric).
#[derive(Debug, Default)]
pub struct RecordColumns {
    series: Vec<u32>,
    series_names: Vec<&'static str>,
    replicate: Vec<u64>,
    step: Vec<u64>,
    metric: Vec<u32>,
    metric_names: Vec<&'static str>,
    value: Vec<f64>,
}

impl RecordColumns {
    /// The columns as a dict of numpy arrays (text columns as `(codes, names)`), moving each
    /// vector into its array.
    fn into_py(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("series", labels(py, self.series, &self.series_names)?)?;
        d.set_item("replicate", self.replicate.into_pyarray(py))?;
        d.set_item("step", self.step.into_pyarray(py))?;
        d.set_item("metric", labels(py, self.metric, &self.metric_names)?)?;
        d.set_item("value", self.value.into_pyarray(py))?;
        Ok(d)
    }
}

/// A text column for Python: `(codes, names)`.
fn labels<'py>(
    py: Python<'py>,
    codes: Vec<u32>,
    names: &[&'static str],
) -> PyResult<Bound<'py, PyTuple>> {
    let codes: Bound<'py, PyArray1<u32>> = codes.into_pyarray(py);
    let names = PyList::new(py, names)?;
    PyTuple::new(py, [codes.into_any(), names.into_any()])
}

/// A summary as a dict of numpy arrays (text columns as `(codes, names)`).
fn summary_into_py<'py>(py: Python<'py>, rows: &[SummaryRow]) -> PyResult<Bound<'py, PyDict>> {
    let (series, series_names) = encode(rows.iter().map(|r| r.series));
    let (metric, metric_names) = encode(rows.iter().map(|r| r.metric));
    let floats = |f: fn(&SummaryRow) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let ints = |f: fn(&SummaryRow) -> u64| rows.iter().map(f).collect::<Vec<u64>>();
    let d = PyDict::new(py);
    d.set_item("series", labels(py, series, &series_names)?)?;
    d.set_item("step", ints(|r| r.step).into_pyarray(py))?;
    d.set_item("metric", labels(py, metric, &metric_names)?)?;
    d.set_item("count", ints(|r| r.count).into_pyarray(py))?;
    d.set_item("mean", floats(|r| r.mean).into_pyarray(py))?;
    d.set_item("std_error", floats(|r| r.std_error).into_pyarray(py))?;
    d.set_item("q05", floats(|r| r.q05).into_pyarray(py))?;
    d.set_item("q50", floats(|r| r.q50).into_pyarray(py))?;
    d.set_item("q95", floats(|r| r.q95).into_pyarray(py))?;
    Ok(d)
}

/// The column names of a summary, in order.
const SUMMARY_COLUMNS: &[&str] = &[
    "series",
    "step",
    "metric",
    "count",
    "mean",
    "std_error",
    "q05",
    "q50",
    "q95",
];

/// The column names of records, in order.
const RECORD_COLUMNS: &[&str] = &["series", "replicate", "step", "metric", "value"];

/// What a [`Columns`] holds until Python asks for the arrays.
enum Held {
    Summary(Vec<SummaryRow>),
    Records(RecordColumns),
}

/// A table's columns, held in Rust until Python first reads them: then [`Columns::take`]
/// moves each vector into a numpy array. Until then no numpy is needed (a run whose caller
/// only writes files, or reads one number, does not pay for importing numpy).
#[pyclass(module = "collapse._native", frozen)]
pub struct Columns {
    rows: usize,
    names: &'static [&'static str],
    held: Mutex<Option<Held>>,
}

impl Columns {
    /// A summary's columns.
    pub fn summary(rows: Vec<SummaryRow>) -> Self {
        Self {
            rows: rows.len(),
            names: SUMMARY_COLUMNS,
            held: Mutex::new(Some(Held::Summary(rows))),
        }
    }

    /// Records' columns.
    pub fn records(columns: RecordColumns) -> Self {
        Self {
            rows: columns.value.len(),
            names: RECORD_COLUMNS,
            held: Mutex::new(Some(Held::Records(columns))),
        }
    }
}

#[pymethods]
impl Columns {
    /// The number of rows.
    fn __len__(&self) -> usize {
        self.rows
    }

    /// The column names, in order.
    #[getter]
    fn names(&self) -> Vec<&'static str> {
        self.names.to_vec()
    }

    /// The columns as a dict of numpy arrays (names as `(codes, names)` pairs). The vectors
    /// move into the arrays, so this can be called once.
    fn take<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        crate::errors::guarded(|| {
            let held = self
                .held
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take()
                .ok_or_else(|| PyRuntimeError::new_err("these columns were already taken"))?;
            match held {
                Held::Summary(rows) => summary_into_py(py, &rows),
                Held::Records(columns) => columns.into_py(py),
            }
        })
    }
}

/// Codes into the sorted distinct names of `names`.
fn encode(names: impl Iterator<Item = Name> + Clone) -> (Vec<u32>, Vec<&'static str>) {
    let mut distinct = Distinct::default();
    let mut ids: Vec<u32> = names
        .map(|n| {
            distinct.note(n);
            n.id()
        })
        .collect();
    let table = distinct.codes();
    table.recode(&mut ids);
    (ids, table.names)
}

/// The distinct names seen, noted in one comparison each.
#[derive(Debug, Default)]
struct Distinct {
    seen: Vec<bool>,
    names: Vec<Name>,
}

impl Distinct {
    #[inline]
    fn note(&mut self, n: Name) {
        let i = n.id() as usize;
        if self.seen.len() <= i {
            self.seen.resize(i + 1, false);
        }
        if !self.seen[i] {
            self.seen[i] = true;
            self.names.push(n);
        }
    }

    /// Each name's code: its rank in text order.
    fn codes(&self) -> CodeTable {
        let mut sorted = self.names.clone();
        sorted.sort();
        let mut by_id = vec![u32::MAX; self.seen.len()];
        for (code, n) in sorted.iter().enumerate() {
            by_id[n.id() as usize] = code as u32;
        }
        CodeTable {
            by_id,
            names: sorted.iter().map(|n| n.as_str()).collect(),
        }
    }
}

/// Codes by name id, and names by code.
struct CodeTable {
    by_id: Vec<u32>,
    names: Vec<&'static str>,
}

impl CodeTable {
    /// Replaces name ids by codes.
    fn recode(&self, ids: &mut [u32]) {
        for id in ids {
            *id = self.by_id[*id as usize];
        }
    }
}

/// A sink that keeps every record as columns.
///
/// Batches arrive in replicate order within each series, but series may interleave (a
/// replicate emitting two series, or series run one after another in any order). The sink
/// notes where each run of one series starts; [`ColumnSink::finish`] reorders the runs by
/// series only when they arrived out of order, which costs one more copy in that case alone.
#[derive(Debug, Default)]
pub struct ColumnSink {
    series: Vec<u32>,
    replicate: Vec<u64>,
    step: Vec<u64>,
    metric: Vec<u32>,
    value: Vec<f64>,
    /// Each run of consecutive rows of one series: the series and its first row.
    runs: Vec<(Name, usize)>,
    series_names: Distinct,
    metric_names: Distinct,
    /// Replicates announced by the ensemble and not yet reserved for.
    announced: u64,
}

impl ColumnSink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes where runs of one series start among `rows`, which will land at `at`, and the
    /// names they hold.
    fn note(&mut self, rows: &[Row], at: usize) {
        for (i, r) in rows.iter().enumerate() {
            if self.runs.last().is_none_or(|run| run.0 != r.series) {
                self.runs.push((r.series, at + i));
                self.series_names.note(r.series);
            }
            self.metric_names.note(r.metric);
        }
    }

    /// Reserves room for a whole pass when one was announced: the first batch of a pass
    /// tells its size, so the columns are allocated once instead of doubling (which would
    /// copy every column several times).
    fn reserve_pass(&mut self, rows: usize) {
        if self.announced > 0 && rows > 0 {
            let want = (rows as u64)
                .saturating_mul(self.announced)
                .min(MAX_RESERVE);
            self.announced = 0;
            self.reserve(want as usize);
        }
    }

    fn reserve(&mut self, n: usize) {
        self.series.reserve(n);
        self.replicate.reserve(n);
        self.step.reserve(n);
        self.metric.reserve(n);
        self.value.reserve(n);
    }

    /// The columns in canonical order, names as codes.
    pub fn finish(mut self) -> RecordColumns {
        let in_order = self.runs.windows(2).all(|w| w[0].0 <= w[1].0);
        if !in_order {
            self.reorder();
        }
        let series = self.series_names.codes();
        let metric = self.metric_names.codes();
        series.recode(&mut self.series);
        metric.recode(&mut self.metric);
        let mut columns = RecordColumns {
            series: self.series,
            series_names: series.names,
            replicate: self.replicate,
            step: self.step,
            metric: self.metric,
            metric_names: metric.names,
            value: self.value,
        };
        columns.trim();
        columns
    }

    /// Puts the runs in series order (stable: a series keeps its replicates' order).
    fn reorder(&mut self) {
        let n = self.value.len();
        let mut spans: Vec<(Name, std::ops::Range<usize>)> = self
            .runs
            .iter()
            .enumerate()
            .map(|(i, &(s, start))| {
                let end = self.runs.get(i + 1).map_or(n, |r| r.1);
                (s, start..end)
            })
            .collect();
        spans.sort_by_key(|(s, _)| *s);
        fn gather<T: Copy>(v: &mut Vec<T>, spans: &[(Name, std::ops::Range<usize>)]) {
            let mut out = Vec::with_capacity(v.len());
            for (_, r) in spans {
                out.extend_from_slice(&v[r.clone()]);
            }
            *v = out;
        }
        gather(&mut self.series, &spans);
        gather(&mut self.replicate, &spans);
        gather(&mut self.step, &spans);
        gather(&mut self.metric, &spans);
        gather(&mut self.value, &spans);
        let mut runs: Vec<(Name, usize)> = Vec::new();
        let mut at = 0;
        for (s, r) in spans {
            if runs.last().is_none_or(|x| x.0 != s) {
                runs.push((s, at));
            }
            at += r.len();
        }
        self.runs = runs;
    }
}

impl RecordColumns {
    /// Gives back reserved room the run did not use (the reservation follows the first
    /// replicate's size; chains that stop early emit less).
    fn trim(&mut self) {
        fn fit<T>(v: &mut Vec<T>) {
            if v.capacity() > v.len() + v.len() / 8 {
                v.shrink_to_fit();
            }
        }
        fit(&mut self.series);
        fit(&mut self.replicate);
        fit(&mut self.step);
        fit(&mut self.metric);
        fit(&mut self.value);
    }
}

/// The most rows reserved ahead of time (about 4 GB of columns); beyond it the vectors grow.
const MAX_RESERVE: u64 = 1 << 27;

impl ColumnSink {
    /// Takes batches of `(replicate, rows)`, in replicate order.
    fn take(&mut self, batches: &[(u64, &[Row])]) {
        self.reserve_pass(batches.first().map_or(0, |b| b.1.len()));
        let mut at = self.value.len();
        for &(_, rows) in batches {
            self.note(rows, at);
            at += rows.len();
        }
        // Each column is filled by a pass of its own, two at a time on two cores.
        let ColumnSink {
            series,
            replicate,
            step,
            metric,
            value,
            ..
        } = self;
        rayon::join(
            || {
                rayon::join(
                    || fill(series, batches, |r| r.series.id()),
                    || {
                        for &(r, rows) in batches {
                            replicate.extend(std::iter::repeat_n(r, rows.len()));
                        }
                    },
                )
            },
            || {
                rayon::join(
                    || fill(step, batches, |r| r.step),
                    || {
                        rayon::join(
                            || fill(metric, batches, |r| r.metric.id()),
                            || fill(value, batches, |r| r.value),
                        )
                    },
                )
            },
        );
    }
}

impl RecordSink for ColumnSink {
    fn expect(&mut self, replicates: u64) {
        self.announced = replicates;
    }

    fn accept(&mut self, replicate: u64, rows: &[Row]) -> Result<(), SinkError> {
        self.take(&[(replicate, rows)]);
        Ok(())
    }

    fn accept_block(&mut self, batches: &[Rows]) -> Result<(), SinkError> {
        let batches: Vec<(u64, &[Row])> = batches
            .iter()
            .map(|b| (b.replicate(), b.as_slice()))
            .collect();
        self.take(&batches);
        Ok(())
    }
}

/// Appends one field of every row of `batches` to `column`.
fn fill<T>(column: &mut Vec<T>, batches: &[(u64, &[Row])], field: impl Fn(&Row) -> T) {
    for &(_, rows) in batches {
        column.extend(rows.iter().map(&field));
    }
}
