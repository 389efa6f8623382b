"""Tables as the readers get them: workbook rows (read-only, after the zip checks), delimited
text (a file or the one data member of a zip; UTF-16 transcoded to UTF-8; separator sniffed)
with unique column names, a Parquet file's declared sizes checked against the limits, and the
cell steps readers share (dates within aidcalc's window, donor names to codes or NA).
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
import pandas as pd

from .._base._errors import InputFileError
from ._options import not_a_zip
from ._source import Source
from ._zip import (
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    MAX_WORKBOOK_UNCOMPRESSED,
    RATIO_FLOOR,
    ZipLimits,
    data_member,
    file_error,
    open_member,
    open_zip,
    size_text,
)

__all__ = [
    "CELL_BYTES",
    "HEADER_SCAN",
    "Grid",
    "Prepended",
    "check_parquet",
    "delimited_grid",
    "donor_codes_or_na",
    "in_window",
    "not_found",
    "open_text",
    "parquet_sizes",
    "read_delimited",
    "read_workbook",
    "utf8_stream",
    "workbook_grid",
]


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text.strip() else "no detail"


def read_workbook(
    src: Source, sheet: str | int | None, limits: ZipLimits | None = None
) -> list[tuple[Any, ...]]:
    """The rows of one sheet of an XLSX workbook (``sheet``: name, number, None = the first),
    after the archive checks of :func:`open_zip`; any failure is an InputFileError."""
    try:
        from openpyxl import load_workbook
    except ImportError as exc:  # pragma: no cover - optional dependency
        raise InputFileError(
            f"{src.label}: reading XLSX needs openpyxl (pip install 'aidcalc[xlsx]')",
            path=src.label,
            reason="openpyxl missing",
        ) from exc
    with open_zip(src.path, src.label, limits, workbook=True):
        pass  # checked: declared sizes, ratio, encryption, method
    with src.path.open("rb") as fh:  # a file object: openpyxl judges a path by its name
        return _sheet_rows(load_workbook, fh, src.label, sheet)


def _sheet_rows(
    load_workbook: Any, fh: IO[bytes], label: str, sheet: str | int | None
) -> list[tuple[Any, ...]]:
    try:
        book = load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise InputFileError(
            f"{label}: unreadable spreadsheet ({type(exc).__name__}: {_first_line(exc)})",
            path=label,
            reason="unreadable spreadsheet",
        ) from None
    try:
        names = book.sheetnames
        if sheet is None:
            if not names:
                raise InputFileError(
                    f"{label}: the workbook has no sheets", path=label, reason="no sheet"
                )
            name = names[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise InputFileError(
                    f"{label}: no sheet number {sheet}; the workbook has {names}",
                    path=label,
                    reason="missing sheet",
                )
            name = names[sheet]
        elif sheet in names:
            name = sheet
        else:
            raise InputFileError(
                f"{label}: no sheet {sheet!r}; the workbook has {names}; "
                "pass sheet_name= the name or number of another",
                path=label,
                reason="missing sheet",
            )
        return list(book[name].iter_rows(values_only=True))
    except InputFileError:
        raise
    except Exception as exc:  # a damaged part (bad CRC, broken XML) found while reading
        raise InputFileError(
            f"{label}: unreadable spreadsheet ({type(exc).__name__}: {_first_line(exc)})",
            path=label,
            reason="unreadable spreadsheet",
        ) from None
    finally:
        book.close()


@contextmanager
def open_text(
    src: Source, limits: ZipLimits | None = None, member: str | None = None
) -> Iterator[tuple[IO[bytes], str, list[str]]]:
    """(UTF-8 stream, label, zip members not read) of a text file or of the one data member
    of a zip archive (checked by :func:`open_zip` first); UTF-16 text is transcoded."""
    with src.path.open("rb") as raw:
        if raw.read(4) != b"PK\x03\x04":
            raw.seek(0)
            not_a_zip(member, src.label)
            yield utf8_stream(raw), src.label, []
            return
        with open_zip(src.path, src.label, limits) as zf:
            chosen, skipped = data_member(zf, src.label, member)
            with open_member(zf, chosen, src.label) as stream:
                yield utf8_stream(stream), f"{src.label} (member {chosen!r})", skipped


def read_delimited(
    src: Source,
    *,
    limits: ZipLimits | None = None,
    member: str | None = None,
    default_na: bool = False,
) -> tuple[pd.DataFrame, str, list[str]]:
    """(every cell as text, label, zip members not read) of a delimited text file (or the
    one data file of a zip). The delimiter is the header line's (``| \\t ; ,``), parsed by
    pandas' C parser (linear time; a quote that never closes is an error naming its row).
    A header without rows is an empty frame with those columns; no header at all is an
    InputFileError."""
    from ._sniff import header_fields

    with open_text(src, limits, member) as (stream, label, skipped):
        head = stream.read(65536)
        sep, _ = header_fields(head)
        body = io.BufferedReader(Prepended(head, stream), 1 << 16)
        try:
            # header=None: the header is row 0, so a row with more fields than the header
            # is an error (with header=0 pandas would silently take the extra leading
            # fields as an index and shift every value of that row)
            grid = pd.read_csv(
                body,
                sep=sep,
                header=None,
                dtype=object,
                encoding="utf-8-sig",
                encoding_errors="aidcalc-cp1252",
                keep_default_na=default_na,
                na_values=None if default_na else [""],
                skipinitialspace=not default_na,
            )
        except pd.errors.EmptyDataError:
            raise InputFileError(
                f"{label}: no header line (the file has only blank lines or line ends)",
                path=src.label,
                reason="no header",
            ) from None
        except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
            raise InputFileError(
                f"{label}: not a readable CSV ({_parser_message(exc)})",
                path=src.label,
                reason="unreadable CSV",
            ) from None
    frame = grid.iloc[1:].reset_index(drop=True)
    frame.columns = _column_names(grid.iloc[0].tolist())
    return frame, label, skipped


#: How many leading rows of a user's table are tried as its header (and at most the first
#: 64 KiB of a text file): rows above the header are notes (a title, a source line).
HEADER_SCAN = 50
_HEAD_BYTES = 65536

#: Chooses the header among the leading rows (each a list of its cells as text): its index,
#: or None when no row names the columns a reader needs.
HeaderPick = Callable[[Sequence[Sequence[str]]], "int | None"]


@dataclass
class Grid:
    """A user's table as read: the data rows under their header, where each came from, and
    what stood above the header."""

    frame: pd.DataFrame
    """The data rows (every cell as text or as the workbook has it), named by the header."""
    label: str
    skipped: list[str]
    lines: np.ndarray
    """The line (text) or sheet row (workbook) of each data row, counting from 1."""
    header_line: int
    """The line of the header, counting from 1."""
    found: bool
    """True when the header was found by the reader's rule or named by ``header_row=``."""
    tried: int
    """How many leading rows were tried as the header."""
    above: list[tuple[int, str]] = field(default_factory=list)
    """(line, text) of the non-empty rows above the header (titles, notes)."""


