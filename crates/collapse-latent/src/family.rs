//! The chain family for the core loop: the truth is the real digits, a generation is a
//! [`LinearGaussian`] fitted by probabilistic PCA or by a linear VAE, and it trains on the
//! sufficient statistics of its data (and on the points themselves when the naive sampler keeps
//! them, which `accumulate-subsample` needs).
//!
//! Both fits depend on the data only through their mean and scatter, so the exact sampler draws
//! those from their laws: for `n` points of `N(c, F Fᵀ)` the mean is `c + F z/√n` and,
//! independently, the scatter is `F W Fᵀ`, `W ~ Wishart_d(n − 1, I)` (Bartlett). The naive
//! sampler draws every point as a VAE samples: `x = c + W z + σ ε`.

use crate::data::RealDigits;
use crate::linalg::{covariance, wishart_scatter};
use crate::model::LinearGaussian;
use crate::{ppca, vae};
use collapse_core::chain::sample_indices;
use collapse_core::{Dataset, Family, Rng};
use nalgebra::{DMatrix, DVector};
use std::sync::Arc;

collapse_core::choice! {
    /// How a generation is fitted.
    pub enum FitKind {
        /// Probabilistic PCA in closed form (the ELBO's exact optimum).
        Ppca = "ppca",
        /// A linear VAE trained on its ELBO by a fixed number of Adam steps.
        Vae = "vae",
    }
}

collapse_core::choice! {
    /// The covariance a closed-form fit uses.
    pub enum Estimator {
        /// `scatter/(n − 1)`: the fitted trace is a martingale.
        Unbiased = "unbiased",
        /// `scatter/n`, the maximum-likelihood covariance (what the ELBO's average sees).
        Mle = "mle",
    }
}

collapse_core::choice! {
    /// How a generation's training data is drawn.
    pub enum Sampler {
        /// The mean and scatter from their exact laws (normal, Wishart): the cost does not grow
        /// with M.
        Exact = "exact",
        /// Every image, `x = c + W z + σ ε`.
        Naive = "naive",
    }
}

impl Estimator {
    /// Whether the covariance divides by `n − 1`.
    pub fn unbiased(self) -> bool {
        self == Estimator::Unbiased
    }
}

/// How a generation is fitted, with its settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fit {
    /// Closed-form probabilistic PCA of the sample covariance.
    Ppca(Estimator),
    /// A linear VAE trained on the ELBO (the average over the points, so the MLE covariance)
    /// by Adam from a fresh initialisation.
    Vae(vae::Adam),
}

/// One generation of the chain: the real digits (the truth) or a fitted model.
#[derive(Clone, Debug)]
pub enum Generation {
    /// The real digits.
    Real,
    /// A fitted linear Gaussian model.
    Model(Arc<LinearGaussian>),
}

impl Generation {
    /// The fitted model (`None` for the real digits).
    pub fn model(&self) -> Option<&Arc<LinearGaussian>> {
        match self {
            Generation::Real => None,
            Generation::Model(m) => Some(m),
        }
    }
}

/// What a generation trains on: the count, mean and scatter of its images, and the images
/// themselves (columns) when the sampler keeps them.
#[derive(Clone, Debug, PartialEq)]
pub struct Images {
    /// Number of images.
    pub n: usize,
    /// Their mean.
    pub mean: DVector<f64>,
    /// `Σ (x − mean)(x − mean)ᵀ`.
    pub scatter: DMatrix<f64>,
    /// The images, `d × n`, when kept.
    pub points: Option<DMatrix<f64>>,
}

impl Images {
    /// The statistics of the columns of `x`, keeping `x` when `keep`.
    pub fn of_points(x: DMatrix<f64>, keep: bool) -> Self {
        let (mean, scatter) = crate::data::moments(&x);
        Self {
            n: x.ncols(),
            mean,
            scatter,
            points: keep.then_some(x),
        }
    }

    /// The covariance (unbiased or MLE).
    pub fn covariance(&self, unbiased: bool) -> DMatrix<f64> {
        covariance(&self.scatter, self.n, unbiased)
    }
}

impl Dataset for Images {
    fn len(&self) -> usize {
        self.n
    }
    fn merge(&mut self, o: Self) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = o;
            return;
        }
        // Chan et al.'s pairwise update of mean and scatter.
        let (na, nb) = (self.n as f64, o.n as f64);
        let n = na + nb;
        let delta = &o.mean - &self.mean;
        self.scatter += &o.scatter + (&delta * delta.transpose()) * (na * nb / n);
        self.mean += delta * (nb / n);
        self.n += o.n;
        self.points = match (self.points.take(), o.points) {
            (Some(a), Some(b)) => {
                let (d, ka, kb) = (a.nrows(), a.ncols(), b.ncols());
                let mut m = DMatrix::zeros(d, ka + kb);
                m.columns_mut(0, ka).copy_from(&a);
                m.columns_mut(ka, kb).copy_from(&b);
                Some(m)
            }
            _ => None,
        };
    }
    fn subsample(&self, n: usize, rng: &mut Rng) -> Option<Self> {
        let x = self.points.as_ref()?;
        let idx = sample_indices(x.ncols(), n, rng);
        Some(Images::of_points(x.select_columns(idx.iter()), true))
    }
}

