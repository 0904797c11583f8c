//! The family's registered checks (`regression.…`).

use crate::digits::model::{DigitsModel, ModelError, Target};
use crate::digits::simulation::draw as digits_draw;
use crate::experiments::iterated::IteratedSetup;
use crate::iterated::{Design, inverse_squares, ols_iterated, ridge_iterated};
use crate::linalg::LinalgError;
use crate::mc;
use crate::mixing::simulation::{iterative_draw, reused_draw, reused_literal, weighted_draw};
use crate::mixing::theory as mixing_theory;
use crate::tails::{ChainSampler, CountLaw, Tail, Zipf};
use crate::theory::{MixProblem, Spectrum, corollary1, equivalent, rp_ridgeless_isotropic};
use collapse_core::{Check, CheckContext, ExperimentError, Outcome, Relation};
use rand::RngExt;
use rayon::prelude::*;

/// The finite-size allowance of a deterministic equivalent: relative corrections are $O(1/n)$
/// and grow like $1/|n-d|$ and $1/|n-m|$ near the interpolation thresholds (exactly: least
/// squares has variance $\sigma^2 d/(n-d-1)$ against the equivalent's $\sigma^2 d/(n-d)$, a
/// relative correction $1/(n-d-1)$). The allowance is twice that scale.
pub fn finite_size_allowance(p: &MixProblem, value: f64) -> f64 {
    let n = p.n as f64;
    let d = p.spec.dim() as f64;
    let mut scale = n.min((n - d).abs());
    if let Some(m) = p.width {
        scale = scale.min((n - m as f64).abs());
    }
    2.0 * value.abs() / scale.max(1.0)
}

/// Mean and standard error of `one(rng)` over `n` replicates of the check's streams (the
/// streams of [`CheckContext::monte_carlo`]), for measurements that can fail: the lowest
/// failing replicate's error is returned instead.
pub fn try_monte_carlo<E: Send>(
    c: &CheckContext,
    n: u64,
    one: impl Fn(&mut collapse_core::Rng) -> Result<f64, E> + Sync,
) -> Result<(f64, f64), E> {
    let values: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|r| one(&mut c.stream(r)))
        .collect::<Result<_, E>>()?;
    Ok(collapse_core::stats::mean_and_se(&values))
}

/// Which part of the error a Monte Carlo check compares.
#[derive(Clone, Copy)]
enum Part {
    Total,
    Zeta,
}

fn de_vs_mc(
    c: &CheckContext,
    p: &MixProblem,
    part: Part,
    reps: u64,
) -> Result<Outcome, LinalgError> {
    let e = equivalent(p);
    let predicted = match part {
        Part::Total => e.total(),
        Part::Zeta => e.zeta,
    };
    let (m, se) = try_monte_carlo(c, reps, |rng| {
        let (x, s) = mc::draw_design(p, rng)?;
        let r = mc::estimator_map(p, x.as_ref(), s.as_ref().map(|s| s.as_ref()))?;
        let (b, v, z) = mc::exact_parts(p, x.as_ref(), r.as_ref())?;
        Ok(match part {
            Part::Total => b + v + z,
            Part::Zeta => z,
        })
    })?;
    Ok(Outcome::monte_carlo(predicted, m, se).with_allowance(finite_size_allowance(p, predicted)))
}

/// Setting of `regression.ridge-equivalent`.
pub fn ridge_setting() -> MixProblem {
    MixProblem::standard(Spectrum::power(150, 1.0), 250, 0.3, 0.5, 1.0, 0.05, None)
}
/// Setting of `regression.ridge-zeta-overparameterised`.
pub fn ridge_over_setting() -> MixProblem {
    MixProblem::standard(Spectrum::power(200, 1.0), 120, 0.3, 0.5, 1.0, 0.01, None)
}
/// Setting of `regression.rp-equivalent-under`.
pub fn rp_under_setting() -> MixProblem {
    MixProblem::standard(
        Spectrum::power(120, 1.0),
        200,
        0.3,
        0.5,
        1.0,
        0.01,
        Some(80),
    )
}
/// Setting of `regression.rp-equivalent-over`.
pub fn rp_over_setting() -> MixProblem {
    MixProblem::standard(
        Spectrum::isotropic(150),
        100,
        0.3,
        0.5,
        1.0,
        0.01,
        Some(250),
    )
}
/// Setting of `regression.test-error-fresh-data`.
pub fn fresh_setting() -> MixProblem {
    MixProblem::standard(
        Spectrum::power(60, 1.0),
        100,
        0.25,
        1.0,
        0.5,
        0.02,
        Some(40),
    )
}

fn ridge_equivalent(c: &CheckContext) -> Result<Outcome, LinalgError> {
    de_vs_mc(c, &ridge_setting(), Part::Total, c.pick(48, 150))
}
fn ridge_zeta_over(c: &CheckContext) -> Result<Outcome, LinalgError> {
    de_vs_mc(c, &ridge_over_setting(), Part::Zeta, c.pick(48, 150))
}
fn rp_under(c: &CheckContext) -> Result<Outcome, LinalgError> {
    de_vs_mc(c, &rp_under_setting(), Part::Total, c.pick(48, 150))
}
fn rp_over(c: &CheckContext) -> Result<Outcome, LinalgError> {
    de_vs_mc(c, &rp_over_setting(), Part::Total, c.pick(48, 150))
}

fn fresh_test_error(c: &CheckContext) -> Result<Outcome, LinalgError> {
    let p = fresh_setting();
    let predicted = equivalent(&p).total();
    let (m, se) = try_monte_carlo(c, c.pick(600, 1800), |rng| {
        Ok(mc::draw(&p, 200, rng)?.test_error)
    })?;
    Ok(Outcome::monte_carlo(predicted, m, se).with_allowance(finite_size_allowance(&p, predicted)))
}

/// Theorem 1 at λ = 1e-10 against Corollary 1 (d = 250, n = 700, p2 = 0.05, c² = 2, σ = 0.7).
pub fn corollary_pair() -> (f64, f64) {
    let p = MixProblem::standard(Spectrum::isotropic(250), 700, 0.05, 2.0, 0.7, 1e-10, None);
    (
        corollary1(250.0 / 700.0, 0.49, p.p2(), 2.0),
        equivalent(&p).total(),
    )
}

