"""OECD CRS bulk downloads (pipe- or comma-separated, zipped or not) to a pledge frame.

CRS money columns are in **millions**: ``USD_Commitment`` 1.5 means USD 1,500,000. The frame
holds plain units (multiplied by 1,000,000; the output column names say ``usd``, and
``frame.attrs["units"]`` says it). Only the requested columns are read (``usecols``), in chunks,
so memory while reading is bounded by the chunk size; each chunk is converted to compact
columns before the next one is read. A progress bar is drawn on stderr when it is a terminal.
"""

from __future__ import annotations

import sys
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import pandas as pd

from ._errors import InputFileError
from ._io_common import ReadResult, check_path, donor_codes_or_na, rejected_frame
from ._io_sniff import header_fields, sniff, zip_member

__all__ = ["CRS_COLUMNS", "DEFAULT_COLUMNS", "iter_crs", "read_crs"]

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
    def __init__(self, label: str, total: int, enabled: bool) -> None:
        self.label, self.total, self.enabled = label, max(total, 1), enabled
        self.last = 0.0

    def update(self, done: int, rows: int, final: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not final and now - self.last < 0.2:
            return
        self.last = now
        frac = min(done / self.total, 1.0)
        bar = "#" * int(frac * 30)
        sys.stderr.write(f"\r{self.label}: [{bar:<30}] {frac:4.0%} {rows:,} rows")
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _open(path: Path, stack: ExitStack) -> tuple[IO[bytes], IO[bytes], int]:
    """(stream to parse, raw file for progress, raw size)."""
    raw = stack.enter_context(path.open("rb"))
    size = path.stat().st_size
    if raw.read(4) == b"PK\x03\x04":
        raw.seek(0)
        member = zip_member(path)
        if member is None:
            raise InputFileError(f"{path}: empty zip archive", path=str(path), reason="empty zip")
        zf = stack.enter_context(zipfile.ZipFile(raw))
        return stack.enter_context(zf.open(member)), raw, size
    raw.seek(0)
    return raw, raw, size


def _header(path: Path) -> tuple[str, list[str]]:
    with ExitStack() as stack:
        stream, _, _ = _open(path, stack)
        head = stream.read(65536)
    return header_fields(head)


def iter_crs(
    path: str | Path,
    *,
    columns: Sequence[str] | None = None,
    chunksize: int = 200_000,
    progress: bool | None = None,
) -> Iterator[pd.DataFrame]:
    """Stream a CRS file as converted chunks of at most ``chunksize`` rows (bounded memory).

    Each chunk has the output columns of :func:`read_crs` (money in plain units), without the
    donor/recipient codes and categories, which :func:`read_crs` adds once at the end.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "crs.txt")
    >>> text = "Year|DonorName|USD_Disbursement\\n2022|Japan|1.5\\n2023|Japan|0.25\\n"
    >>> _ = open(p, "w").write(text)
    >>> [list(c.columns) for c in iter_crs(p, columns=["Year", "USD_Disbursement"])]
    [['year', 'usd_disbursement']]
    >>> next(iter_crs(p))["usd_disbursement"].tolist()
    [1500000.0, 250000.0]
    """
    p = check_path(path)
    kind = sniff(p)
    if kind != "crs":
        raise InputFileError(
            f"{p}: not an OECD CRS file (its header has fewer than 3 CRS columns such as "
            f"Year, DonorName, PurposeCode, USD_Disbursement; detected: {kind})",
            path=str(p),
            reason="wrong layout",
        )
    sep, fields = _header(p)
    lookup = {f.lower(): f for f in fields}
    if columns is None:
        wanted = [lookup[c.lower()] for c in DEFAULT_COLUMNS if c.lower() in lookup]
    else:
        missing = [c for c in columns if c.lower() not in lookup]
        if missing:
            raise InputFileError(
                f"{p}: CRS columns {missing} are not in the file; it has {fields}",
                path=str(p),
                reason="missing columns",
            )
        wanted = [lookup[c.lower()] for c in columns]
    canonical = {f: next((k for k in CRS_COLUMNS if k.lower() == f.lower()), f) for f in wanted}
    show = sys.stderr.isatty() if progress is None else bool(progress)
    engine = _arrow_batches if _has_arrow() else _pandas_batches
    with ExitStack() as stack:
        stream, raw, size = _open(p, stack)
        bar = _Progress(p.name, size, show)
        rows = 0
        try:
            for chunk in engine(stream, sep, wanted, canonical, chunksize):
                rows += len(chunk)
                yield chunk
                bar.update(raw.tell(), rows)
        except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
            # pyarrow's ArrowInvalid is a ValueError
            line = rows + 2
            raise InputFileError(
                f"{p}: unreadable CRS data after line {line}: {str(exc).splitlines()[0]}",
                path=str(p),
                line=line,
                reason="unreadable CRS",
            ) from None
        bar.update(size, rows, final=True)


def _has_arrow() -> bool:
    try:
        import pyarrow.csv  # noqa: F401
    except ImportError:  # pragma: no cover - optional dependency
        return False
    return True


def _arrow_batches(
    stream: IO[bytes], sep: str, wanted: list[str], canonical: dict[str, str], chunksize: int
) -> Iterator[pd.DataFrame]:
    """Chunks parsed by pyarrow (multi-threaded), memory bounded by the chunk.

    The text is cut into blocks of whole lines (about ``chunksize`` rows each, never inside a
    quoted field) and each block is parsed on its own, so nothing but the current block and its
    converted chunk is alive at a time. (pyarrow's own streaming reader keeps more and more
    memory as the file grows, so it is not used.)
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    header = stream.readline()
    _, names = header_fields(header)
    first = stream.read(1 << 16)
    lines = first.count(b"\n")
    per_row = len(first) / lines if lines else 400
    # blocks of at most 10,000 rows parse fastest (measured: benchmarks/bench_read_crs.py);
    # a smaller chunksize gives smaller blocks
    rows = min(chunksize, _BLOCK_ROWS)
    block = int(min(max(per_row * rows, 1 << 12), 1 << 30))
    numbers = [f for f in wanted if canonical[f] in _MILLIONS or canonical[f] == "Year"]

    def options(quoted: bool, typed: bool) -> dict[str, Any]:
        types = {f: pa.string() for f in wanted}
        if typed:
            types.update({f: pa.float64() for f in numbers})
        return {
            "read_options": pcsv.ReadOptions(column_names=names),
            # newlines inside quoted values force a serial parse: only allow them when needed
            "parse_options": pcsv.ParseOptions(delimiter=sep, newlines_in_values=quoted),
            "convert_options": pcsv.ConvertOptions(
                include_columns=wanted,
                column_types=types,
                strings_can_be_null=True,
                null_values=[""],
            ),
        }

    def finish(table: Any) -> pd.DataFrame:
        """The output columns, computed in arrow (millions x 1e6, trimmed text, int years)."""
        columns = {}
        for name in wanted:
            c = canonical[name]
            col = table.column(name)
            if c in _MILLIONS:
                col = pc.multiply(col, 1e6)
            elif c == "Year":
                col = pc.cast(pc.round(col), pa.int64())
            elif c in _TEXT:
                col = pc.utf8_trim_whitespace(col)
            columns[CRS_COLUMNS.get(c, c)] = col
        return pa.table(columns).to_pandas(
            types_mapper={pa.int64(): pd.Int64Dtype()}.get, self_destruct=True
        )

    def parse(piece: bytes | memoryview, quoted: bool) -> pd.DataFrame:
        try:  # fast path: numbers parsed by pyarrow directly
            return finish(pcsv.read_csv(pa.py_buffer(piece), **options(quoted, True)))
        except pa.ArrowInvalid as exc:
            # " 0.73" or "n/a" in a number column: read as text, trim, convert (below);
            # bytes that are not UTF-8: replaced by U+FFFD, as pandas' encoding_errors="replace"
            if "UTF8" in str(exc) or "UTF-8" in str(exc):
                piece = bytes(piece).decode("utf-8", errors="replace").encode("utf-8")
        batch = pcsv.read_csv(pa.py_buffer(piece), **options(quoted, False))
        columns = {}
        for name in wanted:
            col = batch.column(name)
            if name in numbers:
                trimmed = pc.utf8_trim_whitespace(col)
                try:
                    col = pc.cast(trimmed, pa.float64())
                except pa.ArrowInvalid:  # a cell that is not a number: NaN, like pandas
                    values = pd.to_numeric(trimmed.to_pandas(), errors="coerce")
                    col = pa.chunked_array([pa.array(values, pa.float64())])
            columns[name] = col
        return finish(pa.table(columns))

    rest = first
    while True:
        data = stream.read(block)
        if not data:
            if rest.strip():
                yield parse(rest, rest.find(b'"') >= 0)
            return
        data = rest + data if rest else data
        cut = data.rfind(b"\n") + 1
        quoted = data.find(b'"', 0, cut) >= 0
        while cut and quoted and data.count(b'"', 0, cut) % 2:
            # the cut is inside a quoted field: cut at an earlier line end
            cut = data.rfind(b"\n", 0, cut - 1) + 1
        if not cut:
            rest = data
            continue
        rest = data[cut:]
        yield parse(memoryview(data)[:cut], quoted)  # no copy of the block
        del data


def _pandas_batches(
    stream: IO[bytes], sep: str, wanted: list[str], canonical: dict[str, str], chunksize: int
) -> Iterator[pd.DataFrame]:
    """Chunks through pandas' C parser (when pyarrow is not installed)."""
    dtypes = {f: "float64" if canonical[f] in _MILLIONS else "string" for f in wanted}
    chunks = pd.read_csv(
        stream,
        sep=sep,
        usecols=wanted,
        dtype=dtypes,
        chunksize=chunksize,
        encoding="utf-8-sig",
        encoding_errors="replace",
        keep_default_na=False,
        na_values=[""],
    )
    for chunk in chunks:
        yield _convert(chunk, canonical)


def _convert(chunk: pd.DataFrame, canonical: dict[str, str]) -> pd.DataFrame:
    out: dict[str, np.ndarray | pd.Series] = {}
    for src in chunk.columns:
        c = canonical[src]
        name = CRS_COLUMNS.get(c, c)
        col = chunk[src]
        if c in _MILLIONS:
            out[name] = col.to_numpy(dtype="float64") * 1e6
        elif c == "Year":
            out[name] = pd.to_numeric(col, errors="coerce").astype("Int64")
        elif c in _TEXT:
            out[name] = col.str.strip()
        else:
            out[name] = col
    return pd.DataFrame(out, index=chunk.index)


def read_crs(
    path: str | Path,
    *,
    columns: Sequence[str] | None = None,
    chunksize: int = 200_000,
    progress: bool | None = None,
    amount: Literal["commitment", "disbursement"] = "disbursement",
) -> ReadResult:
    """Read an OECD CRS bulk download into a pledge frame (USD in plain units).

    Parameters
    ----------
    path
        The CRS file: ``|``-, tab- or comma-separated text, UTF-8 with or without BOM, or a
        zip holding it (as downloaded from the OECD).
    columns
        CRS columns to read (case-insensitive). Default :data:`DEFAULT_COLUMNS` (everything
        but ``LongDescription``). Only these are parsed.
    chunksize
        At most this many rows are parsed at a time; bounds the memory used for reading
        (with pyarrow installed, blocks are further capped at 10,000 rows, which parse
        fastest).
    progress
        Draw a progress bar on stderr: ``None`` (default) when stderr is a terminal.
    amount
        Which CRS figure becomes ``amount``: ``"disbursement"`` (``USD_Disbursement``, status
        ``disbursed``) or ``"commitment"`` (``USD_Commitment``, status ``committed``). Both
        stay available as ``usd_disbursement`` / ``usd_commitment``.

    Returns
    -------
    ReadResult
        ``(frame, rejected)``. ``frame`` has one row per CRS row, in order: ``donor`` (code
        from ``DonorName``; multilateral agencies without a code are left empty),
        ``donor_name``, ``recipient`` (ISO3 from ``RecipientName``), ``year``, ``amount`` and
        ``currency`` (``USD``), ``status``, ``category`` (from ``PurposeCode`` via
        :func:`aidcalc.categorise`), then the CRS columns under lower-case names, money
        multiplied by 1,000,000 (``usd_commitment``, ``usd_disbursement``,
        ``usd_*_defl`` in the CRS base year's constant USD, ``commitment_national``...).
        ``rejected`` lists kept rows whose amount is empty and donors without a code.

    Raises
    ------
    InputFileError
        Missing file, not a CRS layout, requested columns absent, unreadable data (with the
        line).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "CRS 2022 data.txt")
    >>> _ = open(p, "w", encoding="utf-8-sig").write(
    ...     "Year|DonorName|RecipientName|PurposeCode|USD_Commitment|USD_Disbursement\\n"
    ...     "2022|Japan|Ukraine|15250|2.5|1.25\\n")
    >>> frame, rejected = read_crs(p)
    >>> frame[["donor", "recipient", "year", "amount", "currency", "category"]]
      donor recipient  year     amount currency  category
    0   JPN       UKR  2022  1250000.0      USD  demining
    >>> frame.attrs["units"]
    'USD (CRS millions x 1,000,000)'
    """
    if amount not in ("commitment", "disbursement"):
        raise ValueError(f"amount must be 'commitment' or 'disbursement', not {amount!r}")
    parts = list(iter_crs(path, columns=columns, chunksize=chunksize, progress=progress))
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    del parts
    source = str(path)
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
    money = f"usd_{amount}"
    if money in frame.columns:
        lead["amount"] = frame[money]
        # None as the fill is valid (object result); numpy's stubs only allow array-likes
        lead["currency"] = np.where(frame[money].notna(), "USD", None)  # type: ignore[call-overload]
        lead["status"] = "disbursed" if amount == "disbursement" else "committed"
        empty = frame[money].isna()
        if empty.any():
            rows = (frame.index[empty] + 2).tolist()
            problems.append(
                {
                    "source": source,
                    "row": f"lines {rows[:5]}{' ...' if len(rows) > 5 else ''}",
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
    return ReadResult(out, rejected_frame(problems))


def _codes(names: pd.Series) -> pd.Series:
    codes, unique = pd.factorize(names)  # each distinct name is looked up once
    if not len(unique):
        return pd.Series(pd.NA, index=names.index, dtype=object)
    uniq = pd.Series(np.asarray(unique, dtype=object))
    coded = donor_codes_or_na(pd.Series(uniq.to_numpy(), index=uniq.to_numpy()))
    # code -1 (missing) -> None; numpy's stubs reject None, valid in an object array
    table = np.append(coded.to_numpy(dtype=object), None)  # type: ignore[call-overload]
    return pd.Series(table[codes], index=names.index, dtype=object)


def _categories(codes: pd.Series) -> pd.Series:
    from ._categories import categorise

    keys, unique = pd.factorize(codes)
    if not len(unique):
        return pd.Series("other", index=codes.index, dtype=object)
    got = categorise(
        pd.DataFrame({"purpose_code": np.asarray(unique, dtype=object)}),
        purpose_code="purpose_code",
    )
    table = np.append(got["category"].to_numpy(dtype=object), "other")
    return pd.Series(table[keys], index=codes.index, dtype=object)
