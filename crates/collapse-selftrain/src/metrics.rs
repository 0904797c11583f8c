//! Closed-form metrics of a categorical answer distribution: pass@k (exact and the unbiased
//! estimator), expected distinct answers, entropy, kernel diversity.

/// Exact pass@k of a question answered correctly with probability `p`: $1-(1-p)^k$, computed as
/// $-\mathrm{expm1}(k\,\mathrm{log1p}(-p))$ so that small `p` and large `k` keep their digits.
pub fn pass_at_k(p: f64, k: f64) -> f64 {
    if p >= 1.0 {
        return 1.0;
    }
    if p <= 0.0 {
        return 0.0;
    }
    -(k * (-p).ln_1p()).exp_m1()
}

/// The unbiased estimator of pass@k from `n` samples of which `c` are correct (Chen et al. 2021):
/// $1-\binom{n-c}{k}/\binom{n}{k}$, computed as $1-\prod_{i=n-c+1}^{n}(1-k/i)$ (no binomial
/// coefficient is formed), and 1 when $n-c<k$.
///
/// # Panics
/// If `k > n` or `c > n` (the estimator is undefined there).
pub fn pass_at_k_unbiased(n: u64, c: u64, k: u64) -> f64 {
    assert!(
        k <= n && c <= n && k >= 1,
        "pass@k estimator needs 1 <= k <= n and c <= n"
    );
    if n - c < k {
        return 1.0;
    }
    let mut prod = 1.0;
    for i in (n - c + 1)..=n {
        prod *= 1.0 - k as f64 / i as f64;
    }
    1.0 - prod
}

/// The plug-in estimate $1-(1-c/n)^k$ (biased low by Jensen); kept as the wrong formula the
/// estimator check must reject.
pub fn pass_at_k_plugin(n: u64, c: u64, k: u64) -> f64 {
    pass_at_k(c as f64 / n as f64, k as f64)
}

/// $\mathbb E\[D_n\]=\sum_s\[1-(1-\pi_s)^n\]$: the expected number of distinct answers among `n`
/// independent draws from `pi`.
pub fn expected_distinct(pi: &[f64], n: f64) -> f64 {
    pi.iter().map(|&p| pass_at_k(p, n)).sum()
}

/// Shannon entropy in nats ($0\ln 0=0$).
pub fn entropy(pi: &[f64]) -> f64 {
    pi.iter().filter(|&&p| p > 0.0).map(|&p| -p * p.ln()).sum()
}

/// Similarity-kernel diversity $1-\pi^\top K\pi$ with $K_{ss}=1$, $K_{ss'}=\kappa$ for two
/// strategies of the same group and 0 otherwise: $1-(1-\kappa)\sum_s\pi_s^2-\kappa\sum_g\Pi_g^2$.
pub fn kernel_diversity(pi: &[f64], groups: &[u8], kappa: f64) -> f64 {
    let mut sq = 0.0;
    let mut g = [0.0f64; 8];
    for (&p, &k) in pi.iter().zip(groups) {
        sq += p * p;
        g[k as usize] += p;
    }
    let gsq: f64 = g.iter().map(|x| x * x).sum();
    1.0 - (1.0 - kappa) * sq - kappa * gsq
}

/// Softmax of `z / tau` into `out`; `-inf` logits get probability 0. With `tau = 0` it is the
/// greedy (one-hot on the first maximum) distribution.
pub fn softmax_t(z: &[f64], tau: f64, out: &mut [f64]) {
    let mut imax = 0;
    for (i, &v) in z.iter().enumerate() {
        if v > z[imax] {
            imax = i;
        }
    }
    let m = z[imax];
    if tau <= 0.0 {
        out.iter_mut().for_each(|o| *o = 0.0);
        out[imax] = 1.0;
        return;
    }
    let mut s = 0.0;
    for (o, &v) in out.iter_mut().zip(z) {
        *o = if v == f64::NEG_INFINITY {
            0.0
        } else {
            ((v - m) / tau).exp()
        };
        s += *o;
    }
    let inv = 1.0 / s;
    out.iter_mut().for_each(|o| *o *= inv);
}

/// Index of the first maximum (the greedy answer with a fixed tie-break).
pub fn argmax(z: &[f64]) -> usize {
    let mut imax = 0;
    for (i, &v) in z.iter().enumerate() {
        if v > z[imax] {
            imax = i;
        }
    }
    imax
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binom(n: u64, k: u64) -> f64 {
        (0..k).fold(1.0, |a, i| a * (n - i) as f64 / (i + 1) as f64)
    }

    #[test]
    fn estimator_matches_binomials_and_edges() {
        for (n, c, k) in [
            (10, 3, 2),
            (50, 7, 16),
            (64, 1, 64),
            (20, 0, 5),
            (20, 20, 5),
            (30, 26, 5),
        ] {
            let direct = if n - c < k {
                1.0
            } else {
                1.0 - binom(n - c, k) / binom(n, k)
            };
            assert!(
                (pass_at_k_unbiased(n, c, k) - direct).abs() < 1e-12,
                "{n} {c} {k}"
            );
        }
        // Large n: no overflow, exact for k = 1 (c / n).
        assert!((pass_at_k_unbiased(100_000, 123, 1) - 0.00123).abs() < 1e-15);
        assert!(pass_at_k_unbiased(10_000, 5000, 9000).is_finite());
    }

    #[test]
    fn exact_pass_k_is_stable() {
        assert!((pass_at_k(1e-12, 64.0) / 64e-12 - 1.0).abs() < 1e-9);
        assert_eq!(pass_at_k(0.0, 5.0), 0.0);
        assert_eq!(pass_at_k(1.0, 5.0), 1.0);
        assert!((pass_at_k(0.3, 2.0) - 0.51).abs() < 1e-15);
    }

    #[test]
    fn diversity_measures() {
        let pi = [0.5, 0.25, 0.25];
        assert!((entropy(&pi) - 1.5 * std::f64::consts::LN_2).abs() < 1e-15);
        assert!((expected_distinct(&pi, 1.0) - 1.0).abs() < 1e-15);
        assert!((kernel_diversity(&pi, &[0, 1, 2], 0.5) - (1.0 - 0.375)).abs() < 1e-15);
        // Everything in one group with kappa = 1: no diversity at all.
        assert!(kernel_diversity(&pi, &[0, 0, 0], 1.0).abs() < 1e-15);
        let mut out = [0.0; 3];
        softmax_t(&[0.0, f64::NEG_INFINITY, 0.0], 1.0, &mut out);
        assert_eq!(out, [0.5, 0.0, 0.5]);
        softmax_t(&[1.0, 3.0, 3.0], 0.0, &mut out);
        assert_eq!(out, [0.0, 1.0, 0.0]);
    }
}
