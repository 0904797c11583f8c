//! Mixture figures: the Nature GMM experiment (snapshots and the L2 distance, both settings) and
//! the KDE workflows.

use crate::plot::{Chart, FigureError, Panel, Series, summary_curve};
use crate::{FigureEnv, FigureSpec, Legend, RunFigure, provenance};
use collapse_core::records::summarize;
use collapse_core::{Params, Record, SummaryRow};
use collapse_mixture::gmm_chain::{self, mixture_from_snapshot};
use collapse_mixture::kde;
use collapse_mixture::model::Mixture;

/// The gallery figures of the family.
pub fn figures() -> Vec<FigureSpec> {
    vec![
        FigureSpec {
            name: "mixture-gmm-paper",
            title: "GMM chain, two separated Gaussians (the paper's setting)",
            render: snapshots_paper,
        },
        FigureSpec {
            name: "mixture-gmm-notebook",
            title: "GMM chain, one blob fitted with two components (the notebook's setting)",
            render: snapshots_notebook,
        },
        FigureSpec {
            name: "mixture-gmm-l2",
            title: "L2 distance between the original GMM and generation n",
            render: l2_curve,
        },
        FigureSpec {
            name: "mixture-kde-workflows",
            title: "KDE chains: replace, accumulate, accumulate-subsample",
            render: kde_workflows,
        },
    ]
}

/// The figures of `collapse run gmm-chain` and `collapse run mixture-kde`.
pub fn run_figures() -> Vec<RunFigure> {
    vec![
        RunFigure {
            experiment: gmm_chain::ID,
            draw: gmm_run_figure,
        },
        RunFigure {
            experiment: kde::ID,
            draw: kde_run_figure,
        },
    ]
}

fn run(env: &FigureEnv<'_>, id: &str, sets: &[(&str, &str)]) -> Result<Vec<Record>, FigureError> {
    let e = collapse_mixture::experiments()
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| FigureError::Run(format!("{id} is not registered")))?;
    let (_, out) = env.run(&e, sets)?;
    let mut recs = out.records;
    // Theory rows travel as records of replicate u64::MAX so one list carries both.
    recs.extend(out.theory.into_iter().map(|t| Record {
        series: t.series,
        replicate: u64::MAX,
        step: t.step,
        metric: t.metric,
        value: t.value,
    }));
    Ok(recs)
}

/// Points on the 2-sd ellipse of a 2-D covariance (or the ±2 sd segment in 1-D, drawn at y 0).
fn ellipse(mean: &[f64], cov: &[f64], d: usize) -> Vec<(f64, f64)> {
    if d == 1 {
        let s = 2.0 * cov[0].sqrt();
        return vec![(mean[0] - s, 0.0), (mean[0] + s, 0.0)];
    }
    // x = μ + 2 L (cos t, sin t) with L the Cholesky factor of the top-left 2 × 2 block.
    let (a, b, c) = (cov[0], cov[1], cov[d + 1]);
    let l11 = a.max(0.0).sqrt();
    let l21 = if l11 > 0.0 { b / l11 } else { 0.0 };
    let l22 = (c - l21 * l21).max(0.0).sqrt();
    (0..=72)
        .map(|i| {
            let t = i as f64 / 72.0 * std::f64::consts::TAU;
            let (u, v) = (2.0 * t.cos(), 2.0 * t.sin());
            (mean[0] + l11 * u, mean[1] + l21 * u + l22 * v)
        })
        .collect()
}

fn snapshot_panel(m: &Mixture, g: u64, seed: u64, range: ((f64, f64), (f64, f64))) -> Panel {
    let d = m.dim();
    let mut rng = collapse_core::rng::stream(seed, "figure-snapshot", g);
    let pts = m.sample(400, &mut rng);
    let scatter: Vec<(f64, f64)> = (0..400)
        .map(|i| (pts.point(i)[0], if d > 1 { pts.point(i)[1] } else { 0.0 }))
        .collect();
    let var = m.var();
    let mut p = Panel::new(format!("generation {g}   (tr Σ/d = {var:.2e})"), "x₁", "x₂")
        .x_range(range.0.0, range.0.1)
        .y_range(range.1.0, range.1.1)
        .with(Series::markers("samples", 5, scatter).unlabelled());
    for (k, c) in m.comps.iter().enumerate() {
        let s = Series::line(
            format!("component {} (2 sd)", k + 1),
            k,
            ellipse(&c.mean, &c.cov, d),
        );
        p.push(if g == 0 { s } else { s.unlabelled() });
    }
    p
}

