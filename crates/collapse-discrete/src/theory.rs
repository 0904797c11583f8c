//! Closed forms and exact computations for the discrete chain (neutral Wright–Fisher).
//!
//! Under the empirical fit and `replace`, the count of one category against all others is
//! itself a Markov chain: given count $c$ out of $M$, the next count is $\mathrm{Bin}(M, c/M)$.
//! This (M+1)-state *two-type chain* gives every per-category quantity exactly: survival, the
//! probability of holding all the mass, absorption times (a linear system), and by linearity of
//! expectation the expected support of the whole K-category chain. Generation 0 is the truth
//! $p_0$, so generation 1's count is $\mathrm{Bin}(M, p_0)$ whatever $Mp_0$ is.

use crate::model::FitRule;

/// $\ln k!$ for $k = 0..=n$ by summing logarithms (relative error ~1e-15 per term).
pub fn ln_factorials(n: usize) -> Vec<f64> {
    let mut t = Vec::with_capacity(n + 1);
    t.push(0.0);
    let mut s = 0.0;
    for k in 1..=n {
        s += (k as f64).ln();
        t.push(s);
    }
    t
}

/// The binomial probability $P(\mathrm{Bin}(n, p) = k)$.
pub fn binom_pmf(n: usize, p: f64, k: usize) -> f64 {
    if k > n {
        return 0.0;
    }
    if p <= 0.0 {
        return f64::from(u8::from(k == 0));
    }
    if p >= 1.0 {
        return f64::from(u8::from(k == n));
    }
    let lf = ln_factorials(n);
    binom_pmf_with(&lf, n, p, k)
}

fn binom_pmf_with(lf: &[f64], n: usize, p: f64, k: usize) -> f64 {
    if p <= 0.0 {
        return f64::from(u8::from(k == 0));
    }
    if p >= 1.0 {
        return f64::from(u8::from(k == n));
    }
    (lf[n] - lf[k] - lf[n - k] + k as f64 * p.ln() + (n - k) as f64 * (-p).ln_1p()).exp()
}

/// Probabilities below this are dropped from the sparse rows and vectors: the total mass lost
/// is below $(M+1)^2 \cdot 10^{-40}$ per step, far under double precision.
const CUTOFF: f64 = 1e-40;

/// The two-type Wright–Fisher chain with `m` draws per generation.
#[derive(Clone, Debug)]
pub struct TwoType {
    /// Draws per generation.
    pub m: usize,
    lf: Vec<f64>,
    /// Row c: (first state, probabilities of Bin(M, c/M) from there), entries < CUTOFF cut.
    rows: Vec<(usize, Vec<f64>)>,
}

impl TwoType {
    /// Builds the transition rows.
    pub fn new(m: usize) -> Self {
        let lf = ln_factorials(m);
        let rows = (0..=m)
            .map(|c| Self::row(&lf, m, c as f64 / m as f64))
            .collect();
        Self { m, lf, rows }
    }

    /// Bin(m, p) as a sparse row.
    fn row(lf: &[f64], m: usize, p: f64) -> (usize, Vec<f64>) {
        let full: Vec<f64> = (0..=m).map(|k| binom_pmf_with(lf, m, p, k)).collect();
        let lo = full.iter().position(|&x| x >= CUTOFF).unwrap_or(0);
        let hi = full.iter().rposition(|&x| x >= CUTOFF).unwrap_or(0);
        (lo, full[lo..=hi].to_vec())
    }

    /// The law of generation 1's count when generation 0 has frequency `p0`.
    pub fn first(&self, p0: f64) -> Vec<f64> {
        let (lo, r) = Self::row(&self.lf, self.m, p0);
        let mut v = vec![0.0; self.m + 1];
        v[lo..lo + r.len()].copy_from_slice(&r);
        v
    }

