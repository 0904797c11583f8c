//! The `selftrain-curated` experiment: its parameters, its typed configuration and its run.

use crate::curated::{CatModel, Curated, METRIC_NAMES};
use crate::names::{CURATED, CURATED_REAL, THEORY_ENTROPY, THEORY_REWARD, THEORY_TOP_MASS};
use collapse_core::chain::ChainError;
use collapse_core::policy::{Mode, mode_param};
use collapse_core::{
    Cost, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError, ParamSpec, Params,
    RunContext, RunOutput, RunView, TheoryRow,
};

/// The experiment's id.
pub const ID: &str = "selftrain-curated";

collapse_core::choice! {
    /// How the kept sample is chosen among the K candidates.
    pub enum Curation {
        /// Bradley–Terry choice: probability ∝ exp(reward).
        Soft = "soft",
        /// Uniformly among the highest-reward candidates.
        Hard = "hard",
    }
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int(
            "categories",
            50,
            2,
            100_000,
            "categories of the data distribution (Zipf)",
        ),
        ParamSpec::float(
            "exponent",
            1.0,
            0.0,
            10.0,
            "Zipf exponent of the data distribution p_data(i) ∝ i^(−exponent)",
        ),
        ParamSpec::int(
            "levels",
            5,
            2,
            12,
            "distinct reward levels; category i has reward gamma·((i−1) mod levels)/(levels−1)",
        ),
        ParamSpec::float(
            "gamma",
            2.0,
            0.0,
            50.0,
            "reward scale γ (Bradley–Terry temperature)",
        ),
        ParamSpec::choice_of(
            "curation",
            Curation::Soft,
            "Bradley–Terry choice, or keep uniformly among the best candidates",
        ),
        ParamSpec::int("k", 4, 1, 64, "candidates per curated choice K"),
        ParamSpec::int("rounds", 30, 0, 100_000, "retraining rounds"),
        ParamSpec::int("samples", 1000, 1, 100_000_000, "curated samples per round"),
        ParamSpec::float(
            "real_fraction",
            0.2,
            0.0,
            1.0,
            "fraction of fresh real data in series curated-real",
        ),
        mode_param("sampled rounds or the exact expected update p H^K_p"),
        ParamSpec::int("replicates", 50, 1, 1_000_000, "independent loops"),
    ]
}

/// The resolved configuration of a run.
#[derive(Clone, Debug)]
pub struct CuratedConfig {
    /// The loop: data distribution, rewards, K, hard or soft curation.
    pub curated: Curated,
    /// Retraining rounds.
    pub rounds: u64,
    /// Curated samples per round.
    pub samples: usize,
    /// Fraction of fresh real data in series `curated-real`.
    pub real_fraction: f64,
    /// Sampled rounds (`true`) or the exact expected update.
    pub finite: bool,
    /// Independent loops.
    pub replicates: u64,
}

/// The largest number of competitor configurations the exact update may enumerate.
const MAX_ENUMERATION: f64 = 2e6;

