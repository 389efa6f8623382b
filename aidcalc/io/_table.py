"""Any table a user keeps (CSV, XLSX, Parquet) to a pledge frame, via :func:`aidcalc.pledges`.

This module reads the file (by content, not extension), applies the column mapping, reads
amounts written as text in the given locale and dates in the formats people use, and hands the
result to :func:`aidcalc.pledges`, so the rejected-rows report is the same as there: the rows
as they were in the file, plus a ``reason``.

Dates: ISO ``YYYY-MM-DD`` always; ``DD.MM.YYYY`` and ``DD/MM/YYYY`` / ``MM/DD/YYYY`` by the
locale's CLDR short date pattern (``de``: day first with dots; ``fr``, ``it``, ``en_GB``: day
first with slashes; ``en_US``: month first). Plain ``en`` or no locale: slashed dates are read
only when the column settles the order (a first number above 12 means day first, a second
number above 12 means month first); otherwise the row is rejected as ambiguous, never guessed.
Two-digit years are rejected.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from .._base._compat import renamed_option
from .._base._dates import WINDOW_TEXT, outside_window, parse_dates
from .._base._errors import InputFileError, ValidationError
from ._common import (
    ReadResult,
    Source,
    ZipLimits,
    check_mapped_columns,
    check_mapping,
    check_member,
    check_parquet,
    check_path,
    check_sheet,
    finish,
    not_a_workbook,
    open_source,
    option_error,
    read_delimited,
    read_workbook,
)
from ._docs import shared_docs
from ._sniff import sniff

if TYPE_CHECKING:
    from .._base._locale import LocaleLike
    from ._pledge_table import Pledges

__all__ = ["read_frame", "read_table"]


def read_frame(
    path: str | Path | Source,
    *,
    sheet: str | int | None = None,
    member: str | None = None,
    limits: ZipLimits | None = None,
) -> pd.DataFrame:
    """Read a CSV / XLSX / Parquet file as given (all text cells as text).

    Zip archives (workbooks, a zipped CSV) and Parquet files are checked against ``limits``
    before anything is decompressed (see :func:`aidcalc.io._zip.open_zip`).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(p, "w", encoding="utf-8-sig").write("Land;Betrag\\nJapan;1.250.000,50\\n")
    >>> read_frame(Path(p))
        Land        Betrag
    0  Japan  1.250.000,50
    """
    src = path if isinstance(path, Source) else Source(check_path(path, regular=True), str(path))
    frame, _ = _read_frame(src, sheet=sheet, member=member, limits=limits)
    return frame


def _read_frame(
    src: Source, *, sheet: str | int | None, member: str | None, limits: ZipLimits | None
) -> tuple[pd.DataFrame, list[str]]:
    """(the table, zip members not read)."""
    kind = sniff(src.path, limits=limits, member=member, label=src.label)
    if kind in ("xlsx", "kiel_xlsx"):
        if member is not None:
            raise option_error(
                "member",
                member,
                f"member={member!r} is only for zipped CSV files; {src.label} is a workbook "
                "(use sheet_name= to choose a sheet)",
                "None for a workbook",
            )
        return _from_rows(read_workbook(src, sheet, limits)), []
    if kind != "xlsx":
        not_a_workbook(sheet, src.label, "a Parquet file" if kind == "parquet" else "a CSV table")
    if kind == "parquet":
        check_parquet(src, limits)
        try:
            return pd.read_parquet(src.path), []
        except ImportError as exc:
            raise InputFileError(
                f"{src.label}: reading parquet needs an optional package ({exc.name}); "
                "pip install 'aidcalc[parquet]'",
                path=src.label,
                reason="missing optional dependency",
            ) from None
        except Exception as exc:  # pyarrow raises many types on broken files
            raise InputFileError(
                f"{src.label}: unreadable parquet file ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc).strip() else 'no detail'})",
                path=src.label,
                reason="unreadable parquet",
            ) from None
    if kind in ("csv", "crs", "kiel_csv"):
        frame, _, skipped = read_delimited(src, limits=limits, member=member)
        return frame, skipped
    raise InputFileError(
        f"{src.label}: not a table aidcalc can read (detected {kind}); use CSV, XLSX or "
        "Parquet, or aidcalc.io.read_any for IATI/CRS/Kiel files",
        path=src.label,
        reason="unsupported format",
    )


def _from_rows(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame()
    header = [str(h).strip() if h is not None else f"unnamed_{j}" for j, h in enumerate(rows[0])]
    body = pd.DataFrame(rows[1:], columns=header, dtype=object)
    return body.dropna(how="all").reset_index(drop=True)


def _parse_dates(raw: pd.Series, locale_id: str | None) -> tuple[pd.Series, pd.Series]:
    """(datetime64[ns] series, reason series: "" where fine), aligned with ``raw``; read by
    the strict reader :func:`aidcalc._base._dates.parse_dates` (nothing guessed; a date outside
    its window 1900-2100 is refused with the reason, never wrapped). Read in days and
    checked against the window again here, before the cast to nanoseconds."""
    got = parse_dates(raw, locale=locale_id, mixed_offsets=False, unit="D")
    reasons = pd.Series("", index=raw.index, dtype=object)
    bad = pd.Series(got.bad, index=raw.index)
    outside = pd.Series(outside_window(got.values), index=raw.index) & ~bad
    if outside.any():  # a guard: parse_dates refuses these itself
        bad |= outside
    if bad.any():
        why = got.reasons[bad].fillna(WINDOW_TEXT)
        reasons[bad] = "announced: " + why + " (" + raw[bad].astype(str).map(repr) + ")"
    days = pd.Series(got.values, index=raw.index)
    return days.where(~bad).astype("datetime64[ns]"), reasons


def _parse_numbers(raw: pd.Series, locale_id: str) -> tuple[pd.Series, pd.Series]:
    """(float series, texts that are not plain numbers: to be read as amount text)."""
    from babel.numbers import NumberFormatError, get_decimal_symbol, parse_decimal

    is_text = raw.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False).astype(bool)
    values = pd.to_numeric(raw.where(~is_text), errors="coerce").astype(float)
    text = raw[is_text].astype(str).str.strip()
    text = text[text != ""]
    if get_decimal_symbol(locale_id) == ".":  # plain "1500.5" is read directly
        direct = pd.to_numeric(text, errors="coerce")
        values[direct.index[direct.notna()]] = direct[direct.notna()]
        text = text[direct.isna()]
    # elsewhere "2.000" is two thousand: every text goes through the locale's rules
    leftover: pd.Series = pd.Series(np.nan, index=raw.index, dtype=object)  # texts or NaN
    if len(text):
        parsed: dict[str, float | None] = {}
        for s in text.unique():  # unique strings only
            try:
                parsed[s] = float(parse_decimal(s, locale=locale_id, strict=True))
            except (NumberFormatError, ValueError, ArithmeticError):  # decimal.InvalidOperation
                parsed[s] = None
        got = text.map(parsed)
        values[got.index[got.notna()]] = got[got.notna()].astype(float)
        leftover[got.index[got.isna()]] = text[got.isna()]
    return values.astype(float), leftover


@shared_docs
def read_table(
    path: str | PathLike[str] | IO[bytes],
    *,
    mapping: Mapping[str, str] | None = None,
    sheet_name: str | int | None = None,
    locale: LocaleLike | None = None,
    member: str | None = None,
    max_uncompressed: int | None = None,
    max_ratio: float | None = None,
    storage_options: Mapping[str, Any] | None = None,
    return_rejected: bool = False,
    sheet: str | int | None = None,
) -> pd.DataFrame | Pledges:
    """Read a user's CSV / XLSX / Parquet table of pledges into a pledge frame.

    Parameters
    ----------
    path
        The file (a path, or a file object opened in binary mode); its format is detected
        from the content (delimiter, BOM, zip, ``PAR1``). A zipped CSV is read when the
        archive holds only it (or ``member=`` names it).
    mapping
        ``{file column: role}``, e.g. ``{"Land": "donor", "Betrag": "amount_text"}``; roles are
        the pledge-frame columns (``donor``, ``announced``, ``amount``, ``currency``,
        ``amount_text``, ...). Common names (``Date``, ``Value``, ``Currency``) need none.
    %(sheet_name)s
    locale
        Language of the table (``Locale | str``): decides how ``1.250.000,50`` and
        ``03/04/2024`` are read, and the language of amount texts and donor names.
    %(member)s
    %(limits)s
    %(storage_options)s
    %(return_rejected)s
    %(sheet)s

    Returns
    -------
    DataFrame or Pledges
        The frame, or ``(frame, rejected)`` with ``return_rejected=True``, exactly as
        :func:`aidcalc.pledges` returns them: ``rejected`` holds
        the rows as they are in the file plus a ``reason``; ``len(frame) + len(rejected)`` is
        the number of data rows. Amounts that are not finite numbers (``inf``, ``NaN``,
        ``1e400``) and dates outside aidcalc's window 1900-2100 are rejected with the reason,
        never taken (never wrapped). A header without rows gives empty frames.

    Raises
    ------
    InputFileError
        Missing, empty, unreadable or unsupported file (never a raw error from the parser),
        missing sheet, mapping naming absent columns, a zip or workbook that is damaged,
        encrypted, over the limits or holds several files.
    %(bad_option)s

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "zusagen.csv")
    >>> _ = open(p, "w", encoding="utf-8").write(
    ...     "Land;Datum;Betrag;Währung\\n"
    ...     "Japan;19.02.2024;1.250.000,50;JPY\\n"
    ...     "Deutschland;31.13.2024;5 Mrd. €;\\n")
    >>> roles = {"Land": "donor", "Datum": "announced", "Betrag": "amount", "Währung": "currency"}
    >>> frame, rejected = read_table(p, locale="de", mapping=roles, return_rejected=True)
    >>> frame[["donor", "announced", "amount", "currency"]]
      donor  announced     amount currency
    0   JPN 2024-02-19  1250000.5      JPY
    >>> rejected["reason"].tolist()
    ["announced: impossible date ('31.13.2024')"]
    """
    sheet_name = renamed_option("read_table", "sheet", sheet, "sheet_name", sheet_name)
    _check_table_options(mapping, sheet_name, member)
    limits = ZipLimits(max_uncompressed, max_ratio).checked()
    with open_source(path, storage_options=storage_options) as src:
        raw, skipped = _read_frame(src, sheet=sheet_name, member=member, limits=limits)
    if skipped and member is None:
        raise InputFileError(
            f"{src.label}: the zip archive also holds {skipped}, which read_table does not "
            "read; pass member= the one file to read",
            path=src.label,
            reason="several zip members",
        )
    raw.columns = [str(c).strip() for c in raw.columns]
    table = raw.rename(columns=_renames(raw, mapping, src.label))
    locale_id = None if locale is None else str(locale)
    reasons = pd.Series("", index=table.index, dtype=object)
    if "announced" in table.columns:
        table["announced"], reasons = _parse_dates(table["announced"], locale_id)
    if "amount" in table.columns:
        _read_amounts(table, raw, reasons, locale_id)
    result, rejected = _to_pledges(table, raw, reasons, locale, src.label)
    frame = result.frame
    frame.attrs["source"] = src.label
    if skipped:  # the caller chose member=: the other files of the archive, said
        frame.attrs["not_read"] = rejected.attrs["not_read"] = skipped
    return finish(ReadResult(frame, rejected), return_rejected, reader="read_table")


def _renames(raw: pd.DataFrame, mapping: Mapping[str, str] | None, label: str) -> dict[str, str]:
    """File column -> role: ``mapping`` first (its columns must be in the file), then columns
    named like a role (``Donor``), by the pledges layer's one rule."""
    from .._pledges._frame import role_renames

    if mapping:
        check_mapped_columns(raw.columns, mapping, label)
    return role_renames(raw.columns, mapping)


