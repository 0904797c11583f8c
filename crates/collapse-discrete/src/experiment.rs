//! The `discrete-chain` experiment and the discrete part of the error-sources
//! taxonomy, `sources-discrete`.

use crate::model::{
    Categorical, Discrete, FIT_NAMES, FitRule, Initial, METRIC_NAMES, read_weights,
};
use crate::theory;
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::{
    Experiment, ExperimentError, Flow, ParamError, ParamSpec, Params, Policy, Record, Rng,
    RunContext, RunOutput, Schedule, Sources, TheoryRow, run_chain,
};

/// The experiment's id.
pub const ID: &str = "discrete-chain";
/// The error-sources experiment's id.
pub const SOURCES_ID: &str = "sources-discrete";

/// The series of the per-category extinction records (`step` = category index, 1-based).
pub const EXTINCTION_SERIES: &str = "extinction";
/// The series of the per-chain absorption records (`step` 0).
pub const ABSORPTION_SERIES: &str = "absorption";

fn params() -> Vec<ParamSpec> {
    let [policy, real_fraction] = collapse_core::policy::policy_params();
    vec![
        ParamSpec::int(
            "categories",
            500,
            2,
            10_000_000,
            "K: number of categories (ignored with distribution=file, which sets K)",
        ),
        ParamSpec::choice(
            "distribution",
            "zipf",
            &["zipf", "uniform", "geometric", "file"],
            "generation 0: p_i ∝ i^(-exponent), uniform, ∝ exp(-exponent (i-1)), or the weights in weights_file",
        ),
        ParamSpec::float("exponent", 1.1, 0.0, 100.0, "Zipf or geometric exponent"),
        ParamSpec::text(
            "weights_file",
            "",
            "with distribution=file: a text file of non-negative weights (whitespace or comma separated)",
        ),
        ParamSpec::int(
            "samples",
            500,
            1,
            1_000_000_000,
            "M: draws per generation (the base of the growth schedule)",
        ),
        ParamSpec::int(
            "generations",
            200,
            0,
            1_000_000,
            "number of fitted generations after the truth",
        ),
        ParamSpec::int("replicates", 100, 1, 1_000_000_000, "independent chains"),
        ParamSpec::choice(
            "fit",
            "empirical",
            FIT_NAMES,
            "empirical frequencies (statistical error only), add-alpha smoothing (approximation error), or top-k truncation (expressivity error)",
        ),
        ParamSpec::float_above("alpha", 0.5, 0.0, 1e9, "pseudo-count of fit=add-alpha"),
        ParamSpec::int("top_k", 10, 1, 10_000_000, "categories kept by fit=top-k"),
        policy,
        real_fraction,
        collapse_core::policy::growth_param(),
        ParamSpec::choice(
            "mode",
            "finite",
            &["finite", "infinite"],
            "statistical error on (finite samples) or off (fit the expected counts M p of the population)",
        ),
        ParamSpec::int(
            "track_extinction",
            500,
            0,
            10_000_000,
            "record the extinction generation of the first this-many categories (at most K)",
        ),
    ]
}

fn validate(p: &Params) -> Result<(), ParamError> {
    if p.text("distribution") == "file" && p.text("weights_file").trim().is_empty() {
        return Err(ParamError::conflict(
            "weights_file",
            "distribution=file needs weights_file=PATH (a text file of non-negative weights)",
        ));
    }
    if p.text("distribution") != "file" && !p.text("weights_file").trim().is_empty() {
        return Err(ParamError::conflict(
            "weights_file",
            "is only used with distribution=file",
        ));
    }
    // Accumulated pools and schedules must keep counts within u64 and the loop finite.
    let sched = Schedule::parse(p.text("growth"))?;
    let g = p.int("generations") as u64;
    let m = p.usize("samples");
    let total: f64 = (0..g.max(1)).map(|i| sched.size(m, i) as f64).sum();
    if total > 1e18 {
        return Err(ParamError::conflict(
            "samples",
            format!(
                "the schedule draws {total:.3e} points in all (over 1e18); use fewer samples or generations"
            ),
        ));
    }
    // Every record is held in memory before it is written.
    let records = p.float("replicates")
        * ((p.float("generations") + 1.0) * 6.0 + 2.0 * p.float("track_extinction") + 2.0);
    if records > 1e8 {
        return Err(ParamError::conflict(
            "replicates",
            format!(
                "the run would hold {records:.3e} records (over 1e8); use fewer replicates, generations or track_extinction"
            ),
        ));
    }
    let k = if p.text("distribution") == "file" {
        1
    } else {
        p.usize("categories")
    };
    let dense = p.text("fit") == "add-alpha" || p.text("mode") == "infinite";
    if dense && (k as f64) * (g as f64) * (p.int("replicates") as f64) > 5e11 {
        return Err(ParamError::conflict(
            "categories",
            "add-alpha and the infinite-sample mode cost O(K) per generation; K x generations x replicates must stay below 5e11",
        ));
    }
    Ok(())
}

