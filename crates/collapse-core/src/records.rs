//! Records (one row per measured value), closed-form rows, summary rows, and their text form.
//!
//! The canonical order of records is (series, replicate, step, metric), names compared as
//! text. Every output is written in that order, so neither the thread count nor the sharding can
//! change a byte. Numbers are written in the shortest form that reads back to the same `f64`.

use crate::name::Name;
use std::io::{self, Write};

/// One measured value of one replicate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Record {
    /// The variant, e.g. `replace`.
    pub series: Name,
    /// The replicate (chain) index.
    pub replicate: u64,
    /// The generation, or the index of a swept parameter.
    pub step: u64,
    /// The metric.
    pub metric: Name,
    /// The value.
    pub value: f64,
}

impl Record {
    /// A record; the names are interned (use [`Row`]s with names interned once on hot paths).
    pub fn new(series: &str, replicate: u64, step: u64, metric: &str, value: f64) -> Self {
        Self {
            series: Name::new(series),
            replicate,
            step,
            metric: Name::new(metric),
            value,
        }
    }

    /// The canonical sort key.
    pub fn key(&self) -> (Name, u64, u64, Name) {
        (self.series, self.replicate, self.step, self.metric)
    }
}

/// One measured value inside a replicate's batch (the replicate is the batch's).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    /// The variant.
    pub series: Name,
    /// The metric.
    pub metric: Name,
    /// The generation or sweep index.
    pub step: u64,
    /// The value.
    pub value: f64,
}

impl Row {
    /// Whether `self` comes strictly before `next` in the canonical order inside one replicate
    /// (series, step, metric).
    #[inline]
    pub fn precedes(&self, next: &Row) -> bool {
        if self.series != next.series {
            return self.series < next.series;
        }
        if self.step != next.step {
            return self.step < next.step;
        }
        self.metric < next.metric
    }
}

/// A value an experiment computes in closed form (`theory_…`): written to the summary with
/// count 1 and standard error 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TheoryRow {
    /// The variant.
    pub series: Name,
    /// The generation or sweep index.
    pub step: u64,
    /// The metric name; starts with `theory_`.
    pub metric: Name,
    /// The value.
    pub value: f64,
}

impl TheoryRow {
    /// A theory row.
    pub fn new(series: &str, step: u64, metric: &str, value: f64) -> Self {
        Self {
            series: Name::new(series),
            step,
            metric: Name::new(metric),
            value,
        }
    }
}

/// One line of `summary.csv`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SummaryRow {
    /// The variant.
    pub series: Name,
    /// The generation or sweep index.
    pub step: u64,
    /// The metric.
    pub metric: Name,
    /// Number of values.
    pub count: u64,
    /// Mean over replicates.
    pub mean: f64,
    /// Sample standard deviation / sqrt(count) (0 for a single value).
    pub std_error: f64,
    /// 5% quantile (NaN when quantiles were not kept: `--quantiles none`).
    pub q05: f64,
    /// Median (NaN when not kept).
    pub q50: f64,
    /// 95% quantile (NaN when not kept).
    pub q95: f64,
}

impl SummaryRow {
    /// The row of a closed-form value.
    pub fn theory(t: &TheoryRow) -> Self {
        Self {
            series: t.series,
            step: t.step,
            metric: t.metric,
            count: 1,
            mean: t.value,
            std_error: 0.0,
            q05: t.value,
            q50: t.value,
            q95: t.value,
        }
    }

    /// The summary order: (series, step, metric).
    pub fn key(&self) -> (Name, u64, Name) {
        (self.series, self.step, self.metric)
    }
}

/// Sorts records into their canonical order (stable: a metric measured twice keeps its order).
pub fn sort_records(records: &mut [Record]) {
    records.sort_by_key(|r| r.key());
}

