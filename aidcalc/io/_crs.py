"""OECD CRS bulk downloads (pipe- or comma-separated, zipped or not) to a pledge frame.

CRS money columns are in **millions**: ``USD_Commitment`` 1.5 means USD 1,500,000. The frame
holds plain units (multiplied by 1,000,000; the output column names say ``usd``, and
``frame.attrs["units"]`` says it). Only the requested columns are read (``usecols``), in chunks,
so memory while reading is bounded by the chunk size; each chunk is converted to compact
columns before the next one is read. A progress bar is drawn on stderr when it is a terminal.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from os import PathLike
from typing import IO, Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from .._base._dates import WINDOW_TEXT, YEAR_MAX, YEAR_MIN
from .._base._errors import InputFileError, ValidationError
from .._base._progress import progress_bar
from ._common import (
    ZIP_ERRORS,
    Prepended,
    ReadResult,
    RejectedRows,
    Source,
    ZipLimits,
    check_choice,
    check_count,
    check_member,
    damaged_member,
    data_member,
    donor_codes_or_na,
    finish,
    in_window,
    open_member,
    open_source,
    open_zip,
    rejected_frame,
    skipped_members,
    utf8_stream,
)
from ._sniff import header_fields, sniff

__all__ = ["CRS_COLUMNS", "DEFAULT_COLUMNS", "MAX_ROW_BYTES", "YEARS", "iter_crs", "read_crs"]

#: CRS column -> output column; money columns (in millions in CRS) get plain units.
CRS_COLUMNS: dict[str, str] = {
    "Year": "year",
    "DonorCode": "crs_donor_code",
    "DonorName": "donor_name",
    "AgencyName": "agency_name",
    "RecipientCode": "crs_recipient_code",
    "RecipientName": "recipient_name",
    "PurposeCode": "purpose_code",
    "PurposeName": "purpose_name",
    "FlowName": "flow",
    "USD_Commitment": "usd_commitment",
    "USD_Disbursement": "usd_disbursement",
    "USD_Commitment_Defl": "usd_commitment_defl",
    "USD_Disbursement_Defl": "usd_disbursement_defl",
    "CurrencyCode": "crs_currency_code",
    "Commitment_National": "commitment_national",
    "Disbursement_National": "disbursement_national",
    "ProjectTitle": "title",
    "CommitmentDate": "commitment_date",
    "ShortDescription": "short_description",
    "LongDescription": "description",
}
#: Columns read when ``columns`` is not given (``LongDescription`` only on request: it is
#: most of a CRS file's bytes).
DEFAULT_COLUMNS: tuple[str, ...] = (
    "Year",
    "DonorCode",
    "DonorName",
    "RecipientCode",
    "RecipientName",
    "PurposeCode",
    "PurposeName",
    "FlowName",
    "USD_Commitment",
    "USD_Disbursement",
    "USD_Commitment_Defl",
    "USD_Disbursement_Defl",
    "CurrencyCode",
    "Commitment_National",
    "Disbursement_National",
    "ProjectTitle",
    "CommitmentDate",
)
_BLOCK_ROWS = 10_000
#: Longest row (or quoted value) read before the file is refused: a quote that never closes
#: would otherwise swallow the rest of the file.
MAX_ROW_BYTES = 8 * 2**20
#: Largest block parsed at a time (the estimate from the first rows can be far off).
_MAX_BLOCK = 32 * 2**20
#: Years taken from the ``Year`` column: whole years in aidcalc's date window (never
#: rounded; :data:`aidcalc._base._dates.YEAR_MIN` .. :data:`~aidcalc._base._dates.YEAR_MAX`).
YEARS = (YEAR_MIN, YEAR_MAX)
_MILLIONS = (
    "USD_Commitment",
    "USD_Disbursement",
    "USD_Commitment_Defl",
    "USD_Disbursement_Defl",
    "Commitment_National",
    "Disbursement_National",
)
_TEXT = (
    "DonorName",
    "AgencyName",
    "RecipientName",
    "PurposeName",
    "FlowName",
    "ProjectTitle",
    "ShortDescription",
    "LongDescription",
)


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


class _Text(NamedTuple):
    """The CRS text to parse: the stream (after the header line) and what is known of it."""

    stream: IO[bytes]
    raw: IO[bytes]  # the file on disk, for progress
    size: int
    sep: str
    fields: list[str]
    eol: bytes  # b"\n" (LF or CRLF files) or b"\r" (old Mac files)
    head: bytes  # bytes already read after the header line
    member: str | None  # the zip member read, if zipped
    skipped: list[str]  # zip members not read


def _read_header(stream: IO[bytes], label: str) -> tuple[bytes, bytes, bytes]:
    """(header line, line end, bytes read after the header) of a CRS text."""
    data = b""
    while True:
        more = stream.read(1 << 16)
        data += more
        lf, cr = data.find(b"\n"), data.find(b"\r")
        ends = [i for i in (lf, cr) if i >= 0]
        if ends and (lf >= 0 or len(data) > cr + 1 or not more):
            break
        if not more:
            break
        if len(data) > MAX_ROW_BYTES:
            raise InputFileError(
                f"{label}: no line end in the first {MAX_ROW_BYTES:,} bytes: not a CRS text",
                path=label,
                line=1,
                reason="no line end",
            )
    if lf >= 0 and (cr < 0 or cr >= lf - 1):
        eol, cut = b"\n", lf + 1
    elif cr >= 0:
        eol, cut = b"\r", cr + 1
    else:  # the header is the whole file
        eol, cut = b"\n", len(data)
    return data[:cut], eol, data[cut:]


@contextmanager
def _open_text(src: Source, limits: ZipLimits, member: str | None) -> Iterator[_Text]:
    """The CRS text of a file or of the one data member of a zip (checked before reading)."""
    with ExitStack() as stack:
        raw = stack.enter_context(src.path.open("rb"))
        size = src.path.stat().st_size
        stream: IO[bytes] = raw
        chosen: str | None = None
        skipped: list[str] = []
        if raw.read(4) == b"PK\x03\x04":
            zf = stack.enter_context(open_zip(src.path, src.label, limits))
            chosen, skipped = data_member(zf, src.label, member)
            stream = stack.enter_context(open_member(zf, chosen, src.label))
        else:
            raw.seek(0)
            if member is not None:
                raise ValidationError(
                    f"member={member!r} is only for zip archives; {src.label} is not one",
                    option="member",
                    value=member,
                    accepted="None for a file that is not a zip",
                    problems=pd.DataFrame(),
                )
        label = src.label if chosen is None else f"{src.label} (member {chosen!r})"
        stream = utf8_stream(stream)  # UTF-16 text (Excel's "Unicode Text") as UTF-8
        header, eol, head = _read_header(stream, label)
        sep, fields = header_fields(header)
        yield _Text(stream, raw, size, sep, fields, eol, head, chosen, skipped)


def _header(src: Source, limits: ZipLimits, member: str | None) -> tuple[str, list[str]]:
    with _open_text(src, limits, member) as text:
        return text.sep, text.fields


def _check_options(
    columns: Sequence[str] | None,
    chunksize: Any,
    progress: Any,
    member: Any,
    max_uncompressed: Any,
    max_ratio: Any,
) -> tuple[list[str] | None, ZipLimits]:
    """(the columns as a list, the archive limits), or ValidationError naming the option."""
    names = (
        list(columns)
        if isinstance(columns, Iterable) and not isinstance(columns, (str, bytes))
        else None
    )
    if columns is not None and (not names or not all(isinstance(c, str) for c in names)):
        raise ValidationError(
            f"columns={columns!r} is not accepted; use a list of CRS column names "
            "such as ['Year', 'DonorName', 'USD_Disbursement'], or None for the defaults",
            option="columns",
            value=columns,
            accepted="a non-empty list of column names, or None",
            problems=pd.DataFrame(),
        )
    check_count("chunksize", chunksize, minimum=1)
    check_choice("progress", progress, (None, True, False))
    check_member(member)
    return names, ZipLimits(max_uncompressed, max_ratio).checked()


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
    check_choice("amount", amount, ("commitment", "disbursement"))
    columns, limits = _check_options(
        columns, chunksize, progress, member, max_uncompressed, max_ratio
    )
    from ._parquet import is_parquet, parquet_chunks

    if storage_options is None and is_parquet(path):
        _no_member(member, path)
        return parquet_chunks(
            path, columns=columns, chunksize=chunksize, amount=amount, filters=filters
        )
    # the checks run now, at the call; the reading when the first chunk is asked for
    stack = ExitStack()
    src = stack.enter_context(open_source(path, storage_options=storage_options))
    try:
        _no_csv_filters(filters, src.label)
        plan = _plan(src, columns, limits, member)
    except BaseException:
        stack.close()
        raise
    chunks = _chunks(stack, src, plan, chunksize, progress, limits, member)
    return _pledge_chunks(chunks, src.label, amount, chunksize=chunksize)


def _no_member(member: str | None, path: Any) -> None:
    if member is not None:
        raise ValidationError(
            f"member={member!r} is only for zip archives; {getattr(path, 'name', path)} is "
            "Parquet",
            option="member",
            value=member,
            accepted="None for Parquet",
            problems=pd.DataFrame(),
        )


def _no_csv_filters(filters: Any, label: str) -> None:
    if filters is not None:
        raise ValidationError(
            f"filters= is for Parquet CRS files and datasets (pushed down through "
            f"pyarrow.dataset); {label} is CSV text: read it with filters=None and select "
            "rows from the frame, or convert it to Parquet once",
            option="filters",
            value=filters,
            accepted="None for a CSV file",
            problems=pd.DataFrame(),
        )


class _Plan(NamedTuple):
    wanted: list[str]
    canonical: dict[str, str]


def _plan(
    src: Source, columns: Sequence[str] | None, limits: ZipLimits, member: str | None
) -> _Plan:
    kind = sniff(src.path, limits=limits, member=member, label=src.label)
    if kind != "crs":
        raise InputFileError(
            f"{src.label}: not an OECD CRS file (its header has fewer than 3 CRS columns such "
            f"as Year, DonorName, PurposeCode, USD_Disbursement; detected: {kind})",
            path=src.label,
            reason="wrong layout",
        )
    _, fields = _header(src, limits, member)
    lookup = {f.lower(): f for f in fields}
    if columns is None:
        wanted = [lookup[c.lower()] for c in DEFAULT_COLUMNS if c.lower() in lookup]
    else:
        missing = [c for c in columns if c.lower() not in lookup]
        if missing:
            raise InputFileError(
                f"{src.label}: CRS columns {missing} are not in the file; it has {fields}",
                path=src.label,
                reason="missing columns",
            )
        wanted = list(dict.fromkeys(lookup[c.lower()] for c in columns))
    canonical = {f: next((k for k in CRS_COLUMNS if k.lower() == f.lower()), f) for f in wanted}
    return _Plan(wanted, canonical)


def _chunks(
    stack: ExitStack,
    src: Source,
    plan: _Plan,
    chunksize: int,
    progress: bool | None,
    limits: ZipLimits,
    member: str | None,
    *,
    arrow: bool = False,
) -> Iterator[Any]:
    """Converted chunks (pandas, index and ``attrs["rejected"]`` set); with ``arrow`` (and
    pyarrow installed) ``(pyarrow.Table, rejected frame or None)`` pairs instead, so that
    :func:`read_crs` converts the whole file to pandas once rather than block by block."""
    arrow = arrow and _has_arrow()
    engine: Any = (
        functools.partial(_arrow_batches, as_arrow=arrow) if _has_arrow() else _pandas_batches
    )
    with stack:
        text = stack.enter_context(_open_text(src, limits, member))
        label = src.label
        bar = _Progress(src.path.name if src.label == str(src.path) else label, text.size, progress)
        stack.callback(bar.close)
        rows = 0
        first = True
        try:
            for chunk, problems in engine(text, plan.wanted, plan.canonical, chunksize, label):
                if first:
                    problems = skipped_members(label, text.skipped) + problems
                    first = False
                for problem in problems:
                    problem["source"] = label
                    if isinstance(problem["row"], int):
                        problem["row"] += rows + 2  # position in chunk -> line in the file
                size = len(chunk)
                if arrow:
                    yield chunk, (rejected_frame(problems) if problems else None)
                else:
                    chunk.index = pd.RangeIndex(rows, rows + size)
                    # shared, identity-compared: pd.concat of the chunks works (see RejectedRows)
                    chunk.attrs["rejected"] = RejectedRows(rejected_frame(problems))
                    yield chunk
                rows += size
                bar.update(text.raw.tell(), rows)
        except InputFileError:
            raise
        except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
            # pyarrow's ArrowInvalid is a ValueError
            line = rows + 2
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


def _has_arrow() -> bool:
    try:
        import pyarrow.csv  # noqa: F401
    except ImportError:  # pragma: no cover - optional dependency
        return False
    return True


class _Rows(NamedTuple):
    """Regular expressions that follow CSV quoting (a ``"`` opens a quoted value only at the
    start of a field; ``""`` inside is a quote). Possessive: linear time whatever the quotes."""

    opening: re.Pattern[bytes]  # a quote at the start of a field
    rows: re.Pattern[bytes]  # complete rows (each up to its line end)
    row: re.Pattern[bytes]  # the fields of one row, up to where they stop being complete


@functools.cache
def _patterns(sep: str, eol: bytes) -> _Rows:
    s = re.escape(sep.encode())
    e = re.escape(eol)
    start = rb"(?<![^" + s + rb"\r\n])"
    fields = (
        rb'(?:[^"'
        + e
        + rb"]++"  # text
        + rb"|"
        + start
        + rb'"(?:[^"]++|"")*+"'  # a quoted value (line ends allowed)
        + rb"|(?<=[^"
        + s
        + rb'\r\n])")*+'  # a quote inside a field: text
    )
    return _Rows(
        re.compile(start + rb'"'), re.compile(rb"(?:" + fields + e + rb")*+"), re.compile(fields)
    )


def _cut(data: bytes, eol: bytes, sep: str) -> tuple[int, int, bool]:
    """(end of the last complete row of ``data``, start of a quoted value still open at the
    end or -1, whether ``data`` has quoted values). A line end inside a quoted value does not
    end a row."""
    rows = _patterns(sep, eol)
    if b'"' not in data or not rows.opening.search(data):
        return data.rfind(eol) + 1, -1, False
    whole = rows.rows.match(data)  # both patterns match the empty string: never None
    cut = whole.end() if whole else 0
    part = rows.row.match(data, cut)
    stop = part.end() if part else cut
    open_at = stop if stop < len(data) and data[stop] == 0x22 else -1
    return cut, open_at, True


def _runaway(label: str, line: int, open_at: int, at_end: bool) -> InputFileError:
    if open_at >= 0:
        detail = (
            "never closes"
            if at_end
            else f"runs on for more than {MAX_ROW_BYTES:,} bytes (aidcalc.io._crs.MAX_ROW_BYTES)"
        )
        return InputFileError(
            f"{label}: line {line}: a quoted field opens here and {detail}: a stray '\"'? "
            'Remove or double it ("") and read the file again',
            path=label,
            line=line,
            reason="unclosed quote",
        )
    return InputFileError(
        f"{label}: line {line} is longer than {MAX_ROW_BYTES:,} bytes "
        "(aidcalc.io._crs.MAX_ROW_BYTES): not CRS rows",
        path=label,
        line=line,
        reason="line too long",
    )


def _blocks(text: _Text, chunksize: int, label: str) -> Iterator[tuple[memoryview, bool]]:
    """The text after the header as blocks of whole rows (never cut inside a quoted value),
    each with whether it has quotes. Linear time: every byte is scanned a bounded number of
    times (a row that does not fit doubles the block instead of re-reading it)."""
    stream, eol = text.stream, text.eol
    first = text.head + stream.read(max(0, (1 << 16) - len(text.head)))
    lines = first.count(eol)
    per_row = len(first) / lines if lines else 400
    # blocks of at most 10,000 rows parse fastest (measured: benchmarks/bench_read_crs.py);
    # a smaller chunksize gives smaller blocks
    rows = min(chunksize, _BLOCK_ROWS)
    block = int(min(max(per_row * rows, 1 << 12), _MAX_BLOCK))
    line = 2  # the line the next block starts on (the header is line 1)
    rest = first
    size = block
    while True:
        data = stream.read(size)
        at_end = not data
        data = rest + data if rest else data
        if not data:
            return
        cut, open_at, quoted = _cut(data, eol, text.sep)
        if at_end:
            if open_at >= 0:
                raise _runaway(label, line + data.count(eol, 0, open_at), open_at, True)
            if data.strip():
                yield memoryview(data), quoted
            return
        if not cut:
            if len(data) > MAX_ROW_BYTES:
                start = open_at if open_at >= 0 else 0
                raise _runaway(label, line + data.count(eol, 0, start), open_at, False)
            rest = data
            size = max(size, len(data))  # double the block: linear time on long rows
            continue
        size = block
        rest = data[cut:]
        line += data.count(eol, 0, cut)
        yield memoryview(data)[:cut], quoted  # no copy of the block
        del data


def _acceptable(values: np.ndarray, is_year: bool) -> np.ndarray:
    """Which numbers can be taken: finite money that stays finite in units (x 1e6); whole
    years in the date window (:data:`YEARS`; never rounded)."""
    with np.errstate(over="ignore", invalid="ignore"):
        if is_year:
            ok = np.isfinite(values) & (values == np.floor(values))
            return ok & (values >= YEARS[0]) & (values <= YEARS[1])
        return np.isfinite(values) & np.isfinite(values * 1e6)


def _number_problems(
    texts: pd.Series, column: str, is_year: bool
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """(numbers, problems) of a column read as text: a cell with text that is not a number
    (``n/a``), not finite (``inf``, ``nan``, ``1e400``) or not a whole year (``2022.7``) is
    left empty (NaN) and reported with the text as written; ``row`` is its position."""
    text = texts.astype(object).where(texts.notna(), "").to_numpy(dtype=object)
    values = pd.to_numeric(pd.Series(text), errors="coerce").to_numpy(dtype=float)
    present = text != ""
    bad = present & ~_acceptable(values, is_year)
    values = np.where(bad | ~present, np.nan, values)
    if not bad.any():
        return values, []
    why = (
        f"{column}: not a whole year from {YEARS[0]} to {YEARS[1]}: left empty"
        if is_year
        else f"{column}: not a finite number: left empty"
    )
    where = np.flatnonzero(bad)
    problems = [
        {"row": int(r), "column": column, "value": v, "reason": why, "kept": True}
        for r, v in zip(where.tolist(), text[where].tolist(), strict=True)
    ]
    return values, problems


def _arrow_batches(
    text: _Text,
    wanted: list[str],
    canonical: dict[str, str],
    chunksize: int,
    label: str,
    *,
    as_arrow: bool = False,
) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """Chunks parsed by pyarrow (multi-threaded), memory bounded by the chunk.

    The text is cut into blocks of whole rows (:func:`_blocks`) and each block is parsed on
    its own, so nothing but the current block and its converted chunk is alive at a time.
    (pyarrow's own streaming reader keeps more and more memory as the file grows, so it is
    not used.) Numbers are parsed by pyarrow; a block with a cell that is not a finite number
    is parsed again as text, so the report shows the cell as written.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    names = text.fields
    numbers = [f for f in wanted if canonical[f] in _MILLIONS or canonical[f] == "Year"]

    def options(quoted: bool, typed: bool) -> dict[str, Any]:
        types = {f: pa.string() for f in wanted}
        if typed:
            types.update({f: pa.float64() for f in numbers})
        return {
            "read_options": pcsv.ReadOptions(column_names=names),
            # newlines inside quoted values force a serial parse: only allow them when needed
            "parse_options": pcsv.ParseOptions(delimiter=text.sep, newlines_in_values=quoted),
            "convert_options": pcsv.ConvertOptions(
                include_columns=wanted,
                column_types=types,
                strings_can_be_null=True,
                null_values=[""],
            ),
        }

    def finish(table: Any, floats: dict[str, np.ndarray]) -> Any:
        """The output columns, computed in arrow (millions x 1e6, trimmed text, int years);
        a pandas frame, or the arrow table with ``as_arrow``."""
        columns = {}
        for name in wanted:
            c = canonical[name]
            if name in floats:
                values = floats[name]
                if c == "Year":
                    col = pa.array(values, mask=np.isnan(values)).cast(pa.int64())
                else:
                    col = pa.array(values * 1e6, pa.float64())
            else:
                col = table.column(name)
                if c in _TEXT:
                    col = pc.utf8_trim_whitespace(col)
            columns[CRS_COLUMNS.get(c, c)] = col
        out = pa.table(columns)
        return out if as_arrow else _to_pandas(out)

    def typed_floats(table: Any) -> dict[str, np.ndarray] | None:
        """The number columns as floats, or None when a cell has to be reported."""
        out = {}
        for name in numbers:
            column = table.column(name)
            values = column.to_numpy().astype(float)  # empty cells: NaN
            present = ~column.is_null().to_numpy()
            if (present & ~_acceptable(values, canonical[name] == "Year")).any():
                return None
            out[name] = values
        return out

    def parse(piece: memoryview, quoted: bool) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
        try:  # fast path: numbers parsed by pyarrow directly
            table = pcsv.read_csv(pa.py_buffer(piece), **options(quoted, True))
            floats = typed_floats(table)
            if floats is not None:
                return finish(table, floats), []
        except pa.ArrowInvalid as exc:
            # " 0.73" or "n/a" in a number column: read as text, trim, convert (below);
            # bytes that are not UTF-8: replaced by U+FFFD, as pandas' encoding_errors="replace"
            if "UTF8" in str(exc) or "UTF-8" in str(exc):
                piece = memoryview(bytes(piece).decode("utf-8", errors="replace").encode("utf-8"))
        table = pcsv.read_csv(pa.py_buffer(piece), **options(quoted, False))
        problems: list[dict[str, Any]] = []
        floats = {}
        for name in numbers:
            texts = pc.utf8_trim_whitespace(table.column(name)).to_pandas()
            floats[name], found = _number_problems(
                texts, canonical[name], canonical[name] == "Year"
            )
            problems += found
        return finish(table, floats), problems

    produced = False
    for piece, quoted in _blocks(text, chunksize, label):
        produced = True
        yield parse(piece, quoted)
    if not produced:  # a header without rows: an empty chunk with the right columns
        empty = pa.table({name: pa.array([], pa.string()) for name in wanted})
        yield finish(empty, {name: np.array([], dtype=float) for name in numbers}), []


