//! What a generation trains on: sufficient statistics (count, mean, scatter), which merge in
//! O(d²) however large the pool, or the points themselves, which only `accumulate-subsample`
//! needs.

use crate::logspace::{ScaledFactor, log_sum_exp};
use collapse_core::{Dataset, Rng};
use nalgebra::{DMatrix, DVector};
use rand::RngExt;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Sufficient statistics of 1-D data: count, mean, and the logarithm of the sum of squared
/// deviations (so that a collapsed generation's spread does not underflow).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats1 {
    /// Number of points.
    pub n: u64,
    /// Their mean.
    pub mean: f64,
    /// $\ln\sum(x - \bar x)^2$ (−∞ when every point is the same).
    pub log_m2: f64,
}

impl Default for Stats1 {
    fn default() -> Self {
        Self {
            n: 0,
            mean: 0.0,
            log_m2: f64::NEG_INFINITY,
        }
    }
}

impl Stats1 {
    /// The statistics of a slice (two passes, for accuracy).
    pub fn of(xs: &[f64]) -> Self {
        if xs.is_empty() {
            return Self::default();
        }
        let mean = sum_lanes(xs, |x| x) / xs.len() as f64;
        let m2 = sum_lanes(xs, |x| (x - mean) * (x - mean));
        Self {
            n: xs.len() as u64,
            mean,
            log_m2: m2.ln(),
        }
    }
}

impl Dataset for Stats1 {
    fn len(&self) -> usize {
        self.n as usize
    }
    fn merge(&mut self, o: Self) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = o;
            return;
        }
        // Chan et al.'s pairwise update, the three spreads added in log space.
        let (na, nb) = (self.n as f64, o.n as f64);
        let n = na + nb;
        let d = o.mean - self.mean;
        let cross = (d * d).ln() + (na * nb / n).ln();
        self.log_m2 = log_sum_exp(&[self.log_m2, o.log_m2, cross]);
        self.mean += d * nb / n;
        self.n += o.n;
    }
    fn subsample(&self, _: usize, _: &mut Rng) -> Option<Self> {
        None
    }
}

/// Σ f(x) with eight independent partial sums, combined in a fixed order: a single running sum
/// is a chain of dependent additions (one per 4 cycles), which made the two passes of
/// [`Stats1::of`] cost as much as drawing the points. The order is fixed, so results do not
/// depend on anything but the data.
pub fn sum_lanes(xs: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut acc = [0.0f64; 8];
    let chunks = xs.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..8 {
            acc[k] += f(c[k]);
        }
    }
    let mut tail = 0.0;
    for &x in rest {
        tail += f(x);
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail
}

/// Sufficient statistics of d-dimensional data.
#[derive(Clone, Debug, PartialEq)]
pub struct StatsD {
    /// Number of points.
    pub n: u64,
    /// Their mean.
    pub mean: DVector<f64>,
    /// $\sum (x - \bar x)(x - \bar x)^\top$, with its scale and log-determinant kept exactly.
    pub scatter: ScaledFactor,
}

impl StatsD {
    /// No data in dimension `d`.
    pub fn empty(d: usize) -> Self {
        Self {
            n: 0,
            mean: DVector::zeros(d),
            scatter: ScaledFactor::zero(d),
        }
    }
}

impl Dataset for StatsD {
    fn len(&self) -> usize {
        self.n as usize
    }
    fn merge(&mut self, o: Self) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = o;
            return;
        }
        let (na, nb) = (self.n as f64, o.n as f64);
        let n = na + nb;
        let d = &o.mean - &self.mean;
        self.scatter = ScaledFactor::weighted_sum(
            &[(0.0, &self.scatter), (0.0, &o.scatter)],
            &[((na * nb / n).ln(), &d)],
        );
        self.mean += d * (nb / n);
        self.n += o.n;
    }
    fn subsample(&self, _: usize, _: &mut Rng) -> Option<Self> {
        None
    }
}

/// 1-D data kept point by point (for `accumulate-subsample`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Points1(pub Vec<f64>);

impl Dataset for Points1 {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn merge(&mut self, o: Self) {
        self.0.extend(o.0);
    }
    fn subsample(&self, n: usize, rng: &mut Rng) -> Option<Self> {
        let idx = sample_without_replacement(self.0.len(), n, rng);
        Some(Points1(idx.into_iter().map(|i| self.0[i]).collect()))
    }
}

/// d-dimensional data kept point by point, column after column (for `accumulate-subsample`):
/// a pool grows by appending, in amortised O(M d) a generation.
#[derive(Clone, Debug, PartialEq)]
pub struct PointsD {
    /// The dimension.
    pub dim: usize,
    /// The coordinates, `dim` per point.
    pub coords: Vec<f64>,
}

