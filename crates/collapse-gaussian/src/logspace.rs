//! Sizes kept in the exponent, so that they stay exact while the chain collapses.
//!
//! In 1-D the variance is carried as $\ln\sigma^2$ and sums of variances (pooled data, mixtures)
//! are taken with [`log_sum_exp`]. In $d$ dimensions a covariance or scatter matrix is held as $e^{s} L L^\top$ with $L$ lower triangular and
//! normalised to $\|L\|_F^2 = d$, so that $e^{s} = \mathrm{tr}/d$: the scale lives in the exponent
//! $s$ and cannot underflow (a replace chain with $M = 2$ falls below $10^{-308}$ within a few
//! hundred generations). Beside it, the logarithms of the diagonal of $e^{s/2}L$ are carried
//! separately. A generation of `replace` multiplies the factor on the right by a lower-triangular
//! matrix $B$ (Bartlett's factor of the Wishart draw, or the Cholesky factor of the points'
//! scatter), and the diagonal of a product of lower-triangular matrices is the product of their
//! diagonals: $\ln\det = 2\sum_i \ln|L_{ii}|$ is then a running sum of exact terms, however
//! ill-conditioned $L$ becomes (its smallest directions shrink exponentially faster than its
//! largest, by the spread of the Wishart's Lyapunov exponents, and leave double precision long
//! before the log-determinant does).

use nalgebra::{DMatrix, DVector};

/// $\ln\sum_k e^{x_k}$, computed in units of the largest term; $-\infty$ when every term is
/// (an empty sum, or a sum of zeros).
pub fn log_sum_exp(xs: &[f64]) -> f64 {
    let m = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + xs.iter().map(|&x| (x - m).exp()).sum::<f64>().ln()
}

/// $e^{s} L L^\top$ with $L$ lower triangular, $\|L\|_F^2 = d$, and the exact logarithms of the
/// diagonal of $e^{s/2} L$.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaledFactor {
    /// $s = \ln(\mathrm{tr}/d)$; $-\infty$ for the zero matrix.
    log_scale: f64,
    /// $L$: lower triangular, $\|L\|_F^2 = d$ (zero for the zero matrix).
    factor: DMatrix<f64>,
    /// $\ln|(e^{s/2}L)_{ii}|$, carried exactly through triangular products; $-\infty$ on a
    /// singular direction.
    log_diag: DVector<f64>,
}

impl ScaledFactor {
    /// The zero matrix of dimension `d`.
    pub fn zero(d: usize) -> Self {
        Self {
            log_scale: f64::NEG_INFINITY,
            factor: DMatrix::zeros(d, d),
            log_diag: DVector::from_element(d, f64::NEG_INFINITY),
        }
    }

    /// $e^{v} I_d$.
    pub fn scalar(d: usize, log_var: f64) -> Self {
        Self {
            log_scale: log_var,
            factor: DMatrix::identity(d, d),
            log_diag: DVector::from_element(d, 0.5 * log_var),
        }
    }

    /// $e^{t} L L^\top$ for a lower-triangular `l` whose diagonal logarithms (of $e^{t/2}L$) are
    /// `log_diag`; normalises.
    pub fn from_lower(log_scale: f64, l: DMatrix<f64>, log_diag: DVector<f64>) -> Self {
        let mut f = Self {
            log_scale,
            factor: l,
            log_diag,
        };
        f.normalise();
        f
    }

    /// $e^{t} S$ for a symmetric positive semi-definite `s`, factored by Cholesky, or, when that
    /// fails (a singular matrix: fewer points than dimensions), by the lower-triangular factor
    /// of [`lower_factor_psd`]. The diagonal logarithms are those of the factor found.
    pub fn from_psd(log_scale: f64, s: DMatrix<f64>) -> Self {
        let d = s.nrows();
        if log_scale == f64::NEG_INFINITY || s.iter().all(|&v| v == 0.0) {
            return Self::zero(d);
        }
        let l = match s.clone().cholesky() {
            Some(ch) => ch.unpack(),
            None => lower_factor_psd(&s),
        };
        let log_diag = DVector::from_fn(d, |i, _| 0.5 * log_scale + l[(i, i)].abs().ln());
        Self::from_lower(log_scale, l, log_diag)
    }

