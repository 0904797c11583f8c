//! Drawing a [`Chart`]: the title and caption wrapped to the width, each panel's ticks chosen
//! by `ticks`, its legend placed where it covers no data, closed forms drawn last, and a
//! [`Layout`] recorded of it all.
//!
//! Log axes are drawn by plotting log10 of the data on a linear axis, which keeps one code path
//! for all four axis combinations. Non-positive values on a log axis are dropped (a variance
//! that collapsed to exactly zero has no place on a log scale).

use crate::chart::{Chart, Legend, LegendPlace, Panel, SE_SPAN, Series, Style, color};
use crate::layout::{Layout, LegendLayout, PanelLayout, SeriesLayout, covered};
use crate::text::{Canvas, Rect, TextBox, init_fonts, text_width};
use crate::ticks::{AxisGeometry, AxisTicks, axis_ticks};
use collapse_core::FigureError;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

/// Caption font size, line height and side margin, in pixels.
pub const CAPTION_SIZE: u32 = 13;
const CAPTION_LINE: u32 = 18;
/// The caption's side margin in pixels.
pub const CAPTION_MARGIN: u32 = 10;
/// The chart title's font size and line height.
const TITLE_SIZE: u32 = 22;
const TITLE_LINE: u32 = 28;
/// A panel title's font size and line height.
const PANEL_TITLE_SIZE: u32 = 17;
const PANEL_TITLE_LINE: u32 = 22;
/// Tick labels, axis descriptions and legend entries.
const TICK_SIZE: u32 = 13;
const DESC_SIZE: u32 = 14;
/// The smallest size an axis description shrinks to before it is left to run past its axis.
const DESC_SIZE_MIN: u32 = 10;
const LEGEND_SIZE: u32 = 12;
const LEGEND_ROW: i32 = 17;
/// Margins around a panel's plot area and its label areas.
const MARGIN_TOP: u32 = 6;
const MARGIN_BOTTOM: u32 = 6;
const MARGIN_LEFT: u32 = 6;
const MARGIN_RIGHT: u32 = 18;
/// Tick marks, and the distance from the axis to the labels (plotters draws labels at twice
/// the tick length).
const TICK_MARK: i32 = 5;
/// The gap between a legend and the plot area's border.
const LEGEND_INSET: i32 = 8;

fn draw_err<E: std::fmt::Debug>(e: E) -> FigureError {
    FigureError::Draw(format!("{e:?}"))
}

