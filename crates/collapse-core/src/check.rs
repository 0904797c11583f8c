//! Checks as data: a theorem's closed-form prediction against a measurement.
//!
//! A Monte Carlo check passes when the measurement lies within [`Z`] standard errors of the
//! prediction (plus, where a formula is itself an approximation, an allowance that the check
//! justifies in its statement). With Z = 5.5 a correct check on a normal estimate fails with
//! probability about 4e-8. A check of one formula against an independent computation of the
//! same quantity (an exact Markov chain, quadrature) uses a relative tolerance instead.

use crate::rng::{Rng, stream};
use crate::stats::mean_and_se;
use rayon::prelude::*;

/// The number of standard errors a Monte Carlo check allows (two-sided p ≈ 3.8e-8).
pub const Z: f64 = 5.5;

/// The seed every check draws from; checks are reproducible, and their tolerance comes from
/// the standard error, not from this seed.
pub const CHECK_SEED: u64 = 20_240_724;

/// How much work a check may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// A smaller budget suited to CI (`verify --quick`, the test suite).
    Quick,
    /// The full budget (`verify`).
    Full,
}

impl Budget {
    /// `quick` or `full` by budget.
    pub fn pick<T>(self, quick: T, full: T) -> T {
        match self {
            Budget::Quick => quick,
            Budget::Full => full,
        }
    }
}

/// How the measurement must relate to the prediction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// |measured − predicted| ≤ tolerance.
    Equal,
    /// measured ≤ predicted + tolerance (an upper bound).
    AtMost,
    /// measured ≥ predicted − tolerance (a lower bound).
    AtLeast,
}

/// The result of running a check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// The closed form (or bound).
    pub predicted: f64,
    /// The measurement.
    pub measured: f64,
    /// The measurement's standard error (0 for a deterministic computation).
    pub std_error: f64,
    /// The allowed deviation.
    pub tolerance: f64,
    /// Equality or a bound.
    pub relation: Relation,
}

impl Outcome {
    /// A Monte Carlo estimate against a closed form: tolerance [`Z`]·SE.
    pub fn monte_carlo(predicted: f64, measured: f64, std_error: f64) -> Self {
        Self {
            predicted,
            measured,
            std_error,
            tolerance: Z * std_error,
            relation: Relation::Equal,
        }
    }

    /// A deterministic computation against an independent one: tolerance `rel`·|predicted|
    /// (or `rel` absolute near zero).
    pub fn exact(predicted: f64, measured: f64, rel: f64) -> Self {
        let tolerance = rel * predicted.abs().max(1.0);
        Self {
            predicted,
            measured,
            std_error: 0.0,
            tolerance,
            relation: Relation::Equal,
        }
    }

    /// Turns the comparison into a bound.
    pub fn bound(mut self, relation: Relation) -> Self {
        self.relation = relation;
        self
    }

    /// Adds a deterministic allowance to the tolerance (a formula that is itself approximate).
    pub fn with_allowance(mut self, allowance: f64) -> Self {
        self.tolerance += allowance;
        self
    }

    /// The same measurement judged against another prediction (tests feed a wrong formula here
    /// and expect a failure).
    pub fn with_prediction(mut self, predicted: f64) -> Self {
        self.predicted = predicted;
        self
    }

    /// The verdict. A non-finite measurement, prediction or tolerance fails: an infinite mean
    /// has an infinite standard error, and a check that would pass whatever it measured is no
    /// check.
    pub fn pass(&self) -> bool {
        if !(self.measured.is_finite() && self.predicted.is_finite() && self.tolerance.is_finite())
        {
            return false;
        }
        let d = self.measured - self.predicted;
        match self.relation {
            Relation::Equal => d.abs() <= self.tolerance,
            Relation::AtMost => d <= self.tolerance,
            Relation::AtLeast => -d <= self.tolerance,
        }
    }
}

/// What a check returns: an outcome, or the reason it could not be computed (an input that is
/// missing, a configuration the model refuses). The second fails the check with that reason.
pub type Verdict = Result<Outcome, String>;

/// Anything a check's function may return: an [`Outcome`], or a `Result` of one.
pub trait IntoVerdict {
    /// The verdict.
    fn into_verdict(self) -> Verdict;
}

impl IntoVerdict for Outcome {
    fn into_verdict(self) -> Verdict {
        Ok(self)
    }
}

impl<E: std::fmt::Display> IntoVerdict for Result<Outcome, E> {
    fn into_verdict(self) -> Verdict {
        self.map_err(|e| e.to_string())
    }
}

type CheckFn = dyn Fn(&CheckContext) -> Verdict + Send + Sync;

/// A registered check: a theorem's statement, its source, and a function from a context to an
/// outcome.
#[derive(Clone)]
pub struct Check {
    /// Family-first id, e.g. `gaussian.variance-martingale`.
    pub id: &'static str,
    /// The theorem in one sentence.
    pub statement: &'static str,
    /// Where it comes from (paper, section).
    pub source: &'static str,
    run: std::sync::Arc<CheckFn>,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check").field("id", &self.id).finish()
    }
}

