//! Gaussian components, mixtures and their data.
//!
//! A [`Mixture`] $p(x)=\sum_k \pi_k\,\mathcal N(x;\mu_k,\Sigma_k)$ with full covariances, in any
//! dimension, sampled exactly (pick a component, add a Gaussian draw through the Cholesky
//! factor). Kernel density estimates are in [`crate::kde::estimator`].

use crate::linalg::{cholesky_jitter, inv_lower, log_det_chol};
use collapse_core::normal::standard_normals;
use collapse_core::{Dataset, Rng};
use rand::RngExt;

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// One Gaussian with its Cholesky factor, precision factor and normaliser cached.
#[derive(Clone, Debug, PartialEq)]
pub struct Gaussian {
    /// Mean (length d).
    pub mean: Vec<f64>,
    /// Covariance (d × d, row-major).
    pub cov: Vec<f64>,
    /// Lower Cholesky factor of `cov` (with the jitter a singular covariance needed).
    pub chol: Vec<f64>,
    /// `chol⁻¹`: `‖chol⁻¹(x − μ)‖²` is the Mahalanobis distance.
    pub prec: Vec<f64>,
    /// `−½(d ln 2π + ln det Σ)`.
    pub log_norm: f64,
}

impl Gaussian {
    /// A Gaussian from its mean and covariance.
    pub fn new(mean: Vec<f64>, cov: Vec<f64>) -> Self {
        let d = mean.len();
        debug_assert_eq!(cov.len(), d * d);
        let (chol, _) = cholesky_jitter(&cov, d);
        let prec = inv_lower(&chol, d);
        let log_norm = -0.5 * (d as f64 * LN_2PI + log_det_chol(&chol, d));
        Self {
            mean,
            cov,
            chol,
            prec,
            log_norm,
        }
    }

    /// An isotropic Gaussian `N(mean, var I)`.
    pub fn isotropic(mean: Vec<f64>, var: f64) -> Self {
        let d = mean.len();
        let mut cov = vec![0.0; d * d];
        (0..d).for_each(|i| cov[i * d + i] = var);
        Self::new(mean, cov)
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// `ln N(x; μ, Σ)`.
    pub fn log_pdf(&self, x: &[f64]) -> f64 {
        self.log_norm - 0.5 * self.mahalanobis(x)
    }

    /// `(x − μ)ᵀ Σ⁻¹ (x − μ)`.
    pub fn mahalanobis(&self, x: &[f64]) -> f64 {
        let d = self.dim();
        let mut q = 0.0;
        for a in 0..d {
            let mut y = 0.0;
            for b in 0..=a {
                y += self.prec[a * d + b] * (x[b] - self.mean[b]);
            }
            q += y * y;
        }
        q
    }

    /// Writes `μ + L z` into `out`: a draw of this Gaussian when `z ~ N(0, I)`.
    pub fn transform_into(&self, z: &[f64], out: &mut [f64]) {
        let d = self.dim();
        for a in 0..d {
            let mut s = self.mean[a];
            for b in 0..=a {
                s += self.chol[a * d + b] * z[b];
            }
            out[a] = s;
        }
    }

    /// The trace of the covariance.
    pub fn trace(&self) -> f64 {
        let d = self.dim();
        (0..d).map(|i| self.cov[i * d + i]).sum()
    }
}

/// `∫ N(x; a, A) N(x; b, B) dx = N(a; b, A + B)`.
pub fn gaussian_overlap(p: &Gaussian, q: &Gaussian) -> f64 {
    let sum: Vec<f64> = p.cov.iter().zip(&q.cov).map(|(a, b)| a + b).collect();
    Gaussian::new(q.mean.clone(), sum).log_pdf(&p.mean).exp()
}

/// How a fit ended (EM), reported as metrics rather than hidden.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FitReport {
    /// EM iterations (E- and M-step pairs) performed.
    pub iterations: usize,
    /// Whether the change in the mean log-likelihood fell below the tolerance.
    pub converged: bool,
    /// Components dropped because their responsibility mass vanished.
    pub empty: usize,
    /// Mean log-likelihood per unit of data weight at the last E-step.
    pub log_likelihood: f64,
    /// The mean log-likelihood after every E-step (only when requested).
    pub trace: Vec<f64>,
}