fn snapshots(env: &FigureEnv<'_>, setting: &'static str) -> Result<Chart, FigureError> {
    let reps = "1";
    let recs = run(
        env,
        gmm_chain::ID,
        &[("setting", setting), ("replicates", reps)],
    )?;
    let e = gmm_chain::experiment();
    let snaps = gmm_chain::parse_snapshots(gmm_chain::SNAPSHOTS)
        .map_err(|e| FigureError::Run(e.to_string()))?;
    let dim = 2;
    let range = if setting == "paper" {
        ((-6.0, 6.0), (-4.0, 4.0))
    } else {
        ((-4.0, 4.0), (-4.0, 4.0))
    };
    let mut panels = Vec::new();
    for g in snaps {
        let get = |name: &str| {
            recs.iter()
                .find(|r| r.replicate == 0 && r.step == g && r.metric == name)
                .map(|r| r.value)
        };
        if let Some(m) = mixture_from_snapshot(dim, &get) {
            panels.push(snapshot_panel(&m, g, env.seed, range));
        }
    }
    let l2: Vec<(f64, f64)> = recs
        .iter()
        .filter(|r| r.replicate == 0 && r.metric == "l2_distance" && r.step > 0)
        .map(|r| (r.step as f64, r.value))
        .collect();
    panels.push(
        Panel::new("∫(pₙ − p₀)² (closed form)", "generation n", "L2 distance")
            .log_y()
            .with(Series::line("this chain", 0, l2)),
    );
    let defaults = e.defaults();
    let caption = provenance(
        gmm_chain::ID,
        &[
            ("setting", setting.to_string()),
            ("replicates", reps.into()),
            ("samples", defaults.int("samples").to_string()),
            ("generations", defaults.int("generations").to_string()),
        ],
        env.seed,
    );
    let title = if setting == "paper" {
        "Recursive EM on two separated Gaussians: snapshots of one chain (M = 1000)"
    } else {
        "Recursive EM on one blob fitted with two components (the authors' notebook): one chain"
    };
    Ok(Chart::grid(title, caption, panels, 4))
}

fn snapshots_paper(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    snapshots(env, "paper")
}

fn snapshots_notebook(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    snapshots(env, "notebook")
}

fn band_panel(
    rows: &[SummaryRow],
    series: &str,
    metric: &str,
    label: &str,
    color: usize,
    panel: &mut Panel,
) {
    let mid = summary_curve(rows, series, metric, |r| r.q50);
    let lo = summary_curve(rows, series, metric, |r| r.q05);
    let hi = summary_curve(rows, series, metric, |r| r.q95);
    let xs: Vec<f64> = mid.iter().map(|p| p.0).collect();
    let l: Vec<f64> = lo.iter().map(|p| p.1).collect();
    let h: Vec<f64> = hi.iter().map(|p| p.1).collect();
    panel.push(Series::band(color, &xs, &l, &h));
    panel.push(Series::line(label, color, mid));
}

fn l2_curve(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let reps = "8";
    let mut panel = Panel::new(
        "median and 5–95% band over 8 chains",
        "generation n",
        "∫(pₙ − p₀)²",
    )
    .log_y()
    .legend(Legend::LowerRight);
    for (i, setting) in ["paper", "notebook"].into_iter().enumerate() {
        let recs: Vec<Record> = run(
            env,
            gmm_chain::ID,
            &[
                ("setting", setting),
                ("replicates", reps),
                ("snapshots", ""),
            ],
        )?
        .into_iter()
        .filter(|r| r.step > 0)
        .collect();
        let rows = summarize(&recs, &[]);
        let label = if setting == "paper" {
            "paper: two separated Gaussians"
        } else {
            "notebook: one blob, two components"
        };
        band_panel(&rows, setting, "l2_distance", label, i, &mut panel);
    }
    let caption = provenance(
        gmm_chain::ID,
        &[
            ("setting", "paper|notebook".into()),
            ("replicates", reps.into()),
            ("snapshots", "".into()),
        ],
        env.seed,
    );
    Ok(Chart::single(
        "Distance between the original GMM and generation n (M = 1000, 2 components, tol 1e-5)",
        caption,
        panel,
    ))
}

