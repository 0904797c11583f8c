//! Heat maps of 2-D densities on a grid of panels, with one shared colour scale: the drawing
//! the plotting layer does not have, drawn here with plotters.
//!
//! Each panel is a grid of cells coloured by the density at the cell's centre. The colour scale
//! is shared by every panel (so panels compare), runs from 0 to the largest value shown, and is
//! read through a square root so that both a sharp truth and a spread-out estimate stay
//! visible; the colour bar beside the grid is labelled in density units. Cells of a row that
//! fall into the same colour level are drawn as one rectangle, which keeps the SVG small.

use collapse_core::{Drawing, FigureError};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

fn draw_err<E: std::fmt::Debug>(e: E) -> FigureError {
    FigureError::Draw(format!("{e:?}"))
}

/// One heat map: the values of a function on an `nx × ny` grid of cells over a rectangle.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatPanel {
    /// Title above the panel.
    pub title: String,
    /// The x range `(lo, hi)`.
    pub x: (f64, f64),
    /// The y range `(lo, hi)`.
    pub y: (f64, f64),
    /// Cells along x.
    pub nx: usize,
    /// Cells along y.
    pub ny: usize,
    /// Values at the cell centres, row after row from the bottom (`values[j·nx + i]`).
    pub values: Vec<f64>,
}

impl HeatPanel {
    /// Evaluates `f` at the centres of an `nx × ny` grid over `x × y`.
    pub fn from_fn(
        title: impl Into<String>,
        x: (f64, f64),
        y: (f64, f64),
        (nx, ny): (usize, usize),
        f: impl Fn(&[f64]) -> Vec<f64>,
    ) -> Self {
        let mut pts = Vec::with_capacity(2 * nx * ny);
        for j in 0..ny {
            for i in 0..nx {
                pts.push(x.0 + (i as f64 + 0.5) * (x.1 - x.0) / nx as f64);
                pts.push(y.0 + (j as f64 + 0.5) * (y.1 - y.0) / ny as f64);
            }
        }
        Self {
            title: title.into(),
            x,
            y,
            nx,
            ny,
            values: f(&pts),
        }
    }
}

/// Panels of heat maps on a grid, a title, a shared colour bar and a caption.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatGrid {
    /// The title.
    pub title: String,
    /// Provenance (the commands that reproduce the runs), one paragraph a line.
    pub caption: String,
    /// The panels, row by row.
    pub panels: Vec<HeatPanel>,
    /// Panels per row.
    pub cols: usize,
    /// The x axis description.
    pub x_label: String,
    /// The y axis description.
    pub y_label: String,
    /// What the colour shows.
    pub scale_label: String,
}

/// Colour levels of the scale.
const LEVELS: usize = 24;
/// Size of one panel, the colour bar's width, the title's and a caption line's height (px).
const PANEL: (u32, u32) = (400, 330);
const BAR: u32 = 120;
const TITLE: u32 = 44;
const LINE: u32 = 18;

