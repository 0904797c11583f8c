"""Tables of numpy columns: a run's summary and its records.

A column of numbers is a numpy array that owns the buffer the Rust core filled (no value is
copied on the way). A column of names (series, metric) is a :class:`Labels`: codes into the
sorted names, so millions of records hold no Python string each, and comparing a column with a
name is one vectorised comparison of integers.

A table made by a run holds its columns in Rust until they are first read, so numpy is
imported only then (this module imports it lazily for the same reason).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

if TYPE_CHECKING:
    import numpy as np


class Labels:
    """A column of names stored as codes into a sorted tuple of names.

    ``labels == "var"`` and ``labels.isin(["var", "w2_sq"])`` give boolean numpy masks;
    ``labels[i]`` is the i-th name; ``np.asarray(labels)`` decodes the whole column into a numpy
    array of strings. :attr:`codes` and :attr:`names` are the raw form (what pandas calls the
    codes and the categories).

    >>> labels = Labels(np.array([1, 0, 1], dtype=np.uint32), ["accumulate", "replace"])
    >>> (labels == "replace").tolist()
    [True, False, True]
    >>> labels[1]
    'accumulate'
    """

    __slots__ = ("codes", "names")

    codes: np.ndarray
    """The code of each row: an index into :attr:`names` (``uint32``)."""

    names: tuple[str, ...]
    """The distinct names, sorted as text (so codes sort like names)."""

    def __init__(self, codes: np.ndarray, names: Iterable[str]) -> None:
        self.codes = codes
        self.names = tuple(names)

    def __len__(self) -> int:
        return len(self.codes)

    def code(self, name: str) -> int:
        """The code of ``name``, or -1 when no row has it."""
        try:
            return self.names.index(name)
        except ValueError:
            return -1

    def __eq__(self, other: object) -> Any:  # a mask, as numpy's == gives
        if isinstance(other, str):
            return self.codes == self.code(other)
        return NotImplemented

    def __ne__(self, other: object) -> Any:
        if isinstance(other, str):
            return self.codes != self.code(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-style equality, like numpy arrays

    def isin(self, names: Iterable[str]) -> np.ndarray:
        """A boolean mask of the rows whose name is one of ``names``."""
        import numpy as np

        wanted = [c for c in (self.code(n) for n in names) if c >= 0]
        return np.isin(self.codes, np.asarray(wanted, dtype=self.codes.dtype))

    def __getitem__(self, index: Any) -> Any:
        """One name for an integer index; a :class:`Labels` for a slice, mask or index array."""
        picked = self.codes[index]
        if picked.ndim == 0:
            return self.names[int(picked)]
        return Labels(picked, self.names)

    def __iter__(self) -> Iterator[str]:
        names = self.names
        return (names[c] for c in self.codes.tolist())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        import numpy as np

        decoded = np.asarray(self.names if self.names else [""], dtype=str)[self.codes]
        return decoded if dtype is None else decoded.astype(dtype)

    def tolist(self) -> list[str]:
        """The names of every row, as a list."""
        return list(self)

    def __repr__(self) -> str:
        head = ", ".join(repr(n) for n in self[:5]) if len(self) else ""
        more = ", ..." if len(self) > 5 else ""
        return f"Labels([{head}{more}], {len(self)} rows, names={list(self.names)!r})"


def _missing(library: str, method: str) -> ImportError:
    return ImportError(
        f"{method}() needs {library}, which is not installed; install it with "
        f"`pip install {library}` (collapse itself needs only numpy)"
    )


class Table:
    """Columns of equal length, by name: numpy arrays, and :class:`Labels` for names.

    Read a column as ``table["mean"]`` or ``table.mean``; ``len(table)`` is the number of rows;
    :meth:`where` selects rows by value; :meth:`to_pandas` and :meth:`to_polars` make a data
    frame when that library is installed.
    """

    def __init__(self, columns: Any) -> None:
        """A table of ``columns``: a mapping of names to numpy arrays and :class:`Labels` of
        one length (or the extension's columns, read when first needed)."""
        if isinstance(columns, Mapping):
            self._held: Any = None
            self._data: Any = dict(columns)
            lengths = {len(c) for c in self._data.values()}
            if len(lengths) > 1:
                raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        else:
            self._held = columns
            self._data = None

    @property
    def _columns(self) -> dict[str, Any]:
        if self._data is None:
            taken = self._held.take()
            self._data = {k: Labels(*v) if isinstance(v, tuple) else v for k, v in taken.items()}
            self._held = None
        return self._data

    @property
    def columns(self) -> tuple[str, ...]:
        """The column names, in order."""
        if self._data is None:
            return tuple(self._held.names)
        return tuple(self._data)

    def __len__(self) -> int:
        if self._data is None:
            return len(self._held)
        for c in self._data.values():
            return len(c)
        return 0

    def __getitem__(self, name: str) -> Any:
        try:
            return self._columns[name]
        except KeyError:
            raise KeyError(f"no column {name!r}; columns: {', '.join(self.columns)}") from None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self.columns:
            return self._columns[name]
        raise AttributeError(f"{type(self).__name__} has no column or attribute {name!r}")

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.columns))

    def mask(self, **conditions: Any) -> np.ndarray:
        """A boolean mask of the rows where each named column equals the value given (or is
        one of the values, for a list, tuple or set).

        >>> summary.mask(series="replace", metric=["var", "log_var"])  # doctest: +SKIP
        """
        import numpy as np

        keep = np.ones(len(self), dtype=bool)
        for name, wanted in conditions.items():
            column = self[name]
            several = isinstance(wanted, (list, tuple, set, frozenset))
            if isinstance(column, Labels):
                keep &= column.isin(wanted) if several else (column == wanted)
            else:
                keep &= np.isin(column, list(wanted)) if several else (column == wanted)
        return keep

    def where(self, **conditions: Any) -> Any:
        """The rows where each named column equals the value given (or is one of the values,
        for a list, tuple or set), as a table of the same kind.

        >>> var = result.summary.where(series="replace", metric="var")  # doctest: +SKIP
        >>> plt.plot(var.step, var.q50)  # doctest: +SKIP
        """
        return self.filter(self.mask(**conditions))

    def filter(self, mask: Any) -> Any:
        """The rows selected by a boolean mask (or an index array), as a table of the same kind."""
        selected = {name: column[mask] for name, column in self._columns.items()}
        return type(self)(selected)

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` of the columns: numbers as they are, names as categoricals.

        Raises ``ImportError`` saying how to install pandas when it is not installed.
        """
        try:
            import pandas as pd
        except ImportError as e:
            raise _missing("pandas", "to_pandas") from e
        import numpy as np

        data = {}
        for name, column in self._columns.items():
            if isinstance(column, Labels):
                data[name] = pd.Categorical.from_codes(
                    column.codes.astype(np.int32, copy=False), categories=list(column.names)
                )
            else:
                data[name] = column
        return pd.DataFrame(data, copy=False)

    def to_polars(self) -> Any:
        """A ``polars.DataFrame`` of the columns: numbers as they are, names as ``Enum``s.

        Raises ``ImportError`` saying how to install polars when it is not installed.
        """
        try:
            import polars as pl
        except ImportError as e:
            raise _missing("polars", "to_polars") from e
        series = []
        for name, column in self._columns.items():
            if isinstance(column, Labels):
                names = list(column.names)
                categories = pl.Series(name, names, dtype=pl.Enum(names))
                series.append(categories.gather(column.codes))
            else:
                series.append(pl.Series(name, column))
        return pl.DataFrame(series)

    def _preview(self, rows: int = 5) -> str:
        shown = min(rows, len(self))
        cells = [list(self._columns)]
        for i in range(shown):
            line = []
            for column in self._columns.values():
                v = column[i]
                line.append(f"{v:.6g}" if isinstance(v, float) else str(v))
            cells.append(line)
        widths = [max(len(r[j]) for r in cells) for j in range(len(cells[0]))]
        text = ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells]
        if len(self) > shown:
            text.append("...")
        return "\n".join(text)

    def __repr__(self) -> str:
        return f"{type(self).__name__}: {len(self)} rows\n{self._preview()}"


class Summary(Table):
    """A run's ``summary.csv`` as columns, one row per (series, step, metric), in that order.

    Columns: ``series`` and ``metric`` (:class:`Labels`), ``step`` and ``count`` (``uint64``),
    ``mean``, ``std_error``, ``q05``, ``q50``, ``q95`` (``float64``). ``step`` is the generation
    or the index of a swept parameter; ``std_error`` the sample standard deviation over the
    square root of the count. Closed-form values appear as ``theory_...`` metrics with count 1.
    The quantiles are NaN when the run kept none (``quantiles="none"``).
    """

    series: Labels
    step: np.ndarray
    metric: Labels
    count: np.ndarray
    mean: np.ndarray
    std_error: np.ndarray
    q05: np.ndarray
    q50: np.ndarray
    q95: np.ndarray


class Records(Table):
    """A run's ``records.csv`` as columns, one row per measured value, in canonical order
    (series, replicate, step, metric).

    Columns: ``series`` and ``metric`` (:class:`Labels`), ``replicate`` and ``step``
    (``uint64``), ``value`` (``float64``).
    """

    series: Labels
    replicate: np.ndarray
    step: np.ndarray
    metric: Labels
    value: np.ndarray
