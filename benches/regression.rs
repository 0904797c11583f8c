//! Regression: (1) a 200-point deterministic-equivalent curve at d = 2,000 (the random-projection
//! equivalent against width, power-law spectrum: one bracketed root and one trace pass per
//! point); (2) the Monte Carlo algebra of one replicate at d = 600, n = 500 and width
//! m ∈ {300, 1000, 2000}: the estimator map R and the exact bias/variance/ζ traces, with faer on
//! one thread (`Par::Seq`, as inside the parallel replicates). `benches/python/regression.py`
//! does the same algebra with numpy/OpenBLAS.
//!
//! Measured side by side on the shared 2-core machine (load ≈ 4): curve 12.0 ms (target < 50 ms);
//! Monte Carlo m = 300 / 1000 / 2000: faer 25.0 / 56.3 / 78.4 ms against numpy with one
//! OpenBLAS thread 30.1 / 54.2 / 81.6 ms (median of 10), i.e. 0.83× / 1.04× / 0.96×.
//!
//! (3) One replicate of `regression-digits` at its defaults' largest cell: 400 random ReLU
//! features of the 1,797 digits, n = 10⁶ of which 1 % synthetic (the counts of each image, the
//! ridge map through the 400×400 Gram matrix, the exact noise and shift traces, the clean error
//! on every image); the model (features, covariance, eigenvectors) is built once outside.
//! `benches/python/regression_digits.py` is the same algorithm in numpy/scipy (it gives the
//! same test error, 1.460e-4 against 1.460e-4, for its own draw of the feature weights).
//! Measured alternately on the shared 2-core machine (load 3.5–5): 74 / 86 / 83 ms a cell
//! (criterion mean) against numpy with one OpenBLAS thread 130 / 162 / 210 ms (median of 10),
//! i.e. 1.6–2.5× faster.

use collapse_core::check::check_stream;
use collapse_regression::digits::{DigitsModel, Target, draw};
use collapse_regression::mc::{draw_design, estimator_map, exact_parts};
use collapse_regression::theory::{MixProblem, Spectrum, equivalent};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn curve() -> Vec<f64> {
    let spec = Spectrum::power(2000, 1.0);
    let mut p = MixProblem::standard(spec, 1500, 0.1, 0.5, 1.0, 1e-3, None);
    (0..200)
        .map(|i| {
            let m = (50.0 * (200.0f64).powf(i as f64 / 199.0)).round() as usize;
            p.width = Some(m);
            equivalent(&p).total()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("regression-equivalent");
    g.bench_function("rp-curve-200-points-d2000", |b| {
        b.iter(|| black_box(curve()))
    });
    g.finish();

    let mut g = c.benchmark_group("regression-monte-carlo-d600-n500");
    g.sample_size(10);
    for m in [300usize, 1000, 2000] {
        let p = MixProblem::standard(Spectrum::isotropic(600), 500, 0.1, 0.5, 1.0, 1e-3, Some(m));
        let (x, s) = draw_design(&p, &mut check_stream("bench", m as u64)).expect("design");
        let s = s.expect("projection");
        g.bench_function(format!("m{m}"), |b| {
            b.iter(|| {
                let r = estimator_map(&p, x.as_ref(), Some(s.as_ref())).expect("map");
                black_box(exact_parts(&p, x.as_ref(), r.as_ref()).expect("traces"))
            })
        });
    }
    g.finish();

    let model = DigitsModel::new(400, 0, Target::Readout).expect("digits model");
    let mut g = c.benchmark_group("regression-digits");
    g.sample_size(10);
    g.bench_function("draw-m400-n1e6-p2-0.01", |b| {
        let mut rng = check_stream("bench-digits", 0);
        b.iter(|| {
            black_box(draw(&model, 1_000_000, 10_000, 1e-6, 0.1, 1.0, &mut rng).expect("draw"))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
