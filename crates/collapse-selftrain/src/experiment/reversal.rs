//! The `selftrain-reversal` experiment: its parameters, its typed configuration and its run.

use super::report::Tally;
use crate::eval::{Baseline, evaluate};
use crate::model::{Population, PopulationSpec};
use crate::names::Metric;
use crate::train::{Schedule, SelfTrain, TrainConfig};
use collapse_core::chain::ChainError;
use collapse_core::policy::{Mode, mode_param};
use collapse_core::{
    Cost, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError, ParamSpec, Params,
    RunContext, RunOutput, RunView,
};
use rand::Rng as _;

/// The experiment's id.
pub const ID: &str = "selftrain-reversal";

collapse_core::choice! {
    /// Where each round's training starts.
    pub enum Init {
        /// From the previous model M_{t−1} (Wu et al.).
        Continual = "continual",
        /// From the base model every round (STaR, ReST-EM).
        Restart = "restart",
    }
}

collapse_core::choice! {
    /// The reference policy of DPO.
    pub enum Reference {
        /// The previous model M_{t−1}.
        Previous = "previous",
        /// The base model.
        Base = "base",
    }
}

collapse_core::choice! {
    /// How an SFT round fits.
    pub enum Fit {
        /// `steps` gradient steps.
        Gradient = "gradient",
        /// θ = ln(pooled kept counts), the exact MLE of a shared-only policy.
        Converge = "converge",
    }
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int(
            "iterations",
            5,
            1,
            1000,
            "iterations T; iteration 1 is the model before self-training (M_1)",
        ),
        ParamSpec::int(
            "samples",
            50,
            1,
            100_000,
            "N: answers sampled per training question per round",
        ),
        ParamSpec::float(
            "temperature",
            0.75,
            0.01,
            10.0,
            "sampling temperature τ (also the evaluation temperature of the sampled metrics)",
        ),
        ParamSpec::int(
            "strategies",
            16,
            4,
            250,
            "candidate strategies per question S (1 shortcut, S/4 general, S/4 rare, the rest errors)",
        ),
        ParamSpec::int("train_questions", 2000, 1, 10_000_000, "training questions"),
        ParamSpec::int(
            "test_questions",
            2000,
            1,
            10_000_000,
            "in-distribution test questions",
        ),
        ParamSpec::int(
            "ood_questions",
            2000,
            1,
            10_000_000,
            "out-of-distribution test questions",
        ),
        ParamSpec::float(
            "shortcut_logit",
            1.5,
            -50.0,
            50.0,
            "base shared logit of the shortcut strategy",
        ),
        ParamSpec::float(
            "general_logit",
            0.0,
            -50.0,
            50.0,
            "base shared logit of the general strategies",
        ),
        ParamSpec::float(
            "rare_logit",
            0.0,
            -50.0,
            50.0,
            "base shared logit of the rare strategies",
        ),
        ParamSpec::float(
            "error_logit",
            0.0,
            -50.0,
            50.0,
            "base shared logit of the error strategies",
        ),
        ParamSpec::text(
            "level_weights",
            "0.2,0.2,0.2,0.2,0.2",
            "in-distribution probabilities of difficulty levels 1..5 (five non-negative numbers, normalised)",
        ),
        ParamSpec::float(
            "phi_scale",
            1.5,
            0.0,
            100.0,
            "sd of the fixed per-question logits φ⁰_q",
        ),
        ParamSpec::int("steps", 20, 0, 100_000, "gradient steps per round"),
        ParamSpec::float("lr", 1.0, 0.0, 1000.0, "SFT learning rate"),
        ParamSpec::float("dpo_lr", 2.0, 0.0, 1000.0, "DPO learning rate"),
        ParamSpec::float("beta", 0.1, 1e-6, 1000.0, "DPO β"),
        ParamSpec::int(
            "pairs",
            1,
            1,
            1000,
            "DPO pairs per question (where a correct and an incorrect sample exist)",
        ),
        ParamSpec::float(
            "phi_rate",
            0.1,
            0.0,
            100.0,
            "learning-rate ratio of per-question logits to shared ones (memorisation)",
        ),
        ParamSpec::choice_of(
            "init",
            Init::Continual,
            "continue from M_{t-1} (Wu et al.) or restart from the base each round (STaR, ReST-EM)",
        ),
        ParamSpec::choice_of(
            "reference",
            Reference::Previous,
            "DPO reference policy: M_{t-1} or the base",
        ),
        ParamSpec::choice_of(
            "fit",
            Fit::Gradient,
            "gradient steps, or θ = ln(pooled kept counts) for SFT rounds (the exact MLE of a shared-only policy, i.e. with phi_scale = 0)",
        ),
        mode_param("sampled rounds (N draws per question) or exact expected updates"),
        ParamSpec::float(
            "kappa",
            0.5,
            0.0,
            1.0,
            "similarity of two strategies of the same role in the kernel diversity",
        ),
        ParamSpec::int(
            "replicates",
            8,
            1,
            100_000,
            "independent populations and runs",
        ),
    ]
}

