//! The error sources on a categorical distribution (`sources-discrete`): the gallery figure and
//! the run figure of `collapse run sources-discrete`.

use crate::names::{THEORY_TV, TV};
use crate::sources_experiment::{ID, SourcesDiscrete};
use collapse_core::{DynExperiment, FigureEnv, FigureError, RunView, Sources, SummaryRow};
use collapse_plot::{Chart, Legend, Panel, Series, summary_curve};

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

fn sources_panel(rows: &[SummaryRow]) -> Panel {
    let mut panel = Panel::new(
        "TV(pₙ, p₀), mean over chains; closed forms dashed",
        "generation n",
        "total variation",
    )
    .legend(Legend::LowerRight);
    for (i, s) in Sources::all().iter().enumerate() {
        let label = s.label();
        panel.push(Series::line(
            label,
            i,
            summary_curve(rows, label, TV, |r| r.mean),
        ));
        let th = summary_curve(rows, label, THEORY_TV, |r| r.mean);
        if !th.is_empty() {
            panel.push(Series::dashed(format!("{label} (closed form)"), i, th).unlabelled());
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
        run_figure(&view).save(dir.path(), "s").unwrap();
    }
}
