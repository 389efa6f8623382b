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

import io
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._dates import parse_dates
from ._errors import InputFileError, ValidationError
from ._io_common import check_path
from ._io_sniff import header_fields, sniff

if TYPE_CHECKING:
    from ._frame import Pledges
    from ._locale import LocaleLike

__all__ = ["read_frame", "read_table"]

def read_frame(path: Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV / XLSX / Parquet file as given (all text cells as text).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(p, "w", encoding="utf-8-sig").write("Land;Betrag\\nJapan;1.250.000,50\\n")
    >>> read_frame(Path(p))
        Land        Betrag
    0  Japan  1.250.000,50
    """
    kind = sniff(path)
    try:
        if kind in ("xlsx", "kiel_xlsx"):
            return _read_xlsx(path, sheet)
        if kind == "parquet":
            return pd.read_parquet(path)
        if kind in ("csv", "crs", "kiel_csv"):
            with path.open("rb") as fh:
                sep, _ = header_fields(fh.read(65536))
            return pd.read_csv(
                path,
                sep=sep,
                dtype=object,
                encoding="utf-8-sig",
                keep_default_na=False,
                na_values=[""],
                skipinitialspace=True,
            )
    except InputFileError:
        raise
    except ImportError as exc:
        raise InputFileError(
            f"{path}: reading {kind} needs an optional package ({exc.name}); "
            "pip install 'aidcalc[xlsx]' or 'aidcalc[parquet]'",
            path=str(path),
            reason="missing optional dependency",
        ) from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputFileError(
            f"{path}: unreadable {kind} ({str(exc).splitlines()[0]})",
            path=str(path),
            reason=f"unreadable {kind}",
        ) from None
    except Exception as exc:  # pyarrow / openpyxl raise many types on broken files
        raise InputFileError(
            f"{path}: unreadable {kind} file ({type(exc).__name__}: {str(exc).splitlines()[0]})",
            path=str(path),
            reason=f"unreadable {kind}",
        ) from None
    raise InputFileError(
        f"{path}: not a table aidcalc can read (detected {kind}); use CSV, XLSX or Parquet, "
        "or aidcalc.io.read_any for IATI/CRS/Kiel files",
        path=str(path),
        reason="unsupported format",
    )


def _read_xlsx(path: Path, sheet: str | int | None) -> pd.DataFrame:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    try:
        names = book.sheetnames
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise InputFileError(
                    f"{path}: no sheet number {sheet}; the workbook has {names}",
                    path=str(path),
                    reason="missing sheet",
                )
            name = names[sheet]
        elif sheet in names:
            name = sheet
        else:
            raise InputFileError(
                f"{path}: no sheet {sheet!r}; the workbook has {names}",
                path=str(path),
                reason="missing sheet",
            )
        rows = list(book[name].iter_rows(values_only=True))
    finally:
        book.close()
    if not rows:
        return pd.DataFrame()
    header = [str(h).strip() if h is not None else f"unnamed_{j}" for j, h in enumerate(rows[0])]
    body = pd.DataFrame(rows[1:], columns=header, dtype=object)
    return body.dropna(how="all").reset_index(drop=True)


def _parse_dates(raw: pd.Series, locale_id: str | None) -> tuple[pd.Series, pd.Series]:
    """(datetime64 series, reason series: "" where fine), aligned with ``raw``; read by the
    strict reader :func:`aidcalc._dates.parse_dates` (nothing guessed)."""
    got = parse_dates(raw, locale=locale_id, mixed_offsets=False)
    reasons = pd.Series("", index=raw.index, dtype=object)
    bad = got.bad
    if bad.any():
        why = got.reasons[bad]
        reasons[bad] = "announced: " + why + " (" + raw[bad].astype(str).map(repr) + ")"
    return got.dates, reasons


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
            except (NumberFormatError, ValueError):
                parsed[s] = None
        got = text.map(parsed)
        values[got.index[got.notna()]] = got[got.notna()].astype(float)
        leftover[got.index[got.isna()]] = text[got.isna()]
    return values.astype(float), leftover


def read_table(
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    sheet: str | int | None = None,
    locale: LocaleLike | None = None,
) -> Pledges:
    """Read a user's CSV / XLSX / Parquet table of pledges into a pledge frame.

    Parameters
    ----------
    path
        The file; its format is detected from the content (delimiter, BOM, zip, ``PAR1``).
    mapping
        ``{file column: role}``, e.g. ``{"Land": "donor", "Betrag": "amount_text"}``; roles are
        the pledge-frame columns (``donor``, ``announced``, ``amount``, ``currency``,
        ``amount_text``, ...). Common names (``Date``, ``Value``, ``Currency``) need none.
    sheet
        Workbook sheet name or number (default: the first).
    locale
        Language of the table (``Locale | str``): decides how ``1.250.000,50`` and
        ``03/04/2024`` are read, and the language of amount texts and donor names.

    Returns
    -------
    Pledges
        ``(frame, rejected)`` exactly as :func:`aidcalc.pledges` returns it: ``rejected`` holds
        the rows as they are in the file plus a ``reason``; ``len(frame) + len(rejected)`` is
        the number of data rows.

    Raises
    ------
    InputFileError
        Missing, unreadable or unsupported file, missing sheet, mapping naming absent columns.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "zusagen.csv")
    >>> _ = open(p, "w", encoding="utf-8").write(
    ...     "Land;Datum;Betrag;Währung\\n"
    ...     "Japan;19.02.2024;1.250.000,50;JPY\\n"
    ...     "Deutschland;31.13.2024;5 Mrd. €;\\n")
    >>> roles = {"Land": "donor", "Datum": "announced", "Betrag": "amount", "Währung": "currency"}
    >>> frame, rejected = read_table(p, locale="de", mapping=roles)
    >>> frame[["donor", "announced", "amount", "currency"]]
      donor  announced     amount currency
    0   JPN 2024-02-19  1250000.5      JPY
    >>> rejected["reason"].tolist()
    ["announced: impossible date ('31.13.2024')"]
    """
    from ._frame import _ROLE_ALIASES, pledges

    p = check_path(path)
    raw = read_frame(p, sheet=sheet)
    raw.columns = [str(c).strip() for c in raw.columns]
    table = raw.copy()
    renames: dict[str, str] = {}
    if mapping:
        missing = [c for c in mapping if c not in table.columns]
        if missing:
            raise InputFileError(
                f"{p}: mapping names columns that are not in the file: {missing}; "
                f"the file has {list(table.columns)}",
                path=str(p),
                reason="bad mapping",
            )
        renames.update(mapping)
    taken = set(renames.values())
    for col in table.columns:
        role = _ROLE_ALIASES.get(col.lower().replace(" ", "_"))
        if col not in renames and role and role not in taken and role not in table.columns:
            renames[col] = role
            taken.add(role)
    table = table.rename(columns=renames)
    locale_id = None if locale is None else str(locale)
    reasons = pd.Series("", index=table.index, dtype=object)
    if "announced" in table.columns:
        dates, why = _parse_dates(table["announced"], locale_id)
        table["announced"] = dates
        reasons = why
    if "amount" in table.columns and not pd.api.types.is_numeric_dtype(table["amount"]):
        values, leftover = _parse_numbers(table["amount"], locale_id or "en")
        table["amount"] = values
        if leftover.notna().any():  # amounts written with currency or scale words
            if "amount_text" not in table.columns:
                table["amount_text"] = leftover
            else:
                table["amount_text"] = table["amount_text"].fillna(leftover)
    bad = reasons != ""
    try:
        if bad.all():  # nothing left to build a frame from (pledges() needs a row)
            result = pledges(table.iloc[:0].astype(object), locale=locale)
        else:
            result = pledges(table.loc[~bad], locale=locale)
    except ValidationError as exc:
        raise InputFileError(f"{p}: {exc.message}", path=str(p), reason="wrong layout") from None
    mine = raw.loc[bad].copy()
    mine["reason"] = reasons[bad]
    theirs = raw.loc[result.rejected.index].copy()
    theirs["reason"] = result.rejected["reason"]
    rejected = pd.concat([mine, theirs]).sort_index() if len(mine) else theirs
    frame = result.frame
    frame.attrs["source"] = str(p)
    return type(result)(frame, rejected)
