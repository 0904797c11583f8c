//! The metrics of one iteration of `selftrain-reversal`, all computed exactly from the policy
//! (no evaluation sampling) except `pass_16_estimated`, which uses the unbiased estimator on
//! `N` drawn answers per test question.

use crate::metrics::{entropy, expected_distinct, kernel_diversity, pass_at_k, pass_at_k_unbiased};
use crate::model::{Policy, Population, for_each_fixed, greedy_correct, p_correct};
use crate::names::Metric;
use collapse_core::Rng;

/// The k of the pass@k metrics (`pass_2` … `pass_64`; `sampled_pass_1` is k = 1).
pub const KS: [(u32, Metric); 6] = [
    (2, Metric::Pass2),
    (4, Metric::Pass4),
    (8, Metric::Pass8),
    (16, Metric::Pass16),
    (32, Metric::Pass32),
    (64, Metric::Pass64),
];

/// `M_1`'s pass@N on the improvement set, N = 2 … 64.
pub const IS_KS: [(u32, Metric); 6] = [
    (2, Metric::IsBasePass2),
    (4, Metric::IsBasePass4),
    (8, Metric::IsBasePass8),
    (16, Metric::IsBasePass16),
    (32, Metric::IsBasePass32),
    (64, Metric::IsBasePass64),
];

/// Greedy accuracy by level (`acc_level_1` … `acc_level_5`).
pub const LEVELS: [Metric; 5] = [
    Metric::AccLevel1,
    Metric::AccLevel2,
    Metric::AccLevel3,
    Metric::AccLevel4,
    Metric::AccLevel5,
];

/// Greedy accuracy by OOD level (`ood_acc_level_1` … `ood_acc_level_5`).
pub const OOD_LEVELS: [Metric; 5] = [
    Metric::OodAccLevel1,
    Metric::OodAccLevel2,
    Metric::OodAccLevel3,
    Metric::OodAccLevel4,
    Metric::OodAccLevel5,
];

/// Mean greedy accuracy per level from `(correct, questions)` sums (`None` for an empty level),
/// and the disparity (acc L1 − acc L5) / acc L1 when both ends exist and acc L1 > 0.
fn by_level(sums: &[(f64, f64); 5]) -> ([Option<f64>; 5], Option<f64>) {
    let acc = sums.map(|(a, m)| (m > 0.0).then(|| a / m));
    let disparity = match (acc[0], acc[4]) {
        (Some(a1), Some(a5)) if a1 > 0.0 => Some((a1 - a5) / a1),
        _ => None,
    };
    (acc, disparity)
}

/// What the base model `M_1` knows about the test questions (for the improvement set).
#[derive(Clone, Debug)]
pub struct Baseline {
    /// Greedy correctness of `M_1` per test question.
    pub greedy: Vec<bool>,
    /// `M_1`'s probability of a correct sample per test question (at τ).
    pub p: Vec<f64>,
}

impl Baseline {
    /// Records `M_1`'s greedy answers and success probabilities.
    pub fn of(pop: &Population, base: &Policy, tau: f64) -> Self {
        let mut greedy = Vec::with_capacity(pop.test.n);
        let mut p = Vec::with_capacity(pop.test.n);
        let s = pop.s;
        for_each_fixed(base, &pop.test, tau, |q, z, pi| {
            let c = &pop.test.correct[q * s..(q + 1) * s];
            greedy.push(greedy_correct(z, c));
            p.push(p_correct(pi, c));
        });
        Self { greedy, p }
    }
}

