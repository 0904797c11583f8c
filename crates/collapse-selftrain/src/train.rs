//! The iterative post-training paradigms (Algorithm 1 of Wu et al.) as a [`Family`] of the core
//! loop: the model is a [`Policy`], the data a round's filtered answers ([`RoundData`]).
//!
//! - **SFT**: sample `N` answers per training question at temperature τ, keep the correct ones,
//!   take `steps` gradient steps on their log-likelihood.
//! - **DPO**: from the same `N` samples, form pairs (a uniformly chosen correct sample, a
//!   uniformly chosen incorrect one) where both exist, take `steps` gradient steps on the DPO loss
//!   $-\log\sigma(\beta[(z_w-z^{ref}_w)-(z_l-z^{ref}_l)])$ (same-question log-normalisers cancel).
//! - **SFT-DPO**: alternate, starting with DPO (Figure 5 of the paper shows SFT-DPO equal to DPO
//!   at iteration 2; the order is an inference).
//!
//! The infinite-sample mode ([`Family::fit_population`]) trains on the *expected* data: kept
//! counts $N\pi_\tau\odot c$ and pair weights $w_q\,q^+\otimes q^-$ with
//! $w_q=1-(1-p)^N-p^N$ (no multinomial noise), so drift and selection can be told apart.
//! `converge` replaces the gradient steps by the exact shared-only MLE $\theta=\ln$(pooled counts)
//! (the replicator map when there is no per-question logit).

use crate::metrics::softmax_t;
use crate::model::{Policy, Population, draw_index};
use collapse_core::chain::{ChainConfig, ChainError};
use collapse_core::{Dataset, Family, Rng, run_chain};
use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::sync::Arc;

/// Questions per parallel work unit (fixed, so that results do not depend on the thread count).
const CHUNK: usize = 256;

/// One chunk's data: SFT counts, pairs per question, pairs.
type ChunkData = (Vec<f64>, Vec<usize>, Vec<(u16, u16, f64)>);

/// A post-training function $F_t$.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paradigm {
    /// Supervised fine-tuning on the correct samples.
    Sft,
    /// Direct preference optimisation on (correct, incorrect) pairs.
    Dpo,
}

/// The series of post-training functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// Iterative SFT.
    Sft,
    /// Iterative DPO.
    Dpo,
    /// Alternating, DPO first.
    SftDpo,
}

impl Schedule {
    /// The three series of `selftrain-reversal`, with their names.
    pub const ALL: [(Schedule, &'static str); 3] = [
        (Schedule::Sft, crate::names::SFT),
        (Schedule::Dpo, crate::names::DPO),
        (Schedule::SftDpo, crate::names::SFT_DPO),
    ];

    /// The paradigm of self-training round `round` (0-based).
    pub fn at(&self, round: u64) -> Paradigm {
        match self {
            Schedule::Sft => Paradigm::Sft,
            Schedule::Dpo => Paradigm::Dpo,
            Schedule::SftDpo if round.is_multiple_of(2) => Paradigm::Dpo,
            Schedule::SftDpo => Paradigm::Sft,
        }
    }
}

/// How each round is trained.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainConfig {
    /// The series of paradigms.
    pub schedule: Schedule,
    /// Sampling temperature τ.
    pub tau: f64,
    /// Samples per training question N.
    pub samples: usize,
    /// Gradient steps per round.
    pub steps: usize,
    /// SFT learning rate.
    pub lr: f64,
    /// DPO learning rate.
    pub dpo_lr: f64,
    /// DPO β.
    pub beta: f64,
    /// DPO pairs per question (when a pair exists).
    pub pairs: usize,
    /// Restart each round from the base policy (STaR / ReST-EM) instead of continuing.
    pub restart: bool,
    /// DPO reference: the base policy instead of the previous one.
    pub reference_base: bool,
    /// Exact shared-only MLE instead of gradient steps (SFT only).
    pub converge: bool,
    /// Learning-rate ratio of the per-question logits to the shared ones (memorisation).
    pub phi_rate: f64,
}

/// One round's training data.
#[derive(Clone, Debug)]
pub struct RoundData {
    /// The policy the data was sampled from (continual start, DPO reference).
    pub from: Arc<Policy>,
    /// Kept-correct counts `n_train × S` (SFT part; empty if none).
    pub sft: Vec<f64>,
    /// Pair offsets per training question (CSR; empty if none).
    pub pair_start: Vec<usize>,
    /// Pairs (chosen, rejected, weight).
    pub pairs: Vec<(u16, u16, f64)>,
}

