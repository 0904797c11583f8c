//! The iterated-regression family: the weight vector as the model, least-squares sufficient
//! statistics as the data, generators fitted through the core's loop, and the downstream ridge
//! fit of each generation.
//!
//! No design is ever held whole: a fresh design is drawn in blocks of rows whose Gram matrix
//! and $X^\top y$ are accumulated as they come, and a fixed design is kept as its Gram matrix
//! $G$ with its Cholesky factor $L$, since given $X$ the statistic $X^\top\epsilon$ of fresh
//! noise is $N(0, G)$, i.e. $L\xi$ with $\xi \sim N(0, I_d)$. So a chain holds $O(d^2)$ numbers
//! whatever $T_0$ and $T$ are (the downstream model holds its $T\times d$ design only when
//! $T < d$, where the $T\times T$ system is the smaller one).
//!
//! The core's [`Family`] cannot fail, so a failed computation (an allocation refused, an
//! eigensolver that did not converge) travels in the model and the data as an `Err` and is
//! reported by the experiment after the chain.

use crate::linalg::{self, LinalgError};
use crate::mc::normal;
use crate::theory::Spectrum;
use collapse_core::{Dataset, Family, Rng};
use faer::Mat;

/// Rows drawn per block.
const BLOCK_ROWS: usize = 256;

/// A generator's weights, or why they could not be computed.
pub type Weights = Result<Vec<f64>, LinalgError>;

/// What a generator trains on: the sufficient statistics of least squares,
/// $X^\top X$, $X^\top y$ and the number of rows. They merge by addition, so accumulating all
/// data so far costs $O(d^2)$ per generation instead of refitting on a growing design.
#[derive(Clone, Debug)]
pub struct Labelled {
    /// $X^\top X$ (lower triangle; the upper one is not read), or why it is missing.
    pub gram: Result<Mat<f64>, LinalgError>,
    /// $X^\top y$.
    pub xty: Vec<f64>,
    /// Number of rows.
    pub rows: usize,
}

