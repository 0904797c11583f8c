//! The table `selftrain-reversal` prints: the model's M₁ beside the paper's (what was fitted and
//! what was not), each of the paper's 18 directions beside the model's change, the pass@1 time
//! course beside the paper's curve, and the paper's coverage rule.
//!
//! A direction is judged on the paired change from iteration 1 to the last iteration of each
//! replicate (the same population before and after): the model moves `up` or `down` when the
//! mean change exceeds 2 standard errors, and is `flat` otherwise. A level claim (M₁'s pass@64 on
//! the improvement set at least 0.9) is judged on the mean at the last iteration.
//!
//! A run does not keep its records, so it gathers, replicate by replicate, only the values the
//! table reads ([`Tally`]); [`Report::from_records`] builds the same table from records.

use crate::names::{
    COVERAGE, DPO, IS_BASE_PASS_2, IS_BASE_PASS_64, OOD_DISPARITY, OOD_PASS_1, PASS_1, PASS_64,
    SFT, SFT_DPO,
};
use crate::paper::{self, Claim, Direction};
use collapse_core::stats::mean_and_se;
use collapse_core::{Name, Record, Row};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// Standard errors a change must exceed to count as a direction.
pub const DIRECTION_Z: f64 = 2.0;

/// Per-replicate values of one (series, metric): iteration → replicate → value.
pub type Values = BTreeMap<u64, BTreeMap<u64, f64>>;

/// What the model does for one claim.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Moved {
    /// Up by more than [`DIRECTION_Z`] standard errors.
    Up,
    /// Down by more than [`DIRECTION_Z`] standard errors.
    Down,
    /// Within [`DIRECTION_Z`] standard errors of no change.
    Flat,
    /// A level claim: the level at the last iteration reaches the claimed value.
    Reaches,
    /// A level claim: the level at the last iteration stays below the claimed value.
    Short,
}

impl Moved {
    /// How it prints.
    pub fn text(self) -> &'static str {
        match self {
            Moved::Up => "up",
            Moved::Down => "down",
            Moved::Flat => "flat",
            Moved::Reaches => "reaches",
            Moved::Short => "below",
        }
    }
}

/// The model's side of one claim.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Judged {
    /// Mean at iteration 1 (NaN when absent, e.g. the improvement set at iteration 1).
    pub first: f64,
    /// Mean at the last iteration.
    pub last: f64,
    /// The mean paired change (a level claim: the last level) and its standard error.
    pub change: (f64, f64),
    /// What the model does.
    pub moved: Moved,
    /// Whether that is what the paper claims.
    pub holds: bool,
}

/// Mean and standard error of the values at iteration `t` (replicate order).
pub fn at(v: &Values, t: u64) -> Option<(f64, f64)> {
    let xs: Vec<f64> = v.get(&t)?.values().copied().collect();
    (!xs.is_empty()).then(|| mean_and_se(&xs))
}

/// Mean and standard error of the paired change from iteration `a` to `b` over the replicates
/// that have both.
pub fn paired_change(v: &Values, a: u64, b: u64) -> Option<(f64, f64)> {
    let (va, vb) = (v.get(&a)?, v.get(&b)?);
    let d: Vec<f64> = va
        .iter()
        .filter_map(|(r, x)| vb.get(r).map(|y| y - x))
        .collect();
    (!d.is_empty()).then(|| mean_and_se(&d))
}

/// Which way a change moved: beyond [`DIRECTION_Z`] standard errors, or flat.
pub fn moved((d, se): (f64, f64)) -> Moved {
    if d.abs() <= DIRECTION_Z * se || d == 0.0 {
        Moved::Flat
    } else if d > 0.0 {
        Moved::Up
    } else {
        Moved::Down
    }
}

/// What the model does for `claim`, and whether that is the claim: `x` is the mean and standard
/// error of the paired change for an up or down claim, of the last level for a level claim.
pub fn verdict(claim: Claim, x: (f64, f64)) -> (Moved, bool) {
    let m = match claim {
        Claim::AtLeast(level) if x.0 >= level => Moved::Reaches,
        Claim::AtLeast(_) => Moved::Short,
        Claim::Up | Claim::Down => moved(x),
    };
    let holds = matches!(
        (claim, m),
        (Claim::Up, Moved::Up) | (Claim::Down, Moved::Down) | (Claim::AtLeast(_), Moved::Reaches)
    );
    (m, holds)
}

