//! The experiments end to end through their declared parameters: refusals with reasons, the
//! closed forms they print against their own simulation, determinism across thread counts.

use collapse_core::{DynExperiment, ParamError};
use collapse_latent::chain::LatentChain;
use collapse_latent::names::{FRECHET, SIGMA2, THEORY_FRECHET, THEORY_SIGMA2, THEORY_TRACE, TRACE};
use collapse_latent::sources::SourcesLatent;

fn chain() -> DynExperiment {
    DynExperiment::new(LatentChain)
}

fn refusal(x: &DynExperiment, sets: &[(&str, &str)]) -> String {
    let e: ParamError = x.configure_with(sets).unwrap_err();
    e.to_string()
}

#[test]
fn bad_input_is_refused_with_the_parameter_and_a_reason() {
    let x = chain();
    let e = refusal(&x, &[("latent", "0")]);
    assert!(
        e.contains("`latent`") && e.contains("nothing to encode"),
        "{e}"
    );
    let e = refusal(&x, &[("latent", "64")]);
    assert!(
        e.contains("`latent`") && e.contains("not below the 64 pixels"),
        "{e}"
    );
    let e = refusal(&x, &[("latent", "61")]);
    assert!(
        e.contains("rank 61") && e.contains("1 <= latent <= 60"),
        "{e}"
    );
    let e = refusal(&x, &[("samples", "21")]);
    assert!(
        e.contains("`samples`") && e.contains("samples >= latent + 2 = 22"),
        "{e}"
    );
    let e = refusal(&x, &[("policy", "accumulate-subsample")]);
    assert!(e.contains("`sampler`"), "{e}");
    let e = refusal(
        &x,
        &[
            ("fit", "vae"),
            ("replicates", "1000000"),
            ("steps", "100000"),
        ],
    );
    assert!(e.contains("`steps`") && e.contains("Adam steps"), "{e}");
    assert!(x.configure_with(&[("samples", "22")]).is_ok());

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.csv");
    let e = refusal(&x, &[("images", missing.to_str().unwrap())]);
    assert!(e.contains("`images`") && e.contains("cannot read"), "{e}");
    // A line of the wrong width, and a non-finite pixel, each named with its line.
    let good: Vec<String> = (0..10)
        .map(|c| {
            let px: Vec<String> = (0..64)
                .map(|p| ((p * 7 + c * 3) % 17).to_string())
                .collect();
            format!("{},{c}", px.join(","))
        })
        .collect();
    let wide = dir.path().join("wide.csv");
    std::fs::write(&wide, format!("{}\n1,2,3,4\n", good.join("\n"))).unwrap();
    let e = refusal(&x, &[("images", wide.to_str().unwrap())]);
    assert!(e.contains("line 11 has 4 fields; expected 65"), "{e}");
    let mut nan = good.clone();
    nan[2] = nan[2].replacen("0,", "NaN,", 1);
    let bad = dir.path().join("nan.csv");
    std::fs::write(&bad, nan.join("\n")).unwrap();
    let e = refusal(&x, &[("images", bad.to_str().unwrap())]);
    assert!(
        e.contains("line 3") && e.contains("not a finite number"),
        "{e}"
    );
    // Ten images of rank at most 9 cannot fit 20 latents.
    let small = dir.path().join("small.csv");
    std::fs::write(&small, good.join("\n")).unwrap();
    let e = refusal(&x, &[("images", small.to_str().unwrap())]);
    assert!(e.contains("`latent`") && e.contains("rank"), "{e}");
    assert!(
        x.configure_with(&[
            ("images", small.to_str().unwrap()),
            ("latent", "2"),
            ("samples", "10")
        ])
        .is_ok()
    );

    let s = DynExperiment::new(SourcesLatent);
    let e = refusal(&s, &[("latent", "61")]);
    assert!(e.contains("`latent`"), "{e}");
    let e = refusal(&s, &[("samples", "10")]);
    assert!(e.contains("`samples`"), "{e}");
}

#[test]
fn a_user_file_runs_like_the_built_in_digits() {
    let dir = tempfile::tempdir().unwrap();
    let plain =
        String::from_utf8(collapse_data::digits::gunzip(collapse_data::digits::CSV_GZ).unwrap())
            .unwrap();
    let f = dir.path().join("digits.csv");
    std::fs::write(&f, plain).unwrap();
    let sets = |images: &str| {
        vec![
            ("images", images.to_string()),
            ("generations", "3".to_string()),
            ("replicates", "4".to_string()),
        ]
    };
    let run = |images: &str| {
        let owned = sets(images);
        let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
        chain().configure_with(&pairs).unwrap().collect(5).unwrap()
    };
    let a = run("digits");
    let b = run(f.to_str().unwrap());
    assert_eq!(a.records, b.records);
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let x = chain();
    let c = x
        .configure_with(&[
            ("generations", "4"),
            ("replicates", "6"),
            ("sampler", "naive"),
            ("policy", "accumulate-subsample"),
        ])
        .unwrap();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let a = one.install(|| c.collect(3).unwrap());
    let b = c.collect(3).unwrap();
    assert_eq!(a.records, b.records);
    assert!(!a.records.is_empty());
}

#[test]
fn the_infinite_sample_mode_matches_its_closed_forms() {
    for estimator in ["unbiased", "mle"] {
        let run = chain()
            .configure_with(&[
                ("mode", "infinite"),
                ("generations", "5"),
                ("replicates", "1"),
                ("estimator", estimator),
                ("samples", "100"),
            ])
            .unwrap()
            .collect(1)
            .unwrap();
        let value = |metric: &str, step: u64| {
            run.summary
                .iter()
                .find(|r| r.metric == metric && r.step == step)
                .map(|r| r.mean)
                .unwrap()
        };
        for step in 0..=5 {
            for (sim, th) in [
                (TRACE, THEORY_TRACE),
                (SIGMA2, THEORY_SIGMA2),
                (FRECHET, THEORY_FRECHET),
            ] {
                let (a, b) = (value(sim, step), value(th, step));
                assert!(
                    (a - b).abs() <= 1e-10 * b.abs().max(1e-3),
                    "{estimator} {sim} {step}: {a} vs {b}"
                );
            }
        }
    }
}

#[test]
fn every_policy_and_both_fits_run() {
    for (policy, sampler) in [
        ("replace", "exact"),
        ("accumulate", "exact"),
        ("accumulate-subsample", "naive"),
        ("mix", "exact"),
    ] {
        for fit in ["ppca", "vae"] {
            let run = chain()
                .configure_with(&[
                    ("policy", policy),
                    ("sampler", sampler),
                    ("fit", fit),
                    ("steps", "20"),
                    ("generations", "2"),
                    ("replicates", "2"),
                    ("samples", "300"),
                ])
                .unwrap()
                .collect(2)
                .unwrap();
            assert!(
                run.records.iter().all(|r| r.value.is_finite()),
                "{policy} {fit}"
            );
            assert_eq!(
                run.records
                    .iter()
                    .filter(|r| r.metric == "elbo_gap")
                    .count()
                    > 0,
                fit == "vae"
            );
        }
    }
}
