//! Closed forms of the error-source taxonomy for the Gaussian/mixture case: the variance of the
//! one-Gaussian series, and the KL divergence and L2 distance of the moment-matched Gaussian
//! (the expressivity error of one generation), with the quadrature they are checked against.

use crate::model::Mixture;
use collapse_core::Sources;

/// Closed forms for the series that have one: the variance of the one-Gaussian series.
///
/// Generation 1 of a one-Gaussian fit is unbiased for (or, with the MLE, `(M−1)/M` times) the
/// variance of `p_0`; from then on every generation is a Gaussian chain, so
/// `E σ²_n = Var p_0` (unbiased) or `((M−1)/M)^n Var p_0` (MLE), in both modes.
pub fn expected_var(s: Sources, var0: f64, m: usize, n: u64) -> Option<f64> {
    if !s.expressivity {
        return None;
    }
    let a = if s.approximation {
        (m as f64 - 1.0) / m as f64
    } else {
        1.0
    };
    Some(if n == 0 {
        var0
    } else {
        var0 * a.powi(n as i32)
    })
}

/// `KL(p ‖ N(m, v))` for the moment-matched Gaussian: `½ ln(2πe v) − H(p)`, with the entropy
/// `H(p)` of a 1-D mixture by composite Simpson quadrature on a fine grid.
pub fn kl_moment_matched(p: &Mixture) -> f64 {
    0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E * p.var()).ln() - entropy_simpson(p)
}

/// `H(p) = −∫ p ln p` of a 1-D mixture by composite Simpson over ±14 sd of every component.
pub fn entropy_simpson(p: &Mixture) -> f64 {
    let lo = p
        .comps
        .iter()
        .map(|c| c.mean[0] - 14.0 * c.cov[0].sqrt())
        .fold(f64::INFINITY, f64::min);
    let hi = p
        .comps
        .iter()
        .map(|c| c.mean[0] + 14.0 * c.cov[0].sqrt())
        .fold(f64::NEG_INFINITY, f64::max);
    simpson(lo, hi, 200_000, |x| {
        let lp = p.log_pdf(&[x]);
        -lp.exp() * lp
    })
}

/// Composite Simpson's rule with `n` (even) intervals.
pub fn simpson(lo: f64, hi: f64, n: usize, f: impl Fn(f64) -> f64) -> f64 {
    let n = n + n % 2;
    let h = (hi - lo) / n as f64;
    let mut s = f(lo) + f(hi);
    for i in 1..n {
        s += f(lo + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0
}

/// `∫ (p − N(m, v))²` for the moment-matched Gaussian of a 1-D mixture, written out:
/// `Σᵢⱼ πᵢπⱼ φ(μᵢ − μⱼ; σᵢ² + σⱼ²) − 2 Σᵢ πᵢ φ(μᵢ − m; σᵢ² + v) + 1/(2√(π v))`.
pub fn l2_moment_matched(p: &Mixture) -> f64 {
    let phi = |x: f64, v: f64| (-0.5 * x * x / v).exp() / (2.0 * std::f64::consts::PI * v).sqrt();
    let (m, v) = (p.mean()[0], p.var());
    let mut pp = 0.0;
    let mut pq = 0.0;
    for (a, ca) in p.weights.iter().zip(&p.comps) {
        for (b, cb) in p.weights.iter().zip(&p.comps) {
            pp += a * b * phi(ca.mean[0] - cb.mean[0], ca.cov[0] + cb.cov[0]);
        }
        pq += a * phi(ca.mean[0] - m, ca.cov[0] + v);
    }
    pp - 2.0 * pq + 1.0 / (2.0 * (std::f64::consts::PI * v).sqrt())
}