    /// One generation: $v'(c') = \sum_c v(c) P(c, c')$.
    pub fn step(&self, v: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.m + 1];
        for (c, &x) in v.iter().enumerate() {
            if x < CUTOFF {
                continue;
            }
            let (lo, r) = &self.rows[c];
            for (o, &q) in out[*lo..*lo + r.len()].iter_mut().zip(r) {
                *o += x * q;
            }
        }
        out
    }

    /// The laws of the count at generations 1..=n for generation-0 frequency `p0`.
    pub fn path(&self, p0: f64, n: u64) -> Vec<Vec<f64>> {
        let mut out = Vec::with_capacity(n as usize);
        if n == 0 {
            return out;
        }
        let mut v = self.first(p0);
        out.push(v.clone());
        for _ in 1..n {
            v = self.step(&v);
            out.push(v.clone());
        }
        out
    }

    /// Solves $(I - Q)x = b$ over the transient states 1..M−1 for each right-hand side.
    fn solve_transient(&self, rhs: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let n = self.m.saturating_sub(1);
        if n == 0 {
            return rhs.iter().map(|_| Vec::new()).collect();
        }
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            let (lo, r) = &self.rows[i + 1];
            for (k, &q) in r.iter().enumerate() {
                let s = lo + k;
                if (1..self.m).contains(&s) {
                    a[i * n + (s - 1)] -= q;
                }
            }
            a[i * n + i] += 1.0;
        }
        let mut bs: Vec<Vec<f64>> = rhs.to_vec();
        // Gaussian elimination with partial pivoting.
        for col in 0..n {
            let piv = (col..n)
                .max_by(|&x, &y| a[x * n + col].abs().total_cmp(&a[y * n + col].abs()))
                .expect("non-empty");
            if piv != col {
                for j in 0..n {
                    a.swap(col * n + j, piv * n + j);
                }
                for b in bs.iter_mut() {
                    b.swap(col, piv);
                }
            }
            let d = a[col * n + col];
            for row in col + 1..n {
                let f = a[row * n + col] / d;
                if f == 0.0 {
                    continue;
                }
                for j in col..n {
                    a[row * n + j] -= f * a[col * n + j];
                }
                for b in bs.iter_mut() {
                    b[row] -= f * b[col];
                }
            }
        }
        for b in bs.iter_mut() {
            for row in (0..n).rev() {
                let mut s = b[row];
                for j in row + 1..n {
                    s -= a[row * n + j] * b[j];
                }
                b[row] = s / a[row * n + row];
            }
        }
        bs
    }

    /// Exact mean times from each state c = 0..=M: (to absorption, to fixation given
    /// fixation, to loss given loss). Conditioning is Doob's h-transform with $h(c) = c/M$
    /// (fixation) and $1 - c/M$ (loss): $u = c\,\bar t_1$ and $w = (M-c)\,\bar t_0$ solve
    /// $(I - Q)u = c$ and $(I-Q)w = M - c$.
    pub fn mean_times(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let m = self.m;
        let n = m.saturating_sub(1);
        let ones = vec![1.0; n];
        let cs: Vec<f64> = (1..m).map(|c| c as f64).collect();
        let ls: Vec<f64> = (1..m).map(|c| (m - c) as f64).collect();
        let sol = self.solve_transient(&[ones, cs, ls]);
        let mut t = vec![0.0; m + 1];
        let mut t1 = vec![0.0; m + 1];
        let mut t0 = vec![0.0; m + 1];
        for c in 1..m {
            t[c] = sol[0][c - 1];
            t1[c] = sol[1][c - 1] / c as f64;
            t0[c] = sol[2][c - 1] / (m - c) as f64;
        }
        (t, t1, t0)
    }

    /// Mean absorption time from state `c` by summing $P(T > n)$ over generations until the
    /// remaining transient mass is below `eps` (an independent computation of
    /// [`TwoType::mean_times`]).
    pub fn mean_time_by_iteration(&self, c: usize, eps: f64) -> f64 {
        if c == 0 || c == self.m {
            return 0.0;
        }
        let mut v = vec![0.0; self.m + 1];
        v[c] = 1.0;
        let mut total = 0.0;
        loop {
            let alive: f64 = v[1..self.m].iter().sum();
            if alive < eps {
                return total;
            }
            total += alive;
            v = self.step(&v);
        }
    }

    /// The smallest n with P(the category is lost by generation n) ≥ 1/2, starting from
    /// count `c` at generation 0 (None if not reached within `max` generations).
    pub fn median_loss_time(&self, c: usize, max: u64) -> Option<u64> {
        let mut v = vec![0.0; self.m + 1];
        v[c] = 1.0;
        for n in 1..=max {
            v = self.step(&v);
            if v[0] >= 0.5 {
                return Some(n);
            }
        }
        None
    }
}

