//! The error sources on a categorical distribution (`sources-discrete`): the gallery figure and
//! the run figure of `collapse run sources-discrete`.

use crate::names::{THEORY_TV, TV};
use crate::sources_experiment::{ID, SourcesDiscrete};
use collapse_core::{DynExperiment, FigureEnv, FigureError, RunView, Sources, SummaryRow};
use collapse_plot::{Chart, Panel, Series, summary_curve, summary_mean};

/// The gallery figure's name.
pub const SOURCES_TV: &str = "sources-discrete-tv";

const SOURCES_SETS: [(&str, &str); 4] = [
    ("categories", "100"),
    ("samples", "1000"),
    ("generations", "200"),
    ("replicates", "200"),
];

/// TV to generation 0 of the eight combinations of error sources, with the closed forms.
pub fn sources_tv(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = env.run(&DynExperiment::new(SourcesDiscrete), &SOURCES_SETS)?;
    Ok(Chart::single(
        "Error sources on a categorical distribution: total variation to generation 0",
        run.command.clone(),
        sources_panel(&run.summary),
    ))
}

/// The closed form's legend entry of each combination that has one (no statistical error, and
/// not top-k with add-α).
fn closed_form_label(s: Sources) -> Option<&'static str> {
    match (s.statistical, s.expressivity, s.approximation) {
        (false, false, false) => Some("none: closed form, TV = 0"),
        (false, true, false) => Some("expressivity: closed form 1 − P_S"),
        (false, false, true) => Some("approximation: closed form (1 − λⁿ) TV(u, p₀)"),
        _ => None,
    }
}

fn sources_panel(rows: &[SummaryRow]) -> Panel {
    let mut panel = Panel::new(
        "TV(pₙ, p₀): mean over chains ± 2 SE with finite samples; closed forms dashed",
        "generation n",
        "total variation",
    );
    for (i, s) in Sources::all().iter().enumerate() {
        let label = s.label();
        let (points, se) = summary_mean(rows, label, TV);
        // Without statistical error every chain is the same deterministic path: no band.
        panel.push(if s.statistical {
            Series::mean_se(label, i, points, se)
        } else {
            Series::line(label, i, points)
        });
    }
    // The closed forms last, so that the legend lists them after the measurements.
    for (i, s) in Sources::all().iter().enumerate() {
        let th = summary_curve(rows, s.label(), THEORY_TV, |r| r.mean);
        if let Some(name) = closed_form_label(*s)
            && !th.is_empty()
        {
            panel.push(Series::dashed(name, i, th));
        }
    }
    panel
}

/// The figure of `collapse run sources-discrete`, drawn from its summary.
pub fn run_figure(run: &RunView<'_>) -> Chart {
    Chart::single(ID, run.command, sources_panel(run.summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_figure_renders_from_a_small_run() {
        let dir = tempfile::tempdir().unwrap();
        let env = FigureEnv::default();
        let sets = [
            ("categories", "20"),
            ("top_k", "5"),
            ("generations", "10"),
            ("replicates", "5"),
        ];
        let run = env
            .run(&DynExperiment::new(SourcesDiscrete), &sets)
            .unwrap();
        let view = RunView {
            params: &run.params,
            summary: &run.summary,
            command: &run.command,
        };
        let chart = run_figure(&view);
        chart.save(dir.path(), "s").unwrap();
        assert!(chart.lint().is_empty(), "{:?}", chart.lint());
    }
}
