# Type stubs of the extension module `collapse._native` (the Rust core's bindings). The public
# API is the package `collapse`, which wraps these functions.
import os
from typing import Any, Callable, final

VERSION: str

_Progress = Callable[[int, int], object] | None

@final
class Columns:
    def __len__(self) -> int: ...
    @property
    def names(self) -> list[str]: ...
    def take(self) -> dict[str, Any]: ...

@final
class Figure:
    def svg(self) -> str: ...
    def png(self) -> bytes: ...
    def save(self, dir: str | os.PathLike[str], stem: str) -> list[str]: ...

@final
class RunFigure:
    def draw(self) -> Figure | None: ...

def experiments() -> list[dict[str, Any]]: ...
def checks() -> list[dict[str, Any]]: ...
def figures() -> list[dict[str, Any]]: ...
def describe(id: str) -> dict[str, Any]: ...
def run(
    id: str,
    params: list[tuple[str, str]],
    seed: int,
    shard: str | None,
    threads: int | None,
    records: bool,
    quantiles: str,
    out: str | os.PathLike[str] | None,
    force: bool,
    progress: _Progress,
) -> dict[str, Any]: ...
def merge(
    dirs: list[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    force: bool,
    progress: _Progress,
) -> dict[str, Any]: ...
def load(dir: str | os.PathLike[str], records: bool) -> dict[str, Any]: ...
def verify(
    only: str | None, quick: bool, threads: int | None, progress: _Progress
) -> list[dict[str, Any]]: ...
def figure(name: str, seed: int, progress: _Progress) -> Figure: ...
def _panic_for_tests(place: str) -> None: ...

__all__ = [
    "experiments",
    "checks",
    "figures",
    "describe",
    "run",
    "merge",
    "load",
    "verify",
    "figure",
    "_panic_for_tests",
    "Figure",
    "RunFigure",
    "Columns",
    "VERSION",
]
