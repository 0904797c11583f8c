//! Gaussian chains: 10,000 chains × 200 generations × M = 100 in 1-D, the workload of issue 2,
//! with the naive sampler (every point drawn) and the exact one (sufficient statistics drawn).
//! `benches/python/gaussian.py` does the same work with vectorised numpy.

use collapse_core::check::check_stream;
use collapse_gaussian::checks::setup;
use collapse_gaussian::model::Estimator;
use criterion::{Criterion, criterion_group, criterion_main};
use rayon::prelude::*;

const CHAINS: u64 = 10_000;
const GENERATIONS: u64 = 200;
const M: usize = 100;

/// Runs every chain and keeps (mean², variance) per generation, as the numpy script keeps its
/// arrays.
fn simulate(exact: bool) -> Vec<Vec<(f64, f64)>> {
    let s = setup(1, M, GENERATIONS, Estimator::Unbiased, exact);
    (0..CHAINS)
        .into_par_iter()
        .map(|r| {
            let mut path = Vec::with_capacity(GENERATIONS as usize + 1);
            s.run_one(&mut check_stream("bench", r), |_, m| {
                path.push((m.mean_sq_error, m.var))
            })
            .expect("replace chains run");
            path
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("gaussian-10k-chains-200-gens-M100");
    g.sample_size(10);
    g.bench_function("exact", |b| b.iter(|| simulate(true)));
    g.bench_function("naive", |b| b.iter(|| simulate(false)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
