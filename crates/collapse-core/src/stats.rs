//! Small statistics shared by records, checks and models.

/// Mean and standard error (sample sd / sqrt(n)) of `values`, summed in the given order.
///
/// Infinite values are kept exact: the mean is then infinite and the standard error infinite,
/// never NaN (a variance that collapsed to exactly zero has `ln` = −∞, and that is a result).
pub fn mean_and_se(values: &[f64]) -> (f64, f64) {
    let n = values.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if !mean.is_finite() {
        return (mean, f64::INFINITY);
    }
    if n == 1 {
        return (mean, 0.0);
    }
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (mean, (ss / (n - 1) as f64).sqrt() / (n as f64).sqrt())
}

/// Quantile of sorted data by linear interpolation between order statistics (type 7).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = q * (n - 1) as f64;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let w = h - lo as f64;
            lerp(sorted[lo], sorted[hi], w)
        }
    }
}

/// `a + w (b − a)` for `w` in [0, 1), exact at infinities: an infinite neighbour dominates
/// (−∞ − (−∞) would be NaN), and equal neighbours need no arithmetic.
fn lerp(a: f64, b: f64, w: f64) -> f64 {
    if w == 0.0 || a == b || a.is_infinite() {
        a
    } else if b.is_infinite() {
        b
    } else {
        a + w * (b - a)
    }
}

/// The type-7 quantiles `qs` of `values`, found by selection (linear time) rather than a full
/// sort; the same numbers as [`quantile_sorted`] of the sorted values. The values are
/// reordered.
pub fn quantiles_unsorted<const K: usize>(values: &mut [f64], qs: [f64; K]) -> [f64; K] {
    let n = values.len();
    let mut out = [f64::NAN; K];
    if n == 0 {
        return out;
    }
    // Every order statistic any quantile needs (its floor and the next), selected at once.
    let place = |q: f64| {
        let h = q * (n - 1) as f64;
        let lo = (h.floor() as usize).min(n - 1);
        (lo, (lo + 1).min(n - 1), h - lo as f64)
    };
    let mut ranks: Vec<usize> = qs
        .iter()
        .flat_map(|&q| {
            let (lo, hi, _) = place(q);
            [lo, hi]
        })
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    select_ranks(values, 0, &ranks);
    for (k, &q) in qs.iter().enumerate() {
        let (lo, hi, w) = place(q);
        out[k] = lerp(values[lo], values[hi], w);
    }
    out
}

/// Puts the order statistics of ranks `ranks` (ascending, relative to the whole array;
/// `offset` is where `values` starts in it) in their places: each selection splits the
/// range, and the ranks below and above it are found in the two halves only.
fn select_ranks(values: &mut [f64], offset: usize, ranks: &[usize]) {
    if ranks.is_empty() || values.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let k = ranks[mid] - offset;
    let (left, _, right) = values.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
    select_ranks(left, offset, &ranks[..mid]);
    select_ranks(right, offset + k + 1, &ranks[mid + 1..]);
}

/// Streaming mean and variance (Welford), for checks that average many draws without storing
/// them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    /// Adds one value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }
    /// Merges another accumulator (Chan et al.).
    pub fn merge(&mut self, o: &Welford) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let n = self.n + o.n;
        let d = o.mean - self.mean;
        self.mean += d * o.n as f64 / n as f64;
        self.m2 += o.m2 + d * d * (self.n as f64 * o.n as f64) / n as f64;
        self.n = n;
    }
    /// Number of values.
    pub fn count(&self) -> u64 {
        self.n
    }
    /// Their mean.
    pub fn mean(&self) -> f64 {
        self.mean
    }
    /// Their sample variance.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            self.m2 / (self.n - 1) as f64
        }
    }
    /// The standard error of the mean.
    pub fn std_error(&self) -> f64 {
        (self.variance() / self.n as f64).sqrt()
    }
}

/// Two-sample Kolmogorov–Smirnov statistic D = sup |F_a − F_b|.
pub fn ks_two_sample(a: &mut [f64], b: &mut [f64]) -> f64 {
    a.sort_by(|x, y| x.total_cmp(y));
    b.sort_by(|x, y| x.total_cmp(y));
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / na - j as f64 / nb).abs());
    }
    d
}

/// Asymptotic p-value of the two-sample KS statistic (Kolmogorov's series with the usual
/// effective-size correction of Stephens).
pub fn ks_two_sample_p(d: f64, na: usize, nb: usize) -> f64 {
    let ne = (na * nb) as f64 / (na + nb) as f64;
    let lambda = (ne.sqrt() + 0.12 + 0.11 / ne.sqrt()) * d;
    kolmogorov_sf(lambda)
}

/// Survival function of the Kolmogorov distribution, Q(λ) = 2 Σ (−1)^{k−1} e^{−2k²λ²}.
pub fn kolmogorov_sf(lambda: f64) -> f64 {
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    for k in 1..=100 {
        let kf = k as f64;
        let term = (-2.0 * kf * kf * lambda * lambda).exp();
        sum += if k % 2 == 1 { term } else { -term };
        if term < 1e-17 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selected_quantiles_equal_sorted_ones() {
        use rand::RngExt;
        let mut rng = crate::rng::stream(3, "q", 0);
        for n in [1usize, 2, 3, 7, 20, 21, 100, 1001] {
            let v: Vec<f64> = (0..n)
                .map(|i| match i % 7 {
                    0 => 1.0,
                    3 => f64::NEG_INFINITY,
                    _ => rng.random::<f64>(),
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort_by(|a, b| a.total_cmp(b));
            let mut w = v.clone();
            let got = quantiles_unsorted(&mut w, [0.05, 0.5, 0.95]);
            for (g, q) in got.iter().zip([0.05, 0.5, 0.95]) {
                assert_eq!(
                    g.to_bits(),
                    quantile_sorted(&sorted, q).to_bits(),
                    "n {n} q {q}"
                );
            }
        }
    }

    #[test]
    fn mean_se_quantiles() {
        let (m, se) = mean_and_se(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m, 2.5);
        assert!((se - (5.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-15);
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.5), 3.0);
        assert_eq!(quantile_sorted(&[0.0, 10.0], 0.05), 0.5);
        let (m, se) = mean_and_se(&[f64::NEG_INFINITY, 1.0]);
        assert!(m == f64::NEG_INFINITY && se == f64::INFINITY);
    }

    #[test]
    fn welford_matches_two_pass_and_merges() {
        let xs: Vec<f64> = (0..100).map(|i| (i as f64 * 0.37).sin()).collect();
        let mut a = Welford::default();
        let mut b = Welford::default();
        xs[..40].iter().for_each(|&x| a.push(x));
        xs[40..].iter().for_each(|&x| b.push(x));
        a.merge(&b);
        let (m, se) = mean_and_se(&xs);
        assert!((a.mean() - m).abs() < 1e-14 && (a.std_error() - se).abs() < 1e-14);
    }

    #[test]
    fn kolmogorov_known_values() {
        // Q(1.3581) = 0.05, Q(1.6276) = 0.01 (standard tables).
        assert!((kolmogorov_sf(1.3581) - 0.05).abs() < 1e-4);
        assert!((kolmogorov_sf(1.6276) - 0.01).abs() < 1e-4);
        let mut a = vec![1.0, 2.0, 3.0];
        let mut b = vec![1.5, 2.5, 3.5];
        assert!((ks_two_sample(&mut a, &mut b) - 1.0 / 3.0).abs() < 1e-15);
    }
}
