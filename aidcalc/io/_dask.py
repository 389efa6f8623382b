"""OECD CRS (CSV text or Parquet) as a lazy dask DataFrame of pledge frames.

Each partition is made by the very conversion :func:`aidcalc.io.read_crs` applies (columns,
money in millions x 1,000,000, codes, categories), so a computed partition is a slice of
``read_crs``'s frame. Parquet: one partition per row group, with ``columns`` and ``filters``
pushed down (row groups the filter excludes are not even scheduled). CSV text: the client
scans the file once for row boundaries (a line end inside a quoted value never splits a row,
unlike byte-range splitting), then each partition reads its byte range. The output schema
(``meta``) is computed from the header / Parquet schema alone, reading no rows.

Tasks name the file by its path, so on a multi-machine cluster the path must be readable by
every worker (a shared file system); nothing else changes. dask is imported only when this
function is called (``pip install "aidcalc[dask]"``).
"""

from __future__ import annotations

import io
import operator
from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from .._base._errors import InputFileError
from ._common import check_choice, check_count, open_source, option_error

__all__ = ["read_crs_dask"]

#: Bytes of CSV text per partition, by default.
BLOCKSIZE = 64 * 2**20


def read_crs_dask(
    path: str | PathLike[str],
    *,
    columns: list[str] | None = None,
    filters: Any = None,
    amount: Literal["commitment", "disbursement"] = "disbursement",
    blocksize: int = BLOCKSIZE,
    max_uncompressed: int | None = None,
    max_ratio: float | None = None,
    return_rejected: bool = False,
) -> Any:
    """Read an OECD CRS file (CSV text or Parquet file / dataset) as a lazy dask DataFrame.

    The partitions hold what :func:`aidcalc.io.read_crs` gives for their rows (same columns,
    dtypes and values; ``pd.concat`` of the computed partitions is ``read_crs``'s frame with
    a fresh index), ready for ``aidcalc.convert`` / ``normalise`` / ``categorise`` /
    ``aggregate``, which accept the dask frame and return one. Nothing is read until
    ``.compute()``; the same code runs on a ``dask.distributed`` cluster.

    Parameters
    ----------
    path
        A CRS file or Parquet dataset directory, by path (every worker opens it: on a
        multi-machine cluster use a path all of them can read). Not a zip: unzip it once,
        or stream it with :func:`aidcalc.io.iter_crs`.
    columns, filters, amount
        As in :func:`aidcalc.io.read_crs` (``filters`` for Parquet only, pushed down).
    blocksize
        Bytes of CSV text per partition (default 64 MiB). Parquet: one partition per row
        group.
    max_uncompressed, max_ratio
        As in :func:`aidcalc.io.read_crs`: each Parquet file's footer is checked against
        them (for the columns to read) before the graph is built.
    return_rejected
        ``False`` (default): the lazy frame alone. ``True``: ``(frame, rejected)``, both
        lazy: ``rejected`` is the rejected-rows report (columns of
        :data:`aidcalc.io._result.REJECTED_COLUMNS`), made by the same tasks that make the
        frame's partitions, so ``dask.compute(frame, rejected)`` reads the data once.

    Returns
    -------
    dask.dataframe.DataFrame, or (dask.dataframe.DataFrame, dask.dataframe.DataFrame)
        Lazy pledge frame. The index numbers the rows within each partition (as dask's own
        readers do); text columns have dask's string dtype (its ``dataframe.convert-string``
        setting), with the same values. Cells that are not finite numbers or whole years are
        left empty as in ``read_crs``. With ``return_rejected=True``, also the lazy report:
        one partition per partition of the frame, ``row`` numbered in the whole file as
        :func:`aidcalc.io.read_crs` numbers it (the line for CSV text, the position among
        the rows read for Parquet); the entries a reader makes for a group of rows (rows
        without an amount, a donor name without a code) are made per partition, as
        :func:`aidcalc.io.iter_crs` makes them per chunk. Computing the report alone reads
        every partition.

    Raises
    ------
    InputFileError, ValidationError
        As :func:`aidcalc.io.read_crs`, at the call; a zip, UTF-16 text or a file object is
        refused with what to do instead.

    Examples
    --------
    >>> import tempfile, os
    >>> import aidcalc
    >>> p = os.path.join(tempfile.mkdtemp(), "crs.txt")
    >>> _ = open(p, "w").write("Year|DonorName|PurposeCode|USD_Disbursement\\n"
    ...                        "2022|Japan|15250|1.5\\n2022|France|23630|2\\n")
    >>> frame = read_crs_dask(p)  # lazy: no row parsed yet
    >>> totals = aidcalc.aggregate(frame, by="donor").compute()
    >>> totals[["donor", "amount", "rows"]].to_numpy().tolist()
    [['FRA', 2000000.0, 1], ['JPN', 1500000.0, 1]]

    The report, computed with the frame (one read):

    >>> _ = open(p, "a").write("2023|Japan|15250|inf\\n")
    >>> import dask
    >>> frame, rejected = read_crs_dask(p, return_rejected=True)
    >>> frame, rejected = dask.compute(frame, rejected)
    >>> rejected[["row", "value", "reason", "kind"]].to_numpy().tolist()[-1]
    [4, 'inf', 'USD_Disbursement: not a finite number: left empty', 'money']
    """
    from .._base._dask import require_dask
    from ._crs_frame import AMOUNTS, check_options
    from ._parquet import is_parquet

    check_choice("amount", amount, AMOUNTS)
    check_count("blocksize", blocksize, minimum=1)
    check_choice("return_rejected", return_rejected, (False, True))
    names, limits = check_options(columns, 1, None, None, max_uncompressed, max_ratio)
    if not isinstance(path, (str, PathLike)) or isinstance(path, bytes):
        raise option_error(
            "path",
            type(path).__name__,
            f"read_crs_dask needs a path every worker can open, not {type(path).__name__}; "
            "save the data to a file first",
            "a path (str or os.PathLike)",
        )
    dask = require_dask()
    if is_parquet(path):
        parts = _parquet(Path(path), names, filters, amount, limits)
    else:
        parts = _csv(path, names, filters, amount, blocksize, limits)
    return parts.frame(dask) if not return_rejected else parts.pair(dask)