impl CuratedConfig {
    /// Checks the combination of parameters once and builds the configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let (n, l, k) = (p.usize("categories"), p.usize("levels"), p.usize("k"));
        let size = Curated::enumeration_size(k, l.min(n));
        if size > MAX_ENUMERATION {
            return Err(ParamError::conflict(
                "k",
                format!(
                    "the exact update enumerates {size:.3e} competitor configurations; valid range: C(k+levels−2, levels−1) <= 2e6"
                ),
            ));
        }
        let (samples, rounds) = (p.usize("samples"), p.int("rounds") as u64);
        if n as f64 * samples as f64 * k as f64 * rounds.max(1) as f64 > 1e12 {
            return Err(ParamError::conflict(
                "samples",
                "samples · k · rounds · categories must be <= 1e12",
            ));
        }
        let e = p.float("exponent");
        let w: Vec<f64> = (1..=n).map(|i| (i as f64).powf(-e)).collect();
        let z: f64 = w.iter().sum();
        let g = p.float("gamma");
        let mode: Mode = p.choice("mode");
        Ok(Self {
            curated: Curated {
                p0: w.iter().map(|x| x / z).collect(),
                reward: (0..n)
                    .map(|i| g * (i % l) as f64 / (l - 1) as f64)
                    .collect(),
                k,
                hard: p.choice::<Curation>("curation") == Curation::Hard,
            },
            rounds,
            samples,
            real_fraction: p.float("real_fraction"),
            finite: mode.finite(),
            replicates: p.int("replicates") as u64,
        })
    }

    /// The series and the fraction of real data each runs with.
    pub fn series(&self) -> [(&'static str, f64); 2] {
        [(CURATED, 0.0), (CURATED_REAL, self.real_fraction)]
    }

    /// Runs one loop of every series from the replicate's stream `rng` (the series one after
    /// the other), calling `observe(series, g, model)` with `series` the index in
    /// [`CuratedConfig::series`].
    pub fn run_replicate(
        &self,
        rng: &mut collapse_core::Rng,
        mut observe: impl FnMut(usize, u64, &CatModel),
    ) -> Result<(), ChainError> {
        for (k, (_, lambda)) in self.series().into_iter().enumerate() {
            self.curated.run(
                self.rounds,
                self.samples,
                lambda,
                self.finite,
                rng,
                |g, m| observe(k, g, m),
            )?;
        }
        Ok(())
    }

    /// The exact expected-update path (infinite samples) of each series: `theory_reward`,
    /// `theory_entropy` and `theory_top_mass` by round.
    pub fn theory(&self) -> Result<Vec<TheoryRow>, ChainError> {
        let [reward, entropy, top] =
            [THEORY_REWARD, THEORY_ENTROPY, THEORY_TOP_MASS].map(Name::new);
        let mut rows = Vec::new();
        for (name, lambda) in self.series() {
            let series = Name::new(name);
            let row = |step, metric, value| TheoryRow {
                series,
                step,
                metric,
                value,
            };
            // The exact update draws nothing: any stream will do.
            let mut rng = collapse_core::rng::stream(0, "unused", 0);
            self.curated.run(
                self.rounds,
                self.samples,
                lambda,
                false,
                &mut rng,
                |g, m| {
                    let v = self.curated.metrics(m);
                    rows.push(row(g, reward, v.reward));
                    rows.push(row(g, entropy, v.entropy));
                    rows.push(row(g, top, v.top_mass));
                },
            )?;
        }
        Ok(rows)
    }
}

/// `selftrain-curated`.
#[derive(Clone, Copy, Debug, Default)]
pub struct CuratedLoop;

