//! The self-improvement reversal's figures, each drawn from the default `selftrain-reversal`
//! run: pass@1 and pass@64, the crossing pass@k curves, diversity, OOD accuracy and disparity,
//! and M₁'s reach on the improvement set.

use super::with_band;
use crate::eval::{IS_KS, KS};
use crate::experiment::Reversal;
use crate::names::{
    DISPARITY, DISTINCT, DISTINCT_CORRECT, DPO, ENTROPY, KERNEL_DIVERSITY, OOD_PASS_1, PASS_1,
    PASS_64, SAMPLED_PASS_1, SFT, SFT_DPO,
};
use collapse_core::{DynExperiment, FigureEnv, FigureError, FigureRun, RunView, SummaryRow};
use collapse_plot::{Chart, Legend, Panel, Series};

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

fn pass1_panels(rows: &[SummaryRow]) -> Vec<Panel> {
    let mut greedy = Panel::new(
        "greedy pass@1 (in-distribution test)",
        "iteration",
        "pass@1",
    )
    .legend(Legend::LowerRight);
    let mut p64 = Panel::new(
        "exact pass@64 at τ (in-distribution test)",
        "iteration",
        "pass@64",
    );
    for (i, (s, label)) in PARADIGMS.iter().enumerate() {
        with_band(&mut greedy, rows, s, PASS_1, label, i);
        with_band(&mut p64, rows, s, PASS_64, label, i);
    }
    vec![greedy, p64]
}

pub(super) fn pass1(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = default_run(env)?;
    Ok(Chart::grid(
        "Self-training raises pass@1 while large-k coverage falls (iteration 1 = before self-training)",
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
    let mut panels = Vec::new();
    for (s, label) in PARADIGMS {
        let mut p = Panel::new(format!("{label}: exact pass@k at τ"), "k", "pass@k")
            .log_x()
            .legend(Legend::LowerRight);
        for t in 1..=5u64 {
            let pts: Vec<(f64, f64)> = ks
                .iter()
                .filter_map(|(k, m)| mean_at(rows, s, m, t).map(|v| (*k, v)))
                .collect();
            p.push(Series::line(
                format!("iteration {t}"),
                (t - 1) as usize,
                pts.clone(),
            ));
            p.push(Series::markers("", (t - 1) as usize, pts).unlabelled());
        }
        panels.push(p);
    }
    Ok(Chart::grid(
        "pass@k against k: later iterations win at small k and lose at large k (the curves cross)",
        run.command.clone(),
        panels,
        3,
    ))
}

fn diversity_panels(rows: &[SummaryRow]) -> Vec<Panel> {
    let metrics = [
        (ENTROPY, "entropy of π_τ (nats)"),
        (DISTINCT, "expected distinct strategies among N = 50"),
        (DISTINCT_CORRECT, "distinct among correct samples"),
        (KERNEL_DIVERSITY, "kernel diversity 1 − πᵀKπ"),
    ];
    metrics
        .iter()
        .map(|(m, title)| {
            let mut p = Panel::new(*title, "iteration", *m).legend(Legend::LowerLeft);
            for (i, (s, label)) in PARADIGMS.iter().enumerate() {
                with_band(&mut p, rows, s, m, label, i);
            }
            p
        })
        .collect()
}

pub(super) fn diversity(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = default_run(env)?;
    Ok(Chart::grid(
        "Diversity falls under every paradigm, least under DPO",
        run.command.clone(),
        diversity_panels(&run.summary),
        2,
    ))
}

fn ood_panels(rows: &[SummaryRow]) -> Vec<Panel> {
    let mut a = Panel::new(
        "OOD greedy pass@1 (rare strategies needed)",
        "iteration",
        "OOD pass@1",
    )
    .legend(Legend::LowerLeft);
    let mut d = Panel::new(
        "disparity (acc L1 − acc L5) / acc L1",
        "iteration",
        "disparity",
    )
    .legend(Legend::LowerRight);
    for (i, (s, label)) in PARADIGMS.iter().enumerate() {
        with_band(&mut a, rows, s, OOD_PASS_1, label, i);
        with_band(&mut d, rows, s, DISPARITY, label, i);
    }
    vec![a, d]
}

pub(super) fn ood(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = default_run(env)?;
    Ok(Chart::grid(
        "OOD accuracy falls (least under DPO) and the easy–hard disparity widens",
        run.command.clone(),
        ood_panels(&run.summary),
        2,
    ))
}

pub(super) fn improvement_set(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let run = default_run(env)?;
    let rows = &run.summary;
    let mut panels = Vec::new();
    for (s, label) in PARADIGMS {
        let mut p = Panel::new(format!("{label}: M₁'s pass@N on IS(t)"), "N", "pass@N")
            .log_x()
            .y_range(0.0, 1.02)
            .legend(Legend::LowerRight);
        for t in 2..=5u64 {
            let pts: Vec<(f64, f64)> = IS_KS
                .iter()
                .filter_map(|(n, m)| mean_at(rows, s, m.name(), t).map(|v| (f64::from(*n), v)))
                .collect();
            p.push(Series::line(
                format!("t = {t}"),
                (t - 1) as usize,
                pts.clone(),
            ));
            p.push(Series::markers("", (t - 1) as usize, pts).unlabelled());
        }
        panels.push(p);
    }
    Ok(Chart::grid(
        "Problems newly solved at iteration t were already within the base model's sampling reach (Wu et al. Fig. 3)",
        run.command.clone(),
        panels,
        3,
    ))
}

/// The figure of `collapse run selftrain-reversal`, drawn from its summary: pass@1, pass@64,
/// OOD pass@1 and disparity.
pub fn run_figure(run: &RunView<'_>) -> Chart {
    let mut panels = pass1_panels(run.summary);
    panels.extend(ood_panels(run.summary));
    Chart::grid("Self-improvement reversal", run.command, panels, 2)
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