/// Parses `level_weights`: five non-negative numbers with a positive sum, normalised.
fn level_weights(text: &str) -> Result<[f64; 5], ParamError> {
    let v = collapse_core::params::parse_grid("level_weights", text)?;
    let bad = || {
        ParamError::conflict(
            "level_weights",
            format!("`{text}`: valid range: five non-negative numbers with a positive sum"),
        )
    };
    if v.len() != 5 || v.iter().any(|x| *x < 0.0) {
        return Err(bad());
    }
    let s: f64 = v.iter().sum();
    if s <= 0.0 {
        return Err(bad());
    }
    Ok([v[0] / s, v[1] / s, v[2] / s, v[3] / s, v[4] / s])
}

/// The largest number of (question, strategy) cells a replicate's population may hold.
const MAX_CELLS: f64 = 2e8;

/// The resolved configuration of a run.
#[derive(Clone, Debug)]
pub struct ReversalConfig {
    /// How each replicate's population is drawn.
    pub population: PopulationSpec,
    /// How every series trains; its `schedule` is set per series ([`ReversalConfig::training`]).
    pub training: TrainConfig,
    /// Iterations T (iteration 1 is the base model, so T − 1 self-training rounds).
    pub iterations: u64,
    /// Sampled rounds (`true`) or exact expected updates.
    pub finite: bool,
    /// Same-role similarity of the kernel diversity.
    pub kappa: f64,
    /// Independent populations and runs.
    pub replicates: u64,
}

impl ReversalConfig {
    /// Checks the combination of parameters once and builds the configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let level_weights = level_weights(p.text("level_weights"))?;
        let (train, test, ood) = (
            p.usize("train_questions"),
            p.usize("test_questions"),
            p.usize("ood_questions"),
        );
        let strategies = p.usize("strategies");
        let cells = (train + test + ood) as f64 * strategies as f64;
        if cells > MAX_CELLS {
            return Err(ParamError::conflict(
                "train_questions",
                format!(
                    "questions × strategies = {cells:.3e} exceeds 2e8; valid range: (train + test + ood) · strategies <= 2e8"
                ),
            ));
        }
        let mut population =
            PopulationSpec::reversal(strategies, train, test, ood, p.float("phi_scale"));
        population.level_weights = level_weights;
        population.role_logits = [
            p.float("shortcut_logit"),
            p.float("general_logit"),
            p.float("rare_logit"),
            p.float("error_logit"),
        ];
        let mode: Mode = p.choice("mode");
        Ok(Self {
            population,
            training: TrainConfig {
                schedule: Schedule::Sft,
                tau: p.float("temperature"),
                samples: p.usize("samples"),
                steps: p.usize("steps"),
                lr: p.float("lr"),
                dpo_lr: p.float("dpo_lr"),
                beta: p.float("beta"),
                pairs: p.usize("pairs"),
                restart: p.choice::<Init>("init") == Init::Restart,
                reference_base: p.choice::<Reference>("reference") == Reference::Base,
                converge: p.choice::<Fit>("fit") == Fit::Converge,
                phi_rate: p.float("phi_rate"),
            },
            iterations: p.int("iterations") as u64,
            finite: mode.finite(),
            kappa: p.float("kappa"),
            replicates: p.int("replicates") as u64,
        })
    }

    /// The training of one series.
    pub fn training(&self, schedule: Schedule) -> TrainConfig {
        TrainConfig {
            schedule,
            ..self.training
        }
    }

    /// Runs replicate `r` from its stream `rng`: draws one population and trains every series
    /// of [`Schedule::ALL`] on it, calling `observe(series, t, metric, value)` with `series`
    /// the index in [`Schedule::ALL`] and `t` the iteration (1 = before self-training).
    pub fn run_replicate(
        &self,
        r: u64,
        rng: &mut collapse_core::Rng,
        mut observe: impl FnMut(usize, u64, Metric, f64),
    ) -> Result<(), ChainError> {
        let pop = Population::draw(&self.population, rng);
        let (tau, n) = (self.training.tau, self.training.samples);
        for (k, (schedule, series)) in Schedule::ALL.into_iter().enumerate() {
            let fam = SelfTrain::new(&pop, self.training(schedule));
            let base = Baseline::of(&pop, &fam.base, tau);
            // Each series trains from its own stream so that the series do not share draws by
            // accident of order; the evaluation draws are separate again.
            let mut train_rng = collapse_core::rng::stream(rng.next_u64(), series, r);
            let mut eval_rng = collapse_core::rng::stream(rng.next_u64(), series, r);
            fam.run(
                self.iterations - 1,
                self.finite,
                &mut train_rng,
                |t, pol| {
                    for (m, v) in
                        evaluate(&pop, pol, &base, tau, n, self.kappa, Some(&mut eval_rng))
                    {
                        observe(k, t, m, v);
                    }
                },
            )?;
        }
        Ok(())
    }
}

