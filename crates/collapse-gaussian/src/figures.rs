//! Gaussian figures: variance collapse, W2 under the data policies, one chain's densities.

use crate::experiment::GaussianChain;
use crate::model::{Estimator, Exact1, Gaussian1, VAR, W2_SQ};
use crate::theory;
use collapse_core::chain::ChainConfig;
use collapse_core::{
    DynExperiment, Figure, FigureEnv, FigureError, FigureRun, Policy, RunView, SummaryRow,
    run_chain,
};
use collapse_plot::{Chart, Legend, Panel, Series, summary_curve};

/// The gallery figures of the family.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure::new(
            "gaussian-variance-collapse",
            "Variance collapse",
            variance_collapse,
        ),
        Figure::new(
            "gaussian-w2-policies",
            "W2 distance under the data policies",
            w2_policies,
        ),
        Figure::new(
            "gaussian-density-drift",
            "One chain's fitted densities",
            density_drift,
        ),
    ]
}

fn run_of(env: &FigureEnv<'_>, sets: &[(&str, &str)]) -> Result<FigureRun, FigureError> {
    env.run(&DynExperiment::new(GaussianChain), sets)
}

fn variance_collapse(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let mut panel = Panel::new(
        "σ²ₙ: median and 5–95% band (unbiased refits)",
        "generation n",
        "σ²ₙ",
    )
    .log_y()
    .legend(Legend::LowerLeft);
    let mut commands = Vec::new();
    for (i, m) in [10usize, 30, 100].into_iter().enumerate() {
        let ms = m.to_string();
        let run = run_of(
            env,
            &[
                ("samples", &ms),
                ("generations", "300"),
                ("replicates", "2000"),
            ],
        )?;
        commands.push(run.command.clone());
        let rows = &run.summary;
        let q50 = summary_curve(rows, "replace", VAR, |r| r.q50);
        let q05 = summary_curve(rows, "replace", VAR, |r| r.q05);
        let q95 = summary_curve(rows, "replace", VAR, |r| r.q95);
        let xs: Vec<f64> = q50.iter().map(|p| p.0).collect();
        let lo: Vec<f64> = q05.iter().map(|p| p.1).collect();
        let hi: Vec<f64> = q95.iter().map(|p| p.1).collect();
        panel.push(Series::band(i, &xs, &lo, &hi));
        panel.push(Series::line(format!("M = {m}: median"), i, q50));
        let drift = theory::log_var_step(Estimator::Unbiased, m as f64);
        panel.push(Series::dashed(
            format!("M = {m}: exp(n E ln S)"),
            i,
            xs.iter().map(|&n| (n, (n * drift).exp())).collect(),
        ));
    }
    panel.push(Series::dashed(
        "E σ²ₙ = 1 (martingale)",
        7,
        vec![(0.0, 1.0), (300.0, 1.0)],
    ));
    Ok(Chart::single(
        "Gaussian model collapse: the variance is a martingale, yet almost every chain collapses",
        commands.join("\n"),
        panel,
    ))
}

fn w2_policies(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let mut panel = Panel::new(
        "E W₂²(N(μₙ, σ²ₙ), N(0, 1)), mean over chains",
        "generation n",
        "W₂²",
    )
    .log_y();
    let runs: [(&str, &[(&str, &str)]); 4] = [
        ("replace", &[("policy", "replace")]),
        ("accumulate", &[("policy", "accumulate")]),
        ("mix", &[("policy", "mix"), ("real_fraction", "0.1")]),
        ("replace", &[("policy", "replace"), ("growth", "quadratic")]),
    ];
    let labels = ["replace", "accumulate", "mix 10% real", "replace, M(n+1)²"];
    let mut commands = Vec::new();
    for (i, ((series, sets), label)) in runs.iter().zip(labels).enumerate() {
        let mut all: Vec<(&str, &str)> = vec![
            ("samples", "100"),
            ("generations", "200"),
            ("replicates", "2000"),
        ];
        all.extend_from_slice(sets);
        let run = run_of(env, &all)?;
        commands.push(run.command.clone());
        let rows = &run.summary;
        let mean: Vec<(f64, f64)> = summary_curve(rows, series, W2_SQ, |r| r.mean)
            .into_iter()
            .filter(|p| p.0 > 0.0)
            .collect();
        panel.push(Series::line(label, i, mean));
        let th: Vec<(f64, f64)> = summary_curve(rows, series, "theory_w2_sq", |r| r.mean)
            .into_iter()
            .filter(|p| p.0 > 0.0)
            .collect();
        if !th.is_empty() {
            panel.push(Series::dashed(format!("{label}: exact"), i, th));
        }
    }
    Ok(Chart::single(
        "Replacing data diverges linearly; accumulating, mixing real data or growing M stays bounded",
        commands.join("\n"),
        panel,
    ))
}

