//! Text: the embedded DejaVu Sans, measured and rasterised with every glyph at its place, and a
//! drawing backend that records where each text went.
//!
//! plotters' own ab_glyph path (`FontDataInternal::draw`, plotters 0.3.7) drops each glyph's
//! left side bearing (it draws the glyph's ink box from the pen position, ignoring
//! `px_bounds().min.x`) and truncates the pen position to a whole pixel glyph by glyph. Glyphs
//! with a wide bearing (`n`, `l`, `p`, `1`) are pulled left and those with a narrow one (`t`,
//! `e`) are not, which opens gaps inside words in the PNG: "gen erations", "replic ates",
//! "samp les". [`Canvas`] replaces that path for raster backends: each glyph is outlined at its
//! exact sub-pixel pen position (advance plus kerning, as in the layout estimate) and its
//! pixels are placed where `px_bounds` says. SVG keeps its `<text>` elements (the viewer lays
//! them out), but its texts are recorded with the same measurements.

use ab_glyph::{Font, FontRef, OutlinedGlyph, PxScale, ScaleFont, point};
use plotters::style::{FontStyle as PlottersFontStyle, register_font};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle,
};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Once, OnceLock};

/// Registers the embedded DejaVu Sans under the family name `sans-serif` (once per process), so
/// that plotters' layout estimates use the font the figures are drawn with.
pub fn init_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font bytes ship inside the `dejavu` crate, so this cannot fail at run time.
        let _ = register_font(
            "sans-serif",
            PlottersFontStyle::Normal,
            dejavu::sans::regular(),
        );
        let _ = register_font("sans-serif", PlottersFontStyle::Bold, dejavu::sans::bold());
    });
}

/// The regular (`bold = false`) or bold face of DejaVu Sans.
fn face(bold: bool) -> &'static FontRef<'static> {
    static FACES: OnceLock<[FontRef<'static>; 2]> = OnceLock::new();
    let faces = FACES.get_or_init(|| {
        let load = |bytes: &'static [u8]| {
            FontRef::try_from_slice(bytes).expect("the embedded DejaVu Sans is a valid font")
        };
        [load(dejavu::sans::regular()), load(dejavu::sans::bold())]
    });
    &faces[usize::from(bold)]
}

/// Vertical placement of the baseline below a text's anchor, as fractions of the font size
/// (plotters' size: the pixel height from descender to ascender, `PxScale`). DejaVu Sans has
/// ascenders at 0.653 of that height, capitals at 0.626 and descenders at −0.203, so `Top`
/// puts the ascenders at the anchor, `Center` the middle of the capitals and `Bottom` the
/// descenders.
const BASELINE_TOP: f32 = 0.653;
const BASELINE_CENTER: f32 = 0.313;
const BASELINE_BOTTOM: f32 = -0.203;

/// The advance width of `text` at `size` pixels, kerning included (what plotters' layout
/// estimate computes, so that plotters and this module agree on every width).
pub fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let font = face(bold).as_scaled(PxScale::from(size as f32));
    let mut width = 0.0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            width += font.kern(p, id);
        }
        width += font.h_advance(id);
        prev = Some(id);
    }
    f64::from(width)
}

/// A pixel rectangle `[x0, x1) × [y0, y1)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    /// Left edge.
    pub x0: i32,
    /// Top edge.
    pub y0: i32,
    /// Right edge (exclusive).
    pub x1: i32,
    /// Bottom edge (exclusive).
    pub y1: i32,
}

impl Rect {
    /// The rectangle from `(x0, y0)` (inclusive) to `(x1, y1)` (exclusive).
    pub fn new(x0: i32, y0: i32, x1: i32, y1: i32) -> Self {
        Self { x0, y0, x1, y1 }
    }

    /// Whether the two rectangles share a pixel.
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    /// Whether `(x, y)` lies inside.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= f64::from(self.x0)
            && x < f64::from(self.x1)
            && y >= f64::from(self.y0)
            && y < f64::from(self.y1)
    }

    /// Whether `o` lies entirely inside.
    pub fn encloses(&self, o: &Rect) -> bool {
        o.x0 >= self.x0 && o.y0 >= self.y0 && o.x1 <= self.x1 && o.y1 <= self.y1
    }

    /// The rectangle grown by `d` pixels on every side.
    pub fn inflate(&self, d: i32) -> Rect {
        Rect::new(self.x0 - d, self.y0 - d, self.x1 + d, self.y1 + d)
    }

    fn union(&self, o: &Rect) -> Rect {
        Rect::new(
            self.x0.min(o.x0),
            self.y0.min(o.y0),
            self.x1.max(o.x1),
            self.y1.max(o.y1),
        )
    }
}