/// Summarises records (in canonical order) and theory rows, grouped by (series, step, metric),
/// with exact quantiles; the same rows as a [`crate::sink::SummarySink`] fed the same records.
pub fn summarize(records: &[Record], theory: &[TheoryRow]) -> Vec<SummaryRow> {
    let mut sink = crate::sink::SummarySink::new(crate::sink::Quantiles::Exact);
    use crate::sink::RecordSink as _;
    let mut start = 0;
    let mut rows = Vec::new();
    while start < records.len() {
        let r = records[start].replicate;
        let mut end = start;
        rows.clear();
        while end < records.len() && records[end].replicate == r {
            let x = &records[end];
            rows.push(Row {
                series: x.series,
                metric: x.metric,
                step: x.step,
                value: x.value,
            });
            end += 1;
        }
        sink.accept(r, &rows)
            .expect("the in-memory summary cannot fail");
        start = end;
    }
    sink.finish(theory)
}

/// Writes a number in the shortest text that reads back to the same `f64` (`inf`, `-inf`,
/// `NaN` for the non-finite).
pub fn write_f64(w: &mut impl Write, x: f64) -> io::Result<()> {
    if x.is_nan() {
        w.write_all(b"NaN")
    } else if x.is_infinite() {
        w.write_all(if x > 0.0 { b"inf" } else { b"-inf" })
    } else if x == 0.0 {
        // −0 and +0 are the same value to a reader; write one text for both.
        w.write_all(b"0")
    } else if (1e-5..1e16).contains(&x.abs()) {
        write!(w, "{x}")
    } else {
        write!(w, "{x:e}")
    }
}

/// [`write_f64`] into a `String`.
pub fn fmt_f64(x: f64) -> String {
    let mut v = Vec::with_capacity(24);
    write_f64(&mut v, x).expect("writing to memory");
    String::from_utf8(v).expect("ASCII")
}

/// Reads a number written by [`write_f64`].
pub fn parse_f64(s: &str) -> Option<f64> {
    match s {
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => s.parse().ok(),
    }
}

/// The header of `records.csv`.
pub const RECORDS_HEADER: &str = "series,replicate,step,metric,value";
/// The header of `summary.csv`.
pub const SUMMARY_HEADER: &str = "series,step,metric,count,mean,std_error,q05,q50,q95";

/// Writes one line of `records.csv`.
#[inline]
pub fn write_record_line(
    w: &mut impl Write,
    series: Name,
    replicate: u64,
    row_step: u64,
    metric: Name,
    value: f64,
) -> io::Result<()> {
    w.write_all(series.as_str().as_bytes())?;
    w.write_all(b",")?;
    write_u64(w, replicate)?;
    w.write_all(b",")?;
    write_u64(w, row_step)?;
    w.write_all(b",")?;
    w.write_all(metric.as_str().as_bytes())?;
    w.write_all(b",")?;
    write_f64(w, value)?;
    w.write_all(b"\n")
}

/// Writes an integer without going through `fmt`.
#[inline]
pub fn write_u64(w: &mut impl Write, mut v: u64) -> io::Result<()> {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    w.write_all(&buf[i..])
}

/// `records.csv` as text (for records held in memory).
pub fn records_csv(records: &[Record]) -> String {
    let mut out = Vec::with_capacity(records.len() * 40 + 64);
    out.extend_from_slice(RECORDS_HEADER.as_bytes());
    out.push(b'\n');
    for r in records {
        write_record_line(&mut out, r.series, r.replicate, r.step, r.metric, r.value)
            .expect("writing to memory");
    }
    String::from_utf8(out).expect("names are UTF-8")
}

