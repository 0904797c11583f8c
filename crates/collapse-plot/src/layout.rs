//! A drawn chart's layout, as data ([`Layout`]), and the rules it must obey ([`LayoutFault`]).
//!
//! The renderer records what it decided and where things went: each panel's plot area, its
//! labelled ticks, its legend box, the pixels its series cover, and the ink of every text. The
//! rules are then checked on that record, so that a test (or `collapse figures`) can tell a
//! figure a reader would trip on without anyone looking at it.

use crate::chart::{Chart, LegendPlace};
use crate::text::{Rect, TextBox};
use crate::ticks::{AxisTicks, MIN_TICKS, readable};
use std::fmt;

/// What a series became on the canvas.
#[derive(Clone, Debug)]
pub struct SeriesLayout {
    /// Its legend entry.
    pub label: Option<String>,
    /// Whether it is a closed form (dashed).
    pub dashed: bool,
    /// Whether it is a band (shaded area) or carries a standard-error band or bars.
    pub banded: bool,
    /// The colour it was drawn in.
    pub rgb: (u8, u8, u8),
    /// Its points inside the plot area.
    pub visible: usize,
    /// The canvas pixels it covers (lines sampled every two pixels; bands and bars on a grid),
    /// each once.
    pub pixels: Vec<(i32, i32)>,
}

/// A legend as drawn.
#[derive(Clone, Debug)]
pub struct LegendLayout {
    /// Where it went.
    pub place: LegendPlace,
    /// Its box on the canvas.
    pub rect: Rect,
}

/// One panel as drawn.
#[derive(Clone, Debug)]
pub struct PanelLayout {
    /// The panel's title.
    pub title: String,
    /// The panel's cell on the canvas.
    pub cell: Rect,
    /// The plot area.
    pub plot: Rect,
    /// The x axis' ticks, and whether it is logarithmic.
    pub x_ticks: AxisTicks,
    /// Whether the x axis is logarithmic.
    pub x_log: bool,
    /// The y axis' ticks.
    pub y_ticks: AxisTicks,
    /// Whether the y axis is logarithmic.
    pub y_log: bool,
    /// The legend, if any series is labelled.
    pub legend: Option<LegendLayout>,
    /// The series, in the panel's order.
    pub series: Vec<SeriesLayout>,
}

/// A chart as drawn.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The canvas size in pixels.
    pub size: (u32, u32),
    /// The panels.
    pub panels: Vec<PanelLayout>,
    /// Every text drawn, with its ink.
    pub texts: Vec<TextBox>,
}

/// A breach of the layout rules.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum LayoutFault {
    /// An axis with fewer than three labelled ticks.
    TooFewTicks {
        /// The panel's title.
        panel: String,
        /// `x` or `y`.
        axis: char,
        /// The labels drawn.
        labels: Vec<String>,
    },
    /// A tick label that is not a readable value (1.585), does not say its tick's value, or
    /// (on a linear axis) does not step by 1, 2 or 5 times a power of ten.
    UnreadableTicks {
        /// The panel's title.
        panel: String,
        /// `x` or `y`.
        axis: char,
        /// The labels drawn.
        labels: Vec<String>,
    },
    /// A legend box over plotted data.
    LegendCoversData {
        /// The panel's title.
        panel: String,
        /// Where the legend is.
        place: LegendPlace,
        /// How many plotted pixels it covers.
        covered: usize,
    },
    /// A series promised in the legend with no point inside the plot area.
    EmptySeries {
        /// The panel's title.
        panel: String,
        /// The legend entry.
        label: String,
    },
    /// A title that promises something ("dashed", "band") the panel does not draw.
    Unkept {
        /// The title.
        title: String,
        /// What it promises.
        promise: &'static str,
    },
    /// A closed form drawn in the colour of a measurement it coincides with.
    HiddenTheory {
        /// The panel's title.
        panel: String,
        /// The closed form's legend entry.
        theory: String,
        /// The measurement's legend entry.
        under: String,
    },
    /// A text whose ink runs past the canvas.
    TextOffCanvas {
        /// The text.
        text: String,
        /// Its ink.
        rect: Rect,
        /// The canvas size.
        size: (u32, u32),
    },
    /// Two texts drawn over each other.
    TextsOverlap {
        /// One text.
        a: String,
        /// The other.
        b: String,
    },
    /// The chart could not be laid out.
    NotDrawn(String),
}

