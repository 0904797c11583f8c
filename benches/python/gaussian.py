"""The numpy a researcher would write for issue 2's workload: 10,000 chains x 200 generations x
M = 100 in 1-D, unbiased refits, every sample drawn (vectorised over chains).

Run: python3 benches/python/gaussian.py  (prints the best of 3 wall times in seconds)
"""
import time
import numpy as np

CHAINS, GENERATIONS, M = 10_000, 200, 100


def simulate(rng):
    mu = np.zeros(CHAINS)
    var = np.ones(CHAINS)
    mean_sq = np.empty((GENERATIONS + 1, CHAINS))
    variances = np.empty((GENERATIONS + 1, CHAINS))
    mean_sq[0], variances[0] = 0.0, 1.0
    for g in range(GENERATIONS):
        x = rng.standard_normal((CHAINS, M)) * np.sqrt(var)[:, None] + mu[:, None]
        mu = x.mean(axis=1)
        var = x.var(axis=1, ddof=1)
        mean_sq[g + 1], variances[g + 1] = mu * mu, var
    return mean_sq, variances


def simulate_exact(rng):
    """The same chain with the sufficient statistics drawn (normal mean, chi-square scatter)."""
    mu = np.zeros(CHAINS)
    var = np.ones(CHAINS)
    out = np.empty((GENERATIONS + 1, CHAINS))
    for g in range(GENERATIONS):
        mu = mu + np.sqrt(var / M) * rng.standard_normal(CHAINS)
        var = var * rng.chisquare(M - 1, CHAINS) / (M - 1)
        out[g + 1] = var
    return out


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    for name, f in [("naive", simulate), ("exact", simulate_exact)]:
        best = min(timed for timed in (
            (lambda: (lambda t: (f(rng), time.perf_counter() - t)[1])(time.perf_counter()))()
            for _ in range(3)))
        print(f"numpy {name}: {best:.4f} s")
