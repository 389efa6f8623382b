"""The lifecycle of a pledge (status order) and spreading multi-year pledges over their years.

Status order, from the weakest to the strongest promise:

``pledged``
    announced publicly (a speech, a conference, a press release); no legal act yet.
``committed``
    a firm obligation: an agreement signed, funds appropriated or formally approved.
``allocated``
    earmarked for specific deliveries, projects or tranches (Kiel's "allocation").
``disbursed``
    money paid out or goods delivered.

Headline cumulative figures ("Japan's aid has topped $12.1 billion") are not a status: the
pledge frame marks them with ``kind="total_to_date"`` (see :mod:`aidcalc._pledges._frame`)
and they carry ``status="committed"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

import numpy as np
import pandas as pd

from .._base._columns import AMOUNT, PERIOD_END, PERIOD_START, PLEDGE_ROW, YEAR
from .._base._compat import renamed_argument
from .._base._dates import YEAR_MAX, YEAR_MIN
from .._base._errors import ValidationError, join_values
from .._base._frame_checks import (
    check_columns_exist,
    check_frame,
    check_out_names,
    money_values,
    rows_error,
    to_numbers,
)
from .._money._frame_units import is_pint, plain, restore

__all__ = [
    "MAX_SPAN_YEARS",
    "PLEDGE_ROW",
    "STATUS_ORDER",
    "period_problems",
    "spread",
    "status_rank",
]

MAX_SPAN_YEARS: Final = 50
"""The longest period a multi-year pledge may cover (years, inclusive); a longer one is a typo
(``2022-20224``), never 18,203 rows."""


def period_problems(first: pd.Series, last: pd.Series) -> list[tuple[np.ndarray, str, str]]:
    """The plausibility rule for ``period_start``/``period_end`` (used by :func:`spread` and
    :func:`aidcalc.validate`): each year within the date window (1900..2100), start not after
    end, and at most :data:`MAX_SPAN_YEARS` years covered. Returns ``(mask, which, problem)``
    triples, ``which`` being ``"start"`` or ``"end"`` (the year at fault); vectorised.

    Examples
    --------
    >>> got = period_problems(pd.Series([2022.0, 2024.0, 1.0]), pd.Series([20224.0, 2023.0, 5.0]))
    >>> for mask, which, problem in got:
    ...     print(mask.tolist(), which, problem[:29])
    [False, False, True] start year outside the supported wi
    [True, False, True] end year outside the supported wi
    [False, True, False] start period_start after period_end
    [False, False, False] end period longer than 50 years (
    """
    a = first.to_numpy(dtype="float64", na_value=np.nan)
    b = last.to_numpy(dtype="float64", na_value=np.nan)
    window = f"year outside the supported window {YEAR_MIN}..{YEAR_MAX} (a typo?)"
    with np.errstate(invalid="ignore"):
        far_a = (a < YEAR_MIN) | (a > YEAR_MAX)
        far_b = (b < YEAR_MIN) | (b > YEAR_MAX)
        far = far_a | far_b
        reversed_ = ~far & (a > b)
        too_long = ~far & ~reversed_ & (b - a + 1 > MAX_SPAN_YEARS)
    return [
        (far_a, "start", window),
        (far_b, "end", window),
        (reversed_, "start", "period_start after period_end"),
        (too_long, "end", f"period longer than {MAX_SPAN_YEARS} years (a typo in a year?)"),
    ]


STATUS_ORDER: Final = ("pledged", "committed", "allocated", "disbursed")
"""The documented order of ``status`` values, weakest promise first."""


def status_rank(status: pd.Series) -> pd.Series:
    """Rank statuses by the documented order (0 = ``pledged`` ... 3 = ``disbursed``).

    Unknown or missing statuses become ``<NA>``.

    Examples
    --------
    >>> status_rank(pd.Series(["disbursed", "pledged", "maybe"])).tolist()
    [3, 0, <NA>]
    """
    ranks = {name: i for i, name in enumerate(STATUS_ORDER)}
    return status.map(ranks).astype("Int64")


@renamed_argument("frame")
def spread(
    data: pd.DataFrame,
    *,
    how: Literal["even"] = "even",
    start: str = PERIOD_START,
    end: str = PERIOD_END,
    amount: str = AMOUNT,
    money: Sequence[str] | None = None,
    year: str = YEAR,
    link: str = PLEDGE_ROW,
) -> pd.DataFrame:
    """Spread multi-year pledges over their years, conserving every money column exactly.

    A row covering the years ``start``..``end`` (inclusive) becomes one row per year, and every
    money column is split with the same shares: with ``how="even"`` each year gets ``1/k`` of
    the row's value. Money columns are ``amount`` plus, by default, every float column whose
    name starts with ``f"{amount}_"`` (what :func:`aidcalc.convert` and
    :func:`aidcalc.normalise` add, e.g. ``amount_USD``); pass ``money=[...]`` to name them
    yourself. Each column is split in whole units, the leftover units going one each to the
    earliest years (the remainders of an even split are equal), so the parts add up to the
    whole exactly:

    * a column whose multi-year values are whole cents is split in cents (``100.0`` over 3
      years: ``33.34, 33.33, 33.33``);
    * any other column (converted values carry sub-cent digits) is split in units of its
      value's last binary digit: every part and every partial sum is then exactly
      representable, so the parts sum back to the whole bit for bit in any order.

    A pint-pandas money column (``pint[USD]``, or the ``pint[EUR]`` column
    :func:`aidcalc.convert` makes) is split the same way in its unit and keeps its dtype; an
    in-kind unit column (``pint[MW]``, ``pint[hectare]``) is carried through unchanged unless
    named in ``money=`` (then it is split too).

    Rows without a period, or with ``start == end``, stay one row with their values untouched.
    Every other column (rates, provenance, text) is carried through unchanged; ``link`` holds
    the index label of the original row and ``year`` the year (for single-year rows: ``end``,
    else ``start``, else missing). :func:`aidcalc.aggregate` with ``period="year"`` uses that
    ``year`` column.

    Parameters
    ----------
    data
        A pledge frame.
    how
        Only ``"even"`` (equal shares per year) is implemented.
    start, end
        Columns holding the first and last year (integers or missing).
    amount
        The main money column (in each row's ``currency``); always spread.
    money
        Further money columns to spread (default: float columns named ``f"{amount}_..."``).
        ``money=[]`` spreads ``amount`` only.
    year, link
        Names of the new columns (year, original index label).

    Returns
    -------
    pandas.DataFrame
        A new frame with a fresh ``RangeIndex``; the caller's frame is not changed.

    Raises
    ------
    ValidationError
        If a period is implausible (reversed, a year outside 1900..2100, or longer than
        :data:`MAX_SPAN_YEARS` = 50 years: checked before any row is made), a year is not a
        whole number, an amount is not a finite number (``inf``, text, a bool column) or
        missing in a multi-year row, or a money column is missing or not numeric.

    Examples
    --------
    >>> f = pd.DataFrame({"donor": ["EUI", "JPN"], "amount": [50e9, 100.0],
    ...                   "period_start": [2024, None], "period_end": [2027, None]})
    >>> out = spread(f)
    >>> out[["donor", "year", "amount", "pledge_row"]]
      donor    year        amount  pledge_row
    0   EUI    2024  1.250000e+10           0
    1   EUI    2025  1.250000e+10           0
    2   EUI    2026  1.250000e+10           0
    3   EUI    2027  1.250000e+10           0
    4   JPN    <NA>  1.000000e+02           1
    >>> spread(pd.DataFrame({"amount": [100.0], "period_start": [2024], "period_end": [2026]}))[
    ...     "amount"].tolist()
    [33.34, 33.33, 33.33]
    >>> g = pd.DataFrame({"amount": [100.0], "amount_USD": [108.123456789],
    ...                   "period_start": [2024], "period_end": [2026]})
    >>> parts = spread(g)["amount_USD"]
    >>> bool(parts.sum() == 108.123456789), [round(x, 6) for x in parts]
    (True, [36.041152, 36.041152, 36.041152])
    """
    frame = data  # the argument is data= (as in seaborn); frame= still works
    _check_spread_options(frame, how, amount, link)
    if link in frame.columns and year in frame.columns:
        raise ValidationError(
            f"spread: the frame was already spread (it has {year!r} and {link!r} columns); "
            "spreading it again would split each year's part over the whole period once "
            "more. Spread the original frame, or pass other year=/link= names",
            option="link", value=link, problems=None,
        )  # fmt: skip
    columns = _money_columns(frame, amount, money)
    check_out_names(
        "spread", {"year": year, "link": link},
        reads={"start": start, "end": end, "amount": amount,
               **{f"money[{i}]": c for i, c in enumerate(c for c in columns if c != amount)}},
    )  # fmt: skip
    n = len(frame)
    # one-sided periods: a single year
    first, last = _years(frame, start, n), _years(frame, end, n)
    first, last = first.fillna(last), last.fillna(first)
    _check_periods(frame, first, last, start, end)  # before a single row is allocated
    n_years = (last - first + 1).fillna(1).to_numpy(dtype="int64")
    multi = n_years > 1
    values = _amounts(frame, amount, multi)

    pos = np.repeat(np.arange(n), n_years)
    offset = np.arange(len(pos)) - np.repeat(np.cumsum(n_years) - n_years, n_years)
    out = frame.iloc[pos].copy()
    base_year = first.to_numpy(dtype="float64")[pos]
    years = pd.array(np.where(np.isnan(base_year), np.nan, base_year + offset), dtype="Int64")
    for col in columns:
        col_values = values if col == amount else _numeric(frame, col)
        out[col] = restore(_split(col_values, multi, n_years, pos, offset), frame[col])
    out[year] = years
    out[link] = frame.index.to_numpy()[pos]
    return out.reset_index(drop=True)


def _check_spread_options(frame: pd.DataFrame, how: str, amount: str, link: str) -> None:
    """A DataFrame with the amount column, unique index labels, and ``how="even"``."""
    check_frame(frame, "spread")
    if how != "even":
        raise ValidationError(
            f"how={how!r} is not supported: use how='even'",
            option="how",
            value=how,
            accepted=["even"],
            problems=None,
        )
    if amount not in frame.columns:
        raise ValidationError(
            f"spread needs an amount column {amount!r}; the frame has {list(frame.columns)}",
            problems=pd.DataFrame(),
        )
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()].unique()
        raise ValidationError(
            f"spread: the frame has duplicate index labels ({join_values(list(dup))}), so "
            f"{link!r} could not say which row each part comes from; use "
            "frame.reset_index() (keeping the old labels as a column) first",
            problems=pd.DataFrame({"row": dup, "column": None, "problem": "duplicate label"}),
        )


def _check_periods(
    frame: pd.DataFrame, first: pd.Series, last: pd.Series, start: str, end: str
) -> None:
    """Plausible periods only (:func:`period_problems`), else a ValidationError."""
    for mask, which, problem in period_problems(first, last):
        if mask.any():
            shown = [
                f"{a:.0f}-{b:.0f}"
                for a, b in zip(first[mask].iloc[:5], last[mask].iloc[:5], strict=True)
            ]
            raise rows_error(
                "spread: ",
                frame.index[mask],
                f": {problem} ({start}-{end} {', '.join(shown)}); fix the years",
                column=start if which == "start" else end,
                problem=problem,
            )


def _amounts(frame: pd.DataFrame, amount: str, multi: np.ndarray) -> np.ndarray:
    """The amounts as floats: finite where present, and present in every multi-year row."""
    got = money_values(plain(frame[amount]), amount, "spread")  # pint: split the magnitudes
    bad_amount = got.bad | (multi & np.isnan(got.values))
    if bad_amount.any():
        shown = join_values(frame[amount][bad_amount].tolist())
        raise rows_error(
            "spread: ",
            frame.index[bad_amount],
            f": {amount} not a number, not finite, or missing in a multi-year row ({shown}); "
            "fix it or drop the period",
            column=amount,
            problem="not finite",
        )
    return got.values


def _money_columns(frame: pd.DataFrame, amount: str, money: Sequence[str] | None) -> list[str]:
    """``amount`` plus the other money columns (given, or float ``amount_*`` columns)."""
    if money is None:
        prefix = f"{amount}_"
        extra = [
            c
            for c in frame.columns
            if isinstance(c, str)
            and c.startswith(prefix)
            and (pd.api.types.is_float_dtype(frame[c].dtype) or is_pint(frame[c].dtype))
        ]
    else:
        if isinstance(money, str):
            money = [money]
        extra = list(money)
        check_columns_exist(
            extra, frame, "spread: money column(s) {unknown} not in the frame (columns: {columns})"
        )
    return list(dict.fromkeys([amount, *extra]))


def _numeric(frame: pd.DataFrame, col: str) -> np.ndarray:
    raw = frame[col]
    money = money_values(plain(raw), col, "spread")
    if money.bad.any():
        shown = join_values(raw[money.bad].tolist())
        raise rows_error(
            "",
            frame.index[money.bad],
            f": money column {col!r} is not a number (or not finite) ({shown}); fix it or "
            "leave it out with money=[...]",
            column=col,
            problem="not a number",
        )
    return money.values


def _split(
    values: np.ndarray,
    multi: np.ndarray,
    n_years: np.ndarray,
    pos: np.ndarray,
    offset: np.ndarray,
) -> np.ndarray:
    """Even parts of each multi-year value, summing exactly to it (see :func:`spread`)."""
    finite = multi & np.isfinite(values)
    cents_f = np.where(finite, values, 0.0) * 100.0
    cents = np.rint(cents_f)
    # per row: whole cents (below 2**53 cents) -> integer cents, the familiar 33.34/33.33/33.33;
    # else integer multiples of the value's last binary digit (exact for any float)
    by_cent = (cents / 100.0 == np.where(finite, values, 0.0)) & (np.abs(cents) < 2.0**53)
    safe = np.where(finite, values, 0.0)
    # unit = 2**(e - 53) for |value| = m * 2**e (m in [0.5, 1)); 2**-1074 for subnormals
    exponent = np.maximum(np.frexp(safe)[1].astype(np.int64) - 53, -1074)
    exponent = np.where(by_cent, 0, exponent)
    units = np.where(by_cent, cents, np.ldexp(safe, -exponent)).astype(np.int64)  # < 2**53
    total = units[pos]
    k = n_years[pos]
    q, r = np.divmod(np.abs(total), k)
    part = q + (offset < r)
    part = np.where(total < 0, -part, part).astype(np.float64)
    parts = np.where(by_cent[pos], part / 100.0, np.ldexp(part, exponent[pos]))
    # single-year rows keep their float untouched; missing (or infinite) stays so in every year
    return np.where(finite[pos], parts, values[pos])


def _years(frame: pd.DataFrame, col: str, n: int) -> pd.Series:
    if col not in frame.columns:
        return pd.Series(np.full(n, np.nan), index=frame.index, dtype="float64")
    raw = frame[col]
    if pd.api.types.is_datetime64_any_dtype(raw):
        return raw.dt.year.astype("float64")
    years = to_numbers(raw).astype("float64")
    bad = (raw.notna() & (years.isna() | (years != np.floor(years)))).to_numpy()
    if bad.any():
        raise rows_error(
            "",
            frame.index[bad],
            f": {col} is not a whole year ({join_values(raw[bad].tolist())}); use integers "
            "such as 2024",
            column=col,
            problem="not a year",
        )
    return years