def not_found(found: bool, tried: int) -> str:
    """What the header search tried, when it found nothing (else ""), for an error."""
    if found:
        return ""
    return (
        f" (no header found: none of the first {tried} rows names a donor and an amount "
        f"column, or every column of mapping=, and a line longer than {_HEAD_BYTES:,} bytes "
        "is not tried; line 1 was taken as the header: pass header_row= the line of the "
        "header, or mapping= its columns)"
    )


def _choose(
    cells: Sequence[Sequence[str]], pick: HeaderPick, header_row: int | None, label: str
) -> tuple[int, bool]:
    """(index of the header among ``cells``, found by the rule or forced)."""
    if header_row is not None:
        if header_row > len(cells):
            raise InputFileError(
                f"{label}: header_row={header_row} is beyond the first {len(cells)} rows "
                f"aidcalc reads for a header (at most {HEADER_SCAN:,} rows and "
                f"{_HEAD_BYTES:,} bytes of text)",
                path=label,
                reason="no header",
            )
        return header_row - 1, True
    found = pick(cells[:HEADER_SCAN])
    return (0, False) if found is None else (found, True)


def _above(texts: Sequence[str], index: int) -> list[tuple[int, str]]:
    """(line, text) of the non-empty rows before ``index``."""
    return [(i + 1, t) for i, t in enumerate(texts[:index]) if t]