/// Evaluates a policy: `(metric, value)` pairs, in a fixed order (metrics that are undefined
/// for this policy, e.g. `disparity` without level-1 questions, are left out). `n` is the number of samples N (for `distinct`
/// and the estimator), `tau` the sampling temperature, `kappa` the same-group similarity.
pub fn evaluate(
    pop: &Population,
    pol: &Policy,
    base: &Baseline,
    tau: f64,
    n: usize,
    kappa: f64,
    rng: Option<&mut Rng>,
) -> Vec<(Metric, f64)> {
    let s = pop.s;
    let nt = pop.test.n.max(1) as f64;
    let mut greedy = 0.0;
    let mut sampled = 0.0;
    let mut passk = [0.0; KS.len()];
    let mut ent = 0.0;
    let mut distinct = 0.0;
    let mut kern = 0.0;
    let (mut dc, mut ndc, mut di, mut ndi) = (0.0, 0.0, 0.0, 0.0);
    let mut lvl = [(0.0, 0.0); 5];
    let mut is_count = 0.0;
    let mut is_pass = [0.0; IS_KS.len()];
    let mut ps = Vec::with_capacity(pop.test.n);
    let mut cond = vec![0.0; s];
    for_each_fixed(pol, &pop.test, tau, |q, z, pi| {
        let c = &pop.test.correct[q * s..(q + 1) * s];
        let g = greedy_correct(z, c);
        let p = p_correct(pi, c);
        ps.push(p);
        greedy += f64::from(u8::from(g));
        sampled += p;
        for (i, (k, _)) in KS.iter().enumerate() {
            passk[i] += pass_at_k(p, f64::from(*k));
        }
        ent += entropy(pi);
        distinct += expected_distinct(pi, n as f64);
        kern += kernel_diversity(pi, &pop.groups, kappa);
        if p > 0.0 {
            for j in 0..s {
                cond[j] = pi[j] * c[j] / p;
            }
            dc += expected_distinct(&cond, n as f64);
            ndc += 1.0;
        }
        if p < 1.0 {
            for j in 0..s {
                cond[j] = pi[j] * (1.0 - c[j]) / (1.0 - p);
            }
            di += expected_distinct(&cond, n as f64);
            ndi += 1.0;
        }
        let l = pop.test.level[q] as usize;
        if (1..=5).contains(&l) {
            lvl[l - 1].0 += f64::from(u8::from(g));
            lvl[l - 1].1 += 1.0;
        }
        if g && !base.greedy[q] {
            is_count += 1.0;
            for (i, (k, _)) in IS_KS.iter().enumerate() {
                is_pass[i] += pass_at_k(base.p[q], f64::from(*k));
            }
        }
    });
    let mut out = vec![
        (Metric::Pass1, greedy / nt),
        (Metric::SampledPass1, sampled / nt),
        (Metric::Entropy, ent / nt),
        (Metric::Distinct, distinct / nt),
        (Metric::KernelDiversity, kern / nt),
    ];
    for (i, (_, name)) in KS.iter().enumerate() {
        out.push((*name, passk[i] / nt));
    }
    if ndc > 0.0 {
        out.push((Metric::DistinctCorrect, dc / ndc));
    }
    if ndi > 0.0 {
        out.push((Metric::DistinctIncorrect, di / ndi));
    }
    let (acc, disparity) = by_level(&lvl);
    for (name, a) in LEVELS.iter().zip(acc) {
        if let Some(a) = a {
            out.push((*name, a));
        }
    }
    if let Some(d) = disparity {
        out.push((Metric::Disparity, d));
    }
    out.push((Metric::ImprovementSize, is_count / nt));
    if is_count > 0.0 {
        for (i, (_, name)) in IS_KS.iter().enumerate() {
            out.push((*name, is_pass[i] / is_count));
        }
    }
    // OOD.
    let no = pop.ood.n.max(1) as f64;
    let (mut og, mut op, mut o64) = (0.0, 0.0, 0.0);
    let mut ood_lvl = [(0.0, 0.0); 5];
    for_each_fixed(pol, &pop.ood, tau, |q, z, pi| {
        let c = &pop.ood.correct[q * s..(q + 1) * s];
        let g = f64::from(u8::from(greedy_correct(z, c)));
        og += g;
        let l = pop.ood.level[q] as usize;
        if (1..=5).contains(&l) {
            ood_lvl[l - 1].0 += g;
            ood_lvl[l - 1].1 += 1.0;
        }
        let p = p_correct(pi, c);
        op += p;
        o64 += pass_at_k(p, 64.0);
    });
    out.push((Metric::OodPass1, og / no));
    let (acc, disparity) = by_level(&ood_lvl);
    for (name, a) in OOD_LEVELS.iter().zip(acc) {
        if let Some(a) = a {
            out.push((*name, a));
        }
    }
    if let Some(d) = disparity {
        out.push((Metric::OodDisparity, d));
    }
    out.push((Metric::OodSampledPass1, op / no));
    out.push((Metric::OodPass64, o64 / no));
    // Coverage in the paper's reading: mass on correct answers over the training questions.
    let mut cov = 0.0;
    let mut z = vec![0.0; s];
    let mut pi = vec![0.0; s];
    for q in 0..pop.train.n {
        pol.train_logits(q, &mut z);
        crate::metrics::softmax_t(&z, tau, &mut pi);
        cov += p_correct(&pi, &pop.train.correct[q * s..(q + 1) * s]);
    }
    out.push((Metric::Coverage, cov / pop.train.n.max(1) as f64));
    // The unbiased estimator of pass@16 from N drawn answers per test question.
    if let Some(rng) = rng
        && n >= 16
    {
        let mut est = 0.0;
        for &p in &ps {
            let mut c = 0u64;
            for _ in 0..n {
                if rand::RngExt::random::<f64>(rng) < p {
                    c += 1;
                }
            }
            est += pass_at_k_unbiased(n as u64, c, 16);
        }
        out.push((Metric::Pass16Estimated, est / nt));
    }
    out
}
