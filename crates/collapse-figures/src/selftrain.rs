//! Self-training figures: the self-improvement reversal (pass@1, the crossing pass@k curves,
//! diversity, OOD accuracy and disparity, the improvement set) and the curated loop.

use crate::plot::{Chart, FigureError, Legend, Panel, Series, summary_curve};
use crate::{FigureEnv, FigureSpec, RunFigure, provenance};
use collapse_core::records::summarize;
use collapse_core::{Experiment, Params, SummaryRow};
use collapse_selftrain::experiment::{CURATED, REVERSAL, curated, reversal};

const PARADIGMS: [(&str, &str); 3] = [
    ("sft", "iterative SFT"),
    ("dpo", "iterative DPO"),
    ("sft-dpo", "iterative SFT-DPO"),
];

/// The gallery figures of the family.
pub fn figures() -> Vec<FigureSpec> {
    vec![
        FigureSpec {
            name: "selftrain-pass1",
            title: "Self-improvement: pass@1 by iteration",
            render: pass1,
        },
        FigureSpec {
            name: "selftrain-pass-k",
            title: "Self-improvement: the crossing pass@k curves",
            render: pass_k,
        },
        FigureSpec {
            name: "selftrain-diversity",
            title: "Self-improvement: diversity by iteration",
            render: diversity,
        },
        FigureSpec {
            name: "selftrain-ood",
            title: "Self-improvement: OOD accuracy and disparity",
            render: ood,
        },
        FigureSpec {
            name: "selftrain-improvement-set",
            title: "Self-improvement: the improvement set lies within M₁'s pass@N",
            render: improvement_set,
        },
        FigureSpec {
            name: "selftrain-curated",
            title: "Curated retraining: reward and entropy",
            render: curated_fig,
        },
    ]
}

/// The figures of `collapse run selftrain-reversal` and `collapse run selftrain-curated`.
pub fn run_figures() -> Vec<RunFigure> {
    vec![
        RunFigure {
            experiment: REVERSAL,
            draw: run_reversal,
        },
        RunFigure {
            experiment: CURATED,
            draw: run_curated,
        },
    ]
}

fn summary_of(
    env: &FigureEnv<'_>,
    x: &Experiment,
    sets: &[(&str, &str)],
) -> Result<Vec<SummaryRow>, FigureError> {
    let (_, out) = env.run(x, sets)?;
    Ok(summarize(&out.records, &out.theory))
}

fn reversal_rows(env: &FigureEnv<'_>) -> Result<Vec<SummaryRow>, FigureError> {
    summary_of(env, &reversal(), &[])
}

fn caption(seed: u64) -> String {
    provenance(REVERSAL, &[], seed)
}

/// Mean curve with a ±2 s.e. band.
fn with_band(
    panel: &mut Panel,
    rows: &[SummaryRow],
    series: &str,
    metric: &str,
    label: &str,
    color: usize,
) {
    let mean = summary_curve(rows, series, metric, |r| r.mean);
    let se = summary_curve(rows, series, metric, |r| r.std_error);
    let xs: Vec<f64> = mean.iter().map(|p| p.0).collect();
    let lo: Vec<f64> = mean.iter().zip(&se).map(|(m, s)| m.1 - 2.0 * s.1).collect();
    let hi: Vec<f64> = mean.iter().zip(&se).map(|(m, s)| m.1 + 2.0 * s.1).collect();
    panel.push(Series::band(color, &xs, &lo, &hi));
    panel.push(Series::line(label, color, mean.clone()));
    panel.push(Series::markers(label, color, mean).unlabelled());
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
        with_band(&mut greedy, rows, s, "pass_1", label, i);
        with_band(&mut p64, rows, s, "pass_64", label, i);
    }
    vec![greedy, p64]
}

fn pass1(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let rows = reversal_rows(env)?;
    Ok(Chart::grid(
        "Self-training raises pass@1 while large-k coverage falls (iteration 1 = before self-training)",
        caption(env.seed),
        pass1_panels(&rows),
        2,
    ))
}

fn pass_k(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let rows = reversal_rows(env)?;
    let ks: [(f64, &str); 7] = [
        (1.0, "sampled_pass_1"),
        (2.0, "pass_2"),
        (4.0, "pass_4"),
        (8.0, "pass_8"),
        (16.0, "pass_16"),
        (32.0, "pass_32"),
        (64.0, "pass_64"),
    ];
    let mut panels = Vec::new();
    for (s, label) in PARADIGMS {
        let mut p = Panel::new(format!("{label}: exact pass@k at τ"), "k", "pass@k")
            .log_x()
            .legend(Legend::LowerRight);
        for t in 1..=5u64 {
            let pts: Vec<(f64, f64)> = ks
                .iter()
                .filter_map(|(k, m)| {
                    rows.iter()
                        .find(|r| r.series == s && r.step == t && r.metric == *m)
                        .map(|r| (*k, r.mean))
                })
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
        caption(env.seed),
        panels,
        3,
    ))
}