/// `selftrain-reversal`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reversal;

impl Experiment for Reversal {
    type Config = ReversalConfig;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "Self-improvement reversal: iterative SFT / DPO / SFT-DPO of a categorical policy on its own filtered answers"
    }
    fn about(&self) -> &'static str {
        "Questions × candidate strategies; logits θ (shared) + φ_q (per question); training, in-distribution test and \
OOD questions with difficulty levels. Each round samples N answers per training question at temperature τ, keeps the correct \
ones (SFT) or (correct, incorrect) pairs (DPO, β, reference policy) and takes gradient steps, continuing from M_{t-1} or \
restarting from the base. Series sft, dpo, sft-dpo (alternating, DPO first); step = iteration (1 = before self-training). \
Metrics: pass_1 (greedy, test), sampled_pass_1, pass_2..pass_64 (exact), pass_16_estimated (unbiased estimator from N draws), \
entropy, distinct (expected distinct strategies among N samples), distinct_correct, distinct_incorrect, kernel_diversity, \
coverage (mass on correct answers, training questions), improvement_size and is_base_pass_N (M_1's pass@N on the improvement \
set), acc_level_1..5, disparity ((L1 − L5)/L1), ood_pass_1, ood_sampled_pass_1, ood_pass_64. Prints a table beside the \
paper's reported directions."
    }
    fn params(&self) -> Vec<ParamSpec> {
        params()
    }
    fn configure(&self, p: &Params) -> Result<ReversalConfig, ParamError> {
        ReversalConfig::from_params(p)
    }
    fn work(&self, c: &ReversalConfig) -> u64 {
        c.replicates
    }
    fn cost(&self, c: &ReversalConfig) -> Cost {
        let s = c.population.strategies as f64;
        let (train, test, ood) = (
            c.population.train as f64,
            c.population.test as f64,
            c.population.ood as f64,
        );
        // The population: correctness and fixed logits (8 bytes each) per cell.
        let population = 16.0 * (train + test + ood) * s;
        // The policies alive in a round (the current one, the base, the round's start, the
        // trained copy) each hold φ for every training cell.
        let policies = 4.0 * 8.0 * train * s;
        // A round's data, twice while the chunks are assembled: SFT counts per training cell,
        // or DPO pairs of 24 bytes (`pairs` a question when sampled, every correct × incorrect
        // pair, at most S²/4, in the exact mode).
        let pairs = if c.finite {
            c.training.pairs as f64
        } else {
            s * s / 4.0
        };
        let data = 2.0 * (8.0 * train * s).max(24.0 * train * pairs);
        // Evaluation: M₁'s baseline and per-question probabilities of the test questions.
        let eval = 24.0 * test;
        let per_replicate = population + policies + data + eval;
        let threads = rayon::current_num_threads() as f64;
        // The report's tally: 18 (series, metric) pairs at two iterations, 32 bytes each.
        let tally = c.replicates as f64 * 36.0 * 32.0;
        Cost {
            records: c.replicates as f64
                * Schedule::ALL.len() as f64
                * c.iterations as f64
                * Metric::ALL.len() as f64,
            memory: per_replicate * threads + tally,
        }
    }
    fn run(&self, c: &ReversalConfig, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let series = Schedule::ALL.map(|(_, s)| Name::new(s));
        let metrics = Metric::ALL.map(|m| Name::new(m.name()));
        let rows_per_replicate = series.len() * c.iterations as usize * metrics.len();
        let tally = Tally::new(c.iterations);
        ctx.replicates("", c.replicates, |r, rng, rows| {
            rows.reserve(rows_per_replicate);
            c.run_replicate(r, rng, |k, t, m, v| {
                rows.push(series[k], t, metrics[m.index()], v);
            })?;
            tally.add(r, rows.as_slice());
            Ok::<(), ChainError>(())
        })?;
        Ok(RunOutput {
            theory: Vec::new(),
            report: Some(tally.report().text),
        })
    }
    fn figure(
        &self,
        _: &ReversalConfig,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        Some(Ok(Box::new(crate::figures::reversal::run_figure(run))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::records::sort_records;
    use collapse_core::sink::MemorySink;
    use collapse_core::{DynExperiment, Shard};

    fn small() -> Vec<(&'static str, &'static str)> {
        vec![
            ("train_questions", "300"),
            ("test_questions", "200"),
            ("ood_questions", "200"),
            ("replicates", "3"),
        ]
    }

    #[test]
    fn reversal_is_deterministic_across_thread_counts_and_shards() {
        let x = DynExperiment::new(Reversal)
            .configure_with(&small())
            .unwrap();
        let a = x.collect(7).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| x.collect(7)).unwrap();
        assert_eq!(a.records, b.records);
        assert_eq!(a.report, b.report);
        let mut merged = Vec::new();
        for i in 0..2 {
            let mut mem = MemorySink::new();
            let ctx = RunContext::new(7, ID)
                .with_shard(Shard { index: i, count: 2 })
                .with_sink(&mut mem);
            x.run(&ctx).unwrap();
            drop(ctx);
            merged.extend(mem.into_records());
        }
        sort_records(&mut merged);
        assert_eq!(a.records, merged);
    }

    #[test]
    fn improvement_set_lies_within_the_base_models_pass_at_64() {
        let run = DynExperiment::new(Reversal)
            .configure_with(&small())
            .unwrap()
            .collect(3)
            .unwrap();
        for series in [crate::names::SFT, crate::names::DPO, crate::names::SFT_DPO] {
            let v = |m: &str| {
                run.summary
                    .iter()
                    .find(|r| r.series == series && r.step == 5 && r.metric == m)
                    .unwrap()
                    .mean
            };
            let is_64 = v(Metric::IsBasePass64.name());
            assert!(v(Metric::ImprovementSize.name()) > 0.05, "{series}");
            assert!(is_64 > 0.95, "{series}: {is_64}");
            assert!(v(Metric::IsBasePass2.name()) < is_64);
        }
    }

    #[test]
    fn both_modes_and_options_run_without_nan() {
        for extra in [
            vec![("mode", "infinite")],
            vec![("init", "restart"), ("reference", "base")],
            vec![("fit", "converge"), ("phi_scale", "0")],
            vec![
                ("strategies", "4"),
                ("samples", "1"),
                ("temperature", "0.01"),
            ],
        ] {
            let mut sets = small();
            sets.extend(extra.clone());
            let run = DynExperiment::new(Reversal)
                .configure_with(&sets)
                .unwrap()
                .collect(1)
                .unwrap();
            assert!(run.records.iter().all(|r| r.value.is_finite()), "{extra:?}");
        }
    }

    #[test]
    fn bad_parameters_are_refused_with_the_range() {
        let x = DynExperiment::new(Reversal);
        let e = x
            .resolve(None, &[("level_weights".into(), "1,2".into())])
            .unwrap_err()
            .to_string();
        assert!(e.contains("level_weights") && e.contains("five"), "{e}");
        let e = x
            .resolve(None, &[("strategies".into(), "3".into())])
            .unwrap_err()
            .to_string();
        assert!(e.contains("strategies") && e.contains("[4, 250]"), "{e}");
    }
}
