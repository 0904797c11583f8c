# Type stubs of the public API of `collapse` (the docstrings are in the modules themselves).
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Literal, Sequence, TypeVar, overload

import numpy as np
import numpy.typing as npt

__version__: str

_PathArg = str | os.PathLike[str]
_ParamValue = int | float | str | os.PathLike[str] | Sequence[int | float | str]
_Progress = bool | Callable[[int, int], object] | None
_T = TypeVar("_T", bound=Table)

class Labels:
    codes: npt.NDArray[np.uint32]
    names: tuple[str, ...]
    def __init__(self, codes: npt.NDArray[np.uint32], names: Iterable[str]) -> None: ...
    def __len__(self) -> int: ...
    def code(self, name: str) -> int: ...
    def __eq__(self, other: object) -> Any: ...
    def __ne__(self, other: object) -> Any: ...
    __hash__: None  # type: ignore[assignment]
    def isin(self, names: Iterable[str]) -> npt.NDArray[np.bool_]: ...
    @overload
    def __getitem__(self, index: int | np.integer[Any]) -> str: ...
    @overload
    def __getitem__(self, index: slice | npt.NDArray[Any] | Sequence[int]) -> Labels: ...
    def __iter__(self) -> Iterator[str]: ...
    def __array__(self, dtype: Any = None, copy: Any = None) -> npt.NDArray[np.str_]: ...
    def tolist(self) -> list[str]: ...

class Table:
    def __init__(self, columns: Any) -> None: ...
    @property
    def columns(self) -> tuple[str, ...]: ...
    def __len__(self) -> int: ...
    def __getitem__(self, name: str) -> Any: ...
    def __getattr__(self, name: str) -> Any: ...
    def __contains__(self, name: object) -> bool: ...
    def mask(self, **conditions: Any) -> npt.NDArray[np.bool_]: ...
    def where(self: _T, **conditions: Any) -> _T: ...
    def filter(self: _T, mask: Any) -> _T: ...
    def to_pandas(self) -> Any: ...
    def to_polars(self) -> Any: ...

class Summary(Table):
    series: Labels
    step: npt.NDArray[np.uint64]
    metric: Labels
    count: npt.NDArray[np.uint64]
    mean: npt.NDArray[np.float64]
    std_error: npt.NDArray[np.float64]
    q05: npt.NDArray[np.float64]
    q50: npt.NDArray[np.float64]
    q95: npt.NDArray[np.float64]

class Records(Table):
    series: Labels
    replicate: npt.NDArray[np.uint64]
    step: npt.NDArray[np.uint64]
    metric: Labels
    value: npt.NDArray[np.float64]

class SVG(bytes):
    def _repr_svg_(self) -> str: ...

class PNG(bytes):
    def _repr_png_(self) -> bytes: ...

class RunResult:
    experiment: str
    params: dict[str, Any]
    manifest: dict[str, Any]
    summary: Summary
    records: Records | None
    report: str | None
    dir: Path | None
    seed: int
    shard: str
    command: str
    def __init__(self, native: dict[str, Any]) -> None: ...
    @overload
    def figure(self, format: Literal["svg"] = "svg") -> SVG | None: ...
    @overload
    def figure(self, format: Literal["png"]) -> PNG | None: ...
    @overload
    def figure(self, format: str) -> SVG | PNG | None: ...
    def to_pandas(self, table: Literal["summary", "records"] = "summary") -> Any: ...
    def to_polars(self, table: Literal["summary", "records"] = "summary") -> Any: ...

def experiments() -> list[dict[str, Any]]: ...
def checks() -> list[dict[str, Any]]: ...
def figures() -> list[dict[str, Any]]: ...
def describe(id: str) -> dict[str, Any]: ...
def run(
    id: str,
    seed: int = 0,
    shard: tuple[int, int] | str | None = None,
    threads: int | None = None,
    *,
    records: bool = True,
    quantiles: Literal["exact", "none"] = "exact",
    out: _PathArg | None = None,
    force: bool = False,
    progress: _Progress = False,
    **params: _ParamValue,
) -> RunResult: ...
def verify(
    only: str | None = None,
    quick: bool = False,
    *,
    threads: int | None = None,
    progress: _Progress = False,
) -> list[dict[str, Any]]: ...
def merge(
    dirs: Sequence[_PathArg],
    out: _PathArg,
    *,
    force: bool = False,
    progress: _Progress = False,
) -> RunResult: ...
def load(dir: _PathArg, *, records: bool = True) -> RunResult: ...
@overload
def figure(
    id: str,
    seed: int = 0,
    *,
    format: Literal["svg"] = "svg",
    out: None = None,
    progress: _Progress = False,
) -> SVG: ...
@overload
def figure(
    id: str,
    seed: int = 0,
    *,
    format: Literal["png"],
    out: None = None,
    progress: _Progress = False,
) -> PNG: ...
@overload
def figure(
    id: str,
    seed: int = 0,
    *,
    format: Literal["svg", "png"] = "svg",
    out: _PathArg,
    progress: _Progress = False,
) -> list[Path]: ...

__all__ = [
    "experiments",
    "checks",
    "figures",
    "describe",
    "run",
    "verify",
    "merge",
    "load",
    "figure",
    "RunResult",
    "Table",
    "Summary",
    "Records",
    "Labels",
    "SVG",
    "PNG",
    "__version__",
]