/// `text` broken into lines of at most `width` pixels at `size` (at spaces; a word longer than
/// a line is broken inside). Each line of `text` starts a new line.
pub fn wrap(text: &str, size: f64, width: f64) -> Vec<String> {
    let fits = |s: &str| text_width(s, size, false) <= width;
    let mut lines = Vec::new();
    for paragraph in text.lines() {
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

fn font(size: u32) -> TextStyle<'static> {
    TextStyle::from(("sans-serif", size).into_font())
}

impl Chart {
    fn grid_shape(&self) -> (usize, usize) {
        let cols = self.cols.min(self.panels.len().max(1));
        (self.panels.len().div_ceil(self.cols).max(1), cols)
    }

    fn title_lines(&self, width: u32) -> Vec<String> {
        wrap(&self.title, f64::from(TITLE_SIZE), f64::from(width) - 20.0)
    }

    /// The canvas size: the panels, a header for the (wrapped) title and a footer for the
    /// (wrapped) caption.
    pub fn size(&self) -> (u32, u32) {
        let (rows, cols) = self.grid_shape();
        let width = self.panel_size.0 * cols as u32;
        let (header, footer) = self.bands(width);
        (width, self.panel_size.1 * rows as u32 + header + footer)
    }

    /// The heights of the header (title) and the footer (caption).
    fn bands(&self, width: u32) -> (u32, u32) {
        let title = self.title_lines(width).len().max(1) as u32;
        let caption = self.caption_lines(width).len().max(1) as u32;
        (12 + TITLE_LINE * title, 14 + CAPTION_LINE * caption)
    }

    /// Draws the chart on `canvas` and returns its layout (`texts` is the canvas' record).
    pub(crate) fn render<DB: DrawingBackend>(
        &self,
        canvas: Canvas<DB>,
        texts: Rc<RefCell<Vec<TextBox>>>,
    ) -> Result<Layout, FigureError>
    where
        DB::ErrorType: 'static,
    {
        init_fonts();
        let root = canvas.into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let (w, h) = root.dim_in_pixel();
        let (header, footer) = self.bands(w);
        let title = font(TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
        for (i, line) in self.title_lines(w).into_iter().enumerate() {
            let y = 10 + TITLE_LINE as i32 * i as i32;
            root.draw(&Text::new(line, (w as i32 / 2, y), title.clone()))
                .map_err(draw_err)?;
        }
        let caption = font(CAPTION_SIZE).color(&RGBColor(90, 90, 90));
        for (i, line) in self.caption_lines(w).into_iter().enumerate() {
            let y = (h - footer) as i32 + 8 + CAPTION_LINE as i32 * i as i32;
            root.draw(&Text::new(
                line,
                (CAPTION_MARGIN as i32, y),
                caption.clone(),
            ))
            .map_err(draw_err)?;
        }
        let body = root.margin(header, footer, 0, 0);
        let areas = body.split_evenly(self.grid_shape());
        let mut panels = Vec::with_capacity(self.panels.len());
        for (panel, area) in self.panels.iter().zip(areas.iter()) {
            panels.push(draw_panel(panel, area)?);
        }
        root.present().map_err(draw_err)?;
        let texts = texts.borrow().clone();
        Ok(Layout {
            size: (w, h),
            panels,
            texts,
        })
    }
}

/// A value on an axis: log10 of it on a log axis (`None` where a log axis has no place for it).
fn tx(v: f64, log: bool) -> Option<f64> {
    if log {
        (v > 0.0 && v.is_finite()).then(|| v.log10())
    } else {
        v.is_finite().then_some(v)
    }
}

/// The lower and upper ends of a series' standard-error band at point `i`.
fn se_ends(s: &Series, i: usize) -> Option<(f64, f64)> {
    let se = s.se.as_ref()?.get(i).copied()?;
    let y = s.points[i].1;
    (se.is_finite() && se >= 0.0).then_some((y - SE_SPAN * se, y + SE_SPAN * se))
}

/// The axis ranges (drawn coordinates) that show every point, band and bar.
fn extent(panel: &Panel) -> ((f64, f64), (f64, f64)) {
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for s in &panel.series {
        for (i, &(x, y)) in s.points.iter().enumerate() {
            if let Some(x) = tx(x, panel.x_log) {
                xs.push(x);
            }
            if let Style::Bars { width } = s.style
                && let Some(x) = tx(x + width, panel.x_log)
            {
                xs.push(x);
            }
            ys.extend(tx(y, panel.y_log));
            if let Style::Band { lower } = &s.style {
                ys.extend(lower.get(i).and_then(|&l| tx(l, panel.y_log)));
            }
            if let Some((lo, hi)) = se_ends(s, i) {
                ys.extend(tx(lo, panel.y_log));
                ys.extend(tx(hi, panel.y_log));
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

/// A colour that stands out against `c` while keeping its hue: darker, or lighter for a dark
/// colour.
fn contrast(c: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = c;
    let luminance = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
    let f = |v: u8| -> u8 {
        if luminance > 60.0 {
            (f64::from(v) * 0.5).round() as u8
        } else {
            (f64::from(v) + 0.55 * (255.0 - f64::from(v))).round() as u8
        }
    };
    RGBColor(f(r), f(g), f(b))
}

/// The colour each series is drawn in: its palette colour, or for a closed form sharing its
/// colour with a solid series of the panel, the [`contrast`]ing shade.
fn drawn_colors(panel: &Panel) -> Vec<RGBColor> {
    let solid: HashSet<(u8, u8, u8)> = panel
        .series
        .iter()
        .filter(|s| matches!(s.style, Style::Line | Style::Markers | Style::Bars { .. }))
        .map(|s| color(s.color).rgb())
        .collect();
    panel
        .series
        .iter()
        .map(|s| {
            let c = color(s.color);
            if matches!(s.style, Style::Dashed) && solid.contains(&c.rgb()) {
                contrast(c)
            } else {
                c
            }
        })
        .collect()
}

/// The drawing order: bands, bars, lines, markers, then closed forms on top of everything.
fn draw_rank(s: &Series) -> u8 {
    match s.style {
        Style::Band { .. } => 0,
        Style::Bars { .. } => 1,
        Style::Line => 2,
        Style::Markers => 3,
        Style::Dashed => 4,
    }
}

/// A linear axis (log10 of the values on a log axis) whose grid lines are exactly the chosen
/// ticks: bold lines and labels at the labelled ticks, light lines at the minor ones.
struct Axis {
    range: RangedCoordf64,
    major: Vec<f64>,
    minor: Vec<f64>,
}

impl Axis {
    fn new((lo, hi): (f64, f64), ticks: &AxisTicks) -> Self {
        Self {
            range: (lo..hi).into(),
            major: ticks.major.iter().map(|t| t.at).collect(),
            minor: ticks.minor.clone(),
        }
    }
}

impl Ranged for Axis {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.range.map(value, limit)
    }
    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.major.clone()
        }
    }
    fn range(&self) -> std::ops::Range<f64> {
        self.range.range()
    }
}

type Coord = Cartesian2d<Axis, Axis>;

/// The sizes that place a panel's plot area inside its cell.
struct Frame {
    x: (f64, f64),
    y: (f64, f64),
    x_area: u32,
    y_area: u32,
    right: u32,
}

fn build<'a, DB: DrawingBackend>(
    body: &'a DrawingArea<DB, Shift>,
    f: &Frame,
    xt: &AxisTicks,
    yt: &AxisTicks,
) -> Result<ChartContext<'a, DB, Coord>, FigureError> {
    ChartBuilder::on(body)
        .margin_top(MARGIN_TOP)
        .margin_bottom(MARGIN_BOTTOM)
        .margin_left(MARGIN_LEFT)
        .margin_right(f.right)
        .x_label_area_size(f.x_area)
        .y_label_area_size(f.y_area)
        .build_cartesian_2d(Axis::new(f.x, xt), Axis::new(f.y, yt))
        .map_err(draw_err)
}

/// Pixels every `step` along the segment from `a` to `b`.
fn segment(a: (i32, i32), b: (i32, i32), step: f64, out: &mut Vec<(i32, i32)>) {
    let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
    let n = ((dx.hypot(dy) / step).ceil() as usize).clamp(1, 100_000);
    for k in 0..=n {
        let t = k as f64 / n as f64;
        out.push((
            (f64::from(a.0) + t * dx).round() as i32,
            (f64::from(a.1) + t * dy).round() as i32,
        ));
    }
}

/// What a series covers on the canvas: its pixels inside the plot area (see
/// [`SeriesLayout::pixels`]) and its number of points inside it.
fn footprint(
    s: &Series,
    panel: &Panel,
    map: &dyn Fn(f64, f64) -> (i32, i32),
    plot: &Rect,
    floor: f64,
) -> (Vec<(i32, i32)>, usize) {
    let (xl, yl) = (panel.x_log, panel.y_log);
    let mut px: Vec<(i32, i32)> = Vec::new();
    let at = |x: f64, y: f64| Some(map(tx(x, xl)?, tx(y, yl)?));
    // A vertical run of pixels between two values at x (bands, error bars).
    let column = |x: f64, lo: f64, hi: f64, out: &mut Vec<(i32, i32)>| {
        let lo = tx(lo, yl).unwrap_or(floor);
        if let (Some(x), Some(hi)) = (tx(x, xl), tx(hi, yl)) {
            segment(map(x, lo), map(x, hi), 3.0, out);
        }
    };
    let drawn: Vec<Option<(i32, i32)>> = s.points.iter().map(|&(x, y)| at(x, y)).collect();
    match &s.style {
        Style::Line | Style::Dashed => {
            for w in drawn.windows(2) {
                if let (Some(a), Some(b)) = (w[0], w[1]) {
                    segment(a, b, 2.0, &mut px);
                }
            }
            if drawn.len() == 1 {
                px.extend(drawn[0]);
            }
        }
        Style::Markers => {
            for p in drawn.iter().flatten() {
                for (dx, dy) in [(0, 0), (-2, 0), (2, 0), (0, -2), (0, 2)] {
                    px.push((p.0 + dx, p.1 + dy));
                }
            }
        }
        Style::Band { lower } => {
            for (i, &(x, y)) in s.points.iter().enumerate() {
                if let Some(&l) = lower.get(i) {
                    column(x, l, y, &mut px);
                }
            }
        }
        Style::Bars { width } => {
            for &(x, y) in &s.points {
                let (Some(a), Some(b), Some(h)) = (tx(x, xl), tx(x + width, xl), tx(y, yl)) else {
                    continue;
                };
                let base = if yl { floor } else { 0.0 };
                let (p, q) = (map(a, base), map(b, h));
                for gx in (p.0.min(q.0)..=p.0.max(q.0)).step_by(4) {
                    for gy in (p.1.min(q.1)..=p.1.max(q.1)).step_by(4) {
                        px.push((gx, gy));
                    }
                }
            }
        }
    }
    for i in 0..s.points.len() {
        if let Some((lo, hi)) = se_ends(s, i) {
            column(s.points[i].0, lo, hi, &mut px);
        }
    }
    px.retain(|&(x, y)| plot.contains(f64::from(x), f64::from(y)));
    px.sort_unstable();
    px.dedup();
    let inside = drawn
        .iter()
        .flatten()
        .filter(|p| plot.inflate(1).contains(f64::from(p.0), f64::from(p.1)))
        .count();
    let visible = if inside == 0 && !px.is_empty() {
        1
    } else {
        inside
    };
    (px, visible)
}

/// The legend box's size: a glyph, a gap and the longest entry, in rows.
fn legend_size(panel: &Panel) -> Option<(i32, i32)> {
    let labels: Vec<&String> = panel
        .series
        .iter()
        .filter_map(|s| s.label.as_ref())
        .collect();
    if labels.is_empty() {
        return None;
    }
    let text = labels
        .iter()
        .map(|l| text_width(l, f64::from(LEGEND_SIZE), false))
        .fold(0.0, f64::max);
    Some((
        8 + 24 + 6 + text.ceil() as i32 + 8,
        8 + LEGEND_ROW * labels.len() as i32,
    ))
}

/// The legend's box at `place` beside or inside the plot area.
fn legend_rect(place: LegendPlace, plot: &Rect, (w, h): (i32, i32)) -> Rect {
    let (l, t) = match place {
        LegendPlace::Corner(Legend::UpperRight) => {
            (plot.x1 - LEGEND_INSET - w, plot.y0 + LEGEND_INSET)
        }
        LegendPlace::Corner(Legend::UpperLeft) => (plot.x0 + LEGEND_INSET, plot.y0 + LEGEND_INSET),
        LegendPlace::Corner(Legend::LowerLeft) => {
            (plot.x0 + LEGEND_INSET, plot.y1 - LEGEND_INSET - h)
        }
        LegendPlace::Corner(Legend::LowerRight) => {
            (plot.x1 - LEGEND_INSET - w, plot.y1 - LEGEND_INSET - h)
        }
        LegendPlace::Outside => (plot.x1 + 12, plot.y0),
    };
    Rect::new(l, t, l + w, t + h)
}

const CORNERS: [Legend; 4] = [
    Legend::UpperRight,
    Legend::UpperLeft,
    Legend::LowerRight,
    Legend::LowerLeft,
];

/// Where the legend goes: the override; else the preferred corner if it covers nothing; else
/// the first corner that covers nothing; else outside the plot area.
fn place_legend(panel: &Panel, free: impl Fn(LegendPlace) -> bool) -> LegendPlace {
    if let Some(place) = panel.legend_fixed {
        return place;
    }
    std::iter::once(panel.legend)
        .chain(CORNERS)
        .map(LegendPlace::Corner)
        .find(|&c| free(c))
        .unwrap_or(LegendPlace::Outside)
}

fn draw_panel<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, Shift>,
) -> Result<PanelLayout, FigureError>
where
    DB::ErrorType: 'static,
{
    let (cw, ch) = area.dim_in_pixel();
    let (ox, oy) = area.get_base_pixel();
    let cell = Rect::new(ox, oy, ox + cw as i32, oy + ch as i32);
    let title_lines = wrap(
        &panel.title,
        f64::from(PANEL_TITLE_SIZE),
        f64::from(cw) - 24.0,
    );
    let style = font(PANEL_TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, line) in title_lines.iter().enumerate() {
        let y = 8 + PANEL_TITLE_LINE as i32 * i as i32;
        area.draw(&Text::new(line.clone(), (cw as i32 / 2, y), style.clone()))
            .map_err(draw_err)?;
    }
    let title_h = if panel.title.is_empty() {
        8
    } else {
        12 + PANEL_TITLE_LINE * title_lines.len() as u32
    };
    let body = area.margin(title_h, 0, 0, 0);
    let (x, y) = extent(panel);
    // Tick labels sit twice the tick length from the axis; descriptions beyond them.
    let label_gap = 2 * TICK_MARK as u32;
    let x_area = label_gap + TICK_SIZE + if panel.x_label.is_empty() { 6 } else { 26 };
    let plot_h = f64::from(ch.saturating_sub(title_h + MARGIN_TOP + MARGIN_BOTTOM + x_area));
    let stacked = |_: &str| f64::from(TICK_SIZE) + 8.0;
    let y_ticks = axis_ticks(
        y.0,
        y.1,
        panel.y_log,
        &AxisGeometry {
            length: plot_h,
            horizontal: false,
            extent: &stacked,
        },
    );
    let widest = y_ticks
        .major
        .iter()
        .map(|t| text_width(&t.label, f64::from(TICK_SIZE), false))
        .fold(0.0, f64::max);
    let y_area = widest.ceil() as u32 + label_gap + if panel.y_label.is_empty() { 4 } else { 26 };
    let side = |t: &str| text_width(t, f64::from(TICK_SIZE), false) + 14.0;
    let x_ticks_for = |right: u32| {
        let width = f64::from(cw.saturating_sub(MARGIN_LEFT + y_area + right));
        axis_ticks(
            x.0,
            x.1,
            panel.x_log,
            &AxisGeometry {
                length: width,
                horizontal: true,
                extent: &side,
            },
        )
    };
    let legend = legend_size(panel);
    let mut frame = Frame {
        x,
        y,
        x_area,
        y_area,
        right: MARGIN_RIGHT,
    };
    let mut x_ticks = x_ticks_for(frame.right);
    let mut chart = build(&body, &frame, &x_ticks, &y_ticks)?;
    let colors = drawn_colors(panel);
    let measure = |chart: &ChartContext<'_, DB, Coord>| {
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let plot = Rect::new(xr.start, yr.start, xr.end, yr.end);
        let map = |a: f64, b: f64| chart.backend_coord(&(a, b));
        let series: Vec<SeriesLayout> = panel
            .series
            .iter()
            .zip(&colors)
            .map(|(s, c)| {
                let (pixels, visible) = footprint(s, panel, &map, &plot, y.0);
                SeriesLayout {
                    label: s.label.clone(),
                    dashed: matches!(s.style, Style::Dashed),
                    banded: matches!(s.style, Style::Band { .. }) || s.se.is_some(),
                    rgb: c.rgb(),
                    visible,
                    pixels,
                }
            })
            .collect();
        (plot, series)
    };
    let (mut plot, mut series) = measure(&chart);
    let mut legend_layout = None;
    if let Some(size) = legend {
        let probe = |place: LegendPlace, plot: &Rect, series: &[SeriesLayout]| {
            covered(series, &legend_rect(place, plot, size)) == 0
        };
        let place = place_legend(panel, |c| probe(c, &plot, &series));
        if place == LegendPlace::Outside {
            // Make room at the right of the plot area, and choose the x ticks again.
            frame.right = MARGIN_RIGHT + 12 + size.0 as u32;
            x_ticks = x_ticks_for(frame.right);
            chart = build(&body, &frame, &x_ticks, &y_ticks)?;
            (plot, series) = measure(&chart);
        }
        legend_layout = Some(LegendLayout {
            place,
            rect: legend_rect(place, &plot, size),
        });
    }
    draw_mesh(&mut chart, panel, &x_ticks, &y_ticks)?;
    let mut order: Vec<usize> = (0..panel.series.len()).collect();
    order.sort_by_key(|&i| draw_rank(&panel.series[i]));
    for i in order {
        draw_series(&mut chart, panel, &panel.series[i], colors[i], y.0)?;
    }
    if let Some(l) = &legend_layout {
        draw_legend(&body, panel, &colors, &l.rect)?;
    }
    Ok(PanelLayout {
        title: panel.title.clone(),
        cell,
        plot,
        x_ticks,
        x_log: panel.x_log,
        y_ticks,
        y_log: panel.y_log,
        legend: legend_layout,
        series,
    })
}

