"""CRS CSV text: the file (or its zip member) opened as UTF-8 text after its header line, cut
into blocks of whole rows by the quoting rule of :mod:`aidcalc.io._crs_cut` (a line end inside a
quoted value does not end a row; a stray quote is text and never joins rows) and each block
parsed into the output columns, by pyarrow (or pandas' C parser without pyarrow).

The conversion of the parsed columns (numbers checked, money x 1,000,000, the pledge frame) is
:mod:`aidcalc.io._crs_frame`'s; :func:`aidcalc.io.read_crs` and :func:`aidcalc.io.iter_crs`
drive it, :func:`aidcalc.io.read_crs_dask` reads byte ranges through the same parsers.
"""

from __future__ import annotations

import functools
import io
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import IO, Any, NamedTuple, TypeVar

import numpy as np
import pandas as pd

from .._base._errors import InputFileError
from ._common import (
    MONEY,
    Source,
    ZipLimits,
    data_member,
    not_a_zip,
    open_member,
    open_zip,
    option_error,
    utf8_stream,
)
from ._crs_cut import STRAY, Cutter, Ragged, cutter
from ._crs_frame import (
    CRS_COLUMNS,
    TEXT,
    acceptable,
    arrow_numbers,
    choose_columns,
    is_number,
    number_problems,
    to_pandas,
)
from ._sniff import header_fields, is_sdmx, sniff

__all__ = [
    "BLOCK_ROWS",
    "MAX_ROW_BYTES",
    "Block",
    "Text",
    "blocks",
    "in_order",
    "open_text",
    "parse_threads",
    "plan",
]

T = TypeVar("T")
R = TypeVar("R")

#: Blocks of at most this many rows parse fastest (measured: benchmarks/bench_read_crs.py).
BLOCK_ROWS = 10_000
#: Longest row (or quoted value still open) read before the file is refused: a quoted value
#: that may still close is not waited for beyond it.
MAX_ROW_BYTES = 8 * 2**20
#: Largest block parsed at a time (the estimate from the first rows can be far off).
_MAX_BLOCK = 32 * 2**20


class Text(NamedTuple):
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


def read_header(stream: IO[bytes], label: str) -> tuple[bytes, bytes, bytes]:
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
def open_text(src: Source, limits: ZipLimits, member: str | None) -> Iterator[Text]:
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
            not_a_zip(member, src.label)
        label = src.label if chosen is None else f"{src.label} (member {chosen!r})"
        stream = utf8_stream(stream)  # UTF-16 text (Excel's "Unicode Text") as UTF-8
        header, eol, head = read_header(stream, label)
        sep, fields = header_fields(header)
        yield Text(stream, raw, size, sep, fields, eol, head, chosen, skipped)


def header(src: Source, limits: ZipLimits, member: str | None) -> tuple[str, list[str]]:
    """(separator, field names) of a CRS text's header line."""
    with open_text(src, limits, member) as text:
        return text.sep, text.fields


def no_csv_filters(filters: Any, label: str) -> None:
    """``filters=`` is pushed down into Parquet: refused for CSV text."""
    if filters is not None:
        raise option_error(
            "filters",
            filters,
            f"filters= is for Parquet CRS files and datasets (pushed down through "
            f"pyarrow.dataset); {label} is CSV text: read it with filters=None and select "
            "rows from the frame, or convert it to Parquet once",
            "None for a CSV file",
        )


class Plan(NamedTuple):
    """The columns to read: the file's own names, and the CRS column each one is."""

    wanted: list[str]
    canonical: dict[str, str]


def plan(
    src: Source, columns: Sequence[str] | None, limits: ZipLimits, member: str | None
) -> Plan:
    """The columns to read from a CRS text, after its layout is checked."""
    kind = sniff(src.path, limits=limits, member=member, label=src.label)
    if kind != "crs":
        raise InputFileError(
            f"{src.label}: not an OECD CRS file (its header has fewer than 3 CRS columns such "
            f"as Year, DonorName, PurposeCode, USD_Disbursement; detected: {kind})",
            path=src.label,
            reason="wrong layout",
        )
    _, fields = header(src, limits, member)
    if is_sdmx(fields):
        raise InputFileError(
            f"{src.label}: an SDMX-CSV export of the OECD Data Explorer: read it with "
            "aidcalc.io.read_crs (iter_crs and read_crs_dask stream the CRS bulk download)",
            path=src.label,
            reason="wrong layout",
        )
    return Plan(*choose_columns(fields, columns, src.label, key=str.lower, place="the file"))


