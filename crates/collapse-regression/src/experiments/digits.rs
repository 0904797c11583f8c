//! `regression-digits`: ridge regression on random features of the real 8×8 digits, trained on
//! real labels mixed with a fraction of synthetic labels, the test error against the sample
//! size beside the deterministic equivalent of the features' empirical covariance (the
//! analogue of Strong Model Collapse, Fig. 7).

use crate::digits::model::{DigitsModel, ModelError, Target};
use crate::digits::simulation::{DigitsDraw, draw, draw_bytes, model_bytes};
use crate::names::{
    BIAS, TEST_ERROR, THEORY_BIAS, THEORY_FLOOR, THEORY_N, THEORY_TEST_ERROR, THEORY_VARIANCE,
    THEORY_ZETA, VARIANCE, ZETA, fraction_series,
};
use collapse_core::params::parse_list;
use collapse_core::{
    Cost, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError, ParamSpec, Params,
    RunContext, RunOutput, RunView, TheoryRow,
};
use collapse_data::digits::COUNT;
use rayon::prelude::*;

/// The experiment's id.
pub const ID: &str = "regression-digits";

/// The largest sample size.
const MAX_SAMPLES: u64 = 1_000_000_000;

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int(
            "width",
            400,
            1,
            4000,
            "m: number of random ReLU features φ_j(x) = max(0, w_jᵀ(x − x̄))/√m, w_j ~ N(0, I_64)",
        ),
        ParamSpec::int(
            "feature_seed",
            0,
            0,
            1_000_000_000,
            "seed of the feature weights w_j (part of the model: the equivalent is conditional on them; the run's --seed draws the training sets)",
        ),
        ParamSpec::choice_of(
            "target",
            Target::Readout,
            "readout: the least-squares readout of the one-hot labels from the features (realisable); one-hot: the one-hot labels (the features miss a part ρ)",
        ),
        ParamSpec::text(
            "samples",
            "1000,3000,10000,30000,100000,300000,1000000",
            "sample sizes n, drawn with replacement from the 1797 digits: a comma-separated list of integers in [1, 1000000000]",
        ),
        ParamSpec::text(
            "synthetic_fractions",
            "0,0.01,0.1",
            "fractions p2 of synthetic labels, one series each: a comma-separated list of numbers in [0, 1]; n2 = round(p2 n)",
        ),
        ParamSpec::float(
            "quality",
            1.0,
            0.0,
            1e6,
            "c²: the generator's test error E‖g(x) − y(x)‖², its error a random linear function Dᵀφ(x) of the features (0 = perfect synthetic labels)",
        ),
        ParamSpec::float(
            "noise",
            0.1,
            0.0,
            1e6,
            "σ: label noise per output, real and synthetic",
        ),
        ParamSpec::float("lambda", 1e-6, 1e-12, 1e8, "ridge penalty λ"),
        ParamSpec::int(
            "replicates",
            8,
            0,
            1_000_000,
            "training sets per (fraction, n) (0 = theory only)",
        ),
    ]
}

/// The configuration of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct DigitsConfig {
    /// m.
    pub width: usize,
    /// The seed of the feature weights.
    pub feature_seed: u64,
    /// What the features predict.
    pub target: Target,
    /// The sample sizes n, one per step.
    pub samples: Vec<u64>,
    /// The synthetic fractions p2, one per series.
    pub fractions: Vec<f64>,
    /// c².
    pub quality: f64,
    /// σ.
    pub noise: f64,
    /// λ.
    pub lambda: f64,
    /// Training sets per (fraction, n).
    pub replicates: u64,
}