fn corollary(_: &CheckContext) -> Outcome {
    let (c, t) = corollary_pair();
    Outcome::exact(c, t, 1e-7)
}

/// The random-projection equations at λ = 1e-11 against the isotropic ridgeless closed forms,
/// in the three regimes; returns (closed form, equations, classical ridge at the same
/// parameters) for the worst relative gap.
pub fn rp_closed_pair() -> (f64, f64, f64) {
    let mut worst = (1.0, 1.0, 1.0);
    let mut gap = -1.0;
    for (d, n, m) in [
        (400, 300, 170),
        (130, 350, 210),
        (400, 300, 520),
        (400, 300, 900),
        (500, 300, 240),
    ] {
        let p = MixProblem::standard(Spectrum::isotropic(d), n, 0.15, 0.8, 1.0, 1e-11, Some(m));
        let e = equivalent(&p);
        let (b, v, z) = rp_ridgeless_isotropic(d as f64, n as f64, m as f64, 1.0, 1.0, p.p2(), 0.8);
        let c = b + v + z;
        let g = ((e.total() - c) / c).abs();
        if g > gap {
            gap = g;
            let mut q = p.clone();
            q.width = None;
            worst = (c, e.total(), equivalent(&q).total());
        }
    }
    worst
}

fn rp_closed(_: &CheckContext) -> Outcome {
    let (c, t, _) = rp_closed_pair();
    Outcome::exact(c, t, 1e-6)
}

/// The strong-collapse floor: $d = 10$, $n = 40000$, $p_2 = 0.2$, $c^2 = 1$.
pub fn floor_setting() -> MixProblem {
    MixProblem::standard(Spectrum::power(10, 1.0), 20_000, 0.2, 1.0, 1.0, 1e-9, None)
}

fn floor(c: &CheckContext) -> Result<Outcome, LinalgError> {
    let p = floor_setting();
    let p2 = p.p2();
    let phi = p.spec.dim() as f64 / p.n as f64;
    let predicted = p2 * p2 * 1.0;
    let (m, se) = try_monte_carlo(c, c.pick(80, 240), |rng| {
        let (x, _) = mc::draw_design(&p, rng)?;
        let r = mc::estimator_map(&p, x.as_ref(), None)?;
        Ok(mc::exact_parts(&p, x.as_ref(), r.as_ref())?.2)
    })?;
    // The next term of Corollary 1, p2 p1 c² φ/(1−φ) (8e-5 here), times 1.5 is the allowance.
    Ok(Outcome::monte_carlo(predicted, m, se)
        .with_allowance(p2 * (1.0 - p2) * phi / (1.0 - phi) * 1.5))
}

/// Iterated OLS setting: d = 8, T = 30, T0 = 20, σ = 0.8, σ0 = 1.3, 6 generations, replace.
pub fn iterated_setting(accumulate: bool, design: Design, generations: u64) -> IteratedSetup {
    IteratedSetup {
        spec: Spectrum::power(8, 1.0),
        t: 30,
        t0: 20,
        generations,
        lambda: 0.0,
        sigma: 0.8,
        sigma0: 1.3,
        accumulate,
        design,
    }
}

/// The mean and standard error over `n` chains of `s` of one statistic of generation `g`:
/// the generator error (`downstream` false) or the downstream test error.
fn chains(
    c: &CheckContext,
    s: &IteratedSetup,
    n: u64,
    g: usize,
    downstream: bool,
) -> Result<(f64, f64), ExperimentError> {
    try_monte_carlo(c, n, |rng| {
        let errors = s.run_one(rng)?[g];
        Ok(if downstream { errors.1 } else { errors.0 })
    })
}

fn iterated_ols(c: &CheckContext) -> Result<Outcome, ExperimentError> {
    let s = iterated_setting(false, Design::Fresh, 6);
    let predicted = ols_iterated(8, 30, 20, 0.8, 1.3, 6, false);
    let (m, se) = chains(c, &s, c.pick(3000, 9000), 6, true)?;
    Ok(Outcome::monte_carlo(predicted, m, se))
}

fn accumulate_fixed(c: &CheckContext) -> Result<Outcome, ExperimentError> {
    let s = iterated_setting(true, Design::Fixed, 6);
    let predicted = 1.3f64.powi(2) * 8.0 / (20.0 - 9.0) * inverse_squares(6);
    let (m, se) = chains(c, &s, c.pick(3000, 9000), 6, false)?;
    Ok(Outcome::monte_carlo(predicted, m, se))
}

fn accumulate_bound(c: &CheckContext) -> Result<Outcome, ExperimentError> {
    let g = 40;
    let s = iterated_setting(true, Design::Fresh, g);
    let predicted = 1.3f64.powi(2) * 8.0 / (20.0 - 9.0) * std::f64::consts::PI.powi(2) / 6.0;
    let (m, se) = chains(c, &s, c.pick(500, 1500), g as usize, false)?;
    Ok(Outcome::monte_carlo(predicted, m, se).bound(Relation::AtMost))
}

/// Ridge downstream: d = 20, T = 60, T0 = 45, λ = 0.3, power spectrum, 4 generations.
pub fn iterated_ridge_setting() -> IteratedSetup {
    IteratedSetup {
        spec: Spectrum::power(20, 1.0),
        t: 60,
        t0: 45,
        generations: 4,
        lambda: 0.3,
        sigma: 1.0,
        sigma0: 1.0,
        accumulate: false,
        design: Design::Fresh,
    }
}

fn iterated_ridge(c: &CheckContext) -> Result<Outcome, ExperimentError> {
    let s = iterated_ridge_setting();
    let predicted = ridge_iterated(
        &s.spec, 1.0, s.t, s.t0, s.sigma, s.sigma0, s.lambda, 4, false,
    );
    let (m, se) = chains(c, &s, c.pick(1500, 4500), 4, true)?;
    // Finite-size allowance as for the mixing equivalents: 2/min(T, T − d).
    Ok(Outcome::monte_carlo(predicted, m, se).with_allowance(2.0 * predicted / 40.0))
}

/// Zipf setting of the tail checks: β = 1.5, N = 20000, cut at k = 200.
pub fn tails_cut() -> Zipf {
    Zipf::new(20_000, 1.5, Tail::Cut(200))
}

