//! `regression-mixing`: weighted single-step mixing and iterative mixing of real and synthetic
//! data with least squares (Strong Model Collapse, Figs. 9 and 10), the closed forms of
//! [`crate::mixing::theory`] against the Monte Carlo of [`crate::mixing::simulation`].

use crate::linalg::LinalgError;
use crate::mixing::simulation::{iterative_draw, replicate_bytes, reused_draw, weighted_draw};
use crate::mixing::theory::{
    iterative_exact, problem, real_only_exact, reused_leading, reused_limit, weighted_equivalent,
    weighted_first_order, weighted_floor,
};
use crate::names::{
    REAL_ONLY, ROUNDS_LIMIT, TEST_ERROR, THEORY_FIRST_ORDER, THEORY_FLOOR, THEORY_N,
    THEORY_TEST_ERROR, THEORY_VARIANCE, THEORY_ZETA, VARIANCE, ZETA, alpha_series, rounds_series,
};
use crate::theory::{MixProblem, Spectrum, synthetic_rows};
use collapse_core::params::{parse_grid, parse_list};
use collapse_core::{
    Cost, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError, ParamSpec, Params,
    RunContext, RunOutput, RunView, TheoryRow,
};
use rayon::prelude::*;

/// The experiment's id.
pub const ID: &str = "regression-mixing";

collapse_core::choice! {
    /// What iterative mixing draws afresh each round.
    pub enum RealData {
        /// Fresh real and synthetic rows every round.
        Fresh = "fresh",
        /// The same design and real labels every round (fresh synthetic label noise only).
        Reused = "reused",
    }
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("dim", 50, 1, 2000, "d: input dimension (Σ = I)"),
        ParamSpec::text(
            "samples",
            "200,400,800,1600,3200,6400",
            "grid of n (real + synthetic): a,b,c | lo:hi:count | lo:hi:count:log; each needs n1, n2 >= dim + 2",
        ),
        ParamSpec::float(
            "synthetic_fraction",
            0.5,
            0.01,
            0.99,
            "p2: fraction of synthetic rows, n2 = round(p2 n)",
        ),
        ParamSpec::float(
            "quality",
            1.0,
            0.0,
            1e6,
            "c² = Tr(ΣΔ): quality of the synthetic labels (0 = perfect)",
        ),
        ParamSpec::float("noise", 1.0, 0.0, 1e6, "σ: label noise, real and synthetic"),
        ParamSpec::text(
            "alphas",
            "0,0.1,0.25,0.5,0.75",
            "weights α of the synthetic data in [0, 1] (real rows weighted (1−α)/p1, synthetic α/p2; α = p2 is the plain mix, α = 0 real only)",
        ),
        ParamSpec::text(
            "rounds",
            "1,2,4,8",
            "rounds t of iterative mixing to record, integers in [1, 64] (t = 1 is single-step mixing)",
        ),
        ParamSpec::choice_of(
            "real_data",
            RealData::Fresh,
            "iterative mixing: fresh real and synthetic rows every round, or the same design and real labels every round (fresh synthetic label noise)",
        ),
        ParamSpec::int(
            "replicates",
            5,
            0,
            1_000_000,
            "Monte Carlo designs per n (0 = theory only)",
        ),
    ]
}

/// The configuration of a run: the grids, parsed and checked once.
#[derive(Clone, Debug)]
pub struct MixingConfig {
    /// d (Σ = I).
    pub dim: usize,
    /// p2.
    pub synthetic_fraction: f64,
    /// c².
    pub quality: f64,
    /// σ.
    pub noise: f64,
    /// The sample sizes n, one per step.
    pub samples: Vec<usize>,
    /// The weights α of weighted single-step mixing.
    pub alphas: Vec<f64>,
    /// The rounds t of iterative mixing.
    pub rounds: Vec<u32>,
    /// Fresh or reused data in iterative mixing.
    pub real_data: RealData,
    /// Monte Carlo designs per n.
    pub replicates: u64,
}