/// The resolved configuration of a run.
#[derive(Clone, Debug)]
pub struct Setup {
    /// The weights of generation 0 (not normalised).
    pub weights: Vec<f64>,
    /// The fit.
    pub rule: FitRule,
    /// The loop configuration.
    pub chain: ChainConfig,
    /// Replicates.
    pub replicates: u64,
    /// Categories whose extinction is recorded (the first `track`).
    pub track: usize,
}

impl Setup {
    /// A `replace`, constant-size, finite-sample setup.
    pub fn replace(weights: Vec<f64>, rule: FitRule, samples: usize, generations: u64) -> Self {
        Self {
            weights,
            rule,
            chain: ChainConfig::replace(samples, generations),
            replicates: 1,
            track: 0,
        }
    }

    /// Reads a setup from validated parameters (reads `weights_file` if asked).
    pub fn from_params(p: &Params) -> Result<Self, ExperimentError> {
        let k = p.usize("categories");
        let s = p.float("exponent");
        let weights = match p.text("distribution") {
            "zipf" => Initial::Zipf(s).weights(k),
            "uniform" => Initial::Uniform.weights(k),
            "geometric" => Initial::Geometric(s).weights(k),
            _ => read_weights(p.text("weights_file")).map_err(ExperimentError::Input)?,
        };
        let rule = match p.text("fit") {
            "add-alpha" => FitRule {
                alpha: p.float("alpha"),
                top_k: None,
            },
            "top-k" => FitRule {
                alpha: 0.0,
                top_k: Some(p.usize("top_k")),
            },
            _ => FitRule::EMPIRICAL,
        };
        let track = p.usize("track_extinction").min(weights.len());
        Ok(Self {
            weights,
            rule,
            chain: ChainConfig {
                generations: p.int("generations") as u64,
                samples: p.usize("samples"),
                schedule: Schedule::parse(p.text("growth"))?,
                policy: Policy::from_params(p)?,
                finite: p.text("mode") == "finite",
            },
            replicates: p.int("replicates") as u64,
            track,
        })
    }

    /// The family.
    pub fn family(&self) -> Discrete {
        Discrete::new(&self.weights, self.rule, self.chain.samples)
    }

    /// Runs one chain of `family` through the core loop, calling `observe(g, model)`.
    pub fn run_one<R: Flow>(
        &self,
        family: &Discrete,
        rng: &mut Rng,
        observe: impl FnMut(u64, &Categorical) -> R,
    ) -> Result<(), ChainError> {
        run_chain(family, &self.chain, rng, observe)
    }

    /// The records of one replicate: the metrics per generation, the extinction generation of
    /// the tracked categories and the absorption time.
    pub fn replicate_records(
        &self,
        family: &Discrete,
        series: &'static str,
        r: u64,
        rng: &mut Rng,
    ) -> Result<Vec<Record>, ChainError> {
        let n = self.chain.generations;
        let mut out = Vec::with_capacity((n as usize + 1) * 6 + 2 * self.track + 2);
        // seen[i] = last generation at which tracked category i had mass; first_dead[i] = the
        // first generation at which it had none.
        let mut seen = vec![u64::MAX; self.track];
        let mut first_dead = vec![u64::MAX; self.track];
        let mut absorbed_at = None;
        let track = self.track as u32;
        self.run_one(family, rng, |g, m| {
            let x = family.metrics(m);
            for (name, v) in METRIC_NAMES.iter().zip(x.values()) {
                out.push(Record::new(series, r, g, name, v));
            }
            if x.absorbed == 1.0 && absorbed_at.is_none() {
                absorbed_at = Some(g);
            }
            for &i in m.idx.iter().take_while(|&&i| i < track) {
                seen[i as usize] = g;
            }
            for i in 0..self.track {
                if seen[i] != g && first_dead[i] == u64::MAX && family.p0[i] > 0.0 {
                    first_dead[i] = g;
                }
            }
        })?;
        for i in 0..self.track {
            if family.p0[i] > 0.0 {
                let died = first_dead[i] != u64::MAX;
                let at = if died { first_dead[i] } else { n + 1 };
                let step = i as u64 + 1;
                out.push(Record::new(
                    EXTINCTION_SERIES,
                    r,
                    step,
                    "extinction_generation",
                    at as f64,
                ));
                out.push(Record::new(
                    EXTINCTION_SERIES,
                    r,
                    step,
                    "extinct",
                    f64::from(u8::from(died)),
                ));
            }
        }
        let at = absorbed_at.unwrap_or(n + 1);
        out.push(Record::new(
            ABSORPTION_SERIES,
            r,
            0,
            "absorption_time",
            at as f64,
        ));
        out.push(Record::new(
            ABSORPTION_SERIES,
            r,
            0,
            "absorbed_by_end",
            f64::from(u8::from(absorbed_at.is_some())),
        ));
        Ok(out)
    }

