//! The `selftrain-robustness` experiment: where, in the space of the model's structural
//! parameters, each of the paper's directions holds.
//!
//! It runs `selftrain-reversal`'s model (its calibrated defaults, smaller populations) at every
//! point of a grid: the shortcut's head start × the sampling temperature τ × seven variants of
//! the remaining structure (the defaults; `init=restart`; `reference=base`; levels 1–5 or 3–5
//! in distribution instead of 1–3; N = 8 or 200 samples instead of 50). Each point runs the
//! three paradigms on the same populations (replicate r draws the same questions at every point
//! whose level mix is the same). A direction holds at a point as in the reversal's table
//! ([`super::report`]): the mean paired change beyond 2 standard errors in the paper's
//! direction, a level claim met by the mean, or — for the time course — the mean pass@1 curve
//! peaking at the paper's iteration. A direction is *structural* when it holds at every point,
//! *contradicted* when it holds at none, and *conditional* otherwise (the table names the
//! parameter values at which it never or always holds; the figure shows the whole region).
//!
//! Two more runs test what the map cannot:
//! - **the placebo** — the calibrated defaults with OOD questions scored exactly like
//!   in-distribution questions of their level (`ood_transfer = 1`): an OOD direction that still
//!   holds there comes from the level mix and the training, not from anything out of
//!   distribution, so it is structural, not evidence;
//! - **the coverage rule** — M₁'s coverage varied through the error strategies' logit: the paper
//!   finds DPO or SFT-DPO best above coverage 0.5 and SFT below.

use super::report::{DIRECTION_Z, Moved, Winner, best_after_start, rule_verdict, verdict};
use super::reversal::{Reversal, ReversalConfig};
use crate::names::{
    BEST_PASS_1, CALIBRATED, COVERAGE, COVERAGE_SWEEP, DPO_FAMILY_MINUS_SFT, IS_BASE_PASS_64,
    Metric, OOD_DISPARITY, OOD_PASS_1, PASS_1, PLACEBO, SFT, change_of,
};
use crate::paper::{self, Claim};
use crate::train::Schedule;
use collapse_core::chain::ChainError;
use collapse_core::stats::mean_and_se;
use collapse_core::{
    Cost, Drawing, DynExperiment, Experiment, ExperimentError, FigureError, Name, ParamError,
    ParamSpec, Params, Row, RunContext, RunOutput, RunView,
};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// The experiment's id.
pub const ID: &str = "selftrain-robustness";

/// A change of the remaining structure from the calibrated defaults, crossed with the
/// (head start, τ) plane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Variant {
    /// The calibrated defaults.
    Default,
    /// Every round restarts from the base (STaR, ReST-EM) instead of continuing.
    Restart,
    /// DPO's reference is the base model instead of M_{t−1}.
    ReferenceBase,
    /// In-distribution levels 1–5 in equal proportions instead of 1–3.
    AllLevels,
    /// In-distribution levels 3–5 in equal proportions.
    HardLevels,
    /// N = 8 samples per question and round.
    FewSamples,
    /// N = 200 samples per question and round.
    ManySamples,
}

impl Variant {
    /// Every variant, in the order of the figure's stripes.
    pub const ALL: [Variant; 7] = [
        Variant::Default,
        Variant::Restart,
        Variant::ReferenceBase,
        Variant::AllLevels,
        Variant::HardLevels,
        Variant::FewSamples,
        Variant::ManySamples,
    ];

    /// The name in series names.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Default => "default",
            Variant::Restart => "restart",
            Variant::ReferenceBase => "reference-base",
            Variant::AllLevels => "levels-1-5",
            Variant::HardLevels => "levels-3-5",
            Variant::FewSamples => "n-8",
            Variant::ManySamples => "n-200",
        }
    }

    /// The change as parameters of `selftrain-reversal`.
    pub fn describe(self) -> &'static str {
        match self {
            Variant::Default => "the calibrated defaults",
            Variant::Restart => "init=restart",
            Variant::ReferenceBase => "reference=base",
            Variant::AllLevels => "level_weights=1,1,1,1,1",
            Variant::HardLevels => "level_weights=0,0,1,1,1",
            Variant::FewSamples => "samples=8",
            Variant::ManySamples => "samples=200",
        }
    }

    fn apply(self, c: &mut ReversalConfig) {
        match self {
            Variant::Default => {}
            Variant::Restart => c.training.restart = true,
            Variant::ReferenceBase => c.training.reference_base = true,
            Variant::AllLevels => c.population.level_weights = [0.2; 5],
            Variant::HardLevels => {
                c.population.level_weights = [0.0, 0.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0];
            }
            Variant::FewSamples => c.training.samples = 8,
            Variant::ManySamples => c.training.samples = 200,
        }
    }
}

