//! The categorical-policy model of iterative self-training (`proofs/self-training.md`, "Why the
//! reversal happens in the model").
//!
//! Questions come in three sets (training, in-distribution test, out-of-distribution test); each
//! question has `S` candidate strategies, some correct. The policy's logits for question `q` are
//! $z_q=\theta+\varphi_q$: $\theta$ is shared (what transfers), $\varphi_q$ is per question.
//! Training questions have trainable $\varphi_q$; test and OOD questions keep their fixed
//! $\varphi^0_q$ and move only through $\theta$.
//!
//! Strategy roles (fixed by index): strategy 0 is the *shortcut* (likely under the base policy,
//! correct on easy questions only); then *general* strategies (correct often, less so on hard
//! questions); then *rare* strategies (correct with the same probability at every level); the
//! rest are *error* strategies (never correct).
//!
//! Every question has a difficulty level 1..5; a strategy of role r solves a level-l question
//! with probability `correct_by_level[r][l]`. The in-distribution questions (training and test)
//! follow `level_weights`; the out-of-distribution questions follow `ood_level_weights` (their
//! levels may be held out of training entirely) and a strategy of role r solves an OOD question
//! of level l with probability `ood_transfer[r] · correct_by_level[r][l]`.

use crate::metrics::{argmax, softmax_t};
use collapse_core::Rng;
use rand::RngExt;

/// P(correct) of a shortcut, general and rare strategy at levels 1..5: the shortcut solves every
/// level-1 question and no level-5 one; general strategies fade with the level; rare ones do not.
pub const CORRECT_BY_LEVEL: [[f64; 5]; 3] = [
    [1.0, 0.9, 0.5, 0.2, 0.0],
    [0.6, 0.5, 0.35, 0.2, 0.05],
    [0.3, 0.3, 0.3, 0.3, 0.3],
];

/// Role of a strategy; also its group for the kernel diversity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Correct on easy questions only; dominant under the base policy.
    Shortcut = 0,
    /// Correct on most in-distribution questions.
    General = 1,
    /// Rare under the base policy; solves hard and OOD questions.
    Rare = 2,
    /// Never correct.
    Error = 3,
}

/// How the population is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationSpec {
    /// Strategies per question (at least 4).
    pub strategies: usize,
    /// Training questions.
    pub train: usize,
    /// In-distribution test questions.
    pub test: usize,
    /// Out-of-distribution questions.
    pub ood: usize,
    /// Scale of the per-question logit noise $\varphi^0_q\sim\mathcal N(0,\sigma^2)$.
    pub phi_scale: f64,
    /// Base shared logits by role (shortcut, general, rare, error).
    pub role_logits: [f64; 4],
    /// In-distribution probability of each level 1..5.
    pub level_weights: [f64; 5],
    /// Out-of-distribution probability of each level 1..5.
    pub ood_level_weights: [f64; 5],
    /// P(correct) of a strategy of each role (shortcut, general, rare) at levels 1..5.
    pub correct_by_level: [[f64; 5]; 3],
    /// Factor on P(correct) of each role (shortcut, general, rare) on OOD questions: how well
    /// what the role does transfers out of distribution.
    pub ood_transfer: [f64; 3],
    /// Extra logit of M₁ on the correct strategies of each training question: M₁ is itself a
    /// fine-tune on the gold answers of the training questions (Algorithm 1, line 1), so it
    /// fits them better than unseen questions.
    pub gold_boost: f64,
}

