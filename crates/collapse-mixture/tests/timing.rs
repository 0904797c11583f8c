//! Timing of the benchmark workload without criterion (run with `--ignored --nocapture`).
use collapse_core::check::check_stream;
use collapse_mixture::gmm_chain::{Setup, experiment};

#[test]
#[ignore]
fn time_gmm_chain() {
    for setting in ["notebook", "paper"] {
        let e = experiment();
        let sets: Vec<(String, String)> = [
            ("setting", setting),
            ("generations", "200"),
            ("snapshots", ""),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let s = Setup::from_params(&e.resolve(None, &sets).unwrap()).unwrap();
        let t = std::time::Instant::now();
        let mut recs = Vec::new();
        for r in 0..5 {
            recs = s.run_one(r, &mut check_stream("bench-mixture", r));
        }
        let it: Vec<f64> = recs
            .iter()
            .filter(|r| r.metric == "em_iterations")
            .map(|r| r.value)
            .collect();
        eprintln!(
            "{setting}: {:.1} ms per chain, mean iterations {:.1}",
            t.elapsed().as_secs_f64() * 200.0,
            it.iter().sum::<f64>() / it.len() as f64
        );
    }
}

#[test]
#[ignore]
fn time_parts() {
    use collapse_mixture::em::{self, EmConfig};
    use collapse_mixture::model::{Gaussian, Mixture};
    let mut rng = check_stream("parts", 0);
    let t = Mixture::single(Gaussian::isotropic(vec![0.0, 0.0], 1.0));
    let pts = t.sample(1000, &mut rng);
    let n = 2000;
    let s = std::time::Instant::now();
    for _ in 0..n {
        let _ = t.sample(1000, &mut rng);
    }
    eprintln!(
        "sample: {:.1} us",
        s.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    for iters in [1, 10] {
        let cfg = EmConfig::sklearn(2, 0.0, iters);
        let s = std::time::Instant::now();
        for i in 0..n {
            let _ = em::fit(2, &pts.xs, None, &cfg, i as u64);
        }
        eprintln!(
            "fit {iters} iterations: {:.1} us",
            s.elapsed().as_secs_f64() * 1e6 / n as f64
        );
    }
}

#[test]
#[ignore]
fn gh_kl_convergence() {
    use collapse_mixture::model::kl_quadrature;
    use collapse_mixture::sources::{kl_moment_matched, truth};
    let p = truth(4.0);
    let q = collapse_mixture::model::Mixture::single(p.moment_match());
    for n in [32, 64, 100, 150, 200, 300] {
        eprintln!(
            "{n}: {:e}",
            kl_quadrature(&p, &|x| q.log_pdf(x), n) - kl_moment_matched(&p)
        );
    }
}

#[test]
#[ignore]
fn print_sources() {
    use collapse_core::records::summarize;
    let e = collapse_mixture::experiments()
        .into_iter()
        .find(|e| e.id == "sources-gaussian")
        .unwrap();
    let t = std::time::Instant::now();
    let (_, out) = e
        .run_with(&[], &collapse_core::RunContext::new(1, "sources-gaussian"))
        .unwrap();
    eprintln!("default run: {:.2} s", t.elapsed().as_secs_f64());
    let s = summarize(&out.records, &out.theory);
    for src in collapse_core::Sources::all() {
        let row: Vec<String> = [0u64, 1, 2, 5, 10, 20, 50]
            .iter()
            .map(|g| {
                let v = s
                    .iter()
                    .find(|r| r.series == src.label() && r.step == *g && r.metric == "kl")
                    .map(|r| r.mean)
                    .unwrap_or(f64::NAN);
                format!("{v:.3e}")
            })
            .collect();
        eprintln!("{:28} {}", src.label(), row.join(" "));
    }
}

#[test]
#[ignore]
fn time_gmm_full() {
    let e = collapse_mixture::experiments()
        .into_iter()
        .find(|e| e.id == "gmm-chain")
        .unwrap();
    for setting in ["paper", "notebook"] {
        let t = std::time::Instant::now();
        let (_, out) = e
            .run_with(
                &[("setting", setting)],
                &collapse_core::RunContext::new(1, "gmm-chain"),
            )
            .unwrap();
        let s = collapse_core::records::summarize(&out.records, &out.theory);
        let get = |g: u64, m: &str| {
            s.iter()
                .find(|r| r.step == g && r.metric == m)
                .map(|r| r.mean)
                .unwrap_or(f64::NAN)
        };
        eprintln!(
            "{setting}: {:.1} s; l2 at 50/200/2000: {:.3e} {:.3e} {:.3e}; var at 2000 {:.3e}; conv {:.3}",
            t.elapsed().as_secs_f64(),
            get(50, "l2_distance"),
            get(200, "l2_distance"),
            get(2000, "l2_distance"),
            get(2000, "var"),
            get(2000, "em_converged")
        );
    }
}

#[test]
#[ignore]
fn early_iter_scan() {
    use collapse_mixture::sources::Setup;
    for early in [1usize, 2, 3, 5, 8, 12, 20] {
        let s = Setup {
            separation: 4.0,
            samples: 100,
            generations: 50,
            replicates: 1,
            early_iter: early,
            tol: 1e-6,
            max_iter: 1000,
            floor: 1e-6,
        };
        let src = collapse_core::Sources {
            statistical: false,
            expressivity: false,
            approximation: true,
        };
        let recs = s.run_one(src, 0, &mut check_stream("x", 0));
        let kl: Vec<String> = [1u64, 2, 5, 10, 20, 50]
            .iter()
            .map(|g| {
                format!(
                    "{:.3e}",
                    recs.iter()
                        .find(|r| r.step == *g && r.metric == "kl")
                        .unwrap()
                        .value
                )
            })
            .collect();
        eprintln!("early {early}: {}", kl.join(" "));
    }
}

#[test]
#[ignore]
fn full_budget() {
    let t0 = std::time::Instant::now();
    for c in collapse_mixture::checks() {
        let t = std::time::Instant::now();
        let o = (c.run)(collapse_core::Budget::Full);
        eprintln!(
            "{:45} pass={} {:.2}s pred={:.6e} meas={:.6e} se={:.2e} tol={:.2e}",
            c.id,
            o.pass(),
            t.elapsed().as_secs_f64(),
            o.predicted,
            o.measured,
            o.std_error,
            o.tolerance
        );
    }
    eprintln!("total {:.1}s", t0.elapsed().as_secs_f64());
}