/// A Gaussian mixture.
#[derive(Clone, Debug, PartialEq)]
pub struct Mixture {
    /// Mixing weights (sum to 1).
    pub weights: Vec<f64>,
    /// Components.
    pub comps: Vec<Gaussian>,
    /// How the fit that produced it ended (`None` for a truth or a closed-form fit).
    pub report: Option<FitReport>,
}

impl Mixture {
    /// A mixture from weights and components.
    pub fn new(weights: Vec<f64>, comps: Vec<Gaussian>) -> Self {
        debug_assert_eq!(weights.len(), comps.len());
        Self {
            weights,
            comps,
            report: None,
        }
    }

    /// A single Gaussian.
    pub fn single(g: Gaussian) -> Self {
        Self::new(vec![1.0], vec![g])
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.comps[0].dim()
    }

    /// `ln p(x)` by log-sum-exp (two passes, no allocation).
    pub fn log_pdf(&self, x: &[f64]) -> f64 {
        let term = |(w, c): (&f64, &Gaussian)| w.ln() + c.log_pdf(x);
        let mx = self
            .weights
            .iter()
            .zip(&self.comps)
            .map(term)
            .fold(f64::NEG_INFINITY, f64::max);
        if mx == f64::NEG_INFINITY {
            return mx;
        }
        if self.comps.len() == 1 {
            return mx;
        }
        mx + self
            .weights
            .iter()
            .zip(&self.comps)
            .map(|p| (term(p) - mx).exp())
            .sum::<f64>()
            .ln()
    }

    /// `p(x)`.
    pub fn pdf(&self, x: &[f64]) -> f64 {
        self.log_pdf(x).exp()
    }

    /// Draws `n` points.
    pub fn sample(&self, n: usize, rng: &mut Rng) -> Points {
        let d = self.dim();
        let mut xs = vec![0.0; n * d];
        // The standard normals in bulk (the ziggurat of the core), then one uniform per point
        // for its component.
        let z = standard_normals(rng, n * d);
        let k = self.weights.len();
        for (x, z) in xs.chunks_exact_mut(d).zip(z.chunks_exact(d)) {
            let c = if k == 1 {
                0
            } else {
                pick(&self.weights, rng.random::<f64>())
            };
            self.comps[c].transform_into(z, x);
        }
        Points { dim: d, xs }
    }

    /// The mixture's mean.
    pub fn mean(&self) -> Vec<f64> {
        let d = self.dim();
        let mut m = vec![0.0; d];
        for (w, c) in self.weights.iter().zip(&self.comps) {
            for a in 0..d {
                m[a] += w * c.mean[a];
            }
        }
        m
    }

    /// The mixture's covariance `Σ πₖ(Σₖ + μₖμₖᵀ) − μμᵀ`.
    pub fn cov(&self) -> Vec<f64> {
        let d = self.dim();
        let m = self.mean();
        let mut s = vec![0.0; d * d];
        for (w, c) in self.weights.iter().zip(&self.comps) {
            for a in 0..d {
                for b in 0..d {
                    s[a * d + b] +=
                        w * (c.cov[a * d + b] + (c.mean[a] - m[a]) * (c.mean[b] - m[b]));
                }
            }
        }
        s
    }

    /// `tr Σ / d`: the mean variance per coordinate.
    pub fn var(&self) -> f64 {
        let d = self.dim();
        let c = self.cov();
        (0..d).map(|i| c[i * d + i]).sum::<f64>() / d as f64
    }

    /// The moment-matched Gaussian (the fit of one Gaussian to infinite data).
    pub fn moment_match(&self) -> Gaussian {
        Gaussian::new(self.mean(), self.cov())
    }

    /// The population `Σ wᵢ mᵢ` of several mixtures as one mixture.
    pub fn pool(parts: &[(f64, &Mixture)]) -> Mixture {
        let mut weights = Vec::new();
        let mut comps = Vec::new();
        for (w, m) in parts {
            for (v, c) in m.weights.iter().zip(&m.comps) {
                if w * v > 0.0 {
                    weights.push(w * v);
                    comps.push(c.clone());
                }
            }
        }
        Mixture::new(weights, comps)
    }
}

/// The index `i` with `Σ_{j<i} w_j ≤ u < Σ_{j≤i} w_j` (the last one for round-off).
fn pick(w: &[f64], mut u: f64) -> usize {
    for (i, wi) in w.iter().enumerate() {
        if u < *wi {
            return i;
        }
        u -= wi;
    }
    w.len() - 1
}