/// Exact per-generation expectations of the K-category empirical `replace` chain from the
/// marginal two-type chains: `(E support_g, P(absorbed by g))` for g = 0..=n.
///
/// Support: $\mathbb E\,\mathrm{support}_g = \sum_i P(c_{i,g} > 0)$ (linearity). Absorption:
/// the events $\{c_{i,g} = M\}$ are disjoint, so $P(\text{absorbed}) = \sum_i P(c_{i,g} = M)$.
/// Categories with equal $p_0$ share one computation.
pub fn support_and_absorption(p0: &[f64], m: usize, n: u64) -> (Vec<f64>, Vec<f64>) {
    use rayon::prelude::*;
    let live: Vec<f64> = p0.iter().copied().filter(|&p| p > 0.0).collect();
    let mut support = vec![live.len() as f64; n as usize + 1];
    let mut absorbed = vec![f64::from(u8::from(live.len() == 1)); n as usize + 1];
    if live.len() <= 1 || n == 0 {
        return (support, absorbed);
    }
    // Distinct values with multiplicities, in a fixed order (so sums do not depend on threads).
    let mut vals = live.clone();
    vals.sort_by(|a, b| a.total_cmp(b));
    let mut groups: Vec<(f64, f64)> = Vec::new();
    for p in vals {
        match groups.last_mut() {
            Some((q, k)) if *q == p => *k += 1.0,
            _ => groups.push((p, 1.0)),
        }
    }
    let chain = TwoType::new(m);
    let per: Vec<Vec<(f64, f64)>> = groups
        .par_iter()
        .map(|&(p, k)| {
            let mut out = Vec::with_capacity(n as usize);
            let mut v = chain.first(p);
            for g in 1..=n {
                if g > 1 {
                    v = chain.step(&v);
                }
                out.push((k * (1.0 - v[0]), k * v[m]));
            }
            out
        })
        .collect();
    for g in 1..=n as usize {
        support[g] = per.iter().map(|r| r[g - 1].0).sum();
        absorbed[g] = per.iter().map(|r| r[g - 1].1).sum::<f64>().min(1.0);
    }
    (support, absorbed)
}

/// A cost estimate of [`support_and_absorption`] (operations): per distinct $p_0$ and
/// generation, the states carrying mass (about 27 standard deviations of the count, whose
/// variance is at most $M^2 p(1-p)(1 - (1-1/M)^n)$) times the row width ($27\sqrt{M/4}$).
pub fn exact_cost(p0: &[f64], m: usize, n: u64) -> f64 {
    let mut v: Vec<f64> = p0.iter().copied().filter(|&p| p > 0.0).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    v.dedup();
    let mf = m as f64;
    let width = exact_row_width(m);
    let spread = 1.0 - (1.0 - 1.0 / mf).powf(n as f64);
    v.iter()
        .map(|p| {
            let sd = mf * (p * (1.0 - p) * spread).sqrt();
            n as f64 * (27.0 * sd + 10.0).min(mf + 1.0) * width
        })
        .sum()
}

