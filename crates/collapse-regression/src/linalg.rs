//! Dense linear algebra that cannot panic: every matrix the family allocates goes through
//! [`zeros`] (a failed allocation is an [`LinalgError::Alloc`], where faer's own constructors
//! would panic), and every symmetric positive (semi-)definite system through [`spd_solve`],
//! which handles a matrix that is singular to working precision exactly instead of failing.
//!
//! All of it runs with `Par::Seq`: replicates are parallelised by rayon one level up, and a
//! sequential kernel gives the same bits for any thread count.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::cholesky::llt::{factor, solve};
use faer::linalg::evd::{ComputeEigenvectors, self_adjoint_evd, self_adjoint_evd_scratch};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};

/// Why a dense computation could not be carried out.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LinalgError {
    /// The allocator refused a matrix (the run's memory estimate was exceeded, or other
    /// processes took the memory in the meantime).
    #[error(
        "could not allocate a {rows}×{cols} matrix ({bytes:.2e} bytes): not enough memory; reduce the sizes or the number of threads"
    )]
    Alloc {
        /// Rows.
        rows: usize,
        /// Columns.
        cols: usize,
        /// Bytes requested.
        bytes: f64,
    },
    /// The symmetric eigensolver did not converge (only for a matrix with non-finite entries).
    #[error("the symmetric eigendecomposition of a {0}×{0} matrix did not converge")]
    Eigen(usize),
    /// A Gram matrix stayed indefinite after jitter far above its rounding (only for a matrix
    /// with non-finite entries).
    #[error("a {0}×{0} Gram matrix is not positive semi-definite")]
    NotPositiveDefinite(usize),
}

impl From<LinalgError> for collapse_core::ExperimentError {
    fn from(e: LinalgError) -> Self {
        collapse_core::ExperimentError::Model(e.to_string())
    }
}

fn alloc_error(rows: usize, cols: usize) -> LinalgError {
    LinalgError::Alloc {
        rows,
        cols,
        bytes: 8.0 * rows as f64 * cols as f64,
    }
}

/// A `rows × cols` matrix of zeros, or an error where faer's `Mat::zeros` would panic.
pub fn zeros(rows: usize, cols: usize) -> Result<Mat<f64>, LinalgError> {
    let mut m = Mat::<f64>::new();
    m.try_reserve(rows, cols)
        .map_err(|_| alloc_error(rows, cols))?;
    // The capacity is reserved, so this resize does not allocate again.
    m.resize_with(rows, cols, |_, _| 0.0);
    Ok(m)
}

/// A matrix filled by `f(i, j)`, allocated as [`zeros`].
pub fn from_fn(
    rows: usize,
    cols: usize,
    f: impl FnMut(usize, usize) -> f64,
) -> Result<Mat<f64>, LinalgError> {
    let mut m = Mat::<f64>::new();
    m.try_reserve(rows, cols)
        .map_err(|_| alloc_error(rows, cols))?;
    m.resize_with(rows, cols, f);
    Ok(m)
}

/// An owned copy of `a`, allocated as [`zeros`].
pub fn copy(a: MatRef<'_, f64>) -> Result<Mat<f64>, LinalgError> {
    from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)])
}

/// The identity of size `n`.
pub fn identity(n: usize) -> Result<Mat<f64>, LinalgError> {
    from_fn(n, n, |i, j| if i == j { 1.0 } else { 0.0 })
}

/// $\alpha AB$.
pub fn mul(a: MatRef<'_, f64>, b: MatRef<'_, f64>, alpha: f64) -> Result<Mat<f64>, LinalgError> {
    let mut c = zeros(a.nrows(), b.ncols())?;
    matmul(c.as_mut(), Accum::Replace, a, b, alpha, Par::Seq);
    Ok(c)
}

/// $C \mathrel{+}= \alpha AB$.
pub fn mul_add(c: &mut Mat<f64>, a: MatRef<'_, f64>, b: MatRef<'_, f64>, alpha: f64) {
    matmul(c.as_mut(), Accum::Add, a, b, alpha, Par::Seq);
}

