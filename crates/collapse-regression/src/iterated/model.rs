//! The iterated-regression family: the weight vector as the model, least-squares sufficient
//! statistics as the data, generators fitted through the core's loop, and the downstream ridge
//! fit of each generation.

use crate::mc::{gaussian_mat, mul, normal, spd_solve};
use crate::theory::Spectrum;
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

collapse_core::choice! {
    /// How the generators' inputs are drawn.
    pub enum Design {
        /// Fresh inputs at every generation (Model Collapse Demystified).
        Fresh = "fresh",
        /// The same $T_0$ inputs at every generation (the fixed-design setting of Gerstgrasser
        /// et al., where accumulation's error is exactly $\sum_i 1/i^2$ times the one-step
        /// error).
        Fixed = "fixed",
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