/// `∫ p q` for two mixtures, in closed form.
pub fn overlap(p: &Mixture, q: &Mixture) -> f64 {
    let mut s = 0.0;
    for (a, ca) in p.weights.iter().zip(&p.comps) {
        for (b, cb) in q.weights.iter().zip(&q.comps) {
            s += a * b * gaussian_overlap(ca, cb);
        }
    }
    s
}

/// The squared L2 distance `∫ (p − q)² = ∫p² − 2∫pq + ∫q²`, in closed form (never negative).
pub fn l2_distance(p: &Mixture, q: &Mixture) -> f64 {
    let (pp, qq) = (overlap(p, p), overlap(q, q));
    // A component collapsed to (numerically) a point has ∫p² = ∞: so is the distance.
    if !pp.is_finite() || !qq.is_finite() {
        return f64::INFINITY;
    }
    (pp - 2.0 * overlap(p, q) + qq).max(0.0)
}

/// Points in `d` dimensions (row-major).
#[derive(Clone, Debug, PartialEq)]
pub struct Points {
    /// Dimension.
    pub dim: usize,
    /// Coordinates, point after point.
    pub xs: Vec<f64>,
}

impl Points {
    /// The `i`-th point.
    pub fn point(&self, i: usize) -> &[f64] {
        &self.xs[i * self.dim..(i + 1) * self.dim]
    }

    /// Mean and covariance with divisor `n − ddof` (`ddof` = 1 unbiased, 0 MLE); a single point
    /// has zero scatter.
    pub fn mean_cov(&self, ddof: f64) -> (Vec<f64>, Vec<f64>) {
        let d = self.dim;
        let n = self.len();
        let mut m = vec![0.0; d];
        for i in 0..n {
            for a in 0..d {
                m[a] += self.xs[i * d + a];
            }
        }
        m.iter_mut().for_each(|v| *v /= n as f64);
        let mut s = vec![0.0; d * d];
        for i in 0..n {
            let x = self.point(i);
            for a in 0..d {
                for b in 0..=a {
                    s[a * d + b] += (x[a] - m[a]) * (x[b] - m[b]);
                }
            }
        }
        let div = (n as f64 - ddof).max(1.0);
        for a in 0..d {
            for b in 0..=a {
                s[a * d + b] /= div;
                s[b * d + a] = s[a * d + b];
            }
        }
        (m, s)
    }
}

impl Dataset for Points {
    fn len(&self) -> usize {
        self.xs.len() / self.dim
    }
    fn merge(&mut self, other: Self) {
        self.xs.extend_from_slice(&other.xs);
    }
    fn subsample(&self, n: usize, rng: &mut Rng) -> Option<Self> {
        let len = self.len();
        let n = n.min(len);
        let d = self.dim;
        // Partial Fisher–Yates over indices: n distinct points, uniformly.
        let mut idx: Vec<usize> = (0..len).collect();
        let mut xs = Vec::with_capacity(n * d);
        for i in 0..n {
            let j = rng.random_range(i..len);
            idx.swap(i, j);
            xs.extend_from_slice(self.point(idx[i]));
        }
        Some(Points { dim: d, xs })
    }
}

/// Nodes and weights for `E_p f(X)` with `p` a mixture: tensor-product Gauss–Hermite with
/// `n` nodes per axis for each component, mapped through its Cholesky factor.
pub fn mixture_nodes(p: &Mixture, n: usize) -> (Vec<f64>, Vec<f64>) {
    let d = p.dim();
    let (t, w) = crate::linalg::normal_nodes(n);
    let total = n.pow(d as u32);
    let mut xs = Vec::with_capacity(total * d * p.comps.len());
    let mut ws = Vec::with_capacity(total * p.comps.len());
    let mut z = vec![0.0; d];
    for (pi, c) in p.weights.iter().zip(&p.comps) {
        for idx in 0..total {
            let mut r = idx;
            let mut weight = *pi;
            for a in 0..d {
                z[a] = t[r % n];
                weight *= w[r % n];
                r /= n;
            }
            for a in 0..d {
                let mut s = c.mean[a];
                for b in 0..=a {
                    s += c.chol[a * d + b] * z[b];
                }
                xs.push(s);
            }
            ws.push(weight);
        }
    }
    (xs, ws)
}

