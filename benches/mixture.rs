//! Gaussian-mixture chains: 200 generations of 1,000 samples, each refitted with a
//! two-component EM at tolerance 1e-5 (cap 2,000 iterations, reg_covar 1e-6, one k-means++
//! start), the authors' notebook workload (one 2-D blob). `benches/python/mixture.py` does the
//! same work with `sklearn.mixture.GaussianMixture`. One chain, one thread, as the notebook.

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

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("gmm-200-gens-M1000-k2-tol1e-5");
    g.sample_size(10);
    for setting in ["notebook", "paper"] {
        let s = setup(setting);
        // Mean EM iterations per generation, for comparison with sklearn's n_iter_.
        let recs = s.run_one(0, &mut check_stream("bench-mixture", 0));
        let it: Vec<f64> = recs
            .iter()
            .filter(|r| r.metric == "em_iterations")
            .map(|r| r.value)
            .collect();
        eprintln!(
            "{setting}: mean EM iterations per generation = {:.1}",
            it.iter().sum::<f64>() / it.len() as f64
        );
        g.bench_function(setting, |b| {
            b.iter(|| s.run_one(0, &mut check_stream("bench-mixture", 0)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