impl fmt::Display for LayoutFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayoutFault::TooFewTicks {
                panel,
                axis,
                labels,
            } => write!(
                f,
                "panel \"{panel}\": the {axis} axis labels {} tick(s) {labels:?}; at least {MIN_TICKS} needed",
                labels.len()
            ),
            LayoutFault::UnreadableTicks {
                panel,
                axis,
                labels,
            } => write!(
                f,
                "panel \"{panel}\": the {axis} axis labels {labels:?}, not readable values"
            ),
            LayoutFault::LegendCoversData {
                panel,
                place,
                covered,
            } => write!(
                f,
                "panel \"{panel}\": the legend ({place}) covers {covered} plotted pixel(s)"
            ),
            LayoutFault::EmptySeries { panel, label } => write!(
                f,
                "panel \"{panel}\": legend entry \"{label}\" has no point in the plot area"
            ),
            LayoutFault::Unkept { title, promise } => {
                write!(f, "\"{title}\" promises {promise} that are not drawn")
            }
            LayoutFault::HiddenTheory {
                panel,
                theory,
                under,
            } => write!(
                f,
                "panel \"{panel}\": closed form \"{theory}\" is drawn in the colour of \"{under}\", which it coincides with"
            ),
            LayoutFault::TextOffCanvas { text, rect, size } => write!(
                f,
                "text \"{text}\" at {rect} runs past the {}×{} canvas",
                size.0, size.1
            ),
            LayoutFault::TextsOverlap { a, b } => {
                write!(f, "texts \"{a}\" and \"{b}\" are drawn over each other")
            }
            LayoutFault::NotDrawn(e) => write!(f, "the chart could not be laid out: {e}"),
        }
    }
}

/// Whether a drawn series keeps a promise.
type Keeps = fn(&SeriesLayout) -> bool;

/// Words of a title (whole words: "bandwidth" promises nothing) and the series styles that
/// keep them.
const PROMISES: [(&[&str], &str, Keeps); 2] = [
    (&["dashed"], "dashed curves", |s| s.dashed),
    (&["band", "bands"], "bands", |s| s.banded),
];

/// Whether `title` holds one of `words` as a whole word, in any case.
fn promises(title: &str, words: &[&str]) -> bool {
    title
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| words.iter().any(|x| w.eq_ignore_ascii_case(x)))
}

/// The share of a closed form's pixels lying on a same-coloured measurement beyond which the
/// closed form counts as hidden.
const HIDDEN_SHARE: f64 = 0.5;

impl Layout {
    /// The faults of this layout of `chart`.
    pub fn faults(&self, chart: &Chart) -> Vec<LayoutFault> {
        let mut out = Vec::new();
        for p in &self.panels {
            ticks_faults(p, &mut out);
            legend_faults(p, &mut out);
            hidden_theory(p, &mut out);
            let drawn =
                |keep: fn(&SeriesLayout) -> bool| p.series.iter().any(|s| keep(s) && s.visible > 0);
            for (word, promise, keep) in PROMISES {
                if promises(&p.title, word) && !drawn(keep) {
                    out.push(LayoutFault::Unkept {
                        title: p.title.clone(),
                        promise,
                    });
                }
            }
        }
        for (word, promise, keep) in PROMISES {
            let anywhere = self
                .panels
                .iter()
                .any(|p| p.series.iter().any(|s| keep(s) && s.visible > 0));
            if promises(&chart.title, word) && !anywhere {
                out.push(LayoutFault::Unkept {
                    title: chart.title.clone(),
                    promise,
                });
            }
        }
        self.text_faults(&mut out);
        out
    }

    fn text_faults(&self, out: &mut Vec<LayoutFault>) {
        let canvas = Rect::new(0, 0, self.size.0 as i32, self.size.1 as i32);
        for t in &self.texts {
            if !canvas.encloses(&t.rect) {
                out.push(LayoutFault::TextOffCanvas {
                    text: t.text.clone(),
                    rect: t.rect,
                    size: self.size,
                });
            }
        }
        for (i, a) in self.texts.iter().enumerate() {
            for b in &self.texts[i + 1..] {
                if a.rect.overlaps(&b.rect) {
                    out.push(LayoutFault::TextsOverlap {
                        a: a.text.clone(),
                        b: b.text.clone(),
                    });
                }
            }
        }
    }
}