/// The chain family.
#[derive(Clone, Debug)]
pub struct LatentFamily {
    /// The real digits (generation "real", the truth).
    pub real: Arc<RealDigits>,
    /// The latent dimension `q` (`q = d` is the full-covariance model).
    pub latent: usize,
    /// How generations are fitted.
    pub fit: Fit,
    /// How data are drawn from a model.
    pub sampler: Sampler,
    /// The seed of the VAE's initial weights in the infinite-sample mode, which has no stream
    /// (every generation starts from the same draw).
    pub init_seed: u64,
    /// The chain's generation 0 when it is not the real digits: a given model (checks start
    /// the exact theory from the closed-form fit to the real digits).
    pub start: Option<Arc<LinearGaussian>>,
}

impl LatentFamily {
    fn keep_points(&self) -> bool {
        self.sampler == Sampler::Naive
    }

    /// Fits a model to data of mean `mean` and scatter-derived covariances.
    fn fit_moments(
        &self,
        mean: &DVector<f64>,
        unbiased_cov: impl FnOnce(bool) -> DMatrix<f64>,
        rng: &mut Rng,
    ) -> LinearGaussian {
        match self.fit {
            Fit::Ppca(est) => ppca::fit(mean, &unbiased_cov(est.unbiased()), self.latent),
            Fit::Vae(adam) => vae::train(mean, &unbiased_cov(false), self.latent, adam, rng),
        }
    }

    /// `n` real images: `⌊n/N⌋` copies of the whole set and a draw without replacement for the
    /// rest, so that `n = N` is exactly the data set (and draws nothing).
    pub fn real_images(&self, n: usize, rng: &mut Rng) -> Images {
        let r = &self.real;
        let big = r.len();
        if n == big {
            return Images {
                n,
                mean: r.mean.clone(),
                scatter: r.scatter.clone(),
                points: self.keep_points().then(|| r.points.clone()),
            };
        }
        let mut idx: Vec<usize> = (0..n / big).flat_map(|_| 0..big).collect();
        idx.extend(sample_indices(big, n % big, rng));
        Images::of_points(r.points.select_columns(idx.iter()), self.keep_points())
    }

    /// `n` images of a model, drawn as the sampler says.
    pub fn model_images(&self, g: &LinearGaussian, n: usize, rng: &mut Rng) -> Images {
        let d = g.dim();
        if n == 0 {
            return Images {
                n: 0,
                mean: DVector::zeros(d),
                scatter: DMatrix::zeros(d, d),
                points: self.keep_points().then(|| DMatrix::zeros(d, 0)),
            };
        }
        match self.sampler {
            Sampler::Exact => {
                let f = g.factor();
                let z = DVector::from_vec(collapse_core::normal::standard_normals(rng, d));
                let mean = &g.mean + (&f * z) / (n as f64).sqrt();
                let scatter = wishart_scatter(&f, n - 1, rng);
                Images {
                    n,
                    mean,
                    scatter,
                    points: None,
                }
            }
            Sampler::Naive => Images::of_points(draw_images(g, n, rng), true),
        }
    }
}

/// `n` images `c + W z + σ ε` of a model, as columns.
pub fn draw_images(g: &LinearGaussian, n: usize, rng: &mut Rng) -> DMatrix<f64> {
    let (d, q) = (g.dim(), g.latent());
    let z = DMatrix::from_vec(q, n, collapse_core::normal::standard_normals(rng, q * n));
    let eps = collapse_core::normal::standard_normals(rng, d * n);
    let sd = g.noise.sqrt();
    let mut x = &g.loading * z;
    for (j, mut col) in x.column_iter_mut().enumerate() {
        col += &g.mean;
        for i in 0..d {
            col[i] += sd * eps[j * d + i];
        }
    }
    x
}

impl Family for LatentFamily {
    type Model = Generation;
    type Data = Images;

    fn truth(&self) -> Generation {
        match &self.start {
            None => Generation::Real,
            Some(m) => Generation::Model(m.clone()),
        }
    }

    fn fit(&self, data: &Images, rng: &mut Rng) -> Generation {
        let model = self.fit_moments(&data.mean, |u| data.covariance(u), rng);
        Generation::Model(Arc::new(model))
    }