fn density_drift(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (m, gens) = (20usize, 400u64);
    let family = Exact1::new(Estimator::Unbiased, m);
    let cfg = ChainConfig::replace(m, gens);
    let mut models: Vec<(u64, Gaussian1)> = Vec::new();
    let keep = [0u64, 10, 25, 50, 100, 200, 400];
    let mut rng = collapse_core::rng::stream(env.seed, "gaussian-density-drift", 0);
    run_chain(&family, &cfg, &mut rng, |g, model| {
        if keep.contains(&g) {
            models.push((g, *model));
        }
    })
    .map_err(|e| FigureError::Run(e.to_string()))?;
    let mut panel = Panel::new(
        format!("one chain, M = {m}, unbiased refits"),
        "x",
        "density",
    );
    for (i, (g, model)) in models.iter().enumerate() {
        let sd = model.var.sqrt().max(1e-300);
        let pts: Vec<(f64, f64)> = (0..=600)
            .map(|k| {
                let x = -4.0 + 8.0 * k as f64 / 600.0;
                let z = (x - model.mean) / sd;
                (
                    x,
                    (-0.5 * z * z).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt()),
                )
            })
            .collect();
        panel.push(Series::line(
            format!("n = {g}: σ = {:.3}", model.var.sqrt()),
            i,
            pts,
        ));
    }
    Ok(Chart::single(
        "The fitted density drifts and narrows generation after generation",
        format!(
            "{} figures --only gaussian-density-drift --seed {}: one chain of the exact 1-D sampler, M = {m}, {gens} generations",
            env.program, env.seed
        ),
        panel.y_range(0.0, 3.0),
    ))
}

/// The figure of `collapse run gaussian-chain`, drawn from its summary.
pub fn run_figure(run: &RunView<'_>) -> Chart {
    let rows = run.summary;
    let series = Policy::from_params(run.params)
        .map(|x| x.name())
        .unwrap_or("replace");
    let curve =
        |metric: &str, pick: fn(&SummaryRow) -> f64| summary_curve(rows, series, metric, pick);
    let xs: Vec<f64> = curve(VAR, |r| r.q50).iter().map(|p| p.0).collect();
    let mut left = Panel::new(
        "tr Σₙ / d: median, 5–95% band, mean",
        "generation n",
        "variance",
    )
    .log_y();
    left.push(Series::band(
        0,
        &xs,
        &curve(VAR, |r| r.q05)
            .iter()
            .map(|p| p.1)
            .collect::<Vec<_>>(),
        &curve(VAR, |r| r.q95)
            .iter()
            .map(|p| p.1)
            .collect::<Vec<_>>(),
    ));
    left.push(Series::line("median", 0, curve(VAR, |r| r.q50)));
    left.push(Series::line("mean", 1, curve(VAR, |r| r.mean)));
    let th = curve("theory_var", |r| r.mean);
    if !th.is_empty() {
        left.push(Series::dashed("E (theory)", 1, th));
    }
    let mut right = Panel::new("W₂² to the truth, mean over chains", "generation n", "W₂²");
    right.push(Series::line("simulation", 0, curve(W2_SQ, |r| r.mean)));
    let th = curve("theory_w2_sq", |r| r.mean);
    if !th.is_empty() {
        right.push(Series::dashed("exact", 1, th));
    }
    let lb = curve("theory_w2_sq_lower_bound", |r| r.mean);
    if !lb.is_empty() {
        right.push(Series::dashed("lower bound n tr Σ₀/M", 2, lb));
    }
    Chart::grid("gaussian-chain", run.command, vec![left, right], 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_drift_renders() {
        let dir = tempfile::tempdir().unwrap();
        let env = FigureEnv {
            seed: 1,
            ..FigureEnv::default()
        };
        density_drift(&env).unwrap().save(dir.path(), "d").unwrap();
    }

    #[test]
    fn run_figure_renders_from_a_small_run() {
        let dir = tempfile::tempdir().unwrap();
        let env = FigureEnv::default();
        let run = run_of(&env, &[("generations", "20"), ("replicates", "50")]).unwrap();
        let view = RunView {
            params: &run.params,
            summary: &run.summary,
            command: &run.command,
        };
        run_figure(&view).save(dir.path(), "r").unwrap();
    }
}
