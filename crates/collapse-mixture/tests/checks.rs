//! Every check passes at the quick budget, and fails when fed a plausible wrong prediction or
//! run on the wrong chain.

use collapse_core::{Budget, Check, CheckContext, Outcome, Policy, Sources};
use collapse_mixture::checks::{checks, em, kde, l2, sources};
use collapse_mixture::kde::Kernel;
use collapse_mixture::kde::{Bandwidth, BandwidthRule};

fn run(id: &str) -> Outcome {
    let c: Check = checks()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} not registered"));
    let o = c.run(Budget::Quick).unwrap_or_else(|e| panic!("{id}: {e}"));
    eprintln!("{id}: {o:?}");
    assert!(o.pass(), "{id} failed: {o:?}");
    o
}

/// The quick-budget context of check `id` (its own streams).
fn q(id: &str) -> CheckContext {
    CheckContext::new(id, Budget::Quick)
}

#[test]
fn ids_are_family_first_and_unique() {
    let all = checks();
    assert_eq!(all.len(), 17);
    let (m, s): (Vec<Check>, Vec<Check>) =
        all.into_iter().partition(|c| c.id.starts_with("mixture."));
    collapse_core::check::validate_ids(&m, "mixture.").unwrap();
    collapse_core::check::validate_ids(&s, "sources.").unwrap();
}

#[test]
fn em_recovery() {
    let o = run("mixture.em-recovery");
    let wrong = em::em_recovery_complete_data();
    eprintln!("complete-data prediction: {wrong}");
    assert!(!o.with_prediction(wrong).pass());
}

#[test]
fn em_monotone() {
    let o = run("mixture.em-monotone");
    // "Every iteration raises the log-likelihood by at least 1e-6" is false near convergence.
    assert!(!o.with_prediction(-1e-6).pass());
}

fn fixed() -> kde::KdeCase {
    kde::mixture_case(Bandwidth::Fixed(kde::KDE_H))
}

#[test]
fn kde_replace() {
    let o = run("mixture.kde-variance-replace");
    assert!(!o.with_prediction(kde::kde_wrong_no_kernel(fixed())).pass());
    assert!(
        !o.with_prediction(kde::kde_prediction(Policy::Accumulate, fixed()))
            .pass()
    );
}

#[test]
fn kde_accumulate() {
    let o = run("mixture.kde-variance-accumulate");
    assert!(
        !o.with_prediction(kde::kde_prediction(Policy::Replace, fixed()))
            .pass()
    );
    assert!(!o.with_prediction(kde::kde_wrong_no_kernel(fixed())).pass());
}

#[test]
fn kde_subsample() {
    let o = run("mixture.kde-variance-subsample");
    assert!(
        !o.with_prediction(kde::kde_prediction(Policy::Accumulate, fixed()))
            .pass()
    );
}

#[test]
fn kde_silverman() {
    let o = run("mixture.kde-variance-silverman");
    let case = |r| kde::mixture_case(Bandwidth::new(r, 0.0));
    assert!(
        !o.with_prediction(kde::kde_wrong_no_kernel(case(
            BandwidthRule::ScipySilverman
        )))
        .pass()
    );
    assert!(
        !o.with_prediction(kde::kde_prediction(
            Policy::Replace,
            case(BandwidthRule::ScipyScott)
        ))
        .pass()
    );
    // scikit-learn's Silverman rule (not scaled by the data's spread) is another chain.
    assert!(
        !o.with_prediction(kde::kde_prediction(
            Policy::Replace,
            case(BandwidthRule::SklearnSilverman)
        ))
        .pass()
    );
}

#[test]
fn kde_tophat() {
    let o = run("mixture.kde-variance-tophat");
    let tophat = kde::tophat_case();
    // A Gaussian kernel of the same h would add h², not h²/(d + 2).
    let gaussian = kde::KdeCase {
        kernel: Kernel::Gaussian,
        ..tophat
    };
    assert!(
        !o.with_prediction(kde::kde_prediction(Policy::Replace, gaussian))
            .pass()
    );
    // The uniform law on the sphere (radius exactly h) would add h²/d.
    let sphere = kde::KdeCase {
        bandwidth: Bandwidth::Fixed(kde::KDE_H * (4.0f64 / 2.0).sqrt()),
        ..tophat
    };
    assert!(
        !o.with_prediction(kde::kde_prediction(Policy::Replace, sphere))
            .pass()
    );
    // Wrong code: the chain run with a Gaussian kernel, against the tophat's prediction.
    let c = q("mixture.kde-variance-tophat");
    let measured = kde::kde_variance(&c, Policy::Replace, gaussian);
    assert!(
        !measured
            .with_prediction(kde::kde_prediction(Policy::Replace, tophat))
            .pass()
    );
}