impl Dataset for PointsD {
    fn len(&self) -> usize {
        self.coords.len() / self.dim
    }
    fn merge(&mut self, o: Self) {
        self.coords.extend(o.coords);
    }
    fn subsample(&self, n: usize, rng: &mut Rng) -> Option<Self> {
        let d = self.dim;
        let idx = sample_without_replacement(self.len(), n, rng);
        let mut coords = Vec::with_capacity(n * d);
        for i in idx {
            coords.extend_from_slice(&self.coords[i * d..(i + 1) * d]);
        }
        Some(PointsD { dim: d, coords })
    }
}

impl PointsD {
    /// The sufficient statistics of the points.
    pub fn stats(&self) -> StatsD {
        let (d, n) = (self.dim, self.len());
        if n == 0 {
            return StatsD::empty(d);
        }
        let x = DMatrix::from_column_slice(d, n, &self.coords);
        let mean = x.column_mean();
        let centred = &x - &mean * DVector::from_element(n, 1.0).transpose();
        StatsD {
            n: n as u64,
            scatter: ScaledFactor::from_psd(0.0, &centred * centred.transpose()),
            mean,
        }
    }
}

/// `n` distinct indices of `0..len`, uniformly without replacement, in O(n) time and memory
/// whatever `len` is: a partial Fisher–Yates shuffle of a virtual identity array whose few
/// displaced entries live in a hash map (the pool is neither copied nor indexed in full).
pub fn sample_without_replacement(len: usize, n: usize, rng: &mut Rng) -> Vec<usize> {
    let n = n.min(len);
    let mut moved: HashMap<usize, usize, BuildHasherDefault<MixHasher>> =
        HashMap::with_capacity_and_hasher(2 * n, Default::default());
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let j = rng.random_range(i..len);
        let at_j = moved.get(&j).copied().unwrap_or(j);
        let at_i = moved.get(&i).copied().unwrap_or(i);
        moved.insert(j, at_i);
        out.push(at_j);
    }
    out
}

/// A multiply-shift hash for integer keys: the map above is looked up twice per drawn index, and
/// the default SipHash cost more than drawing the point itself.
#[derive(Default)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_usize(&mut self, i: usize) {
        // Fibonacci hashing: the high bits, which hashbrown uses, depend on every key bit.
        self.0 = (i as u64 ^ self.0).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_core::rng::stream;

    #[test]
    fn merging_statistics_equals_the_statistics_of_the_union() {
        let a = [1.0, 2.0, 4.0];
        let b = [-1.0, 3.5];
        let mut s = Stats1::of(&a);
        s.merge(Stats1::of(&b));
        let u = Stats1::of(&[1.0, 2.0, 4.0, -1.0, 3.5]);
        assert_eq!(s.n, u.n);
        assert!((s.mean - u.mean).abs() < 1e-14 && (s.log_m2 - u.log_m2).abs() < 1e-14);

        let pa = PointsD {
            dim: 2,
            coords: vec![1.0, -1.0, 2.0, 0.0, 0.5, 3.0],
        };
        let pb = PointsD {
            dim: 2,
            coords: vec![4.0, 1.0, -2.0, 1.5],
        };
        let mut sa = pa.stats();
        sa.merge(pb.stats());
        let mut pu = pa.clone();
        pu.merge(pb);
        let su = pu.stats();
        assert_eq!(su.n, 5);
        assert!((sa.mean - &su.mean).norm() < 1e-14);
        let diff = sa.scatter.matrix_in_units(0.0) - su.scatter.matrix_in_units(0.0);
        assert!(diff.norm() < 1e-12);
        assert!((sa.scatter.log_det() - su.scatter.log_det()).abs() < 1e-13);
    }

    #[test]
    fn merging_collapsed_statistics_stays_in_log_space() {
        // Two batches whose spreads are e^{-3000}: the union's spread is their sum, in logs.
        let a = Stats1 {
            n: 2,
            mean: 0.5,
            log_m2: -3000.0,
        };
        let mut s = a;
        s.merge(a);
        assert_eq!(s.n, 4);
        assert!((s.log_m2 - (-3000.0 + 2f64.ln())).abs() < 1e-12);
    }

    #[test]
    fn subsampling_is_uniform_and_without_replacement() {
        // Each of 10 items is drawn with probability 3/10 and every draw is distinct.
        let mut counts = [0u32; 10];
        let trials = 20_000;
        for r in 0..trials {
            let idx = sample_without_replacement(10, 3, &mut stream(1, "subsample", r));
            let mut s = idx.clone();
            s.sort_unstable();
            s.dedup();
            assert_eq!(s.len(), 3, "{idx:?}");
            for i in idx {
                counts[i] += 1;
            }
        }
        // Binomial(20000, 0.3): sd ≈ 64.8; 5.5 sd ≈ 357.
        for c in counts {
            assert!((f64::from(c) - 6000.0).abs() < 5.5 * 64.8, "{counts:?}");
        }
        assert_eq!(
            sample_without_replacement(4, 9, &mut stream(1, "s", 0)).len(),
            4
        );
    }
}