impl Check {
    /// A check of `statement` (from `source`) computed by `run`.
    pub fn new<F, V>(
        id: &'static str,
        statement: &'static str,
        source: &'static str,
        run: F,
    ) -> Self
    where
        F: Fn(&CheckContext) -> V + Send + Sync + 'static,
        V: IntoVerdict,
    {
        Self {
            id,
            statement,
            source,
            run: std::sync::Arc::new(move |c| run(c).into_verdict()),
        }
    }

    /// Runs the check at `budget`.
    pub fn run(&self, budget: Budget) -> Verdict {
        (self.run)(&CheckContext::new(self.id, budget))
    }

    /// Whether the check passes at `budget` (an error fails).
    pub fn passes(&self, budget: Budget) -> bool {
        self.run(budget).is_ok_and(|o| o.pass())
    }
}

/// What a check's function receives: its id (which keys its random streams) and its budget.
#[derive(Clone, Debug)]
pub struct CheckContext {
    id: String,
    budget: Budget,
}

impl CheckContext {
    /// The context of check `id` at `budget`.
    pub fn new(id: impl Into<String>, budget: Budget) -> Self {
        Self {
            id: id.into(),
            budget,
        }
    }

    /// The check's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The budget.
    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// `quick` or `full` by budget.
    pub fn pick<T>(&self, quick: T, full: T) -> T {
        self.budget.pick(quick, full)
    }

    /// The stream of replicate `r` of this check.
    pub fn stream(&self, r: u64) -> Rng {
        check_stream(&self.id, r)
    }

    /// The stream of replicate `r` of a named part of this check (`ID/part`), for parts that
    /// must not share numbers.
    pub fn sub_stream(&self, part: &str, r: u64) -> Rng {
        check_stream(&format!("{}/{part}", self.id), r)
    }

    /// A context for a named part of this check: its streams are `ID/part`.
    pub fn part(&self, part: &str) -> CheckContext {
        CheckContext::new(format!("{}/{part}", self.id), self.budget)
    }

    /// Mean and standard error of `one(rng)` over `n` replicates of this check's streams.
    pub fn monte_carlo<F>(&self, n: u64, one: F) -> (f64, f64)
    where
        F: Fn(&mut Rng) -> f64 + Sync,
    {
        monte_carlo(&self.id, n, one)
    }

    /// Like [`CheckContext::monte_carlo`] for several statistics of each replicate.
    pub fn monte_carlo_vec<F>(&self, n: u64, one: F) -> Vec<(f64, f64)>
    where
        F: Fn(&mut Rng) -> Vec<f64> + Sync,
    {
        monte_carlo_vec(&self.id, n, one)
    }
}

/// The stream of replicate `r` of check `id`.
pub fn check_stream(id: &str, r: u64) -> Rng {
    stream(CHECK_SEED, id, r)
}

/// Mean and standard error of `one(rng)` over `n` independent replicates keyed by `key`, in
/// parallel and independent of the thread count.
pub fn monte_carlo<F>(key: &str, n: u64, one: F) -> (f64, f64)
where
    F: Fn(&mut Rng) -> f64 + Sync,
{
    let values: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|r| one(&mut check_stream(key, r)))
        .collect();
    mean_and_se(&values)
}

/// Like [`monte_carlo`] for several statistics of each replicate at once.
pub fn monte_carlo_vec<F>(key: &str, n: u64, one: F) -> Vec<(f64, f64)>
where
    F: Fn(&mut Rng) -> Vec<f64> + Sync,
{
    let rows: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map(|r| one(&mut check_stream(key, r)))
        .collect();
    let k = rows.first().map_or(0, Vec::len);
    (0..k)
        .map(|j| {
            let col: Vec<f64> = rows.iter().map(|r| r[j]).collect();
            mean_and_se(&col)
        })
        .collect()
}

/// Asserts that every id is unique and family-first with `prefix`.
pub fn validate_ids(checks: &[Check], prefix: &str) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for c in checks {
        if !c.id.starts_with(prefix) {
            return Err(format!("check `{}` does not start with `{prefix}`", c.id));
        }
        if !seen.insert(c.id) {
            return Err(format!("check `{}` is registered twice", c.id));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        let o = Outcome::monte_carlo(1.0, 1.1, 0.02);
        assert!(o.pass());
        assert!(!o.with_prediction(1.3).pass());
        let b = Outcome::monte_carlo(1.0, 1.05, 0.001).bound(Relation::AtMost);
        assert!(!b.pass());
        assert!(
            Outcome::monte_carlo(1.0, 0.5, 0.001)
                .bound(Relation::AtMost)
                .pass()
        );
        assert!(!Outcome::monte_carlo(f64::NAN, 0.5, 1.0).pass());
        // An infinite mean has an infinite standard error: it must not pass.
        assert!(!Outcome::monte_carlo(1.0, f64::INFINITY, f64::INFINITY).pass());
        assert!(!Outcome::monte_carlo(f64::INFINITY, f64::INFINITY, 0.0).pass());
        assert!(Outcome::exact(2.0, 2.0 + 1e-13, 1e-12).pass());
    }

    #[test]
    fn monte_carlo_is_thread_count_independent() {
        let f = |rng: &mut Rng| rand::RngExt::random::<f64>(rng);
        let a = monte_carlo("t", 1000, f);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| monte_carlo("t", 1000, f));
        assert_eq!(a, b);
        assert!((a.0 - 0.5).abs() < Z * a.1);
    }
}