def _to_pandas(table: Any) -> pd.DataFrame:
    """An arrow table of output columns as the pandas frame (years as nullable Int64)."""
    import pyarrow as pa

    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get, self_destruct=True)


def _pandas_batches(
    text: _Text, wanted: list[str], canonical: dict[str, str], chunksize: int, label: str
) -> Iterator[tuple[pd.DataFrame, list[dict[str, Any]]]]:
    """Chunks through pandas' C parser (when pyarrow is not installed)."""
    chunks = pd.read_csv(
        io.BufferedReader(Prepended(text.head, text.stream)),
        sep=text.sep,
        header=None,
        names=text.fields,
        usecols=wanted,
        dtype=str,
        chunksize=chunksize,
        encoding="utf-8",
        encoding_errors="replace",
        keep_default_na=False,
        na_values=[""],
    )
    produced = False
    for chunk in chunks:
        produced = True
        yield _convert(chunk, canonical)
    if not produced:
        yield _convert(pd.DataFrame({f: pd.Series(dtype=str) for f in wanted}), canonical)


def _convert(
    chunk: pd.DataFrame, canonical: dict[str, str]
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    out: dict[str, Any] = {}
    problems: list[dict[str, Any]] = []
    chunk = chunk.reset_index(drop=True)
    for src in chunk.columns:
        c = canonical[src]
        name = CRS_COLUMNS.get(c, c)
        col = chunk[src]
        if c in _MILLIONS or c == "Year":
            values, found = _number_problems(col.str.strip(), c, c == "Year")
            problems += found
            if c == "Year":
                out[name] = pd.array(values, dtype="Float64").astype("Int64")
            else:
                out[name] = values * 1e6
        elif c in _TEXT:
            out[name] = col.str.strip()
        else:
            out[name] = col
    return pd.DataFrame(out, index=chunk.index), problems


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
        holding it (as downloaded from the OECD). Values may be quoted (``"a | b"``); a quote
        that never closes is an error naming its line, not a silent swallow of the rest.
    columns
        CRS columns to read (case-insensitive). Default :data:`DEFAULT_COLUMNS` (everything
        but ``LongDescription``). Only these are parsed.
    chunksize
        At most this many rows are parsed at a time; bounds the memory used for reading
        (with pyarrow installed, blocks are further capped at 10,000 rows, which parse
        fastest).
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
    max_uncompressed, max_ratio
        Raise the zip-bomb limits (:data:`aidcalc.io._common.MAX_UNCOMPRESSED`,
        :data:`~aidcalc.io._common.MAX_RATIO`) for a genuine archive that exceeds them.
    filters
        Parquet only: which rows to read, pushed down to the files through
        :mod:`pyarrow.dataset` (row groups whose statistics exclude them are not read). A
        dict of CRS column (or alias ``year``, ``donor``, ``recipient``, ``purpose``,
        ``flow``) -> a value, a list/tuple/set/range of values, or a
        ``pyarrow.compute.Expression``; or one expression. See
        :func:`aidcalc.io._parquet.filter_expression`.
    storage_options
        Extra options for a URL, as in pandas: HTTP headers for ``http(s)://`` (read with
        urllib), or the filesystem's options for other ``fsspec`` URLs (``s3://``, needs
        ``fsspec``). Refused with a local path or a file object.
    return_rejected
        ``False`` (default): return the frame alone, like pandas' readers; when the
        rejected-rows report is not empty, one :class:`aidcalc.RejectedRowsWarning` says so
        (the report is also on ``frame.attrs["rejected"]``; pandas keeps ``attrs`` through
        most but not all operations). ``True``: return ``(frame, rejected)``.

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
        ``rejected`` lists kept rows whose amount is empty, donors without a code, cells
        left empty because they are not finite numbers (``inf``, ``nan``, ``1e400``,
        ``n/a``) or not whole years (``2022.7`` is never rounded), with the line and the
        text as written, and zip members that were not read. A file with a header and no
        rows gives an empty frame with the same columns.

    Raises
    ------
    InputFileError
        Missing, empty or not-a-file input, not a CRS layout, requested columns absent,
        unreadable data or a quote that never closes (with the line), a zip that is damaged,
        encrypted, over the limits or holds several data files.
    ValidationError
        An option with a value it does not accept (named, with what is accepted), before
        any reading.

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
    check_choice("amount", amount, ("commitment", "disbursement"))
    columns, limits = _check_options(
        columns, chunksize, progress, member, max_uncompressed, max_ratio
    )
    from ._parquet import is_parquet, read_parquet_crs

    if storage_options is None and is_parquet(path):
        _no_member(member, path)
        parquet = read_parquet_crs(
            path, columns=columns, chunksize=chunksize, amount=amount, filters=filters
        )
        return finish(parquet, return_rejected, reader="read_crs")
    with open_source(path, storage_options=storage_options) as src:
        _no_csv_filters(filters, src.label)
        plan = _plan(src, columns, limits, member)
        # with pyarrow: the blocks' arrow tables, converted to pandas once (not per block)
        parts = list(
            _chunks(ExitStack(), src, plan, chunksize, progress, limits, member, arrow=True)
        )
    cells: list[pd.DataFrame]
    if parts and isinstance(parts[0], tuple):
        import pyarrow as pa

        cells = [r for _, r in parts if r is not None]
        tables = [t for t, _ in parts]
        del parts
        frame = _to_pandas(pa.concat_tables(tables) if len(tables) > 1 else tables[0])
        del tables
    else:
        cells = [part.attrs.pop("rejected") for part in parts]
        frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        del parts
    frame.index = pd.RangeIndex(len(frame))
    out, problems = _pledge_frame(frame, src.label, amount)
    reports = [rejected_frame(problems), *(c for c in cells if len(c))]
    rejected = pd.concat(reports, ignore_index=True) if len(reports) > 1 else reports[0]
    return finish(ReadResult(out, rejected.astype(object)), return_rejected, reader="read_crs")