/// Judges `claim` on the values of its metric from iteration 1 to `last`.
pub fn judge(claim: Claim, v: &Values, last: u64) -> Option<Judged> {
    let (first, _) = at(v, 1).unwrap_or((f64::NAN, f64::NAN));
    let end = at(v, last)?;
    let change = match claim {
        Claim::AtLeast(_) => end,
        Claim::Up | Claim::Down => paired_change(v, 1, last)?,
    };
    let (moved, holds) = verdict(claim, change);
    Some(Judged {
        first,
        last: end.0,
        change,
        moved,
        holds,
    })
}

/// Which paradigm reaches the best pass@1 over iterations 2..T (the paper's M_t*).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Winner {
    /// SFT, by more than [`DIRECTION_Z`] standard errors.
    Sft,
    /// DPO or SFT-DPO, by more than [`DIRECTION_Z`] standard errors.
    DpoFamily,
    /// Within [`DIRECTION_Z`] standard errors.
    Tie,
}

impl Winner {
    /// The winner of a margin (best of DPO and SFT-DPO minus SFT's; mean, s.e.).
    pub fn of(margin: (f64, f64)) -> Self {
        match moved(margin) {
            Moved::Up => Winner::DpoFamily,
            Moved::Down => Winner::Sft,
            _ => Winner::Tie,
        }
    }
    /// The winner the paper's rule expects at M₁ coverage `coverage`.
    pub fn expected(coverage: f64) -> Self {
        if coverage > paper::COVERAGE_RULE {
            Winner::DpoFamily
        } else {
            Winner::Sft
        }
    }
    /// How it prints.
    pub fn text(self) -> &'static str {
        match self {
            Winner::Sft => "sft",
            Winner::DpoFamily => "dpo or sft-dpo",
            Winner::Tie => "no paradigm ahead",
        }
    }
}

/// Whether the rule holds at M₁ coverage `coverage` for the model's margin.
pub fn rule_verdict(coverage: f64, margin: (f64, f64)) -> &'static str {
    match Winner::of(margin) {
        Winner::Tie => "rule not matched (no paradigm ahead)",
        w if w == Winner::expected(coverage) => "rule matched",
        _ => "rule NOT matched (the other paradigm ahead)",
    }
}

/// The best pass@1 over iterations 2..=`last` of one replicate's curve.
pub fn best_after_start(curve: impl Iterator<Item = (u64, f64)>) -> f64 {
    curve
        .filter(|(t, _)| *t >= 2)
        .map(|(_, v)| v)
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Per replicate, the best pass@1 of DPO or SFT-DPO minus SFT's (iterations 2..`last`); mean and
/// standard error over the replicates that have all three.
fn best_margin(get: &impl Fn(&str, &str) -> Values, last: u64) -> Option<(f64, f64)> {
    if last < 2 {
        return None;
    }
    let best = |s: &str| {
        let v = get(s, PASS_1);
        let mut per: BTreeMap<u64, Vec<(u64, f64)>> = BTreeMap::new();
        for (t, reps) in v.range(2..=last) {
            for (r, x) in reps {
                per.entry(*r).or_default().push((*t, *x));
            }
        }
        per.into_iter()
            .map(|(r, c)| (r, best_after_start(c.into_iter())))
            .collect::<BTreeMap<u64, f64>>()
    };
    let (a, b, c) = (best(SFT), best(DPO), best(SFT_DPO));
    let d: Vec<f64> = a
        .iter()
        .filter_map(|(r, s)| Some(b.get(r)?.max(*c.get(r)?) - s))
        .collect();
    (!d.is_empty()).then(|| mean_and_se(&d))
}

/// The metrics the table reads.
pub fn needed_metrics() -> Vec<&'static str> {
    let mut m: Vec<&'static str> = vec![
        PASS_1,
        PASS_64,
        COVERAGE,
        OOD_PASS_1,
        OOD_DISPARITY,
        IS_BASE_PASS_2,
        IS_BASE_PASS_64,
    ];
    for d in paper::DIRECTIONS {
        if !m.contains(&d.metric) {
            m.push(d.metric);
        }
    }
    m
}

/// The pass@1 time course of one paradigm beside the paper's.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeCourse {
    /// The series.
    pub series: &'static str,
    /// The model's mean pass@1 at iterations 1..=T.
    pub model: Vec<f64>,
    /// The paper's curve (iterations 1..=5).
    pub paper: [f64; 5],
    /// The model's peak iteration over the iterations the paper covers.
    pub model_peak: usize,
    /// The paper's peak iteration over the same iterations.
    pub paper_peak: usize,
    /// The model's paired drop from its peak to the last compared iteration (mean, s.e.).
    pub model_drop: (f64, f64),
    /// The paper's drop from its peak to the last compared iteration.
    pub paper_drop: f64,
}

