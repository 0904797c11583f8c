//! The language-model chain at `lm-chain`'s default size: fitting a trigram Kneser-Ney model on
//! the fine-tuning half of the WikiText-2 validation split (112k tokens), and one generation of
//! beam-search text from a model fine-tuned from the pretrained start (1,758 blocks of 64
//! tokens, five beams), without a repetition penalty (top-k lists cached by context) and with
//! the authors' 3, and writing with the prompt's model at weight 0.6 (`prompt_weight`; no
//! cached lists). The default `lm-chain` run fits 100 models and writes 90 such generations
//! (5 runs × 9 generations × 2 settings).

use collapse_core::Family;
use collapse_core::rng::stream;
use collapse_ngram::experiment::LmChain;
use collapse_ngram::family::{Blocks, Decoding, LmFamily};
use collapse_ngram::ngram::{NgramModel, Smoothing};
use criterion::{Criterion, criterion_group, criterion_main};

/// The default configuration's family for the setting without preserved data.
fn family() -> LmFamily {
    let x = collapse_core::DynExperiment::new(LmChain);
    let c = x
        .configure_with(&[])
        .expect("the default lm-chain configures");
    let cfg = c
        .config::<collapse_ngram::experiment::LmConfig>()
        .expect("an lm-chain configuration");
    cfg.family(&cfg.arms[0])
}

fn bench(c: &mut Criterion) {
    let fam = family();
    let corpus = fam.corpus.clone();
    let mut g = c.benchmark_group("lm-wikitext2");
    g.sample_size(10);
    g.bench_function("fit-trigram-kn", |b| {
        b.iter(|| NgramModel::fit(&corpus.train, 3, Smoothing::KneserNey, corpus.vocab.len()))
    });
    let model = fam.fit(&Blocks(corpus.train.clone()), &mut stream(0, "bench", 0));
    for (penalty, prompt_weight) in [(1.0, 0.0), (3.0, 0.0), (1.0, 0.6)] {
        let fam = LmFamily {
            decoding: Decoding::Beam { beams: 5, penalty },
            prompt_weight,
            ..fam.clone()
        };
        let name = format!("generate-beam5-penalty{penalty}-prompt{prompt_weight}");
        g.bench_function(name, |b| {
            b.iter(|| fam.sample(&model, corpus.train.len(), &mut stream(0, "bench", 0)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
