//! `regression-tails`: a memorising learner on Zipf data trained on clean, tail-cut, narrowed or
//! mixed data, or on generation n of a resampling chain (A Tale of Tails).

use super::f64_bytes;
use crate::names::{
    CLEAN, CUT, EXPECTED_TEST_ERROR, GENERATIONS, LOST_MASS, MIXED, NARROWED, SUPPORT, TEST_ERROR,
    THEORY_EFFECTIVE_SAMPLES, THEORY_EXPONENT, THEORY_LOST_MASS, THEORY_SAMPLES,
    THEORY_SCALING_LAW, THEORY_TEST_ERROR,
};
use crate::tails::{ChainSampler, CountLaw, Tail, Zipf, effective_samples};
use collapse_core::{
    Cost, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError, ParamSpec, Params,
    RunContext, RunOutput, RunView, TheoryRow,
};

/// The experiment's id.
pub const ID: &str = "regression-tails";

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::float(
            "exponent",
            2.0,
            1.05,
            6.0,
            "β: Zipf exponent of the data, p_i ∝ i^-β",
        ),
        ParamSpec::int(
            "items",
            100_000,
            10,
            20_000_000,
            "N: number of items (the support of the Zipf law)",
        ),
        ParamSpec::int(
            "cut",
            1000,
            1,
            20_000_000,
            "k: the tail-cut training distribution keeps ranks 1..k",
        ),
        ParamSpec::float(
            "narrowed_exponent",
            3.0,
            1.05,
            12.0,
            "β' > β: exponent of the narrowed-tail training distribution",
        ),
        ParamSpec::float(
            "clean_fraction",
            0.0,
            0.0,
            1.0,
            "π: fraction of clean data mixed into the tail-cut data, q = (1−π) q_cut + π p (series `mixed`; 0 = no such series)",
        ),
        ParamSpec::int(
            "generations",
            0,
            0,
            1000,
            "n: generations before the learner; generation g is the empirical law of generator_samples draws from generation g−1, generation 0 = p (series `generations`; 0 = no such series)",
        ),
        ParamSpec::int(
            "generator_samples",
            1000,
            1,
            100_000,
            "T0: draws each generation is fitted on (the exact theory costs about generations × 20 T0^1.5 operations)",
        ),
        ParamSpec::float(
            "samples_min",
            100.0,
            1.0,
            1e8,
            "smallest training-set size T of the log grid",
        ),
        ParamSpec::float(
            "samples_max",
            1e6,
            1.0,
            1e8,
            "largest training-set size T of the log grid",
        ),
        ParamSpec::int("points", 9, 1, 200, "number of T values (geometric grid)"),
        ParamSpec::int(
            "replicates",
            10,
            0,
            1_000_000,
            "simulated training sets per T (0 = theory only)",
        ),
    ]
}

/// The configuration of a run (the Zipf laws themselves are built by the run, one at a time).
#[derive(Clone, Debug, PartialEq)]
pub struct TailsConfig {
    /// N.
    pub items: usize,
    /// β.
    pub exponent: f64,
    /// k.
    pub cut: usize,
    /// β'.
    pub narrowed_exponent: f64,
    /// π (0: no `mixed` series).
    pub clean_fraction: f64,
    /// n (0: no `generations` series).
    pub generations: usize,
    /// T0.
    pub generator_samples: usize,
    /// The training-set sizes T, one per step.
    pub grid: Vec<f64>,
    /// Simulated training sets per T.
    pub replicates: u64,
}

impl TailsConfig {
    /// Checks the combination of parameters once and builds the configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        if p.float("samples_max") < p.float("samples_min") {
            return Err(ParamError::conflict(
                "samples_max",
                format!("must be >= samples_min = {}", p.float("samples_min")),
            ));
        }
        if p.float("narrowed_exponent") <= p.float("exponent") {
            return Err(ParamError::conflict(
                "narrowed_exponent",
                format!(
                    "must be > exponent = {} (a narrower tail)",
                    p.float("exponent")
                ),
            ));
        }
        if p.int("cut") > p.int("items") {
            return Err(ParamError::conflict(
                "cut",
                format!("must be <= items = {}", p.int("items")),
            ));
        }
        Ok(Self {
            items: p.usize("items"),
            exponent: p.float("exponent"),
            cut: p.usize("cut"),
            narrowed_exponent: p.float("narrowed_exponent"),
            clean_fraction: p.float("clean_fraction"),
            generations: p.usize("generations"),
            generator_samples: p.usize("generator_samples"),
            grid: log_grid(
                p.float("samples_min"),
                p.float("samples_max"),
                p.usize("points"),
            ),
            replicates: p.int("replicates") as u64,
        })
    }

    /// The training distributions with their series names: clean, cut, narrowed, and mixed
    /// when `clean_fraction` > 0.
    pub fn tails(&self) -> Vec<(&'static str, Tail)> {
        let mut tails = vec![
            (CLEAN, Tail::Clean),
            (CUT, Tail::Cut(self.cut)),
            (NARROWED, Tail::Narrowed(self.narrowed_exponent)),
        ];
        if self.clean_fraction > 0.0 {
            tails.push((
                MIXED,
                Tail::Mixed {
                    k: self.cut,
                    pi: self.clean_fraction,
                },
            ));
        }
        tails
    }

    /// The Zipf law of the data trained through `tail`.
    pub fn zipf(&self, tail: Tail) -> Zipf {
        Zipf::new(self.items, self.exponent, tail)
    }

    /// The number of series.
    fn series(&self) -> usize {
        self.tails().len() + usize::from(self.generations > 0)
    }
}

