//! Discrete chains: 100 chains × 200 generations, K = 10,000 Zipf(1.1) categories,
//! M = 100,000 draws per generation (issue 3's workload), through the core loop with the
//! conditional-binomial sampler over the live support. `benches/python/discrete.py` does the
//! same work with vectorised `numpy.random.Generator.multinomial`.

use collapse_core::check::check_stream;
use collapse_discrete::model::{FitRule, Initial};
use collapse_discrete::simulation::Setup;
use criterion::{Criterion, criterion_group, criterion_main};
use rayon::prelude::*;

const CHAINS: u64 = 100;
const GENERATIONS: u64 = 200;
const K: usize = 10_000;
const M: usize = 100_000;

/// Runs every chain and keeps the support of each generation (the numpy script keeps its
/// count arrays' support likewise).
fn simulate(setup: &Setup) -> Vec<Vec<usize>> {
    let family = setup.family();
    (0..CHAINS)
        .into_par_iter()
        .map(|r| {
            let mut support = Vec::with_capacity(GENERATIONS as usize + 1);
            setup
                .run_one(&family, &mut check_stream("bench", r), |_, m| {
                    support.push(m.support())
                })
                .expect("replace chains run");
            support
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let setup = Setup::replace(
        Initial::Zipf(1.1).weights(K),
        FitRule::EMPIRICAL,
        M,
        GENERATIONS,
    );
    let mut g = c.benchmark_group("discrete-100-chains-200-gens-K10k-M100k");
    g.sample_size(10);
    g.bench_function("conditional-binomial", |b| b.iter(|| simulate(&setup)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