def _read_amounts(
    table: pd.DataFrame, raw: pd.DataFrame, reasons: pd.Series, locale_id: str | None
) -> None:
    """``amount`` as numbers (text in the locale's format; text with currency or scale words
    kept for :func:`aidcalc.pledges` as ``amount_text``); inf refused, with the reason."""
    if not pd.api.types.is_numeric_dtype(table["amount"]):
        values, leftover = _parse_numbers(table["amount"], locale_id or "en")
        table["amount"] = values
        if leftover.notna().any():  # amounts written with currency or scale words
            if "amount_text" not in table.columns:
                table["amount_text"] = leftover
            else:
                table["amount_text"] = table["amount_text"].fillna(leftover)
    # never inf as money: "inf", "-Infinity", "1e400" (overflow) are refused, not taken
    amounts = pd.to_numeric(table["amount"], errors="coerce").astype(float)
    infinite = np.isinf(amounts.to_numpy())
    if infinite.any():
        # the original columns keep their places when renamed
        source = raw.columns[list(table.columns).index("amount")]
        texts = raw.loc[infinite, source].astype(str).map(repr)
        why = "amount: not a finite number (" + texts + ")"
        reasons[infinite] = np.where(reasons[infinite] == "", why, reasons[infinite] + "; " + why)
        table["amount"] = amounts.where(~infinite)