impl MixingConfig {
    /// Checks the combination of parameters once and parses the grids.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let d = p.usize("dim");
        let p2 = p.float("synthetic_fraction");
        let mut samples = Vec::new();
        for n in sample_grid(p.text("samples"))? {
            let n2 = synthetic_rows(n, p2);
            if n2.min(n - n2) < d + 2 {
                return Err(ParamError::conflict(
                    "samples",
                    format!(
                        "n = {n} gives n1 = {}, n2 = {n2}; least squares on either part needs both >= dim + 2 = {}",
                        n - n2,
                        d + 2
                    ),
                ));
            }
            samples.push(n);
        }
        let mut alphas = Vec::new();
        for a in parse_list::<f64>("alphas", p.text("alphas"), "numbers in [0, 1]")? {
            if !(0.0..=1.0).contains(&a) {
                return Err(ParamError::conflict(
                    "alphas",
                    format!("each α must be in [0, 1], got {a}"),
                ));
            }
            if alphas.iter().any(|&b| alpha_series(b) == alpha_series(a)) {
                return Err(ParamError::conflict(
                    "alphas",
                    format!("α = {a} is listed twice (its series would be written twice)"),
                ));
            }
            alphas.push(a);
        }
        let mut rounds = Vec::new();
        for t in parse_list::<u32>("rounds", p.text("rounds"), "integers in [1, 64]")? {
            if !(1..=64).contains(&t) {
                return Err(ParamError::conflict(
                    "rounds",
                    format!("each t must be an integer in [1, 64], got {t}"),
                ));
            }
            if rounds.contains(&t) {
                return Err(ParamError::conflict(
                    "rounds",
                    format!("t = {t} is listed twice (its series would be written twice)"),
                ));
            }
            rounds.push(t);
        }
        Ok(Self {
            dim: d,
            synthetic_fraction: p2,
            quality: p.float("quality"),
            noise: p.float("noise"),
            samples,
            alphas,
            rounds,
            real_data: p.choice("real_data"),
            replicates: p.int("replicates") as u64,
        })
    }

    /// The least-squares problem of each step.
    pub fn problems(&self) -> Vec<MixProblem> {
        self.samples
            .iter()
            .map(|&n| {
                problem(
                    Spectrum::isotropic(self.dim),
                    n,
                    self.synthetic_fraction,
                    self.quality,
                    self.noise,
                )
            })
            .collect()
    }

    fn reused(&self) -> bool {
        self.real_data == RealData::Reused
    }

    /// The largest number of rounds (0 when no round is recorded).
    fn max_rounds(&self) -> usize {
        self.rounds.iter().copied().max().unwrap_or(0) as usize
    }

    /// The closed forms of every series at every n.
    pub fn theory(&self, problems: &[MixProblem]) -> Vec<TheoryRow> {
        let (d, c2, sigma) = (self.dim, self.quality, self.noise);
        let reused = self.reused();
        let mut th = Vec::new();
        for (step, q) in problems.iter().enumerate() {
            let s = step as u64;
            let phi = d as f64 / q.n as f64;
            for &a in &self.alphas {
                let name = alpha_series(a);
                let w = weighted_equivalent(phi, q.p2(), a, sigma, sigma, c2);
                let (fv, fz) = weighted_first_order(phi, q.p2(), a, sigma, sigma, c2);
                th.push(TheoryRow::new(&name, s, THEORY_TEST_ERROR, w.total()));
                th.push(TheoryRow::new(&name, s, THEORY_VARIANCE, w.variance));
                th.push(TheoryRow::new(&name, s, THEORY_ZETA, w.zeta));
                th.push(TheoryRow::new(&name, s, THEORY_FIRST_ORDER, fv + fz));
                th.push(TheoryRow::new(
                    &name,
                    s,
                    THEORY_FLOOR,
                    weighted_floor(a, c2),
                ));
                th.push(TheoryRow::new(&name, s, THEORY_N, q.n as f64));
            }
            for &t in &self.rounds {
                let name = rounds_series(t);
                if reused {
                    // Exact at t = 1 (single-step mixing); leading order in φ otherwise.
                    if t == 1 {
                        let e = iterative_exact(q.n, q.n2, d, sigma, c2, t);
                        th.push(TheoryRow::new(&name, s, THEORY_TEST_ERROR, e));
                    }
                    let e = reused_leading(q.n, q.n2, d, sigma, c2, t);
                    th.push(TheoryRow::new(&name, s, THEORY_FIRST_ORDER, e));
                } else {
                    let e = iterative_exact(q.n, q.n2, d, sigma, c2, t);
                    th.push(TheoryRow::new(&name, s, THEORY_TEST_ERROR, e));
                }
                th.push(TheoryRow::new(
                    &name,
                    s,
                    THEORY_FLOOR,
                    (q.p2() * q.p2()).powi(t as i32) * c2,
                ));
                th.push(TheoryRow::new(&name, s, THEORY_N, q.n as f64));
            }
            if reused && !self.rounds.is_empty() {
                let e = reused_limit(q.n, q.n2, d, sigma);
                th.push(TheoryRow::new(ROUNDS_LIMIT, s, THEORY_TEST_ERROR, e));
                th.push(TheoryRow::new(ROUNDS_LIMIT, s, THEORY_N, q.n as f64));
            }
            th.push(TheoryRow::new(
                REAL_ONLY,
                s,
                THEORY_TEST_ERROR,
                real_only_exact(q.n, q.n2, d, sigma),
            ));
            th.push(TheoryRow::new(REAL_ONLY, s, THEORY_N, q.n as f64));
        }
        th
    }

    /// Records of one replicate and one step.
    fn records_per_step(&self) -> usize {
        let limit = usize::from(self.reused() && self.max_rounds() > 0);
        3 * self.alphas.len()
            + if self.max_rounds() > 0 {
                self.rounds.len() + limit
            } else {
                0
            }
    }
}

