//! The experiments: `regression-mix`, `regression-iterated` and `regression-tails`.

use crate::iterated::{Design, Iterated, optimal_lambda, ridge_iterated};
use crate::mc;
use crate::tails::{ChainSampler, CountLaw, Tail, Zipf, effective_samples};
use crate::theory::{MixProblem, Spectrum, equivalent};
use collapse_core::chain::ChainConfig;
use collapse_core::params::parse_grid;
use collapse_core::{
    Experiment, ExperimentError, ParamError, ParamSpec, Params, Policy, Record, RunContext,
    RunOutput, Schedule, TheoryRow, Value, run_chain,
};

/// Fresh test points per replicate for the plain `test_error` of `regression-mix`.
pub const TEST_POINTS: usize = 1000;

/// Parameters `regression-mix` can sweep.
pub const MIX_SWEEPABLE: &[&str] = &[
    "width",
    "samples",
    "synthetic_fraction",
    "quality",
    "lambda",
    "dim",
    "noise",
];

fn mix_params() -> Vec<ParamSpec> {
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
        ParamSpec::choice(
            "spectrum",
            "isotropic",
            &["isotropic", "power"],
            "Σ = I, or Σ = diag(i^-exponent)",
        ),
        ParamSpec::float_above(
            "exponent",
            1.0,
            0.0,
            4.0,
            "power-law exponent of the spectrum",
        ),
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

/// The grid of (swept) parameter sets of `regression-mix`, validated.
pub fn mix_grid(p: &Params) -> Result<Vec<Params>, ParamError> {
    let specs = mix_params();
    let sweep = p.text("sweep").trim();
    if sweep.is_empty() {
        if !p.text("sweep_values").trim().is_empty() {
            return Err(ParamError::conflict(
                "sweep_values",
                "is set but `sweep` is empty; name the parameter to sweep",
            ));
        }
        return Ok(vec![p.clone()]);
    }
    let Some(spec) = specs
        .iter()
        .find(|s| s.name == sweep && MIX_SWEEPABLE.contains(&s.name))
    else {
        return Err(ParamError::conflict(
            "sweep",
            format!(
                "`{sweep}` cannot be swept; expected one of {}",
                MIX_SWEEPABLE.join(" | ")
            ),
        ));
    };
    let text = p.text("sweep_values");
    let values = parse_grid("sweep_values", text)?;
    // A `lo:hi:count` grid of an integer parameter is rounded to integers; an explicit list
    // must hold integers.
    let is_grid = text.contains(':');
    values
        .iter()
        .map(|&v| {
            let value = match spec.default {
                Value::Int(_) => {
                    let v = if is_grid { v.round() } else { v };
                    if v.fract() != 0.0 {
                        return Err(ParamError::conflict(
                            "sweep_values",
                            format!(
                                "`{sweep}` takes integers, got {v}; expected {}",
                                spec.kind.range()
                            ),
                        ));
                    }
                    spec.validate(Value::Int(v as i64))?
                }
                _ => spec.validate(Value::Float(v))?,
            };
            Ok(p.clone().with(spec.name, value))
        })
        .collect()
}

/// The problem of one grid point.
pub fn mix_problem(p: &Params) -> MixProblem {
    let d = p.usize("dim");
    let spec = Spectrum::by_name(p.text("spectrum"), d, p.float("exponent"));
    let width = match p.usize("width") {
        0 => None,
        m => Some(m),
    };
    MixProblem::standard(
        spec,
        p.usize("samples"),
        p.float("synthetic_fraction"),
        p.float("quality"),
        p.float("noise"),
        p.float("lambda"),
        width,
    )
}

fn mix_validate(p: &Params) -> Result<(), ParamError> {
    let grid = mix_grid(p)?;
    // The Monte Carlo factorises XᵀX/n + λI (or its n×n twin), which is singular to working
    // precision below about 1e-10 when the features are rank-deficient.
    if p.int("replicates") > 0 && grid.iter().any(|q| q.float("lambda") < 1e-10) {
        return Err(ParamError::conflict(
            "lambda",
            "must be >= 1e-10 when replicates > 0 (the Monte Carlo needs a numerically positive-definite ridge system); use replicates = 0 for smaller values",
        ));
    }
    Ok(())
}

fn mix_run(p: &Params, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
    let grid = mix_grid(p)?;
    let reps = p.int("replicates") as u64;
    let problems: Vec<MixProblem> = grid.iter().map(mix_problem).collect();
    let mut theory = Vec::new();
    for (step, prob) in problems.iter().enumerate() {
        let e = equivalent(prob);
        let mut clean = prob.clone();
        clean.n2 = 0;
        let real = equivalent(&clean);
        let s = step as u64;
        for (name, v) in [
            ("theory_bias", e.bias),
            ("theory_variance", e.variance),
            ("theory_zeta", e.zeta),
            ("theory_test_error", e.total()),
            ("theory_real_only_test_error", real.total()),
            ("theory_kappa", e.kappa),
            ("theory_theta", e.theta),
        ] {
            theory.push(TheoryRow::new("mix", s, name, v));
        }
    }
    // One work item per (grid point, replicate); the replicate index inside a point is what
    // the records carry, so sharding and threads do not change anything.
    let total = reps * problems.len() as u64;
    let records = ctx.replicates("", total, |r, rng| {
        let (step, rep) = (r / reps, r % reps);
        let d = mc::draw(&problems[step as usize], TEST_POINTS, rng);
        vec![
            Record::new("mix", rep, step, "test_error", d.test_error),
            Record::new("mix", rep, step, "bias", d.bias),
            Record::new("mix", rep, step, "variance", d.variance),
            Record::new("mix", rep, step, "zeta", d.zeta),
        ]
    });
    Ok(RunOutput {
        records,
        theory,
        report: None,
    })
}

/// `regression-mix`.
pub fn mix_experiment() -> Experiment {
    Experiment {
        id: "regression-mix",
        title: "Strong model collapse: ridge (or random projections) on a mix of real and synthetic data",
        about: "x ~ N(0, Σ), Σ = I or diag(i^-exponent); w ~ N(0, I/d); real labels xᵀw + ε, synthetic labels xᵀ(w + δ) + ε with δ ~ N(0, (c²/d) Σ⁻¹); ridge ŵ = (XᵀX/n + λI)⁻¹Xᵀy/n, or the same ridge on features Sᵀx (S d×m, N(0,1/d)); test error E[(f(x) − xᵀw)²] on the real distribution. Theory (Strong Model Collapse Theorem 1 / the random-projection equivalent): theory_bias, theory_variance, theory_zeta, theory_test_error, theory_real_only_test_error (same n, p2 = 0), theory_kappa, theory_theta. Monte Carlo (replicates > 0): bias, variance, zeta averaged exactly over w, δ and the noise for each drawn X (and S); test_error measured on 1000 fresh points with w, δ, ε drawn. step = index in the sweep grid.",
        params: mix_params(),
        validate: mix_validate,
        work: |p| mix_grid(p).map(|g| g.len() as u64).unwrap_or(1) * p.int("replicates") as u64,
        run: mix_run,
    }
}

fn iterated_params() -> Vec<ParamSpec> {
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
        ParamSpec::choice(
            "policy",
            "replace",
            &["replace", "accumulate"],
            "each generator trains on the newest data only, or on all data so far",
        ),
        ParamSpec::choice(
            "design",
            "fresh",
            &["fresh", "fixed"],
            "fresh inputs each generation, or the same T0 inputs (fixed design)",
        ),
        ParamSpec::choice(
            "spectrum",
            "isotropic",
            &["isotropic", "power"],
            "Σ = I, or Σ = diag(i^-exponent)",
        ),
        ParamSpec::float_above(
            "exponent",
            1.0,
            0.0,
            4.0,
            "power-law exponent of the spectrum",
        ),
        ParamSpec::int("replicates", 200, 1, 10_000_000, "independent chains"),
    ]
}

