//! `regression-iterated`: generators fitted on the previous generator's labels through the
//! core's generation loop (replace or accumulate), and at every generation a downstream model
//! trained on that generation's labels.

use super::{SpectrumShape, exponent_param, spectrum_param};
use crate::iterated::model::chain_bytes;
use crate::iterated::theory::{IteratedProblem, OptimalLambda, multiplier, multipliers};
use crate::iterated::{Design, Iterated};
use crate::mc;
use crate::names::{
    ACCUMULATE, GENERATOR_ERROR, REPLACE, TEST_ERROR, THEORY_GENERATOR_ERROR,
    THEORY_OPTIMAL_LAMBDA, THEORY_TEST_ERROR, THEORY_TEST_ERROR_OPTIMAL_LAMBDA,
};
use crate::theory::Spectrum;
use collapse_core::chain::ChainConfig;
use collapse_core::{
    Cost, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError, ParamSpec, Params,
    Policy, RunContext, RunOutput, RunView, Schedule, TheoryRow, run_chain,
};

/// The experiment's id.
pub const ID: &str = "regression-iterated";

collapse_core::choice! {
    /// What each generator trains on.
    pub enum DataPolicy {
        /// The newest data only.
        Replace = "replace",
        /// All data so far.
        Accumulate = "accumulate",
    }
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("dim", 50, 1, 2000, "d: input dimension"),
        ParamSpec::int(
            "samples",
            200,
            1,
            1_000_000,
            "T: samples of the downstream (final) model",
        ),
        ParamSpec::int(
            "generator_samples",
            100,
            3,
            1_000_000,
            "T0: samples each generator is fitted on (>= dim + 2)",
        ),
        ParamSpec::int(
            "generations",
            10,
            0,
            10_000,
            "n: synthetic generations after the truth",
        ),
        ParamSpec::float(
            "lambda",
            0.0,
            0.0,
            1e8,
            "ridge penalty of the downstream model (0 = least squares)",
        ),
        ParamSpec::float(
            "noise",
            1.0,
            0.0,
            1e6,
            "σ: label noise of the downstream data",
        ),
        ParamSpec::float(
            "generator_noise",
            1.0,
            0.0,
            1e6,
            "σ0: label noise added by each generator",
        ),
        ParamSpec::choice_of(
            "policy",
            DataPolicy::Replace,
            "each generator trains on the newest data only, or on all data so far",
        ),
        ParamSpec::choice_of(
            "design",
            Design::Fresh,
            "fresh inputs each generation, or the same T0 inputs (fixed design)",
        ),
        spectrum_param(),
        exponent_param(),
        ParamSpec::int("replicates", 200, 1, 10_000_000, "independent chains"),
    ]
}

/// The iterated-regression setup of one chain.
#[derive(Clone, Debug)]
pub struct IteratedSetup {
    /// $\Sigma$.
    pub spec: Spectrum,
    /// $T$.
    pub t: usize,
    /// $T_0$.
    pub t0: usize,
    /// Generations.
    pub generations: u64,
    /// Downstream penalty.
    pub lambda: f64,
    /// $\sigma$.
    pub sigma: f64,
    /// $\sigma_0$.
    pub sigma0: f64,
    /// Accumulate (else replace).
    pub accumulate: bool,
    /// Input design of the generators.
    pub design: Design,
}