impl Dataset for RoundData {
    fn len(&self) -> usize {
        (self.sft.iter().sum::<f64>() + self.pairs.iter().map(|p| p.2).sum::<f64>()) as usize
    }
    fn merge(&mut self, other: Self) {
        // Pool the data; continue from the newer model.
        if self.sft.is_empty() {
            self.sft = other.sft;
        } else if !other.sft.is_empty() {
            self.sft
                .iter_mut()
                .zip(&other.sft)
                .for_each(|(a, b)| *a += b);
        }
        if other.pair_start.len() > 1 {
            if self.pair_start.len() <= 1 {
                self.pair_start = other.pair_start;
                self.pairs = other.pairs;
            } else {
                let n = self.pair_start.len() - 1;
                let mut start = vec![0];
                let mut pairs = Vec::with_capacity(self.pairs.len() + other.pairs.len());
                for q in 0..n {
                    pairs
                        .extend_from_slice(&self.pairs[self.pair_start[q]..self.pair_start[q + 1]]);
                    pairs.extend_from_slice(
                        &other.pairs[other.pair_start[q]..other.pair_start[q + 1]],
                    );
                    start.push(pairs.len());
                }
                self.pair_start = start;
                self.pairs = pairs;
            }
        }
        self.from = other.from;
    }
    fn subsample(&self, _: usize, _: &mut Rng) -> Option<Self> {
        None
    }
}

/// The self-training family over a population.
pub struct SelfTrain<'a> {
    /// The questions.
    pub pop: &'a Population,
    /// The training configuration.
    pub cfg: TrainConfig,
    /// The base policy $M_1$.
    pub base: Arc<Policy>,
}

impl<'a> SelfTrain<'a> {
    /// A family starting from the population's base policy.
    pub fn new(pop: &'a Population, cfg: TrainConfig) -> Self {
        Self {
            pop,
            cfg,
            base: Arc::new(Policy::base(pop)),
        }
    }

    /// Runs `rounds` self-training rounds through [`run_chain`]; `observe(t, policy)` sees
    /// iteration t = 1 (the base) to rounds + 1.
    pub fn run(
        &self,
        rounds: u64,
        finite: bool,
        rng: &mut Rng,
        mut observe: impl FnMut(u64, &Policy),
    ) -> Result<(), ChainError> {
        let cfg = ChainConfig {
            generations: rounds,
            samples: self.cfg.samples,
            schedule: collapse_core::Schedule::Constant,
            policy: collapse_core::Policy::Replace,
            finite,
        };
        run_chain(self, &cfg, rng, |g, m| observe(g + 1, m))
    }

    fn paradigm(&self, from: &Policy) -> Paradigm {
        self.cfg.schedule.at(from.round)
    }

    /// The sampled data of one round (finite N).
    pub fn sample_round(&self, from: &Policy, rng: &mut Rng) -> RoundData {
        let (s, nq, n) = (self.pop.s, self.pop.train.n, self.cfg.samples);
        let par = self.paradigm(from);
        let seed: u64 = rng.next_u64();
        let per_chunk: Vec<ChunkData> = (0..nq.div_ceil(CHUNK))
            .into_par_iter()
            .map(|ch| {
                // Each chunk draws from its own stream of a key taken from the replicate's rng.
                let mut r = ChaCha8Rng::seed_from_u64(seed);
                r.set_stream(ch as u64);
                let (lo, hi) = (ch * CHUNK, ((ch + 1) * CHUNK).min(nq));
                let mut counts = vec![
                    0.0;
                    if par == Paradigm::Sft {
                        (hi - lo) * s
                    } else {
                        0
                    }
                ];
                let mut lens = Vec::new();
                let mut pairs = Vec::new();
                let mut z = vec![0.0; s];
                let mut pi = vec![0.0; s];
                let mut cum = vec![0.0; s];
                let mut good: Vec<u16> = Vec::with_capacity(n);
                let mut bad: Vec<u16> = Vec::with_capacity(n);
                for q in lo..hi {
                    from.train_logits(q, &mut z);
                    softmax_t(&z, self.cfg.tau, &mut pi);
                    let c = &self.pop.train.correct[q * s..(q + 1) * s];
                    let mut acc = 0.0;
                    for j in 0..s {
                        acc += pi[j];
                        cum[j] = acc;
                    }
                    good.clear();
                    bad.clear();
                    for _ in 0..n {
                        let u: f64 = rand::RngExt::random::<f64>(&mut r) * acc;
                        let j = cum.partition_point(|&x| x <= u).min(s - 1);
                        if c[j] > 0.5 {
                            good.push(j as u16)
                        } else {
                            bad.push(j as u16)
                        }
                    }
                    match par {
                        Paradigm::Sft => {
                            for &j in &good {
                                counts[(q - lo) * s + j as usize] += 1.0;
                            }
                        }
                        Paradigm::Dpo => {
                            let before = pairs.len();
                            if !good.is_empty() && !bad.is_empty() {
                                for _ in 0..self.cfg.pairs {
                                    let w = good[rand::RngExt::random_range(&mut r, 0..good.len())];
                                    let l = bad[rand::RngExt::random_range(&mut r, 0..bad.len())];
                                    pairs.push((w, l, 1.0));
                                }
                            }
                            lens.push(pairs.len() - before);
                        }
                    }
                }
                (counts, lens, pairs)
            })
            .collect();
        self.assemble(from, par, per_chunk)
    }

