//! Kernel density estimates: the kernels (Gaussian, tophat), the bandwidth rules (a fixed `h`,
//! scipy's and scikit-learn's Scott and Silverman rules), exact sampling and fast evaluation.
//!
//! A KDE on points `x₁ … x_N` with kernel shape `H` is `p(x) = (1/N) Σ K_H(x − xᵢ)`:
//!
//! - **gaussian**: `K_H = N(0, H)`; the kernel adds `H` to the covariance of the points;
//! - **tophat**: `K_H` uniform on the ellipsoid `{y : yᵀH⁻¹y ≤ 1}` (for `H = h² I` the ball of
//!   radius `h`, scikit-learn's `kernel="tophat"`); the kernel adds `H/(d + 2)`, the covariance
//!   of the uniform law on the ellipsoid.
//!
//! The bandwidth rules, named by the library whose convention they follow:
//!
//! - `fixed`: `H = h² I`;
//! - `scipy-scott`, `scipy-silverman`: `H = f² Σ̂` with `Σ̂` the unbiased sample covariance and
//!   `f = N^{−1/(d+4)}` or `(N(d+2)/4)^{−1/(d+4)}` (`scipy.stats.gaussian_kde`): the kernel
//!   scales with the data's spread;
//! - `sklearn-scott`, `sklearn-silverman`: `H = f² I` with the same factors
//!   (`sklearn.neighbors.KernelDensity(bandwidth="scott" | "silverman")`): a bandwidth that
//!   depends on `N` and `d` only, not on the data.

use crate::em::{exp_nonpositive, sum};
use crate::model::{Gaussian, Mixture, Points};
use collapse_core::normal::standard_normals;
use collapse_core::{Dataset, Rng};
use rand::RngExt;

collapse_core::choice! {
    /// The kernel of a KDE (the `kernel` parameter).
    pub enum Kernel {
        /// `N(0, H)`.
        Gaussian = "gaussian",
        /// Uniform on the ellipsoid `yᵀH⁻¹y ≤ 1` (the ball of radius `h` for `H = h² I`).
        Tophat = "tophat",
    }
}

impl Kernel {
    /// The kernel's covariance as a multiple of `H`: 1 for the Gaussian, `1/(d + 2)` for the
    /// tophat (the second moment of the uniform law on the unit ball of `R^d`).
    pub fn variance_factor(self, d: usize) -> f64 {
        match self {
            Kernel::Gaussian => 1.0,
            Kernel::Tophat => 1.0 / (d as f64 + 2.0),
        }
    }
}

collapse_core::choice! {
    /// The bandwidth rule a KDE is configured with (the `bandwidth` parameter).
    pub enum BandwidthRule {
        /// `H = h² I` with a given `h`.
        Fixed = "fixed",
        /// scipy's Scott rule: `N^{−1/(d+4)}` squared times the sample covariance.
        ScipyScott = "scipy-scott",
        /// scipy's Silverman rule: `(N(d+2)/4)^{−1/(d+4)}` squared times the sample covariance.
        ScipySilverman = "scipy-silverman",
        /// scikit-learn's Scott rule: `H = N^{−2/(d+4)} I`, whatever the data's spread.
        SklearnScott = "sklearn-scott",
        /// scikit-learn's Silverman rule: `H = (N(d+2)/4)^{−2/(d+4)} I`.
        SklearnSilverman = "sklearn-silverman",
    }
}

/// How a KDE chooses its kernel shape `H`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bandwidth {
    /// `H = h² I` with `h` fixed.
    Fixed(f64),
    /// A rule whose factor `f` depends on `N` and `d`.
    Rule {
        /// Silverman's factor (else Scott's).
        silverman: bool,
        /// `H = f² Σ̂` (scipy) or `H = f² I` (scikit-learn).
        scaled_by_covariance: bool,
    },
}

impl Bandwidth {
    /// The bandwidth of a rule; `h` is used by `fixed`.
    pub fn new(rule: BandwidthRule, h: f64) -> Self {
        let r = |silverman, scaled_by_covariance| Bandwidth::Rule {
            silverman,
            scaled_by_covariance,
        };
        match rule {
            BandwidthRule::Fixed => Bandwidth::Fixed(h),
            BandwidthRule::ScipyScott => r(false, true),
            BandwidthRule::ScipySilverman => r(true, true),
            BandwidthRule::SklearnScott => r(false, false),
            BandwidthRule::SklearnSilverman => r(true, false),
        }
    }

