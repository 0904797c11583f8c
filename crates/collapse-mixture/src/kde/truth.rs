//! Generation 0 of the KDE chains: Gaussian truths and the non-Gaussian data sets of Kazdan et
//! al.'s KDE experiments (two moons, concentric circles, the Swiss roll, Gaussian blobs), drawn
//! by this crate from the replicate's stream with scikit-learn's conventions.
//!
//! scikit-learn's generators place the curve parameters of `n` points on an even grid
//! (`linspace`) and split the points evenly between the two moons or circles; read as a
//! distribution, which is what a chain retrains on and what a held-out test set is drawn from,
//! the angle is uniform and each point picks its moon or circle by a fair coin. That reading is
//! the one sampled here:
//!
//! - **moons** (`make_moons`): the outer arc `(cos t, sin t)` and the inner arc
//!   `(1 − cos t, ½ − sin t)`, `t ~ U(0, π)`, plus `N(0, noise² I)`;
//! - **circles** (`make_circles`): `(cos t, sin t)` or `factor·(cos t, sin t)`, `t ~ U(0, 2π)`,
//!   plus `N(0, noise² I)`;
//! - **swiss-roll** (`make_swiss_roll`, 3-D): `t = 3π/2 (1 + 2u)`, `(t cos t, 21 v, t sin t)` with
//!   `u, v ~ U(0, 1)`, plus `N(0, noise² I)`;
//! - **blobs** (`make_blobs`): `centers` centres drawn uniformly in `[−10, 10]^d`, then equal-weight
//!   isotropic Gaussians of standard deviation `cluster_std` around them. scikit-learn draws new
//!   centres at every call, so two calls (a training and a test set) come from two different
//!   distributions; here the centres are drawn once per replicate, and the chain's data and its
//!   test set share them.
//!
//! Each truth has its exact mean and covariance ([`Truth::mean_cov`]), in closed form for the
//! curves (checked against Gauss–Legendre quadrature by `mixture.kde-dataset-moments`).

use crate::kde::experiment::KdeTruth;
use crate::linalg::legendre_nodes;
use crate::model::{Gaussian, Mixture, Points};
use collapse_core::normal::standard_normals;
use collapse_core::{Choice, Rng};
use rand::RngExt;
use std::f64::consts::PI;

/// The half-width of scikit-learn's `center_box` for blobs, `(−10, 10)`.
pub const BLOB_BOX: f64 = 10.0;

/// How generation 0 is made, before any draw (the blobs' centres are drawn per replicate).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TruthSpec {
    /// Which data set.
    pub kind: KdeTruth,
    /// The dimension of the data.
    pub dim: usize,
    /// Distance between the two means (`mixture`).
    pub separation: f64,
    /// Standard deviation of the Gaussian noise (`moons`, `circles`, `swiss-roll`).
    pub noise: f64,
    /// Radius of the inner circle (`circles`), in `[0, 1)`.
    pub factor: f64,
    /// Number of blobs (`blobs`).
    pub centers: usize,
    /// Standard deviation of each blob (`blobs`).
    pub cluster_std: f64,
}

impl TruthSpec {
    /// The dimension a data set has of its own (`moons`, `circles`: 2; `swiss-roll`: 3), or
    /// `None` when it takes any (`gaussian`, `mixture`, `blobs`).
    pub fn fixed_dim(kind: KdeTruth) -> Option<usize> {
        match kind {
            KdeTruth::Moons | KdeTruth::Circles => Some(2),
            KdeTruth::SwissRoll => Some(3),
            KdeTruth::Gaussian | KdeTruth::Mixture | KdeTruth::Blobs => None,
        }
    }

    /// The truth `kind` with the defaults of `mixture-kde`'s parameters (separation 4, noise
    /// 0.05, factor 0.8, three blobs of standard deviation 1) in the data set's own dimension.
    pub fn with_defaults(kind: KdeTruth) -> Self {
        Self {
            kind,
            dim: Self::default_dim(kind),
            separation: 4.0,
            noise: 0.05,
            factor: 0.8,
            centers: 3,
            cluster_std: 1.0,
        }
    }