/// Writes `summary.csv`; quantiles that were not kept (NaN) are left empty.
pub fn write_summary_csv(w: &mut impl Write, rows: &[SummaryRow]) -> io::Result<()> {
    w.write_all(SUMMARY_HEADER.as_bytes())?;
    w.write_all(b"\n")?;
    for r in rows {
        w.write_all(r.series.as_str().as_bytes())?;
        w.write_all(b",")?;
        write_u64(w, r.step)?;
        w.write_all(b",")?;
        w.write_all(r.metric.as_str().as_bytes())?;
        w.write_all(b",")?;
        write_u64(w, r.count)?;
        for v in [r.mean, r.std_error] {
            w.write_all(b",")?;
            write_f64(w, v)?;
        }
        for q in [r.q05, r.q50, r.q95] {
            w.write_all(b",")?;
            if !q.is_nan() {
                write_f64(w, q)?;
            }
        }
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// `summary.csv` as text.
pub fn summary_csv(rows: &[SummaryRow]) -> String {
    let mut out = Vec::with_capacity(rows.len() * 80 + 64);
    write_summary_csv(&mut out, rows).expect("writing to memory");
    String::from_utf8(out).expect("names are UTF-8")
}

/// A line of `records.csv`, borrowed from the text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RecordLine<'a> {
    /// The series.
    pub series: &'a str,
    /// The replicate.
    pub replicate: u64,
    /// The step.
    pub step: u64,
    /// The metric.
    pub metric: &'a str,
    /// The value.
    pub value: f64,
}

/// Parses one line of `records.csv` (without its newline). Refuses anything the program would
/// not have written: a wrong field count, an empty name, a non-canonical integer, NaN, or a
/// number not in its canonical text (`1e999`, `1.50`).
pub fn parse_record_line(line: &str) -> Result<RecordLine<'_>, String> {
    parse_record_line_into(line, &mut Vec::with_capacity(32))
}

/// [`parse_record_line`] with a scratch buffer for the canonical text of the value (no
/// allocation per line).
pub fn parse_record_line_into<'a>(
    line: &'a str,
    scratch: &mut Vec<u8>,
) -> Result<RecordLine<'a>, String> {
    let mut f = line.split(',');
    let (Some(series), Some(rep), Some(step), Some(metric), Some(value), None) =
        (f.next(), f.next(), f.next(), f.next(), f.next(), f.next())
    else {
        return Err("expected 5 comma-separated fields".into());
    };
    if series.is_empty() || metric.is_empty() {
        return Err("empty series or metric".into());
    }
    let int = |s: &str, what: &str| -> Result<u64, String> {
        // Canonical: digits only, no sign, no leading zero (but "0" itself).
        let canonical = !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit())
            && (s.len() == 1 || !s.starts_with('0'));
        if !canonical {
            return Err(format!("{what} `{s}` is not a canonical integer"));
        }
        s.parse()
            .map_err(|_| format!("{what} `{s}` is out of range"))
    };
    let replicate = int(rep, "replicate")?;
    let step = int(step, "step")?;
    let v = parse_f64(value).ok_or_else(|| format!("value `{value}` is not a number"))?;
    if v.is_nan() {
        return Err("value is NaN".into());
    }
    scratch.clear();
    write_f64(scratch, v).expect("writing to memory");
    if scratch.as_slice() != value.as_bytes() {
        return Err(format!(
            "value `{value}` is not what the program writes (it would write `{}`)",
            String::from_utf8_lossy(scratch)
        ));
    }
    Ok(RecordLine {
        series,
        replicate,
        step,
        metric,
        value: v,
    })
}

/// Reads `records.csv` text back into records (for tests and small files; `collapse merge`
/// streams instead).
pub fn parse_records_csv(text: &str) -> Result<Vec<Record>, String> {
    let mut lines = text.lines();
    if lines.next() != Some(RECORDS_HEADER) {
        return Err(format!(
            "records.csv: the header must be `{RECORDS_HEADER}`"
        ));
    }
    lines
        .enumerate()
        .map(|(i, line)| {
            let l = parse_record_line(line)
                .map_err(|e| format!("records.csv line {}: {e}: `{line}`", i + 2))?;
            Ok(Record {
                series: Name::try_new(l.series).map_err(|e| e.to_string())?,
                replicate: l.replicate,
                step: l.step,
                metric: Name::try_new(l.metric).map_err(|e| e.to_string())?,
                value: l.value,
            })
        })
        .collect()
}

