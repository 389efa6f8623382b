"""Progress bars for long work (a large CRS file, the report's charts), and the library's
logger.

Bars are :mod:`tqdm.auto` bars, so they show as a widget in Jupyter and as text in a
terminal. ``progress=None`` (the default everywhere) shows one only where someone is watching:
when stderr is a terminal or the code runs in a Jupyter kernel; ``True`` / ``False`` force it.
Messages go through ``logging.getLogger("aidcalc")`` (:data:`logger`), never ``print``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

__all__ = ["logger", "progress_bar", "show_progress"]

#: The library's logger; silent unless the application configures logging.
logger = logging.getLogger("aidcalc")


def _in_jupyter() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # pragma: no cover - an IPython without get_ipython
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def show_progress(progress: bool | None) -> bool:
    """Whether to draw a bar: ``progress`` when given, else when stderr is a terminal or
    in Jupyter.

    Examples
    --------
    >>> show_progress(False), show_progress(True)
    (False, True)
    """
    if progress is not None:
        if not isinstance(progress, bool):
            from ._errors import ValidationError

            raise ValidationError(
                f"progress={progress!r} is not accepted; use None (on a terminal or in "
                "Jupyter), True or False",
                option="progress",
                value=progress,
                accepted=[None, True, False],
                problems=None,
            )
        return progress
    if _in_jupyter():
        return True
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


class _NoBar:
    """What :func:`progress_bar` returns when no bar is shown: every call does nothing."""

    n = 0

    def update(self, n: float = 1) -> None:
        pass

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(*, total: float | None, desc: str, unit: str, progress: bool | None) -> Any:
    """A :mod:`tqdm.auto` bar on stderr (bytes: ``unit="B"``, scaled), or a no-op object
    when :func:`show_progress` says no.

    Examples
    --------
    >>> bar = progress_bar(total=3, desc="charts", unit="chart", progress=False)
    >>> bar.update(); bar.close()
    """
    if not show_progress(progress):
        return _NoBar()
    from tqdm.auto import tqdm

    options: dict[str, Any] = {
        "total": total,
        "desc": desc,
        "unit": unit,
        "file": sys.stderr,
        "leave": True,
        "dynamic_ncols": True,
        "mininterval": 0.2,
    }
    if unit == "B":
        options.update(unit_scale=True, unit_divisor=1024)
    try:
        return tqdm(**options)
    except ImportError:  # Jupyter without ipywidgets: tqdm.auto cannot draw its widget
        from tqdm.std import tqdm as text_tqdm

        return text_tqdm(**options)