fn ticks_faults(p: &PanelLayout, out: &mut Vec<LayoutFault>) {
    for (axis, ticks, log) in [('x', &p.x_ticks, p.x_log), ('y', &p.y_ticks, p.y_log)] {
        let labels: Vec<String> = ticks.major.iter().map(|t| t.label.clone()).collect();
        if labels.len() < MIN_TICKS {
            out.push(LayoutFault::TooFewTicks {
                panel: p.title.clone(),
                axis,
                labels: labels.clone(),
            });
        }
        let says_its_value = ticks.major.iter().all(|t| {
            t.label
                .parse::<f64>()
                .is_ok_and(|v| (v - t.value).abs() <= 1e-9 * t.value.abs().max(1e-300))
        });
        let values: Vec<f64> = ticks.major.iter().map(|t| t.value).collect();
        let readable_values = if log && !evenly_stepped(&values) {
            labels.iter().all(|l| readable(l))
        } else {
            evenly_stepped(&values)
        };
        if !(says_its_value && readable_values) {
            out.push(LayoutFault::UnreadableTicks {
                panel: p.title.clone(),
                axis,
                labels,
            });
        }
    }
}

/// Whether `values` are consecutive multiples of one step `m × 10^e` with m in {1, 2, 5}.
fn evenly_stepped(values: &[f64]) -> bool {
    if values.len() < 2 {
        return true;
    }
    let step = values[1] - values[0];
    if step.is_nan() || step <= 0.0 {
        return false;
    }
    let mantissa = step / 10f64.powf(step.log10().floor());
    let nice = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .any(|m| (mantissa - m).abs() < 1e-6);
    let even = values
        .windows(2)
        .all(|w| ((w[1] - w[0]) - step).abs() <= 1e-6 * step);
    let multiples = values
        .iter()
        .all(|v| ((v / step) - (v / step).round()).abs() < 1e-6);
    nice && even && multiples
}

/// The plotted pixels inside `rect` (grown by two pixels: a line touching the box's border is
/// covered by it).
pub fn covered(series: &[SeriesLayout], rect: &Rect) -> usize {
    let r = rect.inflate(2);
    series
        .iter()
        .flat_map(|s| &s.pixels)
        .filter(|&&(x, y)| r.contains(f64::from(x), f64::from(y)))
        .count()
}

fn legend_faults(p: &PanelLayout, out: &mut Vec<LayoutFault>) {
    for s in &p.series {
        if let Some(label) = &s.label
            && s.visible == 0
        {
            out.push(LayoutFault::EmptySeries {
                panel: p.title.clone(),
                label: label.clone(),
            });
        }
    }
    if let Some(l) = &p.legend {
        let n = covered(&p.series, &l.rect);
        if n > 0 {
            out.push(LayoutFault::LegendCoversData {
                panel: p.title.clone(),
                place: l.place,
                covered: n,
            });
        }
    }
}

fn hidden_theory(p: &PanelLayout, out: &mut Vec<LayoutFault>) {
    for d in p.series.iter().filter(|s| s.dashed && !s.pixels.is_empty()) {
        for s in p.series.iter().filter(|s| !s.dashed && s.rgb == d.rgb) {
            let near: std::collections::HashSet<(i32, i32)> = s
                .pixels
                .iter()
                .flat_map(|&(x, y)| {
                    (-2..=2).flat_map(move |dx| (-2..=2).map(move |dy| (x + dx, y + dy)))
                })
                .collect();
            let on = d.pixels.iter().filter(|q| near.contains(q)).count();
            if on as f64 > HIDDEN_SHARE * d.pixels.len() as f64 {
                out.push(LayoutFault::HiddenTheory {
                    panel: p.title.clone(),
                    theory: d.label.clone().unwrap_or_default(),
                    under: s.label.clone().unwrap_or_default(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promises_are_whole_words() {
        assert!(promises(
            "mean, 5–95% band; exact dashed",
            &["band", "bands"]
        ));
        assert!(promises("Closed forms DASHED", &["dashed"]));
        assert!(!promises(
            "KDE bandwidth by Silverman's rule",
            &["band", "bands"]
        ));
    }

    #[test]
    fn steps() {
        assert!(evenly_stepped(&[0.0, 0.2, 0.4]));
        assert!(evenly_stepped(&[20.0, 30.0, 40.0, 50.0]));
        assert!(!evenly_stepped(&[0.0, 0.3, 0.6]));
        assert!(!evenly_stepped(&[1.0, 10.0, 100.0]));
    }
}