    /// Puts the scale into the exponent: $\|L\|_F^2 = d$ afterwards.
    fn normalise(&mut self) {
        let d = self.factor.nrows() as f64;
        let f = self.factor.norm_squared() / d;
        if f == 0.0 || self.log_scale == f64::NEG_INFINITY {
            *self = Self::zero(self.factor.nrows());
            return;
        }
        self.factor /= f.sqrt();
        self.log_scale += f.ln();
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.factor.nrows()
    }

    /// $\ln(\mathrm{tr}/d)$, exact; $-\infty$ for the zero matrix.
    pub fn log_mean_eigenvalue(&self) -> f64 {
        self.log_scale
    }

    /// $\ln\det$, exact through triangular products; $-\infty$ when singular.
    pub fn log_det(&self) -> f64 {
        2.0 * self.log_diag.iter().sum::<f64>()
    }

    /// The diagonal logarithms $\ln|(e^{s/2}L)_{ii}|$.
    pub fn log_diag(&self) -> &DVector<f64> {
        &self.log_diag
    }

    /// The normalised factor $L$.
    pub fn unit_factor(&self) -> &DMatrix<f64> {
        &self.factor
    }

    /// $e^{s/2} L$, a factor of the matrix itself (directions far below double precision
    /// underflow to zero, which is where they belong in absolute terms).
    pub fn factor(&self) -> DMatrix<f64> {
        &self.factor * (0.5 * self.log_scale).exp()
    }

    /// $\mathrm{tr}\, A^{1/2} = e^{s/2}\sum_i \sqrt{\lambda_i(L L^\top)}$. The eigenvalues of the
    /// normalised $L L^\top$ (trace $d$) are accurate to about $10^{-15}$ absolutely, so the sum
    /// is to about $10^{-7}\sqrt d$ of $e^{s/2}$ at worst, far below any Monte Carlo error of
    /// $W_2^2$; singular values of $L$ would be exact to rounding but cost three times as much,
    /// and this sum is computed every generation.
    pub fn trace_sqrt(&self) -> f64 {
        if self.log_scale == f64::NEG_INFINITY {
            return 0.0;
        }
        let gram = &self.factor * self.factor.transpose();
        let roots: f64 = gram
            .symmetric_eigenvalues()
            .iter()
            .map(|l| l.max(0.0).sqrt())
            .sum();
        (0.5 * self.log_scale).exp() * roots
    }

    /// The matrix scaled by $e^{c}$.
    pub fn shifted(mut self, c: f64) -> Self {
        if self.log_scale != f64::NEG_INFINITY {
            self.log_scale += c;
            self.log_diag.add_scalar_mut(0.5 * c);
        }
        self
    }

    /// $e^{s} (L B)(L B)^\top$ for a lower-triangular `b` with diagonal logarithms
    /// `log_diag_b` ($\ln|B_{ii}|$): the diagonal logarithms add exactly.
    pub fn times_lower(&self, b: &DMatrix<f64>, log_diag_b: &DVector<f64>) -> Self {
        Self::from_lower(
            self.log_scale,
            &self.factor * b,
            &self.log_diag + log_diag_b,
        )
    }

    /// $e^{s - t} L L^\top$: the matrix in units of $e^{t}$.
    pub fn matrix_in_units(&self, t: f64) -> DMatrix<f64> {
        if self.log_scale == f64::NEG_INFINITY {
            return DMatrix::zeros(self.dim(), self.dim());
        }
        let l = &self.factor * (0.5 * (self.log_scale - t)).exp();
        &l * l.transpose()
    }

