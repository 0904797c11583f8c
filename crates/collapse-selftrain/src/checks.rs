//! Every theorem of the family as a registered check. Each measurement runs the crate's own
//! model code (the samplers, the training rounds through the core loop, the exact curated
//! update) and compares it with an independently computed closed form.

use crate::curated::{CatModel, Curated, expect};
use crate::metrics::{pass_at_k, pass_at_k_plugin, pass_at_k_unbiased};
use crate::model::{Policy, Population, PopulationSpec, draw_index};
use crate::train::{Schedule, SelfTrain, TrainConfig};
use collapse_core::check::check_stream;
use collapse_core::{Check, CheckContext, Family, Outcome, Relation};

/// The unbiased estimator's setting: n samples, k, and a 4-strategy answer law.
const EST: (u64, u64) = (10, 5);
const EST_PI: [f64; 4] = [0.1, 0.1, 0.5, 0.3];
const EST_C: [bool; 4] = [true, true, false, false];

/// E[1 − C(n−c,k)/C(n,k)] over answers drawn from the categorical law, vs 1 − (1−p)^k.
pub fn pass_k_unbiased(c: &CheckContext) -> Outcome {
    let (n, k) = EST;
    let p: f64 = EST_PI.iter().zip(EST_C).filter(|x| x.1).map(|x| x.0).sum();
    let (m, se) = c.monte_carlo(c.pick(100_000, 1_000_000), |rng| {
        let correct = (0..n).filter(|_| EST_C[draw_index(&EST_PI, rng)]).count() as u64;
        pass_at_k_unbiased(n, correct, k)
    });
    Outcome::monte_carlo(pass_at_k(p, k as f64), m, se)
}

/// The plug-in's expectation $\sum_c \mathrm{Bin}(c;n,p)[1-(1-c/n)^k]$ (the wrong prediction).
pub fn plugin_expectation() -> f64 {
    let (n, k) = EST;
    let p: f64 = 0.2;
    let mut binom = 1.0;
    let mut e = 0.0;
    for c in 0..=n {
        if c > 0 {
            binom *= (n - c + 1) as f64 / c as f64;
        }
        e += binom * p.powi(c as i32) * (1.0 - p).powi((n - c) as i32) * pass_at_k_plugin(n, c, k);
    }
    e
}

/// A binary-reward curated loop: categories 0..5 with p = `p`, correct = reward 1.
fn binary_loop(k: usize, hard: bool) -> Curated {
    Curated {
        p0: vec![0.3, 0.25, 0.2, 0.15, 0.1],
        reward: vec![0.0, 1.0, 0.0, 1.0, 0.0],
        k,
        hard,
    }
}

const CURATE_K: usize = 3;

/// Hard curation of K samples keeps a correct one with probability pass@K of the current model.
pub fn curation_pass_k(c: &CheckContext) -> Outcome {
    let l = binary_loop(CURATE_K, true);
    let model = CatModel {
        p: l.p0.clone(),
        real: false,
    };
    let p = 0.4;
    let (m, se) = c.monte_carlo(c.pick(20, 200), |rng| {
        let counts = l.sample(&model, 10_000, rng);
        (counts.0[1] + counts.0[3]) as f64 / 10_000.0
    });
    Outcome::monte_carlo(pass_at_k(p, CURATE_K as f64), m, se)
}

/// The shared-only population of `proofs/self-training.md` (replicator section): π_0 = (0.40,
/// 0.20, 0.05, 0.35), question types (0.60: A,B), (0.25: A), (0.10: B), (0.05: C).
fn replicator_population() -> Population {
    let theta0 = [0.40f64, 0.20, 0.05, 0.35].iter().map(|p| p.ln()).collect();
    Population::shared_only(
        theta0,
        &[
            (0.60, vec![0, 1]),
            (0.25, vec![0]),
            (0.10, vec![2 - 1]),
            (0.05, vec![2]),
        ],
        100,
    )
}

const FITNESS: [f64; 4] = [0.85, 0.70, 0.05, 0.0];
const PI0: [f64; 4] = [0.40, 0.20, 0.05, 0.35];