fn kde_workflows(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let sets = [
        ("generations", "100"),
        ("replicates", "200"),
        ("samples", "100"),
    ];
    let recs = run(env, kde::ID, &sets)?;
    let (meas, theory): (Vec<Record>, Vec<Record>) =
        recs.into_iter().partition(|r| r.replicate != u64::MAX);
    let rows = summarize(&meas, &[]);
    let mut var = Panel::new(
        "variance of the KDE (fixed h = 0.2): median, 5–95% band, exact mean (dashed)",
        "generation n",
        "tr Cov / d",
    )
    .legend(Legend::UpperLeft);
    let mut nll = Panel::new(
        "cross-entropy E_p₀[−ln pₙ] (mean over chains)",
        "generation n",
        "nats",
    )
    .legend(Legend::UpperLeft);
    for (i, w) in kde::WORKFLOWS.iter().enumerate() {
        band_panel(&rows, w, "var", w, i, &mut var);
        let mut th: Vec<(f64, f64)> = theory
            .iter()
            .filter(|r| r.series == *w && r.metric == "theory_var")
            .map(|r| (r.step as f64, r.value))
            .collect();
        th.sort_by(|a, b| a.0.total_cmp(&b.0));
        var.push(Series::dashed(format!("{w}: exact E"), i, th).unlabelled());
        nll.push(Series::line(
            *w,
            i,
            summary_curve(&rows, w, "nll", |r| r.mean),
        ));
    }
    let caption = provenance(
        kde::ID,
        &sets
            .iter()
            .map(|(k, v)| (*k, v.to_string()))
            .collect::<Vec<_>>(),
        env.seed,
    );
    Ok(Chart::grid(
        "Recursive kernel density estimation on ½N(−2,1) + ½N(2,1), M = 100 (Kazdan et al.'s workflows)",
        caption,
        vec![var, nll],
        2,
    ))
}

fn gmm_run_figure(p: &Params, rows: &[SummaryRow], seed: u64) -> Chart {
    let setting = p.text("setting");
    let rows: Vec<SummaryRow> = rows.iter().filter(|r| r.step > 0).cloned().collect();
    let mut panel = Panel::new(
        "median and 5–95% band over chains",
        "generation n",
        "∫(pₙ − p₀)²",
    )
    .log_y();
    band_panel(&rows, setting, "l2_distance", setting, 0, &mut panel);
    let mut var = Panel::new("tr Σₙ / d", "generation n", "variance");
    band_panel(&rows, setting, "var", setting, 1, &mut var);
    let caption = provenance(gmm_chain::ID, &[("setting", setting.into())], seed);
    Chart::grid(
        "GMM chain: L2 distance to the original and variance",
        caption,
        vec![panel, var],
        2,
    )
}

fn kde_run_figure(p: &Params, rows: &[SummaryRow], seed: u64) -> Chart {
    let mut var = Panel::new(
        "variance of the KDE: mean (solid), exact (dashed)",
        "generation n",
        "tr Cov / d",
    );
    for (i, w) in kde::WORKFLOWS.iter().enumerate() {
        let m = summary_curve(rows, w, "var", |r| r.mean);
        if m.is_empty() {
            continue;
        }
        var.push(Series::line(*w, i, m));
        var.push(
            Series::dashed(
                format!("{w}: exact"),
                i,
                summary_curve(rows, w, "theory_var", |r| r.mean),
            )
            .unlabelled(),
        );
    }
    let caption = provenance(
        kde::ID,
        &[("bandwidth", p.text("bandwidth").to_string())],
        seed,
    );
    Chart::single("KDE chains", caption, var)
}