    /// $\sum_k e^{c_k} A_k + \sum_j e^{r_j} v_j v_j^\top$, summed in units of the largest term
    /// so that neither tiny nor huge scales overflow, then factored again.
    pub fn weighted_sum(terms: &[(f64, &ScaledFactor)], rank_one: &[(f64, &DVector<f64>)]) -> Self {
        let d = terms
            .first()
            .map(|(_, a)| a.dim())
            .or_else(|| rank_one.first().map(|(_, v)| v.len()))
            .expect("at least one term");
        // The log of each term's trace / d.
        let term_scale = |c: f64, a: &ScaledFactor| c + a.log_scale;
        let rank_scale = |r: f64, v: &DVector<f64>| r + (v.norm_squared() / d as f64).ln();
        let t = terms
            .iter()
            .map(|&(c, a)| term_scale(c, a))
            .chain(rank_one.iter().map(|&(r, v)| rank_scale(r, v)))
            .fold(f64::NEG_INFINITY, f64::max);
        if t == f64::NEG_INFINITY {
            return Self::zero(d);
        }
        let mut s = DMatrix::zeros(d, d);
        for &(c, a) in terms {
            if term_scale(c, a) > f64::NEG_INFINITY {
                s += a.matrix_in_units(t - c);
            }
        }
        for &(r, v) in rank_one {
            if rank_scale(r, v) > f64::NEG_INFINITY {
                // v e^{(r−t)/2} has squared norm at most d: no overflow.
                let u = v * (0.5 * (r - t)).exp();
                s += &u * u.transpose();
            }
        }
        Self::from_psd(t, s)
    }
}

/// A lower-triangular $L$ with $L L^\top = S$ for a symmetric positive semi-definite $S$,
/// singular or not: $S = G G^\top$ with $G = V\Lambda^{1/2}$ from the eigendecomposition
/// (negative rounding noise clipped to zero), and $G^\top = Q R$ gives $S = R^\top R$, so
/// $L = R^\top$.
pub fn lower_factor_psd(s: &DMatrix<f64>) -> DMatrix<f64> {
    let e = s.clone().symmetric_eigen();
    let root = e.eigenvalues.map(|l| l.max(0.0).sqrt());
    let g = &e.eigenvectors * DMatrix::from_diagonal(&root);
    lower_factor_of_columns(&g)
}