impl IteratedSetup {
    /// The series the chain's records belong to: [`REPLACE`] or [`ACCUMULATE`].
    pub fn series(&self) -> &'static str {
        if self.accumulate { ACCUMULATE } else { REPLACE }
    }

    /// One chain through the core's loop: per generation g = 0..=n, the generator's error
    /// $\|\hat w_g - w_0\|^2_\Sigma$ and the downstream test error.
    pub fn run_one(
        &self,
        rng: &mut collapse_core::Rng,
    ) -> Result<Vec<(f64, f64)>, ExperimentError> {
        let d = self.spec.dim();
        let w0: Vec<f64> = (0..d)
            .map(|_| mc::normal(rng) / (d as f64).sqrt())
            .collect();
        let mut fam = Iterated {
            spec: self.spec.clone(),
            w0,
            sigma0: self.sigma0,
            generator_lambda: 0.0,
            fixed: None,
        };
        if self.design == Design::Fixed {
            fam.fixed = Some(fam.fixed_design(self.t0, rng)?);
        }
        let cfg = ChainConfig {
            generations: self.generations,
            samples: self.t0,
            schedule: Schedule::Constant,
            policy: if self.accumulate {
                Policy::Accumulate
            } else {
                Policy::Replace
            },
            finite: true,
        };
        let mut models = Vec::with_capacity(self.generations as usize + 1);
        // Replace and accumulate never need subsampling or a population fit: the loop accepts
        // this configuration.
        run_chain(&fam, &cfg, rng, |_, w| models.push(w.clone()))?;
        let mut out = Vec::with_capacity(models.len());
        for w in &models {
            let w = w.as_ref().map_err(Clone::clone)?;
            let test = fam.downstream(w, self.t, self.sigma, self.lambda, rng)?;
            out.push((fam.error(w), test));
        }
        Ok(out)
    }

    /// The closed forms' problem.
    fn problem(&self) -> IteratedProblem<'_> {
        IteratedProblem {
            spec: &self.spec,
            r2: 1.0,
            t: self.t,
            t0: self.t0,
            sigma: self.sigma,
            sigma0: self.sigma0,
        }
    }

    /// Theory for generation g (exact for OLS under replace, and under accumulate with a fixed
    /// design; the ridge deterministic equivalent otherwise).
    pub fn theory(&self, g: u64) -> f64 {
        self.problem()
            .parts(self.lambda)
            .at(multiplier(g, self.accumulate))
    }

    /// The theory rows of every generation: the downstream and generator errors, the optimal
    /// ridge penalty and the error at it. The parts of the equivalent are computed once (and
    /// once per point of the penalty grid): the rows cost O(generations).
    pub fn theory_rows(&self) -> Vec<TheoryRow> {
        let series = self.series();
        let d = self.spec.dim() as f64;
        let parts = self.problem().parts(self.lambda);
        let optimal = OptimalLambda::new(self.problem());
        let mut rows = Vec::new();
        for (g, mult) in multipliers(self.generations, self.accumulate)
            .into_iter()
            .enumerate()
        {
            let g = g as u64;
            rows.push(TheoryRow::new(series, g, THEORY_TEST_ERROR, parts.at(mult)));
            rows.push(TheoryRow::new(
                series,
                g,
                THEORY_GENERATOR_ERROR,
                mult * self.sigma0.powi(2) * d / (self.t0 as f64 - d - 1.0),
            ));
            let (lo, at_lo) = optimal.at(mult);
            rows.push(TheoryRow::new(series, g, THEORY_OPTIMAL_LAMBDA, lo));
            rows.push(TheoryRow::new(
                series,
                g,
                THEORY_TEST_ERROR_OPTIMAL_LAMBDA,
                at_lo,
            ));
        }
        rows
    }
}

/// The configuration of a run.
#[derive(Clone, Debug)]
pub struct IteratedConfig {
    /// One chain.
    pub setup: IteratedSetup,
    /// Independent chains.
    pub replicates: u64,
}

