//! `regression-mix`: ridge regression (or ridge on random projections) trained on a mix of real
//! and synthetic data, the deterministic equivalent of its test error against a Monte Carlo over
//! the designs, optionally along a sweep of one parameter.

use super::{SpectrumShape, exponent_param, spectrum_param};
use crate::mc;
use crate::names::{
    BIAS, MIX, TEST_ERROR, THEORY_BIAS, THEORY_KAPPA, THEORY_REAL_ONLY_TEST_ERROR,
    THEORY_TEST_ERROR, THEORY_THETA, THEORY_VARIANCE, THEORY_ZETA, VARIANCE, ZETA,
};
use crate::theory::{MixProblem, equivalent};
use collapse_core::params::{parse_grid, parse_list};
use collapse_core::{
    Choice, Cost, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError, ParamSpec,
    Params, RunContext, RunOutput, RunView, TheoryRow, Value,
};
use rayon::prelude::*;

/// The experiment's id.
pub const ID: &str = "regression-mix";

/// Fresh test points per replicate for the plain `test_error`.
pub const TEST_POINTS: usize = 1000;

collapse_core::choice! {
    /// The parameters `regression-mix` can sweep (`sweep`).
    pub enum Swept {
        /// m, the width of the random projection.
        Width = "width",
        /// n, the number of training samples.
        Samples = "samples",
        /// p2, the fraction of synthetic samples.
        SyntheticFraction = "synthetic_fraction",
        /// c², the quality of the synthetic labels.
        Quality = "quality",
        /// λ, the ridge penalty.
        Lambda = "lambda",
        /// d, the input dimension.
        Dim = "dim",
        /// σ, the label noise.
        Noise = "noise",
    }
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("dim", 600, 1, 20_000, "d: input dimension"),
        ParamSpec::int(
            "samples",
            500,
            1,
            1_000_000,
            "n: training samples (real + synthetic)",
        ),
        ParamSpec::float(
            "synthetic_fraction",
            0.1,
            0.0,
            1.0,
            "p2: fraction of synthetic samples, n2 = round(p2 n)",
        ),
        ParamSpec::float(
            "quality",
            0.5,
            0.0,
            1e6,
            "c² = Tr(ΣΔ) with Δ = (c²/d) Σ⁻¹: 0 is perfect synthetic data",
        ),
        ParamSpec::float(
            "lambda",
            1e-3,
            1e-12,
            1e8,
            "ridge penalty λ (use e.g. 1e-8 for the ridgeless limit)",
        ),
        ParamSpec::float(
            "noise",
            1.0,
            0.0,
            1e6,
            "σ: label noise sd, real and synthetic",
        ),
        ParamSpec::int(
            "width",
            0,
            0,
            100_000,
            "m: width of the random projection S (d×m, N(0,1/d) entries); 0 = ridge on the raw features",
        ),
        spectrum_param(),
        exponent_param(),
        ParamSpec::int(
            "replicates",
            8,
            0,
            1_000_000,
            "Monte Carlo replicates per grid point (0 = theory only)",
        ),
        ParamSpec::text(
            "sweep",
            "",
            "optional parameter to sweep: width | samples | synthetic_fraction | quality | lambda | dim | noise",
        ),
        ParamSpec::text(
            "sweep_values",
            "",
            "values of the swept parameter: a,b,c | lo:hi:count | lo:hi:count:log",
        ),
    ]
}

/// The parameters of one grid point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MixPoint {
    /// d.
    pub dim: usize,
    /// n.
    pub samples: usize,
    /// p2.
    pub synthetic_fraction: f64,
    /// c².
    pub quality: f64,
    /// λ.
    pub lambda: f64,
    /// σ.
    pub noise: f64,
    /// m (0: ridge on the raw features).
    pub width: usize,
    /// Σ.
    pub spectrum: SpectrumShape,
    /// The exponent of the power spectrum.
    pub exponent: f64,
}

impl MixPoint {
    fn from_params(p: &Params) -> Self {
        Self {
            dim: p.usize("dim"),
            samples: p.usize("samples"),
            synthetic_fraction: p.float("synthetic_fraction"),
            quality: p.float("quality"),
            lambda: p.float("lambda"),
            noise: p.float("noise"),
            width: p.usize("width"),
            spectrum: p.choice("spectrum"),
            exponent: p.float("exponent"),
        }
    }

