"""The pledge frame: its documented columns, ``validate``, ``pledges`` and the dataset loader.

A pledge frame is an ordinary :class:`pandas.DataFrame` whose columns play these roles
(names in :mod:`aidcalc._base._columns`); every other column is the user's and is carried through:

=================  ==================================================================
``donor``          donor code: ISO 3166 alpha-3 (``JPN``), ``EUI`` for EU institutions
``recipient``      recipient code (``UKR``)
``announced``      announcement date (datetime64)
``amount``         the amount (float) in ``currency``
``currency``       ISO 4217 code
``category``       one category of the taxonomy (see :mod:`aidcalc._pledges._categories`)
``categories``     every category that matched, ``;``-joined
``status``         ``pledged`` < ``committed`` < ``allocated`` < ``disbursed``
``kind``           ``pledge`` | ``component`` | ``restatement`` | ``total_to_date``
``period_start``   first year a multi-year pledge covers (integer)
``period_end``     last year (integer)
``amount_text``    the amount exactly as written in the source
``description``    what the money is for
``source_url``     where the figure was published (also ``source_title``, ``source_date``)
``pair_id``        links rows stating the same amount in different currencies
=================  ==================================================================

``kind`` says whether a row may be added to others: only ``pledge`` rows are new money.
A ``component`` is a part of another row (``part_of`` names its ``pledge_id``); a
``restatement`` repeats a pledge in another currency or from another outlet (journalists'
conversions); a ``total_to_date`` is a headline cumulative figure. Summing anything but
``pledge`` rows counts money twice, so :func:`aidcalc.aggregate` refuses mixed kinds.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from os import PathLike
from typing import IO, Any, Final, Literal, cast

import numpy as np
import pandas as pd

from .._base._columns import (
    AMOUNT,
    AMOUNT_TEXT,
    ANNOUNCED,
    CATEGORY,
    CURRENCY,
    DONOR,
    KIND,
    PAIR_ID,
    PART_OF,
    PERIOD_END,
    PERIOD_START,
    PLEDGE_ID,
    RECIPIENT,
    STATUS,
)
from .._base._compat import check_errors, renamed_argument
from .._base._dates import OUT_OF_RANGE, WINDOW_TEXT, parse_dates
from .._base._errors import InputFileError, ValidationError, describe_rows
from .._base._frame_checks import check_frame
from .._base._locale import LocaleLike
from .._money._frame_units import Units, column_units, contradicting, money_with_currency, plain
from ..io._common import ReadResult, finish, outside_stacklevel
from ._lifecycle import STATUS_ORDER, period_problems

__all__ = [
    "KIND",
    "KINDS",
    "PART_OF",
    "PLEDGE_ID",
    "REQUIRED",
    "Pledges",
    "pledge_frame_from_dataset",
    "pledges",
    "validate",
]

REASON: Final = "reason"

KINDS: Final = ("pledge", "component", "restatement", "total_to_date")
"""Values of ``kind``; only ``pledge`` rows may be summed with each other."""

REQUIRED: Final = (DONOR, AMOUNT, CURRENCY)
"""Columns every pledge frame must have."""

_PROBLEM_COLUMNS = ["row", "column", "value", "problem", "severity"]
_CODE = r"^[A-Z]{3}$"


def pledge_frame_from_dataset(raw: pd.DataFrame) -> pd.DataFrame:
    """Turn the raw ``g7_ukraine_pledges`` CSV into a pledge frame (the dataset's loader).

    Dates become ``datetime64``, years nullable integers, ``currency_stated`` boolean and
    ``category``/``status``/``kind`` strings; ``categories`` is set from ``category``.

    Examples
    --------
    >>> import aidcalc
    >>> g7 = aidcalc.load_dataset("g7_ukraine_pledges")
    >>> g7["announced"].dtype
    dtype('<M8[ns]')
    >>> g7.loc[g7["pair_id"] == "P19", ["amount_text", "currency", "kind"]]
          amount_text currency           kind
    87  $12.1 billion      USD  total_to_date
    88  ¥1.9 trillion      JPY  total_to_date
    """
    frame = raw.copy()
    frame[ANNOUNCED] = pd.to_datetime(frame[ANNOUNCED], format="%Y-%m-%d").astype("datetime64[ns]")
    for col in (PERIOD_START, PERIOD_END):
        frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    frame[AMOUNT] = frame[AMOUNT].astype("float64")
    frame["currency_stated"] = frame["currency_stated"].map(
        {"True": True, "False": False, True: True, False: False}
    )
    frame["categories"] = frame[CATEGORY]
    return frame


#: What :func:`pledges` returns with ``return_rejected=True``: the pledge frame (accepted
#: rows, original index labels kept) and the rejected rows, as given, with a ``reason``
#: column saying what to fix. The readers' pair type, :class:`aidcalc.io.ReadResult`.
Pledges = ReadResult


# --------------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------------


@renamed_argument("frame")
def validate(
    data: pd.DataFrame,
    *,
    errors: Literal["coerce", "raise", "report"] = "coerce",
    categories: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Check a pledge frame against the documented schema and report every problem.

    Checks: required columns (``donor``, ``amount``, ``currency``) present; ``donor`` and
    ``recipient`` three-letter codes; ``amount`` numeric and finite (negative: a warning);
    ``currency`` a known ISO 4217 code; ``announced`` a date read without guessing (see
    the strict date reader) inside the window 1900-01-01..2100-12-31, not in the future
    (after tomorrow: an error), and present (a missing date: a warning, it cannot be
    converted at a date); ``status`` one of
    ``pledged``, ``committed``, ``allocated``, ``disbursed``; ``kind`` one of ``pledge``,
    ``component``, ``restatement``, ``total_to_date``; ``category`` in the taxonomy;
    ``period_start``/``period_end`` whole years in 1900..2100, in order, covering at most 50
    years (the rule :func:`aidcalc.spread` applies); ``part_of`` naming an existing
    ``pledge_id``; rows sharing a ``pair_id`` from one donor. Missing values are allowed in
    optional columns.

    Parameters
    ----------
    data
        The frame to check (not changed).
    errors
        As everywhere in aidcalc: ``"coerce"`` (default) returns the problems; ``"raise"``
        raises :class:`ValidationError` (with the problems as its ``problems`` attribute)
        when there is any. ``"report"`` is the deprecated name of ``"coerce"``.
    categories
        Allowed categories; default: the built-in taxonomy plus ``"all"`` (headline totals).

    Returns
    -------
    pandas.DataFrame
        One row per problem: ``row`` (index label, ``None`` for a missing column),
        ``column``, ``value``, ``problem`` and ``severity``: ``error`` breaks the schema,
        ``warning`` is legal but worth a look (a negative amount: Kiel records corrections
        that way; a missing ``announced`` date). Empty when the frame is clean.
        ``errors="raise"`` raises on errors only; :func:`pledges` rejects rows with errors
        only.

    Examples
    --------
    >>> f = pd.DataFrame({"donor": ["JPN", "Japan"], "amount": [1e9, -5.0],
    ...                   "currency": ["JPY", "YEN"], "status": ["pledged", "promised"]})
    >>> validate(f)[["row", "column", "value"]]
       row    column     value
    0    1     donor     Japan
    1    1    amount      -5.0
    2    1  currency       YEN
    3    1    status  promised
    >>> validate(f.iloc[:1]).empty
    True
    """
    frame = data  # the argument is data= (as in seaborn); frame= still works
    check_frame(frame, "validate")
    if categories is None:
        from ._categories import TAXONOMY

        categories = (*TAXONOMY, "all")
    found: list[pd.DataFrame] = []
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        found.append(
            pd.DataFrame(
                {
                    "row": None,
                    "column": missing,
                    "value": None,
                    "problem": "required column missing",
                    "severity": "error",
                }
            )
        )

    def check(col: str, bad: pd.Series | np.ndarray, problem: str, severity: str = "error") -> None:
        mask = np.asarray(bad, dtype=bool)
        if mask.any():
            found.append(
                pd.DataFrame(
                    {
                        "row": frame.index[mask],
                        "column": col,
                        "value": frame[col].to_numpy()[mask],
                        "problem": problem,
                        "severity": severity,
                    }
                )
            )

    known_codes = _known_codes()
    for col, role, example in (
        (DONOR, "donor", "'JPN', or 'EUI'"),
        (RECIPIENT, "recipient", "'UKR'"),
    ):
        if col not in frame.columns:
            continue
        codes = frame[col]
        shaped = codes.astype("string").str.fullmatch(_CODE).fillna(False)
        present = codes.notna() if col == RECIPIENT else pd.Series(True, index=frame.index)
        check(
            col,
            present & ~shaped,
            f"not a {role} code (ISO3 such as {example})"
            + ("; map names with aidcalc.pledges or aidcalc.donor_code" if col == DONOR else ""),
        )
        check(col, shaped & ~codes.isin(known_codes), f"unknown {role} code")
    if AMOUNT in frame.columns:
        raw_amount = plain(frame[AMOUNT])  # a pint-pandas amount: its magnitudes, unit below
        _check_amount_unit(frame, column_units(frame[AMOUNT], AMOUNT, "validate"), check)
        if pd.api.types.is_bool_dtype(raw_amount.dtype):
            is_bool = raw_amount.notna().to_numpy()
        elif raw_amount.dtype == object:
            is_bool = np.fromiter(
                (isinstance(v, (bool, np.bool_)) for v in raw_amount.to_numpy()),
                dtype=bool, count=len(raw_amount),
            )  # fmt: skip
        else:
            is_bool = np.zeros(len(raw_amount), dtype=bool)
        values = pd.to_numeric(
            raw_amount.astype(object).where(~is_bool, None), errors="coerce"
        ).astype("float64")
        raw_missing = raw_amount.isna()
        check(AMOUNT, raw_missing, "amount missing")
        check(AMOUNT, is_bool, "amount is a boolean (True/False), not money")
        check(AMOUNT, ~raw_missing & ~is_bool & values.isna(), "amount not a number")
        finite = values.notna()
        check(AMOUNT, finite & ~np.isfinite(values.fillna(0.0)), "amount not finite")
        check(
            AMOUNT,
            finite & (values < 0),
            "negative amount (a correction or a reversal? check it)",
            "warning",
        )
    if CURRENCY in frame.columns:
        known = _known_currencies()
        cur = frame[CURRENCY]
        check(CURRENCY, cur.isna(), "currency missing")
        # codes are compared trimmed and upper-cased, the rule of convert and aggregate
        ids, uniq = pd.factorize(cur)
        ok = np.array([isinstance(u, str) and u.strip().upper() in known for u in uniq] + [True])
        check(
            CURRENCY,
            ~ok[ids],
            "not an ISO 4217 currency code (e.g. 'EUR', 'JPY'); currency symbols and "
            "names are read by aidcalc.pledges",
        )
    if ANNOUNCED in frame.columns:
        ann = frame[ANNOUNCED]
        got = parse_dates(ann, mixed_offsets=False)
        parsed = got.dates
        far = got.kind == OUT_OF_RANGE
        check(ANNOUNCED, got.bad & ~far, "not a date")
        check(ANNOUNCED, far, WINDOW_TEXT)
        check(
            ANNOUNCED,
            ann.isna(),
            "announced date missing (cannot be converted at a date)",
            "warning",
        )
        tomorrow = pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
        check(ANNOUNCED, (parsed > tomorrow).to_numpy(), "announced in the future")
    if STATUS in frame.columns:
        st = frame[STATUS]
        check(
            STATUS,
            st.notna() & ~st.isin(STATUS_ORDER),
            f"status not one of {', '.join(STATUS_ORDER)}",
        )
    if KIND in frame.columns:
        kd = frame[KIND]
        check(KIND, kd.notna() & ~kd.isin(KINDS), f"kind not one of {', '.join(KINDS)}")
    if CATEGORY in frame.columns:
        cat = frame[CATEGORY]
        check(
            CATEGORY,
            cat.notna() & ~cat.isin(categories),
            f"category not in the taxonomy ({', '.join(categories)}); pass categories= "
            "to extend it",
        )
    years = {}
    for col in (PERIOD_START, PERIOD_END):
        if col in frame.columns:
            raw = frame[col]
            y = pd.to_numeric(raw, errors="coerce").astype("float64")
            check(col, raw.notna() & (y.isna() | (y != np.floor(y))), "not a whole year")
            years[col] = y
    if years:  # one-sided periods are a single year (as spread reads them)
        first = years.get(PERIOD_START, years.get(PERIOD_END))
        last = years.get(PERIOD_END, first)
        assert first is not None and last is not None
        first, last = first.fillna(last), last.fillna(first)
        for mask, which, problem in period_problems(first, last):
            col = PERIOD_START if which == "start" else PERIOD_END
            check(col if col in years else next(iter(years)), mask & _present(frame, col), problem)
    if PART_OF in frame.columns:
        pledge_ids = frame[PLEDGE_ID] if PLEDGE_ID in frame.columns else pd.Series([], dtype=object)
        part = frame[PART_OF]
        check(PART_OF, part.notna() & ~part.isin(pledge_ids.dropna()), "part_of names no pledge_id")
    if PAIR_ID in frame.columns and DONOR in frame.columns:
        pairs = frame[[PAIR_ID, DONOR]].dropna()
        n_donors = pairs.groupby(PAIR_ID)[DONOR].transform("nunique")
        mixed = frame.index.isin(pairs.index[n_donors.to_numpy() > 1])
        check(PAIR_ID, mixed, "rows sharing this pair_id have different donors")

    if found:
        problems = pd.concat(found, ignore_index=True)
    else:
        problems = pd.DataFrame(columns=_PROBLEM_COLUMNS)
    problems = problems[_PROBLEM_COLUMNS]
    if errors == "report":
        warnings.warn(
            "validate: errors='report' is now errors='coerce' (the same values as everywhere "
            "in aidcalc); 'report' is deprecated",
            DeprecationWarning,
            stacklevel=outside_stacklevel(),
        )
    else:
        check_errors(errors, func="validate")
    if errors == "raise" and (problems["severity"] == "error").any():
        raise ValidationError(_summarise(problems), problems=problems)
    return problems


def _present(frame: pd.DataFrame, col: str) -> np.ndarray:
    """Rows where ``col`` exists and holds a value (all rows when the column is absent)."""
    if col not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    return frame[col].notna().to_numpy()


def _summarise(problems: pd.DataFrame) -> str:
    lines = [f"the pledge frame has {len(problems)} problem(s):"]
    for (col, problem), grp in problems.groupby(["column", "problem"], sort=False):
        rows = grp["row"].dropna().tolist()
        values = grp["value"].dropna().unique().tolist()[:5]
        where = describe_rows(rows) if rows else "the frame"
        shown = f", values {values!r}" if values else ""
        lines.append(f"- {col}: {problem} in {where}{shown}")
    return "\n".join(lines)


def _known_codes() -> frozenset[str]:
    """ISO 3166 alpha-3 codes and aidcalc's donor codes (EUI, EIB, EPF, ...)."""
    from .._real._donors import _all_codes

    return _all_codes()


def _known_currencies() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


# --------------------------------------------------------------------------------------------
# pledges: build a pledge frame from a user table
# --------------------------------------------------------------------------------------------

_ROLE_ALIASES: Final[dict[str, str]] = {
    "donor": DONOR,
    "giver": DONOR,
    "donor_name": DONOR,
    "recipient": RECIPIENT,
    "date": ANNOUNCED,
    "announced": ANNOUNCED,
    "announcement_date": ANNOUNCED,
    "amount": AMOUNT,
    "value": AMOUNT,
    "currency": CURRENCY,
    "ccy": CURRENCY,
    "amount_text": AMOUNT_TEXT,
    "category": CATEGORY,
    "status": STATUS,
}


def _check_amount_unit(frame: pd.DataFrame, units: Units | None, check: Any) -> None:
    """validate's rule for a pint-pandas amount: a currency unit must agree with ``currency``
    (a missing code is the dtype's); any other unit is not money."""
    if units is None:
        return
    if units.currency is None:
        check(AMOUNT, np.ones(len(frame), bool), f"amount is in {units.unit!r}, not money")
    elif CURRENCY in frame.columns:
        bad = contradicting(frame[CURRENCY], units.currency)
        check(CURRENCY, bad, f"contradicts the unit of amount ({units.currency})")


@renamed_argument("frame_or_path")
def pledges(
    data: pd.DataFrame | str | PathLike[str] | IO[bytes],
    *,
    mapping: Mapping[str, str] | None = None,
    locale: LocaleLike | None = None,
    recipient: str | None = None,
    sheet_name: str | int | None = None,
    storage_options: Mapping[str, Any] | None = None,
    return_rejected: bool = False,
) -> pd.DataFrame | Pledges:
    """Build a pledge frame from a user table whose columns are named differently.

    Steps: read the table (a DataFrame, or a CSV / XLSX / Parquet file: a path, a URL or a
    binary file object, read by content through the same safe reader as
    :func:`aidcalc.io.read_table`, every cell as it is written); rename
    columns by ``mapping`` (``{"Land": "donor", "Betrag": "amount"}``) and then by common
    names (``Date`` -> ``announced``, ``Value`` -> ``amount``; case-insensitive); map donor
    names to codes with :func:`aidcalc._real._donors.donor_codes` (codes such as ``JPN`` are kept);
    parse ``amount_text`` with :func:`aidcalc.parse_amounts` where ``amount`` or ``currency``
    is missing; read dates strictly by ``locale``'s day/month order (``de``,
    ``fr``, ``it``, ``en_GB`` day-first, ``en_US`` month-first; an ambiguous ``07/06/2024``
    without a locale that settles it, a year-only date or strings mixing UTC offsets reject
    the row with the reason, never a guess); upper-case currency codes. A row that still
    breaks the schema (see :func:`validate`) is moved, unchanged, to ``rejected`` with a
    ``reason``: no row is dropped silently, and ``len(frame) + len(rejected)`` equals the
    input length. By default the frame alone is returned (with one
    :class:`aidcalc.RejectedRowsWarning` when rows were rejected, and the rejected rows on
    ``frame.attrs["rejected"]``); ``return_rejected=True`` returns ``(frame, rejected)``.

    Parameters
    ----------
    data
        The user table, or a file holding it (path, URL or binary file object).
    mapping
        ``{user column: role}``; roles are the pledge-frame column names.
    locale
        Language of donor names, amount texts and numeric dates (``Locale | str``), e.g.
        ``"de"``.
    recipient
        Fill a missing ``recipient`` column with this code (e.g. ``"UKR"``).
    sheet_name
        Workbook sheet name or number, as in :func:`pandas.read_excel` (default: the first).
    storage_options
        Extra options for a URL, as in pandas (HTTP headers, or ``fsspec`` options).
    return_rejected
        ``True``: return ``(frame, rejected)`` instead of the frame alone.

    Returns
    -------
    DataFrame or Pledges
        The accepted rows; with ``return_rejected=True`` the named tuple
        ``(frame, rejected)``.

    Examples
    --------
    >>> table = pd.DataFrame({"Giver": ["JPN", "USA"], "Date": ["2024-02-19", "soon"],
    ...                       "Value": [15.8e9, 1e6], "Currency": ["jpy", "USD"]})
    >>> ok, rejected = pledges(table, recipient="UKR", return_rejected=True)
    >>> ok[["donor", "announced", "amount", "currency", "recipient"]]
      donor  announced        amount currency recipient
    0   JPN 2024-02-19  1.580000e+10      JPY       UKR
    >>> rejected["reason"].str.slice(0, 55).tolist()
    ["announced: not a date ('soon'): not a date in a known f"]
    >>> pledges(pd.DataFrame({"donor": ["DEU"], "announced": ["07.06.2024"], "amount": [1.0],
    ...                       "currency": ["EUR"]}), locale="de")["announced"].iloc[0]
    Timestamp('2024-06-07 00:00:00')
    """
    frame_or_path = data  # the argument is data= (as in seaborn); frame_or_path= still works
    table, label = _read_table(frame_or_path, sheet_name, storage_options)
    try:
        result = _pledges(table, mapping, locale, recipient)
    except ValidationError as exc:
        if label is None:  # the caller's DataFrame: its own error
            raise
        raise InputFileError(
            f"{label}: {exc.message}", path=label, reason="wrong layout"
        ) from None
    return finish(result, return_rejected, reader="pledges")


def _pledges(
    table: pd.DataFrame,
    mapping: Mapping[str, str] | None,
    locale: LocaleLike | None,
    recipient: str | None,
) -> Pledges:
    out = table.copy()
    out.index = pd.RangeIndex(len(out))  # work by position; the labels come back at the end
    renames: dict[str, str] = {}
    if mapping:
        unknown = [c for c in mapping if c not in out.columns]
        if unknown:
            raise ValidationError(
                f"mapping names columns that are not in the table: {unknown}; "
                f"the table has {list(out.columns)}",
                problems=pd.DataFrame(),
            )
        renames.update(mapping)
    taken = set(renames.values())
    for col in out.columns:
        if col in renames:
            continue
        role = _ROLE_ALIASES.get(str(col).strip().lower().replace(" ", "_"))
        if role and role not in taken and role not in out.columns:
            renames[col] = role
            taken.add(role)
    out = out.rename(columns=renames)
    if out.columns.duplicated().any():
        dup = out.columns[out.columns.duplicated()].tolist()
        raise ValidationError(
            f"two columns would both become {dup}; fix mapping", problems=pd.DataFrame()
        )

    reasons = pd.Series("", index=out.index, dtype=object)

    def add(mask: Any, text: pd.Series | str) -> None:
        mask = pd.Series(np.asarray(mask, dtype=bool), index=out.index)
        piece = text if isinstance(text, str) else text.astype(str)
        new = np.where(reasons == "", piece, reasons + "; " + piece)
        reasons.loc[mask] = pd.Series(new, index=out.index)[mask]

    if recipient is not None and RECIPIENT not in out.columns:
        out[RECIPIENT] = recipient
    money = money_with_currency(out, AMOUNT, CURRENCY, "pledges")  # pint[USD]: amounts in USD
    if money is not None:  # the pledge frame's amount is a float in each row's currency
        out[AMOUNT], out[CURRENCY] = money.values, money.currencies

    if len(out) == 0:  # no rows: the schema's columns decide (as validate says)
        return _empty_pledges(table, out)

    # amounts from text where needed
    if AMOUNT_TEXT in out.columns:
        need = out[AMOUNT_TEXT].notna()
        if AMOUNT in out.columns:
            need &= out[AMOUNT].isna()
        if CURRENCY in out.columns:
            need |= out[AMOUNT_TEXT].notna() & out[CURRENCY].isna()
        if need.any():
            _fill_from_text(out, need, locale, add)

    if DONOR in out.columns:
        _donors_to_codes(out, locale, add)
    if CURRENCY in out.columns:
        out[CURRENCY] = out[CURRENCY].astype("string").str.strip().str.upper().astype(object)
        out.loc[out[CURRENCY].isna(), CURRENCY] = np.nan
    if AMOUNT in out.columns:
        raw_amount = out[AMOUNT]
        number = pd.to_numeric(raw_amount, errors="coerce").astype("float64")
        add(
            raw_amount.notna() & number.isna(),
            "amount: not a number (" + raw_amount.map(repr) + ")",
        )
        out[AMOUNT] = number
    if ANNOUNCED in out.columns:
        raw = out[ANNOUNCED]
        got = parse_dates(raw, locale=locale, mixed_offsets=False)
        add(got.bad, "announced: not a date (" + raw.map(repr) + "): " + got.reasons.fillna(""))
        out[ANNOUNCED] = got.dates

    problems = validate(out)
    problems = problems[problems["severity"] == "error"]  # warnings do not reject a row
    row_problems = problems[problems["row"].notna()]
    _missing_columns(problems, table)
    n = len(out)
    for (group_col, problem), grp in row_problems.groupby(["column", "problem"], sort=False):
        col = cast(str, group_col)  # the "column" names are str
        pos = grp["row"].to_numpy(dtype=np.int64)
        mask = np.zeros(n, dtype=bool)
        mask[pos] = True
        # not repeated when already explained (an unreadable amount_text explains amount)
        explaining = [col, AMOUNT_TEXT] if col in (AMOUNT, CURRENCY) else [col]
        seen = "|".join(rf"(?:^|; ){re.escape(c)}:" for c in explaining)
        already = reasons.astype(str).str.contains(seen, regex=True).to_numpy()
        values = pd.Series("", index=out.index, dtype=object)
        # a list of values for positions is valid; pandas-stubs only allow str or a Series
        values.iloc[pos] = [repr(v) for v in grp["value"]]  # type: ignore[call-overload]
        add(mask & ~already, f"{col}: {problem} (" + values + ")")
    bad = (reasons != "").to_numpy()
    rejected = table.iloc[bad].copy()
    rejected[REASON] = reasons.to_numpy()[bad]
    accepted = out.iloc[~bad].copy()
    accepted.index = table.index[~bad]
    return Pledges(accepted, rejected)


def _missing_columns(problems: pd.DataFrame, table: pd.DataFrame) -> None:
    """Raise when a required column is missing (no row can be accepted without it)."""
    if len(problems) and problems["row"].isna().any():
        missing = problems.loc[problems["row"].isna(), "column"].tolist()
        raise ValidationError(
            f"the table has no column for {missing}; name them with mapping= "
            f"(columns found: {list(table.columns)})",
            problems=problems,
        )


def _empty_pledges(table: pd.DataFrame, out: pd.DataFrame) -> Pledges:
    """A table without rows: an empty pledge frame (typed roles) when the required columns
    are there, else the missing-column error of any table."""
    problems = validate(out)
    _missing_columns(problems[problems["severity"] == "error"], table)
    frame = out.copy()
    if ANNOUNCED in frame.columns:
        frame[ANNOUNCED] = pd.Series([], index=frame.index, dtype="datetime64[ns]")
    frame[AMOUNT] = pd.Series([], index=frame.index, dtype="float64")
    frame[CURRENCY] = pd.Series([], index=frame.index, dtype=object)
    frame.index = table.index
    rejected = table.copy()
    rejected[REASON] = pd.Series([], index=table.index, dtype=object)
    return Pledges(frame, rejected)


def _read_table(
    obj: Any, sheet_name: str | int | None, storage_options: Mapping[str, Any] | None
) -> tuple[pd.DataFrame, str | None]:
    """The user's table: a DataFrame as it is, or a file read by content (CSV / XLSX /
    Parquet, every cell as written) through the readers' input gate and safe reader."""
    if isinstance(obj, pd.DataFrame):
        if storage_options is not None or sheet_name is not None:
            raise ValidationError(
                "sheet_name= and storage_options= are for files; this is a DataFrame",
                option="storage_options" if storage_options is not None else "sheet_name",
                value=storage_options if storage_options is not None else sheet_name,
                accepted="None for a DataFrame",
                problems=pd.DataFrame(),
            )
        return check_frame(obj, "pledges"), None
    if obj is None or isinstance(obj, (dict, list, tuple, pd.Series, np.ndarray)):
        check_frame(obj, "pledges")  # raises FrameTypeError (also a TypeError)
    from ..io._common import open_source
    from ..io._table import read_frame

    with open_source(obj, argument="data", storage_options=storage_options) as src:
        return read_frame(src, sheet=sheet_name), src.label


def _donors_to_codes(out: pd.DataFrame, locale: Any, add: Any) -> None:
    donor = out[DONOR]
    is_code = donor.astype("string").str.fullmatch(_CODE).fillna(False)
    names = donor.notna() & ~is_code
    if not names.any():
        return
    from .._real._donors import donor_codes

    kw: dict[str, Any] = {"errors": "coerce"}
    if locale is not None:
        kw["locale"] = locale
    codes = donor_codes(donor[names], **kw)
    codes = pd.Series(np.asarray(codes, dtype=object), index=donor[names].index)
    unknown = codes.isna()
    add(
        names & donor.index.isin(codes.index[unknown]),
        "donor: unknown name (" + donor.astype(str) + "); add it to mapping or use a code",
    )
    new = donor.astype(object).copy()
    new.loc[codes.index[~unknown]] = codes[~unknown]
    out[DONOR] = new


def _fill_from_text(out: pd.DataFrame, need: pd.Series, locale: Any, add: Any) -> None:
    from .._money._parsing import parse_amounts

    kw: dict[str, Any] = {"errors": "coerce"}
    if locale is not None:
        kw["locale"] = locale
    parsed = parse_amounts(out.loc[need, AMOUNT_TEXT], **kw)  # same index as the rows parsed
    if AMOUNT not in out.columns:
        out[AMOUNT] = np.nan
    if CURRENCY not in out.columns:
        out[CURRENCY] = np.nan
    out[AMOUNT] = out[AMOUNT].astype(object)
    out[CURRENCY] = out[CURRENCY].astype(object)
    fill_amount = out.loc[need, AMOUNT].isna()
    out.loc[fill_amount.index[fill_amount], AMOUNT] = parsed.loc[fill_amount, AMOUNT]
    fill_cur = out.loc[need, CURRENCY].isna()
    out.loc[fill_cur.index[fill_cur], CURRENCY] = parsed.loc[fill_cur, CURRENCY].astype(object)
    err = parsed["error"].reindex(out.index)
    add(err.notna(), "amount_text: " + err.astype(str) + " (" + out[AMOUNT_TEXT].map(repr) + ")")
