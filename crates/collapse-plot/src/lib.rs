//! # collapse-plot
//!
//! The plotting layer of the `collapse` workspace, depending only on the core: a [`Chart`] of
//! [`Panel`]s, each a set of [`Series`], rendered to SVG and PNG with plotters and the embedded
//! DejaVu Sans (no system font, no fontconfig). A `Chart` is a [`collapse_core::Drawing`], so a
//! family registers it as a figure or as its run figure; the caption (the provenance: usually
//! the command that reproduces the run) is supplied by the caller.
//!
//! ```
//! use collapse_plot::{Chart, Panel, Series};
//! let xs: Vec<f64> = (1..=10).map(f64::from).collect();
//! let panel = Panel::new("variance", "generation n", "σ²ₙ")
//!     .log_y()
//!     .with(Series::line("simulated", 0, xs.iter().map(|&x| (x, 1.0 / x)).collect()))
//!     .with(Series::dashed("theory", 1, xs.iter().map(|&x| (x, 1.1 / x)).collect()));
//! let chart = Chart::single("A title", "collapse run gaussian-chain --seed 0", panel);
//! let svg = collapse_core::Drawing::svg(&chart).unwrap();
//! assert!(svg.starts_with("<svg"));
//! ```

mod chart;

pub use chart::{
    Chart, FigureError, Legend, PALETTE, Panel, Series, Style, color, init_fonts, summary_curve,
};