impl DigitsConfig {
    /// Checks the combination of parameters once and parses the lists.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let samples =
            parse_list::<u64>("samples", p.text("samples"), "integers in [1, 1000000000]")?;
        for (i, &n) in samples.iter().enumerate() {
            if !(1..=MAX_SAMPLES).contains(&n) {
                return Err(ParamError::conflict(
                    "samples",
                    format!("each n must be in [1, 1000000000], got {n}"),
                ));
            }
            if samples[..i].contains(&n) {
                return Err(ParamError::conflict(
                    "samples",
                    format!("n = {n} is listed twice (its step would be written twice)"),
                ));
            }
        }
        let fractions = parse_list::<f64>(
            "synthetic_fractions",
            p.text("synthetic_fractions"),
            "numbers in [0, 1]",
        )?;
        for (i, &f) in fractions.iter().enumerate() {
            if !(0.0..=1.0).contains(&f) {
                return Err(ParamError::conflict(
                    "synthetic_fractions",
                    format!("each p2 must be in [0, 1], got {f}"),
                ));
            }
            if fractions[..i]
                .iter()
                .any(|&g| fraction_series(g) == fraction_series(f))
            {
                return Err(ParamError::conflict(
                    "synthetic_fractions",
                    format!("p2 = {f} is listed twice (its series would be written twice)"),
                ));
            }
        }
        Ok(Self {
            width: p.usize("width"),
            feature_seed: p.int("feature_seed") as u64,
            target: p.choice("target"),
            samples,
            fractions,
            quality: p.float("quality"),
            noise: p.float("noise"),
            lambda: p.float("lambda"),
            replicates: p.int("replicates") as u64,
        })
    }

    /// The random-feature model (features, their covariance, the target).
    pub fn model(&self) -> Result<DigitsModel, ModelError> {
        DigitsModel::new(self.width, self.feature_seed, self.target)
    }

    /// $n_2 = \mathrm{round}(p_2 n)$.
    pub fn synthetic(n: u64, p2: f64) -> u64 {
        ((p2 * n as f64).round() as u64).min(n)
    }

    /// The closed forms of every series at every n.
    pub fn theory(&self, model: &DigitsModel) -> Vec<TheoryRow> {
        let mut rows = Vec::new();
        for &p2 in &self.fractions {
            let name = fraction_series(p2);
            for (step, &n) in self.samples.iter().enumerate() {
                let s = step as u64;
                let e = model.equivalent(
                    n,
                    Self::synthetic(n, p2),
                    self.lambda,
                    self.noise,
                    self.quality,
                );
                rows.push(TheoryRow::new(&name, s, THEORY_BIAS, e.clean));
                rows.push(TheoryRow::new(
                    &name,
                    s,
                    THEORY_FLOOR,
                    p2 * p2 * self.quality,
                ));
                rows.push(TheoryRow::new(&name, s, THEORY_N, n as f64));
                rows.push(TheoryRow::new(&name, s, THEORY_TEST_ERROR, e.total()));
                rows.push(TheoryRow::new(&name, s, THEORY_VARIANCE, e.variance));
                rows.push(TheoryRow::new(&name, s, THEORY_ZETA, e.zeta));
            }
        }
        rows
    }
}

/// `regression-digits`.
#[derive(Clone, Copy, Debug, Default)]
pub struct RegressionDigits;

