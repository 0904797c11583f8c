//! # collapse-plot
//!
//! The plotting layer of the `collapse` workspace, depending only on the core: a [`Chart`] of
//! [`Panel`]s, each a set of [`Series`], rendered to SVG and PNG with plotters and the embedded
//! DejaVu Sans (no system font, no fontconfig). A `Chart` is a [`collapse_core::Drawing`], so a
//! family registers it as a figure or as its run figure; the caption (the provenance: usually
//! the command that reproduces the run) is supplied by the caller.
//!
//! The layer keeps the rules a reader relies on, so that a new figure cannot break them:
//!
//! - every axis labels at least three ticks with readable values (1-2-5 steps, powers of ten,
//!   never 1.585 or 2.512; on a narrow log range values such as 20, 30, 50);
//! - a legend goes where it covers no plotted point (the first free corner, else outside the
//!   plot area), unless a figure overrides it ([`Panel::legend_fixed`],
//!   [`Panel::legend_outside`]);
//! - closed forms (dashed) are drawn on top, in a contrasting shade when they share their colour
//!   with the measurement they are compared with;
//! - a Monte Carlo mean carries its standard errors ([`Series::mean_se`], [`Series::with_se`],
//!   [`summary_mean`]) as a band or bars;
//! - titles and captions wrap, and the PNG's text is laid out glyph by glyph at the font's own
//!   advances and bearings.
//!
//! [`Chart::lint`] checks what can be checked mechanically on the drawn layout ([`Layout`]):
//! tick counts and labels, legends over data, series promised but not drawn, closed forms
//! hidden under a measurement, and text running past the canvas or over other text.
//!
//! ```
//! use collapse_plot::{Chart, Panel, Series};
//! let xs: Vec<f64> = (1..=10).map(f64::from).collect();
//! let panel = Panel::new("variance", "generation n", "σ²ₙ")
//!     .log_y()
//!     .with(Series::mean_se(
//!         "simulated",
//!         0,
//!         xs.iter().map(|&x| (x, 1.0 / x)).collect(),
//!         xs.iter().map(|&x| 0.02 / x).collect(),
//!     ))
//!     .with(Series::dashed("theory", 1, xs.iter().map(|&x| (x, 1.1 / x)).collect()));
//! let chart = Chart::single("A title", "collapse run gaussian-chain --seed 0", panel);
//! assert!(chart.lint().is_empty(), "{:?}", chart.lint());
//! let svg = collapse_core::Drawing::svg(&chart).unwrap();
//! assert!(svg.starts_with("<svg"));
//! ```

mod chart;
mod files;
mod layout;
mod render;
mod text;
mod ticks;

pub use chart::{
    Chart, FigureError, Legend, LegendPlace, PALETTE, Panel, SE_SPAN, Series, Style, color,
    summary_curve, summary_mean,
};
pub use files::save_svg_and_png;
pub use layout::{Layout, LayoutFault, LegendLayout, PanelLayout, SeriesLayout};
pub use text::{Canvas, Rect, TextBox, TextMode, init_fonts, text_width};
pub use ticks::{AxisTicks, Tick};

#[cfg(test)]
mod tests;