    /// The same point with the swept parameter at `v` (already range-checked; an integer for
    /// the integer parameters).
    fn with(mut self, swept: Swept, v: f64) -> Self {
        match swept {
            Swept::Width => self.width = v as usize,
            Swept::Samples => self.samples = v as usize,
            Swept::Dim => self.dim = v as usize,
            Swept::SyntheticFraction => self.synthetic_fraction = v,
            Swept::Quality => self.quality = v,
            Swept::Lambda => self.lambda = v,
            Swept::Noise => self.noise = v,
        }
        self
    }

    /// The ridge problem of the point.
    pub fn problem(&self) -> MixProblem {
        MixProblem::standard(
            self.spectrum.spectrum(self.dim, self.exponent),
            self.samples,
            self.synthetic_fraction,
            self.quality,
            self.noise,
            self.lambda,
            (self.width > 0).then_some(self.width),
        )
    }
}

/// The configuration of a run: the grid, parsed and checked once.
#[derive(Clone, Debug)]
pub struct MixConfig {
    /// The swept parameter, if any.
    pub sweep: Option<Swept>,
    /// Its values, one per step (empty without a sweep).
    pub values: Vec<f64>,
    /// The ridge problem of each step.
    pub problems: Vec<MixProblem>,
    /// Monte Carlo replicates per grid point.
    pub replicates: u64,
}

impl MixConfig {
    /// Checks the combination of parameters and builds the grid.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let base = MixPoint::from_params(p);
        let replicates = p.int("replicates") as u64;
        let (sweep, values) = sweep_values(p)?;
        let points: Vec<MixPoint> = match sweep {
            None => vec![base],
            Some(s) => values.iter().map(|&v| base.with(s, v)).collect(),
        };
        Ok(Self {
            sweep,
            values,
            problems: points.iter().map(MixPoint::problem).collect(),
            replicates,
        })
    }

    /// The deterministic equivalent at every grid point.
    pub fn theory(&self) -> Vec<TheoryRow> {
        let mut rows = Vec::new();
        for (step, prob) in self.problems.iter().enumerate() {
            let e = equivalent(prob);
            let mut clean = prob.clone();
            clean.n2 = 0;
            let real = equivalent(&clean);
            let s = step as u64;
            for (name, v) in [
                (THEORY_BIAS, e.bias),
                (THEORY_VARIANCE, e.variance),
                (THEORY_ZETA, e.zeta),
                (THEORY_TEST_ERROR, e.total()),
                (THEORY_REAL_ONLY_TEST_ERROR, real.total()),
                (THEORY_KAPPA, e.kappa),
                (THEORY_THETA, e.theta),
            ] {
                rows.push(TheoryRow::new(MIX, s, name, v));
            }
        }
        rows
    }
}

/// The swept parameter and its values, each range-checked as the parameter itself.
fn sweep_values(p: &Params) -> Result<(Option<Swept>, Vec<f64>), ParamError> {
    let sweep = p.text("sweep").trim();
    let text = p.text("sweep_values");
    if sweep.is_empty() {
        if !text.trim().is_empty() {
            return Err(ParamError::conflict(
                "sweep_values",
                "is set but `sweep` is empty; name the parameter to sweep",
            ));
        }
        return Ok((None, Vec::new()));
    }
    let Some(swept) = Swept::from_name(sweep) else {
        return Err(ParamError::conflict(
            "sweep",
            format!(
                "`{sweep}` cannot be swept; expected one of {}",
                Swept::NAMES.join(" | ")
            ),
        ));
    };
    let spec = params()
        .into_iter()
        .find(|s| s.name == swept.name())
        .expect("every sweepable parameter is declared");
    // A `lo:hi:count` grid of an integer parameter is rounded to integers (the grid's own
    // definition); an explicit list is parsed strictly, as integers where the parameter is one.
    let is_int = matches!(spec.default, Value::Int(_));
    let values: Vec<f64> = if text.contains(':') {
        parse_grid("sweep_values", text)?
            .into_iter()
            .map(|v| if is_int { v.round() } else { v })
            .collect()
    } else if is_int {
        parse_list::<i64>(
            "sweep_values",
            text,
            &format!("integers ({} takes integers)", swept.name()),
        )?
        .into_iter()
        .map(|v| v as f64)
        .collect()
    } else {
        parse_list::<f64>("sweep_values", text, "numbers")?
    };
    for &v in &values {
        if is_int {
            spec.validate(Value::Int(v as i64))?;
        } else {
            spec.validate(Value::Float(v))?;
        }
    }
    Ok((Some(swept), values))
}