    /// The closed forms this configuration has (see the experiment's `about`).
    pub fn theory(&self, family: &Discrete, series: &'static str) -> Vec<TheoryRow> {
        let mut rows = Vec::new();
        let n = self.chain.generations;
        let p0 = &family.p0;
        let m = self.chain.samples;
        let k = p0.len();
        let top = p0[family.top as usize];
        let replace = self.chain.policy == Policy::Replace;
        let constant = self.chain.schedule == Schedule::Constant;
        let empirical = self.rule == FitRule::EMPIRICAL;
        let theory_tv = |rows: &mut Vec<TheoryRow>, f: &dyn Fn(u64) -> f64| {
            for g in 0..=n {
                rows.push(TheoryRow::new(series, g, "theory_tv", f(g)));
            }
        };
        // Every policy keeps E p_n = p_0 under the empirical fit (each step is an unbiased draw
        // of something whose mean is p_0).
        if empirical && self.chain.finite {
            for g in 0..=n {
                rows.push(TheoryRow::new(series, g, "theory_p_top", top));
            }
        }
        if empirical && self.chain.finite && replace {
            let sizes: Vec<f64> = (0..n)
                .map(|i| self.chain.schedule.size(m, i) as f64)
                .collect();
            for g in 0..=n {
                rows.push(TheoryRow::new(
                    series,
                    g,
                    "theory_heterozygosity",
                    theory::expected_heterozygosity(p0, &sizes[..g as usize]),
                ));
            }
            if constant && exact_affordable(p0, m, n) {
                let (sup, abs) = theory::support_and_absorption(p0, m, n);
                for g in 0..=n {
                    rows.push(TheoryRow::new(series, g, "theory_support", sup[g as usize]));
                    rows.push(TheoryRow::new(
                        series,
                        g,
                        "theory_absorbed",
                        abs[g as usize],
                    ));
                }
                // E T = Σ_g P(T > g), when the horizon leaves a negligible tail.
                if 1.0 - abs[n as usize] < 1e-12 {
                    let mean: f64 = abs.iter().map(|a| 1.0 - a).sum();
                    rows.push(TheoryRow::new(
                        ABSORPTION_SERIES,
                        0,
                        "theory_absorption_time",
                        mean,
                    ));
                }
            }
        }
        if replace
            && (constant || !self.chain.finite)
            && let FitRule { alpha, top_k: None } = self.rule
            && alpha > 0.0
        {
            for g in 0..=n {
                rows.push(TheoryRow::new(
                    series,
                    g,
                    "theory_p_top",
                    theory::add_alpha_mean(top, m as f64, k as f64, alpha, g),
                ));
            }
            if !self.chain.finite {
                theory_tv(&mut rows, &|g| theory::add_alpha_tv(p0, m as f64, alpha, g));
            }
        }
        if replace && !self.chain.finite {
            match self.rule {
                FitRule {
                    alpha: 0.0,
                    top_k: Some(t),
                } => {
                    let ps = theory::top_k_mass(p0, t);
                    theory_tv(&mut rows, &|g| if g == 0 { 0.0 } else { 1.0 - ps });
                }
                FitRule {
                    alpha: 0.0,
                    top_k: None,
                } => theory_tv(&mut rows, &|_| 0.0),
                _ => {}
            }
        }
        rows
    }
}

