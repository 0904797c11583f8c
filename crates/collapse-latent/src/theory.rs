//! Closed forms for linear latent-variable chains (derivations in `proofs/latent.md`).
//!
//! Under `replace` with closed-form fits, `Cₙ₊₁ = fit(Ŝ)` where `Ŝ` is the sample covariance of
//! `M` draws of `N(cₙ, Cₙ)`: `(M−1) Ŝ ~ Wishart_d(M−1, Cₙ)`. The pPCA fit keeps the trace of
//! what it is fitted to, so for every `q`
//!
//! - `E[tr Cₙ₊₁ | Cₙ] = f(M) tr Cₙ`, `f = 1` (unbiased) or `(M−1)/M` (MLE): the trace is a
//!   martingale under the unbiased estimator;
//! - `E‖cₙ₊₁ − cₙ‖² = E tr Cₙ / M`, so the mean image performs a random walk.
//!
//! With `q = d` the chain is a Wishart chain on the support of the real covariance (rank `r`):
//! `E ln pdet Cₙ₊₁ − ln pdet Cₙ = Σ_{i<r} ψ((M−1−i)/2) + r ln(2/(M−1)) < 0` (the `d`-dimensional
//! analogue of Theorem 3.1's drift). For `q < d` the one-generation expectation of `σ²` is
//! known to first order in `1/M`, `σ²` is a supermartingale (Ky Fan), and every pPCA model is a
//! fixed point of the infinite-sample map; the law of `σ²ₙ`, `ln det Cₙ` and the spectrum for
//! `n > 1` has no closed form.

use statrs::function::gamma::digamma;

/// `E[tr Ŝ]/tr C` for an estimate from `m` points: 1 for the unbiased covariance, `(m−1)/m` for
/// the MLE.
pub fn trace_factor(unbiased: bool, m: f64) -> f64 {
    if unbiased { 1.0 } else { (m - 1.0) / m }
}

/// `E ln det(W/(M−1))` for `W ~ Wishart_r(M−1, I)`: `Σ_{i<r} ψ((M−1−i)/2) + r ln(2/(M−1))`, the
/// expected change of `ln pdet C` per generation of the full-covariance chain on an
/// `r`-dimensional support (needs `M − 1 ≥ r`).
pub fn log_det_step(m: f64, r: usize) -> f64 {
    let k = m - 1.0;
    (0..r).map(|i| digamma((k - i as f64) / 2.0)).sum::<f64>() + r as f64 * (2.0 / k).ln()
}

/// Expected trace and squared mean error of generations `0..=n` of a closed-form chain under
/// `replace` whose generation 0 is fitted to `sizes[0]` real images drawn without replacement
/// from `population` images of covariance trace `trace_real`, and generation `g` to `sizes[g]`
/// draws of generation `g − 1`.
///
/// Returns `(E tr C_g, E‖c_g − m‖²)` for each `g`. The first generation uses the finite-population
/// correction `E‖c₀ − m‖² = tr S (N − M₀)/(N M₀)` (the sample covariance of a draw without
/// replacement is unbiased for `S`); `sizes[0] ≤ population` is required.
pub fn replace_moments(
    unbiased: bool,
    trace_real: f64,
    population: usize,
    sizes: &[usize],
) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(sizes.len());
    let (big, m0) = (population as f64, sizes[0] as f64);
    let mut tr = trace_factor(unbiased, m0) * trace_real;
    let mut mse = trace_real * (big - m0) / (big * m0);
    out.push((tr, mse));
    for &m in &sizes[1..] {
        let m = m as f64;
        mse += tr / m;
        tr *= trace_factor(unbiased, m);
        out.push((tr, mse));
    }
    out
}

/// The first-order expectation of `σ²` one generation after a pPCA model whose covariance has
/// the `q` leading eigenvalues `top` and noise `noise`, refitted on `m` draws with the unbiased
/// covariance: `σ² [1 − (1/(M−1)) Σ_k λ_k/(λ_k − σ²)]`, error `O(M⁻²)`. (With the MLE multiply
/// by `(M−1)/M`.)
pub fn sigma2_next_first_order(top: &[f64], noise: f64, m: f64) -> f64 {
    let s: f64 = top.iter().map(|&l| l / (l - noise)).sum();
    noise * (1.0 - s / (m - 1.0))
}

