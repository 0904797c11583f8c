//! Gaussian chains: 10,000 chains × 200 generations × M = 100 in 1-D, the workload of issue 2,
//! with the naive sampler (every point drawn) and the exact one (sufficient statistics drawn).
//! Each chain keeps (μₙ², σₙ²) per generation, as `benches/python/gaussian.py` keeps its numpy
//! arrays.

use collapse_core::chain::ChainConfig;
use collapse_core::check::check_stream;
use collapse_core::{Family, Policy, Schedule, run_chain};
use collapse_gaussian::model::{Estimator, Exact1, Gaussian1, Naive1};
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
                path.push((g.mean * g.mean, g.var))
            })
            .expect("replace chains run");
            path
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("gaussian-10k-chains-200-gens-M100");
    g.sample_size(10);
    let exact = Exact1::new(Estimator::Unbiased, M);
    let naive = Naive1 {
        estimator: Estimator::Unbiased,
    };
    g.bench_function("exact", |b| b.iter(|| simulate(&exact)));
    g.bench_function("naive", |b| b.iter(|| simulate(&naive)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
