//! Gaussian-mixture chains: 200 generations of 1,000 samples, each refitted with a
//! two-component EM at tolerance 1e-5 (cap 2,000 iterations, reg_covar 1e-6, one k-means++
//! start), the authors' notebook workload (one 2-D blob). `benches/python/mixture.py` does the
//! same work with `sklearn.mixture.GaussianMixture`. One thread, as the notebook.
//!
//! How many EM iterations a chain needs varies several-fold from chain to chain (on the blob,
//! 8 to 31 per generation on average), so one chain is not a fair unit of work: each
//! measurement runs the same 16 chains (replicates 0–15), the Python script runs 16 chains too,
//! and both print the mean EM iterations per generation so that the work can be compared.
//!
//! KDE chains (`mixture-kde`): one chain of each workflow on the two moons (M = 200, 50
//! generations, Gaussian kernel h = 0.1) with the held-out NLL on 1,000 test points at every
//! generation, the work `benches/python/mixture_kde.py moons` does per chain with
//! `sklearn.neighbors.KernelDensity`.

use collapse_core::Choice;
use collapse_core::DynExperiment;
use collapse_core::check::check_stream;
use collapse_mixture::gmm_chain::{GmmChain, Setup};
use collapse_mixture::kde::{MixtureKde, Workflow};
use criterion::{Criterion, criterion_group, criterion_main};

const CHAINS: u64 = 16;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("gmm-200-gens-M1000-k2-tol1e-5");
    g.sample_size(10);
    for setting in ["notebook", "paper"] {
        let configured = DynExperiment::new(GmmChain)
            .configure_with(&[
                ("setting", setting),
                ("generations", "200"),
                ("samples", "1000"),
                ("tol", "1e-5"),
                ("max_iter", "2000"),
                ("snapshots", ""),
            ])
            .expect("valid parameters");
        let s: &Setup = configured.config().expect("gmm-chain's configuration");
        // Iterations per generation of every chain (the work both sides must do).
        let chains = || {
            (0..CHAINS)
                .flat_map(|r| {
                    let mut iterations = Vec::new();
                    s.run_one(&mut check_stream("bench-mixture", r), |_, m| {
                        if let Some(rep) = &m.report {
                            iterations.push(rep.iterations as f64);
                        }
                    })
                    .expect("replace chains run");
                    iterations
                })
                .collect::<Vec<f64>>()
        };
        let it = chains();
        eprintln!(
            "{setting}: mean EM iterations per generation over {CHAINS} chains = {:.1}",
            it.iter().sum::<f64>() / it.len() as f64
        );
        g.bench_function(format!("{setting}-{CHAINS}-chains"), |b| b.iter(chains));
    }
    g.finish();
}

/// One chain of each workflow on the two moons, rows and NLL included, as a replicate of
/// `collapse run mixture-kde` computes them.
fn kde(c: &mut Criterion) {
    let mut g = c.benchmark_group("kde-moons-M200-50-gens-nll-every");
    g.sample_size(10);
    for &w in Workflow::ALL {
        let sets: Vec<(&str, &str)> = vec![
            ("truth", "moons"),
            ("samples", "200"),
            ("generations", "50"),
            ("h", "0.1"),
            ("nll_at", "every"),
            ("replicates", "1"),
            ("policies", w.name()),
        ];
        let one = DynExperiment::new(MixtureKde)
            .configure_with(&sets)
            .expect("valid parameters");
        g.bench_function(w.name(), |b| {
            b.iter(|| one.collect(0).expect("the chain runs"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench, kde);
criterion_main!(benches);
