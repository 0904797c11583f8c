//! The repository is self-contained: no source, document, test or build file refers to a path
//! outside it. A fresh clone with nothing beside it must build, test and run.
//!
//! Every tracked (or new, not ignored) text file is scanned for
//! - names of folders that lived beside the repository on development machines (a sibling
//!   corpora or papers folder) and of a specification file that was never in the repository;
//! - absolute paths of home, scratch or work directories used as data locations;
//! - `CARGO_MANIFEST_DIR` joined with enough parent steps to climb out of the repository, and
//!   `include_str!`/`include_bytes!`/`include!` paths that do;
//! - relative Markdown links that leave the repository or name a file that is not in it.
//!
//! The forbidden strings are assembled from pieces below, so this file does not match itself.
//! The embedded data sets (`crates/collapse-data/data/*`, other than their Markdown) are data,
//! not references, and are not scanned.

use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// Substrings that name something outside the repository, each with the reason.
fn forbidden() -> Vec<(String, &'static str)> {
    let s = "shared";
    vec![
        (format!("..{}{s}", '/'), "a folder beside the repository"),
        (
            format!("{s}/{}", "corpora"),
            "the corpora folder beside the repository",
        ),
        (
            format!("{s}/{}", "papers"),
            "the papers folder beside the repository",
        ),
        (
            format!("{}.md", "SPEC"),
            "a specification that is not in the repository (see docs/command.md)",
        ),
    ]
}

/// Absolute path prefixes that are never a location inside the repository.
fn absolute_prefixes() -> Vec<String> {
    ["work", "home", "tmp", "Users", "root"]
        .iter()
        .map(|d| format!("/{d}/"))
        .collect()
}

/// One violation: file, line (1-based) and what is wrong.
#[derive(Debug, PartialEq)]
struct Finding {
    file: String,
    line: usize,
    what: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.what)
    }
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte].matches('\n').count() + 1
}

/// Whether the character before `at` can end a path component (then a prefix found at `at` is
/// part of a relative path such as `target/tmp/x`, not an absolute path).
fn continues_a_path(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '~' | '$'))
}

/// Walks `rel` from the directory `depth` levels below the repository root; `false` if it
/// climbs above the root.
fn stays_inside(depth: usize, rel: &str) -> bool {
    let mut d = depth as i64;
    for c in Path::new(rel).components() {
        match c {
            Component::ParentDir => d -= 1,
            Component::Normal(_) => d += 1,
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return false,
        }
        if d < 0 {
            return false;
        }
    }
    true
}

/// The string literals (without escapes) in `text`.
fn literals(text: &str) -> Vec<&str> {
    text.split('"').skip(1).step_by(2).collect()
}

/// Depth below the repository root of the nearest directory of `file` holding a Cargo.toml.
fn crate_depth(root: &Path, file: &str) -> usize {
    let mut dir = Path::new(file).parent();
    while let Some(d) = dir {
        if root.join(d).join("Cargo.toml").is_file() {
            return d.components().count();
        }
        dir = d.parent();
    }
    0
}

/// Scans one file's text. `root` is used to resolve crate directories and Markdown links.
fn scan(root: &Path, file: &str, text: &str) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut push = |byte: usize, what: String| {
        found.push(Finding {
            file: file.to_string(),
            line: line_of(text, byte),
            what,
        })
    };
    for (needle, why) in forbidden() {
        for (at, _) in text.match_indices(&needle) {
            push(at, format!("refers to `{needle}`: {why}"));
        }
    }
    for prefix in absolute_prefixes() {
        for (at, _) in text.match_indices(&prefix) {
            if !continues_a_path(text, at) {
                push(
                    at,
                    format!("absolute path `{prefix}…` outside the repository"),
                );
            }
        }
    }
    let file_depth = Path::new(file).components().count() - 1;
    if file.ends_with(".rs") {
        let var = concat!("CARGO_MANIFEST", "_DIR");
        for (at, _) in text.match_indices(var) {
            // The statement that uses the variable: its string literals form the joined path.
            let rest = &text[at + var.len()..];
            let mut end = rest.find(';').unwrap_or(rest.len()).min(600);
            while !rest.is_char_boundary(end) {
                end -= 1;
            }
            let window = &rest[..end];
            let joined = literals(window.strip_prefix('"').unwrap_or(window)).join("/");
            if !stays_inside(crate_depth(root, file), &joined) {
                push(
                    at,
                    format!("{var} joined with `{joined}` leaves the repository"),
                );
            }
        }
        for mac in ["include_str!(", "include_bytes!(", "include!("] {
            for (at, _) in text.match_indices(mac) {
                let rest = &text[at + mac.len()..];
                let end = rest.find(')').unwrap_or(rest.len());
                if let Some(path) = literals(&rest[..end]).first()
                    && !stays_inside(file_depth, path)
                {
                    push(at, format!("`{mac}\"{path}\")` leaves the repository"));
                }
            }
        }
    }
    if file.ends_with(".md") {
        for (at, _) in text.match_indices("](") {
            let rest = &text[at + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = rest[..end].split('#').next().unwrap_or("").trim();
            let external = target.is_empty()
                || target.contains("://")
                || target.starts_with("mailto:")
                || target.contains(' ');
            if external {
                continue;
            }
            let from = Path::new(file).parent().unwrap_or(Path::new(""));
            if !stays_inside(file_depth, target) {
                push(at, format!("link `{target}` leaves the repository"));
            } else if !root.join(from).join(target).exists() {
                push(
                    at,
                    format!("link `{target}` names a file that is not in the repository"),
                );
            }
        }
    }
    found
}

