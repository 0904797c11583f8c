//! Axis ticks with readable labels.
//!
//! A linear axis is labelled at the multiples of a 1-2-5 step. A log axis (drawn as log10 of the
//! data on a linear axis) is labelled, from the sparsest choice to the densest, at powers of ten
//! every few decades, at every power of ten, at 1-2-5, at 1-2-3-5 or at 1-1.5-2-3-4-5-6-8 times
//! the powers of ten, and on a range too narrow for any of those at a 1-2-5 step of the values
//! themselves (20, 30, 40, 50); never at values like 1.585 or 2.512. Of the choices whose labels
//! fit without touching and which label at least three ticks, the one nearest a comfortable
//! density is taken.

/// A labelled tick.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// The position on the drawn axis (log10 of the value on a log axis).
    pub at: f64,
    /// The value it stands for.
    pub value: f64,
    /// Its label.
    pub label: String,
}

/// The ticks of one axis: the labelled ones and the unlabelled grid lines between them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AxisTicks {
    /// Labelled ticks, increasing.
    pub major: Vec<Tick>,
    /// Positions of the light grid lines.
    pub minor: Vec<f64>,
}

/// The fewest labelled ticks an axis should have.
pub const MIN_TICKS: usize = 3;

/// What tick selection needs to know of the axis on the canvas.
pub struct AxisGeometry<'a> {
    /// Length of the axis in pixels.
    pub length: f64,
    /// Whether the axis runs horizontally (labels side by side) or vertically (stacked).
    pub horizontal: bool,
    /// The pixels a label needs along the axis, including the gap to its neighbour.
    pub extent: &'a dyn Fn(&str) -> f64,
}

impl AxisGeometry<'_> {
    /// The spacing between labels that reads comfortably.
    fn comfortable(&self) -> f64 {
        if self.horizontal { 110.0 } else { 60.0 }
    }
}

/// The ticks of an axis spanning `[lo, hi]` (log10 of the values on a log axis).
pub fn axis_ticks(lo: f64, hi: f64, log: bool, geometry: &AxisGeometry<'_>) -> AxisTicks {
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if !(lo.is_finite() && hi.is_finite()) || hi - lo <= 0.0 {
        return AxisTicks::default();
    }
    let groups = if log {
        log_candidates(lo, hi)
    } else {
        vec![(linear_candidates(lo, hi, |v| v, |v| v), Pick::Nearest)]
    };
    choose(groups, lo, hi, geometry)
}

/// How to pick within a group of candidates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pick {
    /// The candidate nearest the comfortable density (ties: the sparser).
    Nearest,
    /// The sparsest candidate.
    Sparsest,
}

/// Picks from the first group (candidates ordered sparse to dense) that has a candidate whose
/// labels fit and number at least [`MIN_TICKS`]; failing all, the candidate with the most
/// ticks whose labels fit, or the sparsest.
fn choose(
    groups: Vec<(Vec<AxisTicks>, Pick)>,
    lo: f64,
    hi: f64,
    g: &AxisGeometry<'_>,
) -> AxisTicks {
    let target = (g.length / g.comfortable()).max(MIN_TICKS as f64);
    let fits = |t: &AxisTicks| labels_fit(t, lo, hi, g);
    for (candidates, pick) in &groups {
        let good = candidates
            .iter()
            .filter(|c| c.major.len() >= MIN_TICKS && fits(c));
        let chosen = match pick {
            Pick::Sparsest => good.min_by_key(|c| c.major.len()),
            Pick::Nearest => {
                let score = |c: &AxisTicks| (c.major.len() as f64 / target).ln().abs();
                good.min_by(|a, b| score(a).total_cmp(&score(b)))
            }
        };
        if let Some(c) = chosen {
            return c.clone();
        }
    }
    let all: Vec<&AxisTicks> = groups.iter().flat_map(|(c, _)| c).collect();
    all.iter()
        .filter(|c| fits(c))
        .max_by_key(|c| c.major.len())
        .or(all.first())
        .map(|c| (*c).clone())
        .unwrap_or_default()
}

/// Whether neighbouring labels keep clear of each other along the axis.
fn labels_fit(t: &AxisTicks, lo: f64, hi: f64, g: &AxisGeometry<'_>) -> bool {
    let px = |at: f64| (at - lo) / (hi - lo) * g.length;
    t.major.windows(2).all(|w| {
        let need = ((g.extent)(&w[0].label) + (g.extent)(&w[1].label)) / 2.0;
        px(w[1].at) - px(w[0].at) >= need
    })
}

/// The 1-2-5 steps `m × 10^e` from the smallest that gives at most 200 ticks on `[lo, hi]` up to
/// the span itself, as (mantissa, exponent).
fn steps(span: f64) -> Vec<(u32, i32)> {
    let mut e = (span / 200.0).log10().floor() as i32;
    let mut out = Vec::new();
    loop {
        for m in [1u32, 2, 5] {
            let step = f64::from(m) * 10f64.powi(e);
            if step >= span / 200.0 {
                out.push((m, e));
            }
            if step > span {
                return out;
            }
        }
        e += 1;
    }
}