    /// The dimension used when the `dim` parameter is 0 (the data set's own).
    pub fn default_dim(kind: KdeTruth) -> usize {
        match kind {
            KdeTruth::Gaussian | KdeTruth::Mixture => 1,
            KdeTruth::Blobs => 2,
            other => Self::fixed_dim(other).unwrap_or(2),
        }
    }

    /// Builds the truth of one replicate; only `blobs` draws from `rng` (its centres).
    pub fn build(&self, rng: &mut Rng) -> Truth {
        let d = self.dim;
        match self.kind {
            KdeTruth::Gaussian => {
                Truth::Mixture(Mixture::single(Gaussian::isotropic(vec![0.0; d], 1.0)))
            }
            KdeTruth::Mixture => {
                let mk = |s: f64| {
                    let mut m = vec![0.0; d];
                    m[0] = s * self.separation / 2.0;
                    Gaussian::isotropic(m, 1.0)
                };
                Truth::Mixture(Mixture::new(vec![0.5, 0.5], vec![mk(-1.0), mk(1.0)]))
            }
            KdeTruth::Blobs => {
                let k = self.centers;
                let var = self.cluster_std * self.cluster_std;
                let comps = (0..k)
                    .map(|_| {
                        let c = (0..d)
                            .map(|_| rng.random_range(-BLOB_BOX..BLOB_BOX))
                            .collect();
                        Gaussian::isotropic(c, var)
                    })
                    .collect();
                Truth::Mixture(Mixture::new(vec![1.0 / k as f64; k], comps))
            }
            KdeTruth::Moons => Truth::Moons { noise: self.noise },
            KdeTruth::Circles => Truth::Circles {
                noise: self.noise,
                factor: self.factor,
            },
            KdeTruth::SwissRoll => Truth::SwissRoll { noise: self.noise },
        }
    }

    /// `(E tr Cov₀ / d, E ‖μ₀‖²)` over replicates: the truth's own for every data set but
    /// `blobs`, whose centres `c₁ … c_K` are uniform in `[−10, 10]^d` (variance `100/3` a
    /// coordinate), so that `E tr Cov₀/d = σ² + (100/3)(K − 1)/K` and `E‖μ₀‖² = d (100/3)/K`.
    /// The exact expected variance of the KDE chains is affine in these two numbers, so it
    /// averages over the centres exactly.
    pub fn expected_moments(&self) -> (f64, f64) {
        if self.kind == KdeTruth::Blobs {
            let (d, k) = (self.dim as f64, self.centers as f64);
            let u = (2.0 * BLOB_BOX).powi(2) / 12.0;
            let v0 = self.cluster_std.powi(2) + u * (k - 1.0) / k;
            return (v0, d * u / k);
        }
        // Every other truth draws nothing.
        let t = self.build(&mut <Rng as rand::SeedableRng>::seed_from_u64(0));
        let (m, c) = t.mean_cov();
        let d = self.dim;
        let tr = (0..d).map(|a| c[a * d + a]).sum::<f64>();
        (tr / d as f64, m.iter().map(|v| v * v).sum())
    }

    /// The data set's name.
    pub fn name(&self) -> &'static str {
        self.kind.name()
    }
}

/// Generation 0 of one replicate.
#[derive(Clone, Debug, PartialEq)]
pub enum Truth {
    /// A Gaussian mixture (`gaussian`, `mixture`, `blobs`), with its density.
    Mixture(Mixture),
    /// Two interleaved half circles.
    Moons {
        /// Standard deviation of the added noise.
        noise: f64,
    },
    /// Two concentric circles.
    Circles {
        /// Standard deviation of the added noise.
        noise: f64,
        /// Radius of the inner circle.
        factor: f64,
    },
    /// The Swiss roll, in 3-D.
    SwissRoll {
        /// Standard deviation of the added noise.
        noise: f64,
    },
}

/// The Swiss roll's angle range, `t ∈ [3π/2, 9π/2]`.
const ROLL: (f64, f64) = (1.5 * PI, 4.5 * PI);
/// The Swiss roll's height, `21 v`.
const ROLL_HEIGHT: f64 = 21.0;

