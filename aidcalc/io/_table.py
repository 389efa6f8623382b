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
Two-digit years are rejected. A month or a year without a day (``2024-06``, ``2024``) is
kept as written, for :func:`aidcalc.pledges` to keep and note.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from .._base._compat import renamed_option
from .._base._dates import COARSE, WINDOW_TEXT, outside_window, parse_dates
from .._base._errors import InputFileError, ValidationError, join_values
from .._money._parsing import read_plain_numbers
from ._common import (
    LEFT_OUT,
    MONEY,
    NOTE,
    ReadResult,
    Source,
    ZipLimits,
    check_count,
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
from ._layout import Unit, amount_unit, header_pick, note_rows, row_text, total_rows
from ._result import REPEATS
from ._sniff import sniff
from ._tables import Grid, HeaderPick, delimited_grid, not_found, workbook_grid

if TYPE_CHECKING:
    from .._base._locale import LocaleLike
    from ._pledge_table import Pledges

__all__ = ["read_frame", "read_table", "read_user_table"]


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


def read_user_table(
    src: Source, *, sheet: str | int | None, mapping: Mapping[str, str] | None, locale_id: str
) -> pd.DataFrame:
    """A user's table as :func:`aidcalc.pledges` reads a file: every cell as written, under
    the header found by :func:`read_table`'s rule (title rows above it skipped)."""
    pick = header_pick(mapping, locale_id)
    return _read_grid(src, sheet, None, None, pick, None).frame


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
    its window 1910-01-01..2100-12-31 is refused with the reason, never wrapped). Read in days and
    checked against the window again here, before the cast to nanoseconds."""
    got = parse_dates(raw, locale=locale_id, mixed_offsets=False, unit="D")
    reasons = pd.Series("", index=raw.index, dtype=object)
    coarse = pd.Series(got.kind == COARSE, index=raw.index)  # "2024-06", "2024": for pledges()
    bad = pd.Series(got.bad, index=raw.index) & ~coarse
    outside = pd.Series(outside_window(got.values), index=raw.index) & ~bad
    if outside.any():  # a guard: parse_dates refuses these itself
        bad |= outside
    if bad.any():
        why = got.reasons[bad].fillna(WINDOW_TEXT)
        reasons[bad] = "announced: " + why + " (" + raw[bad].astype(str).map(repr) + ")"
    days = pd.Series(got.values, index=raw.index).where(~bad & ~coarse).astype("datetime64[ns]")
    if coarse.any():  # kept as written: aidcalc.pledges reads, keeps and notes them
        return days.astype(object).where(~coarse, raw), reasons
    return days, reasons


#: whether each cell is text (numpy's ufunc over objects: no fillna of a float mask)
_IS_TEXT = np.frompyfunc(lambda v: isinstance(v, str), 1, 1)


def _parse_numbers(raw: pd.Series, locale_id: str) -> tuple[pd.Series, pd.Series]:
    """(float series, texts that are not plain numbers: to be read as amount text)."""
    from babel.numbers import NumberFormatError, get_decimal_symbol, parse_decimal

    is_text = pd.Series(_IS_TEXT(raw.to_numpy(dtype=object)).astype(bool), index=raw.index)
    values = pd.to_numeric(raw.where(~is_text), errors="coerce").astype(float)
    text = raw[is_text].astype(str).str.strip()
    text = text[text != ""]
    if get_decimal_symbol(locale_id) == ".":  # plain "1500.5" is read directly
        direct = pd.to_numeric(text, errors="coerce")
        values[direct.index[direct.notna()]] = direct[direct.notna()]
        text = text[direct.isna()]
    # elsewhere "2.000" is two thousand: every text goes through the locale's rules, the
    # well-formed ones at once ("1,250,000" in en), the others one distinct text at a time
    leftover: pd.Series = pd.Series(np.nan, index=raw.index, dtype=object)  # texts or NaN
    if len(text):
        fast = read_plain_numbers(text, locale_id)
        values[fast.index[fast.notna()]] = fast[fast.notna()]
        text = text[fast.isna()]
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
    header_row: int | None = None,
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
        ``amount_text``, ...). Common names (``Date``, ``Value``, ``Currency``) need none,
        nor does a column whose header names a currency or a scale (``Amount (EUR
        million)``, ``USD bn``, ``€m``, ``Mio. EUR``, ``金額（百万円）``). Whichever column
        is the amount, by ``mapping`` or not, the scale its header names multiplies its
        numbers (``1.5`` under ``Amount (EUR million)`` is 1,500,000 EUR) and the currency
        it names is the rows' currency when there is no currency column; a currency column
        that says otherwise for a row rejects that row, with the reason. The header words
        are read in the table's ``locale`` (``Mio.`` is German: an English table with such
        a header is an error asking for ``locale="de"``).
    %(sheet_name)s
    locale
        Language of the table (``Locale | str``): decides how ``1.250.000,50`` and
        ``03/04/2024`` are read, and the language of amount texts and donor names.
    %(member)s
    %(limits)s
    %(storage_options)s
    %(return_rejected)s
    %(sheet)s
    header_row
        The line of the header (``1`` is the first line of a CSV file, or row 1 of a sheet).
        By default the header is the first of the first 50 rows (and 64 KiB of text) that
        names a donor and an amount column (or every column of ``mapping``); the rows above
        it (a title, a source line) are notes, in ``frame.attrs["notes"]``, and the line
        found is ``frame.attrs["header_row"]``. When no row qualifies, line 1 is the header,
        as before, and the error that follows says what was tried.

    Returns
    -------
    DataFrame or Pledges
        The frame, or ``(frame, rejected)`` with ``return_rejected=True``, exactly as
        :func:`aidcalc.pledges` returns them: ``rejected`` holds
        the rows as they are in the file plus ``reason``, ``kept`` and ``kind`` (rows left
        out, and kept rows with a note or a changed status: a donor code column
        disagreeing with the name, a month-only date, a ``total_to_date`` status);
        ``len(frame)`` plus the entries left out is the number of data rows. Amounts that
        are not finite numbers (``inf``, ``NaN``, ``1e400``) and dates outside aidcalc's
        window 1910-01-01..2100-12-31 are rejected with the reason, never taken (never
        wrapped). A date
        with only a month or a year keeps its row and its text (see :func:`aidcalc.pledges`).
        A header without rows gives empty frames.

        Rows that are not pledges are left out with an entry: a row labelled ``Total`` /
        ``Sum`` / ``Gesamt`` / ``Insgesamt`` / ``合計`` (``io/_total_words.csv``) whose amount
        is the sum of the rows it totals (those above it since the previous total, all
        above it, or the same below it, up to 0.5 % for rounding) would count their money
        twice (kind ``"left out"``); a total that is not such a sum is kept and reported
        (kind ``"money"``); a row without an amount and with text in one cell only is a
        note (``Note: figures rounded``; kind ``"note"``). The report has the file's columns,
        the ``amount`` and ``currency`` read (unless the file has columns of these names),
        ``reason``, ``kind``, ``kept`` and ``line`` (the row's line in the file). The scale
        and currency taken from a header are in ``frame.attrs["units"]``.

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
    _check_table_options(mapping, sheet_name, member, header_row)
    limits = ZipLimits(max_uncompressed, max_ratio).checked()
    locale_id = None if locale is None else str(locale)
    pick = header_pick(mapping, locale_id or "en")
    with open_source(path, storage_options=storage_options) as src:
        grid = _read_grid(src, sheet_name, member, limits, pick, header_row)
    if grid.skipped and member is None:
        raise InputFileError(
            f"{src.label}: the zip archive also holds {grid.skipped}, which read_table does "
            "not read; pass member= the one file to read",
            path=src.label,
            reason="several zip members",
        )
    raw = grid.frame
    raw.columns = [str(c).strip() for c in raw.columns]
    renames = _renames(raw, mapping, src.label, grid)
    unit = amount_unit(list(raw.columns), renames, locale_id or "en", src.label)
    if unit is not None and unit.column not in renames:
        renames[unit.column] = "amount"
    _one_column_each(list(raw.columns), renames, src.label)
    table = raw.rename(columns=renames)
    reasons = pd.Series("", index=table.index, dtype=object)
    if "announced" in table.columns:
        table["announced"], reasons = _parse_dates(table["announced"], locale_id)
    if "amount" in table.columns:
        _read_amounts(table, raw, reasons, locale_id, unit)
    rows = _Rows(table, raw, grid, reasons)
    rows.layout(renames)
    result, rejected = _to_pledges(rows, locale, src.label, grid)
    frame = result.frame
    _describe(frame, rejected, src.label, grid, unit)
    return finish(ReadResult(frame, rejected), return_rejected, reader="read_table")


def _read_grid(
    src: Source,
    sheet: str | int | None,
    member: str | None,
    limits: ZipLimits | None,
    pick: HeaderPick,
    header_row: int | None,
) -> Grid:
    """The table with its header found (a workbook or delimited text), or a Parquet file
    as it is (its columns are named: no header to find)."""
    kind = sniff(src.path, limits=limits, member=member, label=src.label)
    if kind in ("xlsx", "kiel_xlsx") and member is None:
        return workbook_grid(read_workbook(src, sheet, limits), src.label, pick, header_row)
    if kind in ("csv", "crs", "kiel_csv") and sheet is None:
        return delimited_grid(src, pick, limits=limits, member=member, header_row=header_row)
    if header_row is not None and kind == "parquet":
        raise option_error("header_row", header_row, f"header_row={header_row!r} is for CSV "
                           f"and XLSX tables; {src.label} is a Parquet file", "None")
    frame, skipped = _read_frame(src, sheet=sheet, member=member, limits=limits)
    lines = np.arange(1, len(frame) + 1, dtype=np.int64)
    return Grid(frame, src.label, skipped, lines, 0, True, 0)


def _renames(
    raw: pd.DataFrame, mapping: Mapping[str, str] | None, label: str, grid: Grid
) -> dict[str, str]:
    """File column -> role: ``mapping`` first (its columns must be in the file), then columns
    named like a role (``Donor``), by the pledges layer's one rule."""
    from .._pledges._frame import role_renames

    if mapping:
        try:
            check_mapped_columns(raw.columns, mapping, label)
        except InputFileError as exc:
            raise InputFileError(f"{exc.message}{_not_found(grid)}", path=label,
                                 reason="bad mapping") from None
    return role_renames(raw.columns, mapping)