    fn assemble(&self, from: &Policy, par: Paradigm, per_chunk: Vec<ChunkData>) -> RoundData {
        let mut d = RoundData {
            from: Arc::new(from.clone()),
            sft: Vec::new(),
            pair_start: Vec::new(),
            pairs: Vec::new(),
        };
        match par {
            Paradigm::Sft => {
                d.sft.reserve(self.pop.train.n * self.pop.s);
                for (c, _, _) in per_chunk {
                    d.sft.extend(c);
                }
            }
            Paradigm::Dpo => {
                d.pair_start.push(0);
                for (_, lens, pairs) in per_chunk {
                    for l in lens {
                        let last = *d.pair_start.last().expect("starts with 0");
                        d.pair_start.push(last + l);
                    }
                    d.pairs.extend(pairs);
                }
            }
        }
        d
    }

    /// The expected data of one round (the infinite-sample limit, scaled to N samples).
    pub fn expected_round(&self, from: &Policy) -> RoundData {
        let (s, nq, n) = (self.pop.s, self.pop.train.n, self.cfg.samples as f64);
        let par = self.paradigm(from);
        let per_chunk: Vec<_> = (0..nq.div_ceil(CHUNK))
            .into_par_iter()
            .map(|ch| {
                let (lo, hi) = (ch * CHUNK, ((ch + 1) * CHUNK).min(nq));
                let mut counts = vec![
                    0.0;
                    if par == Paradigm::Sft {
                        (hi - lo) * s
                    } else {
                        0
                    }
                ];
                let mut lens = Vec::new();
                let mut pairs = Vec::new();
                let mut z = vec![0.0; s];
                let mut pi = vec![0.0; s];
                for q in lo..hi {
                    from.train_logits(q, &mut z);
                    softmax_t(&z, self.cfg.tau, &mut pi);
                    let c = &self.pop.train.correct[q * s..(q + 1) * s];
                    let p = crate::model::p_correct(&pi, c);
                    match par {
                        Paradigm::Sft => {
                            for j in 0..s {
                                counts[(q - lo) * s + j] = n * pi[j] * c[j];
                            }
                        }
                        Paradigm::Dpo => {
                            let before = pairs.len();
                            // P(a pair exists) = 1 − (1−p)^N − p^N.
                            let w = 1.0 - (1.0 - p).powf(n) - p.powf(n);
                            if w > 0.0 && p > 0.0 && p < 1.0 {
                                let scale = w * self.cfg.pairs as f64 / (p * (1.0 - p));
                                for a in 0..s {
                                    if c[a] < 0.5 || pi[a] == 0.0 {
                                        continue;
                                    }
                                    for b in 0..s {
                                        if c[b] > 0.5 || pi[b] == 0.0 {
                                            continue;
                                        }
                                        pairs.push((a as u16, b as u16, scale * pi[a] * pi[b]));
                                    }
                                }
                            }
                            lens.push(pairs.len() - before);
                        }
                    }
                }
                (counts, lens, pairs)
            })
            .collect();
        self.assemble(from, par, per_chunk)
    }

