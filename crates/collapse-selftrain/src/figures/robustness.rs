//! The robustness map: one panel per direction of the paper (and per pass@1 peak), each the
//! (head start, τ) plane with every cell split into seven stripes, one per variant, shaded by
//! whether the direction holds there; and a last panel for the coverage rule.
//!
//! The figure carries no legend (the colours are named in its title and the stripes in every
//! x-axis description), so no layout of the plotting layer can put one over the cells.

use crate::experiment::robustness::{Map, Outcome, Point, RobustnessConfig, Variant};
use crate::experiment::{Robustness, robustness::Class};
use collapse_core::{DynExperiment, FigureEnv, FigureError, SummaryRow};
use collapse_plot::{Chart, Panel, Series};

/// Palette indices: holds, the other way, flat.
const HOLDS: usize = 0;
const AGAINST: usize = 1;
const FLAT: usize = 6;

/// Layers of each cell's translucent fill (each layer is 18 % opaque).
const LAYERS: usize = 2;

/// Edges of the cells around sorted grid values: midpoints, and half a neighbour gap beyond the
/// ends (a lone value gets a unit-wide cell, or ±10 % for a temperature-like scale).
fn edges(values: &[f64], lone: f64) -> Vec<(f64, f64)> {
    let n = values.len();
    (0..n)
        .map(|i| {
            let left = if i > 0 {
                0.5 * (values[i - 1] + values[i])
            } else if n > 1 {
                values[0] - 0.5 * (values[1] - values[0])
            } else {
                values[0] - lone
            };
            let right = if i + 1 < n {
                0.5 * (values[i] + values[i + 1])
            } else if n > 1 {
                values[n - 1] + 0.5 * (values[n - 1] - values[n - 2])
            } else {
                values[0] + lone
            };
            (left, right)
        })
        .collect()
}

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s
}

fn color(o: Outcome) -> Option<usize> {
    match o {
        Outcome::Holds => Some(HOLDS),
        Outcome::Against => Some(AGAINST),
        Outcome::Flat => Some(FLAT),
        Outcome::Missing => None,
    }
}

/// A filled rectangle [x0, x1] × [y0, y1] as a band series.
fn rect(panel: &mut Panel, c: usize, (x0, x1): (f64, f64), (y0, y1): (f64, f64)) {
    for _ in 0..LAYERS {
        panel.push(Series::band(c, &[x0, x1], &[y0, y0], &[y1, y1]));
    }
}

/// The short text of a class for a panel title.
fn class_text(c: &Class) -> &'static str {
    match c {
        Class::Structural => "structural",
        Class::Conditional(_) => "conditional",
        Class::Contradicted => "contradicted",
    }
}

const STRIPES: &str =
    "shortcut head start; stripes: default, restart, ref. base, L1–5, L3–5, N 8, N 200";

fn map_panels(c: &RobustnessConfig, map: &Map) -> Vec<Panel> {
    let hs = sorted(&c.head_starts);
    let ts = sorted(&c.temperatures);
    let hx = edges(&hs, 0.5);
    let ty = edges(&ts, 0.1);
    let index = |v: &[f64], x: f64| v.iter().position(|y| *y == x).expect("a grid value");
    let x_range = (hx[0].0, hx[hx.len() - 1].1);
    let y_range = (ty[0].0, ty[ty.len() - 1].1);
    let mut panels = Vec::new();
    for row in &map.rows {
        let class = row.class(&map.points);
        let mut p = Panel::new(
            format!(
                "{}: {} {} ({})",
                row.kind.series(),
                row.kind.what(),
                row.kind.claim_text(),
                class_text(&class)
            ),
            STRIPES,
            "temperature τ",
        )
        .x_range(x_range.0, x_range.1)
        .y_range(y_range.0, y_range.1);
        // Cells by (head start, τ): the outcome of each variant, in stripe order.
        let mut cells: Vec<Vec<[Outcome; 7]>> =
            vec![vec![[Outcome::Missing; 7]; ts.len()]; hs.len()];
        for (point, outcome) in map.points.iter().zip(&row.cells) {
            let Point {
                head_start,
                temperature,
                variant,
            } = *point;
            let v = Variant::ALL
                .iter()
                .position(|x| *x == variant)
                .expect("a variant");
            cells[index(&hs, head_start)][index(&ts, temperature)][v] = *outcome;
        }
        for (i, column) in cells.iter().enumerate() {
            for (j, stripes) in column.iter().enumerate() {
                let (x0, x1) = hx[i];
                let (y0, y1) = ty[j];
                // A thin white margin separates neighbouring cells.
                let (mx, my) = (0.06 * (x1 - x0), 0.06 * (y1 - y0));
                let (x0, x1, y0, y1) = (x0 + mx, x1 - mx, y0 + my, y1 - my);
                let w = (x1 - x0) / 7.0;
                // Runs of equal outcomes are drawn as one rectangle.
                let mut k = 0;
                while k < 7 {
                    let mut e = k;
                    while e + 1 < 7 && stripes[e + 1] == stripes[k] {
                        e += 1;
                    }
                    if let Some(col) = color(stripes[k]) {
                        rect(
                            &mut p,
                            col,
                            (x0 + w * k as f64, x0 + w * (e + 1) as f64),
                            (y0, y1),
                        );
                    }
                    k = e + 1;
                }
            }
        }
        panels.push(p);
    }
    panels
}