/// The viridis colour map at `t ∈ [0, 1]`, interpolated between nine of its colours.
pub fn viridis(t: f64) -> RGBColor {
    const C: [(f64, f64, f64); 9] = [
        (68.0, 1.0, 84.0),
        (71.0, 44.0, 122.0),
        (59.0, 81.0, 139.0),
        (44.0, 113.0, 142.0),
        (33.0, 144.0, 141.0),
        (39.0, 173.0, 129.0),
        (92.0, 200.0, 99.0),
        (170.0, 220.0, 50.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (C.len() - 1) as f64;
    let i = (x.floor() as usize).min(C.len() - 2);
    let f = x - i as f64;
    let mix = |a: f64, b: f64| (a + f * (b - a)).round() as u8;
    RGBColor(
        mix(C[i].0, C[i + 1].0),
        mix(C[i].1, C[i + 1].1),
        mix(C[i].2, C[i + 1].2),
    )
}

impl HeatGrid {
    /// The largest finite value shown (the top of the colour scale).
    pub fn vmax(&self) -> f64 {
        self.panels
            .iter()
            .flat_map(|p| &p.values)
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
    }

    /// The colour level `0..LEVELS` of a value on the square-root scale.
    fn level(v: f64, vmax: f64) -> usize {
        if v.is_nan() || v <= 0.0 || vmax <= 0.0 {
            return 0;
        }
        (((v / vmax).sqrt() * LEVELS as f64) as usize).min(LEVELS - 1)
    }

    fn level_color(l: usize) -> RGBColor {
        viridis((l as f64 + 0.5) / LEVELS as f64)
    }

    fn caption_lines(&self, width: u32) -> Vec<String> {
        // About 7 px a character at 13 px DejaVu Sans.
        let per_line = (width as usize).saturating_sub(20) / 7;
        let mut out = Vec::new();
        for para in self.caption.lines() {
            let mut line = String::new();
            for word in para.split(' ') {
                if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > per_line {
                    out.push(std::mem::take(&mut line));
                }
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
            }
            out.push(line);
        }
        out
    }

    /// The canvas size in pixels.
    pub fn size(&self) -> (u32, u32) {
        let cols = self.cols.clamp(1, self.panels.len().max(1)) as u32;
        let rows = self.panels.len().div_ceil(self.cols.max(1)).max(1) as u32;
        let width = PANEL.0 * cols + BAR;
        let caption = LINE * self.caption_lines(width).len() as u32 + 12;
        (width, TITLE + PANEL.1 * rows + caption)
    }

    /// Draws on any plotters backend.
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        collapse_plot::init_fonts();
        root.fill(&WHITE).map_err(draw_err)?;
        let (w, h) = root.dim_in_pixel();
        let (head, rest) = root.split_vertically(TITLE);
        head.draw(&Text::new(
            self.title.clone(),
            (12, 12),
            ("sans-serif", 20).into_font(),
        ))
        .map_err(draw_err)?;
        let lines = self.caption_lines(w);
        let caption_h = LINE * lines.len() as u32 + 12;
        let (body, foot) = rest.split_vertically(h - TITLE - caption_h);
        for (i, line) in lines.iter().enumerate() {
            foot.draw(&Text::new(
                line.clone(),
                (10, 4 + (LINE * i as u32) as i32),
                ("sans-serif", 13).into_font().color(&RGBColor(90, 90, 90)),
            ))
            .map_err(draw_err)?;
        }
        let (grid, bar) = body.split_horizontally(w - BAR);
        let vmax = self.vmax();
        let cols = self.cols.clamp(1, self.panels.len().max(1));
        let rows = self.panels.len().div_ceil(cols).max(1);
        for (panel, area) in self
            .panels
            .iter()
            .zip(grid.split_evenly((rows, cols)).iter())
        {
            self.draw_panel(panel, area, vmax)?;
        }
        self.draw_bar(&bar, vmax)?;
        root.present().map_err(draw_err)?;
        Ok(())
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        p: &HeatPanel,
        area: &DrawingArea<DB, Shift>,
        vmax: f64,
    ) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        let mut chart = ChartBuilder::on(area)
            .caption(&p.title, ("sans-serif", 15))
            .margin(8)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(p.x.0..p.x.1, p.y.0..p.y.1)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .x_labels(6)
            .y_labels(6)
            .label_style(("sans-serif", 12))
            .axis_desc_style(("sans-serif", 13))
            .draw()
            .map_err(draw_err)?;
        let (dx, dy) = ((p.x.1 - p.x.0) / p.nx as f64, (p.y.1 - p.y.0) / p.ny as f64);
        let mut rects = Vec::new();
        for j in 0..p.ny {
            let row = &p.values[j * p.nx..(j + 1) * p.nx];
            let mut i = 0;
            while i < p.nx {
                let l = Self::level(row[i], vmax);
                let mut k = i + 1;
                while k < p.nx && Self::level(row[k], vmax) == l {
                    k += 1;
                }
                let (x0, x1) = (p.x.0 + i as f64 * dx, p.x.0 + k as f64 * dx);
                let (y0, y1) = (p.y.0 + j as f64 * dy, p.y.0 + (j + 1) as f64 * dy);
                rects.push(Rectangle::new(
                    [(x0, y0), (x1, y1)],
                    Self::level_color(l).filled(),
                ));
                i = k;
            }
        }
        chart.draw_series(rects).map_err(draw_err)?;
        Ok(())
    }

    /// The colour bar, in pixel coordinates: the levels from the bottom up, a tick and a
    /// label at round density values, the scale's description above (one line per `\n`).
    fn draw_bar<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        vmax: f64,
    ) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        let (_, h) = area.dim_in_pixel();
        let (x0, x1, top, bottom) = (12, 36, 70, h as i32 - 50);
        let font = ("sans-serif", 13).into_font();
        for (i, line) in self.scale_label.lines().enumerate() {
            area.draw(&Text::new(
                line.to_string(),
                (6, 16 + 17 * i as i32),
                font.clone(),
            ))
            .map_err(draw_err)?;
        }
        let span = f64::from(bottom - top);
        let y_at = |frac: f64| bottom - (frac * span).round() as i32;
        for l in 0..LEVELS {
            let (a, b) = (l as f64 / LEVELS as f64, (l + 1) as f64 / LEVELS as f64);
            area.draw(&Rectangle::new(
                [(x0, y_at(b)), (x1, y_at(a))],
                Self::level_color(l).filled(),
            ))
            .map_err(draw_err)?;
        }
        area.draw(&Rectangle::new(
            [(x0, top), (x1, bottom)],
            BLACK.stroke_width(1),
        ))
        .map_err(draw_err)?;
        if vmax > 0.0 {
            for t in round_ticks(vmax) {
                let y = y_at((t / vmax).sqrt());
                area.draw(&PathElement::new(
                    vec![(x1, y), (x1 + 5, y)],
                    BLACK.stroke_width(1),
                ))
                .map_err(draw_err)?;
                area.draw(&Text::new(fmt_tick(t), (x1 + 8, y - 7), font.clone()))
                    .map_err(draw_err)?;
            }
        }
        Ok(())
    }

    /// Writes `dir/stem.svg` and `dir/stem.png`, each through a temporary file.
    pub fn save(&self, dir: &Path, stem: &str) -> Result<Vec<PathBuf>, FigureError> {
        let size = self.size();
        collapse_plot::save_svg_and_png(
            dir,
            stem,
            |svg| self.draw(&SVGBackend::new(svg, size).into_drawing_area()),
            |png| self.draw(&BitMapBackend::new(png, size).into_drawing_area()),
        )
    }
}

