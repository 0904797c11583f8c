//! A Tale of Tails figures from `regression-tails`: the scaling laws of clean, cut and narrowed
//! data; clean-data mixing, n generations and their plateau; and the run figure.

use super::{
    GRID_PLOT_PX, SINGLE_PLOT_PX, decades, geom, mc_points, room_for_legend, run_of,
    with_error_bars,
};
use crate::experiments::tails::RegressionTails;
use crate::names::{
    CLEAN, CUT, GENERATIONS, LOST_MASS, MIXED, NARROWED, TEST_ERROR, THEORY_SAMPLES,
    THEORY_SCALING_LAW, THEORY_TEST_ERROR,
};
use crate::tails::{CountLaw, Tail, Zipf, effective_samples, fresh_inputs_error};
use collapse_core::records::curve;
use collapse_core::{FigureEnv, FigureError, RunView, SummaryRow};
use collapse_plot::{Chart, Legend, Panel, Series};

/// The T of each step of a series, from its `theory_samples` rows.
fn t_of(summary: &[SummaryRow], series: &str) -> impl Fn(u64) -> f64 + use<> {
    let ts: Vec<f64> = curve(summary, series, THEORY_SAMPLES)
        .map(|r| r.mean)
        .collect();
    move |step| ts.get(step as usize).copied().unwrap_or(0.0)
}

/// The curve (T, mean) of `metric` in `series`, T read from the series' `theory_samples` rows.
fn against_samples(summary: &[SummaryRow], series: &str, metric: &str) -> Vec<(f64, f64)> {
    let t = t_of(summary, series);
    curve(summary, series, metric)
        .map(|r| (t(r.step), r.mean))
        .collect()
}

/// The simulated means (T, mean, se) of `series` with ±2 SE bars, unlabelled.
fn simulated(summary: &[SummaryRow], series: &str, color: usize) -> Vec<Series> {
    let pts = mc_points(summary, series, TEST_ERROR, t_of(summary, series));
    with_error_bars(None, color, &pts)
}