def _one_column_each(columns: list[Any], renames: Mapping[str, str], label: str) -> None:
    """Refuse a table in which two columns would be one role (``amount`` and ``Amount (EUR
    million)``; two ``Donor`` columns): which of them holds the money is not for the reader
    to guess."""
    final: dict[str, list[str]] = {}
    for col in columns:
        final.setdefault(str(renames.get(col, col)), []).append(str(col))
    clashes = {role: cols for role, cols in final.items() if len(cols) > 1}
    if not clashes:
        return
    role, cols = next(iter(clashes.items()))
    raise InputFileError(
        f"{label}: columns {join_values(cols)} would each be the {role!r} column; keep one, "
        f"or name the one to read with mapping= (e.g. mapping={{{cols[0]!r}: {role!r}}}) "
        "and rename the others",
        path=label,
        reason="wrong layout",
    )


def _not_found(grid: Grid) -> str:
    return not_found(grid.found, grid.tried)


def _read_amounts(
    table: pd.DataFrame,
    raw: pd.DataFrame,
    reasons: pd.Series,
    locale_id: str | None,
    unit: Unit | None,
) -> None:
    """``amount`` as numbers (text in the locale's format; text with currency or scale words
    kept for :func:`aidcalc.pledges` as ``amount_text``), times the scale its header names
    and in its currency; inf refused, with the reason."""
    leftover = pd.Series(np.nan, index=table.index, dtype=object)
    if not pd.api.types.is_numeric_dtype(table["amount"]):
        values, leftover = _parse_numbers(table["amount"], locale_id or "en")
        table["amount"] = values
    if unit is not None:
        leftover = _apply_unit(table, reasons, unit, leftover)
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
        _add(reasons, infinite, "amount: not a finite number (" + texts + ")")
        table["amount"] = amounts.where(~infinite)


