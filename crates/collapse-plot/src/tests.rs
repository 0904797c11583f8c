//! The layout rules on whole charts: each rule is kept by the renderer, and each breach a
//! figure can still commit (an overridden legend, a series with nothing to draw, a promise in a
//! title, text too long for the canvas) is reported by the lint.

use crate::layout::{LegendLayout, PanelLayout, SeriesLayout};
use crate::text::Rect;
use crate::ticks::AxisTicks;
use crate::{Chart, Layout, LayoutFault, Legend, LegendPlace, Panel, Series};

fn xs(n: u32) -> Vec<f64> {
    (0..=n).map(f64::from).collect()
}

fn curve(f: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
    xs(100).into_iter().map(|x| (x, f(x))).collect()
}

fn lint(panel: Panel) -> (Layout, Vec<LayoutFault>) {
    let chart = Chart::single("a chart", "collapse figures --seed 0", panel);
    (chart.layout().unwrap(), chart.lint())
}

#[test]
fn renders_svg_and_png_with_the_embedded_font() {
    let dir = tempfile::tempdir().unwrap();
    let x = xs(50);
    let p = Panel::new("panel", "generation", "value")
        .log_y()
        .with(Series::band(
            0,
            &x,
            &x.iter().map(|x| 0.5 * (x + 1.0)).collect::<Vec<_>>(),
            &x.iter().map(|x| 2.0 * (x + 1.0)).collect::<Vec<_>>(),
        ))
        .with(Series::line(
            "sim",
            0,
            x.iter().map(|&x| (x, x + 1.0)).collect(),
        ))
        .with(Series::dashed(
            "theory",
            1,
            x.iter().map(|&x| (x, 1.1 * (x + 1.0))).collect(),
        ))
        .with(Series::bars("hist", 2, 1.0, vec![(1.0, 3.0), (2.0, 5.0)]));
    let chart = Chart::grid("test", "provenance", vec![p.clone(), p.log_x()], 2);
    let files = chart.save(dir.path(), "t").unwrap();
    for f in &files {
        assert!(std::fs::metadata(f).unwrap().len() > 1000, "{f:?}");
    }
    // SVG keeps real text elements (the viewer lays them out).
    let svg = std::fs::read_to_string(&files[0]).unwrap();
    assert!(svg.contains("<text") && svg.contains("generation"));
}

/// A falling diagonal covers the upper-left and lower-right corners: the legend goes to the
/// first free corner, upper right; a rising one sends it to the upper left; lines along the
/// top and the bottom leave no corner free, and it goes outside the plot area.
#[test]
fn the_legend_goes_where_it_covers_no_data() {
    let place = |panel: Panel| {
        let (layout, faults) = lint(panel);
        assert!(faults.is_empty(), "{faults:?}");
        layout.panels[0].legend.as_ref().unwrap().place
    };
    let falling = Panel::new("falling", "x", "y").with(Series::line("y", 0, curve(|x| 100.0 - x)));
    assert_eq!(place(falling), LegendPlace::Corner(Legend::UpperRight));
    let rising = Panel::new("rising", "x", "y").with(Series::line("y", 0, curve(|x| x)));
    assert_eq!(place(rising), LegendPlace::Corner(Legend::UpperLeft));
    let full = Panel::new("full", "x", "y")
        .with(Series::line("top", 0, curve(|_| 1.0)))
        .with(Series::line("bottom", 1, curve(|_| 0.0)));
    assert_eq!(place(full.clone()), LegendPlace::Outside);
    // Outside, the plot area narrows so that the legend still fits on the canvas.
    let (layout, _) = lint(full);
    let p = &layout.panels[0];
    let legend = p.legend.as_ref().unwrap().rect;
    assert!(
        legend.x0 >= p.plot.x1 && legend.x1 <= p.cell.x1,
        "{legend} {}",
        p.plot
    );
}

/// A preferred corner is kept when it is free and left when it covers data; an override is
/// kept whatever it covers, and the lint reports it.
#[test]
fn preferences_and_overrides() {
    let rising = || Panel::new("rising", "x", "y").with(Series::line("y", 0, curve(|x| x)));
    let (layout, _) = lint(rising().legend(Legend::LowerRight));
    assert_eq!(
        layout.panels[0].legend.as_ref().unwrap().place,
        LegendPlace::Corner(Legend::LowerRight)
    );
    let (layout, faults) = lint(rising().legend(Legend::LowerLeft));
    assert_eq!(
        layout.panels[0].legend.as_ref().unwrap().place,
        LegendPlace::Corner(Legend::UpperLeft)
    );
    assert!(faults.is_empty());
    let (layout, faults) = lint(rising().legend_fixed(Legend::LowerLeft));
    assert_eq!(
        layout.panels[0].legend.as_ref().unwrap().place,
        LegendPlace::Corner(Legend::LowerLeft)
    );
    assert!(
        matches!(faults[..], [LayoutFault::LegendCoversData { covered, .. }] if covered > 0),
        "{faults:?}"
    );
}

#[test]
fn series_and_promises_that_draw_nothing_are_reported() {
    let (_, faults) = lint(
        Panel::new("closed forms dashed", "x", "y")
            .log_y()
            .with(Series::line("positive", 0, curve(|x| x + 1.0)))
            .with(Series::line("never positive", 1, curve(|x| -x))),
    );
    assert!(
        faults.contains(&LayoutFault::EmptySeries {
            panel: "closed forms dashed".into(),
            label: "never positive".into()
        }),
        "{faults:?}"
    );
    assert!(
        faults.iter().any(|f| matches!(
            f,
            LayoutFault::Unkept {
                promise: "dashed curves",
                ..
            }
        )),
        "{faults:?}"
    );
}

