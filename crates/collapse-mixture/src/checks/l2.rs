//! The closed-form L2 distance between mixtures against quadrature.

use crate::model::{Gaussian, Mixture, l2_distance};
use crate::sources::theory::simpson;
use collapse_core::{CheckContext, Outcome};

/// Two 1-D mixtures for the L2 check.
pub fn l2_pair_1d() -> (Mixture, Mixture) {
    let p = Mixture::new(
        vec![0.2, 0.5, 0.3],
        vec![
            Gaussian::isotropic(vec![-2.0], 0.3),
            Gaussian::isotropic(vec![0.5], 1.2),
            Gaussian::isotropic(vec![3.0], 0.05),
        ],
    );
    let q = Mixture::new(
        vec![0.6, 0.4],
        vec![
            Gaussian::isotropic(vec![-1.0], 2.0),
            Gaussian::isotropic(vec![2.5], 0.4),
        ],
    );
    (p, q)
}

/// Two 2-D mixtures with full covariances for the L2 check.
pub fn l2_pair_2d() -> (Mixture, Mixture) {
    let p = Mixture::new(
        vec![0.45, 0.55],
        vec![
            Gaussian::new(vec![-1.0, 0.5], vec![0.8, 0.3, 0.3, 0.5]),
            Gaussian::new(vec![1.2, -0.4], vec![0.4, -0.15, -0.15, 0.9]),
        ],
    );
    let q = Mixture::new(
        vec![0.7, 0.3],
        vec![
            Gaussian::new(vec![0.0, 0.0], vec![1.5, 0.2, 0.2, 1.0]),
            Gaussian::new(vec![2.0, 1.0], vec![0.3, 0.0, 0.0, 0.3]),
        ],
    );
    (p, q)
}

/// `∫(p − q)²` by composite Simpson (1-D: 400,000 intervals on [−14, 14]).
pub fn l2_quadrature_1d(p: &Mixture, q: &Mixture) -> f64 {
    simpson(-14.0, 14.0, 400_000, |x| {
        (p.pdf(&[x]) - q.pdf(&[x])).powi(2)
    })
}

/// `∫∫(p − q)²` by a tensor-product composite Simpson rule on `[−10, 10]²`.
pub fn l2_quadrature_2d(p: &Mixture, q: &Mixture, n: usize) -> f64 {
    let (lo, hi) = (-10.0, 10.0);
    let h = (hi - lo) / n as f64;
    let wt = |i: usize| {
        if i == 0 || i == n {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        }
    };
    let mut s = 0.0;
    for i in 0..=n {
        let x = lo + i as f64 * h;
        let mut row = 0.0;
        for j in 0..=n {
            let y = lo + j as f64 * h;
            row += wt(j) * (p.pdf(&[x, y]) - q.pdf(&[x, y])).powi(2);
        }
        s += wt(i) * row;
    }
    s * h * h / 9.0
}

/// The plausible wrong formula `∫p² − ∫pq + ∫q²` (cross term counted once).
pub fn l2_wrong(p: &Mixture, q: &Mixture) -> f64 {
    use crate::model::overlap;
    overlap(p, p) - overlap(p, q) + overlap(q, q)
}

/// The 1-D pair: closed form against Simpson.
pub fn l2_1d(_: &CheckContext) -> Outcome {
    let (p, q) = l2_pair_1d();
    Outcome::exact(l2_distance(&p, &q), l2_quadrature_1d(&p, &q), 1e-10)
}

/// The 2-D pair: closed form against tensor-product Simpson.
pub fn l2_2d(c: &CheckContext) -> Outcome {
    let (p, q) = l2_pair_2d();
    Outcome::exact(
        l2_distance(&p, &q),
        l2_quadrature_2d(&p, &q, c.pick(800, 2000)),
        1e-8,
    )
}
