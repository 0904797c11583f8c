//! Byte-identity of the family's outputs against reference runs of an earlier build.
//!
//! `COLLAPSE_BASELINE=DIR cargo test --release -p collapse-discrete --test baseline -- --ignored`
//! compares `records.csv` and `summary.csv` of each run below (seed 3) with `DIR/NAME/`, where
//! the reference build wrote them with `collapse run ID --set … --seed 3 --out DIR/NAME`.

use collapse_core::DynExperiment;
use collapse_core::records::{records_csv, summary_csv};
use collapse_discrete::chain_experiment::DiscreteChain;
use collapse_discrete::sources_experiment::SourcesDiscrete;

type Run = (
    &'static str,
    fn() -> DynExperiment,
    &'static [(&'static str, &'static str)],
);

const RUNS: [Run; 3] = [
    (
        "d1",
        || DynExperiment::new(DiscreteChain),
        &[
            ("replicates", "20"),
            ("generations", "30"),
            ("categories", "50"),
            // The reference build's default (500) tracked min(500, K) categories; the default
            // is now none, and more than K is refused.
            ("track_extinction", "50"),
        ],
    ),
    (
        "d2",
        || DynExperiment::new(DiscreteChain),
        &[
            ("replicates", "20"),
            ("generations", "30"),
            ("categories", "50"),
            ("track_extinction", "50"),
            ("fit", "add-alpha"),
            ("policy", "accumulate"),
        ],
    ),
    (
        "d3",
        || DynExperiment::new(SourcesDiscrete),
        &[
            ("replicates", "10"),
            ("generations", "20"),
            ("categories", "30"),
        ],
    ),
];

#[test]
#[ignore = "needs COLLAPSE_BASELINE, a directory of reference runs"]
fn outputs_are_byte_identical_to_the_baseline() {
    let dir = std::env::var("COLLAPSE_BASELINE").expect("COLLAPSE_BASELINE=DIR");
    let dir = std::path::Path::new(&dir);
    for (name, experiment, sets) in RUNS {
        let run = experiment()
            .configure_with(sets)
            .unwrap()
            .collect(3)
            .unwrap();
        for (file, text) in [
            ("records.csv", records_csv(&run.records)),
            ("summary.csv", summary_csv(&run.summary)),
        ] {
            let want = std::fs::read_to_string(dir.join(name).join(file)).unwrap();
            assert!(
                text == want,
                "{name}/{file} differs ({} bytes against {})",
                text.len(),
                want.len()
            );
            eprintln!("{name}/{file}: identical ({} bytes)", text.len());
        }
    }
}