fn coverage_panel(map: &Map) -> Panel {
    let mut p = Panel::new(
        "coverage rule: best DPO/SFT-DPO − best SFT (dashed: 0 and the paper's 0.5)",
        "M₁ coverage (error strategies' logit varied)",
        "best pass@1 difference",
    );
    let mut pts: Vec<(f64, f64, f64)> = map
        .coverage
        .iter()
        .map(|&(_, cov, _, (m, se))| (cov, m, se))
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    if pts.is_empty() {
        return p;
    }
    let xs: Vec<f64> = pts.iter().map(|x| x.0).collect();
    let lo: Vec<f64> = pts.iter().map(|x| x.1 - 2.0 * x.2).collect();
    let hi: Vec<f64> = pts.iter().map(|x| x.1 + 2.0 * x.2).collect();
    p.push(Series::band(HOLDS, &xs, &lo, &hi));
    let line: Vec<(f64, f64)> = pts.iter().map(|x| (x.0, x.1)).collect();
    p.push(Series::line("margin", HOLDS, line.clone()).unlabelled());
    p.push(Series::markers("", HOLDS, line).unlabelled());
    let (ylo, yhi) = lo
        .iter()
        .chain(&hi)
        .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(*v), b.max(*v)));
    let (xlo, xhi) = (xs[0].min(0.5), xs[xs.len() - 1].max(0.5));
    p.push(Series::dashed("zero", 7, vec![(xlo, 0.0), (xhi, 0.0)]).unlabelled());
    p.push(Series::dashed("threshold", 7, vec![(0.5, ylo), (0.5, yhi)]).unlabelled());
    p
}

/// The map of a run's summary as a chart.
pub fn chart(c: &RobustnessConfig, summary: &[SummaryRow], command: &str) -> Chart {
    let map = Map::new(c, &|s, m, t| {
        summary
            .iter()
            .find(|r| r.series == s && r.metric == m && r.step == t)
            .map(|r| (r.mean, r.std_error))
    });
    let mut panels = map_panels(c, &map);
    panels.push(coverage_panel(&map));
    let values = |v: &[f64]| {
        sorted(v)
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut chart = Chart::grid(
        format!(
            "Where each direction of the paper holds (cells at head start {} × τ {}, one stripe per variant): blue = as the paper reports, vermillion = the other way, grey = no change beyond 2 s.e.",
            values(&c.head_starts),
            values(&c.temperatures)
        ),
        command.to_string(),
        panels,
        3,
    );
    chart.panel_size = (620, 420);
    chart
}

/// `selftrain-robustness` (gallery): the default run.
pub(super) fn robustness(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = env.run(&DynExperiment::new(Robustness), &[])?;
    let c = run
        .configured
        .config::<RobustnessConfig>()
        .expect("selftrain-robustness's configuration");
    Ok(chart(c, &run.summary, &run.command))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_tile_the_axis() {
        assert_eq!(
            edges(&[0.5, 0.75, 1.0], 0.1),
            [(0.375, 0.625), (0.625, 0.875), (0.875, 1.125)]
        );
        assert_eq!(edges(&[2.0], 0.5), [(1.5, 2.5)]);
    }

    #[test]
    fn the_map_renders_from_a_small_run() {
        let dir = tempfile::tempdir().unwrap();
        let env = FigureEnv::default();
        let run = env
            .run(
                &DynExperiment::new(Robustness),
                &[
                    ("head_starts", "1,3.45"),
                    ("temperatures", "0.75"),
                    ("error_logits", "2,0"),
                    ("questions", "120"),
                    ("iterations", "3"),
                    ("replicates", "2"),
                ],
            )
            .unwrap();
        let c = run.configured.config::<RobustnessConfig>().unwrap();
        chart(c, &run.summary, &run.command)
            .save(dir.path(), "m")
            .unwrap();
    }
}