fn iterated_validate(p: &Params) -> Result<(), ParamError> {
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
    Ok(())
}

/// The iterated-regression setup of one run.
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
    /// From validated parameters.
    pub fn from_params(p: &Params) -> Self {
        Self {
            spec: Spectrum::by_name(p.text("spectrum"), p.usize("dim"), p.float("exponent")),
            t: p.usize("samples"),
            t0: p.usize("generator_samples"),
            generations: p.int("generations") as u64,
            lambda: p.float("lambda"),
            sigma: p.float("noise"),
            sigma0: p.float("generator_noise"),
            accumulate: p.text("policy") == "accumulate",
            design: if p.text("design") == "fixed" {
                Design::Fixed
            } else {
                Design::Fresh
            },
        }
    }

    /// One chain through the core's loop: per generation g = 0..=n, the generator's error
    /// $\|\hat w_g - w_0\|^2_\Sigma$ and the downstream test error.
    pub fn run_one(&self, rng: &mut collapse_core::Rng) -> Vec<(f64, f64)> {
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
            fam.fixed = Some(fam.inputs(self.t0, rng));
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
        // Replace and accumulate never need subsampling or a population fit, so the loop
        // cannot refuse this configuration.
        let _ = run_chain(&fam, &cfg, rng, |_, w| models.push(w.clone()));
        models
            .iter()
            .map(|w| {
                (
                    fam.error(w),
                    fam.downstream(w, self.t, self.sigma, self.lambda, rng),
                )
            })
            .collect()
    }

    /// Theory for generation g (exact for OLS under replace, and under accumulate with a fixed
    /// design; the ridge deterministic equivalent otherwise).
    pub fn theory(&self, g: u64) -> f64 {
        ridge_iterated(
            &self.spec,
            1.0,
            self.t,
            self.t0,
            self.sigma,
            self.sigma0,
            self.lambda,
            g,
            self.accumulate,
        )
    }
}