/// One point of the map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// The shortcut's base shared logit (its head start over every other strategy, at 0).
    pub head_start: f64,
    /// The sampling temperature τ.
    pub temperature: f64,
    /// The rest of the structure.
    pub variant: Variant,
}

impl Point {
    /// The series of `paradigm` at this point: `PARADIGM/h=H/tau=T/VARIANT`.
    pub fn series(&self, paradigm: &str) -> String {
        format!(
            "{paradigm}/h={}/tau={}/{}",
            self.head_start,
            self.temperature,
            self.variant.name()
        )
    }

    fn config(&self, base: &ReversalConfig) -> ReversalConfig {
        let mut c = base.clone();
        c.population.role_logits[0] = self.head_start;
        c.training.tau = self.temperature;
        self.variant.apply(&mut c);
        c
    }
}

/// The resolved configuration of a run.
#[derive(Clone, Debug)]
pub struct RobustnessConfig {
    /// The calibrated defaults of `selftrain-reversal` at this run's sizes.
    pub base: ReversalConfig,
    /// The head starts of the map.
    pub head_starts: Vec<f64>,
    /// The temperatures of the map.
    pub temperatures: Vec<f64>,
    /// The error strategies' logits of the coverage sweep.
    pub error_logits: Vec<f64>,
    /// Replicates per point.
    pub replicates: u64,
}

impl RobustnessConfig {
    /// Every point of the map: variant by variant, then head start, then temperature.
    pub fn points(&self) -> Vec<Point> {
        let mut out = Vec::new();
        for variant in Variant::ALL {
            for &head_start in &self.head_starts {
                for &temperature in &self.temperatures {
                    out.push(Point {
                        head_start,
                        temperature,
                        variant,
                    });
                }
            }
        }
        out
    }

    /// The last iteration.
    pub fn last(&self) -> u64 {
        self.base.iterations
    }

    fn runs(&self) -> u64 {
        (self.points().len() as u64 + 2 + self.error_logits.len() as u64) * self.replicates
    }
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::text(
            "head_starts",
            "0,1,2,3.45,5,7",
            "the shortcut's base shared logits (its head start; the calibrated default is 3.45): a comma-separated list of numbers in [-50, 50]",
        ),
        ParamSpec::text(
            "temperatures",
            "0.5,0.75,1,1.25",
            "sampling temperatures τ (the paper's is 0.75): a comma-separated list of numbers in [0.01, 10]",
        ),
        ParamSpec::text(
            "error_logits",
            "3,2,1,0,-1,-3",
            "the coverage sweep: base shared logits of the error strategies (higher: lower M₁ coverage), a comma-separated list of numbers in [-50, 50]",
        ),
        ParamSpec::int(
            "questions",
            1000,
            1,
            1_000_000,
            "training, test and OOD questions per replicate (each)",
        ),
        ParamSpec::int("iterations", 5, 2, 100, "iterations T (the paper's 5)"),
        ParamSpec::int(
            "replicates",
            4,
            2,
            10_000,
            "replicates (populations) per point",
        ),
    ]
}

/// A list of numbers in `[lo, hi]`, at most `max` of them, each once.
fn numbers(p: &Params, name: &str, lo: f64, hi: f64, max: usize) -> Result<Vec<f64>, ParamError> {
    let text = p.text(name);
    let v: Vec<f64> = collapse_core::params::parse_list(name, text, "numbers")?;
    let bad = |why: String| {
        ParamError::conflict(
            name,
            format!(
                "{why} in `{text}`; valid range: at most {max} distinct numbers in [{lo}, {hi}]"
            ),
        )
    };
    if v.len() > max {
        return Err(bad(format!("{} numbers", v.len())));
    }
    if let Some(x) = v.iter().find(|x| !(lo..=hi).contains(*x)) {
        return Err(bad(format!("{x} out of range")));
    }
    for (i, x) in v.iter().enumerate() {
        if v[..i].contains(x) {
            return Err(bad(format!("{x} twice")));
        }
    }
    Ok(v)
}

impl RobustnessConfig {
    /// Checks the parameters once and builds the configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let q = p.int("questions").to_string();
        let t = p.int("iterations").to_string();
        let base = DynExperiment::new(Reversal).configure_with(&[
            ("train_questions", &q),
            ("test_questions", &q),
            ("ood_questions", &q),
            ("iterations", &t),
        ])?;
        let base = base
            .config::<ReversalConfig>()
            .expect("selftrain-reversal's configuration")
            .clone();
        Ok(Self {
            base,
            head_starts: numbers(p, "head_starts", -50.0, 50.0, 20)?,
            temperatures: numbers(p, "temperatures", 0.01, 10.0, 20)?,
            error_logits: numbers(p, "error_logits", -50.0, 50.0, 20)?,
            replicates: p.int("replicates") as u64,
        })
    }
}

/// The metrics a point emits, besides `pass_1` at every iteration.
const LEVEL_METRICS: [&str; 1] = [IS_BASE_PASS_64];