/// The Fréchet distance between `N(m, a P)` and `N(m, S)` when `P` and `S` share eigenvectors,
/// with eigenvalues `p` and `s` (in the same order): `Σ_k (√(a p_k) − √s_k)²`.
pub fn frechet_commuting(a: f64, p: &[f64], s: &[f64]) -> f64 {
    p.iter()
        .zip(s)
        .map(|(&x, &y)| ((a * x).max(0.0).sqrt() - y.max(0.0).sqrt()).powi(2))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_det_step_in_one_dimension_is_the_gaussian_drift() {
        // r = 1: ψ((M−1)/2) + ln(2/(M−1)), −γ at M = 3.
        assert!((log_det_step(3.0, 1) + 0.577_215_664_901_532_9).abs() < 1e-12);
        // E ln χ²_k = ψ(k/2) + ln 2, so one dimension with k = M − 1 drifts by ψ(k/2) + ln(2/k).
        let k = 7.0;
        let expect = digamma(k / 2.0) + 2f64.ln() - k.ln();
        assert!((log_det_step(k + 1.0, 1) - expect).abs() < 1e-14);
    }

    /// `∫ ln x · χ²_k(x) dx` by composite Simpson in `t = ln x` (the integrand `t e^{t k/2 − e^t/2}`
    /// up to the normalising constant is smooth and decays doubly exponentially on the right
    /// and exponentially on the left): an independent computation of `E ln χ²_k`.
    fn mean_log_chi2_by_quadrature(k: f64) -> f64 {
        let log_norm = (k / 2.0) * 2f64.ln() + statrs::function::gamma::ln_gamma(k / 2.0);
        let density = |t: f64| ((k / 2.0) * t - t.exp() / 2.0 - log_norm).exp();
        let (a, b, n) = (-60.0, k.ln() + 8.0, 200_000usize);
        let h = (b - a) / n as f64;
        let mut sum = 0.0;
        for i in 0..=n {
            let t = a + i as f64 * h;
            let w = if i == 0 || i == n {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            sum += w * t * density(t);
        }
        sum * h / 3.0
    }

    #[test]
    fn log_det_step_against_quadrature_of_each_bartlett_factor() {
        // ln det W = Σ_i ln χ²_{M−1−i} (Bartlett), so the step is Σ_i E ln χ²_{M−1−i} − r ln(M−1),
        // each expectation integrated numerically, for the check's setting (M = 300, r = 61)
        // and a small one.
        for (m, r) in [(300.0, 61usize), (12.0, 5)] {
            let k = m - 1.0;
            let quad: f64 = (0..r)
                .map(|i| mean_log_chi2_by_quadrature(k - i as f64))
                .sum::<f64>()
                - r as f64 * k.ln();
            let closed = log_det_step(m, r);
            assert!(
                (quad - closed).abs() < 1e-9 * closed.abs(),
                "M = {m}, r = {r}: {quad} vs {closed}"
            );
        }
    }

    #[test]
    fn second_order_ky_fan_expansion_behind_the_first_order_sigma2() {
        // K_q(C + εB) − K_q(C) − ε Σ_{k≤q} B_kk = ε² Σ_{k≤q<j} B_kj²/(λ_k − λ_j) + O(ε³), for a
        // diagonal C with q kept eigenvalues and d − q equal discarded ones (a pPCA spectrum),
        // by eigenvalues of the perturbed matrix: halving ε must shrink the remainder ~8-fold.
        let (d, q) = (7usize, 3usize);
        let lam = [5.0, 3.0, 2.0, 0.5, 0.5, 0.5, 0.5];
        let c = nalgebra::DMatrix::from_diagonal(&nalgebra::DVector::from_row_slice(&lam));
        let b = nalgebra::DMatrix::from_fn(d, d, |i, j| {
            let (i, j) = (i.min(j) as f64, i.max(j) as f64);
            ((i * 1.7 + j * 0.9).sin() + 0.3 * (i - j)).cos()
        });
        let top = |a: &nalgebra::DMatrix<f64>| -> f64 {
            let mut v: Vec<f64> = a.clone().symmetric_eigenvalues().iter().copied().collect();
            v.sort_by(|x, y| y.total_cmp(x));
            v[..q].iter().sum()
        };
        let second: f64 = (0..q)
            .flat_map(|k| (q..d).map(move |j| (k, j)))
            .map(|(k, j)| b[(k, j)].powi(2) / (lam[k] - lam[j]))
            .sum();
        let remainder = |eps: f64| {
            let first: f64 = (0..q).map(|k| b[(k, k)]).sum::<f64>() * eps;
            top(&(&c + &b * eps)) - top(&c) - first - eps * eps * second
        };
        let (r1, r2) = (remainder(1e-3), remainder(5e-4));
        assert!(r1.abs() < 1e-7 && (r1 / r2 - 8.0).abs() < 0.5, "{r1} {r2}");
    }

    #[test]
    fn replace_moments_recursion() {
        let v = replace_moments(true, 2.0, 100, &[100, 10, 10]);
        assert_eq!(v[0], (2.0, 0.0));
        assert!((v[1].1 - 0.2).abs() < 1e-15 && (v[2].1 - 0.4).abs() < 1e-15);
        let w = replace_moments(false, 2.0, 100, &[50, 10]);
        assert!((w[0].0 - 2.0 * 49.0 / 50.0).abs() < 1e-15);
        assert!((w[0].1 - 2.0 * 50.0 / 5000.0).abs() < 1e-15);
    }

    #[test]
    fn frechet_commuting_is_zero_on_itself() {
        assert_eq!(frechet_commuting(1.0, &[4.0, 1.0], &[4.0, 1.0]), 0.0);
        assert!((frechet_commuting(0.25, &[4.0], &[4.0]) - 1.0).abs() < 1e-15);
    }
}
