"""`collapse.run`: the command's numbers, records as numpy columns, determinism, options."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

import collapse

# The size of the speed target: 10,000 chains x 200 generations, M = 100, exact sampler.
TARGET = dict(samples=100, generations=200, replicates=10_000, sampler="exact")
SMALL = dict(samples=10, generations=20, replicates=60)


def sets(params: dict) -> list[str]:
    """`--set NAME=VALUE` arguments for `params`."""
    out = []
    for k, v in params.items():
        out += ["--set", f"{k}={v}"]
    return out


def read_summary(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def number(text: str) -> float:
    """A number as the program writes it (empty for a quantile not kept)."""
    return math.nan if text == "" else float(text)


def assert_summary_is_file(summary: collapse.Summary, path: Path) -> None:
    """Every value of `summary` equals the file's, exactly."""
    rows = read_summary(path)
    assert len(summary) == len(rows)
    assert summary.series.tolist() == [r["series"] for r in rows]
    assert summary.metric.tolist() == [r["metric"] for r in rows]
    assert summary.step.tolist() == [int(r["step"]) for r in rows]
    assert summary.count.tolist() == [int(r["count"]) for r in rows]
    for column in ["mean", "std_error", "q05", "q50", "q95"]:
        expected = np.array([number(r[column]) for r in rows])
        assert np.array_equal(summary[column], expected, equal_nan=True), column


def test_the_summary_is_the_commands_value_for_value(cli, tmp_path):
    done = cli("run", "gaussian-chain", *sets(TARGET), "--summary-only", "--out", str(tmp_path / "cli"))
    assert done.returncode == 0, done.stderr
    result = collapse.run("gaussian-chain", records=False, **TARGET)
    assert_summary_is_file(result.summary, tmp_path / "cli" / "summary.csv")
    assert result.records is None
    manifest = json.loads((tmp_path / "cli" / "manifest.json").read_text())
    for key in ["experiment", "params", "seed", "shard", "version", "quantiles", "records"]:
        assert result.manifest[key] == manifest[key], key
    assert result.params == manifest["params"]


def test_a_run_directory_is_the_commands_byte_for_byte(cli, tmp_path):
    params = dict(SMALL, policy="mix", real_fraction=0.25, sampler="naive")
    done = cli("run", "gaussian-chain", *sets(params), "--seed", "7", "--out", str(tmp_path / "cli"))
    assert done.returncode == 0, done.stderr
    result = collapse.run("gaussian-chain", seed=7, out=tmp_path / "py", **params)
    assert result.dir == tmp_path / "py"
    for name in ["summary.csv", "records.csv", "figure.svg", "figure.png"]:
        ours = (tmp_path / "py" / name).read_bytes()
        assert ours == (tmp_path / "cli" / name).read_bytes(), name
    theirs = json.loads((tmp_path / "cli" / "manifest.json").read_text())
    for key in ["summary_xxh3", "records_xxh3", "records", "params"]:
        assert result.manifest[key] == theirs[key], key
    # The records kept in memory in the same pass are the file's.
    assert_records_are_file(result.records, tmp_path / "cli" / "records.csv")


def assert_records_are_file(records: collapse.Records, path: Path) -> None:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(records) == len(rows)
    assert records.series.tolist() == [r["series"] for r in rows]
    assert records.metric.tolist() == [r["metric"] for r in rows]
    assert records.replicate.tolist() == [int(r["replicate"]) for r in rows]
    assert records.step.tolist() == [int(r["step"]) for r in rows]
    assert np.array_equal(records.value, np.array([float(r["value"]) for r in rows]))


@pytest.mark.parametrize(
    "experiment, params",
    [
        ("gaussian-chain", dict(SMALL, policy="accumulate")),
        # Several series, emitted inside each replicate: the columns are put in series order.
        ("mixture-kde", dict(samples=40, generations=4, replicates=6)),
        ("discrete-chain", dict(categories=20, samples=50, generations=10, replicates=8)),
        # EM fuses multiply-adds where the CPU has them: the same build flags give the same bits.
        ("gmm-chain", dict(samples=200, generations=3, replicates=4, snapshots="0,1,2,3")),
    ],
)
def test_records_in_memory_are_the_commands_records(cli, tmp_path, experiment, params):
    done = cli("run", experiment, *sets(params), "--seed", "3", "--out", str(tmp_path / "cli"))
    assert done.returncode == 0, done.stderr
    result = collapse.run(experiment, seed=3, **params)
    assert_records_are_file(result.records, tmp_path / "cli" / "records.csv")
    assert_summary_is_file(result.summary, tmp_path / "cli" / "summary.csv")


def test_columns_are_numpy_arrays_that_own_no_copy():
    result = collapse.run("gaussian-chain", **SMALL)
    records = result.records
    assert records.columns == ("series", "replicate", "step", "metric", "value")
    assert records.value.dtype == np.float64
    assert records.replicate.dtype == np.uint64 and records.step.dtype == np.uint64
    assert records.series.codes.dtype == np.uint32
    for column in [records.value, records.step, records.replicate, records.series.codes]:
        # The array wraps the buffer the Rust core filled: numpy did not allocate (copy) it.
        assert not column.flags.owndata
        assert type(column.base).__name__ == "PySliceContainer"
    assert len(records) == SMALL["replicates"] * (SMALL["generations"] + 1) * 4
    assert not result.summary.mean.flags.owndata


