//! The categorical-policy model of iterative self-training (reference notes §6).
//!
//! Questions come in three sets (training, in-distribution test, out-of-distribution test); each
//! question has `S` candidate strategies, some correct. The policy's logits for question `q` are
//! $z_q=\theta+\varphi_q$: $\theta$ is shared (what transfers), $\varphi_q$ is per question.
//! Training questions have trainable $\varphi_q$; test and OOD questions keep their fixed
//! $\varphi^0_q$ and move only through $\theta$.
//!
//! Strategy roles (fixed by index): strategy 0 is the *shortcut* (likely under the base policy,
//! correct on easy questions only); then *general* strategies (correct often, less so on hard
//! questions); then *rare* strategies (unlikely under the base policy, the only ones that solve
//! the hardest and the out-of-distribution questions); the rest are *error* strategies (never
//! correct).

use crate::metrics::{argmax, softmax_t};
use collapse_core::Rng;
use rand::RngExt;

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
    /// P(correct) of a strategy of each role (shortcut, general, rare) at levels 1..5.
    pub correct_by_level: [[f64; 5]; 3],
    /// P(correct) of each role (shortcut, general, rare) on OOD questions.
    pub correct_ood: [f64; 3],
}

impl PopulationSpec {
    /// The defaults of `selftrain-reversal`.
    pub fn reversal(
        strategies: usize,
        train: usize,
        test: usize,
        ood: usize,
        phi_scale: f64,
    ) -> Self {
        Self {
            strategies,
            train,
            test,
            ood,
            phi_scale,
            role_logits: [1.5, 0.0, 0.0, 0.0],
            level_weights: [0.2; 5],
            correct_by_level: [
                [1.0, 0.9, 0.5, 0.2, 0.0],
                [0.6, 0.5, 0.35, 0.2, 0.05],
                [0.3, 0.3, 0.3, 0.3, 0.3],
            ],
            correct_ood: [0.0, 0.03, 0.3],
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

fn normal(rng: &mut Rng) -> f64 {
    // Box–Muller; one draw per call keeps the stream layout simple.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

impl Population {
    /// Draws a population.
    pub fn draw(spec: &PopulationSpec, rng: &mut Rng) -> Self {
        let s = spec.strategies;
        let roles: Vec<Role> = (0..s).map(|i| spec.role(i)).collect();
        let make = |n: usize, ood: bool, rng: &mut Rng| {
            let mut q = Questions {
                n,
                correct: vec![0.0; n * s],
                phi0: vec![0.0; n * s],
                level: vec![0; n],
            };
            for i in 0..n {
                let level = if ood {
                    0
                } else {
                    let u: f64 = rng.random();
                    let mut acc = 0.0;
                    let mut l = 5;
                    for (j, w) in spec.level_weights.iter().enumerate() {
                        acc += w;
                        if u < acc {
                            l = j + 1;
                            break;
                        }
                    }
                    l
                };
                q.level[i] = level as u8;
                for (j, role) in roles.iter().enumerate() {
                    let pc = match (role, ood) {
                        (Role::Error, _) => 0.0,
                        (r, true) => spec.correct_ood[*r as usize],
                        (r, false) => spec.correct_by_level[*r as usize][level - 1],
                    };
                    let u: f64 = rng.random();
                    q.correct[i * s + j] = if u < pc { 1.0 } else { 0.0 };
                    q.phi0[i * s + j] = spec.phi_scale * normal(rng);
                }
            }
            q
        };
        let train = make(spec.train, false, rng);
        let test = make(spec.test, false, rng);
        let ood = make(spec.ood, true, rng);
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
        let spec = PopulationSpec::reversal(16, 4000, 10, 4000, 1.0);
        let pop = Population::draw(&spec, &mut check_stream("t", 1));
        let s = pop.s;
        // Errors are never correct; the shortcut never solves OOD or level-5 questions.
        for q in 0..pop.train.n {
            for j in 0..s {
                if spec.role(j) == Role::Error {
                    assert_eq!(pop.train.correct[q * s + j], 0.0);
                }
            }
            if pop.train.level[q] == 5 {
                assert_eq!(pop.train.correct[q * s], 0.0);
            }
        }
        assert!((0..pop.ood.n).all(|q| pop.ood.correct[q * s] == 0.0));
        // Rare strategies solve an OOD question with probability 0.3 each.
        let rare = (0..s).filter(|&j| spec.role(j) == Role::Rare).count() as f64;
        let hits: f64 = (0..pop.ood.n)
            .map(|q| {
                (0..s)
                    .filter(|&j| spec.role(j) == Role::Rare)
                    .map(|j| pop.ood.correct[q * s + j])
                    .sum::<f64>()
            })
            .sum();
        let f = hits / (rare * pop.ood.n as f64);
        assert!(
            (f - 0.3).abs() < 5.5 * (0.21 / (rare * pop.ood.n as f64)).sqrt(),
            "{f}"
        );
        assert_eq!(spec.role(0), Role::Shortcut);
        assert_eq!((0..16).filter(|&j| spec.role(j) == Role::Error).count(), 7);
    }
}
