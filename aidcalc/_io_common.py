"""What every importer shares: the result type, the rejected-rows report, path checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from ._errors import InputFileError

__all__ = ["REJECTED_COLUMNS", "ReadResult", "check_path", "rejected_frame"]

#: Columns of the rejected-rows report every importer returns.
REJECTED_COLUMNS = ("source", "row", "column", "value", "reason", "kept")


class ReadResult(NamedTuple):
    """What an importer returns: the pledge frame and the report of what it did not take.

    Unpack it (``frame, rejected = aidcalc.io.read_iati(path)``) or use the attributes.
    ``len(frame)`` plus the rejected *rows* accounts for every input row.

    Attributes
    ----------
    frame
        The pledge frame (one row per input row, transaction or sector share).
    rejected
        One row per input row (or file part) not in ``frame`` or read with a problem:
        ``source`` (file), ``row`` (input row number or ``line N``), ``column`` (field),
        ``value`` (as found), ``reason`` (what is wrong and what was done), ``kept``
        (``True`` when the row is in ``frame`` all the same, e.g. with an empty date;
        ``False`` when it was left out).

    Examples
    --------
    >>> r = ReadResult(pd.DataFrame({"amount": [1.0]}), rejected_frame([]))
    >>> frame, rejected = r
    >>> len(frame), list(rejected.columns)
    (1, ['source', 'row', 'column', 'value', 'reason', 'kept'])
    """

    frame: pd.DataFrame
    rejected: pd.DataFrame


def rejected_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build the rejected-rows report from dicts (missing keys become NA).

    Examples
    --------
    >>> rejected_frame([{"source": "a.csv", "row": 3, "reason": "no amount", "kept": False}])
      source  row column value     reason   kept
    0  a.csv    3    NaN   NaN  no amount  False
    """
    frame = pd.DataFrame(list(records), columns=list(REJECTED_COLUMNS))
    return frame.astype(object)


def check_path(path: str | Path) -> Path:
    """Return ``path`` as a Path if it is a readable file, else raise InputFileError.

    Examples
    --------
    >>> check_path("/no/such/file.csv")
    Traceback (most recent call last):
    ...
    aidcalc.InputFileError: /no/such/file.csv: no such file
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{p}: no such file", path=str(p), reason="missing file")
    if p.is_dir():
        raise InputFileError(
            f"{p}: is a folder, expected a file", path=str(p), reason="is a folder"
        )
    return p


def donor_codes_or_na(names: pd.Series) -> pd.Series:
    """Donor names to codes through :func:`aidcalc._donors.donor_codes`; unknown -> NA."""
    from ._donors import donor_codes

    out = donor_codes(names, errors="coerce")
    if isinstance(out, pd.DataFrame):  # tolerate a frame-shaped answer
        out = out.iloc[:, 0]
    return pd.Series(out, index=names.index, dtype=object)