impl IteratedConfig {
    /// Checks the combination of parameters once and builds the configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let d = p.int("dim");
        if p.int("generator_samples") < d + 2 {
            return Err(ParamError::conflict(
                "generator_samples",
                format!(
                    "must be >= dim + 2 = {} (least-squares generators; the exact formula needs T0 >= d + 2)",
                    d + 2
                ),
            ));
        }
        if p.float("lambda") < 1e-10 && p.int("samples") < d + 2 {
            return Err(ParamError::conflict(
                "samples",
                format!(
                    "must be >= dim + 2 = {} when lambda < 1e-10 (a least-squares downstream model needs T >= d + 2); or set lambda >= 1e-10",
                    d + 2
                ),
            ));
        }
        let shape: SpectrumShape = p.choice("spectrum");
        let policy: DataPolicy = p.choice("policy");
        Ok(Self {
            setup: IteratedSetup {
                spec: shape.spectrum(p.usize("dim"), p.float("exponent")),
                t: p.usize("samples"),
                t0: p.usize("generator_samples"),
                generations: p.int("generations") as u64,
                lambda: p.float("lambda"),
                sigma: p.float("noise"),
                sigma0: p.float("generator_noise"),
                accumulate: policy == DataPolicy::Accumulate,
                design: p.choice("design"),
            },
            replicates: p.int("replicates") as u64,
        })
    }
}

/// `regression-iterated`.
#[derive(Clone, Copy, Debug, Default)]
pub struct RegressionIterated;

