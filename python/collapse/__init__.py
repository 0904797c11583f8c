"""Model collapse, computable, from Python.

The experiments, checks and figures of the ``collapse`` command, run by the same Rust core
with the same seeds: a run here gives the same summary, value for value, as ``collapse run``
with the same parameters and seed. Results come back as numpy arrays.

>>> import collapse
>>> [x["id"] for x in collapse.experiments()][:2]
['gaussian-chain', 'discrete-chain']
>>> r = collapse.run("gaussian-chain", samples=100, generations=200, replicates=10_000,
...                  sampler="exact", records=False)
>>> var = r.summary.where(series="replace", metric="var")
>>> var.step[:3], var.mean[:3]  # doctest: +SKIP

The functions follow the command: :func:`experiments`, :func:`checks` and :func:`figures`
list what there is (``collapse list``); :func:`describe` gives an experiment's parameters;
:func:`run`, :func:`verify`, :func:`merge` and :func:`figure` do what ``collapse run``,
``collapse verify``, ``collapse merge`` and ``collapse figures`` do; :func:`load` reads a run
directory back.

Bad input raises ``ValueError`` with the command's message (the parameter, the value, the
valid range); a run that fails raises ``RuntimeError``. Long calls release the GIL, stop on
Ctrl-C (``KeyboardInterrupt``) and show progress with ``progress=True``.
"""

from __future__ import annotations

import operator
import os
from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

from . import _native
from ._progress import Reporter
from ._result import PNG, SVG, RunResult, check_format, drawn
from ._table import Labels, Records, Summary, Table

if TYPE_CHECKING:
    from pathlib import Path

    from ._progress import ProgressArg

    PathArg = Union[str, os.PathLike[str]]
    ParamValue = Union[int, float, str, os.PathLike[str], Sequence[Union[int, float, str]]]

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

__version__: str = _native.VERSION

_MAX_SEED = 2**64 - 1
_MAX_THREADS = 1024


def experiments() -> list[dict[str, Any]]:
    """Every experiment, as ``collapse list`` names them.

    Returns a list of dicts with ``id``, ``title``, ``about`` (what it simulates and which
    metrics it writes) and ``params`` (each parameter's default, by name).
    """
    return _native.experiments()


def checks() -> list[dict[str, Any]]:
    """Every registered check (each theorem measured against its closed form).

    Returns a list of dicts with ``id``, ``statement`` and ``source``.
    """
    return _native.checks()


def figures() -> list[dict[str, Any]]:
    """Every figure of ``collapse figures``, in gallery order: dicts with ``name`` and
    ``title``.
    """
    return _native.figures()


def describe(id: str) -> dict[str, Any]:
    """An experiment's parameters, as ``collapse describe ID`` prints them.

    Returns a dict with ``id``, ``title``, ``about`` and ``params``: a list with one dict per
    parameter, holding ``name``, ``default``, ``range`` (the valid values in words, as error
    messages give them), ``meaning`` and ``type`` (``int``, ``float``, ``choice`` or ``text``),
    with ``min`` and ``max`` (and ``min_exclusive`` for floats) or ``choices``.

    Raises ``ValueError`` for an unknown id, listing the ids.
    """
    return _native.describe(id)


def run(
    id: str,
    seed: int = 0,
    shard: Union[tuple[int, int], str, None] = None,
    threads: Optional[int] = None,
    *,
    records: bool = True,
    quantiles: str = "exact",
    out: Optional[PathArg] = None,
    force: bool = False,
    progress: ProgressArg = False,
    **params: ParamValue,
) -> RunResult:
    """Runs an experiment, as ``collapse run ID --set NAME=VALUE ... --seed SEED`` does.

    Args:
        id: the experiment (see :func:`experiments`).
        seed: the master seed; replicate ``r`` draws from its own stream keyed by (seed,
            experiment, r), so results do not depend on ``threads`` or on sharding.
        shard: ``(i, n)`` or ``"i/n"``: run only the replicates ``r`` with ``r % n == i``
            (``--shard``); :func:`merge` joins the shards' directories.
        threads: worker threads, 1 to 1024 (default: all cores).
        records: keep every record (as numpy columns in :attr:`RunResult.records`, and in
            ``records.csv`` when ``out`` is given); ``False`` keeps the summary only
            (``--summary-only``).
        quantiles: ``"exact"`` (the summary keeps every value: 8 bytes a record) or ``"none"``
            (constant memory; quantiles are NaN) (``--quantiles``).
        out: also write the run directory (``manifest.json``, ``summary.csv``, ``records.csv``
            and the figure) there, as ``--out`` does; it appears whole when the run is done.
        force: replace an existing non-empty ``out`` (``--force``).
        progress: ``True`` shows a progress bar (tqdm when installed, else a line of text);
            a callable is called with ``(done, total)`` as the run advances.
        **params: the experiment's parameters (see :func:`describe`), each as a number or a
            word; a list or tuple is passed as a comma-separated list. Each is read exactly as
            ``--set NAME=VALUE`` reads its text.

    Returns:
        A :class:`RunResult` with ``params``, ``manifest``, ``summary`` and ``records``.

    Raises:
        ValueError: an unknown experiment or parameter, a value out of range, a bad option,
            an ``out`` that cannot be used, or a run too large for the memory available: the
            command's message, naming the parameter and its valid range.
        RuntimeError: the run failed.
        KeyboardInterrupt: Ctrl-C; the run stops at its next block and nothing is kept.
    """
    _check_int("seed", seed, 0, _MAX_SEED)
    if threads is not None:
        _check_int("threads", threads, 1, _MAX_THREADS)
    pairs = [(name, _param_text(value)) for name, value in params.items()]
    with Reporter(progress, id) as callback:
        native = _native.run(
            id,
            pairs,
            int(seed),
            _shard_text(shard),
            None if threads is None else int(threads),
            bool(records),
            quantiles,
            None if out is None else os.fspath(out),
            bool(force),
            callback,
        )
    return RunResult(native)


