//! A Tale of Tails figures from `regression-tails`: the scaling laws of clean, cut and narrowed
//! data; clean-data mixing, n generations and their plateau; and the run figure.

use super::{geom, run_of};
use crate::experiments::tails::RegressionTails;
use crate::names::{
    CLEAN, CUT, GENERATIONS, LOST_MASS, MIXED, NARROWED, TEST_ERROR, THEORY_SAMPLES,
    THEORY_SCALING_LAW, THEORY_TEST_ERROR,
};
use crate::tails::{CountLaw, Tail, Zipf, effective_samples};
use collapse_core::records::curve;
use collapse_core::{FigureEnv, FigureError, RunView, SummaryRow};
use collapse_plot::{Chart, Legend, Panel, Series};

/// The curve (T, mean) of `metric` in `series`, T read from the series' `theory_samples` rows.
fn against_samples(summary: &[SummaryRow], series: &str, metric: &str) -> Vec<(f64, f64)> {
    let ts: Vec<f64> = curve(summary, series, THEORY_SAMPLES)
        .map(|r| r.mean)
        .collect();
    curve(summary, series, metric)
        .filter_map(|r| ts.get(r.step as usize).map(|&t| (t, r.mean)))
        .collect()
}

/// A Tale of Tails: error against T for clean, cut (k = 200) and narrowed (β' = 3) training
/// data, β = 2, N = 10^6.
pub fn tails(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let sets = [
        ("items", "1000000"),
        ("samples_min", "100"),
        ("samples_max", "3e6"),
        ("points", "12"),
        ("replicates", "4"),
        ("cut", "200"),
        ("narrowed_exponent", "3"),
    ];
    let run = run_of(env, RegressionTails, &sets)?;
    let summary = &run.summary;
    let mut panel = Panel::new(
        "Zipf β = 2 over N = 10⁶ items; memorising learner",
        "training samples T",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::LowerLeft);
    for (i, (series, label)) in [
        (CLEAN, "clean"),
        (CUT, "tail cut at k = 200"),
        (NARROWED, "tail narrowed to β' = 3"),
    ]
    .into_iter()
    .enumerate()
    {
        let pick = |metric: &str| against_samples(summary, series, metric);
        panel.push(Series::markers(
            format!("{label}: simulated"),
            i,
            pick(TEST_ERROR),
        ));
        panel.push(
            Series::line(
                format!("{label}: exact Σ p(1−q)^T"),
                i,
                pick(THEORY_TEST_ERROR),
            )
            .unlabelled(),
        );
        panel.push(Series::dashed(
            format!("{label}: scaling law"),
            i,
            pick(THEORY_SCALING_LAW),
        ));
    }
    Ok(Chart::single(
        "A Tale of Tails: cutting the tail stalls the law at k^-(β−1); narrowing it slows the rate to T^-(β−1)/β'",
        run.command.clone(),
        panel,
    ))
}