impl Truth {
    /// The dimension.
    pub fn dim(&self) -> usize {
        match self {
            Truth::Mixture(m) => m.dim(),
            Truth::Moons { .. } | Truth::Circles { .. } => 2,
            Truth::SwissRoll { .. } => 3,
        }
    }

    /// The point of the noiseless curve (or surface) at the curve parameters `(s, u, v)`, with
    /// `s` picking the branch (moon or circle), `u, v ∈ [0, 1)` uniform.
    fn curve(&self, outer: bool, u: f64, v: f64, out: &mut [f64]) {
        match self {
            Truth::Moons { .. } => {
                let (s, c) = (PI * u).sin_cos();
                if outer {
                    out.copy_from_slice(&[c, s]);
                } else {
                    out.copy_from_slice(&[1.0 - c, 0.5 - s]);
                }
            }
            Truth::Circles { factor, .. } => {
                let (s, c) = (2.0 * PI * u).sin_cos();
                let r = if outer { 1.0 } else { *factor };
                out.copy_from_slice(&[r * c, r * s]);
            }
            Truth::SwissRoll { .. } => {
                let t = ROLL.0 + (ROLL.1 - ROLL.0) * u;
                out.copy_from_slice(&[t * t.cos(), ROLL_HEIGHT * v, t * t.sin()]);
            }
            Truth::Mixture(_) => unreachable!("a mixture is not a curve"),
        }
    }

    fn noise(&self) -> f64 {
        match self {
            Truth::Moons { noise } | Truth::Circles { noise, .. } | Truth::SwissRoll { noise } => {
                *noise
            }
            Truth::Mixture(_) => 0.0,
        }
    }

    /// Draws `n` points.
    pub fn sample(&self, n: usize, rng: &mut Rng) -> Points {
        if let Truth::Mixture(m) = self {
            return m.sample(n, rng);
        }
        let d = self.dim();
        let noise = self.noise();
        let mut xs = standard_normals(rng, n * d);
        let mut p = vec![0.0; d];
        for x in xs.chunks_exact_mut(d) {
            let outer = rng.random::<bool>();
            let u = rng.random::<f64>();
            let v = if d == 3 { rng.random::<f64>() } else { 0.0 };
            self.curve(outer, u, v, &mut p);
            for (x, c) in x.iter_mut().zip(&p) {
                *x = c + noise * *x;
            }
        }
        Points { dim: d, xs }
    }

