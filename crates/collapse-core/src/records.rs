//! Records (one row per measured value) and their summary.
//!
//! Records are sorted by (series, replicate, step, metric) before anything is written or
//! summarised, so neither the thread count nor the sharding can change a byte of the output.
//! Numbers are written in the shortest form that reads back to the same `f64`.

use std::borrow::Cow;
use std::fmt::Write as _;

/// A series or metric name: static for the names models emit, owned when read back from a file.
pub type Label = Cow<'static, str>;

/// One measured value.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The variant, e.g. `replace`.
    pub series: Label,
    /// The replicate (chain) index.
    pub replicate: u64,
    /// The generation, or the index of a swept parameter.
    pub step: u64,
    /// The metric name.
    pub metric: Label,
    /// The value.
    pub value: f64,
}

impl Record {
    /// A record with static names (no allocation).
    pub fn new(
        series: &'static str,
        replicate: u64,
        step: u64,
        metric: &'static str,
        value: f64,
    ) -> Self {
        Self {
            series: Cow::Borrowed(series),
            replicate,
            step,
            metric: Cow::Borrowed(metric),
            value,
        }
    }

    fn key(&self) -> (&str, u64, u64, &str) {
        (&self.series, self.replicate, self.step, &self.metric)
    }
}

/// A value an experiment computes in closed form (`theory_…`): written to the summary with
/// count 1 and standard error 0.
#[derive(Clone, Debug, PartialEq)]
pub struct TheoryRow {
    /// The variant.
    pub series: Label,
    /// The generation or sweep index.
    pub step: u64,
    /// The metric name; starts with `theory_`.
    pub metric: Label,
    /// The value.
    pub value: f64,
}

impl TheoryRow {
    /// A theory row with static names.
    pub fn new(series: &'static str, step: u64, metric: &'static str, value: f64) -> Self {
        Self {
            series: Cow::Borrowed(series),
            step,
            metric: Cow::Borrowed(metric),
            value,
        }
    }
}

/// One line of `summary.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// The variant.
    pub series: Label,
    /// The generation or sweep index.
    pub step: u64,
    /// The metric.
    pub metric: Label,
    /// Number of replicates.
    pub count: u64,
    /// Mean over replicates.
    pub mean: f64,
    /// Sample standard deviation / sqrt(count) (0 for a single value).
    pub std_error: f64,
    /// 5% quantile.
    pub q05: f64,
    /// Median.
    pub q50: f64,
    /// 95% quantile.
    pub q95: f64,
}

/// Sorts records into their canonical order.
pub fn sort_records(records: &mut [Record]) {
    records.sort_by(|a, b| a.key().cmp(&b.key()));
}

/// Summarises sorted records and theory rows, grouped by (series, step, metric).
pub fn summarize(records: &[Record], theory: &[TheoryRow]) -> Vec<SummaryRow> {
    let mut keyed: Vec<(&str, u64, &str, usize)> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (&*r.series, r.step, &*r.metric, i))
        .collect();
    // Stable sort keeps the replicate order inside a group, so sums are always taken in the same
    // order.
    keyed.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    let mut rows = Vec::new();
    let mut start = 0;
    let mut values = Vec::new();
    while start < keyed.len() {
        let (s, t, m, _) = keyed[start];
        let mut end = start;
        values.clear();
        while end < keyed.len() && (keyed[end].0, keyed[end].1, keyed[end].2) == (s, t, m) {
            values.push(records[keyed[end].3].value);
            end += 1;
        }
        let first = &records[keyed[start].3];
        rows.push(summary_row(
            first.series.clone(),
            t,
            first.metric.clone(),
            &mut values,
        ));
        start = end;
    }
    for th in theory {
        rows.push(SummaryRow {
            series: th.series.clone(),
            step: th.step,
            metric: th.metric.clone(),
            count: 1,
            mean: th.value,
            std_error: 0.0,
            q05: th.value,
            q50: th.value,
            q95: th.value,
        });
    }
    rows.sort_by(|a, b| (&a.series, a.step, &a.metric).cmp(&(&b.series, b.step, &b.metric)));
    rows
}

fn summary_row(series: Label, step: u64, metric: Label, values: &mut [f64]) -> SummaryRow {
    let n = values.len();
    let (mean, std_error) = crate::stats::mean_and_se(values);
    values.sort_by(|a, b| a.total_cmp(b));
    SummaryRow {
        series,
        step,
        metric,
        count: n as u64,
        mean,
        std_error,
        q05: crate::stats::quantile_sorted(values, 0.05),
        q50: crate::stats::quantile_sorted(values, 0.50),
        q95: crate::stats::quantile_sorted(values, 0.95),
    }
}

/// Formats a number in the shortest text that reads back to the same `f64`.
pub fn fmt_f64(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else if x == 0.0 || (1e-5..1e16).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// The header of `records.csv`.
pub const RECORDS_HEADER: &str = "series,replicate,step,metric,value";
/// The header of `summary.csv`.
pub const SUMMARY_HEADER: &str = "series,step,metric,count,mean,std_error,q05,q50,q95";

/// `records.csv` as text.
pub fn records_csv(records: &[Record]) -> String {
    let mut out = String::with_capacity(records.len() * 40 + 64);
    out.push_str(RECORDS_HEADER);
    out.push('\n');
    for r in records {
        let _ = writeln!(
            out,
            "{},{},{},{},{}",
            r.series,
            r.replicate,
            r.step,
            r.metric,
            fmt_f64(r.value)
        );
    }
    out
}

/// `summary.csv` as text.
pub fn summary_csv(rows: &[SummaryRow]) -> String {
    let mut out = String::with_capacity(rows.len() * 80 + 64);
    out.push_str(SUMMARY_HEADER);
    out.push('\n');
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            r.series,
            r.step,
            r.metric,
            r.count,
            fmt_f64(r.mean),
            fmt_f64(r.std_error),
            fmt_f64(r.q05),
            fmt_f64(r.q50),
            fmt_f64(r.q95)
        );
    }
    out
}

fn parse_f64(s: &str) -> Option<f64> {
    match s {
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => s.parse().ok(),
    }
}

/// Reads `records.csv` text back (for `collapse merge`).
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
            let f: Vec<&str> = line.split(',').collect();
            let bad = || format!("records.csv line {}: malformed row `{line}`", i + 2);
            if f.len() != 5 {
                return Err(bad());
            }
            Ok(Record {
                series: Cow::Owned(f[0].to_string()),
                replicate: f[1].parse().map_err(|_| bad())?,
                step: f[2].parse().map_err(|_| bad())?,
                metric: Cow::Owned(f[3].to_string()),
                value: parse_f64(f[4]).ok_or_else(bad)?,
            })
        })
        .collect()
}

/// Reads the theory rows (count 1, metric `theory_…`) of a `summary.csv` text.
pub fn parse_theory_rows(text: &str) -> Result<Vec<TheoryRow>, String> {
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
        if f.len() != 9 {
            return Err(bad());
        }
        if f[2].starts_with("theory_") {
            rows.push(TheoryRow {
                series: Cow::Owned(f[0].to_string()),
                step: f[1].parse().map_err(|_| bad())?,
                metric: Cow::Owned(f[2].to_string()),
                value: parse_f64(f[4]).ok_or_else(bad)?,
            });
        }
    }
    Ok(rows)
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
}
