"""Progress of long calls: a bar in a notebook (tqdm, when installed) or a line of text.

The extension calls the reporter from the calling thread, about every 50 ms while the count
moves, with ``(done, total)``; ``total`` may change when a call runs several things in turn (a
figure made of several runs).
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Optional, Union

ProgressArg = Union[bool, Callable[[int, int], Any], None]


class _Text:
    """``label: done/total`` rewritten in place on standard error."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        of = f"/{total}" if total else ""
        sys.stderr.write(f"\r{self.label}: {done}{of}")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


class _Tqdm:
    """A tqdm bar (a widget in a notebook with ipywidgets, text elsewhere)."""

    def __init__(self, tqdm: Any, label: str) -> None:
        self.bar = tqdm(total=None, desc=label, leave=True)

    def __call__(self, done: int, total: int) -> None:
        if total and self.bar.total != total:
            self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


class Reporter:
    """What a call passes to the extension as its progress callback, closed when it returns."""

    def __init__(self, progress: ProgressArg, label: str) -> None:
        self.callback: Optional[Callable[[int, int], Any]] = None
        self._close: Callable[[], None] = lambda: None
        if progress is True:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                shown: Any = _Text(label)
            else:
                shown = _Tqdm(tqdm, label)
            self.callback = shown
            self._close = shown.close
        elif callable(progress):
            self.callback = progress
        elif progress not in (False, None):
            raise ValueError(
                f"progress: invalid value {progress!r}; expected True, False or a callable "
                "taking (done, total)"
            )

    def __enter__(self) -> Optional[Callable[[int, int], Any]]:
        return self.callback

    def __exit__(self, *exc: object) -> None:
        self._close()