/// A cost estimate of the exact two-type computation (operations): per distinct $p_0$ and
/// generation, the states carrying mass (about 27 standard deviations of the count, whose
/// variance is at most $M^2 p(1-p)(1 - (1-1/M)^n)$) times the row width ($27\sqrt{M/4}$).
pub fn exact_cost(p0: &[f64], m: usize, n: u64) -> f64 {
    let mut v: Vec<f64> = p0.iter().copied().filter(|&p| p > 0.0).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    v.dedup();
    let mf = m as f64;
    let width = (27.0 * (mf / 4.0).sqrt() + 1.0).min(mf + 1.0);
    let spread = 1.0 - (1.0 - 1.0 / mf).powf(n as f64);
    v.iter()
        .map(|p| {
            let sd = mf * (p * (1.0 - p) * spread).sqrt();
            n as f64 * (27.0 * sd + 10.0).min(mf + 1.0) * width
        })
        .sum()
}

/// Whether the exact computation takes at most a few seconds.
fn exact_affordable(p0: &[f64], m: usize, n: u64) -> bool {
    m <= 5000 && exact_cost(p0, m, n) <= 8e9
}

fn run(p: &Params, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
    let setup = Setup::from_params(p)?;
    let family = setup.family();
    let series = setup.chain.policy.name();
    let failure = std::sync::Mutex::new(None);
    let records = ctx.replicates("", setup.replicates, |r, rng| {
        match setup.replicate_records(&family, series, r, rng) {
            Ok(v) => v,
            Err(e) => {
                *failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                Vec::new()
            }
        }
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e.into());
    }
    Ok(RunOutput {
        records,
        theory: setup.theory(&family, series),
        report: None,
    })
}

/// The `discrete-chain` experiment.
pub fn experiment() -> Experiment {
    Experiment {
        id: ID,
        title: "Recursive fitting of a categorical distribution (neutral Wright-Fisher)",
        about: "Generation 0 is p_i ∝ i^(-exponent) (zipf), uniform, ∝ exp(-exponent (i-1)) (geometric) or the weights of a file; generation n >= 1 is fitted (empirical, add-alpha or top-k) on `samples` draws of generation n-1 assembled by the data policy. Draws are exact multinomials, as conditional binomials over the live support. Series <policy>: support, entropy, heterozygosity, tv (to generation 0), p_top (mass of generation 0's most probable category), absorbed, per generation. Series `extinction` (step = category index i, 1-based, for the first track_extinction categories): extinction_generation (first generation with zero mass; generations+1 if it never died: censored) and extinct (0/1). Series `absorption` (step 0): absorption_time (first generation with one category; generations+1 if none) and absorbed_by_end. Theory: theory_p_top (E p_n = p_0 for the empirical fit under every policy; lambda^n p_0 + (1-lambda^n)/K for add-alpha, replace); empirical+replace: theory_heterozygosity = H_0 prod(1-1/M_i), and with constant M: theory_support and theory_absorbed exact from the (M+1)-state two-type chains (when affordable), theory_absorption_time when the horizon covers absorption; infinite mode: theory_tv (0 empirical, 1-P_S top-k, (1-lambda^n) TV(u,p_0) add-alpha).",
        params: params(),
        validate,
        work: |p| p.int("replicates") as u64,
        run,
    }
}

// ----------------------------------------------------------------------------------------
// sources-discrete

fn sources_params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("categories", 100, 2, 1_000_000, "K: number of categories"),
        ParamSpec::float("exponent", 1.1, 0.0, 100.0, "Zipf exponent of generation 0"),
        ParamSpec::int(
            "samples",
            1000,
            1,
            1_000_000_000,
            "M: draws per generation (finite) and the expected-count scale (infinite)",
        ),
        ParamSpec::int(
            "generations",
            100,
            0,
            100_000,
            "number of fitted generations after the truth",
        ),
        ParamSpec::int(
            "replicates",
            100,
            1,
            1_000_000,
            "independent chains per series",
        ),
        ParamSpec::float_above(
            "alpha",
            0.5,
            0.0,
            1e9,
            "add-alpha pseudo-count (the approximation error)",
        ),
        ParamSpec::int(
            "top_k",
            20,
            1,
            1_000_000,
            "categories kept by the top-k truncation (the expressivity error)",
        ),
    ]
}