def has_arrow() -> bool:
    """Whether pyarrow's CSV parser is installed (else pandas' parses the blocks)."""
    try:
        import pyarrow.csv  # noqa: F401
    except ImportError:  # pragma: no cover - optional dependency
        return False
    return True


def _runaway(label: str, line: int, quoted: bool) -> InputFileError:
    if quoted:
        return InputFileError(
            f"{label}: line {line}: a quoted field opens here and runs on for more than "
            f"{MAX_ROW_BYTES:,} bytes (aidcalc.io._crs_text.MAX_ROW_BYTES): a stray '\"'? "
            'Remove or double it ("") and read the file again',
            path=label,
            line=line,
            reason="unclosed quote",
        )
    return InputFileError(
        f"{label}: line {line} is longer than {MAX_ROW_BYTES:,} bytes "
        "(aidcalc.io._crs_text.MAX_ROW_BYTES): not CRS rows",
        path=label,
        line=line,
        reason="line too long",
    )


class Block(NamedTuple):
    """Whole rows of the text, as the parsers read them, and the lines they stand on."""

    data: Any  # the rows (the file's bytes; rows with stray quotes rewritten in CSV quoting)
    size: int  # bytes of the text they come from
    quoted: bool  # whether ``data`` has quoted values
    notes: list[dict[str, Any]]  # rows read with stray quotes as text (row: their line)
    line: int  # the line (in the text, the header is line 1) the block starts on
    lines: int  # the line ends in the block
    eol: bytes  # the text's line end
    spans: list[tuple[int, int]]  # (line in the block, lines it runs on) of each row whose
    # quoted values hold line ends

    def row_lines(self, rows: int) -> np.ndarray:
        """The line each of the block's ``rows`` parsed rows starts on: one row a line, unless
        the block has blank lines (the parsers skip them) or rows over several lines."""
        if self.lines == rows:  # blank lines and rows over lines only ever add lines
            return np.arange(self.line, self.line + rows, dtype=np.int64)
        codes = np.frombuffer(self.data, np.uint8)
        ends = np.flatnonzero(codes == ord(self.eol))
        if not len(ends) or ends[-1] != len(codes) - 1:  # a last line ended by another break
            ends = np.append(ends, len(codes) - 1)
        starts = np.concatenate(([0], ends[:-1] + 1))
        width = ends - starts
        skipped = (width == 0) | ((width == 1) & (codes[starts] == ord("\r")))  # blank
        if self.spans:  # the lines a row runs on after its first
            first, more = np.array(self.spans, dtype=np.int64).T
            within = np.arange(int(more.sum())) - np.repeat(np.cumsum(more) - more, more)
            skipped[np.repeat(first + 1, more) + within] = True
        found = np.flatnonzero(~skipped)
        if len(found) != rows:  # pragma: no cover - the rule holds (tested): a report's line
            return np.arange(self.line, self.line + rows, dtype=np.int64)  # never fails a read
        return found + self.line

    def located(
        self, rows: int, problems: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], np.ndarray]:
        """(the block's notes and its parsed rows' ``problems`` with ``row`` the line in the
        text, the line of each row)."""
        lines = self.row_lines(rows)
        notes = [{**note, "row": self.line + note["row"]} for note in self.notes]
        return notes + [{**p, "row": int(lines[p["row"]])} for p in problems], lines


def _fill(stream: IO[bytes], rest: Any, size: int) -> tuple[bytearray, bool]:
    """(``rest`` then up to ``size`` more bytes of ``stream``, whether the stream is done):
    read straight into one buffer (no copy of the block)."""
    buffer = bytearray(len(rest) + size)
    buffer[: len(rest)] = rest
    view = memoryview(buffer)
    got = stream.readinto(view[len(rest) :])  # type: ignore[attr-defined]
    view.release()
    del buffer[len(rest) + got :]
    return buffer, not got


def _lines(data: Any, eol: bytes, end: int) -> int:
    """The line ends in ``data[:end]``: numpy's vectorised compare, several times faster than
    ``bytes.count``, in slices of 256 KiB (temporaries small enough to be reused)."""
    codes = np.frombuffer(data, np.uint8, count=end)
    step = 1 << 18
    return sum(int(np.count_nonzero(codes[i : i + step] == eol[0])) for i in range(0, end, step))