impl std::fmt::Display for Rect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}, {}) × [{}, {})", self.x0, self.x1, self.y0, self.y1)
    }
}

/// A text as drawn: the string and the pixels its ink covers.
#[derive(Clone, Debug, PartialEq)]
pub struct TextBox {
    /// The text.
    pub text: String,
    /// Its ink, in canvas pixels.
    pub rect: Rect,
}

/// `text` laid out around its anchor at the origin: the outlined glyphs in the text's own frame
/// (x along the text, y down), and the rectangle their ink covers.
fn lay_out(
    text: &str,
    size: f64,
    bold: bool,
    h: HPos,
    v: VPos,
) -> (Vec<OutlinedGlyph>, Option<Rect>) {
    let font = face(bold);
    let scale = PxScale::from(size as f32);
    let scaled = font.as_scaled(scale);
    let width = text_width(text, size, bold) as f32;
    let mut pen = match h {
        HPos::Left => 0.0,
        HPos::Center => -width / 2.0,
        HPos::Right => -width,
    };
    let baseline = size as f32
        * match v {
            VPos::Top => BASELINE_TOP,
            VPos::Center => BASELINE_CENTER,
            VPos::Bottom => BASELINE_BOTTOM,
        };
    let mut glyphs = Vec::with_capacity(text.len());
    let mut ink: Option<Rect> = None;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            pen += scaled.kern(p, id);
        }
        prev = Some(id);
        let glyph = id.with_scale_and_position(scale, point(pen, baseline));
        pen += scaled.h_advance(id);
        if let Some(outlined) = font.outline_glyph(glyph) {
            let b = outlined.px_bounds();
            let r = Rect::new(
                b.min.x as i32,
                b.min.y as i32,
                b.max.x as i32,
                b.max.y as i32,
            );
            ink = Some(ink.map_or(r, |i| i.union(&r)));
            glyphs.push(outlined);
        }
    }
    (glyphs, ink)
}

/// The canvas rectangle of a rectangle of the text frame, anchored at `pos` and turned by the
/// style's rotation.
fn to_canvas<S: BackendTextStyle>(style: &S, pos: BackendCoord, r: &Rect) -> Rect {
    let t = style.transform();
    let (ax, ay) = t.transform(r.x0, r.y0);
    let (bx, by) = t.transform(r.x1, r.y1);
    Rect::new(
        pos.0 + ax.min(bx),
        pos.1 + ay.min(by),
        pos.0 + ax.max(bx),
        pos.1 + ay.max(by),
    )
}

/// How a [`Canvas`] puts text on its backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextMode {
    /// Rasterise the glyphs here, pixel by pixel (bitmaps, and the blank layout canvas).
    Raster,
    /// Let the backend write its own text elements (SVG).
    Native,
}

/// A drawing backend around another one that draws (or lets the backend draw) every text and
/// records where its ink goes. Every other call is passed through unchanged.
pub struct Canvas<DB> {
    inner: DB,
    mode: TextMode,
    texts: Rc<RefCell<Vec<TextBox>>>,
}

impl<DB: DrawingBackend> Canvas<DB> {
    /// A canvas over `inner`, and the list its texts are recorded into.
    pub fn new(inner: DB, mode: TextMode) -> (Self, Rc<RefCell<Vec<TextBox>>>) {
        let texts = Rc::new(RefCell::new(Vec::new()));
        (
            Self {
                inner,
                mode,
                texts: Rc::clone(&texts),
            },
            texts,
        )
    }
}