/// Reads `summary.csv` text back (empty quantiles read as NaN).
pub fn parse_summary_csv(text: &str) -> Result<Vec<SummaryRow>, String> {
    let mut lines = text.lines();
    if lines.next() != Some(SUMMARY_HEADER) {
        return Err(format!(
            "summary.csv: the header must be `{SUMMARY_HEADER}`"
        ));
    }
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let bad = || format!("summary.csv line {}: malformed row `{line}`", i + 2);
        if f.len() != 9 || f[0].is_empty() || f[2].is_empty() {
            return Err(bad());
        }
        let num = |s: &str| parse_f64(s).ok_or_else(bad);
        let quant = |s: &str| {
            if s.is_empty() {
                Ok(f64::NAN)
            } else {
                parse_f64(s).ok_or_else(bad)
            }
        };
        rows.push(SummaryRow {
            series: Name::try_new(f[0]).map_err(|e| e.to_string())?,
            step: f[1].parse().map_err(|_| bad())?,
            metric: Name::try_new(f[2]).map_err(|e| e.to_string())?,
            count: f[3].parse().map_err(|_| bad())?,
            mean: num(f[4])?,
            std_error: num(f[5])?,
            q05: quant(f[6])?,
            q50: quant(f[7])?,
            q95: quant(f[8])?,
        });
    }
    Ok(rows)
}

/// Reads the theory rows (metric `theory_…`) of a `summary.csv` text.
pub fn parse_theory_rows(text: &str) -> Result<Vec<TheoryRow>, String> {
    Ok(parse_summary_csv(text)?
        .into_iter()
        .filter(|r| r.metric.starts_with("theory_"))
        .map(|r| TheoryRow {
            series: r.series,
            step: r.step,
            metric: r.metric,
            value: r.mean,
        })
        .collect())
}

/// Summary rows of one curve: (step, row) of `metric` in `series`, ordered by step.
pub fn curve<'a>(
    rows: &'a [SummaryRow],
    series: &'a str,
    metric: &'a str,
) -> impl Iterator<Item = &'a SummaryRow> + 'a {
    rows.iter()
        .filter(move |r| r.series == series && r.metric == metric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for x in [
            0.0,
            1.0,
            -2.5,
            1e-7,
            3.3e20,
            0.1 + 0.2,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e-300,
        ] {
            assert_eq!(parse_f64(&fmt_f64(x)), Some(x));
        }
        assert_eq!(fmt_f64(-0.0), "0");
    }

    #[test]
    fn summary_groups_and_round_trips() {
        let mut recs = vec![
            Record::new("a", 1, 0, "m", 3.0),
            Record::new("a", 0, 0, "m", 1.0),
            Record::new("a", 0, 1, "m", 5.0),
        ];
        sort_records(&mut recs);
        let th = vec![TheoryRow::new("a", 0, "theory_m", 2.0)];
        let s = summarize(&recs, &th);
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].count, s[0].mean, s[0].std_error), (2, 2.0, 1.0));
        assert_eq!(s[1].metric, "theory_m");
        assert_eq!(s[2].std_error, 0.0);
        let back = parse_records_csv(&records_csv(&recs)).unwrap();
        assert_eq!(back, recs);
        assert_eq!(parse_theory_rows(&summary_csv(&s)).unwrap(), th);
    }

    #[test]
    fn record_lines_refuse_what_the_program_never_writes() {
        assert!(parse_record_line("a,0,1,m,1.5").is_ok());
        for bad in [
            "a,0,1,m",
            "a,0,1,m,1.5,2",
            "a,0,1,m,NaN",
            "a,0,1,m,1e999",
            "a,0,1,m,1.50",
            "a,00,1,m,1",
            "a,-1,1,m,1",
            ",0,1,m,1",
            "a,0,1,m,abc",
        ] {
            assert!(parse_record_line(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_record_line("a,0,1,m,inf").unwrap().value,
            f64::INFINITY
        );
    }
}
