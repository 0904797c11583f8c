//! A grid of small grey-scale images drawn with plotters directly: the charts of
//! `collapse-plot` draw series on axes, not pictures. It renders through the same embedded font
//! ([`collapse_plot::init_fonts`]), lays its text out through [`collapse_plot::Canvas`], and
//! writes SVG and PNG the way a [`collapse_plot::Chart`] does (temporary files renamed into
//! place).

use collapse_core::{Drawing, FigureError};
use collapse_plot::{Canvas, Rect, TextMode};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Screen pixels per image pixel.
const SCALE: i32 = 5;
/// Space between images.
const GAP: i32 = 4;
/// Width of the row labels.
const LABEL_WIDTH: i32 = 78;
/// Height of a block's title and column labels.
const HEAD: i32 = 46;
/// Height of the figure's title.
const TITLE: i32 = 44;
/// Caption font size, line height and margin.
const CAPTION_SIZE: u32 = 13;
const CAPTION_LINE: i32 = 18;
const MARGIN: i32 = 14;
/// Grey levels: intensities are drawn in 17 steps, the resolution of the optdigits counts.
const LEVELS: f64 = 16.0;

/// One block of the grid: a title, labelled rows and columns of images.
#[derive(Clone, Debug)]
pub struct Block {
    /// Above the block.
    pub title: String,
    /// Left of each row.
    pub rows: Vec<String>,
    /// Above each column (may be empty).
    pub columns: Vec<String>,
    /// `images[row][col]`: `side × side` intensities in [0, 1] (clamped), row by row.
    pub images: Vec<Vec<Vec<f64>>>,
}

/// Blocks of images side by side, a title and a caption.
#[derive(Clone, Debug)]
pub struct ImageGrid {
    /// The title.
    pub title: String,
    /// Provenance (wrapped at spaces; one paragraph per line).
    pub caption: String,
    /// Image side in pixels.
    pub side: usize,
    /// The blocks, left to right.
    pub blocks: Vec<Block>,
}

fn err<E: std::fmt::Debug>(e: E) -> FigureError {
    FigureError::Draw(format!("{e:?}"))
}

impl ImageGrid {
    fn cell(&self) -> i32 {
        self.side as i32 * SCALE + GAP
    }

    fn block_size(&self, b: &Block) -> (i32, i32) {
        let cols = b.images.iter().map(Vec::len).max().unwrap_or(0) as i32;
        (
            LABEL_WIDTH + cols * self.cell() + 2 * MARGIN,
            HEAD + b.rows.len() as i32 * self.cell(),
        )
    }

    fn body_size(&self) -> (i32, i32) {
        self.blocks
            .iter()
            .map(|b| self.block_size(b))
            .fold((0, 0), |(w, h), (bw, bh)| (w + bw, h.max(bh)))
    }