fn tails_memorisation(c: &CheckContext) -> Outcome {
    let z = tails_cut();
    let t = 3000;
    let (m, se) = c.monte_carlo(c.pick(400, 2000), |rng| z.simulate(t, rng));
    Outcome::monte_carlo(z.expected_error(t as f64), m, se)
}

/// The local exponent $-\,d\ln E/d\ln T$ of the exact expected error between $T$ and $10T$.
pub fn local_exponent(z: &Zipf, t: f64) -> f64 {
    -(z.expected_error(10.0 * t).ln() - z.expected_error(t).ln()) / 10f64.ln()
}

/// Narrowed tail: β = 2 on N = 2·10⁶ items, trained on β' = 3.
pub fn narrowed() -> Zipf {
    Zipf::new(2_000_000, 2.0, Tail::Narrowed(3.0))
}

fn tails_exponent(_: &CheckContext) -> Outcome {
    let z = narrowed();
    let e1 = local_exponent(&z, 1e5);
    let e0 = local_exponent(&z, 1e4);
    // The local exponent converges to (β−1)/β' = 1/3; the allowance is its drift over the
    // previous decade (the correction decays monotonically in T).
    Outcome::exact(z.exponent(), e1, 0.0).with_allowance((e1 - e0).abs())
}

fn tails_plateau(_: &CheckContext) -> Outcome {
    let z = tails_cut();
    let beta: f64 = 1.5;
    let k: f64 = 200.0;
    let zeta: f64 = (1..=20_000).rev().map(|i| (i as f64).powf(-beta)).sum();
    // Σ_{k<i≤N} i^-β ≈ (k^{1−β} − N^{1−β})/(β−1) − k^{-β}/2 (Euler–Maclaurin); the law
    // k^{-(β−1)} is the leading term, and the k^{-β} correction is the allowance.
    let predicted = (k.powf(1.0 - beta) - 20_000f64.powf(1.0 - beta)) / ((beta - 1.0) * zeta);
    // At T = 200000 each head item is missed with probability below e^{-70}, so a simulated
    // learner returns the unreachable mass in every replicate: the exact expected error is the
    // measurement (regression.tails-memorisation checks simulation against it).
    Outcome::exact(predicted, z.expected_error(200_000.0), 0.0).with_allowance(k.powf(-beta) / zeta)
}

/// Setting of `regression.mixing-weighted-floor`: Σ = I, d = 20, n = 2000, p2 = 0.5, α = 0.25,
/// c² = 1, σ = 1, least squares.
pub fn mixing_weighted_setting() -> (MixProblem, f64) {
    (
        mixing_theory::problem(Spectrum::isotropic(20), 2000, 0.5, 1.0, 1.0),
        0.25,
    )
}

fn mixing_weighted_floor(c: &CheckContext) -> Result<Outcome, LinalgError> {
    let (p, alpha) = mixing_weighted_setting();
    let phi = p.spec.dim() as f64 / p.n as f64;
    let predicted = mixing_theory::weighted_equivalent(phi, p.p2(), alpha, 1.0, 1.0, 1.0).zeta;
    let (m, se) = try_monte_carlo(c, c.pick(100, 400), |rng| {
        Ok(weighted_draw(&p, alpha, rng)?.1)
    })?;
    Ok(Outcome::monte_carlo(predicted, m, se).with_allowance(finite_size_allowance(&p, predicted)))
}

/// Setting of `regression.mixing-ols-shift-exact`: Σ = diag(1/i), d = 30, n = 50, p2 = 0.4.
pub fn mixing_shift_setting() -> MixProblem {
    mixing_theory::problem(Spectrum::power(30, 1.0), 50, 0.4, 1.0, 1.0)
}

fn mixing_shift_exact(c: &CheckContext) -> Result<Outcome, LinalgError> {
    let p = mixing_shift_setting();
    let predicted = mixing_theory::ols_shift_factor(p.n, p.n2, p.spec.dim());
    let (m, se) = try_monte_carlo(c, c.pick(400, 2000), |rng| {
        Ok(weighted_draw(&p, p.p2(), rng)?.1)
    })?;
    Ok(Outcome::monte_carlo(predicted, m, se))
}

/// Setting of `regression.mixing-iterative-exact`: Σ = diag(1/i), d = 30, n = 120, p2 = 0.5,
/// c² = 1, σ = 1, three rounds.
pub fn mixing_iterative_setting() -> (MixProblem, u32) {
    (
        mixing_theory::problem(Spectrum::power(30, 1.0), 120, 0.5, 1.0, 1.0),
        3,
    )
}

fn mixing_iterative(c: &CheckContext) -> Result<Outcome, LinalgError> {
    let (p, t) = mixing_iterative_setting();
    let predicted = mixing_theory::iterative_exact(p.n, p.n2, p.spec.dim(), 1.0, 1.0, t);
    let (m, se) = try_monte_carlo(c, c.pick(800, 3000), |rng| {
        Ok(iterative_draw(&p, t as usize, rng)?[t as usize - 1])
    })?;
    Ok(Outcome::monte_carlo(predicted, m, se))
}

/// Setting of `regression.mixing-reused-limit`: Σ = diag(1/i), d = 20, n = 200, p2 = 0.5,
/// c² = 1, σ = 1.
pub fn mixing_reused_limit_setting() -> MixProblem {
    mixing_theory::problem(Spectrum::power(20, 1.0), 200, 0.5, 1.0, 1.0)
}

/// The allowance of `regression.mixing-reused-limit`: the deterministic-equivalent part
/// (σ²/2)τ of the prediction, times 2/(n1 − d).
pub fn mixing_reused_limit_allowance(p: &MixProblem) -> f64 {
    let d = p.spec.dim();
    0.5 * mixing_theory::reused_tau(p.n, p.n2, d) * 2.0 / (p.n - p.n2 - d) as f64
}

fn mixing_reused_limit(c: &CheckContext) -> Result<Outcome, LinalgError> {
    let p = mixing_reused_limit_setting();
    let predicted = mixing_theory::reused_limit(p.n, p.n2, p.spec.dim(), 1.0);
    let (m, se) = try_monte_carlo(c, c.pick(400, 4000), |rng| Ok(reused_draw(&p, 1, rng)?.1))?;
    Ok(Outcome::monte_carlo(predicted, m, se).with_allowance(mixing_reused_limit_allowance(&p)))
}