/// A lower-triangular $d\times d$ matrix $L$ with $L L^\top = Y Y^\top$ for a $d \times k$
/// matrix `y` (any $k$): the transpose of the $R$ of $Y^\top = QR$, padded with zero columns
/// when $k < d$ (the matrix then has rank at most $k$, exactly).
pub fn lower_factor_of_columns(y: &DMatrix<f64>) -> DMatrix<f64> {
    let (d, k) = y.shape();
    let r = y.transpose().qr().r(); // min(k, d) × d, upper trapezoidal
    let mut l = DMatrix::zeros(d, d);
    for i in 0..r.nrows() {
        for j in i..d {
            l[(j, i)] = r[(i, j)];
        }
    }
    debug_assert!(k >= d || (k..d).all(|i| l.column(i).iter().all(|&v| v == 0.0)));
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spd() -> DMatrix<f64> {
        DMatrix::from_row_slice(3, 3, &[4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0])
    }

    #[test]
    fn a_factored_matrix_is_the_matrix() {
        let s = spd();
        let f = ScaledFactor::from_psd(0.0, s.clone());
        assert!((f.matrix_in_units(0.0) - &s).norm() < 1e-13);
        assert!((f.log_det() - s.determinant().ln()).abs() < 1e-13);
        assert!((f.log_mean_eigenvalue() - (s.trace() / 3.0).ln()).abs() < 1e-15);
        // tr S^{1/2} by the eigenvalues.
        let direct: f64 = s.symmetric_eigenvalues().iter().map(|l| l.sqrt()).sum();
        assert!((f.trace_sqrt() - direct).abs() < 1e-13);
    }

    #[test]
    fn scales_far_below_double_precision_are_exact() {
        // e^{-2000} S: the matrix itself is zero in floating point, its logs are not.
        let f = ScaledFactor::from_psd(-2000.0, spd());
        assert!((f.log_det() - (-6000.0 + spd().determinant().ln())).abs() < 1e-11);
        assert!((f.log_mean_eigenvalue() - (-2000.0 + 3f64.ln())).abs() < 1e-12);
        assert_eq!(f.trace_sqrt(), 0.0);
        // A sum in which the tiny term is negligible keeps the large one exactly.
        let big = ScaledFactor::from_psd(0.0, spd());
        let sum = ScaledFactor::weighted_sum(&[(0.0, &f), (0.0, &big)], &[]);
        assert!((sum.log_det() - big.log_det()).abs() < 1e-13);
        // Two tiny terms at the same scale add in the exponent.
        let twice = ScaledFactor::weighted_sum(&[(0.0, &f), (0.0, &f)], &[]);
        let expected = -2000.0 + 2f64.ln() + 3f64.ln();
        assert!((twice.log_mean_eigenvalue() - expected).abs() < 1e-12);
    }

    #[test]
    fn triangular_products_carry_the_log_determinant_exactly() {
        // 3000 products by diag(1e-1, 1e-2, 1e-3) below a unit off-diagonal: the matrix spans
        // 6000 orders of magnitude between directions; the log-determinant is a plain sum.
        let b: DMatrix<f64> =
            DMatrix::from_row_slice(3, 3, &[0.1, 0.0, 0.0, 1.0, 0.01, 0.0, 1.0, 1.0, 0.001]);
        let lb = DVector::from_fn(3, |i, _| b[(i, i)].ln());
        let mut f = ScaledFactor::scalar(3, 0.0);
        for _ in 0..3000 {
            f = f.times_lower(&b, &lb);
        }
        let expected = 2.0 * 3000.0 * (0.1f64.ln() + 0.01f64.ln() + 0.001f64.ln());
        assert!((f.log_det() - expected).abs() < 1e-9 * expected.abs());
        assert!(f.log_mean_eigenvalue().is_finite());
    }

    #[test]
    fn singular_matrices_get_a_triangular_factor_of_their_rank() {
        // Rank 1 in 3-D.
        let v = DVector::from_vec(vec![1.0, -2.0, 0.5]);
        let s = &v * v.transpose();
        let l = lower_factor_psd(&s);
        assert!((&l * l.transpose() - &s).norm() < 1e-12);
        assert!((0..3).all(|i| (0..i).all(|j| l[(j, i)] == 0.0)), "{l}");
        let f = ScaledFactor::from_psd(0.0, s);
        assert!(f.log_det() < -50.0 || f.log_det() == f64::NEG_INFINITY);
        // Two columns in 4-D: rank 2, zero columns beyond.
        let y = DMatrix::from_row_slice(4, 2, &[1.0, 0.0, 2.0, 1.0, 0.0, 3.0, 1.0, 1.0]);
        let l = lower_factor_of_columns(&y);
        assert!((&l * l.transpose() - &y * y.transpose()).norm() < 1e-12);
        assert!(
            l.column(2)
                .iter()
                .chain(l.column(3).iter())
                .all(|&x| x == 0.0)
        );
    }

    #[test]
    fn log_sum_exp_adds_what_would_underflow() {
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
        assert_eq!(
            log_sum_exp(&[f64::NEG_INFINITY, f64::NEG_INFINITY]),
            f64::NEG_INFINITY
        );
        assert!((log_sum_exp(&[-2000.0, -2000.0]) - (-2000.0 + 2f64.ln())).abs() < 1e-12);
        assert!((log_sum_exp(&[1.0, 2.0]) - (1f64.exp() + 2f64.exp()).ln()).abs() < 1e-15);
        assert_eq!(log_sum_exp(&[0.0, -1e4]), 0.0);
    }

    #[test]
    fn the_zero_matrix_stays_zero() {
        let z = ScaledFactor::zero(2);
        assert_eq!(z.log_mean_eigenvalue(), f64::NEG_INFINITY);
        assert_eq!(z.trace_sqrt(), 0.0);
        let s = ScaledFactor::weighted_sum(&[(0.0, &z), (0.0, &z)], &[]);
        assert_eq!(s, z);
        let one = ScaledFactor::scalar(2, 0.0);
        let s = ScaledFactor::weighted_sum(&[(0.0, &z), (0.0, &one)], &[]);
        assert!((s.matrix_in_units(0.0) - DMatrix::identity(2, 2)).norm() < 1e-15);
        let v = DVector::from_vec(vec![0.0, 0.0]);
        assert_eq!(ScaledFactor::weighted_sum(&[], &[(0.0, &v)]), z);
    }
}