    /// The caption broken into lines of at most `width` pixels.
    fn caption_lines(&self, width: i32) -> Vec<String> {
        collapse_plot::init_fonts();
        let font = ("sans-serif", CAPTION_SIZE).into_font();
        let fits = |s: &str| {
            font.box_size(s)
                .map(|(w, _)| w as i32 + 2 * MARGIN <= width)
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
                if fits(&candidate) || line.is_empty() {
                    line = candidate;
                } else {
                    lines.push(std::mem::replace(&mut line, word.to_string()));
                }
            }
            lines.push(line);
        }
        lines
    }

    /// The size of the whole figure in pixels.
    pub fn size(&self) -> (u32, u32) {
        let (w, h) = self.body_size();
        let lines = self.caption_lines(w).len() as i32;
        (
            w as u32,
            (TITLE + h + 12 + lines * CAPTION_LINE + MARGIN) as u32,
        )
    }

    /// Draws on any plotters backend.
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        collapse_plot::init_fonts();
        root.fill(&WHITE).map_err(err)?;
        let (w, body_h) = self.body_size();
        let title = ("sans-serif", 22).into_font();
        let (tw, _) = title.box_size(&self.title).map_err(err)?;
        root.draw(&Text::new(
            self.title.clone(),
            ((w - tw as i32) / 2, 12),
            title,
        ))
        .map_err(err)?;
        let mut x0 = 0;
        for b in &self.blocks {
            self.draw_block(root, b, x0)?;
            x0 += self.block_size(b).0;
        }
        let grey = ("sans-serif", CAPTION_SIZE)
            .into_font()
            .color(&RGBColor(90, 90, 90));
        for (i, line) in self.caption_lines(w).iter().enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (MARGIN, TITLE + body_h + 12 + CAPTION_LINE * i as i32),
                grey.clone(),
            ))
            .map_err(err)?;
        }
        root.present().map_err(err)?;
        Ok(())
    }

    fn draw_block<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        b: &Block,
        x0: i32,
    ) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        let head = ("sans-serif", 17).into_font();
        let small = ("sans-serif", 13).into_font();
        let left = x0 + MARGIN + LABEL_WIDTH;
        let top = TITLE + HEAD;
        let cell = self.cell();
        root.draw(&Text::new(b.title.clone(), (left, TITLE), head))
            .map_err(err)?;
        for (j, label) in b.columns.iter().enumerate() {
            let (lw, _) = small.box_size(label).map_err(err)?;
            let x = left + j as i32 * cell + (cell - GAP - lw as i32) / 2;
            root.draw(&Text::new(label.clone(), (x, top - 18), small.clone()))
                .map_err(err)?;
        }
        for (i, (label, row)) in b.rows.iter().zip(&b.images).enumerate() {
            let y = top + i as i32 * cell;
            let (lw, lh) = small.box_size(label).map_err(err)?;
            root.draw(&Text::new(
                label.clone(),
                (left - 10 - lw as i32, y + (cell - GAP - lh as i32) / 2),
                small.clone(),
            ))
            .map_err(err)?;
            for (j, img) in row.iter().enumerate() {
                self.draw_image(root, img, left + j as i32 * cell, y)?;
            }
        }
        Ok(())
    }

    /// One image: a light frame, then runs of equal grey along each pixel row (white pixels are
    /// the background), so the SVG stays small.
    fn draw_image<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        img: &[f64],
        x: i32,
        y: i32,
    ) -> Result<(), FigureError>
    where
        DB::ErrorType: 'static,
    {
        let side = self.side as i32;
        root.draw(&Rectangle::new(
            [(x - 1, y - 1), (x + side * SCALE, y + side * SCALE)],
            RGBColor(200, 200, 200).stroke_width(1),
        ))
        .map_err(err)?;
        let level = |v: f64| (v.clamp(0.0, 1.0) * LEVELS).round() as u8;
        for r in 0..self.side {
            let mut c = 0;
            while c < self.side {
                let l = level(img[r * self.side + c]);
                let mut end = c + 1;
                while end < self.side && level(img[r * self.side + end]) == l {
                    end += 1;
                }
                if l > 0 {
                    // Ink is dark: intensity 1 is black.
                    let g = (255.0 * (1.0 - f64::from(l) / LEVELS)).round() as u8;
                    let (x1, y1) = (x + c as i32 * SCALE, y + r as i32 * SCALE);
                    root.draw(&Rectangle::new(
                        [(x1, y1), (x + end as i32 * SCALE, y1 + SCALE)],
                        RGBColor(g, g, g).filled(),
                    ))
                    .map_err(err)?;
                }
                c = end;
            }
        }
        Ok(())
    }
}

impl ImageGrid {
    /// The canvas rectangle of every image, frame included.
    fn cells(&self) -> Vec<Rect> {
        let (cell, side) = (self.cell(), self.side as i32 * SCALE);
        let mut out = Vec::new();
        let mut x0 = 0;
        for b in &self.blocks {
            let left = x0 + MARGIN + LABEL_WIDTH;
            for (i, row) in b.images.iter().enumerate() {
                for j in 0..row.len() {
                    let (x, y) = (left + j as i32 * cell, TITLE + HEAD + i as i32 * cell);
                    out.push(Rect::new(x - 1, y - 1, x + side + 1, y + side + 1));
                }
            }
            x0 += self.block_size(b).0;
        }
        out
    }
}