impl Experiment for CuratedLoop {
    type Config = CuratedConfig;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "Curated retraining (Ferbach et al.): K samples, Bradley–Terry choice, with and without real data"
    }
    fn about(&self) -> &'static str {
        "A categorical model retrained each round on curated samples of itself: K candidates are drawn and one is kept \
with probability ∝ exp(reward) (or uniformly among the best, curation=hard). Generation 0 is the data distribution, generation \
1 the model fitted on real data, later generations on curated samples; series curated (pure loop) and curated-real (a fraction \
real_fraction of fresh real data each round). Metrics: reward, exp_reward, entropy, top_mass (mass on the reward maximisers), \
kl_to_limit (KL from the data restricted to the maximisers); theory_reward / theory_entropy / theory_top_mass follow the exact \
expected update p H^K_p."
    }
    fn params(&self) -> Vec<ParamSpec> {
        params()
    }
    fn configure(&self, p: &Params) -> Result<CuratedConfig, ParamError> {
        CuratedConfig::from_params(p)
    }
    fn work(&self, c: &CuratedConfig) -> u64 {
        c.replicates
    }
    fn cost(&self, c: &CuratedConfig) -> Cost {
        let n = c.curated.p0.len() as f64;
        let series = c.series().len() as f64;
        let steps = c.rounds as f64 + 1.0;
        // Per worker: the loop's data distribution and rewards, the current and the real model,
        // the round's counts and the exact update's buffers, a few vectors of `categories`.
        let per_worker = 8.0 * 8.0 * n;
        Cost {
            records: c.replicates as f64 * series * steps * METRIC_NAMES.len() as f64,
            memory: per_worker * rayon::current_num_threads() as f64 + series * steps * 3.0 * 24.0,
        }
    }
    fn run(&self, c: &CuratedConfig, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let series = c.series().map(|(s, _)| Name::new(s));
        let metrics = METRIC_NAMES.map(Name::new);
        let rows_per_replicate = series.len() * (c.rounds as usize + 1) * metrics.len();
        ctx.replicates("", c.replicates, |_, rng, rows| {
            rows.reserve(rows_per_replicate);
            c.run_replicate(rng, |k, g, m| {
                for (&name, v) in metrics.iter().zip(c.curated.metrics(m).values()) {
                    rows.push(series[k], g, name, v);
                }
            })
        })?;
        Ok(RunOutput {
            theory: c.theory()?,
            report: None,
        })
    }
    fn figure(
        &self,
        _: &CuratedConfig,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        Some(Ok(Box::new(crate::figures::curated::run_figure(run))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::{Collected, DynExperiment};

    fn collect(sets: &[(&str, &str)]) -> Collected {
        DynExperiment::new(CuratedLoop)
            .configure_with(sets)
            .unwrap()
            .collect(1)
            .unwrap()
    }

    /// The theory value of `metric` in `series` at round `g`.
    fn theory(run: &Collected, series: &str, g: u64, metric: &str) -> f64 {
        run.theory
            .iter()
            .find(|r| r.series == series && r.step == g && r.metric == metric)
            .unwrap()
            .value
    }

    #[test]
    fn bad_parameters_are_refused_with_the_range() {
        let e = DynExperiment::new(CuratedLoop)
            .resolve(
                None,
                &[("k".into(), "64".into()), ("levels".into(), "12".into())],
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("`k`"), "{e}");
    }

    #[test]
    fn curated_loop_reaches_the_maximisers_and_real_data_holds_it_back() {
        let run = collect(&[("replicates", "4"), ("rounds", "40")]);
        assert!(theory(&run, CURATED, 40, THEORY_TOP_MASS) > 0.999);
        let top_real = theory(&run, CURATED_REAL, 40, THEORY_TOP_MASS);
        assert!(top_real > 0.5 && top_real < 0.9, "{top_real}");
        assert!(
            theory(&run, CURATED_REAL, 40, THEORY_ENTROPY)
                > theory(&run, CURATED, 40, THEORY_ENTROPY)
        );
        assert!(run.records.iter().all(|r| r.value.is_finite()));
    }

    #[test]
    fn curated_edge_cases_stay_finite() {
        for sets in [
            vec![("k", "1")],
            vec![("gamma", "0")],
            vec![("curation", "hard"), ("mode", "infinite")],
            vec![("samples", "1"), ("real_fraction", "1")],
            vec![("categories", "2"), ("levels", "12"), ("k", "8")],
        ] {
            let mut all = vec![("replicates", "2"), ("rounds", "10")];
            all.extend(sets.clone());
            let run = collect(&all);
            assert!(run.records.iter().all(|r| r.value.is_finite()), "{sets:?}");
            assert!(run.theory.iter().all(|r| r.value.is_finite()), "{sets:?}");
            // K = 1 or γ = 0: curation keeps a plain sample, the exact update is the identity.
            if sets == vec![("k", "1")] || sets == vec![("gamma", "0")] {
                let r = |g| theory(&run, CURATED, g, THEORY_REWARD);
                assert!((r(10) - r(0)).abs() < 1e-12);
            }
        }
    }
}