fn sources_validate(p: &Params) -> Result<(), ParamError> {
    if p.int("top_k") >= p.int("categories") {
        return Err(ParamError::conflict(
            "top_k",
            format!(
                "{} keeps every category, so the expressivity error is absent; valid range: an integer in [1, {}]",
                p.int("top_k"),
                p.int("categories") - 1
            ),
        ));
    }
    let cost = p.float("categories") * p.float("generations") * p.float("replicates") * 8.0;
    if cost > 5e11 {
        return Err(ParamError::conflict(
            "replicates",
            "categories x generations x replicates x 8 series must stay below 5e11",
        ));
    }
    Ok(())
}

/// The fit and sampling mode of an error-source combination: statistical = finite samples,
/// expressivity = top-k, approximation = add-alpha.
pub fn sources_setup(s: Sources, weights: &[f64], m: usize, n: u64, alpha: f64, k: usize) -> Setup {
    let rule = FitRule {
        alpha: if s.approximation { alpha } else { 0.0 },
        top_k: s.expressivity.then_some(k),
    };
    let mut setup = Setup::replace(weights.to_vec(), rule, m, n);
    setup.chain.finite = s.statistical;
    setup
}

fn sources_run(p: &Params, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
    let weights = Initial::Zipf(p.float("exponent")).weights(p.usize("categories"));
    let (m, n) = (p.usize("samples"), p.int("generations") as u64);
    let (alpha, k) = (p.float("alpha"), p.usize("top_k"));
    let mut records = Vec::new();
    let mut theory_rows = Vec::new();
    for s in Sources::all() {
        let setup = sources_setup(s, &weights, m, n, alpha, k);
        let family = setup.family();
        let label = s.label();
        let recs = ctx.replicates(label, p.int("replicates") as u64, |r, rng| {
            let mut out = Vec::with_capacity(n as usize + 1);
            setup
                .run_one(&family, rng, |g, model| {
                    out.push(Record::new(label, r, g, "tv", family.metrics(model).tv));
                })
                .expect("replace chains with a population fit always run");
            out
        });
        records.extend(recs);
        let p0 = &family.p0;
        let closed: Option<Box<dyn Fn(u64) -> f64>> =
            match (s.statistical, s.expressivity, s.approximation) {
                (false, false, false) => Some(Box::new(|_| 0.0)),
                (false, true, false) => {
                    let ps = theory::top_k_mass(p0, k);
                    Some(Box::new(move |g| if g == 0 { 0.0 } else { 1.0 - ps }))
                }
                (false, false, true) => {
                    Some(Box::new(|g| theory::add_alpha_tv(p0, m as f64, alpha, g)))
                }
                _ => None,
            };
        if let Some(f) = closed {
            for g in 0..=n {
                theory_rows.push(TheoryRow::new(label, g, "theory_tv", f(g)));
            }
        }
    }
    Ok(RunOutput {
        records,
        theory: theory_rows,
        report: None,
    })
}

