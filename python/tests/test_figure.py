"""Figures: the gallery's files byte for byte, bytes a notebook displays, a run's own figure."""

from __future__ import annotations

from pathlib import Path

import pytest

import collapse

GALLERY = Path(__file__).resolve().parents[2] / "figures"
NAME = "gaussian-variance-collapse"


def test_a_figure_is_the_committed_gallery_file(tmp_path):
    if not (GALLERY / f"{NAME}.svg").is_file():
        pytest.skip("no gallery beside the package (an installed copy outside the repository)")
    paths = collapse.figure(NAME, out=tmp_path)
    assert paths == [tmp_path / f"{NAME}.svg", tmp_path / f"{NAME}.png"]
    for p in paths:
        assert p.read_bytes() == (GALLERY / p.name).read_bytes(), p.name


def test_figures_come_back_as_bytes_a_notebook_displays():
    svg = collapse.figure("gaussian-density-drift")
    assert isinstance(svg, bytes) and isinstance(svg, collapse.SVG)
    assert b"<svg" in svg[:300] and svg._repr_svg_().startswith(svg[:20].decode())
    png = collapse.figure("gaussian-density-drift", format="png")
    assert isinstance(png, collapse.PNG) and png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png._repr_png_() == bytes(png)


def test_a_runs_figure_is_the_commands(cli, tmp_path):
    params = ["--set", "samples=20", "--set", "generations=40", "--set", "replicates=30"]
    done = cli("run", "gaussian-chain", *params, "--seed", "9", "--out", str(tmp_path / "c"))
    assert done.returncode == 0, done.stderr
    result = collapse.run("gaussian-chain", seed=9, samples=20, generations=40, replicates=30)
    assert result.figure() == (tmp_path / "c" / "figure.svg").read_bytes()
    assert result.figure("png") == (tmp_path / "c" / "figure.png").read_bytes()
    assert result.command.startswith("collapse run gaussian-chain ")
    for assignment in ["samples=20", "generations=40", "replicates=30"]:
        assert f"--set {assignment}" in result.command
    assert result.command.endswith(" --seed 9")