def _as_text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def workbook_grid(
    rows: list[tuple[Any, ...]], label: str, pick: HeaderPick, header_row: int | None = None
) -> Grid:
    """The rows of a sheet as a :class:`Grid`: the header found by ``pick`` among the first
    :data:`HEADER_SCAN` rows (or row ``header_row``), empty rows left out."""
    cells = [[_as_text(v) for v in row] for row in rows[: max(HEADER_SCAN, header_row or 0)]]
    index, found = _choose(cells, pick, header_row, label)
    if not rows:
        return Grid(pd.DataFrame(), label, [], np.zeros(0, np.int64), 1, found, 0)
    header = [str(h).strip() if h is not None else f"unnamed_{j}" for j, h in
              enumerate(rows[index])]
    body = pd.DataFrame(rows[index + 1 :], columns=header, dtype=object)
    filled = body.notna().any(axis=1).to_numpy()
    lines = np.arange(index + 2, index + 2 + len(body), dtype=np.int64)[filled]
    frame = body.loc[filled].reset_index(drop=True)
    texts = [" ".join(c.strip() for c in row if c.strip()) for row in cells[:index]]
    return Grid(frame, label, [], lines, index + 1, found, min(len(cells), HEADER_SCAN),
                _above(texts, index))


def delimited_grid(
    src: Source,
    pick: HeaderPick,
    *,
    limits: ZipLimits | None = None,
    member: str | None = None,
    header_row: int | None = None,
) -> Grid:
    """A delimited text file (or the one data file of a zip) as a :class:`Grid`: the header
    is the first of the leading lines that ``pick`` chooses (or line ``header_row``); its
    delimiter is that line's; the lines above it are notes. Read as
    :func:`read_delimited` reads (every cell as text)."""
    from ._sniff import header_fields

    with open_text(src, limits, member) as (stream, label, skipped):
        head = stream.read(_HEAD_BYTES)
        lines = head.splitlines(keepends=True)
        whole = lines if len(head) < _HEAD_BYTES else lines[:-1]  # the last may be cut
        cells = [header_fields(line)[1] if line.strip() else [] for line in
                 whole[: max(HEADER_SCAN, header_row or 0)]]
        index, found = _choose(cells, pick, header_row, label)
        start = sum(len(line) for line in lines[:index])
        if not head[start:].strip(b" \t\r\n\xef\xbb\xbf"):
            raise InputFileError(
                f"{label}: no header line (the file has only blank lines or line ends)",
                path=src.label,
                reason="no header",
            )
        sep, _ = header_fields(head[start:])
        body = io.BufferedReader(Prepended(head[start:], stream), 1 << 16)
        hint = not_found(found, min(len(cells), HEADER_SCAN))
        grid = _parse_text(body, sep, (label, src.label, hint), index)
    frame = grid.iloc[1:].reset_index(drop=True)
    frame.columns = _column_names(grid.iloc[0].tolist())
    lines_of = index + 2 + np.arange(len(frame), dtype=np.int64) + _newlines_before(frame)
    filled = frame.notna().any(axis=1).to_numpy()
    return Grid(frame.loc[filled].reset_index(drop=True), label, skipped, lines_of[filled],
                index + 1, found, min(len(cells), HEADER_SCAN), _above(_texts(whole), index))