/// Names interned once per run.
struct Names {
    pass_1: Name,
    coverage: Name,
    best: Name,
    /// (metric, its change metric) for every metric with a change.
    changes: Vec<(Metric, Name)>,
    levels: Vec<(Metric, Name)>,
}

impl Names {
    fn new() -> Self {
        let changes = Metric::ALL
            .iter()
            .filter_map(|m| change_of(m.name()).map(|c| (*m, Name::new(c))))
            .collect();
        let levels = Metric::ALL
            .iter()
            .filter(|m| LEVEL_METRICS.contains(&m.name()))
            .map(|m| (*m, Name::new(m.name())))
            .collect();
        Self {
            pass_1: Name::new(PASS_1),
            coverage: Name::new(COVERAGE),
            best: Name::new(BEST_PASS_1),
            changes,
            levels,
        }
    }
}

/// Runs one replicate of `cfg` and emits, per paradigm (series `series[k]`): pass@1 at every
/// iteration, M₁'s coverage, the best pass@1 after iteration 1, and at the last iteration every
/// paired change and level metric; into `margin`, if given, the best of DPO and SFT-DPO minus
/// SFT's.
fn emit(
    cfg: &ReversalConfig,
    names: &Names,
    series: &[Name; 3],
    margin: Option<Name>,
    r: u64,
    rng: &mut collapse_core::Rng,
    rows: &mut collapse_core::Rows,
) -> Result<(), ChainError> {
    let last = cfg.iterations;
    // values[k][t][metric index], NaN when absent.
    let mut values = vec![vec![[f64::NAN; Metric::ALL.len()]; last as usize + 1]; 3];
    cfg.run_replicate(r, rng, |k, t, m, v| values[k][t as usize][m.index()] = v)?;
    let mut best = [f64::NAN; 3];
    for (k, &s) in series.iter().enumerate() {
        let at = |t: u64, m: Metric| values[k][t as usize][m.index()];
        for t in 1..=last {
            rows.push(s, t, names.pass_1, at(t, Metric::Pass1));
        }
        rows.push(s, 1, names.coverage, at(1, Metric::Coverage));
        best[k] = best_after_start((2..=last).map(|t| (t, at(t, Metric::Pass1))));
        rows.push(s, last, names.best, best[k]);
        for &(m, name) in &names.changes {
            let d = at(last, m) - at(1, m);
            if d.is_finite() {
                rows.push(s, last, name, d);
            }
        }
        for &(m, name) in &names.levels {
            let v = at(last, m);
            if v.is_finite() {
                rows.push(s, last, name, v);
            }
        }
    }
    if let Some(name) = margin {
        rows.push(name, last, names.best, best[1].max(best[2]) - best[0]);
    }
    Ok(())
}

/// `selftrain-robustness`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Robustness;