/// Adds the lower triangle of $\alpha AA^\top$ to `c` (the upper triangle is left as it is:
/// [`spd_solve`] and [`symmetrise`] read the lower one). Half the work of a full product.
pub fn gram_lower_add(c: &mut Mat<f64>, a: MatRef<'_, f64>, alpha: f64) {
    use faer::linalg::matmul::triangular::{BlockStructure, matmul as tri};
    tri(
        c.as_mut(),
        BlockStructure::TriangularLower,
        Accum::Add,
        a,
        BlockStructure::Rectangular,
        a.transpose(),
        BlockStructure::Rectangular,
        alpha,
        Par::Seq,
    );
}

/// The lower triangle of $\alpha AA^\top$ (upper triangle zero).
pub fn gram_lower(a: MatRef<'_, f64>, alpha: f64) -> Result<Mat<f64>, LinalgError> {
    let mut c = zeros(a.nrows(), a.nrows())?;
    gram_lower_add(&mut c, a, alpha);
    Ok(c)
}

/// Copies the lower triangle of a square matrix onto its upper triangle.
pub fn symmetrise(m: &mut Mat<f64>) {
    for j in 0..m.ncols() {
        for i in 0..j {
            m[(i, j)] = m[(j, i)];
        }
    }
}

/// $\mathrm{tr}(AB)$ for square `a`, `b` of the same size, without forming the product.
pub fn trace_of_product(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
    let mut t = 0.0;
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            t += a[(i, j)] * b[(j, i)];
        }
    }
    t
}

fn scratch(req: StackReq) -> Result<MemBuffer, LinalgError> {
    MemBuffer::try_new(req).map_err(|_| LinalgError::Alloc {
        rows: req.size_bytes(),
        cols: 1,
        bytes: req.size_bytes() as f64,
    })
}

/// The Cholesky factor of a symmetric positive-definite matrix, in place (lower triangle; the
/// strict upper triangle is left as it was). `Ok(false)` if the matrix is not numerically
/// positive definite (then `k` is destroyed).
pub fn cholesky_in_place(k: &mut Mat<f64>) -> Result<bool, LinalgError> {
    let n = k.nrows();
    let mut mem = scratch(factor::cholesky_in_place_scratch::<f64>(
        n,
        Par::Seq,
        Default::default(),
    ))?;
    Ok(factor::cholesky_in_place(
        k.as_mut(),
        Default::default(),
        Par::Seq,
        MemStack::new(&mut mem),
        Default::default(),
    )
    .is_ok())
}

/// Solves $KY = B$ in place (`b` becomes $Y$) for a symmetric positive semi-definite `k`, of
/// which only the lower triangle is read; `k` is overwritten.
///
/// The fast path is a Cholesky factorisation. When $K$ is singular to working precision (a
/// least-squares Gram matrix of rank-deficient or nearly collinear features, or a ridge penalty
/// below the rounding of the Gram matrix), the Cholesky factorisation fails and the system is
/// solved instead through the eigendecomposition $K = U\,\mathrm{diag}(\mu)\,U^\top$ with the
/// pseudo-inverse: directions with $\mu_i \le \dim\cdot\varepsilon\cdot\max_j|\mu_j|$ are
/// dropped. That is the exact minimum-norm solution of the system as it is known to working
/// precision, the $\lambda \to 0^+$ limit of ridge, never a NaN or a panic.
pub fn spd_solve(k: &mut Mat<f64>, b: &mut Mat<f64>) -> Result<(), LinalgError> {
    let n = k.nrows();
    let backup = copy(k.as_ref())?;
    if cholesky_in_place(k)? {
        let mut mem = scratch(solve::solve_in_place_scratch::<f64>(n, b.ncols(), Par::Seq))?;
        solve::solve_in_place(k.as_ref(), b.as_mut(), Par::Seq, MemStack::new(&mut mem));
        return Ok(());
    }
    let (mu, u) = eigen(backup.as_ref())?;
    let top = mu.iter().fold(0.0f64, |a, &m| a.max(m.abs()));
    let tol = n as f64 * f64::EPSILON * top;
    // Y = U diag(1/μ⁺) Uᵀ B.
    let mut c = mul(u.transpose(), b.as_ref(), 1.0)?;
    for (i, &m) in mu.iter().enumerate() {
        let inv = if m > tol { 1.0 / m } else { 0.0 };
        for j in 0..c.ncols() {
            c[(i, j)] *= inv;
        }
    }
    *b = mul(u.as_ref(), c.as_ref(), 1.0)?;
    Ok(())
}