fn draw_mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Coord>,
    panel: &Panel,
    xt: &AxisTicks,
    yt: &AxisTicks,
) -> Result<(), FigureError>
where
    DB::ErrorType: 'static,
{
    let label = |t: &AxisTicks, v: f64| {
        t.major
            .iter()
            .find(|k| (k.at - v).abs() <= 1e-12 * k.at.abs().max(1.0))
            .map(|k| k.label.clone())
            .unwrap_or_default()
    };
    let fx = |v: &f64| label(xt, *v);
    let fy = |v: &f64| label(yt, *v);
    let desc = desc_size(chart, panel);
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .set_all_tick_mark_size(TICK_MARK)
        .label_style(("sans-serif", TICK_SIZE))
        .axis_desc_style(("sans-serif", desc))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215));
    if !panel.x_label.is_empty() {
        mesh.x_desc(&panel.x_label);
    }
    if !panel.y_label.is_empty() {
        mesh.y_desc(&panel.y_label);
    }
    mesh.draw().map_err(draw_err)
}

/// The size of the axis descriptions: the largest from [`DESC_SIZE`] down to
/// [`DESC_SIZE_MIN`] at which both fit along their axes (plotters draws both at one size).
fn desc_size<DB: DrawingBackend>(chart: &ChartContext<'_, DB, Coord>, panel: &Panel) -> u32 {
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let fits = |size: u32| {
        let w = |t: &str| text_width(t, f64::from(size), false);
        w(&panel.x_label) <= f64::from(xr.end - xr.start)
            && w(&panel.y_label) <= f64::from(yr.end - yr.start)
    };
    (DESC_SIZE_MIN..=DESC_SIZE)
        .rev()
        .find(|&s| fits(s))
        .unwrap_or(DESC_SIZE_MIN)
}