impl Experiment for Robustness {
    type Config = RobustnessConfig;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "Self-improvement reversal: where each of the paper's directions holds over the model's structural parameters"
    }
    fn about(&self) -> &'static str {
        "Runs selftrain-reversal's model (calibrated defaults, `questions` questions per split) at every point of \
head_starts × temperatures × seven variants (the defaults; init=restart; reference=base; level_weights 1,1,1,1,1 or \
0,0,1,1,1; samples 8 or 200), `replicates` populations per point shared across points, all three paradigms. Series \
PARADIGM/h=H/tau=T/VARIANT; also calibrated/PARADIGM (the defaults), placebo/PARADIGM (OOD questions scored like \
in-distribution ones, ood_transfer = 1) and coverage/error_logit=E/PARADIGM plus coverage/error_logit=E/dpo-family-minus-sft \
(the coverage rule). Metrics: pass_1 at every iteration, coverage (M₁), best_pass_1 (best of iterations 2..T), and at the \
last iteration change_pass_1, change_pass_64, change_kernel_diversity, change_distinct_correct, change_ood_pass_1, \
change_ood_disparity (paired changes from iteration 1) and is_base_pass_64. Prints, per direction of the paper, the model \
at the calibrated defaults, whether the direction is structural, conditional (and where) or contradicted over the map, \
and the placebo; then the coverage rule."
    }
    fn params(&self) -> Vec<ParamSpec> {
        params()
    }
    fn configure(&self, p: &Params) -> Result<RobustnessConfig, ParamError> {
        RobustnessConfig::from_params(p)
    }
    fn work(&self, c: &RobustnessConfig) -> u64 {
        c.runs()
    }
    fn cost(&self, c: &RobustnessConfig) -> Cost {
        // Per replicate as in selftrain-reversal at the largest sample count of the map; the
        // tally keeps every emitted row (about 48 bytes each with its replicate).
        let mut widest = c.base.clone();
        widest.training.samples = widest.training.samples.max(200);
        widest.replicates = c.replicates;
        let per_point = Reversal.cost(&widest);
        // Per paradigm and run: pass@1 at every iteration, coverage, the best pass@1, six
        // changes and one level (fewer when a metric is undefined); one margin per run of the
        // coverage sweep.
        let per_run = 3.0 * (c.last() as f64 + 2.0 + 7.0);
        let records = c.runs() as f64 * per_run + c.error_logits.len() as f64 * c.replicates as f64;
        Cost {
            records,
            memory: per_point.memory + 48.0 * records,
        }
    }
    fn run(
        &self,
        c: &RobustnessConfig,
        ctx: &RunContext<'_>,
    ) -> Result<RunOutput, ExperimentError> {
        let names = Names::new();
        let tally = Mutex::new(Vec::new());
        let series_of =
            |prefix: &dyn Fn(&str) -> String| Schedule::ALL.map(|(_, s)| Name::new(&prefix(s)));
        let pass = |cfg: &ReversalConfig, series: [Name; 3], margin: Option<Name>| {
            ctx.replicates("", c.replicates, |r, rng, rows| {
                emit(cfg, &names, &series, margin, r, rng, rows)?;
                let mine: Vec<_> = rows
                    .as_slice()
                    .iter()
                    .map(|x: &Row| (x.series, x.metric, x.step, r, x.value))
                    .collect();
                tally.lock().unwrap_or_else(|p| p.into_inner()).extend(mine);
                Ok::<(), ChainError>(())
            })
        };
        pass(&c.base, series_of(&|s| format!("{CALIBRATED}/{s}")), None)?;
        let mut placebo = c.base.clone();
        placebo.population.ood_transfer = [1.0; 3];
        pass(&placebo, series_of(&|s| format!("{PLACEBO}/{s}")), None)?;
        for p in c.points() {
            pass(&p.config(&c.base), series_of(&|s| p.series(s)), None)?;
        }
        for &e in &c.error_logits {
            let mut cfg = c.base.clone();
            cfg.population.role_logits[3] = e;
            let prefix = format!("{COVERAGE_SWEEP}/error_logit={e}");
            let margin = Name::new(&format!("{prefix}/{DPO_FAMILY_MINUS_SFT}"));
            pass(&cfg, series_of(&|s| format!("{prefix}/{s}")), Some(margin))?;
        }
        let values = tally.into_inner().unwrap_or_else(|p| p.into_inner());
        let mut groups: BTreeMap<(Name, Name, u64), Vec<(u64, f64)>> = BTreeMap::new();
        for (s, m, t, r, v) in values {
            groups.entry((s, m, t)).or_default().push((r, v));
        }
        let lookup = |s: &str, m: &str, t: u64| {
            let mut v = groups.get(&(Name::new(s), Name::new(m), t))?.clone();
            v.sort_by_key(|x| x.0);
            let xs: Vec<f64> = v.into_iter().map(|x| x.1).collect();
            Some(mean_and_se(&xs))
        };
        let map = Map::new(c, &lookup);
        Ok(RunOutput {
            theory: Vec::new(),
            report: Some(map.report(c)),
        })
    }
    fn figure(
        &self,
        c: &RobustnessConfig,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        Some(Ok(Box::new(crate::figures::robustness::chart(
            c,
            run.summary,
            run.command,
        ))))
    }
}

/// Mean and standard error over replicates of (series, metric, iteration): a run's summary, or
/// the run's own tally.
pub type Lookup<'a> = &'a dyn Fn(&str, &str, u64) -> Option<(f64, f64)>;

/// What one row of the map claims.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// One of the paper's 18 directions.
    Direction(paper::Direction),
    /// The mean pass@1 curve of a paradigm peaks at the paper's iteration.
    Peak {
        /// The series.
        series: &'static str,
        /// The paper's peak iteration over iterations 1–5 (a shorter run is held to the peak
        /// over its own iterations).
        at: usize,
    },
}

impl Kind {
    /// Every row: the 18 directions, then the three time courses.
    pub fn all() -> Vec<Kind> {
        let mut v: Vec<Kind> = paper::DIRECTIONS
            .iter()
            .map(|d| Kind::Direction(*d))
            .collect();
        for (series, curve) in paper::PASS_1_CURVES {
            v.push(Kind::Peak {
                series,
                at: paper::peak(&curve),
            });
        }
        v
    }
    /// The paradigm.
    pub fn series(&self) -> &'static str {
        match self {
            Kind::Direction(d) => d.series,
            Kind::Peak { series, .. } => series,
        }
    }
    /// The model's metric (or `pass_1 peak`).
    pub fn what(&self) -> &'static str {
        match self {
            Kind::Direction(d) => d.metric,
            Kind::Peak { .. } => "pass_1 peak",
        }
    }
    /// The paper's claim.
    pub fn claim_text(&self) -> String {
        match self {
            Kind::Direction(d) => d.claim.text(),
            Kind::Peak { at, .. } => format!("t = {at}"),
        }
    }
}

