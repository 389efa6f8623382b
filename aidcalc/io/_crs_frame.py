"""The CRS conversion the CSV, Parquet and dask paths share: the CRS schema, the number checks
and the pledge frame made from converted CRS columns.

Each path parses its own bytes (:mod:`aidcalc.io._crs_text` for CSV text,
:mod:`aidcalc.io._parquet` for Parquet) into the output columns with :func:`number_problems`
and :func:`output_column` (money in millions x 1,000,000, whole years, trimmed text), then
:func:`pledge_frame` puts donor and recipient codes, year, amount, currency, status and
category in front. One conversion, so that the three paths give the same frame for the same
rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._base._dates import WINDOW_TEXT, YEAR_MAX, YEAR_MIN, iso_dates
from .._base._errors import InputFileError
from ._common import (
    MONEY,
    NOTE,
    ZipLimits,
    check_choice,
    check_count,
    check_member,
    donor_codes_or_na,
    in_window,
    not_a_zip,
    rejected_frame,
)

__all__ = [
    "AMOUNTS",
    "CRS_COLUMNS",
    "DEFAULT_COLUMNS",
    "MILLIONS",
    "TEXT",
    "YEARS",
    "ChunkReport",
    "acceptable",
    "check_options",
    "choose_columns",
    "combined_report",
    "number_problems",
    "pledge_chunks",
    "pledge_frame",
    "purpose_categories",
    "shift_rows",
]

#: What ``amount=`` of the CRS readers takes: the CRS figure that becomes ``amount``.
AMOUNTS = ("commitment", "disbursement")

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
#: Years taken from the ``Year`` column: whole years in aidcalc's date window (never
#: rounded; :data:`aidcalc._base._dates.YEAR_MIN` .. :data:`~aidcalc._base._dates.YEAR_MAX`).
YEARS = (YEAR_MIN, YEAR_MAX)
#: Money columns, in USD millions in the CRS (multiplied by 1,000,000 on reading).
MILLIONS = (
    "USD_Commitment",
    "USD_Disbursement",
    "USD_Commitment_Defl",
    "USD_Disbursement_Defl",
    "Commitment_National",
    "Disbursement_National",
)
#: Text columns (trimmed on reading).
TEXT = (
    "DonorName",
    "AgencyName",
    "RecipientName",
    "PurposeName",
    "FlowName",
    "ProjectTitle",
    "ShortDescription",
    "LongDescription",
)


# --- options ---------------------------------------------------------------------------------


def check_options(
    columns: Sequence[str] | None,
    chunksize: Any,
    progress: Any,
    member: Any,
    max_uncompressed: Any,
    max_ratio: Any,
) -> tuple[list[str] | None, ZipLimits]:
    """(the columns as a list, the archive limits), or ValidationError naming the option."""
    from ._common import refuse

    names = (
        list(columns)
        if isinstance(columns, Iterable) and not isinstance(columns, (str, bytes))
        else None
    )
    if columns is not None and (not names or not all(isinstance(c, str) for c in names)):
        raise refuse(
            "columns",
            columns,
            "a list of CRS column names such as ['Year', 'DonorName', 'USD_Disbursement'], "
            "or None for the defaults",
            "a non-empty list of column names, or None",
        )
    check_count("chunksize", chunksize, minimum=1)
    check_choice("progress", progress, (None, True, False))
    check_member(member)
    return names, ZipLimits(max_uncompressed, max_ratio).checked()


def choose_columns(
    fields: Sequence[str],
    columns: Sequence[str] | None,
    label: str,
    *,
    key: Callable[[str], str],
    place: str,
) -> tuple[list[str], dict[str, str]]:
    """(the fields to read, field -> CRS column): ``columns`` (or :data:`DEFAULT_COLUMNS`)
    matched to the file's ``fields`` by ``key`` (case-insensitive; Parquet also ignores
    ``_`` and spaces); a requested column the file lacks is an error naming it."""
    lookup = {key(f): f for f in fields}
    if columns is None:
        wanted = [lookup[key(c)] for c in DEFAULT_COLUMNS if key(c) in lookup]
    else:
        missing = [c for c in columns if key(c) not in lookup]
        if missing:
            raise InputFileError(
                f"{label}: CRS columns {missing} are not in {place}; it has {list(fields)}",
                path=label,
                reason="missing columns",
            )
        wanted = list(dict.fromkeys(lookup[key(c)] for c in columns))
    known = {key(c): c for c in CRS_COLUMNS}
    return wanted, {f: known.get(key(f), f) for f in wanted}


def no_member_for_parquet(member: str | None, path: Any) -> None:
    """``member=`` names a zip member: refused for Parquet."""
    not_a_zip(member, str(getattr(path, "name", path)), "is Parquet", "None for Parquet")


# --- numbers ---------------------------------------------------------------------------------


def acceptable(values: np.ndarray, is_year: bool) -> np.ndarray:
    """Which numbers can be taken: finite money that stays finite in units (x 1e6); whole
    years in the date window (:data:`YEARS`; never rounded)."""
    with np.errstate(over="ignore", invalid="ignore"):
        if is_year:
            ok = np.isfinite(values) & (values == np.floor(values))
            return ok & (values >= YEARS[0]) & (values <= YEARS[1])
        return np.isfinite(values) & np.isfinite(values * 1e6)


def number_problems(
    texts: pd.Series, column: str, is_year: bool
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """(numbers, problems) of a column read as text: a cell with text that is not a number
    (``n/a``), not finite (``inf``, ``nan``, ``1e400``) or not a whole year (``2022.7``) is
    left empty (NaN) and reported with the text as written; ``row`` is its position."""
    text = texts.astype(object).where(texts.notna(), "").to_numpy(dtype=object)
    values = pd.to_numeric(pd.Series(text), errors="coerce").to_numpy(dtype=float)
    present = text != ""
    bad = present & ~acceptable(values, is_year)
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
        {"row": int(r), "column": column, "value": v, "reason": why, "kind": MONEY}
        for r, v in zip(where.tolist(), text[where].tolist(), strict=True)
    ]
    return values, problems


def is_number(column: str) -> bool:
    """Whether a CRS column is read as a number (``Year`` and the money columns)."""
    return column in MILLIONS or column == "Year"


def arrow_numbers(values: np.ndarray, column: str) -> Any:
    """Checked numbers of a CRS column as the arrow output column: ``Year`` as int64 (empty
    where NaN), money x 1,000,000."""
    import pyarrow as pa

    if column == "Year":
        return pa.array(values, mask=np.isnan(values)).cast(pa.int64())
    return pa.array(values * 1e6, pa.float64())


def to_pandas(table: Any) -> pd.DataFrame:
    """An arrow table of output columns as the pandas frame (years as nullable Int64)."""
    import pyarrow as pa

    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get, self_destruct=True)


# --- the pledge frame ------------------------------------------------------------------------


class _Rows:
    """How the report names rows: the line each row starts on in ``unit`` (lines of a CSV
    file, rows of a Parquet dataset), and where the problems go."""

    def __init__(self, source: str, lines: np.ndarray, unit: str) -> None:
        self.source, self.lines, self.unit = source, lines, unit
        self.problems: list[dict[str, Any]] = []

    def positions(self, rows: Any) -> list[int]:
        """The lines of the rows where ``rows`` (booleans, one a row of the frame) is true."""
        return self.lines[np.asarray(rows, dtype=bool)].tolist()

    def add(self, row: str, column: str, value: Any, reason: str, kind: str = MONEY) -> None:
        self.problems.append(
            {
                "source": self.source,
                "row": row,
                "column": column,
                "value": value,
                "reason": reason,
                "kept": True,
                "kind": kind,
            }
        )


_POSITIONS = re.compile(r"^(lines|rows) \[([0-9, ]*)\]( \.\.\.)?$")


def shift_rows(report: pd.DataFrame, by: int) -> pd.DataFrame:
    """The report with its rows moved ``by`` rows on: a part read on its own numbers its rows
    from its start (a dask partition), the whole file from the file's start. ``row`` is a
    number or the ``lines [...]`` / ``rows [...]`` of :class:`_Rows`; other text (``3 rows``)
    names no position and stays.

    Examples
    --------
    >>> from ._common import rejected_frame
    >>> report = rejected_frame([{"row": 2}, {"row": "lines [2, 3] ..."}, {"row": "4 rows"}])
    >>> shift_rows(report, 100)["row"].tolist()
    [102, 'lines [102, 103] ...', '4 rows']
    """
    if not by or not len(report):
        return report

    def moved(row: Any) -> Any:
        if isinstance(row, (int, np.integer)) and not isinstance(row, bool):
            return int(row) + by
        match = _POSITIONS.match(row) if isinstance(row, str) else None
        if match is None:
            return row
        numbers = [int(n) + by for n in match.group(2).split(",") if n.strip()]
        return f"{match.group(1)} {numbers}{match.group(3) or ''}"

    out = report.copy()
    out["row"] = out["row"].map(moved).astype(object)  # one entry per reported cell or group
    return out


def pledge_frame(
    frame: pd.DataFrame,
    source: str,
    amount: str,
    *,
    first_line: int = 2,
    unit: str = "lines",
    lines: np.ndarray | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """(the pledge frame, the problems) of converted CRS columns: donor and recipient codes,
    year, amount, currency, status, category in front. The report names a row by ``lines``,
    the line each row starts on in a CSV file (rows over several lines, blank lines), else
    by ``frame.index + first_line`` (one row a line; the row of a Parquet dataset)."""
    if lines is None:
        lines = np.asarray(frame.index, dtype=np.int64) + first_line
    rows = _Rows(source, lines, unit)
    lead: dict[str, Any] = {}
    if "donor_name" in frame.columns:
        lead["donor"] = _donors(frame["donor_name"], rows)
        lead["donor_name"] = frame.pop("donor_name")
    if "recipient_name" in frame.columns:
        lead["recipient"] = _codes(frame["recipient_name"])
    if "year" in frame.columns:
        lead["year"] = frame.pop("year")
    if "commitment_date" in frame.columns:  # the only day-precise date CRS has
        lead["announced"] = _announced(frame["commitment_date"], rows)
    if f"usd_{amount}" in frame.columns:
        lead.update(_amount(frame, amount, rows))
    if "purpose_code" in frame.columns:
        lead["category"] = purpose_categories(frame["purpose_code"])
    head = pd.DataFrame(lead, index=frame.index)
    out = pd.concat([head, frame], axis=1)
    out.attrs["source"] = source
    out.attrs["format"] = "OECD CRS"
    out.attrs["units"] = "USD (CRS millions x 1,000,000)"
    return out, rows.problems


def _donors(names: pd.Series, rows: _Rows) -> pd.Series:
    """Donor codes from ``DonorName``; each name without one reported once, with its count
    (counted from the one factorisation the codes are looked up by)."""
    codes, keys, unique, coded = _lookup(names)
    if len(unique):
        counts = np.bincount(keys[keys >= 0], minlength=len(unique)).tolist()
        for name, missing, n in zip(unique.tolist(), pd.isna(coded), counts, strict=True):
            if missing:  # in first-seen order, as names.unique() gives them
                rows.add(
                    f"{n} row{'s' if n != 1 else ''}",
                    "DonorName",
                    name,
                    "no donor code for this name (multilateral or unknown): donor left empty",
                    NOTE,  # the name is kept (donor_name); the money is as the file has it
                )
    return codes


def _announced(dates: pd.Series, rows: _Rows) -> pd.Series:
    """``CommitmentDate`` as dates; text that is not YYYY-MM-DD and dates outside the window
    (9999-12-31: refused, never wrapped) left empty and reported."""
    text = dates.astype("string").str.strip().str.slice(0, 10)
    announced = iso_dates(text)
    bad = announced.isna() & text.notna() & (text != "")
    if bad.any():
        rows.add(
            f"{int(bad.sum())} rows",
            "CommitmentDate",
            dates[bad].iloc[0],
            "CommitmentDate is not a YYYY-MM-DD date: announced left empty",
        )
    announced, outside = in_window(announced)
    if outside.any():
        rows.add(
            f"{rows.unit} {rows.positions(outside)[:5]}",
            "CommitmentDate",
            dates[outside].iloc[0],
            f"{int(outside.sum())} CommitmentDate values: {WINDOW_TEXT}: announced left empty",
        )
    return announced


def _amount(frame: pd.DataFrame, amount: str, rows: _Rows) -> dict[str, Any]:
    """``amount``, ``currency`` (USD where there is an amount) and ``status`` from the chosen
    CRS figure; rows without it are reported."""
    money = frame[f"usd_{amount}"]
    empty = money.isna()
    if empty.any():
        lines = rows.positions(empty)
        rows.add(
            f"{rows.unit} {lines[:5]}{' ...' if len(lines) > 5 else ''}",
            f"USD_{amount.capitalize()}",
            None,
            f"{int(empty.sum())} rows have no USD {amount}: amount empty",
            NOTE,  # as the file has it (a cell that was not a number is reported on its own)
        )
    return {
        "amount": money,
        # one dtype whatever the rows (a chunk without empty amounts is not typed otherwise)
        "currency": pd.Series("USD", index=frame.index, dtype="str").where(money.notna()),
        "status": "disbursed" if amount == "disbursement" else "committed",
    }


def _codes(names: pd.Series) -> pd.Series:
    return _lookup(names)[0]


def _lookup(names: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray, np.ndarray]:
    """(the code of each name, its key into the distinct names, the distinct names, their
    codes): each distinct name is looked up once."""
    keys, found = pd.factorize(names)
    unique = np.asarray(found, dtype=object)
    if not len(unique):  # as when coded
        return pd.Series([None] * len(names), index=names.index, dtype=object), keys, unique, unique
    coded = donor_codes_or_na(pd.Series(unique, index=unique)).to_numpy(dtype=object)
    # key -1 (missing) -> None; numpy's stubs reject None, valid in an object array
    table = np.append(coded, None)  # type: ignore[call-overload]
    return pd.Series(table[keys], index=names.index, dtype=object), keys, unique, coded


def purpose_categories(codes: pd.Series) -> pd.Series:
    """The category of each CRS purpose code (each distinct code categorised once)."""
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


def combined_report(problems: list[dict[str, Any]], cells: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """One rejected-rows report: the pledge frame's ``problems`` then the reports of cells
    found while parsing (empty ones left out)."""
    reports = [rejected_frame(problems), *(c for c in cells if len(c))]
    rejected = pd.concat(reports, ignore_index=True) if len(reports) > 1 else reports[0]
    return rejected.astype(object)


# --- chunks ----------------------------------------------------------------------------------


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


def pledge_chunks(
    chunks: Iterator[pd.DataFrame],
    source: str,
    amount: str,
    *,
    first_line: int = 2,
    unit: str = "lines",
    chunksize: int | None = None,
) -> Iterator[pd.DataFrame]:
    """Each converted chunk as a full pledge frame of at most ``chunksize`` rows, its report
    in ``attrs["rejected"]`` (its rows named by ``attrs["lines"]`` when the chunk has it, the
    line of each row, else by ``index + first_line``)."""
    for chunk in chunks:
        cells = chunk.attrs.pop("rejected")
        lines = chunk.attrs.pop("lines", None)
        if lines is None:
            lines = np.asarray(chunk.index, dtype=np.int64) + first_line
        for part, at, found in _split(chunk, cells, chunksize, lines):
            out, problems = pledge_frame(part, source, amount, unit=unit, lines=at)
            out.attrs["rejected"] = ChunkReport(combined_report(problems, [found]))
            yield out


def _split(
    chunk: pd.DataFrame, cells: pd.DataFrame, size: int | None, lines: np.ndarray
) -> Iterator[tuple[pd.DataFrame, np.ndarray, pd.DataFrame]]:
    """Slices of at most ``size`` rows (a parsed block can hold more), each with the lines of
    its rows and the cells reported on them (a report not about one row goes with the first
    slice)."""
    if size is None or len(chunk) <= size:
        yield chunk, lines, cells
        return
    line = pd.to_numeric(cells["row"], errors="coerce").to_numpy(dtype=float)
    about = ~np.isnan(line)
    at = np.full(len(line), -1)  # the row a cell is on (lines are increasing)
    at[about] = np.searchsorted(lines, line[about])
    for start in range(0, len(chunk), size):
        part = chunk.iloc[start : start + size]
        pick = (about & (at >= start) & (at < start + size)) | (~about & (start == 0))
        yield part, lines[start : start + size], cells[pick].reset_index(drop=True)