fn draw_series<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Coord>,
    panel: &Panel,
    s: &Series,
    c: RGBColor,
    floor: f64,
) -> Result<(), FigureError>
where
    DB::ErrorType: 'static,
{
    let (xl, yl) = (panel.x_log, panel.y_log);
    let pts: Vec<(f64, f64)> = s
        .points
        .iter()
        .filter_map(|&(x, y)| Some((tx(x, xl)?, tx(y, yl)?)))
        .collect();
    // The standard-error band of a line (bars on markers), under the line.
    let ends: Vec<(f64, f64, f64)> = (0..s.points.len())
        .filter_map(|i| {
            let (lo, hi) = se_ends(s, i)?;
            Some((
                tx(s.points[i].0, xl)?,
                tx(lo, yl).unwrap_or(floor),
                tx(hi, yl)?,
            ))
        })
        .collect();
    if !ends.is_empty() && !matches!(s.style, Style::Markers) {
        let mut poly: Vec<(f64, f64)> = ends.iter().map(|&(x, _, hi)| (x, hi)).collect();
        poly.extend(ends.iter().rev().map(|&(x, lo, _)| (x, lo)));
        chart
            .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.22).filled())))
            .map_err(draw_err)?;
    }
    match &s.style {
        Style::Line => {
            chart
                .draw_series(LineSeries::new(pts, c.stroke_width(2)))
                .map_err(draw_err)?;
        }
        Style::Dashed => {
            chart
                .draw_series(DashedLineSeries::new(pts, 7, 5, c.stroke_width(2)))
                .map_err(draw_err)?;
        }
        Style::Markers => {
            // Error bars: a vertical stroke with a cap of 7 pixels at each end.
            let cap = || PathElement::new(vec![(-3, 0), (3, 0)], c.stroke_width(1));
            for &(x, lo, hi) in &ends {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x, lo), (x, hi)],
                        c.stroke_width(1),
                    )))
                    .map_err(draw_err)?;
                chart
                    .draw_series([
                        EmptyElement::at((x, lo)) + cap(),
                        EmptyElement::at((x, hi)) + cap(),
                    ])
                    .map_err(draw_err)?;
            }
            chart
                .draw_series(pts.into_iter().map(|p| Circle::new(p, 3, c.filled())))
                .map_err(draw_err)?;
        }
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
                .map_err(draw_err)?;
        }
        Style::Bars { width } => {
            let base = if yl { floor } else { 0.0 };
            let rects: Vec<_> = s
                .points
                .iter()
                .filter_map(|&(x, y)| {
                    let (a, b, h) = (tx(x, xl)?, tx(x + width, xl)?, tx(y, yl)?);
                    Some(Rectangle::new([(a, base), (b, h)], c.mix(0.45).filled()))
                })
                .collect();
            chart.draw_series(rects).map_err(draw_err)?;
        }
    }
    Ok(())
}

