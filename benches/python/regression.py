"""The numpy/OpenBLAS counterpart of benches/regression.rs: the Monte Carlo algebra of one
replicate of `regression-mix` at d = 600, n = 500, width m in {300, 1000, 2000}: the estimator
map R (through the smaller Gram matrix, Cholesky solve) and the exact bias / variance / zeta
traces, as a researcher would write it. Run with OPENBLAS_NUM_THREADS=1 for the single-thread
comparison (the Rust side runs one replicate per thread).
"""
import time
import numpy as np
from scipy.linalg import cho_factor, cho_solve


def estimator_map(x, s, lam):
    n = x.shape[0]
    z = x @ s
    m = z.shape[1]
    if m <= n:
        k = z.T @ z / n + lam * np.eye(m)
        v = cho_solve(cho_factor(k), z.T / n)
        return s @ v
    k = z @ z.T / n + lam * np.eye(n)
    w = z @ s.T
    return cho_solve(cho_factor(k), w).T / n


def exact_parts(x, r, eig, gamma, delta, n2, sigma):
    d = x.shape[1]
    n = x.shape[0]
    n1 = n - n2
    a = r @ x - np.eye(d)
    bias = np.sum(eig[:, None] * a * a * gamma[None, :])
    variance = sigma**2 * np.sum(eig[:, None] * r * r)
    rx2 = r[:, n1:] @ x[n1:, :]
    zeta = np.sum(eig[:, None] * rx2 * rx2 * delta[None, :])
    return bias, variance, zeta


def main():
    d, n, lam, p2, c2 = 600, 500, 1e-3, 0.1, 0.5
    rng = np.random.default_rng(0)
    eig = np.ones(d)
    gamma = np.full(d, 1.0 / d)
    delta = c2 / (d * eig)
    n2 = round(p2 * n)
    for m in (300, 1000, 2000):
        x = rng.standard_normal((n, d)) * np.sqrt(eig)
        s = rng.standard_normal((d, m)) / np.sqrt(d)
        times = []
        for _ in range(10):
            t = time.perf_counter()
            r = estimator_map(x, s, lam)
            exact_parts(x, r, eig, gamma, delta, n2, 1.0)
            times.append(time.perf_counter() - t)
        times.sort()
        print(f"numpy m={m}: median {1e3 * times[len(times) // 2]:.1f} ms, min {1e3 * times[0]:.1f} ms")


if __name__ == "__main__":
    main()