/// `regression-mix`.
#[derive(Clone, Copy, Debug, Default)]
pub struct RegressionMix;

impl Experiment for RegressionMix {
    type Config = MixConfig;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "Strong model collapse: ridge (or random projections) on a mix of real and synthetic data"
    }
    fn about(&self) -> &'static str {
        "x ~ N(0, Σ), Σ = I or diag(i^-exponent); w ~ N(0, I/d); real labels xᵀw + ε, synthetic labels xᵀ(w + δ) + ε with δ ~ N(0, (c²/d) Σ⁻¹); ridge ŵ = (XᵀX/n + λI)⁻¹Xᵀy/n, or the same ridge on features Sᵀx (S d×m, N(0,1/d)); test error E[(f(x) − xᵀw)²] on the real distribution. Theory (Strong Model Collapse Theorem 1 / the random-projection equivalent): theory_bias, theory_variance, theory_zeta, theory_test_error, theory_real_only_test_error (same n, p2 = 0), theory_kappa, theory_theta. Monte Carlo (replicates > 0): bias, variance, zeta averaged exactly over w, δ and the noise for each drawn X (and S); test_error measured on 1000 fresh points with w, δ, ε drawn. step = index in the sweep grid."
    }
    fn params(&self) -> Vec<ParamSpec> {
        params()
    }
    fn configure(&self, p: &Params) -> Result<MixConfig, ParamError> {
        MixConfig::from_params(p)
    }
    fn work(&self, cfg: &MixConfig) -> u64 {
        // One unit per replicate, which computes every grid point.
        cfg.replicates
    }
    fn cost(&self, cfg: &MixConfig) -> Cost {
        // A theory-only run draws nothing; otherwise every worker may hold one draw of the
        // largest grid point.
        let peak = if cfg.replicates > 0 {
            cfg.problems.iter().map(mc::draw_bytes).fold(0.0, f64::max)
        } else {
            0.0
        };
        Cost {
            records: cfg.replicates as f64 * cfg.problems.len() as f64 * 4.0,
            memory: peak * rayon::current_num_threads() as f64,
        }
    }
    /// Replicate `rep` of grid point `step` draws from the stream `step · replicates + rep` (the
    /// grid numbered as one ensemble) and its records carry `rep`; one replicate computes every
    /// grid point, in parallel, so the records of a replicate come out in canonical order.
    fn run(&self, cfg: &MixConfig, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let reps = cfg.replicates;
        let series = Name::new(MIX);
        let [bias, test_error, variance, zeta] = [BIAS, TEST_ERROR, VARIANCE, ZETA].map(Name::new);
        ctx.replicates("", reps, |rep, _, rows| {
            let draws: Vec<mc::Draw> = cfg
                .problems
                .par_iter()
                .enumerate()
                .map(|(step, prob)| {
                    let mut rng = ctx.stream("", step as u64 * reps + rep);
                    mc::draw(prob, TEST_POINTS, &mut rng)
                })
                .collect::<Result<_, _>>()?;
            rows.reserve(4 * draws.len());
            for (step, d) in draws.iter().enumerate() {
                let step = step as u64;
                rows.push(series, step, bias, d.bias);
                rows.push(series, step, test_error, d.test_error);
                rows.push(series, step, variance, d.variance);
                rows.push(series, step, zeta, d.zeta);
            }
            Ok::<(), ExperimentError>(())
        })?;
        Ok(RunOutput {
            theory: cfg.theory(),
            report: None,
        })
    }
    fn figure(
        &self,
        cfg: &MixConfig,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        Some(Ok(Box::new(crate::figures::mix::run_figure(cfg, run))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::Spectrum;
    use collapse_core::DynExperiment;

    #[test]
    fn theory_only_mix_reproduces_the_equivalent_and_sweeps_validate() {
        let x = DynExperiment::new(RegressionMix);
        let run = x
            .configure_with(&[
                ("replicates", "0"),
                ("width", "700"),
                ("sweep", "lambda"),
                ("sweep_values", "1e-6:1:5:log"),
            ])
            .unwrap()
            .collect(1)
            .unwrap();
        assert!(run.records.is_empty());
        let c = x
            .configure_with(&[("sweep", "width"), ("sweep_values", "50:3000:12:log")])
            .unwrap();
        let cfg: &MixConfig = c.config().unwrap();
        assert_eq!(cfg.problems.len(), 12);
        assert_eq!((cfg.values[0], cfg.values[11]), (50.0, 3000.0));
        assert_eq!(
            (cfg.problems[0].width, cfg.problems[11].width),
            (Some(50), Some(3000))
        );
        let totals: Vec<f64> = run
            .theory
            .iter()
            .filter(|t| t.metric == THEORY_TEST_ERROR)
            .map(|t| t.value)
            .collect();
        assert_eq!(totals.len(), 5);
        let direct = equivalent(&MixProblem::standard(
            Spectrum::isotropic(600),
            500,
            0.1,
            0.5,
            1.0,
            1e-6,
            Some(700),
        ));
        assert!((totals[0] - direct.total()).abs() <= 1e-12 * direct.total());
        assert!(run.theory.iter().all(|t| t.value.is_finite()));
        for bad in [
            vec![("sweep", "width"), ("sweep_values", "10.5")],
            vec![("sweep", "width"), ("sweep_values", "-10:10:3")],
            vec![("sweep", "lambda"), ("sweep_values", "0,1")],
            vec![("sweep", "spectrum"), ("sweep_values", "1")],
            vec![("sweep_values", "1,2")],
            vec![("sweep", "samples"), ("sweep_values", "1:x:3")],
        ] {
            assert!(x.configure_with(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn mix_is_deterministic_across_thread_counts() {
        let x = DynExperiment::new(RegressionMix);
        let c = x
            .configure_with(&[
                ("dim", "30"),
                ("samples", "40"),
                ("width", "20"),
                ("replicates", "3"),
                ("sweep", "samples"),
                ("sweep_values", "20,60"),
            ])
            .unwrap();
        let a = c.collect(5).unwrap().records;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| c.collect(5).unwrap().records);
        assert_eq!(a, b);
        assert_eq!(a.len(), 2 * 3 * 4);
        // The records carry the replicate within the grid point.
        assert!(a.iter().all(|r| r.replicate < 3));
    }

    #[test]
    fn extreme_inputs_give_finite_numbers() {
        let small = [("replicates", "2")];
        let cases: Vec<Vec<(&str, &str)>> = [
            // Tiny dimensions and samples, fewer samples than dimensions.
            vec![("dim", "1"), ("samples", "1")],
            vec![("dim", "1"), ("samples", "2"), ("width", "1")],
            vec![("dim", "60"), ("samples", "7")],
            vec![("dim", "7"), ("samples", "60")],
            // Width beyond the dimension and beyond the samples, and equal to both.
            vec![("dim", "10"), ("samples", "30"), ("width", "400")],
            vec![
                ("dim", "30"),
                ("samples", "30"),
                ("width", "30"),
                ("lambda", "1e-12"),
            ],
            vec![("dim", "30"), ("samples", "30"), ("lambda", "1e-12")],
            // No noise, perfect or terrible synthetic labels, all or none synthetic.
            vec![
                ("dim", "20"),
                ("samples", "40"),
                ("noise", "0"),
                ("quality", "0"),
            ],
            vec![
                ("dim", "20"),
                ("samples", "40"),
                ("noise", "1e6"),
                ("quality", "1e6"),
            ],
            vec![
                ("dim", "20"),
                ("samples", "40"),
                ("synthetic_fraction", "1"),
            ],
            vec![
                ("dim", "20"),
                ("samples", "40"),
                ("synthetic_fraction", "0"),
            ],
            // The penalty at its bounds, the exponent at its bounds.
            vec![("dim", "20"), ("samples", "40"), ("lambda", "1e8")],
            vec![
                ("dim", "40"),
                ("samples", "20"),
                ("lambda", "1e-12"),
                ("width", "60"),
            ],
            vec![
                ("dim", "200"),
                ("samples", "50"),
                ("spectrum", "power"),
                ("exponent", "4"),
                ("lambda", "1e-12"),
            ],
            vec![
                ("dim", "50"),
                ("samples", "200"),
                ("spectrum", "power"),
                ("exponent", "4"),
                ("lambda", "1e-12"),
            ],
            vec![
                ("dim", "50"),
                ("samples", "80"),
                ("spectrum", "power"),
                ("exponent", "1e-9"),
            ],
            // Theory only at the largest sizes.
            vec![
                ("dim", "20000"),
                ("samples", "1000000"),
                ("width", "100000"),
                ("replicates", "0"),
            ],
        ]
        .into_iter()
        .map(|mut c| {
            if !c.iter().any(|(k, _)| *k == "replicates") {
                c.extend(small);
            }
            c
        })
        .collect();
        let refs: Vec<&[(&str, &str)]> = cases.iter().map(|c| c.as_slice()).collect();
        assert_eq!(
            crate::experiments::finite_or_refused(RegressionMix, &refs),
            refs.len()
        );
    }

    #[test]
    fn extreme_inputs_agree_with_their_limits() {
        // λ → ∞ kills the fit: every error is ‖w‖²_Σ = Tr ΓΣ = 1 (Σ = I, Γ = I/d).
        let x = DynExperiment::new(RegressionMix);
        let run = x
            .configure_with(&[
                ("dim", "20"),
                ("samples", "40"),
                ("lambda", "1e8"),
                ("replicates", "4"),
            ])
            .unwrap()
            .collect(1)
            .unwrap();
        for r in run.records.iter().filter(|r| r.metric == BIAS) {
            assert!((r.value - 1.0).abs() < 1e-6, "{}", r.value);
        }
        // Least squares with d = 30 < n = 300 and no noise, no shift: the bias is the
        // λ = 1e-12 shrinkage only, zero to working precision in the Monte Carlo and the theory.
        let run = x
            .configure_with(&[
                ("dim", "30"),
                ("samples", "300"),
                ("lambda", "1e-12"),
                ("noise", "0"),
                ("quality", "0"),
                ("replicates", "3"),
            ])
            .unwrap()
            .collect(1)
            .unwrap();
        assert!(
            run.records.iter().all(|r| r.value < 1e-18),
            "{:?}",
            run.records
        );
    }

    #[test]
    fn memory_estimate_refuses_what_cannot_fit_and_not_theory_only_runs() {
        let x = DynExperiment::new(RegressionMix);
        let big = x
            .configure_with(&[("dim", "20000"), ("samples", "100000"), ("replicates", "1")])
            .unwrap();
        // The design alone is 16 GB; the estimate counts it and the map beside it.
        assert!(big.cost().memory > 3.2e10, "{:?}", big.cost());
        let theory = x
            .configure_with(&[("dim", "20000"), ("samples", "100000"), ("replicates", "0")])
            .unwrap();
        assert_eq!(theory.cost().memory, 0.0);
    }

    #[test]
    fn sweep_lists_are_parsed_strictly() {
        let x = DynExperiment::new(RegressionMix);
        for (values, why) in [
            ("20.5", "not valid"),
            ("20,,30", "empty item"),
            ("20,30,", "empty item"),
            ("", "sweep_values"),
        ] {
            let e = x
                .configure_with(&[("sweep", "samples"), ("sweep_values", values)])
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("sweep_values") && e.contains(why),
                "{values}: {e}"
            );
        }
        // A grid of an integer parameter is rounded by definition; a float list is kept.
        let c = x
            .configure_with(&[
                ("sweep", "samples"),
                ("sweep_values", "10:20:3"),
                ("replicates", "0"),
            ])
            .unwrap();
        assert_eq!(
            c.config::<MixConfig>().unwrap().values,
            vec![10.0, 15.0, 20.0]
        );
        let c = x
            .configure_with(&[
                ("sweep", "quality"),
                ("sweep_values", "0.25, 1.5"),
                ("replicates", "0"),
            ])
            .unwrap();
        assert_eq!(c.config::<MixConfig>().unwrap().values, vec![0.25, 1.5]);
    }
}