def _to_pledges(
    table: pd.DataFrame,
    raw: pd.DataFrame,
    reasons: pd.Series,
    locale: LocaleLike | None,
    label: str,
) -> tuple[ReadResult, pd.DataFrame]:
    """(:func:`aidcalc.pledges` of the rows without a reason, the rejected rows as the file
    has them with their reason: those refused here and those :func:`aidcalc.pledges` refused)."""
    from ._pledge_table import pledges

    bad = reasons != ""
    try:
        if bad.all():  # nothing left to build a frame from (pledges() needs a row)
            result = pledges(table.iloc[:0].astype(object), locale=locale, return_rejected=True)
        else:
            result = pledges(table.loc[~bad], locale=locale, return_rejected=True)
    except ValidationError as exc:
        raise InputFileError(f"{label}: {exc.message}", path=label, reason="wrong layout") from None
    mine = raw.loc[bad].copy()
    mine["reason"] = reasons[bad]
    result = cast(ReadResult, result)
    theirs = raw.loc[result.rejected.index].copy()
    theirs["reason"] = result.rejected["reason"]
    rejected = pd.concat([mine, theirs]).sort_index() if len(mine) else theirs
    return result, rejected


def _check_table_options(mapping: Any, sheet: Any, member: Any) -> None:
    check_mapping(
        mapping,
        "a dict of file column -> role, e.g. {'Land': 'donor', 'Betrag': 'amount'}, or None",
        "dict[str, str] or None",
    )
    check_sheet(
        sheet,
        "a sheet name (str), a sheet number (int, 0 is the first) or None for the first",
        "str, int or None",
        allow_none=True,
    )
    check_member(member)
