//! The record path as a user sees it: 8 M records (10,000 chains × 201 generations × 4 metrics,
//! the workload of `benches/python/gaussian.py`) through the summary with exact quantiles, the
//! summary in constant memory, and `records.csv`; and the whole `collapse run` (in process, so
//! without the process start) with the exact sampler and `--summary-only`.

use collapse_core::sink::{CsvSink, Quantiles, RecordSink, SummarySink};
use collapse_core::{Name, Row};
use criterion::{Criterion, criterion_group, criterion_main};

const CHAINS: u64 = 10_000;
const GENERATIONS: u64 = 200;

/// One chain's rows as the Gaussian family emits them.
fn batch(r: u64) -> Vec<Row> {
    let series = Name::new("replace");
    let metrics = ["log_var", "mean_sq_error", "var", "w2_sq"].map(Name::new);
    let mut rows = Vec::with_capacity((GENERATIONS as usize + 1) * 4);
    for g in 0..=GENERATIONS {
        for (k, &m) in metrics.iter().enumerate() {
            rows.push(Row {
                series,
                metric: m,
                step: g,
                value: (r * 31 + g * 7 + k as u64) as f64 * 1e-3,
            });
        }
    }
    rows
}

fn feed(sink: &mut dyn RecordSink, batches: &[Vec<Row>]) {
    sink.expect(CHAINS);
    for (r, b) in batches.iter().enumerate() {
        sink.accept(r as u64, b).unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let batches: Vec<Vec<Row>> = (0..CHAINS).map(batch).collect();
    let mut g = c.benchmark_group("records-8M");
    g.sample_size(10);
    g.bench_function("summary-exact", |b| {
        b.iter(|| {
            let mut s = SummarySink::new(Quantiles::Exact);
            feed(&mut s, &batches);
            s.finish(&[])
        })
    });
    g.bench_function("summary-none", |b| {
        b.iter(|| {
            let mut s = SummarySink::new(Quantiles::None);
            feed(&mut s, &batches);
            s.finish(&[])
        })
    });
    let dir = tempfile::tempdir().unwrap();
    g.bench_function("records-csv", |b| {
        b.iter(|| {
            let mut s = CsvSink::create(dir.path().join("records.csv"));
            feed(&mut s, &batches);
            s.finish().unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("collapse-run");
    g.sample_size(10);
    let out = dir.path().join("run");
    let args: Vec<String> = [
        "collapse",
        "run",
        "gaussian-chain",
        "--set",
        "replicates=10000",
        "--set",
        "generations=200",
        "--set",
        "samples=100",
        "--summary-only",
        "--force",
        "--out",
        out.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec();
    g.bench_function("gaussian-10k-200-exact-summary-only", |b| {
        b.iter(|| {
            let (mut o, mut e) = (Vec::new(), Vec::new());
            assert_eq!(collapse::main_with(&args, &mut o, &mut e), 0);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