/// The `sources-discrete` experiment.
pub fn sources_experiment() -> Experiment {
    Experiment {
        id: SOURCES_ID,
        title: "The three error sources on a categorical distribution, alone and combined",
        about: "Generation 0 is Zipf(exponent) on K categories; each of the eight combinations of the error sources is a series named by its label: statistical = finite samples (off: the infinite-sample mode fits the expected counts M p), expressivity = top-k truncation, approximation = add-alpha smoothing. Metric: tv (total variation to generation 0) per generation, replace policy. Theory: theory_tv for `none` (0), `expressivity` (1 - P_S from generation 1 on, then constant) and `approximation` ((1 - lambda^n) TV(uniform, p_0), lambda = M/(M + K alpha)).",
        params: sources_params(),
        validate: sources_validate,
        work: |p| 8 * p.int("replicates") as u64,
        run: sources_run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::ExperimentError;

    fn run_small(sets: &[(&str, &str)]) -> Result<RunOutput, ExperimentError> {
        let mut all = vec![
            ("categories", "30"),
            ("samples", "50"),
            ("generations", "20"),
            ("replicates", "8"),
            ("track_extinction", "10"),
        ];
        all.extend_from_slice(sets);
        experiment()
            .run_with(&all, &RunContext::new(7, ID))
            .map(|(_, o)| o)
    }

    #[test]
    fn records_are_deterministic_and_complete() {
        let a = run_small(&[]).unwrap();
        let b = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| run_small(&[]).unwrap());
        assert_eq!(a.records, b.records);
        let count = |series: &str, metric: &str| {
            a.records
                .iter()
                .filter(|r| r.series == series && r.metric == metric)
                .count()
        };
        assert_eq!(count("replace", "support"), 8 * 21);
        assert_eq!(count(EXTINCTION_SERIES, "extinction_generation"), 8 * 10);
        assert_eq!(count(ABSORPTION_SERIES, "absorption_time"), 8);
        assert!(a.records.iter().all(|r| r.value.is_finite()));
        // Support never grows under the empirical fit; extinction agrees with it.
        for r in 0..8 {
            let sup: Vec<f64> = a
                .records
                .iter()
                .filter(|x| x.replicate == r && x.metric == "support")
                .map(|x| x.value)
                .collect();
            assert!(sup.windows(2).all(|w| w[1] <= w[0]));
        }
        let th: Vec<&str> = a.theory.iter().map(|t| &*t.metric).collect();
        for m in [
            "theory_support",
            "theory_absorbed",
            "theory_heterozygosity",
            "theory_p_top",
        ] {
            assert!(th.contains(&m), "{m}");
        }
    }

    #[test]
    fn every_policy_fit_and_mode_runs() {
        for policy in ["replace", "accumulate", "accumulate-subsample", "mix"] {
            for fit in ["empirical", "add-alpha", "top-k"] {
                for mode in ["finite", "infinite"] {
                    let o = run_small(&[("policy", policy), ("fit", fit), ("mode", mode)])
                        .unwrap_or_else(|e| panic!("{policy} {fit} {mode}: {e}"));
                    assert!(o.records.iter().all(|r| r.value.is_finite()));
                    if fit == "add-alpha" {
                        assert!(
                            o.records
                                .iter()
                                .filter(|r| r.metric == "support")
                                .all(|r| r.value == 30.0)
                        );
                    }
                }
            }
        }
        for dist in ["uniform", "geometric"] {
            run_small(&[("distribution", dist)]).unwrap();
        }
        // Degenerate sizes: one draw per generation absorbs at once; no generation at all.
        for sets in [
            vec![("samples", "1")],
            vec![("generations", "0")],
            vec![("growth", "quadratic"), ("policy", "accumulate")],
            vec![("exponent", "60"), ("distribution", "geometric")],
        ] {
            let o = run_small(&sets).unwrap();
            assert!(o.records.iter().all(|r| r.value.is_finite()), "{sets:?}");
            assert!(o.theory.iter().all(|r| r.value.is_finite()), "{sets:?}");
        }
    }

    #[test]
    fn weights_files_and_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.txt");
        std::fs::write(&path, "5, 3 2\n0 1").unwrap();
        let p = path.to_str().unwrap();
        let o = run_small(&[("distribution", "file"), ("weights_file", p)]).unwrap();
        // The zero-weight category is dead from generation 0: support 4.
        assert!(
            o.records
                .iter()
                .any(|r| r.metric == "support" && r.step == 0 && r.value == 4.0)
        );
        let missing = dir.path().join("none.txt");
        let e = run_small(&[
            ("distribution", "file"),
            ("weights_file", missing.to_str().unwrap()),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("weights_file") && e.contains("none.txt"), "{e}");
        std::fs::write(&path, "1 -2").unwrap();
        assert!(run_small(&[("distribution", "file"), ("weights_file", p)]).is_err());
        let e = run_small(&[("distribution", "file")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("weights_file"), "{e}");
        let e = run_small(&[("alpha", "0")]).unwrap_err().to_string();
        assert!(e.contains("alpha") && e.contains("(0"), "{e}");
        let e = sources_experiment()
            .run_with(&[("top_k", "100")], &RunContext::new(1, SOURCES_ID))
            .unwrap_err()
            .to_string();
        assert!(e.contains("top_k"), "{e}");
    }

    #[test]
    fn sources_series_are_the_eight_labels_with_theory() {
        let (_, o) = sources_experiment()
            .run_with(
                &[
                    ("categories", "20"),
                    ("top_k", "5"),
                    ("samples", "100"),
                    ("generations", "10"),
                    ("replicates", "3"),
                ],
                &RunContext::new(1, SOURCES_ID),
            )
            .unwrap();
        for s in Sources::all() {
            let tv: Vec<f64> = o
                .records
                .iter()
                .filter(|r| r.series == s.label() && r.replicate == 0)
                .map(|r| r.value)
                .collect();
            assert_eq!(tv.len(), 11, "{}", s.label());
            for t in o.theory.iter().filter(|t| t.series == s.label()) {
                assert!(
                    (tv[t.step as usize] - t.value).abs() < 1e-12,
                    "{}",
                    s.label()
                );
            }
        }
    }
}