/// The lowest and highest y of some curves.
fn span(curves: &[&[(f64, f64)]]) -> (f64, f64) {
    curves
        .iter()
        .flat_map(|c| c.iter())
        .filter(|p| p.1 > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
            (lo.min(p.1), hi.max(p.1))
        })
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
    .legend(Legend::UpperRight);
    let mut curves = Vec::new();
    for (i, (series, label)) in [
        (CLEAN, "clean"),
        (CUT, "tail cut at rank k = 200"),
        (NARROWED, "tail narrowed to β′ = 3"),
    ]
    .into_iter()
    .enumerate()
    {
        let pick = |metric: &str| against_samples(summary, series, metric);
        let exact = pick(THEORY_TEST_ERROR);
        panel.push(Series::line(label, i, exact.clone()));
        panel.push(Series::dashed("", i, pick(THEORY_SCALING_LAW)).unlabelled());
        for s in simulated(summary, series, i) {
            panel.push(s);
        }
        curves.push(exact);
    }
    let (lo, hi) = span(&curves.iter().map(|c| c.as_slice()).collect::<Vec<_>>());
    let (y0, y1) = room_for_legend(lo, hi, 3, SINGLE_PLOT_PX, true);
    Ok(Chart::single(
        "A Tale of Tails: cutting the tail at rank k stalls the error at the mass beyond k; narrowing the exponent from β to β′ slows the rate from (β−1)/β to (β−1)/β′ (solid: exact expectation; dashed: scaling law; dots: simulated ± 2 SE)",
        run.command.clone(),
        panel.y_range(y0, y1),
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
    let clean = Zipf::new(N, 2.0, Tail::Clean);

    // (a) Mixing.
    let ts = geom(100.0, 1e8, 41);
    let mut mixing = Panel::new(
        "(a) a fraction π of clean data mixed into data cut at k = 50",
        "training samples T",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::UpperRight);
    let mut curves = Vec::new();
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
        let exact: Vec<(f64, f64)> = ts.iter().map(|&t| (t, z.expected_error(t))).collect();
        mixing.push(Series::line(label, i, exact.clone()));
        curves.push(exact);
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
        "plateau: the mass beyond k",
        6,
        vec![(ts[0], plateau), (ts[ts.len() - 1], plateau)],
    ));
    for (series, colour) in [(CUT, 0), (MIXED, 2), (CLEAN, 4)] {
        for s in simulated(summary, series, colour) {
            mixing.push(s);
        }
    }
    let (lo, hi) = span(&curves.iter().map(|c| c.as_slice()).collect::<Vec<_>>());
    let (y0, y1) = room_for_legend(lo, hi, fractions.len() + 1, GRID_PLOT_PX, true);
    let mixing = mixing.y_range(y0, y1);

    // (b) Generations, error against T, and (c) the lost mass against n.
    let ts = geom(100.0, 1e7, 41);
    let mut gens = Panel::new(
        "(b) n generations of T0 = 10⁴ draws",
        "training samples T (from generation n)",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::UpperRight);
    let clean_curve: Vec<(f64, f64)> = ts.iter().map(|&t| (t, clean.expected_error(t))).collect();
    let (lo, hi) = span(&[&clean_curve]);
    gens.push(Series::line("n = 0 (clean)", 0, clean_curve));
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
            gens.push(
                Series::dashed(
                    "",
                    colour,
                    ts.iter()
                        .map(|&t| (t, clean.asymptotic(effective_samples(T0 as f64, n, t))))
                        .collect(),
                )
                .unlabelled(),
            );
            colour += 1;
        }
        if n == max_n {
            break;
        }
        law = law.next();
    }
    for s in simulated(summary, GENERATIONS, 4) {
        gens.push(s);
    }
    let (y0, y1) = room_for_legend(lo, hi, 5, GRID_PLOT_PX, true);
    let gens = gens.y_range(y0, y1);

    let mut plateau_panel = Panel::new(
        "(c) the plateau: test mass lost by generation n",
        "generation n",
        "lost mass",
    )
    .log_x()
    .log_y()
    .legend(Legend::UpperLeft);
    let l1 = lost[0].1;
    plateau_panel.push(Series::line(
        "resampling chain, exact (Wright–Fisher)",
        0,
        lost.clone(),
    ));
    let fresh: Vec<(f64, f64)> = (1..=100u64)
        .map(|n| (n as f64, fresh_inputs_error(&clean.p, T0 as f64, n, None)))
        .collect();
    plateau_panel.push(Series::line(
        "fresh inputs, propagated labels, exact",
        2,
        fresh,
    ));
    plateau_panel.push(Series::dashed(
        "Galton–Watson law, ∝ n to the power 1−1/β",
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
        "n·L₁, linear in n (the transcribed law)",
        6,
        vec![(1.0, l1), (100.0, 100.0 * l1)],
    ));
    let lost_mc: Vec<(f64, f64, f64)> = curve(summary, GENERATIONS, LOST_MASS)
        .map(|r| (8.0, r.mean, r.std_error))
        .collect();
    for s in with_error_bars(None, 4, &lost_mc) {
        plateau_panel.push(s);
    }
    let top = 100.0 * l1;
    let (y0, y1) = room_for_legend(lost[0].1, top, 4, GRID_PLOT_PX, true);
    let (x0, x1) = decades(1.0, 100.0);
    let plateau_panel = plateau_panel.x_range(x0, x1).y_range(y0, y1);
    Ok(Chart::grid(
        "A Tale of Tails: clean data mixed in end the plateau; n generations raise it sub-linearly in n in both readings (solid: exact; dashed: integral and Galton–Watson laws; dots: simulated ± 2 SE)",
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
        "memorising learner on Zipf data: exact (solid), scaling law (dashed), simulated ± 2 SE",
        "training samples T",
        "test error",
    )
    .log_x()
    .log_y()
    .legend(Legend::UpperRight);
    let mut curves = Vec::new();
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
        let exact = pick(THEORY_TEST_ERROR);
        panel.push(Series::line(series, i, exact.clone()));
        panel.push(Series::dashed("", i, pick(THEORY_SCALING_LAW)).unlabelled());
        for s in simulated(summary, series, i) {
            panel.push(s);
        }
        curves.push(exact);
    }
    let (lo, hi) = span(&curves.iter().map(|c| c.as_slice()).collect::<Vec<_>>());
    if lo.is_finite() && hi > 0.0 {
        let (y0, y1) = room_for_legend(lo, hi, curves.len(), SINGLE_PLOT_PX, true);
        panel = panel.y_range(y0, y1);
    }
    Chart::single("A Tale of Tails", run.command, panel)
}