def _texts(lines: Sequence[bytes]) -> list[str]:
    """Lines as text, without the separators and quotes a spreadsheet pads them with."""
    return [line.decode("utf-8-sig", errors="replace").strip().strip(",;|\t\"").strip()
            for line in lines]


def _newlines_before(frame: pd.DataFrame) -> np.ndarray:
    """How many line ends the quoted cells of the rows before each row hold."""
    count = np.zeros(len(frame), dtype=np.int64)
    for col in range(frame.shape[1]):
        cells = frame.iloc[:, col]
        if cells.astype("string").str.contains("\n", regex=False).any():
            count += cells.astype("string").str.count("\n").fillna(0).to_numpy(np.int64)
    return np.concatenate([[0], np.cumsum(count)[:-1]]) if len(count) else count


def _parse_text(
    body: IO[bytes], sep: str, names: tuple[str, str, str], shift: int
) -> pd.DataFrame:
    """Every cell of the text from the header line on, blank lines kept (as empty rows) so
    that each row's line is known; errors (``names``: label, path, hint) name lines of the
    whole file."""
    label, path, hint = names
    try:
        return pd.read_csv(body, sep=sep, header=None, dtype=object, encoding="utf-8-sig",
                           encoding_errors="aidcalc-cp1252", keep_default_na=False,
                           na_values=[""], skipinitialspace=True,
                           skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise InputFileError(
            f"{label}: no header line (the file has only blank lines or line ends)",
            path=path,
            reason="no header",
        ) from None
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
        message = re.sub(r"(line|row) (\d+)", lambda m: f"{m[1]} {int(m[2]) + shift}",
                         _parser_message(exc))
        raise InputFileError(
            f"{label}: not a readable CSV ({message}){hint}", path=path, reason="unreadable CSV"
        ) from None


def _parser_message(exc: BaseException) -> str:
    """pandas' tokenizer message, in lines of the file."""

    text = _first_line(exc).replace("Error tokenizing data. C error: ", "")
    found = re.search(r"EOF inside string starting at row (\d+)", text)
    if found:  # rows count from 0 at the header: row N is line N + 1
        line = int(found.group(1)) + 1
        return f"line {line}: a quoted field opens here and never closes: a stray '\"'?"
    return text


def _column_names(header: list[Any]) -> list[str]:
    """Header cells as column names: empty ones ``Unnamed: j``, repeats ``name.1``."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for j, cell in enumerate(header):
        name = (
            f"Unnamed: {j}"
            if cell is None or (isinstance(cell, float) and cell != cell)
            else str(cell)
        )
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _legacy_bytes(exc: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: each byte that cannot be decoded read as Windows-1252 (its
    five unused bytes as Latin-1), never dropped or replaced by U+FFFD."""
    if not isinstance(exc, UnicodeDecodeError):  # pragma: no cover - registered for decoding
        raise exc
    bad = exc.object[exc.start : exc.end]
    text = "".join(
        bytes([b]).decode("cp1252") if b not in _CP1252_UNUSED else chr(b) for b in bad
    )
    return text, exc.end


_CP1252_UNUSED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})
codecs.register_error("aidcalc-cp1252", _legacy_bytes)


def utf8_stream(stream: IO[bytes]) -> IO[bytes]:
    """``stream`` as UTF-8 bytes, transcoded as it is read (linear, bounded memory).

    UTF-16 text (with its byte-order mark, as Excel's "Unicode Text" saves it) is decoded as
    UTF-16. Other text is UTF-8, unless the first block (64 KiB) that is not plain ASCII
    has more bytes that are not UTF-8 than UTF-8 characters: then the whole text is
    Windows-1252 (CSV saved by Excel on Windows, CRS extracts re-saved there; a file is one
    encoding), transcoded. UTF-8 passes unchanged: the readers decode a stray byte in it
    with the ``"aidcalc-cp1252"`` error handler (as Windows-1252, never U+FFFD).

    Examples
    --------
    >>> utf8_stream(io.BytesIO("a;b\\nü;2\\n".encode("utf-16"))).read()
    b'a;b\\n\\xc3\\xbc;2\\n'
    >>> utf8_stream(io.BytesIO("Türkiye;€ 5\\n".encode("cp1252"))).read().decode()
    'Türkiye;€ 5\\n'
    """
    head = stream.read(2)
    joined = io.BufferedReader(Prepended(head, stream), 1 << 16)
    if head in _UTF16_BOMS:
        return io.BufferedReader(_Transcoded(joined, "utf-16"), 1 << 16)
    return io.BufferedReader(_Transcoded(joined, None), 1 << 16)