/// The grid of sample sizes: a strict comma-separated list of integers, or a `lo:hi:count`
/// (`:log`) grid whose points are rounded to integers (the grid's own definition); every n in
/// [1, 1000000] and none twice.
fn sample_grid(text: &str) -> Result<Vec<usize>, ParamError> {
    let values: Vec<usize> = if text.contains(':') {
        parse_grid("samples", text)?
            .into_iter()
            .map(|v| {
                let n = v.round();
                if (1.0..=1e6).contains(&n) {
                    Ok(n as usize)
                } else {
                    Err(ParamError::conflict(
                        "samples",
                        format!("each n must be in [1, 1000000], got {v}"),
                    ))
                }
            })
            .collect::<Result<_, _>>()?
    } else {
        parse_list::<usize>("samples", text, "integers in [1, 1000000]")?
    };
    for (i, &n) in values.iter().enumerate() {
        if !(1..=1_000_000).contains(&n) {
            return Err(ParamError::conflict(
                "samples",
                format!("each n must be in [1, 1000000], got {n}"),
            ));
        }
        if values[..i].contains(&n) {
            return Err(ParamError::conflict(
                "samples",
                format!("n = {n} is listed twice (its step would be written twice)"),
            ));
        }
    }
    Ok(values)
}

/// What one replicate draws at one n, in the order the draws consume its stream.
struct StepDraws {
    /// (variance, ζ) per α.
    weighted: Vec<(f64, f64)>,
    /// The error after each round 1..=max.
    rounds: Vec<f64>,
    /// The per-design t → ∞ limit (reused data).
    limit: Option<f64>,
}

fn draw_step(
    cfg: &MixingConfig,
    q: &MixProblem,
    rng: &mut collapse_core::Rng,
) -> Result<StepDraws, LinalgError> {
    let weighted = cfg
        .alphas
        .iter()
        .map(|&a| weighted_draw(q, a, rng))
        .collect::<Result<_, _>>()?;
    let max_rounds = cfg.max_rounds();
    let (rounds, limit) = if max_rounds == 0 {
        (Vec::new(), None)
    } else if cfg.reused() {
        let (errs, limit) = reused_draw(q, max_rounds, rng)?;
        (errs, Some(limit))
    } else {
        (iterative_draw(q, max_rounds, rng)?, None)
    };
    Ok(StepDraws {
        weighted,
        rounds,
        limit,
    })
}

/// Which draw a series' records come from.
#[derive(Clone, Copy)]
enum Slot {
    /// The α with this index.
    Alpha(usize),
    /// The rounds value with this index.
    Rounds(usize),
    /// The t → ∞ limit.
    Limit,
}

/// The series of a run with the draw each comes from, ordered by name, so that a replicate's
/// rows come out in canonical order.
fn slots(cfg: &MixingConfig) -> Vec<(Name, Slot)> {
    let mut slots: Vec<(Name, Slot)> = cfg
        .alphas
        .iter()
        .enumerate()
        .map(|(i, &a)| (Name::new(&alpha_series(a)), Slot::Alpha(i)))
        .collect();
    if cfg.max_rounds() > 0 {
        if cfg.reused() {
            slots.push((Name::new(ROUNDS_LIMIT), Slot::Limit));
        }
        for (j, &t) in cfg.rounds.iter().enumerate() {
            slots.push((Name::new(&rounds_series(t)), Slot::Rounds(j)));
        }
    }
    slots.sort_by_key(|s| s.0);
    slots
}