fn converge_cfg(tau: f64) -> TrainConfig {
    TrainConfig {
        schedule: Schedule::Sft,
        tau,
        samples: 50,
        steps: 0,
        lr: 0.0,
        dpo_lr: 0.0,
        beta: 0.1,
        pairs: 1,
        restart: false,
        reference_base: false,
        converge: true,
        phi_rate: 0.0,
    }
}

/// The policy after `rounds` exact SFT-to-convergence rounds at temperature `tau` (the exact
/// mode draws nothing from `c`'s stream).
fn replicator_run(c: &CheckContext, tau: f64, rounds: u64) -> Vec<f64> {
    let pop = replicator_population();
    let fam = SelfTrain::new(&pop, converge_cfg(tau));
    let mut last = None;
    fam.run(rounds, false, &mut c.stream(0), |_, p| {
        last = Some(p.clone())
    })
    .expect("replace runs in the infinite mode");
    let pol: Policy = last.expect("observed");
    let mut pi = vec![0.0; 4];
    crate::metrics::softmax_t(&pol.theta, 1.0, &mut pi);
    pi
}

/// The closed form $\pi_t\propto\pi_0^{\tau^{-t}}m^{(\tau^{-t}-1)/(\tau^{-1}-1)}$.
pub fn replicator_closed_form(tau: f64, t: i32) -> Vec<f64> {
    let a = tau.powi(-t);
    let bexp = if (tau - 1.0).abs() < 1e-15 {
        f64::from(t)
    } else {
        (a - 1.0) / (1.0 / tau - 1.0)
    };
    let w: Vec<f64> = PI0
        .iter()
        .zip(FITNESS)
        .map(|(p, m)| {
            if m > 0.0 {
                p.powf(a) * m.powf(bexp)
            } else {
                0.0
            }
        })
        .collect();
    let z: f64 = w.iter().sum();
    w.iter().map(|x| x / z).collect()
}

const REP_TAU: f64 = 0.75;
const REP_T: i32 = 5;

/// π_5(B) of shared-only SFT at τ = 0.75 through the loop vs the closed form.
pub fn replicator(c: &CheckContext) -> Outcome {
    let pi = replicator_run(c, REP_TAU, REP_T as u64);
    Outcome::exact(replicator_closed_form(REP_TAU, REP_T)[1], pi[1], 1e-9)
}

/// One round of exact SFT at τ = 1 from π_2 raises mean fitness by Var(m)/m̄.
pub fn fisher(c: &CheckContext) -> Outcome {
    let before = replicator_run(c, 1.0, 2);
    let after = replicator_run(c, 1.0, 3);
    let ma: f64 = after.iter().zip(FITNESS).map(|(p, m)| p * m).sum();
    Outcome::exact(fisher_prediction(&before).1, ma, 1e-12)
}

/// (m̄, m̄ + Var(m)/m̄) under π.
pub fn fisher_prediction(pi: &[f64]) -> (f64, f64) {
    let m: f64 = pi.iter().zip(FITNESS).map(|(p, m)| p * m).sum();
    let m2: f64 = pi.iter().zip(FITNESS).map(|(p, m)| p * m * m).sum();
    (m, m + (m2 - m * m) / m)
}

const CONV_K: usize = 2;
const CONV_T: u64 = 5;

/// Hard binary curation: the non-maximiser mass after t rounds is $u_0^{K^t}$, so the loop
/// converges to the data restricted to the maximisers. Returns (measured ln u_t, u_0).
fn convergence_run(c: &CheckContext) -> (f64, f64) {
    let l = binary_loop(CONV_K, true);
    let u0 = 0.6;
    let mut last = None;
    l.run(CONV_T + 1, 1, 0.0, false, &mut c.stream(0), |_, m| {
        last = Some(m.clone())
    })
    .expect("infinite mode");
    let m: CatModel = last.expect("observed");
    let u: f64 = m.p[0] + m.p[2] + m.p[4];
    (u.ln(), u0)
}

