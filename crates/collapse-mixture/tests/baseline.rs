//! Byte identity with outputs written by an earlier build: `records.csv` and `summary.csv` of
//! the baseline runs `m1`–`m4` under seed 3. Run with the directory that holds them:
//!
//! ```text
//! COLLAPSE_BASELINE=DIR cargo test --release -p collapse-mixture --test baseline -- --ignored
//! ```
//!
//! Earlier builds wrote `-0` where the command now writes `0`; the comparison reads them as
//! the same text.

use collapse_core::records::{records_csv, summary_csv};

/// A baseline run: its directory, the experiment, the parameters.
type Run = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The baseline runs.
const RUNS: [Run; 4] = [
    (
        "m1",
        "gmm-chain",
        &[
            ("generations", "30"),
            ("replicates", "3"),
            ("samples", "300"),
        ],
    ),
    (
        "m2",
        "gmm-chain",
        &[
            ("generations", "30"),
            ("replicates", "3"),
            ("samples", "300"),
            ("setting", "notebook"),
        ],
    ),
    (
        "m3",
        "mixture-kde",
        &[("replicates", "20"), ("generations", "20")],
    ),
    (
        "m4",
        "sources-gaussian",
        &[("replicates", "10"), ("generations", "10")],
    ),
];

/// `-0` fields written as `0`.
fn without_negative_zero(text: &str) -> String {
    text.lines()
        .map(|l| {
            l.split(',')
                .map(|f| if f == "-0" { "0" } else { f })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
#[ignore = "needs COLLAPSE_BASELINE, a directory of earlier outputs"]
fn outputs_are_byte_identical_to_the_baseline() {
    let dir = std::path::PathBuf::from(
        std::env::var("COLLAPSE_BASELINE").expect("COLLAPSE_BASELINE names the baseline directory"),
    );
    let catalog = collapse_mixture::catalog();
    for (name, id, sets) in RUNS {
        let x = catalog.experiments.iter().find(|e| e.id() == id).unwrap();
        let run = x.configure_with(sets).unwrap().collect(3).unwrap();
        for (file, text) in [
            ("records.csv", records_csv(&run.records)),
            ("summary.csv", summary_csv(&run.summary)),
        ] {
            let path = dir.join(name).join(file);
            let before = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let before = without_negative_zero(&before);
            assert!(
                text == before,
                "{name}/{file} differs from the baseline ({} vs {} bytes)",
                text.len(),
                before.len()
            );
            eprintln!("{name}/{file}: identical ({} bytes)", text.len());
        }
    }
}
