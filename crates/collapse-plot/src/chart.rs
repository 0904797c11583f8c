//! What a figure holds: a [`Chart`] of [`Panel`]s, each a set of [`Series`]. How they are laid
//! out and drawn is in `render`; the rules a drawn chart must obey are in `lint`.

use crate::layout::{Layout, LayoutFault};
use crate::render::{CAPTION_MARGIN, CAPTION_SIZE, wrap};
use crate::text::{Blank, Canvas, TextMode};
use collapse_core::Drawing;
pub use collapse_core::FigureError;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// The palette every figure uses (colour-blind-safe, Okabe–Ito), indexed cyclically.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
    RGBColor(0, 0, 0),
];

/// The colour with index `i` of [`PALETTE`].
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// How many standard errors a Monte Carlo mean's band or bars reach on either side (about a
/// 95 % interval).
pub const SE_SPAN: f64 = 2.0;

/// How a series is drawn.
#[derive(Clone, Debug)]
pub enum Style {
    /// A solid line through the points.
    Line,
    /// A dashed line: a closed form. Drawn on top of every other series, and in a darker (or,
    /// for black, lighter) shade when a solid series of the panel has the same colour, so that
    /// it stays visible where it coincides with the measurement it is compared with.
    Dashed,
    /// Markers only.
    Markers,
    /// A shaded band between `lower` and the points (upper); e.g. a 5–95% band.
    Band {
        /// The lower edge, at the same x as the points.
        lower: Vec<f64>,
    },
    /// A histogram: points are (left edge, height); `width` is the bin width.
    Bars {
        /// Bin width.
        width: f64,
    },
}

/// One series of a panel.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend entry (`None`: not in the legend).
    pub label: Option<String>,
    /// Index into [`PALETTE`].
    pub color: usize,
    /// How it is drawn.
    pub style: Style,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
    /// Standard errors of the points (Monte Carlo means), one per point: drawn as a band of
    /// ± [`SE_SPAN`] standard errors around a line, or as bars of that half-length on markers.
    pub se: Option<Vec<f64>>,
}

impl Series {
    fn new(label: Option<String>, color: usize, style: Style, points: Vec<(f64, f64)>) -> Self {
        Self {
            label,
            color,
            style,
            points,
            se: None,
        }
    }
    /// A solid line.
    pub fn line(label: impl Into<String>, color: usize, points: Vec<(f64, f64)>) -> Self {
        Self::new(Some(label.into()), color, Style::Line, points)
    }
    /// A dashed line (use for closed-form theory).
    pub fn dashed(label: impl Into<String>, color: usize, points: Vec<(f64, f64)>) -> Self {
        Self::new(Some(label.into()), color, Style::Dashed, points)
    }
    /// Markers.
    pub fn markers(label: impl Into<String>, color: usize, points: Vec<(f64, f64)>) -> Self {
        Self::new(Some(label.into()), color, Style::Markers, points)
    }
    /// A Monte Carlo mean with its standard errors: a line with a band of ± [`SE_SPAN`]
    /// standard errors (see [`summary_mean`] to take both from a summary).
    pub fn mean_se(
        label: impl Into<String>,
        color: usize,
        points: Vec<(f64, f64)>,
        se: Vec<f64>,
    ) -> Self {
        Self::line(label, color, points).with_se(se)
    }
    /// A band from `lower` to `upper` at `xs` (unlabelled).
    pub fn band(color: usize, xs: &[f64], lower: &[f64], upper: &[f64]) -> Self {
        Self::new(
            None,
            color,
            Style::Band {
                lower: lower.to_vec(),
            },
            xs.iter().copied().zip(upper.iter().copied()).collect(),
        )
    }
    /// A histogram with bins of `width` starting at the given left edges.
    pub fn bars(label: impl Into<String>, color: usize, width: f64, bins: Vec<(f64, f64)>) -> Self {
        Self::new(Some(label.into()), color, Style::Bars { width }, bins)
    }
    /// Attaches the standard errors of the points (one per point): a band on a line, error
    /// bars on markers, reaching ± [`SE_SPAN`] standard errors.
    pub fn with_se(mut self, se: Vec<f64>) -> Self {
        self.se = Some(se);
        self
    }
    /// Removes the legend entry.
    pub fn unlabelled(mut self) -> Self {
        self.label = None;
        self
    }
}

