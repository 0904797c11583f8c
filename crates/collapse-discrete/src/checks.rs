//! Every discrete theorem as a registered check. Each simulation runs the real chain (the core
//! loop with this crate's sampler and fits, [`crate::simulation::Setup::run_one`]); each exact
//! value comes from the two-type chain of [`crate::theory`].

use crate::model::{Categorical, Discrete, FitRule, Initial, Metrics};
use crate::simulation::Setup;
use crate::theory::{self, TwoType};
use collapse_core::stats::mean_and_se;
use collapse_core::{
    Check, CheckContext, Family, Outcome, Policy, Relation, Rng, Schedule, Sources,
};
use rayon::prelude::*;
use std::ops::ControlFlow;

/// The models of generations 0..=n of one chain.
pub fn path(s: &Setup, f: &Discrete, rng: &mut Rng) -> Vec<Categorical> {
    let mut out = Vec::with_capacity(s.chain.generations as usize + 1);
    s.run_one(f, rng, |_, m| out.push(m.clone()))
        .expect("replace chains always run");
    out
}

/// The model of generation n of one chain.
pub fn last_model(s: &Setup, f: &Discrete, rng: &mut Rng) -> Categorical {
    let n = s.chain.generations;
    let mut last = None;
    s.run_one(f, rng, |g, m| {
        if g == n {
            last = Some(m.clone());
        }
    })
    .expect("replace chains always run");
    last.expect("the loop observes the last generation")
}

/// The metrics of generation n of one chain.
pub fn final_metrics(s: &Setup, f: &Discrete, rng: &mut Rng) -> Metrics {
    let n = s.chain.generations;
    let mut last = None;
    s.run_one(f, rng, |g, m| {
        if g == n {
            last = Some(f.metrics(m));
        }
    })
    .expect("replace chains always run");
    last.expect("the loop observes the last generation")
}

/// A fraction of `n` replicates with a property and its binomial standard error (floored at
/// one hit, so that a fraction of exactly 0 or 1 is judged with a non-zero tolerance).
fn fraction(c: &CheckContext, n: u64, f: impl Fn(&mut Rng) -> bool + Sync) -> (f64, f64) {
    let hits: u64 = (0..n)
        .into_par_iter()
        .map(|r| u64::from(f(&mut c.stream(r))))
        .sum();
    let p = hits as f64 / n as f64;
    let q = p.clamp(1.0 / n as f64, 1.0 - 1.0 / n as f64);
    (p, (q * (1.0 - q) / n as f64).sqrt())
}

fn chains(c: &CheckContext) -> u64 {
    c.pick(20_000, 200_000)
}

/// For the checks whose chains run hundreds of generations.
fn heavy_chains(c: &CheckContext) -> u64 {
    c.pick(20_000, 60_000)
}

fn zipf(k: usize, s: f64) -> Vec<f64> {
    Initial::Zipf(s).weights(k)
}

/// E p_n(i) = p_0(i): the rarest of K = 5 Zipf(1) categories, M = 20, n = 30.
pub fn martingale(c: &CheckContext, rule: FitRule) -> Outcome {
    let s = Setup::replace(zipf(5, 1.0), rule, 20, 30);
    let f = s.family();
    let (m, se) = c.monte_carlo(chains(c), |rng| last_model(&s, &f, rng).prob(4));
    Outcome::monte_carlo(f.p0[4], m, se)
}

/// E p_n(i) = p_0(i) under `accumulate-subsample` (pooling, then a multivariate
/// hypergeometric subsample of M): the rarest of K = 5 Zipf(1), M = 20, n = 20.
pub fn subsample_martingale(c: &CheckContext, policy: Policy) -> Outcome {
    let mut s = Setup::replace(zipf(5, 1.0), FitRule::EMPIRICAL, 20, 20);
    s.chain.policy = policy;
    let f = s.family();
    let (m, se) = c.monte_carlo(chains(c), |rng| last_model(&s, &f, rng).prob(4));
    Outcome::monte_carlo(f.p0[4], m, se)
}

/// P(absorbed at category j) = p_0(j): K = 3, p_0 = (0.5, 0.3, 0.2), M = 10, absorbed by
/// n = 250 (P(not yet) is of order 0.9^250 < 1e-11).
pub fn fixation_probability(c: &CheckContext, rule: FitRule) -> Outcome {
    let s = Setup::replace(vec![0.5, 0.3, 0.2], rule, 10, 250);
    let f = s.family();
    let (p, se) = fraction(c, heavy_chains(c), |rng| last_model(&s, &f, rng).idx == [2]);
    Outcome::monte_carlo(f.p0[2], p, se)
}

/// E H_n = H_0 (1 − 1/M)^n: K = 10 Zipf(1), M = 10, n = 10.
pub fn heterozygosity(c: &CheckContext, rule: FitRule) -> Outcome {
    let s = Setup::replace(zipf(10, 1.0), rule, 10, 10);
    let f = s.family();
    let (m, se) = c.monte_carlo(chains(c), |rng| final_metrics(&s, &f, rng).heterozygosity);
    Outcome::monte_carlo(theory::expected_heterozygosity(&f.p0, &[10.0; 10]), m, se)
}

/// The support configuration: (K, Zipf exponent, M, n) — the quick budget and the full one use
/// different sizes, so `verify` compares at sizes the tests did not use.
fn support_config(c: &CheckContext) -> (usize, f64, usize, u64) {
    c.pick((20, 1.1, 50, 10), (30, 0.8, 120, 25))
}

