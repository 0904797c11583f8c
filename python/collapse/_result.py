"""A run's result, and figures as bytes a notebook displays."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ._table import Records, Summary

if TYPE_CHECKING:
    from pathlib import Path


class SVG(bytes):
    """A figure as SVG bytes; a notebook cell that ends with one displays the figure."""

    __slots__ = ()

    def _repr_svg_(self) -> str:
        return self.decode("utf-8")


class PNG(bytes):
    """A figure as PNG bytes; a notebook cell that ends with one displays the figure."""

    __slots__ = ()

    def _repr_png_(self) -> bytes:
        return bytes(self)


def drawn(figure: Any, format: str) -> "SVG | PNG":
    """The figure in ``format`` (checked by the caller)."""
    if format == "svg":
        return SVG(figure.svg().encode("utf-8"))
    return PNG(figure.png())


def check_format(format: str) -> None:
    """Refuses a format other than ``svg`` or ``png``."""
    if format not in ("svg", "png"):
        raise ValueError(f"format: invalid value `{format}`; expected one of svg | png")


class RunResult:
    """What a run gives back: its parameters, manifest, summary and records.

    Attributes:
        experiment: the experiment id.
        params: every parameter as resolved (defaults and what was set), in declaration order.
        manifest: what ``collapse run`` writes into ``manifest.json`` (experiment, parameters,
            seed, shard, version, record count, elapsed seconds; the files' digests when a
            directory was written).
        summary: the summary as a :class:`Summary` of numpy columns.
        records: every record as a :class:`Records` of numpy columns, or ``None`` when the
            run kept the summary only (``records=False``) or was merged or loaded without them.
        report: the text the experiment prints after a run (a comparison table), if any.
        dir: the run directory when one was written (``out=``), merged or loaded, else ``None``.
        seed: the master seed.
        shard: the shard as ``"I/N"`` (``"0/1"`` for a whole run).
        command: the ``collapse run`` command line that reproduces the run.
    """

    experiment: str
    params: dict[str, Any]
    manifest: dict[str, Any]
    summary: Summary
    records: Optional[Records]
    report: Optional[str]
    dir: Optional[Path]
    seed: int
    shard: str
    command: str

    def __init__(self, native: dict[str, Any]) -> None:
        self.experiment = native["experiment"]
        self.params = native["params"]
        self.manifest = native["manifest"]
        self.summary = Summary(native["summary"])
        records = native["records"]
        self.records = None if records is None else Records(records)
        self.report = native["report"]
        self.dir = None
        if native["dir"] is not None:
            from pathlib import Path

            self.dir = Path(native["dir"])
        self.seed = native["seed"]
        self.shard = native["shard"]
        self.command = native["command"]
        self._figure = native["figure"]

    def figure(self, format: str = "svg") -> "SVG | PNG | None":
        """The experiment's own figure of this run (``figure.svg``/``figure.png`` of
        ``collapse run``), drawn from the summary: :class:`SVG` or :class:`PNG` bytes, or
        ``None`` when the experiment draws none or the run is one shard of several.
        """
        check_format(format)
        figure = self._figure.draw()
        return None if figure is None else drawn(figure, format)

    def _table(self, table: str) -> Any:
        if table == "summary":
            return self.summary
        if table == "records":
            if self.records is None:
                raise ValueError(
                    "table: this result has no records (the run kept the summary only, or it "
                    "was merged or loaded without them)"
                )
            return self.records
        raise ValueError(f"table: invalid value `{table}`; expected one of summary | records")

    def to_pandas(self, table: str = "summary") -> Any:
        """The summary (or, with ``table="records"``, the records) as a ``pandas.DataFrame``."""
        return self._table(table).to_pandas()

    def to_polars(self, table: str = "summary") -> Any:
        """The summary (or, with ``table="records"``, the records) as a ``polars.DataFrame``."""
        return self._table(table).to_polars()

    def __repr__(self) -> str:
        records = "summary only" if self.records is None else f"{len(self.records)} records"
        return (
            f"RunResult({self.experiment}, seed {self.seed}, shard {self.shard}: "
            f"{len(self.summary)} summary rows, {records})"
        )