    /// The exact mean and covariance (row-major `d × d`).
    pub fn mean_cov(&self) -> (Vec<f64>, Vec<f64>) {
        let s2 = self.noise().powi(2);
        let (m, mut c) = match self {
            Truth::Mixture(m) => return (m.mean(), m.cov()),
            Truth::Moons { .. } => {
                // Outer arc: E(cos t, sin t) = (0, 2/π), E cos² = E sin² = ½, E cos sin = 0;
                // the inner arc is (1 − cos t, ½ − sin t). Each arc has weight ½.
                let ex = [0.0, 1.0];
                let ey = [2.0 / PI, 0.5 - 2.0 / PI];
                let exx = [0.5, 1.5];
                let eyy = [0.5, 0.25 - 2.0 / PI + 0.5];
                let exy = [0.0, 0.5 - 2.0 / PI];
                let avg = |a: [f64; 2]| 0.5 * (a[0] + a[1]);
                let (mx, my) = (avg(ex), avg(ey));
                let cxy = avg(exy) - mx * my;
                (
                    vec![mx, my],
                    vec![avg(exx) - mx * mx, cxy, cxy, avg(eyy) - my * my],
                )
            }
            Truth::Circles { factor, .. } => {
                let v = (1.0 + factor * factor) / 4.0;
                (vec![0.0, 0.0], vec![v, 0.0, 0.0, v])
            }
            Truth::SwissRoll { .. } => {
                // Moments of t cos t and t sin t for t uniform on [a, b], from antiderivatives.
                let (a, b) = ROLL;
                let mean = |f: &dyn Fn(f64) -> f64| (f(b) - f(a)) / (b - a);
                let ex = mean(&|t| t * t.sin() + t.cos());
                let ez = mean(&|t| -t * t.cos() + t.sin());
                // ∫ t² cos 2t / 2 = t² sin 2t / 4 + t cos 2t / 4 − sin 2t / 8.
                let half_cos2 = |t: f64| {
                    let (s2, c2) = (2.0 * t).sin_cos();
                    t * t * s2 / 4.0 + t * c2 / 4.0 - s2 / 8.0
                };
                let exx = mean(&|t| t.powi(3) / 6.0 + half_cos2(t));
                let ezz = mean(&|t| t.powi(3) / 6.0 - half_cos2(t));
                // ∫ t² sin 2t / 2 = −t² cos 2t / 4 + t sin 2t / 4 + cos 2t / 8.
                let exz = mean(&|t| {
                    let (s2, c2) = (2.0 * t).sin_cos();
                    -t * t * c2 / 4.0 + t * s2 / 4.0 + c2 / 8.0
                });
                let my = ROLL_HEIGHT / 2.0;
                let vy = ROLL_HEIGHT * ROLL_HEIGHT / 12.0;
                let cxz = exz - ex * ez;
                (
                    vec![ex, my, ez],
                    vec![
                        exx - ex * ex,
                        0.0,
                        cxz,
                        0.0,
                        vy,
                        0.0,
                        cxz,
                        0.0,
                        ezz - ez * ez,
                    ],
                )
            }
        };
        let d = m.len();
        (0..d).for_each(|a| c[a * d + a] += s2);
        (m, c)
    }

    /// The mean and covariance by Gauss–Legendre quadrature over the curve parameters
    /// (`nodes` per parameter), an independent computation of [`Truth::mean_cov`].
    pub fn mean_cov_quadrature(&self, nodes: usize) -> (Vec<f64>, Vec<f64>) {
        if let Truth::Mixture(m) = self {
            return (m.mean(), m.cov());
        }
        let d = self.dim();
        let (t, w) = legendre_nodes(nodes);
        let (vs, vw): (Vec<f64>, Vec<f64>) = if d == 3 {
            (t.clone(), w.clone())
        } else {
            (vec![0.5], vec![1.0])
        };
        let mut m = vec![0.0; d];
        let mut s = vec![0.0; d * d];
        let mut p = vec![0.0; d];
        for outer in [true, false] {
            for (u, wu) in t.iter().zip(&w) {
                for (v, wv) in vs.iter().zip(&vw) {
                    self.curve(outer, *u, *v, &mut p);
                    let wt = 0.5 * wu * wv;
                    for a in 0..d {
                        m[a] += wt * p[a];
                        for b in 0..d {
                            s[a * d + b] += wt * p[a] * p[b];
                        }
                    }
                }
            }
        }
        let s2 = self.noise().powi(2);
        for a in 0..d {
            for b in 0..d {
                s[a * d + b] -= m[a] * m[b];
            }
            s[a * d + a] += s2;
        }
        (m, s)
    }

    /// `ln p(x)` where the truth has a density that is cheap to evaluate (the Gaussian
    /// mixtures); `None` for the curves.
    pub fn log_pdf(&self, x: &[f64]) -> Option<f64> {
        match self {
            Truth::Mixture(m) => Some(m.log_pdf(x)),
            _ => None,
        }
    }

