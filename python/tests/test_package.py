"""The package as a user meets it: its type stubs, its import cost, its example."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
EXAMPLE = PACKAGE / "examples" / "gaussian_variance_collapse.py"
MYPY = ["--mypy-config-file", str(PACKAGE / "pyproject.toml")]


def test_the_stubs_match_the_package():
    pytest.importorskip("mypy")
    # stubtest imports the package and compares every name, signature and type in the .pyi
    # files with the objects at run time (the extension's functions included).
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "collapse", *MYPY],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_example_type_checks_against_the_stubs():
    pytest.importorskip("mypy")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", MYPY[1], "--no-incremental", str(EXAMPLE)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_importing_collapse_does_not_import_numpy():
    # numpy comes in when a column is first read, so listing or writing files stays quick.
    code = (
        "import sys, collapse; collapse.experiments();"
        "r = collapse.run('gaussian-chain', replicates=5, generations=3, records=False);"
        "assert 'numpy' not in sys.modules; r.summary.mean; assert 'numpy' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_example_runs(tmp_path):
    out = tmp_path / "figure.png"
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(out)], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "of the 2,000 chains ended below 0.01" in done.stdout
    assert done.stdout.count("at n = 300 the mean σ² is") == 3
    if importlib.util.find_spec("matplotlib") is not None:
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert "matplotlib is not installed" in done.stdout