impl<DB: DrawingBackend> DrawingBackend for Canvas<DB> {
    type ErrorType = DB::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        let bold = matches!(style.style(), FontStyle::Bold);
        let anchor = style.anchor();
        let (glyphs, ink) = lay_out(text, style.size(), bold, anchor.h_pos, anchor.v_pos);
        if let Some(ink) = ink {
            self.texts.borrow_mut().push(TextBox {
                text: text.to_string(),
                rect: to_canvas(style, pos, &ink),
            });
        }
        if color.alpha == 0.0 {
            return Ok(());
        }
        if self.mode == TextMode::Native {
            return self.inner.draw_text(text, style, pos);
        }
        let t = style.transform();
        let (w, h) = self.inner.get_size();
        for g in &glyphs {
            let b = g.px_bounds();
            let (x0, y0) = (b.min.x as i32, b.min.y as i32);
            let mut pixels = Vec::new();
            g.draw(|x, y, c| pixels.push((x0 + x as i32, y0 + y as i32, c)));
            for (x, y, c) in pixels {
                if c <= 0.0 {
                    continue;
                }
                let (dx, dy) = t.transform(x, y);
                let (px, py) = (pos.0 + dx, pos.1 + dy);
                if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                    let a = color.alpha * f64::from(c.min(1.0));
                    self.inner.draw_pixel(
                        (px, py),
                        BackendColor {
                            alpha: a,
                            rgb: color.rgb,
                        },
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// A backend that draws nothing: the layout of a chart is computed by drawing it here.
pub struct Blank {
    size: (u32, u32),
}

impl Blank {
    /// A blank canvas of `size` pixels.
    pub fn new(size: (u32, u32)) -> Self {
        Self { size }
    }
}

impl DrawingBackend for Blank {
    type ErrorType = std::convert::Infallible;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }
    fn draw_pixel(
        &mut self,
        _: BackendCoord,
        _: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        _: BackendCoord,
        _: BackendCoord,
        _: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        _: BackendCoord,
        _: BackendCoord,
        _: &S,
        _: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        _: I,
        _: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        _: BackendCoord,
        _: u32,
        _: &S,
        _: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        _: I,
        _: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The columns of the ink (coverage over a third) of each glyph of `text` at 13 px, laid
    /// out here (`ours`) and as plotters 0.3.7 lays them out (the glyph's ink box drawn from the
    /// truncated pen position).
    fn ink_columns(text: &str, ours: bool) -> Vec<(i32, i32)> {
        let size = 13.0;
        let font = face(false).as_scaled(PxScale::from(size as f32));
        let (glyphs, _) = lay_out(text, size, false, HPos::Left, VPos::Top);
        let mut pen = 0.0f32;
        let mut prev = None;
        let mut out = Vec::new();
        for (c, g) in text.chars().zip(&glyphs) {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                pen += font.kern(p, id);
            }
            prev = Some(id);
            let x0 = if ours {
                g.px_bounds().min.x as i32
            } else {
                pen as i32
            };
            let mut cols = (i32::MAX, i32::MIN);
            g.draw(|x, _, cover| {
                if cover > 0.33 {
                    cols = (cols.0.min(x0 + x as i32), cols.1.max(x0 + x as i32));
                }
            });
            out.push(cols);
            pen += font.h_advance(id);
        }
        out
    }

    /// The blank columns between neighbouring glyphs' ink.
    fn gaps(cols: &[(i32, i32)]) -> Vec<i32> {
        cols.windows(2).map(|w| w[1].0 - w[0].1 - 1).collect()
    }

    /// DejaVu's digits have nearly equal side bearings, so "1000" should read as evenly spaced.
    /// plotters pulls each glyph left by its left side bearing (wider for `1` than for `0`),
    /// opening "1 000"; placing glyphs at their bearings keeps the gaps within a pixel of each
    /// other (the rounding of sub-pixel positions).
    #[test]
    fn glyphs_sit_at_their_bearings() {
        let spread = |g: Vec<i32>| g.iter().max().unwrap() - g.iter().min().unwrap();
        assert!(spread(gaps(&ink_columns("1000", true))) <= 1);
        assert!(spread(gaps(&ink_columns("1000", false))) >= 2);
        for word in ["generations", "replicates", "samples"] {
            let ours = gaps(&ink_columns(word, true));
            let theirs = gaps(&ink_columns(word, false));
            // No glyph of ours touches its neighbour or stands three columns off.
            assert!(ours.iter().all(|g| (0..=2).contains(g)), "{word}: {ours:?}");
            assert!(
                spread(theirs.clone()) > spread(ours.clone()),
                "{word}: {theirs:?} vs {ours:?}"
            );
        }
    }

    #[test]
    fn anchors_place_the_ink() {
        let (_, ink) = lay_out("Hg", 20.0, false, HPos::Left, VPos::Top);
        let ink = ink.unwrap();
        // Ascenders at the anchor, descenders below the baseline.
        assert!((-1..=1).contains(&ink.y0), "{ink}");
        assert!(ink.y1 > (20.0 * BASELINE_TOP) as i32, "{ink}");
        let (_, right) = lay_out("Hg", 20.0, false, HPos::Right, VPos::Bottom);
        let right = right.unwrap();
        assert!(right.x1 <= 1 && right.y1 <= 1, "{right}");
        let w = text_width("Hg", 20.0, false);
        assert!((f64::from(ink.x1 - ink.x0) - w).abs() < 3.0);
    }
}