fn iterated_run(p: &Params, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
    let setup = IteratedSetup::from_params(p);
    let series: &'static str = if setup.accumulate {
        "accumulate"
    } else {
        "replace"
    };
    let records = ctx.replicates("", p.int("replicates") as u64, |r, rng| {
        setup
            .run_one(rng)
            .into_iter()
            .enumerate()
            .flat_map(|(g, (gen_err, test))| {
                [
                    Record::new(series, r, g as u64, "generator_error", gen_err),
                    Record::new(series, r, g as u64, "test_error", test),
                ]
            })
            .collect()
    });
    let mut theory = Vec::new();
    let d = setup.spec.dim() as f64;
    for g in 0..=setup.generations {
        theory.push(TheoryRow::new(
            series,
            g,
            "theory_test_error",
            setup.theory(g),
        ));
        let mult = if setup.accumulate {
            crate::iterated::inverse_squares(g)
        } else {
            g as f64
        };
        theory.push(TheoryRow::new(
            series,
            g,
            "theory_generator_error",
            mult * setup.sigma0.powi(2) * d / (setup.t0 as f64 - d - 1.0),
        ));
        let lo = optimal_lambda(
            &setup.spec,
            1.0,
            setup.t,
            setup.t0,
            setup.sigma,
            setup.sigma0,
            g,
            setup.accumulate,
        );
        theory.push(TheoryRow::new(series, g, "theory_optimal_lambda", lo));
        theory.push(TheoryRow::new(
            series,
            g,
            "theory_test_error_optimal_lambda",
            ridge_iterated(
                &setup.spec,
                1.0,
                setup.t,
                setup.t0,
                setup.sigma,
                setup.sigma0,
                lo,
                g,
                setup.accumulate,
            ),
        ));
    }
    Ok(RunOutput {
        records,
        theory,
        report: None,
    })
}

/// `regression-iterated`.
pub fn iterated_experiment() -> Experiment {
    Experiment {
        id: "regression-iterated",
        title: "Iterated regression: generators fitted on the previous generator's labels (replace or accumulate)",
        about: "w0 ~ N(0, I/d) per replicate; generator k is the least-squares fit to T0 inputs (fresh, or a fixed design) labelled by generator k-1 plus N(0, σ0²) noise, on the newest data (replace) or on all data so far (accumulate), through the core's generation loop. Downstream: ridge (λ; 0 = least squares) on T fresh inputs labelled by generator g plus N(0, σ²) noise. Metrics per generation g: test_error = |ŵ_pred − w0|²_Σ, generator_error = |ŵ_g − w0|²_Σ. Theory: theory_test_error = σ²d/(T−d−1) + g σ0² d/(T0−d−1) (OLS, exact under replace; under accumulate g becomes Σ_{i≤g} 1/i² ≤ π²/6, exact for a fixed design and an upper bound for fresh designs); for λ > 0 the ridge deterministic equivalent; theory_optimal_lambda and theory_test_error_optimal_lambda (the optimal ridge grows with g).",
        params: iterated_params(),
        validate: iterated_validate,
        work: |p| p.int("replicates") as u64,
        run: iterated_run,
    }
}