/// `KL(p ‖ q) = E_p[ln p − ln q]` by Gauss–Hermite quadrature over `p`'s components
/// (exact for Gaussian `p` and `q`; spectrally accurate for smooth mixtures). Never negative.
pub fn kl_quadrature(p: &Mixture, q: &dyn Fn(&[f64]) -> f64, nodes: usize) -> f64 {
    let d = p.dim();
    let (xs, ws) = mixture_nodes(p, nodes);
    let mut s = 0.0;
    for (i, w) in ws.iter().enumerate() {
        let x = &xs[i * d..(i + 1) * d];
        s += w * (p.log_pdf(x) - q(x));
    }
    s.max(0.0)
}

/// The cross-entropy `E_p[−ln q]` by the same quadrature.
pub fn cross_entropy(p: &Mixture, q: &dyn Fn(&[f64]) -> f64, nodes: usize) -> f64 {
    let d = p.dim();
    let (xs, ws) = mixture_nodes(p, nodes);
    -(0..ws.len())
        .map(|i| ws[i] * q(&xs[i * d..(i + 1) * d]))
        .sum::<f64>()
}

/// `∫ (N(m₁, v₁) − N(m₂, v₂))²` in 1-D.
pub fn normal_l2_1d(m1: f64, v1: f64, m2: f64, v2: f64) -> f64 {
    let phi = |x: f64, v: f64| (-0.5 * x * x / v).exp() / (2.0 * std::f64::consts::PI * v).sqrt();
    phi(0.0, 2.0 * v1) + phi(0.0, 2.0 * v2) - 2.0 * phi(m1 - m2, v1 + v2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> Mixture {
        Mixture::new(
            vec![0.3, 0.7],
            vec![
                Gaussian::isotropic(vec![-2.0], 0.5),
                Gaussian::isotropic(vec![1.0], 1.5),
            ],
        )
    }

    #[test]
    fn mixture_sampler_matches_its_cdf() {
        let p = two();
        let mut rng = collapse_core::rng::stream(1, "mix-ks", 0);
        let pts = p.sample(20_000, &mut rng);
        // One-sample KS against the exact CDF Σ πₖ Φ((x − μₖ)/σₖ).
        let mut xs = pts.xs.clone();
        xs.sort_by(f64::total_cmp);
        let cdf = |x: f64| {
            p.weights
                .iter()
                .zip(&p.comps)
                .map(|(w, c)| w * phi((x - c.mean[0]) / c.cov[0].sqrt()))
                .sum::<f64>()
        };
        let n = xs.len() as f64;
        let dstat = xs
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let f = cdf(*x);
                (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
            })
            .fold(0.0, f64::max);
        let p_value = collapse_core::stats::kolmogorov_sf(n.sqrt() * dstat);
        assert!(p_value > 1e-4, "D = {dstat}, p = {p_value}");
    }

    /// Φ by the complementary error function (Numerical Recipes erfc, |ε| < 1.2e-7 is enough for
    /// a KS test).
    fn phi(x: f64) -> f64 {
        let z = (-x / std::f64::consts::SQRT_2).abs();
        let t = 1.0 / (1.0 + 0.5 * z);
        let r = t
            * (-z * z - 1.265_512_23
                + t * (1.000_023_68
                    + t * (0.374_091_96
                        + t * (0.096_784_18
                            + t * (-0.186_288_06
                                + t * (0.278_868_07
                                    + t * (-1.135_203_98
                                        + t * (1.488_515_87
                                            + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
                .exp();
        let erfc = if -x / std::f64::consts::SQRT_2 >= 0.0 {
            r
        } else {
            2.0 - r
        };
        0.5 * erfc
    }

    #[test]
    fn moments_and_subsample() {
        let p = two();
        assert!((p.mean()[0] - (0.3 * -2.0 + 0.7)).abs() < 1e-15);
        let v = 0.3 * (0.5 + 4.0) + 0.7 * (1.5 + 1.0) - 0.1f64.powi(2);
        assert!((p.var() - v).abs() < 1e-14);
        let mut rng = collapse_core::rng::stream(3, "sub", 0);
        let pts = Points {
            dim: 2,
            xs: (0..20).map(f64::from).collect(),
        };
        let s = pts.subsample(4, &mut rng).unwrap();
        assert_eq!(s.len(), 4);
        let mut firsts: Vec<f64> = (0..4).map(|i| s.point(i)[0]).collect();
        firsts.sort_by(f64::total_cmp);
        firsts.dedup();
        assert_eq!(firsts.len(), 4);
        assert!((0..4).all(|i| s.point(i)[1] == s.point(i)[0] + 1.0));
    }
}
