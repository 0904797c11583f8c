//! `poisson-collapse`: the full `collapse` command with one more family, written outside the
//! workspace. A Poisson rate λ is refitted by maximum likelihood (the mean of M counts drawn from
//! the previous fit). The total of a generation's counts is Poisson(M λ), so the chain of totals
//! is a Galton–Watson process with Poisson(1) offspring, and λ = 0 is absorbing.
//!
//! Closed forms: E λₙ = λ₀; Var λₙ = n λ₀/M under `replace` and (λ₀/M) Σ_{k≤n} 1/k² under
//! `accumulate`; P(λₙ = 0) = exp(M λ₀ (q_{n−1} − 1)) with q₀ = 0, q_{k+1} = exp(q_k − 1).

use collapse_core::rand_distr::{Distribution, Poisson};
use collapse_core::{
    Catalog, ChainConfig, Check, CheckContext, Cost, DynExperiment, Experiment, ExperimentError, Family,
    Figure, FigureEnv, FigureError, Name, Outcome, ParamError, ParamSpec, Params, Policy, Rng, RunContext,
    RunOutput, TheoryRow, run_chain,
};
use collapse_plot::{Chart, Panel, Series, summary_curve};

/// The model is the rate; the data are the counts.
struct PoissonMle(f64);

impl Family for PoissonMle {
    type Model = f64;
    type Data = Vec<f64>;
    fn truth(&self) -> f64 {
        self.0
    }
    fn fit(&self, counts: &Vec<f64>, _: &mut Rng) -> f64 {
        counts.iter().sum::<f64>() / counts.len() as f64
    }
    fn sample(&self, &rate: &f64, n: usize, rng: &mut Rng) -> Vec<f64> {
        match Poisson::new(rate) {
            Ok(p) => (0..n).map(|_| p.sample(rng)).collect(),
            Err(_) => vec![0.0; n], // λ = 0: extinct for good
        }
    }
}

/// The typed configuration of `poisson-chain`.
struct Setup {
    rate: f64,
    chain: ChainConfig,
    replicates: u64,
}

impl Setup {
    fn new(rate: f64, policy: Policy, samples: usize, generations: u64) -> Self {
        let chain = ChainConfig { policy, ..ChainConfig::replace(samples, generations) };
        Setup { rate, chain, replicates: 0 }
    }
    /// Calls `each(n, λₙ)` along one chain.
    fn chain(&self, rng: &mut Rng, mut each: impl FnMut(u64, f64)) {
        run_chain(&PoissonMle(self.rate), &self.chain, rng, |g, &l| each(g, l)).expect("no subsampling");
    }
    fn var(&self, n: u64) -> f64 {
        let (l0, m) = (self.rate, self.chain.samples as f64);
        match self.chain.policy {
            Policy::Accumulate => l0 / m * (1..=n).map(|k| 1.0 / (k * k) as f64).sum::<f64>(),
            _ => n as f64 * l0 / m,
        }
    }
    fn extinct(&self, n: u64) -> f64 {
        let q = (1..n).fold(0.0, |q, _| f64::exp(q - 1.0));
        if n == 0 { 0.0 } else { (self.chain.samples as f64 * self.rate * (q - 1.0)).exp() }
    }
}

const RATE: &str = "rate";
const EXTINCT: &str = "extinct";

struct PoissonChain;