/// ln u_T vs K^T ln u_0.
pub fn curated_maximisers(c: &CheckContext) -> Outcome {
    let (lnu, u0) = convergence_run(c);
    Outcome::exact((CONV_K as f64).powi(CONV_T as i32) * u0.ln(), lnu, 1e-9)
}

/// The soft loop of the reward-bound check: 12 categories, 4 reward levels, K = 4.
fn soft_loop() -> Curated {
    let n = 12;
    let w: Vec<f64> = (1..=n).map(|i| 1.0 / i as f64).collect();
    let z: f64 = w.iter().sum();
    Curated {
        p0: w.iter().map(|x| x / z).collect(),
        reward: (0..n).map(|i| 1.5 * (i % 4) as f64 / 3.0).collect(),
        k: 4,
        hard: false,
    }
}

/// (E_p[e^r], Var_p[e^r], e^{r*}) under the soft loop's data distribution.
fn reward_moments(c: &Curated) -> (f64, f64, f64) {
    let e = expect(&c.p0, |i| c.reward[i].exp());
    let e2 = expect(&c.p0, |i| (2.0 * c.reward[i]).exp());
    let rmax = c.reward.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (e, e2 - e * e, rmax.exp())
}

/// Ferbach Lemma 2.2: E_{p_{t+1}}[e^r] ≥ E_{p_t}[e^r] + (K−1)/K · Var_{p_t}[e^r]/e^{r*}, measured
/// on sampled rounds (refit on n curated samples; the refit is unbiased for p H^K_p).
pub fn curated_reward_bound(c: &CheckContext) -> Outcome {
    let l = soft_loop();
    let (e, v, emax) = reward_moments(&l);
    let k = l.k as f64;
    let bound = e + (k - 1.0) / k * v / emax;
    let model = CatModel {
        p: l.p0.clone(),
        real: false,
    };
    let (m, se) = c.monte_carlo(c.pick(400, 4000), |rng| {
        let data = l.sample(&model, 5000, rng);
        let fit = l.fit(&data, rng);
        expect(&fit.p, |i| l.reward[i].exp())
    });
    Outcome::monte_carlo(bound, m, se).bound(Relation::AtLeast)
}

/// The $K\to\infty$ increment $E[e^r]+\mathrm{Var}[e^r]/E[e^r]$ (Lemma 2.1): more than a finite
/// K achieves, so a false prediction for K = 4.
pub fn replicator_increment() -> f64 {
    let (e, v, _) = reward_moments(&soft_loop());
    e + v / e
}

const MIX_LAMBDA: f64 = 0.2;
const MIX_K: usize = 2;

/// The stable point of $u=\lambda u_d+(1-\lambda)u^K$ in (0, 1), by bisection.
pub fn mixed_fixed_point(lambda: f64, ud: f64, k: usize) -> f64 {
    let f = |u: f64| lambda * ud + (1.0 - lambda) * u.powi(k as i32) - u;
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > 0.0 { lo = mid } else { hi = mid }
    }
    0.5 * (lo + hi)
}

/// With a fraction λ of real data each round the non-maximiser mass settles at the stable
/// fixed point instead of vanishing.
pub fn curated_real_stable(c: &CheckContext) -> Outcome {
    let l = binary_loop(MIX_K, true);
    let mut last = None;
    l.run(300, 1, MIX_LAMBDA, false, &mut c.stream(0), |_, m| {
        last = Some(m.clone())
    })
    .expect("infinite mode");
    let m: CatModel = last.expect("observed");
    let u = m.p[0] + m.p[2] + m.p[4];
    Outcome::exact(mixed_fixed_point(MIX_LAMBDA, 0.6, MIX_K), u, 1e-9)
}

/// The stream of the gradient checks' population: a fixture shared by several checks and their
/// wrong predictions (the same model throughout), not the stream of any one check.
const GRAD_POPULATION: &str = "selftrain.grad-population";