    /// The factor `f` of a rule for `n` points in `d` dimensions (`None` for a fixed
    /// bandwidth): Scott's `n^{−1/(d+4)}`, Silverman's `(n(d+2)/4)^{−1/(d+4)}`.
    pub fn factor(&self, n: f64, d: f64) -> Option<f64> {
        match *self {
            Bandwidth::Fixed(_) => None,
            Bandwidth::Rule { silverman, .. } => Some(if silverman {
                (n * (d + 2.0) / 4.0).powf(-1.0 / (d + 4.0))
            } else {
                n.powf(-1.0 / (d + 4.0))
            }),
        }
    }

    /// `tr H` for a training set of `n` points in `d` dimensions whose covariance with divisor
    /// `n` has trace `b` (`H` is then `f² n/(n−1)` times it under scipy's rules).
    pub fn trace(&self, n: f64, d: f64, b: f64) -> f64 {
        match *self {
            Bandwidth::Fixed(h) => d * h * h,
            Bandwidth::Rule {
                scaled_by_covariance,
                ..
            } => {
                let f = self.factor(n, d).unwrap_or(0.0);
                if scaled_by_covariance {
                    f * f * n / (n - 1.0) * b
                } else {
                    d * f * f
                }
            }
        }
    }

    /// The kernel shape `H` (row-major `d × d`) for `data`.
    pub fn shape(&self, data: &Points) -> Vec<f64> {
        let d = data.dim;
        let n = data.len() as f64;
        let identity = |v: f64| {
            let mut c = vec![0.0; d * d];
            (0..d).for_each(|i| c[i * d + i] = v);
            c
        };
        match *self {
            Bandwidth::Fixed(h) => identity(h * h),
            Bandwidth::Rule {
                scaled_by_covariance,
                ..
            } => {
                let f = self.factor(n, d as f64).unwrap_or(1.0);
                if scaled_by_covariance {
                    let (_, s) = data.mean_cov(1.0);
                    s.iter().map(|v| v * f * f).collect()
                } else {
                    identity(f * f)
                }
            }
        }
    }
}

/// `ln` of the volume of the unit ball of `R^d`, `π^{d/2} / Γ(d/2 + 1)`, for `d ≤ 8`.
fn ln_unit_ball(d: usize) -> f64 {
    use std::f64::consts::PI;
    // Γ(d/2 + 1): d even, (d/2)!; d odd, √π (d)!! / 2^{(d+1)/2}.
    let gamma = match d {
        0 => 1.0,
        _ if d.is_multiple_of(2) => (1..=d / 2).map(|k| k as f64).product(),
        _ => {
            let double_fact: f64 = (1..=d).step_by(2).map(|k| k as f64).product();
            PI.sqrt() * double_fact / 2f64.powi((d as i32 + 1) / 2)
        }
    };
    0.5 * d as f64 * PI.ln() - gamma.ln()
}

/// A kernel density estimate: the equal-weight mixture of `K_H(· − xᵢ)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Kde {
    /// The training points.
    pub centers: Points,
    /// `N(0, H)`: the kernel shape `H` with its Cholesky factor and normaliser (for the tophat
    /// only the shape and the factor are used).
    pub shape: Gaussian,
    /// The kernel.
    pub kernel: Kernel,
}

impl Kde {
    /// Fits a KDE to `data` with a kernel and a bandwidth rule.
    pub fn fit(data: &Points, kernel: Kernel, bw: Bandwidth) -> Self {
        let d = data.dim;
        Kde {
            centers: data.clone(),
            shape: Gaussian::new(vec![0.0; d], bw.shape(data)),
            kernel,
        }
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.centers.dim
    }

    /// `sqrt(tr H / d)`: the bandwidth `h` of `H = h² I` (the radius of a tophat ball).
    pub fn bandwidth(&self) -> f64 {
        (self.shape.trace() / self.dim() as f64).sqrt()
    }

