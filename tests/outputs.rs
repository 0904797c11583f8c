//! Nothing wrong gets through: output directories appear whole or not at all, are never reused
//! half, and `collapse merge` refuses every damaged or mismatched shard with exit code 2, naming
//! the shard and the fault, and writes nothing.

use std::path::{Path, PathBuf};

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

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn run(dir: &Path, extra: &[&str]) -> (i32, String) {
    let d = dir.to_str().unwrap();
    let mut args = vec![
        "run",
        "gaussian-chain",
        "--seed",
        "5",
        "--out",
        d,
        "--set",
        "generations=6",
        "--set",
        "replicates=23",
        "--set",
        "samples=8",
    ];
    args.extend_from_slice(extra);
    let (code, _, err) = collapse(&args);
    (code, err)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn an_output_directory_is_replaced_only_when_asked_and_then_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    assert_eq!(run(&dir, &[]).0, 0);
    let first = read(&dir.join("summary.csv"));
    // A second run into the same place is refused before any work, and changes nothing.
    let (code, err) = run(&dir, &["--summary-only", "--set", "samples=9"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(read(&dir.join("summary.csv")), first);
    // With --force the directory is replaced as a whole: no stale records.csv or figure.
    let (code, err) = run(&dir, &["--summary-only", "--force", "--set", "samples=9"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        entries(&dir),
        ["figure.png", "figure.svg", "manifest.json", "summary.csv"]
    );
    let m: serde_json::Value = serde_json::from_str(&read(&dir.join("manifest.json"))).unwrap();
    assert_eq!(m["complete"], true);
    assert_eq!(m["summary_only"], true);
    // Nothing but the run directory is left beside it (no temporary directory).
    assert_eq!(entries(tmp.path()), ["r"]);
    // A file, the filesystem root: refused before work.
    let file = tmp.path().join("f");
    std::fs::write(&file, "x").unwrap();
    for bad in [file.as_path(), Path::new("/")] {
        let (code, err) = run(bad, &["--force"]);
        assert_eq!(code, 2, "{}: {err}", bad.display());
    }
    assert_eq!(read(&file), "x");
}

#[test]
fn quantiles_none_keeps_means_and_counts_and_leaves_quantiles_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert_eq!(run(&a, &[]).0, 0);
    assert_eq!(run(&b, &["--quantiles", "none"]).0, 0);
    let m: serde_json::Value = serde_json::from_str(&read(&b.join("manifest.json"))).unwrap();
    assert_eq!(m["quantiles"], "none");
    let (sa, sb) = (read(&a.join("summary.csv")), read(&b.join("summary.csv")));
    assert_eq!(sa.lines().count(), sb.lines().count());
    for (x, y) in sa.lines().zip(sb.lines()).skip(1) {
        let (x, y): (Vec<&str>, Vec<&str>) = (x.split(',').collect(), y.split(',').collect());
        // series, step, metric, count and mean are the same numbers.
        assert_eq!(x[..5], y[..5]);
        if x[2].starts_with("theory_") {
            assert_eq!(x, y);
        } else {
            assert_eq!(y[6..], ["", "", ""]);
            let (se_a, se_b): (f64, f64) = (x[5].parse().unwrap(), y[5].parse().unwrap());
            assert!(
                (se_a - se_b).abs() <= 1e-12 * se_a.abs().max(1e-300),
                "{x:?} {y:?}"
            );
        }
    }
    assert_eq!(read(&a.join("records.csv")), read(&b.join("records.csv")));
    let (code, _, err) = collapse(&["run", "gaussian-chain", "--quantiles", "some"]);
    assert_eq!(code, 2);
    assert!(err.contains("exact | none"), "{err}");
}

/// Three shards of one run, and the unsharded run.
fn shards(tmp: &Path) -> (PathBuf, Vec<PathBuf>) {
    let whole = tmp.join("whole");
    assert_eq!(run(&whole, &[]).0, 0);
    let dirs: Vec<PathBuf> = (0..3)
        .map(|i| {
            let d = tmp.join(format!("s{i}"));
            assert_eq!(run(&d, &["--shard", &format!("{i}/3")]).0, 0);
            d
        })
        .collect();
    (whole, dirs)
}

fn merge(dirs: &[PathBuf], out: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["merge".to_string()];
    args.extend(dirs.iter().map(|d| d.to_str().unwrap().to_string()));
    args.extend(["--out".to_string(), out.to_str().unwrap().to_string()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = collapse(&refs);
    (code, err)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Rewrites a shard's manifest to match its (damaged) records.csv, as a buggy writer would: the
/// merge must then still catch the damage by reading the lines.
fn resign_records(dir: &Path) {
    let text = read(&dir.join("records.csv"));
    let mut m: serde_json::Value = serde_json::from_str(&read(&dir.join("manifest.json"))).unwrap();
    m["records"] = (text.lines().count() as u64 - 1).into();
    m["records_xxh3"] = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes())).into();
    std::fs::write(dir.join("manifest.json"), m.to_string()).unwrap();
}

#[test]
fn merge_refuses_every_damaged_shard_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, dirs) = shards(tmp.path());
    let out = tmp.path().join("merged");
    assert_eq!(merge(&dirs, &out, &[]).0, 0);
    for f in ["records.csv", "summary.csv"] {
        assert_eq!(read(&whole.join(f)), read(&out.join(f)), "{f}");
    }
    // Each damage applied to a fresh copy of shard 1.
    type Damage = fn(&Path);
    // (what, damage, message when the manifest is left as it was, message when the manifest is
    // re-signed to match the damaged file: the deeper checks that do not trust the digest).
    let cases: Vec<(&str, Damage, &str, Option<&str>)> = vec![
        (
            "cut at a line boundary",
            |d| {
                let t = read(&d.join("records.csv"));
                let keep: Vec<&str> = t.lines().take(40).collect();
                std::fs::write(d.join("records.csv"), keep.join("\n") + "\n").unwrap();
            },
            "records.csv",
            Some("no replicate"),
        ),
        (
            "a duplicated row",
            |d| {
                let t = read(&d.join("records.csv"));
                let mut lines: Vec<&str> = t.lines().collect();
                lines.insert(5, lines[5]);
                std::fs::write(d.join("records.csv"), lines.join("\n") + "\n").unwrap();
            },
            "records.csv",
            Some("the same record twice"),
        ),
        (
            "only the header",
            |d| {
                std::fs::write(
                    d.join("records.csv"),
                    "series,replicate,step,metric,value\n",
                )
                .unwrap()
            },
            "records.csv",
            Some("no replicate"),
        ),
        (
            "a NaN value",
            |d| {
                let t = read(&d.join("records.csv"));
                let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
                let mut f: Vec<String> = lines[3].split(',').map(str::to_string).collect();
                f[4] = "NaN".into();
                lines[3] = f.join(",");
                std::fs::write(d.join("records.csv"), lines.join("\n") + "\n").unwrap();
            },
            "digest",
            Some("NaN"),
        ),
        (
            "1e999",
            |d| {
                let t = read(&d.join("records.csv"));
                let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
                let mut f: Vec<String> = lines[3].split(',').map(str::to_string).collect();
                f[4] = "1e999".into();
                lines[3] = f.join(",");
                std::fs::write(d.join("records.csv"), lines.join("\n") + "\n").unwrap();
            },
            "digest",
            Some("1e999"),
        ),
        (
            "a replicate moved into another shard",
            |d| {
                let t = read(&d.join("records.csv"));
                let lines: Vec<String> = t
                    .lines()
                    .map(|l| {
                        let mut f: Vec<&str> = l.split(',').collect();
                        if f[1] == "4" {
                            f[1] = "5";
                        }
                        f.join(",")
                    })
                    .collect();
                std::fs::write(d.join("records.csv"), lines.join("\n") + "\n").unwrap();
            },
            "digest",
            Some("does not belong to shard 1/3"),
        ),
        (
            "an edited record count",
            |d| {
                let t = read(&d.join("manifest.json"));
                let mut m: serde_json::Value = serde_json::from_str(&t).unwrap();
                m["records"] = (m["records"].as_u64().unwrap() + 1).into();
                std::fs::write(d.join("manifest.json"), m.to_string()).unwrap();
            },
            "manifest says",
            None,
        ),
        (
            "an edited version",
            |d| {
                let t = read(&d.join("manifest.json"));
                let mut m: serde_json::Value = serde_json::from_str(&t).unwrap();
                m["version"] = "0.0.1".into();
                std::fs::write(d.join("manifest.json"), m.to_string()).unwrap();
            },
            "`version` differs",
            None,
        ),
        (
            "a summary-only shard beside a stale records.csv",
            |d| {
                let t = read(&d.join("manifest.json"));
                let mut m: serde_json::Value = serde_json::from_str(&t).unwrap();
                m["summary_only"] = true.into();
                std::fs::write(d.join("manifest.json"), m.to_string()).unwrap();
            },
            "--summary-only",
            None,
        ),
        (
            "an unfinished run",
            |d| {
                let t = read(&d.join("manifest.json"));
                let mut m: serde_json::Value = serde_json::from_str(&t).unwrap();
                m["complete"] = false.into();
                std::fs::write(d.join("manifest.json"), m.to_string()).unwrap();
            },
            "did not finish",
            None,
        ),
        (
            "an edited summary",
            |d| {
                let t = read(&d.join("summary.csv"));
                std::fs::write(d.join("summary.csv"), t.replacen(",1,", ",2,", 1)).unwrap();
            },
            "summary.csv",
            None,
        ),
    ];
    for (what, damage, needle, deeper) in cases {
        for resign in [false, true] {
            let needle = match (resign, deeper) {
                (false, _) => needle,
                (true, Some(d)) => d,
                (true, None) => continue,
            };
            let bad = tmp.path().join("bad");
            let _ = std::fs::remove_dir_all(&bad);
            copy_dir(&dirs[1], &bad);
            damage(&bad);
            if resign {
                resign_records(&bad);
            }
            let set = [dirs[0].clone(), bad.clone(), dirs[2].clone()];
            let target = tmp.path().join("never");
            let (code, err) = merge(&set, &target, &[]);
            assert_eq!(code, 2, "{what} (re-signed: {resign}): {err}");
            assert!(err.contains(needle), "{what} (re-signed: {resign}): {err}");
            if !err.contains("no replicate") {
                assert!(err.contains("bad"), "{what}: the shard is not named: {err}");
            }
            assert!(!target.exists(), "{what}: something was written");
        }
    }
    // A shard twice, a shard missing, shards of another run, `--out` an input.
    let target = tmp.path().join("never");
    let (code, err) = merge(
        &[dirs[0].clone(), dirs[1].clone(), dirs[1].clone()],
        &target,
        &[],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("twice"), "{err}");
    let (code, err) = merge(&dirs[..2], &target, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("shard 2/3 is missing"), "{err}");
    let other = tmp.path().join("other");
    let d = other.to_str().unwrap();
    let (code, _, err) = collapse(&[
        "run",
        "gaussian-chain",
        "--seed",
        "6",
        "--out",
        d,
        "--set",
        "generations=6",
        "--set",
        "replicates=23",
        "--set",
        "samples=8",
        "--shard",
        "2/3",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = merge(&[dirs[0].clone(), dirs[1].clone(), other], &target, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("`seed` differs"), "{err}");
    let (code, err) = merge(&dirs, &dirs[0], &["--force"]);
    assert_eq!(code, 2);
    assert!(err.contains("one of the inputs"), "{err}");
    assert!(!target.exists());
}

#[test]
fn threads_and_json_targets_are_checked_before_work() {
    let tmp = tempfile::tempdir().unwrap();
    for t in ["0", "5000", "100000"] {
        let (code, err) = run(&tmp.path().join("t"), &["--threads", t]);
        assert_eq!(code, 2, "{t}: {err}");
        assert!(err.contains("[1, 1024]"), "{err}");
    }
    let (code, _, err) = collapse(&[
        "verify",
        "--only",
        "gaussian.infinite",
        "--json",
        tmp.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is a directory"), "{err}");
    assert_eq!(entries(tmp.path()).len(), 0, "{:?}", entries(tmp.path()));
}