def _is_utf8(data: bytes) -> bool:
    """Whether text that is not plain ASCII is UTF-8: its UTF-8 characters are at least as
    many as its bytes that are not UTF-8 (in Windows-1252 text, where a letter is one byte,
    a letter byte followed by a letter byte is never a UTF-8 character)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    wide = len(text) - len(text.encode("ascii", errors="ignore"))
    return wide - bad >= bad


class _Transcoded(io.RawIOBase):
    """Text in ``encoding`` read as UTF-8 bytes; ``None``: UTF-8 (passed unchanged, no cost)
    or Windows-1252 (transcoded), decided by the first block that is not ASCII."""

    def __init__(self, stream: io.BufferedReader[Any], encoding: str | None) -> None:
        super().__init__()
        self._stream = stream
        self._decoder = None if encoding is None else self._make(encoding)
        self._utf8 = False  # decided: UTF-8, bytes pass
        self._buffer = b""
        self._done = False

    @staticmethod
    def _make(encoding: str) -> codecs.IncrementalDecoder:
        errors = "replace" if encoding == "utf-16" else "aidcalc-cp1252"
        return codecs.getincrementaldecoder(encoding)(errors=errors)

    def readable(self) -> bool:
        return True

    def _next(self) -> bytes:
        raw = self._stream.read(1 << 16)
        self._done = not raw
        if self._decoder is None:
            self._utf8 = self._utf8 or (not raw.isascii() and _is_utf8(raw))
            if self._utf8 or raw.isascii():
                return raw
            self._decoder = self._make("cp1252")
        return self._decoder.decode(raw, final=self._done).encode("utf-8")

    def readinto(self, buffer: Any) -> int:
        if self._utf8 and not self._buffer:  # UTF-8 decided: straight through, no copy
            return int(self._stream.readinto(buffer) or 0)
        while not self._buffer and not self._done:
            self._buffer = self._next()
        n = min(len(buffer), len(self._buffer))
        buffer[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


class Prepended(io.RawIOBase):
    """``head`` then the rest of ``stream``, as one stream."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        super().__init__()
        self._head, self._stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        into = getattr(self._stream, "readinto", None)
        if into is not None:  # straight into the caller's buffer: no copy
            return int(into(buffer) or 0)
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


#: Bytes a reader holds per cell at least (a float, an integer or a pointer to text): a
#: Parquet column chunk is counted as at least this much per row, however well its
#: encoding packs it (a million equal values run-length encode to a few bytes).
CELL_BYTES = 8


def parquet_sizes(meta: Any, columns: Collection[str] | None = None) -> tuple[int, int]:
    """(uncompressed bytes, compressed bytes) a Parquet file's footer declares for
    ``columns`` (default all): per column chunk the larger of its declared uncompressed size
    and :data:`CELL_BYTES` per row. Nothing but the footer is read.

    Examples
    --------
    >>> import io, pyarrow as pa, pyarrow.parquet as pq
    >>> sink = io.BytesIO()
    >>> pq.write_table(pa.table({"a": [0] * 1_000_000, "b": [1.5] * 1_000_000}), sink)
    >>> meta = pq.ParquetFile(io.BytesIO(sink.getvalue())).metadata
    >>> big, small = parquet_sizes(meta, ["a"])
    >>> big, small < 10_000  # a million equal integers: a few kB on disk, 8 MB read
    (8000000, True)
    """
    wanted = None if columns is None else set(columns)
    big = small = 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for c in range(group.num_columns):
            chunk = group.column(c)
            if wanted is not None and chunk.path_in_schema.split(".")[0] not in wanted:
                continue
            big += max(chunk.total_uncompressed_size, group.num_rows * CELL_BYTES)
            small += chunk.total_compressed_size
    return big, small