/// Setting of `regression.mixing-reused-two-rounds`: Σ = diag(1/i), d = 20, n = 100, p2 = 0.5,
/// c² = 0 (perfect synthetic labels), σ = 1, t = 2.
pub fn mixing_reused_rounds_setting() -> MixProblem {
    mixing_theory::problem(Spectrum::power(20, 1.0), 100, 0.5, 0.0, 1.0)
}

fn mixing_reused_rounds(c: &CheckContext) -> Result<Outcome, LinalgError> {
    let p = mixing_reused_rounds_setting();
    let predicted = mixing_theory::reused_two_rounds_noise(p.n, p.n2, p.spec.dim(), 1.0);
    let (m, se) = try_monte_carlo(c, c.pick(4000, 40_000), |rng| reused_literal(&p, 2, rng))?;
    Ok(Outcome::monte_carlo(predicted, m, se))
}

/// Mixing setting: β = 2 on N = 10000 items, the synthetic part cut at k = 30, a fraction
/// π = 0.1 of clean data, T = 10000 (πT = 1000, past the start of the recovery).
pub fn tails_mixing_setting() -> (Zipf, Zipf, f64, usize) {
    (
        Zipf::new(10_000, 2.0, Tail::Clean),
        Zipf::new(10_000, 2.0, Tail::Cut(30)),
        0.1,
        10_000,
    )
}

/// One learner trained on the mixing process itself: each of the T samples is clean (from p)
/// with probability π, else synthetic (from the cut law); returns its test error.
pub fn simulate_tails_mixing(
    clean: &Zipf,
    cut: &Zipf,
    pi: f64,
    t: usize,
    rng: &mut collapse_core::Rng,
) -> f64 {
    let mut seen = vec![false; clean.p.len()];
    for _ in 0..t {
        let source = if rng.random::<f64>() < pi { clean } else { cut };
        seen[source.draw(rng)] = true;
    }
    clean.unseen_mass(&seen)
}

fn tails_mixing(c: &CheckContext) -> Outcome {
    let (clean, cut, pi, t) = tails_mixing_setting();
    let mixed = Zipf::new(10_000, 2.0, Tail::Mixed { k: 30, pi });
    let (m, se) = c.monte_carlo(c.pick(800, 4000), |rng| {
        simulate_tails_mixing(&clean, &cut, pi, t, rng)
    });
    Outcome::monte_carlo(mixed.expected_error(t as f64), m, se)
}

/// Generation-chain setting: β = 1.5 on N = 20000 items, T0 = 400 draws per generation.
pub fn tails_generations_setting() -> (Zipf, usize) {
    (Zipf::new(20_000, 1.5, Tail::Clean), 400)
}

fn tails_generations_error(c: &CheckContext) -> Outcome {
    let (z, t0) = tails_generations_setting();
    let (n, t) = (3, 2000.0);
    let chain = ChainSampler::new(&z.p);
    let (m, se) = c.monte_carlo(c.pick(8000, 40000), |rng| {
        let g = chain.run(t0 as u64, n, rng);
        chain.expected_error(&g, t)
    });
    Outcome::monte_carlo(CountLaw::after(&z.p, t0, n).expected_error(t), m, se)
}

fn tails_generations_lost(c: &CheckContext) -> Outcome {
    let (z, t0) = tails_generations_setting();
    let n = 8;
    let chain = ChainSampler::new(&z.p);
    let (m, se) = c.monte_carlo(c.pick(8000, 40000), |rng| {
        chain.lost_mass(&chain.run(t0 as u64, n, rng))
    });
    Outcome::monte_carlo(CountLaw::after(&z.p, t0, n).lost_mass(), m, se)
}

/// Setting of `regression.digits-floor-equivalent`: 200 random ReLU features of the digits
/// (weights from seed 0), the readout target, λ = 1e-6, σ = 0.1, c² = 1, n = 10⁷ of which
/// 1 % synthetic.
pub struct DigitsSetting {
    /// The features, their covariance and the target.
    pub model: DigitsModel,
    /// n.
    pub n: u64,
    /// n2.
    pub n2: u64,
    /// λ.
    pub lambda: f64,
    /// σ.
    pub sigma: f64,
    /// c².
    pub c2: f64,
}

/// The setting of `regression.digits-floor-equivalent`.
pub fn digits_setting() -> Result<DigitsSetting, ModelError> {
    Ok(DigitsSetting {
        model: DigitsModel::new(200, 0, Target::Readout)?,
        n: 10_000_000,
        n2: 100_000,
        lambda: 1e-6,
        sigma: 0.1,
        c2: 1.0,
    })
}

/// The allowance of `regression.digits-floor-equivalent`: the n-dependent part of the
/// equivalent's ζ, ζ − p2²c², whose coefficient depends on the fourth moments of the features
/// (with m = 400 the Monte Carlo's part is 0.98–1.07 times the equivalent's at n = 10⁴–10⁶ and
/// 1.09–1.12 times at n = 10³; the Gaussian equivalent sees only their covariance), taken whole.
pub fn digits_allowance(s: &DigitsSetting) -> f64 {
    let e = s.model.equivalent(s.n, s.n2, s.lambda, s.sigma, s.c2);
    let p2 = s.n2 as f64 / s.n as f64;
    (e.zeta - p2 * p2 * s.c2).abs()
}

fn digits_floor(c: &CheckContext) -> Result<Outcome, ExperimentError> {
    let s = digits_setting()?;
    let predicted = s
        .model
        .equivalent(s.n, s.n2, s.lambda, s.sigma, s.c2)
        .total();
    let (m, se) = try_monte_carlo(c, c.pick(64, 256), |rng| {
        Ok::<f64, ExperimentError>(
            digits_draw(&s.model, s.n, s.n2, s.lambda, s.sigma, s.c2, rng)?.total(),
        )
    })?;
    Ok(Outcome::monte_carlo(predicted, m, se).with_allowance(digits_allowance(&s)))
}

