//! `lm-chain` needs no file beside the program: its default corpora are built in, a user's
//! corpus is read from the path given, and an unusable one is refused while the run is
//! configured (a parameter error: exit code 2 from the command), before any work.

use collapse_core::{DynExperiment, ExperimentError, ParamSpec, Value};
use collapse_ngram::experiment::LmChain;
use collapse_ngram::names::{NONE, SUPPORT};

const SMALL: [(&str, &str); 4] = [
    ("generations", "2"),
    ("replicates", "1"),
    ("max_tokens", "3000"),
    ("setting", "none"),
];

fn with<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut sets = SMALL.to_vec();
    sets.extend_from_slice(extra);
    sets
}

fn spec<'a>(x: &'a DynExperiment, name: &str) -> &'a ParamSpec {
    x.params().iter().find(|s| s.name == name).unwrap()
}

#[test]
fn the_default_corpora_are_built_in() {
    let x = DynExperiment::new(LmChain);
    let c = x.configure_with(&SMALL).unwrap();
    assert_eq!(
        c.params().get("corpus"),
        &Value::Text("wikitext-2/valid".into())
    );
    assert_eq!(
        c.params().get("test_corpus"),
        &Value::Text("wikitext-2/test".into())
    );
    let run = c.collect(1).unwrap();
    assert!(!run.records.is_empty());
    for name in ["wikitext-2/valid", "wikitext-2/test", "tiny-shakespeare"] {
        assert!(
            spec(&x, "corpus").help.contains(name),
            "describe does not name {name}"
        );
    }
    assert!(spec(&x, "test_corpus").help.contains("built-in corpus"));
}

#[test]
fn a_user_corpus_is_read_from_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("mine.txt");
    let words: Vec<String> = (0..2000).map(|i| format!("w{}", i % 37)).collect();
    std::fs::write(&corpus, words.join(" ")).unwrap();
    let path = corpus.to_str().unwrap();
    let x = DynExperiment::new(LmChain);
    let run = x
        .configure_with(&with(&[("corpus", path), ("test_corpus", path)]))
        .unwrap()
        .collect(1)
        .unwrap();
    // 37 distinct words in the real corpus (step 0).
    let step0 = run
        .summary
        .iter()
        .find(|r| r.series == NONE && r.step == 0 && r.metric == SUPPORT)
        .unwrap();
    assert_eq!((step0.count, step0.mean), (1, 37.0));
}

#[test]
fn unusable_corpora_are_parameter_errors_naming_the_parameter_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "\n").unwrap();
    let short = dir.path().join("short.txt");
    std::fs::write(&short, "only five words in here").unwrap();
    let missing = dir.path().join("missing.txt");
    let cases = [
        ("corpus", missing.clone(), "cannot read corpus file"),
        ("test_corpus", missing, "cannot read corpus file"),
        (
            "corpus",
            dir.path().to_path_buf(),
            "cannot read corpus file",
        ),
        ("test_corpus", empty, "has 0 words"),
        ("corpus", short, "has 5 words"),
    ];
    let x = DynExperiment::new(LmChain);
    for (param, path, says) in cases {
        let path = path.display().to_string();
        let e = x
            .configure_with(&with(&[(param, &path)]))
            .expect_err("an unusable corpus is refused while configuring");
        let msg = e.to_string();
        assert!(
            msg.contains(&format!("parameter `{param}`"))
                && msg.contains(&path)
                && msg.contains(says),
            "{param}={path}: {msg}"
        );
        // The command's exit code 2 (a usage error), with nothing run.
        assert!(ExperimentError::from(e).is_usage());
    }
}