/// How the model does at one point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// As the paper reports.
    Holds,
    /// The other way (the opposite direction, below the level, or a different peak).
    Against,
    /// No change beyond 2 standard errors.
    Flat,
    /// The run has no value (e.g. no level-1 OOD question).
    Missing,
}

/// The model's result for one row at one series prefix: (outcome, the number behind it).
fn evaluate(
    kind: &Kind,
    prefix: &dyn Fn(&str) -> String,
    last: u64,
    get: Lookup<'_>,
) -> (Outcome, String) {
    match kind {
        Kind::Direction(d) => {
            let s = prefix(d.series);
            let x = match d.claim {
                Claim::AtLeast(_) => get(&s, d.metric, last),
                _ => change_of(d.metric).and_then(|c| get(&s, c, last)),
            };
            let Some(x) = x else {
                return (Outcome::Missing, "—".into());
            };
            let (m, holds) = verdict(d.claim, x);
            let o = if holds {
                Outcome::Holds
            } else if m == Moved::Flat {
                Outcome::Flat
            } else {
                Outcome::Against
            };
            let text = match d.claim {
                Claim::AtLeast(_) => format!("{:.3}", x.0),
                _ => format!("{} {:+.3}±{:.3}", m.text(), x.0, x.1),
            };
            (o, text)
        }
        Kind::Peak { series, at } => {
            let s = prefix(series);
            let n = last.min(5);
            let curve: Option<Vec<f64>> =
                (1..=n).map(|t| get(&s, PASS_1, t).map(|x| x.0)).collect();
            let Some(curve) = curve else {
                return (Outcome::Missing, "—".into());
            };
            // A run shorter than the paper's five iterations is held to the paper's peak over
            // the same iterations.
            let at = paper::PASS_1_CURVES
                .iter()
                .find(|(x, _)| x == series)
                .map_or(*at, |(_, c)| paper::peak(&c[..n as usize]));
            let p = paper::peak(&curve);
            (
                if p == at {
                    Outcome::Holds
                } else {
                    Outcome::Against
                },
                format!("t = {p}"),
            )
        }
    }
}

/// Where a row holds over the map.
#[derive(Clone, Debug, PartialEq)]
pub enum Class {
    /// At every point.
    Structural,
    /// At some points: the region in words.
    Conditional(String),
    /// At no point.
    Contradicted,
}

/// The map: for every row, the outcome at the calibrated defaults, at the placebo and at every
/// point.
#[derive(Clone, Debug)]
pub struct Map {
    /// The rows, in [`Kind::all`] order: (kind, calibrated, placebo, outcome per point).
    pub rows: Vec<MapRow>,
    /// The coverage sweep: (error logit, M₁ coverage, M₁ pass@1, margin (mean, s.e.)).
    pub coverage: Vec<(f64, f64, f64, (f64, f64))>,
    /// The points, in [`RobustnessConfig::points`] order.
    pub points: Vec<Point>,
}

/// One row of the map.
#[derive(Clone, Debug)]
pub struct MapRow {
    /// What the row claims.
    pub kind: Kind,
    /// The model at the calibrated defaults.
    pub calibrated: (Outcome, String),
    /// The model under the placebo (OOD rows only).
    pub placebo: Option<(Outcome, String)>,
    /// The outcome at each point.
    pub cells: Vec<Outcome>,
}

impl MapRow {
    /// Where the row holds.
    pub fn class(&self, points: &[Point]) -> Class {
        let n = self.cells.iter().filter(|o| **o == Outcome::Holds).count();
        if n == self.cells.len() {
            return Class::Structural;
        }
        if n == 0 {
            return Class::Contradicted;
        }
        Class::Conditional(region(&self.cells, points))
    }
}

/// The values of one axis that decide a row: those at which it never holds and those at which
/// it always holds, in grid order; with `ranges`, consecutive values are joined (`h 0–2`).
fn deciding<T: PartialEq + Copy>(
    cells: &[Outcome],
    points: &[Point],
    values: &[T],
    of: impl Fn(&Point) -> T,
    show: impl Fn(T) -> String,
    ranges: bool,
) -> (Vec<String>, Vec<String>) {
    let mut never = Vec::new();
    let mut always = Vec::new();
    let mut shown = Vec::new();
    for &v in values {
        let here: Vec<bool> = cells
            .iter()
            .zip(points)
            .filter(|(_, p)| of(p) == v)
            .map(|(o, _)| *o == Outcome::Holds)
            .collect();
        if here.is_empty() {
            continue;
        }
        never.push(here.iter().all(|h| !h));
        always.push(here.iter().all(|h| *h));
        shown.push(show(v));
    }
    let join = |flags: &[bool]| {
        let mut out = Vec::new();
        let mut i = 0;
        while i < flags.len() {
            if !flags[i] {
                i += 1;
                continue;
            }
            let mut j = i;
            while ranges && j + 1 < flags.len() && flags[j + 1] {
                j += 1;
            }
            out.push(if i == j {
                shown[i].clone()
            } else {
                // `h 0` … `h 2` reads `h 0–2`.
                let last = shown[j].rsplit(' ').next().unwrap_or(&shown[j]);
                format!("{}–{last}", shown[i])
            });
            i = j + 1;
        }
        out
    };
    (join(&never), join(&always))
}