/// A corner of the plot area for a panel's legend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Legend {
    /// Upper right corner.
    #[default]
    UpperRight,
    /// Upper left corner.
    UpperLeft,
    /// Lower left corner.
    LowerLeft,
    /// Lower right corner.
    LowerRight,
}

/// Where a legend went: a corner of the plot area, or outside it, at its right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegendPlace {
    /// Inside the plot area, in a corner.
    Corner(Legend),
    /// Outside the plot area, at its right (the plot area narrows to make room).
    Outside,
}

impl std::fmt::Display for LegendPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LegendPlace::Corner(Legend::UpperRight) => "upper right",
            LegendPlace::Corner(Legend::UpperLeft) => "upper left",
            LegendPlace::Corner(Legend::LowerLeft) => "lower left",
            LegendPlace::Corner(Legend::LowerRight) => "lower right",
            LegendPlace::Outside => "outside",
        })
    }
}

/// One plot area.
#[derive(Clone, Debug, Default)]
pub struct Panel {
    /// Title above the plot area.
    pub title: String,
    /// X axis description.
    pub x_label: String,
    /// Y axis description.
    pub y_label: String,
    /// Log-scale x.
    pub x_log: bool,
    /// Log-scale y.
    pub y_log: bool,
    /// Fixed x range (data units); otherwise fitted to the data.
    pub x_range: Option<(f64, f64)>,
    /// Fixed y range (data units); otherwise fitted to the data.
    pub y_range: Option<(f64, f64)>,
    /// The series, drawn in order (bands and bars first, closed forms last).
    pub series: Vec<Series>,
    /// The corner the legend would rather go to (see [`Panel::legend`]); by default the upper
    /// right.
    pub legend: Legend,
    /// An override of the automatic placement ([`Panel::legend_fixed`],
    /// [`Panel::legend_outside`]).
    pub legend_fixed: Option<LegendPlace>,
}

impl Panel {
    /// A panel with a title and axis descriptions.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            ..Self::default()
        }
    }
    /// Log-scale x axis.
    pub fn log_x(mut self) -> Self {
        self.x_log = true;
        self
    }
    /// Log-scale y axis.
    pub fn log_y(mut self) -> Self {
        self.y_log = true;
        self
    }
    /// Fixed y range.
    pub fn y_range(mut self, lo: f64, hi: f64) -> Self {
        self.y_range = Some((lo, hi));
        self
    }
    /// Fixed x range.
    pub fn x_range(mut self, lo: f64, hi: f64) -> Self {
        self.x_range = Some((lo, hi));
        self
    }
    /// Prefers a corner for the legend: it goes there when it covers no plotted point there;
    /// otherwise to the first corner that covers none (upper right, upper left, lower right,
    /// lower left), or else outside the plot area, at its right.
    pub fn legend(mut self, at: Legend) -> Self {
        self.legend = at;
        self.legend_fixed = None;
        self
    }
    /// Puts the legend in that corner whatever it covers (an explicit override of the
    /// automatic placement; [`Chart::lint`] still reports a legend over data).
    pub fn legend_fixed(mut self, at: Legend) -> Self {
        self.legend = at;
        self.legend_fixed = Some(LegendPlace::Corner(at));
        self
    }
    /// Puts the legend outside the plot area, at its right, even when a corner is free (e.g.
    /// to keep several panels alike).
    pub fn legend_outside(mut self) -> Self {
        self.legend_fixed = Some(LegendPlace::Outside);
        self
    }
    /// Adds a series.
    pub fn with(mut self, s: Series) -> Self {
        self.series.push(s);
        self
    }
    /// Adds a series in place.
    pub fn push(&mut self, s: Series) {
        self.series.push(s);
    }
}