/// The value `n × m × 10^e` rounded to the nearest double of its decimal form (so that labels
/// and positions carry no binary residue such as 0.30000000000000004).
fn decimal(n: i64, m: u32, e: i32) -> f64 {
    format!("{}e{e}", n * i64::from(m))
        .parse()
        .expect("a decimal literal parses")
}

/// Candidate linear tick sets (sparse to dense) of the values `v` with `to(v)` in `[lo, hi]`:
/// multiples of each 1-2-5 step, positioned at `to(v)`, with minor lines at a fifth (a quarter
/// for steps of 2) of the step.
fn linear_candidates(
    lo: f64,
    hi: f64,
    to: impl Fn(f64) -> f64,
    from: impl Fn(f64) -> f64,
) -> Vec<AxisTicks> {
    let (vlo, vhi) = (from(lo), from(hi));
    let span = vhi - vlo;
    if span.is_nan() || span <= 0.0 {
        return Vec::new();
    }
    let mut out: Vec<AxisTicks> = steps(span)
        .into_iter()
        .map(|(m, e)| {
            let step = f64::from(m) * 10f64.powi(e);
            let first = (vlo / step - 1e-9).ceil() as i64;
            let last = (vhi / step + 1e-9).floor() as i64;
            let values: Vec<f64> = (first..=last).map(|n| decimal(n, m, e)).collect();
            let labels = linear_labels(&values, e);
            let major = values
                .iter()
                .zip(labels)
                .map(|(&value, label)| Tick {
                    at: to(value),
                    value,
                    label,
                })
                .collect();
            let parts = if m == 2 { 4 } else { 5 };
            let sub = step / f64::from(parts);
            let (f, l) = (
                (vlo / sub - 1e-9).ceil() as i64,
                (vhi / sub + 1e-9).floor() as i64,
            );
            let minor = if l - f <= 2000 {
                (f..=l).map(|k| to(k as f64 * sub)).collect()
            } else {
                Vec::new()
            };
            AxisTicks { major, minor }
        })
        .collect();
    out.reverse();
    out
}

/// The labels of the multiples `values` of a step `m × 10^e`: plain decimals with the step's
/// decimals, or `2e-4`-style labels when the values are all below 1e-3 or reach 1e5.
fn linear_labels(values: &[f64], e: i32) -> Vec<String> {
    let top = values.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let scientific = top >= 1e5 || (top > 0.0 && top < 1e-3);
    values
        .iter()
        .map(|&v| {
            if v == 0.0 {
                "0".to_string()
            } else if scientific {
                format!("{v:e}")
            } else {
                let decimals = (-e).max(0) as usize;
                format!("{v:.decimals$}")
            }
        })
        .collect()
}

