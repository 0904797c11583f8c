//! `lm-chain`'s records are a function of the seed and the parameters alone: the same under one
//! worker thread and under four (beam search writes blocks in parallel, and per-block
//! perplexities are computed in parallel), for beam search with and without the prompt's
//! model, for sampling, and for both data settings. This replaces the byte comparison with an
//! earlier build's outputs, which the fine-tuning protocol made obsolete.

use collapse_core::DynExperiment;
use collapse_ngram::experiment::LmChain;

fn records(threads: usize, sets: &[(&str, &str)]) -> Vec<collapse_core::Record> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let x = DynExperiment::new(LmChain);
        x.configure_with(sets).unwrap().collect(11).unwrap().records
    })
}

#[test]
fn records_do_not_depend_on_the_thread_count() {
    let small = [
        ("generations", "3"),
        ("replicates", "3"),
        ("max_tokens", "4000"),
    ];
    for extra in [
        &[][..],
        &[("prompt_weight", "0.6")],
        &[("decoding", "sample")],
        &[("repetition_penalty", "3")],
    ] {
        let mut sets = small.to_vec();
        sets.extend_from_slice(extra);
        let one = records(1, &sets);
        let four = records(4, &sets);
        assert!(!one.is_empty());
        assert!(
            one == four,
            "{extra:?}: records differ between 1 and 4 threads"
        );
    }
}
