//! Charts: a [`Chart`] of [`Panel`]s, each a set of [`Series`], rendered to
//! SVG and PNG with plotters and the embedded DejaVu Sans (no system font, no fontconfig).
//!
//! Log axes are drawn by plotting log10 of the data on a linear axis with labels `10^k`, which
//! keeps one code path for all four axis combinations. Non-positive values on a log axis are
//! dropped (a variance that collapsed to exactly zero has no place on a log scale).

use collapse_core::Drawing;
pub use collapse_core::FigureError;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use std::path::{Path, PathBuf};
use std::sync::Once;

fn draw_err<E: std::fmt::Debug>(e: E) -> FigureError {
    FigureError::Draw(format!("{e:?}"))
}

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

/// How a series is drawn.
#[derive(Clone, Debug)]
pub enum Style {
    /// A solid line through the points.
    Line,
    /// A dashed line (theory curves).
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
}

impl Series {
    /// A solid line.
    pub fn line(label: impl Into<String>, color: usize, points: Vec<(f64, f64)>) -> Self {
        Self {
            label: Some(label.into()),
            color,
            style: Style::Line,
            points,
        }
    }
    /// A dashed line (use for closed-form theory).
    pub fn dashed(label: impl Into<String>, color: usize, points: Vec<(f64, f64)>) -> Self {
        Self {
            label: Some(label.into()),
            color,
            style: Style::Dashed,
            points,
        }
    }
    /// Markers.
    pub fn markers(label: impl Into<String>, color: usize, points: Vec<(f64, f64)>) -> Self {
        Self {
            label: Some(label.into()),
            color,
            style: Style::Markers,
            points,
        }
    }
    /// A band from `lower` to `upper` at `xs` (unlabelled).
    pub fn band(color: usize, xs: &[f64], lower: &[f64], upper: &[f64]) -> Self {
        Self {
            label: None,
            color,
            style: Style::Band {
                lower: lower.to_vec(),
            },
            points: xs.iter().copied().zip(upper.iter().copied()).collect(),
        }
    }
    /// A histogram with bins of `width` starting at the given left edges.
    pub fn bars(label: impl Into<String>, color: usize, width: f64, bins: Vec<(f64, f64)>) -> Self {
        Self {
            label: Some(label.into()),
            color,
            style: Style::Bars { width },
            points: bins,
        }
    }
    /// Removes the legend entry.
    pub fn unlabelled(mut self) -> Self {
        self.label = None;
        self
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
    /// The series, drawn in order.
    pub series: Vec<Series>,
    /// Where the legend goes.
    pub legend: Legend,
}

/// Legend placement.
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
    /// Places the legend.
    pub fn legend(mut self, at: Legend) -> Self {
        self.legend = at;
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

/// A figure: panels on a grid, a title, and one line of provenance.
#[derive(Clone, Debug)]
pub struct Chart {
    /// The title.
    pub title: String,
    /// Provenance: experiment id, key parameters, seed.
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

    fn size(&self) -> (u32, u32) {
        let cols = self.cols.min(self.panels.len().max(1)) as u32;
        let rows = self.panels.len().div_ceil(self.cols).max(1) as u32;
        let width = self.panel_size.0 * cols;
        let extra = CAPTION_LINE * (self.caption_lines(width).len().max(1) as u32 - 1);
        (width, self.panel_size.1 * rows + 70 + extra)
    }

    /// The caption broken into lines that fit `width` pixels (at word boundaries; a word
    /// longer than a line is broken inside).
    pub fn caption_lines(&self, width: u32) -> Vec<String> {
        init_fonts();
        let font = ("sans-serif", CAPTION_SIZE).into_font();
        let fits = |s: &str| {
            font.box_size(s)
                .map(|(w, _)| w + 2 * CAPTION_MARGIN <= width)
                .unwrap_or(true)
        };
        let mut lines = Vec::new();
        for paragraph in self.caption.lines() {
            let mut line = String::new();
            for word in paragraph.split(' ') {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if fits(&candidate) {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word wider than the line is cut where it no longer fits.
                let mut rest = word.to_string();
                while !fits(&rest) && rest.chars().count() > 1 {
                    let mut cut = rest.len();
                    while cut > 0 && !fits(&rest[..cut]) {
                        cut = rest[..cut].char_indices().last().map_or(0, |(i, _)| i);
                    }
                    let cut = cut.max(rest.chars().next().map_or(1, char::len_utf8));
                    lines.push(rest[..cut].to_string());
                    rest = rest[cut..].to_string();
                }
                line = rest;
            }
            lines.push(line);
        }
        lines
    }

    /// Draws on any plotters backend.
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        init_fonts();
        root.fill(&WHITE).map_err(draw_err)?;
        let (w, h) = root.dim_in_pixel();
        let titled = root
            .titled(&self.title, ("sans-serif", 22))
            .map_err(draw_err)?;
        let lines = self.caption_lines(w);
        let extra = CAPTION_LINE as i32 * (lines.len().max(1) as i32 - 1);
        let (body, foot) = titled.split_vertically(h as i32 - 60 - extra);
        for (i, line) in lines.iter().enumerate() {
            foot.draw(&Text::new(
                line.clone(),
                (CAPTION_MARGIN as i32, 10 + CAPTION_LINE as i32 * i as i32),
                ("sans-serif", CAPTION_SIZE)
                    .into_font()
                    .color(&RGBColor(90, 90, 90)),
            ))
            .map_err(draw_err)?;
        }
        let rows = self.panels.len().div_ceil(self.cols).max(1);
        let cols = self.cols.min(self.panels.len().max(1));
        let areas = body.split_evenly((rows, cols));
        for (panel, area) in self.panels.iter().zip(areas.iter()) {
            draw_panel(panel, area)?;
        }
        root.present().map_err(draw_err)?;
        Ok(())
    }

    /// Writes `dir/name.svg` and `dir/name.png` (each first to a temporary file, then renamed,
    /// so a failure never leaves a half-written figure).
    pub fn save(&self, dir: &Path, name: &str) -> Result<Vec<PathBuf>, FigureError> {
        std::fs::create_dir_all(dir).map_err(|source| FigureError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let size = self.size();
        let svg = dir.join(format!("{name}.svg"));
        let png = dir.join(format!("{name}.png"));
        let svg_tmp = dir.join(format!(".{name}.svg.tmp"));
        let png_tmp = dir.join(format!(".{name}.png.tmp.png"));
        {
            let root = SVGBackend::new(&svg_tmp, size).into_drawing_area();
            self.draw(&root)?;
        }
        {
            let root = BitMapBackend::new(&png_tmp, size).into_drawing_area();
            self.draw(&root)?;
        }
        for (tmp, dst) in [(&svg_tmp, &svg), (&png_tmp, &png)] {
            std::fs::rename(tmp, dst).map_err(|source| FigureError::Io {
                path: dst.clone(),
                source,
            })?;
        }
        Ok(vec![svg, png])
    }
}

/// Caption font size, line height and side margin, in pixels.
const CAPTION_SIZE: u32 = 13;
const CAPTION_LINE: u32 = 18;
const CAPTION_MARGIN: u32 = 10;

impl Drawing for Chart {
    fn save(&self, dir: &Path, stem: &str) -> Result<Vec<PathBuf>, FigureError> {
        Chart::save(self, dir, stem)
    }
}

/// Registers the embedded DejaVu Sans under the family name `sans-serif` (once per process).
pub fn init_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font bytes ship inside the `dejavu` crate, so this cannot fail at run time.
        let _ = register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}

fn tx(v: f64, log: bool) -> Option<f64> {
    if log {
        (v > 0.0 && v.is_finite()).then(|| v.log10())
    } else {
        v.is_finite().then_some(v)
    }
}

/// The label of a tick at `v` (log10 of the value on a log axis). On a log axis spanning
/// several decades (`sparse`) only 1, 2 and 5 times a power of ten are labelled; a log axis
/// narrower than that labels every tick with its value.
fn tick_label(v: f64, log: bool, sparse: bool) -> String {
    let x = if log { 10f64.powf(v) } else { v };
    if log && !sparse {
        return tick_label(x, false, false);
    }
    if log && (v - v.round()).abs() > 1e-9 {
        // Between decades only 2× and 5× are labelled, so log axes read as 1, 2, 5, 10, …
        let mantissa = 10f64.powf(v - v.floor());
        if !((mantissa - 2.0).abs() < 1e-6 || (mantissa - 5.0).abs() < 1e-6) {
            return String::new();
        }
    }
    if log && (v - v.round()).abs() < 1e-9 {
        let k = v.round() as i32;
        return match k {
            0 => "1".into(),
            1 => "10".into(),
            2 => "100".into(),
            -1 => "0.1".into(),
            -2 => "0.01".into(),
            _ => format!("1e{k}"),
        };
    }
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{x:.1e}")
    } else if a >= 100.0 || (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round())
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn extent(panel: &Panel) -> ((f64, f64), (f64, f64)) {
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for s in &panel.series {
        for (i, &(x, y)) in s.points.iter().enumerate() {
            let x2 = if let Style::Bars { width } = s.style {
                Some(x + width)
            } else {
                None
            };
            if let Some(x) = tx(x, panel.x_log) {
                xs.push(x);
            }
            if let Some(x) = x2.and_then(|x| tx(x, panel.x_log)) {
                xs.push(x);
            }
            if let Some(y) = tx(y, panel.y_log) {
                ys.push(y);
            }
            if let Style::Band { lower } = &s.style
                && let Some(y) = lower.get(i).and_then(|&l| tx(l, panel.y_log))
            {
                ys.push(y);
            }
            if matches!(s.style, Style::Bars { .. }) && !panel.y_log {
                ys.push(0.0);
            }
        }
    }
    let span = |v: &[f64], fixed: Option<(f64, f64)>, log: bool| -> (f64, f64) {
        if let Some((a, b)) = fixed
            && let (Some(a), Some(b)) = (tx(a, log), tx(b, log))
        {
            return (a, b);
        }
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !lo.is_finite() || !hi.is_finite() {
            return (0.0, 1.0);
        }
        let pad = if hi > lo {
            0.04 * (hi - lo)
        } else {
            0.5 * lo.abs().max(1.0)
        };
        (lo - pad, hi + pad)
    };
    (
        span(&xs, panel.x_range, panel.x_log),
        span(&ys, panel.y_range, panel.y_log),
    )
}

fn draw_panel<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), FigureError>
where
    DB::ErrorType: 'static,
{
    let ((x0, x1), (y0, y1)) = extent(panel);
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(62)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(draw_err)?;
    let (xl, yl) = (panel.x_log, panel.y_log);
    // A log axis over less than a decade and a half gets few labels under the 1-2-5 rule.
    let (xs, ys) = (xl && x1 - x0 >= 1.5, yl && y1 - y0 >= 1.5);
    chart
        .configure_mesh()
        .x_desc(&panel.x_label)
        .y_desc(&panel.y_label)
        .x_labels(if xs { 20 } else { 8 })
        .y_labels(if ys { 20 } else { 8 })
        .x_label_formatter(&|v| tick_label(*v, xl, xs))
        .y_label_formatter(&|v| tick_label(*v, yl, ys))
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(draw_err)?;
    let mut any_label = false;
    for s in &panel.series {
        let c = color(s.color);
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter_map(|&(x, y)| Some((tx(x, xl)?, tx(y, yl)?)))
            .collect();
        let anno = match &s.style {
            Style::Line => chart
                .draw_series(LineSeries::new(pts, c.stroke_width(2)))
                .map_err(draw_err)?,
            Style::Dashed => chart
                .draw_series(DashedLineSeries::new(pts, 7, 5, c.stroke_width(2)))
                .map_err(draw_err)?,
            Style::Markers => chart
                .draw_series(pts.into_iter().map(|p| Circle::new(p, 3, c.filled())))
                .map_err(draw_err)?,
            Style::Band { lower } => {
                let mut poly: Vec<(f64, f64)> = Vec::new();
                let mut low: Vec<(f64, f64)> = Vec::new();
                for (i, &(x, y)) in s.points.iter().enumerate() {
                    let l = lower.get(i).copied().unwrap_or(f64::NAN);
                    if let (Some(x), Some(y), Some(l)) = (tx(x, xl), tx(y, yl), tx(l, yl)) {
                        poly.push((x, y));
                        low.push((x, l));
                    }
                }
                poly.extend(low.into_iter().rev());
                chart
                    .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.18).filled())))
                    .map_err(draw_err)?
            }
            Style::Bars { width } => {
                let base = if yl { y0 } else { 0.0 };
                let rects: Vec<_> = s
                    .points
                    .iter()
                    .filter_map(|&(x, y)| {
                        let (a, b, h) = (tx(x, xl)?, tx(x + width, xl)?, tx(y, yl)?);
                        Some(Rectangle::new([(a, base), (b, h)], c.mix(0.45).filled()))
                    })
                    .collect();
                chart.draw_series(rects).map_err(draw_err)?
            }
        };
        if let Some(label) = &s.label {
            any_label = true;
            // The legend glyph shows how the series is drawn: a short stroke for dashed
            // theory, a dot for markers, a long stroke otherwise.
            let glyph = match s.style {
                Style::Dashed => 1,
                Style::Markers => 2,
                _ => 0,
            };
            anno.label(label.clone()).legend(
                move |(x, y)| -> DynElement<'static, DB, (i32, i32)> {
                    match glyph {
                        1 => {
                            PathElement::new(vec![(x, y), (x + 8, y)], c.stroke_width(2)).into_dyn()
                        }
                        2 => Circle::new((x + 9, y), 3, c.filled()).into_dyn(),
                        _ => PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3))
                            .into_dyn(),
                    }
                },
            );
        }
    }
    if any_label {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", 12))
            .position(match panel.legend {
                Legend::UpperRight => SeriesLabelPosition::UpperRight,
                Legend::UpperLeft => SeriesLabelPosition::UpperLeft,
                Legend::LowerLeft => SeriesLabelPosition::LowerLeft,
                Legend::LowerRight => SeriesLabelPosition::LowerRight,
            })
            .draw()
            .map_err(draw_err)?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_svg_and_png_with_the_embedded_font() {
        let dir = tempfile::tempdir().unwrap();
        let xs: Vec<f64> = (1..50).map(f64::from).collect();
        let p = Panel::new("panel", "generation", "value")
            .log_y()
            .with(Series::band(
                0,
                &xs,
                &xs.iter().map(|x| x * 0.5).collect::<Vec<_>>(),
                &xs.iter().map(|x| x * 2.0).collect::<Vec<_>>(),
            ))
            .with(Series::line("sim", 0, xs.iter().map(|&x| (x, x)).collect()))
            .with(Series::dashed(
                "theory",
                1,
                xs.iter().map(|&x| (x, x * 1.1)).collect(),
            ))
            .with(Series::bars("hist", 2, 1.0, vec![(1.0, 3.0), (2.0, 5.0)]));
        let chart = Chart::grid("test", "provenance", vec![p.clone(), p.log_x()], 2);
        let files = chart.save(dir.path(), "t").unwrap();
        for f in files {
            assert!(std::fs::metadata(&f).unwrap().len() > 1000, "{f:?}");
        }
    }

    #[test]
    fn log_tick_labels() {
        assert_eq!(tick_label(-3.0, true, true), "1e-3");
        assert_eq!(tick_label(2.0, true, true), "100");
        assert_eq!(tick_label(2.5, true, true), "");
        assert_eq!(tick_label(0.25, false, false), "0.25");
        // A narrow log axis labels the value itself.
        assert_eq!(tick_label(3.0f64.log10(), true, false), "3");
    }
}