impl Experiment for RegressionDigits {
    type Config = DigitsConfig;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "Strong model collapse on real images: random-feature ridge on the 8×8 digits with a fraction of synthetic labels"
    }
    fn about(&self) -> &'static str {
        "The 1797 UCI optdigits images (embedded), scaled to [0, 1] and centred; m random ReLU features φ_j(x) = max(0, w_jᵀ(x − x̄))/√m with w_j ~ N(0, I_64) from feature_seed. Population: the uniform law on the digits; a training set draws n images with replacement, n2 = round(p2 n) of them labelled by a generator g(x) = y(x) + Dᵀφ(x), D_jk ~ N(0, c²/(10 Tr Σ)) (so E‖g − y‖² = c²), the rest by y(x); every label gets N(0, σ²) noise per output. y is the least-squares readout of the one-hot labels from the features (target = readout) or the one-hot labels (target = one-hot). Ridge on the features with penalty λ; test error = mean over the 1797 digits of ‖f(x) − y(x)‖². Series p2=… (one per synthetic fraction), step = index in the samples list. Monte Carlo (exact over the noise and D given the drawn training set, from the counts of each image): bias (the fit to clean labels), variance (the noise's part), zeta (the synthetic labels' part), test_error (their sum). Theory (Strong Model Collapse Theorem 1 with the empirical covariance Σ of the features): theory_bias, theory_variance, theory_zeta, theory_test_error, theory_floor = p2² c² (ζ's limit as n → ∞), theory_n."
    }
    fn params(&self) -> Vec<ParamSpec> {
        params()
    }
    fn configure(&self, p: &Params) -> Result<DigitsConfig, ParamError> {
        DigitsConfig::from_params(p)
    }
    fn work(&self, cfg: &DigitsConfig) -> u64 {
        // One unit per replicate, which computes every (fraction, n).
        cfg.replicates
    }
    fn cost(&self, cfg: &DigitsConfig) -> Cost {
        let per_draw = if cfg.replicates > 0 {
            draw_bytes(COUNT, cfg.width)
        } else {
            0.0
        };
        Cost {
            records: cfg.replicates as f64
                * cfg.fractions.len() as f64
                * cfg.samples.len() as f64
                * 4.0,
            memory: model_bytes(COUNT, cfg.width) + per_draw * rayon::current_num_threads() as f64,
        }
    }
    /// Replicate `rep` of (fraction `i`, n at `step`) draws from the stream
    /// `(i · steps + step) · replicates + rep` and its records carry `rep`; one replicate
    /// computes every pair, in parallel, and writes them series by series (by name).
    fn run(&self, cfg: &DigitsConfig, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let model = cfg.model()?;
        let theory = cfg.theory(&model);
        let reps = cfg.replicates;
        let steps = cfg.samples.len();
        let mut order: Vec<(usize, Name)> = cfg
            .fractions
            .iter()
            .enumerate()
            .map(|(i, &p2)| (i, Name::new(&fraction_series(p2))))
            .collect();
        order.sort_by_key(|o| o.1);
        let [bias, test_error, variance, zeta] = [BIAS, TEST_ERROR, VARIANCE, ZETA].map(Name::new);
        let pairs: Vec<(usize, usize)> = (0..cfg.fractions.len())
            .flat_map(|i| (0..steps).map(move |s| (i, s)))
            .collect();
        ctx.replicates("", reps, |rep, _, rows| {
            let draws: Vec<DigitsDraw> = pairs
                .par_iter()
                .map(|&(i, step)| {
                    let n = cfg.samples[step];
                    let mut rng = ctx.stream("", (i * steps + step) as u64 * reps + rep);
                    let n2 = DigitsConfig::synthetic(n, cfg.fractions[i]);
                    draw(&model, n, n2, cfg.lambda, cfg.noise, cfg.quality, &mut rng)
                })
                .collect::<Result<_, _>>()?;
            rows.reserve(4 * draws.len());
            for &(i, name) in &order {
                for step in 0..steps {
                    let d = draws[i * steps + step];
                    let s = step as u64;
                    rows.push(name, s, bias, d.clean);
                    rows.push(name, s, test_error, d.total());
                    rows.push(name, s, variance, d.variance);
                    rows.push(name, s, zeta, d.zeta);
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
        cfg: &DigitsConfig,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        Some(Ok(Box::new(crate::figures::digits::run_figure(cfg, run))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::DynExperiment;

    #[test]
    fn zero_width_and_bad_lists_are_refused() {
        let x = DynExperiment::new(RegressionDigits);
        for (bad, name) in [
            (vec![("width", "0")], "width"),
            (vec![("samples", "100.5")], "samples"),
            (vec![("samples", "100,,200")], "samples"),
            (vec![("samples", "0")], "samples"),
            (vec![("samples", "100,100")], "samples"),
            (vec![("synthetic_fractions", "0.1,")], "synthetic_fractions"),
            (vec![("synthetic_fractions", "1.5")], "synthetic_fractions"),
            (
                vec![("synthetic_fractions", "0.1,0.10")],
                "synthetic_fractions",
            ),
            (vec![("lambda", "0")], "lambda"),
        ] {
            let e = x.configure_with(&bad).unwrap_err();
            assert!(e.to_string().contains(name), "{bad:?}: {e}");
        }
        let e = x.configure_with(&[("width", "0")]).unwrap_err().to_string();
        assert!(e.contains("[1, 4000]"), "{e}");
    }

    #[test]
    fn digits_runs_deterministically_with_finite_numbers() {
        let x = DynExperiment::new(RegressionDigits);
        let c = x
            .configure_with(&[
                ("width", "30"),
                ("samples", "50,20000"),
                ("synthetic_fractions", "0.1,0"),
                ("replicates", "3"),
            ])
            .unwrap();
        let a = c.collect(4).unwrap();
        assert_eq!(a.records.len(), 3 * 2 * 2 * 4);
        assert!(
            a.records
                .iter()
                .all(|r| r.value.is_finite() && r.value >= 0.0)
        );
        assert!(a.theory.iter().all(|t| t.value.is_finite()));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(a.records, pool.install(|| c.collect(4).unwrap().records));
        // p2 = 0 has no synthetic part.
        assert!(
            a.records
                .iter()
                .filter(|r| r.series == "p2=0" && r.metric == ZETA)
                .all(|r| r.value == 0.0)
        );
    }

    #[test]
    fn extreme_inputs_give_finite_numbers() {
        let cases: &[&[(&str, &str)]] = &[
            &[("width", "1"), ("samples", "1,2"), ("replicates", "2")],
            &[
                ("width", "2000"),
                ("samples", "10"),
                ("replicates", "1"),
                ("lambda", "1e-12"),
                ("target", "one-hot"),
            ],
            &[
                ("width", "20"),
                ("samples", "1000000000"),
                ("replicates", "2"),
                ("synthetic_fractions", "1"),
            ],
            &[
                ("width", "20"),
                ("samples", "100"),
                ("noise", "0"),
                ("quality", "0"),
                ("replicates", "2"),
            ],
            &[
                ("width", "20"),
                ("samples", "100"),
                ("noise", "1e6"),
                ("quality", "1e6"),
                ("lambda", "1e8"),
                ("replicates", "2"),
            ],
        ];
        assert_eq!(
            crate::experiments::finite_or_refused(RegressionDigits, cases),
            cases.len()
        );
    }
}