impl Drawing for HeatGrid {
    fn save(&self, dir: &Path, stem: &str) -> Result<Vec<PathBuf>, FigureError> {
        HeatGrid::save(self, dir, stem)
    }
}

/// Round values from 0 to `top` (1-2-5 steps), at least three.
fn round_ticks(top: f64) -> Vec<f64> {
    if top.is_nan() || top <= 0.0 {
        return vec![0.0];
    }
    let raw = top / 4.0;
    let p = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|s| top / s <= 5.0)
        .unwrap_or(10.0 * p);
    let mut v = Vec::new();
    let mut t = 0.0;
    while t <= top * (1.0 + 1e-12) {
        v.push(t);
        t += step;
    }
    v
}

fn fmt_tick(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v >= 1.0 {
        format!("{}", (v * 100.0).round() / 100.0)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_at_least_three() {
        assert_eq!(
            round_ticks(1.0),
            [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert!(round_ticks(0.37).len() >= 3);
        assert!(round_ticks(1234.0).len() >= 3);
        assert_eq!(fmt_tick(0.25), "0.25");
    }

    #[test]
    fn renders_a_grid_with_a_shared_scale() {
        let f = |s: f64| {
            move |pts: &[f64]| {
                pts.chunks_exact(2)
                    .map(|p| (-(p[0] * p[0] + p[1] * p[1]) / (2.0 * s)).exp())
                    .collect()
            }
        };
        let panels = vec![
            HeatPanel::from_fn("narrow", (-2.0, 2.0), (-2.0, 2.0), (60, 60), f(0.1)),
            HeatPanel::from_fn("wide", (-2.0, 2.0), (-2.0, 2.0), (60, 60), f(1.0)),
        ];
        let grid = HeatGrid {
            title: "test".into(),
            caption: "a caption".into(),
            panels,
            cols: 2,
            x_label: "x₁".into(),
            y_label: "x₂".into(),
            scale_label: "density".into(),
        };
        assert!((grid.vmax() - 1.0).abs() < 0.1);
        let dir = tempfile::tempdir().unwrap();
        let files = grid.save(dir.path(), "h").unwrap();
        for f in files {
            assert!(std::fs::metadata(&f).unwrap().len() > 1000);
        }
    }
}