/// A small population for the gradient checks: 8 strategies, 24 training questions over levels
/// 1–5, the shortcut's logit at 1.5, no gold fit (fixed here, apart from the reversal's
/// calibrated defaults, so that the checks keep their measurements).
fn grad_population() -> Population {
    let spec = PopulationSpec {
        role_logits: [1.5, 0.0, 0.0, 0.0],
        level_weights: [0.2; 5],
        gold_boost: 0.0,
        ..PopulationSpec::reversal(8, 24, 1, 1, 1.0)
    };
    Population::draw(&spec, &mut check_stream(GRAD_POPULATION, 0))
}

fn grad_cfg(schedule: Schedule, tau: f64, samples: usize) -> TrainConfig {
    TrainConfig {
        schedule,
        tau,
        samples,
        steps: 1,
        lr: 1.0,
        dpo_lr: 1.0,
        beta: 0.5,
        pairs: 2,
        restart: false,
        reference_base: false,
        converge: false,
        phi_rate: 1.0,
    }
}

/// The shared-logit change of one gradient step, projected on the shortcut strategy.
fn shortcut_step(fam: &SelfTrain<'_>, data: &crate::train::RoundData) -> f64 {
    let pol = fam.train(data);
    pol.theta[0] - fam.base.theta[0]
}

/// (Monte Carlo mean and s.e. of the sampled round's step, the expected round's step).
fn gradient_check(
    c: &CheckContext,
    schedule: Schedule,
    tau: f64,
    samples: usize,
) -> (f64, f64, f64) {
    let pop = grad_population();
    let fam = SelfTrain::new(&pop, grad_cfg(schedule, tau, samples));
    let expected = shortcut_step(&fam, &fam.expected_round(&fam.base));
    let (m, se) = c.monte_carlo(c.pick(20_000, 200_000), |rng| {
        shortcut_step(&fam, &fam.sample_round(&fam.base, rng))
    });
    (m, se, expected)
}

/// The first SFT step on sampled data equals, in expectation, the step on the expected counts
/// $N\pi_\tau\odot c$ (τ = 0.75, N = 6).
pub fn sft_expected(c: &CheckContext) -> Outcome {
    let (m, se, e) = gradient_check(c, Schedule::Sft, 0.75, 6);
    Outcome::monte_carlo(e, m, se)
}

/// The same step with samples drawn at τ = 1 (the wrong prediction: temperature ignored).
pub fn sft_expected_tau1() -> f64 {
    let pop = grad_population();
    let fam = SelfTrain::new(&pop, grad_cfg(Schedule::Sft, 1.0, 6));
    shortcut_step(&fam, &fam.expected_round(&fam.base))
}

/// The first DPO step on sampled pairs equals, in expectation, the step on the expected pair
/// weights $w_q\,q^+\otimes q^-$ with $w_q=1-(1-p)^N-p^N$ (N = 4).
pub fn dpo_expected(c: &CheckContext) -> Outcome {
    let (m, se, e) = gradient_check(c, Schedule::Dpo, 0.75, 4);
    Outcome::monte_carlo(e, m, se)
}

/// The expected DPO step without the pair-existence factor (w_q = 1): the wrong prediction.
pub fn dpo_expected_without_w() -> f64 {
    let pop = grad_population();
    let fam = SelfTrain::new(&pop, grad_cfg(Schedule::Dpo, 0.75, 4));
    let mut d = fam.expected_round(&fam.base);
    // Undo w_q per question: recompute it and divide.
    let s = pop.s;
    let mut z = vec![0.0; s];
    let mut pi = vec![0.0; s];
    for q in 0..pop.train.n {
        fam.base.train_logits(q, &mut z);
        crate::metrics::softmax_t(&z, 0.75, &mut pi);
        let p = crate::model::p_correct(&pi, &pop.train.correct[q * s..(q + 1) * s]);
        let w = 1.0 - (1.0 - p).powi(4) - p.powi(4);
        for e in &mut d.pairs[d.pair_start[q]..d.pair_start[q + 1]] {
            e.2 /= w;
        }
    }
    shortcut_step(&fam, &d)
}