/// The geometric grid of `k` training-set sizes from `lo` to `hi`, rounded to integers (`lo`
/// alone when `k` = 1).
pub fn log_grid(lo: f64, hi: f64, k: usize) -> Vec<f64> {
    (0..k)
        .map(|i| {
            if k == 1 {
                lo
            } else {
                (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / (k - 1) as f64)
                    .exp()
                    .round()
            }
        })
        .collect()
}

/// The closed forms of one training distribution at every T.
fn law_theory(name: &str, z: &Zipf, grid: &[f64], theory: &mut Vec<TheoryRow>) {
    for (i, &t) in grid.iter().enumerate() {
        let i = i as u64;
        theory.push(TheoryRow::new(
            name,
            i,
            THEORY_TEST_ERROR,
            z.expected_error(t),
        ));
        theory.push(TheoryRow::new(name, i, THEORY_SCALING_LAW, z.asymptotic(t)));
        theory.push(TheoryRow::new(name, i, THEORY_SAMPLES, t));
    }
    theory.push(TheoryRow::new(name, 0, THEORY_EXPONENT, z.exponent()));
}

/// The `generations` series (when `generations` > 0): theory rows from the exact count law and
/// records from exactly drawn chains, one chain per replicate and the learner at every T of the
/// grid.
fn generations_series(
    cfg: &TailsConfig,
    clean: &Zipf,
    ctx: &RunContext<'_>,
    theory: &mut Vec<TheoryRow>,
) -> Result<(), ExperimentError> {
    let (n, t0, grid) = (cfg.generations, cfg.generator_samples, &cfg.grid);
    let law = CountLaw::after(&clean.p, t0, n);
    theory.push(TheoryRow::new(
        GENERATIONS,
        0,
        THEORY_LOST_MASS,
        law.lost_mass(),
    ));
    for (i, &t) in grid.iter().enumerate() {
        let teff = effective_samples(t0 as f64, n, t);
        let i = i as u64;
        theory.push(TheoryRow::new(
            GENERATIONS,
            i,
            THEORY_TEST_ERROR,
            law.expected_error(t),
        ));
        theory.push(TheoryRow::new(
            GENERATIONS,
            i,
            THEORY_SCALING_LAW,
            clean.asymptotic(teff),
        ));
        theory.push(TheoryRow::new(
            GENERATIONS,
            i,
            THEORY_EFFECTIVE_SAMPLES,
            teff,
        ));
        theory.push(TheoryRow::new(GENERATIONS, i, THEORY_SAMPLES, t));
    }
    let chain = ChainSampler::new(&clean.p);
    let series = Name::new(GENERATIONS);
    let [expected, lost_mass, support, test_error] =
        [EXPECTED_TEST_ERROR, LOST_MASS, SUPPORT, TEST_ERROR].map(Name::new);
    ctx.replicates(GENERATIONS, cfg.replicates, |_, rng, rows| {
        let g = chain.run(t0 as u64, n, rng);
        rows.reserve(2 * grid.len() + 2);
        // Canonical order: the step-0 extras sit between its two per-T metrics; the learner's
        // draws follow the chain's, T by T.
        for (i, &t) in grid.iter().enumerate() {
            let i = i as u64;
            rows.push(series, i, expected, chain.expected_error(&g, t));
            if i == 0 {
                rows.push(series, 0, lost_mass, chain.lost_mass(&g));
                rows.push(series, 0, support, g.idx.len() as f64);
            }
            rows.push(series, i, test_error, chain.simulate(&g, t as u64, rng));
        }
        Ok::<(), ExperimentError>(())
    })
}

