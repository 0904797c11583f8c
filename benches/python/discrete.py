"""The numpy a researcher would write for issue 3's workload: 100 chains x 200 generations,
K = 10,000 Zipf(1.1) categories, M = 100,000 draws per generation, empirical refits, with
vectorised numpy.random.Generator.multinomial over all chains at once.

Run: python3 benches/python/discrete.py  (prints the best of 3 wall times in seconds)
"""
import time
import numpy as np

CHAINS, GENERATIONS, K, M = 100, 200, 10_000, 100_000


def simulate(rng):
    p0 = np.arange(1, K + 1, dtype=float) ** -1.1
    p0 /= p0.sum()
    p = np.tile(p0, (CHAINS, 1))
    support = np.empty((GENERATIONS + 1, CHAINS), dtype=np.int64)
    support[0] = K
    for g in range(GENERATIONS):
        counts = rng.multinomial(M, p)
        p = counts / M
        support[g + 1] = (counts > 0).sum(axis=1)
    return support


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        s = simulate(rng)
        times.append(time.perf_counter() - t)
    print(f"numpy multinomial: {min(times):.3f} s (final mean support {s[-1].mean():.1f})")
