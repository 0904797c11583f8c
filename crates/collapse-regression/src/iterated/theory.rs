//! The closed forms of iterated regression: the exact least-squares error after $n$
//! generations (replace, or accumulate with $\sum_i 1/i^2$), the ridge deterministic
//! equivalent, and the optimal ridge penalty.

use crate::theory::{Spectrum, kappa_classical};

/// $\sum_{i=1}^n 1/i^2$ (accumulation's multiplier; $\le \pi^2/6$).
pub fn inverse_squares(n: u64) -> f64 {
    (1..=n).map(|i| 1.0 / (i as f64 * i as f64)).sum()
}

/// Exact OLS formula: $\sigma^2 d/(T-d-1) + n\,\sigma_0^2 d/(T_0-d-1)$ (replace), with $n$
/// replaced by $\sum_{i\le n} 1/i^2$ under accumulation (exact for a fixed design).
pub fn ols_iterated(
    d: usize,
    t: usize,
    t0: usize,
    sigma: f64,
    sigma0: f64,
    generations: u64,
    accumulate: bool,
) -> f64 {
    let d = d as f64;
    let mult = if accumulate {
        inverse_squares(generations)
    } else {
        generations as f64
    };
    sigma * sigma * d / (t as f64 - d - 1.0) + mult * sigma0 * sigma0 * d / (t0 as f64 - d - 1.0)
}

/// The ridge deterministic equivalent (notes §B3) with $\Gamma = (r^2/d)I$ for $w_0$: clean
/// bias + variance $+\ \text{mult}\cdot\sigma_0^2\rho$, where
/// $\rho = (\mathrm{df}_2(\kappa) + u\kappa^2\mathrm{Tr}(\Sigma+\kappa)^{-2})/(T_0-d-1)$ (the
/// generator error has covariance $\sigma_0^2\Sigma^{-1}/(T_0-d-1)$ per generation, exactly) and
/// mult is $n$ (replace) or $\sum 1/i^2$ (accumulate). At $\lambda = 0$ the exact OLS formula.
pub fn ridge_iterated(
    spec: &Spectrum,
    r2: f64,
    t: usize,
    t0: usize,
    sigma: f64,
    sigma0: f64,
    lambda: f64,
    generations: u64,
    accumulate: bool,
) -> f64 {
    let d = spec.dim();
    if lambda <= 0.0 && d + 1 < t {
        return ols_iterated(d, t, t0, sigma, sigma0, generations, accumulate);
    }
    let tf = t as f64;
    let kappa = kappa_classical(spec, tf, lambda);
    let (_, df2) = spec.df12(kappa);
    let u = (df2 / tf) / (1.0 - df2 / tf);
    let mut bias = 0.0;
    let mut tr2 = 0.0;
    for &s in &spec.eig {
        let r = 1.0 / (s + kappa);
        bias += r2 / d as f64 * s * kappa * kappa * r * r;
        tr2 += r * r;
    }
    bias /= 1.0 - df2 / tf;
    let rho = (df2 + u * kappa * kappa * tr2) / (t0 as f64 - d as f64 - 1.0);
    let mult = if accumulate {
        inverse_squares(generations)
    } else {
        generations as f64
    };
    bias + sigma * sigma * u + mult * sigma0 * sigma0 * rho
}

/// The $\lambda$ minimising [`ridge_iterated`] (golden-section search on $\ln\lambda$ over
/// $[10^{-6}, 10^{4}]$ after a coarse grid).
pub fn optimal_lambda(
    spec: &Spectrum,
    r2: f64,
    t: usize,
    t0: usize,
    sigma: f64,
    sigma0: f64,
    generations: u64,
    accumulate: bool,
) -> f64 {
    let f = |l: f64| {
        ridge_iterated(
            spec,
            r2,
            t,
            t0,
            sigma,
            sigma0,
            l.exp(),
            generations,
            accumulate,
        )
    };
    let grid: Vec<f64> = (0..=100)
        .map(|i| (-6.0 + 10.0 * i as f64 / 100.0) * std::f64::consts::LN_10)
        .collect();
    let best = (0..grid.len())
        .min_by(|&a, &b| f(grid[a]).total_cmp(&f(grid[b])))
        .unwrap_or(0);
    let mut a = grid[best.saturating_sub(1)];
    let mut b = grid[(best + 1).min(grid.len() - 1)];
    let g = 0.5 * (5f64.sqrt() - 1.0);
    for _ in 0..80 {
        let c = b - g * (b - a);
        let e = a + g * (b - a);
        if f(c) < f(e) {
            b = e;
        } else {
            a = c;
        }
    }
    (0.5 * (a + b)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_optimal_lambda_table() {
        // Notes §B5: d = 200, T = T0 = 1000, isotropic, |w0| = 1, σ = σ0 = 1.
        // (The notes use T0 - d in ρ; ours uses the exact T0 - d - 1, a 0.1% change.)
        let spec = Spectrum::isotropic(200);
        for (n, want) in [(0, 0.20), (1, 0.40), (5, 1.41), (20, 5.77)] {
            let l = optimal_lambda(&spec, 1.0, 1000, 1000, 1.0, 1.0, n, false);
            assert!((l - want).abs() < 0.02 * want + 0.006, "{n}: {l}");
        }
    }
}