def _notes(data: Any, eol: bytes, stray: list[int]) -> list[dict[str, Any]]:
    """The rejected-rows entries of rows read with stray quotes (``row``: line in ``data``)."""
    notes = []
    line = last = 0
    for at in stray:  # in order: lines counted between one and the next (linear)
        line += data.count(eol, last, at)
        last = at
        end = data.find(eol, at)
        text = bytes(data[at : end if end >= 0 else len(data)]).rstrip(b"\r")
        notes.append(
            {
                "row": line,
                "column": None,
                "value": text[:200].decode("utf-8", errors="replace"),
                "reason": STRAY,
                "kept": True,
                # its values are as written, but a stray quote may be a broken quoted value
                # whose fields (and money) moved: it warns, as a changed amount does
                "kind": MONEY,
            }
        )
    return notes


def _spans(data: Any, eol: bytes, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(line in ``data``, line ends after it) of each row over several lines, from its bytes
    (lines counted between one and the next: linear)."""
    out = []
    line = last = 0
    for start, end in spans:
        line += data.count(eol, last, start)
        last = start
        out.append((line, data.count(eol, start, end) - 1))
    return out


def _ragged(label: str, line: int, rows: Cutter) -> InputFileError:
    return InputFileError(
        f"{label}: unreadable CRS data: line {line} does not have the header's "
        f"{rows.width} fields (read as text, or with its quoted values): a stray separator "
        "or quote? Fix the line and read the file again",
        path=label,
        line=line,
        reason="unreadable CRS",
    )


def blocks(text: Text, chunksize: int, label: str) -> Iterator[Block]:
    """The text after the header as blocks of whole rows, cut by the quoting rule of
    :mod:`aidcalc.io._crs_cut` (never inside a quoted value; a row is only cut off when the
    bytes after it cannot change its reading). Linear time: every byte is scanned a bounded
    number of times (a row that does not fit doubles the block instead of re-reading it)."""
    stream, eol = text.stream, text.eol
    rows = cutter(text.sep, len(text.fields), eol)
    first = text.head + stream.read(max(0, (1 << 16) - len(text.head)))
    lines = first.count(eol)
    per_row = len(first) / lines if lines else 400
    # blocks of at most BLOCK_ROWS rows (measured: benchmarks/bench_read_crs.py); a smaller
    # chunksize gives smaller blocks
    block = int(min(max(per_row * min(chunksize, BLOCK_ROWS), 1 << 12), _MAX_BLOCK))
    line = 2  # the line the next block starts on (the header is line 1)
    rest: Any = first
    size = block
    while True:
        data, at_end = _fill(stream, rest, size)
        if at_end and not data.strip():
            return
        added = at_end and not data.endswith((b"\n", b"\r"))
        if added:
            data += eol  # the last row ends where the file does
        try:
            cut = rows.cut(data, at_end)
        except Ragged as exc:
            raise _ragged(label, line + data.count(eol, 0, exc.args[0]), rows) from None
        if not cut.end:
            if len(data) > MAX_ROW_BYTES:
                raise _runaway(label, line, rows.opening.search(data) is not None)
            rest = data
            size = max(size, len(data))  # double the block: linear time on long rows
            continue
        notes = _notes(data, eol, cut.stray)
        lines = _lines(data, eol, cut.end)
        spans = _spans(data, eol, cut.spans)
        yield Block(cut.data, cut.end - added, cut.quoted, notes, line, lines, eol, spans)
        if at_end:
            return
        size = block
        rest = data[cut.end :]
        line += lines
        del data, cut


class _ArrowParser:
    """Blocks of CRS text to output columns through pyarrow's CSV parser (multi-threaded).

    Numbers are parsed by pyarrow; a block with a cell that is not a finite number (or a
    whole year) is parsed again as text, so the report shows the cell as written.
    """

    def __init__(
        self, text: Text, wanted: list[str], canonical: dict[str, str], *, threaded: bool = True
    ) -> None:
        self.names, self.sep, self.threaded = text.fields, text.sep, threaded
        self.wanted, self.canonical = wanted, canonical
        self.numbers = [f for f in wanted if is_number(canonical[f])]

    def options(self, quoted: bool, typed: bool) -> dict[str, Any]:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        types = {f: pa.large_string() for f in self.wanted}
        if typed:
            types.update({f: pa.float64() for f in self.numbers})
        return {
            # one block per call: its own threads only when blocks are not parsed in parallel
            "read_options": pcsv.ReadOptions(column_names=self.names, use_threads=self.threaded),
            # newlines inside quoted values force a serial parse: only allow them when needed
            "parse_options": pcsv.ParseOptions(delimiter=self.sep, newlines_in_values=quoted),
            "convert_options": pcsv.ConvertOptions(
                include_columns=self.wanted,
                column_types=types,
                strings_can_be_null=True,
                null_values=[""],
            ),
        }

    def columns(self, table: Any, floats: dict[str, Any]) -> Any:
        """The output columns as an arrow table (millions x 1e6, trimmed text, int years)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        columns = {}
        for name in self.wanted:
            c = self.canonical[name]
            if name in floats:
                col = floats[name]
                col = arrow_numbers(col, c) if isinstance(col, np.ndarray) else col
            else:
                col = table.column(name)
                if c in TEXT:
                    col = pc.utf8_trim_whitespace(col)
            columns[CRS_COLUMNS.get(c, c)] = col
        return pa.table(columns)

    def typed_floats(self, table: Any) -> dict[str, Any] | None:
        """The number columns (years as floats, money x 1e6 as arrow arrays, empty cells
        null), or None when a cell has to be reported."""
        import pyarrow.compute as pc

        out: dict[str, Any] = {}
        for name in self.numbers:
            column = table.column(name)
            if self.canonical[name] != "Year":  # money: finite in units (x 1e6) when present
                out[name] = pc.multiply(column, 1e6)
                if pc.any(pc.invert(pc.is_finite(out[name]))).as_py():
                    return None
                continue
            values = column.to_numpy().astype(float)  # empty cells: NaN
            present = ~column.is_null().to_numpy()
            if (present & ~acceptable(values, True)).any():
                return None
            out[name] = values
        return out

    def parse(self, piece: memoryview, quoted: bool) -> tuple[Any, list[dict[str, Any]]]:
        """(the block's output columns as an arrow table, the cells reported)."""
        import pyarrow as pa
        import pyarrow.csv as pcsv

        try:  # fast path: numbers parsed by pyarrow directly
            table = pcsv.read_csv(pa.py_buffer(piece), **self.options(quoted, True))
            floats = self.typed_floats(table)
            if floats is not None:
                return self.columns(table, floats), []
        except pa.ArrowInvalid as exc:
            # " 0.73" or "n/a" in a number column: read as text, trim, convert (below);
            # a stray byte that is not UTF-8 (in UTF-8 text): read as Windows-1252
            # (aidcalc.io._tables.utf8_stream transcodes whole Windows-1252 files)
            if "UTF8" in str(exc) or "UTF-8" in str(exc):
                text = bytes(piece).decode("utf-8", errors="aidcalc-cp1252")
                piece = memoryview(text.encode("utf-8"))
        return self.parse_as_text(piece, quoted)

    def parse_as_text(self, piece: memoryview, quoted: bool) -> tuple[Any, list[dict[str, Any]]]:
        """The slow path: number columns read as text, each cell checked and reported."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pcsv

        table = pcsv.read_csv(pa.py_buffer(piece), **self.options(quoted, False))
        problems: list[dict[str, Any]] = []
        floats = {}
        for name in self.numbers:
            c = self.canonical[name]
            texts = pc.utf8_trim_whitespace(table.column(name)).to_pandas()
            floats[name], found = number_problems(texts, c, c == "Year")
            problems += found
        return self.columns(table, floats), problems

    def empty(self) -> Any:
        """The output columns of a header without rows."""
        import pyarrow as pa

        table = pa.table({name: pa.array([], pa.large_string()) for name in self.wanted})
        return self.columns(table, {name: np.array([], dtype=float) for name in self.numbers})


def arrow_batches(
    text: Text,
    wanted: list[str],
    canonical: dict[str, str],
    chunksize: int,
    label: str,
    *,
    as_arrow: bool = False,
    threads: int = 1,
) -> Iterator[tuple[Any, list[dict[str, Any]], np.ndarray]]:
    """Chunks parsed by pyarrow, memory bounded by the chunk: (pandas frame, or arrow table
    with ``as_arrow``; its problems, ``row`` the line in the text; the line of each row).

    The text is cut into blocks of whole rows (:func:`blocks`) and each block is parsed on
    its own, so nothing but a few blocks and their converted chunks is alive at a time.
    (pyarrow's own streaming reader keeps more and more memory as the file grows, so it is
    not used.) With ``threads`` > 1 the blocks are parsed on that many threads while this
    one cuts the next (pyarrow and its compute functions release the GIL), each block by
    one thread: chunks, problems and errors come in file order, exactly as with one thread.
    """
    parser = _ArrowParser(text, wanted, canonical, threaded=threads <= 1)

    def work(block: Block) -> tuple[Any, list[dict[str, Any]], np.ndarray]:
        table, problems = parser.parse(block.data, block.quoted)
        problems, lines = block.located(table.num_rows, problems)
        return (table if as_arrow else to_pandas(table)), problems, lines

    produced = False
    for chunk in in_order(work, blocks(text, chunksize, label), threads):
        produced = True
        yield chunk
    if not produced:  # a header without rows: an empty chunk with the right columns
        table = parser.empty()
        yield (table if as_arrow else to_pandas(table)), [], np.array([], dtype=np.int64)


def parse_threads() -> int:
    """Threads that parse CRS blocks: pyarrow's CPU count (``pyarrow.set_cpu_count`` sets
    it), at most 8 (beyond that the one thread cutting the text is the limit)."""
    import pyarrow as pa

    return max(1, min(pa.cpu_count(), 8))


def in_order(work: Callable[[T], R], items: Iterable[T], threads: int) -> Iterator[R]:
    """``map(work, items)`` on ``threads`` threads, at most ``threads + 1`` items in flight:
    results in order, and an error of ``items`` itself raised after the results before it,
    as the plain ``map`` would."""
    if threads <= 1:
        yield from map(work, items)
        return
    from concurrent.futures import Future, ThreadPoolExecutor

    pending: deque[Future[R]] = deque()
    error: Exception | None = None
    source = iter(items)
    with ThreadPoolExecutor(threads, thread_name_prefix="aidcalc-read") as pool:
        while True:
            try:
                item = next(source)
            except StopIteration:
                break
            except Exception as exc:  # raised after the results of the items before it
                error = exc
                break
            pending.append(pool.submit(work, item))
            if len(pending) > threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    if error is not None:
        raise error


def batches(*, as_arrow: bool = False, threads: int = 1) -> Any:
    """The parser of blocks: pyarrow's when it is installed (``as_arrow``: arrow tables;
    ``threads``: blocks parsed in parallel), else pandas' C parser (pandas frames)."""
    if has_arrow():
        return functools.partial(arrow_batches, as_arrow=as_arrow, threads=threads)
    return pandas_batches


