//! Byte-identity against reference outputs of an earlier build of the command (run with
//! `--ignored`): `COLLAPSE_BASELINE` names a directory holding `runs.txt` (one run a line:
//! `NAME EXPERIMENT --set K=V …`) and `before/NAME/{records,summary}.csv`, written with seed 3.
//! Every run of this family's experiments is repeated in memory and compared byte for byte.

use collapse_core::records::{records_csv, summary_csv};
use std::path::PathBuf;

#[test]
#[ignore = "needs COLLAPSE_BASELINE (reference outputs of an earlier build)"]
fn outputs_match_the_baseline() {
    let Some(dir) = std::env::var_os("COLLAPSE_BASELINE").map(PathBuf::from) else {
        panic!("set COLLAPSE_BASELINE to the directory holding runs.txt and before/");
    };
    let runs = std::fs::read_to_string(dir.join("runs.txt")).expect("runs.txt");
    let catalog = collapse_regression::catalog();
    let mut compared = 0;
    let mut differ = Vec::new();
    for line in runs.lines() {
        let mut words = line.split_whitespace();
        let (Some(name), Some(id)) = (words.next(), words.next()) else {
            continue;
        };
        let Some(x) = catalog.experiments.iter().find(|x| x.id() == id) else {
            continue;
        };
        let mut sets = Vec::new();
        while let Some(w) = words.next() {
            assert_eq!(w, "--set", "{line}");
            let kv = words.next().expect("--set K=V");
            let (k, v) = kv.split_once('=').expect("K=V");
            sets.push((k, v));
        }
        let run = x.configure_with(&sets).unwrap().collect(3).unwrap();
        let before = dir.join("before").join(name);
        for (file, text) in [
            ("records.csv", records_csv(&run.records)),
            ("summary.csv", summary_csv(&run.summary)),
        ] {
            let want = std::fs::read_to_string(before.join(file)).expect(file);
            if want != text {
                differ.push(format!("{name}/{file}"));
            }
            compared += 1;
        }
        eprintln!("{name} ({id}) compared");
    }
    assert!(compared > 0, "no run of this family in runs.txt");
    assert!(differ.is_empty(), "differ: {differ:?}");
}