/// A figure: panels on a grid, a title, and a caption of provenance (wrapped to the width).
#[derive(Clone, Debug)]
pub struct Chart {
    /// The title (wrapped to the width when longer).
    pub title: String,
    /// Provenance: the commands that reproduce the runs, one per line.
    pub caption: String,
    /// The panels, row by row.
    pub panels: Vec<Panel>,
    /// Panels per row.
    pub cols: usize,
    /// Size of one panel in pixels.
    pub panel_size: (u32, u32),
}

impl Chart {
    /// A one-panel chart.
    pub fn single(title: impl Into<String>, caption: impl Into<String>, panel: Panel) -> Self {
        Self::grid(title, caption, vec![panel], 1)
    }

    /// A grid of panels, `cols` per row.
    pub fn grid(
        title: impl Into<String>,
        caption: impl Into<String>,
        panels: Vec<Panel>,
        cols: usize,
    ) -> Self {
        let n = panels.len();
        Self {
            title: title.into(),
            caption: caption.into(),
            panels,
            cols: cols.max(1),
            // A single panel gets room for a talk-sized title; grids use smaller panels.
            panel_size: if n == 1 { (960, 600) } else { (640, 460) },
        }
    }

    /// The caption broken into lines that fit `width` pixels (at word boundaries; a word
    /// longer than a line is broken inside).
    pub fn caption_lines(&self, width: u32) -> Vec<String> {
        wrap(
            &self.caption,
            f64::from(CAPTION_SIZE),
            f64::from(width) - 2.0 * f64::from(CAPTION_MARGIN),
        )
    }

    /// Where everything goes: the chart drawn on a blank canvas, recording its ticks, legends,
    /// plotted points and texts.
    pub fn layout(&self) -> Result<Layout, FigureError> {
        let (canvas, texts) = Canvas::new(Blank::new(self.size()), TextMode::Raster);
        self.render(canvas, texts)
    }

    /// The breaches of the layout rules (see [`LayoutFault`]); empty for a good figure.
    pub fn lint(&self) -> Vec<LayoutFault> {
        match self.layout() {
            Ok(layout) => layout.faults(self),
            Err(e) => vec![LayoutFault::NotDrawn(e.to_string())],
        }
    }

    /// Writes `dir/name.svg` and `dir/name.png` (each first to a temporary file, then renamed,
    /// so a failure never leaves a half-written figure).
    pub fn save(&self, dir: &Path, name: &str) -> Result<Vec<PathBuf>, FigureError> {
        let size = self.size();
        crate::save_svg_and_png(
            dir,
            name,
            |svg| {
                let (canvas, texts) = Canvas::new(SVGBackend::new(svg, size), TextMode::Native);
                self.render(canvas, texts).map(drop)
            },
            |png| {
                let (canvas, texts) = Canvas::new(BitMapBackend::new(png, size), TextMode::Raster);
                self.render(canvas, texts).map(drop)
            },
        )
    }
}

impl Drawing for Chart {
    fn save(&self, dir: &Path, stem: &str) -> Result<Vec<PathBuf>, FigureError> {
        Chart::save(self, dir, stem)
    }
    fn lint(&self) -> Vec<String> {
        Chart::lint(self).iter().map(ToString::to_string).collect()
    }
}

/// Points (x, mean) of `metric` in `series` from summary rows, ordered by step, with x = step.
pub fn summary_curve(
    rows: &[collapse_core::SummaryRow],
    series: &str,
    metric: &str,
    pick: fn(&collapse_core::SummaryRow) -> f64,
) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = rows
        .iter()
        .filter(|r| r.series == series && r.metric == metric)
        .map(|r| (r.step as f64, pick(r)))
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts
}

/// The Monte Carlo mean of `metric` in `series` (x = step) and its standard errors, for
/// [`Series::mean_se`].
pub fn summary_mean(
    rows: &[collapse_core::SummaryRow],
    series: &str,
    metric: &str,
) -> (Vec<(f64, f64)>, Vec<f64>) {
    let mut rows: Vec<&collapse_core::SummaryRow> = rows
        .iter()
        .filter(|r| r.series == series && r.metric == metric)
        .collect();
    rows.sort_by_key(|r| r.step);
    (
        rows.iter().map(|r| (r.step as f64, r.mean)).collect(),
        rows.iter().map(|r| r.std_error).collect(),
    )
}