/// `regression-mixing`: Strong Model Collapse Figs. 9 and 10.
#[derive(Clone, Copy, Debug, Default)]
pub struct RegressionMixing;

impl Experiment for RegressionMixing {
    type Config = MixingConfig;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "Weighted single-step mixing and iterative mixing of real and synthetic data (least squares)"
    }
    fn about(&self) -> &'static str {
        "x ~ N(0, I_d); real labels xᵀw + ε, synthetic labels xᵀ(w + δ) + ε, δ ~ N(0, (c²/d) I); n2 = round(p2 n). Weighted mixing: least squares with weight (1−α)/p1 on real rows and α/p2 on synthetic rows (series alpha=α; α = p2 is the plain mix, α = 0 real only): Monte Carlo test_error, variance, zeta exact over w, δ, ε per drawn X; theory_test_error/theory_variance/theory_zeta the derived proportional equivalent, theory_first_order its O(φ) expansion, theory_floor = α²c². Iterative mixing (series rounds=t): round t fits least squares on fresh real rows and fresh synthetic rows labelled by the round t−1 model (ŵ0 = w + δ); test_error exact over the noise; theory_test_error = h^t c² + v(1−h^t)/(1−h) exactly (h the exact one-step ζ/c², v = σ²d/(n−d−1)); theory_floor = p2^{2t}c². With real_data = reused the design and the real labels are fixed across rounds and only the synthetic label noise is fresh: test_error exact over δ and the noise per drawn design; theory_test_error exact at t = 1 only, theory_first_order = p2^{2t}c² + σ²d/(n−d−1)·f_t(p2), f_t(λ) = (1−λ^t)²/(1−λ) + λ(1−λ^{2t})/(1−λ²); series rounds=limit: test_error the per-design t → ∞ limit σ²tr G1⁻¹ + (σ²/2)tr[G1⁻¹ − (G1+2G2)⁻¹], theory_test_error its expectation (3/2)σ²d/(n1−d−1) − (σ²/2)τ (τ the equivalent of tr(G1+2G2)⁻¹), above the real half alone. Series real-only: theory_test_error = σ²d/(n1−d−1). step = index in the samples grid; theory_n holds n."
    }
    fn params(&self) -> Vec<ParamSpec> {
        params()
    }
    fn configure(&self, p: &Params) -> Result<MixingConfig, ParamError> {
        MixingConfig::from_params(p)
    }
    fn work(&self, cfg: &MixingConfig) -> u64 {
        // One unit per replicate, which computes every n.
        cfg.replicates
    }
    fn cost(&self, cfg: &MixingConfig) -> Cost {
        // A draw holds Gram matrices, never the design (mixing::simulation): its memory does
        // not grow with n. A theory-only run holds nothing of the kind.
        let per_draw = if cfg.replicates > 0 {
            replicate_bytes(cfg.dim)
        } else {
            0.0
        };
        Cost {
            records: cfg.replicates as f64
                * cfg.samples.len() as f64
                * cfg.records_per_step() as f64,
            memory: per_draw * rayon::current_num_threads() as f64,
        }
    }
    /// Replicate `rep` at the n of `step` draws from the stream `step · replicates + rep` (the
    /// grid numbered as one ensemble) and its records carry `rep`; one replicate computes every
    /// n, in parallel, and writes its rows series by series.
    fn run(&self, cfg: &MixingConfig, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let problems = cfg.problems();
        let theory = cfg.theory(&problems);
        let reps = cfg.replicates;
        let slots = slots(cfg);
        let [test_error, variance, zeta] = [TEST_ERROR, VARIANCE, ZETA].map(Name::new);
        let per_replicate = problems.len() * cfg.records_per_step();
        ctx.replicates("", reps, |rep, _, rows| {
            let draws: Vec<StepDraws> = problems
                .par_iter()
                .enumerate()
                .map(|(step, q)| draw_step(cfg, q, &mut ctx.stream("", step as u64 * reps + rep)))
                .collect::<Result<_, _>>()?;
            rows.reserve(per_replicate);
            // Series by name, then n, then metric.
            for &(name, slot) in &slots {
                for (step, dr) in draws.iter().enumerate() {
                    let step = step as u64;
                    match slot {
                        Slot::Alpha(i) => {
                            let (v, z) = dr.weighted[i];
                            rows.push(name, step, test_error, v + z);
                            rows.push(name, step, variance, v);
                            rows.push(name, step, zeta, z);
                        }
                        Slot::Rounds(j) => {
                            let t = cfg.rounds[j] as usize;
                            rows.push(name, step, test_error, dr.rounds[t - 1]);
                        }
                        Slot::Limit => {
                            let limit = dr.limit.expect("reused draws have a limit");
                            rows.push(name, step, test_error, limit);
                        }
                    }
                }
            }
            Ok::<(), ExperimentError>(())
        })?;
        Ok(RunOutput {
            theory,
            report: None,
        })
    }
    fn figure(
        &self,
        _: &MixingConfig,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        Some(Ok(Box::new(crate::figures::mixing::run_figure(run))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::DynExperiment;

    #[test]
    fn grids_are_parsed_once_and_checked() {
        let x = DynExperiment::new(RegressionMixing);
        let c = x
            .configure_with(&[("samples", "110:400:3"), ("rounds", "8,1")])
            .unwrap();
        let cfg: &MixingConfig = c.config().unwrap();
        assert_eq!(cfg.samples, vec![110, 255, 400]);
        assert_eq!(cfg.rounds, vec![8, 1]);
        assert_eq!(cfg.alphas, vec![0.0, 0.1, 0.25, 0.5, 0.75]);
        for bad in [
            vec![("samples", "100")],
            vec![("alphas", "1.5")],
            vec![("rounds", "0")],
            vec![("rounds", "1.5")],
            vec![("samples", "a,b")],
        ] {
            assert!(x.configure_with(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn series_in_any_order_run_and_repeated_ones_are_refused() {
        let x = DynExperiment::new(RegressionMixing);
        let c = x
            .configure_with(&[
                ("dim", "5"),
                ("samples", "40,20"),
                ("alphas", "0.5,0.1,0.25"),
                ("rounds", "10,2,1"),
                ("real_data", "reused"),
                ("replicates", "2"),
            ])
            .unwrap();
        let run = c.collect(1).unwrap();
        // Per replicate and n: 3 α × 3 metrics, 3 rounds and the limit.
        assert_eq!(run.records.len(), 2 * 2 * (9 + 3 + 1));
        for (name, value) in [("alphas", "0.5,0.1,0.50"), ("rounds", "2,1,2")] {
            let err = x.configure_with(&[(name, value)]).unwrap_err().to_string();
            assert!(err.contains(name) && err.contains("twice"), "{err}");
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(run.records, pool.install(|| c.collect(1).unwrap().records));
    }

    #[test]
    fn extreme_inputs_give_finite_numbers_or_are_refused() {
        let cases: &[&[(&str, &str)]] = &[
            &[("dim", "1"), ("samples", "6,9"), ("replicates", "2")],
            &[
                ("dim", "3"),
                ("samples", "500"),
                ("synthetic_fraction", "0.01"),
                ("replicates", "2"),
            ],
            &[
                ("dim", "3"),
                ("samples", "500"),
                ("synthetic_fraction", "0.99"),
                ("replicates", "2"),
            ],
            &[
                ("dim", "5"),
                ("samples", "14"),
                ("noise", "0"),
                ("quality", "0"),
                ("replicates", "2"),
            ],
            &[
                ("dim", "5"),
                ("samples", "14"),
                ("noise", "1e6"),
                ("quality", "1e6"),
                ("replicates", "2"),
                ("real_data", "reused"),
                ("rounds", "64"),
            ],
            &[
                ("dim", "5"),
                ("samples", "40"),
                ("alphas", "0,1"),
                ("rounds", "64"),
                ("replicates", "2"),
            ],
            &[("dim", "2000"), ("samples", "1000000"), ("replicates", "0")],
            // Refused: too few rows in a part, bad lists.
            &[("dim", "5"), ("samples", "13")],
            &[("samples", "200.5")],
            &[("samples", "200,")],
            &[("alphas", "0.1,,0.2")],
            &[("rounds", "0")],
            &[("rounds", "65")],
        ];
        assert_eq!(
            crate::experiments::finite_or_refused(RegressionMixing, cases),
            7
        );
    }

    #[test]
    fn memory_does_not_grow_with_the_samples() {
        let x = DynExperiment::new(RegressionMixing);
        let small = x.configure_with(&[("samples", "200")]).unwrap().cost();
        let large = x.configure_with(&[("samples", "1000000")]).unwrap().cost();
        assert_eq!(small.memory, large.memory);
    }
}