/// The width of a transition row of [`TwoType`] at its widest, about 27 standard deviations
/// of $\mathrm{Bin}(M, 1/2)$ (at most $M + 1$).
pub fn exact_row_width(m: usize) -> f64 {
    let mf = m as f64;
    (27.0 * (mf / 4.0).sqrt() + 1.0).min(mf + 1.0)
}

/// $\mathbb E H_n = H_0 \prod_{i<n} (1 - 1/M_i)$, $H = 1 - \sum p^2$.
pub fn expected_heterozygosity(p0: &[f64], sizes: &[f64]) -> f64 {
    let h0 = 1.0 - p0.iter().map(|p| p * p).sum::<f64>();
    sizes.iter().fold(h0, |h, m| h * (1.0 - 1.0 / m))
}

/// $\mathbb E H_g$ for every g = 0..=n, where `sizes` holds $M_0, \dots, M_{n-1}$: one running
/// product, O(K + n) (not one product per generation).
pub fn expected_heterozygosity_path(p0: &[f64], sizes: &[f64]) -> Vec<f64> {
    let h0 = 1.0 - p0.iter().map(|p| p * p).sum::<f64>();
    let mut out = Vec::with_capacity(sizes.len() + 1);
    out.push(h0);
    let mut h = h0;
    for m in sizes {
        h *= 1.0 - 1.0 / m;
        out.push(h);
    }
    out
}

/// Kimura's diffusion approximation of the mean absorption time, haploid size `m`:
/// $-2M[p\ln p + (1-p)\ln(1-p)]$.
pub fn kimura_absorption(m: f64, p: f64) -> f64 {
    -2.0 * m * (xlnx(p) + xlnx(1.0 - p))
}

/// Kimura's mean fixation time given fixation: $-2M(1-p)\ln(1-p)/p$.
pub fn kimura_fixation(m: f64, p: f64) -> f64 {
    -2.0 * m * xlnx(1.0 - p) / p
}

/// Kimura's mean loss time given loss: $-2M\,p\ln p/(1-p)$.
pub fn kimura_loss(m: f64, p: f64) -> f64 {
    -2.0 * m * xlnx(p) / (1.0 - p)
}

fn xlnx(x: f64) -> f64 {
    if x <= 0.0 { 0.0 } else { x * x.ln() }
}

/// Suresh et al.'s $g_k = g^{\circ k}(\infty)$ with $g(x) = 1 - e^{-x}$: $g_1 = 1$,
/// $g_{k+1} = 1 - e^{-g_k}$.
pub fn suresh_g(k: u64) -> f64 {
    let mut g: f64 = 1.0;
    for _ in 1..k {
        g = -(-g).exp_m1();
    }
    g
}

/// Suresh et al. Theorem 1, lower bound on P(a category with probability `p0` survives `k`
/// generations of `n` draws): $1 - e^{-n p_0 g_k}$.
pub fn suresh_lower(n: f64, p0: f64, k: u64) -> f64 {
    -(-n * p0 * suresh_g(k)).exp_m1()
}

/// Suresh et al. Theorem 1, upper bound: $1 - \max(1 - 3np_0^2 - 3kp_0, 0)\,e^{-np_0 g_k}$.
pub fn suresh_upper(n: f64, p0: f64, k: u64) -> f64 {
    let f = (1.0 - 3.0 * n * p0 * p0 - 3.0 * k as f64 * p0).max(0.0);
    1.0 - f * (-n * p0 * suresh_g(k)).exp()
}

/// Corollary 1's bounds on $\mathbb E\,\mathrm{uniq}_k$: sums of the per-category bounds.
pub fn suresh_support_bounds(n: f64, p0: &[f64], k: u64) -> (f64, f64) {
    let live = p0.iter().filter(|&&p| p > 0.0);
    let lo = live.clone().map(|&p| suresh_lower(n, p, k)).sum();
    let hi = live.map(|&p| suresh_upper(n, p, k)).sum();
    (lo, hi)
}

