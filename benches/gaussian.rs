//! Gaussian chains.
//!
//! - 10,000 chains × 200 generations × M = 100 in 1-D, the workload of issue 2, with the naive
//!   sampler (every point drawn) and the exact one (sufficient statistics drawn). Each chain
//!   keeps (μₙ², σₙ²) per generation, as `benches/python/gaussian.py` keeps its numpy arrays.
//! - The Collapse-or-Thrive workload (`benches/python/gaussian_accumulate.py`): 200 chains ×
//!   100 generations in d = 10 with M = 100, the MLE and the naive sampler, under `accumulate`
//!   (the pool grows to 10,000 points, which the fit never re-reads) and
//!   `accumulate-subsample` (a subsample of 100 drawn from the pool each generation), every
//!   generation measured (`log_det`, `log_var`, `mean_sq_error`, `var`, `w2_sq`).

use collapse_core::chain::ChainConfig;
use collapse_core::check::check_stream;
use collapse_core::{Family, Policy, Schedule, run_chain};
use collapse_gaussian::experiment::Setup;
use collapse_gaussian::model::{Estimator, Gaussian1};
use collapse_gaussian::samplers::{Exact1, Naive1};
use criterion::{Criterion, criterion_group, criterion_main};
use rayon::prelude::*;

const CHAINS: u64 = 10_000;
const GENERATIONS: u64 = 200;
const M: usize = 100;

fn simulate<F: Family<Model = Gaussian1>>(family: &F) -> Vec<Vec<(f64, f64)>> {
    let cfg = ChainConfig {
        generations: GENERATIONS,
        samples: M,
        schedule: Schedule::Constant,
        policy: Policy::Replace,
        finite: true,
    };
    (0..CHAINS)
        .into_par_iter()
        .map(|r| {
            let mut path = Vec::with_capacity(GENERATIONS as usize + 1);
            run_chain(family, &cfg, &mut check_stream("bench", r), |_, g| {
                path.push((g.mean * g.mean, g.var()))
            })
            .expect("replace chains run");
            path
        })
        .collect()
}

/// The peer workload: 200 chains in d = 10, every generation's five metrics summed.
fn peer_workload(policy: Policy) -> f64 {
    let mut s = Setup::replace(10, 100, 100, Estimator::Mle, false);
    s.chain.policy = policy;
    (0..200u64)
        .into_par_iter()
        .map(|r| {
            let mut acc = 0.0;
            s.run_one(&mut check_stream("bench-peer", r), |_, m| {
                acc += m.values_d().iter().sum::<f64>()
            })
            .expect("these chains run");
            acc
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("gaussian-10k-chains-200-gens-M100");
    g.sample_size(10);
    let truth = Gaussian1::centred(0.0);
    let exact = Exact1::new(Estimator::Unbiased, truth, M);
    let naive = Naive1::new(Estimator::Unbiased, truth, M);
    g.bench_function("exact", |b| b.iter(|| simulate(&exact)));
    g.bench_function("naive", |b| b.iter(|| simulate(&naive)));
    g.finish();

    let mut g = c.benchmark_group("gaussian-d10-M100-100-gens-200-chains-mle-naive");
    g.sample_size(10);
    g.bench_function("accumulate", |b| {
        b.iter(|| peer_workload(Policy::Accumulate))
    });
    g.bench_function("accumulate-subsample", |b| {
        b.iter(|| peer_workload(Policy::AccumulateSubsample))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