impl PopulationSpec {
    /// The population of `selftrain-reversal` at its calibrated defaults ([`crate::calibration`]):
    /// in-distribution questions of levels 1–3 (a GSM8K analogue), out-of-distribution questions
    /// over levels 1–5 in MATH's proportions (a MATH analogue whose levels 4 and 5 never occur in
    /// training), the shortcut's head start, the gold fit and the OOD transfer matched to what
    /// Wu et al. report of their M₁.
    pub fn reversal(
        strategies: usize,
        train: usize,
        test: usize,
        ood: usize,
        phi_scale: f64,
    ) -> Self {
        use crate::calibration::defaults;
        Self {
            strategies,
            train,
            test,
            ood,
            phi_scale,
            role_logits: [defaults::SHORTCUT_LOGIT, 0.0, 0.0, 0.0],
            level_weights: defaults::LEVEL_WEIGHTS,
            ood_level_weights: defaults::OOD_LEVEL_WEIGHTS,
            correct_by_level: CORRECT_BY_LEVEL,
            ood_transfer: [defaults::OOD_TRANSFER, defaults::OOD_TRANSFER, 1.0],
            gold_boost: defaults::GOLD_BOOST,
        }
    }

    /// The role of strategy `s`: 1 shortcut, then `S/4` general, `S/4` rare, the rest errors.
    pub fn role(&self, s: usize) -> Role {
        let q = (self.strategies / 4).max(1);
        if s == 0 {
            Role::Shortcut
        } else if s <= q {
            Role::General
        } else if s <= 2 * q {
            Role::Rare
        } else {
            Role::Error
        }
    }
}

/// A set of questions: correctness (0/1 as `f64`), fixed per-question logits and levels.
#[derive(Clone, Debug, Default)]
pub struct Questions {
    /// Number of questions.
    pub n: usize,
    /// `c[q*S + s]` ∈ {0, 1}.
    pub correct: Vec<f64>,
    /// $\varphi^0$, `n × S`.
    pub phi0: Vec<f64>,
    /// Difficulty level 1..5 (OOD questions: 0).
    pub level: Vec<u8>,
}

/// The population: questions, strategies, the base policy's shared logits, strategy groups.
#[derive(Clone, Debug)]
pub struct Population {
    /// Strategies per question.
    pub s: usize,
    /// Training questions.
    pub train: Questions,
    /// In-distribution test questions.
    pub test: Questions,
    /// OOD questions.
    pub ood: Questions,
    /// Base shared logits $\theta_0$.
    pub theta0: Vec<f64>,
    /// Group (role) of each strategy.
    pub groups: Vec<u8>,
}

/// A level 1..5 drawn with probabilities `weights` (normalised, non-negative). A level of weight
/// zero is never drawn: when rounding leaves the uniform above the last partial sum, the last
/// level of positive weight is taken.
fn draw_level(weights: &[f64; 5], rng: &mut Rng) -> usize {
    let u: f64 = rng.random();
    let mut acc = 0.0;
    for (j, w) in weights.iter().enumerate() {
        acc += w;
        if u < acc && *w > 0.0 {
            return j + 1;
        }
    }
    weights.iter().rposition(|&w| w > 0.0).map_or(5, |j| j + 1)
}