impl TimeCourse {
    /// Whether the model peaks at the paper's iteration.
    pub fn matched(&self) -> bool {
        self.model_peak == self.paper_peak
    }
}

/// The table and the tests it reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The text the run prints.
    pub text: String,
    /// Directions that match the paper.
    pub agree: usize,
    /// Directions compared.
    pub total: usize,
    /// The time courses, one per paradigm.
    pub time_courses: Vec<TimeCourse>,
}

/// Whether `model` agrees with `paper` within 2 standard errors plus half a unit of the paper's
/// last transcribed digit.
fn agrees(model: (f64, f64), paper: f64, digit: f64) -> bool {
    (model.0 - paper).abs() <= DIRECTION_Z * model.1 + 0.5 * digit
}

impl Report {
    /// The table of a run whose last iteration is `last`, with `get(series, metric)` the
    /// per-replicate values of a metric (empty when the run has none).
    pub fn new(last: u64, get: impl Fn(&str, &str) -> Values) -> Self {
        let mut out = String::new();
        let w = &mut out;
        let _ = writeln!(
            w,
            "Self-improvement reversal: the model (mean ± s.e. over replicates) beside Wu et al.'s Mistral-7B \
trained on GSM8K and evaluated on MATH (the paper's numbers transcribed from its figures)."
        );
        // M₁.
        let _ = writeln!(
            w,
            "\nM₁ (iteration 1): three numbers fitted to the paper, one tested"
        );
        let _ = writeln!(
            w,
            "{:<22} {:>15} {:>8}  status",
            "quantity", "model", "paper"
        );
        let m1 = |metric: &str| at(&get(SFT, metric), 1);
        for (label, metric, reported, status) in [
            (
                "coverage",
                COVERAGE,
                paper::m1::COVERAGE,
                Some("fitted by gold_boost"),
            ),
            (
                "pass@1",
                PASS_1,
                paper::m1::PASS_1,
                Some("fitted by shortcut_logit"),
            ),
            (
                "OOD pass@1",
                OOD_PASS_1,
                paper::m1::OOD_PASS_1,
                Some("fitted by ood_transfer"),
            ),
            (
                "OOD group disparity",
                OOD_DISPARITY,
                paper::m1::OOD_DISPARITY,
                None,
            ),
        ] {
            if let Some(m) = m1(metric) {
                let status = status.map(str::to_string).unwrap_or_else(|| {
                    format!(
                        "not fitted: {}",
                        if agrees(m, reported.value, 0.001) {
                            "matched (within 2 s.e.)"
                        } else {
                            "not matched"
                        }
                    )
                });
                let _ = writeln!(
                    w,
                    "{label:<22} {:>15} {:>8}  {status}",
                    format!("{:.4}±{:.4}", m.0, m.1),
                    format!("{:.4}", reported.value)
                );
            }
        }
        // Directions.
        let _ = writeln!(
            w,
            "\nThe paper's directions (iteration 1 → {last}; a change counts beyond {DIRECTION_Z} s.e. of the paired change)"
        );
        let _ = writeln!(
            w,
            "{:<8} {:<18} {:>7} {:>8} {:>8} {:>17} {:>7} {:<6}  paper evidence",
            "series",
            "metric",
            "paper",
            "it. 1",
            format!("it. {last}"),
            "change",
            "model",
            "match"
        );
        let (mut agree, mut total) = (0, 0);
        for Direction {
            series,
            metric,
            claim,
            evidence,
        } in paper::DIRECTIONS
        {
            let Some(j) = judge(claim, &get(series, metric), last) else {
                continue;
            };
            total += 1;
            agree += usize::from(j.holds);
            let change = match claim {
                Claim::AtLeast(_) => format!("level {:.4}±{:.4}", j.change.0, j.change.1),
                _ => format!("{:+.4}±{:.4}", j.change.0, j.change.1),
            };
            let _ = writeln!(
                w,
                "{series:<8} {metric:<18} {:>7} {:>8} {:>8} {change:>17} {:>7} {:<6}  {evidence}",
                claim.text(),
                fmt_opt(j.first),
                fmt_opt(j.last),
                j.moved.text(),
                if j.holds { "yes" } else { "NO" },
            );
        }
        let _ = writeln!(
            w,
            "{agree} of {total} directions match the paper at these parameters; which of them hold over the \
structural parameters is what `collapse run selftrain-robustness` maps."
        );
        let _ = write!(
            w,
            "Not reported by the paper (the model's prediction): pass@64 changes by"
        );
        for s in [SFT, DPO, SFT_DPO] {
            if let Some(c) = paired_change(&get(s, PASS_64), 1, last) {
                let _ = write!(w, " {s} {:+.4}±{:.4} ({})", c.0, c.1, moved(c).text());
            }
        }
        let _ = writeln!(w, ".");
        // The improvement set beside Figure 3's ranges (there is none before iteration 2).
        if last >= 2 {
            let _ = writeln!(
                w,
                "\nM₁'s pass@N on the improvement sets IS(2..{last}) beside the paper's GSM8K range (Fig. 3; not fitted)"
            );
        }
        let ranges = [
            (IS_BASE_PASS_2, 2, paper::IS_PASS_2_RANGE),
            (IS_BASE_PASS_64, 64, paper::IS_PASS_64_RANGE),
        ];
        for (metric, n, range) in ranges.into_iter().filter(|_| last >= 2) {
            let _ = write!(w, "N = {n:<3} paper {:.2}–{:.2}; model", range.0, range.1);
            let mut inside = true;
            let mut any = false;
            for s in [SFT, DPO, SFT_DPO] {
                let v = get(s, metric);
                let means: Vec<(f64, f64)> = (2..=last).filter_map(|t| at(&v, t)).collect();
                if means.is_empty() {
                    continue;
                }
                any = true;
                let lo = means.iter().map(|m| m.0).fold(f64::INFINITY, f64::min);
                let hi = means.iter().map(|m| m.0).fold(f64::NEG_INFINITY, f64::max);
                inside &= means.iter().all(|&(m, se)| {
                    m + DIRECTION_Z * se >= range.0 && m - DIRECTION_Z * se <= range.1
                });
                let _ = write!(w, " {s} {lo:.3}–{hi:.3}");
            }
            let verdict = match (any, inside) {
                (false, _) => "no improvement set",
                (true, true) => "matched",
                (true, false) => "not matched",
            };
            let _ = writeln!(w, ": {verdict}");
        }
        // Time course.
        let compared = last.min(5);
        let _ = writeln!(
            w,
            "\npass@1 over iterations (greedy, in distribution) beside the paper's GSM8K curve; peaks compared over iterations 1–{compared}"
        );
        let mut time_courses = Vec::new();
        for (series, curve) in paper::PASS_1_CURVES {
            let v = get(series, PASS_1);
            let model: Vec<f64> = (1..=last)
                .map(|t| at(&v, t).map_or(f64::NAN, |x| x.0))
                .collect();
            if model.iter().any(|x| x.is_nan()) {
                continue;
            }
            let n = compared as usize;
            let model_peak = paper::peak(&model[..n]);
            let paper_peak = paper::peak(&curve[..n]);
            let model_drop = paired_change(&v, compared, model_peak as u64).unwrap_or((0.0, 0.0));
            let tc = TimeCourse {
                series,
                model,
                paper: curve,
                model_peak,
                paper_peak,
                model_drop,
                paper_drop: curve[paper_peak - 1] - curve[n - 1],
            };
            let row = |xs: &[f64]| {
                xs.iter()
                    .map(|x| format!("{x:.3}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let _ = writeln!(
                w,
                "{series:<8} paper {}  peak at {}, then down {:.3}",
                row(&curve[..n]),
                tc.paper_peak,
                tc.paper_drop
            );
            let _ = writeln!(
                w,
                "{:<8} model {}  peak at {}, then down {:.3}±{:.3}: {}",
                "",
                row(&tc.model),
                tc.model_peak,
                tc.model_drop.0,
                tc.model_drop.1,
                if tc.matched() {
                    "peak matched"
                } else {
                    "peak NOT matched"
                }
            );
            time_courses.push(tc);
        }
        // The coverage rule.
        if let (Some((cov, _)), Some(margin)) = (m1(COVERAGE), best_margin(&get, last)) {
            let _ = writeln!(
                w,
                "\nCoverage rule: M₁ coverage {cov:.3}; the paper expects {} to reach the best pass@1 (its best here: sft-dpo, 0.728). \
The model's best of dpo and sft-dpo minus sft's: {:+.4}±{:.4}, so {}: {}",
                Winner::expected(cov).text(),
                margin.0,
                margin.1,
                Winner::of(margin).text(),
                rule_verdict(cov, margin)
            );
        }
        Self {
            text: out,
            agree,
            total,
            time_courses,
        }
    }

    /// The table read from a run's records.
    pub fn from_records(records: &[Record], last: u64) -> Self {
        Self::new(last, |s, m| {
            let mut v = Values::new();
            for r in records.iter().filter(|r| r.series == s && r.metric == m) {
                v.entry(r.step).or_default().insert(r.replicate, r.value);
            }
            v
        })
    }
}

fn fmt_opt(x: f64) -> String {
    if x.is_nan() {
        "—".into()
    } else {
        format!("{x:.4}")
    }
}

/// One value a run emitted: (series, metric, iteration, replicate, value).
type Tallied = (Name, Name, u64, u64, f64);

/// The values the table reads, gathered replicate by replicate while the rows stream to the
/// sink: every iteration of the metrics in [`needed_metrics`], for every series.
#[derive(Debug)]
pub struct Tally {
    last: u64,
    metrics: Vec<Name>,
    values: Mutex<Vec<Tallied>>,
}

impl Tally {
    /// An empty tally for a run whose last iteration is `last`.
    pub fn new(last: u64) -> Self {
        Self {
            last,
            metrics: needed_metrics().into_iter().map(Name::new).collect(),
            values: Mutex::new(Vec::new()),
        }
    }

    /// Bytes the tally holds for `replicates` replicates of `series` series and `iterations`
    /// iterations.
    pub fn bytes(replicates: u64, series: usize, iterations: u64) -> f64 {
        replicates as f64 * series as f64 * iterations as f64 * needed_metrics().len() as f64 * 32.0
    }

    /// Takes what the table needs from replicate `replicate`'s rows.
    pub fn add(&self, replicate: u64, rows: &[Row]) {
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| self.metrics.contains(&r.metric))
            .map(|r| (r.series, r.metric, r.step, replicate, r.value))
            .collect();
        self.values
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(mine);
    }

    /// The table (replicates in replicate order, as the summary takes them).
    pub fn report(self) -> Report {
        let values = self.values.into_inner().unwrap_or_else(|p| p.into_inner());
        Report::new(self.last, |s, m| {
            let mut v = Values::new();
            for &(vs, vm, t, r, x) in &values {
                if vs == s && vm == m {
                    v.entry(t).or_default().insert(r, x);
                }
            }
            v
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Reversal;
    use collapse_core::DynExperiment;

    #[test]
    fn the_streaming_tally_prints_the_table_of_the_records() {
        let run = DynExperiment::new(Reversal)
            .configure_with(&[("replicates", "3")])
            .unwrap()
            .collect(1)
            .unwrap();
        let report = Report::from_records(&run.records, 5);
        println!("{}", report.text);
        assert_eq!(report.total, 18);
        assert_eq!(report.time_courses.len(), 3);
        assert!(run.records.iter().all(|r| r.value.is_finite()));
        assert_eq!(run.report.as_deref(), Some(report.text.as_str()));
    }

    #[test]
    fn directions_are_called_on_the_paired_change() {
        let mut v = Values::new();
        // Large population spread, small consistent rise: up on the pairs.
        for r in 0..4u64 {
            v.entry(1).or_default().insert(r, r as f64);
            v.entry(5)
                .or_default()
                .insert(r, r as f64 + 0.01 + 0.001 * r as f64);
        }
        let j = judge(Claim::Up, &v, 5).unwrap();
        assert_eq!(j.moved, Moved::Up);
        assert!(j.holds);
        assert!(!judge(Claim::Down, &v, 5).unwrap().holds);
        // No change at all is flat, not up.
        let mut flat = Values::new();
        for r in 0..4u64 {
            flat.entry(1).or_default().insert(r, 0.3);
            flat.entry(5).or_default().insert(r, 0.3);
        }
        assert_eq!(judge(Claim::Up, &flat, 5).unwrap().moved, Moved::Flat);
        // A level claim reads the last level.
        // (the last level's mean is 1.5115)
        assert!(judge(Claim::AtLeast(1.5), &v, 5).unwrap().holds);
        assert!(!judge(Claim::AtLeast(1.52), &v, 5).unwrap().holds);
    }
}
