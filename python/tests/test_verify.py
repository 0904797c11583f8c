"""`collapse.verify` runs the registered checks with the command's seeds and verdicts."""

from __future__ import annotations

import json
import math

import collapse


def test_the_outcomes_are_the_commands(cli, tmp_path):
    done = cli("verify", "--only", "gaussian", "--quick", "--json", str(tmp_path / "v.json"))
    assert done.returncode == 0, done.stdout
    theirs = json.loads((tmp_path / "v.json").read_text())
    ours = collapse.verify(only="gaussian", quick=True)
    assert [o["id"] for o in ours] == [o["id"] for o in theirs]
    assert len(ours) >= 10
    for o, t in zip(ours, theirs):
        assert o["pass"] is True and o["error"] is None, o
        assert o["relation"] == t["relation"]
        for key in ["predicted", "measured", "std_error", "tolerance"]:
            # The command writes non-finite numbers as null.
            expected = t[key] if t[key] is not None else o[key]
            assert o[key] == expected or (math.isnan(o[key]) and t[key] is None), (o["id"], key)


def test_a_selection_and_its_progress():
    seen = []
    ours = collapse.verify(only="gaussian.variance", quick=True, threads=1, progress=lambda d, t: seen.append((d, t)))
    assert ours and all(o["id"].startswith("gaussian.variance") for o in ours)
    assert seen[-1] == (len(ours), len(ours))
