"""Shared fixtures: the command-line program to compare with, and small runs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _command() -> Path | None:
    """The `collapse` program built from this repository: $COLLAPSE_BIN when set (then it must
    exist), else the release build in the repository's target directory, if there is one."""
    given = os.environ.get("COLLAPSE_BIN")
    if given:
        path = Path(given)
        if not path.is_file():
            raise RuntimeError(f"COLLAPSE_BIN is set to {given}, which is not a file")
        return path
    built = REPO / "target" / "release" / "collapse"
    return built if built.is_file() else None


@pytest.fixture(scope="session")
def command() -> Path:
    """The command-line program; the tests that compare with it are skipped without it (CI
    sets COLLAPSE_BIN, so there they always run)."""
    path = _command()
    if path is None:
        pytest.skip("no collapse program to compare with (build it, or set COLLAPSE_BIN)")
    return path


@pytest.fixture(scope="session")
def cli(command: Path):
    """Runs the program with arguments and returns what it did (without raising on a non-zero
    exit)."""

    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(command), *args], capture_output=True, text=True, cwd=cwd, timeout=600
        )

    return run
