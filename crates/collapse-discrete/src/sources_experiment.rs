//! The `sources-discrete` experiment: the three error sources of the taxonomy on a categorical
//! distribution, alone and combined (the discrete part of the error-sources experiments).

use crate::model::Initial;
use crate::names::{THEORY_TV, TV};
use crate::simulation::Setup;
use crate::theory;
use collapse_core::chain::ChainError;
use collapse_core::{
    Cost, Drawing, Experiment, ExperimentError, FigureError, Name, ParamError, ParamSpec, Params,
    RunContext, RunOutput, RunView, Sources, TheoryRow,
};

/// The experiment's id.
pub const ID: &str = "sources-discrete";

fn params() -> Vec<ParamSpec> {
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

/// The most K × generations × replicates × 8 series of a run (the population fits cost O(K)
/// per generation).
const MAX_WORK: f64 = 5e11;

/// The resolved configuration of a run.
#[derive(Clone, Debug)]
pub struct SourcesConfig {
    /// The weights of generation 0: Zipf(exponent) on K categories.
    pub weights: Vec<f64>,
    /// M.
    pub samples: usize,
    /// Fitted generations after the truth.
    pub generations: u64,
    /// The add-α pseudo-count (the approximation error).
    pub alpha: f64,
    /// The categories the top-k truncation keeps (the expressivity error).
    pub top_k: usize,
    /// Chains per series.
    pub replicates: u64,
}

impl SourcesConfig {
    /// Checks the combination of parameters once and builds the configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let (k, top_k) = (p.usize("categories"), p.usize("top_k"));
        if top_k >= k {
            return Err(ParamError::conflict(
                "top_k",
                format!(
                    "{top_k} keeps every category, so the expressivity error is absent; valid range: an integer in [1, {}]",
                    k - 1
                ),
            ));
        }
        let c = Self {
            weights: Initial::Zipf(p.float("exponent")).weights(k),
            samples: p.usize("samples"),
            generations: p.int("generations") as u64,
            alpha: p.float("alpha"),
            top_k,
            replicates: p.int("replicates") as u64,
        };
        let work = k as f64 * c.generations as f64 * c.replicates as f64 * 8.0;
        if work > MAX_WORK {
            return Err(ParamError::conflict(
                "replicates",
                "categories x generations x replicates x 8 series must stay below 5e11",
            ));
        }
        Ok(c)
    }

    /// The chain of one combination of error sources.
    pub fn setup(&self, s: Sources) -> Setup {
        Setup::sources(
            s,
            &self.weights,
            self.samples,
            self.generations,
            self.alpha,
            self.top_k,
        )
    }
}

/// `sources-discrete`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SourcesDiscrete;

impl Experiment for SourcesDiscrete {
    type Config = SourcesConfig;

    fn id(&self) -> &'static str {
        ID
    }
    fn title(&self) -> &'static str {
        "The three error sources on a categorical distribution, alone and combined"
    }
    fn about(&self) -> &'static str {
        "Generation 0 is Zipf(exponent) on K categories; each of the eight combinations of the error sources is a series named by its label: statistical = finite samples (off: the infinite-sample mode fits the expected counts M p), expressivity = top-k truncation, approximation = add-alpha smoothing. Metric: tv (total variation to generation 0) per generation, replace policy. Theory: theory_tv for `none` (0), `expressivity` (1 - P_S from generation 1 on, then constant) and `approximation` ((1 - lambda^n) TV(uniform, p_0), lambda = M/(M + K alpha))."
    }
    fn params(&self) -> Vec<ParamSpec> {
        params()
    }
    fn configure(&self, p: &Params) -> Result<SourcesConfig, ParamError> {
        SourcesConfig::from_params(p)
    }
    fn work(&self, c: &SourcesConfig) -> u64 {
        Sources::all().len() as u64 * c.replicates
    }
    fn cost(&self, c: &SourcesConfig) -> Cost {
        let series = Sources::all().len() as f64;
        let k = c.weights.len() as f64;
        // Per worker thread: the model, the counts and a dense population fit (O(K) each) and
        // the rows of one chain; besides, the family of the series being run.
        let per_thread = 60.0 * k + 24.0 * (c.generations as f64 + 1.0);
        Cost {
            records: series * c.replicates as f64 * (c.generations as f64 + 1.0),
            memory: 28.0 * k + per_thread * rayon::current_num_threads() as f64,
        }
    }
    fn run(&self, c: &SourcesConfig, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let n = c.generations;
        let (tv, theory_tv) = (Name::new(TV), Name::new(THEORY_TV));
        let mut theory_rows = Vec::new();
        let sizes = vec![c.samples as f64; n as usize];
        for s in Sources::all() {
            let setup = c.setup(s);
            let family = setup.family();
            let label = s.label();
            let series = Name::new(label);
            ctx.replicates(label, c.replicates, |_, rng, rows| {
                rows.reserve(n as usize + 1);
                setup.run_one(&family, rng, |g, model| {
                    rows.push(series, g, tv, family.metrics(model).tv);
                })?;
                Ok::<(), ChainError>(())
            })?;
            // Without statistical error the chain is deterministic, and TV has a closed form
            // unless top-k and add-alpha are combined.
            if !s.statistical
                && let Some(values) = theory::population_tv(&family.p0, &sizes, setup.rule)
            {
                theory_rows.extend((0..=n).zip(values).map(|(g, value)| TheoryRow {
                    series,
                    step: g,
                    metric: theory_tv,
                    value,
                }));
            }
        }
        Ok(RunOutput {
            theory: theory_rows,
            report: None,
        })
    }
    fn figure(
        &self,
        _: &SourcesConfig,
        run: &RunView<'_>,
    ) -> Option<Result<Box<dyn Drawing>, FigureError>> {
        Some(Ok(Box::new(crate::figures::sources::run_figure(run))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::DynExperiment;

    #[test]
    fn sources_series_are_the_eight_labels_with_theory() {
        let o = DynExperiment::new(SourcesDiscrete)
            .configure_with(&[
                ("categories", "20"),
                ("top_k", "5"),
                ("samples", "100"),
                ("generations", "10"),
                ("replicates", "3"),
            ])
            .unwrap()
            .collect(1)
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
        // The three closed forms: none, expressivity, approximation.
        assert_eq!(o.theory.len(), 3 * 11);
    }

    #[test]
    fn top_k_must_leave_an_expressivity_error() {
        let e = DynExperiment::new(SourcesDiscrete)
            .configure_with(&[("top_k", "100")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("top_k"), "{e}");
    }
}