def _pledge_frame(
    frame: pd.DataFrame, source: str, amount: str, *, first_line: int = 2, unit: str = "lines"
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """(the pledge frame, the problems) of converted CRS columns: donor and recipient codes,
    year, amount, currency, status, category in front. ``frame.index + first_line`` is how
    the report names a row (the line in a CSV file; the row of a Parquet dataset)."""
    problems: list[dict[str, Any]] = []
    lead: dict[str, Any] = {}
    if "donor_name" in frame.columns:
        lead["donor"] = _codes(frame["donor_name"])
        missing = frame["donor_name"].notna() & lead["donor"].isna()
        for name in frame.loc[missing, "donor_name"].unique():
            n = int((frame["donor_name"] == name).sum())
            problems.append(
                {
                    "source": source,
                    "row": f"{n} row{'s' if n != 1 else ''}",
                    "column": "DonorName",
                    "value": name,
                    "reason": "no donor code for this name "
                    "(multilateral or unknown): donor left empty",
                    "kept": True,
                }
            )
        lead["donor_name"] = frame.pop("donor_name")
    if "recipient_name" in frame.columns:
        lead["recipient"] = _codes(frame["recipient_name"])
    if "year" in frame.columns:
        lead["year"] = frame.pop("year")
    if "commitment_date" in frame.columns:  # the only day-precise date CRS has
        text = frame["commitment_date"].astype("string").str.strip().str.slice(0, 10)
        lead["announced"] = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        bad = lead["announced"].isna() & text.notna() & (text != "")
        if bad.any():
            problems.append(
                {
                    "source": source,
                    "row": f"{int(bad.sum())} rows",
                    "column": "CommitmentDate",
                    "value": frame.loc[bad, "commitment_date"].iloc[0],
                    "reason": "CommitmentDate is not a YYYY-MM-DD date: announced left empty",
                    "kept": True,
                }
            )
        lead["announced"], outside = in_window(lead["announced"])
        if outside.any():  # 9999-12-31 is refused, never wrapped
            problems.append(
                {
                    "source": source,
                    "row": f"{unit} {(frame.index[outside] + first_line).tolist()[:5]}",
                    "column": "CommitmentDate",
                    "value": frame.loc[outside, "commitment_date"].iloc[0],
                    "reason": f"{int(outside.sum())} CommitmentDate values: {WINDOW_TEXT}: "
                    "announced left empty",
                    "kept": True,
                }
            )
    money = f"usd_{amount}"
    if money in frame.columns:
        lead["amount"] = frame[money]
        # one dtype whatever the rows (a chunk without empty amounts is not typed otherwise)
        lead["currency"] = pd.Series("USD", index=frame.index, dtype="str").where(
            frame[money].notna()
        )
        lead["status"] = "disbursed" if amount == "disbursement" else "committed"
        empty = frame[money].isna()
        if empty.any():
            rows = (frame.index[empty] + first_line).tolist()
            problems.append(
                {
                    "source": source,
                    "row": f"{unit} {rows[:5]}{' ...' if len(rows) > 5 else ''}",
                    "column": f"USD_{amount.capitalize()}",
                    "value": None,
                    "reason": f"{int(empty.sum())} rows have no USD {amount}: amount empty",
                    "kept": True,
                }
            )
    if "purpose_code" in frame.columns:
        lead["category"] = _categories(frame["purpose_code"])
    head = pd.DataFrame(lead, index=frame.index)
    out = pd.concat([head, frame], axis=1)
    out.attrs["source"] = source
    out.attrs["format"] = "OECD CRS"
    out.attrs["units"] = "USD (CRS millions x 1,000,000)"
    return out, problems


class ChunkReport(pd.DataFrame):
    """The rejected-rows report a chunk carries in ``chunk.attrs["rejected"]``: a DataFrame
    that compares to another report as a whole (one bool), so that ``pd.concat`` of chunks
    (which compares the chunks' ``attrs``) works; the concatenated frame carries no report."""

    def __eq__(self, other: object) -> Any:
        if isinstance(other, ChunkReport):
            return self is other or bool(pd.DataFrame(self).equals(pd.DataFrame(other)))
        return super().__eq__(other)

    def __ne__(self, other: object) -> Any:
        if isinstance(other, ChunkReport):
            return not self.__eq__(other)
        return super().__ne__(other)

    __hash__ = None

    def __deepcopy__(self, memo: Any = None) -> ChunkReport:  # attrs are deep-copied
        return ChunkReport(pd.DataFrame(self).copy(deep=True))

    @property
    def _constructor(self) -> Any:  # slices and copies are plain DataFrames
        return pd.DataFrame


def _pledge_chunks(
    chunks: Iterator[pd.DataFrame], source: str, amount: str, *, first_line: int = 2,
    unit: str = "lines", chunksize: int | None = None,
) -> Iterator[pd.DataFrame]:
    """Each converted chunk as a full pledge frame of at most ``chunksize`` rows, its report
    in ``attrs["rejected"]``."""
    for chunk in chunks:
        cells = chunk.attrs.pop("rejected")
        for part, found in _split(chunk, cells, chunksize, first_line):
            out, problems = _pledge_frame(part, source, amount, first_line=first_line, unit=unit)
            reports = [rejected_frame(problems), *([found] if len(found) else [])]
            rejected = pd.concat(reports, ignore_index=True) if len(reports) > 1 else reports[0]
            out.attrs["rejected"] = ChunkReport(rejected.astype(object))
            yield out


def _split(
    chunk: pd.DataFrame, cells: pd.DataFrame, size: int | None, first_line: int
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Slices of at most ``size`` rows (a parsed block can hold more), each with the cells
    reported on its rows (a report not about one row goes with the first slice)."""
    if size is None or len(chunk) <= size:
        yield chunk, cells
        return
    at = pd.to_numeric(cells["row"], errors="coerce").to_numpy(dtype=float) - first_line
    for start in range(0, len(chunk), size):
        part = chunk.iloc[start : start + size]
        lo, hi = part.index[0], part.index[-1]
        pick = ((at >= lo) & (at <= hi)) | (np.isnan(at) & (start == 0))
        yield part, cells[pick].reset_index(drop=True)


def _codes(names: pd.Series) -> pd.Series:
    codes, unique = pd.factorize(names)  # each distinct name is looked up once
    if not len(unique):
        return pd.Series([None] * len(names), index=names.index, dtype=object)  # as when coded
    uniq = pd.Series(np.asarray(unique, dtype=object))
    coded = donor_codes_or_na(pd.Series(uniq.to_numpy(), index=uniq.to_numpy()))
    # code -1 (missing) -> None; numpy's stubs reject None, valid in an object array
    table = np.append(coded.to_numpy(dtype=object), None)  # type: ignore[call-overload]
    return pd.Series(table[codes], index=names.index, dtype=object)


def _categories(codes: pd.Series) -> pd.Series:
    from .._pledges._categories import categorise

    keys, unique = pd.factorize(codes)
    if not len(unique):
        return pd.Series("other", index=codes.index, dtype=object)
    got = categorise(
        pd.DataFrame({"purpose_code": np.asarray(unique, dtype=object)}),
        purpose_code="purpose_code",
    )
    table = np.append(got["category"].to_numpy(dtype=object), "other")
    return pd.Series(table[keys], index=codes.index, dtype=object)
