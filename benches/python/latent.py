"""The numpy a researcher would write for issue 17's workloads (benches/latent.rs does the same
in Rust):

- the closed-form pPCA chain on the 1,797 optdigits test images (pixels / 16), q = 20,
  M = 1,797 images per generation, 100 generations, 100 chains, replace: generation 0 is
  fitted to the real digits, generation n to M images x = c + W z + sigma eps drawn from
  generation n-1 (`naive`), or to a mean and scatter drawn from their laws (`exact`: normal and
  Wishart by Bartlett, as collapse's exact sampler); the fit is the eigen-decomposition of the
  unbiased sample covariance (np.linalg.eigh), sigma^2 the mean of the discarded eigenvalues;
- one linear VAE fit: 1,000 full-batch Adam steps (lr 0.01) on the exact ELBO of the real
  digits, with the analytic gradient.

Metrics are not computed here (the chains keep sigma^2 per generation), so compare with the
`chain-only-*` and `one-fit` benches.

Run: python3 benches/python/latent.py [chains]  (prints the best of 3 wall times in seconds), or
python3 benches/python/latent.py exact|naive|vae [chains]  (one run of that workload, for timing
the whole process beside `collapse run latent-chain`).
BLAS is pinned to one thread per process below; the chains run one after another.
"""
import os
import sys
import gzip
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "crates", "collapse-data", "data", "digits", "digits.csv.gz")
Q, GENERATIONS = 20, 100


def load():
    with gzip.open(DATA, "rt") as f:
        a = np.loadtxt(f, delimiter=",")
    return a[:, :64] / 16.0


def ppca(mean, cov, q):
    lam, u = np.linalg.eigh(cov)
    lam, u = lam[::-1], u[:, ::-1]
    sigma2 = lam[q:].mean()
    w = u[:, :q] * np.sqrt(np.maximum(lam[:q] - sigma2, 0.0))
    return mean, w, sigma2, lam, u


def chain_naive(x, rng):
    m = x.shape[0]
    mean, w, sigma2, _, _ = ppca(x.mean(0), np.cov(x, rowvar=False), Q)
    out = [sigma2]
    for _ in range(GENERATIONS):
        z = rng.standard_normal((m, Q))
        data = mean + z @ w.T + np.sqrt(sigma2) * rng.standard_normal((m, 64))
        mean, w, sigma2, _, _ = ppca(data.mean(0), np.cov(data, rowvar=False), Q)
        out.append(sigma2)
    return out


def chain_exact(x, rng):
    m = x.shape[0]
    d = 64
    mean, w, sigma2, lam, u = ppca(x.mean(0), np.cov(x, rowvar=False), Q)
    out = [sigma2]
    for _ in range(GENERATIONS):
        ell = np.concatenate([lam[:Q], np.full(d - Q, sigma2)])
        f = u * np.sqrt(np.maximum(ell, 0.0))
        mean = mean + f @ rng.standard_normal(d) / np.sqrt(m)
        a = np.tril(rng.standard_normal((d, d)), -1)
        a[np.diag_indices(d)] = np.sqrt(rng.chisquare(m - 1 - np.arange(d)))
        g = f @ a
        cov = g @ g.T / (m - 1)
        mean, w, sigma2, lam, u = ppca(mean, cov, Q)
        out.append(sigma2)
    return out


def vae_fit(x, rng, steps=1000, lr=0.01):
    n, d = x.shape
    m = x.mean(0)
    s = (x - m).T @ (x - m) / n
    p = {
        "W": rng.standard_normal((d, Q)) * 0.1,
        "V": rng.standard_normal((Q, d)) * 0.1 / np.sqrt(d),
        "b": np.zeros(Q), "c": np.zeros(d), "l": np.array(0.0), "eta": np.zeros(Q),
    }
    mo = {k: np.zeros_like(v) for k, v in p.items()}
    ve = {k: np.zeros_like(v) for k, v in p.items()}
    for t in range(1, steps + 1):
        W, V, b, c, l, eta = p["W"], p["V"], p["b"], p["c"], p["l"], p["eta"]
        noise, D = np.exp(l), np.exp(eta)
        ub = V @ m + b
        r = m - c - W @ ub
        VS = V @ s
        VSVt = VS @ V.T
        WtW = W.T @ W
        recon = np.trace(s) - 2 * np.sum(W * VS.T) + np.sum(WtW * VSVt) + r @ r
        trwdw = np.sum(np.diag(WtW) * D)
        g = {
            "c": r / noise,
            "b": W.T @ r / noise - ub,
            "W": (VS.T - W @ VSVt + np.outer(r, ub) - W * D) / noise,
            "V": ((s @ W).T - WtW @ VS + np.outer(W.T @ r, m)) / noise - (VS + np.outer(ub, m)),
            "l": -0.5 * d + (recon + trwdw) / (2 * noise),
            "eta": -0.5 * np.diag(WtW) * D / noise - 0.5 * D + 0.5,
        }
        for k in p:
            mo[k] = 0.9 * mo[k] + 0.1 * g[k]
            ve[k] = 0.999 * ve[k] + 0.001 * g[k] ** 2
            p[k] = p[k] + lr * (mo[k] / (1 - 0.9 ** t)) / (np.sqrt(ve[k] / (1 - 0.999 ** t)) + 1e-8)
    return p


def best_of_3(f):
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


if __name__ == "__main__":
    args = sys.argv[1:]
    workload = args.pop(0) if args and not args[0].isdigit() else "all"
    chains = int(args[0]) if args else 100
    x = load()
    rng = np.random.default_rng(0)
    chain = {"exact": chain_exact, "naive": chain_naive}
    if workload in chain:
        t = time.perf_counter()
        final = [chain[workload](x, rng)[-1] for _ in range(chains)]
        print(f"numpy pPCA chain {workload}: {chains} chains x {GENERATIONS} generations: "
              f"{time.perf_counter() - t:.3f} s (mean final sigma^2 {np.mean(final):.5f})")
    elif workload == "vae":
        t = time.perf_counter()
        vae_fit(x, rng)
        print(f"numpy linear VAE, 1000 Adam steps: {time.perf_counter() - t:.4f} s")
    elif workload == "all":
        for name, f in chain.items():
            t = best_of_3(lambda: [f(x, rng) for _ in range(chains)])
            print(f"numpy pPCA chain {name}: {chains} chains x {GENERATIONS} generations: {t:.3f} s")
        t = best_of_3(lambda: vae_fit(x, rng))
        print(f"numpy linear VAE, 1000 Adam steps: {t:.4f} s")
    else:
        sys.exit(f"unknown workload {workload!r}: exact, naive, vae or a number of chains")