def check_parquet(
    src: Source,
    limits: ZipLimits | None = None,
    *,
    columns: Collection[str] | None = None,
    streamed: bool = False,
) -> None:
    """Refuse a Parquet file whose footer declares more than the limit for ``columns`` (the
    columns to read; :func:`parquet_sizes`) or a compression ratio over :data:`MAX_RATIO`,
    before any row is read. The limit is :data:`MAX_WORKBOOK_UNCOMPRESSED` for a table read
    whole, :data:`MAX_UNCOMPRESSED` for a file read in chunks (``streamed``: the CRS), as for
    the zip archives they may come in."""
    import pyarrow.parquet as pq

    limits = limits or ZipLimits()
    try:
        meta = pq.ParquetFile(src.path).metadata
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError...
        raise InputFileError(
            f"{src.label}: unreadable parquet file ({type(exc).__name__}: {_first_line(exc)})",
            path=src.label,
            reason="unreadable parquet",
        ) from None
    total, packed = parquet_sizes(meta, columns)
    packed = max(packed, 1)
    constant = "MAX_UNCOMPRESSED" if streamed else "MAX_WORKBOOK_UNCOMPRESSED"
    max_total = limits.max_uncompressed or (MAX_UNCOMPRESSED if streamed else
                                            MAX_WORKBOOK_UNCOMPRESSED)
    max_ratio = limits.max_ratio or MAX_RATIO
    if total > max_total:
        raise file_error(
            src.label,
            f"Parquet file declares {size_text(total)} uncompressed, above the limit of "
            f"{size_text(max_total)} (aidcalc.io._zip.{constant}); if the file "
            "is genuine, pass max_uncompressed= a higher number of bytes",
            "uncompressed size over the limit",
        )
    if total > RATIO_FLOOR and total / packed > max_ratio:
        raise file_error(
            src.label,
            f"Parquet file would inflate {size_text(packed)} to {size_text(total)} (ratio "
            f"{total / packed:,.0f}:1), above the limit of {max_ratio:,.0f}:1 "
            "(aidcalc.io._zip.MAX_RATIO; a decompression bomb?); if the file is genuine, "
            "pass max_ratio= a higher limit",
            "compression ratio over the limit",
        )


def in_window(dates: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(the dates as ``datetime64[ns]``, mask of those outside aidcalc's date window, now NaT):
    the one window of :mod:`aidcalc._base._dates` (1910-01-01 .. 2100-12-31), checked in the
    dates' own unit before any conversion, so ``9999-12-31`` is refused, never wrapped.

    Examples
    --------
    >>> got, outside = in_window(pd.Series(pd.to_datetime(["2024-01-02", "9999-12-31"])))
    >>> got.tolist(), outside.tolist()
    ([Timestamp('2024-01-02 00:00:00'), NaT], [False, True])
    """
    from .._base._dates import outside_window

    dates = pd.to_datetime(dates)
    outside = pd.Series(outside_window(dates.to_numpy()), index=dates.index)
    return dates.where(~outside).astype("datetime64[ns]"), outside


def donor_codes_or_na(names: pd.Series) -> pd.Series:
    """Donor names to codes through :func:`aidcalc._real._donors.donor_codes`; unknown -> NA."""
    from .._real._donors import donor_codes

    out = donor_codes(names, errors="coerce")
    if isinstance(out, pd.DataFrame):  # tolerate a frame-shaped answer
        out = out.iloc[:, 0]
    return pd.Series(out, index=names.index, dtype=object)
