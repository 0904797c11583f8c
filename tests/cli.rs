//! The `collapse` command end to end (in-process): outputs, bad input, determinism across
//! thread counts, and shards merged into the unsharded run.

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

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const SMALL: [&str; 6] = [
    "--set",
    "generations=12",
    "--set",
    "replicates=37",
    "--set",
    "samples=8",
];

fn run_into(dir: &Path, extra: &[&str]) {
    let d = dir.to_str().unwrap();
    let mut args = vec!["run", "gaussian-chain", "--seed", "5", "--out", d];
    args.extend_from_slice(&SMALL);
    args.extend_from_slice(extra);
    let (code, _, err) = collapse(&args);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn run_writes_the_documented_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    run_into(&dir, &[]);
    for f in [
        "manifest.json",
        "records.csv",
        "summary.csv",
        "figure.svg",
        "figure.png",
    ] {
        assert!(dir.join(f).exists(), "{f}");
    }
    let records = read(&dir.join("records.csv"));
    assert!(records.starts_with("series,replicate,step,metric,value\n"));
    // 37 chains × 13 generations × 4 metrics.
    assert_eq!(records.lines().count(), 1 + 37 * 13 * 4);
    let summary = read(&dir.join("summary.csv"));
    assert!(summary.starts_with("series,step,metric,count,mean,std_error,q05,q50,q95\n"));
    assert!(summary.contains("replace,12,theory_w2_sq,1,"));
    assert!(!summary.contains("NaN"));
    let m: serde_json::Value = serde_json::from_str(&read(&dir.join("manifest.json"))).unwrap();
    assert_eq!(m["experiment"], "gaussian-chain");
    assert_eq!(m["params"]["samples"], 8);
    assert_eq!(m["params"]["estimator"], "unbiased");
    assert_eq!(m["seed"], 5);
    assert_eq!(m["shard"], "0/1");
    assert!(m["elapsed_seconds"].as_f64().unwrap() >= 0.0);
}

#[test]
fn thread_counts_and_shards_give_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    run_into(&one, &["--threads", "1"]);
    run_into(&two, &["--threads", "2"]);
    let mut shards = Vec::new();
    for i in 0..3 {
        let d = tmp.path().join(format!("s{i}"));
        run_into(&d, &["--shard", &format!("{i}/3")]);
        shards.push(d);
    }
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge"];
    let names: Vec<String> = shards
        .iter()
        .rev()
        .map(|d| d.to_str().unwrap().to_string())
        .collect();
    args.extend(names.iter().map(String::as_str));
    args.extend(["--out", merged.to_str().unwrap()]);
    let (code, _, err) = collapse(&args);
    assert_eq!(code, 0, "{err}");
    for f in ["records.csv", "summary.csv"] {
        let a = read(&one.join(f));
        assert_eq!(a, read(&two.join(f)), "{f}: 1 vs 2 threads");
        assert_eq!(a, read(&merged.join(f)), "{f}: merged shards");
    }
    // A shard holds only its own replicates.
    assert!(
        read(&shards[1].join("records.csv"))
            .lines()
            .skip(1)
            .all(|l| l.split(',').nth(1).unwrap().parse::<u64>().unwrap() % 3 == 1)
    );
    // Merging an incomplete set is refused.
    let (code, _, err) = collapse(&[
        "merge",
        shards[0].to_str().unwrap(),
        "--out",
        tmp.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("shard 1/3 is missing"), "{err}");
}

#[test]
fn config_file_and_set_compose() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("c.toml");
    std::fs::write(
        &cfg,
        "samples = 6\ngenerations = 3\nreplicates = 4\nestimator = \"mle\"\n",
    )
    .unwrap();
    let dir = tmp.path().join("r");
    let (code, _, err) = collapse(&[
        "run",
        "gaussian-chain",
        "--config",
        cfg.to_str().unwrap(),
        "--set",
        "samples=7",
        "--out",
        dir.to_str().unwrap(),
        "--summary-only",
    ]);
    assert_eq!(code, 0, "{err}");
    let m: serde_json::Value = serde_json::from_str(&read(&dir.join("manifest.json"))).unwrap();
    assert_eq!(m["params"]["samples"], 7);
    assert_eq!(m["params"]["estimator"], "mle");
    assert!(!dir.join("records.csv").exists());
}