/// E support_n from the marginal two-type chains against simulation.
pub fn support_exact(c: &CheckContext, generations_off: u64) -> Outcome {
    let (k, e, m, n) = support_config(c);
    let s = Setup::replace(zipf(k, e), FitRule::EMPIRICAL, m, n);
    let f = s.family();
    let (mean, se) = c.monte_carlo(heavy_chains(c), |rng| final_metrics(&s, &f, rng).support);
    let (exact, _) = theory::support_and_absorption(&f.p0, m, n + generations_off);
    Outcome::monte_carlo(exact[(n + generations_off) as usize], mean, se)
}

fn absorption_config(c: &CheckContext) -> (Vec<f64>, usize, u64) {
    c.pick(
        (vec![0.5, 0.3, 0.2], 20, 15),
        (vec![0.4, 0.3, 0.2, 0.1], 30, 30),
    )
}

/// P(absorbed by n) = Σ_i P(c_{i,n} = M) from the two-type chains against simulation.
pub fn absorption_exact(c: &CheckContext, generations_off: u64) -> Outcome {
    let (w, m, n) = absorption_config(c);
    let s = Setup::replace(w, FitRule::EMPIRICAL, m, n);
    let f = s.family();
    let (p, se) = fraction(c, chains(c), |rng| {
        final_metrics(&s, &f, rng).absorbed == 1.0
    });
    let (_, exact) = theory::support_and_absorption(&f.p0, m, n + generations_off);
    Outcome::monte_carlo(exact[(n + generations_off) as usize], p, se)
}

/// The two-type configuration of the absorption-time checks: M = 12, generation 0 at count 3
/// (p = 1/4); 400 generations leave P(unabsorbed) ~ (11/12)^400 < 1e-15. A chain stops once
/// absorbed.
const TIME_M: usize = 12;
const TIME_C: usize = 3;
const TIME_HORIZON: u64 = 400;

/// (absorption times, fixation times of category 0 given fixation, loss times given loss).
type Times = (Vec<f64>, Vec<f64>, Vec<f64>);

