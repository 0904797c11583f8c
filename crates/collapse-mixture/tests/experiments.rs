//! The experiments: registered, deterministic, validated, no NaN, and the GMM experiment's
//! behaviour in both settings.

use collapse_core::records::records_csv;
use collapse_core::{Collected, DynExperiment, Sources};
use collapse_mixture::gmm_chain::{self, snapshot};
use collapse_mixture::names::{KL, L2_DISTANCE, NLL, OUTSIDE_SUPPORT, THEORY_VAR, VAR};

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
            ("bandwidth", "scipy-scott"),
        ],
    );
}

/// Every data set, kernel and bandwidth rule runs, deterministically and without NaN, and its
/// mean variance agrees with the exact expected variance.
#[test]
fn kde_data_sets_kernels_and_rules_track_their_theory() {
    let cases: [&[(&str, &str)]; 5] = [
        &[("truth", "moons"), ("kernel", "tophat"), ("h", "0.3")],
        &[("truth", "circles"), ("bandwidth", "sklearn-silverman")],
        &[
            ("truth", "swiss-roll"),
            ("bandwidth", "sklearn-scott"),
            ("test_points", "200"),
        ],
        &[("truth", "blobs"), ("bandwidth", "scipy-silverman")],
        &[
            ("truth", "blobs"),
            ("dim", "3"),
            ("kernel", "tophat"),
            ("h", "1.5"),
        ],
    ];
    for sets in cases {
        let mut all = vec![
            ("generations", "8"),
            ("replicates", "300"),
            ("samples", "30"),
        ];
        all.extend_from_slice(sets);
        let out = deterministic("mixture-kde", &all);
        for w in ["replace", "accumulate", "accumulate-subsample"] {
            let m = out
                .summary
                .iter()
                .find(|r| r.series == w && r.step == 8 && r.metric == VAR)
                .unwrap();
            let t = mean_at(&out, w, 8, THEORY_VAR);
            assert!(
                (m.mean - t).abs() < 5.5 * m.std_error,
                "{sets:?} {w}: {} vs {t} ± {}",
                m.mean,
                m.std_error
            );
        }
    }
}

/// A tophat KDE leaves test points outside its balls: their fraction is written, and `nll`
/// only where it is finite; with `nll_at=every` every generation is measured.
#[test]
fn tophat_support_and_nll_at_every_generation() {
    let out = deterministic(
        "mixture-kde",
        &[
            ("truth", "moons"),
            ("kernel", "tophat"),
            ("h", "0.1"),
            ("samples", "20"),
            ("generations", "6"),
            ("replicates", "20"),
            ("nll_at", "every"),
            ("policies", "replace"),
        ],
    );
    for g in 1..=6 {
        let outside = out
            .summary
            .iter()
            .find(|r| r.step == g && r.metric == OUTSIDE_SUPPORT)
            .unwrap();
        assert_eq!(outside.count, 20);
        // Twenty balls of radius 0.1 cannot cover the moons.
        assert!(outside.mean > 0.0, "{g}");
        let nll = out.summary.iter().find(|r| r.step == g && r.metric == NLL);
        assert!(
            nll.is_none_or(|r| r.count < 20 && r.mean.is_finite()),
            "{g}"
        );
    }
    // No NLL at generation 0 for a curve (no density to evaluate).
    assert!(!out.records.iter().any(|r| r.step == 0 && r.metric == NLL));
    // A Gaussian kernel has full support: NLL at every generation, every chain.
    let out = deterministic(
        "mixture-kde",
        &[
            ("truth", "moons"),
            ("generations", "5"),
            ("replicates", "4"),
            ("nll_at", "every"),
            ("test_points", "50"),
        ],
    );
    for g in 1..=5 {
        let nll = out
            .summary
            .iter()
            .filter(|r| r.step == g && r.metric == NLL);
        assert!(nll.clone().count() == 3 && nll.into_iter().all(|r| r.count == 4));
    }
}

/// The NLL is measured on a test set drawn from the replicate's auxiliary stream: measuring it
/// (or not, or on more points) never changes the chain.
#[test]
fn measuring_the_nll_does_not_change_the_chain() {
    let run = |extra: &[(&str, &str)]| {
        let mut sets = vec![
            ("generations", "6"),
            ("replicates", "3"),
            ("truth", "blobs"),
        ];
        sets.extend_from_slice(extra);
        let out = exp("mixture-kde")
            .configure_with(&sets)
            .unwrap()
            .collect(5)
            .unwrap();
        out.records
            .into_iter()
            .filter(|r| r.metric == VAR)
            .map(|r| r.value)
            .collect::<Vec<f64>>()
    };
    let a = run(&[]);
    assert_eq!(a, run(&[("nll_at", "every"), ("test_points", "77")]));
}

/// Bad input is refused with the parameter and what is valid; numerical edge cases give finite
/// numbers.
#[test]
fn bad_input_is_refused_and_edges_stay_finite() {
    let k = exp("mixture-kde");
    let bad = |sets: &[(&str, &str)]| k.configure_with(sets).unwrap_err().to_string();
    let e = bad(&[("truth", "spirals")]);
    assert!(
        e.contains("`truth`") && e.contains("moons | circles | swiss-roll | blobs"),
        "{e}"
    );
    let e = bad(&[("noise", "-0.1")]);
    assert!(e.contains("`noise`") && e.contains("[0, 1000]"), "{e}");
    let e = bad(&[("kernel", "tophat"), ("h", "0")]);
    assert!(e.contains("`h`") && e.contains("0.000001"), "{e}");
    let e = bad(&[("kernel", "epanechnikov")]);
    assert!(e.contains("gaussian | tophat"), "{e}");
    let e = bad(&[("bandwidth", "scott")]);
    assert!(
        e.contains("scipy-scott") && e.contains("sklearn-scott"),
        "{e}"
    );
    let e = bad(&[("truth", "moons"), ("dim", "3")]);
    assert!(e.contains("`dim`") && e.contains("dim=2"), "{e}");
    let e = bad(&[("truth", "circles"), ("factor", "1")]);
    assert!(e.contains("`factor`") && e.contains("[0, 1)"), "{e}");
    for p in ["replace,", "replace,,accumulate", ",", "replace,replace"] {
        assert!(bad(&[("policies", p)]).contains("`policies`"), "{p}");
    }
    let g = exp("gmm-chain");
    for s in ["0,,1", "0,1,", ",0", "1.5"] {
        let e = g
            .configure_with(&[("snapshots", s)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("`snapshots`"), "{s}: {e}");
    }
    assert!(g.configure_with(&[("floor", "0")]).is_err());
    assert!(
        exp("sources-gaussian")
            .configure_with(&[("floor", "0")])
            .is_err()
    );
    // The narrowest bandwidth: enormous but finite NLLs and standard errors.
    let out = exp("mixture-kde")
        .configure_with(&[("h", "1e-6"), ("generations", "2"), ("replicates", "3")])
        .unwrap()
        .collect(1)
        .unwrap();
    assert!(
        out.summary
            .iter()
            .all(|r| r.mean.is_finite() && r.std_error.is_finite())
    );
    // The smallest floor with fewer points than dimensions: finite L2 distances.
    let out = g
        .configure_with(&[
            ("dim", "8"),
            ("samples", "2"),
            ("floor", "1e-12"),
            ("generations", "5"),
            ("replicates", "3"),
        ])
        .unwrap()
        .collect(1)
        .unwrap();
    assert!(
        out.summary
            .iter()
            .all(|r| r.mean.is_finite() && r.std_error.is_finite())
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
