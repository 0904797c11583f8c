//! The `selftrain-reversal` experiment: its parameters, its typed configuration and its run.

use super::report::Tally;
use crate::calibration::defaults;
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
            defaults::SHORTCUT_LOGIT,
            -50.0,
            50.0,
            "base shared logit of the shortcut strategy (its head start; calibrated to M₁'s pass@1)",
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
            "1,1,1,0,0",
            "in-distribution weights of difficulty levels 1..5 (five finite non-negative numbers with a positive sum, normalised)",
        ),
        ParamSpec::text(
            "ood_level_weights",
            "437,894,1131,1214,1324",
            "out-of-distribution weights of levels 1..5 (default: the MATH test set's level counts, as recalled; normalised like level_weights)",
        ),
        ParamSpec::float(
            "ood_transfer",
            defaults::OOD_TRANSFER,
            0.0,
            1.0,
            "factor on P(correct) of the shortcut and general strategies out of distribution (rare strategies keep theirs; calibrated to M₁'s OOD pass@1). 1 is the placebo: OOD questions scored exactly like in-distribution questions of their level",
        ),
        ParamSpec::float(
            "gold_boost",
            defaults::GOLD_BOOST,
            0.0,
            50.0,
            "M₁'s extra logit on the correct strategies of each training question (its fit to the gold answers; calibrated to M₁'s coverage)",
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

/// Parses a list of five level weights: finite, non-negative, with a positive sum; normalised.
/// The weights are first divided by their largest, so that no sum overflows (`1e308` five times
/// is five equal weights, not a division by infinity).
pub fn level_weights(name: &str, text: &str) -> Result<[f64; 5], ParamError> {
    let bad = |why: &str| {
        ParamError::conflict(
            name,
            format!(
                "{why} in `{text}`; valid range: five finite non-negative numbers with a positive sum"
            ),
        )
    };
    let v: Vec<f64> = collapse_core::params::parse_list(name, text, "five non-negative numbers")?;
    if v.len() != 5 {
        return Err(bad(&format!("{} numbers", v.len())));
    }
    if v.iter().any(|x| !x.is_finite() || *x < 0.0) {
        return Err(bad("a negative or non-finite weight"));
    }
    let max = v.iter().copied().fold(0.0, f64::max);
    if max <= 0.0 {
        return Err(bad("all weights zero"));
    }
    let scaled: Vec<f64> = v.iter().map(|x| x / max).collect();
    let sum: f64 = scaled.iter().sum();
    Ok([0, 1, 2, 3, 4].map(|i| scaled[i] / sum))
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
        let id_levels = level_weights("level_weights", p.text("level_weights"))?;
        let ood_levels = level_weights("ood_level_weights", p.text("ood_level_weights"))?;
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
        population.level_weights = id_levels;
        population.ood_level_weights = ood_levels;
        population.gold_boost = p.float("gold_boost");
        let t = p.float("ood_transfer");
        population.ood_transfer = [t, t, 1.0];
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

    /// How many metrics an iteration emits at most: every metric but the level accuracies of
    /// levels without weight (and the disparities that need them), the improvement set at
    /// iteration 1 (it is empty there), and the pass@16 estimate when N < 16.
    pub fn metrics_at(&self, t: u64) -> usize {
        let levels = |w: &[f64; 5]| {
            w.iter().filter(|x| **x > 0.0).count() + usize::from(w[0] > 0.0 && w[4] > 0.0)
        };
        let always = Metric::ALL.len() - 2 * 6 - crate::eval::IS_KS.len() - 1;
        always
            + levels(&self.population.level_weights)
            + levels(&self.population.ood_level_weights)
            + if t > 1 { crate::eval::IS_KS.len() } else { 0 }
            + usize::from(self.training.samples >= 16)
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
        "Questions × candidate strategies; logits θ (shared) + φ_q (per question); training and in-distribution test \
questions of levels 1–3 (level_weights) and OOD questions of levels 1–5 (ood_level_weights, MATH's proportions) on which the \
shortcut and general strategies solve with probability ood_transfer times their in-distribution rate. The defaults are \
calibrated to the paper's M₁ (Mistral-7B, GSM8K → MATH): pass@1 by shortcut_logit, coverage by gold_boost, OOD pass@1 by \
ood_transfer. Each round samples N answers per training question at temperature τ, keeps the correct ones (SFT) or \
(correct, incorrect) pairs (DPO, β, reference policy) and takes gradient steps, continuing from M_{t-1} or restarting from \
the base. Series sft, dpo, sft-dpo (alternating, DPO first); step = iteration (1 = before self-training). Metrics: pass_1 \
(greedy, test), sampled_pass_1, pass_2..pass_64 (exact), pass_16_estimated (unbiased estimator from N draws), entropy, \
distinct (expected distinct strategies among N samples), distinct_correct, distinct_incorrect, kernel_diversity, coverage \
(mass on correct answers, training questions), improvement_size and is_base_pass_N (M_1's pass@N on the improvement set), \
acc_level_L and disparity ((L1 − L5)/L1) over the test levels with questions, ood_pass_1, ood_acc_level_L, ood_disparity, \
ood_sampled_pass_1, ood_pass_64. Prints M₁ beside the paper's, the paper's 18 directions beside the model's changes, the \
pass@1 time course beside the paper's curve and the coverage rule."
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
        // The population: correctness and fixed logits (8 bytes each) per cell, a level byte
        // per question.
        let population = 16.0 * (train + test + ood) * s + train + test + ood;
        // Policies hold φ for every training cell. Alive at once in a sampled round: the
        // chain's truth and current model, the family's base, the round data's copy of the
        // model it was sampled from, and the model being trained; the exact mode's loop also
        // keeps every earlier model.
        let kept = if c.finite { 0.0 } else { c.iterations as f64 };
        let policies = (5.0 + kept) * 8.0 * (train * s + s);
        // A round's data, twice while the chunks are assembled: SFT counts per training cell,
        // or DPO pairs of 16 bytes and an offset per question (`pairs` a question when sampled,
        // every correct × incorrect pair, at most S²/4, in the exact mode).
        let pairs = if c.finite {
            c.training.pairs as f64
        } else {
            s * s / 4.0
        };
        let data = 2.0 * (8.0 * train * s).max(16.0 * train * pairs + 8.0 * train);
        // Evaluation: M₁'s greedy answers and success probabilities, the per-question
        // probabilities of the evaluated policy, per test question.
        let eval = 17.0 * test;
        let per_replicate = population + policies + data + eval;
        let threads = (rayon::current_num_threads() as f64).min(c.replicates as f64);
        let tally = Tally::bytes(c.replicates, Schedule::ALL.len(), c.iterations);
        Cost {
            records: c.replicates as f64
                * Schedule::ALL.len() as f64
                * (1..=c.iterations)
                    .map(|t| c.metrics_at(t) as f64)
                    .sum::<f64>(),
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
            vec![("iterations", "1")],
            vec![("iterations", "2"), ("ood_transfer", "0")],
            vec![
                ("shortcut_logit", "50"),
                ("temperature", "0.01"),
                ("gold_boost", "50"),
            ],
            vec![
                ("level_weights", "0,0,0,0,1"),
                ("ood_level_weights", "1,0,0,0,0"),
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
            let report = run.report.unwrap_or_default();
            assert!(
                !report.contains("NaN") && !report.contains("inf"),
                "{extra:?}: {report}"
            );
        }
    }

    #[test]
    fn the_cost_counts_the_records_a_run_emits() {
        for extra in [
            vec![],
            vec![("level_weights", "1,1,1,1,1"), ("samples", "8")],
        ] {
            let mut sets = small();
            sets.extend(extra.clone());
            let c = DynExperiment::new(Reversal).configure_with(&sets).unwrap();
            let run = c.collect(2).unwrap();
            assert_eq!(c.cost().records, run.records.len() as f64, "{extra:?}");
        }
        // The exact mode keeps every model: its memory grows with the iterations.
        let x = DynExperiment::new(Reversal);
        let mem = |t: &str| {
            x.configure_with(&[("mode", "infinite"), ("iterations", t)])
                .unwrap()
                .cost()
                .memory
        };
        assert!(
            mem("1000") > 20.0 * mem("5"),
            "{} {}",
            mem("1000"),
            mem("5")
        );
    }

    #[test]
    fn extreme_level_weights_normalise_without_overflow() {
        let c = DynExperiment::new(Reversal)
            .configure_with(&[("level_weights", "1e308,1e308,1e308,1e308,1e308")])
            .unwrap();
        let cfg = c.config::<ReversalConfig>().unwrap();
        assert_eq!(cfg.population.level_weights, [0.2; 5]);
        let w = level_weights("w", "1e-320, 0, 0, 0, 1e-320").unwrap();
        assert_eq!(w, [0.5, 0.0, 0.0, 0.0, 0.5]);
        // Every question of a run with weight only on level 2 is a level-2 question.
        let pop = Population::draw(
            &PopulationSpec {
                level_weights: level_weights("w", "0,1e308,0,0,0").unwrap(),
                ..PopulationSpec::reversal(16, 500, 500, 10, 1.5)
            },
            &mut collapse_core::check::check_stream("t", 0),
        );
        assert!(
            pop.train
                .level
                .iter()
                .chain(&pop.test.level)
                .all(|&l| l == 2)
        );
    }

    #[test]
    fn bad_parameters_are_refused_with_the_range() {
        let x = DynExperiment::new(Reversal);
        for bad in [
            "1,2,3,4",
            "1,2,3,4,5,6",
            "1,,1,1,1",
            "1,1,1,1,",
            "-1,1,1,1,1",
            "nan,1,1,1,1",
            "inf,1,1,1,1",
            "0,0,0,0,0",
            "0.1:0.3:5",
            "a,1,1,1,1",
        ] {
            for name in ["level_weights", "ood_level_weights"] {
                let e = x
                    .resolve(None, &[(name.into(), bad.into())])
                    .unwrap_err()
                    .to_string();
                assert!(e.contains(name) && e.contains("five"), "{bad}: {e}");
            }
        }
        let e = x
            .resolve(None, &[("strategies".into(), "3".into())])
            .unwrap_err()
            .to_string();
        assert!(e.contains("strategies") && e.contains("[4, 250]"), "{e}");
    }
}
