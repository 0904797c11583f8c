//! The closed-form rows of `discrete-chain`: which of [`crate::theory`]'s closed forms hold
//! for a configuration, evaluated at every generation.

use crate::model::{Discrete, FitRule};
use crate::names::{
    ABSORPTION_SERIES, THEORY_ABSORBED, THEORY_ABSORPTION_TIME, THEORY_HETEROZYGOSITY,
    THEORY_P_TOP, THEORY_SUPPORT, THEORY_TV,
};
use crate::simulation::Setup;
use crate::theory;
use collapse_core::{Name, Policy, Schedule, TheoryRow};

/// The largest sample size for which the exact two-type curves are computed.
const EXACT_MAX_SAMPLES: usize = 5000;
/// The largest [`theory::exact_cost`] (operations, a few seconds) the run spends on them.
const EXACT_MAX_COST: f64 = 8e9;

/// Whether the exact two-type curves of a chain with generation 0 `p0`, `m` draws per
/// generation and `n` generations take at most a few seconds.
pub fn exact_affordable(p0: &[f64], m: usize, n: u64) -> bool {
    m <= EXACT_MAX_SAMPLES && theory::exact_cost(p0, m, n) <= EXACT_MAX_COST
}

/// Whether a run of `setup` computes the exact two-type curves (empirical fit, finite samples,
/// `replace`, constant size, and affordable).
pub fn has_exact_curves(setup: &Setup, p0: &[f64]) -> bool {
    let c = &setup.chain;
    setup.rule == FitRule::EMPIRICAL
        && c.finite
        && c.policy == Policy::Replace
        && c.schedule == Schedule::Constant
        && exact_affordable(p0, c.samples, c.generations)
}

/// The closed-form rows of a run of `setup` (`family` = `setup.family()`), in series `series`
/// (the policy's name) and, for the mean absorption time, [`ABSORPTION_SERIES`]. With
/// $M_0, \dots, M_{n-1}$ the schedule's sizes:
///
/// - `theory_p_top`: $\mathbb E p_n = p_0$ for the empirical fit under every policy (finite
///   samples); $\Lambda_n p_0 + (1-\Lambda_n)/K$ for add-α under `replace`, finite or infinite
///   samples, any schedule, with $\Lambda_n = \prod_{i<n} M_i/(M_i + K\alpha)$
///   ([`theory::add_alpha_contractions`]);
/// - empirical fit, finite samples, `replace`: `theory_heterozygosity` $= H_0\prod_{i<n}
///   (1-1/M_i)$, and with a constant M the exact `theory_support` and `theory_absorbed` from the
///   (M+1)-state two-type chains when affordable, with `theory_absorption_time` when the horizon
///   covers absorption;
/// - infinite-sample mode, `replace`: `theory_tv` ([`theory::population_tv`]).
///
/// Every closed form costs O(K + n) (the exact curves excepted, whose cost is bounded by
/// [`exact_affordable`]).
pub fn theory_rows(setup: &Setup, family: &Discrete, series: &str) -> Vec<TheoryRow> {
    let series = Name::new(series);
    let row = |metric: Name, step: u64, value: f64| TheoryRow {
        series,
        step,
        metric,
        value,
    };
    let mut rows = Vec::new();
    let c = &setup.chain;
    let n = c.generations;
    let p0 = &family.p0;
    let m = c.samples;
    let k = p0.len();
    let top = p0[family.top as usize];
    let replace = c.policy == Policy::Replace;
    let empirical = setup.rule == FitRule::EMPIRICAL;
    let sizes: Vec<f64> = (0..n).map(|i| c.schedule.size(m, i) as f64).collect();
    // Every policy keeps E p_n = p_0 under the empirical fit (each step is an unbiased draw of
    // something whose mean is p_0).
    if empirical && c.finite {
        let p_top = Name::new(THEORY_P_TOP);
        rows.extend((0..=n).map(|g| row(p_top, g, top)));
    }
    if empirical && c.finite && replace {
        let het = Name::new(THEORY_HETEROZYGOSITY);
        let path = theory::expected_heterozygosity_path(p0, &sizes);
        rows.extend((0..=n).zip(path).map(|(g, h)| row(het, g, h)));
        if has_exact_curves(setup, p0) {
            let (sup, abs) = theory::support_and_absorption(p0, m, n);
            let (support, absorbed) = (Name::new(THEORY_SUPPORT), Name::new(THEORY_ABSORBED));
            for g in 0..=n {
                rows.push(row(support, g, sup[g as usize]));
                rows.push(row(absorbed, g, abs[g as usize]));
            }
            // E T = Σ_g P(T > g), when the horizon leaves a negligible tail.
            if 1.0 - abs[n as usize] < 1e-12 {
                let mean: f64 = abs.iter().map(|a| 1.0 - a).sum();
                rows.push(TheoryRow {
                    series: Name::new(ABSORPTION_SERIES),
                    step: 0,
                    metric: Name::new(THEORY_ABSORPTION_TIME),
                    value: mean,
                });
            }
        }
    }
    // Add-α: each generation's fit is affine in the counts, E p' = λ(M_g) p + (1 − λ(M_g)) u,
    // with or without statistical error.
    if replace
        && let FitRule { alpha, top_k: None } = setup.rule
        && alpha > 0.0
    {
        let p_top = Name::new(THEORY_P_TOP);
        let lambdas = theory::add_alpha_contractions(&sizes, k as f64, alpha);
        rows.extend(
            (0..=n)
                .zip(lambdas)
                .map(|(g, l)| row(p_top, g, l * top + (1.0 - l) / k as f64)),
        );
    }
    if replace
        && !c.finite
        && let Some(tv) = theory::population_tv(p0, &sizes, setup.rule)
    {
        let metric = Name::new(THEORY_TV);
        rows.extend((0..=n).zip(tv).map(|(g, v)| row(metric, g, v)));
    }
    rows
}