/// The shared-logit direction of one expected SFT round on the gradient-check population, and
/// the base shared logits.
fn sft_direction() -> (Vec<f64>, Vec<f64>) {
    let pop = grad_population();
    let mut cfg = grad_cfg(Schedule::Sft, 0.75, 50);
    cfg.steps = 20;
    let fam = SelfTrain::new(&pop, cfg);
    let next = fam.train(&fam.expected_round(&fam.base));
    let d = next
        .theta
        .iter()
        .zip(&fam.base.theta)
        .map(|(a, b)| a - b)
        .collect();
    (fam.base.theta.clone(), d)
}

/// $\mathrm{Cov}_\pi(f, g)$.
fn cov(pi: &[f64], f: &[f64], g: &[f64]) -> f64 {
    let ef: f64 = pi.iter().zip(f).map(|(p, x)| p * x).sum();
    let eg: f64 = pi.iter().zip(g).map(|(p, x)| p * x).sum();
    pi.iter()
        .zip(f)
        .zip(g)
        .map(|((p, x), y)| p * (x - ef) * (y - eg))
        .sum()
}

/// (−Cov(ln π, Δz), Cov(ln π, Δz), Cov(π, Δz)) at the base shared policy for the SFT direction.
pub fn entropy_covariances() -> (f64, f64, f64) {
    let (theta, d) = sft_direction();
    let mut pi = vec![0.0; theta.len()];
    crate::metrics::softmax_t(&theta, 1.0, &mut pi);
    let lnpi: Vec<f64> = pi.iter().map(|p| p.ln()).collect();
    let c = cov(&pi, &lnpi, &d);
    (-c, c, cov(&pi, &pi, &d))
}

/// dH/dε of $H(\mathrm{softmax}(\theta+\varepsilon\Delta\theta))$ at ε = 0 by a central difference
/// (ε = 1e-5) against Cui et al.'s first-order law $-\mathrm{Cov}_\pi(\ln\pi,\Delta z)$.
pub fn entropy_covariance(_: &CheckContext) -> Outcome {
    let (theta, d) = sft_direction();
    let h = |eps: f64| {
        let z: Vec<f64> = theta.iter().zip(&d).map(|(t, x)| t + eps * x).collect();
        let mut pi = vec![0.0; z.len()];
        crate::metrics::softmax_t(&z, 1.0, &mut pi);
        crate::metrics::entropy(&pi)
    };
    let eps = 1e-5;
    let measured = (h(eps) - h(-eps)) / (2.0 * eps);
    Outcome::exact(entropy_covariances().0, measured, 1e-6)
}

/// Populations drawn per Monte Carlo sample of the base-model checks, and their size.
const BASE_QUESTIONS: usize = 1000;

/// The calibrated defaults of `selftrain-reversal` with `n` test and `n` OOD questions (no
/// training question: the base model's greedy answers on unseen questions need none).
fn base_spec(n: usize) -> PopulationSpec {
    PopulationSpec::reversal(16, 0, n, n, 1.5)
}

/// Monte Carlo mean and s.e. of a base-model metric over drawn populations, measured by the
/// crate's own evaluation ([`crate::eval::evaluate`] of M₁).
fn base_measurement(c: &CheckContext, metric: crate::names::Metric) -> (f64, f64) {
    let spec = base_spec(BASE_QUESTIONS);
    c.monte_carlo(c.pick(200, 2000), |rng| {
        let pop = Population::draw(&spec, rng);
        let m1 = Policy::base(&pop);
        let baseline = crate::eval::Baseline::of(&pop, &m1, 0.75);
        crate::eval::evaluate(&pop, &m1, &baseline, 0.75, 50, 0.5, None)
            .into_iter()
            .find(|(m, _)| *m == metric)
            .map_or(f64::NAN, |(_, v)| v)
    })
}

/// M₁'s greedy pass@1 on in-distribution test questions (drawn populations, the crate's
/// evaluation) against the closed form Σ_l w_l Σ_j P(argmax = j) P(j solves level l).
pub fn base_greedy_accuracy(c: &CheckContext) -> Outcome {
    let (m, se) = base_measurement(c, crate::names::Metric::Pass1);
    Outcome::monte_carlo(crate::base::expected_pass_1(&base_spec(0), false), m, se)
}