/// All checks of the family.
pub fn checks() -> Vec<Check> {
    vec![
        Check::new(
            "regression.ridge-equivalent",
            "Theorem 1 (bias + variance + ζ with κ from its fixed point) matches the Monte Carlo test error of ridge on a real+synthetic mix (d=150, n=250, Σ=diag(1/i), λ=0.05, p2=0.3, c²=0.5), within Z·SE plus a finite-size allowance 2/min(n,|n−d|) relative",
            "Dohmatob et al., Strong Model Collapse (ICLR 2025), Theorem 1",
            ridge_equivalent,
        ),
        Check::new(
            "regression.ridge-zeta-overparameterised",
            "Theorem 1's ζ matches the Monte Carlo ζ (exact over δ) above the interpolation threshold (d=200 > n=120, Σ=diag(1/i), λ=0.01, p2=0.3), within Z·SE plus 2/min(n,|n−d|) relative",
            "Dohmatob et al., Strong Model Collapse (ICLR 2025), Theorem 1, Eq. 10",
            ridge_zeta_over,
        ),
        Check::new(
            "regression.rp-equivalent-under",
            "The random-projection equivalent (nested fixed points for κ and θ, all terms) matches Monte Carlo over X and S below the threshold (d=120, n=200, m=80, Σ=diag(1/i), λ=0.01), within Z·SE plus 2/min(n,|n−d|,|n−m|) relative",
            "Strong Model Collapse, Theorem 2 (equivalent derived in the notes §A2.2)",
            rp_under,
        ),
        Check::new(
            "regression.rp-equivalent-over",
            "The random-projection equivalent matches Monte Carlo over X and S above both thresholds (d=150, n=100, m=250, Σ=I, λ=0.01), within Z·SE plus 2/min(n,|n−d|,|n−m|) relative",
            "Strong Model Collapse, Theorem 2 (equivalent derived in the notes §A2.2)",
            rp_over,
        ),
        Check::new(
            "regression.test-error-fresh-data",
            "The plain test error (w, δ, ε drawn, error on fresh points) of random-projection ridge matches the deterministic equivalent (d=60, n=100, m=40, σ=0.5, c²=1), within Z·SE plus the finite-size allowance",
            "Strong Model Collapse, Theorem 2; test error on the real distribution (§2)",
            fresh_test_error,
        ),
        Check::new(
            "regression.corollary1",
            "Corollary 1's closed form σ²φ/(1−φ) + (p2² + p2p1 φ/(1−φ))c² equals Theorem 1 as λ → 0 (λ = 1e-10, Σ = I, d = 250, n = 700) to 1e-7",
            "Strong Model Collapse, Corollary 1 (Eq. 11)",
            corollary,
        ),
        Check::new(
            "regression.rp-closed-forms",
            "The random-projection fixed-point equations at λ = 1e-11 reproduce the isotropic ridgeless closed forms in all three regimes (m < min(n,d); d ≤ m, d < n; m, d > n) to 1e-6",
            "Strong Model Collapse §3.2–3.3 (closed forms derived in the notes §A2.2)",
            rp_closed,
        ),
        Check::new(
            "regression.strong-collapse-floor",
            "Strong model collapse: with n = 2000 d, ridgeless ζ stays at the floor p2²c² (p2 = 0.2, c² = 1) instead of falling to 0 with the clean error; Monte Carlo within Z·SE plus the next term of Corollary 1 (p2p1c²φ/(1−φ)) times 1.5",
            "Strong Model Collapse, Corollary 1 and Eq. 12",
            floor,
        ),
        Check::new(
            "regression.iterated-ols-exact",
            "After n = 6 generations of least-squares generators (replace, fresh inputs), the downstream test error is exactly σ²d/(T−d−1) + n σ0² d/(T0−d−1) (d=8, T=30, T0=20, Σ=diag(1/i))",
            "Dohmatob, Feng & Kempe, Model Collapse Demystified (NeurIPS 2024), Theorem (OLS)",
            iterated_ols,
        ),
        Check::new(
            "regression.accumulate-fixed-design",
            "Accumulating data with a fixed design, the generator's error after n = 6 generations is exactly σ0² d/(T0−d−1) Σ_{i≤n} 1/i²",
            "Gerstgrasser et al., Is Model Collapse Inevitable? (2024), linear regression theorem",
            accumulate_fixed,
        ),
        Check::new(
            "regression.accumulate-pi2-bound",
            "Accumulating data (fresh inputs each generation), the generator's error after 40 generations stays below σ0² d/(T0−d−1) π²/6 (one-sided, Z·SE)",
            "Gerstgrasser et al. (2024); Model Collapse Demystified",
            accumulate_bound,
        ),
        Check::new(
            "regression.iterated-ridge-equivalent",
            "The ridge deterministic equivalent of iterated regression (clean bias + variance + n σ0² ρ) matches Monte Carlo (d=20, T=60, T0=45, λ=0.3, n=4, Σ=diag(1/i)) within Z·SE plus 2/(T−d) relative",
            "Model Collapse Demystified, ridge theorem (equivalent derived in the notes §B3)",
            iterated_ridge,
        ),
        Check::new(
            "regression.tails-memorisation",
            "A memorising learner trained on T = 3000 samples of a Zipf(1.5) law cut at rank 200 has expected test error Σ p_i (1 − q_i)^T",
            "Dohmatob et al., A Tale of Tails (ICML 2024), §3 (infinite-memory model)",
            tails_memorisation,
        ),
        Check::new(
            "regression.tails-narrowed-exponent",
            "Training on a narrowed tail (β' = 3 for data with β = 2) changes the scaling exponent from 1 − 1/β to (β−1)/β' = 1/3: local exponent of the exact error at T = 1e5..1e6, allowance = its drift over the previous decade",
            "A Tale of Tails (ICML 2024), tail narrowing",
            tails_exponent,
        ),
        Check::new(
            "regression.tails-cut-plateau",
            "Cutting the tail at rank k stalls the scaling law at the unreachable mass ≈ k^{-(β−1)}/((β−1)ζ(β)): exact expected error at T = 200000 (β = 1.5, k = 200, every head item seen), allowance = the k^{-β} Euler–Maclaurin term",
            "A Tale of Tails (ICML 2024), tail cutting",
            tails_plateau,
        ),
        Check::new(
            "regression.tails-mixing-memorisation",
            "Mixing a fraction π of clean data into tail-cut data (each sample clean with probability π) is training on q = (1−π) q_cut + π p: a learner simulated on that process (β = 2, N = 10000, k = 30, π = 0.1, T = 10000, past the cut's plateau) has expected error Σ p_i (1 − q_i)^T",
            "A Tale of Tails (ICML 2024), mitigating collapse by data mixing",
            tails_mixing,
        ),
        Check::new(
            "regression.tails-generations-error",
            "After n = 3 generations, each the empirical law of T0 = 400 draws from the previous one (generation 0 = Zipf(1.5) on 20000 items), a learner on T = 2000 draws has expected error Σ_x v_n(x)(1 − x/T0)^T, v_n the p-weighted law of the counts from the exact Wright–Fisher recursion; Monte Carlo over exactly drawn chains of Σ p_i (1 − q_{n,i})^T",
            "A Tale of Tails (ICML 2024), model collapse over n generations (the resampling chain derived in proofs/regression.md §5)",
            tails_generations_error,
        ),
        Check::new(
            "regression.tails-generations-lost-mass",
            "After n = 8 generations of T0 = 400 draws (Zipf(1.5), N = 20000) the expected test mass of the lost items, the error's limit as T → ∞, is v_n(0) = Σ_i p_i P(X_{n,i} = 0) from the exact Wright–Fisher recursion",
            "A Tale of Tails (ICML 2024), model collapse over n generations (derived in proofs/regression.md §5)",
            tails_generations_lost,
        ),
        Check::new(
            "regression.mixing-weighted-floor",
            "Weighted single-step mixing (weights (1−α)/p1 real, α/p2 synthetic; least squares, Σ = I, d = 20, n = 2000, p2 = 0.5, α = 0.25, c² = 1): the Monte Carlo ζ (exact over δ) matches the derived equivalent c²[α² + 2αmΣ_g p_gω_gc_g/(1+ω_gφm) + φ(m/S2)Σ_g p_gω_g²c_g²/(1+ω_gφm)²] ≈ α²c² + O(φ), within Z·SE plus 2/min(n,|n−d|) relative: the floor is α²c², not p2²α²c²",
            "Strong Model Collapse, Sec. 5.1 (Corollary 2 as transcribed is refuted; equivalent derived in proofs/regression.md)",
            mixing_weighted_floor,
        ),
        Check::new(
            "regression.mixing-ols-shift-exact",
            "Single-step mixing with least squares (d = 30, n = 50, n2 = 20, Σ = diag(1/i)): ζ/c² = E‖(XᵀX)⁻¹X2ᵀX2‖²_F/d equals exactly [(n−1)E trP² − E(trP)²]/(d(n−d−1)) with P the synthetic block of a Haar rank-d projection",
            "Strong Model Collapse, Corollary 1 (exact finite-n form derived in proofs/regression.md)",
            mixing_shift_exact,
        ),
        Check::new(
            "regression.mixing-iterative-exact",
            "Iterative mixing (fresh real and synthetic rows each round, synthetic labels from the previous least-squares model, ŵ0 = w + δ; d = 30, n = 120, p2 = 0.5, Σ = diag(1/i)): after t = 3 rounds the test error is exactly h^t c² + v(1−h^t)/(1−h), h the exact one-step ζ/c², v = σ²d/(n−d−1)",
            "Strong Model Collapse, Sec. 5.2 (Corollary 3, Eq. 19: recursion derived in proofs/regression.md)",
            mixing_iterative,
        ),
        Check::new(
            "regression.mixing-reused-limit",
            "Iterative mixing with the design and the real labels reused every round (fresh synthetic label noise; least squares, d = 20, n = 200, p2 = 0.5, σ = 1, Σ = diag(1/i)): the t → ∞ limit σ²tr G1⁻¹ + (σ²/2)tr[G1⁻¹ − (G1+2G2)⁻¹], averaged over designs, equals (3/2)σ²d/(n1−d−1) − (σ²/2)τ, τ the equivalent of tr(G1+2G2)⁻¹ (within Z·SE plus 2/(n1−d) of the τ term): above the real half alone σ²d/(n1−d−1) and the fresh-data limit",
            "Strong Model Collapse, Sec. 5.2 and Fig. 10 (\"worse than training on the real half only\"; reused-data recursion derived in proofs/regression.md §6.3b)",
            mixing_reused_limit,
        ),
        Check::new(
            "regression.digits-floor-equivalent",
            "On the real 8×8 digits (ridge on 200 random ReLU features, readout target, λ = 1e-6, σ = 0.1, generator quality c² = 1), 1 % synthetic labels at n = 10⁷ (5·10⁴ times the width) leave the test error at the deterministic equivalent of the features' empirical covariance, the floor p2²c² = 1e-4 plus the variance (2 % of it), within Z·SE plus the n-dependent part of ζ",
            "Strong Model Collapse (ICLR 2025), Theorem 1 and Fig. 7 (MNIST there; the embedded UCI optdigits here)",
            digits_floor,
        ),
        Check::new(
            "regression.mixing-reused-two-rounds",
            "Iterative mixing with reused design and real labels, run literally (least squares refitted on drawn noise; d = 20, n = 100, p2 = 0.5, c² = 0, σ = 1, Σ = diag(1/i)): after t = 2 rounds the expected test error is exactly σ²(d + 2dn2/n − E trP²)/(n−d−1), P the synthetic block of a Haar rank-d projection",
            "Strong Model Collapse, Sec. 5.2 (reused-data recursion derived in proofs/regression.md §6.3b)",
            mixing_reused_rounds,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg;
    use collapse_core::Budget;

    /// The quick-budget outcome of registered check `id`, which must pass.
    fn run(id: &str) -> Outcome {
        let c = checks().into_iter().find(|c| c.id == id).unwrap();
        let o = c.run(Budget::Quick).unwrap();
        assert!(o.pass(), "{id}: {o:?}");
        o
    }

    fn classical(p: &MixProblem) -> f64 {
        let mut q = p.clone();
        q.width = None;
        equivalent(&q).total()
    }

    #[test]
    fn ids_are_unique_and_family_first() {
        collapse_core::check::validate_ids(&checks(), "regression.").unwrap();
    }

    #[test]
    fn ridge_equivalent_fails_without_zeta() {
        let o = run("regression.ridge-equivalent");
        let e = equivalent(&ridge_setting());
        assert!(!o.with_prediction(e.bias + e.variance).pass());
    }

    #[test]
    fn ridge_zeta_fails_with_the_data_rich_floor() {
        let o = run("regression.ridge-zeta-overparameterised");
        let p = ridge_over_setting();
        assert!(!o.with_prediction(p.p2() * p.p2() * 0.5).pass());
    }

    #[test]
    fn rp_equivalents_fail_with_classical_ridge() {
        let o = run("regression.rp-equivalent-under");
        assert!(!o.with_prediction(classical(&rp_under_setting())).pass());
        let o = run("regression.rp-equivalent-over");
        assert!(!o.with_prediction(classical(&rp_over_setting())).pass());
    }

    #[test]
    fn fresh_test_error_fails_with_the_real_only_error() {
        let o = run("regression.test-error-fresh-data");
        let mut p = fresh_setting();
        p.n2 = 0;
        assert!(!o.with_prediction(equivalent(&p).total()).pass());
    }

    #[test]
    fn corollary_fails_with_phi_for_phi_over_one_minus_phi() {
        let o = run("regression.corollary1");
        let phi: f64 = 250.0 / 700.0;
        let p2 = 35.0 / 700.0;
        let wrong = 0.49 * phi + (p2 * p2 + p2 * (1.0 - p2) * phi) * 2.0;
        assert!(!o.with_prediction(wrong).pass());
    }

    #[test]
    fn rp_closed_forms_fail_with_classical_ridge() {
        let o = run("regression.rp-closed-forms");
        let (_, _, cl) = rp_closed_pair();
        assert!(!o.with_prediction(cl).pass());
    }

    #[test]
    fn floor_fails_with_the_clean_limit() {
        let o = run("regression.strong-collapse-floor");
        assert!(!o.with_prediction(0.0).pass());
    }

    #[test]
    fn iterated_ols_fails_off_by_one_and_asymptotic() {
        let o = run("regression.iterated-ols-exact");
        assert!(
            !o.with_prediction(ols_iterated(8, 30, 20, 0.8, 1.3, 5, false))
                .pass()
        );
        let asym = 0.64 * 8.0 / 22.0 + 6.0 * 1.69 * 8.0 / 12.0;
        assert!(!o.with_prediction(asym).pass());
    }

    #[test]
    fn accumulate_fixed_fails_with_replace_and_harmonic() {
        let o = run("regression.accumulate-fixed-design");
        let one = 1.69 * 8.0 / 11.0;
        assert!(!o.with_prediction(6.0 * one).pass());
        let harmonic: f64 = (1..=6).map(|i| 1.0 / i as f64).sum();
        assert!(!o.with_prediction(harmonic * one).pass());
    }

    #[test]
    fn pi2_bound_fails_with_the_one_step_error() {
        let o = run("regression.accumulate-pi2-bound");
        assert!(!o.with_prediction(1.69 * 8.0 / 11.0).pass());
    }

    #[test]
    fn iterated_ridge_fails_without_shrinkage_of_the_inherited_error() {
        let o = run("regression.iterated-ridge-equivalent");
        let s = iterated_ridge_setting();
        let clean = ridge_iterated(
            &s.spec, 1.0, s.t, s.t0, s.sigma, s.sigma0, s.lambda, 0, false,
        );
        assert!(!o.with_prediction(clean + 4.0 * 20.0 / 24.0).pass());
        // Off by one generation.
        assert!(
            !o.with_prediction(ridge_iterated(
                &s.spec, 1.0, s.t, s.t0, s.sigma, s.sigma0, s.lambda, 3, false
            ))
            .pass()
        );
    }

    #[test]
    fn tails_checks_fail_with_clean_predictions() {
        let o = run("regression.tails-memorisation");
        let clean = Zipf::new(20_000, 1.5, Tail::Clean);
        assert!(!o.with_prediction(clean.expected_error(3000.0)).pass());
        let o = run("regression.tails-narrowed-exponent");
        assert!(!o.with_prediction(0.5).pass());
        let o = run("regression.tails-cut-plateau");
        assert!(!o.with_prediction(clean.expected_error(200_000.0)).pass());
    }

    #[test]
    fn mixing_weighted_fails_with_the_card_floor_and_without_the_phi_term() {
        let o = run("regression.mixing-weighted-floor");
        let (p, alpha) = mixing_weighted_setting();
        // The transcribed Corollary 2 floor p2²α²c².
        assert!(!o.with_prediction(p.p2() * p.p2() * alpha * alpha).pass());
        // The bare floor α²c² without its O(φ) term.
        assert!(
            !o.with_prediction(mixing_theory::weighted_floor(alpha, 1.0))
                .pass()
        );
    }

    #[test]
    fn mixing_shift_exact_fails_with_corollary1_and_wrong_code() {
        let o = run("regression.mixing-ols-shift-exact");
        let p = mixing_shift_setting();
        let phi = 30.0 / 50.0;
        let cor = corollary1(phi, 0.0, p.p2(), 1.0);
        assert!(!o.with_prediction(cor).pass());
        // Off by one in the denominator (n − d instead of n − d − 1).
        let h = mixing_theory::ols_shift_factor(p.n, p.n2, 30) * 19.0 / 20.0;
        assert!(!o.with_prediction(h).pass());
    }

    #[test]
    fn mixing_iterative_fails_off_by_one_round_and_with_the_limit() {
        let o = run("regression.mixing-iterative-exact");
        let (p, t) = mixing_iterative_setting();
        let e = |t| mixing_theory::iterative_exact(p.n, p.n2, 30, 1.0, 1.0, t);
        assert!(!o.with_prediction(e(t - 1)).pass());
        assert!(!o.with_prediction(e(t + 1)).pass());
        // Eq. 19's leading term E/(1 − p2²) alone.
        let v = mixing_theory::ols_variance(p.n, p.n2, 30, 1.0, 1.0);
        assert!(!o.with_prediction(v / (1.0 - 0.25)).pass());
    }

    #[test]
    fn mixing_reused_limit_fails_with_the_real_half_and_the_fresh_limit() {
        let o = run("regression.mixing-reused-limit");
        let p = mixing_reused_limit_setting();
        let d = p.spec.dim();
        // The real half alone (what the limit would be if the synthetic rows cost nothing).
        assert!(
            !o.with_prediction(mixing_theory::real_only_exact(p.n, p.n2, d, 1.0))
                .pass()
        );
        // The fresh-data limit v/(1 − h).
        let h = mixing_theory::ols_shift_factor(p.n, p.n2, d);
        let v = mixing_theory::ols_variance(p.n, p.n2, d, 1.0, 1.0);
        assert!(!o.with_prediction(v / (1.0 - h)).pass());
        // The first order σ²φ(1+2p2)/(p1(1+p2)) alone.
        assert!(!o.with_prediction(0.1 * 2.0 / (0.5 * 1.5)).pass());
    }

    /// Wrong code: the literal rounds with the real noise redrawn every round.
    fn literal_fresh_real_noise(p: &MixProblem, t: usize, rng: &mut collapse_core::Rng) -> f64 {
        let d = p.spec.dim();
        let n1 = p.n - p.n2;
        let (x, _) = mc::draw_design(p, rng).unwrap();
        let g = linalg::mul(x.transpose(), x.as_ref(), 1.0).unwrap();
        let mut e = faer::Mat::<f64>::zeros(d, 1);
        for _ in 0..t {
            let fit = linalg::mul(x.subrows(n1, p.n2), e.as_ref(), 1.0).unwrap();
            let mut y = faer::Mat::<f64>::zeros(p.n, 1);
            for i in 0..p.n {
                let f = if i < n1 { 0.0 } else { fit[(i - n1, 0)] };
                y[(i, 0)] = f + mc::normal(rng);
            }
            let mut rhs = linalg::mul(x.transpose(), y.as_ref(), 1.0).unwrap();
            let mut k = g.clone();
            linalg::spd_solve(&mut k, &mut rhs).unwrap();
            e = rhs;
        }
        (0..d).map(|j| p.spec.eig[j] * e[(j, 0)].powi(2)).sum()
    }

    #[test]
    fn mixing_reused_rounds_fails_with_fresh_real_noise_or_the_fresh_formula() {
        let o = run("regression.mixing-reused-two-rounds");
        let p = mixing_reused_rounds_setting();
        let d = p.spec.dim();
        // The fresh-data closed form at c² = 0, t = 2: v(1 + h).
        let fresh = mixing_theory::iterative_exact(p.n, p.n2, d, 1.0, 0.0, 2);
        assert!(!o.with_prediction(fresh).pass());
        // One round only (the single-step variance).
        assert!(
            !o.with_prediction(mixing_theory::ols_variance(p.n, p.n2, d, 1.0, 1.0))
                .pass()
        );
        // Wrong code, right formula: real noise redrawn each round.
        let c = CheckContext::new("regression.mixing-reused-two-rounds", Budget::Quick);
        let (m, se) = c.monte_carlo(4000, |rng| literal_fresh_real_noise(&p, 2, rng));
        assert!(
            !Outcome::monte_carlo(o.predicted, m, se).pass(),
            "{m} ± {se}"
        );
    }

    #[test]
    fn mixing_check_fails_with_the_plateau_the_recovery_alone_and_swapped_weights() {
        let o = run("regression.tails-mixing-memorisation");
        let (clean, cut, pi, t) = tails_mixing_setting();
        let t = t as f64;
        // No mixing: the cut's error.
        assert!(!o.with_prediction(cut.expected_error(t)).pass());
        // Only the clean part of the data: the clean error at πT.
        assert!(!o.with_prediction(clean.expected_error(pi * t)).pass());
        // Wrong code: the weights swapped, q = π q_cut + (1 − π) p.
        let swapped = Zipf::new(
            10_000,
            2.0,
            Tail::Mixed {
                k: 30,
                pi: 1.0 - pi,
            },
        );
        assert!(!o.with_prediction(swapped.expected_error(t)).pass());
    }

    #[test]
    fn digits_check_fails_without_the_floor_without_the_variance_or_with_p2_not_squared() {
        let o = run("regression.digits-floor-equivalent");
        let s = digits_setting().unwrap();
        let e = s.model.equivalent(s.n, s.n2, s.lambda, s.sigma, s.c2);
        let p2 = 0.01;
        // Real labels only: the scaling law goes on (no floor).
        let clean = s.model.equivalent(s.n, 0, s.lambda, s.sigma, s.c2);
        assert!(!o.with_prediction(clean.total()).pass());
        // The floor alone, without the variance the equivalent adds to it.
        assert!(!o.with_prediction(p2 * p2 * s.c2 + e.clean).pass());
        // The floor with p2 instead of p2².
        assert!(!o.with_prediction(e.total() - p2 * p2 + p2).pass());
        // Wrong code: the synthetic labels' error on every row (ζ of p2 = 1).
        let c = CheckContext::new("regression.digits-floor-equivalent", Budget::Quick);
        let (m, se) = c.monte_carlo(16, |rng| {
            digits_draw(&s.model, s.n, s.n, s.lambda, s.sigma, s.c2, rng)
                .unwrap()
                .total()
        });
        assert!(!Outcome::monte_carlo(o.predicted, m, se).pass());
    }

    #[test]
    fn generation_checks_fail_off_by_one_and_with_the_linear_law() {
        let (z, t0) = tails_generations_setting();
        let o = run("regression.tails-generations-error");
        for n in [1, 2, 4] {
            let wrong = CountLaw::after(&z.p, t0, n).expected_error(2000.0);
            assert!(!o.with_prediction(wrong).pass(), "n = {n}");
        }
        // The clean learner (no generations).
        assert!(!o.with_prediction(z.expected_error(2000.0)).pass());
        let o = run("regression.tails-generations-lost-mass");
        for n in [7, 9] {
            let wrong = CountLaw::after(&z.p, t0, n).lost_mass();
            assert!(!o.with_prediction(wrong).pass(), "n = {n}");
        }
        // The quoted linear law n · L_1 with L_1 = Σ p_i (1 − p_i)^T0 exact.
        let l1 = CountLaw::first(&z.p, t0).lost_mass();
        assert!(!o.with_prediction(8.0 * l1).pass());
    }
}
