"""The numpy/OpenBLAS counterpart of the `regression-digits` group of benches/regression.rs: one
replicate of ridge on 400 random ReLU features of the 1,797 embedded digits, n = 10^6 training
images drawn with replacement, 1 % of them with synthetic labels, written as a researcher who
knows that ridge depends on a training set only through the counts of each image would write it
(the same algorithm as the Rust code): the two multinomial count vectors, the rows
sqrt(count) * features, the ridge map through the 400 x 400 Gram matrix (Cholesky), the clean
fit's error on every image, and the exact noise and shift traces. Run with
OPENBLAS_NUM_THREADS=1 for the single-thread comparison (the Rust side runs one cell per thread).
"""
import gzip
import pathlib
import time

import numpy as np
from scipy.linalg import cho_factor, cho_solve

DATA = pathlib.Path(__file__).resolve().parents[2] / "crates/collapse-data/data/digits/digits.csv.gz"


def model(width, seed=0):
    """Rotated features (N x m), their covariance's eigenvalues and the readout target (N x 10)."""
    with gzip.open(DATA, "rt") as f:
        rows = np.loadtxt(f, delimiter=",")
    x = rows[:, :64] / 16.0
    x -= x.mean(axis=0)
    labels = rows[:, 64].astype(int)
    w = np.random.default_rng(seed).standard_normal((64, width))
    f = np.maximum(x @ w, 0.0) / np.sqrt(width)
    n = f.shape[0]
    eig, v = np.linalg.eigh(f.T @ f / n)
    eig = np.maximum(eig, 0.0)
    ft = f @ v
    onehot = np.eye(10)[labels]
    b = ft.T @ onehot / n
    keep = eig > width * np.finfo(float).eps * eig[-1]
    coef = np.where(keep[:, None], b / np.where(keep, eig, 1.0)[:, None], 0.0)
    return ft, eig, ft @ coef


def replicate(ft, eig, y, n, n2, lam, sigma, c2, rng):
    """One training set's test error, exact over the label noise and the generator's error."""
    images = ft.shape[0]
    uniform = np.full(images, 1.0 / images)
    parts = []
    for count in (rng.multinomial(n - n2, uniform), rng.multinomial(n2, uniform)):
        idx = np.nonzero(count)[0]
        root = np.sqrt(count[idx])[:, None]
        parts.append((ft[idx] * root, y[idx] * root))
    phi = np.vstack([p[0] for p in parts])
    ys = np.vstack([p[1] for p in parts])
    m = ft.shape[1]
    k = phi.T @ phi / n + lam * np.eye(m)
    r = cho_solve(cho_factor(k), phi.T / n)
    clean = np.mean(np.sum((ft @ (r @ ys) - y) ** 2, axis=1))
    variance = 10 * sigma**2 * np.sum(eig[:, None] * r * r)
    real_rows = parts[0][0].shape[0]
    shift = r[:, real_rows:] @ phi[real_rows:]
    zeta = c2 / eig.sum() * np.sum(eig[:, None] * shift * shift)
    return clean + variance + zeta


def main():
    ft, eig, y = model(400)
    rng = np.random.default_rng(0)
    times = []
    for _ in range(10):
        t = time.perf_counter()
        replicate(ft, eig, y, 1_000_000, 10_000, 1e-6, 0.1, 1.0, rng)
        times.append(time.perf_counter() - t)
    times.sort()
    print(f"numpy digits m=400 n=1e6: median {1e3 * times[len(times) // 2]:.1f} ms, min {1e3 * times[0]:.1f} ms")


if __name__ == "__main__":
    main()