/// The repository's files, relative to `root`: tracked and new unignored files from git, or
/// else a walk of the tree that skips build output, runs and git's own folder.
fn files(root: &Path) -> Vec<String> {
    let git = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output();
    if let Ok(out) = git
        && out.status.success()
        && !out.stdout.is_empty()
    {
        return String::from_utf8_lossy(&out.stdout)
            .split('\0')
            .filter(|f| !f.is_empty() && root.join(f).is_file())
            .map(str::to_string)
            .collect();
    }
    let mut all = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(root.join(&dir)).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = dir.join(&name);
            if entry.file_type().unwrap().is_dir() {
                if !(name.starts_with("target") || name == ".git" || name == "runs") {
                    stack.push(rel);
                }
            } else {
                all.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    all.sort();
    all
}

fn is_embedded_data(file: &str) -> bool {
    file.starts_with("crates/collapse-data/data/") && !file.ends_with(".md")
}

#[test]
fn no_file_refers_to_a_path_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = files(root);
    assert!(
        files.iter().any(|f| f == "README.md") && files.len() > 50,
        "the file list looks wrong: {} files",
        files.len()
    );
    let mut scanned = 0;
    let mut findings = Vec::new();
    for f in &files {
        if is_embedded_data(f) {
            continue;
        }
        let Ok(bytes) = std::fs::read(root.join(f)) else {
            continue;
        };
        // Binary files (images, compressed data) are skipped.
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        if text.contains('\0') {
            continue;
        }
        scanned += 1;
        findings.extend(scan(root, f, &text));
    }
    assert!(scanned > 50, "only {scanned} text files scanned");
    let report: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert!(
        report.is_empty(),
        "{} reference(s) to paths outside the repository:\n{}",
        report.len(),
        report.join("\n")
    );
}

#[test]
fn the_scanner_finds_what_it_must_and_nothing_else() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let up = "..";
    let var = concat!("CARGO_MANIFEST", "_DIR");
    let bad = [
        ("a.md", format!("see {up}/shared/x.txt")),
        (
            "a.md",
            format!("the shared/{}/wikitext-2 folder", "corpora"),
        ),
        ("a.md", format!("read {}.md", "SPEC")),
        ("a.md", format!("data in {}work/x", '/')),
        ("a.md", format!("`{}tmp/out`", '/')),
        ("a.md", format!("[doc]({up}/{up}/notes.md)")),
        ("a.md", "[doc](docs/no-such-file.md)".to_string()),
        (
            "crates/collapse-ngram/src/x.rs",
            format!("let p = PathBuf::from(env!(\"{var}\")).join(\"{up}/{up}/{up}/c\").join(f);"),
        ),
        (
            "benches/x.rs",
            format!("let p = PathBuf::from(env!(\"{var}\")).join(\"{up}/c\");"),
        ),
        (
            "crates/collapse-data/src/lib.rs",
            format!("include_str!(\"{up}/{up}/{up}/{up}/x.txt\")"),
        ),
    ];
    for (file, text) in &bad {
        let f = scan(root, file, text);
        assert_eq!(f.len(), 1, "{file}: `{text}` gave {f:?}");
        assert_eq!(f[0].line, 1);
    }
    let good = [
        (
            "a.md",
            "see [the proofs](proofs/regression.md) and target/tmp/x".to_string(),
        ),
        (
            "a.md",
            "[site](https://example.org/a/../b) and [top](#design)".to_string(),
        ),
        (
            "crates/collapse-ngram/src/x.rs",
            format!("let p = PathBuf::from(env!(\"{var}\")).join(\"{up}/{up}/proofs\");"),
        ),
        (
            "tests/x.rs",
            format!("let p = Path::new(env!(\"{var}\")).join(\"proofs\");"),
        ),
        (
            "crates/collapse-data/src/lib.rs",
            format!("include_str!(\"{up}/data/wikitext-2/valid.txt\")"),
        ),
    ];
    for (file, text) in &good {
        let f = scan(root, file, text);
        assert!(f.is_empty(), "{file}: `{text}` gave {f:?}");
    }
    // Line numbers count from 1.
    let f = scan(root, "a.md", &format!("one\ntwo {}.md\n", "SPEC"));
    assert_eq!(f[0].line, 2);
}