/// Draws the legend box `rect` (canvas pixels) on the panel's `body`: a glyph per entry showing
/// how its series is drawn, then its label.
fn draw_legend<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    panel: &Panel,
    colors: &[RGBColor],
    rect: &Rect,
) -> Result<(), FigureError>
where
    DB::ErrorType: 'static,
{
    let (bx, by) = body.get_base_pixel();
    let at = |x: i32, y: i32| (x - bx, y - by);
    body.draw(&Rectangle::new(
        [at(rect.x0, rect.y0), at(rect.x1, rect.y1)],
        WHITE.mix(0.9).filled(),
    ))
    .map_err(draw_err)?;
    body.draw(&Rectangle::new(
        [at(rect.x0, rect.y0), at(rect.x1, rect.y1)],
        RGBColor(200, 200, 200).stroke_width(1),
    ))
    .map_err(draw_err)?;
    let text = font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    let entries = panel
        .series
        .iter()
        .zip(colors)
        .filter(|(s, _)| s.label.is_some());
    for (row, (s, &c)) in entries.enumerate() {
        let y = rect.y0 + 4 + LEGEND_ROW * row as i32 + LEGEND_ROW / 2;
        let x = rect.x0 + 8;
        let stroke = |a: i32, b: i32, w: u32| {
            PathElement::new(vec![at(x + a, y), at(x + b, y)], c.stroke_width(w))
        };
        let swatch =
            |alpha: f64| Rectangle::new([at(x, y - 5), at(x + 24, y + 5)], c.mix(alpha).filled());
        match s.style {
            Style::Dashed => {
                for a in [0, 9, 18] {
                    body.draw(&stroke(a, a + 6, 2)).map_err(draw_err)?;
                }
            }
            Style::Markers => {
                if s.se.is_some() {
                    body.draw(&PathElement::new(
                        vec![at(x + 12, y - 6), at(x + 12, y + 6)],
                        c.stroke_width(1),
                    ))
                    .map_err(draw_err)?;
                }
                body.draw(&Circle::new(at(x + 12, y), 3, c.filled()))
                    .map_err(draw_err)?;
            }
            Style::Band { .. } => body.draw(&swatch(0.18)).map_err(draw_err)?,
            Style::Bars { .. } => body.draw(&swatch(0.45)).map_err(draw_err)?,
            Style::Line => {
                if s.se.is_some() {
                    body.draw(&swatch(0.22)).map_err(draw_err)?;
                }
                body.draw(&stroke(0, 24, 3)).map_err(draw_err)?;
            }
        }
        let label = s.label.clone().unwrap_or_default();
        body.draw(&Text::new(label, at(x + 30, y), text.clone()))
            .map_err(draw_err)?;
    }
    Ok(())
}
