//! The self-improvement reversal's figures, each drawn from the default `selftrain-reversal`
//! run: pass@1 (beside the paper's curves) and pass@64, the crossing pass@k curves, diversity,
//! OOD accuracy and disparity (beside the paper's), and M₁'s reach on the improvement set.
//!
//! pass@k against k is drawn against log₂ k on a linear axis (k = 1 … 64 are the integers 0 …
//! 6), so every doubling has a labelled tick whatever the plotting layer's log ticks do; every
//! legend sits in a band of the y range kept free of data (`legend_room`).

use super::{legend_room, with_band};
use crate::eval::{IS_KS, KS};
use crate::experiment::Reversal;
use crate::names::{
    DISTINCT, DISTINCT_CORRECT, DPO, ENTROPY, KERNEL_DIVERSITY, OOD_DISPARITY, OOD_PASS_1, PASS_1,
    PASS_64, SAMPLED_PASS_1, SFT, SFT_DPO,
};
use crate::paper;
use collapse_core::{DynExperiment, FigureEnv, FigureError, FigureRun, RunView, SummaryRow};
use collapse_plot::{Chart, Legend, Panel, Series};

/// Palette index of the paper's ranges.
const GREY: usize = 6;

const PARADIGMS: [(&str, &str); 3] = [
    (SFT, "iterative SFT"),
    (DPO, "iterative DPO"),
    (SFT_DPO, "iterative SFT-DPO"),
];

/// The default run behind every gallery figure of the reversal.
fn default_run(env: &FigureEnv<'_>) -> Result<FigureRun, FigureError> {
    env.run(&DynExperiment::new(Reversal), &[])
}

/// The mean of `metric` in `series` at iteration `t`, if the summary has it.
fn mean_at(rows: &[SummaryRow], series: &str, metric: &str, t: u64) -> Option<f64> {
    rows.iter()
        .find(|r| r.series == series && r.step == t && r.metric == metric)
        .map(|r| r.mean)
}

/// The paper's curve of `series` among `curves`, as a dashed line over iterations 1..5.
fn paper_curve(
    curves: &[(&str, [f64; 5])],
    series: &str,
    label: &str,
    color: usize,
) -> Option<Series> {
    let (_, c) = curves.iter().find(|(s, _)| *s == series)?;
    let pts = c
        .iter()
        .enumerate()
        .map(|(i, v)| ((i + 1) as f64, *v))
        .collect();
    Some(Series::dashed(label, color, pts))
}

/// One panel per paradigm: the model's mean of `metric` (±2 s.e.) beside the paper's curve of
/// the same paradigm among `curves`, dashed in a darker shade of the paradigm's colour. One
/// paradigm a panel, so that no reader has to tell three dark dashed lines apart.
fn beside_paper(
    rows: &[SummaryRow],
    metric: &str,
    what: &str,
    curves: &[(&str, [f64; 5])],
    paper_label: &str,
    y_label: &str,
    at: Legend,
) -> Vec<Panel> {
    PARADIGMS
        .iter()
        .enumerate()
        .map(|(i, (s, label))| {
            let mut p = Panel::new(format!("{label}: {what}"), "iteration", y_label);
            with_band(&mut p, rows, s, metric, "model (mean ± 2 s.e.)", i);
            p.series.extend(paper_curve(curves, s, paper_label, i));
            legend_room(p, 2, at)
        })
        .collect()
}

fn pass1_panels(rows: &[SummaryRow]) -> Vec<Panel> {
    let mut panels = beside_paper(
        rows,
        PASS_1,
        "greedy pass@1, in distribution",
        &paper::PASS_1_CURVES,
        "paper: Mistral-7B, GSM8K",
        "pass@1",
        Legend::LowerRight,
    );
    let mut p64 = Panel::new(
        "exact pass@64 at τ, in distribution (not reported by the paper)",
        "iteration",
        "pass@64",
    );
    for (i, (s, label)) in PARADIGMS.iter().enumerate() {
        with_band(&mut p64, rows, s, PASS_64, label, i);
    }
    panels.push(legend_room(p64, 3, Legend::LowerLeft));
    panels
}

pub(super) fn pass1(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = default_run(env)?;
    Ok(Chart::grid(
        "pass@1 rises monotonically under every paradigm, the three nearly alike, where the paper's peaks at iteration 2 (SFT) and 4 (SFT-DPO); pass@64 falls (iteration 1 = M₁, calibrated to the paper's)",
        run.command.clone(),
        pass1_panels(&run.summary),
        2,
    ))
}

pub(super) fn pass_k(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = default_run(env)?;
    let rows = &run.summary;
    let ks: Vec<(f64, &str)> = std::iter::once((1.0, SAMPLED_PASS_1))
        .chain(KS.iter().map(|(k, m)| (f64::from(*k), m.name())))
        .collect();
    let last = iterations(rows);
    let mut panels = Vec::new();
    for (s, label) in PARADIGMS {
        let mut p = Panel::new(
            format!("{label}: exact pass@k at τ"),
            "log₂ k (0 → k = 1, 6 → k = 64)",
            "pass@k",
        );
        for t in 1..=last {
            let pts: Vec<(f64, f64)> = ks
                .iter()
                .filter_map(|(k, m)| mean_at(rows, s, m, t).map(|v| (k.log2(), v)))
                .collect();
            p.push(Series::line(
                format!("iteration {t}"),
                (t - 1) as usize,
                pts.clone(),
            ));
            p.push(Series::markers("", (t - 1) as usize, pts).unlabelled());
        }
        panels.push(legend_room(p, last as usize, Legend::LowerRight));
    }
    Ok(Chart::grid(
        "pass@k against k: later iterations win at small k and lose at large k (the curves cross)",
        run.command.clone(),
        panels,
        3,
    ))
}