fn normal(rng: &mut Rng) -> f64 {
    // Box–Muller; one draw per call keeps the stream layout simple.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

impl Population {
    /// Draws a population: per question a level, then per strategy its correctness and its
    /// fixed logit $\varphi^0$ (plus the gold fit on the training questions).
    pub fn draw(spec: &PopulationSpec, rng: &mut Rng) -> Self {
        let s = spec.strategies;
        let roles: Vec<Role> = (0..s).map(|i| spec.role(i)).collect();
        let make = |n: usize, ood: bool, gold: f64, rng: &mut Rng| {
            let mut q = Questions {
                n,
                correct: vec![0.0; n * s],
                phi0: vec![0.0; n * s],
                level: vec![0; n],
            };
            let weights = if ood {
                &spec.ood_level_weights
            } else {
                &spec.level_weights
            };
            for i in 0..n {
                let level = draw_level(weights, rng);
                q.level[i] = level as u8;
                for (j, role) in roles.iter().enumerate() {
                    let pc = match role {
                        Role::Error => 0.0,
                        r => {
                            let transfer = if ood {
                                spec.ood_transfer[*r as usize]
                            } else {
                                1.0
                            };
                            transfer * spec.correct_by_level[*r as usize][level - 1]
                        }
                    };
                    let u: f64 = rng.random();
                    let c = if u < pc { 1.0 } else { 0.0 };
                    q.correct[i * s + j] = c;
                    q.phi0[i * s + j] = spec.phi_scale * normal(rng) + gold * c;
                }
            }
            q
        };
        let train = make(spec.train, false, spec.gold_boost, rng);
        let test = make(spec.test, false, 0.0, rng);
        let ood = make(spec.ood, true, 0.0, rng);
        Population {
            s,
            train,
            test,
            ood,
            theta0: roles
                .iter()
                .map(|r| spec.role_logits[*r as usize])
                .collect(),
            groups: roles.iter().map(|r| *r as u8).collect(),
        }
    }

    /// A shared-only population (no per-question logits) with explicit question types: each type
    /// `(weight, correct strategies)` becomes `round(weight · n)` identical questions.
    pub fn shared_only(theta0: Vec<f64>, types: &[(f64, Vec<usize>)], n: usize) -> Self {
        let s = theta0.len();
        let mut q = Questions::default();
        for (w, corr) in types {
            let m = (w * n as f64).round() as usize;
            for _ in 0..m {
                let mut row = vec![0.0; s];
                for &c in corr {
                    row[c] = 1.0;
                }
                q.correct.extend(row);
                q.phi0.extend(std::iter::repeat_n(0.0, s));
                q.level.push(1);
                q.n += 1;
            }
        }
        Population {
            s,
            train: q.clone(),
            test: q.clone(),
            ood: q,
            theta0,
            groups: vec![0; s],
        }
    }
}

/// A fitted policy: shared logits, trainable per-question logits of the training questions, and
/// the number of self-training rounds behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// $\theta$.
    pub theta: Vec<f64>,
    /// $\varphi_q$ of the training questions, `n_train × S`.
    pub phi: Vec<f64>,
    /// Rounds of self-training so far.
    pub round: u64,
}

impl Policy {
    /// The base policy $M_1$ (the model before self-training).
    pub fn base(pop: &Population) -> Self {
        Policy {
            theta: pop.theta0.clone(),
            phi: pop.train.phi0.clone(),
            round: 0,
        }
    }

    /// Logits of training question `q` into `out`.
    pub fn train_logits(&self, q: usize, out: &mut [f64]) {
        let s = self.theta.len();
        for j in 0..s {
            out[j] = self.theta[j] + self.phi[q * s + j];
        }
    }

    /// Logits of a fixed (test / OOD) question with per-question logits `phi0`.
    pub fn fixed_logits(&self, phi0: &[f64], out: &mut [f64]) {
        for j in 0..self.theta.len() {
            out[j] = self.theta[j] + phi0[j];
        }
    }
}

/// One inverse-CDF draw from `pi` (the last index absorbs rounding).
pub fn draw_index(pi: &[f64], rng: &mut Rng) -> usize {
    let u: f64 = rng.random();
    let mut acc = 0.0;
    for (i, &p) in pi.iter().enumerate() {
        acc += p;
        if u < acc {
            return i;
        }
    }
    // Rounding: the last index with positive mass.
    pi.iter().rposition(|&p| p > 0.0).unwrap_or(0)
}

/// Probability of a correct answer under `pi` for correctness row `c`.
pub fn p_correct(pi: &[f64], c: &[f64]) -> f64 {
    pi.iter()
        .zip(c)
        .map(|(p, c)| p * c)
        .sum::<f64>()
        .clamp(0.0, 1.0)
}

/// Greedy correctness of a logit row.
pub fn greedy_correct(z: &[f64], c: &[f64]) -> bool {
    c[argmax(z)] > 0.5
}

