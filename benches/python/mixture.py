"""The scikit-learn version of benches/mixture.rs: 200 generations of 1,000 samples, each refitted
with GaussianMixture(n_components=2, tol=1e-5, max_iter=2000) and sampled for the next generation,
as the authors' notebook (Normals_GMM_experiments.ipynb) does. Settings: `notebook` (one 2-D
isotropic blob) and `paper` (two unit Gaussians 4 apart along x).

The EM iterations a chain needs vary several-fold from chain to chain, so, as benches/mixture.rs
does, each setting runs 16 chains (seeds 0-15) and reports the mean time per chain and the mean
EM iterations per generation. Run it on one core, as the Rust bench runs:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 benches/python/mixture.py
"""
import time

import numpy as np
from sklearn.mixture import GaussianMixture

GENERATIONS = 200
SAMPLES = 1000
CHAINS = 16


def truth(setting, rng):
    if setting == "notebook":
        return rng.standard_normal((SAMPLES, 2))
    z = rng.integers(0, 2, SAMPLES)
    x = rng.standard_normal((SAMPLES, 2))
    x[:, 0] += np.where(z == 0, -2.0, 2.0)
    return x


def chain(setting, seed):
    rng = np.random.default_rng(seed)
    data = truth(setting, rng)
    iters = []
    for g in range(GENERATIONS):
        gmm = GaussianMixture(n_components=2, covariance_type="full", tol=1e-5, max_iter=2000,
                              random_state=int(rng.integers(2**31)))
        gmm.fit(data)
        iters.append(gmm.n_iter_)
        data, _ = gmm.sample(SAMPLES)
    return np.mean(iters)


def main():
    for setting in ["notebook", "paper"]:
        t = time.perf_counter()
        iters = [chain(setting, seed) for seed in range(CHAINS)]
        per_chain = (time.perf_counter() - t) / CHAINS
        print(f"{setting}: {per_chain:.3f} s per 200-generation chain, {CHAINS * per_chain:.2f} s "
              f"for {CHAINS} chains (mean EM iterations per generation {np.mean(iters):.1f})")


if __name__ == "__main__":
    main()
