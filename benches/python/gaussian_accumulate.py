"""The numpy a researcher would write for the Collapse-or-Thrive Gaussian workload (Kazdan et
al. 2024): a d-dimensional Gaussian refitted, generation after generation, to samples of the
previous fit, the data replaced or accumulated. Each generation fits the mean and the MLE
covariance of the whole training set with np.mean / np.cov(bias=True) and draws the next
samples with Generator.multivariate_normal, one chain (seed) after another, as that study's
fitting script does. Per generation it records what `collapse run gaussian-chain` records for
d >= 2 (log_det, log_var, mean_sq_error, var, w2_sq) and writes them as records.csv.

Timed as a whole process beside `collapse run` (same work, same output), with BLAS on one
thread and collapse on one thread:

    OPENBLAS_NUM_THREADS=1 python3 benches/python/gaussian_accumulate.py --out np-records.csv
    collapse run gaussian-chain --threads 1 --set dim=10 --set samples=100 \\
        --set generations=100 --set replicates=200 --set policy=accumulate \\
        --set sampler=naive --set estimator=mle --out run --force

`--policy replace` replaces the data instead; `--policy accumulate-subsample` fits a subsample
of M points drawn without replacement from everything so far (rng.choice).
"""
import argparse

import numpy as np


def chain(rng, d, m, generations, policy, variance):
    """Yields (generation, mean, cov) for generations 0..generations of one chain."""
    mean0, cov0 = np.zeros(d), variance * np.eye(d)
    yield 0, mean0, cov0
    data = rng.multivariate_normal(mean0, cov0, size=m)
    pool = data
    for g in range(1, generations + 1):
        mu = np.mean(data, axis=0)
        cov = np.cov(data, rowvar=False, bias=True).reshape(d, d)
        yield g, mu, cov
        fresh = rng.multivariate_normal(mu, cov, size=m)
        if policy == "replace":
            data = fresh
        else:
            pool = np.concatenate((pool, fresh))
            if policy == "accumulate":
                data = pool
            else:
                data = pool[rng.choice(len(pool), size=m, replace=False)]


def metrics(mu, cov, variance):
    """The five metrics of collapse's records for d >= 2, against N(0, variance I)."""
    d = len(mu)
    _, log_det = np.linalg.slogdet(cov)
    var = np.trace(cov) / d
    eig = np.clip(np.linalg.eigvalsh(cov), 0.0, None)
    ms = float(mu @ mu)
    w2 = max(ms + d * var + d * variance - 2.0 * np.sqrt(variance) * np.sqrt(eig).sum(), 0.0)
    return (("log_det", log_det), ("log_var", np.log(var)), ("mean_sq_error", ms),
            ("var", var), ("w2_sq", w2))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dim", type=int, default=10)
    p.add_argument("--samples", type=int, default=100)
    p.add_argument("--generations", type=int, default=100)
    p.add_argument("--replicates", type=int, default=200)
    p.add_argument("--policy", choices=["replace", "accumulate", "accumulate-subsample"],
                   default="accumulate")
    p.add_argument("--variance", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="records.csv")
    a = p.parse_args()
    with open(a.out, "w") as f:
        f.write("series,replicate,step,metric,value\n")
        for r in range(a.replicates):
            rng = np.random.default_rng([a.seed, r])
            for g, mu, cov in chain(rng, a.dim, a.samples, a.generations, a.policy, a.variance):
                for name, v in metrics(mu, cov, a.variance):
                    f.write(f"{a.policy},{r},{g},{name},{float(v)!r}\n")


if __name__ == "__main__":
    main()