    /// Trains on a round's data: `steps` full-batch gradient steps (or the exact shared MLE).
    pub fn train(&self, data: &RoundData) -> Policy {
        let start: &Policy = if self.cfg.restart {
            &self.base
        } else {
            &data.from
        };
        let reference: &Policy = if self.cfg.reference_base {
            &self.base
        } else {
            &data.from
        };
        let mut pol = start.clone();
        pol.round = data.from.round + 1;
        if self.cfg.converge && !data.sft.is_empty() {
            let s = self.pop.s;
            let mut pooled = vec![0.0; s];
            for row in data.sft.chunks(s) {
                pooled.iter_mut().zip(row).for_each(|(a, b)| *a += b);
            }
            if pooled.iter().any(|&x| x > 0.0) {
                let tot: f64 = pooled.iter().sum();
                pol.theta = pooled
                    .iter()
                    .map(|&x| {
                        if x > 0.0 {
                            (x / tot).ln()
                        } else {
                            f64::NEG_INFINITY
                        }
                    })
                    .collect();
            }
            return pol;
        }
        let nq = self.pop.train.n as f64;
        for _ in 0..self.cfg.steps {
            let g = self.gradient(&mut pol, reference, data);
            for (t, gi) in pol.theta.iter_mut().zip(&g) {
                *t += gi / nq;
            }
        }
        pol
    }

    /// One gradient step on the per-question logits (applied in place) and the summed gradient
    /// for the shared logits (returned, already multiplied by the learning rates).
    fn gradient(&self, pol: &mut Policy, reference: &Policy, data: &RoundData) -> Vec<f64> {
        let s = self.pop.s;
        let n = self.cfg.samples as f64;
        let theta = pol.theta.clone();
        let (lr, dlr, beta, phi_rate) = (
            self.cfg.lr,
            self.cfg.dpo_lr,
            self.cfg.beta,
            self.cfg.phi_rate,
        );
        let partial: Vec<Vec<f64>> = pol
            .phi
            .par_chunks_mut(CHUNK * s)
            .enumerate()
            .map(|(ch, phi)| {
                let mut gt = vec![0.0; s];
                let mut z = vec![0.0; s];
                let mut pi = vec![0.0; s];
                let mut g = vec![0.0; s];
                for (i, row) in phi.chunks_mut(s).enumerate() {
                    let q = ch * CHUNK + i;
                    g.iter_mut().for_each(|x| *x = 0.0);
                    if !data.sft.is_empty() {
                        let cnt = &data.sft[q * s..(q + 1) * s];
                        let tot: f64 = cnt.iter().sum();
                        if tot > 0.0 {
                            for j in 0..s {
                                z[j] = theta[j] + row[j];
                            }
                            softmax_t(&z, 1.0, &mut pi);
                            for j in 0..s {
                                g[j] += lr * (cnt[j] - tot * pi[j]) / n;
                            }
                        }
                    }
                    if data.pair_start.len() > 1 {
                        let ps = &data.pairs[data.pair_start[q]..data.pair_start[q + 1]];
                        for &(w, l, wt) in ps {
                            let (w, l) = (w as usize, l as usize);
                            let dw = (theta[w] + row[w])
                                - (reference.theta[w] + reference.phi[q * s + w]);
                            let dl = (theta[l] + row[l])
                                - (reference.theta[l] + reference.phi[q * s + l]);
                            let h = beta * (dw - dl);
                            // β σ(−h)
                            let a = dlr * wt * beta / (1.0 + h.exp());
                            g[w] += a;
                            g[l] -= a;
                        }
                    }
                    for j in 0..s {
                        row[j] += phi_rate * g[j];
                        gt[j] += g[j];
                    }
                }
                gt
            })
            .collect();
        let mut out = vec![0.0; s];
        for p in partial {
            out.iter_mut().zip(&p).for_each(|(a, b)| *a += b);
        }
        out
    }
}

impl Family for SelfTrain<'_> {
    type Model = Policy;
    type Data = RoundData;

    fn truth(&self) -> Policy {
        (*self.base).clone()
    }
    fn fit(&self, data: &RoundData, _: &mut Rng) -> Policy {
        self.train(data)
    }
    fn sample(&self, model: &Policy, _n: usize, rng: &mut Rng) -> RoundData {
        self.sample_round(model, rng)
    }
    fn fit_population(&self, mixture: &[(f64, &Policy)], _: usize) -> Option<Policy> {
        match mixture {
            [(w, m)] if (*w - 1.0).abs() < 1e-12 => Some(self.train(&self.expected_round(m))),
            _ => None,
        }
    }
}

/// Draws a per-question multinomial via inverse CDF (exposed for tests).
pub fn multinomial(pi: &[f64], n: usize, rng: &mut Rng) -> Vec<u64> {
    let mut c = vec![0u64; pi.len()];
    for _ in 0..n {
        c[draw_index(pi, rng)] += 1;
    }
    c
}
