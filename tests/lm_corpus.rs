//! `lm-chain` needs no file beside the program: its default corpora are built in, a user's
//! corpus is read from the path given, and an unusable one is refused with exit code 2 before
//! anything is written.

use std::path::Path;

fn collapse(args: &[&str]) -> (i32, String, String) {
    let mut argv = vec!["collapse".to_string()];
    argv.extend(args.iter().map(|s| s.to_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = collapse::main_with(&argv, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

const SMALL: [&str; 8] = [
    "--set",
    "generations=2",
    "--set",
    "replicates=1",
    "--set",
    "max_tokens=3000",
    "--set",
    "setting=none",
];

fn run(out: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["run", "lm-chain", "--out", out.to_str().unwrap()];
    args.extend_from_slice(&SMALL);
    args.extend_from_slice(extra);
    collapse(&args)
}

#[test]
fn the_default_corpora_are_built_in() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let (code, _, err) = run(&out, &[]);
    assert_eq!(code, 0, "{err}");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"corpus\": \"wikitext-2/valid\"")
            && manifest.contains("\"test_corpus\": \"wikitext-2/test\""),
        "{manifest}"
    );
    let (code, text, _) = collapse(&["describe", "lm-chain"]);
    assert_eq!(code, 0);
    for name in ["wikitext-2/valid", "wikitext-2/test", "tiny-shakespeare"] {
        assert!(text.contains(name), "describe does not name {name}");
    }
}

#[test]
fn a_user_corpus_is_read_from_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("mine.txt");
    let words: Vec<String> = (0..2000).map(|i| format!("w{}", i % 37)).collect();
    std::fs::write(&corpus, words.join(" ")).unwrap();
    let out = dir.path().join("run");
    let c = format!("corpus={}", corpus.display());
    let t = format!("test_corpus={}", corpus.display());
    let (code, _, err) = run(&out, &["--set", &c, "--set", &t]);
    assert_eq!(code, 0, "{err}");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    // 37 distinct words in the real corpus (step 0).
    assert!(summary.contains("none,0,support,1,37,"), "{summary}");
}

#[test]
fn unusable_corpora_exit_2_naming_the_parameter_and_path_and_write_nothing() {
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
    for (param, path, says) in cases {
        let out = dir.path().join("run");
        let set = format!("{param}={}", path.display());
        let (code, _, err) = run(&out, &["--set", &set]);
        assert_eq!(code, 2, "{set}: {err}");
        let path = path.display().to_string();
        assert!(
            err.contains(&format!("parameter `{param}`"))
                && err.contains(&path)
                && err.contains(says),
            "{set}: {err}"
        );
        assert!(!out.exists(), "{set}: something was written");
    }
}