/// The last iteration of a summary.
fn iterations(rows: &[SummaryRow]) -> u64 {
    rows.iter().map(|r| r.step).max().unwrap_or(1)
}

fn diversity_panels(rows: &[SummaryRow]) -> Vec<Panel> {
    let metrics = [
        (
            KERNEL_DIVERSITY,
            "kernel diversity 1 − πᵀKπ (the paper's SBERT)",
        ),
        (
            DISTINCT_CORRECT,
            "distinct among N correct samples (its equations)",
        ),
        (ENTROPY, "entropy of π_τ (nats)"),
        (DISTINCT, "expected distinct strategies among N = 50"),
    ];
    metrics
        .iter()
        .map(|(m, title)| {
            let mut p = Panel::new(*title, "iteration", *m);
            for (i, (s, label)) in PARADIGMS.iter().enumerate() {
                with_band(&mut p, rows, s, m, label, i);
            }
            legend_room(p, 3, Legend::LowerLeft)
        })
        .collect()
}

pub(super) fn diversity(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = default_run(env)?;
    Ok(Chart::grid(
        "Diversity falls under every paradigm",
        run.command.clone(),
        diversity_panels(&run.summary),
        2,
    ))
}

fn ood_panels(rows: &[SummaryRow]) -> Vec<Panel> {
    let mut panels = beside_paper(
        rows,
        OOD_PASS_1,
        "OOD greedy pass@1",
        &paper::OOD_PASS_1_CURVES,
        "paper: Mistral-7B, MATH",
        "OOD pass@1",
        Legend::LowerRight,
    );
    panels.extend(beside_paper(
        rows,
        OOD_DISPARITY,
        "OOD disparity (acc L1 − acc L5) / acc L1",
        &paper::OOD_DISPARITY_CURVES,
        "paper: MATH levels",
        "disparity",
        Legend::LowerRight,
    ));
    panels
}

pub(super) fn ood(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = default_run(env)?;
    Ok(Chart::grid(
        "Out of distribution (levels 4–5 held out of training): OOD accuracy rises under every paradigm, where the paper's falls under SFT and SFT-DPO; the disparity rises beyond the paper's",
        run.command.clone(),
        ood_panels(&run.summary),
        3,
    ))
}

pub(super) fn improvement_set(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = default_run(env)?;
    let rows = &run.summary;
    let last = iterations(rows);
    let mut panels = Vec::new();
    for (s, label) in PARADIGMS {
        let mut p = Panel::new(
            format!("{label}: M₁'s pass@N on IS(t)"),
            "log₂ N (1 → N = 2, 6 → N = 64)",
            "pass@N",
        );
        for t in 2..=last {
            let pts: Vec<(f64, f64)> = IS_KS
                .iter()
                .filter_map(|(n, m)| {
                    mean_at(rows, s, m.name(), t).map(|v| (f64::from(*n).log2(), v))
                })
                .collect();
            p.push(Series::line(
                format!("t = {t}"),
                (t - 1) as usize,
                pts.clone(),
            ));
            p.push(Series::markers("", (t - 1) as usize, pts).unlabelled());
        }
        // The paper's GSM8K ranges at N = 2 and N = 64, as grey bars.
        for (n, (lo, hi)) in [
            (2.0f64, paper::IS_PASS_2_RANGE),
            (64.0, paper::IS_PASS_64_RANGE),
        ] {
            let x = n.log2();
            // Two translucent layers, so that the bar reads as grey.
            for layer in 0..2 {
                let mut bar = Series::band(GREY, &[x - 0.08, x + 0.08], &[lo, lo], &[hi, hi]);
                if n == 2.0 && layer == 0 {
                    bar.label = Some("paper: GSM8K range".into());
                }
                p.push(bar);
            }
        }
        panels.push(legend_room(p, last as usize, Legend::LowerRight));
    }
    Ok(Chart::grid(
        "Problems newly solved at iteration t were already within the base model's sampling reach (Wu et al. Fig. 3)",
        run.command.clone(),
        panels,
        3,
    ))
}

/// The figure of `collapse run selftrain-reversal`, drawn from its summary: pass@1, OOD pass@1
/// and OOD disparity beside the paper's, one paradigm a column, then pass@64.
pub fn run_figure(run: &RunView<'_>) -> Chart {
    let mut panels = pass1_panels(run.summary);
    let pass_64 = panels.pop();
    panels.extend(ood_panels(run.summary));
    panels.extend(pass_64);
    Chart::grid("Self-improvement reversal", run.command, panels, 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_figure_renders_from_a_small_run() {
        let dir = tempfile::tempdir().unwrap();
        let env = FigureEnv::default();
        let run = env
            .run(
                &DynExperiment::new(Reversal),
                &[
                    ("train_questions", "100"),
                    ("test_questions", "100"),
                    ("ood_questions", "100"),
                    ("replicates", "2"),
                    ("iterations", "3"),
                ],
            )
            .unwrap();
        let view = RunView {
            params: &run.params,
            summary: &run.summary,
            command: &run.command,
        };
        run_figure(&view).save(dir.path(), "r").unwrap();
    }
}
