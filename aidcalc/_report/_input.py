"""The report's input: the embedded dataset, a frame or a file, read and checked once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._base._errors import InputFileError, join_values
from .._base._labels import Labels
from .._pledges._groups import apply_merges
from ._options import DATASET, ReportError, default_stage, measure_source

__all__ = [
    "Source", "check_schema", "read_input", "read_source", "with_years_as_dates",
]


@dataclass
class Source:
    """The input rows and how the report names them, with the notes reading them gave."""

    frame: pd.DataFrame
    """The rows, EIB merged into the EU institutions for the Kiel tracker."""
    source: str | None
    """The data source the footnotes name."""
    input_name: str
    """The input in the page's language."""
    cli_name: str
    """The input in the command line's (English) messages."""
    stage: str
    """The stage the totals count (``stage=None`` resolved by :func:`default_stage`)."""
    cumulative: bool
    """True when the stages are steps of one pledge (False: measures of the same money)."""
    rejected: pd.DataFrame | None = None
    """Rows the reader rejected (with their ``reason``), if any."""
    notes: list[str] = field(default_factory=list)
    """The method notes of this step, in the page's language."""
    embedded: bool = False
    """True for the embedded dataset (the page then shows its coverage)."""


def read_source(
    data: pd.DataFrame | str | Path | None, *, source: str | None, stage: str | None,
    label: Labels, read_options: Mapping[str, Any] | None = None,
) -> Source:
    """Read ``data`` (None: the embedded dataset), check its columns and resolve the stage.

    ``read_options`` go to :func:`aidcalc.io.read_any` (a file only)."""
    read = _open(data, source, label, dict(read_options or {}))
    if "announced" not in read.frame.columns and "year" in read.frame.columns:
        # annual data (the OECD CRS, an SDMX export): each row dated by its year
        read.frame = with_years_as_dates(read.frame)
        read.notes.append(label("note_years_only", input=read.input_name))
    frame = read.frame
    check_schema(frame, read.cli_name)
    read.stage = default_stage(frame) if stage is None else str(stage).strip().lower()
    read.cumulative = measure_source(frame) is None  # Kiel: each measure on its own
    read.notes.append(label("note_input", input=read.input_name, n=len(frame)))
    if measure_source(frame) == "kiel" and frame["donor"].eq("EIB").any():
        # Kiel's country summary counts the EIB under the EU institutions (datasets/donor_merges)
        read.frame = frame.assign(donor=apply_merges(frame["donor"], "kiel"))
        read.notes.append(label("note_merge_kiel"))
    return read


def _open(
    data: pd.DataFrame | str | Path | None, source: str | None, label: Labels,
    read_options: dict[str, Any],
) -> Source:
    if read_options and (data is None or isinstance(data, pd.DataFrame)):
        raise ReportError(
            f"read_options {join_values(sorted(read_options))} are for reading a file; "
            f"the input is {'the embedded dataset' if data is None else 'a table'}: pass a "
            "file (the CLI's INPUT) or leave them out",
            option="read_options",
        )
    if data is None:
        from .._base._datasets import dataset_info, load_dataset

        info = dataset_info(DATASET)
        lang = str(label.locale.language)
        title = label(f"dataset_{DATASET}") if lang != "en" else info.title
        return Source(
            load_dataset(DATASET), source or label("source_vintage", title=title,
                                                   vintage=info.vintage),
            label("input_embedded", name=DATASET), DATASET, "all", True, embedded=True,
        )
    if isinstance(data, pd.DataFrame):
        return Source(data, source, label("input_frame"), "the table", "all", True)
    frame, rejected = read_input(data, **read_options)
    read = Source(frame, source or Path(data).name, str(data), str(data), "all", True,
                  rejected=rejected)
    if rejected is not None:
        read.notes.append(label("note_rejected_read", input=read.input_name, n=len(rejected)))
    return read


def read_input(
    path: str | Path, **options: Any
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """A file through :func:`aidcalc.io.read_any` (with its ``options``, e.g. ``member=``):
    the rows and the rejected rows (or None)."""
    if not str(path).strip():  # Path("") is the current folder
        raise InputFileError("the input file name is empty: name a file, e.g. pledges.csv",
                             path=str(path), reason="empty path")
    source = Path(path)
    if not source.exists():
        raise InputFileError(f"{source}: no such file", path=str(source), reason="missing")
    if source.is_dir():
        raise InputFileError(f"{source} is a folder, not a file", path=str(source))
    from ..io import read_any

    result = read_any(source, return_rejected=True, **options)
    frame = getattr(result, "frame", result)
    rejected = getattr(result, "rejected", None)
    if not isinstance(frame, pd.DataFrame):  # pragma: no cover - depends on aidcalc.io
        raise InputFileError(f"{source}: could not be read as a table", path=str(source))
    if not isinstance(rejected, pd.DataFrame):
        return frame, None
    from ..io._result import left_out_entries

    # only rows not in the frame are money the report leaves out (a kept row with changed
    # money is accounted where it fails to convert; a note changes no money)
    left_out = left_out_entries(rejected)
    return frame, left_out if len(left_out) else None


def with_years_as_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """``announced`` from ``year`` (``"2022"``: a date of year precision, which the annual
    exchange-rate policies read and the timeline leaves out with its reason).

    Examples
    --------
    >>> with_years_as_dates(pd.DataFrame({"year": [2022, None]}))["announced"].tolist()
    ['2022', <NA>]
    """
    years = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
    return frame.assign(announced=years.astype("string"))


#: the columns the report needs, and how a file gets each one
_NEEDED = {
    "donor": "the donor's name or ISO code in each row (e.g. Japan, JPN)",
    "amount": "the amount (a number, or amount_text such as '¥15.8 billion')",
    "currency": "the ISO currency code of each amount (or amount_text with a symbol)",
    "announced": "the announcement date (YYYY-MM-DD) of each row",
    "category": "one of energy, demining, reconstruction, humanitarian, budget_support, "
    "military, other per row",
    "status": "one of pledged, committed, allocated, disbursed per row",
}


def check_schema(frame: pd.DataFrame, input_name: str) -> None:
    """Every column the charts need is there, checked before anything is converted or written.

    The message is for the command line: which column is missing, what it holds, how to add it.
    """
    missing = [c for c in _NEEDED if c not in frame.columns]
    if not missing:
        return
    fixes = "; ".join(f"{c}: {_NEEDED[c]}" for c in missing)
    first = missing[0]
    raise ReportError(
        f"{input_name} has no {first} column"
        + (f" (nor {join_values(missing[1:])})" if len(missing) > 1 else "")
        + f"; it has {join_values(list(map(str, frame.columns))[:20])}. The report needs "
        f"{', '.join(_NEEDED)}: add {'them' if len(missing) > 1 else 'it'} to the file "
        f"({fixes}), or rename your column to {first!r}",
        columns=missing,
        input=input_name,
    )


#: the labels of the report in one locale (the one message catalogue, ``aidcalc/_base/labels.csv``)
Label = Labels