class _Parts(NamedTuple):
    """The partitions to make: ``func(item, **kwargs)`` for each item gives a partition's
    ``(pledge frame, report)``; ``meta`` is the frame's schema, ``label`` the tasks' name."""

    func: Callable[..., tuple[pd.DataFrame, pd.DataFrame]]
    items: list[Any]
    kwargs: dict[str, Any]
    meta: pd.DataFrame
    label: str
    shift: bool = True  # whether a part's report numbers rows from the part's start

    def frame(self, dask: Any) -> Any:
        """The lazy frame alone (one task per partition, the report dropped)."""
        if not self.items:
            return dask.dataframe.from_pandas(self.meta, npartitions=1)
        return dask.dataframe.from_map(
            _first, self.items, part=self.func, meta=self.meta, label=self.label,
            enforce_metadata=False, **self.kwargs,
        )

    def pair(self, dask: Any) -> tuple[Any, Any]:
        """(lazy frame, lazy report) from the same tasks: partition ``i`` of the report is
        the report of partition ``i``, its rows moved on by the rows of the partitions before
        it when parts number their own rows (a chain of counts, so that no partition waits
        for another's rows)."""
        from ._common import RejectedRows, rejected_frame
        from ._crs_frame import shift_rows

        empty = pd.DataFrame(RejectedRows(rejected_frame([])))
        delayed = dask.delayed
        if not self.items:  # nothing to read: one empty partition each
            frames, reports = [delayed(self.meta.copy)()], [delayed(empty.copy)()]
        else:
            pairs = [delayed(self.func)(item, **self.kwargs) for item in self.items]
            frames = [pair[0] for pair in pairs]
            reports = []
            offset: Any = 0
            for pair, part in zip(pairs, frames, strict=True):
                if not self.shift:
                    reports.append(pair[1])
                    continue
                reports.append(delayed(shift_rows)(pair[1], offset))
                offset = delayed(operator.add)(offset, delayed(len)(part))
        frame = dask.dataframe.from_delayed(frames, meta=self.meta, verify_meta=False)
        # the report's columns hold mixed values (row: a number or "lines [...]"), not text
        # for dask to convert to its string dtype
        with dask.config.set({"dataframe.convert-string": False}):
            report = dask.dataframe.from_delayed(
                reports, meta=empty, verify_meta=False
            )
        return frame, report


def _first(item: Any, part: Callable[..., tuple[Any, Any]], **kwargs: Any) -> pd.DataFrame:
    """The frame of a partition (its report not kept)."""
    return part(item, **kwargs)[0]


