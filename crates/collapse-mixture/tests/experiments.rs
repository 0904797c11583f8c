//! The experiments: registered, deterministic, validated, no NaN, and the GMM experiment's
//! behaviour in both settings.

use collapse_core::records::{records_csv, summarize};
use collapse_core::{Experiment, RunContext};
use collapse_mixture::experiments;

fn exp(id: &str) -> Experiment {
    experiments().into_iter().find(|e| e.id == id).unwrap()
}

fn mean_at(out: &collapse_core::RunOutput, series: &str, step: u64, metric: &str) -> f64 {
    let s = summarize(&out.records, &out.theory);
    s.iter()
        .find(|r| r.series == series && r.step == step && r.metric == metric)
        .map(|r| r.mean)
        .unwrap_or(f64::NAN)
}

#[test]
fn ids_and_params() {
    let ids: Vec<&str> = experiments().iter().map(|e| e.id).collect();
    assert_eq!(ids, ["gmm-chain", "mixture-kde", "sources-gaussian"]);
    for e in experiments() {
        e.resolve(None, &[]).unwrap();
    }
    let e = exp("gmm-chain");
    let bad = |k: &str, v: &str| {
        e.resolve(None, &[(k.to_string(), v.to_string())])
            .unwrap_err()
            .to_string()
    };
    assert!(bad("setting", "blob").contains("paper | notebook"));
    assert!(bad("dim", "0").contains("`dim`"));
    let msg = e
        .resolve(
            None,
            &[
                ("setting".into(), "notebook".into()),
                ("components".into(), "2".into()),
            ],
        )
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`components`") && msg.contains("0 or 1"),
        "{msg}"
    );
    assert!(bad("snapshots", "1,x").contains("`snapshots`"));
    let k = exp("mixture-kde");
    let msg = k
        .resolve(None, &[("policies".into(), "replace,keep".into())])
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`policies`") && msg.contains("accumulate-subsample"),
        "{msg}"
    );
}

fn deterministic(id: &str, sets: &[(&str, &str)]) -> collapse_core::RunOutput {
    let e = exp(id);
    let (_, a) = e.run_with(sets, &RunContext::new(7, id)).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let (_, b) = pool
        .install(|| e.run_with(sets, &RunContext::new(7, id)))
        .unwrap();
    assert_eq!(
        records_csv(&a.records),
        records_csv(&b.records),
        "{id} depends on the thread count"
    );
    assert!(
        a.records.iter().all(|r| !r.value.is_nan()),
        "{id} wrote NaN"
    );
    assert!(
        a.theory.iter().all(|r| !r.value.is_nan()),
        "{id} wrote NaN theory"
    );
    a
}

#[test]
fn gmm_chain_both_settings_collapse() {
    for setting in ["paper", "notebook"] {
        let out = deterministic(
            "gmm-chain",
            &[
                ("setting", setting),
                ("generations", "60"),
                ("samples", "200"),
                ("replicates", "4"),
                ("snapshots", "0,50"),
            ],
        );
        // The L2 distance is 0 at generation 0 and grows.
        assert_eq!(mean_at(&out, setting, 0, "l2_distance"), 0.0);
        assert!(
            mean_at(&out, setting, 60, "l2_distance") > mean_at(&out, setting, 1, "l2_distance")
        );
        assert!(
            out.records
                .iter()
                .any(|r| r.metric == "mu1_0" && r.step == 50)
        );
    }
    // Every policy runs through the core loop.
    for policy in ["accumulate", "accumulate-subsample", "mix"] {
        deterministic(
            "gmm-chain",
            &[
                ("policy", policy),
                ("generations", "5"),
                ("samples", "100"),
                ("replicates", "2"),
            ],
        );
    }
}

#[test]
fn kde_experiment_tracks_its_theory() {
    let out = deterministic(
        "mixture-kde",
        &[
            ("generations", "20"),
            ("replicates", "400"),
            ("samples", "50"),
        ],
    );
    for w in ["replace", "accumulate", "accumulate-subsample"] {
        let s = summarize(&out.records, &out.theory);
        let m = s
            .iter()
            .find(|r| r.series == w && r.step == 20 && r.metric == "var")
            .unwrap();
        let t = mean_at(&out, w, 20, "theory_var");
        assert!(
            (m.mean - t).abs() < 5.5 * m.std_error,
            "{w}: {} vs {t} ± {}",
            m.mean,
            m.std_error
        );
    }
    deterministic(
        "mixture-kde",
        &[
            ("generations", "5"),
            ("replicates", "3"),
            ("dim", "2"),
            ("bandwidth", "scott"),
        ],
    );
}

#[test]
fn sources_experiment_has_every_series_and_the_taxonomy() {
    let out = deterministic(
        "sources-gaussian",
        &[("generations", "30"), ("replicates", "50")],
    );
    for s in collapse_core::Sources::all() {
        assert!(
            out.records
                .iter()
                .any(|r| r.series == s.label() && r.metric == "kl" && r.step == 30),
            "{}",
            s.label()
        );
    }
    // No source: nothing moves. Expressivity alone: an error at generation 1, then nothing.
    assert!(mean_at(&out, "none", 30, "kl") < 1e-9);
    let e1 = mean_at(&out, "expressivity", 1, "kl");
    assert!(e1 > 0.1 && (mean_at(&out, "expressivity", 30, "kl") - e1).abs() < 1e-12);
    // Approximation alone drifts; statistical error grows the divergence.
    assert!(mean_at(&out, "approximation", 30, "kl") > mean_at(&out, "approximation", 1, "kl"));
    assert!(mean_at(&out, "statistical", 30, "kl") > mean_at(&out, "statistical", 1, "kl"));
}