fn unique<T: PartialEq + Copy>(points: &[Point], of: impl Fn(&Point) -> T) -> Vec<T> {
    let mut v: Vec<T> = Vec::new();
    for p in points {
        if !v.contains(&of(p)) {
            v.push(of(p));
        }
    }
    v
}

/// A point in words: `h 7, τ 1.25, restart`.
fn point_text(p: &Point) -> String {
    format!(
        "h {}, τ {}, {}",
        p.head_start,
        p.temperature,
        p.variant.name()
    )
}

/// Points listed in full when at most this many hold (or fail).
const LIST_AT_MOST: usize = 4;

/// The region of a conditional row in words: the few points where it holds (or fails), or the
/// parameter values at which it never or always holds.
fn region(cells: &[Outcome], points: &[Point]) -> String {
    let n = cells.iter().filter(|o| **o == Outcome::Holds).count();
    let mut out = format!("holds at {n}/{}", cells.len());
    let listed = |holds: bool| {
        cells
            .iter()
            .zip(points)
            .filter(|(o, _)| (**o == Outcome::Holds) == holds)
            .map(|(_, p)| point_text(p))
            .collect::<Vec<_>>()
            .join("; ")
    };
    if n <= LIST_AT_MOST {
        let _ = write!(out, ", only at {}", listed(true));
        return out;
    }
    if cells.len() - n <= LIST_AT_MOST {
        let _ = write!(out, ", fails only at {}", listed(false));
        return out;
    }
    let hs = unique(points, |p| p.head_start);
    let ts = unique(points, |p| p.temperature);
    let vs = unique(points, |p| p.variant);
    let (hn, ha) = deciding(
        cells,
        points,
        &hs,
        |p| p.head_start,
        |h| format!("h {h}"),
        true,
    );
    let (tn, ta) = deciding(
        cells,
        points,
        &ts,
        |p| p.temperature,
        |t| format!("τ {t}"),
        true,
    );
    let (vn, va) = deciding(
        cells,
        points,
        &vs,
        |p| p.variant,
        |v| v.name().to_string(),
        false,
    );
    let never: Vec<String> = hn.into_iter().chain(tn).chain(vn).collect();
    let always: Vec<String> = ha.into_iter().chain(ta).chain(va).collect();
    if !never.is_empty() {
        let _ = write!(out, "; never at {}", never.join(", "));
    }
    if !always.is_empty() {
        let _ = write!(out, "; always at {}", always.join(", "));
    }
    if never.is_empty() && always.is_empty() {
        out.push_str("; no single value decides it (see the figure)");
    }
    out
}

impl Map {
    /// The map of a run, from `get(series, metric, iteration)` = mean and standard error over
    /// replicates (a run's summary, or the run's own tally).
    pub fn new(c: &RobustnessConfig, get: Lookup<'_>) -> Self {
        let last = c.last();
        let points = c.points();
        let rows = Kind::all()
            .into_iter()
            .map(|kind| {
                let calibrated =
                    evaluate(&kind, &|s| format!("{CALIBRATED}/{s}"), last, get);
                let ood = matches!(kind, Kind::Direction(d) if [OOD_PASS_1, OOD_DISPARITY].contains(&d.metric));
                let placebo =
                    ood.then(|| evaluate(&kind, &|s| format!("{PLACEBO}/{s}"), last, get));
                let cells = points
                    .iter()
                    .map(|p| evaluate(&kind, &|s| p.series(s), last, get).0)
                    .collect();
                MapRow {
                    kind,
                    calibrated,
                    placebo,
                    cells,
                }
            })
            .collect();
        let coverage = c
            .error_logits
            .iter()
            .filter_map(|&e| {
                let prefix = format!("{COVERAGE_SWEEP}/error_logit={e}");
                let sft = format!("{prefix}/{SFT}");
                Some((
                    e,
                    get(&sft, COVERAGE, 1)?.0,
                    get(&sft, PASS_1, 1)?.0,
                    get(
                        &format!("{prefix}/{DPO_FAMILY_MINUS_SFT}"),
                        BEST_PASS_1,
                        last,
                    )?,
                ))
            })
            .collect();
        Self {
            rows,
            coverage,
            points,
        }
    }