/// Logit rows of a fixed question set under `policy` at temperature `tau`, calling
/// `f(q, z, pi_tau)`.
pub fn for_each_fixed(
    policy: &Policy,
    qs: &Questions,
    tau: f64,
    mut f: impl FnMut(usize, &[f64], &[f64]),
) {
    let s = policy.theta.len();
    let mut z = vec![0.0; s];
    let mut pi = vec![0.0; s];
    for q in 0..qs.n {
        policy.fixed_logits(&qs.phi0[q * s..(q + 1) * s], &mut z);
        softmax_t(&z, tau, &mut pi);
        f(q, &z, &pi);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::check::check_stream;

    #[test]
    fn draws_follow_the_categorical_law() {
        let pi = [0.5, 0.0, 0.3, 0.2];
        let mut rng = check_stream("t", 0);
        let n = 200_000;
        let c = crate::train::multinomial(&pi, n, &mut rng);
        assert_eq!(c[1], 0);
        // Pearson chi-square with 2 degrees of freedom: P(X > 40) ≈ 2e-9.
        let chi: f64 = pi
            .iter()
            .zip(&c)
            .filter(|(p, _)| **p > 0.0)
            .map(|(p, &o)| (o as f64 - p * n as f64).powi(2) / (p * n as f64))
            .sum();
        assert!(chi < 40.0, "{chi}");
    }

    #[test]
    fn population_follows_its_specification() {
        let spec = PopulationSpec::reversal(16, 4000, 4000, 8000, 1.0);
        let pop = Population::draw(&spec, &mut check_stream("t", 1));
        let s = pop.s;
        // Errors are never correct; the shortcut never solves a level-5 question.
        for qs in [&pop.train, &pop.test, &pop.ood] {
            for q in 0..qs.n {
                for j in 0..s {
                    if spec.role(j) == Role::Error {
                        assert_eq!(qs.correct[q * s + j], 0.0);
                    }
                }
                if qs.level[q] == 5 {
                    assert_eq!(qs.correct[q * s], 0.0);
                }
            }
        }
        // In-distribution questions have levels 1–3 only; OOD questions every level.
        assert!(
            pop.train
                .level
                .iter()
                .chain(&pop.test.level)
                .all(|l| (1..=3).contains(l))
        );
        assert!((1..=5).all(|l| pop.ood.level.contains(&l)));
        // On OOD level-1 questions the shortcut solves with probability ood_transfer (its
        // in-distribution rate is 1), a rare strategy with probability 0.3 (transfer 1).
        let rare: Vec<usize> = (0..s).filter(|&j| spec.role(j) == Role::Rare).collect();
        let level1: Vec<usize> = (0..pop.ood.n).filter(|&q| pop.ood.level[q] == 1).collect();
        let ood = &pop.ood.correct;
        let rate = |cols: &[usize], p: f64| {
            let n = (cols.len() * level1.len()) as f64;
            let hits: f64 = level1
                .iter()
                .flat_map(|&q| cols.iter().map(move |&j| ood[q * s + j]))
                .sum();
            let f = hits / n;
            assert!(
                (f - p).abs() < 5.5 * (p * (1.0 - p) / n).sqrt(),
                "{f} vs {p}"
            );
        };
        rate(&[0], spec.ood_transfer[0]);
        rate(&rare, 0.3);
        // The gold fit raises the logits of the training questions' correct strategies only.
        let plain = Population::draw(
            &PopulationSpec {
                gold_boost: 0.0,
                ..spec.clone()
            },
            &mut check_stream("t", 1),
        );
        for (k, (a, b)) in pop.train.phi0.iter().zip(&plain.train.phi0).enumerate() {
            let expected = spec.gold_boost * pop.train.correct[k];
            assert!((a - b - expected).abs() < 1e-12);
        }
        assert_eq!(pop.test.phi0, plain.test.phi0);
        assert_eq!(spec.role(0), Role::Shortcut);
        assert_eq!((0..16).filter(|&j| spec.role(j) == Role::Error).count(), 7);
    }
}
