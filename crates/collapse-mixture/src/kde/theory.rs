//! The exact expected variance of every generation of a KDE chain (Kazdan et al. 2024's
//! workflows).
//!
//! Let $S = \sum \|x\|^2$, $T = \sum x$ over a training set of $N$ points and
//! $B = S/N - \|T\|^2/N^2$ its (trace of the) biased covariance. A KDE with kernel shape $H$
//! has $\operatorname{tr}\operatorname{Cov} = B + c_K\operatorname{tr}H$ ($c_K = 1$ for the
//! Gaussian kernel, $1/(d+2)$ for the tophat), with $\operatorname{tr}H = d h^2$ (fixed),
//! $d f_N^2$ (scikit-learn's rules) or $f_N^2\,\tfrac{N}{N-1}B$ (scipy's rules). Drawing $M$
//! points from it gives $\mathbb E[\sum\|x\|^2] = M(S/N + c_K\operatorname{tr}H)$ and
//! $\mathbb E\|\sum x\|^2 = M\operatorname{tr}\operatorname{Cov} + M^2\|T\|^2/N^2$. Every
//! quantity is linear in $(\mathbb E S, \mathbb E\|T\|^2)$, so the expectations propagate
//! exactly through replace, accumulate and accumulate-subsample (a subsample of $M$ out of $N$
//! has $\mathbb E S' = (M/N) S$ and
//! $\mathbb E\|T'\|^2 = M B\,\tfrac{N-M}{N-1} + M^2\|T\|^2/N^2$).
//! The derivation is in `proofs/mixtures.md`.

use crate::kde::estimator::{Bandwidth, Kernel};
use collapse_core::Policy;

/// `E[tr Cov_n] / d` of generations `0..=n` of a KDE chain started from a truth with
/// `tr Cov_0 = d v0` and `‖μ_0‖² = m0sq`, `M` points per generation. The result is affine in
/// `(v0, m0sq)`, so for a random truth (blobs) their expectations give the exact expectation.
pub fn expected_var(
    policy: Policy,
    kernel: Kernel,
    bw: Bandwidth,
    d: usize,
    m: usize,
    v0: f64,
    m0sq: f64,
    n: u64,
) -> Vec<f64> {
    let (df, mf) = (d as f64, m as f64);
    let ck = kernel.variance_factor(d);
    let kernel = |nn: f64, b: f64| ck * bw.trace(nn, df, b);
    let mut out = vec![v0];
    // The training set of generation 1 is M points of the truth; it is also the pool.
    let tr0 = df * v0;
    let (mut s, mut q, mut nn) = (mf * (tr0 + m0sq), mf * tr0 + mf * mf * m0sq, mf);
    let (mut ps, mut pq, mut pn) = (s, q, nn);
    for g in 1..=n {
        let b = s / nn - q / (nn * nn);
        let th = kernel(nn, b);
        let tr = b + th;
        out.push(tr / df);
        if g == n {
            break;
        }
        // Draw M points of generation g: E Σ‖x‖², E[T_train·T_D] = (M/N) E‖T_train‖²
        // (written for the pool below), E‖T_D‖².
        let sd = mf * (s / nn + th);
        let qd = mf * tr + mf * mf * q / (nn * nn);
        match policy {
            Policy::Replace | Policy::Mix { .. } => {
                s = sd;
                q = qd;
                nn = mf;
            }
            Policy::Accumulate => {
                // The model was fitted on the whole pool: T_train = T_pool.
                let cross = mf / nn * q;
                s += sd;
                q += 2.0 * cross + qd;
                nn += mf;
            }
            Policy::AccumulateSubsample => {
                // E[T_pool · T_D] = (M/N_train) E[T_pool · T_train] = (M/N_pool) E‖T_pool‖²
                // when the training set is a subsample of the pool (or the pool itself).
                let cross = mf / pn * pq;
                ps += sd;
                pq += 2.0 * cross + qd;
                pn += mf;
                let bp = ps / pn - pq / (pn * pn);
                s = mf / pn * ps;
                q = mf * bp * (pn - mf) / (pn - 1.0) + mf * mf * pq / (pn * pn);
                nn = mf;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_fixed_has_the_geometric_closed_form() {
        // E V_n = a^n σ² + h²(1 − a^n)/(1 − a), a = (M − 1)/M.
        let (m, h, v0) = (20usize, 0.5, 1.3);
        let a = (m as f64 - 1.0) / m as f64;
        let g = Kernel::Gaussian;
        let v = expected_var(Policy::Replace, g, Bandwidth::Fixed(h), 1, m, v0, 0.0, 10);
        for (n, vn) in v.iter().enumerate() {
            let an = a.powi(n as i32);
            let want = an * v0 + h * h * (1.0 - an) / (1.0 - a);
            assert!((vn - want).abs() < 1e-12, "{n}: {vn} vs {want}");
        }
        // Subsampling M of a pool of M is the pool: generation 1 agrees everywhere.
        let s = expected_var(
            Policy::AccumulateSubsample,
            g,
            Bandwidth::Fixed(h),
            1,
            m,
            v0,
            0.0,
            3,
        );
        let acc = expected_var(Policy::Accumulate, g, Bandwidth::Fixed(h), 1, m, v0, 0.0, 3);
        assert!((s[1] - v[1]).abs() < 1e-12 && (acc[1] - v[1]).abs() < 1e-12);
        // The tophat adds h²/(d + 2) a coordinate: the same geometric form with that kernel.
        let d = 2;
        let t = expected_var(
            Policy::Replace,
            Kernel::Tophat,
            Bandwidth::Fixed(h),
            d,
            m,
            v0,
            0.0,
            10,
        );
        for (n, vn) in t.iter().enumerate() {
            let an = a.powi(n as i32);
            let want = an * v0 + h * h / 4.0 * (1.0 - an) / (1.0 - a);
            assert!((vn - want).abs() < 1e-12, "{n}: {vn} vs {want}");
        }
    }
}