    fn sample(&self, g: &Generation, n: usize, rng: &mut Rng) -> Images {
        match g {
            Generation::Real => self.real_images(n, rng),
            Generation::Model(m) => self.model_images(m, n, rng),
        }
    }

    /// The fit to `Σ wᵢ pᵢ`: its mean and covariance (the real digits enter with their mean and
    /// unbiased covariance `S`, so that generation 0 is the same in both modes when M = N). The
    /// MLE and the VAE see the expectation of their covariance, `(n − 1)/n` times it.
    fn fit_population(&self, mix: &[(f64, &Generation)], n: usize) -> Option<Generation> {
        let d = self.real.mean.len();
        let mut mean = DVector::zeros(d);
        let mut second = DMatrix::zeros(d, d);
        for (w, g) in mix {
            let (mu, cov) = match g {
                Generation::Real => (self.real.mean.clone(), self.real.cov.clone()),
                Generation::Model(m) => (m.mean.clone(), m.covariance()),
            };
            second += (cov + &mu * mu.transpose()) * *w;
            mean += mu * *w;
        }
        let cov = second - &mean * mean.transpose();
        let shrink = (n as f64 - 1.0).max(0.0) / n.max(1) as f64;
        let mut rng = collapse_core::rng::stream(self.init_seed, "latent-vae-init", 0);
        let model = self.fit_moments(
            &mean,
            |unbiased| if unbiased { cov.clone() } else { &cov * shrink },
            &mut rng,
        );
        Some(Generation::Model(Arc::new(model)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::rng::stream;

    fn family(sampler: Sampler) -> LatentFamily {
        LatentFamily {
            real: RealDigits::builtin(),
            latent: 20,
            fit: Fit::Ppca(Estimator::Unbiased),
            sampler,
            init_seed: 0,
            start: None,
        }
    }

    #[test]
    fn all_the_real_digits_are_the_data_set() {
        let f = family(Sampler::Naive);
        let mut rng = stream(1, "t", 0);
        let a = f.real_images(1797, &mut rng);
        assert_eq!(a.scatter, f.real.scatter);
        assert_eq!(a.points.as_ref().map(|p| p.ncols()), Some(1797));
        // Twice the set and 5 more: the pooled statistics of the pieces.
        let b = f.real_images(2 * 1797 + 5, &mut rng);
        assert_eq!(b.n, 3599);
        let c = f.real_images(100, &mut rng);
        assert_eq!(c.n, 100);
        assert!(c.points.unwrap().iter().all(|v| (0.0..=1.0).contains(v)));
    }

    #[test]
    fn merged_statistics_are_the_statistics_of_the_union() {
        let f = family(Sampler::Naive);
        let g = match f.fit(
            &f.real_images(1797, &mut stream(1, "t", 0)),
            &mut stream(1, "t", 1),
        ) {
            Generation::Model(m) => m,
            Generation::Real => unreachable!(),
        };
        let mut a = f.model_images(&g, 30, &mut stream(2, "t", 0));
        let b = f.model_images(&g, 45, &mut stream(2, "t", 1));
        let direct = {
            let mut x = a.points.clone().unwrap();
            let y = b.points.clone().unwrap();
            x = DMatrix::from_fn(
                64,
                75,
                |i, j| if j < 30 { x[(i, j)] } else { y[(i, j - 30)] },
            );
            Images::of_points(x, true)
        };
        a.merge(b);
        assert_eq!(a.n, 75);
        assert!((&a.mean - &direct.mean).norm() < 1e-13);
        assert!((&a.scatter - &direct.scatter).norm() < 1e-11);
        let sub = a.subsample(10, &mut stream(3, "t", 0)).unwrap();
        assert_eq!(sub.n, 10);
        // Statistics alone cannot be subsampled.
        let e = family(Sampler::Exact);
        assert!(
            e.model_images(&g, 30, &mut stream(2, "t", 0))
                .subsample(5, &mut stream(3, "t", 0))
                .is_none()
        );
    }

    #[test]
    fn population_fit_of_a_model_is_the_model() {
        // pPCA of a pPCA covariance is itself: every pPCA model is a fixed point.
        let f = family(Sampler::Exact);
        let g0 = f.fit_population(&[(1.0, &Generation::Real)], 1797).unwrap();
        let g1 = f.fit_population(&[(1.0, &g0)], 1797).unwrap();
        let (a, b) = (g0.model().unwrap(), g1.model().unwrap());
        assert!((a.covariance() - b.covariance()).norm() < 1e-12);
        assert!((a.noise - b.noise).abs() < 1e-15);
    }
}