def test_results_do_not_depend_on_threads_or_shards(tmp_path):
    params = dict(SMALL, sampler="naive")
    one = collapse.run("gaussian-chain", seed=5, threads=1, **params)
    two = collapse.run("gaussian-chain", seed=5, threads=2, **params)
    for column in one.records.columns:
        assert np.array_equal(np.asarray(one.records[column]), np.asarray(two.records[column]))
    assert np.array_equal(one.summary.q50, two.summary.q50)
    shards = [collapse.run("gaussian-chain", seed=5, shard=(i, 3), **params) for i in range(3)]
    total = sum(len(s.records) for s in shards)
    assert total == len(one.records)
    first = shards[1].records
    assert set(first.replicate.tolist()) == set(range(1, SMALL["replicates"], 3))
    mask = one.records.replicate % 3 == 1
    assert np.array_equal(one.records.value[mask], first.value)
    assert collapse.run("gaussian-chain", seed=5, shard="1/3", **params).records.value.tolist() == first.value.tolist()


def test_quantiles_none_keeps_means_and_drops_quantiles():
    exact = collapse.run("gaussian-chain", records=False, **SMALL)
    none = collapse.run("gaussian-chain", records=False, quantiles="none", **SMALL)
    assert np.array_equal(exact.summary.mean, none.summary.mean)
    measured = none.summary.count > 1
    assert np.isnan(none.summary.q50[measured]).all()
    assert not np.isnan(exact.summary.q50).any()
    assert none.manifest["quantiles"] == "none"


def test_parameter_values_are_read_as_the_command_reads_them():
    a = collapse.run("gaussian-chain", samples=np.int64(12), real_fraction=0.5, policy="mix", generations=5, replicates=10)
    b = collapse.run("gaussian-chain", samples="12", real_fraction="0.5", policy="mix", generations=5, replicates=10)
    assert a.params == b.params
    assert a.params["samples"] == 12 and a.params["real_fraction"] == 0.5
    assert np.array_equal(a.summary.mean, b.summary.mean)
    # A list is a comma-separated list parameter.
    kde = collapse.run("mixture-kde", policies=["replace", "accumulate"], samples=30, generations=2, replicates=2)
    assert kde.params["policies"] == "replace,accumulate"
    assert set(kde.summary.series.names) >= {"replace", "accumulate"}
    assert "--set policies=replace,accumulate" in kde.command


def test_tables_select_rows_by_value():
    result = collapse.run("gaussian-chain", records=False, **SMALL)
    s = result.summary
    var = s.where(series="replace", metric="var")
    assert isinstance(var, collapse.Summary)
    assert var.step.tolist() == list(range(SMALL["generations"] + 1))
    assert (var.metric == "var").all() and len(var.metric.names) == len(s.metric.names)
    both = s.where(metric=["var", "theory_var"], step=[0, 1])
    assert sorted(set(both.metric.tolist())) == ["theory_var", "var"]
    assert (s.metric == "no-such-metric").sum() == 0
    assert s.mask(step=3).sum() == len(s.where(step=3))
    assert np.asarray(var.series)[0] == "replace" and var.series[0] == "replace"
    assert "mean" in s and "nope" not in s
    with pytest.raises(KeyError, match="no column 'nope'"):
        s["nope"]
    with pytest.raises(AttributeError):
        s.nope
    assert "Summary: 21 rows" in repr(var)


def test_frames_when_installed():
    pd = pytest.importorskip("pandas")
    result = collapse.run("gaussian-chain", **SMALL)
    frame = result.to_pandas("records")
    assert list(frame.columns) == ["series", "replicate", "step", "metric", "value"]
    assert isinstance(frame["metric"].dtype, pd.CategoricalDtype)
    assert frame["metric"].astype(str).tolist() == result.records.metric.tolist()
    assert np.array_equal(frame["value"].to_numpy(), result.records.value)
    assert len(result.to_pandas()) == len(result.summary)
    pl = pytest.importorskip("polars")
    frame = result.to_polars("records")
    assert frame.columns == ["series", "replicate", "step", "metric", "value"]
    assert frame["metric"].cast(pl.String).to_list() == result.records.metric.tolist()
    assert np.array_equal(frame["value"].to_numpy(), result.records.value)
    assert frame.height == len(result.records)


def test_frames_say_how_to_install_a_missing_library(monkeypatch):
    result = collapse.run("gaussian-chain", records=False, **SMALL)
    # A module set to None in sys.modules cannot be imported: as if it were not installed.
    monkeypatch.setitem(__import__("sys").modules, "pandas", None)
    monkeypatch.setitem(__import__("sys").modules, "polars", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        result.to_pandas()
    with pytest.raises(ImportError, match="pip install polars"):
        result.summary.to_polars()
    with pytest.raises(ValueError, match="no records"):
        result.to_pandas("records")