    /// The printed table.
    pub fn report(&self, c: &RobustnessConfig) -> String {
        let mut out = String::new();
        let w = &mut out;
        let _ = writeln!(
            w,
            "Self-improvement reversal: where each of the paper's directions holds ({} points: head start {} × τ {} × {} variants; {} replicates of {} questions per split each; a change counts beyond {DIRECTION_Z} s.e.)",
            self.points.len(),
            list(&c.head_starts),
            list(&c.temperatures),
            Variant::ALL.len(),
            c.replicates,
            c.base.population.train,
        );
        let _ = writeln!(
            w,
            "Variants: {}.",
            Variant::ALL
                .iter()
                .map(|v| format!("{} = {}", v.name(), v.describe()))
                .collect::<Vec<_>>()
                .join("; ")
        );
        let _ = writeln!(
            w,
            "{:<8} {:<18} {:>6}  {:<26} {:<26}  over the map",
            "series", "metric", "paper", "calibrated defaults", "placebo (OOD rows)"
        );
        let mut counts = [0usize; 3];
        for row in &self.rows {
            let class = row.class(&self.points);
            let class_text = match &class {
                Class::Structural => {
                    counts[0] += 1;
                    "STRUCTURAL (holds everywhere)".to_string()
                }
                Class::Conditional(r) => {
                    counts[1] += 1;
                    format!("conditional: {r}")
                }
                Class::Contradicted => {
                    counts[2] += 1;
                    "CONTRADICTED (holds nowhere)".to_string()
                }
            };
            let mark = |o: Outcome| match o {
                Outcome::Holds => "yes",
                Outcome::Against | Outcome::Flat => "no",
                Outcome::Missing => "—",
            };
            let placebo = row
                .placebo
                .as_ref()
                .map_or("—".to_string(), |(o, t)| format!("{t} {}", mark(*o)));
            let _ = writeln!(
                w,
                "{:<8} {:<18} {:>6}  {:<26} {:<26}  {class_text}",
                row.kind.series(),
                row.kind.what(),
                row.kind.claim_text(),
                format!("{} {}", row.calibrated.1, mark(row.calibrated.0)),
                placebo,
            );
        }
        let _ = writeln!(
            w,
            "{} structural, {} conditional, {} contradicted of {} rows (18 directions and 3 pass@1 peaks).",
            counts[0],
            counts[1],
            counts[2],
            self.rows.len()
        );
        let survivors: Vec<String> = self
            .rows
            .iter()
            .filter(|r| r.placebo.as_ref().is_some_and(|p| p.0 == Outcome::Holds))
            .map(|r| format!("{} {}", r.kind.series(), r.kind.what()))
            .collect();
        let _ = writeln!(
            w,
            "Placebo (OOD questions scored like in-distribution questions of their level): {}. An OOD direction \
that holds there needs nothing out of distribution: it is structural, not evidence.",
            if survivors.is_empty() {
                "no OOD direction holds".to_string()
            } else {
                format!("{} hold there too", survivors.join(", "))
            }
        );
        let _ = writeln!(
            w,
            "\nCoverage rule (the paper: above M₁ coverage {}, DPO or SFT-DPO reaches the best pass@1; below, SFT), at the calibrated defaults with the error strategies' logit varied:",
            paper::COVERAGE_RULE
        );
        let _ = writeln!(
            w,
            "{:>11} {:>11} {:>10} {:>22}  {:<18} verdict",
            "error logit", "M₁ coverage", "M₁ pass@1", "best dpo-family − sft", "expected"
        );
        let mut matched = 0;
        for &(e, cov, p1, margin) in &self.coverage {
            let v = rule_verdict(cov, margin);
            matched += usize::from(v == "rule matched");
            let _ = writeln!(
                w,
                "{e:>11} {cov:>11.3} {p1:>10.3} {:>22}  {:<18} {v}",
                format!("{:+.4}±{:.4}", margin.0, margin.1),
                Winner::expected(cov).text(),
            );
        }
        let _ = writeln!(
            w,
            "The rule matched at {matched} of {} coverage levels.",
            self.coverage.len()
        );
        out
    }
}