    /// Draws `n` points exactly: a uniform training point plus a kernel draw `L u`, with
    /// `LLᵀ = H` and `u ~ N(0, I)` (Gaussian) or `u` uniform in the unit ball (tophat: a
    /// normal direction scaled to radius `U^{1/d}`).
    pub fn sample(&self, n: usize, rng: &mut Rng) -> Points {
        let d = self.dim();
        let m = self.centers.len();
        let mut xs = vec![0.0; n * d];
        let mut z = standard_normals(rng, n * d);
        for (x, z) in xs.chunks_exact_mut(d).zip(z.chunks_exact_mut(d)) {
            let c = rng.random_range(0..m);
            if self.kernel == Kernel::Tophat {
                let norm = z.iter().map(|v| v * v).sum::<f64>().sqrt();
                let radius = rng.random::<f64>().powf(1.0 / d as f64);
                // A zero direction has probability 0; it is left at the centre.
                let s = if norm > 0.0 { radius / norm } else { 0.0 };
                z.iter_mut().for_each(|v| *v *= s);
            }
            self.shape.transform_into(z, x);
            for (x, t) in x.iter_mut().zip(self.centers.point(c)) {
                *x += t;
            }
        }
        Points { dim: d, xs }
    }

    /// Mean and covariance: those of the training points (divisor `N`) plus the kernel's
    /// covariance (`H`, or `H/(d + 2)` for the tophat).
    pub fn mean_cov(&self) -> (Vec<f64>, Vec<f64>) {
        let (m, mut s) = self.centers.mean_cov(0.0);
        let c = self.kernel.variance_factor(self.dim());
        s.iter_mut()
            .zip(&self.shape.cov)
            .for_each(|(a, b)| *a += c * b);
        (m, s)
    }

    /// `ln p(x)` for every point of `xs` (row-major), and how many of them have density 0
    /// (outside every tophat ball; never for the Gaussian kernel, whose log-density is summed
    /// by log-sum-exp and stays finite however far a point lies).
    pub fn log_pdf_many(&self, xs: &[f64]) -> (Vec<f64>, usize) {
        let eval = Evaluator::new(self);
        let mut buf = vec![0.0; self.centers.len()];
        let mut out = Vec::with_capacity(xs.len() / self.dim());
        let mut outside = 0;
        for x in xs.chunks_exact(self.dim()) {
            let v = eval.log_pdf(x, &mut buf);
            outside += usize::from(v == f64::NEG_INFINITY);
            out.push(v);
        }
        (out, outside)
    }

    /// `ln p(x)`.
    pub fn log_pdf(&self, x: &[f64]) -> f64 {
        self.log_pdf_many(x).0[0]
    }

    /// The KDE as an explicit mixture (Gaussian kernel; for closed-form checks on small sets).
    pub fn to_mixture(&self) -> Mixture {
        let n = self.centers.len();
        let comps = (0..n)
            .map(|i| Gaussian {
                mean: self.centers.point(i).to_vec(),
                ..self.shape.clone()
            })
            .collect();
        Mixture::new(vec![1.0 / n as f64; n], comps)
    }
}

/// The centres whitened by `L⁻¹` (`LLᵀ = H`), coordinate-major, so that the squared
/// Mahalanobis distance of a query to every centre is a few vector loops.
struct Evaluator<'a> {
    kde: &'a Kde,
    /// `soa[a·N + i]`: coordinate `a` of `L⁻¹xᵢ`.
    soa: Vec<f64>,
    /// `ln` of the kernel's peak density over `N`: `−½(d ln 2π + ln det H) − ln N` for the
    /// Gaussian, `−ln(V_d √det H) − ln N` for the tophat.
    log_scale: f64,
}

