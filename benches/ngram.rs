//! The language-model chain at WikiText-2 size: fitting a trigram Kneser-Ney model on the 214k
//! tokens of the validation split, and one generation of beam-search text (3,342 blocks of 64
//! tokens, five beams). The default `lm-chain` run is 100 such generations (5 runs × 10
//! generations × 2 settings).

use collapse_core::Family;
use collapse_core::rng::stream;
use collapse_ngram::corpus::Corpus;
use collapse_ngram::experiment::{Decoding, LmFamily};
use collapse_ngram::ngram::{NgramModel, Smoothing};
use criterion::{Criterion, criterion_group, criterion_main};
use std::sync::Arc;

fn corpus() -> Arc<Corpus> {
    // The WikiText-2 splits embedded in collapse-data, as `lm-chain` uses them by default.
    let c = Corpus::load("wikitext-2/valid", "wikitext-2/test", 64, 0)
        .expect("the embedded WikiText-2 splits make a corpus");
    Arc::new(c)
}

fn bench(c: &mut Criterion) {
    let corpus = corpus();
    let mut g = c.benchmark_group("lm-wikitext2");
    g.sample_size(10);
    g.bench_function("fit-trigram-kn", |b| {
        b.iter(|| NgramModel::fit(&corpus.train, 3, Smoothing::KneserNey, corpus.vocab.len()))
    });
    let fam = LmFamily {
        corpus: corpus.clone(),
        order: 3,
        smoothing: Smoothing::KneserNey,
        decoding: Decoding::Beam {
            beams: 5,
            penalty: 1.0,
        },
    };
    let model = fam.fit(
        &collapse_ngram::experiment::Blocks(corpus.train.clone()),
        &mut stream(0, "bench", 0),
    );
    g.bench_function("generate-beam5-all-blocks", |b| {
        b.iter(|| fam.sample(&model, corpus.train.len(), &mut stream(0, "bench", 0)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
