//! The family's figures, one file per group: [`mix`] (Strong Model Collapse: the Pareto diagram,
//! bias/variance/ζ and the test error against width, the plateau against n), [`iterated`]
//! (iterated regression), [`mixing`] (Figs. 9 and 10: weighted and iterative mixing) and
//! [`tails`] (the tail scaling laws). Each group also holds the run figure of its experiment.

pub mod iterated;
pub mod mix;
pub mod mixing;
pub mod tails;

use collapse_core::{DynExperiment, Experiment, Figure, FigureEnv, FigureError, FigureRun};

/// The gallery figures of the family.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure::new(
            mix::PARETO,
            "Pareto diagram: mixed vs real-only test error",
            mix::pareto,
        ),
        Figure::new(
            "regression-bias-variance-zeta",
            "Bias, variance and ζ against width",
            mix::bias_variance_zeta,
        ),
        Figure::new(
            "regression-width",
            "Test error against width for several p2 and c²",
            mix::width,
        ),
        Figure::new(
            "regression-samples-plateau",
            "Test error against n: the strong-collapse plateau",
            mix::plateau,
        ),
        Figure::new(
            "regression-iterated",
            "Iterated regression: replace against accumulate",
            iterated::replace_accumulate,
        ),
        Figure::new(
            "regression-weighted-mixing",
            "Fig. 9: weighted single-step mixing fails",
            mixing::weighted_mixing,
        ),
        Figure::new(
            "regression-iterative-mixing",
            "Fig. 10: iterative mixing against single-step mixing",
            mixing::iterative_mixing,
        ),
        Figure::new(
            "regression-tails",
            "Tail cutting and narrowing change the scaling law",
            tails::tails,
        ),
        Figure::new(
            "regression-tails-mixing-generations",
            "Mixing clean data recovers the law; n generations add a plateau",
            tails::mixing_generations,
        ),
    ]
}

/// Runs `x` at its defaults overridden by `sets`, as `collapse run` would.
fn run_of(
    env: &FigureEnv<'_>,
    x: impl Experiment,
    sets: &[(&str, &str)],
) -> Result<FigureRun, FigureError> {
    env.run(&DynExperiment::new(x), sets)
}

/// `k` points from `lo` to `hi`, evenly spaced on a log scale.
fn geom(lo: f64, hi: f64, k: usize) -> Vec<f64> {
    (0..k)
        .map(|i| (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / (k - 1) as f64).exp())
        .collect()
}

/// `a,b,c`: a list parameter's text.
fn list(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figure_names_are_unique_and_family_first() {
        let all = figures();
        let mut names: Vec<&str> = all.iter().map(|f| f.name).collect();
        assert!(names.iter().all(|n| n.starts_with("regression-")));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }
}