fn diversity_panels(rows: &[SummaryRow]) -> Vec<Panel> {
    let metrics = [
        ("entropy", "entropy of π_τ (nats)"),
        ("distinct", "expected distinct strategies among N = 50"),
        ("distinct_correct", "distinct among correct samples"),
        ("kernel_diversity", "kernel diversity 1 − πᵀKπ"),
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

fn diversity(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let rows = reversal_rows(env)?;
    Ok(Chart::grid(
        "Diversity falls under every paradigm, least under DPO",
        caption(env.seed),
        diversity_panels(&rows),
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
        with_band(&mut a, rows, s, "ood_pass_1", label, i);
        with_band(&mut d, rows, s, "disparity", label, i);
    }
    vec![a, d]
}

fn ood(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let rows = reversal_rows(env)?;
    Ok(Chart::grid(
        "OOD accuracy falls (least under DPO) and the easy–hard disparity widens",
        caption(env.seed),
        ood_panels(&rows),
        2,
    ))
}

fn improvement_set(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let rows = reversal_rows(env)?;
    let ns: [(f64, &str); 6] = [
        (2.0, "is_base_pass_2"),
        (4.0, "is_base_pass_4"),
        (8.0, "is_base_pass_8"),
        (16.0, "is_base_pass_16"),
        (32.0, "is_base_pass_32"),
        (64.0, "is_base_pass_64"),
    ];
    let mut panels = Vec::new();
    for (s, label) in PARADIGMS {
        let mut p = Panel::new(format!("{label}: M₁'s pass@N on IS(t)"), "N", "pass@N")
            .log_x()
            .y_range(0.0, 1.02)
            .legend(Legend::LowerRight);
        for t in 2..=5u64 {
            let pts: Vec<(f64, f64)> = ns
                .iter()
                .filter_map(|(n, m)| {
                    rows.iter()
                        .find(|r| r.series == s && r.step == t && r.metric == *m)
                        .map(|r| (*n, r.mean))
                })
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
        caption(env.seed),
        panels,
        3,
    ))
}

fn curated_panels(rows: &[SummaryRow]) -> Vec<Panel> {
    let mut r = Panel::new("expected reward E_p[r]", "round", "reward").legend(Legend::LowerRight);
    let mut h = Panel::new("entropy (nats)", "round", "entropy").legend(Legend::LowerLeft);
    for (i, (s, label)) in [
        ("curated", "curated only"),
        ("curated-real", "with real data"),
    ]
    .iter()
    .enumerate()
    {
        with_band(&mut r, rows, s, "reward", &format!("{label}: sampled"), i);
        r.push(Series::dashed(
            format!("{label}: exact p H^K_p"),
            i,
            summary_curve(rows, s, "theory_reward", |x| x.mean),
        ));
        with_band(&mut h, rows, s, "entropy", &format!("{label}: sampled"), i);
        h.push(Series::dashed(
            format!("{label}: exact p H^K_p"),
            i,
            summary_curve(rows, s, "theory_entropy", |x| x.mean),
        ));
    }
    vec![r, h]
}

fn curated_fig(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let rows = summary_of(env, &curated(), &[])?;
    Ok(Chart::grid(
        "Curated retraining climbs to the reward's maximisers and loses diversity; real data holds it at a stable point",
        provenance(CURATED, &[], env.seed),
        curated_panels(&rows),
        2,
    ))
}

/// The parameters that differ from the experiment's defaults, for the provenance line.
fn changed(x: &Experiment, p: &Params) -> Vec<(&'static str, String)> {
    let d = x.defaults();
    p.iter()
        .filter(|(k, v)| d.get(k) != *v)
        .map(|(k, v)| (k, v.to_string()))
        .collect()
}

fn run_reversal(p: &Params, rows: &[SummaryRow], seed: u64) -> Chart {
    let mut panels = pass1_panels(rows);
    panels.extend(ood_panels(rows));
    Chart::grid(
        "Self-improvement reversal",
        provenance(REVERSAL, &changed(&reversal(), p), seed),
        panels,
        2,
    )
}

fn run_curated(p: &Params, rows: &[SummaryRow], seed: u64) -> Chart {
    Chart::grid(
        "Curated retraining",
        provenance(CURATED, &changed(&curated(), p), seed),
        curated_panels(rows),
        2,
    )
}