/// A closed form that coincides with the measurement of its colour is drawn on top in a
/// contrasting shade; drawn in the measurement's own colour it would be reported.
#[test]
fn a_coinciding_closed_form_stays_visible() {
    let (layout, faults) = lint(
        Panel::new("p", "x", "y")
            .with(Series::line("measured", 0, curve(|x| x)))
            .with(Series::dashed("closed form", 0, curve(|x| x))),
    );
    assert!(faults.is_empty(), "{faults:?}");
    let s = &layout.panels[0].series;
    assert_ne!(s[0].rgb, s[1].rgb);
    let hidden = |mut layout: Layout| {
        layout.panels[0].series[1].rgb = layout.panels[0].series[0].rgb;
        let chart = Chart::single("c", "", Panel::new("p", "x", "y"));
        layout.faults(&chart)
    };
    assert!(
        hidden(layout)
            .iter()
            .any(|f| matches!(f, LayoutFault::HiddenTheory { .. }))
    );
}

/// An axis description a little too long for its axis is drawn smaller rather than past it.
#[test]
fn axis_descriptions_shrink_to_fit() {
    let label = "the probability that a category of the original distribution is still present";
    let chart = Chart::grid(
        "c",
        "",
        vec![
            Panel::new("p", "x", label).with(Series::line("y", 0, curve(|x| x))),
            Panel::new("q", "x", "y").with(Series::line("y", 0, curve(|x| x))),
        ],
        2,
    );
    assert!(chart.lint().is_empty(), "{:?}", chart.lint());
    let layout = chart.layout().unwrap();
    let text = layout.texts.iter().find(|t| t.text == label).unwrap();
    let p = &layout.panels[0];
    assert!(
        text.rect.y1 - text.rect.y0 <= p.plot.y1 - p.plot.y0,
        "{}",
        text.rect
    );
}

#[test]
fn text_that_cannot_fit_is_reported_and_titles_wrap() {
    let long = "a very long description of the quantity on this axis ".repeat(20);
    let (_, faults) =
        lint(Panel::new("p", "x", long.trim()).with(Series::line("y", 0, curve(|x| x))));
    assert!(
        faults
            .iter()
            .any(|f| matches!(f, LayoutFault::TextOffCanvas { .. })),
        "{faults:?}"
    );
    let title = "a chart title long enough to need two lines at the size titles are drawn in, and then some more words to be quite sure that it does not fit";
    let chart = Chart::single(
        title,
        "a caption",
        Panel::new(title, "x", "y").with(Series::line("y", 0, curve(|x| x))),
    );
    assert!(chart.lint().is_empty(), "{:?}", chart.lint());
    let short = Chart::single("t", "a caption", Panel::new("t", "x", "y"));
    assert!(chart.size().1 > short.size().1);
}

/// The survival figure's axes: 0.03 to 0.6 on a log scale labels at least three ticks.
#[test]
fn every_axis_labels_three_readable_ticks() {
    let (layout, faults) = lint(
        Panel::new("survival", "generation k", "survival")
            .log_x()
            .log_y()
            .with(Series::line(
                "s",
                0,
                (1..=100)
                    .map(|k| (f64::from(k), 0.6 / f64::from(k).powf(0.65)))
                    .collect(),
            )),
    );
    assert!(faults.is_empty(), "{faults:?}");
    let p = &layout.panels[0];
    assert!(p.y_ticks.major.len() >= 3 && p.x_ticks.major.len() >= 3);
    // Every labelled tick was drawn as a text.
    for t in p.y_ticks.major.iter().chain(&p.x_ticks.major) {
        assert!(
            layout.texts.iter().any(|x| x.text == t.label),
            "{}",
            t.label
        );
    }
}

/// A Monte Carlo mean carries its standard-error band, and the axis makes room for it.
#[test]
fn standard_errors_are_drawn_and_fit() {
    let points = curve(|x| x);
    let se = vec![20.0; points.len()];
    let (layout, faults) =
        lint(Panel::new("mean ± 2 SE band", "x", "y").with(Series::mean_se("mean", 0, points, se)));
    assert!(faults.is_empty(), "{faults:?}");
    let p = &layout.panels[0];
    assert!(p.series[0].banded);
    let top = p.y_ticks.major.last().unwrap().value;
    assert!(top >= 130.0, "{top}");
}

/// The lint reads a layout, not the renderer's intentions: a hand-made layout with a legend
/// over a point and an axis with two labels is reported.
#[test]
fn the_lint_reads_the_layout() {
    let ticks = |n: usize| AxisTicks {
        major: (0..n)
            .map(|i| crate::Tick {
                at: i as f64,
                value: i as f64,
                label: i.to_string(),
            })
            .collect(),
        minor: Vec::new(),
    };
    let layout = Layout {
        size: (100, 100),
        panels: vec![PanelLayout {
            title: "p".into(),
            cell: Rect::new(0, 0, 100, 100),
            plot: Rect::new(10, 10, 90, 90),
            x_ticks: ticks(2),
            x_log: false,
            y_ticks: ticks(3),
            y_log: false,
            legend: Some(LegendLayout {
                place: LegendPlace::Corner(Legend::UpperRight),
                rect: Rect::new(50, 10, 90, 30),
            }),
            series: vec![SeriesLayout {
                label: Some("s".into()),
                dashed: false,
                banded: false,
                rgb: (0, 0, 0),
                visible: 1,
                pixels: vec![(60, 20)],
            }],
        }],
        texts: Vec::new(),
    };
    let faults = layout.faults(&Chart::single("c", "", Panel::default()));
    assert!(
        matches!(
            faults[..],
            [
                LayoutFault::TooFewTicks { axis: 'x', .. },
                LayoutFault::LegendCoversData { covered: 1, .. }
            ]
        ),
        "{faults:?}"
    );
}