def verify(
    only: Optional[str] = None,
    quick: bool = False,
    *,
    threads: Optional[int] = None,
    progress: ProgressArg = False,
) -> list[dict[str, Any]]:
    """Runs the registered checks, as ``collapse verify`` does, and returns their outcomes.

    Args:
        only: run only the checks whose id starts with this prefix (e.g. ``"gaussian"``).
        quick: the smaller budget used in CI (``--quick``).
        threads: worker threads, 1 to 1024 (default: all cores).
        progress: ``True`` for a progress bar, or a callable taking ``(done, total)``.

    Returns:
        One dict per check: ``id``, ``statement``, ``source``, ``predicted``, ``measured``,
        ``std_error``, ``tolerance``, ``relation`` (``equal``, ``atmost`` or ``atleast``),
        ``pass`` and ``error`` (``None``, or why the check could not be computed; the numbers
        are then ``None``).

    Raises:
        ValueError: no check id starts with ``only`` (the message lists the ids).
    """
    if threads is not None:
        _check_int("threads", threads, 1, _MAX_THREADS)
    with Reporter(progress, "verify") as callback:
        return _native.verify(
            only, bool(quick), None if threads is None else int(threads), callback
        )


def merge(
    dirs: Sequence[PathArg],
    out: PathArg,
    *,
    force: bool = False,
    progress: ProgressArg = False,
) -> RunResult:
    """Merges the shard directories of one run into ``out``, as ``collapse merge`` does.

    Every shard's manifest, digests and lines are verified before anything is trusted; the
    merged ``records.csv`` and ``summary.csv`` are byte-identical to the unsharded run's.

    Returns:
        The merged run's :class:`RunResult` (summary and manifest; ``records`` is ``None``:
        read them with :func:`load` if they fit in memory).

    Raises:
        ValueError: the shards are not the complete shards of one run, or a file is not what
            its manifest says, or ``out`` cannot be used.
    """
    if isinstance(dirs, (str, bytes, os.PathLike)):
        raise ValueError("dirs: expected a list of shard directories, got a single path")
    paths = [os.fspath(d) for d in dirs]
    with Reporter(progress, "merge") as callback:
        native = _native.merge(paths, os.fspath(out), bool(force), callback)
    return RunResult(native)


def load(dir: PathArg, *, records: bool = True) -> RunResult:
    """Reads a complete run directory (written by ``collapse run``, :func:`run` with ``out``,
    or a merge) back into a :class:`RunResult`, checking each file against its manifest's
    digest. ``records=False`` skips ``records.csv``.

    Raises:
        ValueError: the directory holds no complete run, or a file does not match its
            manifest.
    """
    return RunResult(_native.load(os.fspath(dir), bool(records)))


def figure(
    id: str,
    seed: int = 0,
    *,
    format: str = "svg",
    out: Optional[PathArg] = None,
    progress: ProgressArg = False,
) -> Union[SVG, PNG, list[Path]]:
    """Draws a figure of ``collapse figures`` (see :func:`figures`), running what it needs.

    Args:
        id: the figure's name, e.g. ``"gaussian-variance-collapse"``.
        seed: the master seed of every run behind the figure (``--seed``).
        format: ``"svg"`` or ``"png"``: the bytes returned when ``out`` is not given.
        out: write ``out/ID.svg`` and ``out/ID.png`` instead (the files ``collapse figures
            --out OUT`` writes, byte for byte) and return their paths.
        progress: ``True`` for a progress bar, or a callable taking ``(done, total)``.

    Returns:
        :class:`SVG` or :class:`PNG` bytes, which a notebook displays; or, with ``out``, the
        paths written.
    """
    _check_int("seed", seed, 0, _MAX_SEED)
    check_format(format)
    with Reporter(progress, id) as callback:
        drawing = _native.figure(id, int(seed), callback)
    if out is not None:
        from pathlib import Path

        return [Path(p) for p in drawing.save(os.fspath(out), id)]
    return drawn(drawing, format)


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    """Refuses anything but an integer (a Python or numpy one) in ``[low, high]``, as the
    command words it."""
    try:
        number = None if isinstance(value, bool) else operator.index(value)
    except TypeError:
        number = None
    if number is None or not low <= number <= high:
        raise ValueError(
            f"{name}: invalid value {value!r}; expected an integer in [{low}, {high}]"
        )


def _shard_text(shard: Union[tuple[int, int], str, None]) -> Optional[str]:
    """``(i, n)`` as ``"i/n"``; the extension checks it as ``--shard`` does."""
    if shard is None or isinstance(shard, str):
        return shard
    if isinstance(shard, tuple) and len(shard) == 2:
        return f"{shard[0]}/{shard[1]}"
    raise ValueError(
        f"shard: invalid value {shard!r}; expected (I, N) or 'I/N' with N >= 1 and 0 <= I < N"
    )


def _param_text(value: Any) -> str:
    """A parameter value as the text ``--set NAME=TEXT`` would give (a sequence joined by
    commas)."""
    if isinstance(value, (list, tuple)):
        return ",".join(_param_text(v) for v in value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)