impl Drawing for ImageGrid {
    /// Draws the grid in memory, as the PNG is drawn, and reports every text whose ink leaves
    /// the canvas, touches another text or covers an image.
    fn lint(&self) -> Vec<String> {
        let (w, h) = self.size();
        let mut buffer = vec![0u8; w as usize * h as usize * 3];
        let texts = {
            let (canvas, texts) = Canvas::new(
                BitMapBackend::with_buffer(&mut buffer, (w, h)),
                TextMode::Raster,
            );
            if let Err(e) = self.draw(&canvas.into_drawing_area()) {
                return vec![format!("the grid cannot be drawn: {e}")];
            }
            texts
        };
        let texts = texts.borrow();
        let cells = self.cells();
        let mut faults = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            let r = &t.rect;
            if r.x0 < 0 || r.y0 < 0 || r.x1 > w as i32 || r.y1 > h as i32 {
                faults.push(format!("text {:?} leaves the {w}×{h} canvas", t.text));
            }
            for o in &texts[i + 1..] {
                if r.overlaps(&o.rect) {
                    faults.push(format!("texts {:?} and {:?} overlap", t.text, o.text));
                }
            }
            if cells.iter().any(|c| r.overlaps(c)) {
                faults.push(format!("text {:?} covers an image", t.text));
            }
        }
        faults
    }

    fn save(&self, dir: &Path, stem: &str) -> Result<Vec<PathBuf>, FigureError> {
        let size = self.size();
        // Text goes through the plot crate's canvas, as a chart's does: the PNG's glyphs are
        // placed at their exact positions (plotters' own raster text opens gaps inside words).
        collapse_plot::save_svg_and_png(
            dir,
            stem,
            |svg| {
                let (canvas, _) = Canvas::new(SVGBackend::new(svg, size), TextMode::Native);
                self.draw(&canvas.into_drawing_area())
            },
            |png| {
                let (canvas, _) = Canvas::new(BitMapBackend::new(png, size), TextMode::Raster);
                self.draw(&canvas.into_drawing_area())
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_renders_to_both_formats() {
        let img: Vec<f64> = (0..64).map(|p| (p % 9) as f64 / 8.0).collect();
        let block = Block {
            title: "block".into(),
            rows: vec!["a".into(), "b".into()],
            columns: vec!["0".into(), "1".into(), "2".into()],
            images: vec![vec![img.clone(); 3], vec![img; 3]],
        };
        let grid = ImageGrid {
            title: "grid".into(),
            caption: "provenance\nsecond line".into(),
            side: 8,
            blocks: vec![block.clone(), block],
        };
        let dir = tempfile::tempdir().unwrap();
        let files = grid.save(dir.path(), "g").unwrap();
        assert_eq!(files.len(), 2);
        let svg = std::fs::read_to_string(&files[0]).unwrap();
        assert!(svg.contains("provenance") && svg.contains("second line"));
        assert!(std::fs::metadata(&files[1]).unwrap().len() > 1000);
        assert!(grid.lint().is_empty(), "{:?}", grid.lint());
    }

    #[test]
    fn lint_finds_a_label_over_the_images_and_off_the_canvas() {
        let img = vec![0.5; 64];
        let grid = ImageGrid {
            title: "grid".into(),
            caption: "provenance".into(),
            side: 8,
            blocks: vec![Block {
                title: "block".into(),
                rows: vec!["a row label far too long for its column".into()],
                columns: vec!["0".into()],
                images: vec![vec![img]],
            }],
        };
        let faults = grid.lint();
        assert!(
            faults.iter().any(|f| f.contains("leaves the")),
            "{faults:?}"
        );
    }
}
