"""`collapse.merge` and `collapse.load`: shards written from Python merge into the unsharded
run's files, and run directories read back into the same columns."""

from __future__ import annotations

import json

import numpy as np
import pytest

import collapse

PARAMS = dict(samples=20, generations=30, replicates=50, sampler="naive")


def test_shards_merge_into_the_unsharded_run(tmp_path):
    whole = collapse.run("gaussian-chain", seed=2, out=tmp_path / "whole", **PARAMS)
    shards = [tmp_path / f"shard{i}" for i in range(3)]
    for i, d in enumerate(shards):
        part = collapse.run("gaussian-chain", seed=2, shard=(i, 3), out=d, **PARAMS)
        assert part.shard == f"{i}/3" and part.figure() is None
    merged = collapse.merge(shards, tmp_path / "merged")
    for name in ["records.csv", "summary.csv", "figure.svg"]:
        assert (tmp_path / "merged" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()
    assert merged.dir == tmp_path / "merged" and merged.records is None
    assert np.array_equal(merged.summary.q95, whole.summary.q95)
    assert merged.params == whole.params
    assert merged.manifest["records"] == whole.manifest["records"]


def test_a_merge_refuses_what_is_not_one_runs_shards(tmp_path):
    shards = [tmp_path / f"shard{i}" for i in range(2)]
    for i, d in enumerate(shards):
        collapse.run("gaussian-chain", shard=(i, 3), out=d, **PARAMS)
    with pytest.raises(ValueError, match="merge: .*shard"):
        collapse.merge(shards, tmp_path / "merged")
    assert not (tmp_path / "merged").exists()
    with pytest.raises(ValueError, match="dirs: expected a list of shard directories"):
        collapse.merge(str(shards[0]), tmp_path / "merged")


def test_a_run_directory_loads_back_into_the_same_columns(tmp_path):
    ran = collapse.run("gaussian-chain", seed=4, out=tmp_path / "run", **PARAMS)
    loaded = collapse.load(tmp_path / "run")
    assert loaded.params == ran.params and loaded.seed == 4
    for column in ran.records.columns:
        assert np.array_equal(np.asarray(loaded.records[column]), np.asarray(ran.records[column]))
    for column in ran.summary.columns:
        a, b = np.asarray(loaded.summary[column]), np.asarray(ran.summary[column])
        assert np.array_equal(a, b) if a.dtype.kind in "UO" else np.array_equal(a, b, equal_nan=True)
    assert loaded.figure() == ran.figure()
    assert collapse.load(tmp_path / "run", records=False).records is None


def test_load_refuses_an_edited_or_unfinished_run(tmp_path):
    collapse.run("gaussian-chain", out=tmp_path / "run", **PARAMS)
    records = tmp_path / "run" / "records.csv"
    lines = records.read_text().splitlines(keepends=True)
    records.write_text("".join(lines + lines[-1:]))
    with pytest.raises(ValueError, match="records.csv holds .* records but the manifest says"):
        collapse.load(tmp_path / "run")
    records.write_text("".join(lines[:-1] + [lines[-1].replace(",", ",1", 1)]))
    with pytest.raises(ValueError, match="records.csv"):
        collapse.load(tmp_path / "run")
    manifest = tmp_path / "run" / "manifest.json"
    m = json.loads(manifest.read_text())
    m["complete"] = False
    manifest.write_text(json.dumps(m))
    with pytest.raises(ValueError, match="did not finish"):
        collapse.load(tmp_path / "run")
    with pytest.raises(ValueError, match="cannot read manifest.json"):
        collapse.load(tmp_path / "nowhere")
