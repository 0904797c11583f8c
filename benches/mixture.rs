//! Gaussian-mixture chains: 200 generations of 1,000 samples, each refitted with a
//! two-component EM at tolerance 1e-5 (cap 2,000 iterations, reg_covar 1e-6, one k-means++
//! start), the authors' notebook workload (one 2-D blob). `benches/python/mixture.py` does the
//! same work with `sklearn.mixture.GaussianMixture`. One thread, as the notebook.
//!
//! How many EM iterations a chain needs varies several-fold from chain to chain (on the blob,
//! 8 to 31 per generation on average), so one chain is not a fair unit of work: each
//! measurement runs the same 16 chains (replicates 0–15), the Python script runs 16 chains too,
//! and both print the mean EM iterations per generation so that the work can be compared.

use collapse_core::check::check_stream;
use collapse_mixture::gmm_chain::Setup;
use collapse_mixture::gmm_chain::experiment;
use criterion::{Criterion, criterion_group, criterion_main};

fn setup(setting: &str) -> Setup {
    let e = experiment();
    let sets: Vec<(String, String)> = [
        ("setting", setting),
        ("generations", "200"),
        ("samples", "1000"),
        ("tol", "1e-5"),
        ("max_iter", "2000"),
        ("snapshots", ""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    Setup::from_params(&e.resolve(None, &sets).expect("valid parameters")).expect("valid setup")
}

/// Chains per measurement (see the module documentation).
const CHAINS: u64 = 16;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("gmm-200-gens-M1000-k2-tol1e-5");
    g.sample_size(10);
    for setting in ["notebook", "paper"] {
        let s = setup(setting);
        let chains = || {
            (0..CHAINS)
                .map(|r| s.run_one(r, &mut check_stream("bench-mixture", r)))
                .collect::<Vec<_>>()
        };
        // Mean EM iterations per generation, for comparison with sklearn's n_iter_.
        let it: Vec<f64> = chains()
            .iter()
            .flatten()
            .filter(|r| r.metric == "em_iterations")
            .map(|r| r.value)
            .collect();
        eprintln!(
            "{setting}: mean EM iterations per generation over {CHAINS} chains = {:.1}",
            it.iter().sum::<f64>() / it.len() as f64
        );
        g.bench_function(format!("{setting}-{CHAINS}-chains"), |b| b.iter(chains));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
