//! Iterated regression (Model Collapse Demystified, Dohmatob, Feng & Kempe, NeurIPS 2024; and
//! accumulation, Gerstgrasser et al. 2024) as a [`collapse_core::Family`]: the model is a weight
//! vector, the data a design with labels; generator $k$ is the least-squares fit to $T_0$ inputs
//! labelled by generator $k-1$ plus $N(0, \sigma_0^2)$ noise, and the core's
//! [`collapse_core::run_chain`] applies `replace` or `accumulate`. Each generation's downstream
//! model is a ridge fit on $T$ fresh inputs labelled by that generation plus $N(0, \sigma^2)$
//! noise; its test error is $\|\hat w^{pred} - w_0\|_\Sigma^2$ (exact over the test point).

use crate::mc::{gaussian_mat, mul, normal, spd_solve};
use crate::theory::{Spectrum, kappa_classical};
use collapse_core::{Dataset, Family, Rng};
use faer::Mat;

/// What a generator trains on: the sufficient statistics of least squares,
/// $X^\top X$, $X^\top y$ and the number of rows. They merge by addition, so accumulating all
/// data so far costs $O(d^2)$ per generation instead of refitting on a growing design.
#[derive(Clone, Debug)]
pub struct Labelled {
    /// $X^\top X$.
    pub gram: Mat<f64>,
    /// $X^\top y$.
    pub xty: Vec<f64>,
    /// Number of rows.
    pub rows: usize,
}

impl Labelled {
    /// The statistics of a design and its labels.
    pub fn new(x: &Mat<f64>, y: &[f64]) -> Self {
        let gram = mul(x.transpose(), x.as_ref(), 1.0);
        let d = x.ncols();
        let mut xty = vec![0.0; d];
        for j in 0..d {
            let col = x.col(j);
            xty[j] = (0..y.len()).map(|i| col[i] * y[i]).sum();
        }
        Self {
            gram,
            xty,
            rows: y.len(),
        }
    }
}

impl Dataset for Labelled {
    fn len(&self) -> usize {
        self.rows
    }
    fn merge(&mut self, other: Self) {
        self.gram += &other.gram;
        self.xty
            .iter_mut()
            .zip(&other.xty)
            .for_each(|(a, b)| *a += b);
        self.rows += other.rows;
    }
    fn subsample(&self, _: usize, _: &mut Rng) -> Option<Self> {
        // Sufficient statistics forget which row is which (the experiment offers no
        // `accumulate-subsample`).
        None
    }
}

/// How the generators' inputs are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Design {
    /// Fresh inputs at every generation (Model Collapse Demystified).
    Fresh,
    /// The same $T_0$ inputs at every generation (the fixed-design setting of Gerstgrasser et
    /// al., where accumulation's error is exactly $\sum_i 1/i^2$ times the one-step error).
    Fixed,
}

/// The iterated-regression family of one replicate.
pub struct Iterated {
    /// $\Sigma$.
    pub spec: Spectrum,
    /// The ground truth $w_0$.
    pub w0: Vec<f64>,
    /// Generator label noise $\sigma_0$.
    pub sigma0: f64,
    /// Ridge penalty of the generators (0: least squares).
    pub generator_lambda: f64,
    /// The fixed design, when [`Design::Fixed`].
    pub fixed: Option<Mat<f64>>,
}

/// Ridge fit $(X^\top X/T + \lambda I)^{-1}X^\top y/T$ ($\lambda = 0$: least squares).
pub fn ridge_fit(x: &Mat<f64>, y: &[f64], lambda: f64) -> Vec<f64> {
    ridge_from_stats(&Labelled::new(x, y), lambda)
}

/// The ridge fit from sufficient statistics.
pub fn ridge_from_stats(data: &Labelled, lambda: f64) -> Vec<f64> {
    let d = data.xty.len();
    let tf = data.rows as f64;
    let mut k = Mat::from_fn(d, d, |i, j| data.gram[(i, j)] / tf);
    for i in 0..d {
        k[(i, i)] += lambda;
    }
    let mut rhs = Mat::from_fn(d, 1, |i, _| data.xty[i] / tf);
    if !spd_solve(&mut k, &mut rhs) {
        // Singular Gram matrix: only reachable with λ = 0 and T < d, which validation refuses.
        return vec![0.0; d];
    }
    (0..d).map(|j| rhs[(j, 0)]).collect()
}

impl Iterated {
    /// Draws $T$ inputs $x \sim N(0, \Sigma)$.
    pub fn inputs(&self, t: usize, rng: &mut Rng) -> Mat<f64> {
        let sd: Vec<f64> = self.spec.eig.iter().map(|s| s.sqrt()).collect();
        gaussian_mat(rng, t, self.spec.dim(), |j| sd[j])
    }

    /// Labels $Xw + \sigma\epsilon$.
    pub fn label(x: &Mat<f64>, w: &[f64], sigma: f64, rng: &mut Rng) -> Vec<f64> {
        (0..x.nrows())
            .map(|i| (0..w.len()).map(|j| x[(i, j)] * w[j]).sum::<f64>() + sigma * normal(rng))
            .collect()
    }

    /// $\|w - w_0\|_\Sigma^2$.
    pub fn error(&self, w: &[f64]) -> f64 {
        (0..w.len())
            .map(|j| self.spec.eig[j] * (w[j] - self.w0[j]).powi(2))
            .sum()
    }

    /// Test error of the downstream ridge fitted on `t` points labelled by `w` with noise `sigma`.
    pub fn downstream(&self, w: &[f64], t: usize, sigma: f64, lambda: f64, rng: &mut Rng) -> f64 {
        let x = self.inputs(t, rng);
        let y = Self::label(&x, w, sigma, rng);
        self.error(&ridge_fit(&x, &y, lambda))
    }
}

impl Family for Iterated {
    type Model = Vec<f64>;
    type Data = Labelled;

    fn truth(&self) -> Vec<f64> {
        self.w0.clone()
    }
    fn fit(&self, data: &Labelled, _: &mut Rng) -> Vec<f64> {
        ridge_from_stats(data, self.generator_lambda)
    }
    fn sample(&self, model: &Vec<f64>, n: usize, rng: &mut Rng) -> Labelled {
        let x = match &self.fixed {
            Some(x) if x.nrows() == n => x.clone(),
            _ => self.inputs(n, rng),
        };
        let y = Self::label(&x, model, self.sigma0, rng);
        Labelled::new(&x, &y)
    }
}

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

    #[test]
    fn merged_statistics_fit_the_pooled_data() {
        let mut rng = collapse_core::rng::stream(3, "t", 0);
        let fam = Iterated {
            spec: Spectrum::isotropic(3),
            w0: vec![1.0, 2.0, 3.0],
            sigma0: 0.0,
            generator_lambda: 0.0,
            fixed: None,
        };
        let mut a = fam.sample(&fam.w0, 5, &mut rng);
        a.merge(fam.sample(&fam.w0, 4, &mut rng));
        assert_eq!(a.len(), 9);
        assert!(a.subsample(6, &mut rng).is_none());
        // Noise-free data: least squares recovers the truth exactly.
        let w = fam.fit(&a, &mut rng);
        assert!(w.iter().zip(&fam.w0).all(|(a, b)| (a - b).abs() < 1e-10));
    }
}