#[test]
fn kde_sklearn_scott() {
    let o = run("mixture.kde-variance-sklearn-scott");
    let case = kde::sklearn_case();
    // scipy's Scott rule (scaled by the blobs' wide spread) predicts another chain.
    let scipy = kde::KdeCase {
        bandwidth: Bandwidth::new(BandwidthRule::ScipyScott, 0.0),
        ..case
    };
    assert!(
        !o.with_prediction(kde::kde_prediction(Policy::Accumulate, scipy))
            .pass()
    );
    // The bandwidth of the first M points kept for every generation (N not growing).
    assert!(
        !o.with_prediction(kde::kde_prediction(Policy::Replace, case))
            .pass()
    );
    // Wrong code: the blobs' centres fixed at the origin.
    let c = q("mixture.kde-variance-sklearn-scott");
    let one_blob = kde::KdeCase {
        truth: collapse_mixture::kde::TruthSpec {
            centers: 1,
            ..case.truth
        },
        ..case
    };
    let measured = kde::kde_variance(&c, Policy::Accumulate, one_blob);
    assert!(
        !measured
            .with_prediction(kde::kde_prediction(Policy::Accumulate, case))
            .pass()
    );
}

#[test]
fn kde_dataset_moments() {
    let o = run("mixture.kde-dataset-moments");
    eprintln!("moments gap: {}", o.measured);
    // A closed form that forgets the noise's variance fails; so does too coarse a quadrature
    // of the right one (the comparison is not a tautology).
    assert!(!kde::moments_outcome(kde::moments_gap(60, 0.0, 0.05)).pass());
    assert!(!kde::moments_outcome(kde::moments_gap(4, 0.05, 0.05)).pass());
}

#[test]
fn l2_1d() {
    let o = run("mixture.l2-quadrature-1d");
    let (p, q) = l2::l2_pair_1d();
    assert!(!o.with_prediction(l2::l2_wrong(&p, &q)).pass());
}

#[test]
fn l2_2d() {
    let o = run("mixture.l2-quadrature-2d");
    let (p, q) = l2::l2_pair_2d();
    assert!(!o.with_prediction(l2::l2_wrong(&p, &q)).pass());
}

#[test]
fn expressivity_kl() {
    let o = run("sources.expressivity-kl");
    assert!(!o.with_prediction(0.0).pass());
}

#[test]
fn expressivity_l2() {
    let o = run("sources.expressivity-l2");
    assert!(!o.with_prediction(0.0).pass());
}

#[test]
fn expressivity_no_drift() {
    let o = run("sources.expressivity-no-drift");
    assert!(!o.with_prediction(sources::no_drift_wrong()).pass());
}

#[test]
fn approximation_mle() {
    let o = run("sources.approximation-mle");
    // Off by one generation.
    assert!(
        !o.with_prediction(sources::approximation_prediction(19))
            .pass()
    );
}

#[test]
fn statistical_expressivity() {
    let o = run("sources.statistical-expressivity-variance");
    assert!(!o.with_prediction(sources::finite_prediction(true)).pass());
}

#[test]
fn all_sources() {
    let o = run("sources.all-variance");
    assert!(!o.with_prediction(sources::finite_prediction(false)).pass());
}

#[test]
fn wrong_code_fails() {
    let source = |statistical, expressivity, approximation| Sources {
        statistical,
        expressivity,
        approximation,
    };
    // The right family (a two-component EM, no source) fits p_0 exactly: no moment-matching
    // error to find.
    let none = source(false, false, false);
    let c = q("sources.expressivity-kl");
    assert!(!sources::expressivity_kl(&c, none).unwrap().pass());
    let c = q("sources.expressivity-l2");
    assert!(!sources::expressivity_l2(&c, none).unwrap().pass());
    // With the MLE's shrinkage on as well, the chain drifts after generation 1.
    let c = q("sources.expressivity-no-drift");
    let shrinking = source(false, true, true);
    assert!(
        !sources::expressivity_no_drift(&c, shrinking)
            .unwrap()
            .pass()
    );
    // The unbiased variance where the MLE is claimed.
    let c = q("sources.approximation-mle");
    assert!(!sources::approximation_mle(&c, false).unwrap().pass());
    // The two finite-sample one-Gaussian chains swapped.
    let c = q("sources.statistical-expressivity-variance");
    assert!(!sources::statistical_expressivity(&c, source(true, true, true)).pass());
    let c = q("sources.all-variance");
    assert!(!sources::all_sources(&c, source(true, true, false)).pass());
}