/// The inverse of a symmetric positive semi-definite matrix (its pseudo-inverse when singular
/// to working precision; see [`spd_solve`]), of which only the lower triangle is read.
pub fn spd_inverse(m: MatRef<'_, f64>) -> Result<Mat<f64>, LinalgError> {
    let mut k = copy(m)?;
    let mut inv = identity(m.nrows())?;
    spd_solve(&mut k, &mut inv)?;
    Ok(inv)
}

/// The eigenvalues (non-decreasing) and eigenvectors (columns) of a symmetric matrix, of which
/// only the lower triangle is read.
pub fn eigen(a: MatRef<'_, f64>) -> Result<(Vec<f64>, Mat<f64>), LinalgError> {
    let n = a.nrows();
    let mut s = zeros(n, 1)?;
    let mut u = zeros(n, n)?;
    let mut mem = scratch(self_adjoint_evd_scratch::<f64>(
        n,
        ComputeEigenvectors::Yes,
        Par::Seq,
        Default::default(),
    ))?;
    self_adjoint_evd(
        a,
        s.as_mut().col_mut(0).as_diagonal_mut(),
        Some(u.as_mut()),
        Par::Seq,
        MemStack::new(&mut mem),
        Default::default(),
    )
    .map_err(|_| LinalgError::Eigen(n))?;
    Ok(((0..n).map(|i| s[(i, 0)]).collect(), u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_failure_is_an_error_not_a_panic() {
        // 2^31 × 2^31 doubles overflow isize: faer's Mat::zeros would panic here.
        let e = zeros(1 << 31, 1 << 31).unwrap_err();
        assert!(matches!(e, LinalgError::Alloc { .. }));
        assert!(e.to_string().contains("not enough memory"), "{e}");
        let e = collapse_core::ExperimentError::from(e);
        assert!(!e.is_usage());
    }

    #[test]
    fn spd_solve_is_exact_on_regular_and_singular_systems() {
        // Regular: K = [[4, 2], [2, 3]], B = K e1.
        let mut k = from_fn(2, 2, |i, j| [[4.0, 2.0], [2.0, 3.0]][i][j]).unwrap();
        let mut b = from_fn(2, 1, |i, _| [4.0, 2.0][i]).unwrap();
        spd_solve(&mut k, &mut b).unwrap();
        assert!((b[(0, 0)] - 1.0).abs() < 1e-15 && b[(1, 0)].abs() < 1e-15);
        // Singular: K = v vᵀ with v = (1, 2); B = K (1, 0) = (1, 2). The minimum-norm solution
        // is v/|v|² · (vᵀ(1,0)) = (1, 2)/5.
        let mut k = from_fn(2, 2, |i, j| [[1.0, 2.0], [2.0, 4.0]][i][j]).unwrap();
        let mut b = from_fn(2, 1, |i, _| [1.0, 2.0][i]).unwrap();
        spd_solve(&mut k, &mut b).unwrap();
        assert!((b[(0, 0)] - 0.2).abs() < 1e-14 && (b[(1, 0)] - 0.4).abs() < 1e-14);
        // All zero: the solution is zero, not NaN.
        let mut k = zeros(3, 3).unwrap();
        let mut b = from_fn(3, 2, |i, j| (i + j) as f64).unwrap();
        spd_solve(&mut k, &mut b).unwrap();
        assert!((0..3).all(|i| b[(i, 0)] == 0.0 && b[(i, 1)] == 0.0));
    }

    #[test]
    fn trace_and_gram_helpers() {
        let a = from_fn(3, 4, |i, j| (i * 4 + j) as f64 - 5.0).unwrap();
        let mut g = gram_lower(a.as_ref(), 0.5).unwrap();
        symmetrise(&mut g);
        let full = mul(a.as_ref(), a.transpose(), 0.5).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                assert_eq!(g[(i, j)], full[(i, j)]);
            }
        }
        let b = from_fn(3, 3, |i, j| (i as f64 - j as f64).powi(2) + 1.0).unwrap();
        let ab = mul(full.as_ref(), b.as_ref(), 1.0).unwrap();
        let t: f64 = (0..3).map(|i| ab[(i, i)]).sum();
        assert!((trace_of_product(full.as_ref(), b.as_ref()) - t).abs() < 1e-9 * t.abs());
    }
}
