"""OECD CRS bulk downloads (pipe- or comma-separated, zipped or not) to a pledge frame.

CRS money columns are in **millions**: ``USD_Commitment`` 1.5 means USD 1,500,000. The frame
holds plain units (multiplied by 1,000,000; the output column names say ``usd``, and
``frame.attrs["units"]`` says it). Only the requested columns are read (``usecols``), in chunks,
so memory while reading is bounded by the chunk size; each chunk is converted to compact
columns before the next one is read. A progress bar is drawn on stderr when it is a terminal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from os import PathLike
from typing import IO, TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from .._base._errors import InputFileError
from .._base._progress import progress_bar
from . import _crs_text
from ._common import (
    ZIP_ERRORS,
    ReadResult,
    RejectedRows,
    Source,
    ZipLimits,
    check_choice,
    damaged_member,
    finish,
    open_source,
    rejected_frame,
    skipped_members,
)
from ._crs_frame import (
    AMOUNTS,
    CRS_COLUMNS,
    DEFAULT_COLUMNS,
    YEARS,
    check_options,
    combined_report,
    no_member_for_parquet,
    pledge_chunks,
    pledge_frame,
    to_pandas,
)
from ._crs_sdmx import read_sdmx
from ._crs_text import MAX_ROW_BYTES, Plan, header, no_csv_filters, open_text, plan
from ._docs import shared_docs
from ._sniff import is_sdmx

if TYPE_CHECKING:
    from ._parquet import ParquetCrs

__all__ = ["CRS_COLUMNS", "DEFAULT_COLUMNS", "MAX_ROW_BYTES", "YEARS", "iter_crs", "read_crs"]


class _Progress:
    """Bytes of the file read, as an :func:`aidcalc._base._progress.progress_bar` (rows after)."""

    def __init__(self, label: str, total: int, progress: bool | None) -> None:
        self.bar = progress_bar(total=max(total, 1), desc=label, unit="B", progress=progress)
        self.done = 0

    def update(self, done: int, rows: int, final: bool = False) -> None:
        done = min(done, int(self.bar.total or done)) if hasattr(self.bar, "total") else done
        if done > self.done:
            self.bar.update(done - self.done)
            self.done = done
        self.bar.set_postfix_str(f"{rows:,} rows", refresh=final)
        if final:
            self.bar.close()

    def close(self) -> None:
        self.bar.close()


def iter_crs(
    path: str | PathLike[str] | IO[bytes],
    *,
    columns: Sequence[str] | None = None,
    chunksize: int = 200_000,
    progress: bool | None = None,
    amount: Literal["commitment", "disbursement"] = "disbursement",
    member: str | None = None,
    max_uncompressed: int | None = None,
    max_ratio: float | None = None,
    filters: Any = None,
    storage_options: Mapping[str, Any] | None = None,
) -> Iterator[pd.DataFrame]:
    """Stream a CRS file as pledge frames of at most ``chunksize`` rows (bounded memory).

    Each chunk is a full pledge frame: the columns and dtypes :func:`read_crs` gives (donor
    and recipient codes, ``year``, ``amount``, ``currency``, ``status``, ``category``, then the
    CRS columns, money in plain units), and its index continues across chunks (a global
    ``RangeIndex``), so ``pd.concat(iter_crs(path))`` equals ``read_crs(path).frame``. Cells
    that could not be taken (an amount that is not a finite number, a year that is not a
    whole year from 1900 to 2100) are left empty and listed in ``chunk.attrs["rejected"]`` (the
    rejected-rows report of that chunk, as :func:`read_crs` reports it; ``row`` is the line in
    the file, counting the header as line 1). Options are checked (and the file's layout and
    archive) before the first chunk is read. Parameters as in :func:`read_crs`.

    To total the whole CRS (100M rows, more than a laptop's memory), give the chunks to
    :func:`aidcalc.aggregate_chunks`: it converts, normalises and categorises each chunk
    (``prepare``), aggregates it and combines the partial sums exactly, holding one chunk at
    a time (see the README section "The whole CRS").

    Examples
    --------
    >>> import tempfile, os
    >>> import aidcalc
    >>> p = os.path.join(tempfile.mkdtemp(), "crs.txt")
    >>> text = ("Year|DonorName|PurposeCode|USD_Disbursement\\n2022|Japan|15250|1.5\\n"
    ...         "2023|Japan|15250|inf\\n2023|France|23630|2\\n")
    >>> _ = open(p, "w").write(text)
    >>> [list(c.columns) for c in iter_crs(p, columns=["Year", "USD_Disbursement"])]
    [['year', 'amount', 'currency', 'status', 'usd_disbursement']]
    >>> chunk = next(iter_crs(p))
    >>> chunk[["donor", "year", "amount", "category"]]
      donor  year     amount  category
    0   JPN  2022  1500000.0  demining
    1   JPN  2023        NaN  demining
    2   FRA  2023  2000000.0    energy
    >>> chunk.attrs["rejected"][["row", "value", "reason"]].to_numpy().tolist()[-1]
    [3, 'inf', 'USD_Disbursement: not a finite number: left empty']

    The streaming recipe: convert -> normalise -> categorise -> aggregate chunk by chunk,
    combined exactly (here into constant 2023 EUR by donor, category and year):

    >>> def prepare(chunk):
    ...     return aidcalc.normalise(chunk, "EUR", 2023, date="year", fx="year",
    ...                              errors="coerce")  # the empty amount stays empty
    >>> totals = aidcalc.aggregate_chunks(
    ...     iter_crs(p, chunksize=2), prepare=prepare,
    ...     by=("donor", "category"), period="year", value="amount_EUR_2023")
    >>> totals[["donor", "category", "period", "rows", "missing"]]
      donor  category period  rows  missing
    0   FRA    energy   2023     1        0
    1   JPN  demining   2022     1        0
    2   JPN  demining   2023     1        1
    """
    columns, limits, parquet = _checked(
        path, columns, chunksize, progress, amount, member, max_uncompressed, max_ratio,
        filters, storage_options,
    )
    if parquet is not None:
        return parquet.chunks()
    # the checks run now, at the call; the reading when the first chunk is asked for
    stack = ExitStack()
    src = stack.enter_context(open_source(path, storage_options=storage_options))
    try:
        no_csv_filters(filters, src.label)
        layout = plan(src, columns, limits, member)
    except BaseException:
        stack.close()
        raise
    chunks = _chunks(stack, src, layout, chunksize, progress, limits, member)
    return pledge_chunks(chunks, src.label, amount, chunksize=chunksize)


def _checked(
    path: str | PathLike[str] | IO[bytes],
    columns: Sequence[str] | None,
    chunksize: int,
    progress: bool | None,
    amount: str,
    member: str | None,
    max_uncompressed: int | None,
    max_ratio: float | None,
    filters: Any,
    storage_options: Mapping[str, Any] | None,
) -> tuple[list[str] | None, ZipLimits, ParquetCrs | None]:
    """The options of :func:`read_crs` / :func:`iter_crs` checked before anything is read:
    (the columns as a list, the archive limits, the Parquet reader when ``path`` is a local
    Parquet file or dataset, else None: the text path)."""
    check_choice("amount", amount, AMOUNTS)
    names, limits = check_options(
        columns, chunksize, progress, member, max_uncompressed, max_ratio
    )
    from ._parquet import ParquetCrs, is_parquet

    if storage_options is None and is_parquet(path):
        no_member_for_parquet(member, path)
        return names, limits, ParquetCrs(path, names, chunksize, amount, filters, limits)
    return names, limits, None


def _chunks(
    stack: ExitStack,
    src: Source,
    layout: Plan,
    chunksize: int,
    progress: bool | None,
    limits: ZipLimits,
    member: str | None,
    *,
    arrow: bool = False,
) -> Iterator[Any]:
    """Converted chunks (pandas, index, ``attrs["rejected"]`` and ``attrs["lines"]``, the
    line of each row, set); with ``arrow`` (and pyarrow installed) ``(pyarrow.Table, rejected
    frame or None, lines)`` instead, so that :func:`read_crs` converts the whole file to
    pandas once rather than block by block."""
    arrow = arrow and _crs_text.has_arrow()
    # blocks of BLOCK_ROWS rows parse on several threads; small chunks are Python work
    # (their pledge frames) that the GIL serialises: one thread (measured: bench_read_crs)
    parallel = _crs_text.has_arrow() and chunksize >= _crs_text.BLOCK_ROWS
    threads = _crs_text.parse_threads() if parallel else 1
    engine = _crs_text.batches(as_arrow=arrow, threads=threads)
    with stack:
        text = stack.enter_context(open_text(src, limits, member))
        label = src.label
        bar = _Progress(src.path.name if src.label == str(src.path) else label, text.size, progress)
        stack.callback(bar.close)
        rows, line = 0, 2  # rows read; the line after them (the header is line 1)
        first = True
        try:
            for chunk, problems, lines in engine(
                text, layout.wanted, layout.canonical, chunksize, label
            ):
                if first:
                    problems = skipped_members(label, text.skipped) + problems
                    first = False
                for problem in problems:
                    problem["source"] = label
                size = len(chunk)
                if arrow:
                    yield chunk, (rejected_frame(problems) if problems else None), lines
                else:
                    chunk.index = pd.RangeIndex(rows, rows + size)
                    # shared, identity-compared: pd.concat of the chunks works (see RejectedRows)
                    chunk.attrs["rejected"] = RejectedRows(rejected_frame(problems))
                    chunk.attrs["lines"] = lines  # taken off by pledge_chunks
                    yield chunk
                rows += size
                line = int(lines[-1]) + 1 if len(lines) else line
                bar.update(text.raw.tell(), rows)
        except InputFileError:
            raise
        except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
            # pyarrow's ArrowInvalid is a ValueError
            raise InputFileError(
                f"{label}: unreadable CRS data after line {line}: {str(exc).splitlines()[0]}",
                path=label,
                line=line,
                reason="unreadable CRS",
            ) from None
        except ZIP_ERRORS as exc:
            if text.member is not None:
                raise damaged_member(label, text.member, exc) from None
            raise InputFileError(
                f"{label}: the file cannot be read ({type(exc).__name__}: {exc})",
                path=label,
                reason="unreadable file",
            ) from None
        bar.update(text.size, rows, final=True)



@shared_docs
def read_crs(
    path: str | PathLike[str] | IO[bytes],
    *,
    columns: Sequence[str] | None = None,
    chunksize: int = 200_000,
    progress: bool | None = None,
    amount: Literal["commitment", "disbursement"] = "disbursement",
    member: str | None = None,
    max_uncompressed: int | None = None,
    max_ratio: float | None = None,
    filters: Any = None,
    storage_options: Mapping[str, Any] | None = None,
    return_rejected: bool = False,
) -> pd.DataFrame | ReadResult:
    """Read an OECD CRS bulk download into a pledge frame (USD in plain units).

    Parameters
    ----------
    path
        The CRS file (a path, an ``http(s)://`` or ``fsspec`` URL, or a file object opened
        in binary mode): ``|``-, tab- or
        comma-separated text, UTF-8 with or without BOM, LF, CRLF or CR line ends, or a zip
        holding it (as downloaded from the OECD). Values may be quoted (``"a | b"``, line
        ends inside allowed): a ``"`` opens a quoted value only at the start of a field and
        only when it closes properly (followed by the separator or a line end), and a quoted
        value never takes in a line that is a whole row by itself. Any other quote is text:
        the row is read with it as written and listed in ``rejected`` (a stray quote), never
        merged with the rows after it (:mod:`aidcalc.io._crs_cut`). An SDMX-CSV export
        of the OECD Data Explorer (``DSD_CRS@DF_CRS``, ``DF_DAC2A``..., with labels or codes
        only) is read too, by its own rules (:mod:`aidcalc.io._crs_sdmx`): ``amount`` is
        ``OBS_VALUE`` x 10**``UNIT_MULT`` (a file without ``UNIT_MULT`` is refused, a row
        whose multiplier cannot be read is left out), ``currency`` is ``UNIT_MEASURE``,
        ``price_base`` says current or constant prices (never normalise constant rows
        again), ``amount=`` chooses the ``FLOW_TYPE`` rows, totals rows are ``kind``
        ``"total_to_date"``; every row not read is in ``rejected`` with its line.
    columns
        CRS columns to read (case-insensitive). Default :data:`DEFAULT_COLUMNS` (everything
        but ``LongDescription``). Only these are parsed.
    chunksize
        At most this many rows are parsed at a time; bounds the memory used for reading
        (blocks are further capped at about 10,000 rows, which parse fastest: measured by
        ``benchmarks/bench_read_crs.py``).
    progress
        Draw a progress bar (:mod:`tqdm.auto`, by bytes read) on stderr: ``None`` (default)
        when stderr is a terminal or in Jupyter; ``True`` / ``False`` force it.
    amount
        Which CRS figure becomes ``amount``: ``"disbursement"`` (``USD_Disbursement``, status
        ``disbursed``) or ``"commitment"`` (``USD_Commitment``, status ``committed``). Both
        stay available as ``usd_disbursement`` / ``usd_commitment``.
    member
        The zip member to read, when the archive holds several data files (otherwise the
        archive is refused, naming them). Other members are listed in ``rejected``.
    %(limits)s
    filters
        Parquet only: which rows to read, pushed down to the files through
        :mod:`pyarrow.dataset` (row groups whose statistics exclude them are not read). A
        dict of CRS column (or alias ``year``, ``donor``, ``recipient``, ``purpose``,
        ``flow``) -> a value, a list/tuple/set/range of values, or a
        ``pyarrow.compute.Expression``; or one expression. See
        :func:`aidcalc.io._parquet.filter_expression`.
    %(storage_options)s
    %(return_rejected)s

    Returns
    -------
    DataFrame or ReadResult
        The frame, or ``(frame, rejected)`` with ``return_rejected=True``. ``frame`` has
        one row per CRS row, in order: ``donor`` (code
        from ``DonorName``; multilateral agencies without a code are left empty),
        ``donor_name``, ``recipient`` (ISO3 from ``RecipientName``), ``year``, ``amount`` and
        ``currency`` (``USD``), ``status``, ``category`` (from ``PurposeCode`` via
        :func:`aidcalc.categorise`), then the CRS columns under lower-case names, money
        multiplied by 1,000,000 (``usd_commitment``, ``usd_disbursement``,
        ``usd_*_defl`` in the CRS base year's constant USD, ``commitment_national``...).
        ``rejected`` lists cells left empty because they are not finite numbers (``inf``,
        ``nan``, ``1e400``, ``n/a``) or not whole years (``2022.7`` is never rounded) and
        commitment dates left empty, with the line and the text as written (``kind``
        ``"money"``: these warn), zip members that were not read (``"left out"`` for a data
        file), and, as ``"note"`` (no warning), kept rows whose amount the file leaves
        empty and donor names without a code. A Parquet file is checked against the limits
        from its footer first. A file with a header and no rows gives an empty frame with
        the same columns.

    Raises
    ------
    InputFileError
        Missing, empty or not-a-file input, not a CRS layout, requested columns absent,
        unreadable data or a line without the header's number of fields (with the line), a
        quoted value that runs on for more than :data:`MAX_ROW_BYTES`, a zip that is damaged,
        encrypted, over the limits or holds several data files.
    %(bad_option)s

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "CRS 2022 data.txt")
    >>> _ = open(p, "w", encoding="utf-8-sig").write(
    ...     "Year|DonorName|RecipientName|PurposeCode|USD_Commitment|USD_Disbursement\\n"
    ...     "2022|Japan|Ukraine|15250|2.5|1.25\\n")
    >>> frame = read_crs(p)
    >>> frame[["donor", "recipient", "year", "amount", "currency", "category"]]
      donor recipient  year     amount currency  category
    0   JPN       UKR  2022  1250000.0      USD  demining
    >>> frame.attrs["units"]
    'USD (CRS millions x 1,000,000)'
    """
    columns, limits, parquet = _checked(
        path, columns, chunksize, progress, amount, member, max_uncompressed, max_ratio,
        filters, storage_options,
    )
    if parquet is not None:
        return finish(parquet.read(), return_rejected, reader="read_crs")
    with open_source(path, storage_options=storage_options) as src:
        no_csv_filters(filters, src.label)
        if is_sdmx(header(src, limits, member)[1]):  # an OECD Data Explorer export
            sdmx = read_sdmx(src, amount, columns, limits, member)
            return finish(sdmx, return_rejected, reader="read_crs")
        layout = plan(src, columns, limits, member)
        # with pyarrow: the blocks' arrow tables, converted to pandas once (not per block)
        parts = list(
            _chunks(ExitStack(), src, layout, chunksize, progress, limits, member, arrow=True)
        )
    frame, cells, lines = _concat(parts)
    out, problems = pledge_frame(frame, src.label, amount, lines=lines)
    return finish(
        ReadResult(out, combined_report(problems, cells)), return_rejected, reader="read_crs"
    )


def _concat(parts: list[Any]) -> tuple[pd.DataFrame, list[pd.DataFrame], np.ndarray]:
    """(the chunks as one frame with a fresh index, the cells reported while parsing, the
    line of each row): arrow tables are concatenated and converted to pandas once."""
    cells: list[pd.DataFrame]
    if parts and isinstance(parts[0], tuple):
        import pyarrow as pa

        cells = [r for _, r, _ in parts if r is not None]
        lines = np.concatenate([n for _, _, n in parts])
        tables = [t for t, _, _ in parts]
        parts.clear()
        frame = to_pandas(pa.concat_tables(tables) if len(tables) > 1 else tables[0])
        del tables
    else:
        cells = [part.attrs.pop("rejected") for part in parts]
        lines = np.concatenate([part.attrs.pop("lines") for part in parts])
        frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        parts.clear()
    frame.index = pd.RangeIndex(len(frame))
    return frame, cells, lines