#[test]
fn bad_input_is_refused_with_exit_2_and_nothing_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("never");
    let d = dir.to_str().unwrap();
    let bad_cfg = tmp.path().join("bad.toml");
    std::fs::write(&bad_cfg, "samples = \"many\"\n").unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--set", "bogus=1"], "unknown parameter `bogus`"),
        (vec!["--set", "samples=1"], "`samples`"),
        (vec!["--set", "dim=0"], "`dim`"),
        (vec!["--set", "real_fraction=1.5"], "[0, 1]"),
        (vec!["--set", "generations=many"], "`generations`"),
        (vec!["--set", "policy=hoard"], "replace | accumulate"),
        (vec!["--set", "noequals"], "KEY=VALUE"),
        (vec!["--shard", "2/2"], "--shard"),
        (vec!["--shard", "x"], "--shard"),
        (vec!["--config", "/definitely/not/here.toml"], "--config"),
        (vec!["--config", bad_cfg.to_str().unwrap()], "`samples`"),
        (vec!["--threads", "0"], "--threads"),
        (
            vec![
                "--set",
                "sampler=exact",
                "--set",
                "policy=accumulate-subsample",
            ],
            "`sampler`",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["run", "gaussian-chain", "--out", d];
        args.extend_from_slice(&extra);
        let (code, _, err) = collapse(&args);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains(needle), "{extra:?}: {err}");
        assert!(!dir.exists(), "{extra:?} wrote output");
    }
    let (code, _, err) = collapse(&["run", "no-such-experiment"]);
    assert_eq!(code, 2);
    assert!(err.contains("gaussian-chain"), "{err}");
    let (code, _, _) = collapse(&["describe", "nope"]);
    assert_eq!(code, 2);
    let (code, _, _) = collapse(&["verify", "--only", "nothing."]);
    assert_eq!(code, 2);
}

#[test]
fn list_json_has_the_documented_shape() {
    let (code, out, _) = collapse(&["list", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let exps = v["experiments"].as_array().unwrap();
    let g = exps.iter().find(|e| e["id"] == "gaussian-chain").unwrap();
    assert_eq!(g["params"]["samples"], 100);
    assert_eq!(g["params"]["policy"], "replace");
    let checks = v["checks"].as_array().unwrap();
    assert!(
        checks
            .iter()
            .all(|c| c["id"].is_string() && c["statement"].is_string() && c["source"].is_string())
    );
    let (code, out, _) = collapse(&["describe", "gaussian-chain"]);
    assert_eq!(code, 0);
    assert!(out.contains("real_fraction") && out.contains("[0, 1]"));
}

#[test]
fn verify_writes_json_and_reports_verdicts() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("v.json");
    let (code, out, err) = collapse(&[
        "verify",
        "--only",
        "gaussian.infinite",
        "--quick",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("pass"));
    let v: serde_json::Value = serde_json::from_str(&read(&json)).unwrap();
    let row = &v.as_array().unwrap()[0];
    for k in [
        "id",
        "statement",
        "source",
        "predicted",
        "measured",
        "std_error",
        "tolerance",
        "pass",
    ] {
        assert!(row.get(k).is_some(), "{k}");
    }
    assert_eq!(row["pass"], true);
}

/// Output whose reader has gone (`collapse list | head -1`).
struct ClosedAfter(usize);

impl std::io::Write for ClosedAfter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0 == 0 {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        let n = buf.len().min(self.0);
        self.0 -= n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A reader that stops reading is not an error of the command: exit 0 and no message, as
/// `grep -q` in a pipeline under `set -o pipefail` needs.
#[test]
fn a_reader_that_stops_reading_ends_the_command_quietly() {
    let argv = ["collapse".to_string(), "list".to_string()];
    let mut err = Vec::new();
    let code = collapse::main_with(&argv, &mut ClosedAfter(100), &mut err);
    assert_eq!((code, String::from_utf8(err).unwrap()), (0, String::new()));
}