/// A Tale of Tails, the two remaining rows: (a) a fraction π of clean data mixed into data cut at
/// k = 50 — the cut's plateau, then recovery at the clean rate once πT ≫ k^β; (b) n generations
/// of T0 = 10⁴ draws, error against T; (c) the lost mass, the plateau of (b), against n. β = 2,
/// N = 10⁶. Lines are exact expectations, dashed lines the asymptotic laws, markers simulations.
pub fn mixing_generations(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    const N: usize = 1_000_000;
    const K: usize = 50;
    const T0: usize = 10_000;
    let sets = [
        ("items", "1000000"),
        ("samples_min", "100"),
        ("samples_max", "3e6"),
        ("points", "12"),
        ("replicates", "4"),
        ("cut", "50"),
        ("clean_fraction", "0.05"),
        ("generations", "8"),
        ("generator_samples", "10000"),
    ];
    let run = run_of(env, RegressionTails, &sets)?;
    let summary = &run.summary;
    let mc = |series: &str, metric: &str| against_samples(summary, series, metric);
    let clean = Zipf::new(N, 2.0, Tail::Clean);

    // (a) Mixing.
    let ts = geom(100.0, 1e8, 41);
    let mut mixing = Panel::new(
        "(a) π clean data mixed into data cut at k = 50",
        "training samples T",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::LowerLeft);
    let fractions = [0.0, 0.01, 0.05, 0.2, 1.0];
    for (i, &pi) in fractions.iter().enumerate() {
        let z = if pi == 1.0 {
            clean.clone()
        } else {
            Zipf::new(N, 2.0, Tail::Mixed { k: K, pi })
        };
        let label = match pi {
            0.0 => "π = 0 (tail cut)".to_string(),
            1.0 => "π = 1 (clean)".to_string(),
            _ => format!("π = {pi}"),
        };
        mixing.push(Series::line(
            label,
            i,
            ts.iter().map(|&t| (t, z.expected_error(t))).collect(),
        ));
        mixing.push(
            Series::dashed(
                "integral law",
                i,
                ts.iter()
                    .step_by(2)
                    .map(|&t| (t, z.asymptotic(t)))
                    .collect(),
            )
            .unlabelled(),
        );
    }
    let plateau = Zipf::new(N, 2.0, Tail::Cut(K)).unreachable_mass();
    mixing.push(Series::dashed(
        "plateau Σ_{i>k} p_i",
        6,
        vec![(ts[0], plateau), (ts[ts.len() - 1], plateau)],
    ));
    for (series, colour) in [(CUT, 0), (MIXED, 2), (CLEAN, 4)] {
        let pts = mc(series, TEST_ERROR);
        let label = format!(
            "simulated ({})",
            if series == MIXED { "π = 0.05" } else { series }
        );
        mixing.push(Series::markers(label, colour, pts));
    }

    // (b) Generations, error against T, and (c) the lost mass against n.
    let ts = geom(100.0, 1e7, 41);
    let mut gens = Panel::new(
        "(b) n generations of T0 = 10⁴ draws",
        "training samples T (from generation n)",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::LowerLeft);
    gens.push(Series::line(
        "n = 0 (clean)",
        0,
        ts.iter().map(|&t| (t, clean.expected_error(t))).collect(),
    ));
    gens.push(
        Series::dashed(
            "",
            0,
            ts.iter().map(|&t| (t, clean.asymptotic(t))).collect(),
        )
        .unlabelled(),
    );
    let max_n = 32;
    let mut law = CountLaw::first(&clean.p, T0);
    let mut lost = Vec::new();
    let mut colour = 1;
    loop {
        let n = law.generation;
        lost.push((n as f64, law.lost_mass()));
        if [1, 2, 4, 8].contains(&n) {
            gens.push(Series::line(
                format!("n = {n}"),
                colour,
                ts.iter().map(|&t| (t, law.expected_error(t))).collect(),
            ));
            let gw = Series::dashed(
                "Galton–Watson law A·T_eff^-c",
                colour,
                ts.iter()
                    .map(|&t| (t, clean.asymptotic(effective_samples(T0 as f64, n, t))))
                    .collect(),
            );
            gens.push(if n == 1 { gw } else { gw.unlabelled() });
            colour += 1;
        }
        if n == max_n {
            break;
        }
        law = law.next();
    }
    gens.push(Series::markers(
        "n = 8: simulated",
        4,
        mc(GENERATIONS, TEST_ERROR),
    ));

    let mut plateau_panel = Panel::new(
        "(c) the plateau: test mass lost by generation n",
        "generation n",
        "lost mass",
    )
    .log_x()
    .log_y()
    .legend(Legend::UpperLeft);
    let l1 = lost[0].1;
    plateau_panel.push(Series::line("exact (Wright–Fisher)", 0, lost.clone()));
    plateau_panel.push(Series::dashed(
        "Galton–Watson law A·(T0 s_n)^-c ∝ n^c",
        1,
        lost.iter()
            .map(|&(n, _)| {
                (
                    n,
                    clean.asymptotic(effective_samples(T0 as f64, n as usize, f64::INFINITY)),
                )
            })
            .collect(),
    ));
    plateau_panel.push(Series::dashed(
        "n·L₁ (the quoted n·T0^-c)",
        6,
        lost.iter().map(|&(n, _)| (n, n * l1)).collect(),
    ));
    plateau_panel.push(Series::markers(
        "simulated (n = 8)",
        4,
        curve(summary, GENERATIONS, LOST_MASS)
            .map(|r| (8.0, r.mean))
            .collect(),
    ));
    Ok(Chart::grid(
        "A Tale of Tails: clean data mixed in ends the plateau; n generations of T0 draws raise it like (n/T0)^(1−1/β)",
        run.command.clone(),
        vec![mixing, gens, plateau_panel],
        3,
    ))
}

/// The figure of `collapse run regression-tails`: every series' simulation, exact expectation
/// and scaling law against T.
pub fn run_figure(run: &RunView<'_>) -> Chart {
    let summary = run.summary;
    let mut panel = Panel::new(
        "memorising learner on Zipf data",
        "training samples T",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::LowerLeft);
    // The mixed and generations series are present only when their parameters are set.
    for (i, series) in [CLEAN, CUT, NARROWED, MIXED, GENERATIONS]
        .into_iter()
        .enumerate()
    {
        if curve(summary, series, THEORY_SAMPLES).next().is_none() {
            continue;
        }
        let pick = |metric: &str| -> Vec<(f64, f64)> {
            against_samples(summary, series, metric)
                .into_iter()
                .filter(|q| q.1 > 0.0)
                .collect()
        };
        let sim = pick(TEST_ERROR);
        if !sim.is_empty() {
            panel.push(Series::markers(format!("{series}: simulated"), i, sim));
        }
        panel.push(Series::line(
            format!("{series}: exact expectation"),
            i,
            pick(THEORY_TEST_ERROR),
        ));
        panel.push(
            Series::dashed(
                format!("{series}: scaling law"),
                i,
                pick(THEORY_SCALING_LAW),
            )
            .unlabelled(),
        );
    }
    Chart::single("A Tale of Tails", run.command, panel)
}
