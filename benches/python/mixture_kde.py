"""The scikit-learn version of `collapse run mixture-kde`: recursive kernel density estimation
under the workflows replace, accumulate and accumulate-subsample, with
`sklearn.neighbors.KernelDensity` refitted every generation, the held-out negative
log-likelihood scored with `score_samples` on a test set drawn from the truth, and the KDE's
variance per generation. It does the work of the command end to end (simulate, summarise,
write summary.csv), so that the two can be timed as whole processes:

    time OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 benches/python/mixture_kde.py WORKLOAD [SUMMARY]
    time collapse run mixture-kde --set ... --summary-only --threads 1 --out runs/kde --force

The summary goes to SUMMARY (default `mixture_kde_WORKLOAD_summary.csv` in the working
directory).

Workloads (the `collapse` parameters that do the same work are printed first):

- `mixture`: the default of `mixture-kde` (truth 1/2 N(-2,1) + 1/2 N(2,1), M = 100, 100
  generations, 200 chains a workflow, Gaussian kernel h = 0.2, NLL on 1,000 test points at
  generations 0, 1, 2, 5, 10, 20, 50, 100);
- `moons`: two moons (noise 0.05) drawn with `make_moons`, M = 200, 50 generations, 50 chains a
  workflow, h = 0.1, the NLL at every generation (Kazdan et al.'s setting);
- `tophat`: the `moons` workload with the tophat kernel of radius 0.3.

Run on one core, as the Rust command is run with `--threads 1` for the comparison.
"""
import sys
import time

import numpy as np
from sklearn.datasets import make_moons
from sklearn.neighbors import KernelDensity

WORKLOADS = {
    "mixture": dict(truth="mixture", samples=100, generations=100, replicates=200,
                    kernel="gaussian", h=0.2, every=False, test=1000),
    "moons": dict(truth="moons", samples=200, generations=50, replicates=50,
                  kernel="gaussian", h=0.1, every=True, test=1000),
    "tophat": dict(truth="moons", samples=200, generations=50, replicates=50,
                   kernel="tophat", h=0.3, every=True, test=1000),
}
POLICIES = ["replace", "accumulate", "accumulate-subsample"]


def grid(n):
    steps, base = [0], 1
    while base <= n:
        steps += [k * base for k in (1, 2, 5) if k * base <= n]
        base *= 10
    return sorted(set(steps + [n]))


def draw_truth(w, n, rng):
    if w["truth"] == "moons":
        return make_moons(n_samples=n, noise=0.05, random_state=int(rng.integers(2**31)))[0]
    z = rng.integers(0, 2, n)
    return (rng.standard_normal(n) + np.where(z == 0, -2.0, 2.0))[:, None]


def truth_log_pdf(w, x):
    if w["truth"] != "mixture":
        return None
    x = x[:, 0]
    c = 0.5 / np.sqrt(2 * np.pi)
    return np.log(c * (np.exp(-0.5 * (x + 2) ** 2) + np.exp(-0.5 * (x - 2) ** 2)))


def chain(w, policy, seed, rows):
    rng = np.random.default_rng(seed)
    m, steps = w["samples"], set(range(w["generations"] + 1)) if w["every"] else set(grid(w["generations"]))
    test = draw_truth(w, w["test"], rng)
    data = draw_truth(w, m, rng)
    pool = data
    lp0 = truth_log_pdf(w, test)
    if lp0 is not None and 0 in steps:
        rows.append((policy, 0, "nll", -lp0.mean()))
    d = data.shape[1]
    for g in range(1, w["generations"] + 1):
        kde = KernelDensity(kernel=w["kernel"], bandwidth=w["h"]).fit(data)
        kernel_var = w["h"] ** 2 * (1.0 if w["kernel"] == "gaussian" else 1.0 / (d + 2))
        rows.append((policy, g, "var", data.var(axis=0).mean() + kernel_var))
        if g in steps:
            lp = kde.score_samples(test)
            if np.all(np.isfinite(lp)):
                rows.append((policy, g, "nll", -lp.mean()))
            if w["kernel"] == "tophat":
                rows.append((policy, g, "outside_support", np.mean(~np.isfinite(lp))))
        if g == w["generations"]:
            break
        new = kde.sample(m, random_state=int(rng.integers(2**31)))
        if policy == "replace":
            data = new
        else:
            pool = np.concatenate((pool, new))
            if policy == "accumulate":
                data = pool
            else:
                data = pool[rng.choice(len(pool), size=m, replace=False)]


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "mixture"
    w = WORKLOADS[name]
    sets = [f"truth={w['truth']}", f"samples={w['samples']}", f"generations={w['generations']}",
            f"replicates={w['replicates']}", f"kernel={w['kernel']}", f"h={w['h']}",
            f"test_points={w['test']}"] + (["nll_at=every"] if w["every"] else [])
    print("collapse run mixture-kde " + " ".join(f"--set {s}" for s in sets))
    t = time.perf_counter()
    rows = []
    for policy in POLICIES:
        for r in range(w["replicates"]):
            chain(w, policy, 1000 * POLICIES.index(policy) + r, rows)
    # Summarise as summary.csv does: mean and standard error per (series, step, metric).
    groups = {}
    for s, g, metric, v in rows:
        groups.setdefault((s, g, metric), []).append(v)
    out = sys.argv[2] if len(sys.argv) > 2 else f"mixture_kde_{name}_summary.csv"
    with open(out, "w") as f:
        f.write("series,step,metric,count,mean,std_error\n")
        for (s, g, metric), v in sorted(groups.items()):
            v = np.asarray(v)
            se = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
            f.write(f"{s},{g},{metric},{len(v)},{v.mean()},{se}\n")
    elapsed = time.perf_counter() - t
    last = w["generations"]
    for policy in POLICIES:
        for metric in ("var", "nll", "outside_support"):
            v = groups.get((policy, last, metric))
            if v is not None:
                v = np.asarray(v)
                print(f"{policy:22s} generation {last} {metric:16s} mean {v.mean():.5f} "
                      f"± {v.std(ddof=1) / np.sqrt(len(v)):.5f} (n = {len(v)})")
    print(f"{name}: {elapsed:.2f} s for {3 * w['replicates']} chains")


if __name__ == "__main__":
    main()
