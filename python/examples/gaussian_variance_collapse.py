# %% [markdown]
# # Gaussian variance collapse, from Python
#
# A Gaussian refitted, generation after generation, to `M` samples drawn from the previous
# fit: the fitted variance σ²ₙ is a martingale (E σ²ₙ = 1 for the unbiased estimator), yet
# almost every chain collapses towards zero, since E ln σ²ₙ = n·E ln S falls linearly. This
# notebook reproduces the gallery figure `figures/gaussian-variance-collapse.png` with
# matplotlib, from the arrays `collapse.run` returns (the same runs, seeds and numbers as
# `collapse figures`).
#
# The cells (`# %%`) run in Jupyter, VS Code or any editor that reads the percent format, or
# as a script: `python gaussian_variance_collapse.py [OUT.png]`.

# %%
import sys

import numpy as np

import collapse

# %% [markdown]
# The three runs behind the figure: M = 10, 30, 100 samples per generation, 300 generations,
# 2,000 chains each, seed 0. `records=False` keeps the summary only (per generation: mean,
# standard error, 5/50/95 % quantiles, and the closed forms as `theory_…` metrics).

# %%
SIZES = (10, 30, 100)
runs = {
    m: collapse.run(
        "gaussian-chain", samples=m, generations=300, replicates=2000, records=False
    )
    for m in SIZES
}
runs[10]

# %% [markdown]
# Each summary column is a numpy array; `where` selects rows by series and metric.

# %%
curves = {}
for m, r in runs.items():
    var = r.summary.where(series="replace", metric="var")
    # n·E ln S in closed form: the drift of the log-variance, exp of which the median follows.
    drift = r.summary.where(series="replace", metric="theory_log_var")
    curves[m] = dict(n=var.step, q05=var.q05, q50=var.q50, q95=var.q95, typical=np.exp(drift.mean))
    print(
        f"M = {m:3d}: at n = 300 the mean σ² is {var.mean[-1]:.3g} ± {var.std_error[-1]:.2g}, "
        f"the median {var.q50[-1]:.3g} (exp(n E ln S) = {curves[m]['typical'][-1]:.3g})"
    )

# %% [markdown]
# The records hold every chain's value: with M = 10, how many chains have collapsed below
# σ² = 0.01 by generation 300? (`records` are columns too: no Python object per record.)

# %%
r10 = collapse.run("gaussian-chain", samples=10, generations=300, replicates=2000)
rec = r10.records
assert rec is not None  # kept, since records=True is the default
final = rec.value[(rec.metric == "var") & (rec.step == 300)]
print(f"{len(rec):,} records; {np.mean(final < 0.01):.1%} of the 2,000 chains ended below 0.01")

# %% [markdown]
# The figure. The shaded band is the 5–95 % range of σ²ₙ across chains, the solid line its
# median, the dashed line exp(n·E ln S); the grey line is the martingale E σ²ₙ = 1.

# %%
try:
    import matplotlib

    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    have_matplotlib = True
except ImportError:
    have_matplotlib = False
    print("matplotlib is not installed (pip install matplotlib); the arrays above are the data")

if have_matplotlib:
    fig, ax = plt.subplots(figsize=(8, 5.6), dpi=120)
    for i, m in enumerate(SIZES):
        c = curves[m]
        color = f"C{i}"
        ax.fill_between(c["n"], c["q05"], c["q95"], color=color, alpha=0.18, linewidth=0)
        ax.plot(c["n"], c["q50"], color=color, label=f"M = {m}: median")
        ax.plot(c["n"], c["typical"], color=color, linestyle="--", label=f"M = {m}: exp(n E ln S)")
    ax.axhline(1.0, color="0.4", linestyle=":", label="E σ²ₙ = 1 (martingale)")
    ax.set_yscale("log")
    ax.set_xlabel("generation n")
    ax.set_ylabel("σ²ₙ")
    ax.set_title("σ²ₙ: median and 5–95% band (unbiased refits)")
    ax.legend(loc="lower left", fontsize=8)
    fig.suptitle(
        "Gaussian model collapse: the variance is a martingale, yet almost every chain collapses"
    )
    # The caption, as in the gallery: the commands that reproduce each run.
    fig.text(0.01, 0.01, "\n".join(r.command for r in runs.values()), fontsize=7, color="0.4")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    out = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else None
    if out:
        fig.savefig(out)
        print(f"wrote {out}")
    elif "ipykernel" in sys.modules:
        plt.show()
    else:
        fig.savefig("gaussian-variance-collapse.png")
        print("wrote gaussian-variance-collapse.png")

# %% [markdown]
# The gallery figure itself, drawn by the Rust core, displays in a notebook too:
# `collapse.figure("gaussian-variance-collapse")` returns its SVG.