def _parquet(
    path: Path, names: list[str] | None, filters: Any, amount: str, limits: Any
) -> _Parts:
    from ._parquet import fragment_pair, fragments, plan

    layout = plan(path, str(path), names, filters, limits)
    items = (layout.wanted, layout.canonical, layout.expression, layout.label)
    meta = _parquet_meta(layout, amount)
    return _Parts(fragment_pair, fragments(layout), {"plan_items": items, "amount": amount},
                  meta, "aidcalc-read-crs-parquet")


def _parquet_meta(plan: Any, amount: str) -> pd.DataFrame:
    from ._crs_frame import pledge_frame
    from ._parquet import convert, empty_table

    frame, _ = convert(empty_table(plan), plan.wanted, plan.canonical)
    out, _ = pledge_frame(frame, plan.label, amount, first_line=0, unit="rows")
    return out


def _csv(
    path: Any, names: list[str] | None, filters: Any, amount: str, blocksize: int, limits: Any
) -> _Parts:
    from ._crs_text import no_csv_filters, open_text, plan

    with open_source(path) as src:
        no_csv_filters(filters, src.label)
        layout = plan(src, names, limits, None)
        with src.path.open("rb") as raw:
            magic = raw.read(4)
        if magic.startswith((b"PK\x03\x04", b"\xff\xfe", b"\xfe\xff")):
            what = "a zip archive" if magic.startswith(b"PK") else "UTF-16 text"
            raise InputFileError(
                f"{src.label}: {what} cannot be split into dask partitions; unzip it / save it "
                "as UTF-8 (or Parquet) once, or stream it with aidcalc.io.iter_crs",
                path=src.label,
                reason="not splittable",
            )
        with open_text(src, limits, None) as text:
            ranges = _ranges(text, src.label, blocksize)
            where = (str(src.path), text.sep, text.fields, text.eol, layout.wanted,
                     layout.canonical, src.label, amount)
    meta = _csv_part((_start(where), 0, 2), where)[0]
    # each range numbers its lines from the file's start: its report is not moved on
    return _Parts(_csv_part, ranges, {"layout": where}, meta, "aidcalc-read-crs-csv", False)


def _start(layout: tuple[Any, ...]) -> int:
    from ._crs_text import read_header

    with open(layout[0], "rb") as raw:
        header, _, _ = read_header(raw, layout[6])
    return len(header)


def _ranges(text: Any, label: str, blocksize: int) -> list[tuple[int, int, int]]:
    """(start, length, first line) byte ranges of whole rows, about ``blocksize`` bytes
    each."""
    from ._crs_text import BLOCK_ROWS, blocks, read_header

    with open(text.raw.name, "rb") as raw:
        header, _, _ = read_header(raw, label)
    at = len(header)
    out: list[tuple[int, int, int]] = []
    start, size, line = at, 0, 2
    rows = max(1, min(BLOCK_ROWS, blocksize // 400))  # pieces of about blocksize bytes
    for block in blocks(text, rows, label):
        size += block.size
        at += block.size
        if size >= blocksize:
            out.append((start, size, line))
            start, size, line = at, 0, block.line + block.lines
    if size:
        out.append((start, size, line))
    return out


def _csv_part(
    where: tuple[int, int, int], layout: tuple[Any, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One byte range of a CRS text (from its first line on) as (pledge frame, its
    rejected-rows report) by read_crs's parsing and conversion; the report's rows are the
    lines in the file."""
    from ._common import rejected_frame
    from ._crs_frame import combined_report, pledge_frame
    from ._crs_text import Text, batches

    path, sep, fields, eol, wanted, canonical, label, amount = layout
    start, length, first = where
    with open(path, "rb") as raw:
        raw.seek(start)
        data = raw.read(length)
    text = Text(io.BytesIO(b""), io.BytesIO(b""), length, sep, fields, eol, data, None, [])
    parts, cells, lines = [], [], []
    for chunk, problems, at in batches()(text, wanted, canonical, 1 << 30, label):
        for problem in problems:  # lines counted from the range's start (line 2) -> the file's
            problem["source"] = label
            problem["row"] += first - 2
        parts.append(chunk)
        cells += problems
        lines.append(at + (first - 2))
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    out, problems = pledge_frame(frame, label, amount, lines=np.concatenate(lines))
    return out, combined_report(problems, [rejected_frame(cells)])