/// The label of a tick value on a log axis: the shortest decimal between 1e-3 and 1e5, else
/// `1e-4`, `2e6`, `1.5e7`.
pub fn log_label(v: f64) -> String {
    if (1e-3..1e5).contains(&v) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Candidate log tick sets on `[lo, hi]` (decades), in the groups tried in turn: powers of ten
/// (every few decades or every one; the density nearest the comfortable one), then 1-2-5,
/// 1-2-3-5 and 1-1.5-2-3-4-5-6-8 times them (the sparsest that labels three ticks), then on
/// a range under a decade a 1-2-5 step of the values themselves.
fn log_candidates(lo: f64, hi: f64) -> Vec<(Vec<AxisTicks>, Pick)> {
    let d0 = lo.floor() as i32 - 1;
    let d1 = hi.ceil() as i32 + 1;
    let decades = d1 - d0;
    let in_range = |a: f64| a >= lo - 1e-9 && a <= hi + 1e-9;
    let at = |m: &str, e: i32| -> (f64, f64) {
        let v: f64 = format!("{m}e{e}")
            .parse()
            .expect("a decimal literal parses");
        (v.log10(), v)
    };
    let set = |mantissas: &[&str], every: i32| -> Vec<Tick> {
        let mut ticks = Vec::new();
        if decades > 400 {
            return ticks;
        }
        for e in d0..=d1 {
            if e.rem_euclid(every) != 0 && every > 1 {
                continue;
            }
            for m in mantissas {
                let (a, v) = at(m, e);
                if in_range(a) {
                    ticks.push(Tick {
                        at: a,
                        value: v,
                        label: log_label(v),
                    });
                }
            }
        }
        ticks
    };
    // Grid lines: at 1..9 × 10^e when the axis spans few decades, else at the decades.
    let minor: Vec<f64> = if decades <= 12 {
        (d0..=d1)
            .flat_map(|e| (1..=9).map(move |m| f64::from(e) + f64::from(m).log10()))
            .filter(|&a| in_range(a))
            .collect()
    } else if decades <= 400 {
        (d0..=d1).map(f64::from).filter(|&a| in_range(a)).collect()
    } else {
        Vec::new()
    };
    let decades: Vec<AxisTicks> = [50, 20, 10, 5, 3, 2, 1]
        .into_iter()
        .map(|every| AxisTicks {
            major: set(&["1"], every),
            minor: minor.clone(),
        })
        .collect();
    let multiples: Vec<AxisTicks> = [
        &["1", "2", "5"][..],
        &["1", "2", "3", "5"],
        &["1", "1.5", "2", "3", "4", "5", "6", "8"],
    ]
    .into_iter()
    .map(|mantissas| AxisTicks {
        major: set(mantissas, 1),
        minor: minor.clone(),
    })
    .collect();
    let mut groups = vec![(decades, Pick::Nearest), (multiples, Pick::Sparsest)];
    if hi - lo < 1.0 {
        let values = linear_candidates(lo, hi, f64::log10, |a| 10f64.powf(a));
        groups.push((values, Pick::Nearest));
    }
    groups
}

/// Whether a label is readable: a decimal or `me±k` with at most two significant digits
/// (1, 1.5, 20, 2.5e-4; not 1.585 or 3.981).
pub fn readable(label: &str) -> bool {
    let mantissa = label.split(['e', 'E']).next().unwrap_or("");
    let digits: String = mantissa
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .trim_start_matches('0')
        .trim_end_matches('0')
        .to_string();
    label.parse::<f64>().is_ok() && digits.len() <= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry(length: f64, horizontal: bool) -> AxisGeometry<'static> {
        static EXTENT: fn(&str) -> f64 = |s| 8.0 * s.len() as f64 + 10.0;
        static STACKED: fn(&str) -> f64 = |_| 20.0;
        AxisGeometry {
            length,
            horizontal,
            extent: if horizontal { &EXTENT } else { &STACKED },
        }
    }

    fn labels(t: &AxisTicks) -> Vec<&str> {
        t.major.iter().map(|t| t.label.as_str()).collect()
    }

    #[test]
    fn linear_axes_use_one_two_five_steps() {
        let t = axis_ticks(-0.03, 0.71, false, &geometry(500.0, false));
        assert_eq!(
            labels(&t),
            ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"]
        );
        let t = axis_ticks(0.0, 200.0, false, &geometry(850.0, true));
        assert_eq!(
            labels(&t),
            [
                "0", "20", "40", "60", "80", "100", "120", "140", "160", "180", "200"
            ]
        );
        let t = axis_ticks(0.0, 3e-4, false, &geometry(500.0, false));
        assert!(labels(&t).contains(&"1e-4"), "{:?}", labels(&t));
        // No binary residue.
        let t = axis_ticks(0.25, 0.35, false, &geometry(500.0, false));
        assert!(labels(&t).iter().all(|l| l.len() <= 4), "{:?}", labels(&t));
    }

    /// The survival figure's axis: 0.03 to 0.6 (1.3 decades) labelled 0.05, 0.1, 0.2, 0.5.
    #[test]
    fn a_narrow_log_axis_still_has_three_readable_labels() {
        let t = axis_ticks(
            0.03f64.log10(),
            0.6f64.log10(),
            true,
            &geometry(500.0, false),
        );
        assert!(t.major.len() >= MIN_TICKS, "{:?}", labels(&t));
        assert!(labels(&t).iter().all(|l| readable(l)), "{:?}", labels(&t));
        // 20 to 50: a third of a decade.
        let t = axis_ticks(20f64.log10(), 50f64.log10(), true, &geometry(500.0, false));
        assert!(t.major.len() >= MIN_TICKS, "{:?}", labels(&t));
        assert!(labels(&t).iter().all(|l| readable(l)), "{:?}", labels(&t));
        // 1.2 to 1.3: the values themselves.
        let t = axis_ticks(
            1.2f64.log10(),
            1.3f64.log10(),
            true,
            &geometry(500.0, false),
        );
        assert!(t.major.len() >= MIN_TICKS, "{:?}", labels(&t));
        for w in t.major.windows(2) {
            assert!(w[0].at < w[1].at);
        }
    }

    #[test]
    fn wide_log_axes_label_decades() {
        let t = axis_ticks(-4.2, 0.3, true, &geometry(500.0, false));
        assert_eq!(labels(&t), ["1e-4", "0.001", "0.01", "0.1", "1"]);
        let t = axis_ticks(-30.0, 2.0, true, &geometry(500.0, false));
        assert!(
            t.major.len() >= MIN_TICKS && t.major.len() <= 12,
            "{:?}",
            labels(&t)
        );
        assert!(labels(&t).iter().all(|l| readable(l)));
    }

    #[test]
    fn horizontal_labels_never_touch() {
        // A short axis with long labels: fewer ticks rather than overlapping ones.
        let t = axis_ticks(0.0, 1e6, false, &geometry(200.0, true));
        let px = |a: f64| a / 1e6 * 200.0;
        for w in t.major.windows(2) {
            let need = (8.0 * (w[0].label.len() + w[1].label.len()) as f64) / 2.0 + 10.0;
            assert!(px(w[1].at) - px(w[0].at) >= need, "{:?}", labels(&t));
        }
    }

    #[test]
    fn readability() {
        for ok in ["1", "0.05", "2e-4", "1.5e6", "20", "250", "-0.5"] {
            assert!(readable(ok), "{ok}");
        }
        for bad in ["1.585", "2.512", "3.981", "", "x"] {
            assert!(!readable(bad), "{bad}");
        }
    }
}