    /// The density of a 2-D truth at `x` for figures: exact for a mixture, and for the moons
    /// and circles the average of the noise density over `nodes` evenly spaced curve
    /// parameters of each branch (midpoint rule; spectrally accurate for the periodic circles,
    /// and accurate to the node spacing for the moons). `None` for the Swiss roll or when the
    /// noise is 0 (no density).
    pub fn pdf_2d(&self, x: &[f64], nodes: usize) -> Option<f64> {
        match self {
            Truth::Mixture(m) => Some(m.pdf(x)),
            Truth::SwissRoll { .. } => None,
            _ => {
                let s2 = self.noise().powi(2);
                if s2 == 0.0 {
                    return None;
                }
                let mut p = [0.0; 2];
                let mut sum = 0.0;
                for outer in [true, false] {
                    for i in 0..nodes {
                        self.curve(outer, (i as f64 + 0.5) / nodes as f64, 0.0, &mut p);
                        let r2 = (x[0] - p[0]).powi(2) + (x[1] - p[1]).powi(2);
                        sum += (-0.5 * r2 / s2).exp();
                    }
                }
                Some(sum / (2.0 * nodes as f64) / (2.0 * PI * s2))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample mean and covariance of 400,000 draws agree with the exact moments within
    /// 5.5 standard errors of each entry (the sampler is the scikit-learn law).
    #[test]
    fn samplers_have_their_exact_moments() {
        for kind in [KdeTruth::Moons, KdeTruth::Circles, KdeTruth::SwissRoll] {
            let t = TruthSpec::with_defaults(kind)
                .build(&mut collapse_core::rng::stream(1, "truth", 0));
            let n = 400_000;
            let pts = t.sample(n, &mut collapse_core::rng::stream(2, "truth", 0));
            let (m, c) = t.mean_cov();
            let d = t.dim();
            for a in 0..d {
                let xs: Vec<f64> = (0..n).map(|i| pts.point(i)[a]).collect();
                let (mean, se) = collapse_core::stats::mean_and_se(&xs);
                assert!(
                    (mean - m[a]).abs() < 5.5 * se,
                    "{kind} mean {a}: {mean} vs {}",
                    m[a]
                );
                for b in 0..d {
                    let xy: Vec<f64> = (0..n)
                        .map(|i| (pts.point(i)[a] - m[a]) * (pts.point(i)[b] - m[b]))
                        .collect();
                    let (v, se) = collapse_core::stats::mean_and_se(&xy);
                    let want = c[a * d + b];
                    assert!(
                        (v - want).abs() < 5.5 * se,
                        "{kind} cov {a}{b}: {v} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn blob_centres_come_from_the_stream_and_moments_average_over_them() {
        let s = TruthSpec::with_defaults(KdeTruth::Blobs);
        let a = s.build(&mut collapse_core::rng::stream(1, "blobs", 0));
        let b = s.build(&mut collapse_core::rng::stream(1, "blobs", 0));
        assert_eq!(a, b);
        // E tr Cov / d and E |mu|^2 over many draws of the centres.
        let reps = 20_000;
        let (mut v, mut q) = (Vec::new(), Vec::new());
        for r in 0..reps {
            let t = s.build(&mut collapse_core::rng::stream(3, "blobs", r));
            let (m, c) = t.mean_cov();
            v.push(0.5 * (c[0] + c[3]));
            q.push(m.iter().map(|x| x * x).sum::<f64>());
        }
        let (ev, eq) = s.expected_moments();
        let (mv, sv) = collapse_core::stats::mean_and_se(&v);
        let (mq, sq) = collapse_core::stats::mean_and_se(&q);
        assert!((mv - ev).abs() < 5.5 * sv, "{mv} vs {ev}");
        assert!((mq - eq).abs() < 5.5 * sq, "{mq} vs {eq}");
    }

    #[test]
    fn the_moons_density_integrates_to_one() {
        let t = TruthSpec::with_defaults(KdeTruth::Moons)
            .build(&mut collapse_core::rng::stream(1, "t", 0));
        let (lo, hi, n) = ((-1.6, -1.0), (2.6, 1.5), 420);
        let (hx, hy) = ((hi.0 - lo.0) / n as f64, (hi.1 - lo.1) / n as f64);
        let mut s = 0.0;
        for i in 0..n {
            for j in 0..n {
                let x = [lo.0 + (i as f64 + 0.5) * hx, lo.1 + (j as f64 + 0.5) * hy];
                s += t.pdf_2d(&x, 2000).unwrap() * hx * hy;
            }
        }
        assert!((s - 1.0).abs() < 1e-3, "{s}");
    }
}
