"""What `collapse run gaussian-chain --summary-only` does, as the numpy a researcher would write:
CHAINS chains x GENERATIONS generations x M samples in 1-D with unbiased refits, vectorised over
chains; per generation the four metrics (log_var, mean_sq_error, var, w2_sq) are summarised over
chains (mean, standard error, 5/50/95 % quantiles) and written as summary.csv.

Timed as a whole process beside `collapse run` (same work, same output):

    python3 benches/python/gaussian_run.py --sampler naive --out np-summary.csv
    collapse run gaussian-chain --set replicates=10000 --set generations=200 \\
        --set samples=100 --set sampler=naive --summary-only --out run --force

`--sampler exact` draws the sufficient statistics (normal mean, chi-square scatter) instead of
every point, as `sampler=exact` does.
"""
import argparse

import numpy as np


def simulate(rng, chains, generations, m, exact):
    """(mu, var) of every chain at every generation, generation 0 the truth N(0, 1)."""
    mu = np.zeros((generations + 1, chains))
    var = np.ones((generations + 1, chains))
    for g in range(generations):
        if exact:
            mu[g + 1] = mu[g] + np.sqrt(var[g] / m) * rng.standard_normal(chains)
            var[g + 1] = var[g] * rng.chisquare(m - 1, chains) / (m - 1)
        else:
            x = rng.standard_normal((chains, m)) * np.sqrt(var[g])[:, None] + mu[g][:, None]
            mu[g + 1] = x.mean(axis=1)
            var[g + 1] = x.var(axis=1, ddof=1)
    return mu, var


def summarise(mu, var):
    """Rows (generation, metric, count, mean, se, q05, q50, q95) in collapse's order."""
    metrics = {
        "log_var": np.log(var),
        "mean_sq_error": mu * mu,
        "var": var,
        "w2_sq": mu * mu + (np.sqrt(var) - 1.0) ** 2,
    }
    n = mu.shape[1]
    rows = []
    stats = {}
    for name, v in metrics.items():
        q = np.quantile(v, [0.05, 0.5, 0.95], axis=1)
        stats[name] = (v.mean(axis=1), v.std(axis=1, ddof=1) / np.sqrt(n), q)
    for g in range(mu.shape[0]):
        for name in metrics:
            mean, se, q = stats[name]
            rows.append((g, name, n, mean[g], se[g], q[0, g], q[1, g], q[2, g]))
    return rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sampler", choices=["naive", "exact"], default="naive")
    p.add_argument("--chains", type=int, default=10_000)
    p.add_argument("--generations", type=int, default=200)
    p.add_argument("--samples", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="summary.csv")
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    mu, var = simulate(rng, a.chains, a.generations, a.samples, a.sampler == "exact")
    with open(a.out, "w") as f:
        f.write("series,step,metric,count,mean,std_error,q05,q50,q95\n")
        for g, name, n, *v in summarise(mu, var):
            f.write(f"replace,{g},{name},{n}," + ",".join(repr(float(x)) for x in v) + "\n")


if __name__ == "__main__":
    main()
