//! Linear latent-variable chains on the real digits (`latent-chain`), the workloads of issue 17:
//!
//! - the closed-form pPCA chain, q = 20, M = 1,797, 100 generations, 100 chains, replace, exact
//!   sampler, with every metric of the experiment (spectrum, Fréchet distance, class shares,
//!   reconstruction accuracies): the whole run into a summary, as `collapse run latent-chain
//!   --summary-only` does; and the chain alone (fits only, no metrics), with both samplers;
//! - one linear VAE fit on the real digits: 1,000 full-batch Adam steps on the exact ELBO.
//!
//! `benches/python/latent.py` does the same work in numpy.

use collapse_core::check::check_stream;
use collapse_core::{DynExperiment, NoProgress};
use collapse_latent::chain::{LatentChain, Setup};
use collapse_latent::data::RealDigits;
use collapse_latent::vae;
use criterion::{Criterion, criterion_group, criterion_main};
use rayon::prelude::*;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("latent-ppca-q20-M1797-100-gens-100-chains");
    g.sample_size(10);
    let whole = DynExperiment::new(LatentChain)
        .configure_with(&[])
        .expect("the defaults are valid");
    g.bench_function("experiment-with-metrics", |b| {
        b.iter(|| whole.summarize_with(0, &NoProgress).expect("runs"))
    });
    for sampler in ["exact", "naive"] {
        let configured = DynExperiment::new(LatentChain)
            .configure_with(&[("sampler", sampler)])
            .expect("valid parameters");
        let s: Setup = configured
            .config::<Setup>()
            .expect("latent-chain's configuration")
            .clone();
        g.bench_function(format!("chain-only-{sampler}"), |b| {
            b.iter(|| {
                (0..100u64)
                    .into_par_iter()
                    .map(|r| {
                        let mut noise = Vec::with_capacity(101);
                        s.run_one(&mut check_stream("bench", r), |_, m| noise.push(m.noise))
                            .expect("replace chains run");
                        noise
                    })
                    .collect::<Vec<_>>()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("latent-vae-q20-1000-adam-steps");
    g.sample_size(10);
    let real = RealDigits::builtin();
    let s_mle = &real.scatter / real.len() as f64;
    let adam = vae::Adam {
        steps: 1000,
        learning_rate: 0.01,
    };
    g.bench_function("one-fit", |b| {
        b.iter(|| vae::train(&real.mean, &s_mle, 20, adam, &mut check_stream("bench", 0)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
