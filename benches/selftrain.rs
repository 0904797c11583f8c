//! Self-training: 10,000 training questions × 16 strategies × 5 iterations × N = 50 samples per
//! question at `selftrain-reversal`'s calibrated defaults, iterative SFT / DPO / SFT-DPO with 20
//! gradient steps per round, every iteration evaluated on 2,000 test and 2,000 OOD questions.
//! `benches/python/selftrain.py` does the same work with vectorised numpy.

use collapse_core::check::check_stream;
use collapse_selftrain::eval::{Baseline, evaluate};
use collapse_selftrain::model::{Population, PopulationSpec};
use collapse_selftrain::train::{Schedule, SelfTrain, TrainConfig};
use criterion::{Criterion, criterion_group, criterion_main};

fn cfg(schedule: Schedule) -> TrainConfig {
    TrainConfig {
        schedule,
        tau: 0.75,
        samples: 50,
        steps: 20,
        lr: 1.0,
        dpo_lr: 2.0,
        beta: 0.1,
        pairs: 1,
        restart: false,
        reference_base: false,
        converge: false,
        phi_rate: 0.1,
    }
}

/// Five iterations (four self-training rounds) with the metrics of every iteration.
fn run(pop: &Population, schedule: Schedule, finite: bool) -> f64 {
    let fam = SelfTrain::new(pop, cfg(schedule));
    let base = Baseline::of(pop, &fam.base, 0.75);
    let mut acc = 0.0;
    fam.run(4, finite, &mut check_stream("bench", 0), |_, pol| {
        acc += evaluate(pop, pol, &base, 0.75, 50, 0.5, None)[0].1;
    })
    .expect("replace runs");
    acc
}

fn bench(c: &mut Criterion) {
    let spec = PopulationSpec::reversal(16, 10_000, 2_000, 2_000, 1.5);
    let pop = Population::draw(&spec, &mut check_stream("bench-population", 0));
    let mut g = c.benchmark_group("selftrain-10k-questions-16-strategies-5-iterations-N50");
    g.sample_size(10);
    g.bench_function("sft", |b| b.iter(|| run(&pop, Schedule::Sft, true)));
    g.bench_function("dpo", |b| b.iter(|| run(&pop, Schedule::Dpo, true)));
    g.bench_function("sft-dpo", |b| b.iter(|| run(&pop, Schedule::SftDpo, true)));
    g.bench_function("sft-expected", |b| {
        b.iter(|| run(&pop, Schedule::Sft, false))
    });
    g.bench_function("dpo-expected", |b| {
        b.iter(|| run(&pop, Schedule::Dpo, false))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