/// The add-α contraction $\lambda = M/(M + K\alpha)$: $\mathbb E p_{n+1} = \lambda\,\mathbb E
/// p_n + (1-\lambda)/K$.
pub fn add_alpha_lambda(m: f64, k: f64, alpha: f64) -> f64 {
    m / (m + k * alpha)
}

/// $\mathbb E p_n(i) = \lambda^n p_0(i) + (1 - \lambda^n)/K$ under add-α (finite or infinite
/// samples, `replace`) with a constant size M.
pub fn add_alpha_mean(p0: f64, m: f64, k: f64, alpha: f64, n: u64) -> f64 {
    let ln = add_alpha_lambda(m, k, alpha).powi(n as i32);
    ln * p0 + (1.0 - ln) / k
}

/// The products $\Lambda_g = \prod_{i<g} \lambda(M_i)$ for g = 0..=n, `sizes` holding
/// $M_0, \dots, M_{n-1}$ (the size generation i + 1 is fitted on). Each generation contracts
/// towards uniform by the λ of its own size, so under a growing schedule
/// $\mathbb E p_n = \Lambda_n p_0 + (1 - \Lambda_n) u$, not $\lambda(M_0)^n$.
pub fn add_alpha_contractions(sizes: &[f64], k: f64, alpha: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(sizes.len() + 1);
    let mut l = 1.0;
    out.push(l);
    for &m in sizes {
        l *= add_alpha_lambda(m, k, alpha);
        out.push(l);
    }
    out
}

/// Total variation between the uniform distribution on K categories and $p_0$.
pub fn tv_uniform(p0: &[f64]) -> f64 {
    let k = p0.len() as f64;
    0.5 * p0.iter().map(|p| (p - 1.0 / k).abs()).sum::<f64>()
}

/// Infinite-sample add-α with a constant size: $\mathrm{TV}(p_n, p_0) = (1 - \lambda^n)\,
/// \mathrm{TV}(u, p_0)$, because $p_n = \lambda^n p_0 + (1-\lambda^n) u$.
pub fn add_alpha_tv(p0: &[f64], m: f64, alpha: f64, n: u64) -> f64 {
    let l = add_alpha_lambda(m, p0.len() as f64, alpha).powi(n as i32);
    (1.0 - l) * tv_uniform(p0)
}

/// $\mathrm{TV}(p_g, p_0)$ for g = 0..=n of the `replace` chain without statistical error (the
/// infinite-sample mode: generation g + 1 fits the expected counts $M_g p_g$), `sizes` holding
/// $M_0, \dots, M_{n-1}$, where it has a closed form: 0 under the empirical fit ($p_g = p_0$);
/// $1 - P_S$ from generation 1 on under top-k alone (the truncation acts once, whatever the
/// sizes); $(1 - \Lambda_g)\,\mathrm{TV}(u, p_0)$ under add-α alone
/// ([`add_alpha_contractions`]). `None` when top-k and add-α are combined. O(K + n).
pub fn population_tv(p0: &[f64], sizes: &[f64], rule: FitRule) -> Option<Vec<f64>> {
    let n = sizes.len();
    match rule {
        FitRule {
            alpha: 0.0,
            top_k: None,
        } => Some(vec![0.0; n + 1]),
        FitRule {
            alpha: 0.0,
            top_k: Some(k),
        } => {
            let ps = top_k_mass(p0, k);
            Some(
                (0..=n)
                    .map(|g| if g == 0 { 0.0 } else { 1.0 - ps })
                    .collect(),
            )
        }
        FitRule { alpha, top_k: None } if alpha > 0.0 => {
            let tv = tv_uniform(p0);
            let k = p0.len() as f64;
            Some(
                add_alpha_contractions(sizes, k, alpha)
                    .into_iter()
                    .map(|l| (1.0 - l) * tv)
                    .collect(),
            )
        }
        _ => None,
    }
}