/// The absorption times of the check's chains (each check simulates on its own streams: the
/// two-category chains with M = 12 cost little).
fn simulate_times(c: &CheckContext) -> Times {
    let p = TIME_C as f64 / TIME_M as f64;
    let s = Setup::replace(vec![p, 1.0 - p], FitRule::EMPIRICAL, TIME_M, TIME_HORIZON);
    let f = s.family();
    let one: Vec<(f64, Option<bool>)> = (0..heavy_chains(c))
        .into_par_iter()
        .map(|r| {
            let mut at = None;
            let mut fixed = None;
            s.run_one(&f, &mut c.stream(r), |g, m| {
                if m.support() == 1 {
                    at = Some(g as f64);
                    fixed = Some(m.idx[0] == 0);
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            })
            .expect("replace chains always run");
            // An unabsorbed chain (probability < 1e-15) would report NaN and fail.
            (at.unwrap_or(f64::NAN), fixed)
        })
        .collect();
    let all = one.iter().map(|x| x.0).collect();
    let fix = one
        .iter()
        .filter(|x| x.1 == Some(true))
        .map(|x| x.0)
        .collect();
    let loss = one
        .iter()
        .filter(|x| x.1 == Some(false))
        .map(|x| x.0)
        .collect();
    (all, fix, loss)
}

fn exact_times() -> (f64, f64, f64) {
    let (t, t1, t0) = TwoType::new(TIME_M).mean_times();
    (t[TIME_C], t1[TIME_C], t0[TIME_C])
}

/// Mean absorption time: exact (linear system) against simulation.
pub fn absorption_time_exact(c: &CheckContext) -> Outcome {
    let (m, se) = mean_and_se(&simulate_times(c).0);
    Outcome::monte_carlo(exact_times().0, m, se)
}

/// Mean time to fixation given fixation: exact (h-transform) against simulation.
pub fn fixation_time_exact(c: &CheckContext) -> Outcome {
    let (m, se) = mean_and_se(&simulate_times(c).1);
    Outcome::monte_carlo(exact_times().1, m, se)
}

/// Mean time to loss given loss: exact (h-transform) against simulation.
pub fn loss_time_exact(c: &CheckContext) -> Outcome {
    let (m, se) = mean_and_se(&simulate_times(c).2);
    Outcome::monte_carlo(exact_times().2, m, se)
}

/// The Kimura comparison: M = 200, starting counts c = 20, 100 (p = 0.1, 0.5).
const KIMURA_M: usize = 200;

/// The largest |exact − Kimura| over p ∈ {0.1, 0.5}, for `which` = 0 (absorption), 1
/// (fixation), 2 (loss); the Outcome compares the Kimura value at the worst p with the exact
/// one, allowing the documented diffusion error.
fn kimura(which: usize, allowance: f64) -> Outcome {
    let chain = TwoType::new(KIMURA_M);
    let times = chain.mean_times();
    let exact = [&times.0, &times.1, &times.2][which];
    let m = KIMURA_M as f64;
    let mut worst: Option<(f64, f64)> = None;
    for c in [20usize, 100] {
        let p = c as f64 / m;
        let k = match which {
            0 => theory::kimura_absorption(m, p),
            1 => theory::kimura_fixation(m, p),
            _ => theory::kimura_loss(m, p),
        };
        let e = exact[c];
        if worst.is_none_or(|(kw, ew)| (e - k).abs() > (ew - kw).abs()) {
            worst = Some((k, e));
        }
    }
    let (k, e) = worst.expect("two points");
    Outcome::exact(k, e, 0.0).with_allowance(allowance)
}

/// Kimura's absorption time against the exact one, within [`kimura_allowance`] (see
/// proofs/discrete.md: the diffusion error grows like ln(M)/3 generations, not like M).
pub fn kimura_absorption(_: &CheckContext) -> Outcome {
    kimura(0, kimura_allowance(KIMURA_M as f64))
}

/// Kimura's conditional fixation time against the exact one.
pub fn kimura_fixation(_: &CheckContext) -> Outcome {
    kimura(1, kimura_allowance(KIMURA_M as f64))
}

/// Kimura's conditional loss time against the exact one.
pub fn kimura_loss(_: &CheckContext) -> Outcome {
    kimura(2, kimura_allowance(KIMURA_M as f64))
}

/// The documented diffusion error of Kimura's times, in generations: ln(M)/3 + 1 (2.77 at
/// M = 200). The exact chain gives exact − Kimura = −ln(M)/3 − c(p) with c(p) between −0.05
/// and 0.7 for M = 50..800 and p ∈ [0.1, 0.5] (proofs/discrete.md), a relative error
/// O(ln M / M).
pub fn kimura_allowance(m: f64) -> f64 {
    m.ln() / 3.0 + 1.0
}

/// The Suresh configuration: p_0 = 0.01, n = M = 100, k = 10.
const SURESH: (f64, usize, u64) = (0.01, 100, 10);

fn suresh_survival(c: &CheckContext) -> (f64, f64) {
    let (p, m, k) = SURESH;
    let s = Setup::replace(vec![p, 1.0 - p], FitRule::EMPIRICAL, m, k);
    let f = s.family();
    fraction(c, chains(c), |rng| last_model(&s, &f, rng).prob(0) > 0.0)
}

/// Simulated survival ≥ Suresh's lower bound 1 − exp(−n p_0 g_k).
pub fn suresh_lower(c: &CheckContext) -> Outcome {
    let (p, m, k) = SURESH;
    let (x, se) = suresh_survival(c);
    Outcome::monte_carlo(theory::suresh_lower(m as f64, p, k), x, se).bound(Relation::AtLeast)
}

/// Simulated survival ≤ Suresh's upper bound.
pub fn suresh_upper(c: &CheckContext) -> Outcome {
    let (p, m, k) = SURESH;
    let (x, se) = suresh_survival(c);
    Outcome::monte_carlo(theory::suresh_upper(m as f64, p, k), x, se).bound(Relation::AtMost)
}

/// The exact survival curve (two-type chain, p_0 = 0.01, M = 100, k = 1..=300) lies between
/// Suresh's bounds, with `g` as the bounds' g_k: measured = the smallest margin.
pub fn suresh_bounds_exact(_: &CheckContext, g: fn(u64) -> f64) -> Outcome {
    let (p, m, _) = SURESH;
    let n = m as f64;
    let chain = TwoType::new(m);
    let mut v = chain.first(p);
    let mut margin = f64::INFINITY;
    for k in 1..=300u64 {
        if k > 1 {
            v = chain.step(&v);
        }
        let alive = 1.0 - v[0];
        let e = (-n * p * g(k)).exp();
        let lo = 1.0 - e;
        let f = (1.0 - 3.0 * n * p * p - 3.0 * k as f64 * p).max(0.0);
        let hi = 1.0 - f * e;
        margin = margin.min(alive - lo).min(hi - alive);
    }
    Outcome::exact(0.0, margin, 1e-12).bound(Relation::AtLeast)
}

/// Corollary 1's configuration: K = 50 Zipf(1.1), M = 200, k = 20.
fn suresh_support(c: &CheckContext) -> ((f64, f64), (f64, f64)) {
    let s = Setup::replace(zipf(50, 1.1), FitRule::EMPIRICAL, 200, 20);
    let f = s.family();
    let r = c.monte_carlo(c.pick(5_000, 50_000), |rng| {
        final_metrics(&s, &f, rng).support
    });
    (r, theory::suresh_support_bounds(200.0, &f.p0, 20))
}

/// Simulated E support_k ≥ Σ_i (1 − exp(−n p_i g_k)).
pub fn suresh_support_lower(c: &CheckContext) -> Outcome {
    let ((m, se), (lo, _)) = suresh_support(c);
    Outcome::monte_carlo(lo, m, se).bound(Relation::AtLeast)
}

/// Simulated E support_k ≤ Corollary 1's upper bound.
pub fn suresh_support_upper(c: &CheckContext) -> Outcome {
    let ((m, se), (_, hi)) = suresh_support(c);
    Outcome::monte_carlo(hi, m, se).bound(Relation::AtMost)
}

/// Median extinction generations from the exact two-type chain (M = 2000) for original counts
/// c = 8, 12, ..., 64, and the least-squares slope of median against c.
pub fn forget_slope() -> f64 {
    let chain = TwoType::new(2000);
    let cs: Vec<f64> = (2..=16).map(|i| 4.0 * i as f64).collect();
    let ts: Vec<f64> = cs
        .par_iter()
        .map(|&c| {
            chain
                .median_loss_time(c as usize, 2000)
                .expect("rare categories are lost") as f64
        })
        .collect();
    let n = cs.len() as f64;
    let (mc, mt) = (cs.iter().sum::<f64>() / n, ts.iter().sum::<f64>() / n);
    let sxy: f64 = cs.iter().zip(&ts).map(|(c, t)| (c - mc) * (t - mt)).sum();
    let sxx: f64 = cs.iter().map(|c| (c - mc) * (c - mc)).sum();
    sxy / sxx
}

/// Time to forget is linear in the original count: slope 2/ln 2 of the median extinction
/// generation against c (survival ≈ 1 − exp(−2c/t)); allowance documented in the proofs.
pub fn time_to_forget(_: &CheckContext) -> Outcome {
    Outcome::exact(2.0 / std::f64::consts::LN_2, forget_slope(), 0.0)
        .with_allowance(FORGET_ALLOWANCE)
}

/// The allowance of the time-to-forget slope (generations per count).
pub const FORGET_ALLOWANCE: f64 = 0.15;

/// Add-α: E p_n(i) = λ^n p_0(i) + (1 − λ^n)/K, λ = M/(M + Kα); K = 5 Zipf(1), M = 10, α = 0.5,
/// n = 10, the rarest category.
pub fn add_alpha_mean(c: &CheckContext, rule: FitRule) -> Outcome {
    let s = Setup::replace(zipf(5, 1.0), rule, 10, 10);
    let f = s.family();
    let (m, se) = c.monte_carlo(chains(c), |rng| last_model(&s, &f, rng).prob(4));
    Outcome::monte_carlo(theory::add_alpha_mean(f.p0[4], 10.0, 5.0, 0.5, 10), m, se)
}

/// The growing schedule of the add-α growth check: M_g = 10 (g + 1), n = 10.
const GROWTH: (usize, u64) = (10, 10);

/// The closed form of E p_n(i) under add-α with the linear schedule M_g = M (g + 1): Λ_n p_0(i)
/// + (1 − Λ_n)/K with Λ_n = Π_{i<n} λ(M_i) (each generation contracts by its own size's λ).
pub fn add_alpha_growth_prediction(p0: f64, k: f64, alpha: f64) -> f64 {
    let (m, n) = GROWTH;
    let sizes: Vec<f64> = (0..n).map(|i| Schedule::Linear.size(m, i) as f64).collect();
    let l = *theory::add_alpha_contractions(&sizes, k, alpha)
        .last()
        .expect("n + 1 products");
    l * p0 + (1.0 - l) / k
}

/// Add-α under a growing schedule, simulated with `schedule` (the check: linear), against
/// [`add_alpha_growth_prediction`]: the rarest of K = 5 Zipf(1), M_g = 10 (g + 1), α = 0.5,
/// n = 10.
pub fn add_alpha_growth(c: &CheckContext, schedule: Schedule) -> Outcome {
    let (m, n) = GROWTH;
    let rule = FitRule {
        alpha: 0.5,
        top_k: None,
    };
    let mut s = Setup::replace(zipf(5, 1.0), rule, m, n);
    s.chain.schedule = schedule;
    let f = s.family();
    let (mean, se) = c.monte_carlo(chains(c), |rng| last_model(&s, &f, rng).prob(4));
    Outcome::monte_carlo(add_alpha_growth_prediction(f.p0[4], 5.0, 0.5), mean, se)
}

/// Add-α never absorbs: every category keeps at least α/(M + Kα) (K = 20 Zipf(1.1), M = 20,
/// α = 0.5, n = 20); measured = the smallest mass of any category in any generation n ≥ 1.
pub fn add_alpha_floor(c: &CheckContext, rule: FitRule) -> Outcome {
    let (k, m, alpha) = (20usize, 20.0, 0.5);
    let s = Setup::replace(zipf(k, 1.1), rule, m as usize, 20);
    let f = s.family();
    let mins: Vec<f64> = (0..c.pick(2_000u64, 20_000))
        .into_par_iter()
        .map(|r| {
            let ms = path(&s, &f, &mut c.stream(r));
            ms[1..]
                .iter()
                .map(|x| {
                    if x.support() < k {
                        0.0
                    } else {
                        x.p.iter().copied().fold(f64::INFINITY, f64::min)
                    }
                })
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    let measured = mins.iter().copied().fold(f64::INFINITY, f64::min);
    Outcome::exact(alpha / (m + k as f64 * alpha), measured, 1e-12).bound(Relation::AtLeast)
}

/// The sampler's covariance Cov(c_i, c_j) = −M p_i p_j (K = 6 Zipf(1), M = 30, i = 1, j = 6):
/// the conditional binomials reproduce the multinomial's dependence, not only its marginals.
pub fn sampler_covariance(c: &CheckContext) -> Outcome {
    let f = Discrete::new(&zipf(6, 1.0), FitRule::EMPIRICAL, 30);
    let (p0, p5) = (f.p0[0], f.p0[5]);
    let (m, se) = c.monte_carlo(chains(c), |rng| {
        let c = f.sample(&f.truth, 30, rng);
        let get = |i: u32| match c.idx.binary_search(&i) {
            Ok(j) => c.c[j] as f64,
            Err(_) => 0.0,
        };
        (get(0) - 30.0 * p0) * (get(5) - 30.0 * p5)
    });
    Outcome::monte_carlo(-30.0 * p0 * p5, m, se)
}

// ------------------------------------------------------------------------------------------
// The error sources (infinite-sample mode): K = 100 Zipf(1.1), M = 1000, α = 0.5, top-k = 20.

const SRC: (usize, f64, usize, f64, usize) = (100, 1.1, 1000, 0.5, 20);

/// The family and the models of generations 0..=n of the chain of `s` (on stream 0 of the
/// check).
fn source_path(c: &CheckContext, s: Sources, n: u64) -> (Discrete, Vec<Categorical>) {
    let (k, e, m, alpha, top) = SRC;
    let setup = Setup::sources(s, &zipf(k, e), m, n, alpha, top);
    let f = setup.family();
    let p = path(&setup, &f, &mut c.stream(0));
    (f, p)
}

fn l1(a: &Categorical, b: &Categorical, k: usize) -> f64 {
    let (x, y) = (a.dense(k), b.dense(k));
    x.iter().zip(&y).map(|(u, v)| (u - v).abs()).sum()
}

/// No error source: the chain stays at p_0 (largest TV over 50 generations is 0).
pub fn none_fixed_point(c: &CheckContext, s: Sources) -> Outcome {
    let (f, p) = source_path(c, s, 50);
    let worst = p.iter().map(|m| f.metrics(m).tv).fold(0.0, f64::max);
    Outcome::exact(0.0, worst, 1e-12)
}

/// Expressivity alone: TV(p_1, p_0) = 1 − P_S exactly.
pub fn expressivity_once(c: &CheckContext) -> Outcome {
    let (f, p) = source_path(
        c,
        Sources {
            statistical: false,
            expressivity: true,
            approximation: false,
        },
        1,
    );
    Outcome::exact(
        1.0 - theory::top_k_mass(&f.p0, SRC.4),
        f.metrics(&p[1]).tv,
        1e-12,
    )
}

/// Expressivity alone: nothing changes after generation 1 (L1 distance of p_50 and p_1).
pub fn expressivity_no_drift(c: &CheckContext, s: Sources) -> Outcome {
    let (f, p) = source_path(c, s, 50);
    Outcome::exact(0.0, l1(&p[50], &p[1], f.k()), 1e-12)
}

/// Approximation alone: TV(p_n, p_0) = (1 − λ^n) TV(u, p_0), n = 30.
pub fn approximation_drift(c: &CheckContext) -> Outcome {
    let (_, _, m, alpha, _) = SRC;
    let (f, p) = source_path(
        c,
        Sources {
            statistical: false,
            expressivity: false,
            approximation: true,
        },
        30,
    );
    Outcome::exact(
        theory::add_alpha_tv(&f.p0, m as f64, alpha, 30),
        f.metrics(&p[30]).tv,
        1e-12,
    )
}

/// The registered checks.
pub fn checks() -> Vec<Check> {
    const NONE: Sources = Sources {
        statistical: false,
        expressivity: false,
        approximation: false,
    };
    const EXPR: Sources = Sources {
        statistical: false,
        expressivity: true,
        approximation: false,
    };
    vec![
        Check::new(
            "discrete.martingale",
            "Empirical refitting: E p_n(i) = p_0(i) for every category (the frequencies are a martingale); rarest of K = 5 Zipf(1), M = 20, n = 30",
            "Shumailov et al. 2024, section 'Discrete distributions with exact approximation'; Wright-Fisher neutrality",
            |c| martingale(c, FitRule::EMPIRICAL),
        ),
        Check::new(
            "discrete.subsample-martingale",
            "Under accumulate-subsample (pool every draw, fit on a hypergeometric subsample of M) the frequencies remain a martingale: E p_n(i) = p_0(i); rarest of K = 5 Zipf(1), M = 20, n = 20",
            "Kazdan et al. 2024 (accumulate-subsample workflow); this workspace's pooled-count subsampler",
            |c| subsample_martingale(c, Policy::AccumulateSubsample),
        ),
        Check::new(
            "discrete.fixation-probability",
            "The chain is absorbed in a delta at category j with probability p_0(j); p_0 = (0.5, 0.3, 0.2), M = 10, j = 3, absorption by n = 250",
            "Shumailov et al. 2024, discrete section (absorbing Markov chain)",
            |c| fixation_probability(c, FitRule::EMPIRICAL),
        ),
        Check::new(
            "discrete.heterozygosity",
            "E H_n = H_0 (1 - 1/M)^n exactly, H = 1 - sum p_i^2; K = 10 Zipf(1), M = 10, n = 10",
            "Wright-Fisher heterozygosity decay (Ewens, Mathematical Population Genetics)",
            |c| heterozygosity(c, FitRule::EMPIRICAL),
        ),
        Check::new(
            "discrete.support-exact",
            "E support_n = sum_i P(c_{i,n} > 0), each from the category's (M+1)-state two-type chain, against simulation; quick: K = 20 Zipf(1.1), M = 50, n = 10; full: K = 30 Zipf(0.8), M = 120, n = 25",
            "this workspace (exact marginal Wright-Fisher chains), proofs/discrete.md",
            |c| support_exact(c, 0),
        ),
        Check::new(
            "discrete.absorption-exact",
            "P(absorbed by n) = sum_i P(c_{i,n} = M) from the two-type chains, against simulation; quick: p_0 = (0.5, 0.3, 0.2), M = 20, n = 15; full: p_0 = (0.4, 0.3, 0.2, 0.1), M = 30, n = 30",
            "this workspace (exact marginal Wright-Fisher chains), proofs/discrete.md",
            |c| absorption_exact(c, 0),
        ),
        Check::new(
            "discrete.absorption-time-exact",
            "Mean absorption time from the two-type chain's linear system (I - Q) t = 1 against simulation; M = 12, p_0 = 1/4",
            "Ewens, Mathematical Population Genetics (absorption times of the Wright-Fisher chain)",
            absorption_time_exact,
        ),
        Check::new(
            "discrete.fixation-time-exact",
            "Mean time to fixation given fixation, exact by Doob's h-transform ((I - Q) u = c, t = u/c), against simulation; M = 12, p_0 = 1/4",
            "Ewens, Mathematical Population Genetics (conditional absorption times)",
            fixation_time_exact,
        ),
        Check::new(
            "discrete.loss-time-exact",
            "Mean time to loss given loss, exact by Doob's h-transform ((I - Q) w = M - c, t = w/(M - c)), against simulation; M = 12, p_0 = 1/4",
            "Ewens, Mathematical Population Genetics (conditional absorption times)",
            loss_time_exact,
        ),
        Check::new(
            "discrete.kimura-absorption-time",
            "Kimura's diffusion time -2M[p ln p + (1-p) ln(1-p)] against the exact mean absorption time, M = 200, p in {0.1, 0.5} (worst shown), within ln(M)/3 + 1 generations (the diffusion error grows like ln M, not like M)",
            "Kimura & Ohta 1969; Shumailov et al. 2024 discrete section via Wright-Fisher",
            kimura_absorption,
        ),
        Check::new(
            "discrete.kimura-fixation-time",
            "Kimura's -2M(1-p) ln(1-p)/p against the exact mean fixation time given fixation, M = 200, p in {0.1, 0.5}, within ln(M)/3 + 1 generations",
            "Kimura & Ohta 1969",
            kimura_fixation,
        ),
        Check::new(
            "discrete.kimura-loss-time",
            "Kimura's -2M p ln p/(1-p) against the exact mean loss time given loss, M = 200, p in {0.1, 0.5}, within ln(M)/3 + 1 generations",
            "Kimura & Ohta 1969",
            kimura_loss,
        ),
        Check::new(
            "discrete.suresh-lower",
            "P(a category with p_0 = 0.01 survives k = 10 generations of n = 100 draws) >= 1 - exp(-n p_0 g_k), g_k = g^k(inf), g(x) = 1 - e^-x; simulation",
            "Suresh, Thangaraj, Khandavally 2024, Theorem 1",
            suresh_lower,
        ),
        Check::new(
            "discrete.suresh-upper",
            "P(survive k = 10) <= 1 - max(1 - 3 n p_0^2 - 3 k p_0, 0) exp(-n p_0 g_k), p_0 = 0.01, n = 100; simulation",
            "Suresh, Thangaraj, Khandavally 2024, Theorem 1",
            suresh_upper,
        ),
        Check::new(
            "discrete.suresh-bounds-exact",
            "The exact survival curve (two-type chain, p_0 = 0.01, M = 100) lies between Suresh's lower and upper bounds for every k = 1..300 (measured: the smallest margin)",
            "Suresh, Thangaraj, Khandavally 2024, Theorem 1",
            |c| suresh_bounds_exact(c, theory::suresh_g),
        ),
        Check::new(
            "discrete.suresh-support-lower",
            "E support_k >= sum_i (1 - exp(-n p_i g_k)); K = 50 Zipf(1.1), n = M = 200, k = 20; simulation",
            "Suresh, Thangaraj, Khandavally 2024, Corollary 1",
            suresh_support_lower,
        ),
        Check::new(
            "discrete.suresh-support-upper",
            "E support_k <= sum_i (1 - exp(-n p_i g_k) max(1 - 3 n p_i^2 - 3 k p_i, 0)); K = 50 Zipf(1.1), n = M = 200, k = 20; simulation",
            "Suresh, Thangaraj, Khandavally 2024, Corollary 1",
            suresh_support_upper,
        ),
        Check::new(
            "discrete.time-to-forget-linear",
            "Time to forget is linear in the original count: the exact median extinction generation of a category with count c << M grows with slope 2/ln 2 (survival ~ 1 - exp(-2c/t)); M = 2000, c = 8..64, allowance 0.15 for the O(ln c/c) discrete-time correction",
            "Suresh, Thangaraj, Khandavally 2024 (abstract, time to forget); Kimura diffusion survival law",
            time_to_forget,
        ),
        Check::new(
            "discrete.add-alpha-mean",
            "Add-alpha: E p_n(i) = lambda^n p_0(i) + (1 - lambda^n)/K, lambda = M/(M + K alpha) (no longer a martingale); rarest of K = 5 Zipf(1), M = 10, alpha = 0.5, n = 10",
            "this workspace (approximation error), proofs/discrete.md",
            |c| {
                add_alpha_mean(
                    c,
                    FitRule {
                        alpha: 0.5,
                        top_k: None,
                    },
                )
            },
        ),
        Check::new(
            "discrete.add-alpha-growth",
            "Add-alpha with a growing sample size: E p_n(i) = L_n p_0(i) + (1 - L_n)/K, L_n = prod_{i<n} M_i/(M_i + K alpha), each generation contracting by its own size; rarest of K = 5 Zipf(1), M_g = 10 (g + 1), alpha = 0.5, n = 10",
            "this workspace (approximation error), proofs/discrete.md",
            |c| add_alpha_growth(c, Schedule::Linear),
        ),
        Check::new(
            "discrete.add-alpha-floor",
            "Add-alpha never absorbs: every category keeps mass >= alpha/(M + K alpha) in every generation; K = 20 Zipf(1.1), M = 20, alpha = 0.5, n = 20 (measured: the smallest mass seen)",
            "this workspace (approximation error), proofs/discrete.md",
            |c| {
                add_alpha_floor(
                    c,
                    FitRule {
                        alpha: 0.5,
                        top_k: None,
                    },
                )
            },
        ),
        Check::new(
            "discrete.sampler-covariance",
            "The conditional-binomial sampler has the multinomial covariance Cov(c_i, c_j) = -M p_i p_j; K = 6 Zipf(1), M = 30, i = 1, j = 6",
            "multinomial law (this workspace's sampler)",
            sampler_covariance,
        ),
        Check::new(
            "sources.discrete-none-fixed-point",
            "No error source (infinite-sample mode, empirical fit): the chain stays at p_0, TV = 0 for 50 generations; K = 100 Zipf(1.1)",
            "Shumailov et al. 2024, error sources",
            |c| none_fixed_point(c, NONE),
        ),
        Check::new(
            "sources.discrete-expressivity-once",
            "Expressivity alone (top-k, infinite-sample mode): TV(p_1, p_0) = 1 - P_S exactly, P_S the mass of the k most probable categories; K = 100 Zipf(1.1), k = 20",
            "Shumailov et al. 2024, functional expressivity error ('can only occur at the first generation')",
            expressivity_once,
        ),
        Check::new(
            "sources.discrete-expressivity-no-drift",
            "Expressivity alone: nothing changes after generation 1, |p_50 - p_1|_1 = 0; K = 100 Zipf(1.1), k = 20",
            "Shumailov et al. 2024, functional expressivity error",
            |c| expressivity_no_drift(c, EXPR),
        ),
        Check::new(
            "sources.discrete-approximation-drift",
            "Approximation alone (add-alpha, infinite-sample mode): p_n = lambda^n p_0 + (1 - lambda^n) u, so TV(p_n, p_0) = (1 - lambda^n) TV(u, p_0); K = 100 Zipf(1.1), M = 1000, alpha = 0.5, n = 30",
            "Shumailov et al. 2024, functional approximation error",
            approximation_drift,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::Budget;
    use collapse_core::check::validate_ids;

    /// The quick-budget context of check `id` (its own streams).
    fn q(id: &str) -> CheckContext {
        CheckContext::new(id, Budget::Quick)
    }

    #[test]
    fn every_check_passes_at_the_quick_budget() {
        let all = checks();
        validate_ids(&all[..22], "discrete.").unwrap();
        validate_ids(&all[22..], "sources.discrete-").unwrap();
        for c in all {
            let t = std::time::Instant::now();
            let o = c.run(Budget::Quick);
            eprintln!("{:40} {:?} {:.2}s", c.id, o, t.elapsed().as_secs_f64());
            assert!(o.as_ref().is_ok_and(|o| o.pass()), "{}: {o:?}", c.id);
        }
    }

    #[test]
    fn wrong_predictions_fail() {
        let e = FitRule::EMPIRICAL;
        let fails = |o: Outcome, wrong: f64, what: &str| {
            assert!(!o.with_prediction(wrong).pass(), "{what}: {wrong} vs {o:?}");
        };
        let p4 = zipf(5, 1.0)[4] / zipf(5, 1.0).iter().sum::<f64>();
        // A decaying mean, as if the rare category's mass leaked away.
        fails(
            martingale(&q("discrete.martingale"), e),
            p4 * (1.0f64 - 1.0 / 20.0).powi(30),
            "martingale",
        );
        fails(
            subsample_martingale(
                &q("discrete.subsample-martingale"),
                Policy::AccumulateSubsample,
            ),
            p4 * (1.0f64 - 1.0 / 20.0).powi(20),
            "subsample martingale",
        );
        // Uniform fixation.
        fails(
            fixation_probability(&q("discrete.fixation-probability"), e),
            1.0 / 3.0,
            "fixation",
        );
        // The diploid rate, and an off-by-one generation.
        let h = heterozygosity(&q("discrete.heterozygosity"), e);
        fails(
            h,
            h.predicted / 0.9f64.powi(10) * 0.95f64.powi(10),
            "het diploid",
        );
        fails(h, h.predicted * 0.9, "het n+1");
        // An off-by-one generation of the exact curves.
        fails(
            support_exact(&q("discrete.support-exact"), 0),
            support_exact(&q("discrete.support-exact"), 1).predicted,
            "support n+1",
        );
        fails(
            absorption_exact(&q("discrete.absorption-exact"), 0),
            absorption_exact(&q("discrete.absorption-exact"), 1).predicted,
            "absorbed n+1",
        );
        // Kimura's diffusion values where the exact ones are claimed (M = 12 is small).
        let p = TIME_C as f64 / TIME_M as f64;
        let m = TIME_M as f64;
        fails(
            absorption_time_exact(&q("discrete.absorption-time-exact")),
            theory::kimura_absorption(m, p),
            "abs time",
        );
        fails(
            fixation_time_exact(&q("discrete.fixation-time-exact")),
            theory::kimura_fixation(m, p),
            "fix time",
        );
        fails(
            loss_time_exact(&q("discrete.loss-time-exact")),
            theory::kimura_loss(m, p),
            "loss time",
        );
        // The diploid forms (4N instead of 2N).
        for (o, f) in [
            (
                kimura_absorption(&q("discrete.kimura-absorption-time")),
                theory::kimura_absorption as fn(f64, f64) -> f64,
            ),
            (
                kimura_fixation(&q("discrete.kimura-fixation-time")),
                theory::kimura_fixation,
            ),
            (
                kimura_loss(&q("discrete.kimura-loss-time")),
                theory::kimura_loss,
            ),
        ] {
            fails(o, 2.0 * f(KIMURA_M as f64, 0.5), "kimura diploid");
        }
        // g_k replaced by its upper bracket 3/k (too high a lower bound) and by 1/k as an
        // upper bound.
        let (p0, n, k) = SURESH;
        let n = n as f64;
        fails(
            suresh_lower(&q("discrete.suresh-lower")),
            -(-n * p0 * 3.0 / k as f64).exp_m1(),
            "suresh lower",
        );
        fails(
            suresh_upper(&q("discrete.suresh-upper")),
            -(-n * p0 / k as f64).exp_m1(),
            "suresh upper",
        );
        assert!(
            !suresh_bounds_exact(&q("discrete.suresh-bounds-exact"), |k| 3.0 / k as f64).pass()
        );
        let w = zipf(50, 1.1);
        let tot: f64 = w.iter().sum();
        let lo3: f64 = w
            .iter()
            .map(|x| -(-200.0 * x / tot * 3.0 / 20.0).exp_m1())
            .sum();
        let lo1: f64 = w.iter().map(|x| -(-200.0 * x / tot / 20.0).exp_m1()).sum();
        fails(
            suresh_support_lower(&q("discrete.suresh-support-lower")),
            lo3,
            "support lower 3/k",
        );
        fails(
            suresh_support_upper(&q("discrete.suresh-support-upper")),
            lo1,
            "support upper 1/k",
        );
        // Time to forget with the slope of the mean-count rule 2c.
        fails(
            time_to_forget(&q("discrete.time-to-forget-linear")),
            2.0,
            "forget slope",
        );
        // The martingale claimed for add-alpha; a floor of alpha/M.
        let a = FitRule {
            alpha: 0.5,
            top_k: None,
        };
        fails(
            add_alpha_mean(&q("discrete.add-alpha-mean"), a),
            p4,
            "add-alpha mean",
        );
        // The base size's λ for every generation (the closed form this check was written for).
        let base = theory::add_alpha_mean(p4, GROWTH.0 as f64, 5.0, 0.5, GROWTH.1);
        fails(
            add_alpha_growth(&q("discrete.add-alpha-growth"), Schedule::Linear),
            base,
            "add-alpha growth at the base size",
        );
        fails(
            add_alpha_floor(&q("discrete.add-alpha-floor"), a),
            0.5 / 20.0,
            "add-alpha floor",
        );
        // Independent counts.
        fails(
            sampler_covariance(&q("discrete.sampler-covariance")),
            0.0,
            "covariance",
        );
        // Sources.
        let expr = Sources {
            statistical: false,
            expressivity: true,
            approximation: false,
        };
        let none = Sources {
            statistical: false,
            expressivity: false,
            approximation: false,
        };
        fails(
            none_fixed_point(&q("sources.discrete-none-fixed-point"), none),
            1e-6,
            "none",
        );
        let ps = theory::top_k_mass(
            &Initial::Zipf(1.1)
                .weights(100)
                .iter()
                .map(|x| x / zipf(100, 1.1).iter().sum::<f64>())
                .collect::<Vec<_>>(),
            20,
        );
        fails(
            expressivity_once(&q("sources.discrete-expressivity-once")),
            0.5 * (1.0 - ps),
            "expressivity once",
        );
        fails(
            expressivity_no_drift(&q("sources.discrete-expressivity-no-drift"), expr),
            (1.0 - ps.powi(50)) - (1.0 - ps),
            "no drift",
        );
        let (f, _) = source_path(&q("sources.discrete-approximation-drift"), none, 0);
        fails(
            approximation_drift(&q("sources.discrete-approximation-drift")),
            theory::add_alpha_tv(&f.p0, 1000.0, 0.5, 29),
            "drift n-1",
        );
    }

    #[test]
    fn wrong_code_fails() {
        // Top-2 truncation drops the rare category: no martingale.
        assert!(
            !martingale(
                &q("discrete.martingale"),
                FitRule {
                    alpha: 0.0,
                    top_k: Some(2)
                }
            )
            .pass()
        );
        // Add-alpha never absorbs.
        assert!(
            !fixation_probability(
                &q("discrete.fixation-probability"),
                FitRule {
                    alpha: 0.5,
                    top_k: None
                }
            )
            .pass()
        );
        // The empirical fit is a martingale, not the add-alpha drift; and it loses categories.
        assert!(!add_alpha_mean(&q("discrete.add-alpha-mean"), FitRule::EMPIRICAL).pass());
        assert!(!add_alpha_floor(&q("discrete.add-alpha-floor"), FitRule::EMPIRICAL).pass());
        // A chain that does not grow is not the closed form of one that does.
        assert!(!add_alpha_growth(&q("discrete.add-alpha-growth"), Schedule::Constant).pass());
        // Finite samples move the chain; with statistical error the top-k chain keeps drifting.
        let stat = Sources {
            statistical: true,
            expressivity: false,
            approximation: false,
        };
        assert!(!none_fixed_point(&q("sources.discrete-none-fixed-point"), stat).pass());
        let both = Sources {
            statistical: true,
            expressivity: true,
            approximation: false,
        };
        assert!(!expressivity_no_drift(&q("sources.discrete-expressivity-no-drift"), both).pass());
    }
}