impl Experiment for PoissonChain {
    type Config = Setup;
    fn id(&self) -> &'static str {
        "poisson-chain"
    }
    fn title(&self) -> &'static str {
        "A Poisson rate refitted by maximum likelihood on its own counts"
    }
    fn about(&self) -> &'static str {
        "Metrics: rate (lambda_n), extinct (1 once lambda_n = 0). Theory: theory_var_rate; under replace theory_extinct (Galton-Watson)."
    }
    fn params(&self) -> Vec<ParamSpec> {
        vec![
            ParamSpec::float_above("rate", 1.0, 0.0, 1e6, "lambda_0"),
            ParamSpec::int("samples", 10, 1, 1_000_000, "M: counts per generation"),
            ParamSpec::int("generations", 50, 0, 100_000, "fitted generations"),
            ParamSpec::int("replicates", 2000, 1, 100_000_000, "independent chains"),
            ParamSpec::choice("policy", "replace", &["replace", "accumulate"], "data policy"),
        ]
    }
    fn configure(&self, p: &Params) -> Result<Setup, ParamError> {
        let policy = Policy::parse(p.text("policy"), 0.0)?;
        let s = Setup::new(p.float("rate"), policy, p.usize("samples"), p.int("generations") as u64);
        Ok(Setup { replicates: p.int("replicates") as u64, ..s })
    }
    fn work(&self, s: &Setup) -> u64 {
        s.replicates
    }
    fn cost(&self, s: &Setup) -> Cost {
        let points = s.chain.samples as f64 * (s.chain.generations + 1) as f64;
        Cost { records: 2.0 * s.replicates as f64 * (s.chain.generations + 1) as f64, memory: 8.0 * points }
    }
    fn run(&self, s: &Setup, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
        let policy = s.chain.policy.name();
        let (series, rate, extinct) = (Name::new(policy), Name::new(RATE), Name::new(EXTINCT));
        ctx.replicates("", s.replicates, |_, rng, rows| {
            s.chain(rng, |g, l| {
                rows.push(series, g, extinct, f64::from(u8::from(l == 0.0)));
                rows.push(series, g, rate, l);
            });
            Ok::<(), ExperimentError>(())
        })?;
        let mut theory = Vec::new();
        for g in 0..=s.chain.generations {
            theory.push(TheoryRow::new(policy, g, "theory_var_rate", s.var(g)));
            if s.chain.policy == Policy::Replace {
                theory.push(TheoryRow::new(policy, g, "theory_extinct", s.extinct(g)));
            }
        }
        Ok(RunOutput { theory, report: None })
    }
}

/// Mean and standard error of `f(λₙ, λ₀)` at the last generation, over the check's chains.
fn measure(c: &CheckContext, s: &Setup, f: fn(f64, f64) -> f64) -> (f64, f64) {
    c.monte_carlo(c.pick(20_000, 200_000), |rng| {
        let mut last = 0.0;
        s.chain(rng, |_, l| last = l);
        f(last, s.rate)
    })
}

fn var_check(policy: Policy) -> impl Fn(&CheckContext) -> Outcome {
    move |c| {
        let s = Setup::new(1.0, policy, 10, 20);
        let (m, se) = measure(c, &s, |l, l0| (l - l0) * (l - l0));
        Outcome::monte_carlo(s.var(20), m, se)
    }
}

fn extinction(c: &CheckContext) -> Outcome {
    let s = Setup::new(1.0, Policy::Replace, 2, 30);
    let (p, se) = measure(c, &s, |l, _| f64::from(u8::from(l == 0.0)));
    Outcome::monte_carlo(s.extinct(30), p, se)
}

fn checks() -> Vec<Check> {
    vec![
        Check::new(
            "poisson.var-replace",
            "Replace: Var lambda_n = n lambda_0 / M; M = 10, n = 20",
            "law of total variance",
            var_check(Policy::Replace),
        ),
        Check::new(
            "poisson.var-accumulate",
            "Accumulate: Var lambda_n = (lambda_0/M) sum_{k<=n} 1/k^2; M = 10, n = 20",
            "law of total variance",
            var_check(Policy::Accumulate),
        ),
        Check::new(
            "poisson.extinction",
            "Replace: P(lambda_n = 0) = exp(M lambda_0 (q_{n-1} - 1)), q_{k+1} = exp(q_k - 1); M = 2, n = 30",
            "Galton-Watson process with Poisson(1) offspring",
            extinction,
        ),
    ]
}

fn figure(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let mut panel = Panel::new("Var λₙ over chains; dashed: closed form", "generation n", "Var λₙ").log_y();
    let mut commands = Vec::new();
    for (i, policy) in ["replace", "accumulate"].into_iter().enumerate() {
        let run = env.run(&DynExperiment::new(PoissonChain), &[("policy", policy)])?;
        let var = |r: &collapse_core::SummaryRow| r.std_error.powi(2) * r.count as f64;
        panel.push(Series::line(policy, i, summary_curve(&run.summary, policy, RATE, var)));
        let exact = summary_curve(&run.summary, policy, "theory_var_rate", |r| r.mean);
        panel.push(Series::dashed(format!("{policy}: exact"), i, exact));
        commands.push(run.command.clone());
    }
    Ok(Chart::single("A Poisson rate refitted on its own counts", commands.join("\n"), panel))
}

fn main() {
    let poisson = Catalog::new("poisson").experiment(PoissonChain).checks(checks()).figures([Figure::new(
        "poisson-variance",
        "Var of the refitted rate",
        figure,
    )]);
    let app = collapse::App::workspace().with(poisson).program("poisson-collapse");
    let args: Vec<String> = std::env::args().collect();
    std::process::exit(app.main(&args, &mut std::io::stdout(), &mut std::io::stderr()));
}
