//! The experiments: registered, deterministic, validated, no NaN, and the GMM experiment's
//! behaviour in both settings.

use collapse_core::records::records_csv;
use collapse_core::{Collected, DynExperiment, Sources};
use collapse_mixture::gmm_chain::{self, snapshot};
use collapse_mixture::names::{KL, L2_DISTANCE, THEORY_VAR, VAR};

fn exp(id: &str) -> DynExperiment {
    collapse_mixture::catalog()
        .experiments
        .into_iter()
        .find(|e| e.id() == id)
        .unwrap()
}

fn mean_at(out: &Collected, series: &str, step: u64, metric: &str) -> f64 {
    out.summary
        .iter()
        .find(|r| r.series == series && r.step == step && r.metric == metric)
        .map(|r| r.mean)
        .unwrap_or(f64::NAN)
}

#[test]
fn ids_and_params() {
    let catalog = collapse_mixture::catalog();
    let ids: Vec<&str> = catalog.experiments.iter().map(|e| e.id()).collect();
    assert_eq!(ids, ["gmm-chain", "mixture-kde", "sources-gaussian"]);
    assert_eq!(catalog.family, "mixture");
    for e in &catalog.experiments {
        e.configure_with(&[]).unwrap();
    }
    let e = exp("gmm-chain");
    let bad = |k: &str, v: &str| e.configure_with(&[(k, v)]).unwrap_err().to_string();
    assert!(bad("setting", "blob").contains("paper | notebook"));
    assert!(bad("dim", "0").contains("`dim`"));
    let msg = e
        .configure_with(&[("setting", "notebook"), ("components", "2")])
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`components`") && msg.contains("0 or 1"),
        "{msg}"
    );
    assert!(bad("snapshots", "1,x").contains("`snapshots`"));
    let k = exp("mixture-kde");
    let msg = k
        .configure_with(&[("policies", "replace,keep")])
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`policies`") && msg.contains("accumulate-subsample"),
        "{msg}"
    );
}

fn deterministic(id: &str, sets: &[(&str, &str)]) -> Collected {
    let c = exp(id).configure_with(sets).unwrap();
    let a = c.collect(7).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let b = pool.install(|| c.collect(7)).unwrap();
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
    // The estimate of the records is honest within a factor of two.
    let estimated = c.cost().records;
    let n = a.records.len() as f64;
    assert!(
        n <= estimated && estimated <= 2.0 * n,
        "{id}: {n} records, estimated {estimated}"
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
        assert_eq!(mean_at(&out, setting, 0, L2_DISTANCE), 0.0);
        assert!(mean_at(&out, setting, 60, L2_DISTANCE) > mean_at(&out, setting, 1, L2_DISTANCE));
        let mu1_0 = snapshot::mean_metric(1, 0);
        assert!(
            out.records
                .iter()
                .any(|r| r.metric == mu1_0.as_str() && r.step == 50)
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

/// The typed snapshots of a chain are the models the run records for users, component by
/// component, and its L2 curve is the run's.
#[test]
fn typed_snapshots_are_the_recorded_models() {
    let sets = [
        ("generations", "12"),
        ("samples", "150"),
        ("replicates", "3"),
        ("snapshots", "0,5,12"),
        ("dim", "3"),
    ];
    let c = exp("gmm-chain").configure_with(&sets).unwrap();
    let run = c.collect(11).unwrap();
    let setup: &gmm_chain::Setup = c.config().unwrap();
    let r = 2;
    let chain = setup
        .snapshots(&mut gmm_chain::Setup::stream(11, r))
        .unwrap();
    let value = |g: u64, metric: &str| {
        run.records
            .iter()
            .find(|x| x.replicate == r && x.step == g && x.metric == metric)
            .map(|x| x.value)
    };
    let gens: Vec<u64> = chain.snapshots.iter().map(|s| s.generation).collect();
    assert_eq!(gens, [0, 5, 12]);
    for s in &chain.snapshots {
        let (g, m) = (s.generation, &s.model);
        let d = m.dim();
        assert_eq!(d, 3);
        for (k, (w, comp)) in m.weights.iter().zip(&m.comps).enumerate() {
            assert_eq!(value(g, &snapshot::weight_metric(k)), Some(*w));
            for a in 0..d {
                assert_eq!(value(g, &snapshot::mean_metric(k, a)), Some(comp.mean[a]));
                for b in a..d {
                    let v = value(g, &snapshot::cov_metric(k, a, b));
                    assert_eq!(v, Some(comp.cov[a * d + b]));
                }
            }
        }
        assert_eq!(value(g, &snapshot::weight_metric(m.weights.len())), None);
    }
    assert_eq!(chain.l2_distance.len(), 13);
    for &(g, v) in &chain.l2_distance {
        assert_eq!(value(g, L2_DISTANCE), Some(v));
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
        let m = out
            .summary
            .iter()
            .find(|r| r.series == w && r.step == 20 && r.metric == VAR)
            .unwrap();
        let t = mean_at(&out, w, 20, THEORY_VAR);
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
    for s in Sources::all() {
        assert!(
            out.records
                .iter()
                .any(|r| r.series == s.label() && r.metric == KL && r.step == 30),
            "{}",
            s.label()
        );
    }
    // No source: nothing moves. Expressivity alone: an error at generation 1, then nothing.
    assert!(mean_at(&out, "none", 30, KL) < 1e-9);
    let e1 = mean_at(&out, "expressivity", 1, KL);
    assert!(e1 > 0.1 && (mean_at(&out, "expressivity", 30, KL) - e1).abs() < 1e-12);
    // Approximation alone drifts; statistical error grows the divergence.
    assert!(mean_at(&out, "approximation", 30, KL) > mean_at(&out, "approximation", 1, KL));
    assert!(mean_at(&out, "statistical", 30, KL) > mean_at(&out, "statistical", 1, KL));
}
