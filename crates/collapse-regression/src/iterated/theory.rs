//! The closed forms of iterated regression: the exact least-squares error after $n$
//! generations (replace, or accumulate with $\sum_i 1/i^2$), the ridge deterministic
//! equivalent, and the optimal ridge penalty.
//!
//! Every error here is $E(\lambda) + \text{mult}_n\,C(\lambda)$: a clean part and the
//! inherited part per generation, with $\text{mult}_n = n$ (replace) or $\sum_{i\le n}1/i^2$
//! (accumulate). [`RidgeParts`] holds $(E, C)$ at one $\lambda$ and [`OptimalLambda`] the
//! curves on a grid of $\lambda$, so a run over $G$ generations costs $O(G)$ evaluations of the
//! equivalent, not $O(G^2)$.

use crate::theory::{Spectrum, kappa_classical};

/// $\sum_{i=1}^n 1/i^2$ (accumulation's multiplier; $\le \pi^2/6$).
pub fn inverse_squares(n: u64) -> f64 {
    (1..=n).map(|i| 1.0 / (i as f64 * i as f64)).sum()
}

/// The multipliers $\text{mult}_g$ of generations $g = 0..=n$, in one pass: $g$ (replace) or
/// $\sum_{i\le g}1/i^2$ (accumulate).
pub fn multipliers(n: u64, accumulate: bool) -> Vec<f64> {
    let mut acc = 0.0;
    (0..=n)
        .map(|g| {
            if accumulate {
                if g > 0 {
                    acc += 1.0 / (g as f64 * g as f64);
                }
                acc
            } else {
                g as f64
            }
        })
        .collect()
}

/// The multiplier of generation `g` alone.
pub fn multiplier(g: u64, accumulate: bool) -> f64 {
    if accumulate {
        inverse_squares(g)
    } else {
        g as f64
    }
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
    sigma * sigma * d / (t as f64 - d - 1.0)
        + multiplier(generations, accumulate) * sigma0 * sigma0 * d / (t0 as f64 - d - 1.0)
}

/// The setting of the downstream model and the generators.
#[derive(Clone, Debug)]
pub struct IteratedProblem<'a> {
    /// $\Sigma$.
    pub spec: &'a Spectrum,
    /// $\|w_0\|^2$ in expectation ($\Gamma = (r^2/d)I$).
    pub r2: f64,
    /// $T$.
    pub t: usize,
    /// $T_0$.
    pub t0: usize,
    /// $\sigma$.
    pub sigma: f64,
    /// $\sigma_0$.
    pub sigma0: f64,
}

/// The two parts of the error at one penalty: $E = \text{clean} + \text{mult}\cdot\text{per\_generation}$.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RidgeParts {
    /// Bias and variance of the downstream model on clean labels.
    pub clean: f64,
    /// The error one generation adds.
    pub per_generation: f64,
}

impl RidgeParts {
    /// The error after generations with multiplier `mult`.
    pub fn at(&self, mult: f64) -> f64 {
        self.clean + mult * self.per_generation
    }
}

impl IteratedProblem<'_> {
    /// The parts at penalty `lambda`: the exact OLS formula at $\lambda = 0$ when
    /// $T \ge d + 2$, else the ridge deterministic equivalent (notes §B3) with
    /// $\rho = (\mathrm{df}_2(\kappa) + u\kappa^2\mathrm{Tr}(\Sigma+\kappa)^{-2})/(T_0-d-1)$ (the
    /// generator error has covariance $\sigma_0^2\Sigma^{-1}/(T_0-d-1)$ per generation,
    /// exactly): clean bias + variance, and $\sigma_0^2\rho$ per generation.
    pub fn parts(&self, lambda: f64) -> RidgeParts {
        let d = self.spec.dim();
        let per_generator = self.sigma0 * self.sigma0 / (self.t0 as f64 - d as f64 - 1.0);
        if lambda <= 0.0 && d + 1 < self.t {
            let df = d as f64;
            return RidgeParts {
                clean: self.sigma * self.sigma * df / (self.t as f64 - df - 1.0),
                per_generation: per_generator * df,
            };
        }
        let tf = self.t as f64;
        let kappa = kappa_classical(self.spec, tf, lambda);
        let (_, df2) = self.spec.df12(kappa);
        let u = (df2 / tf) / (1.0 - df2 / tf);
        let mut bias = 0.0;
        let mut tr2 = 0.0;
        for &s in &self.spec.eig {
            let r = 1.0 / (s + kappa);
            bias += self.r2 / d as f64 * s * kappa * kappa * r * r;
            tr2 += r * r;
        }
        bias /= 1.0 - df2 / tf;
        RidgeParts {
            clean: bias + self.sigma * self.sigma * u,
            per_generation: per_generator * (df2 + u * kappa * kappa * tr2),
        }
    }
}

/// The ridge deterministic equivalent after `generations` (see [`IteratedProblem::parts`]).
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
    let p = IteratedProblem {
        spec,
        r2,
        t,
        t0,
        sigma,
        sigma0,
    };
    p.parts(lambda).at(multiplier(generations, accumulate))
}

/// The $\lambda$ minimising the equivalent, for any multiplier: the parts on a grid of 101
/// penalties $10^{-6}..10^4$ (log-even), evaluated once, pick the best grid point; a
/// golden-section search on $\ln\lambda$ between its neighbours refines it.
#[derive(Clone, Debug)]
pub struct OptimalLambda<'a> {
    problem: IteratedProblem<'a>,
    grid: Vec<(f64, RidgeParts)>,
}

impl<'a> OptimalLambda<'a> {
    /// Tabulates the parts of `problem` on the grid.
    pub fn new(problem: IteratedProblem<'a>) -> Self {
        let grid = (0..=100)
            .map(|i| {
                let l = (-6.0 + 10.0 * i as f64 / 100.0) * std::f64::consts::LN_10;
                (l, problem.parts(l.exp()))
            })
            .collect();
        Self { problem, grid }
    }

    /// The minimising penalty at multiplier `mult` and the error there.
    pub fn at(&self, mult: f64) -> (f64, f64) {
        let f = |l: f64| self.problem.parts(l.exp()).at(mult);
        let best = (0..self.grid.len())
            .min_by(|&a, &b| self.grid[a].1.at(mult).total_cmp(&self.grid[b].1.at(mult)))
            .unwrap_or(0);
        let mut a = self.grid[best.saturating_sub(1)].0;
        let mut b = self.grid[(best + 1).min(self.grid.len() - 1)].0;
        let g = 0.5 * (5f64.sqrt() - 1.0);
        // 60 steps shrink the bracket (0.23 in ln λ) below 1e-13.
        for _ in 0..60 {
            let c = b - g * (b - a);
            let e = a + g * (b - a);
            if f(c) < f(e) {
                b = e;
            } else {
                a = c;
            }
        }
        let l = (0.5 * (a + b)).exp();
        (l, f(l.ln()))
    }
}

/// The $\lambda$ minimising [`ridge_iterated`] after `generations` (see [`OptimalLambda`]).
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
    let problem = IteratedProblem {
        spec,
        r2,
        t,
        t0,
        sigma,
        sigma0,
    };
    OptimalLambda::new(problem)
        .at(multiplier(generations, accumulate))
        .0
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

    #[test]
    fn multipliers_in_one_pass_are_the_sums() {
        let m = multipliers(30, true);
        for g in 0..=30u64 {
            assert!((m[g as usize] - inverse_squares(g)).abs() < 1e-15);
        }
        assert_eq!(multipliers(3, false), vec![0.0, 1.0, 2.0, 3.0]);
    }
}