/// The mass $P_S$ of the `k` most probable categories of $p_0$ (ties: smaller index); the
/// top-k truncation has $\mathrm{TV} = 1 - P_S$.
pub fn top_k_mass(p0: &[f64], k: usize) -> f64 {
    let mut v: Vec<(usize, f64)> = p0.iter().copied().enumerate().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.iter().take(k).map(|(_, p)| p).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_distributions() {
        let t = TwoType::new(50);
        for c in 0..=50 {
            let s: f64 = t.rows[c].1.iter().sum();
            assert!((s - 1.0).abs() < 1e-12, "{c}: {s}");
        }
        let v = t.step(&t.first(0.3));
        assert!((v.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Martingale: E c_2 = M p_0.
        let mean: f64 = v.iter().enumerate().map(|(c, x)| c as f64 * x).sum();
        assert!((mean - 15.0).abs() < 1e-10);
    }

    #[test]
    fn linear_system_matches_iteration() {
        let t = TwoType::new(40);
        let (abs, t1, t0) = t.mean_times();
        for c in [1usize, 5, 20, 39] {
            let it = t.mean_time_by_iteration(c, 1e-15);
            assert!((abs[c] - it).abs() < 1e-9 * it, "{c}: {} vs {it}", abs[c]);
            // Law of total expectation over the fixation outcome (probability c/M).
            let p = c as f64 / 40.0;
            assert!((p * t1[c] + (1.0 - p) * t0[c] - abs[c]).abs() < 1e-9 * abs[c]);
        }
        // M = 2: from c = 1 absorption takes a geometric number of steps with success 1/2.
        let (abs, _, _) = TwoType::new(2).mean_times();
        assert!((abs[1] - 2.0).abs() < 1e-14);
    }

    #[test]
    fn suresh_g_is_within_its_bracket() {
        assert_eq!(suresh_g(1), 1.0);
        assert!((suresh_g(2) - (1.0 - (-1.0f64).exp())).abs() < 1e-15);
        for k in 1..500 {
            let g = suresh_g(k);
            assert!(g >= 1.0 / k as f64 && g <= 3.0 / k as f64);
        }
    }

    /// The contraction products against the constant-size powers, and a growing schedule's
    /// product against the generation-by-generation affine recursion of the mean.
    #[test]
    fn add_alpha_contractions_follow_each_generations_size() {
        let (k, alpha) = (30.0, 0.5);
        let constant = add_alpha_contractions(&[50.0; 8], k, alpha);
        for (g, l) in constant.iter().enumerate() {
            assert!((l - add_alpha_lambda(50.0, k, alpha).powi(g as i32)).abs() < 1e-15);
        }
        let sizes: Vec<f64> = (1..=8).map(|i| 50.0 * f64::from(i)).collect();
        let lambdas = add_alpha_contractions(&sizes, k, alpha);
        let (p0, mut p) = (0.2, 0.2);
        for (g, &m) in sizes.iter().enumerate() {
            p = (m * p + alpha) / (m + k * alpha);
            let closed = lambdas[g + 1] * p0 + (1.0 - lambdas[g + 1]) / k;
            assert!((p - closed).abs() < 1e-15, "{g}: {p} vs {closed}");
        }
    }

    #[test]
    fn heterozygosity_path_is_the_products() {
        let p0 = [0.5, 0.3, 0.2];
        let sizes = [10.0, 20.0, 40.0];
        let path = expected_heterozygosity_path(&p0, &sizes);
        for g in 0..=3 {
            assert_eq!(path[g], expected_heterozygosity(&p0, &sizes[..g]));
        }
    }

    #[test]
    fn two_category_support_is_symmetric() {
        // With K = 2 the support is 2 − P(absorbed).
        let (s, a) = support_and_absorption(&[0.3, 0.7], 30, 40);
        for g in 0..=40 {
            assert!((s[g] + a[g] - 2.0).abs() < 1e-12, "{g}");
        }
    }
}