/// `regression-tails`.
#[derive(Clone, Copy, Debug, Default)]
pub struct RegressionTails;

impl Experiment for RegressionTails {
    type Config = TailsConfig;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "A Tale of Tails: tail cutting, narrowing, clean-data mixing and n generations change the scaling law of a memorising learner"
    }
    fn about(&self) -> &'static str {
        "Zipf data p_i ∝ i^-β over N items; a memorising learner trained on T samples from q errs on the p-mass of the items it has not seen. Series: clean (q = p), cut (q = p restricted to ranks <= k), narrowed (q ∝ i^-β'); mixed when clean_fraction π > 0 (q = (1−π) q_cut + π p: the cut's plateau, then recovery at the clean rate once πT >> k^β); generations when generations n > 0 (generation g is the empirical law of T0 = generator_samples draws from generation g−1, generation 0 = p, drawn exactly as conditional binomials over the live support; the learner trains on generation n). Metrics per T (step = index in the log grid): test_error (simulated), theory_test_error = E Σ p_i (1 − q_i)^T (exact; for generations from the exact Wright–Fisher law of the counts), theory_scaling_law (A T^-(β−1)/β' plus, for the cut, the unreachable tail mass Σ_{i>k} p_i; for mixed the incomplete-gamma integral of head and tail; for generations the clean law at the Galton–Watson effective sample size), theory_samples (T), theory_exponent. Generations only: expected_test_error (Σ p_i (1 − q_{n,i})^T given each chain), theory_effective_samples (T_eff: 1/T_eff ≈ 1/T + n/(2 T0) for T << T0, T_eff → T0 s_n ≈ 2 T0/(n+1) as T → ∞), and at step 0 lost_mass (Σ_{q_{n,i} = 0} p_i), support (items alive at generation n), theory_lost_mass (exact)."
    }
    fn params(&self) -> Vec<ParamSpec> {
        params()
    }
    fn configure(&self, p: &Params) -> Result<TailsConfig, ParamError> {
        TailsConfig::from_params(p)
    }
    fn work(&self, cfg: &TailsConfig) -> u64 {
        cfg.series() as u64 * cfg.replicates
    }
    fn cost(&self, cfg: &TailsConfig) -> Cost {
        let (n, t0, points) = (
            cfg.items as f64,
            cfg.generator_samples as f64,
            cfg.grid.len() as f64,
        );
        let reps = cfg.replicates as f64;
        let mut records = reps * points * cfg.tails().len() as f64;
        if cfg.generations > 0 {
            records += reps * (2.0 + 2.0 * points);
        }
        // Two laws of five N-vectors each (p, q, the cumulative q and two suffix sums; the
        // clean one is kept for the generations); per worker one learner's draws (an item and
        // a count, with a 4-byte pick while they are placed: at most min(T, N) of them) and a
        // chain (a few numbers per live item, at most T0 of them).
        let t_max = cfg.grid.iter().cloned().fold(0.0, f64::max);
        let shared = f64_bytes(10.0 * n);
        let per_worker = 20.0 * t_max.min(n) + f64_bytes(5.0 * t0);
        Cost {
            records,
            memory: shared
                + if cfg.replicates > 0 {
                    per_worker * rayon::current_num_threads() as f64
                } else {
                    0.0
                },
        }
    }
    fn run(&self, cfg: &TailsConfig, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let grid = &cfg.grid;
        let test_error = Name::new(TEST_ERROR);
        let mut theory = Vec::new();
        let mut clean = None;
        // One law at a time (only the clean one is kept, for the generations series); each
        // series draws from its own streams.
        for (name, tail) in cfg.tails() {
            let z = cfg.zipf(tail);
            law_theory(name, &z, grid, &mut theory);
            let series = Name::new(name);
            ctx.replicates(name, cfg.replicates, |_, rng, rows| {
                rows.reserve(grid.len());
                for (i, &t) in grid.iter().enumerate() {
                    rows.push(series, i as u64, test_error, z.simulate(t as usize, rng));
                }
                Ok::<(), ExperimentError>(())
            })?;
            if tail == Tail::Clean {
                clean = Some(z);
            }
        }
        if cfg.generations > 0 {
            let clean = clean.expect("the clean law is always a series");
            generations_series(cfg, &clean, ctx, &mut theory)?;
        }
        Ok(RunOutput {
            theory,
            report: None,
        })
    }
    fn figure(
        &self,
        _: &TailsConfig,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        Some(Ok(Box::new(crate::figures::tails::run_figure(run))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::DynExperiment;

    #[test]
    fn tails_is_deterministic_across_thread_counts() {
        let x = DynExperiment::new(RegressionTails);
        let c = x
            .configure_with(&[
                ("items", "1000"),
                ("cut", "100"),
                ("samples_max", "1000"),
                ("points", "3"),
                ("replicates", "2"),
            ])
            .unwrap();
        let a = c.collect(5).unwrap().records;
        assert_eq!(a.len(), 3 * 3 * 2);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(a, pool.install(|| c.collect(5).unwrap().records));
    }

    #[test]
    fn tails_mixing_and_generations_series() {
        let x = DynExperiment::new(RegressionTails);
        let sets = [
            ("items", "2000"),
            ("cut", "50"),
            ("samples_max", "3000"),
            ("points", "3"),
            ("replicates", "3"),
            ("clean_fraction", "0.1"),
            ("generations", "3"),
            ("generator_samples", "200"),
        ];
        let c = x.configure_with(&sets).unwrap();
        let out = c.collect(5).unwrap();
        // Four series × 3 T × 3 replicates, and per generations replicate 2 + 2 × 3 records.
        assert_eq!(out.records.len(), 4 * 3 * 3 + 3 * (2 + 2 * 3));
        assert!(out.records.iter().all(|r| r.value.is_finite()));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let again = pool.install(|| c.collect(5).unwrap());
        assert_eq!(out.records, again.records);
        // The existing series do not depend on the new ones.
        let plain = x.configure_with(&sets[..5]).unwrap().collect(5).unwrap();
        assert!(plain.records.iter().all(|r| out.records.contains(r)));
        let grid = &c.config::<TailsConfig>().unwrap().grid;
        let clean = Zipf::new(2000, 2.0, Tail::Clean);
        let law = CountLaw::after(&clean.p, 200, 3);
        let pick = |series: &str, metric: &str| -> Vec<f64> {
            out.theory
                .iter()
                .filter(|t| t.series == series && t.metric == metric)
                .map(|t| t.value)
                .collect()
        };
        let exact: Vec<f64> = grid.iter().map(|&t| law.expected_error(t)).collect();
        assert_eq!(pick(GENERATIONS, THEORY_TEST_ERROR), exact);
        assert_eq!(pick(GENERATIONS, THEORY_LOST_MASS), vec![law.lost_mass()]);
        let mixed = Zipf::new(2000, 2.0, Tail::Mixed { k: 50, pi: 0.1 });
        let exact: Vec<f64> = grid.iter().map(|&t| mixed.expected_error(t)).collect();
        assert_eq!(pick(MIXED, THEORY_TEST_ERROR), exact);
        for (name, bad, range) in [
            ("clean_fraction", "1.5", "[0, 1]"),
            ("generations", "-1", "[0, 1000]"),
            ("generator_samples", "0", "[1, 100000]"),
        ] {
            let err = x.configure_with(&[(name, bad)]).unwrap_err().to_string();
            assert!(err.contains(name) && err.contains(range), "{err}");
        }
    }

    #[test]
    fn extreme_inputs_give_finite_numbers_or_are_refused() {
        let cases: &[&[(&str, &str)]] = &[
            &[
                ("items", "10"),
                ("cut", "1"),
                ("replicates", "3"),
                ("points", "3"),
            ],
            &[
                ("items", "10"),
                ("cut", "10"),
                ("samples_min", "1"),
                ("samples_max", "1"),
                ("replicates", "3"),
            ],
            &[
                ("items", "1000"),
                ("cut", "10"),
                ("exponent", "1.05"),
                ("narrowed_exponent", "1.06"),
                ("replicates", "2"),
                ("points", "3"),
            ],
            &[
                ("items", "1000"),
                ("cut", "10"),
                ("exponent", "6"),
                ("narrowed_exponent", "12"),
                ("replicates", "2"),
                ("points", "3"),
            ],
            &[
                ("items", "1000"),
                ("cut", "10"),
                ("samples_max", "1e8"),
                ("replicates", "2"),
                ("points", "3"),
                ("clean_fraction", "1"),
            ],
            &[
                ("items", "1000"),
                ("cut", "10"),
                ("generations", "5"),
                ("generator_samples", "1"),
                ("replicates", "3"),
                ("points", "2"),
            ],
            &[
                ("items", "1000"),
                ("cut", "10"),
                ("generations", "1000"),
                ("generator_samples", "30"),
                ("replicates", "2"),
                ("points", "2"),
            ],
            // Refused.
            &[("items", "10"), ("cut", "11")],
            &[("exponent", "3"), ("narrowed_exponent", "3")],
            &[("samples_min", "10"), ("samples_max", "9")],
        ];
        assert_eq!(
            crate::experiments::finite_or_refused(RegressionTails, cases),
            7
        );
    }
}