impl<'a> Evaluator<'a> {
    fn new(kde: &'a Kde) -> Self {
        let d = kde.dim();
        let n = kde.centers.len();
        let mut soa = vec![0.0; n * d];
        let mut y = vec![0.0; d];
        for i in 0..n {
            whiten(&kde.shape.prec, d, kde.centers.point(i), &mut y);
            for a in 0..d {
                soa[a * n + i] = y[a];
            }
        }
        let ln_n = (n as f64).ln();
        let log_scale = match kde.kernel {
            Kernel::Gaussian => kde.shape.log_norm - ln_n,
            Kernel::Tophat => {
                let half_log_det = -kde.shape.log_norm - 0.5 * d as f64 * LN_2PI;
                -(ln_unit_ball(d) + half_log_det) - ln_n
            }
        };
        Self {
            kde,
            soa,
            log_scale,
        }
    }

    /// `ln p(x)`, with `buf` (length N) as scratch.
    fn log_pdf(&self, x: &[f64], buf: &mut [f64]) -> f64 {
        let d = self.kde.dim();
        let n = buf.len();
        let mut z = [0.0; 8];
        whiten(&self.kde.shape.prec, d, x, &mut z[..d]);
        buf.iter_mut().for_each(|v| *v = 0.0);
        for a in 0..d {
            let (col, za) = (&self.soa[a * n..(a + 1) * n], z[a]);
            for (b, c) in buf.iter_mut().zip(col) {
                let t = c - za;
                *b += t * t;
            }
        }
        match self.kde.kernel {
            Kernel::Gaussian => {
                let m = buf.iter().copied().fold(f64::INFINITY, f64::min);
                // In place, then summed in independent lanes: both loops vectorise.
                buf.iter_mut()
                    .for_each(|q| *q = exp_nonpositive(-0.5 * (*q - m)));
                self.log_scale - 0.5 * m + sum(buf).ln()
            }
            Kernel::Tophat => {
                let inside = buf.iter().filter(|&&q| q <= 1.0).count();
                if inside == 0 {
                    f64::NEG_INFINITY
                } else {
                    self.log_scale + (inside as f64).ln()
                }
            }
        }
    }
}

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// `out = P x` for the lower-triangular `P` (row-major `d × d`).
fn whiten(p: &[f64], d: usize, x: &[f64], out: &mut [f64]) {
    for a in 0..d {
        out[a] = (0..=a).map(|b| p[a * d + b] * x[b]).sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::stats::{ks_two_sample, ks_two_sample_p};

    fn data(d: usize, n: usize, seed: u64) -> Points {
        let mut rng = collapse_core::rng::stream(seed, "kde-data", 0);
        Points {
            dim: d,
            xs: standard_normals(&mut rng, n * d),
        }
    }

    #[test]
    fn gaussian_kde_sampler_and_density_are_the_mixture_s() {
        let mut rng = collapse_core::rng::stream(2, "kde-ks", 0);
        let pts = data(1, 50, 1);
        let kde = Kde::fit(&pts, Kernel::Gaussian, Bandwidth::Fixed(0.3));
        let mut a = kde.sample(20_000, &mut rng).xs;
        let mut b = kde.to_mixture().sample(20_000, &mut rng).xs;
        let dks = ks_two_sample(&mut a, &mut b);
        assert!(ks_two_sample_p(dks, 20_000, 20_000) > 1e-4, "D = {dks}");
        let mix = kde.to_mixture();
        let (m, c) = kde.mean_cov();
        assert!((m[0] - mix.mean()[0]).abs() < 1e-12 && (c[0] - mix.cov()[0]).abs() < 1e-12);
        for x in [-7.0, 0.3, 2.0] {
            assert!((kde.log_pdf(&[x]) - mix.log_pdf(&[x])).abs() < 1e-12, "{x}");
        }
        // Far away the log-sum-exp keeps the density's logarithm finite.
        assert!(kde.log_pdf(&[1e6]).is_finite());
        // In 3-D with a full kernel shape (scipy's rule).
        let pts = data(3, 40, 2);
        let kde = Kde::fit(
            &pts,
            Kernel::Gaussian,
            Bandwidth::new(BandwidthRule::ScipyScott, 0.0),
        );
        let mix = kde.to_mixture();
        let x = [0.2, -0.5, 1.0];
        assert!((kde.log_pdf(&x) - mix.log_pdf(&x)).abs() < 1e-12);
    }

    #[test]
    fn tophat_density_is_uniform_on_the_ball_and_integrates_to_one() {
        // One centre at 0, h = 0.5 in 2-D: density 1/(π h²) inside, 0 outside.
        let pts = Points {
            dim: 2,
            xs: vec![0.0, 0.0],
        };
        let kde = Kde::fit(&pts, Kernel::Tophat, Bandwidth::Fixed(0.5));
        let inside = (1.0 / (std::f64::consts::PI * 0.25)).ln();
        assert!((kde.log_pdf(&[0.3, 0.3]) - inside).abs() < 1e-13);
        assert_eq!(kde.log_pdf(&[0.4, 0.4]), f64::NEG_INFINITY);
        // Three dimensions, several centres, a Riemann sum of the density.
        let pts = data(3, 5, 3);
        let kde = Kde::fit(&pts, Kernel::Tophat, Bandwidth::Fixed(0.7));
        let (lo, hi, k) = (-4.0, 4.0, 90);
        let h = (hi - lo) / k as f64;
        let mut grid = Vec::new();
        for i in 0..k {
            for j in 0..k {
                for l in 0..k {
                    grid.extend([i, j, l].map(|t| lo + (t as f64 + 0.5) * h));
                }
            }
        }
        let (lp, outside) = kde.log_pdf_many(&grid);
        let mass: f64 = lp.iter().map(|v| v.exp() * h * h * h).sum();
        assert!((mass - 1.0).abs() < 0.02, "{mass}");
        assert!(outside > 0);
    }

    #[test]
    fn tophat_draws_are_uniform_in_the_ball() {
        // Radius law: P(|X| <= r) = (r/h)^d; second moment per coordinate h²/(d+2).
        for d in [1usize, 2, 3] {
            let pts = Points {
                dim: d,
                xs: vec![0.0; d],
            };
            let kde = Kde::fit(&pts, Kernel::Tophat, Bandwidth::Fixed(2.0));
            let n = 100_000;
            let s = kde.sample(n, &mut collapse_core::rng::stream(4, "tophat", d as u64));
            let r: Vec<f64> = (0..n)
                .map(|i| s.point(i).iter().map(|v| v * v).sum::<f64>().sqrt())
                .collect();
            assert!(r.iter().all(|&r| r <= 2.0));
            let inner = r.iter().filter(|&&r| r <= 1.0).count() as f64 / n as f64;
            let p = 0.5f64.powi(d as i32);
            assert!(
                (inner - p).abs() < 5.5 * (p * (1.0 - p) / n as f64).sqrt(),
                "{d}: {inner}"
            );
            let sq: Vec<f64> = (0..n).map(|i| s.point(i)[0].powi(2)).collect();
            let (m, se) = collapse_core::stats::mean_and_se(&sq);
            let want = 4.0 / (d as f64 + 2.0);
            assert!((m - want).abs() < 5.5 * se, "{d}: {m} vs {want}");
            assert!((kde.mean_cov().1[0] - want).abs() < 1e-15);
        }
    }

    #[test]
    fn bandwidth_rules_follow_their_libraries() {
        let pts = data(2, 100, 5);
        let (_, cov) = pts.mean_cov(1.0);
        let scott = 100f64.powf(-1.0 / 6.0);
        let silverman = (100.0 * 4.0 / 4.0f64).powf(-1.0 / 6.0);
        let sh = |r| Bandwidth::new(r, 0.0).shape(&pts);
        assert_eq!(
            sh(BandwidthRule::SklearnScott),
            vec![scott * scott, 0.0, 0.0, scott * scott]
        );
        let s = sh(BandwidthRule::SklearnSilverman);
        assert!((s[0] - silverman * silverman).abs() < 1e-15 && s[1] == 0.0);
        let s = sh(BandwidthRule::ScipyScott);
        assert!(
            s.iter()
                .zip(&cov)
                .all(|(a, b)| (a - b * scott * scott).abs() < 1e-15)
        );
        assert!((ln_unit_ball(1) - 2f64.ln()).abs() < 1e-15);
        assert!((ln_unit_ball(2) - std::f64::consts::PI.ln()).abs() < 1e-15);
        assert!((ln_unit_ball(3) - (4.0 / 3.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
    }
}
