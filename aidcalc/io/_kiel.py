"""The Kiel Institute's Ukraine Support Tracker to a pledge frame.

Two layouts are understood, through one declarative column table
(``_io_kiel_columns.csv``: output column, Kiel workbook header, processed-CSV header):

* the workbook (XLSX), sheet ``"Bilateral Assistance, MAIN DATA"``, one row per sub-activity;
  merged title rows above the header are skipped (the header row is found by its content);
* the processed CSV with Norwegian headers (``giver``, ``dato``, ``kategori``, ``maal``,
  ``verdi_eur``, ``verdi_eur_redistr``, ``verdi_eur_activity``, ...) published by the
  ``ukrainastotte`` dashboard.

Kiel's own EUR figures are kept (``amount`` = ``tot_sub_activity_value_EUR``,
``amount_redistr``, ``activity_amount``, ``delivered_amount``, all in EUR) next to the figure
as the source reported it (``reported_amount`` in ``reported_currency``), so users can
re-normalise with aidcalc and compare. ``status``: ``Commitment`` -> ``committed``,
``Allocation`` -> ``allocated`` (Kiel: a commitment is promised, an allocation is earmarked
for delivery; allocations can exceed commitments). ``category``: ``Military`` -> ``military``,
``Humanitarian`` -> ``humanitarian``, ``Financial`` -> ``budget_support`` (Kiel's financial aid
is grants, loans and guarantees to the Ukrainian state; the original is kept in ``aid_type``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from os import PathLike
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from .._base._compat import renamed_option
from .._base._dates import WINDOW_TEXT, iso_dates
from .._base._errors import InputFileError, describe_rows
from ._common import (
    MONEY,
    NOTE,
    ReadResult,
    Source,
    ZipLimits,
    check_mapped_columns,
    check_mapping,
    check_sheet,
    donor_codes_or_na,
    finish,
    in_window,
    open_source,
    read_delimited,
    read_workbook,
    refuse,
    rejected_frame,
    skipped_members,
)
from ._docs import shared_docs
from ._sniff import sniff

__all__ = ["DEFAULT_SHEET", "kiel_columns", "read_kiel"]

DEFAULT_SHEET = "Bilateral Assistance, MAIN DATA"
_HERE = Path(__file__).resolve().parent

STATUS = {"commitment": "committed", "allocation": "allocated"}
CATEGORY = {"military": "military", "humanitarian": "humanitarian", "financial": "budget_support"}


@cache
def _columns() -> pd.DataFrame:
    return pd.read_csv(_HERE / "_kiel_columns.csv", dtype=str, keep_default_na=False)


def kiel_columns() -> pd.DataFrame:
    """The documented column mapping: output column, workbook header, processed-CSV header.

    Examples
    --------
    >>> table = kiel_columns()
    >>> table.set_index("column").loc["amount", ["xlsx", "csv"]].tolist()
    ['tot_sub_activity_value_EUR', 'verdi_eur']
    """
    return _columns().copy()


def _norm(name: Any) -> str:
    return str(name).strip().lower()


def _layout(headers: list[Any]) -> str | None:
    names = {_norm(h) for h in headers}
    table = _columns()
    for layout in ("xlsx", "csv"):
        key = {_norm(h) for h in table[layout] if h}
        required = {
            _norm(table.set_index("column").loc[c, layout]) for c in ("donor_name", "amount")
        }
        if required <= names and len(key & names) >= 3:
            return layout
    return None


def _find_header(raw: pd.DataFrame, path: str, sheet: str | int) -> int:
    for i in range(min(len(raw), 40)):
        if _layout(raw.iloc[i].tolist()):
            return i
    expected = ", ".join(c for c in _columns()["xlsx"].head(8))
    raise InputFileError(
        f"{path}: sheet {sheet!r} has no Kiel header row in its first 40 rows "
        f"(expected columns such as {expected})",
        path=path,
        reason="wrong layout",
    )


def _read_xlsx(src: Source, sheet: str | int, limits: ZipLimits) -> pd.DataFrame:
    rows = read_workbook(src, sheet, limits)
    raw = pd.DataFrame(rows, dtype=object)
    header = _find_header(raw, src.label, sheet)
    names = [
        str(h).strip() if h is not None else f"unnamed_{j}" for j, h in enumerate(raw.iloc[header])
    ]
    body = raw.iloc[header + 1 :]
    body.columns = names
    body = body.dropna(how="all")  # blank rows of the sheet
    body.index = body.index + 1  # the sheet's own row numbers (1-based), for messages
    return body


def _read_csv(src: Source, limits: ZipLimits, member: str | None) -> tuple[pd.DataFrame, list[str]]:
    table, _, skipped = read_delimited(src, limits=limits, member=member, default_na=True)
    table.index = table.index + 2  # line numbers in the file (the header is line 1)
    return table, skipped


@shared_docs
def read_kiel(
    path: str | PathLike[str] | IO[bytes],
    *,
    sheet_name: str | int = DEFAULT_SHEET,
    mapping: Mapping[str, str] | None = None,
    member: str | None = None,
    max_uncompressed: int | None = None,
    max_ratio: float | None = None,
    storage_options: Mapping[str, Any] | None = None,
    return_rejected: bool = False,
    sheet: str | int | None = None,
) -> pd.DataFrame | ReadResult:
    """Read the Kiel Ukraine Support Tracker (workbook or processed CSV) into a pledge frame.

    Parameters
    ----------
    path
        The tracker workbook (``.xlsx``) or the processed CSV (Norwegian headers), as a path
        or a file object opened in binary mode; a zip holding the CSV is read too.
    sheet_name
        Workbook sheet to read, by name or number (ignored for CSV), as in
        :func:`pandas.read_excel`.
    mapping
        Extra ``{file column: output column}`` renames, applied after the built-in ones
        (see :func:`kiel_columns`), for releases that rename a column.
    %(member)s
    %(limits)s
    %(storage_options)s
    %(return_rejected)s
    %(sheet)s

    Returns
    -------
    DataFrame or ReadResult
        The frame, or ``(frame, rejected)`` with ``return_rejected=True``. ``frame``
        keeps every input row, in order: ``donor`` (code,
        ``EUI`` for EU institutions), ``donor_name`` (as in Kiel), ``recipient`` (``UKR``),
        ``announced``, ``amount`` and ``currency`` (Kiel's EUR value), ``amount_redistr``,
        ``activity_amount``, ``delivered_amount`` (EUR), ``reported_amount`` and
        ``reported_currency`` (the figure as the source reported it), ``aid_type``,
        ``category``, ``measure``, ``status``, ``source``, the other mapped columns, and any
        unmapped file columns unchanged. ``rejected`` lists problems in rows that are kept
        (unknown donor name, a value that is not a finite number such as ``inf``, a date
        that is not a date or is outside aidcalc's date window 1910-01-01..2100-12-31: never
        wrapped), and zip members not read; its ``row`` is the line in the CSV or the row number in
        the sheet. A header without rows gives an empty frame.

    Raises
    ------
    InputFileError
        Missing, empty or unreadable file, missing sheet, a table that is not in Kiel's
        layout, a zip or workbook that is damaged, encrypted or over the limits.
    %(bad_option)s

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "kiel.csv")
    >>> _ = open(path, "w", encoding="utf-8").write(
    ...     "giver,dato,kategori,maal,verdi_eur,verdi_eur_redistr\\n"
    ...     "Japan,2024-02-19,Financial ,Commitment,1.0e9,1.0e9\\n"
    ...     "Germany,,Military,Allocation,2.5e8,2.5e8\\n")
    >>> frame, rejected = read_kiel(path, return_rejected=True)
    >>> frame[["donor", "announced", "amount", "currency", "aid_type", "status"]]
      donor  announced        amount currency   aid_type     status
    0   JPN 2024-02-19  1.000000e+09      EUR  Financial  committed
    1   DEU        NaT  2.500000e+08      EUR   Military  allocated
    """
    old = renamed_option("read_kiel", "sheet", sheet, "sheet_name", None)
    sheet = sheet_name if old is None else old
    _check_options(sheet, mapping, member)
    limits = ZipLimits(max_uncompressed, max_ratio).checked()
    with open_source(path, storage_options=storage_options) as src:
        table, skipped = _read(src, sheet, limits, member)
    source = src.label
    table.columns = [str(c).strip() for c in table.columns]
    lines = table.index.to_numpy()  # where each row is in the file (line or sheet row)
    table = table.reset_index(drop=True)
    layout, renames = _renames(table, mapping, source)
    frame = table.rename(columns=renames)
    report = _Report(source, table, lines, renames, skipped_members(source, skipped))
    _clean_text(frame)
    _read_amounts(frame, report)
    _read_announced(frame, report)
    _status_and_category(frame, report)
    _donor_codes(frame, report)
    frame = _finish_frame(frame, table, renames, layout, source)
    return finish(
        ReadResult(frame, rejected_frame(report.problems)), return_rejected, reader="read_kiel"
    )


def _read(
    src: Source, sheet: str | int, limits: ZipLimits, member: str | None
) -> tuple[pd.DataFrame, list[str]]:
    """(the table as written, zip members not read): sniffed, then read as workbook or CSV."""
    kind = sniff(src.path, limits=limits, member=member, label=src.label)
    if kind in ("xlsx", "kiel_xlsx"):
        return _read_xlsx(src, sheet, limits), []
    if kind in ("csv", "kiel_csv"):
        return _read_csv(src, limits, member)
    raise InputFileError(
        f"{src.label}: looks like {kind}, not the Kiel tracker (an .xlsx workbook or its CSV)",
        path=src.label,
        reason="wrong layout",
    )


def _renames(
    table: pd.DataFrame, mapping: Mapping[str, str] | None, source: str
) -> tuple[str | None, dict[str, str]]:
    """(the layout found, file column -> output column): the documented table, then ``mapping``."""
    layout = _layout(list(table.columns))
    if layout is None and not mapping:
        expected = ", ".join(c for c in _columns()["xlsx"].head(6))
        raise InputFileError(
            f"{source}: not the Kiel tracker layout: expected columns such as {expected} "
            f"(or the processed CSV's giver, dato, verdi_eur); found {list(table.columns)[:8]}; "
            "pass mapping= to name them",
            path=source,
            reason="wrong layout",
        )
    renames: dict[str, str] = {}
    if layout:
        lookup = {_norm(c): c for c in table.columns}
        for out, name in zip(_columns()["column"], _columns()[layout], strict=True):
            if name and _norm(name) in lookup:
                renames[lookup[_norm(name)]] = out
    if mapping:
        check_mapped_columns(table.columns, mapping, source)
        renames.update(mapping)
    return layout, renames


class _Report:
    """The rejected-rows report being written: each cell named by its line and text as read."""

    def __init__(
        self,
        source: str,
        table: pd.DataFrame,
        lines: np.ndarray,
        renames: dict[str, str],
        problems: list[dict[str, Any]],
    ) -> None:
        self.source, self.table, self.lines, self.problems = source, table, lines, problems
        self.inverse = {v: k for k, v in renames.items()}

    def add(self, mask: pd.Series, column: str, reason: str) -> None:
        """One entry per row of ``mask``, with the cell as the file holds it."""
        name = self.inverse.get(column, column)
        for label in mask.index[mask.to_numpy()]:
            self.problems.append(
                {
                    "source": self.source,
                    "row": int(self.lines[label]),
                    "column": column,
                    "value": self.table.iloc[label][name],
                    "reason": reason,
                    "kind": MONEY,  # every cell reported here is money, its date or status
                }
            )


_TEXT_COLUMNS = ("aid_type", "aid_type_specific", "measure", "donor_name", "reported_currency")
_MONEY_COLUMNS = (
    "amount",
    "amount_redistr",
    "activity_amount",
    "delivered_amount",
    "reported_amount",
    "items_delivered",
)
_LEAD = (
    "donor",
    "donor_name",
    "recipient",
    "announced",
    "amount",
    "currency",
    "amount_redistr",
    "activity_amount",
    "delivered_amount",
    "reported_amount",
    "reported_currency",
    "aid_type",
    "aid_type_specific",
    "category",
    "measure",
    "status",
)


def _clean_text(frame: pd.DataFrame) -> None:
    """Text columns trimmed; empty text is empty (None)."""
    for col in _TEXT_COLUMNS:
        if col in frame.columns:
            text = frame[col].astype("string").str.strip()
            frame[col] = text.where(text != "").astype(object)


def _read_amounts(frame: pd.DataFrame, report: _Report) -> None:
    """Money columns as floats; text that is not a number and inf left empty, reported."""
    for col in _MONEY_COLUMNS:
        if col in frame.columns:
            raw = frame[col]
            num = pd.to_numeric(raw, errors="coerce").astype(float)
            bad = num.isna() & raw.notna() & (raw.astype("string").str.strip() != "")
            if bad.any():
                report.add(bad, col, f"{col}: not a number: left empty")
            infinite = pd.Series(np.isinf(num.to_numpy()), index=num.index)
            if infinite.any():  # "inf", "-Infinity", "1e400": never inf as money
                report.add(infinite, col, f"{col}: not a finite number: left empty")
            frame[col] = num.where(~infinite)


def _read_announced(frame: pd.DataFrame, report: _Report) -> None:
    """``announced`` as dates (workbook dates as they are, text as YYYY-MM-DD), in the window."""
    if "announced" not in frame.columns:
        return
    raw = frame["announced"]
    is_stamp = raw.map(lambda v: isinstance(v, (pd.Timestamp,)) or hasattr(v, "year"))
    text = raw.where(~is_stamp).astype("string").str.strip().str.slice(0, 10)
    parsed = iso_dates(text)
    stamps = pd.to_datetime(raw.where(is_stamp), errors="coerce")
    # in microseconds, which hold 9999-12-31 (pandas 2 parses into nanoseconds)
    dates = pd.Series(
        np.where(is_stamp, stamps.to_numpy("datetime64[us]"), parsed.to_numpy("datetime64[us]")),
        index=raw.index,
    )
    bad = dates.isna() & text.notna() & (text != "")
    if bad.any():
        report.add(bad, "announced", "announced: not a date (expected YYYY-MM-DD): left empty")
    dates, outside = in_window(dates)
    if outside.any():
        report.add(outside, "announced", f"announced: {WINDOW_TEXT}: left empty")
    frame["announced"] = dates


def _status_and_category(frame: pd.DataFrame, report: _Report) -> None:
    """``currency`` (EUR), ``status`` from ``measure``, ``category`` from ``aid_type``."""
    frame["currency"] = "EUR"
    if "measure" in frame.columns:
        frame["status"] = frame["measure"].str.lower().map(STATUS).astype(object)
        unknown = frame["measure"].notna() & frame["status"].isna()
        if unknown.any():
            why = "measure: expected Commitment or Allocation: status empty"
            report.add(unknown, "measure", why)
    if "aid_type" in frame.columns:
        frame["category"] = frame["aid_type"].str.lower().map(CATEGORY).fillna("other")


def _donor_codes(frame: pd.DataFrame, report: _Report) -> None:
    """``donor`` codes in front; each name without a code reported once, with its lines."""
    if "donor_name" not in frame.columns:
        return
    codes = donor_codes_or_na(frame["donor_name"])
    frame.insert(0, "donor", codes)
    unknown = codes.isna() & frame["donor_name"].notna()
    names = frame.loc[unknown, "donor_name"]
    groups = names.groupby(names, sort=True, observed=True).groups  # name -> its row labels
    for name, rows in groups.items():
        where = describe_rows(report.lines[rows.to_numpy()].tolist()).replace("(index", "(line")
        report.problems.append(
            {
                "source": report.source,
                "row": where,
                "column": "donor_name",
                "value": name,
                "reason": "donor name not recognised: donor code left empty "
                "(kept under donor_name)",
                "kind": NOTE,  # the money is as the file has it
            }
        )


def _finish_frame(
    frame: pd.DataFrame,
    table: pd.DataFrame,
    renames: dict[str, str],
    layout: str | None,
    source: str,
) -> pd.DataFrame:
    """Recipient and source set, unmapped number columns as numbers, the pledge columns first."""
    frame["recipient"] = "UKR"
    frame["source"] = source
    unmapped = [c for c in table.columns if c not in renames and c in frame.columns]
    for col in unmapped:  # numbers as numbers, so .sum() adds instead of concatenating
        frame[col] = numeric_if_numbers(frame[col])
    lead = [c for c in _LEAD if c in frame.columns]
    frame = frame[lead + [c for c in frame.columns if c not in lead]]
    frame.attrs["source"] = source
    frame.attrs["format"] = f"Kiel Ukraine Support Tracker ({layout or 'mapped'} layout)"
    frame.attrs["units"] = "amount, amount_redistr, activity_amount, delivered_amount: EUR"
    return frame


def _check_options(sheet: Any, mapping: Any, member: Any) -> None:
    use = "the name (str) or number (int, 0 is the first) of a sheet"
    check_sheet(sheet, use, use)
    use = "a dict of file column -> output column, or None"
    check_mapping(mapping, use, use)
    if member is not None and not isinstance(member, str):
        use = "a zip member name or None"
        raise refuse("member", member, use, use)


_CODE_LIKE = r"^\s*[+-]?0\d"  # "007", "01234": codes, kept as text


def numeric_if_numbers(col: pd.Series) -> pd.Series:
    """``col`` as numbers when every non-empty cell is a finite number, else unchanged.

    Empty cells become NaN; a column with a code-like value (``"007"``: a leading zero
    would be lost), text, dates, ``inf`` or no value at all stays as it is.

    Examples
    --------
    >>> numeric_if_numbers(pd.Series(["1", " 2.5", None, ""], dtype=object)).tolist()
    [1.0, 2.5, nan, nan]
    >>> numeric_if_numbers(pd.Series(["1", "two"], dtype=object)).tolist()
    ['1', 'two']
    >>> numeric_if_numbers(pd.Series(["007", "12"], dtype=object)).tolist()
    ['007', '12']
    """
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        return col
    text = col.astype("string").str.strip()
    filled = text.notna() & (text != "")
    if not filled.any() or text[filled].str.contains(_CODE_LIKE, regex=True).any():
        return col
    try:
        num = pd.to_numeric(text.where(filled), errors="coerce")
    except (TypeError, ValueError):  # pragma: no cover - coerce does not raise
        return col
    num = num.astype("Float64").astype(float) if num.dtype != "int64" else num
    if (num.isna() & filled).any() or np.isinf(num.to_numpy(dtype=float, na_value=np.nan)).any():
        return col
    return pd.Series(num.to_numpy(), index=col.index, name=col.name)