impl Experiment for RegressionIterated {
    type Config = IteratedConfig;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "Iterated regression: generators fitted on the previous generator's labels (replace or accumulate)"
    }
    fn about(&self) -> &'static str {
        "w0 ~ N(0, I/d) per replicate; generator k is the least-squares fit to T0 inputs (fresh, or a fixed design) labelled by generator k-1 plus N(0, σ0²) noise, on the newest data (replace) or on all data so far (accumulate), through the core's generation loop. Downstream: ridge (λ; 0 = least squares) on T fresh inputs labelled by generator g plus N(0, σ²) noise. Metrics per generation g: test_error = |ŵ_pred − w0|²_Σ, generator_error = |ŵ_g − w0|²_Σ. Theory: theory_test_error = σ²d/(T−d−1) + g σ0² d/(T0−d−1) (OLS, exact under replace; under accumulate g becomes Σ_{i≤g} 1/i² ≤ π²/6, exact for a fixed design and an upper bound for fresh designs); for λ > 0 the ridge deterministic equivalent; theory_optimal_lambda and theory_test_error_optimal_lambda (the optimal ridge grows with g)."
    }
    fn params(&self) -> Vec<ParamSpec> {
        params()
    }
    fn configure(&self, p: &Params) -> Result<IteratedConfig, ParamError> {
        IteratedConfig::from_params(p)
    }
    fn work(&self, cfg: &IteratedConfig) -> u64 {
        cfg.replicates
    }
    fn cost(&self, cfg: &IteratedConfig) -> Cost {
        let s = &cfg.setup;
        let g = s.generations as f64;
        // Per chain O(d²) numbers and the weights of every generation (iterated::model): the
        // designs are streamed, never held, except a downstream one with T < d.
        let per_chain = chain_bytes(s.spec.dim(), s.t, s.generations);
        Cost {
            records: cfg.replicates as f64 * (g + 1.0) * 2.0,
            memory: per_chain * rayon::current_num_threads() as f64,
        }
    }
    fn run(
        &self,
        cfg: &IteratedConfig,
        ctx: &RunContext<'_>,
    ) -> Result<RunOutput, ExperimentError> {
        let s = &cfg.setup;
        let series = Name::new(s.series());
        let [generator_error, test_error] = [GENERATOR_ERROR, TEST_ERROR].map(Name::new);
        ctx.replicates("", cfg.replicates, |_, rng, rows| {
            let errors = s.run_one(rng)?;
            rows.reserve(2 * errors.len());
            for (g, (gen_err, test)) in errors.into_iter().enumerate() {
                rows.push(series, g as u64, generator_error, gen_err);
                rows.push(series, g as u64, test_error, test);
            }
            Ok::<(), ExperimentError>(())
        })?;
        Ok(RunOutput {
            theory: s.theory_rows(),
            report: None,
        })
    }
    fn figure(
        &self,
        cfg: &IteratedConfig,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        Some(Ok(Box::new(crate::figures::iterated::run_figure(cfg, run))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::DynExperiment;

    #[test]
    fn iterated_refuses_underdetermined_generators() {
        let x = DynExperiment::new(RegressionIterated);
        let err = x
            .configure_with(&[("dim", "50"), ("generator_samples", "40")])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("generator_samples") && err.contains("52"),
            "{err}"
        );
    }

    #[test]
    fn iterated_is_deterministic_across_thread_counts() {
        let x = DynExperiment::new(RegressionIterated);
        let c = x
            .configure_with(&[
                ("dim", "5"),
                ("samples", "20"),
                ("generator_samples", "10"),
                ("generations", "3"),
                ("replicates", "4"),
                ("policy", "accumulate"),
            ])
            .unwrap();
        let a = c.collect(5).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| c.collect(5).unwrap());
        assert_eq!(a.records, b.records);
        assert!(a.records.iter().all(|r| r.value.is_finite()));
        assert!(a.records.iter().all(|r| r.series == ACCUMULATE));
    }

    #[test]
    fn extreme_inputs_give_finite_numbers_or_are_refused() {
        let cases: &[&[(&str, &str)]] = &[
            &[
                ("dim", "1"),
                ("samples", "3"),
                ("generator_samples", "3"),
                ("replicates", "3"),
            ],
            &[
                ("dim", "1"),
                ("samples", "1"),
                ("generator_samples", "3"),
                ("lambda", "1e-3"),
                ("replicates", "3"),
            ],
            // Fewer downstream samples than dimensions: the T×T system.
            &[
                ("dim", "40"),
                ("samples", "5"),
                ("generator_samples", "42"),
                ("lambda", "1e-10"),
                ("replicates", "3"),
                ("generations", "2"),
            ],
            &[
                ("dim", "20"),
                ("samples", "22"),
                ("generator_samples", "22"),
                ("replicates", "3"),
            ],
            &[
                ("dim", "20"),
                ("noise", "0"),
                ("generator_noise", "0"),
                ("replicates", "3"),
            ],
            &[
                ("dim", "20"),
                ("noise", "1e6"),
                ("generator_noise", "1e6"),
                ("replicates", "3"),
            ],
            &[("dim", "20"), ("lambda", "1e8"), ("replicates", "3")],
            &[
                ("dim", "60"),
                ("samples", "80"),
                ("generator_samples", "62"),
                ("spectrum", "power"),
                ("exponent", "4"),
                ("replicates", "2"),
            ],
            &[
                ("dim", "5"),
                ("samples", "20"),
                ("generator_samples", "10"),
                ("generations", "2000"),
                ("replicates", "1"),
                ("policy", "accumulate"),
                ("design", "fixed"),
            ],
            &[("dim", "5"), ("generations", "0"), ("replicates", "2")],
            // Refused: generators or a least-squares downstream model with too few samples.
            &[("dim", "50"), ("generator_samples", "51")],
            &[("dim", "50"), ("samples", "51"), ("lambda", "0")],
        ];
        assert_eq!(
            crate::experiments::finite_or_refused(RegressionIterated, cases),
            10
        );
    }

    #[test]
    fn theory_rows_cost_linear_time_in_the_generations() {
        // 10,000 generations of theory rows: one equivalent per grid point and O(1) per
        // generation besides the golden section (the multipliers are accumulated, not resummed).
        let x = DynExperiment::new(RegressionIterated);
        let c = x
            .configure_with(&[
                ("dim", "200"),
                ("generator_samples", "300"),
                ("generations", "10000"),
                ("policy", "accumulate"),
                ("lambda", "0.1"),
            ])
            .unwrap();
        let cfg: &IteratedConfig = c.config().unwrap();
        let start = std::time::Instant::now();
        let rows = cfg.setup.theory_rows();
        assert_eq!(rows.len(), 4 * 10_001);
        assert!(rows.iter().all(|r| r.value.is_finite()));
        // Generous: measured about 1 s on the project's machine.
        assert!(start.elapsed().as_secs_f64() < 30.0);
        // The last rows agree with the one-generation formulas.
        let last = &rows[4 * 10_000];
        assert!((last.value - cfg.setup.theory(10_000)).abs() < 1e-12 * last.value);
    }
}