fn tails_params() -> Vec<ParamSpec> {
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

fn tails_validate(p: &Params) -> Result<(), ParamError> {
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
    Ok(())
}

/// The T grid of `regression-tails`.
pub fn tails_grid(p: &Params) -> Vec<f64> {
    let (lo, hi, k) = (
        p.float("samples_min"),
        p.float("samples_max"),
        p.usize("points"),
    );
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

/// The training distributions of `regression-tails`, with their series names: clean, cut,
/// narrowed, and mixed when `clean_fraction` > 0.
pub fn tails_models(p: &Params) -> Vec<(&'static str, Zipf)> {
    let (n, beta) = (p.usize("items"), p.float("exponent"));
    let mut models = vec![
        ("clean", Zipf::new(n, beta, Tail::Clean)),
        ("cut", Zipf::new(n, beta, Tail::Cut(p.usize("cut")))),
        (
            "narrowed",
            Zipf::new(n, beta, Tail::Narrowed(p.float("narrowed_exponent"))),
        ),
    ];
    let pi = p.float("clean_fraction");
    if pi > 0.0 {
        let k = p.usize("cut");
        models.push(("mixed", Zipf::new(n, beta, Tail::Mixed { k, pi })));
    }
    models
}

/// The `generations` series of `regression-tails` (when `generations` > 0): theory rows from the
/// exact count law and records from exactly drawn chains, one chain per replicate and the
/// learner at every T of the grid.
fn generations_series(
    p: &Params,
    clean: &Zipf,
    grid: &[f64],
    ctx: &RunContext<'_>,
) -> (Vec<TheoryRow>, Vec<Record>) {
    const S: &str = "generations";
    let (n, t0) = (p.usize("generations"), p.usize("generator_samples"));
    let law = CountLaw::after(&clean.p, t0, n);
    let mut theory = vec![TheoryRow::new(S, 0, "theory_lost_mass", law.lost_mass())];
    for (i, &t) in grid.iter().enumerate() {
        let teff = effective_samples(t0 as f64, n, t);
        let i = i as u64;
        theory.push(TheoryRow::new(
            S,
            i,
            "theory_test_error",
            law.expected_error(t),
        ));
        theory.push(TheoryRow::new(
            S,
            i,
            "theory_scaling_law",
            clean.asymptotic(teff),
        ));
        theory.push(TheoryRow::new(S, i, "theory_effective_samples", teff));
        theory.push(TheoryRow::new(S, i, "theory_samples", t));
    }
    let chain = ChainSampler::new(&clean.p);
    let records = ctx.replicates(S, p.int("replicates") as u64, |r, rng| {
        let g = chain.run(t0 as u64, n, rng);
        let mut out = vec![
            Record::new(S, r, 0, "lost_mass", chain.lost_mass(&g)),
            Record::new(S, r, 0, "support", g.idx.len() as f64),
        ];
        for (i, &t) in grid.iter().enumerate() {
            let i = i as u64;
            out.push(Record::new(
                S,
                r,
                i,
                "expected_test_error",
                chain.expected_error(&g, t),
            ));
            out.push(Record::new(
                S,
                r,
                i,
                "test_error",
                chain.simulate(&g, t as u64, rng),
            ));
        }
        out
    });
    (theory, records)
}

fn tails_run(p: &Params, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
    let grid = tails_grid(p);
    let models = tails_models(p);
    let mut theory = Vec::new();
    for (name, z) in &models {
        for (i, &t) in grid.iter().enumerate() {
            theory.push(TheoryRow::new(
                name,
                i as u64,
                "theory_test_error",
                z.expected_error(t),
            ));
            theory.push(TheoryRow::new(
                name,
                i as u64,
                "theory_scaling_law",
                z.asymptotic(t),
            ));
            theory.push(TheoryRow::new(name, i as u64, "theory_samples", t));
        }
        theory.push(TheoryRow::new(name, 0, "theory_exponent", z.exponent()));
    }
    let reps = p.int("replicates") as u64;
    let mut records = Vec::new();
    for (name, z) in &models {
        records.extend(ctx.replicates(name, reps, |r, rng| {
            grid.iter()
                .enumerate()
                .map(|(i, &t)| {
                    Record::new(name, r, i as u64, "test_error", z.simulate(t as usize, rng))
                })
                .collect()
        }));
    }
    if p.int("generations") > 0 {
        let (th, rec) = generations_series(p, &models[0].1, &grid, ctx);
        theory.extend(th);
        records.extend(rec);
    }
    Ok(RunOutput {
        records,
        theory,
        report: None,
    })
}

/// `regression-tails`.
pub fn tails_experiment() -> Experiment {
    Experiment {
        id: "regression-tails",
        title: "A Tale of Tails: tail cutting, narrowing, clean-data mixing and n generations change the scaling law of a memorising learner",
        about: "Zipf data p_i ∝ i^-β over N items; a memorising learner trained on T samples from q errs on the p-mass of the items it has not seen. Series: clean (q = p), cut (q = p restricted to ranks <= k), narrowed (q ∝ i^-β'); mixed when clean_fraction π > 0 (q = (1−π) q_cut + π p: the cut's plateau, then recovery at the clean rate once πT >> k^β); generations when generations n > 0 (generation g is the empirical law of T0 = generator_samples draws from generation g−1, generation 0 = p, drawn exactly as conditional binomials over the live support; the learner trains on generation n). Metrics per T (step = index in the log grid): test_error (simulated), theory_test_error = E Σ p_i (1 − q_i)^T (exact; for generations from the exact Wright–Fisher law of the counts), theory_scaling_law (A T^-(β−1)/β' plus, for the cut, the unreachable tail mass Σ_{i>k} p_i; for mixed the incomplete-gamma integral of head and tail; for generations the clean law at the Galton–Watson effective sample size), theory_samples (T), theory_exponent. Generations only: expected_test_error (Σ p_i (1 − q_{n,i})^T given each chain), theory_effective_samples (T_eff: 1/T_eff ≈ 1/T + n/(2 T0) for T << T0, T_eff → T0 s_n ≈ 2 T0/(n+1) as T → ∞), and at step 0 lost_mass (Σ_{q_{n,i} = 0} p_i), support (items alive at generation n), theory_lost_mass (exact).",
        params: tails_params(),
        validate: tails_validate,
        work: |p| {
            let series = 3
                + i64::from(p.float("clean_fraction") > 0.0)
                + i64::from(p.int("generations") > 0);
            (series * p.int("replicates")) as u64
        },
        run: tails_run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theory_only_mix_reproduces_the_equivalent_and_sweeps_validate() {
        let e = mix_experiment();
        let ctx = RunContext::new(1, "regression-mix");
        let (_, out) = e
            .run_with(
                &[
                    ("replicates", "0"),
                    ("width", "700"),
                    ("sweep", "lambda"),
                    ("sweep_values", "1e-6:1:5:log"),
                ],
                &ctx,
            )
            .unwrap();
        assert!(out.records.is_empty());
        let sets = vec![
            ("sweep".to_string(), "width".to_string()),
            ("sweep_values".to_string(), "50:3000:12:log".to_string()),
        ];
        let grid = mix_grid(&e.resolve(None, &sets).unwrap()).unwrap();
        assert_eq!(grid.len(), 12);
        assert_eq!((grid[0].int("width"), grid[11].int("width")), (50, 3000));
        let totals: Vec<f64> = out
            .theory
            .iter()
            .filter(|t| t.metric == "theory_test_error")
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
        assert!(out.theory.iter().all(|t| t.value.is_finite()));
        for bad in [
            vec![("sweep", "width"), ("sweep_values", "10.5")],
            vec![("sweep", "width"), ("sweep_values", "-10:10:3")],
            vec![("lambda", "1e-12")],
            vec![("sweep", "lambda"), ("sweep_values", "0,1")],
            vec![("sweep", "spectrum"), ("sweep_values", "1")],
            vec![("sweep_values", "1,2")],
            vec![("sweep", "samples"), ("sweep_values", "1:x:3")],
        ] {
            let sets: Vec<(String, String)> = bad
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
            assert!(e.resolve(None, &sets).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn iterated_refuses_underdetermined_generators() {
        let e = iterated_experiment();
        let sets = vec![
            ("dim".to_string(), "50".to_string()),
            ("generator_samples".to_string(), "40".to_string()),
        ];
        let err = e.resolve(None, &sets).unwrap_err().to_string();
        assert!(
            err.contains("generator_samples") && err.contains("52"),
            "{err}"
        );
    }

    #[test]
    fn experiments_are_deterministic_across_thread_counts() {
        let e = mix_experiment();
        let sets = [
            ("dim", "30"),
            ("samples", "40"),
            ("width", "20"),
            ("replicates", "3"),
            ("sweep", "samples"),
            ("sweep_values", "20,60"),
        ];
        let a = e
            .run_with(&sets, &RunContext::new(5, "regression-mix"))
            .unwrap()
            .1
            .records;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| {
            e.run_with(&sets, &RunContext::new(5, "regression-mix"))
                .unwrap()
                .1
                .records
        });
        assert_eq!(a, b);
        assert_eq!(a.len(), 2 * 3 * 4);
        let it = iterated_experiment();
        let sets = [
            ("dim", "5"),
            ("samples", "20"),
            ("generator_samples", "10"),
            ("generations", "3"),
            ("replicates", "4"),
            ("policy", "accumulate"),
        ];
        let a = it
            .run_with(&sets, &RunContext::new(5, "regression-iterated"))
            .unwrap()
            .1;
        let b = pool.install(|| {
            it.run_with(&sets, &RunContext::new(5, "regression-iterated"))
                .unwrap()
                .1
        });
        assert_eq!(a.records, b.records);
        assert!(a.records.iter().all(|r| r.value.is_finite()));
        let tl = tails_experiment();
        let sets = [
            ("items", "1000"),
            ("cut", "100"),
            ("samples_max", "1000"),
            ("points", "3"),
            ("replicates", "2"),
        ];
        let out = tl
            .run_with(&sets, &RunContext::new(5, "regression-tails"))
            .unwrap()
            .1;
        assert_eq!(out.records.len(), 3 * 3 * 2);
    }

    #[test]
    fn tails_mixing_and_generations_series() {
        let tl = tails_experiment();
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
        let ctx = RunContext::new(5, "regression-tails");
        let (params, out) = tl.run_with(&sets, &ctx).unwrap();
        // Four series × 3 T × 3 replicates, and per generations replicate 2 + 2 × 3 records.
        assert_eq!(out.records.len(), 4 * 3 * 3 + 3 * (2 + 2 * 3));
        assert!(out.records.iter().all(|r| r.value.is_finite()));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let again = pool.install(|| tl.run_with(&sets, &ctx).unwrap().1);
        assert_eq!(out.records, again.records);
        // The existing series do not depend on the new ones.
        let plain = tl
            .run_with(&sets[..5], &RunContext::new(5, "regression-tails"))
            .unwrap()
            .1;
        assert!(plain.records.iter().all(|r| out.records.contains(r)));
        let grid = tails_grid(&params);
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
        assert_eq!(pick("generations", "theory_test_error"), exact);
        assert_eq!(
            pick("generations", "theory_lost_mass"),
            vec![law.lost_mass()]
        );
        let mixed = Zipf::new(2000, 2.0, Tail::Mixed { k: 50, pi: 0.1 });
        let exact: Vec<f64> = grid.iter().map(|&t| mixed.expected_error(t)).collect();
        assert_eq!(pick("mixed", "theory_test_error"), exact);
        for (name, bad, range) in [
            ("clean_fraction", "1.5", "[0, 1]"),
            ("generations", "-1", "[0, 1000]"),
            ("generator_samples", "0", "[1, 100000]"),
        ] {
            let err = tl
                .resolve(None, &[(name.to_string(), bad.to_string())])
                .unwrap_err()
                .to_string();
            assert!(err.contains(name) && err.contains(range), "{err}");
        }
    }
}