/// The same on OOD questions: MATH's level mix and the OOD transfer.
pub fn base_ood_accuracy(c: &CheckContext) -> Outcome {
    let (m, se) = base_measurement(c, crate::names::Metric::OodPass1);
    Outcome::monte_carlo(crate::base::expected_pass_1(&base_spec(0), true), m, se)
}

/// Every check of the family.
pub fn checks() -> Vec<Check> {
    vec![
        Check::new(
            "selftrain.pass-k-unbiased",
            "The estimator 1 − C(n−c,k)/C(n,k) (computed as 1 − ∏(1 − k/i)) from n = 10 answers drawn from a categorical policy has expectation 1 − (1−p)^k (k = 5, p = 0.2).",
            "Chen et al. 2021 (Codex), the unbiased estimator of its §2.1",
            pass_k_unbiased,
        ),
        Check::new(
            "selftrain.curation-pass-k",
            "Hard curation (keep a correct answer among K = 3 samples if there is one): the kept answer is correct with probability pass@K = 1 − (1 − p)^K of the current model (p = 0.4), so with infinitely many samples pass@1_{t+1} = pass@K_t.",
            "Ferbach et al. 2024 Eq. 6 with r = γ·c, γ → ∞; derivation in proofs/self-training.md",
            curation_pass_k,
        ),
        Check::new(
            "selftrain.replicator-closed-form",
            "Shared-only SFT to convergence on infinitely many filtered samples at temperature τ is the replicator map π_t ∝ π_{t−1}^{1/τ} ⊙ m, whose closed form is π_t ∝ π_0^{τ^{−t}} m^{(τ^{−t}−1)/(τ^{−1}−1)} (τ = 0.75, t = 5, π_5(B)).",
            "derivation in proofs/self-training.md; the M-step of ReST-EM (Singh et al. 2024) and STaR (Zelikman et al. 2022 §3.1)",
            replicator,
        ),
        Check::new(
            "selftrain.fisher-increment",
            "Fisher's fundamental theorem: one exact SFT round at τ = 1 raises the mean fitness (expected pass@1) from m̄ to m̄ + Var_π(m)/m̄.",
            "Fisher's fundamental theorem; the analogue of Ferbach et al. 2024 Lemma 2.2 (proofs/self-training.md)",
            fisher,
        ),
        Check::new(
            "selftrain.curated-maximisers",
            "Hard curation with K = 2 and a binary reward: the mass off the reward maximisers after t rounds is u_0^{K^t} and the maximisers keep their initial ratios, so the loop converges to p_0 restricted to the maximisers (t = 5, u_0 = 0.6; compared in logs).",
            "Ferbach et al. 2024 Theorem 2.1",
            curated_maximisers,
        ),
        Check::new(
            "selftrain.curated-reward-bound",
            "Bradley–Terry curation with K = 4: E_{p_{t+1}}[e^r] ≥ E_{p_t}[e^r] + (K−1)/K · Var_{p_t}[e^r]/e^{r*} (measured on refits to 5000 sampled curated answers, an unbiased estimate of p H^K_p).",
            "Ferbach et al. 2024 Lemma 2.2",
            curated_reward_bound,
        ),
        Check::new(
            "selftrain.curated-real-stable",
            "With a fraction λ = 0.2 of real data each round (hard curation, K = 2) the non-maximiser mass converges to the stable root of u = λ u_data + (1−λ) u^K instead of vanishing.",
            "Ferbach et al. 2024 Theorems 2.2–2.4; Bertrand et al. 2024 (stability with real data)",
            curated_real_stable,
        ),
        Check::new(
            "selftrain.entropy-covariance",
            "The entropy of a softmax policy changes to first order by −Cov_π(ln π, Δz) (checked for the shared-logit direction of an expected SFT round at its base policy, where the covariance is positive so entropy falls; derivative by a central difference with ε = 1e-5, whose O(ε²) truncation and O(1e-16/ε) rounding lie far inside the 1e-6 tolerance).",
            "Cui et al. 2025 (arXiv:2505.22617) Lemma 1",
            entropy_covariance,
        ),
        Check::new(
            "selftrain.sft-expected-gradient",
            "The SFT step on sampled filtered answers (N = 6 at τ = 0.75) equals in expectation the step on the exact expected counts N π_τ ⊙ c: the infinite-sample mode is the drift-free mean of the sampled one.",
            "filtered SFT as a policy gradient (Zelikman et al. 2022 §3.1); expected gradient N[π_τ ⊙ c − p_τ π] derived in proofs/self-training.md",
            sft_expected,
        ),
        Check::new(
            "selftrain.dpo-expected-gradient",
            "The first DPO step on sampled pairs (N = 4, 2 pairs where a correct and an incorrect sample exist) equals in expectation the step on the pair weights w_q q⁺ ⊗ q⁻ with w_q = 1 − (1−p)^N − p^N.",
            "the DPO loss of Rafailov et al. 2023; expected step derived in proofs/self-training.md",
            dpo_expected,
        ),
        Check::new(
            "selftrain.base-greedy-accuracy",
            "The base model M₁ of selftrain-reversal (calibrated defaults) answers an unseen in-distribution question greedily with strategy j with probability ∫φ(x) ∏_{k≠j} Φ(x + (θ_j − θ_k)/σ) dx, so its expected greedy pass@1 is Σ_l w_l Σ_j P(argmax = j) P(j solves level l) (measured on drawn populations of 1000 test questions).",
            "order statistics of independent normal logits; proofs/self-training.md (calibration)",
            base_greedy_accuracy,
        ),
        Check::new(
            "selftrain.base-ood-accuracy",
            "The same closed form out of distribution: OOD levels in MATH's proportions, the shortcut and general strategies solving with probability ood_transfer times their in-distribution rate (measured on drawn populations of 1000 OOD questions).",
            "order statistics of independent normal logits; proofs/self-training.md (calibration)",
            base_ood_accuracy,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::Budget;

    /// The quick-budget context of check `id` (its own streams).
    fn q(id: &str) -> CheckContext {
        CheckContext::new(id, Budget::Quick)
    }

    #[test]
    fn every_check_passes_at_the_quick_budget() {
        collapse_core::check::validate_ids(&checks(), "selftrain.").unwrap();
        for c in checks() {
            let o = c.run(Budget::Quick);
            assert!(o.as_ref().is_ok_and(|o| o.pass()), "{}: {o:?}", c.id);
        }
    }

    #[test]
    fn wrong_predictions_fail() {
        // The plug-in estimator's expectation (biased low).
        let o = pass_k_unbiased(&q("selftrain.pass-k-unbiased"));
        assert!(
            !o.with_prediction(plugin_expectation()).pass(),
            "{o:?} vs {}",
            plugin_expectation()
        );
        // No improvement (pass@1), or one candidate fewer.
        let o = curation_pass_k(&q("selftrain.curation-pass-k"));
        assert!(!o.with_prediction(0.4).pass());
        assert!(
            !o.with_prediction(pass_at_k(0.4, (CURATE_K - 1) as f64))
                .pass()
        );
        // The τ = 1 closed form, and an off-by-one generation.
        let o = replicator(&q("selftrain.replicator-closed-form"));
        assert!(
            !o.with_prediction(replicator_closed_form(1.0, REP_T)[1])
                .pass()
        );
        assert!(
            !o.with_prediction(replicator_closed_form(REP_TAU, REP_T - 1)[1])
                .pass()
        );
        // Fisher without the division by m̄.
        let before = replicator_run(&q("selftrain.fisher-increment"), 1.0, 2);
        let (m, _) = fisher_prediction(&before);
        let m2: f64 = before.iter().zip(FITNESS).map(|(p, f)| p * f * f).sum();
        let o = fisher(&q("selftrain.fisher-increment"));
        assert!(!o.with_prediction(m + (m2 - m * m)).pass());
        // Convergence linear in t instead of exponential.
        let o = curated_maximisers(&q("selftrain.curated-maximisers"));
        assert!(
            !o.with_prediction((CONV_K * CONV_T as usize) as f64 * 0.6f64.ln())
                .pass()
        );
        // The K → ∞ (replicator) increment is not reached with K = 4.
        let o = curated_reward_bound(&q("selftrain.curated-reward-bound"));
        assert!(
            !o.with_prediction(replicator_increment()).pass(),
            "{o:?} vs {}",
            replicator_increment()
        );
        // Collapse to the maximisers (u = 0), or only the real part (λ u_d).
        let o = curated_real_stable(&q("selftrain.curated-real-stable"));
        assert!(!o.with_prediction(0.0).pass());
        assert!(!o.with_prediction(MIX_LAMBDA * 0.6).pass());
        // The sign flipped, or the covariance with π instead of ln π (the vanilla-gradient form).
        let o = entropy_covariance(&q("selftrain.entropy-covariance"));
        let (_, plus, with_pi) = entropy_covariances();
        assert!(
            o.measured < 0.0,
            "entropy falls along the SFT direction: {o:?}"
        );
        assert!(!o.with_prediction(plus).pass());
        assert!(!o.with_prediction(-with_pi).pass(), "{o:?} vs {}", -with_pi);
        // Temperature ignored; pair-existence factor ignored.
        let o = sft_expected(&q("selftrain.sft-expected-gradient"));
        assert!(
            !o.with_prediction(sft_expected_tau1()).pass(),
            "{o:?} vs {}",
            sft_expected_tau1()
        );
        let o = dpo_expected(&q("selftrain.dpo-expected-gradient"));
        assert!(
            !o.with_prediction(dpo_expected_without_w()).pass(),
            "{o:?} vs {}",
            dpo_expected_without_w()
        );
    }

    #[test]
    fn base_model_checks_reject_wrong_closed_forms() {
        use crate::base::expected_pass_1;
        let o = base_greedy_accuracy(&q("selftrain.base-greedy-accuracy"));
        // The head start ignored: every strategy greedy with probability 1/S.
        let mut flat = base_spec(0);
        flat.role_logits = [0.0; 4];
        assert!(
            !o.with_prediction(expected_pass_1(&flat, false)).pass(),
            "{o:?}"
        );
        // The shortcut always greedy (σ = 0).
        let mut sure = base_spec(0);
        sure.phi_scale = 0.0;
        assert!(
            !o.with_prediction(expected_pass_1(&sure, false)).pass(),
            "{o:?}"
        );
        // The sampled pass@1 at τ (mass on correct answers) instead of the greedy one.
        let c = q("selftrain.base-greedy-accuracy");
        let (sampled, _) = base_measurement(&c, crate::names::Metric::SampledPass1);
        assert!(!o.with_prediction(sampled).pass(), "{o:?} vs {sampled}");
        let o = base_ood_accuracy(&q("selftrain.base-ood-accuracy"));
        // The OOD transfer ignored, or the in-distribution level mix.
        let mut full = base_spec(0);
        full.ood_transfer = [1.0; 3];
        assert!(
            !o.with_prediction(expected_pass_1(&full, true)).pass(),
            "{o:?}"
        );
        let mut id_mix = base_spec(0);
        id_mix.ood_level_weights = id_mix.level_weights;
        assert!(
            !o.with_prediction(expected_pass_1(&id_mix, true)).pass(),
            "{o:?}"
        );
    }

    #[test]
    fn plugin_expectation_matches_a_direct_binomial_sum() {
        // Independent evaluation: (1−c/n)^k summed with statrs-free binomials.
        let (n, k) = EST;
        let mut e = 0.0;
        for c in 0..=n {
            let comb = (0..c).fold(1.0, |a, i| a * (n - i) as f64 / (i + 1) as f64);
            e += comb
                * 0.2f64.powi(c as i32)
                * 0.8f64.powi((n - c) as i32)
                * (1.0 - (1.0 - c as f64 / n as f64).powi(k as i32));
        }
        assert!((e - plugin_expectation()).abs() < 1e-14);
        assert!(e < pass_at_k(0.2, k as f64));
    }
}