def _add(reasons: pd.Series, mask: Any, why: pd.Series | str) -> None:
    """Add ``why`` to the reasons of the rows of ``mask``."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    piece = why.reindex(reasons.index).to_numpy()[mask] if isinstance(why, pd.Series) else why
    old = reasons[mask].to_numpy()
    reasons[mask] = np.where(old == "", piece, old + "; " + piece)


def _apply_unit(
    table: pd.DataFrame, reasons: pd.Series, unit: Unit, leftover: pd.Series
) -> pd.Series:
    """The header's scale applied to the numbers (a cell with words of its own is refused:
    its scale would be applied twice) and its currency given to the rows (a currency column
    that says otherwise refuses the row); the texts left for ``amount_text``."""
    where = f"the header {unit.column!r}"
    if unit.power:
        own = leftover.notna().to_numpy()
        _add(reasons, own, "amount: " + leftover.astype(str).map(repr) + f" has words of its "
             f"own, but {where} says x {10**unit.power:,}: write the number alone")
        leftover = leftover.where(~own)
        table["amount"] = _scaled(table["amount"].astype(float), unit.power)
    if unit.currency is None:
        return leftover
    if "currency" not in table.columns:
        table["currency"] = unit.currency
        return leftover
    given = table["currency"]
    codes = _currency_codes(given)
    differ = (codes.notna() & (codes != unit.currency)).to_numpy()
    _add(reasons, differ, "currency: " + given.astype(str).map(repr) + f" in the currency "
         f"column, but {where} says {unit.currency}")
    same = (codes == unit.currency) | given.isna() | (given.astype(str).str.strip() == "")
    table["currency"] = given.where(~same.to_numpy(bool), unit.currency)  # "€" is EUR
    return leftover


def _scaled(values: pd.Series, power: int) -> pd.Series:
    """``values`` x 10**``power``, rounded to 15 significant digits so that the float error
    of the product goes (66723.6 x 10**9 is 66723600000000, not ...000.01).

    Examples
    --------
    >>> _scaled(pd.Series([66723.6, 1.1, float("nan")]), 9).tolist()
    [66723600000000.0, 1100000000.0, nan]
    """
    product = values.to_numpy(dtype=float) * 10.0**power
    out = product.copy()
    ok = np.isfinite(product) & (product != 0)
    with np.errstate(divide="ignore"):
        keep = 14 - np.floor(np.log10(np.abs(product[ok])))  # decimals of 15 digits
    up, down = 10.0 ** np.clip(keep, 0, None), 10.0 ** np.clip(-keep, 0, None)
    out[ok] = np.round(product[ok] * up / down) * down / up
    return pd.Series(out, index=values.index)


def _currency_codes(given: pd.Series) -> pd.Series:
    """The ISO code each cell of a currency column means (a code, name or symbol)."""
    from .._money._parsing import currency_of_word

    text = given.astype("string").str.strip()
    meaning = {t: currency_of_word(t) or t.upper() for t in text.dropna().unique() if t}
    return text.map(meaning).astype(object)


_Entry = tuple[np.ndarray, pd.Series, str, bool]  # (rows, reason, kind, kept)


class _Rows:
    """The data rows on their way to :func:`aidcalc.pledges`: which are left out here (a
    reason found, a total that repeats its rows, a note) and what the report says of each."""

    def __init__(
        self, table: pd.DataFrame, raw: pd.DataFrame, grid: Grid, reasons: pd.Series
    ) -> None:
        self.table, self.raw, self.grid, self.reasons = table, raw, grid, reasons
        self.out = (reasons != "").to_numpy().copy()
        self.entries: list[_Entry] = []
        self.unmatched = np.zeros(len(table), dtype=bool)
        self.unmatched_why = pd.Series("", index=table.index, dtype=object)

    def layout(self, renames: Mapping[str, str]) -> None:
        """Totals that repeat their rows and notes without an amount: out, with an entry;
        totals that do not: kept, with an entry."""
        if "amount" not in self.table.columns or not len(self.table):
            return
        amounts = pd.to_numeric(self.table["amount"], errors="coerce").astype(float)
        currency = self.table["currency"] if "currency" in self.table.columns else None
        skip = ["announced", "currency", "amount_text"]
        labelled, matched, sums = total_rows(self.table, amounts, currency, skip)
        matched &= ~self.out
        on = self.table.index[labelled]  # the texts are written for these rows only
        said = "a total row (" + _quoted(self.table.drop(columns=["amount"]), on) + \
            "): its amount " + amounts[on].map("{:,.2f}".format)
        self._leave(matched, said + " is the sum of the rows it totals (" + sums[on].map(
            "{:,.2f}".format) + "): " + REPEATS, LEFT_OUT)
        self.unmatched = labelled & ~matched & ~self.out
        self.unmatched_why = _full(said + " is not the sum of the rows above or below it: "
                                   "kept; check that its money is not counted twice",
                                   self.table.index)
        text = self.table.get("amount_text", pd.Series(np.nan, index=self.table.index))
        notes = note_rows(self.raw, amounts.where(amounts.notna(), text)) & ~self.out
        on = self.table.index[notes]
        what = pd.Series("a note, not a pledge (text in one cell, no amount)", index=on)
        what[labelled[notes]] = ("a total row without an amount (a formula the workbook "
                                 "never calculated?)")
        self._leave(notes, what + ": " + _quoted(self.raw, on), NOTE)
        self.unmatched &= ~notes

    def _leave(self, mask: np.ndarray, why: pd.Series, kind: str) -> None:
        if mask.any():
            self.entries.append((mask, _full(why, self.table.index), kind, False))
            self.out = self.out | mask


def _full(texts: pd.Series, index: pd.Index) -> pd.Series:
    """Texts written for some rows, "" for the others."""
    return texts.reindex(index, fill_value="").astype(object)


def _quoted(table: pd.DataFrame, rows: pd.Index) -> pd.Series:
    """The first text of each of ``rows``, quoted."""
    mask = table.index.isin(rows)
    return row_text(table, mask).astype(str).map(repr) if len(rows) else pd.Series(
        dtype=object)


def _to_pledges(
    rows: _Rows, locale: LocaleLike | None, label: str, grid: Grid
) -> tuple[ReadResult, pd.DataFrame]:
    """(:func:`aidcalc.pledges` of the rows not left out here, the report: every row left
    out (here or by :func:`aidcalc.pledges`) as the file has it, with its reason, kind and
    line, plus the kept total rows whose amount is not the sum of their rows)."""
    from ._pledge_table import pledges

    table, bad = rows.table, rows.out
    try:
        if bad.all():  # nothing left to build a frame from (pledges() needs a row)
            result = pledges(table.iloc[:0].astype(object), locale=locale, return_rejected=True)
        else:
            result = pledges(table.loc[~bad], locale=locale, return_rejected=True)
    except ValidationError as exc:
        raise InputFileError(f"{label}: {exc.message}{_not_found(grid)}", path=label,
                             reason="wrong layout") from None
    result = cast(ReadResult, result)
    said = result.rejected  # rows pledges() left out, and kept rows with a note or money
    where = table.index.get_indexer(said.index)
    kinds = said["kind"].to_numpy()
    n = len(table)
    theirs, money, note = (_rows_at(n, where[kinds == k]) for k in (LEFT_OUT, MONEY, NOTE))
    why = rows.reasons.copy()
    why[theirs] = said["reason"].to_numpy()[kinds == LEFT_OUT]
    _add(why, rows.unmatched & theirs, rows.unmatched_why)
    kept_why = pd.Series("", index=table.index, dtype=object)
    kept_why[money | note] = said["reason"].to_numpy()[kinds != LEFT_OUT]
    unmatched = rows.unmatched & ~theirs
    _add(kept_why, unmatched, rows.unmatched_why)
    entries = [
        ((rows.reasons != "").to_numpy() | theirs, why, LEFT_OUT, False),
        *rows.entries,
        (unmatched | money, kept_why, MONEY, True),
        (note & ~unmatched, kept_why, NOTE, True),
    ]
    return result, _report(rows, entries)


def _rows_at(n: int, positions: np.ndarray) -> np.ndarray:
    """A mask of ``n`` rows, True at ``positions``."""
    mask = np.zeros(n, dtype=bool)
    mask[positions] = True
    return mask


_REPORT_COLUMNS = ("reason", "kind", "kept", "line")


def _report(rows: _Rows, entries: list[_Entry]) -> pd.DataFrame:
    """The report: the rows as the file has them, the amount and currency read (where the
    file has no column of that name), ``reason``, ``kind``, ``kept`` and ``line``."""
    raw, table = rows.raw, rows.table
    clash = {c: f"{c}_in_file" for c in _REPORT_COLUMNS if c in raw.columns}
    parts = []
    for mask, why, kind, kept in entries:
        if not mask.any():
            continue
        part = raw.loc[mask].rename(columns=clash)
        for col in ("amount", "currency"):
            if col in table.columns and col not in raw.columns:
                part[col] = table.loc[mask, col]
        part["reason"] = why[mask].to_numpy()
        part["kind"] = kind
        part["kept"] = kept
        part["line"] = rows.grid.lines[mask]
        parts.append(part)
    if not parts:
        empty = raw.iloc[:0].rename(columns=clash)
        return empty.assign(**{c: pd.Series(dtype=object) for c in _REPORT_COLUMNS})
    return pd.concat(parts).sort_index(kind="stable")


def _describe(
    frame: pd.DataFrame, rejected: pd.DataFrame, label: str, grid: Grid, unit: Unit | None
) -> None:
    """What the reader found in the file's layout, on both frames' ``attrs``: the header's
    line, the notes above it, the scale and currency taken from a header."""
    facts: dict[str, Any] = {"source": label}
    if grid.header_line:  # a Parquet file has no header line
        facts["header_row"] = grid.header_line
    if grid.above:
        facts["notes"] = [f"line {line}: {text}" for line, text in grid.above]
    if unit is not None and (unit.power or unit.currency):
        facts["units"] = [unit.text()]
    if grid.skipped:  # the caller chose member=: the other files of the archive, said
        facts["not_read"] = grid.skipped
    frame.attrs.update(facts)
    rejected.attrs.update(facts)


def _check_table_options(mapping: Any, sheet: Any, member: Any, header_row: Any) -> None:
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
    check_count("header_row", header_row, minimum=1, allow_none=True)
