//! The error-source panel: the paper's taxonomy as a picture (Gaussian/mixture case).

use crate::plot::{Chart, FigureError, Panel, Series, summary_curve};
use crate::{FigureEnv, FigureSpec, Legend, RunFigure, provenance};
use collapse_core::records::summarize;
use collapse_core::{Params, Sources, SummaryRow};
use collapse_mixture::sources::{self, ID};

/// The gallery figures.
pub fn figures() -> Vec<FigureSpec> {
    vec![FigureSpec {
        name: "sources-panel",
        title: "The three error sources, alone and combined",
        render: panel,
    }]
}

/// The figure of `collapse run sources-gaussian`.
pub fn run_figures() -> Vec<RunFigure> {
    vec![RunFigure {
        experiment: ID,
        draw: run_figure,
    }]
}

/// Colour and legend text of each series; dashed lines are the infinite-sample series.
fn style(s: Sources) -> (usize, String) {
    let color = match s.label() {
        "statistical" => 7,
        "expressivity" => 0,
        "approximation" => 1,
        "statistical+expressivity" => 0,
        "statistical+approximation" => 1,
        "expressivity+approximation" => 2,
        _ => 3,
    };
    let what = match (s.expressivity, s.approximation) {
        (false, false) => "2-component EM",
        (true, false) => "1 Gaussian, unbiased",
        (false, true) => "EM stopped early",
        (true, true) => "1 Gaussian, MLE",
    };
    (
        color,
        format!(
            "{}: {what}, {}",
            s.label(),
            if s.statistical {
                "M samples"
            } else {
                "∞ samples"
            }
        ),
    )
}

fn draw(rows: &[SummaryRow], metric: &str, title: &str, y: &str, which: &[Sources]) -> Panel {
    let mut p = Panel::new(title, "generation n", y)
        .log_y()
        .y_range(1e-7, 100.0)
        .legend(Legend::LowerRight);
    for s in which {
        let (c, label) = style(*s);
        let pts: Vec<(f64, f64)> = summary_curve(rows, s.label(), metric, |r| r.mean)
            .into_iter()
            .filter(|p| p.0 > 0.0)
            .collect();
        p.push(if s.statistical {
            Series::line(label, c, pts)
        } else {
            Series::dashed(label, c, pts)
        });
    }
    p
}

fn panel(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (p, out) = env.run(&sources::experiment(), &[])?;
    let rows = summarize(&out.records, &out.theory);
    Ok(chart(&p, &rows, env.seed))
}

fn chart(p: &Params, rows: &[SummaryRow], seed: u64) -> Chart {
    let all = Sources::all();
    let none = summary_curve(rows, "none", "kl", |r| r.mean)
        .into_iter()
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let alone = draw(
        rows,
        "kl",
        &format!("one source alone; mean over chains (no source: KL ≤ {none:.0e}, round-off)"),
        "KL(p₀ ‖ pₙ), nats",
        &all[1..4],
    );
    let combined = draw(
        rows,
        "kl",
        "sources combined",
        "KL(p₀ ‖ pₙ), nats",
        &all[4..],
    );
    let caption = provenance(
        ID,
        &[
            ("separation", p.float("separation").to_string()),
            ("samples", p.int("samples").to_string()),
            ("replicates", p.int("replicates").to_string()),
        ],
        seed,
    );
    Chart::grid(
        "Three error sources, p₀ = ½N(−2,1) + ½N(2,1): expressivity strikes once, approximation and finite samples compound",
        caption,
        vec![alone, combined],
        2,
    )
}

fn run_figure(p: &Params, rows: &[SummaryRow], seed: u64) -> Chart {
    chart(p, rows, seed)
}