impl Dataset for Labelled {
    fn len(&self) -> usize {
        self.rows
    }
    fn merge(&mut self, other: Self) {
        match (&mut self.gram, other.gram) {
            (Ok(a), Ok(b)) => *a += &b,
            (Ok(_), Err(e)) => self.gram = Err(e),
            (Err(_), _) => {}
        }
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

/// A fixed design kept as its Gram matrix and the Cholesky factor of it.
#[derive(Clone, Debug)]
pub struct FixedDesign {
    /// $G = X^\top X$ (full).
    pub gram: Mat<f64>,
    /// $L$ with $LL^\top = G$ (lower triangle).
    pub factor: Mat<f64>,
    /// The number of rows of $X$.
    pub rows: usize,
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
    pub fixed: Option<FixedDesign>,
}

/// The ridge fit $(G/T + \lambda I)^{-1}X^\top y/T$ from sufficient statistics ($\lambda = 0$:
/// least squares; a Gram matrix singular to working precision gets the minimum-norm solution,
/// see [`linalg::spd_solve`]).
pub fn ridge_from_stats(data: &Labelled, lambda: f64) -> Weights {
    let gram = data.gram.as_ref().map_err(Clone::clone)?;
    let d = data.xty.len();
    let tf = data.rows.max(1) as f64;
    let mut k = linalg::from_fn(d, d, |i, j| gram[(i, j)] / tf)?;
    for i in 0..d {
        k[(i, i)] += lambda;
    }
    let mut rhs = linalg::from_fn(d, 1, |i, _| data.xty[i] / tf)?;
    linalg::spd_solve(&mut k, &mut rhs)?;
    Ok((0..d).map(|j| rhs[(j, 0)]).collect())
}

/// The ridge fit on a held design `x` ($T\times d$) and labels `y`, through the smaller of the
/// two Gram matrices: $(X^\top X/T + \lambda I)^{-1}X^\top y/T = X^\top(XX^\top/T + \lambda
/// I)^{-1}y/T$.
pub fn ridge_fit(x: &Mat<f64>, y: &[f64], lambda: f64) -> Weights {
    let (t, d) = (x.nrows(), x.ncols());
    let tf = t.max(1) as f64;
    if d <= t {
        let gram = linalg::gram_lower(x.transpose(), 1.0)?;
        let xty = (0..d)
            .map(|j| (0..t).map(|i| x[(i, j)] * y[i]).sum())
            .collect();
        return ridge_from_stats(
            &Labelled {
                gram: Ok(gram),
                xty,
                rows: t,
            },
            lambda,
        );
    }
    let mut k = linalg::gram_lower(x.as_ref(), 1.0 / tf)?;
    for i in 0..t {
        k[(i, i)] += lambda;
    }
    let mut a = linalg::from_fn(t, 1, |i, _| y[i] / tf)?;
    linalg::spd_solve(&mut k, &mut a)?;
    Ok((0..d)
        .map(|j| (0..t).map(|i| x[(i, j)] * a[(i, 0)]).sum())
        .collect())
}

impl Iterated {
    /// Draws $T$ inputs $x \sim N(0, \Sigma)$ as a matrix (for the small designs the fits hold).
    pub fn inputs(&self, t: usize, rng: &mut Rng) -> Result<Mat<f64>, LinalgError> {
        let sd: Vec<f64> = self.spec.eig.iter().map(|s| s.sqrt()).collect();
        crate::mc::gaussian_mat(rng, t, self.spec.dim(), |j| sd[j])
    }

    /// The sufficient statistics of $T$ fresh inputs labelled $x^\top w + \sigma\epsilon$, drawn
    /// block by block (each block: its rows, then their noise).
    pub fn labelled(&self, w: &[f64], t: usize, sigma: f64, rng: &mut Rng) -> Labelled {
        let d = self.spec.dim();
        let mut run = || -> Result<(Mat<f64>, Vec<f64>), LinalgError> {
            let sd: Vec<f64> = self.spec.eig.iter().map(|s| s.sqrt()).collect();
            let mut gram = linalg::zeros(d, d)?;
            let mut block = linalg::zeros(BLOCK_ROWS.min(t.max(1)), d)?;
            let mut xty = vec![0.0; d];
            let mut done = 0;
            while done < t {
                let b = BLOCK_ROWS.min(t - done);
                for i in 0..b {
                    for j in 0..d {
                        block[(i, j)] = normal(rng) * sd[j];
                    }
                }
                for i in 0..b {
                    let row = block.row(i);
                    let y = (0..d).map(|j| row[j] * w[j]).sum::<f64>() + sigma * normal(rng);
                    for j in 0..d {
                        xty[j] += row[j] * y;
                    }
                }
                linalg::gram_lower_add(&mut gram, block.as_ref().subrows(0, b).transpose(), 1.0);
                done += b;
            }
            Ok((gram, xty))
        };
        match run() {
            Ok((gram, xty)) => Labelled {
                gram: Ok(gram),
                xty,
                rows: t,
            },
            Err(e) => Labelled {
                gram: Err(e),
                xty: vec![0.0; d],
                rows: t,
            },
        }
    }

    /// A fixed design of $T$ inputs, kept as its Gram matrix and Cholesky factor (a design
    /// that is singular to working precision keeps the factor of $G$ plus the smallest
    /// multiple of the identity that makes it positive definite, which changes the noise
    /// statistic by less than the rounding of $G$).
    pub fn fixed_design(&self, t: usize, rng: &mut Rng) -> Result<FixedDesign, LinalgError> {
        let d = self.spec.dim();
        let sd: Vec<f64> = self.spec.eig.iter().map(|s| s.sqrt()).collect();
        let mut gram = linalg::zeros(d, d)?;
        let mut block = linalg::zeros(BLOCK_ROWS.min(t.max(1)), d)?;
        let mut done = 0;
        while done < t {
            let b = BLOCK_ROWS.min(t - done);
            for i in 0..b {
                for j in 0..d {
                    block[(i, j)] = normal(rng) * sd[j];
                }
            }
            linalg::gram_lower_add(&mut gram, block.as_ref().subrows(0, b).transpose(), 1.0);
            done += b;
        }
        drop(block);
        linalg::symmetrise(&mut gram);
        let top = (0..d)
            .fold(0.0f64, |a, i| a.max(gram[(i, i)]))
            .max(f64::MIN_POSITIVE);
        let mut jitter = 0.0;
        // A jitter of 10^30 · rounding cannot be needed by a finite Gram matrix.
        for _ in 0..30 {
            let mut factor = linalg::copy(gram.as_ref())?;
            for i in 0..d {
                factor[(i, i)] += jitter;
            }
            if linalg::cholesky_in_place(&mut factor)? {
                return Ok(FixedDesign {
                    gram,
                    factor,
                    rows: t,
                });
            }
            jitter = if jitter == 0.0 {
                top * f64::EPSILON * d as f64
            } else {
                jitter * 10.0
            };
        }
        Err(LinalgError::NotPositiveDefinite(d))
    }

    /// $\|w - w_0\|_\Sigma^2$.
    pub fn error(&self, w: &[f64]) -> f64 {
        (0..w.len())
            .map(|j| self.spec.eig[j] * (w[j] - self.w0[j]).powi(2))
            .sum()
    }

    /// Test error of the downstream ridge fitted on `t` points labelled by `w` with noise
    /// `sigma`: from streamed statistics when $T \ge d$, on the held $T\times d$ design through
    /// its $T\times T$ system otherwise.
    pub fn downstream(
        &self,
        w: &[f64],
        t: usize,
        sigma: f64,
        lambda: f64,
        rng: &mut Rng,
    ) -> Result<f64, LinalgError> {
        let d = self.spec.dim();
        let fit = if t >= d {
            ridge_from_stats(&self.labelled(w, t, sigma, rng), lambda)?
        } else {
            let x = self.inputs(t, rng)?;
            let y: Vec<f64> = (0..t)
                .map(|i| (0..d).map(|j| x[(i, j)] * w[j]).sum::<f64>() + sigma * normal(rng))
                .collect();
            ridge_fit(&x, &y, lambda)?
        };
        Ok(self.error(&fit))
    }
}

impl Family for Iterated {
    type Model = Weights;
    type Data = Labelled;

    fn truth(&self) -> Weights {
        Ok(self.w0.clone())
    }
    fn fit(&self, data: &Labelled, _: &mut Rng) -> Weights {
        ridge_from_stats(data, self.generator_lambda)
    }
    fn sample(&self, model: &Weights, n: usize, rng: &mut Rng) -> Labelled {
        let d = self.spec.dim();
        let w = match model {
            Ok(w) => w,
            Err(e) => {
                return Labelled {
                    gram: Err(e.clone()),
                    xty: vec![0.0; d],
                    rows: n,
                };
            }
        };
        match &self.fixed {
            Some(f) if f.rows == n => {
                // Xᵀy = G w + σ0 Xᵀε, and Xᵀε ~ N(0, G) = L ξ.
                let xi: Vec<f64> = (0..d).map(|_| normal(rng)).collect();
                let xty = (0..d)
                    .map(|i| {
                        let gw: f64 = (0..d).map(|j| f.gram[(i, j)] * w[j]).sum();
                        let lxi: f64 = (0..=i).map(|j| f.factor[(i, j)] * xi[j]).sum();
                        gw + self.sigma0 * lxi
                    })
                    .collect();
                Labelled {
                    gram: linalg::copy(f.gram.as_ref()),
                    xty,
                    rows: n,
                }
            }
            _ => self.labelled(w, n, self.sigma0, rng),
        }
    }
}

/// Bytes one chain holds at its peak: the weights of every generation, the pooled and the new
/// statistics with the solve's matrix and its copy (four $d\times d$), a block of rows, and
/// the downstream model's design and $T\times T$ system when $T < d$.
pub fn chain_bytes(d: usize, t: usize, generations: u64) -> f64 {
    let (df, tf) = (d as f64, t as f64);
    let downstream = if t < d { tf * df + 2.0 * tf * tf } else { 0.0 };
    8.0 * ((generations as f64 + 1.0) * df + 6.0 * df * df + BLOCK_ROWS as f64 * df + downstream)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(d: usize, fixed: bool, rng: &mut Rng) -> Iterated {
        let mut fam = Iterated {
            spec: Spectrum::power(d, 0.7),
            w0: (0..d).map(|j| 1.0 + j as f64).collect(),
            sigma0: 0.0,
            generator_lambda: 0.0,
            fixed: None,
        };
        if fixed {
            fam.fixed = Some(fam.fixed_design(9, rng).unwrap());
        }
        fam
    }

    #[test]
    fn merged_statistics_fit_the_pooled_data() {
        let mut rng = collapse_core::rng::stream(3, "t", 0);
        for fixed in [false, true] {
            let fam = family(3, fixed, &mut rng);
            let truth = fam.truth();
            let mut a = fam.sample(&truth, 9, &mut rng);
            a.merge(fam.sample(&truth, 9, &mut rng));
            assert_eq!(a.len(), 18);
            assert!(a.subsample(6, &mut rng).is_none());
            // Noise-free data: least squares recovers the truth exactly.
            let w = fam.fit(&a, &mut rng).unwrap();
            assert!(
                w.iter().zip(&fam.w0).all(|(a, b)| (a - b).abs() < 1e-9),
                "{w:?}"
            );
        }
    }

    #[test]
    fn both_ridge_routes_agree() {
        let mut rng = collapse_core::rng::stream(4, "t", 0);
        let fam = family(12, false, &mut rng);
        for t in [5usize, 30] {
            let x = fam.inputs(t, &mut rng).unwrap();
            let y: Vec<f64> = (0..t).map(|i| i as f64 - 2.0).collect();
            let a = ridge_fit(&x, &y, 0.3).unwrap();
            // The primal route through explicit statistics.
            let mut gram = linalg::gram_lower(x.transpose(), 1.0).unwrap();
            linalg::symmetrise(&mut gram);
            let xty = (0..12)
                .map(|j| (0..t).map(|i| x[(i, j)] * y[i]).sum())
                .collect();
            let b = ridge_from_stats(
                &Labelled {
                    gram: Ok(gram),
                    xty,
                    rows: t,
                },
                0.3,
            )
            .unwrap();
            for (u, v) in a.iter().zip(&b) {
                assert!((u - v).abs() < 1e-10 * (1.0 + u.abs()), "{t}: {a:?} {b:?}");
            }
        }
    }

    #[test]
    fn a_failed_fit_travels_as_an_error() {
        let mut rng = collapse_core::rng::stream(5, "t", 0);
        let fam = family(3, false, &mut rng);
        let failed: Weights = Err(LinalgError::Eigen(3));
        let data = fam.sample(&failed, 10, &mut rng);
        assert!(data.gram.is_err());
        assert!(fam.fit(&data, &mut rng).is_err());
        let mut good = fam.sample(&fam.truth(), 10, &mut rng);
        good.merge(data);
        assert!(fam.fit(&good, &mut rng).is_err());
    }
}