def pandas_batches(
    text: Text, wanted: list[str], canonical: dict[str, str], chunksize: int, label: str
) -> Iterator[tuple[pd.DataFrame, list[dict[str, Any]], np.ndarray]]:
    """Chunks through pandas' C parser (when pyarrow is not installed), block by block as
    :func:`blocks` cuts them, as :func:`arrow_batches` gives them."""
    produced = False
    for block in blocks(text, chunksize, label):
        produced = True
        chunk = pd.read_csv(
            io.BytesIO(block.data),
            sep=text.sep,
            header=None,
            names=text.fields,
            usecols=wanted,
            dtype=str,
            encoding="utf-8",
            encoding_errors="aidcalc-cp1252",
            keep_default_na=False,
            na_values=[""],
        )
        chunk, problems = _convert(chunk, canonical)
        yield chunk, *block.located(len(chunk), problems)
    if not produced:
        empty = pd.DataFrame({f: pd.Series(dtype=str) for f in wanted})
        yield *_convert(empty, canonical), np.array([], dtype=np.int64)


def _convert(
    chunk: pd.DataFrame, canonical: dict[str, str]
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The output columns of a chunk parsed as text by pandas (numbers checked)."""
    out: dict[str, Any] = {}
    problems: list[dict[str, Any]] = []
    chunk = chunk.reset_index(drop=True)
    for src in chunk.columns:
        c = canonical[src]
        name = CRS_COLUMNS.get(c, c)
        col = chunk[src]
        if is_number(c):
            values, found = number_problems(col.str.strip(), c, c == "Year")
            problems += found
            if c == "Year":
                out[name] = pd.array(values, dtype="Float64").astype("Int64")
            else:
                out[name] = values * 1e6
        elif c in TEXT:
            out[name] = col.str.strip()
        else:
            out[name] = col
    return pd.DataFrame(out, index=chunk.index), problems
