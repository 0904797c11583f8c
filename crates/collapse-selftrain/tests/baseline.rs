//! Byte-identity of the curated loop's outputs against a reference run directory written by an
//! earlier build of the command (`records.csv` and `summary.csv`, seed 3). (`selftrain-reversal`
//! has no such reference any more: its model changed with the calibration of its defaults.)
//!
//! Ignored by default: set `COLLAPSE_BASELINE` to the directory that holds the reference run `s2`
//! (and its `.log` file, whose first lines are the printed report, if any) and run
//! `cargo test --release -p collapse-selftrain --test baseline -- --ignored`.

use collapse_core::DynExperiment;
use collapse_core::records::{records_csv, summary_csv};
use collapse_selftrain::experiment::CuratedLoop;
use std::path::PathBuf;

fn compare(x: DynExperiment, run: &str, sets: &[(&str, &str)]) {
    let Ok(dir) = std::env::var("COLLAPSE_BASELINE") else {
        eprintln!("COLLAPSE_BASELINE is not set: nothing to compare");
        return;
    };
    let dir = PathBuf::from(dir);
    let out = x.configure_with(sets).unwrap().collect(3).unwrap();
    let read = |f: &str| std::fs::read_to_string(dir.join(run).join(f)).unwrap();
    assert!(
        records_csv(&out.records) == read("records.csv"),
        "{run}: records.csv differs"
    );
    assert!(
        summary_csv(&out.summary) == read("summary.csv"),
        "{run}: summary.csv differs"
    );
    let log = std::fs::read_to_string(dir.join(format!("{run}.log"))).unwrap();
    if let Some(report) = &out.report {
        assert!(
            log.starts_with(report.as_str()),
            "{run}: the report differs:\n{report}"
        );
    }
    eprintln!("{run}: records.csv, summary.csv and report identical");
}

#[test]
#[ignore = "needs COLLAPSE_BASELINE"]
fn s2_curated() {
    compare(
        DynExperiment::new(CuratedLoop),
        "s2",
        &[("replicates", "5"), ("rounds", "5")],
    );
}