fn list(v: &[f64]) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::SFT_DPO;
    use collapse_core::DynExperiment;

    fn tiny() -> Vec<(&'static str, &'static str)> {
        vec![
            ("head_starts", "1,3.45"),
            ("temperatures", "0.75,1"),
            ("error_logits", "3,-1"),
            ("questions", "150"),
            ("iterations", "3"),
            ("replicates", "2"),
        ]
    }

    #[test]
    fn the_map_is_deterministic_and_its_report_reads_the_summary() {
        let x = DynExperiment::new(Robustness)
            .configure_with(&tiny())
            .unwrap();
        let a = x.collect(5).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| x.collect(5)).unwrap();
        assert_eq!(a.records, b.records);
        assert_eq!(a.report, b.report);
        assert!(a.records.iter().all(|r| r.value.is_finite()));
        let estimate = x.cost().records;
        let n = a.records.len() as f64;
        assert!(estimate >= n && estimate <= 1.05 * n, "{estimate} vs {n}");
        // The map drawn from the summary is the map the run printed.
        let c = x.config::<RobustnessConfig>().unwrap();
        let from_summary = Map::new(c, &|s, m, t| {
            a.summary
                .iter()
                .find(|r| r.series == s && r.metric == m && r.step == t)
                .map(|r| (r.mean, r.std_error))
        });
        assert_eq!(a.report.as_deref(), Some(from_summary.report(c).as_str()));
        println!("{}", a.report.unwrap());
        assert_eq!(from_summary.rows.len(), 21);
        assert_eq!(from_summary.points.len(), 2 * 2 * 7);
        assert_eq!(from_summary.coverage.len(), 2);
    }

    #[test]
    fn rows_are_classified_by_where_they_hold() {
        let points: Vec<Point> = [1.0, 2.0]
            .iter()
            .flat_map(|&h| {
                [0.5, 1.0].map(|t| Point {
                    head_start: h,
                    temperature: t,
                    variant: Variant::Default,
                })
            })
            .collect();
        let row = |cells: Vec<Outcome>| MapRow {
            kind: Kind::all()[0],
            calibrated: (Outcome::Holds, String::new()),
            placebo: None,
            cells,
        };
        use Outcome::*;
        assert_eq!(row(vec![Holds; 4]).class(&points), Class::Structural);
        assert_eq!(
            row(vec![Flat, Against, Flat, Missing]).class(&points),
            Class::Contradicted
        );
        // Few points are listed.
        let c = row(vec![Flat, Against, Holds, Holds]).class(&points);
        assert_eq!(
            c,
            Class::Conditional(
                "holds at 2/4, only at h 2, τ 0.5, default; h 2, τ 1, default".into()
            )
        );
        // More points: the deciding values.
        let many: Vec<Point> = [1.0, 2.0, 3.0, 4.0]
            .iter()
            .flat_map(|&h| {
                [0.5, 1.0, 1.5].map(|t| Point {
                    head_start: h,
                    temperature: t,
                    variant: Variant::Default,
                })
            })
            .collect();
        let cells = |f: &dyn Fn(usize, usize) -> bool| {
            (0..12)
                .map(|k| if f(k / 3, k % 3) { Holds } else { Flat })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            row(cells(&|i, j| i == 1 || i == 2 || (i == 3 && j == 0))).class(&many),
            Class::Conditional("holds at 7/12; never at h 1; always at h 2–3".into())
        );
        assert_eq!(
            row(cells(&|i, j| (i + j) % 2 == 0)).class(&many),
            Class::Conditional("holds at 6/12; no single value decides it (see the figure)".into())
        );
    }

    #[test]
    fn a_short_run_is_held_to_the_papers_peak_over_its_own_iterations() {
        // A model curve rising through iteration 3.
        let rising =
            |_: &str, m: &str, t: u64| (m == PASS_1).then_some((0.6 + 0.01 * t as f64, 0.0));
        let peak = |series: &'static str, last: u64| {
            let kind = Kind::all()
                .into_iter()
                .find(|k| matches!(k, Kind::Peak { series: s, .. } if *s == series))
                .unwrap();
            evaluate(&kind, &|s| s.to_string(), last, &rising).0
        };
        // SFT-DPO's transcribed curve peaks at 4 over five iterations but at 3 over three; SFT's
        // peaks at 2 either way.
        assert_eq!(peak(SFT_DPO, 3), Outcome::Holds);
        assert_eq!(peak(SFT_DPO, 5), Outcome::Against);
        assert_eq!(peak(SFT, 3), Outcome::Against);
    }

    #[test]
    fn tiny_populations_give_finite_records_and_a_report() {
        let run = DynExperiment::new(Robustness)
            .configure_with(&[
                ("head_starts", "-50,50"),
                ("temperatures", "0.01,10"),
                ("error_logits", "50"),
                ("questions", "1"),
                ("iterations", "2"),
                ("replicates", "2"),
            ])
            .unwrap()
            .collect(1)
            .unwrap();
        assert!(run.records.iter().all(|r| r.value.is_finite()));
        let report = run.report.unwrap();
        assert!(
            !report.contains("NaN") && !report.contains("inf"),
            "{report}"
        );
    }

    #[test]
    fn bad_lists_are_refused() {
        let x = DynExperiment::new(Robustness);
        for (name, bad) in [
            ("head_starts", "1,,2"),
            ("head_starts", "1,1"),
            ("head_starts", "100"),
            ("temperatures", "0"),
            ("temperatures", "nan"),
            ("error_logits", ""),
        ] {
            let e = x
                .resolve(None, &[(name.into(), bad.into())])
                .unwrap_err()
                .to_string();
            assert!(e.contains(name), "{name}={bad}: {e}");
        }
    }
}
