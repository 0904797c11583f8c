"""`experiments`, `checks`, `figures` and `describe` list what the command lists."""

from __future__ import annotations

import json

import pytest

import collapse


def test_experiments_and_checks_are_the_commands(cli):
    done = cli("list", "--json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    ours = collapse.experiments()
    assert [x["id"] for x in ours] == [x["id"] for x in listed["experiments"]]
    for x, theirs in zip(ours, listed["experiments"]):
        assert x["title"] == theirs["title"] and x["params"] == theirs["params"]
        assert x["about"]
    assert collapse.checks() == listed["checks"]


def test_describe_gives_what_the_command_prints(cli):
    for x in collapse.experiments():
        d = collapse.describe(x["id"])
        text = cli("describe", x["id"]).stdout
        assert d["id"] == x["id"] and d["title"] in text and d["about"] in text
        assert [p["name"] for p in d["params"]] == list(x["params"])
        for p in d["params"]:
            assert p["default"] == x["params"][p["name"]]
            assert p["range"] in text and p["meaning"] in text


def test_describe_types_and_bounds():
    params = {p["name"]: p for p in collapse.describe("gaussian-chain")["params"]}
    samples = params["samples"]
    assert samples["type"] == "int" and isinstance(samples["default"], int)
    assert samples["range"] == f"an integer in [{samples['min']}, {samples['max']}]"
    sampler = params["sampler"]
    assert sampler["type"] == "choice" and sampler["default"] in sampler["choices"]
    assert set(sampler["choices"]) >= {"exact", "naive"}
    fraction = params["real_fraction"]
    assert fraction["type"] == "float" and fraction["min"] <= fraction["default"] <= fraction["max"]


def test_figures_are_the_gallery():
    names = [f["name"] for f in collapse.figures()]
    assert "gaussian-variance-collapse" in names
    assert len(names) == len(set(names))
    assert all(f["title"] for f in collapse.figures())


def test_every_public_function_is_documented():
    for name in collapse.__all__:
        obj = getattr(collapse, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), f"{name} has no docstring"
    assert "Raises" in collapse.run.__doc__ and "**params" in collapse.run.__doc__
    with pytest.raises(ValueError):
        collapse.describe("")
